"""``gaokerena publish dataset``: push a built dataset folder (SCHEMAS.md §1) with its card to a Hub in one commit.

    gaokerena publish dataset artifacts/mmlu-fa --repo gaokerena/MMLU-fa [--revision v1.0] [--private]
                              [--dry-run] [--endpoint http://127.0.0.1:8080]

What is uploaded is what the ``dataset`` artifact type of the publishing engine allows
(:mod:`hub_tools.publishing.artifacts`, the same rule ``gaokerena release push`` follows): ``README.md`` (the card),
every ``<config>/<split>-*.parquet``, ``build_report.json`` / ``build_report.md`` (counts and drop reasons only:
they let a reader check every number in the card and hold no row content) and ``metadata.json`` when the build
wrote one (IBMSEE's pass mark). Never uploaded: ``quarantine.jsonl`` (raw rows that failed validation,
unredacted) and anything else in the folder; ``--dry-run`` lists every skipped file with the reason.

The upload is a single commit made by the engine (:func:`hub_tools.publishing.engine.publish`): only the files
whose content differs from the repo's, and deletions of the files an earlier build left that this build no longer
has (a dropped config, a renamed split), so the repo holds exactly this build. Nothing changed: no commit.
``--revision`` commits to that branch, created from main when missing. The token comes from ``HF_TOKEN`` or the
``hf auth login`` store (``HfApi`` resolves it); it is never printed, and a file holding it is refused.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["publish_dataset", "PublishPlan", "PublishResult", "PublishError", "main"]


class PublishError(RuntimeError):
    """The folder is not a built dataset, or a file in it would leak."""


@dataclass
class PublishPlan:
    """What a push would do (returned by ``--dry-run``)."""

    repo_id: str
    revision: str | None
    private: bool
    repo_exists: bool
    upload: list[str]
    delete: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    skip_reasons: dict[str, str] = field(default_factory=dict)
    unchanged: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class PublishResult:
    """What a push did: the commit (None when nothing changed) and the plan it was made from."""

    repo_id: str
    oid: str | None
    commit_url: str | None
    plan: PublishPlan


def check_folder(folder: str | Path) -> Path:
    folder = Path(folder)
    if not folder.is_dir():
        raise PublishError(f"{folder} is not a folder")
    if not (folder / "README.md").is_file():
        raise PublishError(f"{folder} has no README.md (dataset card): build it with `gaokerena data build`")
    if not list(folder.glob("*/*.parquet")):
        raise PublishError(f"{folder} holds no <config>/<split>-*.parquet file")
    from huggingface_hub import DatasetCard

    card = DatasetCard.load(folder / "README.md")
    configs = card.data.to_dict().get("configs") or []
    for config in configs:
        for entry in config.get("data_files") or []:
            paths = [entry["path"]] if isinstance(entry["path"], str) else entry["path"]
            for pattern in paths:
                if not list(folder.glob(pattern)):
                    raise PublishError(
                        f"card config {config.get('config_name')!r} names {pattern!r}, absent from {folder}"
                    )
    return folder


def _plan(plan, revision: str | None, private: bool) -> PublishPlan:
    return PublishPlan(
        repo_id=plan.repo_id, revision=revision, private=private, repo_exists=plan.exists,
        upload=plan.added + plan.changed, delete=list(plan.deleted), skipped=[s.path for s in plan.skipped],
        skip_reasons={s.path: s.reason for s in plan.skipped},
        unchanged=sorted(set(plan.files) - set(plan.added) - set(plan.changed)),
    )  # fmt: skip


def publish_dataset(
    api,
    folder: str | Path,
    repo_id: str,
    *,
    revision: str | None = None,
    private: bool = False,
    dry_run: bool = False,
    commit_message: str | None = None,
):
    """Push ``folder`` to dataset repo ``repo_id`` in one commit through the publishing engine; returns a
    :class:`PublishResult` (or a :class:`PublishPlan` with ``dry_run``)."""
    from hub_tools.publishing.artifacts import artifact_type
    from hub_tools.publishing.engine import PublishError as EngineError
    from hub_tools.publishing.engine import plan_repo, publish, stage_folder
    from hub_tools.publishing.sanitize import Sanitizer, local_roots

    folder = check_folder(folder)
    kind = artifact_type("dataset")
    secrets = (api.token,) if isinstance(api.token, str) else ()
    try:
        staged = stage_folder(folder, kind, sanitizer=Sanitizer(artifact_root=folder, secrets=secrets),
                              secrets=secrets, roots=local_roots(folder))  # fmt: skip
    except EngineError as error:
        raise PublishError(str(error)) from error
    branch = None if revision in (None, "main") else revision
    if dry_run:
        return _plan(plan_repo(api, repo_id=repo_id, kind=kind, staged=staged, revision=branch), revision, private)
    parquet = sum(path.endswith(".parquet") for path in staged.files)
    message = commit_message or f"Publish dataset build ({parquet} parquet files)"
    plan, commit = publish(api, repo_id=repo_id, kind=kind, staged=staged, message=message, private=private,
                           revision=branch)  # fmt: skip
    url = f"{api.endpoint.rstrip('/')}/datasets/{repo_id}/commit/{commit}" if commit else None
    return PublishResult(repo_id=repo_id, oid=commit, commit_url=url, plan=_plan(plan, revision, private))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gaokerena publish", description="Publish to a Hugging Face Hub.")
    sub = parser.add_subparsers(dest="command", required=True)
    ds = sub.add_parser("dataset", help="push a built dataset folder with its card in one commit")
    ds.add_argument("folder", type=Path, help="the folder `gaokerena data build` wrote")
    ds.add_argument("--repo", required=True, help="dataset repo id, e.g. gaokerena/MMLU-fa")
    ds.add_argument("--revision", default=None, help="branch to commit to (created when missing; default main)")
    ds.add_argument("--private", action="store_true", help="create the repo private (an existing repo is unchanged)")
    ds.add_argument("--dry-run", action="store_true", help="print what would be uploaded and deleted; push nothing")
    ds.add_argument("--endpoint", default=None, help="Hub URL (default: HF_ENDPOINT or huggingface.co)")
    args = parser.parse_args(argv)

    from huggingface_hub import HfApi
    from huggingface_hub.errors import HfHubHTTPError

    api = HfApi(endpoint=args.endpoint)
    try:
        result = publish_dataset(
            api, args.folder, args.repo, revision=args.revision, private=args.private, dry_run=args.dry_run
        )
    except PublishError as exc:
        print(f"gaokerena publish dataset: {exc}", file=sys.stderr)
        return 1
    except HfHubHTTPError as exc:
        print(f"gaokerena publish dataset: the Hub refused the push: {exc}", file=sys.stderr)
        return 1
    if isinstance(result, PublishPlan):
        print(
            f"dry run: {args.repo} ({'exists' if result.repo_exists else 'would be created'}"
            f"{', revision ' + args.revision if args.revision else ''})"
        )
        for path in result.upload:
            print(f"  upload  {path}")
        for path in result.delete:
            print(f"  delete  {path}")
        for path in result.skipped:
            print(f"  skip    {path}: {result.skip_reasons[path]}")
        return 0
    for path in result.plan.skipped:
        print(f"  skipped {path}: {result.plan.skip_reasons[path]}")
    if result.oid is None:
        print(f"{args.repo}@{args.revision or 'main'} already holds this build: no commit")
        return 0
    print(f"published {args.folder} to {args.repo}@{args.revision or 'main'}: {result.commit_url} ({result.oid})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

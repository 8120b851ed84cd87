"""``gaokerena publish dataset``: push a built dataset folder (SCHEMAS.md §1) with its card to a Hub in one commit.

    gaokerena publish dataset artifacts/mmlu-fa --repo gaokerena/MMLU-fa [--revision v1.0] [--private]
                              [--dry-run] [--endpoint http://127.0.0.1:8080]

What is uploaded: ``README.md`` (the card), every ``<config>/<split>-*.parquet``, ``build_report.json`` /
``build_report.md`` (counts and drop reasons only: they let a reader check every number in the card and hold no row
content) and ``metadata.json`` when the build wrote one (IBMSEE's pass mark). Never uploaded: ``quarantine.jsonl``
(raw rows that failed validation, unredacted) and anything else in the folder.

The upload is a single commit (``upload_folder``) whose ``delete_patterns`` remove the parquet files, report and
metadata of an earlier build that this build no longer has (a dropped config, a renamed split), so the repo holds
exactly this build. ``--revision`` commits to that branch, created from main when missing. The token comes from
``HF_TOKEN`` or the ``hf auth login`` store (``HfApi`` resolves it); it is never printed.
"""

from __future__ import annotations

import argparse
import fnmatch
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["publish_dataset", "PublishPlan", "PublishError", "main", "UPLOAD_PATTERNS", "NEVER_UPLOAD"]

UPLOAD_PATTERNS = ["README.md", "*/*.parquet", "build_report.json", "build_report.md", "metadata.json"]
NEVER_UPLOAD = ["quarantine.jsonl"]
# what an earlier build may have left in the repo; removed unless this build uploads it again
DELETE_PATTERNS = ["*.parquet", "build_report.json", "build_report.md", "metadata.json"]


class PublishError(RuntimeError):
    """The folder is not a built dataset, or the Hub refused the push."""


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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _local_files(folder: Path) -> tuple[list[str], list[str]]:
    upload, skipped = [], []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if rel.startswith(".") or "/." in rel:  # .cache/ of huggingface_hub and other hidden files
            continue
        if rel in NEVER_UPLOAD or not any(
            fnmatch.fnmatch(rel, pattern) and rel.count("/") == pattern.count("/") for pattern in UPLOAD_PATTERNS
        ):
            skipped.append(rel)
        else:
            upload.append(rel)
    return upload, skipped


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
    """Push ``folder`` to dataset repo ``repo_id`` in one commit; returns the ``CommitInfo`` (or a
    :class:`PublishPlan` with ``dry_run``)."""
    from huggingface_hub.errors import RepositoryNotFoundError, RevisionNotFoundError

    folder = check_folder(folder)
    upload, skipped = _local_files(folder)
    branch = None if revision in (None, "main") else revision

    if dry_run:
        try:
            remote = api.list_repo_files(repo_id, repo_type="dataset", revision=branch)
            exists = True
        except RepositoryNotFoundError:
            remote, exists = [], False
        except RevisionNotFoundError:
            remote = api.list_repo_files(repo_id, repo_type="dataset")
            exists = True
        delete = [f for f in remote if f not in upload and any(fnmatch.fnmatch(f, p) for p in DELETE_PATTERNS)]
        return PublishPlan(repo_id, revision, private, exists, upload, delete, skipped)

    api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
    if branch:
        api.create_branch(repo_id, branch=branch, repo_type="dataset", exist_ok=True)
    message = (
        commit_message or f"Publish dataset build ({len([u for u in upload if u.endswith('.parquet')])} parquet files)"
    )
    return api.upload_folder(
        repo_id=repo_id,
        folder_path=str(folder),
        repo_type="dataset",
        revision=branch,
        commit_message=message,
        allow_patterns=upload,
        ignore_patterns=NEVER_UPLOAD,
        delete_patterns=DELETE_PATTERNS,
    )


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
            print(f"  skip    {path}")
        return 0
    print(f"published {args.folder} to {args.repo}@{args.revision or 'main'}: {result.commit_url} ({result.oid})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

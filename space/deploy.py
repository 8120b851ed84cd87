"""Deploy the Gradio Space to a Hub: code, README front matter, requirements, variables and hardware.

    gaokerena space deploy --repo gaokerena/gaokerena-chat [--model-id gaokerena/gaokerena-v1 --revision v1.0] \\
        --results-repo gaokerena/leaderboard-results [--hardware zero-a10g] [--dry-run]

Without ``--model-id`` the Space serves the release's model at the release's revision (``released_model``: the
Space artifact of ``release/gaokerena-v1.yaml``, ``gaokerena/gaokerena-v1`` at ``v1.0``), and the README's
``preload_from_hub`` pins the same id and revision.

Layout on the Hub: the package as the folder ``space/`` (the same imports as in this repository), the toolkit
modules it imports (``hub_tools/folding.py``, ``hub_tools/evaluation/schema.py``, with empty package
``__init__.py`` files), a root ``app.py`` shim (``from space.app import demo, launch_options``), ``README.md`` and
``requirements.txt``. The
deploy is idempotent: files are compared with the Space's current tree by git blob id and only changed ones
are committed (nothing changed: no commit) by the release toolkit's publishing engine (``hub_tools.publishing``,
the one ``gaokerena release push`` uses), variables already equal are left alone, and hardware is requested
only if a different one is requested now. ``--dry-run`` renders everything and writes nothing; with a revision it
reads the model's file list (for the pinned ``preload_from_hub`` entry), and otherwise calls no Hub API.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hub_tools.space_repo import (
    DEFAULT_HARDWARE,
    MODEL_FILE_PATTERNS,
    RELEASE_MANIFEST,
    front_matter,
    model_files,
    space_files,
)


logger = logging.getLogger(__name__)

@dataclass
class DeployResult:
    """What a deploy did (or, with ``dry_run``, would do)."""

    repo_id: str
    files: dict[str, bytes]
    changed_files: list[str] = field(default_factory=list)
    deleted_files: list[str] = field(default_factory=list)
    commit: str | None = None  # None: no commit was made
    variables_set: list[str] = field(default_factory=list)
    variables_deleted: list[str] = field(default_factory=list)
    hardware_requested: str | None = None
    dry_run: bool = False


@dataclass(frozen=True)
class ReleasedModel:
    """The model a release's Space serves: its Hub id and the revision (the release tag) it is pinned to."""

    model_id: str
    revision: str | None


def released_model(manifest_path: str | Path = RELEASE_MANIFEST) -> ReleasedModel:
    """MODEL_ID and REVISION of the release manifest's Space artifact: the one model id and revision that
    ``space deploy`` defaults to and the Space README's ``preload_from_hub`` pins. Kept to this one function so
    another view of the manifest can answer it instead."""
    from hub_tools.release.manifest import load_manifest

    manifest = load_manifest(manifest_path)
    spaces = manifest.of_type("space")
    if len(spaces) != 1 or "MODEL_ID" not in spaces[0].variables:
        raise ValueError(f"{manifest_path}: expected one space artifact with variables MODEL_ID (and REVISION), "
                         f"found {len(spaces)} space artifact(s)")  # fmt: skip
    variables = spaces[0].variables
    return ReleasedModel(model_id=variables["MODEL_ID"], revision=variables.get("REVISION"))


def hub_model_files(api, model_id: str, revision: str) -> list[str]:
    """:func:`model_files` of ``model_id`` at ``revision`` on the Hub (a read; nothing is written)."""
    from huggingface_hub.errors import HfHubHTTPError

    try:
        names = api.list_repo_files(model_id, revision=revision)
    except HfHubHTTPError as error:
        raise ValueError(f"cannot list the files of {model_id} at {revision} for preload_from_hub: {error}") from error
    files = model_files(names)
    if not files:
        raise ValueError(f"{model_id} at {revision} has no model files ({', '.join(MODEL_FILE_PATTERNS)})")
    return files


def _sync_files(api, repo_id: str, files: dict[str, bytes], result: DeployResult, message: str,
                private: bool) -> None:  # fmt: skip
    """Commit the rendered files through the release toolkit's publishing engine (the same stage, diff and commit
    as ``gaokerena release push``): only what the ``space`` artifact type allows, only what changed, one commit.
    deploy.py is the only module of space/ that imports hub_tools: it is never uploaded to the Space."""
    from hub_tools.publishing.artifacts import artifact_type
    from hub_tools.publishing.engine import Staged, check_leaks, generated_file, publish
    from hub_tools.publishing.sanitize import local_roots

    kind = artifact_type("space")
    staged = Staged(kind=kind)
    for path, content in files.items():
        staged.add(generated_file(path, content))
    check_leaks(staged, secrets=[api.token] if isinstance(api.token, str) else [], roots=local_roots(),
                where=repo_id)  # fmt: skip
    plan, commit = publish(api, repo_id=repo_id, kind=kind, staged=staged, message=message, private=private,
                           space_sdk="gradio")  # fmt: skip
    result.changed_files = plan.added + plan.changed
    result.deleted_files = list(plan.deleted)
    result.commit = commit


def _sync_variables(api, repo_id: str, wanted: dict[str, str | None], result: DeployResult) -> None:
    current = {key: var.value for key, var in api.get_space_variables(repo_id).items()}
    for key, value in wanted.items():
        if value is None:
            if key in current:
                api.delete_space_variable(repo_id, key)
                result.variables_deleted.append(key)
        elif current.get(key) != value:
            api.add_space_variable(repo_id, key, value)
            result.variables_set.append(key)


def deploy_space(
    api,
    repo_id: str,
    *,
    model_id: str,
    results_repo: str,
    revision: str | None = None,
    adapter_id: str | None = None,
    results_revision: str | None = None,
    hardware: str | None = DEFAULT_HARDWARE,
    private: bool = False,
    dry_run: bool = False,
    preload_files: Sequence[str] | None = None,
) -> DeployResult:
    """Create or update the Space ``repo_id`` through ``api`` (an ``HfApi``); see the module docstring.

    ``hardware`` None leaves the Space's hardware alone. With ``dry_run`` nothing is sent: the result lists
    every file as changed and every given variable as to be set. With a ``revision``, ``preload_from_hub`` names
    the model's files at that revision: ``preload_files``, or (None) read from the Hub through ``api``, which a
    dry run does too (a read; it writes nothing).
    """
    if revision is not None and preload_files is None:
        if api is None:
            raise ValueError(f"preload_from_hub pins {model_id} to {revision} by naming its files: pass "
                             "preload_files, or an api to list them on the Hub")  # fmt: skip
        preload_files = hub_model_files(api, model_id, revision)
    meta = front_matter(model_id=model_id, results_repo=results_repo, adapter_id=adapter_id,
                        hardware=hardware or DEFAULT_HARDWARE, revision=revision,
                        preload_files=preload_files or ())  # fmt: skip
    files = space_files(meta)
    variables = {"MODEL_ID": model_id, "REVISION": revision, "ADAPTER_ID": adapter_id,
                 "RESULTS_REPO": results_repo, "RESULTS_REVISION": results_revision}
    result = DeployResult(repo_id=repo_id, files=files, dry_run=dry_run)
    if dry_run:
        result.changed_files = list(files)
        result.variables_set = [k for k, v in variables.items() if v is not None]
        result.hardware_requested = hardware
        return result
    _sync_files(api, repo_id, files, result, f"Deploy Gaokerena Space ({model_id}@{revision or 'main'})", private)
    _sync_variables(api, repo_id, variables, result)
    if hardware and api.get_space_runtime(repo_id).requested_hardware != hardware:
        api.request_space_hardware(repo_id, hardware)
        result.hardware_requested = hardware
    return result


def make_parser(subparsers: argparse._SubParsersAction | None = None, prog: str | None = None):
    """``deploy`` options; standalone parser or a subcommand of ``gaokerena space``."""
    if subparsers is not None:
        parser = subparsers.add_parser("deploy", help="create or update the Space repo")
    else:
        parser = argparse.ArgumentParser(prog=prog or "gaokerena space deploy", description=__doc__.split("\n")[0])
    parser.add_argument("--repo", required=True, help="Space repo id, e.g. gaokerena/gaokerena-chat")
    parser.add_argument("--model-id", default=None,
                        help="model the chat serves (MODEL_ID; default: the release manifest's, at its revision)")
    parser.add_argument("--revision", default=None,
                        help="model revision (REVISION; default: the release manifest's for its model, else main)")
    parser.add_argument("--manifest", default=str(RELEASE_MANIFEST),
                        help="release manifest the default model and revision come from (default: %(default)s)")
    parser.add_argument("--adapter-id", default=None, help="optional LoRA adapter merged at load (ADAPTER_ID)")
    parser.add_argument("--results-repo", default="gaokerena/leaderboard-results", help="results dataset repo")
    parser.add_argument("--results-revision", default=None, help="results repo revision (RESULTS_REVISION)")
    parser.add_argument("--hardware", default=DEFAULT_HARDWARE, help="hardware to request ('none' to leave it)")
    parser.add_argument("--private", action="store_true", help="create the Space private")
    parser.add_argument("--endpoint", default=None, help="Hub endpoint (default: HF_ENDPOINT or huggingface.co)")
    parser.add_argument("--token", default=None, help="Hub token (default: HF_TOKEN or the saved login)")
    parser.add_argument("--dry-run", action="store_true", help="render files and print the plan; no Hub calls")
    return parser


def main(argv: list[str] | None = None) -> int:
    """``gaokerena space deploy ...``; returns the exit code."""
    top = argparse.ArgumentParser(prog="gaokerena space", description="The Gradio Space.")
    make_parser(top.add_subparsers(dest="command", required=True))
    args = top.parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    model_id, revision = args.model_id, args.revision
    try:
        if model_id is None:  # the release's model, at the release's revision unless --revision says otherwise
            released = released_model(args.manifest)
            model_id, revision = released.model_id, revision or released.revision
        api = None
        if not args.dry_run or revision is not None:  # a dry run only reads (the model's files, for the preload)
            from huggingface_hub import HfApi

            api = HfApi(endpoint=args.endpoint, token=args.token)
        hardware = None if args.hardware.lower() == "none" else args.hardware
        result = deploy_space(
            api, args.repo, model_id=model_id, results_repo=args.results_repo, revision=revision,
            adapter_id=args.adapter_id, results_revision=args.results_revision, hardware=hardware,
            private=args.private, dry_run=args.dry_run,
        )
    except ValueError as error:  # a bad manifest, or a model whose files cannot be listed
        print(f"gaokerena space deploy: {error}", file=sys.stderr)
        return 2
    _report(result)
    return 0


def _report(result: DeployResult) -> None:
    verb = "would upload" if result.dry_run else "uploaded"
    print(f"Space {result.repo_id}: {verb} {len(result.changed_files)} of {len(result.files)} file(s)")
    for path in result.changed_files:
        print(f"  + {path}")
    for path in result.deleted_files:
        print(f"  - {path}")
    if result.dry_run:
        print("\nREADME.md:\n" + result.files["README.md"].decode())
        print("requirements.txt:\n" + result.files["requirements.txt"].decode())
    print(f"commit: {result.commit or 'none (no changes)' if not result.dry_run else 'none (dry run)'}")
    print(f"variables set: {', '.join(result.variables_set) or 'none'}"
          + (f"; deleted: {', '.join(result.variables_deleted)}" if result.variables_deleted else ""))
    print(f"hardware requested: {result.hardware_requested or 'unchanged'}")


if __name__ == "__main__":
    sys.exit(main())

"""Deploy the Gradio Space to a Hub: code, README front matter, requirements, variables and hardware.

    gaokerena space deploy --repo gaokerena/gaokerena-chat --model-id gaokerena/gaokerena-v1.0 \\
        --results-repo gaokerena/leaderboard-results [--revision v1.0] [--hardware zero-a10g] [--dry-run]

Layout on the Hub: the package as the folder ``space/`` (the same imports as in this repository), the toolkit
modules it imports (``hub_tools/folding.py``, ``hub_tools/evaluation/schema.py``, with empty package
``__init__.py`` files), a root ``app.py`` shim (``from space.app import demo, launch_options``), ``README.md`` and
``requirements.txt``. The
deploy is idempotent: files are compared with the Space's current tree by git blob id and only changed ones
are committed (nothing changed: no commit) by the release toolkit's publishing engine (``hub_tools.publishing``,
the one ``gaokerena release push`` uses), variables already equal are left alone, and hardware is requested
only if a different one is requested now. ``--dry-run`` renders everything and calls no Hub API.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import yaml


logger = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
# The Space does not deploy itself, nor the development tools for its red-flag net (scikit-learn, the pool reader).
PACKAGE_FILES_EXCLUDED = {"deploy.py", "train_red_flag_model.py", "safety_pool.py"}
PACKAGE_SUFFIXES = {".py", ".css", ".json", ".npz"}  # .json/.npz: the red-flag model's arrays and its figures
DEFAULT_HARDWARE = "zero-a10g"
# ZeroGPU runs a pre-defined Python; the Hub documentation (spaces-zerogpu, "Supported versions") lists 3.10.13 and
# 3.12.12. The Space's code stays Python 3.10 compatible (tests/space/test_space_app_import.py parses it so).
ZEROGPU_PYTHON_VERSIONS = ("3.10.13", "3.12.12")
PYTHON_VERSION = "3.12.12"
# ZeroGPU installs only the torch versions it publishes; any other pin fails the build with "No candidate PyTorch
# version found for ZeroGPU". Source: https://huggingface.co/docs/hub/spaces-zerogpu, "Supported versions" -> "See
# full list" (2.1.0 ... 2.8.0 as added in huggingface/hub-docs#1896; the current page goes on to 2.11). This tuple
# is the one place the list lives: the deployed requirements.txt pins its newest entry, and a test checks it.
ZEROGPU_TORCH_VERSIONS = (
    "2.1.0", "2.1.1", "2.1.2", "2.2.0", "2.2.2", "2.4.0", "2.5.1", "2.6.0", "2.7.1", "2.8.0", "2.9.1", "2.10.0",
    "2.11.0",
)  # fmt: skip
SPACE_TORCH_VERSION = ZEROGPU_TORCH_VERSIONS[-1]
# Installed on the Space from requirements.txt: torch from the list above (the local CPU wheel, 2.13, is not on
# it), the others pinned to the versions this repository is tested with, whose torch requirement that torch meets
# (transformers 5.x needs torch>=2.6). `spaces` is provided by the platform and `gradio` by sdk_version.
SPACE_REQUIREMENTS = ("torch", "transformers", "peft", "accelerate", "huggingface-hub")
# Toolkit modules the Space imports, shipped beside it under the same names (standard library only), so imports are
# the same locally and on the Hub. Their packages get an empty __init__.py there, not the toolkit's own.
SHIPPED_MODULES = ("hub_tools.folding", "hub_tools.evaluation.schema")

APP_SHIM = '''"""Hub entry point: the Space's code is the `space` package beside this file (see space/app.py)."""

from space.app import demo, launch_options


if __name__ == "__main__":
    demo.launch(**launch_options())
'''


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


def installed_version(package: str) -> str:
    """Installed version without a local suffix ("2.13.0+cpu" -> "2.13.0")."""
    return metadata.version(package).split("+", 1)[0]


def front_matter(
    *, model_id: str, results_repo: str, adapter_id: str | None = None, hardware: str = DEFAULT_HARDWARE,
    extra_datasets: Sequence[str] = (),
) -> dict[str, object]:
    """The Space's README metadata (the Hub's Spaces configuration reference keys). ``preload_from_hub`` has the
    Hub download the weights when the Space is built, so a restart does not download them again."""
    models = [model_id] + ([adapter_id] if adapter_id else [])
    return {
        "title": "Gaokerena",
        "emoji": "🩺",
        "colorFrom": "green",
        "colorTo": "blue",
        "sdk": "gradio",
        "sdk_version": installed_version("gradio"),
        "python_version": PYTHON_VERSION,
        "app_file": "app.py",
        "models": models,
        "datasets": [results_repo, *[d for d in extra_datasets if d != results_repo]],
        "preload_from_hub": list(models),
        "short_description": "Persian medical chat and benchmark leaderboard",
        "license": "cc-by-nc-sa-4.0",
        "suggested_hardware": hardware,
    }


def render_readme(meta: dict[str, object]) -> str:
    """README.md: YAML front matter plus a short body (with a ``gradio_client`` example)."""
    header = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True).strip()
    models = ", ".join(f"`{m}`" for m in meta["models"])  # type: ignore[union-attr]
    return (
        f"---\n{header}\n---\n\n# Gaokerena · گائوکرنا\n\n"
        f"A streaming Persian medical chat with {models} and the Gaokerena benchmark leaderboard (MMLU-fa, IBMSEE, "
        "K-QA-fa). Research use only: not a medical device, not a substitute for a physician; in an emergency in "
        "Iran call 115.\n\n"
        "Configuration (Space variables): `MODEL_ID`, `REVISION`, `RESULTS_REPO`; see `space/settings.py` for the "
        "rest. Paper: [arXiv:2505.16000](https://arxiv.org/abs/2505.16000).\n\n"
        "## API\n\n"
        "```python\nfrom gradio_client import Client\n\nclient = Client(\"<owner>/<space>\")\n"
        "job = client.submit(message=\"علائم کم‌خونی چیست؟\", max_new_tokens=256, api_name=\"/chat\")\n"
        "for partial_reply in job:  # the reply grows as it streams\n    print(partial_reply)\n```\n\n"
        "The Space is also an MCP server (`/gradio_api/mcp/`), so assistants can call the chat and the leaderboard "
        "as tools.\n"
    )


def render_requirements() -> str:
    """requirements.txt: torch from :data:`ZEROGPU_TORCH_VERSIONS`, the rest at their tested versions."""
    lines = [f"torch=={SPACE_TORCH_VERSION}"]
    lines += [f"{name}=={installed_version(name)}" for name in SPACE_REQUIREMENTS if name != "torch"]
    lines.append(f"gradio[mcp]=={installed_version('gradio')}")  # the MCP server's extra, same gradio as sdk_version
    header = (
        "# torch: the newest version ZeroGPU supports (https://huggingface.co/docs/hub/spaces-zerogpu); the rest are\n"
        "# the tested versions. gradio comes from sdk_version (plus its mcp extra), spaces from the platform."
    )
    return "\n".join([header, *lines]) + "\n"


def _module_path(module: str) -> str:
    return module.replace(".", "/") + ".py"


def shipped_toolkit_files() -> dict[str, bytes]:
    """The toolkit modules the Space imports (:data:`SHIPPED_MODULES`) and an empty ``__init__.py`` for each of
    their packages, path -> bytes."""
    files: dict[str, bytes] = {}
    for module in SHIPPED_MODULES:
        parts = module.split(".")
        for depth in range(1, len(parts)):
            package = "/".join(parts[:depth])
            files[f"{package}/__init__.py"] = (
                f'"""The parts of {".".join(parts[:depth])} the Gaokerena Space uses, shipped by `space deploy`."""\n'
            ).encode()
        files[_module_path(module)] = (REPO_ROOT / _module_path(module)).read_bytes()
    return files


def space_files(meta: dict[str, object]) -> dict[str, bytes]:
    """Every file of the Space repo, path -> bytes."""
    files = {"README.md": render_readme(meta).encode(), "app.py": APP_SHIM.encode(),
             "requirements.txt": render_requirements().encode()}
    for path in sorted(PACKAGE_DIR.iterdir()):
        if path.is_file() and path.suffix in PACKAGE_SUFFIXES and path.name not in PACKAGE_FILES_EXCLUDED:
            files[f"space/{path.name}"] = path.read_bytes()
    files.update(shipped_toolkit_files())
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
) -> DeployResult:
    """Create or update the Space ``repo_id`` through ``api`` (an ``HfApi``); see the module docstring.

    ``hardware`` None leaves the Space's hardware alone. With ``dry_run`` nothing is sent: the result lists
    every file as changed and every given variable as to be set.
    """
    meta = front_matter(model_id=model_id, results_repo=results_repo, adapter_id=adapter_id,
                        hardware=hardware or DEFAULT_HARDWARE)
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
    parser.add_argument("--model-id", default="gaokerena/gaokerena-v1.0", help="model the chat serves (MODEL_ID)")
    parser.add_argument("--revision", default=None, help="model revision (REVISION)")
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
    api = None
    if not args.dry_run:
        from huggingface_hub import HfApi

        api = HfApi(endpoint=args.endpoint, token=args.token)
    hardware = None if args.hardware.lower() == "none" else args.hardware
    result = deploy_space(
        api, args.repo, model_id=args.model_id, results_repo=args.results_repo, revision=args.revision,
        adapter_id=args.adapter_id, results_revision=args.results_revision, hardware=hardware,
        private=args.private, dry_run=args.dry_run,
    )
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

"""The Space repo's files, rendered from the ``space/`` folder: README front matter, requirements, the app shim,
the package's sources and the toolkit modules it ships (a leaf of the toolkit: it reads ``space/`` as files and
imports nothing from it).

``gaokerena space deploy`` (:mod:`space.deploy`) and ``gaokerena release push`` (the release's Space artifact) both
render the repo with :func:`space_files`, so a deploy after a release finds nothing to change.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from importlib import metadata
from pathlib import Path

import yaml


REPO_ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIR = REPO_ROOT / "space"
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
SHIPPED_MODULES = ("hub_tools.folding", "hub_tools.evaluation.schema", "hub_tools.space_text")

# The release manifest whose Space artifact names the model the Space serves and its revision (see released_model).
RELEASE_MANIFEST = REPO_ROOT / "release" / "gaokerena-v1.yaml"
# What from_pretrained reads from a model repo: the files a pinned preload_from_hub entry lists (top level only).
MODEL_FILE_PATTERNS = (
    "config.json", "generation_config.json", "model*.safetensors", "model.safetensors.index.json",
    "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json", "chat_template.jinja",
)  # fmt: skip

APP_SHIM = '''"""Hub entry point: the Space's code is the `space` package beside this file (see space/app.py)."""

from space.app import demo, launch_options


if __name__ == "__main__":
    demo.launch(**launch_options())
'''


def model_files(names: Iterable[str]) -> list[str]:
    """The files of a model repo (paths relative to its root) that loading it reads, sorted: the list a pinned
    ``preload_from_hub`` entry downloads."""
    return sorted(name for name in names
                  if "/" not in name and any(fnmatch.fnmatch(name, pattern) for pattern in MODEL_FILE_PATTERNS))


def preload_entry(model_id: str, revision: str | None = None, files: Sequence[str] = ()) -> str:
    """One ``preload_from_hub`` item: ``repo`` (everything on the default branch) or, pinned to a revision,
    ``repo file1,file2 revision`` (the Hub's format names the files before the revision)."""
    if revision is None:
        return model_id
    if not files:
        raise ValueError(f"preload_from_hub pins {model_id} to {revision} by naming its files; none were given "
                         "(list them with model_files)")  # fmt: skip
    return f"{model_id} {','.join(files)} {revision}"


def installed_version(package: str) -> str:
    """Installed version without a local suffix ("2.13.0+cpu" -> "2.13.0")."""
    return metadata.version(package).split("+", 1)[0]


def front_matter(
    *, model_id: str, results_repo: str, adapter_id: str | None = None, hardware: str = DEFAULT_HARDWARE,
    extra_datasets: Sequence[str] = (), revision: str | None = None, preload_files: Sequence[str] = (),
) -> dict[str, object]:
    """The Space's README metadata (the Hub's Spaces configuration reference keys). ``preload_from_hub`` has the
    Hub download the weights when the Space is built, so a restart does not download them again; with a
    ``revision`` it downloads ``preload_files`` (see :func:`model_files`) at that revision, the one the app loads."""
    models = [model_id] + ([adapter_id] if adapter_id else [])
    preload = [preload_entry(model_id, revision, preload_files)] + ([adapter_id] if adapter_id else [])
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
        "preload_from_hub": preload,
        "short_description": "Persian medical chat and benchmark leaderboard",
        "license": "cc-by-nc-sa-4.0",
        "suggested_hardware": hardware,
    }


def render_readme(meta: dict[str, object]) -> str:
    """README.md: YAML front matter plus a short body (with a ``gradio_client`` example)."""
    # width: a pinned preload_from_hub entry (repo, its files, revision) stays on one line
    header = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=4096).strip()
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

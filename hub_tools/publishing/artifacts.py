"""What each kind of artifact publishes: the allow-lists of the publishing engine, registered in one place.

    from hub_tools.publishing.artifacts import artifact_type, register, ArtifactType
    artifact_type("dataset").allows("all/test-00000-of-00001.parquet")   # True
    artifact_type("adapter").allows("training_args.bin")                  # False: a pickle

A file is published only when its path (posix, relative to the artifact's folder) matches one of its type's
``allow`` patterns. Patterns are ``fnmatch`` patterns in which ``*`` stays inside one folder and ``**/`` spans any
number of folders (``**/*.py`` also matches ``app.py``). Everything else is skipped, and the plan says why
(:func:`skip_reason`): quarantine files, pickles, checkpoints, logs, caches, hidden files, or simply "not in the
allow-list".

``sanitize`` names the JSON files that ship but are written by local tools (training, merge, evaluation, PEFT):
on staging, every local path in them becomes a repo id or a path relative to the artifact
(:mod:`hub_tools.publishing.sanitize`). ``base_model_keys`` names, per file, the key that holds the model the
artifact was trained on / loads on; staging sets it to that model's Hub id.

A new artifact type is one :func:`register` call (a module of its own may call it at import; the release manifest
accepts every registered type).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field


TOKENIZER_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "added_tokens.json",
    "tokenizer.model",
    "chat_template.jinja",
    "chat_template.json",
    "vocab.json",
    "vocab.txt",
    "merges.txt",
)


@dataclass(frozen=True)
class ArtifactType:
    """One kind of repo a release or a command publishes."""

    name: str
    repo_type: str  # the Hub's: model, dataset or space
    allow: tuple[str, ...]
    description: str  # what it publishes, in words (README, plan output)
    sanitize: tuple[str, ...] = ()
    base_model_keys: dict[str, str] = field(default_factory=dict)
    # Remote files the engine leaves in place although the staged files do not hold them (e.g. release records).
    keep_remote: tuple[str, ...] = ()

    def allows(self, path_in_repo: str) -> bool:
        return matches(path_in_repo, self.allow)

    def sanitizes(self, path_in_repo: str) -> bool:
        return matches(path_in_repo, self.sanitize)


ARTIFACT_TYPES: dict[str, ArtifactType] = {}


def register(kind: ArtifactType) -> ArtifactType:
    """Add (or replace) an artifact type; returns it."""
    if kind.repo_type not in ("model", "dataset", "space"):
        raise ValueError(f"artifact type {kind.name!r}: repo_type must be model, dataset or space")
    ARTIFACT_TYPES[kind.name] = kind
    return kind


def artifact_type(name: str) -> ArtifactType:
    try:
        return ARTIFACT_TYPES[name]
    except KeyError:
        raise KeyError(f"unknown artifact type {name!r}; registered: {sorted(ARTIFACT_TYPES)}") from None


def matches(path: str, patterns: tuple[str, ...] | list[str]) -> bool:
    """``fnmatch`` where ``*`` does not cross ``/`` and a leading ``**/`` matches any (or no) folders."""
    for pattern in patterns:
        if pattern.startswith("**/"):
            tail = pattern[3:]
            parts = path.split("/")
            if any(_match_one(tail, "/".join(parts[i:])) for i in range(len(parts))):
                return True
        elif _match_one(pattern, path):
            return True
    return False


def _match_one(pattern: str, path: str) -> bool:
    return pattern.count("/") == path.count("/") and fnmatch.fnmatchcase(path, pattern)


# Why a file that is not allowed is skipped: the first rule that matches names the reason.
_SKIP_RULES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("**/*quarantine*",), "quarantine file: rows refused by the build, unredacted"),
    (("**/*.bin", "**/*.pkl", "**/*.pickle", "**/*.pt", "**/*.pth", "**/*.ckpt", "**/*.npy", "**/*.joblib"),
     "pickle or raw tensor dump: may execute code on load and is not part of the artifact"),
    (("**/checkpoint-*/**", "**/checkpoints/**", "checkpoint-*/**", "checkpoints/**"), "training checkpoint"),
    (("**/*.log", "**/logs/**", "logs/**", "**/runs/**", "runs/**", "**/emissions.csv", "**/trainer_state.json"),
     "log of a local run"),
    (("**/.cache/**", ".cache/**", "**/__pycache__/**", "__pycache__/**", "**/*.pyc", "**/.DS_Store"), "cache"),
)  # fmt: skip


def skip_reason(kind: ArtifactType, path_in_repo: str) -> str:
    """Why ``path_in_repo`` is not published by ``kind`` (call only for files it does not allow)."""
    if any(part.startswith(".") for part in path_in_repo.split("/")):
        return "hidden file or folder"
    for patterns, reason in _SKIP_RULES:
        if matches_deep(path_in_repo, patterns):
            return reason
    return f"not in the {kind.name} allow-list"


def matches_deep(path: str, patterns: tuple[str, ...] | list[str]) -> bool:
    """Like :func:`matches`, and a trailing ``/**`` matches everything below that folder."""
    for pattern in patterns:
        if pattern.endswith("/**"):
            prefix = pattern[:-3]
            parts = path.split("/")
            if any(matches("/".join(parts[:i]), (prefix,)) for i in range(1, len(parts))):
                return True
        elif matches(path, (pattern,)):
            return True
    return False


register(ArtifactType(
    name="dataset",
    repo_type="dataset",
    allow=("README.md", "*/*.parquet", "data/*/*.parquet", "build_report.json", "build_report.md", "metadata.json"),
    description="the card (README.md), each config's parquet files (<config>/<split>-*.parquet), the build report "
                "(build_report.json/.md: counts and drop reasons, no row content) and metadata.json when the build "
                "wrote one (IBMSEE's pass mark)",
    sanitize=("build_report.json", "metadata.json"),
))  # fmt: skip
register(ArtifactType(
    name="model",
    repo_type="model",
    allow=("README.md", "config.json", "generation_config.json", "model.safetensors", "model-*-of-*.safetensors",
           "model.safetensors.index.json", *TOKENIZER_FILES, "merge_metadata.json", "training_metadata.json",
           ".eval_results/*.yaml"),
    description="the card, config.json, generation_config.json, the safetensors weights (and their index), the "
                "tokenizer files, the sanitised merge_metadata.json and the Hub's .eval_results/*.yaml scores (rendered "
                "by a release)",
    sanitize=("merge_metadata.json", "training_metadata.json", "config.json"),
    base_model_keys={"merge_metadata.json": "base_model", "training_metadata.json": "base_model"},
))  # fmt: skip
register(ArtifactType(
    name="adapter",
    repo_type="model",
    allow=("README.md", "adapter_model.safetensors", "adapter_config.json", *TOKENIZER_FILES,
           "training_metadata.json"),
    description="the card, adapter_model.safetensors, adapter_config.json (base_model_name_or_path = the base "
                "model's Hub id), the tokenizer files and the sanitised training_metadata.json",
    sanitize=("adapter_config.json", "training_metadata.json"),
    base_model_keys={"adapter_config.json": "base_model_name_or_path", "training_metadata.json": "base_model"},
))  # fmt: skip
register(ArtifactType(
    name="results",
    repo_type="dataset",
    allow=("README.md", "results/*.json", "releases/*/release.json"),
    description="the card and one result JSON per model x benchmark x protocol under results/; the release "
                "records releases/<version>/release.json",
    sanitize=("results/*.json",),
    keep_remote=("releases/*/release.json",),
))  # fmt: skip
register(ArtifactType(
    name="space",
    repo_type="space",
    allow=("README.md", "app.py", "requirements.txt", "space/*.py", "space/*.css", "space/*.json", "space/*.npz",
           # the toolkit modules the Space imports (hub_tools.space_repo.SHIPPED_MODULES), with empty package __init__.py
           "hub_tools/__init__.py", "hub_tools/folding.py", "hub_tools/space_text.py",
           "hub_tools/evaluation/__init__.py",
           "hub_tools/evaluation/schema.py"),
    description="the files `gaokerena space deploy` renders: README.md (front matter), app.py, requirements.txt, "
                "the space/ package (.py, .css; .json and .npz: the red-flag net's figures and model arrays) and "
                "the toolkit modules it imports (folding, result schema, the Space's texts)",
))  # fmt: skip
register(ArtifactType(
    name="gguf",
    repo_type="model",
    allow=("README.md", "*.gguf", "template", "system", "params", "*.imatrix", "imatrix.json", "quality.json"),
    description="the card, the *.gguf files, Ollama's template, system and params files, the importance matrix "
                "(*.imatrix) with its provenance (imatrix.json) and the measured quality of each file (quality.json)",
))  # fmt: skip

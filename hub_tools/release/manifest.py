"""The release manifest: every repository a versioned release publishes, and where its files come from.

    gaokerena release plan release/gaokerena-v1.yaml

A manifest is YAML (see ``release/gaokerena-v1.yaml``)::

    namespace: gaokerena
    version: v1.0
    root: ..                                   # sources are relative to this folder (itself relative to the file)
    base_model: CohereForAI/aya-expanse-8b     # what the first stage was trained on (a Hub id)
    license: cc-by-nc-sa-4.0
    language: fa
    artifacts:
      mmlu-fa: {type: dataset, repo_id: gaokerena/MMLU-fa, source: artifacts/datasets/mmlu-fa}
      cpt-lora: {type: adapter, repo_id: gaokerena/gaokerena-v1-cpt-lora, source: artifacts/gaokerena-v1/cpt}
      model:
        type: model
        ...
        new_version: gaokerena/gaokerena-v2     # optional: the successor the Hub points visitors to
        gated: manual                           # optional: auto or manual access requests
        extra_gated_fields: {Affiliation: text, I will not use the model for diagnosis: checkbox}

Parsing is strict: an unknown key, a malformed repo id, a repo outside the namespace, a version that is not
``vMAJOR.MINOR[.PATCH]`` or a reference to an artifact that does not exist raises ``ManifestError`` naming the
offending field.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from hub_tools.publishing import artifacts as _registry


# Artifact types, the Hub repo type each is published as and what it may publish: the publishing engine's registry
# (hub_tools.publishing.artifacts); a type registered there is valid in a manifest.
ARTIFACT_TYPES = _registry.ARTIFACT_TYPES
VERSION_PATTERN = re.compile(r"^v\d+\.\d+(\.\d+)?$")
# Same rules as huggingface_hub.utils.validate_repo_id, plus the namespace being required.
REPO_ID_PATTERN = re.compile(r"^[\w.-]{1,96}/[\w.-]{1,96}$")
ARTIFACT_NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
# Files of a source folder that are never published (training checkpoints, caches, editor and VCS litter).
DEFAULT_EXCLUDE = (
    ".git/**",
    ".cache/**",
    "**/__pycache__/**",
    "*.pyc",
    "checkpoints/**",
    "checkpoint-*/**",
    "runs/**",
    ".DS_Store",
)


class ManifestError(ValueError):
    """A manifest that does not describe a valid release."""


@dataclass(frozen=True)
class Artifact:
    """One repository of the release.

    ``source`` is the local folder whose files become the repo's content. Model and adapter repos get a
    generated ``README.md`` card; dataset, results and Space repos publish the folder as it is. A Space without
    ``source`` publishes the files ``space.deploy`` renders for its ``variables`` (MODEL_ID, RESULTS_REPO, ...).
    """

    name: str
    type: str
    repo_id: str
    source: Path | None
    # adapter: the model the adapter is loaded on (defaults to the release's base_model);
    # model: the model it was fine-tuned from (defaults to the release's base_model);
    # gguf: the model its files were converted from (required; a model artifact of the release).
    base_model: str | None = None
    # model: the adapter artifacts merged into it, in training order.
    stages: tuple[str, ...] = ()
    # model: the results artifact whose files for this repo id fill the model-index.
    results: str | None = None
    # gguf: the quants `gaokerena export gguf --quant` makes for this repo (the ladder the card lists).
    quants: tuple[str, ...] = ()
    # dataset: configs to check with load_dataset (default: every config in the README's front matter).
    configs: tuple[str, ...] = ()
    # space: SDK and the Space variables set on deploy.
    sdk: str = "gradio"
    variables: dict[str, str] = field(default_factory=dict)
    private: bool = False
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    # model, adapter: the successor repo the Hub shows as the newer version (card ``new_version``).
    new_version: str | None = None
    # model, adapter: access requests ("auto" or "manual"; None: not gated), with the card's form fields.
    gated: str | None = None
    extra_gated_fields: dict[str, str] = field(default_factory=dict)
    extra_gated_prompt: str | None = None

    @property
    def repo_type(self) -> str:
        return _registry.artifact_type(self.type).repo_type


@dataclass(frozen=True)
class Manifest:
    """A parsed, validated release manifest; ``artifacts`` keeps the file's order."""

    namespace: str
    version: str
    base_model: str
    artifacts: tuple[Artifact, ...]
    license: str = "cc-by-nc-sa-4.0"
    language: str = "fa"
    title: str = "Gaokerena"
    path: Path | None = None
    root: Path = Path(".")  # the folder sources are relative to (resolved)

    def artifact(self, name: str) -> Artifact:
        for artifact in self.artifacts:
            if artifact.name == name:
                return artifact
        raise KeyError(name)

    def by_repo_id(self, repo_id: str) -> Artifact | None:
        return next((a for a in self.artifacts if a.repo_id == repo_id), None)

    def of_type(self, type_: str) -> list[Artifact]:
        return [a for a in self.artifacts if a.type == type_]


_TOP_LEVEL_KEYS = {"namespace", "version", "root", "base_model", "license", "language", "title", "artifacts"}
_ARTIFACT_KEYS = {f.name for f in dataclasses.fields(Artifact)} - {"name"}
_REQUIRED_ARTIFACT_KEYS = {"type", "repo_id"}
# Keys that only mean something for some artifact types.
_TYPE_ONLY_KEYS = {
    "base_model": {"adapter", "model", "gguf"},
    "stages": {"model"},
    "quants": {"gguf"},
    "results": {"model"},
    "configs": {"dataset"},
    "sdk": {"space"},
    "variables": {"space"},
    "new_version": {"model", "adapter"},
    "gated": {"model", "adapter"},
    "extra_gated_fields": {"model", "adapter"},
    "extra_gated_prompt": {"model", "adapter"},
}
GATING_MODES = ("auto", "manual")
# Field types the Hub's access-request form accepts (huggingface.co/docs/hub/models-gated).
GATED_FIELD_TYPES = ("text", "checkbox", "date_picker", "country")


def load_manifest(path: str | Path) -> Manifest:
    """Read and validate a manifest file; sources resolve against ``root`` (relative to the file's folder)."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ManifestError(f"{path}: not valid YAML: {error}") from error
    return parse_manifest(raw, base_dir=path.resolve().parent, path=path)


def parse_manifest(raw: Any, *, base_dir: Path, path: Path | None = None) -> Manifest:
    """Validate the mapping ``raw`` (the YAML document) into a ``Manifest``."""
    where = str(path) if path else "manifest"
    if not isinstance(raw, dict):
        raise ManifestError(f"{where}: expected a mapping at the top level, got {type(raw).__name__}")
    _reject_unknown(raw, _TOP_LEVEL_KEYS, where)
    for key in ("namespace", "version", "base_model", "artifacts"):
        if key not in raw:
            raise ManifestError(f"{where}: missing required key {key!r}")
    namespace = _string(raw["namespace"], f"{where}: namespace")
    if not re.fullmatch(r"[\w.-]{1,96}", namespace):
        raise ManifestError(f"{where}: namespace {namespace!r} is not a valid Hub user or organisation name")
    version = _string(raw["version"], f"{where}: version")
    if not VERSION_PATTERN.fullmatch(version):
        raise ManifestError(f"{where}: version {version!r} must look like v1.0 or v1.0.1")
    base_model = _repo_id(raw["base_model"], f"{where}: base_model")
    root = (base_dir / str(raw.get("root", "."))).resolve()
    if not isinstance(raw["artifacts"], dict) or not raw["artifacts"]:
        raise ManifestError(f"{where}: artifacts must be a non-empty mapping of name -> artifact")
    artifacts = tuple(
        _parse_artifact(name, spec, root=root, namespace=namespace, where=f"{where}: artifacts.{name}")
        for name, spec in raw["artifacts"].items()
    )
    manifest = Manifest(
        namespace=namespace,
        version=version,
        base_model=base_model,
        artifacts=artifacts,
        license=_string(raw.get("license", Manifest.license), f"{where}: license"),
        language=_string(raw.get("language", Manifest.language), f"{where}: language"),
        title=_string(raw.get("title", Manifest.title), f"{where}: title"),
        path=path,
        root=root,
    )
    _check_references(manifest, where)
    return manifest


def _parse_artifact(name: Any, spec: Any, *, root: Path, namespace: str, where: str) -> Artifact:
    if not isinstance(name, str) or not ARTIFACT_NAME_PATTERN.fullmatch(name):
        raise ManifestError(f"{where}: artifact names are lowercase letters, digits, '-' and '_'")
    if not isinstance(spec, dict):
        raise ManifestError(f"{where}: expected a mapping, got {type(spec).__name__}")
    _reject_unknown(spec, _ARTIFACT_KEYS, where)
    missing = _REQUIRED_ARTIFACT_KEYS - spec.keys()
    if missing:
        raise ManifestError(f"{where}: missing required key(s) {sorted(missing)}")
    type_ = spec["type"]
    if type_ not in ARTIFACT_TYPES:
        raise ManifestError(f"{where}: type {type_!r} is not one of {sorted(ARTIFACT_TYPES)}")
    if "source" not in spec and type_ != "space":
        raise ManifestError(f"{where}: missing required key(s) ['source']")
    for key, types in _TYPE_ONLY_KEYS.items():
        if key in spec and type_ not in types:
            raise ManifestError(f"{where}: key {key!r} is only valid for {sorted(types)} artifacts, not {type_!r}")
    if type_ == "gguf" and not spec.get("base_model"):
        raise ManifestError(f"{where}: a gguf artifact needs base_model: the model repo its files were converted from")
    repo_id = _repo_id(spec["repo_id"], f"{where}: repo_id")
    if repo_id.split("/")[0] != namespace:
        raise ManifestError(f"{where}: repo_id {repo_id!r} is outside the release namespace {namespace!r}")
    variables = spec.get("variables", {})
    if not isinstance(variables, dict) or not all(isinstance(k, str) for k in variables):
        raise ManifestError(f"{where}: variables must be a mapping of NAME -> value")
    if type_ == "space" and "source" not in spec and not {"MODEL_ID", "RESULTS_REPO"} <= variables.keys():
        raise ManifestError(f"{where}: a Space without source needs variables MODEL_ID and RESULTS_REPO")
    return Artifact(
        name=name,
        type=type_,
        repo_id=repo_id,
        source=(root / _string(spec["source"], f"{where}: source")).resolve() if "source" in spec else None,
        base_model=_repo_id(spec["base_model"], f"{where}: base_model") if spec.get("base_model") else None,
        stages=_string_list(spec.get("stages", []), f"{where}: stages"),
        quants=_quants(spec.get("quants", []), f"{where}: quants"),
        results=_string(spec["results"], f"{where}: results") if spec.get("results") else None,
        configs=_string_list(spec.get("configs", []), f"{where}: configs"),
        sdk=_string(spec.get("sdk", "gradio"), f"{where}: sdk"),
        variables={k: str(v) for k, v in variables.items()},
        private=bool(spec.get("private", False)),
        exclude=_string_list(spec.get("exclude", list(DEFAULT_EXCLUDE)), f"{where}: exclude"),
        new_version=_repo_id(spec["new_version"], f"{where}: new_version") if spec.get("new_version") else None,
        **_gating(spec, where),
    )


def _quants(value: Any, where: str) -> tuple[str, ...]:
    from hub_tools.export.quants import QUANT_TYPES

    quants = tuple(q.lower() for q in _string_list(value, where))
    unknown = [q for q in quants if q not in QUANT_TYPES]
    if unknown:
        raise ManifestError(f"{where}: unknown quant(s) {unknown}; choose from {', '.join(QUANT_TYPES)}")
    return quants


def _gating(spec: dict, where: str) -> dict[str, Any]:
    """``gated`` (auto/manual), ``extra_gated_fields`` (name -> a Hub form field type), ``extra_gated_prompt``."""
    gated = spec.get("gated")
    if gated is not None and gated not in GATING_MODES:
        raise ManifestError(f"{where}: gated must be one of {list(GATING_MODES)}, got {gated!r}")
    fields = spec.get("extra_gated_fields", {})
    if not isinstance(fields, dict) or not all(isinstance(k, str) and k for k in fields):
        raise ManifestError(f"{where}: extra_gated_fields must be a mapping of field label -> field type")
    for label, kind in fields.items():
        if kind not in GATED_FIELD_TYPES:
            raise ManifestError(f"{where}: extra_gated_fields.{label}: {kind!r} is not one of "
                                f"{list(GATED_FIELD_TYPES)}")  # fmt: skip
    if (fields or spec.get("extra_gated_prompt")) and gated is None:
        raise ManifestError(f"{where}: extra_gated_fields/extra_gated_prompt need gated: auto or manual")
    prompt = spec.get("extra_gated_prompt")
    return dict(gated=gated, extra_gated_fields={k: str(v) for k, v in fields.items()},
                extra_gated_prompt=_string(prompt, f"{where}: extra_gated_prompt") if prompt is not None else None)


def _check_references(manifest: Manifest, where: str) -> None:
    names = [a.name for a in manifest.artifacts]
    repo_ids = [a.repo_id for a in manifest.artifacts]
    for label, values in (("repo_id", repo_ids),):
        duplicates = sorted({v for v in values if values.count(v) > 1})
        if duplicates:
            raise ManifestError(f"{where}: {label} used by several artifacts: {duplicates}")
    for artifact in manifest.artifacts:
        for stage in artifact.stages:
            if stage not in names or manifest.artifact(stage).type != "adapter":
                raise ManifestError(f"{where}: artifacts.{artifact.name}.stages: {stage!r} is not an adapter artifact")
        results = artifact.results
        if results and (results not in names or manifest.artifact(results).type != "results"):
            raise ManifestError(
                f"{where}: artifacts.{artifact.name}.results: {artifact.results!r} is not a results artifact"
            )
        base = manifest.by_repo_id(artifact.base_model) if artifact.base_model else None
        if base is not None and base.type != "model":
            raise ManifestError(
                f"{where}: artifacts.{artifact.name}.base_model: {artifact.base_model!r} is a {base.type} in this "
                "release, not a model"
            )


def base_model_of(manifest: Manifest, artifact: Artifact) -> str:
    """The Hub id an adapter loads on / a model derives from."""
    return artifact.base_model or manifest.base_model


def _reject_unknown(mapping: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(set(mapping) - allowed)
    if unknown:
        raise ManifestError(f"{where}: unknown key(s) {unknown}; allowed: {sorted(allowed)}")


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ManifestError(f"{where}: expected a non-empty string, got {value!r}")
    return value


def _string_list(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ManifestError(f"{where}: expected a list of strings, got {value!r}")
    return tuple(value)


def _repo_id(value: Any, where: str) -> str:
    value = _string(value, where)
    if not REPO_ID_PATTERN.fullmatch(value) or ".." in value or "--" in value or value.endswith((".", "-")):
        raise ManifestError(f"{where}: {value!r} is not a valid Hub repo id (expected 'namespace/name')")
    return value

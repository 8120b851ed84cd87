"""The release manifest parses strictly: every malformed field fails with its name in the message."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from hub_tools.release.manifest import ManifestError, load_manifest, parse_manifest


REPO_ROOT = Path(__file__).resolve().parents[3]


def _minimal() -> dict:
    return {
        "namespace": "gaokerena",
        "version": "v1.0",
        "base_model": "CohereForAI/aya-expanse-8b",
        "artifacts": {
            "cpt-lora": {"type": "adapter", "repo_id": "gaokerena/cpt-lora", "source": "a"},
            "model": {"type": "model", "repo_id": "gaokerena/model", "source": "m", "stages": ["cpt-lora"]},
        },
    }


def test_the_real_release_manifest_parses():
    manifest = load_manifest(REPO_ROOT / "release" / "gaokerena-v1.yaml")
    assert (manifest.namespace, manifest.version, manifest.base_model) == (
        "gaokerena", "v1.0", "CohereForAI/aya-expanse-8b"
    )  # fmt: skip
    repos = {a.repo_id: a.type for a in manifest.artifacts}
    assert repos == {
        "gaokerena/MMLU-fa": "dataset",
        "gaokerena/IBMSEE": "dataset",
        "gaokerena/K-QA-fa": "dataset",
        "gaokerena/gaokerena-v1-MF3QA": "dataset",
        "gaokerena/gaokerena-v1-medical-corpus": "dataset",
        "gaokerena/gaokerena-v1-cpt-lora": "adapter",
        "gaokerena/gaokerena-v1-cpt": "model",
        "gaokerena/gaokerena-v1-sft-lora": "adapter",
        "gaokerena/gaokerena-v1": "model",
        "gaokerena/gaokerena-v1-GGUF": "gguf",
        "gaokerena/leaderboard-results": "results",
        "gaokerena/gaokerena-chat": "space",
    }
    assert manifest.artifact("sft-lora").base_model == "gaokerena/gaokerena-v1-cpt"
    assert manifest.artifact("cpt-lora").base_model is None  # -> the release's base_model
    assert manifest.artifact("model").stages == ("cpt-lora", "sft-lora")
    # Never the authors' existing repos: the release writes its own copies under new ids.
    assert not {"gaokerena/MF3QA", "gaokerena/medical_corpus"} & set(repos)
    assert manifest.artifact("space").repo_type == "space"
    assert manifest.artifact("space").source is None  # rendered by space.deploy from its variables
    assert manifest.artifact("space").variables == {
        "MODEL_ID": "gaokerena/gaokerena-v1", "REVISION": "v1.0", "RESULTS_REPO": "gaokerena/leaderboard-results"
    }  # fmt: skip
    assert manifest.artifact("results").repo_type == "dataset"
    assert manifest.artifact("mmlu-fa").source == (REPO_ROOT / "artifacts" / "datasets" / "mmlu-fa").resolve()


def test_sources_resolve_against_root(tmp_path):
    raw = _minimal() | {"root": "sub"}
    manifest = parse_manifest(raw, base_dir=tmp_path)
    assert manifest.artifact("model").source == (tmp_path / "sub" / "m").resolve()


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda r: r.update(typo_key=1), "unknown key(s) ['typo_key']"),
        (lambda r: r["artifacts"]["model"].update(licence="mit"), "unknown key(s) ['licence']"),
        (lambda r: r.update(version="1.0"), "version '1.0' must look like v1.0"),
        (lambda r: r.update(version="v1"), "must look like v1.0"),
        (lambda r: r.pop("base_model"), "missing required key 'base_model'"),
        (lambda r: r["artifacts"]["model"].update(repo_id="gaokerena-model"), "not a valid Hub repo id"),
        (lambda r: r["artifacts"]["model"].update(repo_id="gaokerena/bad--name"), "not a valid Hub repo id"),
        (lambda r: r["artifacts"]["model"].update(repo_id="someone/model"), "outside the release namespace"),
        (lambda r: r["artifacts"]["model"].update(type="checkpoint"), "type 'checkpoint' is not one of"),
        (lambda r: r["artifacts"]["model"].pop("source"), "missing required key(s) ['source']"),
        (lambda r: r["artifacts"]["cpt-lora"].update(stages=["model"]), "'stages' is only valid for ['model']"),
        (lambda r: r["artifacts"]["model"].update(stages=["model"]), "'model' is not an adapter artifact"),
        (lambda r: r["artifacts"]["model"].update(results="nope"), "'nope' is not a results artifact"),
        (lambda r: r["artifacts"]["cpt-lora"].update(repo_id="gaokerena/model"), "used by several artifacts"),
        (lambda r: r["artifacts"]["cpt-lora"].update(base_model="gaokerena/x y"), "not a valid Hub repo id"),
        (lambda r: r.update(artifacts={}), "non-empty mapping"),
        (lambda r: r["artifacts"].update(s={"type": "space", "repo_id": "gaokerena/s"}), "needs variables MODEL_ID"),
    ],
)
def test_invalid_manifests_fail_naming_the_field(mutate, message):
    raw = _minimal()
    mutate(raw)
    with pytest.raises(ManifestError) as error:
        parse_manifest(raw, base_dir=Path("."))
    assert message in str(error.value)


def test_an_adapter_based_on_a_dataset_of_the_release_is_refused():
    raw = _minimal()
    raw["artifacts"]["data"] = {"type": "dataset", "repo_id": "gaokerena/data", "source": "d"}
    raw["artifacts"]["cpt-lora"]["base_model"] = "gaokerena/data"
    with pytest.raises(ManifestError, match="is a dataset in this release, not a model"):
        parse_manifest(raw, base_dir=Path("."))


def test_invalid_yaml_is_a_manifest_error(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text("namespace: [unclosed\n")
    with pytest.raises(ManifestError, match="not valid YAML"):
        load_manifest(path)
    path.write_text(yaml.safe_dump(["a", "list"]))
    with pytest.raises(ManifestError, match="expected a mapping"):
        load_manifest(path)

"""Today's Hub: `.eval_results/*.yaml` read back through `HfApi.model_info`, `new_version`, gated access."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from huggingface_hub import ModelCard

from hub_tools.release import cli
from hub_tools.release.manifest import ManifestError, load_manifest


def test_the_model_repo_carries_eval_results_the_client_reads_back(release_manifest, manifest, hf_api):
    mmlu = manifest.artifact("mmlu-fa").repo_id
    for path in (manifest.artifact("results").source / "results").glob("*mmlu-fa*.json"):  # scored on this release
        document = json.loads(path.read_text())
        document["benchmark"]["dataset_id"] = mmlu
        path.write_text(json.dumps(document))
    assert cli.main(["push", str(release_manifest)]) == 0
    model = manifest.artifact("model").repo_id
    files = hf_api.list_repo_files(model, revision="v1.0")
    assert sorted(f for f in files if f.startswith(".eval_results/")) == [
        ".eval_results/ibmsee__generate.yaml", ".eval_results/mmlu-fa__generate.yaml",
        ".eval_results/mmlu-fa__loglikelihood.yaml"]  # fmt: skip
    info = hf_api.model_info(model, revision="v1.0")
    entries = {(e.dataset_id, e.task_id, e.notes): e for e in info.eval_results}
    generate = entries[(mmlu, "all", "protocol=generate")]
    assert generate.value == 40.0 and generate.dataset_revision == "v1.0" and generate.date
    assert entries[(mmlu, "all", "protocol=loglikelihood")].value == 45.0
    # The same scores as the card's model-index: both come from the result files.
    card = ModelCard.load(hf_api.hf_hub_download(model, "README.md", revision="v1.0"))
    index = {(r.dataset_type, r.dataset_config, r.metric_value) for r in card.data.eval_results}
    assert (mmlu, "all", 40.0) in index and (mmlu, "all", 45.0) in index
    # A benchmark that is not a dataset of this release keeps the revision its result recorded (none here).
    assert {e.dataset_revision for e in info.eval_results if e.dataset_id == "gaokerena/IBMSEE"} == {None}
    assert len(info.eval_results) == 3  # the released model's results only, not the other model's


def test_a_successor_and_gating_from_the_manifest(release_manifest, hf_api):
    raw = yaml.safe_load(release_manifest.read_text())
    successor = raw["artifacts"]["model"]["repo_id"] + "-v2"
    raw["artifacts"]["model"].update(new_version=successor, gated="manual",
                                     extra_gated_fields={"Affiliation": "text", "Not for diagnosis": "checkbox"},
                                     extra_gated_prompt="Gaokerena is a research model.")  # fmt: skip
    release_manifest.write_text(yaml.safe_dump(raw, sort_keys=False))
    manifest = load_manifest(release_manifest)
    assert cli.main(["push", str(release_manifest)]) == 0
    model = manifest.artifact("model").repo_id
    card = ModelCard.load(hf_api.hf_hub_download(model, "README.md", revision="v1.0"))
    assert card.data.new_version == successor
    assert card.data.extra_gated_fields == {"Affiliation": "text", "Not for diagnosis": "checkbox"}
    assert card.data.extra_gated_prompt == "Gaokerena is a research model."
    assert hf_api.model_info(model).gated == "manual"
    # The other repos are neither gated nor pointed at a successor.
    adapter = manifest.artifact("cpt-lora").repo_id
    assert hf_api.model_info(adapter).gated is False
    text = Path(hf_api.hf_hub_download(adapter, "README.md", revision="v1.0")).read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---\n", 2)[1])
    assert "new_version" not in front and "extra_gated_fields" not in front


@pytest.mark.parametrize("spec, message", [
    ({"gated": "yes"}, "gated must be one of ['auto', 'manual']"),
    ({"extra_gated_fields": {"Name": "text"}}, "need gated: auto or manual"),
    ({"gated": "auto", "extra_gated_fields": {"Name": "essay"}}, "'essay' is not one of"),
    ({"new_version": "not a repo id"}, "is not a valid Hub repo id"),
])  # fmt: skip
def test_bad_gating_or_successor_is_named(release_manifest, spec, message):
    raw = yaml.safe_load(release_manifest.read_text())
    raw["artifacts"]["model"].update(spec)
    release_manifest.write_text(json.dumps(raw))
    with pytest.raises(ManifestError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_manifest(release_manifest)

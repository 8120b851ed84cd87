"""Model and adapter cards: exact metadata keys and values, read back from the local Hub as the Hub serves them."""

from __future__ import annotations

import copy
import json
import uuid

import jinja2
import pytest
import yaml
from huggingface_hub import ModelCard, ModelCardData

from hub_tools.cards import model as cards
from tests.support.synthetic import result_document, write_training_metadata


MODEL_KEYS = {"base_model", "base_model_relation", "co2_eq_emissions", "datasets", "language", "library_name",
              "license", "model-index", "pipeline_tag", "tags"}  # fmt: skip
ADAPTER_KEYS = MODEL_KEYS - {"model-index"}


@pytest.fixture()
def stages(tmp_path):
    out = []
    for stage, data in (("cpt", "gaokerena/medical_corpus"), ("sft", "gaokerena/MF3QA")):
        folder = tmp_path / stage
        folder.mkdir()
        write_training_metadata(folder, stage=stage, base_model=f"/local/{stage}-base", dataset=data)
        out.append(cards.load_training_metadata(folder))
    return out


def _front_matter(text: str) -> dict:
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n", 2)[1])


def _model_card(stages, results=()):
    return cards.build_model_card(
        repo_id="gaokerena/gaokerena-v1",
        version="v1.0",
        base_model="CohereForAI/aya-expanse-8b",
        stages=stages,
        stage_bases=["CohereForAI/aya-expanse-8b", "gaokerena/gaokerena-v1-cpt"],
        dataset_id=lambda name: name,
        results=list(results),
        results_repo="gaokerena/leaderboard-results",
        adapter_repos=["gaokerena/gaokerena-v1-cpt-lora", "gaokerena/gaokerena-v1-sft-lora"],
    )


def test_merged_model_card_metadata_is_exact(stages):
    results = [result_document("gaokerena/gaokerena-v1", "mmlu-fa", "generate", 0.4),
               result_document("gaokerena/gaokerena-v1", "ibmsee", "loglikelihood", 0.5, config="medicine-1402-06")]
    card = _model_card(stages, results)
    front = _front_matter(str(card))
    assert set(front) == MODEL_KEYS
    assert front["language"] == ["fa"]
    assert front["license"] == "cc-by-nc-sa-4.0"
    assert front["library_name"] == "transformers"
    assert front["pipeline_tag"] == "text-generation"
    assert front["base_model"] == "CohereForAI/aya-expanse-8b"
    assert front["base_model_relation"] == "finetune"
    assert front["datasets"] == ["gaokerena/medical_corpus", "gaokerena/MF3QA"]
    assert front["co2_eq_emissions"] == {"emissions": 0.03, "source": "codecarbon", "training_type": "fine-tuning",
                                         "geographical_location": "Iran", "hardware_used": "CPU"}  # fmt: skip
    index = front["model-index"]
    assert [entry["name"] for entry in index] == ["gaokerena/gaokerena-v1"]
    scores = {(r["dataset"]["type"], r["dataset"]["config"], m["name"]): m["value"]
              for r in index[0]["results"] for m in r["metrics"]}  # fmt: skip
    assert scores[("gaokerena/MMLU-fa", "all", "accuracy (generate)")] == pytest.approx(40.0)
    assert scores[("gaokerena/IBMSEE", "medicine-1402-06", "accuracy (loglikelihood)")] == pytest.approx(50.0)
    body = card.text
    for needle in ("apply_chat_template", "CC BY-NC 4.0", "Acceptable Use Policy", "arXiv:2505.16000",
                   "Ghassabi", "medical disclaimer", "این مدل یک دستاورد پژوهشی است", "| learning_rate | 0.0001 |",
                   "### Stage 2: instruction tuning", "Trained from `gaokerena/gaokerena-v1-cpt`."):  # fmt: skip
        assert needle in body, needle
    assert "/local/" not in str(card)  # local paths never reach a card


def test_a_model_without_results_has_no_model_index(stages):
    assert set(_front_matter(str(_model_card(stages)))) == MODEL_KEYS - {"model-index"}
    assert "no evaluation results in this release" in _model_card(stages).text


def test_adapter_card_metadata_is_exact(stages):
    card = cards.build_adapter_card(
        repo_id="gaokerena/gaokerena-v1-sft-lora", version="v1.0", base_model="gaokerena/gaokerena-v1-cpt",
        stage=stages[1], stage_index=2, dataset_id=lambda n: n, merged_repo="gaokerena/gaokerena-v1",
        root_model="CohereForAI/aya-expanse-8b",
    )  # fmt: skip
    front = _front_matter(str(card))
    assert set(front) == ADAPTER_KEYS
    assert (front["library_name"], front["base_model"], front["base_model_relation"]) == (
        "peft", "gaokerena/gaokerena-v1-cpt", "adapter"
    )  # fmt: skip
    assert front["tags"] == ["medical", "persian", "gaokerena", "aya-expanse", "lora", "sft"]
    co2 = front["co2_eq_emissions"]
    assert co2["emissions"] == 0.02 and co2["training_type"] == "fine-tuning"
    assert 'PeftModel.from_pretrained(base, "gaokerena/gaokerena-v1-sft-lora", revision="v1.0")' in card.text
    assert "rather than" not in card.text  # the real base: no rehearsal note


def test_a_stand_in_base_model_is_named_honestly(stages):
    card = cards.build_adapter_card(
        repo_id="gaokerena/gaokerena-v1-cpt-lora", version="v1.0", base_model="gaokerena/tiny-aya-rehearsal",
        stage=stages[0], stage_index=1, dataset_id=lambda n: n,
    )  # fmt: skip
    assert _front_matter(str(card))["base_model"] == "gaokerena/tiny-aya-rehearsal"
    assert "trained from `gaokerena/tiny-aya-rehearsal` rather than `CohereForAI/aya-expanse-8b`" in card.text


def test_missing_inputs_fail_instead_of_rendering_blanks(stages, tmp_path):
    with pytest.raises(jinja2.UndefinedError):
        cards._render("adapter_card.md", ModelCardData(), {})
    broken = copy.deepcopy(stages[0])
    del broken["co2_eq_emissions"]["hardware_used"]
    with pytest.raises(cards.CardError, match="hardware_used"):
        cards.build_adapter_card(repo_id="gaokerena/x", version="v1.0", base_model="a/b", stage=broken,
                                 stage_index=1, dataset_id=lambda n: n)  # fmt: skip
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "training_metadata.json").write_text(json.dumps({"stage": "cpt"}))
    with pytest.raises(cards.CardError, match="lacks"):
        cards.load_training_metadata(tmp_path / "bad")


def test_cards_read_back_from_the_local_hub(stages, hf_api):
    results = [result_document("gaokerena/gaokerena-v1", "mmlu-fa", "generate", 0.4)]
    for card, keys in ((_model_card(stages, results), MODEL_KEYS),
                       (cards.build_adapter_card(repo_id="gaokerena/a", version="v1.0", base_model="a/b",
                                                 stage=stages[0], stage_index=1, dataset_id=lambda n: n),
                        ADAPTER_KEYS)):  # fmt: skip
        repo_id = f"tester/card-{uuid.uuid4().hex[:8]}"
        hf_api.create_repo(repo_id)
        hf_api.upload_file(path_or_fileobj=str(card).encode(), path_in_repo="README.md", repo_id=repo_id)
        loaded = ModelCard.load(repo_id)
        front = _front_matter(loaded.content)
        assert set(front) == keys
        assert front == _front_matter(str(card))
        assert loaded.data.to_dict() == card.data.to_dict()
        assert hf_api.model_info(repo_id).card_data is not None


@pytest.mark.parametrize("missing", ["block", "figure"])
def test_cards_build_when_emissions_or_other_figures_were_not_measured(stages, missing):
    """codecarbon failed or tracking was off: "not measured" in the text, no co2_eq_emissions in the metadata."""
    unmeasured = copy.deepcopy(stages)
    if missing == "block":
        unmeasured[1]["co2_eq_emissions"] = None
    else:
        unmeasured[1]["co2_eq_emissions"]["emissions"] = None
    unmeasured[1]["train_loss"] = unmeasured[1]["wall_time_s"] = unmeasured[1]["tokens_seen"] = None
    model = _model_card(unmeasured)
    adapter = cards.build_adapter_card(repo_id="gaokerena/a", version="v1.0", base_model="a/b", stage=unmeasured[1],
                                       stage_index=2, dataset_id=lambda n: n)  # fmt: skip
    # The model's sum over both stages would understate: left out, like the unmeasured adapter's.
    assert set(_front_matter(str(model))) == MODEL_KEYS - {"co2_eq_emissions", "model-index"}
    assert set(_front_matter(str(adapter))) == ADAPTER_KEYS - {"co2_eq_emissions"}
    for card in (model, adapter):
        assert "CO₂ emissions not measured" in card.text
        assert "not measured tokens seen; final training loss not measured" in card.text
        assert "Wall time not measured" in card.text
        assert "None" not in card.text
    assert "0.01 g CO₂eq" in model.text  # the measured stage still shows its figure
    measured = cards.build_adapter_card(repo_id="gaokerena/a", version="v1.0", base_model="a/b", stage=stages[0],
                                        stage_index=1, dataset_id=lambda n: n)  # fmt: skip
    assert _front_matter(str(measured))["co2_eq_emissions"]["emissions"] == 0.01


def test_cards_report_the_loss_before_and_after_each_stage(stages):
    cpt, sft = copy.deepcopy(stages)
    cpt.update(eval_loss_before=5.6, eval_loss=5.32, eval_loss_reduction=0.05)
    sft.pop("eval_loss_before", None)  # an older run that did not measure it
    text = str(_model_card([cpt, sft]))
    assert "Learning: held-out corpus loss before → after training: 5.600 → 5.320 (−5.0%)." in text
    assert "Learning: answer-only loss on the dev split before → after training: not measured." in text
    adapter = cards.build_adapter_card(repo_id="gaokerena/gaokerena-v1-cpt-lora", version="v1.0",
                                       base_model="CohereForAI/aya-expanse-8b", stage=cpt, stage_index=1,
                                       dataset_id=lambda name: name)  # fmt: skip
    assert "5.600 → 5.320 (−5.0%)" in str(adapter)

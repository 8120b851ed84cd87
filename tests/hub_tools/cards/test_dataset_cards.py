"""Dataset cards: the exact metadata keys and values, numbers from the build report, strict templates."""

from __future__ import annotations

import pytest
from huggingface_hub import DatasetCard

from hub_tools.cards.dataset import CardSpecError, load_card_spec, render_dataset_card, size_category
from hub_tools.data.builders import BuildOptions, default_sources, get_builder
from hub_tools.data.report import BuildReport

COMMON_KEYS = {
    "language", "license", "pretty_name", "task_categories", "task_ids", "multilinguality", "size_categories",
    "source_datasets", "tags", "configs", "dataset_info",
}  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("card-builds")
    out = {}
    for name in ("mmlu-fa", "ibmsee", "kqa-fa"):
        report = get_builder(name).build(default_sources(name), root / name, BuildOptions())
        out[name] = (root / name, report)
    return out


def _meta(folder):
    return DatasetCard.load(folder / "README.md").data.to_dict()


def test_mmlu_fa_card_metadata(built):
    folder, report = built["mmlu-fa"]
    meta = _meta(folder)
    assert set(meta) == COMMON_KEYS
    assert meta["language"] == ["fa"] and meta["license"] == "cc-by-nc-sa-4.0"
    assert meta["pretty_name"] == "MMLU-fa"
    assert meta["task_categories"] == ["question-answering", "multiple-choice"]
    assert meta["task_ids"] == ["multiple-choice-qa"]
    assert meta["source_datasets"] == ["cais/mmlu"]
    assert meta["size_categories"] == ["n<1K"]
    configs = {c["config_name"]: c for c in meta["configs"]}
    assert list(configs)[0] == "all" and configs["all"]["default"] is True
    assert set(configs) == set(report.outputs)
    for name, config in configs.items():
        assert config["data_files"] == [{"split": "test", "path": f"{name}/test-00000-of-00001.parquet"}]
    infos = {i["config_name"]: i for i in meta["dataset_info"]}
    assert infos["all"]["splits"][0]["num_examples"] == 15
    assert infos["anatomy"]["splits"][0]["num_examples"] == 3
    assert [f["name"] for f in infos["all"]["features"]] == ["id", "question", "choices", "answer", "subject"]
    assert infos["all"]["download_size"] == (folder / "all" / "test-00000-of-00001.parquet").stat().st_size


def test_ibmsee_card_metadata(built):
    folder, _ = built["ibmsee"]
    meta = _meta(folder)
    assert set(meta) == COMMON_KEYS | {"pass_mark"}
    assert meta["pass_mark"] == 0.36
    assert meta["source_datasets"] == ["original"]
    assert meta["configs"] == [
        {
            "config_name": "medicine-1402-06",
            "data_files": [{"split": "test", "path": "medicine-1402-06/test-00000-of-00001.parquet"}],
            "default": True,
        }
    ]
    body = (folder / "README.md").read_text(encoding="utf-8")
    assert "13 four-option questions" in body and "36.0%" in body and "(5 correct answers; source: Gaokerena paper" in body


def test_kqa_fa_card_metadata(built):
    folder, report = built["kqa-fa"]
    meta = _meta(folder)
    assert set(meta) == COMMON_KEYS
    assert meta["task_categories"] == ["question-answering", "text-generation"]
    assert meta["source_datasets"] == ["Itaymanes/K-QA"]
    (info,) = meta["dataset_info"]
    assert info["config_name"] == "default" and info["splits"][0]["num_examples"] == 9
    body = (folder / "README.md").read_text(encoding="utf-8")
    stats = report.to_dict()["stats"]
    assert f"({stats['statements']['must_have']} must-have statements" in body
    assert "9 kept, 1 dropped" in body.replace("\n", " ")


@pytest.mark.parametrize("name", ["mmlu-fa", "ibmsee", "kqa-fa"])
def test_card_prose(built, name):
    folder, report = built[name]
    body = (folder / "README.md").read_text(encoding="utf-8")
    assert "CC BY-NC-SA 4.0" in body and "arXiv:2505.16000" in body and "Ghassabi" in body
    assert "## Citation" in body and "@article{ghassabi2025gaokerena" in body
    totals = report.to_dict()["totals"]
    assert f"{totals['read']} rows read" in body
    if name != "ibmsee":
        assert "MIT licence" in body  # the originals' licences named in prose


def test_render_from_memory_matches_metadata(built):
    import datasets

    folder, report = built["kqa-fa"]
    ds = datasets.load_dataset(str(folder), "default")
    card = render_dataset_card("kqa-fa", (BuildReport.load(folder), {"default": ds}), repo_id="someone/kqa")
    meta = card.data.to_dict()
    assert meta["configs"] == _meta(folder)["configs"]
    assert "someone/kqa" in card.text


def test_missing_number_fails_the_card(built):
    folder, _ = built["kqa-fa"]
    report = BuildReport.load(folder)
    del report.stats["statements"]
    with pytest.raises(CardSpecError, match="statements"):
        render_dataset_card("kqa-fa", (report, {}))


def test_spec_checks_and_size_categories():
    with pytest.raises(CardSpecError):
        load_card_spec("no-such-dataset")
    assert set(load_card_spec("mmlu-fa")) >= {"pretty_name", "repo_id", "summary", "license"}
    assert size_category(999) == "n<1K" and size_category(1089) == "1K<n<10K" and size_category(20_000) == "10K<n<100K"


def test_the_card_quotes_the_sealed_redaction_figures_named_so(built):
    import datasets

    folder, _ = built["kqa-fa"]
    ds = datasets.load_dataset(str(folder), "default")
    report = BuildReport.load(folder)
    assert report.stats["redaction_quality"]["status"] in ("measured", "not measured yet")
    report.stats["redaction_quality"] = {"status": "not measured yet", "pool_writers": ["dev-2026-11"]}
    text = render_dataset_card("kqa-fa", (report, {"default": ds})).text
    expected = "The redaction's SEALED figures (on text written by people who never saw the rules): not measured yet."
    assert expected in text
    assert "99.5" not in text
    report.stats["redaction_quality"] = {
        "status": "measured", "pool_writers": [], "batches": 2,
        "sealed": {"items": 300, "items_without_personal_data": 140, "labelled_spans": 180, "recall": 0.96,
                   "recall_interval": [0.92, 0.98], "names_recall": 0.93, "precision": 0.99, "negatives_changed": 2},
    }
    text = render_dataset_card("kqa-fa", (report, {"default": ds})).text
    assert "The redaction's SEALED figures (2 sealed batches, 300 texts" in text
    assert "recall 96.0% (95% CI 92.0-98.0%)" in text and "names 93.0%" in text
    assert "negatives changed 2 of 140" in text

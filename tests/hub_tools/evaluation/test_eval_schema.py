"""The result schema: round trip, validation errors naming file and field, file names, Hub exports."""

from __future__ import annotations

import json

import pytest
import yaml

from hub_tools.evaluation.mc import score_records
from hub_tools.evaluation.schema import (
    BenchmarkInfo,
    ModelInfo,
    Result,
    ResultValidationError,
    eval_results_yaml_filename,
    load_result,
    result_filename,
    to_eval_result_entries,
    to_eval_results,
    to_hub_eval_results_yaml,
)


def make_result(**overrides) -> Result:
    records = []
    pairs = [("A", "A"), ("B", "C"), ("C", "C"), ("D", "invalid"), ("A", "A"), ("B", "B")]
    for i, (gold, pred) in enumerate(pairs):
        records.append({"id": f"anatomy-{i + 1:04d}" if i < 4 else f"medical_genetics-{i + 1:04d}",
                        "subset": "anatomy" if i < 4 else "medical_genetics", "gold": gold, "prediction": pred,
                        "correct": gold == pred, "raw_output": f"پاسخ {pred}"})  # fmt: skip
    metrics, subsets = score_records(records)
    fields = dict(
        model=ModelInfo(id="gaokerena/gaokerena-v1.0", display_name="Gaokerena-V1", type="fine-tuned"),
        benchmark=BenchmarkInfo(name="mmlu-fa", dataset_id="gaokerena/MMLU-fa", config="all"),
        protocol="generate",
        metrics=metrics,
        subsets=subsets,
        records=records,
        config={"batch_size": 4},
        versions={"python": "3.11"},
    )
    fields.update(overrides)
    return Result(**fields)


def test_round_trip_and_file_name(tmp_path):
    result = make_result()
    path = result.save(tmp_path)
    assert path.name == "gaokerena--gaokerena-v1.0__mmlu-fa__generate.json" == result_filename(result)
    loaded = load_result(path)
    assert loaded == result
    assert loaded.to_dict() == json.loads(path.read_text(encoding="utf-8"))
    # the numbers the schema promises
    m = loaded.metrics
    assert (m["n"], m["correct"], m["invalid"]) == (6, 4, 1)
    assert m["accuracy"] == pytest.approx(4 / 6) == m["acc,none"]
    assert m["acc_stderr,none"] == pytest.approx((4 / 6 * 2 / 6 * 6 / 5) ** 0.5 / 6**0.5)
    assert 0 <= m["ci95"][0] <= m["accuracy"] <= m["ci95"][1] <= 1
    assert loaded.subsets["anatomy"]["n"] == 4 and loaded.subsets["anatomy"]["invalid"] == 1
    # unknown top-level keys survive a round trip (the schema may only be extended by adding keys)
    data = result.to_dict() | {"notes": "kept"}
    path.write_text(json.dumps(data), encoding="utf-8")
    assert load_result(path).to_dict()["notes"] == "kept"


def test_ibmsee_keeps_its_pass_mark(tmp_path):
    result = make_result(benchmark=BenchmarkInfo(name="ibmsee", dataset_id="gaokerena/IBMSEE", config="sept2023",
                                                 pass_mark=0.36))  # fmt: skip
    assert load_result(result.save(tmp_path)).benchmark.pass_mark == 0.36
    assert "pass_mark" not in make_result().to_dict()["benchmark"]


def test_an_ibmsee_sitting_without_a_known_pass_mark_records_none(tmp_path):
    from hub_tools.evaluation.schema import ibmsee_pass_mark

    result = make_result(benchmark=BenchmarkInfo(name="ibmsee", dataset_id="gaokerena/IBMSEE",
                                                 config="dentistry-1400-12", pass_mark=None))  # fmt: skip
    saved = result.save(tmp_path)
    assert json.loads(saved.read_text(encoding="utf-8"))["benchmark"]["pass_mark"] is None
    assert load_result(saved).benchmark.pass_mark is None
    assert (ibmsee_pass_mark("medicine-1402-06"), ibmsee_pass_mark("dentistry-1400-12"), ibmsee_pass_mark("all")) == (
        0.36, None, None)


def test_a_non_default_config_is_named_in_the_file_name(tmp_path):
    """Two sittings of one model never overwrite each other's file."""
    names = {result_filename(make_result(benchmark=BenchmarkInfo(name="ibmsee", dataset_id="gaokerena/IBMSEE",
                                                                 config=config, pass_mark=None)))  # fmt: skip
             for config in ("medicine-1402-06", "dentistry-1400-12", "all")}
    assert names == {"gaokerena--gaokerena-v1.0__ibmsee__generate.json",
                     "gaokerena--gaokerena-v1.0__ibmsee-dentistry-1400-12__generate.json",
                     "gaokerena--gaokerena-v1.0__ibmsee-all__generate.json"}  # fmt: skip


def test_kqa_modes_are_protocols_with_their_norm_metrics(tmp_path):
    metrics = {"n": 3, **{k: 0.5 for k in ("Comp", "Comp_norm", "Hall", "Hall_norm")},
               **{f"{k}_ci95": [0.1, 0.9] for k in ("Comp", "Comp_norm", "Hall", "Hall_norm")}}  # fmt: skip
    bench = BenchmarkInfo(name="kqa-fa", dataset_id="gaokerena/K-QA-fa", config="default")
    for mode in ("kqa", "kqa-3way"):
        result = make_result(benchmark=bench, protocol=mode, metrics=metrics, subsets={}, records=[])
        assert load_result(result.save(tmp_path)).protocol == mode
    broken = make_result(benchmark=bench, protocol="kqa", subsets={}, records=[],
                         metrics={k: v for k, v in metrics.items() if k != "Comp_norm"})  # fmt: skip
    with pytest.raises(ResultValidationError, match="metrics.Comp_norm"):
        broken.validate()


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d.pop("metrics"), "metrics"),
        (lambda d: d["model"].pop("id"), "model.id"),
        (lambda d: d["model"].update(type="finetuned"), "model.type"),
        (lambda d: d["benchmark"].update(name="mmlu"), "benchmark.name"),
        (lambda d: d.update(protocol="pairwise"), "protocol"),
        (lambda d: d["metrics"].update(accuracy=1.5), "metrics.accuracy"),
        (lambda d: d["metrics"].update(correct=5), "metrics.accuracy"),
        (lambda d: d["metrics"].update(ci95=[0.9, 0.1]), "metrics.ci95"),
        (lambda d: d["subsets"]["anatomy"].pop("n"), "subsets.anatomy.n"),
        (lambda d: d["records"][1].update(prediction="E"), "records[1].prediction"),
        (lambda d: d["records"][0].update(correct=False), "records[0].correct"),
        (lambda d: d["records"][2].pop("raw_output"), "records[2].raw_output"),
        (lambda d: d.update(created_at="yesterday"), "created_at"),
        (lambda d: d.update(source="somewhere"), "source"),
        (lambda d: d.update(schema_version=2), "schema_version"),
    ],
)
def test_validation_errors_name_file_and_field(tmp_path, mutate, field):
    data = make_result().to_dict()
    mutate(data)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ResultValidationError) as info:
        load_result(path)
    assert info.value.field == field
    assert str(path) in str(info.value) and repr(field) in str(info.value)


def test_unreadable_files(tmp_path):
    with pytest.raises(ResultValidationError, match="no such result file"):
        load_result(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ResultValidationError, match="not valid JSON"):
        load_result(bad)


def test_save_refuses_an_invalid_result(tmp_path):
    result = make_result()
    result.metrics["n"] = "six"
    with pytest.raises(ResultValidationError, match="metrics.n"):
        result.save(tmp_path)
    assert not list(tmp_path.iterdir())


def test_to_eval_results_for_model_cards():
    from huggingface_hub import ModelCard, ModelCardData

    result = make_result()
    entries = to_eval_results(result)
    overall, *subjects = entries
    assert overall.task_type == "multiple-choice"
    assert overall.dataset_type == "gaokerena/MMLU-fa" and overall.dataset_config == "all"
    assert overall.dataset_split == "test" and overall.metric_type == "accuracy"
    assert overall.metric_value == 66.67  # percent, 2 decimals
    assert [(e.dataset_config, e.metric_value) for e in subjects] == [("anatomy", 50.0), ("medical_genetics", 100.0)]
    # the entries survive the card's YAML (model-index) round trip
    card = ModelCard(f"---\n{ModelCardData(model_name='Gaokerena-V1', eval_results=entries).to_yaml()}\n---\n")
    assert [e.metric_value for e in card.data.eval_results] == [66.67, 50.0, 100.0]


def test_paper_imports_carry_their_source():
    result = make_result(source="paper import")
    entry = to_eval_results(result)[0]
    assert entry.source_url == "https://arxiv.org/abs/2505.16000" and "paper" in entry.source_name


def test_hub_eval_results_yaml():
    from huggingface_hub import parse_eval_result_entries

    result = make_result(source="paper import")
    text = to_hub_eval_results_yaml(result)
    data = yaml.safe_load(text)
    assert data[0]["dataset"] == {"id": "gaokerena/MMLU-fa", "task_id": "all"}
    assert data[0]["value"] == 66.67
    parsed = parse_eval_result_entries(data)
    assert parsed == to_eval_result_entries(result)
    assert [p.task_id for p in parsed] == ["all", "anatomy", "medical_genetics"]
    assert eval_results_yaml_filename(result) == ".eval_results/mmlu-fa__generate.yaml"


def test_kqa_results_validate_their_own_metrics(tmp_path):
    metrics = {"n": 2, "win_rate": 0.75, "win_rate_ci95": [0.5, 1.0], "wins": 1, "ties": 1, "losses": 0,
               "unparseable": 0}  # fmt: skip
    result = make_result(
        benchmark=BenchmarkInfo(name="kqa-fa", dataset_id="gaokerena/K-QA-fa", config="default"),
        protocol="pairwise", metrics=metrics, subsets={},
        records=[{"id": "kqa-001", "raw_output": "پاسخ", "outcome": "win"}],
    )  # fmt: skip
    assert load_result(result.save(tmp_path)) == result
    assert to_eval_results(result)[0].task_type == "text-generation"
    assert to_eval_results(result)[0].metric_value == 75.0
    bad = result.to_dict()
    del bad["metrics"]["win_rate_ci95"]
    with pytest.raises(ResultValidationError, match="win_rate_ci95"):
        Result.from_dict(bad)

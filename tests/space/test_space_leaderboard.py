"""space.leaderboard: result files (SCHEMAS §3) -> scores, the displayed table, the chart and the records CSV."""

from __future__ import annotations

import ast
import csv
import json
import math
import time
from pathlib import Path

import pytest
from resultfiles import result_json, standard_results, write_results

from space import leaderboard as lb


@pytest.fixture()
def loaded(tmp_path):
    return lb.load_results(write_results(tmp_path / "results", standard_results()))


def test_parses_every_file(loaded):
    assert len(loaded.results) == 7 and loaded.errors == []
    gao = next(r for r in loaded.results if r.model.id == "gaokerena/gaokerena-v1.0" and r.benchmark == "ibmsee")
    assert gao.pass_mark == 0.36 and gao.protocol == "generate" and gao.model.type == "fine-tuned"


def test_table_columns_carry_the_protocol_and_intervals(loaded):
    table = lb.leaderboard_table(lb.scores_frame(loaded.results), "generate", hub_url="https://hub.example")
    subjects = [f"{label} (generate)" for _, label in lb.MMLU_SUBJECTS]
    assert list(table.columns[:3]) == ["Model", "Type", "Revision"]
    assert lb.score_headers(table) == subjects + [
        "MMLU-fa avg (generate)", "IBMSEE (generate)", "K-QA-fa comprehensiveness (kqa-metrics)",
        "K-QA-fa hallucination (kqa-metrics)",
    ]  # fmt: skip
    assert "MMLU-fa avg (generate) 95% CI" in table.columns and "IBMSEE pass (≥36%)" in table.columns
    first = table.iloc[0]
    assert first["Model"] == "[Gaokerena](https://hub.example/gaokerena/gaokerena-v1.0)"
    assert first["MMLU-fa avg (generate)"] == 48.0 and first["MMLU-fa avg (generate) 95% CI"] == "45.0–51.0"
    assert first["Anatomy (generate)"] == 43.0  # from the "all" file's subsets
    assert list(table["Model"])[2] == "MedMobile + translator"  # not a Hub id: no link
    assert list(table["Type"]) == ["fine-tuned", "base", "translation-pipeline"]


def test_ibmsee_pass_and_fail_against_the_pass_mark(loaded):
    table = lb.leaderboard_table(lb.scores_frame(loaded.results), "generate")
    passes = dict(zip(table["Type"], table["IBMSEE pass (≥36%)"]))
    assert passes["fine-tuned"].startswith("pass") and passes["base"].startswith("fail")
    assert isinstance(passes["translation-pipeline"], float) and math.isnan(passes["translation-pipeline"])


def test_the_protocol_selector_switches_the_multiple_choice_columns(loaded):
    scores = lb.scores_frame(loaded.results)
    assert lb.mc_protocols(scores) == ["generate", "loglikelihood"]
    table = lb.leaderboard_table(scores, "loglikelihood")
    assert "MMLU-fa avg (loglikelihood)" in table.columns and "MMLU-fa avg (generate)" not in table.columns
    assert table.iloc[0]["MMLU-fa avg (loglikelihood)"] == 52.0
    assert "K-QA-fa comprehensiveness (kqa-metrics)" in table.columns  # K-QA keeps its own protocol


def test_search_filter_sort_and_column_groups(loaded):
    scores = lb.scores_frame(loaded.results)
    assert list(lb.leaderboard_table(scores, search="AYA")["Type"]) == ["base"]
    assert len(lb.leaderboard_table(scores, search="aya; medmobile")) == 2
    kept = lb.leaderboard_table(scores, types=["base", "translation-pipeline"])
    assert list(kept["Type"]) == ["base", "translation-pipeline"]
    ascending = lb.leaderboard_table(scores, sort_by="MMLU-fa avg (generate)", descending=False)
    assert list(ascending["MMLU-fa avg (generate)"]) == [30.0, 44.0, 48.0]
    by_ibmsee = lb.leaderboard_table(scores, sort_by="IBMSEE (generate)")
    assert list(by_ibmsee["Type"]) == ["fine-tuned", "base", "translation-pipeline"]  # missing values last
    by_name = lb.leaderboard_table(scores, sort_by="Model", descending=False)
    assert list(by_name["Type"]) == ["base", "fine-tuned", "translation-pipeline"]
    narrow = lb.leaderboard_table(scores, groups=["MMLU-fa avg"], show_ci=False)
    assert list(narrow.columns) == ["Model", "Type", "Revision", "MMLU-fa avg (generate)"]


def test_newest_file_wins_and_malformed_files_are_skipped(tmp_path):
    old = result_json("a/model", accuracy=0.40, created_at="2025-01-01T00:00:00Z")
    new = result_json("a/model", accuracy=0.45, created_at="2025-02-01T00:00:00Z")
    folder = tmp_path / "results"
    paths = write_results(folder / "old", [old]) + write_results(folder / "new", [new])
    (folder / "broken.json").write_text("{not json")
    (folder / "v2.json").write_text(json.dumps({**old, "schema_version": 2}))
    (folder / "nomodel.json").write_text(json.dumps({k: v for k, v in old.items() if k != "model"}))
    loaded = lb.load_results(paths + sorted(folder.glob("*.json")))
    assert len(loaded.results) == 2
    assert sorted(name for name, _ in loaded.errors) == ["broken.json", "nomodel.json", "v2.json"]
    table = lb.leaderboard_table(lb.scores_frame(loaded.results))
    assert list(table["MMLU-fa avg (generate)"]) == [45.0]


def test_per_subject_files_fill_subject_columns(tmp_path):
    only_anatomy = result_json("a/model", accuracy=0.7, config="anatomy")
    only_anatomy["subsets"] = {}
    loaded = lb.load_results(write_results(tmp_path, [only_anatomy]))
    table = lb.leaderboard_table(lb.scores_frame(loaded.results), show_ci=False)
    assert list(table.columns) == ["Model", "Type", "Revision", "Anatomy (generate)"]
    assert table.iloc[0]["Anatomy (generate)"] == 70.0


def test_empty_results_give_an_empty_table():
    table = lb.leaderboard_table(lb.scores_frame([]))
    assert table.empty and list(table.columns) == ["Model", "Type", "Revision"]
    assert "No scores" in lb.bar_chart_svg(lb.scores_frame([]), None)


def test_bar_chart_has_a_bar_and_an_error_bar_per_model(loaded):
    scores = lb.scores_frame(loaded.results)
    svg = lb.bar_chart_svg(scores, "MMLU-fa avg (generate)")
    assert svg.startswith("<svg") and svg.count("class='lb-bar'") == 3 and svg.count("lb-errorbar") == 3
    keys = sorted(set(scores.loc[scores["type"] == "base", "model_key"]))
    assert lb.bar_chart_svg(scores, "MMLU-fa avg (generate)", keys).count("class='lb-bar'") == 1


def test_records_csv(loaded, tmp_path):
    out = tmp_path / "records.csv"
    assert lb.write_records_csv(loaded.results, out) == 7 * 4
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0]) == list(lb.RECORD_FIELDS)
    assert {r["prediction"] for r in rows} >= {"invalid"} and rows[0]["raw_output"].startswith("پاسخ")
    only = [r.model.key for r in loaded.results if r.model.type == "base"][:1]
    assert lb.write_records_csv(loaded.results, out, only) == 2 * 4


def test_500_result_files_load_quickly(tmp_path):
    results = [result_json(f"org/model-{i:03d}", bench, "generate", 0.3 + (i % 50) / 100, n_records=50)
               for i in range(250) for bench in ("mmlu-fa", "ibmsee")]
    paths = write_results(tmp_path / "results", results)
    assert len(paths) == 500
    start = time.perf_counter()
    table = lb.leaderboard_table(lb.scores_frame(lb.load_results(paths).results))
    elapsed = time.perf_counter() - start
    assert len(table) == 250
    assert elapsed < 5.0, f"500 files took {elapsed:.2f}s"


def test_the_parser_does_not_import_hub_tools():
    """The Space runs standalone on the Hub: space/ must not import the release toolkit (deploy.py, never uploaded
    to the Space, publishes through the toolkit's engine)."""
    for path in Path(lb.__file__).parent.glob("*.py"):
        if path.name == "deploy.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.split(".")[0] in {"hub_tools", "training"} for n in names), (path.name, names)

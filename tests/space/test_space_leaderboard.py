"""space.leaderboard: result files written by `gaokerena eval`'s own code -> scores, the table, the chart, CSVs."""

from __future__ import annotations

import csv
import json
import math

import pytest
from resultfiles import make_result, result_json, standard_results, write_results

from space import leaderboard as lb


RELEASE = {"gaokerena/gaokerena-v1.0"}


@pytest.fixture()
def loaded(tmp_path):
    return lb.load_results(write_results(tmp_path / "results", standard_results()))


@pytest.fixture()
def scores(loaded):
    return lb.scores_frame(loaded.results, release_ids=RELEASE)


def test_parses_every_file(loaded):
    assert len(loaded.results) == 8 and loaded.errors == []
    gao = next(r for r in loaded.results if r.model.id == "gaokerena/gaokerena-v1.0" and r.benchmark == "ibmsee")
    assert gao.pass_mark == 0.36 and gao.protocol == "generate" and gao.model.type == "fine-tuned"


def test_table_columns_carry_protocol_source_n_and_exact_intervals(scores):
    table = lb.leaderboard_table(scores, "generate", hub_url="https://hub.example")
    subjects = [f"{label} (generate)" for _, label in lb.MMLU_SUBJECTS]
    assert list(table.columns[:4]) == ["Model", "Type", "Source", "Revision"]
    assert lb.score_headers(table) == subjects + [
        "MMLU-fa avg (generate)", "IBMSEE medicine-1402-06 (generate)", "K-QA-fa Comp (kqa-metrics)",
        "K-QA-fa Hall (contradicted statements per answer) (kqa-metrics) ↓",  # lower is better, and says so
        "K-QA-fa answers with a contradiction (kqa-metrics) ↓",
    ]  # fmt: skip
    assert list(table.columns[-3:]) == ["MMLU-fa n", "IBMSEE n", "K-QA-fa n"]
    first = table.iloc[0]
    assert first["Model"].startswith("[Gaokerena](http") and first["Model"].endswith("/gaokerena/gaokerena-v1.0)")
    assert first["Source"] == "this release" and first["MMLU-fa n"] == 600 and first["IBMSEE n"] == 168
    assert first["MMLU-fa avg (generate)"] == 48.0
    lo, hi = lb.wilson_interval(288, 600)
    assert first["MMLU-fa avg (generate) 95% CI"] == f"{100 * lo:.1f}–{100 * hi:.1f}" == "44.0–52.0"
    assert first["Anatomy (generate)"] == 43.0  # from the "all" file's subsets
    assert dict(zip(table["Type"], table["Source"])) == {
        "fine-tuned": "this release", "base": "paper re-score", "translation-pipeline": "other", "general": "other",
    }  # fmt: skip
    assert list(table["Model"])[2] == "MedMobile + translator"  # not a Hub id: no link


def test_wilson_gives_zero_of_eight_a_real_interval():
    lo, hi = lb.wilson_interval(0, 8)
    assert lo == 0.0 and hi == pytest.approx(0.3244, abs=1e-4)
    lo, hi = lb.wilson_interval(8, 8)
    assert hi == 1.0 and lo == pytest.approx(1 - 0.3244, abs=1e-4)
    lo, hi = lb.wilson_interval(50, 100)
    assert (lo, hi) == pytest.approx((0.4038, 0.5962), abs=1e-4)


def test_pass_only_when_the_lower_bound_clears_the_pass_mark(scores):
    table = lb.leaderboard_table(scores, "generate")
    verdicts = dict(zip(table["Type"], table["IBMSEE medicine-1402-06 pass (≥36%)"]))
    assert verdicts["fine-tuned"] == "pass ✅"  # 47% of 168: lower bound 39.6% > 36%
    assert verdicts["base"] == "fail ❌"  # 25% of 168: upper bound below 36%
    assert isinstance(verdicts["translation-pipeline"], float) and math.isnan(verdicts["translation-pipeline"])
    assert lb.pass_verdict(*[100 * v for v in lb.wilson_interval(4, 8)], 0.36) == "uncertain ❔"  # 50% of 8


def test_rows_under_the_minimum_n_are_hidden_unless_asked_for(scores):
    shown = lb.leaderboard_table(scores, "generate", min_n=lb.DEFAULT_MIN_N)
    assert "Gibberish" not in " ".join(shown["Model"]) and len(shown) == 3
    everything = lb.leaderboard_table(scores, "generate", min_n=0)
    row = everything[everything["Model"].str.contains("Gibberish")].iloc[0]
    # not "pass" on 8 questions
    assert row["IBMSEE n"] == 8 and row["IBMSEE medicine-1402-06 pass (≥36%)"] == "uncertain ❔"
    assert lb.small_model_keys(scores, 30) == {"someone/gibberish||"}


def test_the_protocol_selector_switches_the_multiple_choice_columns(scores):
    assert lb.mc_protocols(scores) == ["generate", "loglikelihood"]
    table = lb.leaderboard_table(scores, "loglikelihood")
    assert "MMLU-fa avg (loglikelihood)" in table.columns and "MMLU-fa avg (generate)" not in table.columns
    assert table.iloc[0]["MMLU-fa avg (loglikelihood)"] == 52.0
    assert "K-QA-fa Comp (kqa-metrics)" in table.columns  # K-QA keeps its own protocol


def test_search_filter_sort_and_column_groups(scores):
    assert list(lb.leaderboard_table(scores, search="AYA")["Type"]) == ["base"]
    assert len(lb.leaderboard_table(scores, search="aya; medmobile")) == 2
    # The columns do not depend on the search, so Sort and Chart keep their column while one types.
    assert list(lb.leaderboard_table(scores, search="medmobile").columns) == list(lb.leaderboard_table(scores).columns)
    assert lb.leaderboard_table(scores, search="no such model").empty
    kept = lb.leaderboard_table(scores, types=["base", "translation-pipeline"])
    assert list(kept["Type"]) == ["base", "translation-pipeline"]
    ascending = lb.leaderboard_table(scores, sort_by="MMLU-fa avg (generate)", descending=False, min_n=30)
    assert list(ascending["MMLU-fa avg (generate)"]) == [30.0, 44.0, 48.0]
    by_ibmsee = lb.leaderboard_table(scores, sort_by="IBMSEE medicine-1402-06 (generate)", min_n=30)
    assert list(by_ibmsee["Type"]) == ["fine-tuned", "base", "translation-pipeline"]  # missing values last
    by_name = lb.leaderboard_table(scores, sort_by="Model", descending=False, min_n=30)
    assert list(by_name["Type"]) == ["base", "fine-tuned", "translation-pipeline"]
    narrow = lb.leaderboard_table(scores, groups=["MMLU-fa avg"], show_ci=False)
    assert list(narrow.columns) == ["Model", "Type", "Source", "Revision", "MMLU-fa avg (generate)", "MMLU-fa n"]


def test_a_lower_is_better_column_sorts_best_first(tmp_path):
    results = [make_result(f"org/m{i}", "kqa-fa", "kqa-metrics", kqa={"Comp": 0.5, "Hall": hall,
                                                                        "answers_with_contradiction_share": share})
               for i, (hall, share) in enumerate(((1.25, 0.3), (0.5, 0.1), (0.75, 0.2)))]
    scores = lb.scores_frame(lb.load_results(write_results(tmp_path, results)).results)
    share = "K-QA-fa answers with a contradiction (kqa-metrics) ↓"
    table = lb.leaderboard_table(scores, sort_by=share)
    assert list(table[share]) == [10.0, 20.0, 30.0]
    hall = "K-QA-fa Hall (contradicted statements per answer) (kqa-metrics) ↓"
    table = lb.leaderboard_table(scores, sort_by=hall)
    assert list(table[hall]) == [0.5, 0.75, 1.25]  # K-QA's Hall is a mean count per answer, not a percent
    assert "1.25" in lb.bar_chart_svg(scores, hall) or "1.3" in lb.bar_chart_svg(scores, hall)


def test_a_kqa_file_written_before_comp_and_hall_fills_the_matching_columns(tmp_path):
    legacy = make_result("org/old", "kqa-fa", "kqa-metrics", kqa={"comprehensiveness": 0.5, "hallucination_rate": 0.2})
    scores = lb.scores_frame(lb.load_results(write_results(tmp_path, [legacy])).results)
    table = lb.leaderboard_table(scores, min_n=0)
    assert table["K-QA-fa Comp (kqa-metrics)"].tolist() == [50.0]
    assert table["K-QA-fa answers with a contradiction (kqa-metrics) ↓"].tolist() == [20.0]
    assert "K-QA-fa Hall (contradicted statements per answer) (kqa-metrics) ↓" not in table.columns


def test_newest_file_wins_and_malformed_files_are_skipped_with_the_field_named(tmp_path):
    old = result_json("a/model", accuracy=0.40, created_at="2025-01-01T00:00:00Z")
    new = result_json("a/model", accuracy=0.45, created_at="2025-02-01T00:00:00Z")
    folder = tmp_path / "results"
    paths = write_results(folder / "old", [old]) + write_results(folder / "new", [new])
    (folder / "broken.json").write_text("{not json")
    (folder / "v2.json").write_text(json.dumps({**old, "schema_version": 2}))
    (folder / "nomodel.json").write_text(json.dumps({k: v for k, v in old.items() if k != "model"}))
    (folder / "badn.json").write_text(json.dumps({**old, "metrics": {**old["metrics"], "correct": 10**6}}))
    loaded = lb.load_results(paths + sorted(folder.glob("*.json")))
    assert len(loaded.results) == 2
    errors = dict(loaded.errors)
    assert sorted(errors) == ["badn.json", "broken.json", "nomodel.json", "v2.json"]
    assert "field 'model'" in errors["nomodel.json"] and "schema_version" in errors["v2.json"]
    table = lb.leaderboard_table(lb.scores_frame(loaded.results))
    assert list(table["MMLU-fa avg (generate)"]) == [45.0]


def test_per_subject_files_fill_subject_columns(tmp_path):
    only_anatomy = make_result("a/model", accuracy=0.7, config="anatomy", n=100)
    loaded = lb.load_results(write_results(tmp_path, [only_anatomy]))
    table = lb.leaderboard_table(lb.scores_frame(loaded.results), show_ci=False)
    assert "Anatomy (generate)" in table.columns and table.iloc[0]["Anatomy (generate)"] == 70.0


def test_empty_results_give_an_empty_table():
    table = lb.leaderboard_table(lb.scores_frame([]))
    assert table.empty and list(table.columns) == ["Model", "Type", "Source", "Revision"]
    assert "No scores" in lb.bar_chart_svg(lb.scores_frame([]), None)


def test_bar_chart_has_a_bar_and_an_error_bar_per_model(scores):
    svg = lb.bar_chart_svg(scores, "MMLU-fa avg (generate)")
    assert svg.startswith("<svg") and svg.count("class='lb-bar'") == 3 and svg.count("lb-errorbar") == 3
    keys = sorted(set(scores.loc[scores["type"] == "base", "model_key"]))
    assert lb.bar_chart_svg(scores, "MMLU-fa avg (generate)", keys).count("class='lb-bar'") == 1


def test_records_csv_is_utf8_with_a_bom(loaded, tmp_path):
    out = tmp_path / "records.csv"
    total = sum(len(json.loads(open(r.path, encoding="utf-8").read())["records"]) for r in loaded.results)
    assert lb.write_records_csv(loaded.results, out) == total
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert list(rows[0]) == list(lb.RECORD_FIELDS)
    assert {r["prediction"] for r in rows} >= {"invalid"} and rows[0]["raw_output"].startswith("پاسخ")
    only = [r.model.key for r in loaded.results if r.model.type == "base"][:1]
    assert lb.write_records_csv(loaded.results, out, only) == 600 + 168


def test_table_csv_is_the_visible_table_with_a_bom(scores, tmp_path):
    table = lb.leaderboard_table(scores, search="aya", links=False)
    out = tmp_path / "table.csv"
    assert lb.write_table_csv(table, out) == 1
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert rows[0]["Model"] == "aya-expanse-8b" and rows[0]["Source"] == "paper re-score"


def test_500_result_files_load_quickly(tmp_path):
    results = [make_result(f"org/model-{i:03d}", bench, "generate", 0.3 + (i % 50) / 100, n=48)
               for i in range(250) for bench in ("mmlu-fa", "ibmsee")]
    paths = write_results(tmp_path / "results", results)
    assert len(paths) == 500
    table = lb.leaderboard_table(lb.scores_frame(lb.load_results(paths).results))
    assert len(table) == 250


def test_the_space_imports_only_the_shipped_parts_of_hub_tools():
    """The Space runs standalone on the Hub: of the toolkit it imports only what `space deploy` ships."""
    import ast
    from pathlib import Path

    from hub_tools.space_repo import SHIPPED_MODULES

    for path in Path(lb.__file__).parent.glob("*.py"):
        if path.name == "deploy.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [f"{node.module}.{a.name}" for a in node.names] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                if name.split(".")[0] in {"hub_tools", "training"}:
                    assert any(name == m or name.startswith(m + ".") for m in SHIPPED_MODULES), (path.name, name)


def test_each_ibmsee_sitting_has_its_column_and_only_a_sitting_with_a_known_pass_mark_a_verdict(tmp_path):
    """A model scored on two sittings and on "all" shows each; "all" and the sitting without a pass mark get none."""
    results = [
        make_result("org/m", "ibmsee", "generate", 0.6, config="medicine-1402-06", n=100),
        make_result("org/m", "ibmsee", "generate", 0.2, config="dentistry-1401-12", n=100,
                    created_at="2025-07-01T00:00:00Z"),
        make_result("org/m", "ibmsee", "generate", 0.4, config="all", n=200, created_at="2025-08-01T00:00:00Z"),
    ]
    loaded = lb.load_results(write_results(tmp_path, results))
    assert {r.config: r.pass_mark for r in loaded.results} == {
        "medicine-1402-06": 0.36, "dentistry-1401-12": None, "all": None}
    table = lb.leaderboard_table(lb.scores_frame(loaded.results), show_ci=False)
    assert lb.score_headers(table) == ["IBMSEE dentistry-1401-12 (generate)", "IBMSEE medicine-1402-06 (generate)",
                                       "IBMSEE all (generate)"]  # fmt: skip
    row = table.iloc[0]
    assert (row["IBMSEE medicine-1402-06 (generate)"], row["IBMSEE dentistry-1401-12 (generate)"],
            row["IBMSEE all (generate)"]) == (60.0, 20.0, 40.0)  # fmt: skip
    passes = [c for c in table.columns if " pass (" in c]
    assert passes == ["IBMSEE medicine-1402-06 pass (≥36%)"] and row[passes[0]] == "pass ✅"


def test_small_n_intervals_have_their_real_width_and_are_marked(tmp_path):
    """Three K-QA answers that all scored 0 do not give "0.0–0.0"; every interval on fewer than 30 questions is
    marked with its n."""
    tiny = make_result("org/k", "kqa-fa", "kqa", n=3, kqa={"Comp": 0.0, "Comp_norm": 0.0, "Hall": 0.0,
                                                          "Hall_norm": 0.0})  # fmt: skip
    tiny.metrics.update({f"{k}_ci95": [0.0, 0.0] for k in ("Comp", "Comp_norm", "Hall", "Hall_norm")})
    few = make_result("org/k", "ibmsee", "generate", 0.5, n=8)
    scores = lb.scores_frame(lb.load_results(write_results(tmp_path, [tiny, few])).results)
    table = lb.leaderboard_table(scores, min_n=0)
    row = table.iloc[0]
    lo, hi = lb.wilson_interval(0, 3)
    assert row["K-QA-fa Comp (kqa) 95% CI"] == f"0.0–{100 * hi:.1f} ⚠ n=3" == "0.0–56.1 ⚠ n=3"
    assert row["K-QA-fa Hall (contradicted statements per answer) (kqa) ↓ 95% CI"] == "0.00–1.22 ⚠ n=3"
    assert row["IBMSEE medicine-1402-06 (generate) 95% CI"].endswith("⚠ n=8")
    big = lb.leaderboard_table(lb.scores_frame(lb.load_results(write_results(tmp_path / "big", [
        make_result("org/b", "ibmsee", "generate", 0.5, n=168)])).results))  # fmt: skip
    assert "⚠" not in big.iloc[0]["IBMSEE medicine-1402-06 (generate) 95% CI"]


def test_kqa_modes_get_separate_columns_never_ranked_together(tmp_path):
    results = [
        make_result("org/a", "kqa-fa", "kqa", kqa={"Comp": 0.4, "Comp_norm": 0.5, "Hall": 0.2, "Hall_norm": 0.25}),
        make_result("org/b", "kqa-fa", "kqa-3way", kqa={"Comp": 0.7, "Comp_norm": 0.7, "Hall": 0.1,
                                                        "Hall_norm": 0.1}),  # fmt: skip
    ]
    scores = lb.scores_frame(lb.load_results(write_results(tmp_path, results)).results)
    table = lb.leaderboard_table(scores, sort_by="K-QA-fa Comp (kqa)")
    assert {"K-QA-fa Comp (kqa)", "K-QA-fa Comp (kqa-3way)", "K-QA-fa Comp_norm (kqa)"} <= set(table.columns)
    ranked = table.dropna(subset=["K-QA-fa Comp (kqa)"])
    assert list(ranked["K-QA-fa Comp (kqa)"]) == [40.0] and len(ranked) == 1

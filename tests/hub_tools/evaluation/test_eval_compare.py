"""compare (paired difference, bootstrap CI, exact McNemar) and the statistics helpers."""

from __future__ import annotations

import json
from math import comb

import pytest

from hub_tools.evaluation import stats
from hub_tools.evaluation.cli import main
from hub_tools.evaluation.compare import CompareError, compare_results
from hub_tools.evaluation.mc import score_records
from hub_tools.evaluation.schema import BenchmarkInfo, ModelInfo, Result


def result_from(outcomes: dict[str, bool], model_id: str, benchmark: str = "mmlu-fa") -> Result:
    records = [{"id": qid, "subset": "anatomy", "gold": "A", "prediction": "A" if ok else "B", "correct": ok,
                "raw_output": ""} for qid, ok in outcomes.items()]  # fmt: skip
    metrics, subsets = score_records(records, resamples=100)
    return Result(
        model=ModelInfo(id=model_id, display_name=model_id.split("/")[-1], type="general"),
        benchmark=BenchmarkInfo(name=benchmark, dataset_id="gaokerena/MMLU-fa", config="anatomy",
                                pass_mark=0.36 if benchmark == "ibmsee" else None),  # fmt: skip
        protocol="generate", metrics=metrics, subsets=subsets, records=records,
    )  # fmt: skip


def two_results():
    # 30 shared questions: both right 8, only A 9, only B 3, both wrong 10; plus ids only one side has
    kinds = [(True, True)] * 8 + [(True, False)] * 9 + [(False, True)] * 3 + [(False, False)] * 10
    a = {f"anatomy-{i:04d}": ka for i, (ka, _) in enumerate(kinds)} | {"only-in-a": True}
    b = {f"anatomy-{i:04d}": kb for i, (_, kb) in enumerate(kinds)} | {"only-in-b": False, "other": True}
    return result_from(a, "org/model-a"), result_from(b, "org/model-b")


def test_known_discordant_counts_give_the_exact_mcnemar_p():
    a, b = two_results()
    c = compare_results(a, b, resamples=500, seed=1)
    assert c["n_common"] == 30 and c["a"]["n_total"] == 31 and c["b"]["n_total"] == 32
    assert c["contingency"] == {"both_correct": 8, "only_a_correct": 9, "only_b_correct": 3, "both_wrong": 10}
    expected = 2 * sum(comb(12, k) for k in range(0, 4)) / 2**12  # two-sided binomial, 3 of 12 discordant
    assert c["mcnemar_exact_p"] == pytest.approx(expected, rel=1e-12)
    assert c["difference"] == pytest.approx(17 / 30 - 11 / 30)
    lo, hi = c["difference_ci95"]
    assert lo <= c["difference"] <= hi
    assert compare_results(a, b, resamples=500, seed=1) == c  # seeded


def test_mcnemar_edge_cases():
    assert stats.mcnemar_exact(0, 0) == 1.0
    assert stats.mcnemar_exact(5, 5) == 1.0
    assert stats.mcnemar_exact(15, 5) == pytest.approx(0.04138946533203125)
    assert stats.mcnemar_exact(10, 0) == pytest.approx(2 / 2**10)
    with pytest.raises(ValueError):
        stats.mcnemar_exact(-1, 2)


def test_no_overlap_and_mismatched_benchmarks_are_errors():
    a = result_from({"x-1": True}, "org/a")
    with pytest.raises(CompareError, match="no question id in common"):
        compare_results(a, result_from({"y-1": True}, "org/b"))
    with pytest.raises(CompareError, match="different benchmarks"):
        compare_results(a, result_from({"x-1": True}, "org/b", benchmark="ibmsee"))


def test_cli_table_and_json(tmp_path, capsys):
    a, b = two_results()
    pa, pb = a.save(tmp_path), b.save(tmp_path)
    assert main(["compare", str(pa), str(pb), "--resamples", "300"]) == 0
    table = capsys.readouterr().out
    assert "30 questions in common" in table and "McNemar exact p" in table and "+20.00 points" in table
    assert main(["compare", str(pa), str(pb), "--json", "--resamples", "300", "--seed", "3"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["n_common"] == 30 and data["seed"] == 3 and data["a"]["file"] == str(pa)
    other = result_from({"zzz": True}, "org/c").save(tmp_path)
    assert main(["compare", str(pa), str(other)]) == 1
    assert "no question id in common" in capsys.readouterr().err


def test_bootstrap_and_stderr():
    values = [1.0] * 30 + [0.0] * 70
    lo, hi = stats.bootstrap_ci(values, resamples=2000, seed=0)
    assert lo < 0.3 < hi and 0.19 < lo and hi < 0.41
    assert stats.bootstrap_ci(values, seed=5) == stats.bootstrap_ci(values, seed=5)
    assert stats.bootstrap_ci([]) == [0.0, 0.0]
    assert stats.bootstrap_ci([1.0, 1.0]) == [1.0, 1.0]
    # lm-eval's acc_stderr: sample std (n-1) / sqrt(n)
    assert stats.mean_stderr(values) == pytest.approx((0.3 * 0.7 * 100 / 99) ** 0.5 / 10)
    assert stats.mean_stderr([1.0]) == 0.0

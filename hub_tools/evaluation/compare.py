"""Paired comparison of two multiple-choice results on the questions they share.

    gaokerena eval compare A.json B.json [--resamples 2000] [--seed 0] [--json]

Accuracy difference A - B on the common question ids, a paired bootstrap interval of it (questions resampled
jointly), and McNemar's exact test (two-sided binomial on the discordant pairs: b = A right/B wrong,
c = A wrong/B right).
"""

from __future__ import annotations

from . import stats
from .schema import MC_PROTOCOLS, Result, ResultValidationError, load_result


class CompareError(ValueError):
    pass


def compare_results(a: Result, b: Result, *, resamples: int = 2000, seed: int = 0,
                    a_name: str = "A", b_name: str = "B") -> dict:  # fmt: skip
    for name, result in ((a_name, a), (b_name, b)):
        if result.protocol not in MC_PROTOCOLS:
            raise CompareError(f"{name}: compare needs multiple-choice results, got protocol {result.protocol!r}")
    if a.benchmark.name != b.benchmark.name:
        raise CompareError(f"the results are on different benchmarks: {a.benchmark.name} vs {b.benchmark.name}")
    right_a = {r["id"]: bool(r["correct"]) for r in a.records}
    right_b = {r["id"]: bool(r["correct"]) for r in b.records}
    common = [qid for qid in right_a if qid in right_b]
    if not common:
        raise CompareError(
            f"no question id in common ({a_name} has {len(right_a)} ids, e.g. {list(right_a)[:2]}; "
            f"{b_name} has {len(right_b)}, e.g. {list(right_b)[:2]})"
        )
    xa = [float(right_a[q]) for q in common]
    xb = [float(right_b[q]) for q in common]
    both = sum(1 for p, q in zip(xa, xb) if p and q)
    only_a = sum(1 for p, q in zip(xa, xb) if p and not q)
    only_b = sum(1 for p, q in zip(xa, xb) if q and not p)
    neither = len(common) - both - only_a - only_b
    n = len(common)
    acc_a, acc_b = sum(xa) / n, sum(xb) / n
    return {
        "a": {"model": a.model.id, "display_name": a.model.display_name, "protocol": a.protocol, "accuracy": acc_a,
              "n_total": len(right_a)},
        "b": {"model": b.model.id, "display_name": b.model.display_name, "protocol": b.protocol, "accuracy": acc_b,
              "n_total": len(right_b)},
        "benchmark": a.benchmark.name,
        "n_common": n,
        "difference": acc_a - acc_b,
        "difference_ci95": stats.paired_bootstrap_ci(xa, xb, resamples=resamples, seed=seed),
        "contingency": {"both_correct": both, "only_a_correct": only_a, "only_b_correct": only_b,
                        "both_wrong": neither},
        "mcnemar_exact_p": stats.mcnemar_exact(only_a, only_b),
        "resamples": resamples,
        "seed": seed,
    }  # fmt: skip


def compare_files(path_a: str, path_b: str, *, resamples: int = 2000, seed: int = 0) -> dict:
    a, b = load_result(path_a), load_result(path_b)
    out = compare_results(a, b, resamples=resamples, seed=seed, a_name=str(path_a), b_name=str(path_b))
    out["a"]["file"], out["b"]["file"] = str(path_a), str(path_b)
    return out


def format_comparison(c: dict) -> str:
    a, b = c["a"], c["b"]
    lo, hi = c["difference_ci95"]
    t = c["contingency"]
    width = max(len(a["display_name"]), len(b["display_name"]), 5)
    lines = [
        f"benchmark {c['benchmark']}: {c['n_common']} questions in common "
        f"(A has {a['n_total']}, B has {b['n_total']})",
        "",
        f"  {'':<3}{'model':<{width}}  {'protocol':<13}  accuracy (common questions)",
        f"  {'A':<3}{a['display_name']:<{width}}  {a['protocol']:<13}  {100 * a['accuracy']:6.2f}%",
        f"  {'B':<3}{b['display_name']:<{width}}  {b['protocol']:<13}  {100 * b['accuracy']:6.2f}%",
        "",
        f"  difference A - B   {100 * c['difference']:+6.2f} points   95% CI [{100 * lo:+.2f}, {100 * hi:+.2f}] "
        f"(paired bootstrap, {c['resamples']} resamples, seed {c['seed']})",
        f"  both right {t['both_correct']}   only A right {t['only_a_correct']}   "
        f"only B right {t['only_b_correct']}   both wrong {t['both_wrong']}",
        f"  McNemar exact p = {c['mcnemar_exact_p']:.4g}",
    ]
    return "\n".join(lines)


__all__ = ["CompareError", "compare_results", "compare_files", "format_comparison", "ResultValidationError"]

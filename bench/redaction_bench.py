"""The redaction's blind protocol: recall per kind, precision and negatives changed on the labelled pool and on
sealed batches, with 95% Wilson intervals, and the throughput on one core next to a baseline of the same run.

    python bench/redaction_bench.py                                   # the pool and the throughput
    python bench/redaction_bench.py --sealed /path/batch-1.txt /path/batch-2.txt \\
        --write hub_tools/data/redaction_sealed.json                  # + the sealed figures the cards quote

- **pool**: ``tests/hub_tools/data/redaction_pool/`` (one file per writer; the rules were tuned on it, so its
  figures are an upper bound).
- **sealed**: files in the pool's format (one text a line, secrets marked ``⟦kind:text⟧``, unmarked lines are
  negatives) written after the last rule change by writers who never saw the rules. Only these figures are quoted
  by the dataset cards, the build report and the README, read from the JSON ``--write`` produces
  (``hub_tools/data/redaction_sealed.json``, packaged); until it holds a measurement they say "not measured yet".
- **throughput**: :func:`~hub_tools.data.redact.redact_personal_data` on every question and answer of the MF3QA
  crawls (``--shared``) and the pool, CPU time of this single process (one core), next to
  :func:`~hub_tools.data.normalize.normalize_persian` on the same strings (the baseline, same run). The
  requirement is >= 3,000 strings/s.

``--write`` stores the sealed and pool figures with the machine, its load, the date and the commit; written to the
packaged file, it also rewrites the README's ``<!-- redaction-sealed -->`` line from it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
POOL = ROOT / "tests" / "hub_tools" / "data" / "redaction_pool"
REQUIRED_STRINGS_PER_S = 3000
SUMMARY_KEYS = (
    "items", "items_with_personal_data", "items_without_personal_data", "labelled_spans", "redacted_spans",
    "recall", "recall_interval", "names_recall", "names_recall_interval", "recall_same_kind", "precision",
    "false_alarm_rate", "negatives_changed", "false_alarm_interval", "recall_by_kind", "spans_by_kind",
)


def summary(figures: dict) -> dict:
    return {key: figures[key] for key in SUMMARY_KEYS if key in figures}


def print_figures(name: str, figures: dict) -> None:
    lo, hi = figures["recall_interval"]
    print(f"{name}: {figures['items']} texts ({figures['items_with_personal_data']} with {figures['labelled_spans']} "
          f"secrets, {figures['items_without_personal_data']} negatives)")
    print(f"  recall {figures['recall']:.3f} (95% CI {lo:.3f}-{hi:.3f}); precision {figures['precision']:.3f}; "
          f"negatives changed {figures['negatives_changed']}/{figures['items_without_personal_data']} "
          f"({figures['false_alarm_rate']:.2%}, CI {figures['false_alarm_interval'][0]:.2%}-"
          f"{figures['false_alarm_interval'][1]:.2%})")
    for kind, recall in figures["recall_by_kind"].items():
        n = figures["spans_by_kind"][kind]
        from hub_tools.data.redaction_eval import wilson

        lo, hi = wilson(round(recall * n), n)
        print(f"  {kind:14s} {recall:.3f} of {n:4d} (CI {lo:.3f}-{hi:.3f})")


PACKAGED = ROOT / "hub_tools" / "data" / "redaction_sealed.json"
README = ROOT / "README.md"
_README_BLOCK = re.compile(r"<!-- redaction-sealed -->.*?<!-- /redaction-sealed -->", re.DOTALL)


def readme_block() -> str:
    """The README's marked line, from the packaged sealed figures (what the cards and reports quote too)."""
    from hub_tools.data.redaction_eval import sealed_sentence
    from hub_tools.data.report import redaction_quality

    return f"<!-- redaction-sealed -->**Now: {sealed_sentence(redaction_quality())}.**<!-- /redaction-sealed -->"


def refresh_readme(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    if not _README_BLOCK.search(text):
        raise SystemExit(f"redaction_bench: {path} has no <!-- redaction-sealed --> block")
    path.write_text(_README_BLOCK.sub(lambda _: readme_block(), text), encoding="utf-8")
    print(f"refreshed the sealed figures in {path}", file=sys.stderr)


def machine() -> dict:
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                check=True).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        commit = None
    return {"machine": f"{platform.node()} {platform.machine()} {platform.processor() or ''}".strip(),
            "cpus": os.cpu_count(), "python": platform.python_version(), "load": load,
            "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "commit": commit}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    from data_bench import DEFAULT_SHARED, bench_redact

    from hub_tools.data.redaction_eval import evaluate, load_pool, pool_figures

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sealed", type=Path, nargs="+", default=[], help="sealed batches (the pool's format)")
    parser.add_argument("--write", type=Path, help="write the figures here (hub_tools/data/redaction_sealed.json)")
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared data (MF3QA crawls)")
    parser.add_argument("--no-speed", action="store_true", help="skip the throughput measurement")
    args = parser.parse_args(argv)
    try:
        pool = pool_figures([POOL])
        sealed_pool = load_pool(args.sealed) if args.sealed else {}
    except (OSError, ValueError) as error:
        print(f"redaction_bench: {error}", file=sys.stderr)
        return 2
    print_figures(f"pool ({', '.join(pool['writers'])})", pool)
    sealed = None
    if sealed_pool:
        sealed = summary(evaluate([item for items in sealed_pool.values() for item in items]))
        sealed["batches"] = {name: summary(evaluate(items)) for name, items in sealed_pool.items()}
        print_figures(f"SEALED ({', '.join(sealed_pool)})", sealed)
    speed = None
    if not args.no_speed:
        results: list[dict] = []
        bench_redact(args.shared, results)
        speed = results[0]
        verdict = "meets" if speed["strings_per_s"] >= REQUIRED_STRINGS_PER_S else "BELOW"
        print(f"throughput: {speed['strings_per_s']:,} strings/s on one core ({verdict} the "
              f"{REQUIRED_STRINGS_PER_S:,} required); baseline normalize_persian ×{speed['ratio_to_normalize']}")
    if args.write:
        record = {"status": "measured" if sealed else "not measured yet", "sealed": sealed,
                  "sealed_files": [str(p) for p in args.sealed], "pool": summary(pool),
                  "pool_writers": list(pool["writers"]), "throughput": speed, **machine()}  # fmt: skip
        args.write.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"written to {args.write}", file=sys.stderr)
        if args.write.resolve() == PACKAGED.resolve():
            refresh_readme(README)
    return 0


if __name__ == "__main__":
    sys.exit(main())

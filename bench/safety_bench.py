"""The emergency (red-flag) net: in-pool and sealed recall and false alarms with Wilson intervals, and throughput.

    python bench/safety_bench.py [--sealed FILE ...] [--write PATH] [--min-seconds 3]

- **In-pool**: every writer's file in ``tests/space/data/red_flags/`` and all of them together. The rules were
  written, and the model trained, with the pool in view: these figures are optimistic. The cross-validated figure
  stored with the model (``space/train_red_flag_model.py``: trained on the other writers, measured on one) is the
  honest in-pool one and is printed too.
- **Sealed** (``--sealed``): batches written blind, after the last change to the detector, in the pool's format
  (``CATEGORY<TAB>MESSAGE``, ``-`` for a non-emergency, ``# writer: NAME`` optional; see
  :mod:`space.safety_pool`). Measure them before anything from them goes into the pool.
- Recall counts an emergency as caught when any notice shows (it always gives 115); the share that also gets its
  own category is printed beside it. Intervals are Wilson 95% intervals; when nothing is missed the "rule of
  three" upper bound on the miss rate (3/n) is printed as well.
- **Throughput** on one core (this process's CPU time; the wall-clock rate is printed beside it, since on a shared
  machine it also counts other processes' turns): ``detect_red_flags`` over the pool's messages for
  ``--min-seconds``, against a
  baseline measured in the same run over the same messages: folding alone (``space.safety.fold``, the least any
  detector must do). Rules alone are timed too.

``--write PATH`` stores the figures as JSON (machine, load, date, commit, counts, intervals). The About tab reads
``space/safety_figures.json``: after a sealed measurement, ``--write space/safety_figures.json`` is all it takes.
A later ``--write`` to the same file without ``--sealed`` keeps the sealed block it finds there (with the commit
and date it was measured at) and says so.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from space import safety  # noqa: E402
from space.leaderboard import wilson_interval  # noqa: E402
from space.safety_pool import Counts, Labelled, count, detect_all, read_files, read_pool  # noqa: E402


POOL = ROOT / "tests" / "space" / "data" / "red_flags"


def figures(counts: Counts) -> dict:
    """Counts, rates and Wilson 95% intervals (plus the 3/n bound when nothing is missed)."""
    recall_ci = wilson_interval(counts.caught, counts.emergencies)
    alarm_ci = wilson_interval(counts.false_alarms, counts.non_emergencies)
    result = {
        "emergencies": counts.emergencies, "caught": counts.caught, "right_category": counts.right_category,
        "recall": counts.recall, "recall_ci95": list(recall_ci),
        "non_emergencies": counts.non_emergencies, "false_alarms": counts.false_alarms,
        "false_alarm_rate": counts.false_alarm_rate, "false_alarm_ci95": list(alarm_ci),
    }  # fmt: skip
    if counts.emergencies and counts.caught == counts.emergencies:
        result["miss_rate_upper_3_over_n"] = 3 / counts.emergencies
    if counts.non_emergencies and counts.false_alarms == 0:
        result["false_alarm_upper_3_over_n"] = 3 / counts.non_emergencies
    return result


def measure(rows: list[Labelled]) -> dict:
    """Figures for all of ``rows`` and for each writer."""
    flags = detect_all(rows, safety.detect_red_flags)
    writers = sorted({row.writer for row in rows})
    per_writer = {}
    for writer in writers:
        picked = [(row, found) for row, found in zip(rows, flags, strict=True) if row.writer == writer]
        per_writer[writer] = figures(count([r for r, _ in picked], [f for _, f in picked]))
    return {"messages": len(rows), "writers": writers, **figures(count(rows, flags)), "per_writer": per_writer}


def _percent(value: float) -> str:
    return f"{100 * value:.1f}%"


def describe(name: str, block: dict) -> str:
    lo, hi = block["recall_ci95"]
    a_lo, a_hi = block["false_alarm_ci95"]
    line = (f"{name:24s} recall {block['caught']}/{block['emergencies']} = {_percent(block['recall'])} "
            f"(95% CI {_percent(lo)}-{_percent(hi)}; right category {block['right_category']}); "
            f"false alarms {block['false_alarms']}/{block['non_emergencies']} = {_percent(block['false_alarm_rate'])} "
            f"(95% CI {_percent(a_lo)}-{_percent(a_hi)})")  # fmt: skip
    if "miss_rate_upper_3_over_n" in block:
        line += f"; nothing missed: miss rate below {_percent(block['miss_rate_upper_3_over_n'])} (3/n)"
    return line


def _rate(function, messages: list[str], min_seconds: float) -> tuple[float, float]:
    """(per CPU second, per wall second) of ``function`` over ``messages``, repeated for at least ``min_seconds``
    of CPU time. This process's CPU time is what one core gives it; on a shared machine the wall clock also
    counts the time other processes had the core."""
    done, cpu_start, wall_start = 0, time.process_time(), time.perf_counter()
    while True:
        for message in messages:
            function(message)
        done += len(messages)
        cpu = time.process_time() - cpu_start
        if cpu >= min_seconds:
            return done / cpu, done / (time.perf_counter() - wall_start)


def throughput(messages: list[str], min_seconds: float) -> dict:
    """One core: the detector, rules alone, and the folding baseline, interleaved twice (best of two each)."""
    runs: dict[str, list[tuple[float, float]]] = {"detector": [], "rules": [], "baseline_fold": []}
    functions = {"detector": safety.detect_red_flags, "rules": lambda m: safety.detect_red_flags(m, model=None),
                 "baseline_fold": safety.fold}  # fmt: skip
    for _ in range(2):
        for name, function in functions.items():
            runs[name].append(_rate(function, messages, min_seconds / 2))
    best = {name: max(rates) for name, rates in runs.items()}
    return {"clock": "CPU time of this process (one core)", "messages_per_s": best["detector"][0],
            "messages_per_wall_s": best["detector"][1], "rules_messages_per_s": best["rules"][0],
            "baseline_fold_messages_per_s": best["baseline_fold"][0],
            "ratio_to_fold": best["detector"][0] / best["baseline_fold"][0],
            "mean_chars": sum(map(len, messages)) / len(messages)}  # fmt: skip


def machine() -> dict:
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True,
                                check=True).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        commit = None
    return {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "commit": commit,
            "machine": platform.platform(), "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(), "load_average": list(os.getloadavg()),
            "python": platform.python_version()}  # fmt: skip


def model_cross_validation() -> dict | None:
    """The leave-one-writer-out figures stored with the model (None without a model)."""
    if not safety.MODEL_FILE.exists():
        return None
    import numpy as np

    with np.load(safety.MODEL_FILE, allow_pickle=False) as arrays:
        meta = json.loads(str(arrays["meta"]))
    cv = meta["cross_validation"]["rules_or_model"]
    counts = Counts(cv["emergencies"], cv["caught"], cv["caught"], cv["non_emergencies"], cv["false_alarms"])
    block = figures(counts)
    del block["right_category"]
    return {"method": meta["cross_validation"]["method"], "writers": meta["trained_on"]["writers"], **block}


def _stored_sealed(path: Path) -> dict | None:
    """The sealed block of an earlier ``--write`` to ``path``, if any."""
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("sealed")
    except (OSError, json.JSONDecodeError):
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sealed", type=Path, nargs="+", default=[], metavar="FILE",
                        help="sealed batches (CATEGORY<TAB>MESSAGE)")  # fmt: skip
    parser.add_argument("--write", type=Path, help="store the figures as JSON here (e.g. space/safety_figures.json)")
    parser.add_argument("--pool", type=Path, default=POOL)
    parser.add_argument("--min-seconds", type=float, default=3.0, help="time per throughput measurement")
    args = parser.parse_args(argv)
    try:
        pool = read_pool(args.pool)
        sealed_rows = read_files(args.sealed) if args.sealed else []
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    result = {**machine(), "pool": measure(pool), "sealed": None, "cross_validated": model_cross_validation()}
    print(f"in-pool ({len(pool)} messages, {len(result['pool']['writers'])} writers; rules and model written or "
          "trained with it in view, so optimistic):")  # fmt: skip
    print("  " + describe("all writers", result["pool"]))
    for writer, block in result["pool"]["per_writer"].items():
        print("  " + describe(writer, block))
    if result["cross_validated"]:
        print("cross-validated by writer (model trained on the other writers, threshold chosen on them):")
        print("  " + describe("rules OR model", {**result["cross_validated"], "right_category": "-"}))
    if sealed_rows:
        result["sealed"] = {**measure(sealed_rows), "files": [path.name for path in args.sealed],
                            "commit": result["commit"], "date": result["date"]}  # fmt: skip
        print(f"sealed ({', '.join(result['sealed']['files'])}):")
        print("  " + describe("all sealed", result["sealed"]))
        for writer, block in result["sealed"]["per_writer"].items():
            print("  " + describe(writer, block))
    elif args.write and _stored_sealed(args.write):
        result["sealed"] = _stored_sealed(args.write)
        print(f"sealed: none given; kept the figures already in {args.write} (commit {result['sealed'].get('commit')}, "
              f"{result['sealed'].get('date')}): they describe the detector of that commit")  # fmt: skip
    else:
        print("sealed: none given (--sealed FILE ...)")
    speed = throughput([row.text for row in pool], args.min_seconds)
    result["throughput"] = speed
    print(f"throughput (one core, CPU time; {speed['mean_chars']:.0f} characters a message): detector "
          f"{speed['messages_per_s']:.0f} messages/s ({speed['messages_per_wall_s']:.0f} per wall-clock second), "
          f"rules alone {speed['rules_messages_per_s']:.0f}/s; baseline "
          f"(folding only) {speed['baseline_fold_messages_per_s']:.0f}/s; ratio detector/baseline "
          f"{speed['ratio_to_fold']:.3f}; load average {result['load_average'][0]:.1f}")  # fmt: skip
    if args.write:
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

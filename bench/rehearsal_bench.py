"""Rehearsal benchmark: the time of each stage of `gaokerena rehearse --no-serve` (= `make demo` without serving).

    python bench/rehearsal_bench.py [--workdir DIR] [--json bench/results/rehearsal_bench.json]

Runs the whole rehearsal once in a scratch folder and prints, per stage, its wall time, its share of the total and
its ratio to a baseline measured in the same run: a fresh Python importing torch, transformers and datasets (what
every stage command paid before its work until the commands were forked from one launcher that pays it once, see
hub_tools/release/launcher.py). On a shared machine the seconds move
with the load; the shares and the ratios to the baseline move much less, so they are what to compare between runs.
It also records the CPU time the rehearsal's processes used (user + system, all children): load changes it little,
and on 2 idle cores the wall time lies between half of it and all of it. The result file records the machine, the
load average before and after, and the date. The target is a rehearsal in 75 s or less on 2 idle cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


REPO_ROOT = Path(__file__).resolve().parents[1]
STAGE_LINE = re.compile(r"^\[\s*\d+/\d+\] (\S+)\s+\.\.\. done in\s+([\d.]+) s", re.M)
BASELINE = "import torch, transformers, datasets"
TARGET_S = 75.0


def command_start_seconds(repeats: int = 2) -> float:
    """The cheaper of ``repeats`` fresh interpreters importing what a stage command imports."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", BASELINE], check=True, cwd=REPO_ROOT)
        times.append(time.perf_counter() - start)
    return min(times)


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_rehearsal(workdir: Path) -> tuple[float, list[tuple[str, float]], float]:
    """(wall seconds, per-stage seconds, CPU seconds of every process the rehearsal started)."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    cpu_before = children_cpu_seconds()
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "hub_tools.cli", "rehearse", "--no-serve", "--workdir", str(workdir)],
                          capture_output=True, text=True, cwd=REPO_ROOT, env=env)  # fmt: skip
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"the rehearsal failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    cpu = children_cpu_seconds() - cpu_before
    return wall, [(name, float(seconds)) for name, seconds in STAGE_LINE.findall(proc.stdout)], cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, default=None, help="scratch folder (default: a temporary one)")
    parser.add_argument("--json", type=Path, default=REPO_ROOT / "bench" / "results" / "rehearsal_bench.json")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    baseline = command_start_seconds()
    with tempfile.TemporaryDirectory(prefix="rehearsal-bench-") as tmp:
        wall, stages, cpu = run_rehearsal(args.workdir or Path(tmp) / "rehearsal")
    baseline_after = command_start_seconds()
    load_after = os.getloadavg()
    baseline = min(baseline, baseline_after)
    total = sum(seconds for _, seconds in stages)
    print(f"baseline: a cold import of what the stage commands use ({BASELINE}; the launcher pays it once) {baseline:.1f} s")
    print(f"{'stage':12} {'seconds':>8} {'share':>7} {'x baseline':>11}")
    for name, seconds in stages:
        print(f"{name:12} {seconds:8.1f} {seconds / total:7.1%} {seconds / baseline:11.1f}")
    print(f"{'total':12} {total:8.1f} {1:7.1%} {total / baseline:11.1f}   (wall {wall:.1f} s; target {TARGET_S:.0f} s "
          f"on 2 idle cores; load average {load_before[0]:.1f} before, {load_after[0]:.1f} after)")
    print(f"CPU time of the rehearsal's processes: {cpu:.1f} s (on 2 idle cores: between {cpu / 2:.0f} and "
          f"{cpu:.0f} s of wall time)")
    result = {
        "bench": "rehearsal",
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": {"platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count()},
        "load_average": {"before": [round(x, 2) for x in load_before], "after": [round(x, 2) for x in load_after]},
        "baseline": {"what": BASELINE, "seconds": round(baseline, 2)},
        "stages": [{"stage": name, "seconds": round(seconds, 2), "share": round(seconds / total, 3),
                    "x_baseline": round(seconds / baseline, 2)} for name, seconds in stages],  # fmt: skip
        "total_seconds": round(total, 2),
        "wall_seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "total_x_baseline": round(total / baseline, 2),
        "target_seconds_idle": TARGET_S,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"written {args.json.relative_to(REPO_ROOT) if args.json.is_relative_to(REPO_ROOT) else args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

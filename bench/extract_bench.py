"""Answer extraction, measured blind: the labelled pool, sealed batches, and agreement with the paper's authors.

    python bench/extract_bench.py                                   # pool + paper agreement
    python bench/extract_bench.py --sealed /path/batch1.jsonl ...   # + sealed batches (JSON Lines, see below)
    python bench/extract_bench.py --write bench/results/extract.json

- **Pool**: ``tests/hub_tools/evaluation/data/extraction_labelled.tsv`` (the first set, writer ``dev-2026-11``, no
  options) and ``tests/hub_tools/evaluation/data/extraction_pool/<writer>.jsonl`` (one file per writer, with
  options). Accuracy with a Wilson 95% interval, per writer and overall.
- **Sealed**: ``--sealed FILE...``, each a JSON Lines file of ``{"question", "choices": [4 str], "output", "label":
  "A"|"B"|"C"|"D"|"invalid"}`` (``null`` reads as ``"invalid"``) written after the last change to the extractor.
  Same figures.
- For both: **wrong letters** (an output labelled with one option read as another; it must stay 0), false answers
  (an output labelled invalid read as an option) and misses (an option read as invalid).
- **Paper agreement**: the paper's per-question files (``../shared/data/gaokerena/paper_results``) re-read with
  ``extract_choice(AI_answer, choices)`` against the authors' ``AI_chosen_answer``, for the four systems that
  answer in Persian (the MedMobile pipelines extracted from English before translation); it must stay >= 99.4%.

``--write PATH`` saves the figures as JSON with the machine, its load, the date and the commit.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

DATA = ROOT / "tests" / "hub_tools" / "evaluation" / "data"
POOL_DIR = DATA / "extraction_pool"
FIRST_SET = DATA / "extraction_labelled.tsv"
SHARED = Path(os.environ.get("GAOKERENA_SHARED_DATA") or ROOT.parent / "shared" / "data" / "gaokerena")
PERSIAN_SYSTEMS = ("gaokerena/gaokerena-v1.0", "CohereForAI/aya-expanse-8b", "Qwen/Qwen2.5-7B-Instruct",
                   "universitytehran/PersianMind-v1.0")  # fmt: skip
AGREEMENT_FLOOR = 0.994


def paper_agreement(paper_dir: Path) -> dict | None:
    """Agreement of ``extract_choice`` with the authors' ``AI_chosen_answer`` (None when the files are absent)."""
    from hub_tools.evaluation.extract import extract_choice
    from hub_tools.evaluation.paper_import import import_paper_results

    if not paper_dir.is_dir():
        return None
    pairs, disagreements = [], []
    for result in import_paper_results(paper_dir):
        if result.model.id not in PERSIAN_SYSTEMS:
            continue
        for record in result.records:
            ours = extract_choice(record["raw_output"], record.get("choices"), record.get("question"))
            pairs.append((record["prediction"], ours))
            if ours != record["prediction"]:
                disagreements.append({"model": result.model.id, "id": record["id"], "authors": record["prediction"],
                                      "ours": ours})  # fmt: skip
    agree = sum(a == b for a, b in pairs)
    return {"n": len(pairs), "agree": agree, "agreement": agree / len(pairs) if pairs else 0.0,
            "disagreements": disagreements}  # fmt: skip


def _print_figures(title: str, figures: dict) -> None:
    lo, hi = figures["ci95"]
    print(f"{title}: {figures['right']}/{figures['n']} = {figures['accuracy']:.4f} (95% CI {lo:.3f}-{hi:.3f}); "
          f"wrong letters {figures['wrong_letters']} of {figures['single_answer_outputs']} single-answer outputs, "
          f"false answers {figures['false_answers']}, missed {figures['missed']}")  # fmt: skip
    for writer, block in figures.get("writers", {}).items():
        lo, hi = block["ci95"]
        print(f"    {writer:<24} {block['right']:>4}/{block['n']:<4} {block['accuracy']:.4f} ({lo:.3f}-{hi:.3f}) "
              f"wrong letters {block['wrong_letters']}")  # fmt: skip


def _print_errors(figures: dict, limit: int) -> None:
    for row in figures["errors"][:limit]:
        text = row["output"].replace("\n", " ")[:140]
        print(f"    {row['where']}: label {row['label']}, read {row['got']} ({row['reason']}): {text}")


def _commit() -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip()


def _machine() -> dict:
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {"machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
            "python": platform.python_version(), "load": list(load) if load else None}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    from hub_tools.evaluation.extraction_pool import PoolError, measure, read_files, read_pool

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sealed", nargs="+", default=[], metavar="FILE", help="sealed batches (JSON Lines)")
    parser.add_argument("--write", metavar="PATH", help="save the figures as JSON")
    parser.add_argument("--errors", type=int, default=20, help="how many wrongly read outputs to list (default 20)")
    parser.add_argument("--paper-dir", type=Path, default=SHARED / "paper_results")
    args = parser.parse_args(argv)
    try:
        pool = measure(read_pool(POOL_DIR, FIRST_SET))
        sealed = measure(read_files(args.sealed)) if args.sealed else None
    except PoolError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    _print_figures("pool", pool)
    _print_errors(pool, args.errors)
    if sealed is not None:
        _print_figures("sealed", sealed)
        _print_errors(sealed, args.errors)
    agreement = paper_agreement(args.paper_dir)
    if agreement is None:
        print(f"paper agreement: skipped ({args.paper_dir} not found)")
    else:
        floor = "ok" if agreement["agreement"] >= AGREEMENT_FLOOR else f"BELOW {AGREEMENT_FLOOR:.1%}"
        print(f"paper agreement (AI_chosen_answer, {len(PERSIAN_SYSTEMS)} Persian systems): {agreement['agree']}/"
              f"{agreement['n']} = {agreement['agreement']:.4f} ({floor})")  # fmt: skip
        for row in agreement["disagreements"]:
            print(f"    {row['model']} {row['id']}: authors {row['authors']}, ours {row['ours']}")
    if args.write:
        out = {
            **_machine(),
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "commit": _commit(),
            "pool": {k: v for k, v in pool.items() if k != "errors"},
            "sealed": None if sealed is None else {k: v for k, v in sealed.items() if k != "errors"},
            "sealed_files": [str(p) for p in args.sealed],
            "paper_agreement": agreement,
        }
        Path(args.write).parent.mkdir(parents=True, exist_ok=True)
        Path(args.write).write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

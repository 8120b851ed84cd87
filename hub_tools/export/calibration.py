"""The calibration text of the importance matrix, and the held-out text the quants are measured on.

    gaokerena export calibration --train artifacts/datasets/corpus artifacts/datasets/mf3qa \\
        --held-out artifacts/datasets/mf3qa artifacts/datasets/mmlu-fa artifacts/datasets/ibmsee \\
        artifacts/datasets/kqa-fa --out artifacts/calibration/calibration.txt --seed 0 \\
        --eval-from artifacts/datasets/mf3qa --eval-out artifacts/calibration/mf3qa-test-answers.txt

Calibration: a seeded random sample of the *train* split of the built corpus and MF3QA folders (their
``default`` config, as :func:`hub_tools.data.contamination.iter_training_texts` reads it), Persian medical prose
and question-answer pairs. It must never hold a dev, test or benchmark row: every row of every other split of the
``--held-out`` folders (MF3QA dev and test, MMLU-fa, IBMSEE, K-QA-fa; question and answer), and the evaluation
text, is checked against the sample with the project's contamination check
(:func:`hub_tools.data.contamination.check_contamination`, word 8-grams after normalisation). A sampled text that
holds a held-out row is dropped and the check runs again; the result must be clean, or the command stops.
``calibration.json`` beside the text records the provenance: sources, seed, counts, SHA-256 and the check.

Evaluation text (``--eval-out``): the answers of MF3QA's test split, what ``gaokerena export gguf --measure``
scores each quant on (KL divergence against F16, top-1 agreement, perplexity).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path

from hub_tools.data.contamination import DEFAULT_N, DEFAULT_THRESHOLD, check_contamination, iter_training_texts
from hub_tools.data.readers import read_table
from hub_tools.data.report import BuildReport


DEFAULT_TEXTS = 200
DEFAULT_MAX_CHARS = 1500
SEPARATOR = "\n\n"
PROVENANCE_SUFFIX = ".json"


class CalibrationError(ValueError):
    """Calibration sources that cannot give a clean calibration text (named in the message)."""


@dataclass
class CalibrationSet:
    texts: list[str]
    provenance: dict

    @property
    def text(self) -> str:
        return SEPARATOR.join(self.texts) + "\n"


def _split_files(folder: Path) -> dict[str, list[Path]]:
    """split -> parquet files of a built dataset folder (every config)."""
    if not (folder / "build_report.json").is_file():
        raise CalibrationError(f"{folder} is not a built dataset folder (no build_report.json): run "
                               "`gaokerena data build` first")  # fmt: skip
    splits: dict[str, list[Path]] = {}
    for parquet in sorted(folder.glob("*/*.parquet")):
        splits.setdefault(parquet.name.split("-", 1)[0], []).append(parquet)
    return splits


def held_out_rows(folder: Path) -> list[tuple[str, str]]:
    """``(id, text)`` for the question and the answer text of every row of every split but ``train`` of a built
    folder (MF3QA's dev and test; all of a benchmark), de-duplicated."""
    folder = Path(folder)
    rows: dict[str, str] = {}
    for split, files in _split_files(folder).items():
        if split == "train":
            continue
        for file in files:
            optional = {"id": str, "answer": str}
            for row in read_table(file, {"question": str}, optional_columns=optional, on_error="skip",
                                  report=BuildReport(folder.name)):  # fmt: skip
                key = f"{folder.name}/{row.get('id') or f'{split}-{row.row:05d}'}"
                for part in ("question", "answer"):
                    text = row.get(part)
                    # a multiple-choice answer is an option index (it reads as "2"): no text to check
                    if isinstance(text, str) and text.strip() and not text.strip().isdigit():
                        rows.setdefault(f"{key}/{part}", text)
    if not rows:
        raise CalibrationError(f"{folder} has no held-out (non-train) rows to check against")
    return list(rows.items())


def eval_answers(folder: Path, split: str = "test") -> list[str]:
    """The non-empty answers of ``split`` of a built MF3QA folder (the ``--measure`` text)."""
    files = _split_files(Path(folder)).get(split)
    if not files:
        raise CalibrationError(f"{folder} has no {split} split")
    answers = []
    for file in files:
        for row in read_table(file, {"answer": str}, on_error="skip", report=BuildReport(Path(folder).name)):
            if row["answer"].strip() and row["answer"] not in answers:
                answers.append(row["answer"])
    return answers


def build_calibration(
    train: list[Path],
    held_out: dict[str, list[tuple[str, str]]],
    *,
    seed: int = 0,
    texts: int = DEFAULT_TEXTS,
    max_chars: int = DEFAULT_MAX_CHARS,
    n: int = DEFAULT_N,
    threshold: float = DEFAULT_THRESHOLD,
) -> CalibrationSet:
    """A seeded sample of ``texts`` training texts (each cut to ``max_chars``), proven free of ``held_out``
    (name -> [(id, text)]) by the contamination check; texts holding a held-out row are dropped."""
    sources = []
    pool: list[str] = []
    for folder in map(Path, train):
        if not folder.exists():
            raise CalibrationError(f"training source {folder} does not exist")
        found = [t.strip() for t in iter_training_texts([folder]) if t.strip()]
        if not found:
            raise CalibrationError(f"{folder}: no training text in its train split")
        sources.append({"dataset": folder.name, "split": "train", "texts": len(found)})
        pool += found
    chosen = [pool[i][:max_chars] for i in random.Random(seed).sample(range(len(pool)), min(texts, len(pool)))]
    report = check_contamination(held_out, chosen, n=n, threshold=threshold)
    dropped = sorted(report.train_hits())
    if dropped:
        chosen = [t for i, t in enumerate(chosen) if i not in set(dropped)]
        report = check_contamination(held_out, chosen, n=n, threshold=threshold)
    if report.failed:
        raise CalibrationError(f"the calibration sample still overlaps held-out rows after dropping {len(dropped)} "
                               f"text(s):\n{report.summary()}")  # fmt: skip
    text = SEPARATOR.join(chosen) + "\n"
    provenance = {
        "sources": sources,
        "seed": seed,
        "texts": len(chosen),
        "max_chars_per_text": max_chars,
        "characters": len(text),
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "contamination_check": {
            "method": report.to_dict()["method"],
            "n": n,
            "threshold": threshold,
            "dropped_texts": len(dropped),
            "held_out": {name: {"checked": r.checked, "too_short": r.skipped_short, "contaminated": 0}
                         for name, r in report.benchmarks.items()},
        },
    }  # fmt: skip
    return CalibrationSet(chosen, provenance)


def write_calibration(calibration: CalibrationSet, out: Path) -> Path:
    """``out`` (the text) and ``out`` with ``.json`` (the provenance)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(calibration.text, encoding="utf-8")
    provenance_path(out).write_text(json.dumps(calibration.provenance, ensure_ascii=False, indent=1) + "\n")
    return out


def provenance_path(calibration_text: Path) -> Path:
    return Path(calibration_text).with_suffix(PROVENANCE_SUFFIX)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gaokerena export calibration", description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--train", nargs="+", type=Path, required=True, help="built corpus and MF3QA folders")
    parser.add_argument("--held-out", nargs="+", type=Path, required=True,
                        help="built folders whose non-train rows must not be in the sample (MF3QA, benchmarks)")
    parser.add_argument("--out", type=Path, required=True, help="calibration text (its provenance: same name .json)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--texts", type=int, default=DEFAULT_TEXTS, help=f"texts sampled (default {DEFAULT_TEXTS})")
    parser.add_argument("--max-chars", type=int, default=DEFAULT_MAX_CHARS, help="characters kept per text")
    parser.add_argument("--eval-from", type=Path, default=None, help="built MF3QA folder: its test answers ...")
    parser.add_argument("--eval-out", type=Path, default=None, help="... are written here (the --measure text)")


def run(args: argparse.Namespace) -> int:
    from hub_tools.data.readers import DataError

    try:
        held_out = {folder.name: held_out_rows(folder) for folder in args.held_out}
        eval_texts = eval_answers(args.eval_from) if args.eval_from else []
        if eval_texts:
            held_out["eval-text"] = [(f"eval-{i:05d}", t) for i, t in enumerate(eval_texts)]
        calibration = build_calibration(args.train, held_out, seed=args.seed, texts=args.texts,
                                        max_chars=args.max_chars)  # fmt: skip
    except (CalibrationError, DataError, FileNotFoundError) as error:
        print(f"gaokerena export calibration: {error}", file=sys.stderr)
        return 2
    write_calibration(calibration, args.out)
    print(f"{args.out}: {calibration.provenance['texts']} texts, {calibration.provenance['characters']:,} characters "
          f"(seed {args.seed}); {calibration.provenance['contamination_check']['dropped_texts']} dropped as "
          "overlapping held-out rows; contamination check clean")  # fmt: skip
    if eval_texts and args.eval_out:
        args.eval_out.parent.mkdir(parents=True, exist_ok=True)
        args.eval_out.write_text(SEPARATOR.join(eval_texts) + "\n", encoding="utf-8")
        print(f"{args.eval_out}: {len(eval_texts)} MF3QA test answers")
    return 0

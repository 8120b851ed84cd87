"""Benchmark contamination check: word n-gram overlap of benchmark questions with training text.

    gaokerena data check-contamination --benchmark artifacts/mmlu-fa artifacts/ibmsee artifacts/kqa-fa \\
        --train artifacts/mf3qa artifacts/corpus [--n 8] [--threshold 0.5] [--out report.json] [--fail-on-overlap]

Method (after PaLM, Chowdhery et al. 2022, §8): both sides are put in the match form of
:func:`hub_tools.data.dedup.match_text` (normalised Persian, ASCII digits, no punctuation, ZWNJ as a space) and cut
into word ``n``-grams, ``n = 8`` by default. A benchmark question is *contaminated* when at least ``threshold``
(default 0.5) of its distinct n-grams occur somewhere in the training text. PaLM used 8-grams with a 70% bar; GPT-3
used 13-grams, which most of these questions do not even have (the median MMLU-fa question is about 20 words, many
IBMSEE questions fewer), so 8 words is the longest n that still sees most questions, and 0.5 is stricter than PaLM
because a translated question copied into a crawl often comes back lightly edited. A question with fewer than ``n``
words is matched as one n-gram of its own length (the whole question must occur in a training text); one with fewer
than ``min_words`` (default 5) words is too generic to judge and is counted as skipped.

Only the question text is checked (options of multiple-choice items are short and shared across items). The work
is linear: the benchmark n-grams (a few tens of thousands) are hashed into one sorted array, and each training text
is hashed and looked up with ``np.isin`` as it streams past; nothing of the training side is kept except, per
benchmark question, how many of its n-grams were seen and which training texts hold at least ``threshold`` of them
on their own (:attr:`QuestionOverlap.train_hits`, what a builder drops).

Inputs (``--benchmark`` / ``--train``), read with the one table reader (:func:`hub_tools.data.readers.read_table`):
a built dataset folder (``build_report.json`` and ``<config>/*.parquet``; benchmarks read every config and
de-duplicate by ``id``, training reads the ``train`` split of the ``default`` config), or source files:
``.xlsx``/``.csv``/``.parquet``/``.jsonl`` with a ``question`` column (any case) for benchmarks; for training text
the columns ``question``, ``answer``, ``text``, ``title`` that exist, joined, or ``.txt`` files. A folder without a
build report is searched for such files. ``NAME=PATH`` names a benchmark explicitly; otherwise the name comes from
the build report or the folder (``MMLU_fa`` → ``mmlu-fa``, ``IBMSEE`` → ``ibmsee``, ``KQA_fa`` → ``kqa-fa``).

``--contamination fail`` in a build fails closed: when there is nothing to compare against (no benchmark folder
found, benchmarks disabled, or sources without questions) it stops with an error naming what it looked for.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from hub_tools.data.dedup import MinHasher, _chunks, _rolling_kgrams, match_text
from hub_tools.data.readers import TABLE_SUFFIXES, DataError, read_table
from hub_tools.data.report import BuildReport

__all__ = [
    "ContaminationReport",
    "QuestionOverlap",
    "check_contamination",
    "load_benchmark_questions",
    "iter_training_texts",
    "benchmark_name",
    "benchmark_sources",
    "check_build_contamination",
    "main",
    "DEFAULT_N",
    "DEFAULT_THRESHOLD",
    "DEFAULT_MIN_WORDS",
]

DEFAULT_N = 8
DEFAULT_THRESHOLD = 0.5
DEFAULT_MIN_WORDS = 5
KNOWN_BENCHMARKS = {"mmlufa": "mmlu-fa", "mmlu": "mmlu-fa", "ibmsee": "ibmsee", "kqafa": "kqa-fa", "kqa": "kqa-fa"}
_TEXT_COLUMNS = ("title", "question", "answer", "text")
_MAX_HITS_LISTED = 20


@dataclass
class QuestionOverlap:
    """One benchmark question whose n-grams were (partly) found in the training text."""

    id: str
    overlap: float  # share of its distinct n-grams seen anywhere in the training text
    ngrams: int
    train_hits: list[int] = field(default_factory=list)  # training texts holding >= threshold of its n-grams alone

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "overlap": round(self.overlap, 4),
            "ngrams": self.ngrams,
            "train_hits": self.train_hits[:_MAX_HITS_LISTED],
            "train_hits_total": len(self.train_hits),
        }


@dataclass
class BenchmarkResult:
    name: str
    checked: int = 0
    skipped_short: int = 0
    contaminated: list[QuestionOverlap] = field(default_factory=list)
    max_overlap: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "checked": self.checked,
            "skipped_short": self.skipped_short,
            "contaminated": len(self.contaminated),
            "rate": round(len(self.contaminated) / self.checked, 6) if self.checked else 0.0,
            "max_overlap": round(self.max_overlap, 4),
            "questions": [q.to_dict() for q in self.contaminated],
        }


@dataclass
class ContaminationReport:
    """Per benchmark: questions checked, skipped, and the contaminated ones with their overlap ratio."""

    n: int
    threshold: float
    min_words: int
    training_texts: int = 0
    benchmarks: dict[str, BenchmarkResult] = field(default_factory=dict)

    @property
    def contaminated_count(self) -> int:
        return sum(len(b.contaminated) for b in self.benchmarks.values())

    @property
    def failed(self) -> bool:
        return self.contaminated_count > 0

    def contaminated_ids(self, benchmark: str) -> list[str]:
        return [q.id for q in self.benchmarks[benchmark].contaminated]

    def train_hits(self) -> dict[int, list[str]]:
        """Training text index -> the benchmarks it contaminates (what a builder drops)."""
        hits: dict[int, list[str]] = {}
        for name, result in self.benchmarks.items():
            for q in result.contaminated:
                for i in q.train_hits:
                    if name not in hits.setdefault(i, []):
                        hits[i].append(name)
        return hits

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": f"word {self.n}-gram overlap after normalisation (hub_tools.data.dedup.match_text)",
            "n": self.n,
            "threshold": self.threshold,
            "min_words": self.min_words,
            "training_texts": self.training_texts,
            "contaminated": self.contaminated_count,
            "benchmarks": {name: result.to_dict() for name, result in self.benchmarks.items()},
        }

    def summary(self) -> str:
        lines = [
            f"contamination check: word {self.n}-grams, threshold {self.threshold:g}, "
            f"{self.training_texts} training text(s)"
        ]
        for name, r in self.benchmarks.items():
            line = f"  {name}: {len(r.contaminated)} of {r.checked} question(s) contaminated"
            if r.skipped_short:
                line += f" ({r.skipped_short} too short to check)"
            if r.contaminated:
                worst = sorted(r.contaminated, key=lambda q: -q.overlap)[:5]
                line += "; e.g. " + ", ".join(f"{q.id} ({q.overlap:.0%})" for q in worst)
            lines.append(line)
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------------------------------
# The check


def _word_ngram_hashes(hasher: MinHasher, forms: list[str], n: int) -> tuple[np.ndarray, np.ndarray]:
    values, starts, lengths = hasher._units(forms)
    return _rolling_kgrams(values, starts, lengths, n)


def check_contamination(
    benchmark_texts: dict[str, list[tuple[str, str]]],
    training_texts: Iterable[str],
    n: int = DEFAULT_N,
    threshold: float = DEFAULT_THRESHOLD,
    *,
    min_words: int = DEFAULT_MIN_WORDS,
    chunk_size: int = 2048,
) -> ContaminationReport:
    """Check every benchmark question against the (streamed) training texts; see the module docstring."""
    if n < 1:
        raise ValueError("n must be >= 1")
    if not 0.0 < threshold <= 1.0:
        raise ValueError("threshold must be in (0, 1]")
    hasher = MinHasher(shingle="word", k=1)
    report = ContaminationReport(n=n, threshold=threshold, min_words=min_words)
    # question -> its distinct n-gram hashes; lengths < n are matched as one gram of their own length
    q_meta: list[tuple[str, str, int]] = []  # (benchmark, id, number of n-grams)
    gram_owner: dict[int, list[int]] = {}
    grams_by_len: dict[int, set[int]] = {}
    for name, items in benchmark_texts.items():
        result = report.benchmarks.setdefault(name, BenchmarkResult(name))
        for qid, text in items:
            form = match_text(text)
            words = len(form.split())
            if words < min_words:
                result.skipped_short += 1
                continue
            k = min(n, words)
            hashes, _ = _word_ngram_hashes(hasher, [form], k)
            distinct = set(hashes.tolist())
            qi = len(q_meta)
            q_meta.append((name, str(qid), len(distinct)))
            result.checked += 1
            grams_by_len.setdefault(k, set()).update(distinct)
            for h in distinct:
                gram_owner.setdefault(h, []).append(qi)
    seen = [set() for _ in q_meta]  # per question: its n-grams found anywhere
    hits: dict[int, list[int]] = {}  # per question: training texts holding >= threshold of its n-grams
    lookup = {k: np.fromiter(sorted(v), dtype=np.uint64, count=len(v)) for k, v in grams_by_len.items()}
    index = 0
    for chunk in _chunks(training_texts, chunk_size):
        forms = [match_text(t) for t in chunk]
        for k, table in lookup.items():
            hashes, counts = _word_ngram_hashes(hasher, forms, k)
            found = np.isin(hashes, table)
            if not found.any():
                continue
            doc_of = np.repeat(np.arange(len(forms)), counts)
            per_doc: dict[int, set[int]] = {}
            for d, h in zip(doc_of[found].tolist(), hashes[found].tolist()):
                per_doc.setdefault(d, set()).add(h)
            for d, grams in per_doc.items():
                counted: dict[int, int] = {}
                for h in grams:
                    for qi in gram_owner.get(h, ()):
                        seen[qi].add(h)
                        counted[qi] = counted.get(qi, 0) + 1
                for qi, c in counted.items():
                    if c / q_meta[qi][2] >= threshold:
                        hits.setdefault(qi, []).append(index + d)
        index += len(forms)
    report.training_texts = index
    for qi, (name, qid, total) in enumerate(q_meta):
        ratio = len(seen[qi]) / total if total else 0.0
        result = report.benchmarks[name]
        result.max_overlap = max(result.max_overlap, ratio)
        if ratio >= threshold:
            result.contaminated.append(QuestionOverlap(qid, ratio, total, hits.get(qi, [])))
    return report


# --------------------------------------------------------------------------------------------------------------------
# Inputs


def _canon(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def benchmark_name(path: Path) -> str:
    """The benchmark a file or folder holds: from its build report, else its (parent) folder name."""
    path = Path(path)
    folder = path if path.is_dir() else path.parent
    report = folder / "build_report.json"
    if report.is_file():
        try:
            return json.loads(report.read_text(encoding="utf-8"))["dataset"]
        except (ValueError, KeyError):
            pass
    for candidate in (folder.name, path.stem):
        canon = _canon(candidate)
        if canon in KNOWN_BENCHMARKS:
            return KNOWN_BENCHMARKS[canon]
        for prefix, name in KNOWN_BENCHMARKS.items():
            if canon.startswith(prefix):
                return name
    return folder.name if path.is_dir() else path.stem


def _is_built(folder: Path) -> bool:
    return folder.is_dir() and (folder / "build_report.json").is_file()


_TABLE_SUFFIXES = TABLE_SUFFIXES


def _files_in(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)


def load_benchmark_questions(spec: str | Path) -> tuple[str, list[tuple[str, str]]]:
    """``(name, [(id, question), ...])`` from a built folder or source file/folder (``NAME=PATH`` names it)."""
    text = str(spec)
    name = None
    if "=" in text and not Path(text).exists():
        name, text = text.split("=", 1)
    path = Path(text)
    if not path.exists():
        raise FileNotFoundError(f"benchmark source {path} does not exist")
    name = name or benchmark_name(path)
    items: list[tuple[str, str]] = []
    seen_ids: set[str] = set()
    if _is_built(path):
        files = sorted(path.glob("*/*.parquet"))
    elif path.is_dir():
        files = _files_in(path, _TABLE_SUFFIXES)
    else:
        files = [path]
    for file in files:
        # rows with an empty question are skipped (counted in a scratch report, never published)
        scratch = BuildReport(name)
        rows = read_table(file, {"question": str}, optional_columns={"id": str}, on_error="skip", report=scratch)
        for row in rows:
            question = row["question"]
            if not question.strip():
                continue
            record = row.row - 1 if file.suffix.lower() in (".xlsx", ".csv") else row.row  # data record number
            qid = row["id"] if row.get("id") is not None else f"{file.stem}-{record:04d}"
            if qid in seen_ids:
                continue  # the same question in a subject config and in "all"
            seen_ids.add(qid)
            items.append((qid, question))
    return name, items


def _train_files(path: Path) -> list[Path]:
    if _is_built(path):
        configs = sorted(p for p in path.iterdir() if p.is_dir() and list(p.glob("train-*.parquet")))
        chosen = [c for c in configs if c.name == "default"] or configs[:1]
        return sorted(chosen[0].glob("train-*.parquet")) if chosen else []
    if path.is_dir():
        return _files_in(path, _TABLE_SUFFIXES + (".txt",))
    return [path]


def iter_training_texts(specs: Iterable[str | Path]) -> Iterator[str]:
    """Stream the training texts of built folders (train split of the default config) or source files."""
    for spec in specs:
        path = Path(spec)
        if not path.exists():
            raise FileNotFoundError(f"training source {path} does not exist")
        for file in _train_files(path):
            if file.suffix.lower() == ".txt":
                yield file.read_text(encoding="utf-8", errors="replace")
                continue
            optional = {column: str for column in _TEXT_COLUMNS}
            for row in read_table(file, {}, optional_columns=optional, on_error="skip", report=BuildReport("train")):
                parts = [row[c] for c in _TEXT_COLUMNS if isinstance(row.get(c), str) and row[c].strip()]
                if parts:
                    yield "\n".join(parts)


# --------------------------------------------------------------------------------------------------------------------
# Builders


BENCHMARK_FOLDERS = {"mmlufa": "mmlu-fa", "ibmsee": "ibmsee", "kqafa": "kqa-fa"}


def benchmark_sources(sources: Iterable[Path], extra: dict[str, Any]) -> tuple[list[str], str]:
    """The benchmark specs a build checks against, and how they were found.

    ``extra["benchmarks"]`` (``--set benchmarks=PATH[,PATH...]``; a list also works; ``none`` disables) wins;
    otherwise the benchmark folders (``MMLU_fa``, ``IBMSEE``, ``KQA_fa``, any case) beside the first source folder
    that has some, one or two levels up, as in the authors' repository and in the bundled samples.
    """
    given = extra.get("benchmarks")
    if given is not None:
        if isinstance(given, (list, tuple)):
            specs = [str(g).strip() for g in given]
        else:
            text = str(given).strip()
            if text.lower() in ("", "none", "off", "false"):
                return [], "disabled (benchmarks=none)"
            specs = [s.strip() for s in re.split("[," + re.escape(os.pathsep) + "]", text)]
        return [s for s in specs if s], "--set benchmarks"
    for source in sources:
        folder = Path(source) if Path(source).is_dir() else Path(source).parent
        for parent in (folder.parent, folder.parent.parent):
            if not parent.is_dir():
                continue
            found = [
                str(child)
                for child in sorted(parent.iterdir())
                if child.is_dir() and _canon(child.name) in BENCHMARK_FOLDERS
            ]
            if found:
                return found, "benchmark folders beside the sources"
    return [], "none found"


def _looked_for(sources: list[Path], specs: list[str], how: str) -> str:
    """What the contamination step looked for, for the fail-closed error."""
    if specs:
        return f"the benchmark sources ({', '.join(specs)}; {how}) hold no questions"
    if how.startswith("disabled"):
        return "the benchmarks are disabled (benchmarks=none); use --contamination off to build without the check"
    places = []
    for source in sources:
        folder = Path(source) if Path(source).is_dir() else Path(source).parent
        places += [str(folder.parent), str(folder.parent.parent)]
    wanted = ", ".join(sorted({"MMLU_fa", "IBMSEE", "KQA_fa"}))
    return (
        f"no benchmark folder ({wanted}, any case) beside the sources in {', '.join(dict.fromkeys(places))}, "
        "and no --benchmarks / --set benchmarks=PATH[,PATH...] given"
    )


def check_build_contamination(
    training_texts: Iterable[str], sources: Iterable[Path], options
) -> tuple[dict[str, Any], dict[int, list[str]]]:
    """The contamination step of a training-data build (``options.contamination`` warn/fail/off).

    Returns ``(stats, hits)``: the report's ``contamination`` statistics and, for ``warn``, the training text
    positions to drop with the benchmarks they contain. ``fail`` raises :class:`~hub_tools.data.readers.DataError`
    when any benchmark question is contaminated.
    """
    stats: dict[str, Any] = {"mode": options.contamination}
    if options.contamination == "off":
        return stats, {}
    specs, how = benchmark_sources(list(sources), options.extra)
    stats["benchmarks_from"] = how
    benchmarks: dict[str, list[tuple[str, str]]] = {}
    for spec in specs:
        try:
            name, items = load_benchmark_questions(spec)
        except DataError:
            raise
        except (FileNotFoundError, ValueError) as exc:
            raise DataError(str(spec), f"benchmark source unreadable: {exc}") from None
        benchmarks.setdefault(name, []).extend(items)
    if not any(benchmarks.values()):
        if options.contamination == "fail":
            raise DataError(
                "benchmarks",
                "--contamination fail, but there is nothing to compare the training rows against: "
                + _looked_for(list(sources), specs, how),
            )
        return stats, {}
    result = check_contamination(benchmarks, training_texts)
    stats.update(result.to_dict())
    if result.failed and options.contamination == "fail":
        raise DataError("train", "benchmark contamination (--contamination fail):\n" + result.summary())
    hits = result.train_hits()
    stats["train_rows_dropped"] = len(hits)
    return stats, hits


# --------------------------------------------------------------------------------------------------------------------
# Command line


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gaokerena data check-contamination",
        description="Word n-gram overlap of benchmark questions with training text "
        "(see hub_tools.data.contamination).",
    )
    parser.add_argument("--benchmark", nargs="+", required=True, metavar="DIR_OR_FILE",
                        help="built benchmark folders or source files/folders (NAME=PATH to name one)")
    parser.add_argument("--train", nargs="+", required=True, metavar="DIR_OR_FILE",
                        help="built training datasets (train split of the default config) or text sources")
    parser.add_argument("--n", type=int, default=DEFAULT_N, help=f"n-gram length in words (default {DEFAULT_N})")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD,
                        help=f"share of a question's n-grams that makes it contaminated (default {DEFAULT_THRESHOLD})")
    parser.add_argument("--min-words", type=int, default=DEFAULT_MIN_WORDS,
                        help=f"questions with fewer words are skipped (default {DEFAULT_MIN_WORDS})")
    parser.add_argument("--out", type=Path, help="write the JSON report here")
    parser.add_argument("--fail-on-overlap", action="store_true", help="exit 1 when any question is contaminated")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        benchmarks: dict[str, list[tuple[str, str]]] = {}
        for spec in args.benchmark:
            name, items = load_benchmark_questions(spec)
            benchmarks.setdefault(name, []).extend(items)
        report = check_contamination(
            benchmarks, iter_training_texts(args.train), n=args.n, threshold=args.threshold, min_words=args.min_words
        )
    except (FileNotFoundError, ValueError) as exc:
        print(f"gaokerena data check-contamination: {exc}", file=sys.stderr)
        return 2
    print(report.summary())
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"report written to {args.out}")
    if report.failed:
        if args.fail_on_overlap:
            print(f"FAILED: {report.contaminated_count} contaminated benchmark question(s)", file=sys.stderr)
            return 1
        print(f"warning: {report.contaminated_count} contaminated benchmark question(s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Recall and precision of the personal-data redaction on the labelled pool (one file per writer).

    python -m hub_tools.data.redaction_eval tests/hub_tools/data/redaction_pool           # print
    python -m hub_tools.data.redaction_eval tests/hub_tools/data/redaction_pool --write   # + commit figures

The pool (``tests/hub_tools/data/redaction_pool/``) holds one file per writer, named after the writer
(``dev-2026-11.txt`` was written alongside the rules; the others by writers who never saw them). A file holds one
item per line (``#`` lines and blank lines are skipped). Personal data is
marked inline as ``⟦kind:text⟧``; the item's text is the line with the marks removed. A line without marks is a text
that must come out of :func:`~hub_tools.data.redact.redact_personal_data` unchanged.

Metrics (over labelled spans, every item counted):

- **recall** = labelled spans entirely covered by redacted spans / labelled spans. Any kind counts: what matters for
  privacy is that the text is gone. ``recall_same_kind`` also asks for the right placeholder kind.
- **precision** = redacted spans that overlap a labelled span / redacted spans. A redaction in a text that has no
  personal data is always a false positive.
- **false_alarm_rate** = items without personal data that the redaction changed / such items.

``--write`` stores the pool figures in ``hub_tools/data/redaction_eval.json`` with the SHA-256 of the pool; a test
recomputes them and checks that the committed file is current. The figures the cards, the build report and the
README quote are the **sealed** ones (``bench/redaction_bench.py --sealed ... --write``), measured on batches the
rules were never tuned on.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hub_tools.data.redact import FIGURES_FILE, KINDS, find_personal_data
from hub_tools.evaluation.schema import wilson_interval

__all__ = [
    "LabelledItem", "parse_labelled", "evaluate", "load_pool", "pool_digest", "sealed_sentence", "wilson", "main",
]

_MARK = re.compile(r"⟦([a-z_]+):(.+?)⟧")


@dataclass
class LabelledItem:
    line: int
    text: str
    spans: list[tuple[str, int, int]] = field(default_factory=list)  # (kind, start, end) in ``text``


def parse_labelled(text: str) -> list[LabelledItem]:
    """The items of a labelled-set file (see the module docstring); an unknown kind or a broken mark raises."""
    items = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        pieces, spans, last, length = [], [], 0, 0
        for m in _MARK.finditer(line):
            kind, value = m.group(1), m.group(2)
            if kind not in KINDS:
                raise ValueError(f"line {line_no}: unknown kind {kind!r} (known: {', '.join(KINDS)})")
            before = line[last : m.start()]
            pieces.append(before)
            length += len(before)
            spans.append((kind, length, length + len(value)))
            pieces.append(value)
            length += len(value)
            last = m.end()
        pieces.append(line[last:])
        plain = "".join(pieces)
        if "⟦" in plain or "⟧" in plain:
            raise ValueError(f"line {line_no}: unbalanced mark")
        items.append(LabelledItem(line_no, plain, spans))
    return items


def load_pool(paths: list[Path]) -> dict[str, list[LabelledItem]]:
    """The items of each writer: every ``*.txt`` of a folder, or the given files; the writer is the file's stem."""
    files: list[Path] = []
    for path in paths:
        files += sorted(Path(path).glob("*.txt")) if Path(path).is_dir() else [Path(path)]
    pool = {}
    for file in files:
        try:
            pool[file.stem] = parse_labelled(file.read_text(encoding="utf-8"))
        except ValueError as error:
            raise ValueError(f"{file}: {error}") from error
    return pool


def pool_digest(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        for file in sorted(Path(path).glob("*.txt")) if Path(path).is_dir() else [Path(path)]:
            digest.update(file.name.encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


def wilson(successes: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval (95%) of a proportion, rounded to 4 places (the project's one implementation,
    :func:`hub_tools.evaluation.schema.wilson_interval`); (0, 1) when there is nothing to measure."""
    if total == 0:
        return 0.0, 1.0
    low, high = wilson_interval(successes, total, z=z)
    return round(low, 4), round(high, 4)


def evaluate(items: list[LabelledItem]) -> dict[str, Any]:
    """Recall, precision and false-alarm rate of :func:`find_personal_data` on ``items``, with the misses listed."""
    gold_total = covered = covered_same_kind = predicted_total = predicted_right = 0
    negatives = changed_negatives = 0
    per_kind_gold: Counter = Counter()
    per_kind_covered: Counter = Counter()
    misses: list[str] = []
    false_positives: list[str] = []
    for item in items:
        predicted = find_personal_data(item.text)
        predicted_total += len(predicted)
        if not item.spans:
            negatives += 1
            changed_negatives += bool(predicted)
        for p in predicted:
            if any(p.start < end and start < p.end for _, start, end in item.spans):
                predicted_right += 1
            else:
                false_positives.append(f"line {item.line}: {p.kind} {item.text[p.start:p.end]!r}")
        for kind, start, end in item.spans:
            gold_total += 1
            per_kind_gold[kind] += 1
            inside = [p for p in predicted if p.start < end and start < p.end]
            chars = set()
            for p in inside:
                chars.update(range(max(p.start, start), min(p.end, end)))
            if len(chars) == end - start:
                covered += 1
                per_kind_covered[kind] += 1
                covered_same_kind += all(p.kind == kind for p in inside)
            else:
                misses.append(f"line {item.line}: {kind} {item.text[start:end]!r}")
    positives = sum(1 for item in items if item.spans)
    return {
        "items": len(items),
        "items_with_personal_data": positives,
        "items_without_personal_data": negatives,
        "labelled_spans": gold_total,
        "redacted_spans": predicted_total,
        "recall": round(covered / gold_total, 4) if gold_total else 1.0,
        "recall_interval": wilson(covered, gold_total),
        "names_recall": round(per_kind_covered["name"] / per_kind_gold["name"], 4) if per_kind_gold["name"] else None,
        "names_recall_interval": wilson(per_kind_covered["name"], per_kind_gold["name"]),
        "negatives_changed": changed_negatives,
        "false_alarm_interval": wilson(changed_negatives, negatives),
        "recall_same_kind": round(covered_same_kind / gold_total, 4) if gold_total else 1.0,
        "precision": round(predicted_right / predicted_total, 4) if predicted_total else 1.0,
        "false_alarm_rate": round(changed_negatives / negatives, 4) if negatives else 0.0,
        "recall_by_kind": {k: round(per_kind_covered[k] / per_kind_gold[k], 4) for k in KINDS if per_kind_gold[k]},
        "spans_by_kind": {k: per_kind_gold[k] for k in KINDS if per_kind_gold[k]},
        "definition": (
            "recall: labelled spans entirely covered by redactions / labelled spans; precision: redactions "
            "overlapping a labelled span / redactions; false alarm rate: items without personal data that changed"
        ),
        "misses": misses,
        "false_positives": false_positives,
    }


def sealed_sentence(quality: dict[str, Any]) -> str:
    """How the build report and the README quote the SEALED figures (``quality`` as
    :func:`hub_tools.data.report.redaction_quality` returns it)."""
    q = quality.get("sealed")
    if quality.get("status") != "measured" or not q:
        return ("redaction, SEALED figures: not measured yet (the labelled pool the rules were tuned on is no measure "
                "of them)")
    return (
        f"redaction, SEALED figures ({quality['batches']} sealed batches, {q['items']} texts written after the last "
        f"rule change by writers who never saw the rules): recall {q['recall']:.1%} (95% CI "
        f"{q['recall_interval'][0]:.1%}-{q['recall_interval'][1]:.1%}), names {q['names_recall'] or 0:.1%}, precision "
        f"{q['precision']:.1%}, negatives changed {q['negatives_changed']}/{q['items_without_personal_data']}"
    )


def figures_path() -> Path:
    return Path(__file__).with_name(FIGURES_FILE)


def pool_figures(paths: list[Path]) -> dict[str, Any]:
    """The figures of the whole pool and of each writer, with the pool's digest."""
    pool = load_pool(paths)
    figures = evaluate([item for items in pool.values() for item in items])
    figures["writers"] = {
        writer: {k: v for k, v in evaluate(items).items() if k not in ("definition", "misses", "false_positives")}
        for writer, items in pool.items()
    }
    figures["sha256"] = pool_digest(paths)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hub_tools.data.redaction_eval",
                                     description=__doc__.split("\n")[0])  # fmt: skip
    parser.add_argument("pool", type=Path, nargs="+",
                        help="the pool folder (tests/hub_tools/data/redaction_pool) or files")  # fmt: skip
    parser.add_argument("--write", action="store_true", help=f"store the figures in hub_tools/data/{FIGURES_FILE}")
    args = parser.parse_args(argv)
    try:
        figures = pool_figures(args.pool)
    except (OSError, ValueError) as exc:
        print(f"redaction_eval: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    if args.write:
        figures_path().write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"written to {figures_path()}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

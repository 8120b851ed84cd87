"""Recall and precision of the personal-data redaction on a hand-labelled set.

    python -m hub_tools.data.redaction_eval tests/hub_tools/data/redaction_labelled.txt           # print
    python -m hub_tools.data.redaction_eval tests/hub_tools/data/redaction_labelled.txt --write   # + commit figures

The labelled set is a text file, one item per line (``#`` lines and blank lines are skipped). Personal data is
marked inline as ``⟦kind:text⟧``; the item's text is the line with the marks removed. A line without marks is a text
that must come out of :func:`~hub_tools.data.redact.redact_personal_data` unchanged.

Metrics (over labelled spans, every item counted):

- **recall** = labelled spans entirely covered by redacted spans / labelled spans. Any kind counts: what matters for
  privacy is that the text is gone. ``recall_same_kind`` also asks for the right placeholder kind.
- **precision** = redacted spans that overlap a labelled span / redacted spans. A redaction in a text that has no
  personal data is always a false positive.
- **false_alarm_rate** = items without personal data that the redaction changed / such items.

``--write`` stores the figures in ``hub_tools/data/redaction_eval.json`` with the SHA-256 of the labelled set; a
test recomputes them and checks that the committed file is current, so the build reports and the dataset cards
(which read that file through :func:`hub_tools.data.redact.labelled_set_figures`) always quote today's figures.
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

__all__ = ["LabelledItem", "parse_labelled", "evaluate", "main"]

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
        "labelled_set": "tests/hub_tools/data/redaction_labelled.txt",
        "items": len(items),
        "items_with_personal_data": positives,
        "items_without_personal_data": negatives,
        "labelled_spans": gold_total,
        "redacted_spans": predicted_total,
        "recall": round(covered / gold_total, 4) if gold_total else 1.0,
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


def figures_path() -> Path:
    return Path(__file__).with_name(FIGURES_FILE)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hub_tools.data.redaction_eval", description=__doc__.split("\n")[0])
    parser.add_argument("labelled", type=Path, help="the labelled set (tests/hub_tools/data/redaction_labelled.txt)")
    parser.add_argument("--write", action="store_true", help=f"store the figures in hub_tools/data/{FIGURES_FILE}")
    args = parser.parse_args(argv)
    try:
        raw = args.labelled.read_text(encoding="utf-8")
        figures = evaluate(parse_labelled(raw))
    except (OSError, ValueError) as exc:
        print(f"redaction_eval: {args.labelled}: {exc}", file=sys.stderr)
        return 2
    figures["sha256"] = hashlib.sha256(raw.encode("utf-8")).hexdigest()
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    if args.write:
        figures_path().write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"written to {figures_path()}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Labelled model outputs for measuring answer extraction (the blind protocol of :mod:`.extract`).

Two file formats, one writer per file:

- JSON Lines (``<writer>.jsonl``): one object a line, ``{"question": str, "choices": [4 str], "output": str,
  "label": "A" | "B" | "C" | "D" | "invalid"}`` (a ``null`` label reads as ``"invalid"``: no answer; a missing label
  is an error); the writer is the file's stem. Sealed batches use this format.
- The first labelled set, a TSV without options: ``label<TAB>output`` (``\\n`` in the output is a newline, ``#``
  starts a comment); its writer is named by the caller.

``measure`` scores :func:`~hub_tools.evaluation.extract.extract_choice` on a list of items: accuracy with a Wilson
95% interval, and the three ways to be wrong, of which **wrong letters** (an output labelled with one option read as
another) is the one that must stay at zero.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .extract import CHOICES, INVALID, explain_choice
from .schema import wilson_interval

LABELS = (*CHOICES, INVALID)
#: The first labelled set (205 outputs, no options), written with the extractor: its writer's name.
FIRST_SET_WRITER = "dev-2026-11"


class PoolError(ValueError):
    """A labelled file is malformed; the message names the file and the line."""


@dataclass(frozen=True)
class LabelledOutput:
    writer: str
    output: str
    label: str
    choices: tuple[str, ...] | None = None
    question: str | None = None
    where: str = ""  # "file:line"


def read_jsonl(path: str | Path, writer: str | None = None) -> list[LabelledOutput]:
    """A writer's JSON Lines file; every line is checked (file and line named on error)."""
    path = Path(path)
    writer = writer or path.stem
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            raise PoolError(f"{where}: not JSON ({err})") from None
        if not isinstance(row, dict):
            raise PoolError(f"{where}: expected an object with question, choices, output, label")
        output, label, choices = row.get("output"), row.get("label"), row.get("choices")
        if "label" in row and label is None:
            label = INVALID  # a JSON null label: the writer's "no answer" (writer-p4 writes it so)
        if not isinstance(output, str):
            raise PoolError(f"{where}: 'output' must be a string")
        if label not in LABELS:
            raise PoolError(f"{where}: 'label' must be one of {', '.join(LABELS)}, got {label!r}")
        if not (isinstance(choices, list) and len(choices) == 4 and all(isinstance(c, str) for c in choices)):
            raise PoolError(f"{where}: 'choices' must be a list of 4 strings")
        question = row.get("question")
        items.append(LabelledOutput(writer, output, label, tuple(choices),
                                    question if isinstance(question, str) else None, where))  # fmt: skip
    return items


def read_tsv(path: str | Path, writer: str = FIRST_SET_WRITER) -> list[LabelledOutput]:
    """The first labelled set: ``label<TAB>output`` lines, no options."""
    path = Path(path)
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("#"):
            continue
        label, tab, text = line.partition("\t")
        if not tab or label not in LABELS:
            raise PoolError(f"{path}:{number}: expected 'label<TAB>output' with a label in {', '.join(LABELS)}")
        items.append(LabelledOutput(writer, text.replace("\\n", "\n"), label, None, None, f"{path}:{number}"))
    return items


def read_pool(folder: str | Path, first_set: str | Path | None = None) -> list[LabelledOutput]:
    """The first labelled set (``first_set``, a TSV, when given) and every ``<writer>.jsonl`` file of ``folder``."""
    items: list[LabelledOutput] = read_tsv(first_set) if first_set is not None else []
    for path in sorted(Path(folder).glob("*.jsonl")):
        items += read_jsonl(path)
    return items


def read_files(paths: Iterable[str | Path]) -> list[LabelledOutput]:
    """Labelled JSON Lines files (sealed batches), the writer of each named by its stem."""
    items: list[LabelledOutput] = []
    for path in paths:
        if not Path(path).is_file():
            raise PoolError(f"{path}: no such file")
        items += read_jsonl(path)
    return items


def _outcome(label: str, got: str) -> str:
    if got == label:
        return "right"
    if label == INVALID:
        return "false_answer"  # an output with no single answer read as one
    return "missed" if got == INVALID else "wrong_letter"


def judge(items: Sequence[LabelledOutput]) -> list[dict]:
    """One row per item: what extraction read, why, and how it compares with the label."""
    rows = []
    for item in items:
        got, _, reason = explain_choice(item.output, item.choices, item.question)
        rows.append({"writer": item.writer, "where": item.where, "label": item.label, "got": got,
                     "outcome": _outcome(item.label, got), "reason": reason, "output": item.output})  # fmt: skip
    return rows


def _figures(rows: Sequence[dict]) -> dict:
    n = len(rows)
    right = sum(r["outcome"] == "right" for r in rows)
    lo, hi = wilson_interval(right, n)
    return {
        "n": n,
        "right": right,
        "accuracy": right / n if n else 0.0,
        "ci95": [lo, hi],
        "wrong_letters": sum(r["outcome"] == "wrong_letter" for r in rows),
        "single_answer_outputs": sum(r["label"] != INVALID for r in rows),
        "false_answers": sum(r["outcome"] == "false_answer" for r in rows),
        "missed": sum(r["outcome"] == "missed" for r in rows),
    }


def measure(items: Sequence[LabelledOutput]) -> dict:
    """Overall and per-writer figures (see :func:`_figures`), plus the rows extraction got wrong."""
    rows = judge(items)
    writers = sorted({r["writer"] for r in rows})
    return {
        **_figures(rows),
        "writers": {w: _figures([r for r in rows if r["writer"] == w]) for w in writers},
        "errors": [r for r in rows if r["outcome"] != "right"],
    }

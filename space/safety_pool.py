"""Labelled red-flag messages: the one reader of the pool and sealed-batch files, and the figures made from them.

File format (UTF-8): ``CATEGORY<TAB>MESSAGE`` per line, ``CATEGORY`` one of :data:`space.safety.CATEGORIES` or
``-`` for a non-emergency; blank lines and lines starting with ``#`` are skipped. A ``# writer: NAME`` line names the
writer of the lines after it (otherwise the file's stem does). The pool in ``tests/space/data/red_flags/`` keeps
one file per writer.

Used by the tests, ``bench/safety_bench.py`` and ``space/train_red_flag_model.py``; the Space itself never reads
these files.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from space.safety import CATEGORIES


NON_EMERGENCY = "-"
_WRITER = re.compile(r"^#\s*writer:\s*(\S+)")


@dataclass(frozen=True)
class Labelled:
    """One labelled message and where it came from (``where``: ``file:line``)."""

    writer: str
    category: str
    text: str
    where: str

    @property
    def emergency(self) -> bool:
        return self.category != NON_EMERGENCY


def read_labelled(path: Path) -> list[Labelled]:
    """The messages of one labelled file; a bad row raises ``ValueError`` naming the file and line."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: cannot read the labelled file ({error})") from error
    writer, rows = path.stem, []
    for number, line in enumerate(lines, start=1):
        named = _WRITER.match(line)
        if named:
            writer = named.group(1)
        if not line.strip() or line.startswith("#"):
            continue
        category, tab, text = line.partition("\t")
        category, text = category.strip(), text.strip()
        if not tab or not text:
            raise ValueError(f"{path}:{number}: expected CATEGORY<TAB>MESSAGE, got {line[:60]!r}")
        if category != NON_EMERGENCY and category not in CATEGORIES:
            raise ValueError(f"{path}:{number}: unknown category {category!r} (one of {', '.join(CATEGORIES)} or -)")
        rows.append(Labelled(writer, category, text, f"{path.name}:{number}"))
    return rows


def read_files(paths: Iterable[Path]) -> list[Labelled]:
    return [row for path in paths for row in read_labelled(path)]


def read_pool(directory: Path) -> list[Labelled]:
    """Every ``*.tsv`` file of the pool directory, in name order."""
    paths = sorted(Path(directory).glob("*.tsv"))
    if not paths:
        raise ValueError(f"{directory}: no labelled *.tsv files")
    return read_files(paths)


@dataclass(frozen=True)
class Counts:
    """How a detector did on some labelled messages."""

    emergencies: int
    caught: int  # emergencies given any flag (the notice with 115 shows)
    right_category: int  # emergencies given their own category among the flags
    non_emergencies: int
    false_alarms: int

    @property
    def recall(self) -> float:
        return self.caught / self.emergencies if self.emergencies else float("nan")

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.non_emergencies if self.non_emergencies else float("nan")


def count(rows: Sequence[Labelled], flags: Sequence[Sequence[str]]) -> Counts:
    """The counts of ``flags`` (one list of categories per row) against the labels."""
    emergencies = [(row, found) for row, found in zip(rows, flags, strict=True) if row.emergency]
    others = [found for row, found in zip(rows, flags, strict=True) if not row.emergency]
    return Counts(
        emergencies=len(emergencies),
        caught=sum(1 for _, found in emergencies if found),
        right_category=sum(1 for row, found in emergencies if row.category in found),
        non_emergencies=len(others),
        false_alarms=sum(1 for found in others if found),
    )


def detect_all(rows: Sequence[Labelled], detect: Callable[[str], list[str]]) -> list[list[str]]:
    return [detect(row.text) for row in rows]


#: Help-seeking tails a worried person adds (Persian and English): none of them may cancel a flag.
HELP_SEEKING_TAILS = (
    "، خطرناکه؟",
    "، علتش چیه؟",
    "، چطوری کمکش کنم؟",
    "، is it dangerous?",
    ". What causes this? How do I help him?",
)

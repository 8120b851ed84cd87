"""Dataset builders: one module per dataset, each exposing

    build(sources: list[Path], out: Path, options: BuildOptions) -> BuildReport

``sources`` are files or folders (a builder takes the files it knows from a folder); when the command line names no
``--source``, the bundled samples in ``hub_tools/data/samples/<module>/`` are used (:func:`default_sources`).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

__all__ = [
    "BuildOptions",
    "BUILDERS",
    "get_builder",
    "default_sources",
    "sample_dir",
    "expand_sources",
    "clean_text",
    "reject",
]

# dataset name -> module (each exposes build(sources, out, options) -> BuildReport)
BUILDERS: dict[str, str] = {
    "mmlu-fa": "hub_tools.data.builders.mmlu_fa",
    "ibmsee": "hub_tools.data.builders.ibmsee",
    "kqa-fa": "hub_tools.data.builders.kqa_fa",
    "mf3qa": "hub_tools.data.builders.mf3qa",
    "corpus": "hub_tools.data.builders.corpus",
}


@dataclass
class BuildOptions:
    """Options every builder receives (a builder ignores those that do not concern it).

    min_answer_chars: answers shorter than this (after normalisation) are dropped ("answer too short").
        20 characters of Persian is a few words: it removes one-word replies ("بله", "خیر", "مراجعه کنید") that
        teach the model nothing, while keeping short factual answers. The value is recorded in the build report.
    near_dup_threshold: MinHash Jaccard threshold above which two rows are near duplicates.
    contamination: what to do when a training row overlaps a benchmark/test row: "warn" (drop and report),
        "fail" (raise), "off" (do not check).
    seed: every random choice (subsets, splits) derives from it.
    cpt_fraction: share of the corpus in the deterministic "cpt" subset.
    extra: builder-specific options (``--set KEY=VALUE`` on the command line).
    """

    on_error: str = "raise"
    fold_digits: bool = False
    min_answer_chars: int = 20
    near_dup_threshold: float = 0.8
    contamination: str = "warn"
    seed: int = 0
    cpt_fraction: float = 0.6
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.on_error not in ("raise", "skip"):
            raise ValueError(f"on_error must be 'raise' or 'skip', got {self.on_error!r}")
        if self.contamination not in ("warn", "fail", "off"):
            raise ValueError(f"contamination must be 'warn', 'fail' or 'off', got {self.contamination!r}")
        if not 0.0 < self.near_dup_threshold <= 1.0:
            raise ValueError("near_dup_threshold must be in (0, 1]")
        if not 0.0 < self.cpt_fraction <= 1.0:
            raise ValueError("cpt_fraction must be in (0, 1]")

    def to_dict(self) -> dict[str, Any]:
        return {
            "on_error": self.on_error,
            "fold_digits": self.fold_digits,
            "min_answer_chars": self.min_answer_chars,
            "near_dup_threshold": self.near_dup_threshold,
            "contamination": self.contamination,
            "seed": self.seed,
            "cpt_fraction": self.cpt_fraction,
            "extra": dict(self.extra),
        }


def get_builder(name: str):
    """The builder module for dataset ``name`` (imported lazily)."""
    if name not in BUILDERS:
        raise KeyError(f"unknown dataset {name!r}; known: {', '.join(BUILDERS)}")
    return importlib.import_module(BUILDERS[name])


def sample_dir(name: str) -> Path:
    """The folder of the bundled samples of dataset ``name`` (``hub_tools/data/samples/<module>``)."""
    module = BUILDERS[name].rsplit(".", 1)[-1]
    return Path(str(resources.files("hub_tools.data") / "samples" / module))


def default_sources(name: str) -> list[Path]:
    return [sample_dir(name)]


def expand_sources(sources: Iterable[str | Path], patterns: Iterable[str]) -> list[Path]:
    """Files named directly, plus the files matching ``patterns`` (recursive glob) inside each named folder; sorted
    within each folder, the order of ``sources`` otherwise; duplicates removed."""
    patterns = list(patterns)
    out: list[Path] = []
    seen = set()
    for source in sources:
        source = Path(source)
        if source.is_dir():
            found = sorted({p for pattern in patterns for p in source.glob(pattern) if p.is_file()})
        else:
            found = [source]
        for p in found:
            key = p.resolve()
            if key not in seen:
                seen.add(key)
                out.append(p)
    return out


def clean_text(text: str, options: BuildOptions, report=None, *, redact: bool = True) -> str:
    """The shared clean-up of one text field: :func:`normalize_persian` (digits folded when ``options.fold_digits``),
    then, when ``redact``, :func:`redact_personal_data` with the counts added to ``report``."""
    from hub_tools.data.normalize import normalize_persian
    from hub_tools.data.redact import redact_personal_data

    text = normalize_persian(text, fold_digits=options.fold_digits)
    if redact:
        text, counts = redact_personal_data(text)
        if report is not None:
            report.count_redactions(counts)
    return text


def reject(row, column: str | None, reason: str, options: BuildOptions, report) -> None:
    """A row whose values are unusable (answer out of range, text empty after clean-up, ...): with
    ``on_error="raise"`` a :class:`~hub_tools.data.readers.DataError` naming file, row and column; with ``"skip"``
    the row is quarantined and counted as dropped (``"quarantined: <reason>"``), like a reader error."""
    from hub_tools.data.readers import DataError

    if options.on_error == "raise":
        raise DataError(row.file, reason, row=row.row, column=column)
    report.quarantine(row.file, row.row, column, reason, {**row.values, **row.extra})
    report.drop(row.file, f"quarantined: {reason}")

"""MMLU-fa: the Persian translation of the six medical MMLU subjects.

Sources: ``mmlu-<subject>_fa.xlsx`` files (a folder is searched for them) with columns question, option1..option4,
answer (1-4) and Source. Output (SCHEMAS.md §1): one config per subject plus ``all`` (default), split ``test``,
columns id, question, choices (4), answer (ClassLabel A-D, stored as 0-3), subject.

Clean-up: every text goes through :func:`normalize_persian` and :func:`redact_personal_data`; within a subject, a
question whose normalised text and choices repeat an earlier one is dropped as an exact duplicate. ``all`` is the
concatenation of the subjects, like MMLU's own ``all``: the 38 questions that English MMLU itself has in both
clinical knowledge and college medicine stay in both subjects (and twice in ``all``), so that per-subject scores and
the 1,089-question micro average are those of the paper; the count is recorded (``cross_subject_duplicates``).
``id`` is ``<subject>-<nnnn>``, nnnn the 1-based position of the row in its source sheet, so ids are stable when
other rows are dropped.
"""

from __future__ import annotations

import re
from pathlib import Path

from hub_tools.data.builders import BuildOptions, expand_sources
from hub_tools.data.builders._multiple_choice import LETTERS, mc_columns, mc_features, parse_mc_row
from hub_tools.data.readers import DataError, read_xlsx
from hub_tools.data.report import BuildReport

NAME = "mmlu-fa"
SUBJECTS = (
    "anatomy",
    "clinical_knowledge",
    "college_biology",
    "college_medicine",
    "medical_genetics",
    "professional_medicine",
)
FILE_PATTERN = "mmlu-*_fa.xlsx"
FILE_RE = re.compile(r"^mmlu-(?P<subject>[a-z][a-z_]*?)_fa\.xlsx$", re.IGNORECASE)
COLUMNS = mc_columns("answer")
OPTIONAL = {"source": str}


def features():
    return mc_features("subject")


def subject_of(path: Path) -> str:
    match = FILE_RE.match(path.name)
    if not match:
        raise DataError(path.name, f"file name must look like {FILE_PATTERN} (mmlu-<subject>_fa.xlsx)")
    return match["subject"].lower()


def build(sources: list[Path], out: Path, options: BuildOptions) -> BuildReport:
    from datasets import Dataset, DatasetDict

    from hub_tools.data.output import write_dataset

    report = BuildReport(NAME)
    files = expand_sources(sources, [FILE_PATTERN])
    if not files:
        raise DataError(", ".join(map(str, sources)), f"no {FILE_PATTERN} file found")
    rows_by_subject: dict[str, list[dict]] = {}
    seen_by_subject: dict[str, dict[tuple, int]] = {}
    conflicting = 0
    for path in files:
        subject = subject_of(path)
        rows = rows_by_subject.setdefault(subject, [])
        seen = seen_by_subject.setdefault(subject, {})
        for row in read_xlsx(path, COLUMNS, optional_columns=OPTIONAL, on_error=options.on_error, report=report):
            parsed = parse_mc_row(row, "answer", options, report)
            if parsed is None:
                continue
            question, choices, answer = parsed
            key = (question, tuple(choices))
            if key in seen:
                if seen[key] != answer:
                    conflicting += 1
                report.add_duplicates(1, "exact", file=row.file)
                continue
            seen[key] = answer
            rows.append(
                {
                    "id": f"{subject}-{row.row - 1:04d}",
                    "question": question,
                    "choices": choices,
                    "answer": answer,
                    "subject": subject,
                }
            )
            report.keep(row.file)

    feats = features()
    configs: dict[str, DatasetDict] = {}
    ordered = [s for s in SUBJECTS if s in rows_by_subject] + sorted(set(rows_by_subject) - set(SUBJECTS))
    for subject in ordered:
        configs[subject] = DatasetDict({"test": Dataset.from_list(rows_by_subject[subject], features=feats)})
    all_rows = [r for subject in ordered for r in rows_by_subject[subject]]
    configs["all"] = DatasetDict({"test": Dataset.from_list(all_rows, features=feats)})
    report.set_stat("subjects", {subject: len(rows_by_subject[subject]) for subject in ordered})
    report.set_stat(
        "answer_distribution", {LETTERS[i]: sum(1 for r in all_rows if r["answer"] == i) for i in range(4)}
    )
    report.set_stat("conflicting_duplicates", conflicting)
    subjects_of: dict[tuple, set[str]] = {}
    for subject, seen in seen_by_subject.items():
        for key in seen:
            subjects_of.setdefault(key, set()).add(subject)
    report.set_stat("cross_subject_duplicates", sum(1 for s in subjects_of.values() if len(s) > 1))
    report.set_stat("options", options.to_dict())
    write_dataset(out, configs, report, NAME, default_config="all")
    return report

"""K-QA-fa: the Persian translation of the K-QA free-form medical QA benchmark.

Source: ``questions_w_answers_fa.jsonl`` (a folder is searched for ``*.jsonl``), one object per line with Question,
Free_form_answer, Must_have, Nice_to_have, Sources and ICD_10_diag. Must_have / Nice_to_have are lists (a JSON
array, or the text of a Python list as in the authors' file); Sources is a list or text with one URL per line;
ICD_10_diag may be missing (null/NaN) and is then "". Output (SCHEMAS.md §1): config ``default``, split ``test``,
columns id, question, free_form_answer, must_have (list), nice_to_have (list), sources (list), icd_10_diag.

Clean-up: question, answer and every statement go through :func:`normalize_persian` and
:func:`redact_personal_data` (counted); sources are reference URLs and are kept as written (stripped, empty entries
removed, URL fragments split off by a line break joined back); empty statements are removed from the lists
(counted as ``empty_statements_removed``); a row without any must-have statement is unusable for the metrics and
rejected; exact duplicates (same normalised question) are dropped. ``id`` is ``kqa-<nnn>``, nnn the line number in the source file.
"""

from __future__ import annotations

import re
from pathlib import Path

from hub_tools.data.builders import BuildOptions, clean_text, expand_sources, reject
from hub_tools.data.readers import DataError, read_jsonl
from hub_tools.data.report import BuildReport

NAME = "kqa-fa"
FILE_PATTERN = "*.jsonl"
COLUMNS = {
    "question": str,
    "free_form_answer": str,
    "must_have": list,
    "nice_to_have": list,
}
OPTIONAL = {"sources": (list, str), "icd_10_diag": str}


def features():
    from datasets import Features, List, Value

    return Features(
        {
            "id": Value("string"),
            "question": Value("string"),
            "free_form_answer": Value("string"),
            "must_have": List(Value("string")),
            "nice_to_have": List(Value("string")),
            "sources": List(Value("string")),
            "icd_10_diag": Value("string"),
        }
    )


def split_sources(value) -> tuple[list[str], int]:
    """Sources as a list of URLs, and how many wrapped fragments were joined.

    A list is kept (entries stripped); text is split on whitespace (one URL per line in the source). A fragment that
    does not start a URL (``http(s)://``, ``www.``) is the rest of a URL that a line break wrapped in the source and is
    joined to the entry before it (the real file has a few, e.g. ``...drug-information?\\n search=robaxin&...``).
    """
    if value is None:
        return [], 0
    items = value if isinstance(value, list) else re.split(r"\s+", str(value))
    out: list[str] = []
    joined = 0
    for item in (str(i).strip() for i in items):
        if not item:
            continue
        if out and not re.match(r"^(?:[a-z][a-z0-9+.-]*://|www\.)", item, re.IGNORECASE):
            out[-1] += item
            joined += 1
        else:
            out.append(item)
    return out, joined


def build(sources: list[Path], out: Path, options: BuildOptions) -> BuildReport:
    from datasets import Dataset, DatasetDict

    from hub_tools.data.output import write_dataset

    report = BuildReport(NAME)
    files = expand_sources(sources, [FILE_PATTERN])
    if not files:
        raise DataError(", ".join(map(str, sources)), f"no {FILE_PATTERN} file found")
    rows: list[dict] = []
    seen: set[str] = set()
    statements = {"must_have": 0, "nice_to_have": 0}
    empty_statements = 0
    joined_fragments = 0
    for path in files:
        prefix = "kqa" if len(files) == 1 else f"kqa-{path.stem}"
        for row in read_jsonl(path, COLUMNS, optional_columns=OPTIONAL, on_error=options.on_error, report=report):
            lists = {}
            bad = None
            for column in ("must_have", "nice_to_have"):
                items = row[column]
                if any(not isinstance(item, str) for item in items):
                    bad = column
                    break
                cleaned = [clean_text(item, options, report) for item in items]
                lists[column] = [item for item in cleaned if item]
                empty_statements += len(cleaned) - len(lists[column])
            if bad:
                reject(row, bad, "wrong type in list (expected strings)", options, report)
                continue
            question = clean_text(row["question"], options, report)
            answer = clean_text(row["free_form_answer"], options, report)
            if not question:
                reject(row, "question", "text empty after normalisation", options, report)
                continue
            if not answer:
                reject(row, "free_form_answer", "text empty after normalisation", options, report)
                continue
            if not lists["must_have"]:
                reject(row, "must_have", "no must-have statement", options, report)
                continue
            if question in seen:
                report.add_duplicates(1, "exact", file=row.file)
                continue
            seen.add(question)
            icd = row["icd_10_diag"]
            urls, joined = split_sources(row["sources"])
            joined_fragments += joined
            rows.append(
                {
                    "id": f"{prefix}-{row.row:03d}",
                    "question": question,
                    "free_form_answer": answer,
                    "must_have": lists["must_have"],
                    "nice_to_have": lists["nice_to_have"],
                    "sources": urls,
                    "icd_10_diag": clean_text(icd, options, None, redact=False) if icd else "",
                }
            )
            for column in statements:
                statements[column] += len(lists[column])
            report.keep(row.file)

    configs = {"default": DatasetDict({"test": Dataset.from_list(rows, features=features())})}
    report.set_stat("statements", statements)
    report.set_stat("empty_statements_removed", empty_statements)
    report.set_stat("wrapped_source_fragments_joined", joined_fragments)
    report.set_stat("with_icd_10_diag", sum(1 for r in rows if r["icd_10_diag"]))
    report.set_stat("with_nice_to_have", sum(1 for r in rows if r["nice_to_have"]))
    report.set_stat("options", options.to_dict())
    write_dataset(out, configs, report, NAME, default_config="default")
    return report

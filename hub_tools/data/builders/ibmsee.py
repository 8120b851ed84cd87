"""IBMSEE: the Iranian Basic Medical Sciences Entrance Exam (medicine), one config per exam sitting.

Sources: ``ibmsee_<sitting>.xlsx`` files (a folder is searched for them) with columns Question, Option1..Option4,
Correct answer (1-4), Topic and Source. The sitting comes from the file name and is looked up in :data:`SITTINGS`
(its label and pass mark); sittings are never mixed: each is its own config, and ``all`` is added when there are
several. Output (SCHEMAS.md §1): split ``test``, columns id, question, choices (4), answer (ClassLabel A-D, 0-3),
topic, sitting, source.

Clean-up: the shared normaliser and redaction on question, options, topic and source; the topic is canonicalised
(normalised, ZWNJ read as a space) so that spellings that differ only in Arabic/Persian letters or half-spaces are
one topic; exact duplicates (same normalised question and options) within a sitting are dropped. ``id`` is
``<sitting>-<nnn>``, nnn the question's position in the sheet (the booklet order). The pass mark (36% of the
questions for the Shahrivar 1402 sitting) is written to ``metadata.json``, the report and the card.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from hub_tools.data.builders import BuildOptions, clean_text, expand_sources, reject
from hub_tools.data.builders._multiple_choice import LETTERS, mc_columns, mc_features, parse_mc_row
from hub_tools.data.normalize import ZWNJ
from hub_tools.data.readers import DataError, read_xlsx
from hub_tools.data.report import BuildReport

NAME = "ibmsee"
FILE_PATTERN = "ibmsee_*.xlsx"
FILE_RE = re.compile(r"^ibmsee_(?P<sitting>[a-z0-9_]+)\.xlsx$", re.IGNORECASE)
DEFAULT_SITTING = "sept2023"
# sitting -> what is known about it. pass_mark is the share of questions a candidate must answer correctly.
SITTINGS: dict[str, dict] = {
    "sept2023": {
        "label": "Shahrivar 1402 (September 2023)",
        "label_fa": "شهریور ۱۴۰۲",
        "date": "2023-09",
        "pass_mark": 0.36,
    },
}
COLUMNS = mc_columns("correct_answer", topic=str)
OPTIONAL = {"source": str}


def features():
    return mc_features("topic", "sitting", "source")


def sitting_of(path: Path) -> str:
    match = FILE_RE.match(path.name)
    if not match:
        raise DataError(
            path.name, f"file name must look like {FILE_PATTERN} (ibmsee_<sitting>.xlsx, e.g. ibmsee_sept2023.xlsx)"
        )
    return match["sitting"].lower()


def sitting_info(sitting: str, options: BuildOptions) -> dict:
    """The sitting's label and pass mark; an unknown sitting needs ``--set pass_mark=<0-1>`` (and may set a label)."""
    if sitting in SITTINGS:
        info = dict(SITTINGS[sitting])
    elif "pass_mark" in options.extra:
        info = {
            "label": str(options.extra.get("sitting_label", sitting)),
            "label_fa": "",
            "date": "",
            "pass_mark": None,
        }
    else:
        raise DataError(
            f"ibmsee_{sitting}.xlsx",
            f"unknown exam sitting {sitting!r} (known: {', '.join(SITTINGS)}); "
            "give its pass mark with --set pass_mark=0.36",
        )
    if "pass_mark" in options.extra:
        info["pass_mark"] = float(options.extra["pass_mark"])
    if not 0.0 < float(info["pass_mark"]) <= 1.0:
        raise ValueError(f"pass mark must be in (0, 1], got {info['pass_mark']!r}")
    return info


def canonical_topic(topic: str, options: BuildOptions) -> str:
    text = clean_text(topic, options, None, redact=False).replace(ZWNJ, " ")
    return re.sub(r"\s+", " ", text).strip()


def build(sources: list[Path], out: Path, options: BuildOptions) -> BuildReport:
    from datasets import Dataset, DatasetDict

    from hub_tools.data.output import write_dataset

    report = BuildReport(NAME)
    files = expand_sources(sources, [FILE_PATTERN])
    if not files:
        raise DataError(", ".join(map(str, sources)), f"no {FILE_PATTERN} file found")
    by_sitting: dict[str, list[dict]] = {}
    infos: dict[str, dict] = {}
    variants: dict[str, set[str]] = {}
    for path in files:
        sitting = sitting_of(path)
        infos[sitting] = sitting_info(sitting, options)
        rows = by_sitting.setdefault(sitting, [])
        seen: set[tuple] = {(r["question"], tuple(r["choices"])) for r in rows}
        for row in read_xlsx(path, COLUMNS, optional_columns=OPTIONAL, on_error=options.on_error, report=report):
            parsed = parse_mc_row(row, "correct_answer", options, report)
            if parsed is None:
                continue
            question, choices, answer = parsed
            topic = canonical_topic(row["topic"], options)
            if not topic:
                reject(row, "topic", "text empty after normalisation", options, report)
                continue
            variants.setdefault(topic, set()).add(row["topic"].strip())
            key = (question, tuple(choices))
            if key in seen:
                report.add_duplicates(1, "exact", file=row.file)
                continue
            seen.add(key)
            source = clean_text(row["source"], options, report) if row["source"] else infos[sitting]["label"]
            rows.append(
                {
                    "id": f"{sitting}-{row.row - 1:03d}",
                    "question": question,
                    "choices": choices,
                    "answer": answer,
                    "topic": topic,
                    "sitting": sitting,
                    "source": source,
                }
            )
            report.keep(row.file)

    feats = features()
    order = ([DEFAULT_SITTING] if DEFAULT_SITTING in by_sitting else []) + sorted(
        s for s in by_sitting if s != DEFAULT_SITTING
    )
    configs = {s: DatasetDict({"test": Dataset.from_list(by_sitting[s], features=feats)}) for s in order}
    if len(order) > 1:
        all_rows = [r for s in order for r in by_sitting[s]]
        configs["all"] = DatasetDict({"test": Dataset.from_list(all_rows, features=feats)})
    sittings_meta = {
        s: {
            **infos[s],
            "questions": len(by_sitting[s]),
            "pass_mark_questions": _questions_to_pass(infos[s], by_sitting[s]),
        }
        for s in order
    }
    default = order[0]
    metadata = {"pass_mark": infos[default]["pass_mark"], "default_sitting": default, "sittings": sittings_meta}
    topics = Counter(r["topic"] for s in order for r in by_sitting[s])
    report.set_stat("sittings", sittings_meta)
    report.set_stat("pass_mark", infos[default]["pass_mark"])
    report.set_stat("topics", dict(topics.most_common()))
    report.set_stat("topic_variants_merged", {t: sorted(v) for t, v in sorted(variants.items()) if len(v) > 1})
    report.set_stat("options", options.to_dict())
    report.set_stat("card_metadata", {"pass_mark": infos[default]["pass_mark"]})
    write_dataset(out, configs, report, NAME, default_config=default, metadata=metadata)
    return report


def _questions_to_pass(info: dict, rows: list[dict]) -> int:
    import math

    return math.ceil(round(float(info["pass_mark"]) * len(rows), 9))

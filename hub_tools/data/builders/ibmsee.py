"""IBMSEE: the Iranian Basic Medical Sciences Entrance Exam, one config per exam sitting, plus ``all``.

Sources: any ``.xlsx`` file (a folder is searched for them) with columns Question, Option1..Option4, Correct answer
(1-4), Topic and Source. A file may hold several sittings in one sheet.

Sittings come from each row's ``Source`` cell (:func:`parse_source`), e.g. ``پزشکی شهریور 402`` or
``دندانپزشکی اسفند 1400``: programme (پزشکی -> medicine, دندانپزشکی -> dentistry, داروسازی -> pharmacy), month
and solar year (short ``402`` / ``02`` or full ``1402``; Persian, Arabic-Indic or ASCII digits; bidi controls and
Arabic letter forms folded with :mod:`hub_tools.folding`). The stable id is ``<programme>-<year>-<month>``, the month
numbered in the solar (Hijri Shamsi) calendar: Farvardin 01 … Shahrivar 06 … Esfand 12 (``پزشکی شهریور 402`` ->
``medicine-1402-06``), with a Persian and an English label. Only when a file has no ``Source`` column (or a row
leaves it blank) does the file name name the sitting (``ibmsee_sept2023.xlsx`` -> ``medicine-1402-06``; any other
name -> its stem). A Source that cannot be read rejects its row with the reason (nothing is dropped silently).

Each sitting is its own config, and ``all`` is added when there are several. The pass mark of a sitting is recorded
only when a source supports it (:data:`PASS_MARKS`: 36% for medicine, Shahrivar 1402, stated in the Gaokerena
paper) or the maintainer gives it (``--set pass_mark=0.4``); otherwise it is absent and the card says it is not
known. It is never guessed.

Output (SCHEMAS.md §1): split ``test``, columns id, question, choices (4), answer (ClassLabel A-D, 0-3), topic,
sitting, source. Clean-up: the shared normaliser and redaction on question, options and source; topics are folded
to one spelling (bidi controls removed, Arabic letter and presentation forms folded, ZWNJ and spaces unified);
exact duplicates (same normalised question and options) within a sitting are dropped. ``id`` is
``<sitting>-<nnn>``, nnn the question's position within its sitting in the sheet (the booklet order).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from hub_tools.data.builders import BuildOptions, clean_text, expand_sources, reject
from hub_tools.data.builders._multiple_choice import mc_columns, mc_features, parse_mc_row
from hub_tools.data.readers import DataError, read_xlsx
from hub_tools.data.report import BuildReport
from hub_tools.evaluation.schema import IBMSEE_PASS_MARKS
from hub_tools.folding import ZWNJ, fold_digits, fold_letters, fold_presentation_forms, strip_bidi

NAME = "ibmsee"
FILE_PATTERN = "*.xlsx"
DEFAULT_SITTING = "medicine-1402-06"
PROGRAMMES = {"پزشکی": ("medicine", "Medicine"), "دندانپزشکی": ("dentistry", "Dentistry"),
              "داروسازی": ("pharmacy", "Pharmacy")}  # fmt: skip
#: Solar (Hijri Shamsi) months: Persian name -> (number, English transliteration).
SOLAR_MONTHS = {
    "فروردین": (1, "Farvardin"), "اردیبهشت": (2, "Ordibehesht"), "خرداد": (3, "Khordad"), "تیر": (4, "Tir"),
    "مرداد": (5, "Mordad"), "امرداد": (5, "Mordad"), "شهریور": (6, "Shahrivar"), "مهر": (7, "Mehr"),
    "آبان": (8, "Aban"), "آذر": (9, "Azar"), "دی": (10, "Dey"), "بهمن": (11, "Bahman"), "اسفند": (12, "Esfand"),
}  # fmt: skip
#: Pass marks a source supports (share of the questions): sitting id -> (mark, source).
PASS_MARKS: dict[str, tuple[float, str]] = IBMSEE_PASS_MARKS
#: Legacy file names (``ibmsee_<name>.xlsx``) that name a sitting, for files without a Source column.
FILE_SITTINGS = {"sept2023": "medicine-1402-06"}
COLUMNS = mc_columns("correct_answer", topic=str)
OPTIONAL = {"source": str}
_SOURCE_RE = re.compile(r"^(?P<programme>\S+)\s+(?P<month>\S+)\s+(?:سال\s+)?(?P<year>\d{2,4})$")


def _fold(text: str) -> str:
    text = fold_letters(fold_digits(fold_presentation_forms(strip_bidi(str(text)))))
    return " ".join(text.replace(ZWNJ, " ").replace("\u200b", " ").split())


def parse_source(text: str) -> dict | None:
    """``پزشکی شهریور 402`` -> {"id": "medicine-1402-06", "label_fa": …, "label": …}; None when not a sitting."""
    folded = _fold(text).replace("دندان پزشکی", "دندانپزشکی")
    match = _SOURCE_RE.match(folded)
    if not match or match["programme"] not in PROGRAMMES or match["month"] not in SOLAR_MONTHS:
        return None
    year = int(match["year"])
    year = year + 1000 if year < 1000 and len(match["year"]) == 3 else (year + 1400 if year < 100 else year)
    if not 1300 <= year <= 1500:
        return None
    key, programme = PROGRAMMES[match["programme"]]
    month, month_en = SOLAR_MONTHS[match["month"]]
    return {"id": f"{key}-{year}-{month:02d}", "label": f"{programme}, {month_en} {year}",
            "label_fa": f"{match['programme']} {match['month']} {year}", "programme": key, "year": year,
            "month": month}  # fmt: skip


def sitting_from_file(path: Path) -> dict:
    stem = path.stem
    name = stem[len("ibmsee_") :] if stem.lower().startswith("ibmsee_") else stem
    sitting = FILE_SITTINGS.get(name.lower())
    if sitting is not None:
        programme, year, month = sitting.split("-")
        key = next(fa for fa, (k, _) in PROGRAMMES.items() if k == programme)
        month_fa = next(fa for fa, (n, _) in SOLAR_MONTHS.items() if n == int(month))
        return parse_source(f"{key} {month_fa} {year}") | {"from": "file name"}
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "sitting"
    return {"id": slug, "label": name, "label_fa": name, "from": "file name"}


def sitting_info(sitting: dict, options: BuildOptions) -> dict:
    """Label, pass mark (only when a source supports it or ``--set pass_mark`` gives it) and where it came from."""
    info = {k: v for k, v in sitting.items() if k in ("label", "label_fa", "programme", "year", "month")}
    if "pass_mark" in options.extra:
        mark = float(options.extra["pass_mark"])
        if not 0.0 < mark <= 1.0:
            raise ValueError(f"pass mark must be in (0, 1], got {mark!r}")
        info.update(pass_mark=mark, pass_mark_source="given with --set pass_mark")
    elif sitting["id"] in PASS_MARKS:
        info.update(pass_mark=PASS_MARKS[sitting["id"]][0], pass_mark_source=PASS_MARKS[sitting["id"]][1])
    else:
        info.update(pass_mark=None, pass_mark_source=None)
    return info


def features():
    return mc_features("topic", "sitting", "source")


def canonical_topic(topic: str, options: BuildOptions) -> str:
    """One spelling per topic: bidi controls removed, Arabic letter and presentation forms folded, ZWNJ and spaces
    unified (to one ASCII space)."""
    return _fold(clean_text(_fold(topic), options, None, redact=False))


def build(sources: list[Path], out: Path, options: BuildOptions) -> BuildReport:
    from datasets import Dataset, DatasetDict

    from hub_tools.data.output import write_dataset

    report = BuildReport(NAME)
    files = expand_sources(sources, [FILE_PATTERN])
    files = [f for f in files if not f.name.startswith("~$")]
    if not files:
        raise DataError(", ".join(map(str, sources)), f"no {FILE_PATTERN} file found")
    by_sitting: dict[str, list[dict]] = {}
    infos: dict[str, dict] = {}
    variants: dict[str, set[str]] = {}
    seen_by_sitting: dict[str, set[tuple]] = {}
    for path in files:
        from_file = None
        for row in read_xlsx(path, COLUMNS, optional_columns=OPTIONAL, on_error=options.on_error, report=report):
            raw_source = row["source"] or ""
            if raw_source.strip():
                sitting = parse_source(raw_source)
                if sitting is None:
                    reject(row, "source", f"not an exam sitting ({raw_source.strip()!r}; expected e.g. "
                           "'پزشکی شهریور 402')", options, report)  # fmt: skip
                    continue
            else:
                sitting = from_file = from_file or sitting_from_file(path)
            sid = sitting["id"]
            if sid not in infos:
                infos[sid] = sitting_info(sitting, options)
            rows = by_sitting.setdefault(sid, [])
            parsed = parse_mc_row(row, "correct_answer", options, report)
            if parsed is None:
                continue
            question, choices, answer = parsed
            topic = canonical_topic(row["topic"], options)
            if not topic:
                reject(row, "topic", "text empty after normalisation", options, report)
                continue
            variants.setdefault(topic, set()).add(row["topic"])
            key = (question, tuple(choices))
            seen = seen_by_sitting.setdefault(sid, set())
            if key in seen:
                report.add_duplicates(1, "exact", file=row.file)
                continue
            seen.add(key)
            source = clean_text(raw_source, options, report) if raw_source.strip() else infos[sid]["label_fa"]
            rows.append(
                {
                    "id": f"{sid}-{len(rows) + 1:03d}",
                    "question": question,
                    "choices": choices,
                    "answer": answer,
                    "topic": topic,
                    "sitting": sid,
                    "source": _fold(source) if raw_source.strip() else source,
                }
            )
            report.keep(row.file)

    feats = features()
    by_sitting = {s: r for s, r in by_sitting.items() if r}
    if not by_sitting:
        raise DataError(", ".join(map(str, files)), "no question kept (see the rejected rows)")
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
    known = infos[default]["pass_mark"]
    report.set_stat("card_metadata", {"pass_mark": known} if known is not None else {})
    write_dataset(out, configs, report, NAME, default_config=default, metadata=metadata)
    return report


def _questions_to_pass(info: dict, rows: list[dict]) -> int | None:
    import math

    if info["pass_mark"] is None:
        return None
    return math.ceil(round(float(info["pass_mark"]) * len(rows), 9))

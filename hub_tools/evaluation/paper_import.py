"""Import the Gaokerena paper's per-question result spreadsheets into our result schema, re-scored row by row.

Layout (as the authors publish it): ``DIR/<benchmark folder>/<system>.xlsx`` with columns Question,
question_choices, correct_answer (A-D), model_prompt, AI_answer, AI_chosen_answer (A-D or "invalid").

- Benchmark folders: MMLU_Anatomy, MMLU-clinical_knowledge, MMLU-college_biology, MMLU-college_medicine,
  MMLU-medical_genetics, MMLU-professional_medicine (-> mmlu-fa, one subset per subject) and kopp (-> ibmsee,
  sitting medicine-1402-06: medicine, Shahrivar 1402). Folder names match case-insensitively with "-" and "_" treated alike.
- Systems: see ``PAPER_SYSTEMS`` (model id, display name, type). gaokerena is the authors' released adapter
  ``gaokerena/gaokerena-v1.0`` (on CohereForAI/aya-expanse-8b); the two MedMobile rows are translation pipelines,
  named ``KrithikV/MedMobile+<translator>`` — pipeline identifiers, not Hub repos (their url is MedMobile's page).
- Every row is scored again: correct = AI_chosen_answer == correct_answer; "invalid" counts as wrong, and so does a
  blank AI_chosen_answer cell (the model gave no answer): inside n, recorded as prediction "invalid" with
  ``no_answer: true`` and counted in ``metrics.no_answer`` (and per subset). No accuracy is copied from the paper.
- One result per system × benchmark (all subject folders of a system go into one mmlu-fa result, a subset each);
  the whole tree (six subjects + ``kopp``) imports in one command.
- Question ids follow the dataset builders (``<subject>-<row:04d>``, ``<sitting>-<row:03d>``). A complete file (as
  many rows as the benchmark) lists the questions in source order: the i-th row gets the i-th id. A shortened
  file (e.g. 136 of 144 rows) is matched row by row to a reference, by normalised question text (the folding
  module's match key) or, when the question is a translation (the MedMobile pipelines' English), by its option
  texts. The reference is the built dataset when given (``--mmlu-dataset`` / ``--ibmsee-dataset``), else a complete
  file of another system in the same folder. A row that matches nothing, or a shortened file with no reference,
  stops the import with an error naming the file and row: a positional guess is never made.
- Paper tables: ``config.paper_table`` holds every Table III/IV cell the files give (percent as the paper prints
  it), beside the paper's figure where :data:`PAPER_TABLES` knows it (``agrees``: within ±0.01);
  ``config.paper_differences`` lists the cells that differ, with :data:`PAPER_KNOWN_DIFFERENCES`' notes (the two
  averages the files cannot give).
- Paths in a result are relative to the imported folder (``paper_dir`` is its name only), never absolute.

``paper_percent`` shows an accuracy the way the paper prints it (percent truncated to 2 decimals: 48.148… -> 48.14).
"""

from __future__ import annotations

import ast
import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hub_tools.folding import match_key

from . import stats
from .mc import score_records
from .schema import DATASET_IDS, BenchmarkInfo, ModelInfo, Result, ibmsee_pass_mark, utc_now

REQUIRED_COLUMNS = ("Question", "question_choices", "correct_answer", "model_prompt", "AI_answer", "AI_chosen_answer")
LETTERS = ("A", "B", "C", "D")
NO_ANSWER = "no answer"  # a blank AI_chosen_answer cell: the model gave no answer (wrong, inside n)


class PaperImportError(ValueError):
    """A paper spreadsheet is malformed; the message names the file (and the row: spreadsheet numbering)."""


@dataclass(frozen=True)
class PaperFolder:
    benchmark: str
    subset: str  # subject or sitting
    config: str
    id_format: str
    expected_rows: int


def _folder_key(name: str) -> str:
    return name.lower().replace("-", "_").replace(" ", "_")


PAPER_FOLDERS: dict[str, PaperFolder] = {
    "mmlu_anatomy": PaperFolder("mmlu-fa", "anatomy", "anatomy", "anatomy-{:04d}", 135),
    "mmlu_clinical_knowledge": PaperFolder("mmlu-fa", "clinical_knowledge", "clinical_knowledge", "clinical_knowledge-{:04d}", 265),
    "mmlu_college_biology": PaperFolder("mmlu-fa", "college_biology", "college_biology", "college_biology-{:04d}", 144),
    "mmlu_college_medicine": PaperFolder("mmlu-fa", "college_medicine", "college_medicine", "college_medicine-{:04d}", 173),
    "mmlu_medical_genetics": PaperFolder("mmlu-fa", "medical_genetics", "medical_genetics", "medical_genetics-{:04d}", 100),
    "mmlu_professional_medicine": PaperFolder("mmlu-fa", "professional_medicine", "professional_medicine", "professional_medicine-{:04d}", 272),
    "kopp": PaperFolder("ibmsee", "medicine-1402-06", "medicine-1402-06", "medicine-1402-06-{:03d}", 168),
}  # fmt: skip

MMLU_SUBJECTS = tuple(f.subset for f in PAPER_FOLDERS.values() if f.benchmark == "mmlu-fa")

#: The paper's printed figures (percent, truncated to two decimals) that the import checks cell by cell:
#: (system, benchmark, subset or "average") -> figure. Table III's anatomy column and the two averages named below
#: are here; add the other cells as (system, benchmark, cell) keys and every import compares them to ±0.01.
PAPER_TABLES: dict[tuple[str, str, str], float] = {
    ("gaokerena", "mmlu-fa", "anatomy"): 48.14,
    ("aya_expanse", "mmlu-fa", "anatomy"): 40.74,
    ("qwen2.5", "mmlu-fa", "anatomy"): 41.48,
    ("persianmind", "mmlu-fa", "anatomy"): 25.18,
    ("medmobile_gemma2b_translator", "mmlu-fa", "anatomy"): 14.07,
    ("medmobile_parsinlu_translator", "mmlu-fa", "anatomy"): 25.18,
    ("qwen2.5", "mmlu-fa", "average"): 45.17,
    ("medmobile_parsinlu_translator", "mmlu-fa", "average"): 30.99,
}
#: Cells the authors' files cannot reproduce: the paper's figure beside what the files give.
PAPER_KNOWN_DIFFERENCES: dict[tuple[str, str, str], str] = {
    ("qwen2.5", "mmlu-fa", "average"): "the paper prints 45.17; the authors' per-question files give 45.14",
    ("medmobile_parsinlu_translator", "mmlu-fa", "average"): "the paper prints 30.99; the authors' per-question files "
                                                              "give 30.95",
}

PAPER_SYSTEMS: dict[str, dict] = {
    "gaokerena": {"id": "gaokerena/gaokerena-v1.0", "display_name": "Gaokerena-V1", "type": "fine-tuned",
                  "url": "https://huggingface.co/gaokerena/gaokerena-v1.0"},
    "aya_expanse": {"id": "CohereForAI/aya-expanse-8b", "display_name": "Aya Expanse 8B", "type": "base",
                    "url": "https://huggingface.co/CohereForAI/aya-expanse-8b"},
    "qwen2.5": {"id": "Qwen/Qwen2.5-7B-Instruct", "display_name": "Qwen2.5-7B-Instruct", "type": "general",
                "url": "https://huggingface.co/Qwen/Qwen2.5-7B-Instruct"},
    "persianmind": {"id": "universitytehran/PersianMind-v1.0", "display_name": "PersianMind", "type": "general",
                    "url": "https://huggingface.co/universitytehran/PersianMind-v1.0"},
    "medmobile_gemma2b_translator": {"id": "KrithikV/MedMobile+google/gemma-2b-it",
                                     "display_name": "MedMobile + gemma-2b-it translator",
                                     "type": "translation-pipeline", "url": "https://huggingface.co/KrithikV/MedMobile"},
    "medmobile_parsinlu_translator": {"id": "KrithikV/MedMobile+persiannlp/parsinlu-translation",
                                      "display_name": "MedMobile + ParsiNLU translator",
                                      "type": "translation-pipeline", "url": "https://huggingface.co/KrithikV/MedMobile"},
}  # fmt: skip


def paper_percent(accuracy: float) -> float:
    """An accuracy (0-1) as the paper prints it: percent truncated (not rounded) to two decimals."""
    return math.floor(accuracy * 10000 + 1e-6) / 100


def normalize_question(text: str) -> str:
    """Text key for matching a paper row to a benchmark row: the folding module's match key (letters, digits, bidi,
    ZWNJ, punctuation, spaces), with the loose ``teh_marbuta`` option (the files spell loanwords both ways)."""
    return match_key(str(text), teh_marbuta=True)


def options_key(choices: Sequence[str]) -> str:
    """Key of the four option texts (for rows whose question is a translation: the options stay Persian)."""
    return " | ".join(normalize_question(c) for c in choices)


def _parse_choices(cell: str) -> list[str] | None:
    """The four option texts of a ``question_choices`` cell (``{'A': '…', 'B': '…', …}``), or None."""
    try:
        value = ast.literal_eval(str(cell).strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    if isinstance(value, dict) and all(k in value for k in LETTERS):
        return [str(value[k]) for k in LETTERS]
    return None


def _read_sheet(path: Path) -> list[dict[str, str]]:
    """The sheet's data rows as {column: text} (cells as text, empty cells "")."""
    from hub_tools.xlsx import XlsxError, read_first_sheet

    try:
        rows = read_first_sheet(path)
    except XlsxError as err:
        raise PaperImportError(f"{path}: cannot read the spreadsheet: {err}") from err
    if not rows:
        raise PaperImportError(f"{path}: the spreadsheet is empty (expected a header row {', '.join(REQUIRED_COLUMNS)})")
    columns = [c.strip() for c in rows[0]]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise PaperImportError(
            f"{path}: missing column(s) {', '.join(repr(c) for c in missing)} (the file has {', '.join(columns)})"
        )
    where = {name: columns.index(name) for name in REQUIRED_COLUMNS}
    data = [{name: (row[i] if i < len(row) else "") for name, i in where.items()} for row in rows[1:]]
    while data and not any(str(v).strip() for v in data[-1].values()):
        data.pop()  # formatting-only rows at the end
    return data


def _letter(value: str, path: Path, row: int, column: str, *, allow_invalid: bool) -> str:
    """A-D, or (for the model's answer) "invalid"; a blank answer cell is :data:`NO_ANSWER`."""
    text = str(value).strip()
    if text.upper() in LETTERS:
        return text.upper()
    if allow_invalid and text.lower() == "invalid":
        return "invalid"
    if allow_invalid and not text:
        return NO_ANSWER
    allowed = "A-D, 'invalid' or blank" if allow_invalid else "A-D"
    shown = repr(text) if text else "an empty cell"
    raise PaperImportError(f"{path}: row {row}, column {column!r}: unknown answer {shown} (expected {allowed})")


@dataclass
class Reference:
    """Where the ids of a shortened file come from: question and option keys -> id, and what they were read from."""

    source: str
    by_question: dict[str, str]
    by_options: dict[str, str]


def _reference_from_dataset(benchmark: str, source: str, subset: str) -> Reference:
    from .data import load_benchmark

    data = load_benchmark(benchmark, source, subset)
    return Reference(
        f"dataset {Path(source).name if Path(source).exists() else source}",
        {normalize_question(q.question): q.id for q in data.items},
        {options_key(q.choices): q.id for q in data.items},
    )


def _reference_from_sheet(rows: list[dict[str, str]], folder: PaperFolder, name: str) -> Reference:
    """A complete sibling file lists the benchmark in source order: row i is question i."""
    by_question, by_options = {}, {}
    for i, row in enumerate(rows):
        qid = folder.id_format.format(i + 1)
        by_question.setdefault(normalize_question(row["Question"]), qid)
        choices = _parse_choices(row["question_choices"])
        if choices:
            by_options.setdefault(options_key(choices), qid)
    return Reference(f"complete file {name}", by_question, by_options)


def import_paper_file(
    path: str | Path, folder: PaperFolder, *, reference: Reference | None = None, rows: list[dict] | None = None
) -> tuple[list[dict], dict]:
    """Records of one spreadsheet (rows re-scored) and how their ids were assigned.

    A complete file (as many rows as the benchmark) is placed by position. A shortened one needs ``reference`` and
    each row is matched by question text, else by its option texts; a row that matches nothing (or an id already
    taken) stops the import with an error: a positional guess is never made.
    """
    path = Path(path)
    frame = rows if rows is not None else _read_sheet(path)
    complete = len(frame) == folder.expected_rows
    if not complete and reference is None:
        raise PaperImportError(
            f"{path}: {len(frame)} rows where the benchmark has {folder.expected_rows}; its rows cannot be placed by "
            "position. Give the built dataset (--mmlu-dataset / --ibmsee-dataset) or keep a complete file of "
            "another system in the same folder, to match rows by question or option text"
        )
    records, taken, how_matched = [], set(), {"question": 0, "options": 0}
    no_answer = 0
    for i, row in enumerate(frame):
        sheet_row = i + 2  # the header is spreadsheet row 1
        gold = _letter(row["correct_answer"], path, sheet_row, "correct_answer", allow_invalid=False)
        prediction = _letter(row["AI_chosen_answer"], path, sheet_row, "AI_chosen_answer", allow_invalid=True)
        if complete:
            qid = folder.id_format.format(i + 1)
        else:
            qid = reference.by_question.get(normalize_question(row["Question"]))
            kind = "question"
            if qid is None or qid in taken:
                choices = _parse_choices(row["question_choices"])
                qid, kind = (reference.by_options.get(options_key(choices)) if choices else None), "options"
            if qid is None or qid in taken:
                why = "already taken by another row" if qid else "no question or option text matches"
                raise PaperImportError(
                    f"{path}: row {sheet_row}: cannot be placed among the {folder.expected_rows} questions of "
                    f"{folder.subset} ({why}; matched against the {reference.source}); a positional guess is never "
                    "made"
                )
            how_matched[kind] += 1
        taken.add(qid)
        record = {
            "id": qid,
            "subset": folder.subset,
            "gold": gold,
            "prediction": "invalid" if prediction == NO_ANSWER else prediction,
            "correct": prediction == gold,
            "raw_output": str(row["AI_answer"]),
            "question": str(row["Question"]),
        }
        choices = _parse_choices(row["question_choices"])
        if choices:
            record["choices"] = choices
        if prediction == NO_ANSWER:
            record["no_answer"] = True
            no_answer += 1
        records.append(record)
    if not records:
        raise PaperImportError(f"{path}: no data rows")
    how = {"file": str(path), "rows": len(records), "expected_rows": folder.expected_rows,
           "ids": "position" if complete else f"matched to the {reference.source}",
           "matched": None if complete else how_matched, "no_answer": no_answer}  # fmt: skip
    return records, how


def _paper_cells(system: str, benchmark: str, subsets: dict) -> dict:
    """Every Table III/IV cell of this system the files give, beside the paper's figure where it is known."""
    cells = {}
    for name, block in subsets.items():
        cells[name] = {"files": paper_percent(block["accuracy"]), "n": block["n"]}
    if benchmark == "mmlu-fa" and len(subsets) == len(MMLU_SUBJECTS):
        # the paper's average: the mean of the six subject accuracies
        mean = sum(block["accuracy"] for block in subsets.values()) / len(subsets)
        cells["average"] = {"files": paper_percent(mean), "n": sum(b["n"] for b in subsets.values())}
    for cell, value in cells.items():
        paper = PAPER_TABLES.get((system, benchmark, cell))
        if paper is not None:
            value["paper"] = paper
            value["agrees"] = abs(value["files"] - paper) <= 0.01 + 1e-9
        note = PAPER_KNOWN_DIFFERENCES.get((system, benchmark, cell))
        if note is not None:
            value["note"] = note
    return cells


@functools.lru_cache(maxsize=64)
def _sheet_rows_cached(path: str, mtime: float) -> tuple:
    return tuple(_read_sheet(Path(path)))


def _sheet_rows(path: Path) -> list[dict[str, str]]:
    return list(_sheet_rows_cached(str(path), path.stat().st_mtime))


def _references(grouped: dict, datasets: dict[str, str]) -> dict[Path, Reference]:
    """Per benchmark folder: the built dataset when one is given, else the first complete file in the folder (only
    folders that hold a shortened file need one)."""
    folders: dict[Path, tuple[PaperFolder, list[Path]]] = {}
    for sheets in grouped.values():
        for folder, sheet in sheets:
            folders.setdefault(sheet.parent, (folder, []))[1].append(sheet)
    out = {}
    for directory, (folder, sheets) in folders.items():
        lengths = {sheet: len(_sheet_rows(sheet)) for sheet in sorted(sheets)}
        if all(n == folder.expected_rows for n in lengths.values()):
            continue
        if folder.benchmark in datasets:
            out[directory] = _reference_from_dataset(folder.benchmark, datasets[folder.benchmark], folder.config)
            continue
        complete = [sheet for sheet, n in lengths.items() if n == folder.expected_rows]
        if complete:
            out[directory] = _reference_from_sheet(_sheet_rows(complete[0]), folder, f"{directory.name}/{complete[0].name}")
    return out


def import_paper_results(
    directory: str | Path,
    *,
    datasets: dict[str, str] | None = None,
    created_at: str | None = None,
    resamples: int = stats.DEFAULT_RESAMPLES,
    seed: int = stats.DEFAULT_SEED,
) -> list[Result]:
    """One ``Result`` per system × benchmark found under ``directory`` (see the module docstring).

    ``datasets`` optionally maps a benchmark ("mmlu-fa", "ibmsee") to its built folder or Hub repo for id matching.
    Unknown folders and files are skipped (listed in each result's config under ``skipped``).
    """
    from .runner import versions as lib_versions

    directory = Path(directory)
    if not directory.is_dir():
        raise PaperImportError(f"{directory}: no such directory (expected <dir>/<benchmark folder>/<system>.xlsx)")
    grouped: dict[tuple[str, str], list[tuple[PaperFolder, Path]]] = {}
    skipped: list[str] = []
    for sub in sorted(p for p in directory.iterdir() if p.is_dir()):
        folder = PAPER_FOLDERS.get(_folder_key(sub.name))
        if folder is None:
            skipped.append(f"{sub.name}/ (unknown benchmark folder)")
            continue
        for sheet in sorted(sub.glob("*.xlsx")):
            if sheet.name.startswith("~$"):
                continue
            if sheet.stem not in PAPER_SYSTEMS:
                skipped.append(f"{sub.name}/{sheet.name} (unknown system)")
                continue
            grouped.setdefault((sheet.stem, folder.benchmark), []).append((folder, sheet))
    if not grouped:
        raise PaperImportError(f"{directory}: no paper result spreadsheets found (expected <benchmark folder>/<system>.xlsx)")
    references = _references(grouped, datasets or {})
    results = []
    stamp = created_at or utc_now()
    versions = {k: v for k, v in lib_versions().items() if k in ("python", "gaokerena-hub", "pandas")}
    for (system, benchmark), sheets in sorted(grouped.items()):
        records, files = [], []
        for folder, sheet in sorted(sheets, key=lambda item: item[0].subset):
            rows, how = import_paper_file(sheet, folder, reference=references.get(sheet.parent), rows=_sheet_rows(sheet))
            how["file"] = sheet.relative_to(directory).as_posix()
            records += rows
            files.append(how)
        metrics, subsets = score_records(records, resamples=resamples, seed=seed)
        metrics["no_answer"] = sum(1 for r in records if r.get("no_answer"))
        for name, block in subsets.items():
            block["no_answer"] = sum(1 for r in records if r.get("no_answer") and r["subset"] == name)
        cells = _paper_cells(system, benchmark, subsets)
        subset_names = sorted(subsets)
        config = subset_names[0] if len(subset_names) == 1 else ("all" if benchmark == "mmlu-fa" else subset_names[0])
        identity = PAPER_SYSTEMS[system]
        results.append(
            Result(
                model=ModelInfo(id=identity["id"], display_name=identity["display_name"], type=identity["type"],
                                url=identity["url"]),  # fmt: skip
                benchmark=BenchmarkInfo(
                    name=benchmark, dataset_id=DATASET_IDS[benchmark], config=config, split="test",
                    pass_mark=ibmsee_pass_mark(config) if benchmark == "ibmsee" else None,
                ),  # fmt: skip
                protocol="generate",
                metrics=metrics,
                subsets=subsets,
                records=records,
                config={
                    "paper_system": system,
                    "paper_dir": directory.name,  # paths are relative to the imported folder
                    "files": files,
                    "subsets_present": subset_names,
                    "complete": all(f["rows"] >= f["expected_rows"] for f in files)
                    and (benchmark != "mmlu-fa" or len(subset_names) == 6),
                    "scoring": "AI_chosen_answer == correct_answer per row; 'invalid' and a blank cell (no answer)"
                               " count as wrong, inside n; no_answer counts the blanks",
                    "paper_table": cells,
                    "paper_differences": {name: cell for name, cell in cells.items()
                                          if "note" in cell or cell.get("agrees") is False},
                    "paper_percent": {name: paper_percent(block["accuracy"]) for name, block in subsets.items()}
                    | {"overall": paper_percent(metrics["accuracy"])},
                    "bootstrap": {"resamples": resamples, "seed": seed},
                    "skipped": skipped,
                },
                versions=versions,
                created_at=stamp,
                source="paper import",
            )
        )
    return results

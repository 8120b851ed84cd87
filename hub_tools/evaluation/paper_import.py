"""Import the Gaokerena paper's per-question result spreadsheets into our result schema, re-scored row by row.

Layout (as the authors publish it): ``DIR/<benchmark folder>/<system>.xlsx`` with columns Question,
question_choices, correct_answer (A-D), model_prompt, AI_answer, AI_chosen_answer (A-D or "invalid").

- Benchmark folders: MMLU_Anatomy, MMLU-clinical_knowledge, MMLU-college_biology, MMLU-college_medicine,
  MMLU-medical_genetics, MMLU-professional_medicine (-> mmlu-fa, one subset per subject) and kopp (-> ibmsee,
  sitting sept2023). Folder names match case-insensitively with "-" and "_" treated alike.
- Systems: see ``PAPER_SYSTEMS`` (model id, display name, type). gaokerena is the authors' released adapter
  ``gaokerena/gaokerena-v1.0`` (on CohereForAI/aya-expanse-8b); the two MedMobile rows are translation pipelines,
  named ``KrithikV/MedMobile+<translator>`` — pipeline identifiers, not Hub repos (their url is MedMobile's page).
- Every row is scored again: correct = AI_chosen_answer == correct_answer; "invalid" counts as wrong. No accuracy
  is ever copied from the paper. A file with fewer rows than the benchmark is scored on the rows it has (n says so).
- One result per system × benchmark (all subject folders of a system go into one mmlu-fa result, a subset each).
- Question ids follow the dataset builders (``<subject>-<row:04d>``, ``sept2023-<row:03d>``, 1-based data row of
  the source spreadsheet). The authors' files list the questions in source order, so in a complete file (as many
  rows as the benchmark) the i-th row gets the i-th id. A shortened file cannot be placed by position: with
  ``datasets`` (the built benchmark folders or repos) its rows are matched to dataset ids by normalised question
  text; a row that matches nothing (or a question already placed) gets ``<subset>-unmatched-row<N>``: it is still
  scored, it just pairs with nothing in ``compare``. Without ``datasets`` a shortened file keeps positional ids
  (its config says ``"ids": "position"`` and ``rows`` < ``expected_rows``).

``paper_percent`` shows an accuracy the way the paper prints it (percent truncated to 2 decimals: 48.148… -> 48.14).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from . import stats
from .mc import score_records
from .schema import DATASET_IDS, IBMSEE_PASS_MARK, BenchmarkInfo, ModelInfo, Result, utc_now

REQUIRED_COLUMNS = ("Question", "question_choices", "correct_answer", "model_prompt", "AI_answer", "AI_chosen_answer")
LETTERS = ("A", "B", "C", "D")


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
    "kopp": PaperFolder("ibmsee", "sept2023", "sept2023", "sept2023-{:03d}", 168),
}  # fmt: skip

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


_ARABIC = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "\u200c": " ", "ـ": None})


def normalize_question(text: str) -> str:
    """Text key for matching a paper row to a dataset row (NFKC, Persian letter forms, no ZWNJ, single spaces)."""
    text = unicodedata.normalize("NFKC", str(text)).translate(_ARABIC)
    text = re.sub(r"[\s\u200f\u200e]+", " ", text)
    return text.strip().rstrip("؟?.:").strip()


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
    return [{name: (row[i] if i < len(row) else "") for name, i in where.items()} for row in rows[1:]]


def _letter(value: str, path: Path, row: int, column: str, *, allow_invalid: bool) -> str:
    text = str(value).strip()
    if text.upper() in LETTERS:
        return text.upper()
    if allow_invalid and text.lower() == "invalid":
        return "invalid"
    allowed = "A-D or 'invalid'" if allow_invalid else "A-D"
    shown = repr(text) if text else "an empty cell"
    raise PaperImportError(f"{path}: row {row}, column {column!r}: unknown answer {shown} (expected {allowed})")


def _dataset_index(benchmark: str, source: str, subset: str) -> tuple[dict[str, str], list[str]]:
    from .data import load_benchmark

    data = load_benchmark(benchmark, source, subset)
    by_text = {normalize_question(q.question): q.id for q in data.items}
    return by_text, [q.id for q in data.items]


def import_paper_file(
    path: str | Path, folder: PaperFolder, *, dataset: str | None = None
) -> tuple[list[dict], dict]:
    """Records of one spreadsheet (rows re-scored) and how their ids were assigned."""
    path = Path(path)
    frame = _read_sheet(path)  # list of row dicts
    # A complete file lists the benchmark in source order: the i-th row is the i-th question, whatever a dataset
    # says. Only a shortened file needs its rows matched to the dataset by question text.
    complete = len(frame) == folder.expected_rows
    by_text: dict[str, str] = {}
    if dataset and not complete:
        by_text, _ = _dataset_index(folder.benchmark, dataset, folder.config)
    records, matched, taken = [], 0, set()
    for i, row in enumerate(frame):
        sheet_row = i + 2  # the header is spreadsheet row 1
        gold = _letter(row["correct_answer"], path, sheet_row, "correct_answer", allow_invalid=False)
        prediction = _letter(row["AI_chosen_answer"], path, sheet_row, "AI_chosen_answer", allow_invalid=True)
        if dataset and not complete:
            qid = by_text.get(normalize_question(row["Question"]))
            if qid is None or qid in taken:
                qid = f"{folder.subset}-unmatched-row{sheet_row}"  # cannot be placed: never guess an id
            else:
                matched += 1
        else:
            qid = folder.id_format.format(i + 1)
        taken.add(qid)
        records.append({
            "id": qid,
            "subset": folder.subset,
            "gold": gold,
            "prediction": prediction,
            "correct": prediction == gold,
            "raw_output": str(row["AI_answer"]),
            "question": str(row["Question"]),
        })  # fmt: skip
    if not records:
        raise PaperImportError(f"{path}: no data rows")
    ids = [r["id"] for r in records]
    if len(set(ids)) != len(ids):
        raise PaperImportError(f"{path}: two rows map to the same question id {next(i for i in ids if ids.count(i) > 1)!r}")
    by_position = not dataset or complete
    how = {"file": str(path), "rows": len(records), "expected_rows": folder.expected_rows,
           "ids": "position" if by_position else "matched by question text",
           "matched": None if by_position else matched}  # fmt: skip
    return records, how


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
    results = []
    stamp = created_at or utc_now()
    versions = {k: v for k, v in lib_versions().items() if k in ("python", "gaokerena-hub", "pandas")}
    for (system, benchmark), sheets in sorted(grouped.items()):
        records, files = [], []
        for folder, sheet in sorted(sheets, key=lambda item: item[0].subset):
            rows, how = import_paper_file(sheet, folder, dataset=(datasets or {}).get(benchmark))
            how["file"] = str(sheet.relative_to(directory))
            records += rows
            files.append(how)
        metrics, subsets = score_records(records, resamples=resamples, seed=seed)
        subset_names = sorted(subsets)
        config = subset_names[0] if len(subset_names) == 1 else ("all" if benchmark == "mmlu-fa" else subset_names[0])
        identity = PAPER_SYSTEMS[system]
        results.append(
            Result(
                model=ModelInfo(id=identity["id"], display_name=identity["display_name"], type=identity["type"],
                                url=identity["url"]),  # fmt: skip
                benchmark=BenchmarkInfo(
                    name=benchmark, dataset_id=DATASET_IDS[benchmark], config=config, split="test",
                    pass_mark=IBMSEE_PASS_MARK if benchmark == "ibmsee" else None,
                ),  # fmt: skip
                protocol="generate",
                metrics=metrics,
                subsets=subsets,
                records=records,
                config={
                    "paper_system": system,
                    "paper_dir": str(directory),
                    "files": files,
                    "subsets_present": subset_names,
                    "complete": all(f["rows"] >= f["expected_rows"] for f in files)
                    and (benchmark != "mmlu-fa" or len(subset_names) == 6),
                    "scoring": "AI_chosen_answer == correct_answer per row; 'invalid' counts as wrong",
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

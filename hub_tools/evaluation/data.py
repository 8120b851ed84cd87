"""Benchmark data for the evaluators: the built dataset folders / Hub repos of SCHEMAS §1.

``load_dataset(path_or_repo, config, split="test")`` reads both a local built folder and a Hub repo (the Hub is
``HF_ENDPOINT``: the local Hub in tests and the rehearsal).

An IBMSEE config's pass mark is the one its source gives: the built dataset's ``metadata.json`` (``sittings`` ->
``pass_mark``, written by the builder only when a source supports it), else the known marks of
:data:`~hub_tools.evaluation.schema.IBMSEE_PASS_MARKS`; none for a sitting without one and never for ``all``.
"""

from __future__ import annotations

import json
import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .schema import DATASET_IDS, DEFAULT_CONFIGS, LETTERS, ibmsee_pass_mark

logger = logging.getLogger(__name__)

#: The column that names a question's subset in the per-subset table.
SUBSET_COLUMNS = {"mmlu-fa": "subject", "ibmsee": "sitting"}
MMLU_SUBJECTS = (
    "anatomy", "clinical_knowledge", "college_biology", "college_medicine", "medical_genetics", "professional_medicine",
)  # fmt: skip


class BenchmarkDataError(ValueError):
    """The benchmark data is missing a column or holds a malformed row (the message names dataset and row)."""


@dataclass
class MCQuestion:
    id: str
    question: str
    choices: list[str]
    answer: int  # 0-3
    subset: str

    @property
    def gold(self) -> str:
        return LETTERS[self.answer]


@dataclass
class KQAItem:
    id: str
    question: str
    free_form_answer: str = ""
    must_have: list[str] = field(default_factory=list)
    nice_to_have: list[str] = field(default_factory=list)


@dataclass
class LoadedBenchmark:
    name: str
    dataset_id: str  # the Hub id the result names
    source: str  # what was actually read (a folder or a repo id)
    config: str
    split: str
    revision: str | None
    items: list
    pass_mark: float | None = None
    total: int | None = None  # rows in the config before ``limit`` (K-QA's fixed denominator)


def is_local(path_or_repo: str) -> bool:
    return Path(path_or_repo).expanduser().exists()


def _resolve_revision(repo_id: str, revision: str | None) -> str | None:
    """The commit sha of a Hub dataset (None when it cannot be asked)."""
    import httpx2
    from huggingface_hub import HfApi
    from huggingface_hub.errors import HfHubHTTPError, OfflineModeIsEnabled

    try:
        return HfApi().dataset_info(repo_id, revision=revision).sha or revision
    except (HfHubHTTPError, OfflineModeIsEnabled, httpx2.TransportError) as error:
        logger.warning("could not pin %s@%s to a commit (%s); the result records the revision as given",
                       repo_id, revision, type(error).__name__)  # fmt: skip
        return revision


def _load_rows(source: str, config: str, split: str, revision: str | None):
    """``datasets.load_dataset(source, config, split=split)``.

    A local folder is read through a private, throw-away cache: datasets 5.2 keys the cache of a folder's README
    config by folder *name* and config name only (not by the files' paths or mtimes), so a rebuilt folder, or
    another folder with the same name, would otherwise silently return the previously cached rows.
    """
    import datasets

    if not is_local(source):
        kwargs = {"revision": revision} if revision else {}
        return _call_load(datasets.load_dataset, source, config, split, kwargs)
    with tempfile.TemporaryDirectory(prefix="gaokerena-eval-data-") as cache_dir:
        rows = _call_load(datasets.load_dataset, str(Path(source).expanduser()), config, split,
                          {"cache_dir": cache_dir, "keep_in_memory": True})  # fmt: skip
        return rows


def _call_load(load, source: str, config: str, split: str, kwargs: dict):
    try:
        return load(source, config, split=split, **kwargs)
    except ValueError as err:
        if "BuilderConfig" in str(err) or "config" in str(err).lower():
            raise BenchmarkDataError(f"{source}: no config {config!r} ({err})") from err
        raise


def load_benchmark(
    benchmark: str,
    dataset: str | None = None,
    config: str | None = None,
    *,
    split: str = "test",
    revision: str | None = None,
    dataset_id: str | None = None,
    limit: int | None = None,
) -> LoadedBenchmark:
    """Read a benchmark's rows into ``MCQuestion`` / ``KQAItem`` objects (first ``limit`` rows if given)."""
    if benchmark not in DEFAULT_CONFIGS:
        raise BenchmarkDataError(f"unknown benchmark {benchmark!r} (choose from {', '.join(DEFAULT_CONFIGS)})")
    source = dataset or DATASET_IDS[benchmark]
    config = config or DEFAULT_CONFIGS[benchmark]
    local = is_local(source)
    hub_id = dataset_id or (DATASET_IDS[benchmark] if local else source)
    rows = _load_rows(source, config, split, revision)
    total = len(rows)
    if limit is not None:
        rows = rows.select(range(min(limit, len(rows))))
    resolved = revision if local else _resolve_revision(source, revision)
    items = (
        [_kqa_item(row, source, i) for i, row in enumerate(rows)]
        if benchmark == "kqa-fa"
        else [_mc_question(row, benchmark, source, i, config) for i, row in enumerate(rows)]
    )
    return LoadedBenchmark(
        name=benchmark, dataset_id=hub_id, source=source, config=config, split=split, revision=resolved, items=items,
        pass_mark=sitting_pass_mark(source, config, revision) if benchmark == "ibmsee" else None, total=total,
    )  # fmt: skip


METADATA_FILE = "metadata.json"


def _read_metadata(source: str, revision: str | None) -> dict | None:
    """The built dataset's ``metadata.json`` (a local folder's, or the Hub repo's), or None when there is none."""
    if is_local(source):
        path = Path(source).expanduser() / METADATA_FILE
        if not path.is_file():
            return None
        text = path.read_text(encoding="utf-8")
        where = str(path)
    else:
        import httpx2
        from huggingface_hub import hf_hub_download
        from huggingface_hub.errors import EntryNotFoundError, HfHubHTTPError, OfflineModeIsEnabled

        try:
            local = hf_hub_download(source, METADATA_FILE, repo_type="dataset", revision=revision)
        except (EntryNotFoundError, HfHubHTTPError, OfflineModeIsEnabled, httpx2.TransportError) as error:
            logger.info("no %s in %s (%s): the known pass marks apply", METADATA_FILE, source, type(error).__name__)
            return None
        text = Path(local).read_text(encoding="utf-8")
        where = f"{source}/{METADATA_FILE}"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise BenchmarkDataError(f"{where}: not valid JSON ({err})") from None
    if not isinstance(data, dict):
        raise BenchmarkDataError(f"{where}: expected a JSON object")
    return data


def sitting_pass_mark(source: str, config: str, revision: str | None = None) -> float | None:
    """The pass mark of an IBMSEE sitting as its source gives it (see the module docstring); None for ``all``."""
    if config == "all":
        return None
    metadata = _read_metadata(source, revision)
    sittings = metadata.get("sittings") if metadata else None
    if isinstance(sittings, dict) and isinstance(sittings.get(config), dict):
        mark = sittings[config].get("pass_mark")
        if mark is not None and (isinstance(mark, bool) or not isinstance(mark, (int, float)) or not 0 < mark <= 1):
            raise BenchmarkDataError(f"{source}: metadata.json gives sitting {config!r} the pass mark {mark!r}")
        return None if mark is None else float(mark)
    return ibmsee_pass_mark(config)


def _column(row: dict, key: str, source: str, index: int):
    if key not in row:
        raise BenchmarkDataError(f"{source}: row {index} has no column {key!r} (columns: {', '.join(row)})")
    return row[key]


def _mc_question(row: dict, benchmark: str, source: str, index: int, config: str) -> MCQuestion:
    choices = list(_column(row, "choices", source, index))
    if len(choices) != 4:
        raise BenchmarkDataError(f"{source}: row {index} has {len(choices)} choices, expected 4")
    answer = _column(row, "answer", source, index)
    if isinstance(answer, str) and answer in LETTERS:
        answer = LETTERS.index(answer)
    if isinstance(answer, bool) or not isinstance(answer, int) or not 0 <= answer <= 3:
        raise BenchmarkDataError(f"{source}: row {index} has answer {answer!r}, expected 0-3")
    subset = row.get(SUBSET_COLUMNS[benchmark]) or config
    return MCQuestion(
        id=str(_column(row, "id", source, index)),
        question=str(_column(row, "question", source, index)),
        choices=[str(c) for c in choices],
        answer=answer,
        subset=str(subset),
    )


def _kqa_item(row: dict, source: str, index: int) -> KQAItem:
    return KQAItem(
        id=str(_column(row, "id", source, index)),
        question=str(_column(row, "question", source, index)),
        free_form_answer=str(row.get("free_form_answer") or ""),
        must_have=[str(s) for s in (row.get("must_have") or []) if str(s).strip()],
        nice_to_have=[str(s) for s in (row.get("nice_to_have") or []) if str(s).strip()],
    )

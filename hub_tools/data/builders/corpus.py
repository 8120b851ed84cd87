"""The Persian medical corpus for continued pre-training: articles -> text, title, url, source.

Sources (files, or folders searched recursively):

- ``*.jsonl``: one article per line with ``text`` and optionally ``title``, ``url``, ``source``, ``id``;
- ``*.parquet``: the same columns (streamed in record batches);
- ``*.txt``: one article per file; the first line is the title when the file has more than one line and the first
  line is at most 200 characters, otherwise the title is the file name (stem, ``_``/``-`` as spaces).

A missing ``source`` is the file stem (JSONL/parquet) or the folder name (``.txt``); a missing ``url`` is ``""``; a
missing ``id`` is ``<file stem>-<row>`` (the 1-based line or row), made unique with a suffix if needed.

Clean-up, per article: the text and title are normalised (:func:`~hub_tools.data.normalize.normalize_persian`) and
personal data is redacted in both (the ``url`` field is metadata and kept as given); a text left shorter than
``min_text_chars`` characters (``--set min_text_chars=N``, default 20) is dropped; exact and near duplicates of an
earlier article are dropped (:class:`~hub_tools.data.dedup.Deduplicator`, MinHash over word 5-grams, the shingle
length RefinedWeb and Gopher use for web text; candidates verified with the exact Jaccard >= ``near_dup_threshold``).

Configs (SCHEMAS.md §1): ``default`` (split train: every kept article) and ``cpt`` (split train: a deterministic
subset of ``cpt_fraction``, default 60%, of them). An article is in ``cpt`` when
``blake2b(f"{seed}:{match form of its text}") / 2^64 < cpt_fraction``: the choice depends only on the text and the
seed, not on the order or the other articles, so a rebuild with more sources keeps the earlier choices.

Token statistics in the report (``stats.tokens``): whitespace-separated words and characters of the kept articles
(total, mean, p50, p95), the same for the ``cpt`` subset, and, with ``--set tokenizer=PATH`` (a ``tokenizer.json``
or a folder holding one), tokenizer tokens too.

Memory: articles stream through in chunks: cleaned rows go straight into Arrow IPC files on disk (memory-mapped
for the parquet writer), and the de-duplicator keeps a 16-byte key per distinct text and a 512-byte signature plus
a few bucket entries per kept article; nothing grows with the square of the corpus.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from hub_tools.data.builders import BuildOptions, clean_text, expand_sources, reject
from hub_tools.data.readers import DataError, Row, file_label, read_jsonl
from hub_tools.data.report import BuildReport

NAME = "corpus"
COLUMNS = ("id", "text", "title", "url", "source")
PATTERNS = ("**/*.jsonl", "**/*.parquet", "**/*.txt")
DEFAULT_MIN_TEXT_CHARS = 20
DEDUP_SHINGLE = {"shingle": "word", "k": 5}
CHUNK = 2048
_MAX_TITLE_LINE = 200
_FIELDS = ("text", "title", "url", "source", "id")


def features():
    from datasets import Features, Value

    return Features({name: Value("string") for name in COLUMNS})


def in_cpt(form: str, seed: int, fraction: float) -> bool:
    """Whether an article (given by its :func:`~hub_tools.data.dedup.match_text` form) belongs to the cpt subset."""
    digest = hashlib.blake2b(f"{seed}:{form}".encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little") < fraction * 2**64


# --------------------------------------------------------------------------------------------------------------------
# Reading


def _iter_txt(path: Path, report: BuildReport) -> Iterator[Row]:
    label = file_label(path)
    report.read(label)
    content = path.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n").strip()
    lines = content.split("\n", 1)
    if len(lines) == 2 and lines[0].strip() and len(lines[0].strip()) <= _MAX_TITLE_LINE:
        title, text = lines[0].strip(), lines[1].strip()
    else:
        title, text = re.sub(r"[_\-]+", " ", path.stem).strip(), content
    yield Row(label, 1, {"text": text, "title": title, "url": None, "source": path.parent.name, "id": None})


def _iter_parquet(path: Path, report: BuildReport) -> Iterator[Row]:
    import pyarrow.parquet as pq

    label = file_label(path)
    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise DataError(label, f"not a readable parquet file ({type(exc).__name__}: {exc})") from None
    names = {n.casefold(): n for n in parquet.schema_arrow.names}
    if "text" not in names:
        raise DataError(label, f"missing column 'text' (the file has {parquet.schema_arrow.names})", column="text")
    wanted = [names[c] for c in _FIELDS if c in names]
    row_no = 0
    for batch in parquet.iter_batches(batch_size=CHUNK, columns=wanted):
        for record in batch.to_pylist():
            row_no += 1
            report.read(label)
            values = {c: record.get(names[c]) if c in names else None for c in _FIELDS}
            yield Row(label, row_no, values)


def _iter_jsonl(path: Path, options: BuildOptions, report: BuildReport) -> Iterator[Row]:
    optional = {"title": str, "url": str, "source": str, "id": (str, int)}
    yield from read_jsonl(path, {"text": str}, optional_columns=optional, on_error=options.on_error, report=report)


def iter_articles(files: list[Path], options: BuildOptions, report: BuildReport) -> Iterator[tuple[Path, Row]]:
    for path in files:
        suffix = path.suffix.lower()
        if suffix == ".jsonl":
            rows = _iter_jsonl(path, options, report)
        elif suffix == ".parquet":
            rows = _iter_parquet(path, report)
        elif suffix == ".txt":
            rows = _iter_txt(path, report)
        else:
            raise DataError(file_label(path), f"unsupported file type {suffix!r} (expected .jsonl, .parquet or .txt)")
        for row in rows:
            yield path, row


# --------------------------------------------------------------------------------------------------------------------
# Statistics


def _summary(values: np.ndarray) -> dict[str, Any]:
    if len(values) == 0:
        return {"total": 0, "mean": 0.0, "p50": 0, "p95": 0}
    return {
        "total": int(values.sum()),
        "mean": round(float(values.mean()), 1),
        "p50": int(np.percentile(values, 50)),
        "p95": int(np.percentile(values, 95)),
    }


def _load_tokenizer(path: str):
    try:
        from tokenizers import Tokenizer
    except ImportError as exc:  # pragma: no cover - tokenizers comes with the train extra
        raise DataError(path, "tokenizer statistics need the 'tokenizers' package (pip install tokenizers)") from exc
    file = Path(path)
    if file.is_dir():
        file = file / "tokenizer.json"
    if not file.is_file():
        raise DataError(str(path), "no tokenizer.json there (--set tokenizer=PATH takes the file or its folder)")
    return Tokenizer.from_file(str(file))


# --------------------------------------------------------------------------------------------------------------------
# Build


def _info(feats):
    from datasets import DatasetInfo

    return DatasetInfo(features=feats)


class _ArrowSink:
    """Appends row batches to an Arrow IPC stream file (the format ``Dataset.from_file`` memory-maps)."""

    def __init__(self, path: Path):
        import pyarrow as pa

        self.path = path
        self.schema = pa.schema([(name, pa.string()) for name in COLUMNS])
        self._writer = pa.ipc.new_stream(str(path), self.schema)
        self.rows = 0

    def write(self, rows: list[dict[str, str]]) -> None:
        import pyarrow as pa

        if rows:
            self._writer.write_batch(pa.RecordBatch.from_pylist(rows, schema=self.schema))
            self.rows += len(rows)

    def close(self) -> None:
        self._writer.close()


def clean_article(
    path: Path, row: Row, options: BuildOptions, report: BuildReport, ids: set[str], min_chars: int
) -> dict[str, str] | None:
    """Step 1: one article normalised and redacted, with a unique id, its source and url; ``None`` (rejected or
    dropped, the reason in the report) when its text is empty or shorter than ``min_chars`` characters."""
    text = clean_text(row.get("text") or "", options, report)
    if not text:
        reject(row, "text", "text empty after normalisation", options, report)
        return None
    if len(text) < min_chars:
        report.drop(row.file, f"text shorter than {min_chars} characters")
        return None
    title = clean_text(row.get("title") or "", options, report) if row.get("title") else ""
    row_id = str(row.get("id")) if row.get("id") not in (None, "") else f"{path.stem}-{row.row:06d}"
    if row_id in ids:
        base, n = row_id, 2
        while f"{base}-{n}" in ids:
            n += 1
        row_id = f"{base}-{n}"
    ids.add(row_id)
    source = (row.get("source") or "").strip() or (path.parent.name if path.suffix == ".txt" else path.stem)
    url = (row.get("url") or "").strip()
    return {"id": row_id, "text": text, "title": title, "url": url, "source": source}


class _Counts:
    """Per kept article, in order: whether it is in ``cpt``, its words, characters and (with a tokenizer) tokens."""

    def __init__(self, flags: np.ndarray, words: np.ndarray, chars: np.ndarray, tokens: np.ndarray):
        self.flags, self.words, self.chars, self.tokens = flags, words, chars, tokens

    def select(self, mask: np.ndarray, with_tokens: bool) -> None:
        self.flags, self.words, self.chars = self.flags[mask], self.words[mask], self.chars[mask]
        if with_tokens:
            self.tokens = self.tokens[mask]


class _DedupWriter:
    """Step 2: articles in chunks of ``CHUNK`` through the de-duplicator into the ``default`` and ``cpt`` Arrow
    files in ``folder``; the kept articles' source labels and statistics are kept, in order."""

    def __init__(self, folder: Path, dedup, tokenizer, options: BuildOptions, report: BuildReport):
        self.sinks = {"default": _ArrowSink(folder / "default.arrow"), "cpt": _ArrowSink(folder / "cpt.arrow")}
        self.dedup, self.tokenizer, self.options, self.report = dedup, tokenizer, options, report
        self.pending: list[tuple[Path, Row, dict[str, str]]] = []
        self.kept_files: list[str] = []  # the source label of every kept article, in order
        self.words: list[np.ndarray] = []
        self.chars: list[np.ndarray] = []
        self.tokens: list[np.ndarray] = []
        self.cpt_flags: list[np.ndarray] = []

    def add(self, path: Path, row: Row, article: dict[str, str]) -> None:
        self.pending.append((path, row, article))
        if len(self.pending) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        from hub_tools.data.dedup import match_text

        dedup, report, options, tokenizer, pending = self.dedup, self.report, self.options, self.tokenizer, self.pending
        forms = [match_text(article["text"]) for _, _, article in pending]
        decisions = dedup.process([a["text"] for _, _, a in pending], forms=forms)
        kept, kept_cpt, flags = [], [], []
        for (path, row, article), form, (kind, _rep, _sim) in zip(pending, forms, decisions):
            if kind is not None:
                report.add_duplicates(1, kind, file=row.file)
                continue
            self.kept_files.append(row.file)
            kept.append(article)
            flag = in_cpt(form, options.seed, options.cpt_fraction)
            flags.append(flag)
            if flag:
                kept_cpt.append(article)
        if kept:
            self.cpt_flags.append(np.array(flags, dtype=bool))
            self.words.append(np.fromiter((len(a["text"].split()) for a in kept), dtype=np.int64, count=len(kept)))
            self.chars.append(np.fromiter((len(a["text"]) for a in kept), dtype=np.int64, count=len(kept)))
            if tokenizer is not None:
                encoded = tokenizer.encode_batch([a["text"] for a in kept], add_special_tokens=False)
                self.tokens.append(np.array([len(e.ids) for e in encoded], dtype=np.int64))
        self.sinks["default"].write(kept)
        self.sinks["cpt"].write(kept_cpt)
        pending.clear()

    def close(self) -> _Counts:
        if self.pending:
            self.flush()
        for sink in self.sinks.values():
            sink.close()
        return _Counts(
            np.concatenate(self.cpt_flags) if self.cpt_flags else np.zeros(0, dtype=bool),
            np.concatenate(self.words) if self.words else np.zeros(0, dtype=np.int64),
            np.concatenate(self.chars) if self.chars else np.zeros(0, dtype=np.int64),
            np.concatenate(self.tokens) if self.tokens else np.zeros(0, dtype=np.int64),
        )


def drop_contaminated(datasets_: dict[str, Any], kept_files: list[str], counts: _Counts, sources: list[Path],
                      options: BuildOptions, report: BuildReport, with_tokens: bool) -> Any:  # fmt: skip
    """Step 3: benchmark contamination, a second pass over the written articles (memory-mapped): the articles holding
    a benchmark question leave both configs; every other article is kept. Returns the ``contamination`` statistics."""
    from hub_tools.data.contamination import check_build_contamination

    def texts() -> Iterator[str]:
        for batch in datasets_["default"].data.to_batches(max_chunksize=CHUNK):
            yield from batch.column("text").to_pylist()

    contamination, hits = check_build_contamination(texts(), [Path(s) for s in sources], options)
    keep_mask = np.ones(len(kept_files), dtype=bool)
    for i, benchmarks in hits.items():
        keep_mask[i] = False
        report.add_leaks(1, benchmarks[0], file=kept_files[i])
    for i, label in enumerate(kept_files):
        if keep_mask[i]:
            report.keep(label)
    if hits:
        datasets_["default"] = datasets_["default"].select(np.nonzero(keep_mask)[0])
        cpt_positions = np.nonzero(counts.flags)[0]
        datasets_["cpt"] = datasets_["cpt"].select(np.nonzero(keep_mask[cpt_positions])[0])
        counts.select(keep_mask, with_tokens)
    return contamination


def token_statistics(counts: _Counts, tokenizer_path: str | None) -> dict[str, Any]:
    """``stats.tokens``: words and characters of the kept articles, of the ``cpt`` subset, and tokenizer tokens."""
    flags = counts.flags
    token_stats: dict[str, Any] = {
        "words": _summary(counts.words),
        "characters": _summary(counts.chars),
        "cpt_words": _summary(counts.words[flags]),
    }
    if tokenizer_path is not None:
        token_stats["tokenizer"] = tokenizer_path
        token_stats["tokenizer_tokens"] = _summary(counts.tokens)
        token_stats["cpt_tokenizer_tokens"] = _summary(counts.tokens[flags])
    return token_stats


def build(sources: list[Path], out: Path, options: BuildOptions) -> BuildReport:
    """The corpus build: clean each article, de-duplicate into the configs, drop contaminated ones, write."""
    from datasets import Dataset, DatasetDict

    from hub_tools.data.dedup import Deduplicator
    from hub_tools.data.output import write_dataset

    report = BuildReport(NAME)
    files = expand_sources(sources, PATTERNS)
    if not files:
        raise DataError(", ".join(map(str, sources)), "no .jsonl, .parquet or .txt file found")
    min_chars = int(options.extra.get("min_text_chars", DEFAULT_MIN_TEXT_CHARS))
    tokenizer = _load_tokenizer(str(options.extra["tokenizer"])) if options.extra.get("tokenizer") else None
    threshold = options.near_dup_threshold
    dedup = Deduplicator(threshold if threshold < 1.0 else None, seed=options.seed, **DEDUP_SHINGLE)

    ids: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="gaokerena-corpus-") as tmp:
        writer = _DedupWriter(Path(tmp), dedup, tokenizer, options, report)
        for path, row in iter_articles(files, options, report):
            article = clean_article(path, row, options, report, ids, min_chars)
            if article is not None:
                writer.add(path, row, article)
        counts = writer.close()
        datasets_ = {name: Dataset.from_file(str(sink.path), info=_info(features()))
                     for name, sink in writer.sinks.items()}  # fmt: skip
        contamination = drop_contaminated(datasets_, writer.kept_files, counts, sources, options, report,
                                          with_tokens=tokenizer is not None)  # fmt: skip
        flags = counts.flags
        report.set_stat("tokens", token_statistics(counts, str(options.extra["tokenizer"]) if tokenizer else None))
        report.set_stat("cpt", {"fraction": options.cpt_fraction, "seed": options.seed, "articles": int(flags.sum()),
                                "share": round(float(flags.mean()), 4) if len(flags) else 0.0})
        report.set_stat("min_text_chars", min_chars)
        report.set_stat(
            "dedup",
            {
                "threshold": threshold,
                "method": "exact Jaccard of word 5-gram sets, candidates from MinHash LSH",
                "lsh": dedup.index.curve() if dedup.index is not None else None,
            },
        )
        report.set_stat("contamination", contamination)
        report.set_stat("options", options.to_dict())

        configs = {name: DatasetDict({"train": ds}) for name, ds in datasets_.items()}
        write_dataset(out, configs, report, NAME, default_config="default")
        del configs, datasets_
    return report

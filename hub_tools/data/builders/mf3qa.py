"""MF3QA: Persian medical question-answer pairs crawled from Iranian health sites (train, dev, test).

Sources (``--source`` takes the MF3QA folder, sub-folders or single files; files are identified by path):

- ``dev.xlsx`` and ``test.xlsx`` (columns Question, Answer, Source): the authors' published dev and test splits.
  They are kept as published, row for row (test keeps its 201 K-QA rows, whose Source is ``kqa``); only the
  normaliser and the redaction run on them, and a row left empty by them is rejected.
- ``filtered/*.xlsx`` (columns Question, Answer; any number of files): the authors' filtered crawls, the train
  split. A file named directly that is neither dev.xlsx nor test.xlsx is also a train source. The ``source``
  column comes from the file name: the stem without a chunk suffix (``drhast_f3`` → ``drhast``), written as the
  site's domain when it is one of the known sites (``niniban.com``, ``drhast.com``, ``doctor-yab.ir``,
  ``isovisit.com``), as dev and test write it.
- Anything under ``crawled/`` is the raw crawl before the authors' filtering (``crawled/niniban/qa.xlsx`` repeats
  556 questions and keeps very short answers): it is *not* a train source. It is listed in the report's
  ``ignored_files`` with the reason, as is any other ``.xlsx`` found in a folder that is not one of the above.

Train clean-up, in this order; every row read is either kept or dropped with one reason (the build report):

1. normalise (:func:`~hub_tools.data.normalize.normalize_persian`) and redact personal data
   (:func:`~hub_tools.data.redact.redact_personal_data`: phones, e-mails, URLs, handles, Sheba and card numbers,
   national IDs, addresses, names in sign-offs and self-introductions) in the question and the answer;
2. leak removal: a train row whose question is a dev or test question is dropped (``contamination: overlaps dev``
   / ``... test``), exact after normalisation (:func:`~hub_tools.data.dedup.exact_key`) or near duplicate (Jaccard
   similarity of the questions' character 5-gram sets >= ``near_dup_threshold``, computed exactly for every
   candidate that MinHash LSH proposes; the banding finds a pair at the threshold with probability >= 0.99 and the
   report prints its curve, ``stats.leak_check.lsh``). All 2,000 dev questions
   of the real data occur in the filtered niniban crawl, so this step matters; ``stats.leaks`` gives the row counts
   and the number of distinct dev/test questions found;
3. answers shorter than ``min_answer_chars`` characters (after clean-up; default 20, see ``BuildOptions``) are
   dropped: one-word replies teach nothing. The paper drops very short answers too; the authors' filtered files
   already have none under 130 characters, so on the real data this step removes nothing;
4. exact and near duplicates within train: the same question-answer pair posted again, first occurrence kept, in
   file order. Near means question + answer within ``near_dup_threshold`` *and* the question alone within it
   (exact Jaccard), so two different questions that share one long answer are not near duplicates. A question asked
   again with a different answer is kept: it is a different training example;
5. canned answers: one answer text (exact after normalisation) used for more than ``canned_answer_limit``
   different questions (default 3, ``--set canned_answer_limit=N``) is a stock reply; the rows beyond the first N
   are dropped (``canned answer (used for more than N questions)``), and ``stats.canned_answers`` lists how many
   such texts there were;
6. benchmark contamination (``--contamination warn|fail|off``): the questions of MMLU-fa, IBMSEE and K-QA-fa are
   checked against the train rows with :func:`~hub_tools.data.contamination.check_contamination` (word 8-gram
   overlap). ``warn`` drops the train rows that hold a contaminated question (``contamination: overlaps <name>``)
   and reports it, ``fail`` stops the build. Benchmark sources come from ``--set benchmarks=PATH[,PATH...]``
   (built folders or source files; ``none`` turns the check off); when not given, benchmark folders beside an
   MF3QA source folder (``MMLU_fa``, ``IBMSEE``, ``KQA_fa``, as in the authors' repository and in the samples)
   are used.

Output (SCHEMAS.md §1): config ``default``, splits train, dev, test; columns id, question, answer, source.
``id`` is ``<file stem>-<nnnnn>`` for train (nnnnn the 1-based data row of the source sheet) and
``dev-<nnnn>``/``test-<nnnn>`` for the published splits, so ids are stable when other rows are dropped.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from hub_tools.data.builders import BuildOptions, clean_text, expand_sources, reject
from hub_tools.data.readers import DataError, file_label, read_xlsx
from hub_tools.data.report import BuildReport

NAME = "mf3qa"
SPLITS = ("train", "dev", "test")
KNOWN_SITES = {
    "niniban": "niniban.com",
    "drhast": "drhast.com",
    "doctoryab": "doctor-yab.ir",
    "isovisit": "isovisit.com",
}
RAW_CRAWL = "raw crawl before the authors' filtering: the filtered file is the train source"
_CHUNK_SUFFIX = re.compile(r"(?:[_\-. ](?:f|part|chunk|p)?\d+)+$", re.IGNORECASE)
DEDUP_SHINGLE = {"shingle": "char", "k": 5}
CANNED_ANSWER_LIMIT = 3  # --set canned_answer_limit=N


def features():
    from datasets import Features, Value

    return Features({name: Value("string") for name in ("id", "question", "answer", "source")})


def source_name(path: Path) -> str:
    """The train ``source`` of a filtered crawl file: its stem without chunk suffix, as a domain when known."""
    stem = _CHUNK_SUFFIX.sub("", path.stem) or path.stem
    canon = re.sub(r"[^a-z0-9]", "", stem.lower())
    return KNOWN_SITES.get(canon, stem)


def classify(sources: list[Path]) -> tuple[dict[str, list[Path]], dict[str, str]]:
    """``({"train": [...], "dev": [...], "test": [...]}, {ignored file label: reason})`` for the given sources."""
    files: dict[str, list[Path]] = {split: [] for split in SPLITS}
    ignored: dict[str, str] = {}
    for source in sources:
        source = Path(source)
        direct = not source.is_dir()
        for path in expand_sources([source], ["**/*.xlsx"]):
            if path.name.startswith("~$"):  # Excel lock files
                continue
            # folders that say what a file is: below (and including) the named source folder, or, for a file named
            # directly, its two parent folders (crawled/niniban/qa.xlsx)
            inside = path.parent.relative_to(source).parts if not direct else path.parent.parts[-2:]
            parts = {p.lower() for p in (*inside, source.name if not direct else "")}
            name = path.name.lower()
            if "crawled" in parts:
                ignored[file_label(path)] = RAW_CRAWL
            elif name in ("dev.xlsx", "test.xlsx"):
                files[name[:-5]].append(path)
            elif path.parent.name.lower() == "filtered" or direct:
                files["train"].append(path)
            else:
                ignored[file_label(path)] = "not an MF3QA file (expected dev.xlsx, test.xlsx or filtered/*.xlsx)"
    for split in ("dev", "test"):
        if len(files[split]) > 1:
            raise DataError(", ".join(map(str, files[split])), f"more than one {split}.xlsx among the sources")
    if not files["train"]:
        raise DataError(", ".join(map(str, sources)), "no train source (filtered/*.xlsx) among the sources")
    return files, ignored


def _read_published(path: Path, split: str, options: BuildOptions, report: BuildReport) -> list[dict[str, Any]]:
    rows = []
    columns = {"question": str, "answer": str}
    for row in read_xlsx(path, columns, optional_columns={"source": str}, on_error=options.on_error, report=report):
        question = clean_text(row["question"], options, report)
        answer = clean_text(row["answer"], options, report)
        if not question or not answer:
            reject(row, "question" if not question else "answer", "text empty after normalisation", options, report)
            continue
        source = (row.get("source") or "").strip() or source_name(path)
        rows.append({"id": f"{split}-{row.row - 1:04d}", "question": question, "answer": answer, "source": source})
        report.keep(row.file)
    return rows


def _length_stats(values: list[int]) -> dict[str, Any]:
    if not values:
        return {"count": 0}
    ordered = sorted(values)
    return {
        "count": len(ordered),
        "min": ordered[0],
        "mean": round(sum(ordered) / len(ordered), 1),
        "p50": ordered[len(ordered) // 2],
        "max": ordered[-1],
    }


def canned_answer_limit(options: BuildOptions) -> int:
    """``--set canned_answer_limit=N`` (default :data:`CANNED_ANSWER_LIMIT`): an integer >= 1."""
    value = options.extra.get("canned_answer_limit", CANNED_ANSWER_LIMIT)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise DataError("--set canned_answer_limit", f"must be an integer >= 1, got {value!r}")
    return value


def drop_canned_answers(
    rows: list[dict[str, Any]], limit: int, report: BuildReport
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Keep at most ``limit`` rows per answer text (exact after normalisation, first rows kept); the statistics say
    how many answer texts were over the limit and how many rows they lost."""
    from hub_tools.data.dedup import exact_key

    seen: Counter = Counter()
    uses: Counter = Counter()
    keys = [exact_key(r["answer"]) for r in rows]
    uses.update(keys)
    kept = []
    reason = f"canned answer (used for more than {limit} questions)"
    for r, key in zip(rows, keys):
        seen[key] += 1
        if seen[key] > limit:
            report.drop(r["_file"], reason)
        else:
            kept.append(r)
    over = [n for n in uses.values() if n > limit]
    stats = {
        "limit": limit,
        "answer_texts_over_limit": len(over),
        "rows_dropped": sum(n - limit for n in over),
        "most_used": max(uses.values(), default=0),
        "rows_sharing_an_answer_kept": sum(min(n, limit) for n in uses.values() if n > 1),
    }
    return kept, stats


def read_train(paths: list[Path], options: BuildOptions, report: BuildReport) -> list[dict[str, Any]]:
    """Step 1: the train files' rows, normalised and redacted; a row left empty is rejected. Each row keeps its file
    label (``_file``) for the report until it is kept or dropped."""
    candidates: list[dict[str, Any]] = []  # rows still in the running, with their file label
    ids: set[str] = set()
    for path in paths:
        source = source_name(path)
        for row in read_xlsx(path, {"question": str, "answer": str}, on_error=options.on_error, report=report):
            question = clean_text(row["question"], options, report)
            answer = clean_text(row["answer"], options, report)
            if not question or not answer:
                column = "question" if not question else "answer"
                reject(row, column, "text empty after normalisation", options, report)
                continue
            row_id = f"{path.stem}-{row.row - 1:05d}"
            while row_id in ids:
                row_id += "b"
            ids.add(row_id)
            candidates.append(
                {"id": row_id, "question": question, "answer": answer, "source": source, "_file": row.file}
            )
    return candidates


def remove_leaks(
    candidates: list[dict[str, Any]], published: dict[str, list[dict[str, Any]]], options: BuildOptions,
    report: BuildReport,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Step 2: train rows whose question is a dev or test question leave train. Returns the other rows and the
    ``leaks`` and ``leak_check`` statistics."""
    from hub_tools.data.dedup import NearDuplicateIndex, exact_key

    threshold = options.near_dup_threshold
    exact_of: dict[str, list[tuple[str, int]]] = {}  # two published questions can share a normalised form
    for split in ("dev", "test"):
        for i, r in enumerate(published[split]):
            exact_of.setdefault(exact_key(r["question"]), []).append((split, i))
    leak_rows = {split: {"exact": 0, "near": 0} for split in ("dev", "test")}
    leak_curve = None
    leaked_questions: dict[str, set[int]] = {"dev": set(), "test": set()}
    match: list[tuple[list[tuple[str, int]], str] | None] = [None] * len(candidates)
    for i, r in enumerate(candidates):
        hits = exact_of.get(exact_key(r["question"]))
        if hits:
            match[i] = (hits, "exact")
    if threshold < 1.0 and exact_of:
        index = NearDuplicateIndex(threshold=threshold, seed=options.seed, **DEDUP_SHINGLE)
        leak_curve = index.curve()
        keys = [(split, i) for split in ("dev", "test") for i in range(len(published[split]))]
        index.add_many(keys, [published[s][i]["question"] for s, i in keys])
        todo = [i for i in range(len(candidates)) if match[i] is None]
        for i, found in zip(todo, index.query_many(candidates[i]["question"] for i in todo)):
            if found:
                match[i] = ([found[0][0]], "near")
    remaining = []
    for i, r in enumerate(candidates):
        if match[i] is None:
            remaining.append(r)
            continue
        hits, kind = match[i]
        for split, j in hits:
            leaked_questions[split].add(j)
        split = hits[0][0]  # dev before test
        leak_rows[split][kind] += 1
        report.add_leaks(1, split, file=r["_file"])
    stats = {
        "leaks": {
            split: {
                "train_rows_dropped": leak_rows[split]["exact"] + leak_rows[split]["near"],
                "exact": leak_rows[split]["exact"],
                "near": leak_rows[split]["near"],
                "distinct_questions_found": len(leaked_questions[split]),
                "questions_in_split": len(published[split]),
            }
            for split in ("dev", "test")
        },
        "leak_check": {"key": "question", "threshold": threshold, "lsh": leak_curve},
    }
    return remaining, stats


def drop_short_answers(rows: list[dict[str, Any]], options: BuildOptions, report: BuildReport) -> list[dict[str, Any]]:
    """Step 3: answers shorter than ``min_answer_chars`` characters are dropped."""
    min_chars = int(options.min_answer_chars)
    long_enough = []
    for r in rows:
        if len(r["answer"]) < min_chars:
            report.drop(r["_file"], f"answer shorter than {min_chars} characters")
        else:
            long_enough.append(r)
    return long_enough


def drop_duplicates(
    rows: list[dict[str, Any]], options: BuildOptions, report: BuildReport
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Step 4: exact and near duplicates within train (question + answer, the question itself also near), first
    occurrence kept. Returns the kept rows and the ``dedup`` statistics."""
    from hub_tools.data.dedup import Deduplicator

    threshold = options.near_dup_threshold
    dedup = Deduplicator(threshold if threshold < 1.0 else None, seed=options.seed, **DEDUP_SHINGLE)
    decisions = dedup.process(
        [r["question"] + "\n" + r["answer"] for r in rows],
        guards=[r["question"] for r in rows] if dedup.index is not None else None,
    )
    deduped: list[dict[str, Any]] = []
    for r, (kind, _rep, _sim) in zip(rows, decisions):
        if kind is None:
            deduped.append(r)
        else:
            report.add_duplicates(1, kind, file=r["_file"])
    stats = {
        "key": "question + answer, and the question alone",
        "threshold": threshold,
        "method": "exact Jaccard of character 5-gram sets, candidates from MinHash LSH",
        "lsh": dedup.index.curve() if dedup.index is not None else None,
    }
    return deduped, stats


def drop_contaminated(
    train: list[dict[str, Any]], sources: list[Path], options: BuildOptions, report: BuildReport
) -> tuple[list[dict[str, Any]], Any]:
    """Step 6: train rows holding a benchmark question (``--contamination``). Returns the kept rows and the
    ``contamination`` statistics."""
    from hub_tools.data.contamination import check_build_contamination

    contamination, hits = check_build_contamination(
        (r["question"] + "\n" + r["answer"] for r in train), [Path(s) for s in sources], options
    )
    if hits:
        kept = []
        for i, r in enumerate(train):
            if i in hits:
                report.add_leaks(1, hits[i][0], file=r["_file"])
            else:
                kept.append(r)
        train = kept
    return train, contamination


def record_split_stats(report: BuildReport, split_rows: dict[str, list[dict[str, Any]]]) -> None:
    """Sources and answer/question lengths per split."""
    report.set_stat("sources", {split: dict(Counter(r["source"] for r in rows)) for split, rows in split_rows.items()})
    for column in ("answer", "question"):
        lengths = {split: _length_stats([len(r[column]) for r in rows]) for split, rows in split_rows.items()}
        report.set_stat(f"{column}_chars", lengths)


def count_test_questions_in_dev(published: dict[str, list[dict[str, Any]]]) -> int:
    """How many published test questions are also dev questions (exact after normalisation)."""
    from hub_tools.data.dedup import exact_key

    dev_keys = {exact_key(r["question"]) for r in published["dev"]}
    return sum(1 for r in published["test"] if exact_key(r["question"]) in dev_keys)


def write_splits(out: Path, split_rows: dict[str, list[dict[str, Any]]], report: BuildReport) -> None:
    """The ``default`` config's splits (train always, dev and test when they have rows), the report and the card."""
    from datasets import Dataset, DatasetDict

    from hub_tools.data.output import write_dataset

    feats = features()
    splits = {
        split: Dataset.from_list(rows, features=feats)
        for split, rows in split_rows.items()
        if rows or split == "train"
    }
    write_dataset(out, {"default": DatasetDict(splits)}, report, NAME)


def build(sources: list[Path], out: Path, options: BuildOptions) -> BuildReport:
    """The MF3QA build: the published dev and test splits, and train through the steps of the module docstring."""
    report = BuildReport(NAME)
    limit = canned_answer_limit(options)  # a bad limit fails before any work
    files, ignored = classify([Path(s) for s in sources])
    published = {
        split: _read_published(files[split][0], split, options, report) if files[split] else []
        for split in ("dev", "test")
    }
    candidates = read_train(files["train"], options, report)
    remaining, leak_stats = remove_leaks(candidates, published, options, report)
    long_enough = drop_short_answers(remaining, options, report)
    deduped, dedup_stats = drop_duplicates(long_enough, options, report)
    train, canned = drop_canned_answers(deduped, limit, report)
    train, contamination = drop_contaminated(train, sources, options, report)

    for r in train:
        report.keep(r.pop("_file"))
    split_rows = {"train": train, **published}
    record_split_stats(report, split_rows)
    report.set_stat("leaks", leak_stats["leaks"])
    report.set_stat("leak_check", leak_stats["leak_check"])
    report.set_stat("min_answer_chars", int(options.min_answer_chars))
    report.set_stat("dedup", dedup_stats)
    report.set_stat("canned_answers", canned)
    report.set_stat("test_questions_also_in_dev", count_test_questions_in_dev(published))
    report.set_stat("ignored_files", ignored)
    report.set_stat("contamination", contamination)
    report.set_stat("options", options.to_dict())
    write_splits(out, split_rows, report)
    return report

"""The MF3QA builder: leaks out of train, duplicates, short answers, published dev/test, contamination."""

from __future__ import annotations

import json
import math
import random
import re
import shutil
from collections import Counter
from pathlib import Path

import datasets
import openpyxl
import pytest

from hub_tools.data.builders import BuildOptions, default_sources, get_builder
from hub_tools.data.builders.mf3qa import classify, source_name
from hub_tools.data.dedup import match_text
from hub_tools.data.readers import DataError
from hub_tools.data.redact import sealed_figures

mf3qa = get_builder("mf3qa")


def load(out: Path, split: str):
    return datasets.load_dataset(str(out), "default", split=split)


def accounted(report) -> dict:
    report.check()
    data = report.to_dict()
    for name, f in data["files"].items():
        assert f["read"] == f["kept"] + sum(f["dropped"].values()), name
    return data


def write_xlsx(path: Path, header: list[str], rows: list[tuple]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


@pytest.fixture(scope="module")
def sample_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("mf3qa") / "out"
    return out, mf3qa.build(default_sources("mf3qa"), out, BuildOptions())


def test_sample_build_accounts_for_every_row(sample_build):
    out, report = sample_build
    data = accounted(report)
    assert data["totals"] == {"read": 38, "kept": 28, "dropped": 10}
    assert data["files"]["filtered/niniban.xlsx"]["dropped"] == {
        "answer shorter than 20 characters": 1,
        "contamination: overlaps dev": 6,
        "exact duplicate": 1,
        "near duplicate": 1,
    }
    assert data["files"]["filtered/drhast_f3.xlsx"]["dropped"] == {"contamination: overlaps test": 1}
    leaks = data["stats"]["leaks"]
    assert leaks["dev"] == {"train_rows_dropped": 6, "exact": 6, "near": 0, "distinct_questions_found": 6,
                            "questions_in_split": 6}
    assert leaks["test"]["near"] == 1 and leaks["test"]["distinct_questions_found"] == 1
    assert data["stats"]["ignored_files"] == {
        "niniban/qa.xlsx": "raw crawl before the authors' filtering: the filtered file is the train source"
    }
    assert data["redactions"]["phone"] == 1 and data["redactions"]["email"] == 1
    assert report.outputs == {"default": {"train": 14, "dev": 6, "test": 8}}
    assert (out / "README.md").is_file() and "CC BY-NC-SA 4.0" in (out / "README.md").read_text(encoding="utf-8")


def test_sample_splits(sample_build):
    out, _ = sample_build
    train, dev, test = load(out, "train"), load(out, "dev"), load(out, "test")
    assert train.column_names == ["id", "question", "answer", "source"]
    dev_questions = set(dev["question"])
    assert not dev_questions & set(train["question"])
    assert set(train["source"]) == {"niniban.com", "drhast.com"} and set(dev["source"]) == {"niniban.com"}
    assert len(set(train["id"])) == len(train) and train[0]["id"] == "drhast_f3-00001"
    # test is kept as published: its K-QA rows with their source, and a very short answer
    assert list(test["source"]).count("kqa") == 3 and test[0]["id"] == "test-0001"
    assert min(len(a) for a in test["answer"]) < 20
    for row in train:
        assert "ي" not in row["question"] and "ك" not in row["question"]
        assert "09" not in row["answer"].translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))
    assert any("[PHONE]" in a and "[EMAIL]" in a for a in train["answer"])


def test_min_answer_chars_is_configurable(tmp_path):
    off = BuildOptions(contamination="off", min_answer_chars=0)
    report = mf3qa.build(default_sources("mf3qa"), tmp_path / "a", off)
    assert report.outputs["default"]["train"] == 15
    strict = BuildOptions(contamination="off", min_answer_chars=200)
    data = accounted(mf3qa.build(default_sources("mf3qa"), tmp_path / "b", strict))
    assert data["dropped_by_reason"]["answer shorter than 200 characters"] > 1
    assert min(len(a) for a in load(tmp_path / "b", "train")["answer"]) >= 200
    assert data["stats"]["min_answer_chars"] == 200


def test_sources_are_identified_by_path(tmp_path):
    samples = default_sources("mf3qa")[0]
    files, ignored = classify([samples])
    assert [p.name for p in files["train"]] == ["drhast_f3.xlsx", "niniban.xlsx"]
    assert files["dev"][0].name == "dev.xlsx" and files["test"][0].name == "test.xlsx"
    assert list(ignored) == ["niniban/qa.xlsx"]
    # single files: a file named directly is a train source, unless it is a raw crawl
    files, ignored = classify([samples / "filtered" / "niniban.xlsx", samples / "crawled" / "niniban" / "qa.xlsx"])
    assert [p.name for p in files["train"]] == ["niniban.xlsx"] and not files["dev"]
    assert list(ignored) == ["niniban/qa.xlsx"]
    with pytest.raises(DataError, match="no train source"):
        classify([samples / "dev.xlsx"])
    assert source_name(Path("drhast_f3.xlsx")) == "drhast.com" and source_name(Path("my_site-2.xlsx")) == "my_site"
    # train without dev/test builds a train split only
    report = mf3qa.build([samples / "filtered" / "drhast_f3.xlsx"], tmp_path / "t", BuildOptions(contamination="off"))
    assert report.outputs == {"default": {"train": 8}}


def test_canned_answers_are_their_own_filter(tmp_path):
    """One answer used for five different questions: the first `canned_answer_limit` rows are kept, the others are
    dropped as canned answers (not as near duplicates); a repost of one pair is still a near/exact duplicate."""
    canned = "دوست عزیز انجام تست های خانگی از دقت کافی برخوردار نیست. برای اطمینان از تست خون بارداری استفاده کنید."
    questions = [
        "تست خانگی من کمرنگ مثبت شد، باردارم؟",
        "دیروز بی بی چک زدم یک خط شد ولی پریود نشدم",
        "بعد از ده روز تاخیر تست منفی است، چرا؟",
        "آیا تست ادرار صبحگاهی دقیق تر است؟",
        "تست دیجیتال بهتر است یا نواری؟",
    ]
    other = ("سردرد صبحگاهی دارم و فشارم ۱۴۰ است", "فشار خون بالای ۱۴۰ نیاز به بررسی دارد و باید پیگیری شود.")
    rows = [(q, canned) for q in questions] + [other]
    folder = tmp_path / "MF3QA" / "filtered"
    write_xlsx(folder / "forum.xlsx", ["Question", "Answer"], rows)
    options = BuildOptions(contamination="off", extra={"canned_answer_limit": 2})
    data = accounted(mf3qa.build([folder.parent], tmp_path / "out", options))
    assert data["files"]["filtered/forum.xlsx"]["dropped"] == {"canned answer (used for more than 2 questions)": 3}
    assert data["duplicates"] == {"exact": 0, "near": 0}
    assert data["stats"]["canned_answers"] == {
        "limit": 2,
        "answer_texts_over_limit": 1,
        "rows_dropped": 3,
        "most_used": 5,
        "rows_sharing_an_answer_kept": 2,
    }
    default = accounted(mf3qa.build([folder.parent], tmp_path / "out3", BuildOptions(contamination="off")))
    assert default["stats"]["canned_answers"]["rows_dropped"] == 2
    with pytest.raises(ValueError, match="canned_answer_limit"):
        mf3qa.build([folder.parent], tmp_path / "bad", BuildOptions(extra={"canned_answer_limit": 0}))


@pytest.fixture(scope="module")
def contaminated_sources(tmp_path_factory):
    """The samples plus a train file that copies a K-QA-fa benchmark question, and the benchmark folders."""
    root = tmp_path_factory.mktemp("contaminated")
    samples = default_sources("mf3qa")[0]
    shutil.copytree(samples, root / "MF3QA")
    kqa = default_sources("kqa-fa")[0]
    first_line = (kqa / "questions_w_answers_fa.jsonl").read_text(encoding="utf-8").splitlines()[0]
    question = json.loads(first_line)["Question"]
    answer = "این سوال را بسیاری از بیماران می‌پرسند و پاسخ آن به شرایط هر فرد بستگی دارد؛ با پزشک خود مشورت کنید."
    write_xlsx(root / "MF3QA" / "filtered" / "forum_1.xlsx", ["Question", "Answer"], [(question, answer)])
    return root / "MF3QA", kqa


def test_benchmark_contamination_warn_fail_off(contaminated_sources, tmp_path):
    sources, kqa = contaminated_sources
    extra = {"benchmarks": str(kqa)}
    data = accounted(mf3qa.build([sources], tmp_path / "warn", BuildOptions(extra=extra)))
    assert data["files"]["filtered/forum_1.xlsx"]["dropped"] == {"contamination: overlaps kqa-fa": 1}
    assert data["stats"]["contamination"]["benchmarks"]["kqa-fa"]["contaminated"] == 1
    assert data["stats"]["contamination"]["train_rows_dropped"] == 1 and data["leaks"]["kqa-fa"] == 1
    with pytest.raises(DataError, match="benchmark contamination"):
        mf3qa.build([sources], tmp_path / "fail", BuildOptions(contamination="fail", extra=extra))
    data = accounted(mf3qa.build([sources], tmp_path / "off", BuildOptions(contamination="off", extra=extra)))
    assert data["files"]["filtered/forum_1.xlsx"]["kept"] == 1 and data["stats"]["contamination"] == {"mode": "off"}
    # benchmarks=none turns the check off; by default the benchmark folders beside the samples are found
    data = mf3qa.build([sources], tmp_path / "none", BuildOptions(extra={"benchmarks": "none"})).to_dict()
    assert data["stats"]["contamination"]["benchmarks_from"] == "disabled (benchmarks=none)"
    data = mf3qa.build(default_sources("mf3qa"), tmp_path / "auto", BuildOptions()).to_dict()
    assert data["stats"]["contamination"]["benchmarks_from"] == "benchmark folders beside the sources"
    assert set(data["stats"]["contamination"]["benchmarks"]) == {"mmlu-fa", "ibmsee", "kqa-fa"}


def test_cli_build(tmp_path):
    from hub_tools.cli import main

    out = tmp_path / "cli"
    args = ["data", "build", "mf3qa", "--out", str(out), "--min-answer-chars", "5", "--contamination", "off"]
    assert main(args) == 0
    assert datasets.load_dataset(str(out), "default", split="train").num_rows == 15


@pytest.fixture(scope="module")
def real_build(shared_data, tmp_path_factory):
    """The real dev and test splits and the filtered crawls (the benchmark check is left out to keep the suite
    fast: bench/data_bench.py runs the full build)."""
    out = tmp_path_factory.mktemp("mf3qa-real") / "out"
    folder = shared_data / "MF3QA"
    sources = [folder / "dev.xlsx", folder / "test.xlsx", folder / "filtered", folder / "crawled"]
    return out, mf3qa.build(sources, out, BuildOptions(contamination="off"))


def test_real_build_removes_every_dev_question_from_train(real_build):
    out, report = real_build
    data = accounted(report)
    leaks = data["stats"]["leaks"]
    # all 2,000 dev questions occur in filtered/niniban.xlsx (some more than once): every one leaves train
    assert leaks["dev"]["distinct_questions_found"] == 2000 == leaks["dev"]["questions_in_split"]
    assert leaks["dev"]["train_rows_dropped"] == 2012 == data["leaks"]["dev"]
    assert leaks["test"]["train_rows_dropped"] == 0
    assert data["files"]["filtered/niniban.xlsx"]["read"] == 5405
    assert "niniban/qa.xlsx" in data["stats"]["ignored_files"] and "niniban/qa.xlsx" not in data["files"]
    assert report.outputs["default"]["dev"] == 2000 and report.outputs["default"]["test"] == 2000
    train, dev = load(out, "train"), load(out, "dev")
    assert not set(train["question"]) & set(dev["question"])


def test_real_test_split_keeps_kqa_rows(real_build):
    out, report = real_build
    test = load(out, "test")
    assert report.to_dict()["stats"]["sources"]["test"] == {"isovisit.com": 88, "doctor-yab.ir": 1711, "kqa": 201}
    assert list(test["source"]).count("kqa") == 201


def _char_shingles(text: str, k: int = 5) -> set[str]:
    """The builder's shingles, as strings: character k-grams of the match form without spaces (the whole form
    when shorter)."""
    form = match_text(text).replace(" ", "")
    return {form[i : i + k] for i in range(len(form) - k + 1)} if len(form) >= k else {form}


def exact_pairs_at_least(queries: list[str], indexed: list[str], threshold: float) -> list[tuple[int, int, float]]:
    """Every (query, indexed) pair with Jaccard >= threshold, exactly: an all-pairs similarity join with prefix
    filtering, then each candidate pair's Jaccard computed from the sets. No LSH.

    Prefix filtering: put shingles in one global order; two sets with Jaccard >= t share one of the first
    |s| - ceil(t|s|) + 1 shingles of each. Any fixed order is correct; rare-first (frequency among the indexed sets,
    shingles absent from them first of all, as they can never match) keeps the candidate lists short."""
    q_sets = [_char_shingles(t) for t in queries]
    i_sets = [_char_shingles(t) for t in indexed]
    freq: Counter = Counter()
    for s in i_sets:
        freq.update(s)
    rank = {g: i for i, (g, _) in enumerate(sorted(freq.items(), key=lambda item: (item[1], item[0])))}

    def prefix(s: set[str]) -> list[str]:
        keep = len(s) - math.ceil(threshold * len(s)) + 1
        absent = [g for g in s if g not in rank]
        if len(absent) >= keep:
            return []
        return sorted((g for g in s if g in rank), key=rank.__getitem__)[: keep - len(absent)]

    postings: dict[str, list[int]] = {}
    for j, s in enumerate(i_sets):
        for g in prefix(s):
            postings.setdefault(g, []).append(j)
    pairs = []
    for i, s in enumerate(q_sets):
        candidates = {j for g in prefix(s) for j in postings.get(g, ())}
        for j in candidates:
            other = i_sets[j]
            if not threshold * len(s) <= len(other) <= len(s) / threshold:
                continue
            inter = len(s & other)
            sim = inter / (len(s) + len(other) - inter)
            if sim >= threshold:
                pairs.append((i, j, sim))
    return pairs


def test_exact_join_finds_what_brute_force_finds():
    texts = ["سلام دکتر، بچم تب داره", "سلام دکتر بچم تب داره!", "سرفه خشک دارم", "سرفه خشک دارم شبها", "درد"]
    brute = {
        (i, j)
        for i, a in enumerate(texts)
        for j, b in enumerate(texts)
        if len(_char_shingles(a) & _char_shingles(b)) / len(_char_shingles(a) | _char_shingles(b)) >= 0.6
    }
    assert {(i, j) for i, j, _ in exact_pairs_at_least(texts, texts, 0.6)} == brute


def test_real_build_no_train_question_near_a_dev_or_test_question(real_build):
    """Exact Jaccard (not LSH) of character 5-gram sets: no train question within 0.8 of a dev/test question."""
    out, report = real_build
    train = load(out, "train")
    published = list(load(out, "dev")["question"]) + list(load(out, "test")["question"])
    assert exact_pairs_at_least(list(train["question"]), published, 0.8) == []
    # the pairs the issue found (near duplicates of dev questions) are gone from train
    assert not {"niniban-02070", "niniban-04537"} & set(train["id"])
    stats = report.to_dict()["stats"]
    assert stats["leak_check"]["lsh"]["p_candidate_at_threshold"] >= 0.99
    assert stats["canned_answers"]["limit"] == 3 and stats["canned_answers"]["rows_dropped"] > 0


def test_report_prints_the_lsh_curve_and_the_redaction_figures(sample_build):
    out, report = sample_build
    markdown = (out / "build_report.md").read_text(encoding="utf-8")
    assert "21 bands × 6 rows of 128 permutations" in markdown and "0.80 → 0.9983" in markdown
    stats = report.to_dict()["stats"]
    assert stats["dedup"]["lsh"]["p_candidate_at_threshold"] >= 0.99
    assert stats["redaction_quality"]["status"] == sealed_figures()["status"]
    if stats["redaction_quality"]["status"] == "measured":
        assert "redaction, SEALED figures (" in markdown and "recall" in markdown
    else:
        assert "redaction, SEALED figures: not measured yet" in markdown
    assert "recall 99.5" not in markdown  # the old pool figure, quoted as if it held on unseen text


# A person is named where a title, a kinship word or a self-introduction comes before a name of the gazetteer.
_PERSONAL_CONTEXT = re.compile(
    r"(?<![\w\u200c])(دکتر|خانم|آقای|جناب|مادرم|پدرم|همسرم|شوهرم|پسرم|دخترم|برادرم|خواهرم|اینجانب|اسمم|اسم من|"
    r"نام:|من)\s+([\u0600-\u06ff\u200c]+)"
)


def _names_left_in_personal_context(text: str) -> list[str]:
    from hub_tools.data.gazetteer import gazetteer
    from hub_tools.data.redact_names import NAME_STOP

    g = gazetteer()
    left = []
    for m in _PERSONAL_CONTEXT.finditer(text):
        context, word = m.groups()
        if word in NAME_STOP or g.is_public_figure(word):
            continue
        titled = context in ("دکتر", "خانم", "آقای", "جناب")
        family = titled and g.is_family(word) and word not in g.ambiguous
        if g.is_given(word) or family:
            left.append(m.group())
    return left


def test_real_build_redaction_counts_and_no_name_left_in_a_personal_context(real_build):
    """200 redacted train rows (a fixed sample): no given name of the gazetteer (nor a family name after a title) is
    left after a title, a kinship word or a self-introduction; the build reports its redactions per kind."""
    out, report = real_build
    redactions = report.to_dict()["redactions"]
    assert set(redactions) >= {"name", "phone", "email", "url", "postal_code", "record_number", "address"}
    assert redactions["name"] >= 900 and redactions["phone"] >= 5
    train = load(out, "train")
    rows = random.Random(20).sample(range(train.num_rows), 200)
    left = {train[i]["id"]: found for i in rows
            for found in [_names_left_in_personal_context(train[i]["question"] + "\n" + train[i]["answer"])] if found}
    assert left == {}
    assert sum("[NAME]" in train[i]["question"] + train[i]["answer"] for i in rows) >= 10

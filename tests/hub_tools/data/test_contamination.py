"""Benchmark contamination check (hub_tools.data.contamination) and its CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hub_tools.data.contamination import (
    benchmark_name,
    check_contamination,
    iter_training_texts,
    load_benchmark_questions,
    main,
)

QUESTION = "بیمار ۴۵ ساله‌ای با درد قفسه سینه و تعریق سرد به اورژانس آمده است. اولین اقدام درمانی مناسب کدام است؟"
OTHER = "کدام ویتامین در جذب کلسیم از روده نقش اصلی را دارد و کمبود آن در کودکان چه بیماری ایجاد می‌کند؟"
UNRELATED = (
    "پیاده‌روی روزانه فشار خون را پایین می‌آورد و خطر دیابت را کم می‌کند. مصرف نمک را کاهش دهید و "
    "میوه و سبزی بیشتری بخورید. اگر سیگار می‌کشید، ترک آن بهترین کار برای قلب شماست."
)


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_injected_question_is_found_and_unrelated_text_is_not():
    training = [
        UNRELATED,
        "در آزمون پارسال این سوال آمده بود: " + QUESTION.replace("ی", "ي") + " پاسخ درست گزینه ب بود.",
        UNRELATED + " " + " ".join(OTHER.split()[:6]),  # a few shared words, below the bar
    ]
    report = check_contamination({"ibmsee": [("q1", QUESTION), ("q2", OTHER), ("q3", "درمان سرماخوردگی؟")]}, training)
    result = report.benchmarks["ibmsee"]
    assert result.checked == 2 and result.skipped_short == 1
    assert [q.id for q in result.contaminated] == ["q1"]
    assert result.contaminated[0].overlap == 1.0 and result.contaminated[0].train_hits == [1]
    assert report.train_hits() == {1: ["ibmsee"]} and report.failed and report.training_texts == 3
    clean = check_contamination({"ibmsee": [("q1", QUESTION)]}, [UNRELATED, OTHER])
    assert not clean.failed and clean.benchmarks["ibmsee"].max_overlap == 0.0


def test_partial_overlap_threshold_and_short_questions():
    words = QUESTION.split()
    half = " ".join(words[: len(words) // 2])
    report = check_contamination({"b": [("q", QUESTION)]}, [half, UNRELATED], n=8, threshold=0.5)
    overlap = report.benchmarks["b"].max_overlap
    assert 0.0 < overlap < 0.5 and not report.failed
    assert check_contamination({"b": [("q", QUESTION)]}, [half], threshold=overlap).failed
    # fewer than n words: the whole question must occur
    short = "علت اصلی کم‌خونی فقر آهن در زنان چیست"
    assert check_contamination({"b": [("s", short)]}, ["سوال: " + short + "؟ پاسخ: خونریزی"]).failed
    assert not check_contamination({"b": [("s", short)]}, ["علت اصلی کم‌خونی در زنان چیست"]).failed


def test_loaders_read_raw_files_and_name_benchmarks(tmp_path):
    rows = [{"Question": QUESTION}, {"Question": OTHER}]
    kqa = write_jsonl(tmp_path / "KQA_fa" / "questions_w_answers_fa.jsonl", rows)
    assert benchmark_name(kqa.parent) == "kqa-fa" and benchmark_name(kqa) == "kqa-fa"
    name, items = load_benchmark_questions(kqa.parent)
    assert name == "kqa-fa" and [q for _, q in items] == [QUESTION, OTHER]
    name, items = load_benchmark_questions(f"mine={kqa}")
    assert name == "mine" and items[0][0] == "questions_w_answers_fa-0001"
    train = write_jsonl(tmp_path / "train" / "a.jsonl", [{"question": "س", "answer": "ج"}, {"text": UNRELATED}])
    (tmp_path / "train" / "b.txt").write_text(QUESTION, encoding="utf-8")
    assert list(iter_training_texts([train.parent])) == ["س\nج", UNRELATED, QUESTION]


def test_cli_warns_or_fails(tmp_path, capsys):
    bench = write_jsonl(tmp_path / "IBMSEE" / "q.jsonl", [{"question": QUESTION}, {"question": OTHER}])
    dirty = write_jsonl(tmp_path / "dirty.jsonl", [{"text": UNRELATED}, {"text": "متن: " + QUESTION}])
    clean = write_jsonl(tmp_path / "clean.jsonl", [{"text": UNRELATED}])
    out = tmp_path / "report.json"
    assert main(["--benchmark", str(bench.parent), "--train", str(dirty), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "ibmsee: 1 of 2 question(s) contaminated" in captured.out and "warning" in captured.err
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["n"] == 8 and data["benchmarks"]["ibmsee"]["contaminated"] == 1
    assert data["benchmarks"]["ibmsee"]["questions"][0]["train_hits"] == [1]
    assert main(["--benchmark", str(bench.parent), "--train", str(dirty), "--fail-on-overlap"]) == 1
    assert main(["--benchmark", str(bench.parent), "--train", str(clean), "--fail-on-overlap"]) == 0
    assert main(["--benchmark", str(tmp_path / "missing"), "--train", str(clean)]) == 2
    from hub_tools.cli import main as gaokerena

    args = ["data", "check-contamination", "--benchmark", str(bench), "--train", str(dirty), "--n", "6"]
    assert gaokerena(args + ["--fail-on-overlap"]) == 1


def test_built_folders(tmp_path):
    """Benchmarks from a built folder (all configs, de-duplicated by id); training from a built train split."""
    from hub_tools.data.builders import BuildOptions, default_sources, get_builder

    kqa_out = tmp_path / "kqa-fa"
    get_builder("kqa-fa").build(default_sources("kqa-fa"), kqa_out, BuildOptions())
    name, items = load_benchmark_questions(kqa_out)
    assert name == "kqa-fa" and len(items) == len({i for i, _ in items}) > 0
    corpus = write_jsonl(tmp_path / "src" / "articles.jsonl", [{"text": UNRELATED}, {"text": "پرسش: " + items[0][1]}])
    corpus_out = tmp_path / "corpus"
    get_builder("corpus").build([corpus], corpus_out, BuildOptions(contamination="off", extra={"min_text_chars": 5}))
    texts = list(iter_training_texts([corpus_out]))  # the default config only, not the cpt copy
    assert len(texts) == 2
    report = check_contamination({name: items}, texts)
    assert report.contaminated_ids("kqa-fa") == [items[0][0]]


def test_real_kqa_questions_are_in_mf3qa_test(shared_data):
    """The authors put the K-QA translations in the MF3QA test split: the check must see all of them."""
    name, items = load_benchmark_questions(shared_data / "KQA_fa")
    assert name == "kqa-fa" and len(items) == 201
    report = check_contamination({name: items}, iter_training_texts([shared_data / "MF3QA" / "test.xlsx"]))
    result = report.benchmarks["kqa-fa"]
    assert result.checked + result.skipped_short == 201
    assert len(result.contaminated) == result.checked


def test_fail_mode_fails_closed_when_there_is_nothing_to_compare(tmp_path):
    """--contamination fail with no benchmark found stops and says where it looked; warn goes on."""
    from hub_tools.data.builders import BuildOptions
    from hub_tools.data.contamination import check_build_contamination
    from hub_tools.data.readers import DataError

    source = tmp_path / "corpus" / "filtered"
    source.mkdir(parents=True)
    with pytest.raises(DataError, match="nothing to compare.*MMLU_fa.*--set benchmarks") as err:
        check_build_contamination(["a text"], [source], BuildOptions(contamination="fail"))
    assert str(tmp_path / "corpus") in str(err.value)
    empty = tmp_path / "elsewhere" / "MMLU_fa"
    empty.mkdir(parents=True)
    (empty / "q.csv").write_text("question\n\n", encoding="utf-8")
    with pytest.raises(DataError, match="hold no questions"):
        check_build_contamination(
            ["a text"], [source], BuildOptions(contamination="fail", extra={"benchmarks": str(empty)})
        )
    with pytest.raises(DataError, match="disabled"):
        check_build_contamination(["a text"], [source], BuildOptions(contamination="fail", extra={"benchmarks": "none"}))
    stats, hits = check_build_contamination(["a text"], [source], BuildOptions(contamination="warn"))
    assert stats["benchmarks_from"] == "none found" and hits == {}


def test_benchmark_files_go_through_the_table_reader(tmp_path):
    """csv, jsonl and parquet benchmark files are read by hub_tools.data.readers.read_table; a file without a
    question column is an error naming the file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = tmp_path / "KQA_fa"
    folder.mkdir()
    (folder / "a.csv").write_text("ID,Question\n7,سوال اول درباره فشار خون بالا در بارداری\n8,\n", encoding="utf-8")
    pq.write_table(pa.table({"id": ["p1"], "question": ["سوال دوم درباره دیابت نوع دو"]}), folder / "b.parquet")
    name, items = load_benchmark_questions(folder)
    assert name == "kqa-fa" and items == [
        ("7", "سوال اول درباره فشار خون بالا در بارداری"),
        ("p1", "سوال دوم درباره دیابت نوع دو"),
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text("text\nسلام\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.csv.*missing column"):
        load_benchmark_questions(bad)

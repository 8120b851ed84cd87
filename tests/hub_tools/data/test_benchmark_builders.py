"""mmlu-fa, ibmsee and kqa-fa builders on the bundled samples and on the authors' real files."""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import openpyxl
import pytest

from hub_tools.data.builders import BuildOptions, default_sources, get_builder
from hub_tools.data.readers import DataError

REAL_MMLU = {
    "anatomy": 135,
    "clinical_knowledge": 265,
    "college_biology": 144,
    "college_medicine": 173,
    "medical_genetics": 100,
    "professional_medicine": 272,
}


def build(name, out, sources=None, **options):
    return get_builder(name).build(sources or default_sources(name), out, BuildOptions(**options))


def load(out: Path, config: str, split: str = "test"):
    return datasets.load_dataset(str(out), config, split=split)


def assert_accounted(report):
    report.check()
    data = report.to_dict()
    for name, f in data["files"].items():
        assert f["read"] == f["kept"] + sum(f["dropped"].values()), name
    return data


@pytest.fixture(scope="module")
def sample_builds(tmp_path_factory):
    root = tmp_path_factory.mktemp("sample-builds")
    return {name: (root / name, build(name, root / name)) for name in ("mmlu-fa", "ibmsee", "kqa-fa")}


def test_mmlu_fa_samples(sample_builds):
    out, report = sample_builds["mmlu-fa"]
    data = assert_accounted(report)
    # the sample's anatomy file repeats its first question with Arabic yeh/kaf: one exact duplicate
    assert data["totals"] == {"read": 16, "kept": 15, "dropped": 1}
    assert data["files"]["mmlu_fa/mmlu-anatomy_fa.xlsx"]["dropped"] == {"exact duplicate": 1}
    assert set(report.outputs) == set(REAL_MMLU) | {"all"}
    ds = load(out, "all")
    assert len(ds) == 15
    assert ds.features["answer"].names == ["A", "B", "C", "D"]
    assert ds.features["choices"].length == 4
    first = ds[0]
    assert first["id"] == "anatomy-0001" and first["answer"] == 0 and first["subject"] == "anatomy"
    genetics = load(out, "medical_genetics")
    assert genetics[2]["choices"] == ["1", "2", "22", "23"]  # numbers in cells read as text
    for row in ds:
        assert "ي" not in row["question"] and "ك" not in row["question"] and "ـ" not in row["question"]
    assert all(sum(1 for _ in load(out, s)) == report.outputs[s]["test"] for s in ("anatomy", "college_biology"))


def test_ibmsee_samples(sample_builds):
    out, report = sample_builds["ibmsee"]
    data = assert_accounted(report)
    assert data["totals"] == {"read": 14, "kept": 13, "dropped": 1}
    assert list(report.outputs) == ["medicine-1402-06"]
    ds = load(out, "medicine-1402-06")
    assert set(ds.column_names) == {"id", "question", "choices", "answer", "topic", "sitting", "source"}
    topics = set(ds["topic"])
    assert "فیزیولوژی" in topics and "فيزيولوژي" not in topics  # Arabic-yeh spelling merged
    assert "باکتری شناسی" in topics and "باکتری\u200cشناسی" not in topics  # half-space spelling merged
    assert data["stats"]["topic_variants_merged"]["فیزیولوژی"] == ["فيزيولوژي", "فیزیولوژی"]
    assert set(ds["sitting"]) == {"medicine-1402-06"} and ds[0]["id"] == "medicine-1402-06-001"
    metadata = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    assert metadata["pass_mark"] == 0.36 and metadata["sittings"]["medicine-1402-06"]["pass_mark_questions"] == 5
    assert metadata["sittings"]["medicine-1402-06"]["label"] == "Medicine, Shahrivar 1402"
    assert data["stats"]["pass_mark"] == 0.36


def test_kqa_fa_samples(sample_builds):
    out, report = sample_builds["kqa-fa"]
    data = assert_accounted(report)
    assert data["totals"] == {"read": 10, "kept": 9, "dropped": 1}
    assert data["redactions"]["url"] == 1
    ds = load(out, "default")
    assert ds.features["must_have"] == datasets.List(datasets.Value("string"))
    first = ds[0]
    assert isinstance(first["must_have"], list) and len(first["must_have"]) == 2
    assert first["sources"] == [
        "https://example.org/migraine/nsaids",
        "https://example.org/headache/medication-overuse",
    ]
    assert ds[1]["icd_10_diag"] == "" and first["icd_10_diag"] == "Migraine, unspecified"
    assert "[URL]" in ds[2]["free_form_answer"] and ds[2]["nice_to_have"] == []
    assert data["stats"]["empty_statements_removed"] == 1


def test_rebuild_replaces_stale_output(tmp_path, sample_builds):
    out = tmp_path / "mmlu"
    build("mmlu-fa", out)
    (out / "old_config").mkdir()
    (out / "old_config" / "test-00000-of-00001.parquet").write_bytes(b"stale")
    build("mmlu-fa", out, sources=[default_sources("mmlu-fa")[0] / "mmlu-anatomy_fa.xlsx"])
    assert sorted(p.parent.name for p in out.glob("*/*.parquet")) == ["all", "anatomy"]


def test_bad_rows_raise_or_are_quarantined(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["question", "option1", "option2", "option3", "option4", "answer", "Source"])
    ws.append(["پرسش درست؟", "الف", "ب", "ج", "د", 2, "s"])
    ws.append(["پرسش بد؟", "الف", "ب", "ج", "د", 7, "s"])
    ws.append(["ـــ", "الف", "ب", "ج", "د", 1, "s"])
    wb.save(src / "mmlu-anatomy_fa.xlsx")
    with pytest.raises(DataError) as err:
        build("mmlu-fa", tmp_path / "out", sources=[src])
    assert err.value.row == 3 and err.value.column == "answer"
    report = build("mmlu-fa", tmp_path / "out", sources=[src], on_error="skip")
    data = assert_accounted(report)
    assert data["files"]["src/mmlu-anatomy_fa.xlsx"]["dropped"] == {
        "quarantined: answer out of range (expected 1-4)": 1,
        "quarantined: text empty after normalisation": 1,
    }
    assert len((tmp_path / "out" / "quarantine.jsonl").read_text(encoding="utf-8").splitlines()) == 2


def test_fold_digits_option(tmp_path):
    report = build("mmlu-fa", tmp_path / "out", fold_digits=True)
    ds = load(tmp_path / "out", "clinical_knowledge")
    assert ds[0]["choices"][0] == "12 تا 20 بار در دقیقه"
    assert report.to_dict()["stats"]["options"]["fold_digits"] is True


RLE, PDF = "\u202b", "\u202c"
#: A workbook as the authors' larger exam file comes: any name, several sittings in one sheet (medicine and
#: dentistry, Esfand and Shahrivar, 1400-1403, short and full years, Persian/ASCII digits, Arabic letter forms),
#: topics with bidi controls, presentation forms, Arabic letters, ZWNJ and doubled spaces, a blank source and an
#: unreadable one.
MULTI_SITTING_ROWS = [
    ("پزشکی شهریور 402", "فیزیولوژی"),
    ("پزشکی شهریور 1402", f"{RLE}فیزیولوژی{PDF}"),
    ("پزشكي شهريور ۴۰۲", "فيزيولوژي"),
    ("دندانپزشکی اسفند 1400", "ﻓﯿﺰﯾﻮﻟﻮژی"),
    (f"{RLE}دندانپزشکی اسفند ۱۴۰۰{PDF}", "باکتری\u200cشناسی"),
    ("دندان پزشکی اسفند 400", "باکتری  شناسی"),
    ("پزشکی اسفند 1401", f"باکتری {RLE}شناسی{PDF}"),
    ("پزشکی شهریور 403", "بیوشیمی"),
    ("دندانپزشکی شهریور 1403", "بيوشيمي"),
    ("", "تشریح"),  # blank source: the file name names the sitting
    ("آزمون دستیاری ۱۴۰۲", "تشریح"),  # not a sitting: rejected with the reason
]


def write_multi_sitting_workbook(path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Question", "Option1", "Option2", "Option3", "Option4", "Correct answer", "Topic", "Source"])
    for i, (source, topic) in enumerate(MULTI_SITTING_ROWS, start=1):
        sheet.append([f"پرسش شماره {i} کدام است؟", f"یک {i}", f"دو {i}", f"سه {i}", f"چهار {i}", 1 + i % 4, topic,
                      source or None])  # fmt: skip
    book.save(path)
    return path


def test_ibmsee_multi_sitting_workbook_of_any_name(tmp_path):
    src = write_multi_sitting_workbook(tmp_path / "Basic sciences exams 1400-1403 (all).xlsx")
    report = build("ibmsee", tmp_path / "out", sources=[src], on_error="skip")
    data = assert_accounted(report)
    assert data["totals"] == {"read": 11, "kept": 10, "dropped": 1}
    assert {c: s["test"] for c, s in report.outputs.items()} == {
        "medicine-1402-06": 3, "dentistry-1400-12": 3, "medicine-1401-12": 1, "medicine-1403-06": 1,
        "dentistry-1403-06": 1, "basic-sciences-exams-1400-1403-all": 1, "all": 10,
    }  # fmt: skip
    assert list(report.outputs)[0] == "medicine-1402-06" and list(report.outputs)[-1] == "all"
    metadata = json.loads((tmp_path / "out" / "metadata.json").read_text(encoding="utf-8"))
    sittings = metadata["sittings"]
    assert sittings["dentistry-1400-12"]["label"] == "Dentistry, Esfand 1400"
    assert sittings["dentistry-1400-12"]["label_fa"] == "دندانپزشکی اسفند 1400"
    assert sittings["medicine-1402-06"]["pass_mark"] == 0.36  # the paper states it
    assert sittings["dentistry-1400-12"]["pass_mark"] is None  # no source: absent, never guessed
    assert sittings["dentistry-1400-12"]["pass_mark_questions"] is None
    ds = load(tmp_path / "out", "all")
    assert set(ds["topic"]) == {"فیزیولوژی", "باکتری شناسی", "بیوشیمی", "تشریح"}
    assert not any(ch in "".join(ds["topic"]) for ch in (RLE, PDF, "\u200c", "ي"))
    dentistry = load(tmp_path / "out", "dentistry-1400-12")
    assert dentistry["id"] == ["dentistry-1400-12-001", "dentistry-1400-12-002", "dentistry-1400-12-003"]
    assert "\u202b" not in "".join(dentistry["source"])
    body = (tmp_path / "out" / "README.md").read_text(encoding="utf-8")
    assert "its pass mark is not known" in body and "36.0%" in body
    rejected = json.dumps(data["files"], ensure_ascii=False)
    assert "not an exam sitting" in rejected or "source" in rejected


def test_ibmsee_cli_accepts_any_file_name(tmp_path, capsys):
    from hub_tools.cli import main

    src = write_multi_sitting_workbook(tmp_path / "kopp_exam.xlsx")
    assert main(["data", "build", "ibmsee", "--source", str(src), "--out", str(tmp_path / "o"), "--on-error",
                 "skip"]) == 0  # fmt: skip
    assert "dentistry-1400-12 test=3" in capsys.readouterr().out


def test_ibmsee_file_without_source_column_uses_the_file_name(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Question", "Option1", "Option2", "Option3", "Option4", "Correct answer", "Topic"])
    sheet.append(["پرسش؟", "یک", "دو", "سه", "چهار", 2, "تشریح"])
    book.save(tmp_path / "ibmsee_sept2023.xlsx")
    report = build("ibmsee", tmp_path / "out", sources=[tmp_path / "ibmsee_sept2023.xlsx"])
    assert list(report.outputs) == ["medicine-1402-06"]
    book.save(tmp_path / "feb2024.xlsx")
    report = build("ibmsee", tmp_path / "out2", sources=[tmp_path / "feb2024.xlsx"], extra={"pass_mark": 0.4})
    metadata = json.loads((tmp_path / "out2" / "metadata.json").read_text(encoding="utf-8"))
    assert list(report.outputs) == ["feb2024"] and metadata["sittings"]["feb2024"]["pass_mark"] == 0.4


# --- the authors' real files ---------------------------------------------------------------------------------


def test_mmlu_fa_real(shared_data, tmp_path):
    report = build("mmlu-fa", tmp_path / "mmlu", sources=[shared_data / "MMLU_fa"])
    data = assert_accounted(report)
    assert data["totals"] == {"read": 1089, "kept": 1089, "dropped": 0}
    assert {c: s["test"] for c, s in report.outputs.items()} == {**REAL_MMLU, "all": 1089}
    assert data["stats"]["cross_subject_duplicates"] == 38
    ds = load(tmp_path / "mmlu", "college_medicine")
    assert len(ds) == 173 and set(ds["answer"]) == {0, 1, 2, 3}


def test_ibmsee_real(shared_data, tmp_path):
    report = build("ibmsee", tmp_path / "ibmsee", sources=[shared_data / "IBMSEE"])
    data = assert_accounted(report)
    assert data["totals"] == {"read": 168, "kept": 168, "dropped": 0}
    assert report.outputs == {"medicine-1402-06": {"test": 168}}
    assert sum(data["stats"]["topics"].values()) == 168 and data["stats"]["topics"]["تشریح"] == 54
    ds = load(tmp_path / "ibmsee", "medicine-1402-06")
    assert ds[0]["id"] == "medicine-1402-06-001" and ds[0]["answer"] == 1
    assert set(ds["source"]) == {"پزشکی شهریور 402"} and data["stats"]["sittings"]["medicine-1402-06"]["pass_mark"] == 0.36


def test_kqa_fa_real(shared_data, tmp_path):
    report = build("kqa-fa", tmp_path / "kqa", sources=[shared_data / "KQA_fa"])
    data = assert_accounted(report)
    assert data["totals"] == {"read": 201, "kept": 201, "dropped": 0}
    assert data["stats"]["with_icd_10_diag"] == 106
    ds = load(tmp_path / "kqa", "default")
    assert len(ds) == 201
    assert all(isinstance(r["must_have"], list) and r["must_have"] for r in ds)
    assert all(all(s.startswith("http") for s in r["sources"]) for r in ds)

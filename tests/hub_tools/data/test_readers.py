"""Readers: located errors (file, row, column), skip mode quarantines and counts; the report's invariant."""

from __future__ import annotations

import json
from collections import Counter

import openpyxl
import pytest

from hub_tools.data.readers import DataError, read_jsonl, read_xlsx
from hub_tools.data.report import BuildReport, ReportError

COLUMNS = {"question": str, "option1": str, "correct_answer": int}


def _xlsx(path, header, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_columns_matched_case_and_space_insensitively(tmp_path):
    path = _xlsx(tmp_path / "q.xlsx", ["Question", "OPTION1", "Correct answer", "Extra"], [["س", "الف", 2, "x"]])
    (row,) = list(read_xlsx(path, COLUMNS))
    assert row.values == {"question": "س", "option1": "الف", "correct_answer": 2}
    assert row.row == 2 and row.file == f"{tmp_path.name}/q.xlsx" and row.extra == {"Extra": "x"}


def test_numbers_in_text_columns_and_digit_scripts(tmp_path):
    path = _xlsx(tmp_path / "q.xlsx", ["question", "option1", "correct_answer"], [["س", 1, "۳"], ["س", 2.0, 4.0]])
    rows = list(read_xlsx(path, COLUMNS))
    assert [r["option1"] for r in rows] == ["1", "2"]
    assert [r["correct_answer"] for r in rows] == [3, 4]


def test_corrupt_xlsx(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not a workbook")
    with pytest.raises(DataError) as err:
        list(read_xlsx(path, COLUMNS))
    assert "broken.xlsx" in str(err.value) and "not a readable xlsx" in str(err.value)


def test_missing_column(tmp_path):
    path = _xlsx(tmp_path / "q.xlsx", ["question", "correct answer"], [["س", 1]])
    with pytest.raises(DataError) as err:
        list(read_xlsx(path, COLUMNS))
    message = str(err.value)
    assert "q.xlsx" in message and "row 1" in message and "'option1'" in message and "missing column" in message
    # a whole-file error raises even in skip mode
    with pytest.raises(DataError):
        list(read_xlsx(path, COLUMNS, on_error="skip", report=BuildReport("t")))


def test_empty_cell_and_wrong_type(tmp_path):
    path = _xlsx(
        tmp_path / "q.xlsx",
        ["question", "option1", "correct_answer"],
        [["س", "الف", 1], ["س", None, 2], ["س", "ب", "چهار"], ["س", "ج", 3]],
    )
    with pytest.raises(DataError) as err:
        list(read_xlsx(path, COLUMNS))
    assert (err.value.file, err.value.row, err.value.column) == (f"{tmp_path.name}/q.xlsx", 3, "option1")
    assert "row 3" in str(err.value) and "column 'option1'" in str(err.value) and "empty cell" in str(err.value)

    path2 = _xlsx(tmp_path / "r.xlsx", ["question", "option1", "correct_answer"], [["س", "الف", "چهار"]])
    with pytest.raises(DataError) as err:
        list(read_xlsx(path2, COLUMNS))
    assert err.value.row == 2 and err.value.column == "correct_answer" and "wrong type" in str(err.value)


def test_skip_mode_quarantines_and_counts(tmp_path):
    path = _xlsx(
        tmp_path / "q.xlsx",
        ["question", "option1", "correct_answer"],
        [["س", "الف", 1], ["س", None, 2], ["س", "ب", "چهار"], [None, None, None], ["س", "ج", 3]],
    )
    report = BuildReport("t")
    rows = list(read_xlsx(path, COLUMNS, on_error="skip", report=report))
    assert [r.row for r in rows] == [2, 6]  # the blank row 5 is not a data row
    label = f"{tmp_path.name}/q.xlsx"
    for _ in rows:
        report.keep(label)
    report.check()
    assert report.files[label]["read"] == 4
    assert report.files[label]["dropped"] == Counter(
        {
            "quarantined: empty cell in column 'option1'": 1,
            "quarantined: wrong type in column 'correct_answer' (expected int)": 1,
        }
    )
    report.write(tmp_path / "out")
    quarantined = [json.loads(line) for line in (tmp_path / "out" / "quarantine.jsonl").read_text().splitlines()]
    assert [(q["row"], q["column"]) for q in quarantined] == [(3, "option1"), (4, "correct_answer")]
    with pytest.raises(ValueError):
        list(read_xlsx(path, COLUMNS, on_error="skip"))  # skip needs a report


def test_jsonl_errors(tmp_path):
    path = tmp_path / "k.jsonl"
    good = json.dumps({"Question": "س", "Must_have": "['الف', 'ب']", "ICD": float("nan")}, ensure_ascii=False)
    path.write_bytes(
        good.encode()
        + b"\n\n"
        + b'{"Question": "\xff\xfe bad"}\n'
        + b"{not json\n"
        + json.dumps({"Question": ""}).encode()
        + b"\n"
    )
    cols = {"question": str, "must_have": list}
    with pytest.raises(DataError) as err:
        list(read_jsonl(path, cols, optional_columns={"icd": str}))
    assert err.value.row == 3 and "not valid UTF-8" in str(err.value) and "k.jsonl" in str(err.value)

    report = BuildReport("t")
    rows = list(read_jsonl(path, cols, optional_columns={"icd": str}, on_error="skip", report=report))
    assert len(rows) == 1 and rows[0].row == 1
    assert rows[0].values == {"question": "س", "must_have": ["الف", "ب"], "icd": None}
    dropped = report.files[f"{tmp_path.name}/k.jsonl"]["dropped"]
    assert dropped == Counter(
        {
            "quarantined: line is not valid UTF-8": 1,
            "quarantined: line is not valid JSON": 1,
            "quarantined: empty cell in column 'question'": 1,
        }
    )
    assert report.files[f"{tmp_path.name}/k.jsonl"]["read"] == 4


def test_jsonl_missing_column_and_wrong_list(tmp_path):
    path = tmp_path / "k.jsonl"
    path.write_text(json.dumps({"Question": "س"}) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        list(read_jsonl(path, {"question": str, "must_have": list}))
    assert err.value.column == "must_have" and err.value.row == 1
    path.write_text(json.dumps({"Question": "س", "Must_have": "not a list"}) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        list(read_jsonl(path, {"question": str, "must_have": list}))
    assert err.value.column == "must_have" and "wrong type" in str(err.value)


def test_report_invariant_and_round_trip(tmp_path):
    report = BuildReport("demo")
    report.read("a.xlsx", 10)
    report.keep("a.xlsx", 6)
    report.drop("a.xlsx", "answer too short", 2)
    report.add_duplicates(1, "exact", file="a.xlsx")
    with pytest.raises(ReportError, match="read 10 != kept 6 \\+ dropped 3"):
        report.check()
    report.add_leaks(1, "test", file="a.xlsx")
    report.add_duplicates(4, "near")  # statistics only
    report.count_redactions(Counter({"phone": 2, "url": 0}))
    report.check()
    report.write(tmp_path)
    loaded = BuildReport.load(tmp_path)
    assert loaded.to_dict() == report.to_dict()
    data = report.to_dict()
    assert data["duplicates"] == {"exact": 1, "near": 4} and data["leaks"] == {"test": 1}
    assert data["redactions"] == {"phone": 2, "email": 0, "url": 0, "national_id": 0, "handle": 0, "iban": 0,
                                  "card": 0, "address": 0, "name": 0, "postal_code": 0, "record_number": 0}
    assert data["stats"]["redaction_quality"]["status"] in ("measured", "not measured yet")
    assert data["files"]["a.xlsx"]["dropped"] == {
        "answer too short": 2,
        "contamination: overlaps test": 1,
        "exact duplicate": 1,
    }
    assert "| a.xlsx | 10 | 6 | 4 |" in (tmp_path / "build_report.md").read_text(encoding="utf-8")
    with pytest.raises(ValueError):
        report.add_duplicates(1, "fuzzy")


def test_read_table_reads_csv_and_parquet_like_the_other_readers(tmp_path):
    """The one table reader: csv and parquet rows get the same column matching, types, row numbers and errors."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from hub_tools.data.readers import read_table

    csv_path = tmp_path / "items.csv"
    csv_path.write_text("Question,Answer Index\nسوال اول,۲\n,3\n", encoding="utf-8")
    rows = read_table(csv_path, {"question": str, "answer_index": int})
    first = next(rows)
    assert (first.row, first["question"], first["answer_index"]) == (2, "سوال اول", 2)
    with pytest.raises(DataError, match=r"/items.csv, row 3, column 'question': empty cell"):
        next(rows)
    parquet_path = tmp_path / "items.parquet"
    pq.write_table(pa.table({"question": ["q1", "q2"], "extra": [1, 2]}), parquet_path)
    rows = list(read_table(parquet_path, {"question": str}))
    assert [(r.row, r["question"], r.extra) for r in rows] == [(1, "q1", {"extra": 1}), (2, "q2", {"extra": 2})]
    with pytest.raises(DataError, match="missing column"):
        list(read_table(parquet_path, {"answer": str}))
    with pytest.raises(DataError, match="unsupported table type"):
        list(read_table(tmp_path / "items.tsv", {"question": str}))

"""The shared fast xlsx reader: same values as openpyxl, inline strings and rich text handled, dates fall back."""

from __future__ import annotations

import datetime
import re
import zipfile

import openpyxl
import pytest

from hub_tools.data.readers import DataError, read_xlsx
from hub_tools.xlsx import XlsxError, read_first_sheet, read_sheet


def _trim(rows):
    out = []
    for row in rows:
        while row and row[-1] is None:
            row = row[:-1]
        out.append(row)
    while out and not out[-1]:
        out.pop()
    return out


def _openpyxl_values(path, sheet=None):
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = book[sheet] if sheet else book.worksheets[0]
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
    finally:
        book.close()
    return _trim(rows)


def test_typed_values_match_openpyxl(tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["question", "option1", "n", "flag", "text"])
    ws.append(["پرسش", 1, 2.5, True, "tab\there"])
    ws.append(["س", 1.0, 1e20, False, "line1\nline2"])
    ws["A5"] = "after a gap"
    ws["B5"] = "=1+1"  # a formula without a cached value: empty, as openpyxl data_only
    other = book.create_sheet("second")
    other.append(["x", 7])
    path = tmp_path / "t.xlsx"
    book.save(path)
    assert _trim(read_sheet(path)) == _openpyxl_values(path)
    assert read_sheet(path)[1] == ["پرسش", 1, 2.5, True, "tab\there"]
    assert read_sheet(path)[2][2] == 1e20 and read_sheet(path)[3] == []  # row 4 is a gap
    assert read_sheet(path, "second") == [["x", 7]] == _openpyxl_values(path, "second")
    with pytest.raises(XlsxError, match="no sheet 'third'") as err:
        read_sheet(path, "third")
    assert err.value.corrupt is False


def _rewrite_sheet(path, transform):
    """Rewrite xl/worksheets/sheet1.xml inside the package with ``transform(xml_text)``."""
    with zipfile.ZipFile(path) as src:
        items = {name: src.read(name) for name in src.namelist()}
    items["xl/worksheets/sheet1.xml"] = transform(items["xl/worksheets/sheet1.xml"].decode()).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in items.items():
            dst.writestr(name, data)


def test_inline_strings_and_rich_text(tmp_path):
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["question", "option1"])
    ws.append([CellRichText(["پرسش ", TextBlock(InlineFont(b=True), "پررنگ")]), "الف"])
    path = tmp_path / "rich.xlsx"
    book.save(path)
    assert read_sheet(path) == _openpyxl_values(path) == [["question", "option1"], ["پرسش پررنگ", "الف"]]

    # the same cell as an inline string (as some writers store text)
    def inline(xml):
        return re.sub(
            r'<c r="B2"([^>]*?) t="s"([^>]*)><v>\d+</v></c>',
            r'<c r="B2"\1 t="inlineStr"\2><is><r><t>ال</t></r><r><t>ف</t></r></is></c>',
            xml,
        )

    _rewrite_sheet(path, inline)
    assert "inlineStr" in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert read_sheet(path) == _openpyxl_values(path)
    rows = list(read_xlsx(path, {"question": str, "option1": str}))
    assert rows[0].values == {"question": "پرسش پررنگ", "option1": "الف"}


def test_dates_fall_back_to_openpyxl(tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["question", "when"])
    ws.append(["س", datetime.datetime(2023, 9, 1, 10, 30)])
    path = tmp_path / "d.xlsx"
    book.save(path)
    assert read_sheet(path) == _openpyxl_values(path)
    assert read_sheet(path)[1][1] == datetime.datetime(2023, 9, 1, 10, 30)
    assert read_first_sheet(path)[1] == ["س", "2023-09-01T10:30:00"]


def test_unreadable_files(tmp_path):
    (tmp_path / "bad.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    with pytest.raises(XlsxError, match="not a readable .xlsx") as err:
        read_sheet(tmp_path / "bad.xlsx")
    assert err.value.corrupt
    book = openpyxl.Workbook()
    book.active.append(["question"])
    path = tmp_path / "damaged.xlsx"
    book.save(path)
    _rewrite_sheet(path, lambda xml: xml[: len(xml) // 2])  # truncated sheet XML inside a valid zip
    with pytest.raises(DataError) as err:
        list(read_xlsx(path, {"question": str}))
    assert "damaged.xlsx" in str(err.value) and "not a readable xlsx" in str(err.value)

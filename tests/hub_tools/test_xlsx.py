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


# ------------------------------------------------------------------------------------------- bounded reading
def _one_cell_book(tmp_path, name="hostile.xlsx"):
    book = openpyxl.Workbook()
    book.active.append(["question", "answer"])
    book.active.append(["q", "a"])
    path = tmp_path / name
    book.save(path)
    return path


def _timed_error(path, match, **kwargs):
    import time

    start = time.monotonic()
    with pytest.raises(XlsxError, match=match) as err:
        read_sheet(path, **kwargs)
    assert time.monotonic() - start < 10 and err.value.corrupt is False
    return err.value


@pytest.mark.timeout(60)
def test_column_letters_beyond_excel_refused_naming_the_cell(tmp_path):
    path = _one_cell_book(tmp_path)
    _rewrite_sheet(path, lambda xml: xml.replace('r="B2"', 'r="ZZZZZZ2"'))
    _timed_error(path, "cell ZZZZZZ2: column ZZZZZZ is beyond the last column")
    with pytest.raises(DataError, match="hostile.xlsx.*cell ZZZZZZ2"):
        list(read_xlsx(path, {"question": str}))


@pytest.mark.timeout(60)
@pytest.mark.parametrize("row", ["1000000000000", "0", "1048577"])
def test_row_numbers_beyond_excel_refused(tmp_path, row):
    path = _one_cell_book(tmp_path)
    _rewrite_sheet(path, lambda xml: xml.replace('<row r="2"', f'<row r="{row}"').replace('r="A2"', f'r="A{row}"')
                   .replace('r="B2"', f'r="B{row}"'))
    _timed_error(path, f"row {row}: row numbers go from 1 to 1048576")


@pytest.mark.timeout(60)
def test_declared_dimension_beyond_excel_refused(tmp_path):
    path = _one_cell_book(tmp_path)
    _rewrite_sheet(path, lambda xml: re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:AAAA5"', xml))
    _timed_error(path, "dimension")


def _add_shared_strings(path, strings):
    """Add an ``xl/sharedStrings.xml`` part holding ``strings`` (openpyxl writes inline strings)."""
    body = "".join(f"<si><t>{text}</t></si>" for text in strings)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as dst:
        dst.writestr("xl/sharedStrings.xml", '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                                             f'count="{len(strings)}">{body}</sst>')


@pytest.mark.timeout(60)
def test_oversized_cell_refused_naming_the_cell(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["question"])
    book.active.append(["x"])
    path = tmp_path / "big-cell.xlsx"
    book.save(path)
    _rewrite_sheet(path, lambda xml: xml.replace("<t>x</t>", "<t>" + "x" * 40_000 + "</t>"))  # Excel stops at 32,767
    _timed_error(path, "cell A2: text of 40000 characters")
    shared = _one_cell_book(tmp_path, "big-shared.xlsx")
    _add_shared_strings(shared, ["ok", "y" * 40_000])
    _timed_error(shared, "shared string 1: text of 40000 characters")


@pytest.mark.timeout(60)
def test_shared_strings_cells_and_zip_bombs_bounded(tmp_path):
    from hub_tools.xlsx import XlsxLimits

    book = openpyxl.Workbook()
    for i in range(50):
        book.active.append([f"q{i}", f"a{i}", i])
    path = tmp_path / "many.xlsx"
    book.save(path)
    assert len(read_sheet(path)) == 50
    _add_shared_strings(path, [f"s{i}" for i in range(50)])
    assert len(read_sheet(path)) == 50
    _timed_error(path, "more than 10 shared strings", limits=XlsxLimits(max_shared_strings=10))
    _timed_error(path, "more than 60 cells", limits=XlsxLimits(max_cells=60))
    _timed_error(path, r"inflates to \d+ bytes, above the limit of 1000 bytes", limits=XlsxLimits(max_part_bytes=1000))
    bomb = tmp_path / "bomb.xlsx"  # a sheet inflating to 300 MB from a few hundred KB
    with zipfile.ZipFile(path) as src:
        items = {n: src.read(n) for n in src.namelist()}
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in items.items():
            if name == "xl/worksheets/sheet1.xml":
                with dst.open(name, "w") as fh:
                    fh.write(data[:-len(b"</worksheet>")])
                    block = b" " * (1 << 20)
                    for _ in range(300):
                        fh.write(block)
                    fh.write(b"</worksheet>")
            else:
                dst.writestr(name, data)
    before = _rss_kb("VmRSS")
    with open("/proc/self/clear_refs", "w") as fh:  # resets the VmHWM peak
        fh.write("5")
    _timed_error(bomb, "a zip bomb")
    assert (_rss_kb("VmHWM") - before) * 1024 <= 256 << 20


def _rss_kb(field):
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith(field + ":"))


@pytest.mark.timeout(60)
def test_openpyxl_fallback_is_bounded_too(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["question", "when"])
    book.active.append(["q", datetime.datetime(2023, 9, 1)])  # a date: the fast path hands the file to openpyxl
    path = tmp_path / "dated.xlsx"
    book.save(path)
    assert read_sheet(path)[1][1] == datetime.datetime(2023, 9, 1)
    hostile = '<row r="3"><c r="ZZZZZZ3" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    _rewrite_sheet(path, lambda xml: xml.replace("</sheetData>", hostile))  # after the date cell
    _timed_error(path, "cell ZZZZZZ3: column ZZZZZZ is beyond the last column")

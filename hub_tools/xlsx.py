"""One small, fast .xlsx reader shared by the dataset readers and the paper-results import.

openpyxl needs seconds for the project's spreadsheets (MF3QA ``test.xlsx`` about 3.3 s, the paper's result sheets
about 2 s each) because it builds a cell object per value; this reader (zipfile + ElementTree over the sheet XML)
needs 10-40x less.

What it reads (cell *values* only, like ``openpyxl.load_workbook(read_only=True, data_only=True)``):

- one worksheet: the first, or the one named ``sheet=`` (workbook order, relationships resolved);
- shared strings (``t="s"``), rich-text runs joined (phonetic ``<rPh>`` runs left out), inline strings
  (``t="inlineStr"``), formula string results (``t="str"``), error values (``t="e"``, as their text ``#N/A``),
  booleans (``t="b"``) and numbers (``t="n"``: ``int`` when the stored text has no ``.``/exponent, else ``float``,
  as openpyxl casts them); the cached value of a formula cell (no cached value: empty);
- Excel's ``_xHHHH_`` escapes are decoded.

What it does not read, and then falls back to openpyxl for the whole file (so the values are openpyxl's): numbers
in a date/time number format (openpyxl turns them into ``datetime``), ISO date cells (``t="d"``), unknown cell types
and Strict OOXML workbooks (another XML namespace). A file that is not a readable workbook for either raises
:class:`XlsxError` (``.corrupt`` is True, ``.detail`` says why); a missing sheet raises it with ``.corrupt`` False.

Rows come back indexed by spreadsheet row (``rows[0]`` is row 1); a row with no value (a gap) is ``[]`` and trailing
rows that only carry formatting (some files declare all 1,048,576) are dropped. Empty cells are ``None`` (``""`` in
the text form, :func:`read_first_sheet`).
"""

from __future__ import annotations

import datetime as _dt
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

__all__ = ["XlsxError", "read_sheet", "read_first_sheet"]

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")
# built-in number formats that openpyxl reads as dates/times
_BUILTIN_DATE_FORMATS = set(range(14, 23)) | {45, 46, 47}
_DATE_CODE = re.compile(r"[dmyhs]", re.IGNORECASE)


class XlsxError(ValueError):
    """The workbook cannot be read (``corrupt``: not a readable xlsx at all) or has no such sheet."""

    def __init__(self, message: str, *, corrupt: bool = True, detail: str = ""):
        super().__init__(message)
        self.corrupt = corrupt
        self.detail = detail or message


class _Unsupported(Exception):
    """Something this reader does not handle: the caller falls back to openpyxl."""


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def _text_of(element) -> str:
    """All <t> text below an <si> or <is> element, except phonetic runs (<rPh>)."""
    parts = []
    for child in element:
        if child.tag == f"{_NS}t":
            parts.append(child.text or "")
        elif child.tag == f"{_NS}r":
            parts += [t.text or "" for t in child.iter(f"{_NS}t")]
    return _unescape("".join(parts))


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - 64)
    return index - 1


def _sheet_path(archive: zipfile.ZipFile, sheet: str | None) -> str:
    workbook = ET.fromstring(archive.read("xl/workbook.xml"))
    if not workbook.tag.startswith(_NS):
        raise _Unsupported(f"workbook namespace {workbook.tag!r}")
    sheets = workbook.findall(f"{_NS}sheets/{_NS}sheet")
    if not sheets:
        raise XlsxError("the workbook has no sheet", corrupt=False)
    if sheet is None:
        chosen = sheets[0]
    else:
        chosen = next((s for s in sheets if s.get("name") == sheet), None)
        if chosen is None:
            raise XlsxError(f"no sheet {sheet!r}", corrupt=False)
    rel_id = chosen.get(f"{_REL_NS}id")
    rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for rel in rels.iter(f"{_PKG_REL_NS}Relationship"):
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    raise XlsxError(f"the worksheet's relationship {rel_id!r} is missing")


def _date_styles(archive: zipfile.ZipFile, names: set[str]) -> set[int]:
    """Indices of the cell styles (``s=``) whose number format is a date/time format."""
    if "xl/styles.xml" not in names:
        return set()
    root = ET.fromstring(archive.read("xl/styles.xml"))
    custom_dates = set()
    for fmt in root.iter(f"{_NS}numFmt"):
        code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", fmt.get("formatCode", ""))
        if _DATE_CODE.search(code):
            custom_dates.add(int(fmt.get("numFmtId", "-1")))
    cell_xfs = root.find(f"{_NS}cellXfs")
    if cell_xfs is None:
        return set()
    dates = set()
    for index, xf in enumerate(cell_xfs.findall(f"{_NS}xf")):
        fmt_id = int(xf.get("numFmtId", "0"))
        if fmt_id in _BUILTIN_DATE_FORMATS or fmt_id in custom_dates:
            dates.add(index)
    return dates


def _number(raw: str) -> int | float:
    return float(raw) if ("." in raw or "E" in raw or "e" in raw) else int(raw)


def _number_text(raw: str) -> str:
    return raw[:-2] if raw.endswith(".0") else raw


def _fast_rows(path: str | Path, sheet: str | None, as_text: bool) -> list[list[Any]]:
    empty = "" if as_text else None
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            shared = []
            if "xl/sharedStrings.xml" in names:
                root = ET.fromstring(archive.read("xl/sharedStrings.xml"))
                shared = [_text_of(si) for si in root.iter(f"{_NS}si")]
            root = ET.fromstring(archive.read(_sheet_path(archive, sheet)))
            date_styles = _date_styles(archive, names)
    except (zipfile.BadZipFile, KeyError, ET.ParseError, OSError, ValueError) as err:
        if isinstance(err, XlsxError):
            raise
        raise XlsxError(f"not a readable .xlsx file ({err})", detail=f"{type(err).__name__}: {err}") from err
    found: dict[int, list[Any]] = {}
    row_number = 0
    try:
        for row in root.iter(f"{_NS}row"):
            row_number = int(row.get("r", row_number + 1))
            values: list[Any] = []
            for position, cell in enumerate(row.iter(f"{_NS}c")):
                ref = _CELL_REF.match(cell.get("r", ""))
                column = _column_index(ref.group(1)) if ref else position
                kind = cell.get("t", "n")
                if kind == "inlineStr":
                    node = cell.find(f"{_NS}is")
                    value = _text_of(node) if node is not None else ""
                else:
                    v = cell.find(f"{_NS}v")
                    raw = v.text if v is not None and v.text is not None else ""
                    if not raw:
                        value = "" if kind in ("s", "str") and v is not None else empty
                    elif kind == "s":
                        value = shared[int(raw)]
                    elif kind == "b":
                        value = ("TRUE" if raw == "1" else "FALSE") if as_text else raw == "1"
                    elif kind == "n":
                        if date_styles and int(cell.get("s", "0")) in date_styles:
                            raise _Unsupported("a number in a date format")
                        value = _number_text(raw) if as_text else _number(raw)
                    elif kind in ("str", "e"):
                        value = _unescape(raw)
                    else:
                        raise _Unsupported(f"cell type {kind!r}")
                while len(values) < column:
                    values.append(empty)
                if len(values) == column:
                    values.append(value)
                else:
                    values[column] = value
            if any(v is not None and v != "" for v in values):
                found[row_number] = values
    except (IndexError, ValueError) as err:  # a shared-string index out of range, a malformed number
        raise XlsxError(f"not a readable .xlsx file ({err})", detail=f"{type(err).__name__}: {err}") from err
    return [found.get(number, []) for number in range(1, max(found, default=0) + 1)]


def _openpyxl_rows(path: str | Path, sheet: str | None, as_text: bool) -> list[list[Any]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # noqa: BLE001 - any failure to open is "not readable", named by the caller
        raise XlsxError(f"not a readable .xlsx file ({err})", detail=f"{type(err).__name__}: {err}") from err
    try:
        try:
            worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
        except (KeyError, IndexError):
            raise XlsxError(f"no sheet {sheet!r}" if sheet else "the workbook has no sheet", corrupt=False) from None
        rows: list[list[Any]] = []
        try:
            for cells in worksheet.iter_rows(values_only=True):
                rows.append([_as_text(c) for c in cells] if as_text else list(cells))
        except Exception as err:  # noqa: BLE001 - a damaged sheet inside a valid zip
            raise XlsxError(f"not a readable .xlsx file ({err})", detail=f"{type(err).__name__}: {err}") from err
    finally:
        workbook.close()
    empty = "" if as_text else None
    cleaned = [row if any(v is not None and v != "" for v in row) else [] for row in rows]
    while cleaned and not cleaned[-1]:
        cleaned.pop()
    # keep the fast reader's shape: no trailing empty cells
    out = []
    for row in cleaned:
        while row and row[-1] == empty:
            row = row[:-1]
        out.append(row)
    return out


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    return str(value)


def read_sheet(path: str | Path, sheet: str | None = None, *, as_text: bool = False) -> list[list[Any]]:
    """The rows of the first (or the named) worksheet, header included, as typed values (see the module docstring).

    Falls back to openpyxl for what the fast path does not handle; raises :class:`XlsxError` on an unreadable file
    or a missing sheet.
    """
    try:
        return _fast_rows(path, sheet, as_text)
    except _Unsupported:
        return _openpyxl_rows(path, sheet, as_text)


def read_first_sheet(path: str | Path) -> list[list[str]]:
    """The first worksheet's rows (header included) as lists of strings; empty cells are "", numbers their text
    (``3``, ``2.5``), booleans ``TRUE``/``FALSE``; trailing empty rows are dropped."""
    return read_sheet(path, as_text=True)

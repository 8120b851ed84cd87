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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["XlsxError", "XlsxLimits", "read_sheet", "read_first_sheet"]

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


def _read_small_part(archive: zipfile.ZipFile, name: str, limits: XlsxLimits) -> bytes:
    """A part parsed whole (workbook, relationships, styles): capped at ``MAX_SMALL_PART_BYTES`` decompressed."""
    capped = XlsxLimits(max_part_bytes=min(limits.max_part_bytes, MAX_SMALL_PART_BYTES))
    with _open_part(archive, name, capped) as stream:
        return stream.read()


def _sheet_path(archive: zipfile.ZipFile, sheet: str | None, limits: XlsxLimits) -> str:
    workbook = ET.fromstring(_read_small_part(archive, "xl/workbook.xml", limits))
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
    rels = ET.fromstring(_read_small_part(archive, "xl/_rels/workbook.xml.rels", limits))
    for rel in rels.iter(f"{_PKG_REL_NS}Relationship"):
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    raise XlsxError(f"the worksheet's relationship {rel_id!r} is missing")


def _date_styles(archive: zipfile.ZipFile, names: set[str], limits: XlsxLimits) -> set[int]:
    """Indices of the cell styles (``s=``) whose number format is a date/time format."""
    if "xl/styles.xml" not in names:
        return set()
    root = ET.fromstring(_read_small_part(archive, "xl/styles.xml", limits))
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


@dataclass(frozen=True)
class XlsxLimits:
    """Bounds on what one workbook may make the reader do; beyond any of them :class:`XlsxError` names the cell
    (or part) and the limit. The defaults are Excel's own limits (a file past them did not come from Excel), plus
    caps on the decompressed size of one XML part and on the cells held once rows are laid out."""

    max_columns: int = 16_384  # XFD
    max_rows: int = 1_048_576
    max_cell_chars: int = 32_767
    max_shared_strings: int = 2_000_000
    max_cells: int = 20_000_000  # values held for the sheet, gaps inside rows included
    max_part_bytes: int = 256 * 1024 * 1024  # one XML part of the package, decompressed (zip bombs)


DEFAULT_LIMITS = XlsxLimits()
MAX_SMALL_PART_BYTES = 16 * 1024 * 1024  # workbook, relationships and styles are parsed whole


def _over(message: str) -> XlsxError:
    return XlsxError(message, corrupt=False)


def _open_part(archive: zipfile.ZipFile, name: str, limits: XlsxLimits):
    """A part of the package, refused before it is inflated when it declares more than ``max_part_bytes`` (the
    zip reader never yields more than the declared size: a longer stream fails its CRC check)."""
    info = archive.getinfo(name)
    if info.file_size > limits.max_part_bytes:
        raise _over(f"part {name} inflates to {info.file_size} bytes, above the limit of {limits.max_part_bytes} "
                    "bytes (a zip bomb?)")
    return archive.open(info)


def _checked_text(text: str, where: str, limits: XlsxLimits) -> str:
    if len(text) > limits.max_cell_chars:
        raise _over(f"{where}: text of {len(text)} characters, above the limit of {limits.max_cell_chars} "
                    "(Excel's cell limit)")
    return text


def _shared_strings(archive: zipfile.ZipFile, limits: XlsxLimits) -> list[str]:
    shared: list[str] = []
    with _open_part(archive, "xl/sharedStrings.xml", limits) as stream:
        root = None
        for event, elem in ET.iterparse(stream, events=("start", "end")):
            if root is None:
                root = elem
            if event == "end" and elem.tag == f"{_NS}si":
                if len(shared) >= limits.max_shared_strings:
                    raise _over(f"more than {limits.max_shared_strings} shared strings")
                shared.append(_checked_text(_text_of(elem), f"shared string {len(shared)}", limits))
                root.clear()
    return shared


def _column_of(letters: str, ref: str, limits: XlsxLimits) -> int:
    if len(letters) > 3 or _column_index(letters) >= limits.max_columns:
        raise _over(f"cell {ref}: column {letters} is beyond the last column allowed ({limits.max_columns})")
    return _column_index(letters)


def _row_of(text: str, limits: XlsxLimits) -> int:
    if not text.isdigit() or len(text) > 9 or not 1 <= int(text) <= limits.max_rows:
        raise _over(f"row {text[:20]}: row numbers go from 1 to {limits.max_rows}")
    return int(text)


def _check_dimension(ref: str, limits: XlsxLimits) -> None:
    """The sheet's declared ``<dimension ref="A1:D10">`` must fit the limits too."""
    for corner in ref.split(":"):
        match = _CELL_REF.fullmatch(corner.replace("$", ""))
        if match:
            _column_of(match.group(1), f"{corner} (the sheet's dimension)", limits)
            _row_of(match.group(2), limits)


def _cell_value(cell, kind: str, shared: list[str], date_styles: set[int], as_text: bool, ref: str,
                limits: XlsxLimits, strict: bool) -> Any:
    empty = "" if as_text else None
    if kind == "inlineStr":
        node = cell.find(f"{_NS}is")
        return _checked_text(_text_of(node), f"cell {ref}", limits) if node is not None else ""
    v = cell.find(f"{_NS}v")
    raw = v.text if v is not None and v.text is not None else ""
    _checked_text(raw, f"cell {ref}", limits)
    if not raw:
        return "" if kind in ("s", "str") and v is not None else empty
    if kind == "s":
        return shared[int(raw)]
    if kind == "b":
        return ("TRUE" if raw == "1" else "FALSE") if as_text else raw == "1"
    if kind == "n":
        if strict and date_styles and int(cell.get("s", "0")) in date_styles:
            raise _Unsupported("a number in a date format")
        return _number_text(raw) if as_text else _number(raw)
    if kind in ("str", "e") or not strict:
        return _unescape(raw)
    raise _Unsupported(f"cell type {kind!r}")


def _fast_rows(path: str | Path, sheet: str | None, as_text: bool, limits: XlsxLimits = DEFAULT_LIMITS,
               strict: bool = True) -> list[list[Any]]:
    """The rows, streamed from the sheet XML within ``limits``. ``strict=False`` reads what the fast path does
    not handle (dates, unknown cell types) as plain values: the bounded pass made before falling back."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            shared = _shared_strings(archive, limits) if "xl/sharedStrings.xml" in names else []
            sheet_name = _sheet_path(archive, sheet, limits)
            date_styles = _date_styles(archive, names, limits)
            with _open_part(archive, sheet_name, limits) as stream:
                return _sheet_rows(stream, shared, date_styles, as_text, limits, strict)
    except (zipfile.BadZipFile, KeyError, ET.ParseError, OSError, ValueError, IndexError) as err:
        if isinstance(err, XlsxError):
            raise
        raise XlsxError(f"not a readable .xlsx file ({err})", detail=f"{type(err).__name__}: {err}") from err


def _sheet_rows(stream, shared: list[str], date_styles: set[int], as_text: bool, limits: XlsxLimits,
                strict: bool) -> list[list[Any]]:
    empty = "" if as_text else None
    found: dict[int, list[Any]] = {}
    row_number, cells, parent = 0, 0, None
    for event, elem in ET.iterparse(stream, events=("start", "end")):
        if event == "start":
            if elem.tag == f"{_NS}sheetData":
                parent = elem
            continue
        if elem.tag == f"{_NS}dimension":
            _check_dimension(elem.get("ref", ""), limits)
        if elem.tag != f"{_NS}row":
            continue
        row_number = _row_of(elem.get("r", str(row_number + 1)), limits)
        values: list[Any] = []
        for position, cell in enumerate(elem.iter(f"{_NS}c")):
            ref = cell.get("r", "")
            match = _CELL_REF.match(ref)
            column = _column_of(match.group(1), ref, limits) if match else position
            if column >= limits.max_columns:
                raise _over(f"row {row_number}: more than {limits.max_columns} cells")
            value = _cell_value(cell, cell.get("t", "n"), shared, date_styles, as_text, ref or f"row {row_number}",
                                limits, strict)
            if len(values) < column:
                values.extend([empty] * (column - len(values)))
            if len(values) == column:
                values.append(value)
            else:
                values[column] = value
        if any(v is not None and v != "" for v in values):
            cells += len(values) - len(found.get(row_number, []))
            if cells > limits.max_cells:
                raise _over(f"row {row_number}: the sheet holds more than {limits.max_cells} cells")
            found[row_number] = values
        if parent is not None:
            parent.clear()  # rows already read are dropped: memory is what the rows hold, not the XML tree
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


def read_sheet(path: str | Path, sheet: str | None = None, *, as_text: bool = False,
               limits: XlsxLimits = DEFAULT_LIMITS) -> list[list[Any]]:
    """The rows of the first (or the named) worksheet, header included, as typed values (see the module docstring).

    Falls back to openpyxl for what the fast path does not handle; raises :class:`XlsxError` on an unreadable file,
    a missing sheet, or a file beyond ``limits`` (Excel's limits by default, see :class:`XlsxLimits`).
    """
    try:
        return _fast_rows(path, sheet, as_text, limits)
    except _Unsupported:
        _fast_rows(path, sheet, as_text, limits, strict=False)  # the limits hold for openpyxl's read as well
        return _openpyxl_rows(path, sheet, as_text)


def read_first_sheet(path: str | Path, limits: XlsxLimits = DEFAULT_LIMITS) -> list[list[str]]:
    """The first worksheet's rows (header included) as lists of strings; empty cells are "", numbers their text
    (``3``, ``2.5``), booleans ``TRUE``/``FALSE``; trailing empty rows are dropped."""
    return read_sheet(path, as_text=True, limits=limits)

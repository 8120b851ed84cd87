"""A small, fast reader for the first worksheet of an .xlsx file, as rows of strings.

The paper's result spreadsheets hold long answers in the shared-strings table; openpyxl (through pandas) needs
about two seconds per file for that, this reader (zipfile + ElementTree) a few dozen milliseconds. It reads cell
values only: shared strings (rich text runs joined), inline strings, formula string results, numbers and booleans
(as their text). Excel's ``_xHHHH_`` escapes are decoded.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import xml.etree.ElementTree as ET
from pathlib import Path

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")


class XlsxError(ValueError):
    pass


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


def _first_sheet_path(archive: zipfile.ZipFile) -> str:
    workbook = ET.fromstring(archive.read("xl/workbook.xml"))
    sheet = workbook.find(f"{_NS}sheets/{_NS}sheet")
    if sheet is None:
        raise XlsxError("the workbook has no worksheet")
    rel_id = sheet.get(f"{_REL_NS}id")
    rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for rel in rels.iter(f"{_PKG_REL_NS}Relationship"):
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    raise XlsxError(f"the first worksheet's relationship {rel_id!r} is missing")


def read_first_sheet(path: str | Path) -> list[list[str]]:
    """The first worksheet's rows (header included) as lists of strings; empty cells are "", trailing empty rows
    are dropped."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            shared = []
            if "xl/sharedStrings.xml" in names:
                root = ET.fromstring(archive.read("xl/sharedStrings.xml"))
                shared = [_text_of(si) for si in root.iter(f"{_NS}si")]
            sheet = ET.fromstring(archive.read(_first_sheet_path(archive)))
    except (zipfile.BadZipFile, KeyError, ET.ParseError, OSError) as err:
        raise XlsxError(f"not a readable .xlsx file ({err})") from err
    found: dict[int, list[str]] = {}
    row_number = 0
    for row in sheet.iter(f"{_NS}row"):
        row_number = int(row.get("r", row_number + 1))
        values: list[str] = []
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
                if kind == "s" and raw:
                    value = shared[int(raw)]
                elif kind == "b":
                    value = "TRUE" if raw == "1" else "FALSE" if raw else ""
                elif kind == "n" and raw.endswith(".0"):
                    value = raw[:-2]
                else:
                    value = _unescape(raw)
            while len(values) < column:
                values.append("")
            values.append(value) if len(values) == column else values.__setitem__(column, value)
        if any(values):
            found[row_number] = values
    # Rows that only carry formatting (some files declare all 1,048,576) are not data; gaps inside stay as [].
    return [found.get(number, []) for number in range(1, max(found, default=0) + 1)]

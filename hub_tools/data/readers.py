"""Strict readers for the source files (xlsx and JSONL) with errors that name the file, the row and the column.

``read_xlsx(path, required_columns, ...)`` and ``read_jsonl(path, required_columns, ...)`` yield :class:`Row` objects:
``row.values`` maps each requested column name (as the caller spelled it) to a value of the requested type, and
``row.row`` is the 1-based row number a person sees in the source: the spreadsheet row for xlsx (the header is row
1, so the first data row is 2) and the line number for JSONL.

Column names are matched case-, space-, dash- and underscore-insensitively: ``"correct_answer"`` finds
``Correct answer``, ``"option1"`` finds ``Option1``. Extra columns are ignored (they are in ``row.extra``).

Types (``required_columns`` values are a type or a tuple of types):

- ``str``: text; a number in a text column (an option that is just ``1``) is read as its text, integral floats
  without ``.0``. Empty or whitespace-only cells are errors;
- ``int``: an integer, an integral float, or text holding an integer in ASCII, Persian or Arabic-Indic digits;
- ``float``: any number or numeric text;
- ``list``: a JSON array, or text holding a JSON / Python list literal (``"['a', 'b']"``, as ``str(list)`` and
  pandas write them). An empty list is a value, not an empty cell.

Optional columns (``optional_columns``) may be absent or empty; their value is then ``None``.

Errors: a file that cannot be opened or parsed as a whole (corrupt xlsx, missing columns) always raises
:class:`DataError`. A bad row (empty cell, wrong type, invalid JSON, a line that is not UTF-8) raises with
``on_error="raise"``; with ``on_error="skip"`` it is quarantined in the report (``report.quarantine``, written to
``quarantine.jsonl``) and counted as dropped with reason ``"quarantined: <why>"``. When a report is given, every
data row is counted with ``report.read(label)``; the caller then keeps or drops each yielded row.
The report's file label is ``<parent folder>/<file name>`` (no absolute paths end up in a published report).
Entirely blank rows/lines (trailing spreadsheet rows) are not data rows and are not counted.
"""

from __future__ import annotations

import ast
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Literal

from hub_tools.folding import fold_digits

__all__ = [
    "DataError",
    "Row",
    "TABLE_SUFFIXES",
    "read_xlsx",
    "read_jsonl",
    "read_table",
    "file_label",
    "match_columns",
]

OnError = Literal["raise", "skip"]
TABLE_SUFFIXES = (".xlsx", ".jsonl", ".csv", ".parquet")


class DataError(ValueError):
    """A source file problem, located: ``file``, ``row`` (1-based, None for the whole file), ``column``."""

    def __init__(self, file: str | Path, reason: str, *, row: int | None = None, column: str | None = None):
        self.file = str(file)
        self.row = row
        self.column = column
        self.reason = reason
        where = [self.file]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(", ".join(where) + ": " + reason)


@dataclass
class Row:
    """One data row: its source label, 1-based source row number, typed values and the other columns."""

    file: str
    row: int
    values: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)


def file_label(path: str | Path) -> str:
    """``<parent>/<name>``: the report's label for a source file."""
    path = Path(path)
    return f"{path.parent.name}/{path.name}" if path.parent.name else path.name


def _canon(name: Any) -> str:
    return re.sub(r"[\s_\-]+", "", str(name)).casefold()


def match_columns(
    file: str, header: list[Any], wanted: list[str], *, optional: list[str] = (), row: int | None = 1
) -> dict[str, int]:
    """Map each wanted column name to its index in ``header`` (case/space-insensitive); missing -> DataError."""
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        if name is None:
            continue
        index.setdefault(_canon(name), i)
    found, missing = {}, []
    for name in wanted:
        key = _canon(name)
        if key in index:
            found[name] = index[key]
        else:
            missing.append(name)
    if missing:
        have = [str(h) for h in header if h is not None]
        raise DataError(
            file,
            f"missing column(s) {', '.join(repr(m) for m in missing)} (the file has {have})",
            row=row,
            column=missing[0],
        )
    for name in optional:
        key = _canon(name)
        if key in index:
            found[name] = index[key]
    return found


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str) and not value.strip():
        return True
    return False


def _number_text(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _CellError(Exception):
    def __init__(self, column: str, reason: str, detail: str = ""):
        self.column, self.reason, self.detail = column, reason, detail
        super().__init__(reason)


def _convert(column: str, value: Any, types: type | tuple[type, ...]) -> Any:
    types = types if isinstance(types, tuple) else (types,)
    errors = []
    for typ in types:
        try:
            return _convert_one(value, typ)
        except (TypeError, ValueError, SyntaxError) as exc:
            errors.append(f"{typ.__name__}: {exc}")
    wanted = " or ".join(t.__name__ for t in types)
    raise _CellError(column, f"wrong type in column {column!r} (expected {wanted})", "; ".join(errors))


def _convert_one(value: Any, typ: type) -> Any:
    if typ is str:
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            raise TypeError(f"got a boolean {value!r}")
        if isinstance(value, (int, float)):
            return _number_text(value)
        raise TypeError(f"got {type(value).__name__}")
    if typ is int:
        if isinstance(value, bool):
            raise TypeError(f"got a boolean {value!r}")
        if isinstance(value, int):
            return value
        if isinstance(value, float):
            if value.is_integer():
                return int(value)
            raise ValueError(f"{value!r} is not an integer")
        if isinstance(value, str):
            text = fold_digits(value.strip())
            if re.fullmatch(r"[+-]?\d+(\.0+)?", text):
                return int(float(text)) if "." in text else int(text)
            raise ValueError(f"{value!r} is not an integer")
        raise TypeError(f"got {type(value).__name__}")
    if typ is float:
        if isinstance(value, bool):
            raise TypeError(f"got a boolean {value!r}")
        if isinstance(value, (int, float)):
            return float(value)
        if isinstance(value, str):
            return float(fold_digits(value.strip()).replace("٫", "."))
        raise TypeError(f"got {type(value).__name__}")
    if typ is list:
        if isinstance(value, list):
            return value
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                try:
                    parsed = json.loads(text)
                except json.JSONDecodeError:
                    parsed = ast.literal_eval(text)
                if isinstance(parsed, list):
                    return parsed
            raise ValueError("text is not a list literal")
        raise TypeError(f"got {type(value).__name__}")
    if typ is dict:
        if isinstance(value, dict):
            return value
        raise TypeError(f"got {type(value).__name__}")
    if isinstance(value, typ):
        return value
    raise TypeError(f"got {type(value).__name__}")


def _build_row(
    label: str,
    row_no: int,
    raw: dict[str, Any],
    required: dict[str, Any],
    optional: dict[str, Any],
    extra: dict[str, Any],
) -> Row:
    values: dict[str, Any] = {}
    for column, types in required.items():
        value = raw.get(column)
        if _is_empty(value):
            raise _CellError(column, f"empty cell in column {column!r}")
        values[column] = _convert(column, value, types)
    for column, types in optional.items():
        value = raw.get(column)
        values[column] = None if _is_empty(value) else _convert(column, value, types)
    return Row(label, row_no, values, extra)


def _handle_row_error(
    label: str, row_no: int, column: str | None, reason: str, detail: str, raw: Any, on_error: OnError, report
) -> None:
    if on_error == "raise":
        raise DataError(label, reason + (f" ({detail})" if detail else ""), row=row_no, column=column)
    report.quarantine(label, row_no, column, reason + (f" ({detail})" if detail else ""), raw)
    report.drop(label, f"quarantined: {reason}")


def _check_mode(on_error: str, report) -> None:
    if on_error not in ("raise", "skip"):
        raise ValueError(f"on_error must be 'raise' or 'skip', got {on_error!r}")
    if on_error == "skip" and report is None:
        raise ValueError("on_error='skip' needs a report to quarantine the skipped rows in")


def _prepare(
    path: str | Path, optional_columns: dict | None, on_error: str, report, label: str | None
) -> tuple[Path, str, dict[str, Any]]:
    """The checks and set-up both readers start with: the error mode, the file's report label (``label`` or
    :func:`file_label`), a copy of the optional columns; a missing file raises :class:`DataError`."""
    _check_mode(on_error, report)
    path = Path(path)
    label = label or file_label(path)
    if not path.is_file():
        raise DataError(label, f"file not found ({path})")
    return path, label, dict(optional_columns or {})


def read_xlsx(
    path: str | Path,
    required_columns: dict[str, type | tuple[type, ...]],
    *,
    optional_columns: dict[str, type | tuple[type, ...]] | None = None,
    on_error: OnError = "raise",
    report=None,
    sheet: str | None = None,
    label: str | None = None,
) -> Iterator[Row]:
    """Yield the typed rows of the first (or the named) sheet of an xlsx workbook (see the module docstring).

    The workbook is read with the shared fast reader :mod:`hub_tools.xlsx` (which falls back to openpyxl for what
    it does not handle, e.g. date-formatted cells).
    """
    from hub_tools.xlsx import XlsxError, read_sheet

    path, label, optional = _prepare(path, optional_columns, on_error, report, label)
    try:
        sheet_rows = read_sheet(path, sheet)
    except XlsxError as exc:
        if exc.corrupt:
            raise DataError(label, f"not a readable xlsx workbook ({exc.detail})") from None
        raise DataError(label, str(exc)) from None
    if not sheet_rows:
        raise DataError(label, "the sheet is empty (no header row)", row=1)
    header = list(sheet_rows[0])
    columns = match_columns(label, header, list(required_columns), optional=list(optional))
    used = set(columns.values())
    for row_no, cells in enumerate(sheet_rows[1:], start=2):
        if all(_is_empty(c) for c in cells):
            continue
        if report is not None:
            report.read(label)
        raw = {name: (cells[i] if i < len(cells) else None) for name, i in columns.items()}
        extra = {
            str(header[i]): c
            for i, c in enumerate(cells)
            if i not in used and i < len(header) and header[i] is not None
        }
        try:
            yield _build_row(label, row_no, raw, required_columns, optional, extra)
        except _CellError as exc:
            _handle_row_error(label, row_no, exc.column, exc.reason, exc.detail, {**raw, **extra}, on_error, report)


def read_jsonl(
    path: str | Path,
    required_columns: dict[str, type | tuple[type, ...]],
    *,
    optional_columns: dict[str, type | tuple[type, ...]] | None = None,
    on_error: OnError = "raise",
    report=None,
    label: str | None = None,
) -> Iterator[Row]:
    """Yield the typed rows of a JSON Lines file, one object per line (see the module docstring)."""
    path, label, optional = _prepare(path, optional_columns, on_error, report, label)
    wanted = list(required_columns) + list(optional)
    columns_checked = False
    with path.open("rb") as fh:
        for line_no, raw_line in enumerate(fh, start=1):
            if line_no == 1 and raw_line.startswith(b"\xef\xbb\xbf"):
                raw_line = raw_line[3:]
            if not raw_line.strip():
                continue
            if report is not None:
                report.read(label)
            try:
                text = raw_line.decode("utf-8")
            except UnicodeDecodeError as exc:
                _handle_row_error(
                    label,
                    line_no,
                    None,
                    "line is not valid UTF-8",
                    f"byte {exc.start}",
                    {"raw": repr(raw_line[:200])},
                    on_error,
                    report,
                )
                continue
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as exc:
                _handle_row_error(
                    label, line_no, None, "line is not valid JSON", str(exc), {"raw": text[:2000]}, on_error, report
                )
                continue
            if not isinstance(obj, dict):
                _handle_row_error(
                    label,
                    line_no,
                    None,
                    "line is not a JSON object",
                    type(obj).__name__,
                    {"raw": text[:2000]},
                    on_error,
                    report,
                )
                continue
            keys = list(obj)
            if not columns_checked:
                # the first object defines the columns: a missing column there is a file-level error
                mapping = match_columns(label, keys, list(required_columns), optional=list(optional), row=line_no)
                columns_checked = True
            else:
                lookup = {_canon(k): k for k in keys}
                mapping = {}
                for name in wanted:
                    if _canon(name) in lookup:
                        mapping[name] = keys.index(lookup[_canon(name)])
            raw = {name: obj[keys[i]] for name, i in mapping.items()}
            used = {keys[i] for i in mapping.values()}
            extra = {k: v for k, v in obj.items() if k not in used}
            try:
                yield _build_row(label, line_no, raw, required_columns, optional, extra)
            except _CellError as exc:
                _handle_row_error(label, line_no, exc.column, exc.reason, exc.detail, obj, on_error, report)


def _records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(source row number, record) of a CSV file (header is row 1) or a parquet file (streamed in batches)."""
    if path.suffix.lower() == ".csv":
        import csv

        with path.open(encoding="utf-8-sig", newline="") as fh:
            for row_no, record in enumerate(csv.DictReader(fh), start=2):
                yield row_no, record
        return
    import pyarrow.parquet as pq

    row_no = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=4096):
        for record in batch.to_pylist():
            row_no += 1
            yield row_no, record


def _read_records(
    path: Path,
    label: str,
    required_columns: dict[str, Any],
    optional: dict[str, Any],
    on_error: OnError,
    report,
) -> Iterator[Row]:
    wanted = list(required_columns) + list(optional)
    mapping: dict[str, str] | None = None
    for row_no, record in _records(path):
        if mapping is None:
            keys = list(record)
            found = match_columns(label, keys, list(required_columns), optional=list(optional))
            mapping = {name: keys[i] for name, i in found.items()}
        if all(_is_empty(v) for v in record.values()):
            continue
        if report is not None:
            report.read(label)
        raw = {name: record.get(mapping[name]) for name in wanted if name in mapping}
        used = set(mapping.values())
        extra = {k: v for k, v in record.items() if k not in used}
        try:
            yield _build_row(label, row_no, raw, required_columns, optional, extra)
        except _CellError as exc:
            _handle_row_error(label, row_no, exc.column, exc.reason, exc.detail, record, on_error, report)


def read_table(
    path: str | Path,
    required_columns: dict[str, type | tuple[type, ...]],
    *,
    optional_columns: dict[str, type | tuple[type, ...]] | None = None,
    on_error: OnError = "raise",
    report=None,
    label: str | None = None,
) -> Iterator[Row]:
    """Yield the typed rows of any table the project reads: ``.xlsx`` (:func:`read_xlsx`), ``.jsonl``
    (:func:`read_jsonl`), ``.csv`` (header row, UTF-8) or ``.parquet`` (streamed); same columns, types, errors and
    report counting for all of them (see the module docstring)."""
    suffix = Path(path).suffix.lower()
    kwargs = {"optional_columns": optional_columns, "on_error": on_error, "report": report, "label": label}
    if suffix == ".xlsx":
        yield from read_xlsx(path, required_columns, **kwargs)
    elif suffix == ".jsonl":
        yield from read_jsonl(path, required_columns, **kwargs)
    elif suffix in (".csv", ".parquet"):
        path, label, optional = _prepare(path, optional_columns, on_error, report, label)
        yield from _read_records(path, label, required_columns, optional, on_error, report)
    else:
        raise DataError(label or file_label(path), f"unsupported table type {suffix!r} (expected {TABLE_SUFFIXES})")

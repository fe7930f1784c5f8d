"""Read batches from JSON, CSV or XLSX, and write the XLSX template of a kind.

Spreadsheet columns are dotted paths: ``participant.family_name``; repeated rows use an
index: ``table_a.0.title``. Empty cells are absent values. Each row becomes one payload.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from docgen.documents.xlsxguard import LIMITS, Limits, check_xlsx, column_letter, table_error
from docgen.errors import DocgenError, InvalidInput, MalformedInput, Problem, pointer

_INDEX = re.compile(r"^(0|[1-9][0-9]{0,2})$")


@dataclass(frozen=True)
class Row:
    """One payload read from a batch file, and where it came from (for error messages)."""

    number: int  # 1-based data row for spreadsheets (header is row 1), list index for JSON
    where: str  # "row 7" or "/3"
    data: Any


def _set_path(target: dict, path: str, value: Any, column: str) -> None:
    parts = path.split(".")
    node: Any = target
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        key: Any = int(part) if _INDEX.match(part) else part
        if isinstance(key, int):
            if not isinstance(node, list):
                raise MalformedInput.at("", f"column {column}: '{part}' is an index of no list")
            while len(node) <= key:
                node.append(None)
        elif not isinstance(node, dict):
            raise MalformedInput.at("", f"column {column}: '{part}' follows a plain value")
        if last:
            node[key] = value
            return
        nxt_is_index = bool(_INDEX.match(parts[i + 1]))
        current = node[key] if (isinstance(key, int) or key in node) else None
        if current is None:
            current = [] if nxt_is_index else {}
            node[key] = current
        node = current


def _compact(value: Any) -> Any:
    """Drop list slots left empty (a spreadsheet with room for 12 rows, 5 used)."""
    if isinstance(value, dict):
        return {k: _compact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_compact(v) for v in value if v not in (None, {}, [])]
    return value


def unflatten(columns: dict[str, Any]) -> dict[str, Any]:
    """Turn ``{"a.b": 1, "c.0.d": 2}`` into ``{"a": {"b": 1}, "c": [{"d": 2}]}``."""
    out: dict[str, Any] = {}
    for column, value in columns.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        _set_path(out, column.strip(), value.strip() if isinstance(value, str) else value, column)
    return _compact(out)


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """The inverse of :func:`unflatten`: nested data to dotted columns."""
    out: dict[str, Any] = {}
    if isinstance(value, dict):
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}{k}."))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.update(flatten(v, f"{prefix}{i}."))
    else:
        out[prefix[:-1]] = value
    return out


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return int(value) if value.is_integer() else Decimal(repr(value))
    return value


def _rows_from_table(
    header: list[Any], rows: Iterator[tuple[Any, ...]], limits: Limits = LIMITS
) -> list[Row]:
    if len(header) > limits.columns:
        raise table_error("header_columns", count=len(header), columns=limits.columns)
    names = [str(h).strip() if h is not None else "" for h in header]
    if not any(names):
        raise MalformedInput.at(
            "", "the first row must name the columns (e.g. participant.family_name)"
        )
    seen: set[str] = set()
    for name in names:
        if name and name in seen:
            raise MalformedInput.at("", f"column {name} appears twice")
        seen.add(name)
    found: list[Row] = []
    for number, values in enumerate(rows, start=2):
        if number > limits.last_row:
            raise table_error("last_row", row=number, last_row=limits.last_row, rows=limits.rows)
        if len(values) > limits.columns:
            raise table_error(
                "columns",
                row=number,
                column=column_letter(limits.columns + 1),
                columns=limits.columns,
            )
        for index, value in enumerate(values):
            if isinstance(value, str) and len(value) > limits.cell_chars:
                raise table_error(
                    "cell_chars",
                    row=number,
                    column=column_letter(index + 1),
                    chars=limits.cell_chars,
                )
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        if len(found) >= limits.rows:
            raise table_error("rows", rows=limits.rows)
        columns = {n: _cell(v) for n, v in zip(names, values, strict=False) if n}
        found.append(Row(number, f"row {number}", unflatten(columns)))
    return found


def too_deep(value: Any, limit: int) -> bool:
    """Whether JSON data nests deeper than ``limit`` (iterative: no recursion to blow)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def read_json_batch(content: bytes, limits: Limits = LIMITS) -> list[Row]:
    try:
        data = json.loads(content.decode("utf-8-sig"), parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedInput.at("", f"not valid JSON: {exc}") from exc
    except RecursionError as exc:
        raise table_error("json_depth", depth=limits.json_depth) from exc
    except ValueError as exc:  # an integer of more than 4300 digits (sys.int_info)
        raise table_error("json_digits", digits=sys.get_int_max_str_digits()) from exc
    if not isinstance(data, list):
        raise MalformedInput.at("", "a JSON batch must be a list of payloads")
    if len(data) > limits.rows:
        raise table_error("items", rows=limits.rows)
    if too_deep(data, limits.json_depth):
        raise table_error("json_depth", depth=limits.json_depth)
    return [Row(i, pointer(i), item) for i, item in enumerate(data)]


def read_csv_batch(content: bytes, limits: Limits = LIMITS) -> list[Row]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MalformedInput.at("", "the CSV file must be UTF-8 (save it as 'CSV UTF-8')") from exc
    # Excel writes ';' in Romanian locales and ',' in English ones: the header line,
    # made of dotted column names, tells which.
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    number = 0  # records read; the header is row 1

    def records() -> Iterator[tuple[str, ...]]:
        nonlocal number
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                # csv refuses a field over csv.field_size_limit() (131,072 characters) and
                # a NUL byte; both are past what a cell may hold anyway.
                raise table_error(
                    "csv_field", row=number + 1, reason=exc, chars=limits.cell_chars
                ) from exc
            number += 1
            yield tuple(record)

    rows = records()
    header = next(rows, None)
    if header is None:
        raise MalformedInput.at("", "the CSV file is empty")
    return _rows_from_table(list(header), rows, limits)


def read_xlsx_batch(content: bytes, limits: Limits = LIMITS) -> list[Row]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise table_error("unreadable", reason=exc) from exc
    with archive:
        check_xlsx(archive, limits)
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # hostile input: openpyxl raises many kinds on broken parts
        raise table_error("unreadable", reason=f"{type(exc).__name__}: {str(exc)[:200]}") from exc
    try:
        if not book.worksheets:
            raise table_error("no_sheet")
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # the declared <dimension> may lie: read what is there
        rows = sheet.iter_rows(max_row=limits.last_row, values_only=True)
        try:
            header = next(rows, None)
            if header is None:
                raise table_error("empty_sheet")
            return _rows_from_table(list(header), rows, limits)
        except DocgenError:
            raise
        except Exception as exc:  # a broken cell or style deep in the sheet
            raise table_error(
                "sheet_unreadable", reason=f"{type(exc).__name__}: {str(exc)[:200]}"
            ) from exc
    finally:
        book.close()


def read_batch(content: bytes, filename: str, limits: Limits = LIMITS) -> list[Row]:
    """Read a batch file (``.json``, ``.csv`` or ``.xlsx``) into one payload per row.

    Every read is bounded by ``limits`` (rows, columns, cell length, nesting, and for an
    XLSX the sizes of what is inside, checked before openpyxl sees it). Run it in a worker
    with time and memory limits (``docgen.forms.isolation``) when the file comes from
    outside.
    """
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if suffix == "json":
        return read_json_batch(content, limits)
    if suffix == "csv":
        return read_csv_batch(content, limits)
    if suffix == "xlsx":
        return read_xlsx_batch(content, limits)
    raise MalformedInput.at("", f"unsupported batch file {filename!r}: use .json, .csv or .xlsx")


def batch_template(example: dict[str, Any], title: str) -> bytes:
    """An XLSX with the kind's columns (dotted paths) and one example row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    columns = flatten(example)
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(list(columns))
    sheet.append([_excel(v) for v in columns.values()])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE4EE")
    for i, name in enumerate(columns, start=1):
        sheet.column_dimensions[sheet.cell(1, i).column_letter].width = max(
            12, min(40, len(name) + 2)
        )
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _excel(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return value
    return str(value)


def row_problems(row: Row, exc: InvalidInput) -> list[Problem]:
    """Problems of one batch row: JSON pointers into a JSON list, or for a spreadsheet the
    row number and the column (``row 7, column participant.cnp``)."""
    if row.where.startswith("/"):
        return [p.at(row.where + p.pointer) for p in exc.problems]
    found = []
    for p in exc.problems:
        column = ".".join(
            part.replace("~1", "/").replace("~0", "~") for part in p.pointer.split("/")[1:]
        )
        where = f"{row.where}, column {column}" if column else row.where
        found.append(p.at(where))
    return found

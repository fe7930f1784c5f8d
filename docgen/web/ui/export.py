"""Records as a table: for the XLSX and CSV exports of the records page."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from docgen.domain.common import clean_text
from docgen.store.models import Record

MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",  # Flask adds "; charset=utf-8" to text types
}
# What a spreadsheet reads as the start of a formula (OWASP "CSV injection"): such text is
# written after an apostrophe, which Excel and LibreOffice show as text and do not run.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def text(value: Any) -> str:
    """A record's value as it is typed in a form field."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def table(
    records: Sequence[Record], specs: dict[str, Any], lang: str, status_label: Callable[[str], str]
) -> tuple[list[str], list[list[Any]]]:
    """A header and one row per record: the record's facts, then every field of its form."""
    fields: list[tuple[str, str]] = []  # (name, heading)
    seen: set[str] = set()
    for form in dict.fromkeys(r.form for r in records if r.form):
        spec = specs.get(form)
        names = (
            [(f.name, getattr(f.label, lang)) for f in spec.fields if f.type != "signature"]
            if spec
            else []
        )
        for name, heading in names:
            if name not in seen:
                seen.add(name)
                fields.append((name, heading))
    for record in records:
        for name in record.values or {}:
            if name not in seen:
                seen.add(name)
                fields.append((name, name))
    header = [
        _("Record"),
        _("Form"),
        _("Status"),
        _("Reference"),
        _("File"),
        _("Uploaded"),
        _("Approved"),
    ] + [heading for _name, heading in fields]
    rows = []
    for r in records:
        values = r.values or {}
        rows.append(
            [
                r.id,
                r.form or "",
                status_label(r.status),
                r.reference or "",
                r.filename or "",
                _naive(r.created_at),
                _naive(r.approved_at),
            ]
            + [_cell(values.get(name)) for name, _heading in fields]
        )
    return header, rows


def _naive(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=None) if moment else None  # Excel has no time zones


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value) if len(value) == 10 else value
        except ValueError:
            return value
    if isinstance(value, (dict, list)):
        return str(value)
    return value


def xlsx(header: list[str], rows: list[list[Any]], title: str = "records") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append([_safe(h) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.data_type = "s"
    for row in rows:
        sheet.append([_safe(v) for v in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text, whatever it looks like
            elif isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _safe(value: Any) -> Any:
    """Text as a spreadsheet must get it: never a formula, only characters XML can hold
    (values stored before the rules on text were made may hold others)."""
    if isinstance(value, str):
        value = clean_text(value)
        # Blanks first do not save it: spreadsheets may trim them on import.
        return "'" + value if value.lstrip(" ").startswith(FORMULA_START) else value
    if isinstance(value, Decimal):
        return float(value)
    return value


def csv_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    """UTF-8 with a BOM (Excel then reads ș and ț right), comma-separated."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_safe(h) for h in header])
    for row in rows:
        writer.writerow(
            [
                ""
                if v is None
                else v.isoformat(sep=" ", timespec="minutes")
                if isinstance(v, datetime)
                else v.isoformat()
                if isinstance(v, date)
                else _safe(v)
                for v in row
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def table_response(
    fmt: str, name: str, header: list[str], rows: list[list[Any]], title: str | None = None
) -> Any:
    """A table to save as ``<name>.<fmt>`` (``xlsx`` or ``csv``; the sheet is ``title``)."""
    from flask import Response

    content = xlsx(header, rows, title=title or name) if fmt == "xlsx" else csv_bytes(header, rows)
    response = Response(content, mimetype=MEDIA_TYPES[fmt].split(";")[0])
    response.headers["Content-Disposition"] = f"attachment; filename={name}.{fmt}"
    return response

"""Hostile batch files, built in memory: what an attacker or a careless export sends."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def workbook(rows: list[list[object]] | None = None) -> bytes:
    """A real XLSX written by openpyxl."""
    book = Workbook()
    sheet = book.active
    for row in rows or [["id", "name"], ["c1", "Ana"]]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def replace_members(content: bytes, members: dict[str, bytes | str | None]) -> bytes:
    """The same XLSX with some members replaced (None removes one) or added."""
    wanted = dict(members)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename in wanted:
                value = wanted.pop(info.filename)
                if value is not None:
                    target.writestr(info.filename, value)
            else:
                target.writestr(info, source.read(info))
        for name, value in wanted.items():
            if value is not None:
                target.writestr(name, value)
    return out.getvalue()


def sheet_xml(body: str, dimension: str = "A1:B2") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {NS}>'
        f'<dimension ref="{dimension}"/><sheetData>{body}</sheetData></worksheet>'
    )


def lying_dimension() -> bytes:
    """The 1.5 KB file of the report: ``A1:XFD200000`` and one cell in row 200000."""
    body = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c></row>'
        '<row r="200000"><c r="XFD200000" t="inlineStr"><is><t>x</t></is></c></row>'
    )
    return replace_members(workbook(), {SHEET: sheet_xml(body, "A1:XFD200000")})


def huge_inline_string(chars: int) -> bytes:
    body = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c></row>'
        f'<row r="2"><c r="A2" t="inlineStr"><is><t>{"A" * chars}</t></is></c></row>'
    )
    return replace_members(workbook(), {SHEET: sheet_xml(body)})


def far_column() -> bytes:
    body = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c>'
        '<c r="XFD1" t="inlineStr"><is><t>far</t></is></c></row>'
    )
    return replace_members(workbook(), {SHEET: sheet_xml(body)})


def with_doctype() -> bytes:
    """Billion laughs in the shared strings."""
    strings = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        f'<sst {NS} count="1" uniqueCount="1"><si><t>&lol2;</t></si></sst>'
    )
    return replace_members(workbook(), {"xl/sharedStrings.xml": strings})


def malformed_xml() -> bytes:
    return replace_members(workbook(), {SHEET: sheet_xml("<row r='1'><c r='A1'>")[:-30]})


def missing_sheet() -> bytes:
    """The workbook names a sheet whose part is not in the ZIP."""
    return replace_members(workbook(), {SHEET: None})


def bomb(megabytes: int) -> bytes:
    """One member that unpacks to ``megabytes`` MB from a few KB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("xl/worksheets/sheet1.xml", b" " * (megabytes * 1_000_000))
    return out.getvalue()

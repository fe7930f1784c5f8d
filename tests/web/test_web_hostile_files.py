"""Hostile spreadsheets and uploads on the service (issue 12, points 1 and 6, and Low)."""

from __future__ import annotations

import hashlib
import logging
import re
import sys
import time
from pathlib import Path

import pytest
from hostile_web import make_users, pdf_with_fields, post_file, sign_in, token

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "documents"))
import hostile

from docgen.store.database import db
from docgen.store.models import Record

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)

SELECTION = {"criteria_set": "incoming-students", "published_at": "2026-03-10T12:00"}
HOSTILE = [
    ("dimension.xlsx", hostile.lying_dimension, "rândul 200000: o foaie poate folosi"),
    (
        "inline.xlsx",
        lambda: hostile.huge_inline_string(300_000),
        "rândul 2, coloana A: o celulă poate conține cel mult 10000 de caractere",
    ),
    ("doctype.xlsx", hostile.with_doctype, "xl/sharedStrings.xml: conține o declarație DOCTYPE"),
    ("malformed.xlsx", hostile.malformed_xml, "nu este XML corect format"),
    ("missing.xlsx", hostile.missing_sheet, "registrul nu are nicio foaie"),
    ("bomb.xlsx", lambda: hostile.bomb(300), "dezarhivat depășește 64 MB"),
    (
        "field.csv",
        lambda: ("a,b\n" + "x" * 200_000 + ",y\n").encode(),
        "rândul 2: nu poate fi citit",
    ),
    ("deep.json", lambda: ("[" * 5000 + "]" * 5000).encode(), "niveluri de imbricare"),
]


@pytest.fixture
def users(app):
    make_users(app)


@pytest.mark.parametrize("path", ["/selection", "/batch"])
def test_only_writers_send_spreadsheets(client, users, path):
    sign_in(client, "viewer")
    response = post_file(client, path, "c.xlsx", hostile.lying_dimension(), **SELECTION)
    assert response.status_code == 403
    assert "Nu este permis" in response.text
    page = client.get(path).text  # and the page offers no form to send one
    assert f'action="{path}"' not in page


@pytest.mark.parametrize("path", ["/selection", "/batch"])
@pytest.mark.parametrize(("filename", "build", "expected"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_files_on_the_pages_are_refused_at_once(
    client, users, path, filename, build, expected
):
    sign_in(client, "officer")
    started = time.monotonic()
    response = post_file(client, path, filename, build(), **SELECTION)
    assert time.monotonic() - started < 20
    assert response.status_code == 422, response.text[:300]
    assert expected in response.text.replace("&#34;", '"')


def test_a_good_spreadsheet_still_ranks(client, users):
    sign_in(client, "officer")
    rows = [
        [
            "id",
            "name",
            "scores.grade",
            "scores.language",
            "scores.motivation",
            "scores.interview",
            "preferences",
            "eligible",
        ],
        ["c1", "Ana Pop", 18.5, "B2", 15, 25, "RS-NS-0715", True],
    ]
    response = post_file(
        client,
        "/selection",
        "c.xlsx",
        hostile.workbook(rows),
        **SELECTION,
        **{"places.0.id": "RS-NS-0715", "places.0.places": "1"},
    )
    assert response.status_code == 200, re.findall(r"<li>[^<]*</li>", response.text)
    assert "Ana Pop" in response.text


def test_selection_api_needs_the_documents_scope(client, make_key):
    response = client.post("/api/v1/selection/rank", headers=make_key("records:read"), json={})
    assert response.status_code == 403


def _multipart(disposition: str, content: bytes) -> tuple[bytes, str]:
    body = (
        b"--b\r\nContent-Disposition: form-data; "
        + disposition.encode()
        + b"\r\nContent-Type: application/pdf\r\n\r\n"
        + content
        + b"\r\n--b--\r\n"
    )
    return body, "multipart/form-data; boundary=b"


def test_a_file_name_with_cr_lf_is_cleaned_and_the_file_still_downloads(
    app, client, make_key, users
):
    key = make_key("uploads", "records:read")
    content = pdf_with_fields({"city": "Arad"})
    body, ctype = _multipart(
        "name=\"file\"; filename*=UTF-8''evil%0D%0AX-Injected%3A%201.pdf", content
    )
    response = client.post("/api/v1/uploads", data=body, content_type=ctype, headers=key)
    assert response.status_code == 201, response.json
    record = response.json["uploads"][0]["record"]
    assert record["filename"] == "evil X-Injected: 1.pdf"
    with client.get(record["file"], headers=key) as download:
        assert download.status_code == 200
        assert hashlib.sha256(download.data).hexdigest() == record["sha256"]
        assert "\n" not in download.headers["Content-Disposition"]
    # A record stored before names were cleaned still downloads, from the API and the page.
    with app.app_context():
        db.session.get(Record, record["id"]).filename = "old\r\nname.pdf"
        db.session.commit()
    with client.get(record["file"], headers=key) as again:
        assert again.status_code == 200
        assert "old name.pdf" in again.headers["Content-Disposition"]
    sign_in(client, "viewer")
    with client.get(f"/records/{record['id']}/original.pdf") as page:
        assert page.status_code == 200
        assert "old name.pdf" in page.headers["Content-Disposition"]


def test_uploads_take_files_only_in_the_field_named_file(client, make_key):
    body, ctype = _multipart('name="other"; filename="f.pdf"', pdf_with_fields({"a": "b"}))
    response = client.post(
        "/api/v1/uploads", data=body, content_type=ctype, headers=make_key("uploads")
    )
    assert response.status_code == 422
    assert response.json["errors"][0]["pointer"] == "/other"


def test_the_pdf_sniff_wants_a_trailer(client, make_key):
    key = make_key("uploads")
    body, ctype = _multipart('name="file"; filename="f.pdf"', b"%PDF-1.7\n" + b"0" * 5000)
    response = client.post("/api/v1/uploads", data=body, content_type=ctype, headers=key)
    assert response.status_code == 415
    assert response.json["errors"][0]["pointer"] == "/file/0"


def test_a_chunked_body_past_the_limit_is_413(make_app, make_key):
    app = make_app(MAX_UPLOAD_MB=1)
    client = app.test_client()
    from docgen.store.keys import create_key

    with app.app_context():
        _, secret = create_key(db.session, "chunked", ["documents"])
        db.session.commit()
    body = b'{"x": "' + b"a" * 1_500_000 + b'"}'
    response = client.post(
        "/api/v1/grants/quote",
        data=body,
        headers={
            "Authorization": f"Bearer {secret}",
            "Content-Type": "application/json",
            "Transfer-Encoding": "chunked",
        },
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413
    assert response.content_type == "application/problem+json"


def test_logged_paths_cannot_forge_lines(client, caplog):
    with caplog.at_level(logging.INFO, logger="docgen.web.requests"):
        client.get("/healthz%0a2026-01-01 INFO docgen: forged%0d%0a")
    lines = [r.getMessage() for r in caplog.records if r.name == "docgen.web.requests"]
    assert lines and all("\n" not in line and "\r" not in line for line in lines)
    assert any("\\x0a2026-01-01" in line for line in lines)


def test_the_records_page_survives_a_huge_page_number(client, users):
    sign_in(client, "viewer")
    response = client.get("/records?page=369934881474191032")
    assert response.status_code == 200
    token(client)  # the page still works after it


def test_minutes_with_a_deeply_nested_selection_is_400(client, users):
    sign_in(client, "officer")
    response = client.post(
        "/selection/minutes",
        data={"csrf_token": token(client), "_selection": "[" * 5000 + "]" * 5000},
    )
    assert response.status_code == 400
    assert "<html" in response.text

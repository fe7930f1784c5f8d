"""Browser hardening and stored files: headers on every answer, uploads never active,
only uploads behind /api/v1/uploads, and private file modes in the instance folder."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from hostile_pdfs import hostile_pdf

from docgen.store.database import db
from docgen.store.models import Blob
from docgen.store.users import create_user

TEMPLATES = Path(__file__).resolve().parents[2] / "docgen" / "web" / "templates"


@pytest.fixture
def officer(app):
    with app.app_context():
        create_user(db.session, "officer@upt.ro", "officer", "a-long-enough-password")
        db.session.commit()
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    assert (
        client.post(
            "/login",
            data={
                "email": "officer@upt.ro",
                "csrf_token": token,
                "password": "a-long-enough-password",
            },
        ).status_code
        == 302
    )
    return client


def _assert_hardened(response):
    h = response.headers
    csp = h["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "object-src 'none'" in csp
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["X-Frame-Options"] == "DENY"
    assert h["Referrer-Policy"] == "same-origin"


def test_pages_and_api_answers_are_hardened_and_not_cached(
    client, officer, admin, certificate, upload
):
    record = upload(client, admin, ("c.pdf", certificate("REF-H", "2026-09-15", "2027-01-20")))
    record_id = record.json["uploads"][0]["record"]["id"]
    answers = [
        client.get("/login"),
        officer.get("/"),
        officer.get(f"/records/{record_id}"),
        officer.get("/records/export.csv"),
        client.get(f"/api/v1/records/{record_id}", headers=admin),
        client.get("/api/v1/records/999999", headers=admin),
        client.get("/api/v1/docs"),
        client.get("/api/v1/records"),
    ]
    for response in answers:
        _assert_hardened(response)
        assert response.headers["Cache-Control"] == "no-store", response.request.path
    static = client.get("/static/ui.css")
    _assert_hardened(static)
    assert "no-store" not in static.headers.get("Cache-Control", "")
    static.close()


def test_no_template_has_inline_script_or_style():
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), template.name
        assert "<style" not in text and " style=" not in text, template.name
        assert not re.search(r"\son[a-z]+\s*=", text), template.name
        assert "javascript:" not in text.lower(), template.name


def test_an_uploaded_pdf_is_never_served_as_active_content(client, officer, make_key, upload):
    content = hostile_pdf("open_action_js")
    entry = upload(client, make_key("uploads"), ("evil.pdf", content)).json["uploads"][0]
    assert any(i["code"] == "active_content" for i in entry["record"]["issues"])
    assert entry["record"]["status"] == "needs_review"
    page = officer.get(f"/records/{entry['record']['id']}")
    assert "<iframe" not in page.text and "<embed" not in page.text
    assert "<object" not in page.text
    for response in (
        officer.get(f"/records/{entry['record']['id']}/original.pdf"),
        client.get(f"/api/v1/uploads/{entry['sha256']}", headers=make_key("records:read")),
    ):
        assert response.status_code == 200 and response.data == content
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["Content-Security-Policy"].startswith("sandbox")
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "no-store"
        response.close()


def test_only_uploads_are_served_as_uploads(app, client, make_key):
    reader = make_key("records:read")
    blobs = app.extensions["docgen.blobs"]
    batch_items = blobs.put(b'[{"participant": {"cnp": "1800101221144"}}]')
    archive = blobs.put(b"PK\x05\x06" + b"\0" * 18)
    with app.app_context():
        db.session.add(Blob(sha256=batch_items, size=40, media_type="application/json"))
        db.session.add(Blob(sha256=archive, size=22, media_type="application/zip"))
        db.session.commit()
    for sha in (batch_items, archive, "0" * 64, "not-a-hash"):
        response = client.get(f"/api/v1/uploads/{sha}", headers=reader)
        assert response.status_code == 404, sha
        assert b"1800101221144" not in response.data


def test_the_instance_folder_and_its_files_are_private(
    make_app, tmp_path, admin, client, certificate, upload, backend
):
    upload(client, admin, ("c.pdf", certificate("REF-P", "2026-09-15", "2027-01-20")))
    instance = tmp_path / "instance"
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    assert stat.S_IMODE((instance / "secret_key").stat().st_mode) == 0o600
    files = [p for p in (instance / "files").rglob("*") if p.is_file()]
    assert files and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files)
    folders = [instance / "files", *(p for p in (instance / "files").rglob("*") if p.is_dir())]
    assert all(stat.S_IMODE(p.stat().st_mode) & 0o077 == 0 for p in folders)
    if backend == "sqlite":
        database = Path(client.application.config["DATABASE_URL"].removeprefix("sqlite:///"))
        for path in (database, Path(f"{database}-wal")):
            if path.exists():
                assert stat.S_IMODE(path.stat().st_mode) == 0o600, path

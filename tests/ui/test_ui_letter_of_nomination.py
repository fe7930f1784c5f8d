"""The pages know the letter of nomination without being told: its form, its example and its
document, as for every kind found in docgen/documents/kinds."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from docx import Document

from docgen.store.database import db
from docgen.store.users import create_user
from docgen.web.ui.schemaform import values_of

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = json.loads((ROOT / "samples" / "letter_of_nomination.json").read_text("utf-8"))


@pytest.fixture
def backend():
    return "sqlite"


@pytest.fixture
def officer(app, client):
    with app.app_context():
        create_user(db.session, "officer@upt.ro", "officer", "a-long-enough-password")
        db.session.commit()
    client.post(
        "/login",
        data={
            "email": "officer@upt.ro",
            "password": "a-long-enough-password",
            "csrf_token": _token(client, "/login"),
        },
    )
    return client


def _token(client, path) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def test_the_page_offers_the_letter_and_makes_it_from_the_form(officer):
    page = officer.get("/documents/new?kind=letter_of_nomination&lang=ro")
    assert page.status_code == 200
    assert "Scrisoare de nominalizare" in page.text
    assert 'name="study_programme"' in page.text

    form = {
        **values_of(json.loads(json.dumps(SAMPLE))),
        "_kind": "letter_of_nomination",
        "_lang": "ro",
        "_action": "docx",
        "csrf_token": _token(officer, "/documents/new?kind=letter_of_nomination"),
    }
    response = officer.post("/documents/new", data=form)
    assert response.status_code == 200, response.text[:2000]
    disposition = response.headers["Content-Disposition"]
    assert "letter_of_nomination-UPT-DRI-2026-0518-ro.docx" in disposition
    text = "\n".join(p.text for p in Document(io.BytesIO(response.data)).paragraphs)
    assert "SCRISOARE DE NOMINALIZARE" in text
    assert "Ștefania-Irina Vlăduțescu" in text

"""Nobody waits for a document being rendered and converted (SQLite and PostgreSQL).

On SQLite every transaction holds the database's write lock (``BEGIN IMMEDIATE``); on
PostgreSQL a checked financial contract holds its agreement's row until it is recorded. A
request that kept its transaction open while its documents rendered and converted (a second
for a PDF, a minute for a batch of 50) made every other writer of the service wait, and past
SQLite's 30 s busy timeout fail. The checks come first, the transaction ends while the
documents are made, and the caps are checked again as they are recorded
(tests/web/test_web_caps_race.py: two contracts at once on the last place).
"""

from __future__ import annotations

import sqlite3

import psycopg
import pytest

from docgen.documents import batch
from docgen.operations import documents as ops
from docgen.store.database import db
from tests.web.test_web_registry_caps import _contract, novi_sad  # noqa: F401 (fixture)


def _others_can_write(app, agreement: int) -> bool:
    """Another connection can write now (SQLite), or lock the agreement's row (PostgreSQL),
    without waiting more than a fraction of a second."""
    url = str(app.config["DATABASE_URL"])
    if url.startswith("sqlite"):
        other = sqlite3.connect(url.split("///", 1)[1], timeout=0.3)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.rollback()
            return True
        except sqlite3.OperationalError:  # database is locked
            return False
        finally:
            other.close()
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as other:
        try:
            other.execute("SELECT id FROM agreements WHERE id = %s FOR UPDATE NOWAIT", (agreement,))
            return True
        except psycopg.errors.LockNotAvailable:
            return False


@pytest.fixture
def probed(monkeypatch):
    """While each document renders, whether others could write (one entry a document)."""
    seen: list[bool] = []

    def watch(render, app, agreement):
        def watched(*args, **kwargs):
            seen.append(_others_can_write(app, agreement))
            return render(*args, **kwargs)

        return watched

    def install(app, agreement: int) -> list[bool]:
        monkeypatch.setattr(ops, "render", watch(ops.render, app, agreement))
        monkeypatch.setattr(batch, "render_document", watch(batch.render_document, app, agreement))
        return seen

    return install


@pytest.fixture
def app(make_app):
    return make_app(BATCH_SYNC_LIMIT=5)


def test_a_contract_renders_while_others_write(app, make_key, novi_sad, probed):  # noqa: F811
    seen = probed(app, novi_sad)
    key = make_key("documents")
    data = _contract("311/2026", novi_sad, "2027-03-08", "2027-03-12", 2)
    answer = app.test_client().post(
        "/api/v1/documents",
        json={"kind": "financial_contract", "lang": "ro", "format": "docx", "data": data},
        headers=key,
    )
    assert answer.status_code == 201, answer.json
    assert seen == [True]


def test_a_batch_renders_while_others_write(app, make_key, novi_sad, probed):  # noqa: F811
    seen = probed(app, novi_sad)
    key = make_key("documents")
    items = [
        _contract("312/2026", novi_sad, "2027-03-08", "2027-03-12", 1),
        _contract("313/2026", novi_sad, "2027-03-15", "2027-03-19", 1),
    ]
    answer = app.test_client().post(
        "/api/v1/documents/batch",
        json={"kind": "financial_contract", "lang": "en", "format": "docx", "items": items},
        headers=key,
    )
    assert answer.status_code == 200, answer.json
    assert seen == [True, True]
    with app.app_context():
        from docgen.store.models import Document

        numbers = sorted(
            d.reference for d in db.session.query(Document).filter_by(kind="financial_contract")
        )
    assert numbers == ["312/2026", "313/2026"]  # both recorded, once, after rendering


def test_a_batch_refused_at_recording_records_nothing(app, make_key, novi_sad, monkeypatch):  # noqa: F811
    """A contract recorded while a batch rendered took the places: the batch is refused as
    it is recorded (422 naming the item and the agreement), and none of it is kept."""
    key = make_key("documents")
    client = app.test_client()
    render = batch.render_document
    taken = []

    def meanwhile(*args, **kwargs):
        if not taken:  # another request takes both places while this batch renders
            taken.append(True)
            for number, start, end in (
                ("320/2026", "2027-03-01", "2027-03-05"),
                ("321/2026", "2027-03-22", "2027-03-26"),
            ):
                done = client.post(
                    "/api/v1/documents",
                    json={
                        "kind": "financial_contract",
                        "lang": "en",
                        "format": "docx",
                        "data": _contract(number, novi_sad, start, end, 0),
                    },
                    headers=key,
                )
                assert done.status_code == 201, done.json
        return render(*args, **kwargs)

    monkeypatch.setattr(batch, "render_document", meanwhile)
    items = [_contract("322/2026", novi_sad, "2027-03-08", "2027-03-12", 1)]
    answer = client.post(
        "/api/v1/documents/batch",
        json={"kind": "financial_contract", "lang": "en", "format": "docx", "items": items},
        headers=key,
    )
    assert answer.status_code == 422, answer.status_code
    problem = answer.json["errors"][0]
    assert problem["pointer"] == "/items/0/mobility/agreement"
    assert "0 left" in problem["message"] and f"agreement {novi_sad}" in problem["message"]
    with app.app_context():
        from docgen.store.models import Document

        numbers = sorted(
            d.reference for d in db.session.query(Document).filter_by(kind="financial_contract")
        )
    assert numbers == ["320/2026", "321/2026"]

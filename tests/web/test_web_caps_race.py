"""On SQLite and PostgreSQL: two contracts generated at the same instant on an agreement with
one place left; exactly one is recorded, the other refused naming the agreement, 0 left.

The render is slowed down so that both requests are between the check of the caps and the
recording of the document at once: without the agreement's lock
(:func:`docgen.operations.registry.lock_agreements`) both pass on PostgreSQL. Batch jobs
check each contract again as they record it; a contract on another agreement does not wait
for the lock."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from docgen.documents import batch
from docgen.operations import documents as ops
from docgen.operations.registry import lock_agreements
from docgen.store import registry as store
from docgen.store.database import db
from docgen.store.models import Document
from tests.web.test_web_registry_caps import _contract, novi_sad  # noqa: F401 (fixture)

SLOW = 1.0  # seconds each render takes: the window between check and record


@pytest.fixture
def app(make_app):
    """A batch of one item answers at once, a batch of two becomes a job."""
    return make_app(BATCH_SYNC_LIMIT=1)


@pytest.fixture
def slow_render(monkeypatch):
    """Each document (alone, or in a batch) takes SLOW seconds more to render."""

    def slowed(render):
        def slow(*args, **kwargs):
            time.sleep(SLOW)
            return render(*args, **kwargs)

        return slow

    monkeypatch.setattr(ops, "render", slowed(ops.render))
    monkeypatch.setattr(batch, "render_document", slowed(batch.render_document))


def _stored(app, agreement: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Document.reference)
                .where(
                    Document.kind == "financial_contract",
                    Document.payload["mobility"]["agreement"].as_integer() == agreement,
                )
                .order_by(Document.reference)
            )
        )


def _at_once(calls: list) -> list:
    start = threading.Barrier(len(calls))

    def go(call):
        start.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(go, calls))


def test_two_contracts_at_once_on_the_last_place(app, make_key, novi_sad, slow_render):  # noqa: F811
    key = make_key("documents")
    name = f"agreement {novi_sad} (University of Novi Sad, KA107)"
    first = _contract("301/2026", novi_sad, "2027-03-08", "2027-03-12", 2)
    created = app.test_client().post(
        "/api/v1/documents",
        json={"kind": "financial_contract", "lang": "en", "format": "docx", "data": first},
        headers=key,
    )
    assert created.status_code == 201, created.json
    # Either one fits in the one place left (5 days of 6, 1 travel day of 1); not both.
    contracts = [
        _contract(number, novi_sad, "2027-03-15", "2027-03-19", 1)
        for number in ("302/2026", "303/2026")
    ]

    def post(data):
        body = {"kind": "financial_contract", "lang": "en", "format": "docx", "data": data}
        return lambda: app.test_client().post("/api/v1/documents", json=body, headers=key)

    answers = _at_once([post(data) for data in contracts])
    assert sorted(a.status_code for a in answers) == [201, 422], [a.json for a in answers]
    refused = next(a for a in answers if a.status_code == 422)
    winner = next(a for a in answers if a.status_code == 201).headers["Content-Disposition"]
    number = "302/2026" if "302" in winner else "303/2026"
    assert refused.json["errors"][0] == {
        "pointer": "/data/mobility/agreement",
        "message": f"{name} has 2 places for incoming STA: 2 contracts (301/2026, "
        f"{number}) took them, 0 left",
    }
    assert _stored(app, novi_sad) == ["301/2026", number]


def test_two_batches_at_once_on_the_last_place(app, make_key, novi_sad, slow_render):  # noqa: F811
    """The same through the API's batch (the ZIP at once): one batch is refused."""
    key = make_key("documents")
    name = f"agreement {novi_sad} (University of Novi Sad, KA107)"
    first = _contract("301/2026", novi_sad, "2027-03-08", "2027-03-12", 2)
    client = app.test_client()
    body = {"kind": "financial_contract", "lang": "en", "format": "docx", "data": first}
    assert client.post("/api/v1/documents", json=body, headers=key).status_code == 201

    def post(number):
        items = [_contract(number, novi_sad, "2027-03-15", "2027-03-19", 1)]
        body = {"kind": "financial_contract", "lang": "en", "format": "docx", "items": items}
        return lambda: app.test_client().post("/api/v1/documents/batch", json=body, headers=key)

    answers = _at_once([post("302/2026"), post("303/2026")])
    assert sorted(a.status_code for a in answers) == [200, 422], [a.status_code for a in answers]
    refused = next(a for a in answers if a.status_code == 422)
    message = refused.json["errors"][0]["message"]
    assert message.startswith(f"{name} has 2 places for incoming STA: 2 contracts (301/2026, ")
    assert message.endswith("took them, 0 left")
    assert len(_stored(app, novi_sad)) == 2


def test_two_batch_jobs_at_once_on_the_last_places(app, make_key, novi_sad, wait, monkeypatch):  # noqa: F811
    """Two jobs submitted at once both pass the check (nothing is recorded yet); as they
    run, each contract is checked again as it is recorded: the second job's are refused."""
    from docgen.jobs import queue

    held = []  # the jobs start once both are submitted
    enqueue = queue.enqueue
    monkeypatch.setattr(queue, "enqueue", lambda *args, **kwargs: held.append((args, kwargs)))
    key = make_key("documents")
    name = f"agreement {novi_sad} (University of Novi Sad, KA107)"
    client = app.test_client()

    def post(numbers):
        items = [
            _contract(numbers[0], novi_sad, "2027-03-08", "2027-03-12", 1),
            _contract(numbers[1], novi_sad, "2027-03-15", "2027-03-19", 1),
        ]
        body = {"kind": "financial_contract", "lang": "en", "format": "docx", "items": items}
        return lambda: app.test_client().post("/api/v1/documents/batch", json=body, headers=key)

    answers = _at_once([post(("301/2026", "302/2026")), post(("303/2026", "304/2026"))])
    assert [a.status_code for a in answers] == [202, 202], [a.json for a in answers]
    for args, kwargs in held:
        enqueue(*args, **kwargs)
    jobs = [
        wait(
            lambda url=a.headers["Location"]: (
                (j := client.get(url, headers=key).json)["status"] in {"done", "failed"} and j
            )
        )
        for a in answers
    ]
    assert [j["status"] for j in jobs] == ["done", "done"]
    stored = _stored(app, novi_sad)
    assert stored in (["301/2026", "302/2026"], ["303/2026", "304/2026"])
    loser = next(j for j in jobs if j["errors"])
    assert [e["index"] for e in loser["errors"]] == [0, 1]
    for error in loser["errors"]:
        assert f"{name} has 2 places for incoming STA: 2 contracts" in error["detail"]
        assert "took them, 0 left" in error["detail"]


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)  # SQLite locks it all
def test_other_agreements_do_not_wait(app, make_key, novi_sad):  # noqa: F811
    """While a transaction holds one agreement, a contract on another is generated at once
    and one on the held agreement waits for it."""
    key = make_key("documents")
    with app.app_context():
        partner = store.list_institutions(db.session, text="University of Belgrade")[0][0]
        belgrade = store.list_agreements(
            db.session, institution_id=partner.id, agreement_type="ka107"
        )[0].id

    def post(number, agreement):
        data = _contract(number, agreement, "2027-03-08", "2027-03-12", 1)
        body = {"kind": "financial_contract", "lang": "en", "format": "docx", "data": data}
        return app.test_client().post("/api/v1/documents", json=body, headers=key)

    holder = app.extensions["docgen.db"]["sessions"]()
    lock_agreements(holder, [novi_sad])
    with ThreadPoolExecutor(1) as pool:
        try:
            assert post("401/2026", belgrade).status_code == 201
            waiting = pool.submit(post, "402/2026", novi_sad)
            time.sleep(SLOW)
            assert not waiting.done()
        finally:
            holder.rollback()
            holder.close()
        assert waiting.result(timeout=60).status_code == 201

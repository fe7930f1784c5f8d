"""Reading uploads off the request thread (issue 12, point 7 and the Low "cut upload").

Twelve concurrent uploads of a slow PDF made eleven permanent ``error/timeout`` records,
``/healthz`` waited, and the same bytes uploaded again returned the stored error for ever.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import threading
from datetime import timedelta

import pytest

from docgen.store.database import db
from docgen.store.models import Record, utcnow
from docgen.store.users import create_user

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
READ = {"valid", "needs_review"}  # read, values and issues listed


def _record(client, headers, record_id):
    return client.get(f"/api/v1/records/{record_id}", headers=headers).json


def _set_error(app, record_id, code="timeout"):
    """The record as the old code left it: a permanent error."""
    with app.app_context():
        record = db.session.get(Record, record_id)
        record.status = "error"
        record.error = {"code": code, "message": "parsing took longer than 15 s"}
        db.session.commit()


def test_a_slow_read_answers_202_and_completes_in_the_background(
    make_app, make_key, upload, certificate, wait
):
    app = make_app(PARSE_WAIT=0)
    client = app.test_client()
    headers = make_key("uploads", "records:read")
    response = upload(client, headers, ("c.pdf", certificate("C-202", "2026-09-15", "2027-01-20")))
    assert response.status_code == 202, response.json
    entry = response.json["uploads"][0]
    assert entry["status"] == 202 and entry["record"]["status"] == "received"
    record_id = entry["record"]["id"]
    done = wait(lambda: (r := _record(client, headers, record_id))["status"] != "received" and r)
    assert done["status"] in READ and done["values"]["actual_end"] == "2027-01-20"


def test_a_timeout_caused_by_load_is_retried(
    make_app, make_key, upload, certificate, wait, shared_parser
):
    """Starve the parser (SIGSTOP: no CPU at all) during the first attempt."""
    app = make_app(PARSE_WAIT=0, PARSE_TIMEOUT=1, PARSE_RETRIES=2)
    client = app.test_client()
    headers = make_key("uploads", "records:read")
    pool = shared_parser._get()
    pool.warm_up()
    stopped = [worker.proc.pid for worker in list(pool._all)]
    for pid in stopped:
        os.kill(pid, signal.SIGSTOP)

    def resume():
        for pid in stopped:
            with contextlib.suppress(ProcessLookupError):  # killed as timed out
                os.kill(pid, signal.SIGCONT)

    timer = threading.Timer(2.5, resume)
    timer.start()
    try:
        response = upload(
            client, headers, ("c.pdf", certificate("C-LOAD", "2026-09-15", "2027-01-20"))
        )
        record_id = response.json["uploads"][0]["record"]["id"]
        done = wait(
            lambda: (r := _record(client, headers, record_id))["status"] != "received" and r,
            timeout=90,
        )
    finally:
        timer.cancel()
        resume()
    assert done["status"] in READ, done["error"]


def test_a_slow_file_still_times_out_for_good(make_app, make_key, upload, wait):
    """A parse that had the CPU and still ran out of time is not the load's fault."""
    from pathlib import Path

    # About a minute of CPU to read: past the limit on every attempt.
    slow = Path(__file__).resolve().parents[1] / "data" / "corpus" / "pdf.js__bug1978317.pdf"
    app = make_app(PARSE_WAIT=0, PARSE_TIMEOUT=1, PARSE_RETRIES=2)
    client = app.test_client()
    headers = make_key("uploads", "records:read")
    response = upload(client, headers, ("slow.pdf", slow.read_bytes()))
    record_id = response.json["uploads"][0]["record"]["id"]
    done = wait(
        lambda: (r := _record(client, headers, record_id))["status"] != "received" and r, timeout=90
    )
    assert done["status"] == "error" and done["error"]["code"] == "timeout"


def test_the_same_bytes_after_an_error_are_read_again(app, client, make_key, upload, certificate):
    headers = make_key("uploads", "records:read")
    content = certificate("C-AGAIN", "2026-09-15", "2027-01-20")
    first = upload(client, headers, ("c.pdf", content)).json["uploads"][0]["record"]
    _set_error(app, first["id"])
    again = upload(client, headers, ("c.pdf", content))
    assert again.status_code == 200, again.json
    record = again.json["uploads"][0]["record"]
    assert record["id"] == first["id"] and record["status"] in READ
    changes = _record(client, headers, first["id"])["changes"]
    assert {"field": "/status", "old": "error", "new": "received"}.items() <= changes[-1].items()


def test_a_record_in_error_is_read_again_on_request(app, client, make_key, upload, certificate):
    writer = make_key("uploads", "records:read", "records:write")
    reader = make_key("records:read")
    first = upload(client, writer, ("c.pdf", certificate("C-RE", "2026-09-15", "2027-01-20")))
    record_id = first.json["uploads"][0]["record"]["id"]
    assert client.post(f"/api/v1/records/{record_id}/parse", headers=writer).status_code == 422
    _set_error(app, record_id)
    assert client.post(f"/api/v1/records/{record_id}/parse", headers=reader).status_code == 403
    again = client.post(f"/api/v1/records/{record_id}/parse", headers=writer)
    assert again.status_code == 200, again.json
    assert again.json["status"] in READ and again.json["error"] is None
    assert again.json["changes"][-1]["who"]


def _sign_in(client, email):
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"email": email, "password": "a-long-enough-password", "csrf_token": token}
    )
    assert response.status_code == 302


def test_the_record_page_offers_reading_again_to_writers_only(app, make_key, upload, certificate):
    headers = make_key("uploads", "records:read")
    with app.app_context():
        for role in ("officer", "viewer"):
            create_user(db.session, f"{role}@upt.ro", role, "a-long-enough-password")
        db.session.commit()
    content = certificate("C-PAGE", "2026-09-15", "2027-01-20")
    record_id = upload(app.test_client(), headers, ("c.pdf", content)).json["uploads"][0]["record"][
        "id"
    ]
    _set_error(app, record_id)
    viewer, officer = app.test_client(), app.test_client()
    _sign_in(viewer, "viewer@upt.ro")
    _sign_in(officer, "officer@upt.ro")
    action = f'action="/records/{record_id}/parse"'
    assert action not in viewer.get(f"/records/{record_id}").text
    page = officer.get(f"/records/{record_id}").text
    assert action in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    refused = viewer.post(f"/records/{record_id}/parse", data={"csrf_token": token})
    assert refused.status_code == 403
    done = officer.post(f"/records/{record_id}/parse", data={"csrf_token": token})
    assert done.status_code == 302
    assert _record(app.test_client(), headers, record_id)["status"] in READ


def test_a_record_left_received_by_a_killed_worker_is_listed_and_read(
    app, client, make_key, certificate, wait
):
    """As a worker killed between storing and reading leaves it: received, nobody holds it."""
    from docgen.operations import records as ops
    from docgen.store.blobs import BlobStore
    from docgen.web import uploads

    headers = make_key("records:read")
    content = certificate("C-CUT", "2026-09-15", "2027-01-20")
    with app.app_context():
        blobs: BlobStore = app.extensions["docgen.blobs"]
        sha = blobs.put(content)
        record, _created = ops.receive_upload(db.session, sha, len(content), "cut.pdf", None)
        record.updated_at = utcnow() - timedelta(minutes=5)
        db.session.commit()
        record_id = record.id
    listed = client.get("/api/v1/records?status=received", headers=headers).json
    assert [item["id"] for item in listed["items"]] == [record_id]
    page = client.get("/records?status=received")
    assert page.status_code in (200, 302)
    with app.app_context():
        session = db.new_session()
        try:
            assert uploads.resume_stale(app, session, 45) == [record_id]
            assert uploads.resume_stale(app, session, 45) == []  # taken once
        finally:
            session.close()
    done = wait(lambda: (r := _record(client, headers, record_id))["status"] != "received" and r)
    assert done["status"] in READ


def test_a_reading_queued_twice_is_read_by_one_reader(app, certificate):
    """The sweep may queue a reading again while a live reader holds it: the second reader
    leaves it alone; once the holder's lease has gone stale (its reader died), it reads it."""
    from docgen.operations import records as ops
    from docgen.store.models import Record
    from docgen.web import uploads

    content = certificate("C-TWICE", "2026-09-15", "2027-01-20")
    with app.app_context():
        sha = app.extensions["docgen.blobs"].put(content)
        record, _created = ops.receive_upload(db.session, sha, len(content), "twice.pdf", None)
        record.read_lease, record.updated_at = "a-live-reader", utcnow()
        db.session.commit()
        record_id = record.id
    uploads.parse_record(app, record_id)  # the duplicate task
    with app.app_context():
        record = db.session.get(Record, record_id)
        assert (record.status, record.read_lease) == ("received", "a-live-reader")
        record.updated_at = utcnow() - timedelta(minutes=5)  # its reader stopped renewing
        db.session.commit()
    uploads.parse_record(app, record_id)
    with app.app_context():
        record = db.session.get(Record, record_id)
        assert record.status in READ and record.reference == "C-TWICE"
        assert record.read_lease not in (None, "a-live-reader")


def test_the_sweep_queues_again_a_dead_readers_record_not_a_waiting_one(app, certificate):
    from docgen.operations import records as ops
    from docgen.store.models import Record
    from docgen.web import uploads

    ids = []
    with app.app_context():
        for n, lease in enumerate((None, "a-dead-reader")):
            content = certificate(f"C-WAIT-{n}", "2026-09-15", "2027-01-20")
            sha = app.extensions["docgen.blobs"].put(content)
            record, _ = ops.receive_upload(db.session, sha, len(content), f"{n}.pdf", None)
            record.read_lease = lease
            record.updated_at = utcnow() - timedelta(minutes=2)  # past 45 s, not past 180 s
            ids.append(record.id)
        db.session.commit()
        session = db.new_session()
        try:
            # Waiting in the queue for 2 minutes is not a sign of death; a silent reader is.
            assert uploads.resume_stale(app, session, 45) == [ids[1]]
        finally:
            session.close()
        db.session.expire_all()
        # Its dead reader's lease is dropped: the next reader takes it (maybe already has).
        assert db.session.get(Record, ids[1]).read_lease != "a-dead-reader"
        assert db.session.get(Record, ids[0]).status == "received"

"""Uploads under load against a real ``docgen serve`` (issue 12, point 7, and the Low "an
upload cut by a killed worker stays received").
"""

from __future__ import annotations

import json
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from served import Service

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"
SLOW = CORPUS / "PyPDFForm__733.pdf"  # about 1.7 s to read alone
SLOWER = CORPUS / "pdf.js__issue6127.pdf"  # a few seconds to read


def _upload(service: Service, token: str, name: str, content: bytes) -> tuple[int, dict, float]:
    started = time.monotonic()
    status, answer = service.upload(token, name, content)
    return status, answer, time.monotonic() - started


def _record(service: Service, token: str, record_id: int) -> dict:
    status, _headers, body = service.request(
        "GET", f"/api/v1/records/{record_id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert status == 200
    return json.loads(body)


def _until_read(service: Service, token: str, ids: list[int], within: float) -> list[dict]:
    deadline = time.monotonic() + within
    while True:
        records = [_record(service, token, record_id) for record_id in ids]
        if all(r["status"] != "received" for r in records):
            return records
        assert time.monotonic() < deadline, [(r["id"], r["status"]) for r in records]
        time.sleep(0.5)


def test_twelve_slow_uploads_at_once(tmp_path, templates_dir):
    """Every upload answers at once (202 when not read yet), ``/healthz`` never waits, and
    every file ends up read: no timeout caused by the load stays."""
    with Service(tmp_path, templates_dir, JOB_HEARTBEAT_TIMEOUT="6") as service:
        service.start(workers=3)
        token = service.token("uploads", "records:read")
        files = [
            (f"slow-{n}.pdf", SLOW.read_bytes() + b"\n%" + str(n).encode() + b"\n")
            for n in range(12)
        ]
        with ThreadPoolExecutor(12) as pool:
            futures = [
                pool.submit(_upload, service, token, name, content) for name, content in files
            ]
            health = []
            while not all(f.done() for f in futures):
                before = time.monotonic()
                status, _headers, _body = service.request("GET", "/healthz", timeout=10)
                health.append(time.monotonic() - before)
                assert status == 200
                time.sleep(0.2)
            answers = [f.result() for f in futures]
        assert max(health) < 1.5, health
        assert all(status in (201, 202) for status, _body, _took in answers), answers
        assert any(status == 202 for status, _body, _took in answers)  # the load is real
        assert max(took for _status, _body, took in answers) < 15, answers
        ids = [body["uploads"][0]["record"]["id"] for _status, body, _took in answers]
        records = _until_read(service, token, ids, within=240)
        assert [r["status"] for r in records] == ["unrecognized"] * 12, [
            (r["status"], r["error"]) for r in records
        ]


def _reader_pid(service: Service, record_id: int, within: float = 30) -> int:
    """The process that took the record's reading from the queue, from the log."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        for entry in service.log_entries():
            if entry.get("message") == f"record {record_id} taken by this reader":
                return int(entry["pid"])
        time.sleep(0.05)
    raise AssertionError(service.log()[-2000:])


def test_an_upload_cut_by_a_killed_worker_is_read_by_another(tmp_path, templates_dir):
    with Service(tmp_path, templates_dir, JOB_HEARTBEAT_TIMEOUT="6", PARSE_WAIT="0") as service:
        service.start(workers=2)
        token = service.token("uploads", "records:read")
        status, body, _took = _upload(service, token, "slower.pdf", SLOWER.read_bytes())
        assert status == 202, body  # still being read by the worker that took it
        record_id = body["uploads"][0]["record"]["id"]
        # Whichever process took it from the queue of uploads (a web worker or the job
        # consumer) is killed mid-reading.
        pid = _reader_pid(service, record_id)
        os.kill(pid, signal.SIGKILL)
        killed = time.monotonic()
        status, _headers, listed = service.request(
            "GET", "/api/v1/records?status=received", headers={"Authorization": f"Bearer {token}"}
        )
        assert [item["id"] for item in json.loads(listed)["items"]] == [record_id]
        (record,) = _until_read(service, token, [record_id], within=120)
        assert record["status"] == "unrecognized", record
        assert time.monotonic() - killed < 6 + 1.5 + 60
        assert "left unread" in service.log()

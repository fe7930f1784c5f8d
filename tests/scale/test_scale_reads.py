"""Uploads are read through the shared queue: web nodes that do not read (``READ_IN_WEB``
off) only queue them, and a ``docgen worker`` on another machine reads them.

Issue 17: scans (and any reading that takes more than a request) are tasks on the queue.
An upload answered 202 while no worker runs waits in Redis, is read by the worker started
later, and is seen read on the other node; with the worker running, an upload is read
within the request. Every reading is done by the worker, none by the web nodes.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from apps import filled_certificate
from pg_server import pg_exec
from served import Service
from test_scale_nodes import Worker


def _record(node: Service, token: str, record_id: int) -> dict:
    status, _headers, body = node.request(
        "GET", f"/api/v1/records/{record_id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert status == 200, body[:300]
    return json.loads(body)


def test_web_nodes_queue_uploads_and_a_worker_reads_them(
    tmp_path: Path, templates_dir, pg_server, redis_server
):
    name = f"docgen_reads_{os.getpid()}"
    pg_exec(pg_server, f"CREATE DATABASE {name} TEMPLATE docgen_template")
    shared = {
        "DATABASE_URL": pg_server + name,
        "QUEUE_URL": redis_server,
        "SECRET_KEY": "reads-test-secret-" + "x" * 32,
        "STORAGE_DIR": str(tmp_path / "files"),
        "READ_IN_WEB": "false",
        "PARSE_WAIT": "1",
    }
    node_a = Service(tmp_path / "a", templates_dir, **shared)
    node_b = Service(tmp_path / "b", templates_dir, **shared)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    worker: Worker | None = None
    try:
        node_a.start(workers=1)
        node_b.start(workers=1)
        token = node_a.token("uploads", "records:read")

        # No worker yet: the upload is kept and queued, nobody reads it.
        pdf = filled_certificate("READ-1", "2026-09-15", "2027-01-20")
        status, answer = node_a.upload(token, "first.pdf", pdf)
        assert status == 202, answer
        first = answer["uploads"][0]["record"]["id"]
        time.sleep(2)
        assert _record(node_b, token, first)["status"] == "received"

        # A worker starts: it takes the waiting reading from the queue.
        worker = Worker(node_a.env, tmp_path / "w")
        deadline = time.monotonic() + 120
        while (record := _record(node_b, token, first))["status"] == "received":
            assert worker.proc.poll() is None, worker.log()[-2000:]
            assert time.monotonic() < deadline, worker.log()[-2000:]
            time.sleep(0.3)
        assert record["form"] == "certificate_of_attendance", record
        assert record["reference"] == "READ-1"
        assert record["values"]["actual_end"] == "2027-01-20"

        # With the worker running, an upload to node B is read within its request.
        second_pdf = filled_certificate("READ-2", "2026-09-15", "2027-01-25")
        status, answer = node_b.upload(token, "second.pdf", second_pdf)
        if status == 202:  # the worker's parser was busy for a moment: it comes soon
            second = answer["uploads"][0]["record"]["id"]
            deadline = time.monotonic() + 60
            while (record := _record(node_a, token, second))["status"] == "received":
                assert time.monotonic() < deadline, worker.log()[-2000:]
                time.sleep(0.3)
        else:
            assert status == 201, answer
            record = answer["uploads"][0]["record"]
            second = record["id"]
        assert record["reference"] == "READ-2"
        assert record["values"]["actual_end"] == "2027-01-25"

        for record_id in (first, second):
            assert f"record {record_id} taken by this reader" in worker.log()
        assert "taken by this reader" not in node_a.log() + node_b.log()
    finally:
        if worker is not None:
            worker.stop()
        node_a.__exit__(None, None, None)
        node_b.__exit__(None, None, None)

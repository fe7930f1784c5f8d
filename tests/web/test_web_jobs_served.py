"""Batch jobs in a real ``docgen serve``: a killed worker, and jobs beside interactive requests.

Issue 12, point 9: a job whose worker died stayed "running" until the next start.
Point 10: with three PDF jobs running, 11 of 20 single PDF requests got 503.
"""

from __future__ import annotations

import json
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor

from served import ROOT, Service

from docgen.config import DEFAULTS

SAMPLE = json.loads((ROOT / "samples" / "certificate_of_attendance.json").read_text())


def _items(count: int, prefix: str) -> list[dict]:
    return [dict(SAMPLE, reference=f"{prefix}-{n}") for n in range(count)]


def _submit(service: Service, token: str, items: list[dict]) -> str:
    status, headers, body = service.request(
        "POST",
        "/api/v1/documents/batch",
        headers={"Authorization": f"Bearer {token}"},
        body={"kind": "certificate_of_attendance", "lang": "en", "format": "pdf", "items": items},
    )
    assert status == 202, body[:500]
    return headers["Location"]


def _job(service: Service, token: str, url: str) -> dict:
    status, _headers, body = service.request(
        "GET", url, headers={"Authorization": f"Bearer {token}"}
    )
    assert status == 200, body[:500]
    return json.loads(body)


def test_a_job_whose_worker_is_killed_fails_with_the_reason_within_a_minute(
    tmp_path, templates_dir
):
    assert DEFAULTS["JOB_HEARTBEAT_TIMEOUT"] + min(10, DEFAULTS["JOB_HEARTBEAT_TIMEOUT"] / 4) <= 60
    with Service(
        tmp_path, templates_dir, BATCH_SYNC_LIMIT="2", JOB_HEARTBEAT_TIMEOUT="6"
    ) as service:
        service.start(workers=2)
        token = service.token("documents")
        url = _submit(service, token, _items(80, "KILL"))
        worker = service.request_pid("POST", "/api/v1/documents/batch", 202)
        assert worker, service.log()[-2000:]
        deadline = time.monotonic() + 120
        while (job := _job(service, token, url))["done"] < 2:
            assert job["status"] in {"queued", "running"}, job
            assert time.monotonic() < deadline, job
            time.sleep(0.2)
        assert job["status"] == "running" and job["done"] < job["total"]
        os.kill(worker, signal.SIGKILL)
        killed = time.monotonic()
        while (job := _job(service, token, url))["status"] == "running":
            assert time.monotonic() - killed < 60, job
            time.sleep(0.5)
        elapsed = time.monotonic() - killed
        assert job["status"] == "failed", job
        assert "stopped" in job["detail"] and "submit the batch again" in job["detail"], job
        assert elapsed < 6 + 2 * 1.5 + 5, elapsed
        assert job["done"] < job["total"]


def test_single_pdf_requests_succeed_while_jobs_run(tmp_path, templates_dir):
    with Service(
        tmp_path,
        templates_dir,
        PDF_INSTANCES="2",
        PDF_QUEUE="4",
        BATCH_SYNC_LIMIT="5",
        JOB_PDF_SHARE="50",
    ) as service:
        service.start(workers=3)
        tokens = [service.token("documents", name=f"batch{n}") for n in range(3)]
        single = service.token("documents", name="single")
        urls = [_submit(service, token, _items(25, f"JOB{n}")) for n, token in enumerate(tokens)]
        deadline = time.monotonic() + 120
        while not any(_job(service, t, u)["done"] for t, u in zip(tokens, urls, strict=True)):
            assert time.monotonic() < deadline, "no job started"
            time.sleep(0.2)

        def one(n: int) -> int:
            status, _headers, body = service.request(
                "POST",
                "/api/v1/documents",
                headers={"Authorization": f"Bearer {single}"},
                body={
                    "kind": "certificate_of_attendance",
                    "lang": "ro",
                    "format": "pdf",
                    "data": dict(SAMPLE, reference=f"ONE-{n}"),
                },
                timeout=120,
            )
            assert status != 201 or body.startswith(b"%PDF-")
            return status

        with ThreadPoolExecutor(3) as pool:
            statuses = list(pool.map(one, range(15)))
        running = [_job(service, t, u) for t, u in zip(tokens, urls, strict=True)]
        assert statuses == [201] * 15, statuses
        # The jobs were still at work meanwhile (the requests did not simply come after).
        assert any(job["status"] == "running" for job in running), running
        deadline = time.monotonic() + 300
        for token, url in zip(tokens, urls, strict=True):
            while (job := _job(service, token, url))["status"] in {"queued", "running"}:
                assert time.monotonic() < deadline, job
                time.sleep(1)
            assert job["status"] == "done" and job["done"] == 25 and not job["errors"], job

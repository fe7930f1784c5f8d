"""Batch jobs in a real ``docgen serve``: a killed consumer, a killed service, and jobs
beside interactive requests.

Issue 12, point 9: a job whose worker died stayed "running" until the next start; issue 17:
it resumes from the documents already done, also after the whole service was killed.
Point 10: with three PDF jobs running, 11 of 20 single PDF requests got 503.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import sqlite3
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from served import ROOT, Service

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


def _consumer(service: Service) -> int:
    """The PID of ``docgen serve``'s job consumer (``docgen worker --resume``)."""
    for pid in service.processes():
        try:
            command = (Path("/proc") / str(pid) / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"worker" in command and b"--resume" in command:
            return pid
    raise AssertionError(f"no job consumer among {service.processes()}")


def _wait_done(service: Service, token: str, url: str, within: float) -> dict:
    deadline = time.monotonic() + within
    while (job := _job(service, token, url))["status"] in {"queued", "running"}:
        assert time.monotonic() < deadline, job
        time.sleep(0.5)
    return job


def _zip_names(service: Service, token: str, job: dict) -> list[str]:
    status, _headers, body = service.request(
        "GET", job["result"], headers={"Authorization": f"Bearer {token}"}
    )
    assert status == 200, body[:300]
    return zipfile.ZipFile(io.BytesIO(body)).namelist()


def _wait_started(service: Service, token: str, url: str, done: int) -> dict:
    deadline = time.monotonic() + 120
    while (job := _job(service, token, url))["done"] < done:
        assert job["status"] in {"queued", "running"}, job
        assert time.monotonic() < deadline, job
        time.sleep(0.2)
    assert job["status"] == "running" and job["done"] < job["total"], job
    return job


def test_a_job_whose_worker_is_killed_resumes_and_completes(tmp_path, templates_dir):
    """The consumer is killed (kill -9) mid-job: ``docgen serve`` starts another, which
    resumes the job from the documents already done; each is in the ZIP once."""
    with Service(
        tmp_path,
        templates_dir,
        BATCH_SYNC_LIMIT="2",
        JOB_HEARTBEAT_TIMEOUT="6",
        JOB_RETRY_DELAY="1",
    ) as service:
        service.start(workers=2)
        token = service.token("documents")
        url = _submit(service, token, _items(30, "KILL"))
        first = _consumer(service)
        before = _wait_started(service, token, url, 2)
        os.kill(first, signal.SIGKILL)
        job = _wait_done(service, token, url, 240)
        assert job["status"] == "done" and job["done"] == 30 and not job["errors"], job
        assert _consumer(service) != first
        names = _zip_names(service, token, job)
        assert sorted(names) == sorted(
            f"certificate_of_attendance-KILL-{n}-en.pdf" for n in range(30)
        ), names
        assert "resumes: " in service.log() and before["done"] >= 2


def test_the_embedded_service_killed_mid_job_resumes_it_when_started_again(tmp_path, templates_dir):
    """`docgen serve` on SQLite, every process of it killed (kill -9) mid-job, then started
    again: the job resumes from its documents and completes, each document once."""
    with Service(tmp_path, templates_dir, BATCH_SYNC_LIMIT="2", JOB_RETRY_DELAY="1") as service:
        service.start(workers=1)
        token = service.token("documents")
        url = _submit(service, token, _items(24, "STOP"))
        _wait_started(service, token, url, 3)
        assert service.proc is not None
        for pid in [service.proc.pid, *service.processes()]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        service.proc.wait(30)
        service.proc = None
        time.sleep(1)
        service.start(workers=1)
        job = _wait_done(service, token, url, 240)
        assert job["status"] == "done" and job["done"] == 24 and not job["errors"], job
        names = _zip_names(service, token, job)
        assert sorted(names) == sorted(
            f"certificate_of_attendance-STOP-{n}-en.pdf" for n in range(24)
        ), names
        database = sqlite3.connect(tmp_path / "instance" / "docgen.sqlite3")
        with contextlib.closing(database):
            rows = database.execute(
                "SELECT count(*), count(DISTINCT reference) FROM documents WHERE job_id = ?",
                (url.rsplit("/", 1)[1],),
            ).fetchone()
            items = database.execute("SELECT count(*) FROM job_items").fetchone()
        assert rows == (24, 24) and items == (24,), (rows, items)


def test_a_job_of_a_service_stopped_and_started_again_keeps_its_runs(tmp_path, templates_dir):
    """`docgen serve` stopped the ordinary way (SIGTERM: a restart, a deploy) mid-job: the
    job goes back to the queue at once and resumes when the service starts again; the run the
    stop cut short does not count against JOB_ATTEMPTS."""
    with Service(
        tmp_path, templates_dir, BATCH_SYNC_LIMIT="2", JOB_RETRY_DELAY="1", JOB_ATTEMPTS="1"
    ) as service:
        service.start(workers=1)
        token = service.token("documents")
        url = _submit(service, token, _items(16, "TERM"))
        _wait_started(service, token, url, 2)
        assert service.stop() == 0
        assert "its worker was stopped (a restart): queued again" in service.log()
        service.start(workers=1)
        job = _wait_done(service, token, url, 240)
        # With JOB_ATTEMPTS=1 a counted stop would have failed the job.
        assert job["status"] == "done" and job["done"] == 16 and not job["errors"], job
        names = _zip_names(service, token, job)
        assert sorted(names) == sorted(
            f"certificate_of_attendance-TERM-{n}-en.pdf" for n in range(16)
        ), names
        assert "resumes: " in service.log()


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

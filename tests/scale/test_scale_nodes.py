"""Two web nodes and two workers on PostgreSQL and Redis; one worker killed mid-job.

Issue 17: a batch of 200 documents submitted to node A and polled on node B; the worker
running it is killed (kill -9, by PID) in the middle: the job is queued again by the other
worker's sweep, resumes from the documents already done and completes, every document once
in the ZIP and once in the database. DOCX only: 200 PDFs take minutes on 2 shared cores
(the PDF path of a job is covered by tests/web/test_web_jobs_served.py).
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import psycopg
from pg_server import pg_exec
from served import ROOT, Service

SAMPLE = json.loads((ROOT / "samples" / "certificate_of_attendance.json").read_text())
COUNT = 200


class Worker:
    """``docgen worker`` in a subprocess, its log in a file."""

    def __init__(self, env: dict[str, str], folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.log_path = folder / "worker.log"
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "docgen", "worker", "--jobs", "1"],
                env=dict(env, DOCGEN_INSTANCE_DIR=str(folder / "instance")),
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _request(service: Service, method: str, url: str, token: str, body=None):
    return service.request(method, url, headers={"Authorization": f"Bearer {token}"}, body=body)


def test_two_nodes_two_workers_one_killed_mid_job(tmp_path, templates_dir, pg_server, redis_server):
    name = f"docgen_nodes_{os.getpid()}"
    pg_exec(pg_server, f"CREATE DATABASE {name} TEMPLATE docgen_template")
    database = pg_server + name
    shared = {
        "DATABASE_URL": database,
        "QUEUE_URL": redis_server,
        "SECRET_KEY": "nodes-test-secret-" + "x" * 32,
        "STORAGE_DIR": str(tmp_path / "files"),
        "BATCH_SYNC_LIMIT": "2",
        "JOB_HEARTBEAT_TIMEOUT": "4",
        "JOB_RETRY_DELAY": "1",
        "JOB_ATTEMPTS": "3",
    }
    node_a = Service(tmp_path / "a", templates_dir, **shared)
    node_b = Service(tmp_path / "b", templates_dir, **shared)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    workers: list[Worker] = []
    try:
        node_a.start(workers=1)
        node_b.start(workers=1)
        assert "--resume" not in node_a.log()  # no embedded consumer with a shared queue
        workers = [Worker(node_a.env, tmp_path / f"w{n}") for n in range(2)]
        token = node_a.token("documents")
        items = [dict(SAMPLE, reference=f"NODE-{n:03d}") for n in range(COUNT)]
        status, headers, body = _request(
            node_a,
            "POST",
            "/api/v1/documents/batch",
            token,
            {"kind": "certificate_of_attendance", "lang": "en", "format": "docx", "items": items},
        )
        assert status == 202, body[:500]
        url = headers["Location"]
        job_id = url.rsplit("/", 1)[1]

        def poll() -> dict:  # on node B, which never saw the request
            status, _headers, body = _request(node_b, "GET", url, token)
            assert status == 200, body[:300]
            return json.loads(body)

        deadline = time.monotonic() + 180
        while (job := poll())["done"] < 10:
            assert job["status"] in {"queued", "running"}, job
            assert time.monotonic() < deadline, job
            time.sleep(0.1)
        holder = [w for w in workers if f"job {job_id} taken" in w.log()]
        assert len(holder) == 1, [w.log()[-1500:] for w in workers]
        os.kill(holder[0].proc.pid, signal.SIGKILL)
        holder[0].proc.wait(10)
        killed_at = job["done"]
        assert killed_at < COUNT, "the job ended before the worker was killed"

        deadline = time.monotonic() + 300
        while (job := poll())["status"] in {"queued", "running"}:
            assert time.monotonic() < deadline, job
            time.sleep(0.5)
        assert job["status"] == "done" and job["done"] == COUNT and not job["errors"], job
        survivor = next(w for w in workers if w is not holder[0])
        assert f"job {job_id} taken" in survivor.log() and "resumes" in survivor.log()

        status, _headers, body = _request(node_b, "GET", job["result"], token)
        assert status == 200
        names = zipfile.ZipFile(io.BytesIO(body)).namelist()
        expected = [f"certificate_of_attendance-NODE-{n:03d}-en.docx" for n in range(COUNT)]
        assert sorted(names) == expected  # each document once, none missing

        plain = database.replace("postgresql+psycopg", "postgresql")
        with psycopg.connect(plain) as conn:
            documents = conn.execute(
                "SELECT count(*), count(DISTINCT reference), count(DISTINCT output_sha256) "
                "FROM documents WHERE job_id = %s",
                (job_id,),
            ).fetchone()
            recorded = conn.execute(
                "SELECT count(*), count(DISTINCT sha256) FROM job_items WHERE job_id = %s",
                (job_id,),
            ).fetchone()
            attempts = conn.execute(
                "SELECT attempts FROM jobs WHERE id = %s", (job_id,)
            ).fetchone()[0]
            blobs = conn.execute("SELECT count(*) FROM blobs").fetchone()[0]
        assert documents == (COUNT, COUNT, COUNT), documents
        assert recorded == (COUNT, COUNT), recorded
        assert attempts == 2
        # Nothing stored twice: one file per blob row (items, 200 documents, the ZIP).
        files = [
            p
            for p in (tmp_path / "files").rglob("*")
            if p.is_file() and "tmp" not in p.relative_to(tmp_path / "files").parts
        ]
        assert len(files) == blobs == COUNT + 2, (len(files), blobs)
    finally:
        for worker in workers:
            worker.stop()
        node_a.__exit__(None, None, None)
        node_b.__exit__(None, None, None)

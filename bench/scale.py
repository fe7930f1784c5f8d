"""Durable jobs, one worker then two: 200 financial contracts as DOCX and PDF, documents/s.

The contracts go through the job queue as the service sends them (batches of
``--per-job`` items posted to the API, 202, queued in the instance folder's huey queue),
then ``docgen worker`` processes take them: first one, then two (each with one job thread
and a LibreOffice pool of one instance, so that two workers hold twice the resources of
one). Each worker is held to a core of its own (its LibreOffice inherits the affinity), as a
worker per core runs in production: a lone unpinned worker already keeps about 1.5 of the 2
cores busy (Python rendering beside soffice converting), which would measure the machine,
not the queue; `--unpinned` measures that instead. The time runs from the workers' start to
the last job done, start-up included; the rate counts every document (200 DOCX + 200 PDF).

    .venv/bin/python bench/scale.py [--documents 200] [--per-job 25] [--unpinned] [--json]

Prints ``{"workers_1": docs_per_s, "workers_2": docs_per_s, "scaling": ratio}`` with
``--json``.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FAMILY = ["Popescu", "Ionescu", "Țăranu", "Șerban", "Bălănescu", "Mureșan", "Dumitrașcu"]
GIVEN = ["Ștefania", "Ioana", "Mihai", "Radu", "Andreea", "Teodora", "Ion"]


def contracts(count: int) -> list[dict]:
    base = json.loads((ROOT / "samples" / "financial_contract.json").read_text(encoding="utf-8"))
    items = []
    for i in range(count):
        data = copy.deepcopy(base)
        data["number"] = f"{1000 + i}/2026"
        data["participant"]["family_name"] = FAMILY[i % len(FAMILY)]
        data["participant"]["given_names"] = GIVEN[(i // len(FAMILY)) % len(GIVEN)]
        data["participant"].pop("cnp", None)
        data["bank"]["holder"] = f"{data['participant']['given_names']} {FAMILY[i % 7]}"
        items.append(data)
    return items


def _pin(core: int) -> Callable[[], None]:
    """A pre-exec hook holding the worker (and what it starts) to one core."""
    return lambda: os.sched_setaffinity(0, {core})


def run(workers: int, documents: int, per_job: int, pinned: bool = True) -> float:
    """Documents per second with ``workers`` worker processes."""
    from docgen.store.database import db
    from docgen.store.keys import create_key
    from docgen.store.migrate import upgrade
    from docgen.store.models import Job
    from docgen.web import create_app

    with tempfile.TemporaryDirectory(prefix="docgen-scale-") as folder:
        url = f"sqlite:///{folder}/docgen.sqlite3"
        upgrade(url)
        settings = {
            "INSTANCE_DIR": f"{folder}/instance",
            "DATABASE_URL": url,
            "TEMPLATES_DIR": str(ROOT / "templates"),
            "RATE_LIMIT": 0,
            "BATCH_SYNC_LIMIT": 1,
            "JOB_MAX_QUEUED": 1000,
            "JOB_MAX_ITEMS": 1_000_000,
            "PDF_INSTANCES": 1,
            "JOB_PDF_SHARE": 100,
            "JOB_WORKERS": 1,
        }
        app = create_app(settings)
        with app.app_context():
            _key, token = create_key(db.session, "bench", ["documents"])
            db.session.commit()
        client = app.test_client()
        items = contracts(documents)
        for fmt in ("docx", "pdf"):
            for start in range(0, documents, per_job):
                answer = client.post(
                    "/api/v1/documents/batch",
                    headers={"Authorization": f"Bearer {token}"},
                    json={
                        "kind": "financial_contract",
                        "lang": "ro",
                        "format": fmt,
                        "items": items[start : start + per_job],
                    },
                )
                assert answer.status_code == 202, answer.json
        env = dict(os.environ, **{f"DOCGEN_{k}": str(v) for k, v in settings.items()})
        began = time.monotonic()
        cores = sorted(os.sched_getaffinity(0))
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "docgen", "worker"],
                env=env,
                cwd=ROOT,
                stderr=subprocess.DEVNULL,
                preexec_fn=_pin(cores[index % len(cores)]) if pinned else None,
            )
            for index in range(workers)
        ]
        try:
            while True:
                with app.app_context():
                    session = db.new_session()
                    states = [job.status for job in session.query(Job)]
                    session.close()
                if all(state in {"done", "failed"} for state in states):
                    break
                if any(proc.poll() is not None for proc in procs):
                    raise RuntimeError("a worker stopped during the benchmark")
                time.sleep(0.2)
            elapsed = time.monotonic() - began
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(60)
        if states.count("done") != len(states):
            raise RuntimeError(f"jobs failed: {states}")
        app.extensions["docgen.db"]["engine"].dispose()
        return 2 * documents / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--per-job", type=int, default=25)
    parser.add_argument("--unpinned", action="store_true", help="let the workers share cores")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    one = run(1, args.documents, args.per_job, not args.unpinned)
    two = run(2, args.documents, args.per_job, not args.unpinned)
    result = {
        "workers_1": round(one, 2),
        "workers_2": round(two, 2),
        "scaling": round(two / one, 2),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"{args.documents} contracts as DOCX + PDF ({2 * args.documents} documents), "
            f"load average at start {load:.2f}"
        )
        print(f"1 worker:  {one:.2f} documents/s")
        print(f"2 workers: {two:.2f} documents/s (x{two / one:.2f})")


if __name__ == "__main__":
    main()

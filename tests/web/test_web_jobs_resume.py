"""Durable jobs in one process: a duplicate task runs nothing, a run that lost its lease
records nothing, a resumed run skips the items already recorded and removes the file its
dead predecessor wrote without recording it (SQLite and PostgreSQL).

The same with real processes killed: tests/web/test_web_jobs_served.py, tests/scale/.
"""

from __future__ import annotations

import io
import zipfile

import pytest

from docgen.store.database import db
from docgen.store.keys import create_key
from docgen.store.models import Blob, Document, Job, JobItem
from docgen.web import jobs


def _queued_job(app, sample, count: int, fmt: str = "docx", prefix: str = "RES") -> str:
    with app.app_context():
        _key, token = create_key(db.session, f"resumer-{prefix}", ["documents"])
        db.session.commit()
    sample_item = sample("certificate_of_attendance")
    items = [dict(sample_item, reference=f"{prefix}-{n}") for n in range(count)]
    answer = app.test_client().post(
        "/api/v1/documents/batch",
        headers={"Authorization": f"Bearer {token}"},
        json={"kind": "certificate_of_attendance", "lang": "en", "format": fmt, "items": items},
    )
    assert answer.status_code == 202, answer.json
    return answer.json["job"]


def test_a_run_that_lost_its_lease_records_nothing(make_app, sample):
    app = make_app(QUEUE_IN_PROCESS=False, BATCH_SYNC_LIMIT=1)
    job_id = _queued_job(app, sample, 3)
    with app.app_context():
        job = db.session.get(Job, job_id)
        job.status, job.lease, job.attempts = "running", "the-other-run", 1
        db.session.commit()
        jobs.run(app, job_id)  # a duplicate task: the job is not queued, nothing happens
        session = db.new_session()
        with pytest.raises(jobs.LeaseLost):
            jobs._run(session, job_id, "a-stale-run")
        session.rollback()
        session.close()
        assert db.session.query(JobItem).count() == 0
        assert db.session.query(Document).count() == 0
        assert db.session.get(Job, job_id).lease == "the-other-run"


def test_a_resumed_run_skips_the_recorded_items(make_app, sample):
    app = make_app(QUEUE_IN_PROCESS=False, BATCH_SYNC_LIMIT=1)
    job_id = _queued_job(app, sample, 5)
    blobs = app.extensions["docgen.blobs"]
    with app.app_context():
        # A first run recorded items 0 and 1, then its worker died; the sweep queued it again.
        session = db.new_session()
        job = session.get(Job, job_id)
        job.status, job.lease, job.attempts = "running", "first", 1
        session.commit()
        original = jobs._advance

        def die_before_recording_the_third(session_, job_id_, holder, **values):
            # Items 0 and 1 recorded; item 2's file written, its rows not yet committed.
            if "done" in values and session_.query(JobItem).count() == 3:
                raise RuntimeError("the worker died")
            original(session_, job_id_, holder, **values)

        jobs._advance = die_before_recording_the_third
        try:
            with pytest.raises(RuntimeError):
                jobs._run(session, job_id, "first")
        finally:
            jobs._advance = original
            session.close()
        job = db.session.get(Job, job_id)
        left = job.pending_sha256
        assert left is not None and blobs.exists(left)
        assert db.session.query(JobItem).count() == 2
        job.status = "queued"
        db.session.commit()
        jobs.run(app, job_id)
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        assert (job.status, job.done, job.attempts) == ("done", 5, 2)
        assert db.session.query(Document).filter_by(job_id=job_id).count() == 5
        names = zipfile.ZipFile(io.BytesIO(blobs.get(job.result_sha256))).namelist()
        # Nothing stored twice: the dead run's unrecorded file is gone, every file is a row.
        stored = {
            p.name
            for p in blobs.root.rglob("*")
            if p.is_file() and "tmp" not in p.relative_to(blobs.root).parts
        }
        assert stored == {blob.sha256 for blob in db.session.query(Blob)}
        assert job.pending_sha256 is None
    assert sorted(names) == [f"certificate_of_attendance-RES-{n}-en.docx" for n in range(5)]


def test_a_converter_gone_mid_job_queues_the_job_again_and_records_no_error(
    make_app, sample, tmp_path, monkeypatch
):
    """The converter stops answering (its service restarting, killed): the documents are not
    at fault, so none is recorded as failed; the run stops, the job is queued again with its
    reason, and the next run, with the converter back, makes every document."""
    monkeypatch.setattr(jobs, "BUSY_RETRIES", 1)
    monkeypatch.setattr(jobs, "UNREACHABLE_WAIT", 0.01)
    app = make_app(
        QUEUE_IN_PROCESS=False,
        BATCH_SYNC_LIMIT=1,
        JOB_RETRY_DELAY=1,
        PDF_URL=f"unix:{tmp_path}/nobody-listens.sock",
    )
    job_id = _queued_job(app, sample, 2, "pdf", "AWAY")
    jobs.run(app, job_id)
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert (job.status, job.attempts, job.done) == ("queued", 1, 0)
        assert "does not answer" in job.detail
        assert "run 2 of 3" in job.detail
        assert db.session.query(JobItem).count() == 0  # no item recorded as failed
    # The converter is back (the process's own pool): the next run makes both documents.
    from docgen.convert.client import LocalConverter
    from docgen.metrics import CountedConverter

    app.extensions["docgen.pdf"] = CountedConverter(LocalConverter(app.config))
    jobs.run(app, job_id)
    with app.app_context():
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        assert (job.status, job.done, job.errors) == ("done", 2, {"items": []})
        archive = zipfile.ZipFile(io.BytesIO(app.extensions["docgen.blobs"].get(job.result_sha256)))
        assert sorted(archive.namelist()) == [
            f"certificate_of_attendance-AWAY-{n}-en.pdf" for n in range(2)
        ]
        assert all(archive.read(name).startswith(b"%PDF-") for name in archive.namelist())


def test_a_converter_gone_at_every_run_fails_the_job_with_the_reason(
    make_app, sample, tmp_path, monkeypatch
):
    monkeypatch.setattr(jobs, "BUSY_RETRIES", 0)
    app = make_app(
        QUEUE_IN_PROCESS=False,
        BATCH_SYNC_LIMIT=1,
        JOB_ATTEMPTS=1,
        PDF_URL=f"unix:{tmp_path}/nobody-listens.sock",
    )
    job_id = _queued_job(app, sample, 2, "pdf", "GONE")
    jobs.run(app, job_id)
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job.status == "failed", job.detail
        assert "does not answer" in job.detail
        assert "submit the batch again once the converter is back" in job.detail

"""Batch jobs: per-key bounds, heartbeats (issue 12, points 9 and 10), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from docgen.store.database import db
from docgen.store.keys import create_key
from docgen.store.models import Job, utcnow


def _key(app, name: str) -> dict[str, str]:
    with app.app_context():
        _, token = create_key(db.session, name, ["documents"])
        db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def _batch(client, headers, items):
    return client.post(
        "/api/v1/documents/batch",
        headers=headers,
        json={"kind": "certificate_of_attendance", "lang": "ro", "format": "docx", "items": items},
    )


def _park(app, key_name: str, count: int, total: int) -> None:
    """Jobs of a key left queued (as if the key's earlier batches were still waiting)."""
    from docgen.store.models import ApiKey, Blob

    with app.app_context():
        key = db.session.query(ApiKey).filter_by(name=key_name).one()
        if db.session.get(Blob, "b" * 64) is None:
            db.session.add(Blob(sha256="b" * 64, size=2, media_type="application/json"))
        for n in range(count):
            db.session.add(
                Job(
                    id=f"parked{key_name}{n}",
                    kind="certificate_of_attendance",
                    lang="ro",
                    format="docx",
                    status="queued",
                    total=total,
                    done=0,
                    items_sha256="b" * 64,
                    api_key_id=key.id,
                    heartbeat_at=utcnow(),
                )
            )
        db.session.commit()


def test_a_key_has_a_bounded_number_of_queued_jobs(make_app, sample):
    app = make_app(BATCH_SYNC_LIMIT=1, JOB_MAX_QUEUED=2)
    client = app.test_client()
    headers, other = _key(app, "busy"), _key(app, "other")
    _park(app, "busy", 2, 5)
    items = [sample("certificate_of_attendance")] * 2
    refused = _batch(client, headers, items)
    assert refused.status_code == 429, refused.json
    assert refused.content_type == "application/problem+json"
    assert "2 batch jobs queued or running" in refused.json["detail"]
    assert int(refused.headers["Retry-After"]) >= 1
    # Another key is not held back by this one.
    assert _batch(client, other, items).status_code == 202


def test_a_key_has_a_bounded_number_of_items_waiting(make_app, sample):
    app = make_app(BATCH_SYNC_LIMIT=1, JOB_MAX_ITEMS=10)
    client = app.test_client()
    headers = _key(app, "many")
    _park(app, "many", 1, 9)
    refused = _batch(client, headers, [sample("certificate_of_attendance")] * 2)
    assert refused.status_code == 429
    assert "9 items waiting" in refused.json["detail"] and "10" in refused.json["detail"]
    with app.app_context():  # nothing was kept for the refused batch
        assert db.session.query(Job).count() == 1


def test_a_job_whose_worker_stopped_beating_is_failed_with_the_reason(make_app):
    """After its last allowed run (JOB_ATTEMPTS); the retries are in tests/scale."""
    from docgen.store.models import Blob

    app = make_app(JOB_HEARTBEAT_TIMEOUT=30, JOB_ATTEMPTS=2)
    client = app.test_client()
    headers = _key(app, "watcher")
    with app.app_context():
        db.session.add(Blob(sha256="c" * 64, size=2, media_type="application/json"))
        db.session.add(
            Job(
                id="lost",
                kind="certificate_of_attendance",
                lang="ro",
                format="docx",
                status="running",
                total=9,
                done=3,
                items_sha256="c" * 64,
                heartbeat_at=utcnow() - timedelta(seconds=31),
                attempts=2,
            )
        )
        db.session.add(
            Job(
                id="alive",
                kind="certificate_of_attendance",
                lang="ro",
                format="docx",
                status="running",
                total=9,
                done=3,
                items_sha256="c" * 64,
                heartbeat_at=utcnow() - timedelta(seconds=5),
            )
        )
        db.session.commit()
    lost = client.get("/api/v1/documents/batch/lost", headers=headers).json
    assert lost["status"] == "failed"
    assert "stopped 2 time(s)" in lost["detail"] and "30 s" in lost["detail"]
    assert client.get("/api/v1/documents/batch/alive", headers=headers).json["status"] == "running"
    with app.app_context():  # the failure was stored, not only shown
        assert db.session.get(Job, "lost").finished_at is not None


def test_a_job_held_by_a_live_process_keeps_beating(make_app):
    import time

    from docgen.store.models import Blob
    from docgen.web import heartbeat

    app = make_app(JOB_HEARTBEAT_TIMEOUT=2, JOB_ATTEMPTS=1)
    client = app.test_client()
    headers = _key(app, "beating")
    with app.app_context():
        db.session.add(Blob(sha256="d" * 64, size=2, media_type="application/json"))
        for job_id in ("held", "orphan"):
            db.session.add(
                Job(
                    id=job_id,
                    kind="certificate_of_attendance",
                    lang="ro",
                    format="docx",
                    status="running",
                    total=9,
                    done=3,
                    items_sha256="d" * 64,
                    heartbeat_at=utcnow(),
                    attempts=1,
                )
            )
        db.session.commit()
    monitor = heartbeat.monitor(app)
    assert monitor.interval == 0.5
    monitor.hold("held")
    try:
        time.sleep(3)  # past the timeout: only the beat keeps "held" alive
        states = {
            job_id: client.get(f"/api/v1/documents/batch/{job_id}", headers=headers).json["status"]
            for job_id in ("held", "orphan")
        }
    finally:
        monitor.drop("held")
        monitor.stop()
    assert states == {"held": "running", "orphan": "failed"}

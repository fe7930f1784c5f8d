"""Operations in one process: the shared rate limit, /readyz's checks, /metrics, JSON logs.

Two services sharing a database as separate processes are in test_web_shared_state.py.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor

import pytest
from pypdf import PdfWriter
from sqlalchemy import text

from docgen.store.database import db, make_engine
from docgen.store.keys import create_key
from docgen.web.health import register_check, unregister_check
from docgen.web.ratelimit import RateLimiter
from docgen.web.requestlog import JsonFormatter


def _engines(app, count: int):
    """``count`` engines on the app's database: as many nodes, each with its own pool."""
    return [make_engine(app.config["DATABASE_URL"]) for _ in range(count)]


def test_a_key_at_its_limit_on_one_node_is_refused_on_another(app):
    one, two = _engines(app, 2)
    try:
        node_a = RateLimiter(one, per_minute=1, burst=3)
        node_b = RateLimiter(two, per_minute=1, burst=3)
        now = 1_000_000.0
        assert [node_a.hit("key1", now + i) for i in range(3)] == [0, 0, 0]
        wait = node_b.hit("key1", now + 3)
        assert 1 <= wait <= 60
        assert node_a.hit("key1", now + 3) >= 1  # a refusal takes nothing
        assert node_b.hit("key2", now + 3) == 0  # another key has its own bucket
        assert node_b.hit("key1", now + 3 + 60) == 0  # a minute later: one token back
        assert node_a.hit("key1", now + 3 + 60) >= 1
        assert node_a.hit("key1", now) >= 1  # a clock behind the others adds nothing
    finally:
        one.dispose()
        two.dispose()


def test_the_limit_holds_when_nodes_hit_at_once(app):
    """Threads of two "nodes" take tokens at once: exactly the burst passes."""
    engines = _engines(app, 2)
    try:
        limiters = [RateLimiter(engine, per_minute=1, burst=20) for engine in engines]
        start = threading.Barrier(8)

        def hammer(index: int) -> int:
            start.wait()
            limiter = limiters[index % 2]
            return sum(limiter.hit("shared", 5_000_000.0) == 0 for _ in range(10))

        with ThreadPoolExecutor(8) as pool:
            passed = sum(pool.map(hammer, range(8)))
        assert passed == 20
    finally:
        for engine in engines:
            engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_readiness_lists_each_check_and_fails_on_any(client):
    register_check("queue", lambda: "no worker has been seen")
    register_check("converters", lambda: 1 / 0)
    try:
        response = client.get("/readyz")
        assert response.status_code == 503 and response.headers["Retry-After"]
        checks = response.json["checks"]
        assert checks["queue"] == {
            "status": "down",
            "latency_ms": checks["queue"]["latency_ms"],
            "detail": "no worker has been seen",
        }
        assert checks["converters"]["detail"] == "failed (ZeroDivisionError)"
        assert checks["database"]["status"] == "ok" and checks["storage"]["status"] == "ok"
        assert "queue" in response.json["detail"] and "converters" in response.json["detail"]
    finally:
        unregister_check("queue")
        unregister_check("converters")
    assert client.get("/readyz").status_code == 200


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_readiness_of_the_database_store(make_app):
    app = make_app(STORAGE_URL="database")
    response = app.test_client().get("/readyz")
    assert response.status_code == 200 and response.json["checks"]["storage"]["status"] == "ok"


def _value(text: str, name: str, **labels: str) -> float:
    """A sample's value in Prometheus's text (0 when the sample is not there)."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split("}")[0]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def _blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_metrics_count_requests_conversions_parses_and_jobs(make_app, sample):
    app = make_app(METRICS_TOKEN="metrics-token-0123456789")
    client = app.test_client()
    with app.app_context():
        _, admin = create_key(db.session, "ops-admin", ["admin"])
        _, reader = create_key(db.session, "ops-reader", ["records:read"])
        db.session.commit()
    token = {"Authorization": "Bearer metrics-token-0123456789"}
    admin_key = {"Authorization": f"Bearer {admin}"}

    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": f"Bearer {reader}"}).status_code == 403
    before = client.get("/metrics", headers=token).get_data(as_text=True)

    assert client.get("/api/v1/records/424242", headers=admin_key).status_code == 404
    made = client.post(
        "/api/v1/documents",
        headers=admin_key,
        json={
            "kind": "certificate_of_attendance",
            "lang": "en",
            "format": "pdf",
            "data": sample("certificate_of_attendance"),
        },
    )
    assert made.status_code == 201
    uploaded = client.post(
        "/api/v1/uploads", headers=admin_key, data={"file": (io.BytesIO(_blank_pdf()), "blank.pdf")}
    )
    assert uploaded.status_code == 201
    assert uploaded.json["uploads"][0]["record"]["status"] == "unrecognized"

    response = client.get("/metrics", headers=admin_key)
    assert response.status_code == 200 and response.content_type.startswith("text/plain")
    after = response.get_data(as_text=True)

    def grew(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    route = "/api/v1/records/<int:record_id>"
    assert grew("docgen_http_requests_total", method="GET", route=route, status="404") == 1
    assert grew("docgen_http_request_duration_seconds_count", method="GET", route=route) == 1
    assert "424242" not in after  # the route's template, never the path
    assert grew("docgen_conversions_total", outcome="ok") == 1
    assert grew("docgen_conversion_duration_seconds_count") == 1
    assert grew("docgen_parses_total", status="unrecognized") == 1
    assert grew("docgen_parse_errors_total", status="unrecognized") == 1
    for status in ("queued", "running", "done", "failed"):
        assert f'docgen_jobs{{status="{status}"}} 0.0' in after
    assert "\ndocgen_uploads_waiting 0.0\n" in after  # the upload above is read
    with app.app_context():  # one kept but not read yet (its reader gone, say)
        from docgen.store.models import Record

        record = db.session.get(Record, uploaded.json["uploads"][0]["record"]["id"])
        record.status = "received"
        db.session.commit()
    later = client.get("/metrics", headers=token).get_data(as_text=True)
    assert "\ndocgen_uploads_waiting 1.0\n" in later


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_json_log_lines_carry_the_request_id_and_no_personal_data(client, admin, sample, caplog):
    contract = sample("financial_contract")
    person = contract["participant"]
    caplog.set_level(logging.DEBUG)
    answer = client.post(
        "/api/v1/documents",
        headers={**admin, "X-Request-Id": "trace-ops-7"},
        json={"kind": "financial_contract", "lang": "ro", "data": contract},
    )
    assert answer.status_code == 201
    client.post(
        "/api/v1/uploads",
        headers=admin,
        data={"file": (io.BytesIO(_blank_pdf()), f"{person['family_name']}.pdf")},
    )
    lines = [JsonFormatter().format(record) for record in caplog.records]
    entries = [json.loads(line) for line in lines]
    assert all("\n" not in line for line in lines)
    (mine,) = [
        e
        for e in entries
        if e.get("request_id") == "trace-ops-7" and e["logger"] == "docgen.web.requests"
    ]
    assert mine["route"] == "/api/v1/documents" and mine["status"] == 201
    assert mine["method"] == "POST" and mine["duration_ms"] >= 0 and mine["level"] == "INFO"
    assert {"time", "message", "pid"} <= set(mine)
    text = "\n".join(lines)
    for secret in (
        person["family_name"],
        person["given_names"],
        person["cnp"],
        contract["bank"]["iban"],
        person["email"],
    ):
        assert secret not in text


def test_an_exception_is_logged_without_its_message():
    try:
        raise ValueError("Vlăduțescu RO49AAAA1B31007593840000")
    except ValueError:
        record = logging.LogRecord(
            "docgen.x",
            logging.ERROR,
            __file__,
            1,
            "failed",
            None,
            exc_info=__import__("sys").exc_info(),
        )
    entry = json.loads(JsonFormatter().format(record))
    assert entry["exception"] == "ValueError" and entry["stack"]
    assert "Vlăduțescu" not in json.dumps(entry) and "RO49" not in json.dumps(entry)
    assert entry["pid"] == os.getpid()


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_batch_job_keeps_its_items_and_zip_in_the_database_store(
    make_app, sample, wait, tmp_path
):
    app = make_app(BATCH_SYNC_LIMIT=2, STORAGE_URL="database")
    client = app.test_client()
    with app.app_context():
        _, token = create_key(db.session, "batcher", ["documents"])
        db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    response = client.post(
        "/api/v1/documents/batch",
        headers=headers,
        json={
            "kind": "certificate_of_attendance",
            "lang": "ro",
            "items": [sample("certificate_of_attendance")] * 3,
        },
    )
    assert response.status_code == 202, response.json
    url = response.headers["Location"]
    job = wait(
        lambda: (j := client.get(url, headers=headers).json)["status"] in {"done", "failed"} and j
    )
    assert job["status"] == "done" and job["done"] == 3
    with client.get(job["result"], headers=headers) as result:
        assert result.status_code == 200
        assert len(zipfile.ZipFile(io.BytesIO(result.data)).namelist()) == 3
    store = app.extensions["docgen.blobs"]
    assert store.name == "database"
    with store.engine.connect() as connection:
        kept = connection.execute(text("SELECT count(*) FROM blob_data")).scalar()
        documents = connection.execute(
            text("SELECT count(DISTINCT sha256) FROM job_items WHERE sha256 IS NOT NULL")
        ).scalar()
    # The items, each document once (the durable job keeps every finished one) and the ZIP.
    assert documents >= 1 and kept == 2 + documents
    files = tmp_path / "instance" / "files"
    assert [p for p in files.rglob("*") if p.is_file()] == []


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_database_store_is_refused_on_sqlite(make_app):
    from docgen.web import ConfigError

    with pytest.raises(ConfigError, match="DOCGEN_STORAGE_URL: database needs a PostgreSQL"):
        make_app(STORAGE_URL="database")
    with pytest.raises(ConfigError, match="DOCGEN_STORAGE_URL"):
        make_app(STORAGE_URL="s3://bucket")

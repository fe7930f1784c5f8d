"""Keys, scopes, rate limit, health, problem+json everywhere, and what the logs hold."""

from __future__ import annotations

import logging

import pytest

from docgen.store.database import db
from docgen.store.keys import revoke_key


def test_health_and_readiness(client):
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    checks = ready.json["checks"]
    assert {"database", "storage", "converter", "queue"} <= set(checks)
    assert checks["database"]["status"] == "ok" and checks["database"]["latency_ms"] >= 0


def test_readiness_fails_without_database(make_app, tmp_path):
    app = make_app(DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503 and response.headers["Retry-After"]
    database = response.json["checks"]["database"]
    assert database["status"] == "down" and database["detail"].startswith("unreachable")


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_keys_and_scopes(app, client, make_key):
    assert client.get("/api/v1/kinds").status_code == 401
    bad = client.get("/api/v1/kinds", headers={"Authorization": "Bearer dgk_00000000_nope"})
    assert bad.status_code == 401 and bad.content_type == "application/problem+json"
    reader = make_key("records:read", name="reader")
    assert client.get("/api/v1/records", headers=reader).status_code == 200
    forbidden = client.post("/api/v1/grants/quote", headers=reader, json={})
    assert forbidden.status_code == 403 and "documents" in forbidden.json["detail"]
    with app.app_context():
        revoke_key(db.session, "reader")
        db.session.commit()
    assert client.get("/api/v1/records", headers=reader).status_code == 401


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_rate_limit_per_key(make_app):
    app = make_app(RATE_LIMIT=60, RATE_BURST=3)
    client = app.test_client()
    from docgen.store.keys import create_key

    with app.app_context():
        _, one = create_key(db.session, "one", ["documents"])
        _, two = create_key(db.session, "two", ["documents"])
        db.session.commit()
    first = {"Authorization": f"Bearer {one}"}
    statuses = [client.get("/api/v1/kinds", headers=first).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/api/v1/kinds", headers=first)
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    other = client.get("/api/v1/kinds", headers={"Authorization": f"Bearer {two}"})
    assert other.status_code == 200


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_http_errors_are_problems(client, admin):
    for response in (
        client.get("/api/v1/nothing-here", headers=admin),
        client.delete("/api/v1/kinds", headers=admin),
    ):
        assert response.content_type == "application/problem+json"
        assert {"type", "title", "status", "detail"} <= set(response.json)
    assert client.delete("/api/v1/kinds", headers=admin).headers["Allow"]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_busy_converter_is_503_with_retry_after(app, client, admin, sample):
    from docgen.errors import Busy

    class Saturated:
        def convert(self, docx, *, pdfa=False):
            raise Busy("all converters busy", retry_after=7)

        def ready(self):
            return True

    app.extensions["docgen.pdf"] = Saturated()
    response = client.post(
        "/api/v1/documents",
        headers=admin,
        json={
            "kind": "certificate_of_attendance",
            "lang": "en",
            "format": "pdf",
            "data": sample("certificate_of_attendance"),
        },
    )
    assert response.status_code == 503 and response.headers["Retry-After"] == "7"
    assert response.content_type == "application/problem+json"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_logs_carry_request_ids_and_no_personal_data(client, admin, sample, caplog):
    contract = sample("financial_contract")
    caplog.set_level(logging.DEBUG)
    ok = client.post(
        "/api/v1/documents",
        headers={**admin, "X-Request-Id": "trace-42"},
        json={"kind": "financial_contract", "lang": "ro", "data": contract},
    )
    assert ok.status_code == 201 and ok.headers["X-Request-Id"] == "trace-42"
    contract["bank"]["iban"] = "RO00BAD"
    client.post(
        "/api/v1/documents",
        headers=admin,
        json={"kind": "financial_contract", "lang": "ro", "data": contract},
    )
    client.get("/api/v1/records?q=Vl%C4%83du%C8%9Bescu", headers=admin)
    text = caplog.text
    assert "trace-42" in text
    person = contract["participant"]
    for secret in (
        person["family_name"],
        person["cnp"],
        "RO49AAAA1B31007593840000",
        "RO00BAD",
        "Vlăduțescu",
    ):
        assert secret not in text
    request_lines = [r for r in caplog.records if r.name == "docgen.web.requests"]
    assert len(request_lines) == 3


def test_readiness_names_an_unreachable_queue(make_app):
    """A Redis queue nobody listens on: /readyz says the queue is down, and why."""
    app = make_app(QUEUE_URL="redis://127.0.0.1:1/0")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    queue = response.json["checks"]["queue"]
    assert queue["status"] == "down" and queue["detail"].startswith("unreachable"), queue

"""Two ``docgen serve`` nodes on different ports sharing one real PostgreSQL (issue 17).

Both have the same SECRET_KEY, keep files in the database (``STORAGE_URL=database``) and
their own instance folders, as two machines would. A key at its limit on node A is refused
on node B; a file uploaded to A is served by B; /metrics adds up A's worker processes; the
JSON log lines carry the request id and no personal data.
"""

from __future__ import annotations

import io
import json
import os

import pytest
from pg_server import pg_exec
from pypdf import PdfWriter
from served import Service

SECRET = "4f1d0c9e2b7a4c58a1e3d6f2b9c07e5a1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a"
METRICS_TOKEN = "metrics-shared-0123456789abcdef"
PERSON = "Vlăduțescu Ștefania-Irina"


def _blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _multipart(name: str, content: bytes) -> tuple[bytes, str]:
    boundary = "docgen-shared-state"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{name}"\r\nContent-Type: application/pdf\r\n\r\n'
    )
    body = head.encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.fixture
def nodes(tmp_path, templates_dir, pg_server):
    name = f"docgen_nodes{os.getpid()}"
    pg_exec(pg_server, f"DROP DATABASE IF EXISTS {name}")
    pg_exec(pg_server, f"CREATE DATABASE {name} TEMPLATE docgen_template")
    shared = {
        "DATABASE_URL": pg_server + name,
        "SECRET_KEY": SECRET,
        "STORAGE_URL": "database",
        "RATE_LIMIT": "1",  # one request a minute after the burst: no refill in the test
        "RATE_BURST": "4",
        "METRICS_TOKEN": METRICS_TOKEN,
    }
    services = []
    for node in ("a", "b"):
        (tmp_path / node).mkdir()
        services.append(Service(tmp_path / node, templates_dir, **shared))
    try:
        services[0].start(workers=2)
        services[1].start(workers=1)
        yield services
    finally:
        for service in services:
            if service.proc is not None and service.proc.poll() is None:
                service.stop()
        pg_exec(pg_server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_two_nodes_share_the_rate_limit_the_files_and_count_their_requests(nodes):
    a, b = nodes
    assert a.port != b.port
    reader = {"Authorization": f"Bearer {a.token('documents', name='reader')}"}
    statuses = [a.request("GET", "/api/v1/kinds", headers=reader)[0] for _ in range(4)]
    assert statuses == [200] * 4
    status, headers, body = b.request("GET", "/api/v1/kinds", headers=reader)
    assert status == 429, body
    assert int(headers["Retry-After"]) >= 1
    assert json.loads(body)["status"] == 429
    assert a.request("GET", "/api/v1/kinds", headers=reader)[0] == 429

    # A file uploaded to A is kept in the database and served by B.
    uploader = {"Authorization": f"Bearer {b.token('uploads', 'records:read', name='up')}"}
    content = _blank_pdf()
    body, media_type = _multipart(f"{PERSON}.pdf", content)
    status, _headers, answer = a.request(
        "POST",
        "/api/v1/uploads",
        body=body,
        headers={**uploader, "Content-Type": media_type, "X-Request-Id": "trace-node-a"},
    )
    assert status in (201, 202), answer
    sha = json.loads(answer)["uploads"][0]["sha256"]
    status, _headers, served = b.request("GET", f"/api/v1/uploads/{sha}", headers=uploader)
    assert status == 200 and served == content
    for service in (a, b):
        files = service.env["DOCGEN_INSTANCE_DIR"] + "/files"
        stored = [n for _d, _s, names in os.walk(files) for n in names]
        assert stored == [], stored  # nothing on either node's disk

    # /readyz on B: each dependency, with its latency.
    status, _headers, ready = b.request("GET", "/readyz")
    checks = json.loads(ready)["checks"]
    assert status == 200 and {"database", "storage", "converter"} <= set(checks)
    assert all(c["status"] == "ok" and c["latency_ms"] >= 0 for c in checks.values())

    # /metrics on A: its two worker processes added up (five requests of the reader).
    assert a.request("GET", "/metrics")[0] == 401
    status, _headers, text = a.request(
        "GET", "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
    )
    assert status == 200
    lines = text.decode().splitlines()
    kinds = {
        line.split("{")[1].split("}")[0]: float(line.rsplit(" ", 1)[1])
        for line in lines
        if line.startswith("docgen_http_requests_total{") and 'route="/api/v1/kinds"' in line
    }
    assert sum(v for k, v in kinds.items() if 'status="200"' in k) == 4, kinds
    assert sum(v for k, v in kinds.items() if 'status="429"' in k) == 1, kinds
    assert any(line.startswith('docgen_jobs{status="queued"}') for line in lines)

    # The log: one JSON object a line, the request's id, and no name from the user.
    for service in (a, b):
        service.stop()
    entries = a.log_entries()
    assert entries and all(isinstance(e, dict) for e in entries)
    (upload,) = [
        e
        for e in entries
        if e.get("request_id") == "trace-node-a" and e.get("logger") == "docgen.web.requests"
    ]
    assert upload["route"] == "/api/v1/uploads" and upload["status"] in (201, 202)
    assert upload["duration_ms"] > 0 and upload["method"] == "POST"
    for service in (a, b):
        log = service.log()
        assert "Vlăduțescu" not in log and "Vl\\u0103du" not in log, log[-2000:]
        assert "Traceback" not in log, log[-3000:]

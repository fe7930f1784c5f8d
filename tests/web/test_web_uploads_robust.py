"""Uploads under stress: every corpus file, and 20 at once from threads."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"
CORPUS_FILES = sorted(p for p in CORPUS.glob("*") if p.suffix.lower() == ".pdf")
ERROR_CODES = {
    "unreadable",
    "not_pdf",
    "too_large",
    "encrypted",
    "malformed",
    "xfa_only",
    "timeout",
    "too_complex",
    "internal",
}


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_every_corpus_file_gives_a_record_or_a_documented_error(client, make_key, upload):
    assert CORPUS_FILES, f"no corpus in {CORPUS}"
    headers = make_key("uploads")
    for path in CORPUS_FILES:
        response = upload(client, headers, (path.name, path.read_bytes()))
        assert response.status_code in {200, 201, 413, 415}, (path.name, response.json)
        if response.status_code >= 400:
            assert response.content_type == "application/problem+json"
            continue
        record = response.json["uploads"][0]["record"]
        if record["status"] == "error":
            assert record["error"]["code"] in ERROR_CODES, (path.name, record["error"])
        else:
            assert record["status"] in {"valid", "needs_review", "unrecognized"}, path.name


def test_twenty_concurrent_uploads_no_duplicate_no_loss(app, make_key, certificate, upload):
    headers = make_key("uploads", "records:read")
    distinct = [certificate(f"C-{n}", "2026-09-15", "2027-01-20") for n in range(8)]
    files = [distinct[n % len(distinct)] for n in range(20)]

    def send(content: bytes):
        return upload(app.test_client(), headers, ("c.pdf", content))

    with ThreadPoolExecutor(20) as pool:
        responses = list(pool.map(send, files))
    assert all(r.status_code in {200, 201} for r in responses), [r.json for r in responses]
    ids = {}
    for content, response in zip(files, responses, strict=True):
        record = response.json["uploads"][0]["record"]
        ids.setdefault(hashlib.sha256(content).hexdigest(), set()).add(record["id"])
    assert all(len(v) == 1 for v in ids.values()), ids
    assert sum(r.json["uploads"][0]["created"] for r in responses) == len(distinct)
    client = app.test_client()
    listed = client.get("/api/v1/records?per_page=200", headers=headers).json
    assert listed["total"] == len(distinct)
    for sha in ids:
        with client.get(f"/api/v1/uploads/{sha}", headers=headers) as original:
            assert hashlib.sha256(original.data).hexdigest() == sha
    assert all(r["status"] != "received" for r in listed["items"])

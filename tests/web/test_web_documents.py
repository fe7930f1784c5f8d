"""Documents, batches, jobs, grants and selection through the API, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile

from docgen.documents.kinds import KINDS

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_kinds_and_schema(client, admin):
    listed = client.get("/api/v1/kinds", headers=admin).json["kinds"]
    assert [k["id"] for k in listed] == list(KINDS)
    schema = client.get("/api/v1/kinds/financial_contract/schema", headers=admin)
    assert schema.status_code == 200 and "participant" in schema.json["properties"]
    missing = client.get("/api/v1/kinds/nope/schema", headers=admin)
    assert missing.status_code == 404
    assert missing.content_type == "application/problem+json"


def test_document_docx_is_named_and_traced(client, make_key, sample):
    headers = make_key("documents")
    data = sample("certificate_of_attendance")
    response = client.post(
        "/api/v1/documents",
        headers=headers,
        json={"kind": "certificate_of_attendance", "lang": "ro", "format": "docx", "data": data},
    )
    assert response.status_code == 201, response.json
    assert response.content_type == DOCX
    assert response.data[:2] == b"PK"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "certificate_of_attendance-" in disposition
    assert "-ro.docx" in disposition
    doc_id = response.headers["X-Document-Id"]
    trace = client.get(f"/api/v1/documents/{doc_id}", headers=headers).json
    assert trace["kind"] == "certificate_of_attendance" and trace["lang"] == "ro"
    import hashlib

    assert trace["output_sha256"] == hashlib.sha256(response.data).hexdigest()
    assert len(trace["payload_sha256"]) == 64 and len(trace["template_version"]) == 64
    assert trace["payload"]["reference"] == data["reference"]


def test_invalid_document_lists_every_problem_with_pointers(client, admin, sample):
    data = sample("financial_contract")
    data["bank"]["iban"] = "RO00XXXX"
    del data["participant"]["family_name"]
    response = client.post(
        "/api/v1/documents",
        headers=admin,
        json={"kind": "financial_contract", "lang": "en", "data": data},
    )
    assert response.status_code == 422
    body = response.json
    assert response.content_type == "application/problem+json"
    assert {"type", "title", "status", "detail", "errors"} <= set(body)
    pointers = {e["pointer"] for e in body["errors"]}
    assert "/data/bank/iban" in pointers and "/data/participant/family_name" in pointers


def test_envelope_errors(client, admin):
    bad_kind = client.post(
        "/api/v1/documents", headers=admin, json={"kind": "nope", "lang": "xx", "data": {}}
    )
    assert bad_kind.status_code == 422
    assert {e["pointer"] for e in bad_kind.json["errors"]} >= {"/kind", "/lang"}
    malformed = client.post(
        "/api/v1/documents", headers=admin, data=b"{not json", content_type="application/json"
    )
    assert malformed.status_code == 400 and malformed.json["title"] == "Malformed input"
    not_json = client.post("/api/v1/documents", headers=admin, data=b"x", content_type="text/plain")
    assert not_json.status_code == 415


def test_batch_small_answers_a_zip(client, admin, sample):
    items = [sample("certificate_of_attendance"), sample("certificate_of_attendance-visiting")]
    response = client.post(
        "/api/v1/documents/batch",
        headers=admin,
        json={"kind": "certificate_of_attendance", "lang": "en", "items": items},
    )
    assert response.status_code == 200 and response.content_type == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert len(names) == 2 and all(n.endswith("-en.docx") for n in names)


def test_batch_small_pdf_answers_a_zip_of_pdfs(client, admin, sample):
    items = [sample("certificate_of_attendance"), sample("certificate_of_attendance-visiting")]
    response = client.post(
        "/api/v1/documents/batch",
        headers=admin,
        json={"kind": "certificate_of_attendance", "lang": "ro", "format": "pdf", "items": items},
    )
    assert response.status_code == 200, response.json
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = sorted(archive.namelist())
    assert names == [
        "certificate_of_attendance-UPT-DRI-2026-0412-ro.pdf",
        "certificate_of_attendance-UPT-DRI-2026-0518-ro.pdf",
    ]
    assert all(archive.read(n).startswith(b"%PDF-") for n in names)


def test_batch_invalid_item_points_into_items(client, admin, sample):
    bad = sample("certificate_of_attendance")
    bad["participant"] = {}
    response = client.post(
        "/api/v1/documents/batch",
        headers=admin,
        json={
            "kind": "certificate_of_attendance",
            "lang": "en",
            "items": [sample("certificate_of_attendance"), bad],
        },
    )
    assert response.status_code == 422
    assert all(e["pointer"].startswith("/items/1/") for e in response.json["errors"])


def test_batch_beyond_the_limit_becomes_a_job(make_app, sample, wait):
    app = make_app(BATCH_SYNC_LIMIT=2)
    client = app.test_client()
    from docgen.store.database import db
    from docgen.store.keys import create_key

    with app.app_context():
        _, token = create_key(db.session, "batcher", ["documents"])
        db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    items = [sample("certificate_of_attendance")] * 3
    response = client.post(
        "/api/v1/documents/batch",
        headers=headers,
        json={"kind": "certificate_of_attendance", "lang": "ro", "items": items},
    )
    assert response.status_code == 202, response.json
    url = response.headers["Location"]
    job = wait(
        lambda: (j := client.get(url, headers=headers).json)["status"] in {"done", "failed"} and j
    )
    assert job["status"] == "done" and job["done"] == 3 and job["errors"] == []
    with client.get(job["result"], headers=headers) as result:
        assert result.status_code == 200
        names = zipfile.ZipFile(io.BytesIO(result.data)).namelist()
    assert len(names) == 3 and len(set(names)) == 3


def test_pdf_batch_job_converts_every_item_into_its_own_pdf(make_app, sample, wait):
    import pypdf

    app = make_app(BATCH_SYNC_LIMIT=1)
    client = app.test_client()
    from docgen.store.database import db
    from docgen.store.keys import create_key

    with app.app_context():
        _, token = create_key(db.session, "pdf-batcher", ["documents"])
        db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    base = sample("certificate_of_attendance")
    items = [dict(base, reference=f"UPT-DRI-2026-{900 + i}") for i in range(4)]
    response = client.post(
        "/api/v1/documents/batch",
        headers=headers,
        json={"kind": "certificate_of_attendance", "lang": "en", "format": "pdf", "items": items},
    )
    assert response.status_code == 202, response.json
    url = response.headers["Location"]
    job = wait(
        lambda: (j := client.get(url, headers=headers).json)["status"] in {"done", "failed"} and j
    )
    assert job["status"] == "done" and job["done"] == 4 and job["errors"] == []
    with client.get(job["result"], headers=headers) as result:
        archive = zipfile.ZipFile(io.BytesIO(result.data))
    for i in range(4):
        name = f"certificate_of_attendance-UPT-DRI-2026-{900 + i}-en.pdf"
        text = pypdf.PdfReader(io.BytesIO(archive.read(name))).pages[0].extract_text()
        assert f"UPT-DRI-2026-{900 + i}" in text


def _cli_json(args, data):
    proc = subprocess.run(
        [sys.executable, "-m", "docgen", *args, "--data", "-"],
        input=json.dumps(data),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout)


def test_grants_and_selection_answer_as_the_cli(client, make_key, sample):
    headers = make_key("documents")
    quote = sample("quote-incoming-sta")
    answer = client.post("/api/v1/grants/quote", headers=headers, json=quote)
    assert answer.status_code == 200
    assert answer.json == _cli_json(["grants", "quote"], quote)
    selection = sample("selection-incoming")
    ranked = client.post("/api/v1/selection/rank", headers=headers, json=selection)
    assert ranked.status_code == 200
    assert ranked.json == _cli_json(["selection", "rank"], selection)
    invalid = client.post("/api/v1/grants/quote", headers=headers, json={"activity": "XYZ"})
    assert invalid.status_code == 422 and invalid.json["errors"]


def test_jobs_left_by_a_stopped_service_are_queued_again(make_app):
    from docgen.store.database import db
    from docgen.store.models import Blob, Job
    from docgen.web import jobs

    app = make_app(QUEUE_IN_PROCESS=False, JOB_ATTEMPTS=3, JOB_RETRY_DELAY=5)
    with app.app_context():
        db.session.add(Blob(sha256="a" * 64, size=2, media_type="application/json"))
        for job_id, status, attempts in (
            ("j1", "running", 1),
            ("j2", "queued", 0),
            ("j3", "done", 1),
            ("j4", "running", 3),
        ):
            db.session.add(
                Job(
                    id=job_id,
                    kind="certificate_of_attendance",
                    lang="ro",
                    format="docx",
                    status=status,
                    total=3,
                    done=1,
                    items_sha256="a" * 64,
                    attempts=attempts,
                )
            )
        db.session.commit()
        assert jobs.requeue_interrupted(app, db.new_session()) == 2
        states = {job.id: (job.status, job.detail) for job in db.session.query(Job)}
    assert states["j1"][0] == "queued" and "run 2 of 3 in 5 s" in states["j1"][1]
    assert states["j2"] == ("queued", None)
    assert states["j3"] == ("done", None)
    assert states["j4"][0] == "failed" and "stopped 3 time(s)" in states["j4"][1]
    queue = app.extensions["docgen.queue"]
    # j2 at once, j1 after its back-off; j4 (failed) and j3 (done) not at all.
    tasks = [queue.dequeue() for _ in range(queue.pending_count())]
    assert sorted((task.args[0], task.eta is not None) for task in tasks) == [
        ("j1", True),
        ("j2", False),
    ]


def test_rules_explain_answers_as_the_cli(client, make_key):
    headers = make_key("documents")
    answer = client.get("/api/v1/rules/calls/ka131-2024", headers=headers)
    assert answer.status_code == 200
    proc = subprocess.run(
        [sys.executable, "-m", "docgen", "rules", "explain", "--call", "ka131-2024", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert answer.json == json.loads(proc.stdout)
    assert answer.json["top_ups"][2]["for"] == (
        "students travelling green who receive no travel support"
    )
    missing = client.get("/api/v1/rules/calls/ka999", headers=headers)
    assert missing.status_code == 422
    assert "unknown call 'ka999'" in missing.get_data(as_text=True)
    assert client.get("/api/v1/rules/calls/ka131-2024").status_code == 401

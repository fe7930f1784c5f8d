"""Forms, uploads, records, review and the final grant, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import io

from pypdf import PdfReader

from tests.apps import post_files


def test_forms_list_pdf_and_prefill(client, make_key):
    headers = make_key("documents")
    forms = client.get("/api/v1/forms", headers=headers).json["forms"]
    assert "certificate_of_attendance" in {f["id"] for f in forms}
    with client.get("/api/v1/forms/certificate_of_attendance.pdf", headers=headers) as blank:
        assert blank.status_code == 200 and blank.data.startswith(b"%PDF-")
    prefilled = client.post(
        "/api/v1/forms/certificate_of_attendance/prefill",
        headers=headers,
        json={"reference": "154/2026", "values": {"participant_name": "Ana Țurcanu"}},
    )
    assert prefilled.status_code == 200, prefilled.json
    # A prefilled value is the field's value (drawn by docgen), still editable.
    fields = PdfReader(io.BytesIO(prefilled.data)).get_fields()
    assert fields["participant_name"]["/V"] == "Ana Țurcanu"
    bad = client.post(
        "/api/v1/forms/certificate_of_attendance/prefill",
        headers=headers,
        json={"values": {"nope": 1}},
    )
    assert bad.status_code == 422 and bad.json["errors"][0]["pointer"] == "/values/nope"
    assert client.get("/api/v1/forms/nope.pdf", headers=headers).status_code == 404


def test_upload_reads_stores_and_deduplicates(client, make_key, certificate, upload):
    headers = make_key("uploads", "records:read")
    pdf = certificate("UPT-1", "2026-09-15", "2027-01-20")
    first = upload(client, headers, ("cert.pdf", pdf))
    assert first.status_code == 201, first.json
    entry = first.json["uploads"][0]
    record = entry["record"]
    assert entry["created"] and record["form"] == "certificate_of_attendance"
    assert record["values"]["actual_start"] == "2026-09-15"
    assert record["reference"] == "UPT-1"
    again = upload(client, headers, ("other-name.pdf", pdf))
    assert again.status_code == 200
    assert again.json["uploads"][0]["record"]["id"] == record["id"]
    with client.get(record["file"], headers=headers) as original:
        assert hashlib.sha256(original.data).hexdigest() == record["sha256"]
        assert original.data == pdf


def test_upload_refuses_what_is_not_a_pdf(client, make_key, upload):
    headers = make_key("uploads")
    response = upload(client, headers, ("looks.pdf", b"PK\x03\x04 not a pdf"))
    assert response.status_code == 415
    assert response.json["errors"][0]["pointer"] == "/file/0"
    empty = client.post(
        "/api/v1/uploads", headers=headers, data={}, content_type="multipart/form-data"
    )
    assert empty.status_code == 422


def test_upload_too_large_is_413(make_app, certificate):
    app = make_app(MAX_UPLOAD_MB=1)
    from docgen.store.database import db
    from docgen.store.keys import create_key

    with app.app_context():
        _, token = create_key(db.session, "big", ["uploads"])
        db.session.commit()
    # A body built by hand: the test client would spool it to a file it does not close.
    body = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n%PDF-1.7\n" + b"0" * 1_100_000 + b"\r\n--b--\r\n"
    )
    response = app.test_client().post(
        "/api/v1/uploads",
        data=body,
        headers={"Authorization": f"Bearer {token}"},
        content_type="multipart/form-data; boundary=b",
    )
    assert response.status_code == 413
    assert response.content_type == "application/problem+json"


def test_records_filter_paginate_review_and_audit(client, make_key, certificate, upload):
    uploader = make_key("uploads")
    reader = make_key("records:read")
    writer = make_key("records:read", "records:write", name="reviewer-1")
    for n in range(3):
        upload(
            client,
            uploader,
            (
                f"c{n}.pdf",
                certificate(f"REF-{n}", "2026-09-15", "2027-01-20", name=f"Ștefan Pop{n}"),
            ),
        )
    listed = client.get("/api/v1/records?per_page=2&page=1", headers=reader).json
    assert listed["total"] == 3 and len(listed["items"]) == 2
    assert client.get("/api/v1/records?page=2&per_page=2", headers=reader).json["items"]
    found = client.get("/api/v1/records?q=stefan%20pop1", headers=reader).json
    assert [r["reference"] for r in found["items"]] == ["REF-1"]
    by_form = client.get("/api/v1/records?form=certificate_of_attendance", headers=reader)
    assert by_form.json["total"] == 3
    assert client.get("/api/v1/records?status=bogus", headers=reader).status_code == 422
    assert client.get("/api/v1/records?page=x", headers=reader).status_code == 400

    record_id = found["items"][0]["id"]
    denied = client.patch(
        f"/api/v1/records/{record_id}", headers=reader, json={"status": "approved"}
    )
    assert denied.status_code == 403
    wrong = client.patch(
        f"/api/v1/records/{record_id}",
        headers=writer,
        json={"values": {"actual_end": "not a date"}},
    )
    assert wrong.status_code == 422 and wrong.json["errors"][0]["pointer"] == "/values/actual_end"
    fixed = client.patch(
        f"/api/v1/records/{record_id}",
        headers=writer,
        json={"values": {"actual_end": "2027-01-25"}, "status": "approved"},
    )
    assert fixed.status_code == 200, fixed.json
    body = fixed.json
    assert body["values"]["actual_end"] == "2027-01-25" and body["status"] == "approved"
    changes = {(c["field"], c["who"], c["old"], c["new"]) for c in body["changes"]}
    assert ("/values/actual_end", "reviewer-1", "2027-01-20", "2027-01-25") in changes
    assert any(c[0] == "/status" and c[3] == "approved" for c in changes)
    assert client.get("/api/v1/records/999999", headers=reader).status_code == 404


def test_certificate_recomputes_the_contract_grant(client, admin, sample, certificate, upload):
    contract = sample("financial_contract")
    made = client.post(
        "/api/v1/documents",
        headers=admin,
        json={"kind": "financial_contract", "lang": "ro", "data": contract},
    )
    assert made.status_code == 201, made.json
    pdf = certificate(contract["number"], "2026-09-15", "2027-01-20")
    record = upload(client, admin, ("cert.pdf", pdf)).json["uploads"][0]["record"]
    grant = record["grant"]
    assert (
        grant["number"] == contract["number"] and grant["contract"] == made.headers["X-Document-Id"]
    )
    final = grant["final"]
    assert final is not None and {"to_pay", "to_recover"} <= set(final)
    # Shorter than planned: less than the planned total is due.
    assert float(final["total"]) < float(grant["total"])


def test_a_longer_stay_is_capped_at_the_contract_on_the_record_page(
    app, client, admin, sample, certificate, upload
):
    import re

    from docgen.store.database import db
    from docgen.store.users import create_user

    contract = sample("financial_contract")  # 15.09.2026-31.01.2027
    made = client.post(
        "/api/v1/documents",
        headers=admin,
        json={"kind": "financial_contract", "lang": "ro", "data": contract},
    )
    assert made.status_code == 201, made.json
    pdf = certificate(contract["number"], "2026-09-10", "2027-02-15")
    record = upload(client, admin, ("cert.pdf", pdf)).json["uploads"][0]["record"]
    final = record["grant"]["final"]
    # contract Art. 2(4): the real dates give more, the contract's total is paid.
    assert final["capped"] is True and final["total"] == record["grant"]["total"]
    assert float(final["computed"]) > float(final["total"])
    assert "written amendment" in final["cap_reason"]

    with app.app_context():
        create_user(db.session, "officer@upt.ro", "officer", "a-long-enough-password")
        db.session.commit()
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    signed = client.post(
        "/login",
        data={"email": "officer@upt.ro", "csrf_token": token, "password": "a-long-enough-password"},
    )
    assert signed.status_code == 302
    text = client.get(f"/records/{record['id']}").text
    assert "suma se limitează la totalul contractului" in text
    assert "de plătit:" in text


def test_served_forms_carry_page_codes_and_a_scan_upload_is_read(app, client, make_key):
    import json

    from docgen.forms.identify import find_code
    from docgen.forms.pagecode import PageCode, page_key, stamp_form
    from docgen.forms.prefill import prefill_form
    from docgen.forms.spec import load_specs
    from tests.forms import scanlib
    from tests.forms.conftest import FORMS

    headers = make_key("documents", "uploads", "records:read")
    prefilled = client.post(
        "/api/v1/forms/certificate_of_attendance/prefill",
        headers=headers,
        json={"reference": "UPT-9", "values": {"participant_name": "Ana Țurcanu"}},
    )
    key = page_key(app.config["SECRET_KEY"])
    (page,) = scanlib.render(prefilled.data, 150)
    assert find_code(page, key).code == PageCode("certificate_of_attendance", "1", "UPT-9", 1, 1)
    with client.get("/api/v1/forms/learning_agreement.pdf", headers=headers) as blank:
        codes = [find_code(p, key).code for p in scanlib.render(blank.data, 150)]
    assert [(c.kind, c.reference, c.page, c.pages) for c in codes] == [
        ("learning_agreement", "", 1, 2),
        ("learning_agreement", "", 2, 2),
    ]
    # The session's shared parser holds the secret "web tests": a form printed by that
    # instance, filled on a computer and scanned, comes back as a JPEG.
    spec = load_specs(FORMS)["certificate_of_attendance"]
    values = json.loads((FORMS.parent / "tests/data/forms/values.json").read_text())
    filled = prefill_form(
        spec, {"reference": "UPT-10", "values": values["certificate_of_attendance"]}
    )
    (scan,) = scanlib.render(stamp_form(filled, spec, "UPT-10", "web tests"), 200)
    response = post_files(client, headers, ("scan.jpg", scanlib.jpeg(scan, 70)))
    assert response.status_code == 201, response.json
    record = response.json["uploads"][0]["record"]
    assert record["form"] == "certificate_of_attendance" and record["reference"] == "UPT-10"
    assert record["values"]["actual_end"] == "2026-03-13"
    assert record["values"]["days"] == 5
    with client.get(record["file"], headers=headers) as original:
        assert original.mimetype == "image/jpeg" and original.data.startswith(b"\xff\xd8\xff")


def test_scanned_certificate_recomputes_the_grant_unless_its_dates_await_review(
    app, client, admin, sample
):
    import json

    from docgen.forms.pagecode import stamp_form
    from docgen.forms.prefill import prefill_form
    from docgen.forms.spec import load_specs
    from docgen.operations.grants import final_grant
    from docgen.store.database import db
    from docgen.store.models import Record
    from tests.forms import scanlib
    from tests.forms.conftest import FORMS

    contract = sample("financial_contract")
    made = client.post(
        "/api/v1/documents",
        headers=admin,
        json={"kind": "financial_contract", "lang": "ro", "data": contract},
    )
    assert made.status_code == 201, made.json
    spec = load_specs(FORMS)["certificate_of_attendance"]
    values = json.loads((FORMS.parent / "tests/data/forms/values.json").read_text())
    cert = dict(values["certificate_of_attendance"], activity="SMS", teaching_hours="")
    cert.update(actual_start="2026-09-15", actual_end="2027-01-20", sign_date="2027-01-20")
    cert.update(planned_start="2026-09-15", planned_end="2027-01-31", days="128")
    cert = {k: v for k, v in cert.items() if v != ""}
    filled = prefill_form(spec, {"reference": contract["number"], "values": cert})
    (page,) = scanlib.render(stamp_form(filled, spec, contract["number"], "web tests"), 200)
    response = post_files(client, admin, ("cert.jpg", scanlib.jpeg(page, 70)))
    record = response.json["uploads"][0]["record"]
    assert record["method"] == "scan", record
    assert record["values"]["actual_end"] == "2027-01-20"
    grant = record["grant"]
    assert grant["contract"] == made.headers["X-Document-Id"], grant
    assert float(grant["final"]["total"]) < float(grant["total"])
    # The same dates read below the threshold: the grant waits for a reviewer.
    with app.app_context():
        unsure = Record(
            sha256="0" * 64,
            form="certificate_of_attendance",
            method="scan",
            status="needs_review",
            reference=contract["number"],
            values=record["values"],
            issues={"items": [{"field": "actual_end", "code": "low_confidence", "message": ""}]},
        )
        waiting = final_grant(db.session, unsure)
        assert waiting["pending"] == "the scanned actual_end await review"
        assert "final" not in waiting
        unsure.status = "approved"
        assert final_grant(db.session, unsure)["final"] == grant["final"]

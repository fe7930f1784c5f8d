"""A scanned form's review: each field's confidence and crop through the API and the page,
corrections and the approval keeping the crops in the audit trail."""

from __future__ import annotations

import json
import re

import pytest

from tests.apps import post_files


@pytest.fixture
def scanned(client, make_key):
    """A certificate filled on a computer, printed by this instance, scanned as a JPEG."""
    from docgen.forms.pagecode import stamp_form
    from docgen.forms.prefill import prefill_form
    from docgen.forms.spec import load_specs
    from tests.forms import scanlib
    from tests.forms.conftest import FORMS

    spec = load_specs(FORMS)["certificate_of_attendance"]
    values = json.loads((FORMS.parent / "tests/data/forms/values.json").read_text())
    filled = prefill_form(
        spec, {"reference": "UPT-21", "values": values["certificate_of_attendance"]}
    )
    # The session's shared parser holds the secret "web tests".
    (page,) = scanlib.render(stamp_form(filled, spec, "UPT-21", "web tests"), 200)
    headers = make_key("uploads", "records:read")
    response = post_files(client, headers, ("scan.jpg", scanlib.jpeg(page, 75)))
    assert response.status_code == 201, response.json
    return response.json["uploads"][0]["record"]


def test_the_api_gives_each_fields_confidence_and_crop(client, make_key, scanned):
    reader = make_key("records:read")
    record = client.get(f"/api/v1/records/{scanned['id']}", headers=reader).json
    fields = record["fields"]
    assert record["method"] == "scan" and "participant_name" in fields
    for name in ("participant_name", "actual_end", "remarks"):
        field = fields[name]
        assert 0 <= field["confidence"] <= 1 and field["page"] == 1, (name, field)
        assert field["crop"] == f"/api/v1/records/{scanned['id']}/crops/{name}.png"
    flagged = {
        i["field"] for i in record["issues"] if i["code"] in {"low_confidence", "letter_unsure"}
    }
    assert flagged == {n for n, f in fields.items() if f["flagged"]}
    assert "host_erasmus_code" in flagged  # O/0 and I/1 only the font tells apart
    with client.get(fields["actual_end"]["crop"], headers=reader) as crop:
        assert crop.status_code == 200 and crop.mimetype == "image/png"
        assert crop.data.startswith(b"\x89PNG\r\n\x1a\n")
        assert crop.headers["X-Content-Type-Options"] == "nosniff"
        assert crop.headers["Content-Security-Policy"].startswith("sandbox")
        assert crop.headers["Cache-Control"] == "no-store"
    assert client.get(fields["actual_end"]["crop"]).status_code == 401
    missing = client.get(f"/api/v1/records/{scanned['id']}/crops/nothing.png", headers=reader)
    assert missing.status_code == 404


def test_a_correction_and_the_approval_keep_the_crops_in_the_audit(client, make_key, scanned):
    writer = make_key("records:read", "records:write")
    url = f"/api/v1/records/{scanned['id']}"
    before = client.get(url, headers=writer).json
    corrected = client.patch(
        url,
        headers=writer,
        json={
            "values": {"host_erasmus_code": "RO SUCEAVA01"},
            "reason": "read on the original",
        },
    )
    assert corrected.status_code == 200, corrected.json
    approved = client.patch(url, headers=writer, json={"status": "approved"})
    assert approved.status_code == 200, approved.json
    changes = client.get(url, headers=writer).json["changes"]
    (correction,) = [c for c in changes if c["field"] == "/values/host_erasmus_code"]
    assert correction["new"] == "RO SUCEAVA01"
    assert correction["scan"]["read"] == before["fields"]["host_erasmus_code"]["read"]
    crop_sha = correction["scan"]["crop"]
    assert re.fullmatch(r"[0-9a-f]{64}", crop_sha)
    (approval,) = [c for c in changes if c["field"] == "/status" and c["new"] == "approved"]
    kept = approval["scan"]
    assert set(kept) == {n for n, f in before["fields"].items() if f["flagged"]}
    assert kept["host_erasmus_code"]["value"] == "RO SUCEAVA01"
    assert kept["host_erasmus_code"]["crop"] == crop_sha


def test_the_record_page_shows_crops_and_tabs_through_the_flagged_fields(
    app, make_key, client, scanned
):
    from docgen.store.database import db
    from docgen.store.users import create_user

    with app.app_context():
        create_user(db.session, "officer@upt.ro", "officer", "a-long-enough-password")
        db.session.commit()
    officer = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', officer.get("/login").text).group(1)
    officer.post(
        "/login",
        data={"email": "officer@upt.ro", "password": "a-long-enough-password", "csrf_token": token},
    )
    page = officer.get(f"/records/{scanned['id']}").text
    record = client.get(f"/api/v1/records/{scanned['id']}", headers=make_key("records:read")).json
    for name in record["fields"]:
        if record["fields"][name]["crop"] and name != "signature":
            assert f'src="/records/{scanned["id"]}/crops/{name}.png"' in page, name
    flagged = sorted(n for n, f in record["fields"].items() if f["flagged"] and n != "signature")
    tabbed = sorted(re.findall(r'id="v-([a-z_0-9]+)"[^>]*tabindex="1"', page))
    assert tabbed == flagged
    with officer.get(f"/records/{scanned['id']}/crops/remarks.png") as crop:
        assert crop.mimetype == "image/png"
        assert crop.headers["Content-Security-Policy"].startswith("sandbox")


def test_a_stack_of_three_forms_gives_one_record_each(client, make_key):
    """One PDF: a learning agreement's page 2, a certificate, an application turned upside
    down, the agreement's page 1: three documents, three records, the file stored once."""
    from docgen.forms.pagecode import stamp_form
    from docgen.forms.prefill import prefill_form
    from docgen.forms.spec import load_specs
    from tests.forms import scanlib
    from tests.forms.conftest import FORMS

    specs = load_specs(FORMS)
    values = json.loads((FORMS.parent / "tests/data/forms/values.json").read_text())

    def printed(form, reference):
        spec = specs[form]
        pdf = prefill_form(spec, {"reference": reference, "values": values[form]})
        return scanlib.render(stamp_form(pdf, spec, reference, "web tests"), 200)

    la1, la2 = printed("learning_agreement", "LA-31")
    (cert,) = printed("certificate_of_attendance", "UPT-31")
    (app_,) = printed("application", "APP-31")
    stack = scanlib.image_pdf([la2, cert, scanlib.quarter(app_, 180), la1], 200, quality=70)
    headers = make_key("uploads", "records:read")
    response = post_files(client, headers, ("stack.pdf", stack))
    assert response.status_code == 201, response.json
    (entry,) = response.json["uploads"]
    records = entry["records"]
    assert [(r["part"], r["form"], r["reference"]) for r in records] == [
        (0, "learning_agreement", "LA-31"),
        (1, "certificate_of_attendance", "UPT-31"),
        (2, "application", "APP-31"),
    ]
    assert entry["record"]["id"] == records[0]["id"]
    assert len({r["sha256"] for r in records}) == 1
    for record in records:
        assert record["method"] == "scan" and record["fields"], record["form"]
    assert records[1]["values"]["actual_end"] == "2026-03-13"
    assert records[2]["values"]["birth_date"] == "2004-11-30"
    listed = client.get("/api/v1/records?per_page=50", headers=headers).json["items"]
    assert {r["id"] for r in records} <= {r["id"] for r in listed}
    # The same file again: the same three records, nothing new.
    again = post_files(client, headers, ("stack.pdf", stack)).json["uploads"][0]
    assert again["created"] is False
    assert [r["id"] for r in again["records"]] == [r["id"] for r in records]

"""A scanned stack whose middle page lost its QR: the identified pages become their
records, the torn page an unidentified record with its image, assigned by hand (API)."""

from __future__ import annotations

import json

import pytest

from tests.apps import post_files


def _printed(form, reference):
    from docgen.forms.pagecode import stamp_form
    from docgen.forms.prefill import prefill_form
    from docgen.forms.spec import load_specs
    from tests.forms import scanlib
    from tests.forms.conftest import FORMS

    spec = load_specs(FORMS)[form]
    values = json.loads((FORMS.parent / "tests/data/forms/values.json").read_text())
    pdf = prefill_form(spec, {"reference": reference, "values": values[form]})
    # The session's shared parser holds the secret "web tests".
    return scanlib.render(stamp_form(pdf, spec, reference, "web tests"), 200)


@pytest.fixture
def stack(client, make_key):
    """An application, a certificate with its QR torn off, a learning agreement (2 pages)."""
    from tests.forms import scanlib

    (application,) = _printed("application", "APP-51")
    (certificate,) = _printed("certificate_of_attendance", "UPT-51")
    la1, la2 = _printed("learning_agreement", "LA-51")
    torn = scanlib.tear_qr(certificate, 200)
    pdf = scanlib.image_pdf([application, torn, la1, la2], 200, quality=75)
    response = post_files(client, make_key("uploads", "records:read"), ("stack.pdf", pdf))
    assert response.status_code == 201, response.json
    (entry,) = response.json["uploads"]
    return entry


def test_the_torn_page_is_an_unidentified_record_with_its_image(client, make_key, stack):
    records = stack["records"]
    assert [
        (r["part"], r["status"] == "unidentified", r["form"], r["reference"]) for r in records
    ] == [
        (0, False, "application", "APP-51"),
        (1, False, "learning_agreement", "LA-51"),
        (2, True, None, None),
    ]
    assert len({r["sha256"] for r in records}) == 1  # one original file for all
    torn = records[2]
    assert torn["method"] == "scan" and torn["fields"] is None
    assert [i["code"] for i in torn["issues"]] == ["page_unidentified"]
    assert torn["page_image"] == f"/api/v1/records/{torn['id']}/page.png"
    assert records[0]["page_image"] is None
    reader = make_key("records:read")
    got = client.get(torn["url"], headers=reader).json
    assert got["status"] == "unidentified" and got["page_image"] == torn["page_image"]
    with client.get(torn["page_image"], headers=reader) as image:
        assert image.status_code == 200 and image.mimetype == "image/png"
        assert image.data.startswith(b"\x89PNG\r\n\x1a\n")
        assert image.headers["Content-Security-Policy"].startswith("sandbox")
        assert image.headers["X-Content-Type-Options"] == "nosniff"
        assert image.headers["Content-Disposition"] == "inline"
        assert image.headers["Cache-Control"] == "no-store"
        with client.get(torn["file"], headers=reader) as original:
            assert image.data != original.data  # the worker's PNG, not the upload
    assert client.get(torn["page_image"]).status_code == 401
    assert client.get(torn["page_image"], headers=make_key("uploads")).status_code == 403
    listed = client.get("/api/v1/records?status=unidentified", headers=reader).json["items"]
    assert torn["id"] in {r["id"] for r in listed}
    assert (
        client.get(f"/api/v1/records/{records[0]['id']}/page.png", headers=reader).status_code
        == 404
    )


def test_assigning_the_page_reads_its_fields_audited(client, make_key, stack):
    torn = stack["records"][2]
    url = f"/api/v1/records/{torn['id']}/assign"
    viewer = make_key("records:read")
    refused = client.post(
        url, headers=viewer, json={"form": "certificate_of_attendance", "reference": "UPT-51"}
    )
    assert refused.status_code == 403
    writer = make_key("records:read", "records:write")
    unknown = client.post(url, headers=writer, json={"form": "no_such_form"})
    assert unknown.status_code == 422
    assert unknown.json["errors"][0]["pointer"] == "/form"
    assert "certificate_of_attendance" in unknown.json["errors"][0]["message"]
    beyond = client.post(url, headers=writer, json={"form": "certificate_of_attendance", "page": 2})
    assert beyond.status_code == 422 and beyond.json["errors"][0]["pointer"] == "/page"
    not_torn = client.post(
        f"/api/v1/records/{stack['records'][0]['id']}/assign",
        headers=writer,
        json={"form": "certificate_of_attendance"},
    )
    assert not_torn.status_code == 422
    assert not_torn.json["errors"][0]["pointer"] == "/status"
    assert (
        client.post(
            "/api/v1/records/999999/assign", headers=writer, json={"form": "application"}
        ).status_code
        == 404
    )

    done = client.post(
        url, headers=writer, json={"form": "certificate_of_attendance", "reference": "UPT-51"}
    )
    assert done.status_code == 200, done.json
    record = done.json
    assert record["form"] == "certificate_of_attendance" and record["reference"] == "UPT-51"
    assert record["status"] in {"valid", "needs_review"} and record["method"] == "scan"
    assert record["values"]["actual_end"] == "2026-03-13"
    assert record["values"]["actual_start"]
    fields = record["fields"]
    assert fields["actual_end"]["crop"] == f"/api/v1/records/{torn['id']}/crops/actual_end.png"
    flagged = {
        i["field"] for i in record["issues"] if i["code"] in {"low_confidence", "letter_unsure"}
    }
    assert flagged == {n for n, f in fields.items() if f["flagged"]}
    assert record["page_image"]  # the page stays shown beside what was read
    changes = {c["field"]: c for c in record["changes"]}
    assert changes["/form"]["new"] == "certificate_of_attendance"
    assert changes["/reference"]["new"] == "UPT-51"
    assert changes["/status"]["old"] == "unidentified"
    assert changes["/status"]["who"] and changes["/status"]["at"]
    assert "assigned by hand" in changes["/status"]["reason"]
    again = client.post(url, headers=writer, json={"form": "application"})
    assert again.status_code == 422 and again.json["errors"][0]["pointer"] == "/status"


def _signed_in(app, email, role):
    import re

    from docgen.store.database import db
    from docgen.store.users import create_user

    with app.app_context():
        create_user(db.session, email, role, "a-long-enough-password")
        db.session.commit()
    browser = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/login").text).group(1)
    browser.post(
        "/login", data={"email": email, "password": "a-long-enough-password", "csrf_token": token}
    )
    return browser


def test_the_record_page_shows_the_image_and_only_officers_may_assign(app, stack):
    import re

    torn = stack["records"][2]
    viewer = _signed_in(app, "viewer@upt.ro", "viewer")
    page = viewer.get(f"/records/{torn['id']}").text
    assert f'src="/records/{torn["id"]}/page.png"' in page
    assert 'name="form"' not in page
    with viewer.get(f"/records/{torn['id']}/page.png") as image:
        assert image.status_code == 200 and image.mimetype == "image/png"
        assert image.headers["Content-Security-Policy"].startswith("sandbox")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    token = token.group(1) if token else ""
    refused = viewer.post(
        f"/records/{torn['id']}/assign",
        data={"form": "certificate_of_attendance", "csrf_token": token},
    )
    assert refused.status_code == 403
    officer = _signed_in(app, "officer@upt.ro", "officer")
    page = officer.get(f"/records/{torn['id']}").text
    assert 'name="form"' in page and 'value="certificate_of_attendance"' in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    wrong = officer.post(
        f"/records/{torn['id']}/assign", data={"form": "nothing", "csrf_token": token}
    )
    assert wrong.status_code == 422 and 'id="a-form-error"' in wrong.text
    assert officer.get("/records/999999/page.png").status_code == 404


def test_a_copier_pdf_of_a_form_with_its_qr_torn_off_is_assigned(client, make_key):
    """The office's common case: a signed form through the copier, its QR torn off, saved as
    a PDF of images: one unidentified record with its image, read once assigned."""
    from tests.forms import scanlib

    (certificate,) = _printed("certificate_of_attendance", "UPT-52")
    pdf = scanlib.image_pdf([scanlib.tear_qr(certificate, 200)], 200, quality=75)
    response = post_files(client, make_key("uploads", "records:read"), ("copier.pdf", pdf))
    assert response.status_code == 201, response.json
    (entry,) = response.json["uploads"]
    torn = entry["record"]
    assert "records" not in entry  # one page, one record
    assert (torn["status"], torn["form"], torn["method"]) == ("unidentified", None, "scan")
    assert [i["code"] for i in torn["issues"]] == ["page_unidentified"]
    reader = make_key("records:read")
    with client.get(torn["page_image"], headers=reader) as image:
        assert image.status_code == 200 and image.data.startswith(b"\x89PNG\r\n\x1a\n")
    writer = make_key("records:read", "records:write")
    done = client.post(
        f"/api/v1/records/{torn['id']}/assign",
        headers=writer,
        json={"form": "certificate_of_attendance", "reference": "UPT-52"},
    )
    assert done.status_code == 200, done.json
    record = done.json
    assert (record["form"], record["reference"]) == ("certificate_of_attendance", "UPT-52")
    assert record["status"] in {"valid", "needs_review"} and record["method"] == "scan"
    assert record["values"]["actual_end"] == "2026-03-13"
    assert record["fields"]["actual_end"]["crop"]

"""Corrections and review through the API: what a write-only key sees, no-op requests,
corrections after approval, and corrections held to the rules of their fields."""

from __future__ import annotations

import pytest


@pytest.fixture
def record(client, make_key, certificate, upload):
    response = upload(
        client, make_key("uploads"), ("c.pdf", certificate("REF-R", "2026-09-15", "2027-01-20"))
    )
    return response.json["uploads"][0]["record"]


def test_a_write_only_key_does_not_read_the_record(client, make_key, record):
    writer = make_key("records:write")
    assert client.get(f"/api/v1/records/{record['id']}", headers=writer).status_code == 403
    response = client.patch(f"/api/v1/records/{record['id']}", headers=writer, json={})
    assert response.status_code == 200
    assert response.json == {"id": record["id"], "status": record["status"], "changed": False}
    text = response.get_data(as_text=True)
    assert "Vlăduțescu" not in text and "values" not in text and "REF-R" not in text
    corrected = client.patch(
        f"/api/v1/records/{record['id']}",
        headers=writer,
        json={"values": {"remarks": "checked by phone"}},
    )
    assert set(corrected.json) == {"id", "status", "changed"} and corrected.json["changed"]


def test_a_no_op_patch_changes_nothing(client, make_key, record):
    reader = make_key("records:read")
    writer = make_key("records:read", "records:write")
    before = client.get(f"/api/v1/records/{record['id']}", headers=reader).json
    for body in (
        {},
        {"values": {"actual_end": before["values"]["actual_end"]}},
        {"status": before["status"]} if before["status"] != "approved" else {},
    ):
        response = client.patch(f"/api/v1/records/{record['id']}", headers=writer, json=body)
        assert response.status_code == 200 and response.json["changes"] == []
    after = client.get(f"/api/v1/records/{record['id']}", headers=reader).json
    assert after["updated_at"] == before["updated_at"] and after["changes"] == []
    assert after == before


def test_a_correction_after_approval_goes_back_to_review(client, make_key, record):
    writer = make_key("records:read", "records:write", name="reviewer-2")
    approved = client.patch(
        f"/api/v1/records/{record['id']}", headers=writer, json={"status": "approved"}
    )
    assert approved.json["status"] == "approved"
    corrected = client.patch(
        f"/api/v1/records/{record['id']}",
        headers=writer,
        json={"values": {"actual_end": "2027-01-25"}, "reason": "the host sent a new certificate"},
    )
    body = corrected.json
    assert corrected.status_code == 200 and body["status"] == "needs_review"
    assert body["approved_at"] is None
    back = [c for c in body["changes"] if c["field"] == "/status" and c["old"] == "approved"]
    assert len(back) == 1 and back[0]["new"] == "needs_review" and back[0]["who"] == "reviewer-2"
    assert back[0]["reason"] == "corrected after approval: the host sent a new certificate"
    value = [c for c in body["changes"] if c["field"] == "/values/actual_end"]
    assert value[0]["reason"] == "the host sent a new certificate"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("days", 10**30),
        pytest.param("days", 10**1000, id="days-1001-digits"),
        ("days", "1" * 200),
        ("days", 401),
        ("actual_end", "9999-12-31"),
        ("actual_end", "31.12.9999"),
        ("participant_name", {"first": "Ana"}),
        ("participant_name", ["Ana"]),
        ("participant_name", True),
        pytest.param("remarks", "x" * 1_000_000, id="remarks-1MB"),
        ("remarks", "x" * 601),
        ("teaching_hours", "1e400"),
    ],
)
def test_corrections_follow_the_rules_of_their_field(client, make_key, record, field, value):
    writer = make_key("records:read", "records:write")
    reader = make_key("records:read")
    before = client.get(f"/api/v1/records/{record['id']}", headers=reader).json
    response = client.patch(
        f"/api/v1/records/{record['id']}", headers=writer, json={"values": {field: value}}
    )
    assert response.status_code == 422, response.json
    assert [e["pointer"] for e in response.json["errors"]] == [f"/values/{field}"]
    assert client.get(f"/api/v1/records/{record['id']}", headers=reader).json == before


def test_the_page_takes_an_approved_record_back_to_review_with_the_reason(
    app, client, make_key, record
):
    import re

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
    writer = make_key("records:write")
    client.patch(f"/api/v1/records/{record['id']}", headers=writer, json={"status": "approved"})
    page = officer.get(f"/records/{record['id']}")
    assert "o corecție o readuce la verificare" in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    saved = officer.post(
        f"/records/{record['id']}",
        data={
            "csrf_token": token,
            "_action": "save",
            "values.days": "120",
            "_reason": "zile corectate de gazdă",
        },
    )
    assert saved.status_code == 302
    page = officer.get(f"/records/{record['id']}")
    assert 'badge st-needs_review">de verificat' in page.text
    assert "corectată după aprobare: zile corectate de gazdă" in page.text
    assert "officer@upt.ro" in page.text

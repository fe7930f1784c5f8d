"""Registry API: scopes, list and filters, changes with history, IIAs in and out."""

from __future__ import annotations

from pathlib import Path

import pytest

from docgen.registry.ewp.xml import canonical, parse_xml, validate

EXAMPLE = (
    Path(__file__).resolve().parents[1] / "data" / "ewp" / "iias-get-response-example.xml"
).read_bytes()


@pytest.fixture
def backend():
    """SQLite here; the registry's storage on PostgreSQL is covered by the migration test."""
    return "sqlite"


def _institution(client, headers, **data):
    response = client.post("/api/v1/institutions", json=data, headers=headers)
    assert response.status_code == 201, response.json
    return response.json


def test_scopes_guard_the_registry(client, make_key):
    reader = make_key("records:read")
    writer = make_key("records:write")
    documents = make_key("documents")
    body = {"name_en": "University of Niš", "country": "RS", "city": "Niš"}
    assert client.get("/api/v1/institutions").status_code == 401
    assert client.get("/api/v1/institutions", headers=documents).status_code == 403
    assert client.post("/api/v1/institutions", json=body, headers=reader).status_code == 403
    created = _institution(client, writer, **body)
    assert created["missing"][0] == "erasmus_code"
    listed = client.get("/api/v1/institutions?q=nis&country=rs", headers=reader).json
    assert listed["total"] == 1 and listed["items"][0]["id"] == created["id"]


def test_a_change_is_validated_and_kept_in_the_history(client, make_key):
    writer = make_key("records:read", "records:write", name="office")
    row = _institution(client, writer, name_en="University of Niš", country="RS", city="Niš")
    bad = client.put(
        f"/api/v1/institutions/{row['id']}",
        json={
            "name_en": "University of Niš",
            "country": "RS",
            "city": "Niš",
            "erasmus_code": "NIS",
        },
        headers=writer,
    )
    assert bad.status_code == 422
    assert bad.json["errors"][0]["pointer"] == "/erasmus_code"
    good = client.put(
        f"/api/v1/institutions/{row['id']}",
        json={
            "name_en": "University of Niš",
            "country": "RS",
            "city": "Niš",
            "erasmus_code": "RS NIS01",
        },
        headers=writer,
    )
    assert good.status_code == 200 and good.json["erasmus_code"] == "RS NIS01"
    shown = client.get(f"/api/v1/institutions/{row['id']}", headers=writer).json
    last = shown["history"][-1]
    assert (last["who"], last["field"], last["old"], last["new"]) == (
        "office",
        "/erasmus_code",
        None,
        "RS NIS01",
    )


def test_an_iia_goes_in_and_out_through_the_api(client, make_key):
    writer = make_key("records:read", "records:write")
    home = _institution(
        client, writer, schac="uw.edu.pl", name_en="UW", country="PL", city="Warszawa"
    )
    _institution(client, writer, schac="hibo.no", name_en="HVL", country="NO", city="Bergen")
    refused = client.post(
        "/api/v1/agreements/iia", data=EXAMPLE, headers=writer, content_type="application/xml"
    )
    assert refused.status_code == 422  # no home institution yet
    assert refused.json["errors"][0]["pointer"] == "/home"
    from docgen.store import registry as store
    from docgen.store.database import db

    with client.application.app_context():
        store.set_home(db.session, store.get_institution(db.session, home["id"]), None)
        db.session.commit()
    created = client.post(
        "/api/v1/agreements/iia", data=EXAMPLE, headers=writer, content_type="application/xml"
    )
    assert created.status_code == 201, created.json
    assert len(created.json["conditions"]) == 5
    xml = client.get(f"/api/v1/agreements/{created.json['id']}/iia.xml", headers=writer)
    assert xml.status_code == 200 and xml.mimetype == "application/xml"
    validate(parse_xml(xml.data))
    again = client.post(
        "/api/v1/agreements/iia", data=xml.data, headers=writer, content_type="application/xml"
    )
    second = client.get(f"/api/v1/agreements/{again.json['id']}/iia.xml", headers=writer)
    assert canonical(second.data) == canonical(xml.data)
    bad = client.post(
        "/api/v1/agreements/iia",
        data=b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
        headers=writer,
        content_type="application/xml",
    )
    assert bad.status_code == 400
    assert bad.json["errors"][0] == {
        "pointer": "line 2",
        "message": "an external entity is refused (it would read a file or a URL)",
    }
    assert client.post("/api/v1/agreements/iia", json={}, headers=writer).status_code == 415


def test_a_learning_agreement_goes_through_the_api(client, make_key):
    writer = make_key("records:write")
    documents = make_key("documents")
    la = (
        Path(__file__).resolve().parents[1]
        / "data"
        / "ewp"
        / "omobility-las-get-response-example.xml"
    ).read_bytes()
    for schac, name, email, position in (
        ("uio.no", "University of Oslo", "anders.bardal@example.com", "Erasmus senior coordinator"),
        ("uw.edu.pl", "University of Warsaw", "pawel.kowalski@example.com", "Mobility coordinator"),
    ):
        contact = {"name": "X", "role": "contact", "email": email, "position": position}
        _institution(
            client,
            writer,
            schac=schac,
            name_en=name,
            name_ro=name,
            country="NO",
            city="Oslo",
            contacts=[contact],
        )
    assert (
        client.post(
            "/api/v1/learning-agreements/from-ewp",
            data=la,
            headers=writer,
            content_type="application/xml",
        ).status_code
        == 403
    )
    answer = client.post(
        "/api/v1/learning-agreements/from-ewp",
        data=la,
        headers=documents,
        content_type="application/xml",
    )
    assert answer.status_code == 200, answer.json
    payload = answer.json["payload"]
    assert payload["receiving"]["contact"]["position"] == "Mobility coordinator"
    assert answer.json["warnings"] == []
    document = client.post(
        "/api/v1/documents",
        json={"kind": "learning_agreement", "lang": "en", "data": payload},
        headers=documents,
    )
    assert document.status_code == 201, document.json
    payload["changes"] = []
    xml = client.post("/api/v1/learning-agreements/to-ewp", json=payload, headers=documents)
    assert xml.status_code == 200, xml.json
    validate(parse_xml(xml.data))
    unknown = dict(payload, sending={"schac": "nowhere.edu"})
    refused = client.post("/api/v1/learning-agreements/to-ewp", json=unknown, headers=documents)
    assert refused.status_code == 422
    assert refused.json["errors"][0]["pointer"] == "/sending/schac"


def test_the_registry_exports_as_csv_and_xlsx(client, make_key):
    import csv
    import io

    from openpyxl import load_workbook

    writer = make_key("records:read", "records:write")
    _institution(
        client,
        writer,
        name_en="University of Niš",
        country="RS",
        city="Niš",
        contacts=[
            {
                "name": "Vesna Lopičić",
                "role": "institutional_coordinator",
                "email": "vesna.lopicic@ni.ac.rs",
            }
        ],
    )
    _institution(client, writer, name_en="=HYPERLINK(1)", country="MA", city="Agadir")
    answer = client.get("/api/v1/institutions/export?country=RS", headers=writer)
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["id", "home", "erasmus_code", "schac"] and len(rows) == 2
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["name_en"] == "University of Niš"
    assert record["contacts"] == "Vesna Lopičić (institutional_coordinator, vesna.lopicic@ni.ac.rs)"
    assert record["missing"].startswith("erasmus_code, schac")
    book = client.get("/api/v1/institutions/export?format=xlsx", headers=writer)
    sheet = load_workbook(io.BytesIO(book.data)).active
    names = [row[6] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["'=HYPERLINK(1)", "University of Niš"]  # a formula stays text
    assert client.get("/api/v1/institutions/export?format=pdf", headers=writer).status_code == 422

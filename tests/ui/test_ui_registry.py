"""The partners' pages: list, search and filter, one partner, edit (officers), history,
export; in Romanian and English."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from docgen.registry.models import Agreement, Institution
from docgen.store import registry as store
from docgen.store.database import db
from docgen.store.users import create_user


@pytest.fixture
def backend():
    return "sqlite"


@pytest.fixture
def registry(app):
    with app.app_context():
        for role in ("officer", "viewer"):
            create_user(db.session, f"{role}@upt.ro", role, "a-long-enough-password")
        nis = store.create_institution(
            db.session,
            Institution(
                name_en="University of Niš",
                name_ro="Universitatea din Niš",
                country="RS",
                city="Niš",
            ),
            None,
        )
        store.create_institution(
            db.session,
            Institution(name_en="Ibn Zohr University", country="MA", city="Agadir"),
            None,
        )
        store.create_agreement(
            db.session, Agreement.model_validate({"type": "ka131", "partner_id": nis.id}), None
        )
        db.session.commit()
        return nis.id


def _token(client, path) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def _sign_in(client, role, lang="ro"):
    client.get(f"/lang/{lang}")
    response = client.post(
        "/login",
        data={
            "email": f"{role}@upt.ro",
            "password": "a-long-enough-password",
            "csrf_token": _token(client, "/login"),
        },
    )
    assert response.status_code == 302, response.text


def test_the_list_searches_and_filters(client, registry):
    _sign_in(client, "viewer")
    page = client.get("/partners").text
    assert "Parteneri și acorduri" in page and "2 instituții" in page
    assert "Universitatea din Niš" in page and "Ibn Zohr University" in page
    found = client.get("/partners?q=nis").text
    assert "Universitatea din Niš" in found and "Ibn Zohr" not in found
    assert "Ibn Zohr" not in client.get("/partners?type=ka131").text
    assert "Niš" not in client.get("/partners?country=ma").text.split("<tbody>")[1]


def test_an_officer_edits_and_the_history_shows_it(client, registry):
    _sign_in(client, "officer", "en")
    path = f"/partners/{registry}"
    page = client.get(path).text
    assert "University of Niš" in page and "Still missing:" in page and "KA131" in page
    token = _token(client, path)
    base = {
        "name_en": "University of Niš",
        "name_ro": "Universitatea din Niš",
        "country": "RS",
        "city": "Niš",
    }
    bad = client.post(path, data={**base, "erasmus_code": "NIS", "csrf_token": token})
    assert bad.status_code == 422
    assert "Erasmus code" in bad.text and "RO TIMISOA01" in bad.text  # the field and the rule
    good = client.post(path, data={**base, "erasmus_code": "rs nis01", "csrf_token": token})
    assert good.status_code == 302
    page = client.get(path).text
    assert "RS NIS01" in page
    history = page.split('id="h-history"')[1]
    assert "officer@upt.ro" in history and "/erasmus_code" in history


def test_a_viewer_reads_but_cannot_change(client, registry):
    _sign_in(client, "viewer", "en")
    path = f"/partners/{registry}"
    assert "disabled" in client.get(path).text
    refused = client.post(path, data={"city": "X", "csrf_token": _token(client, path)})
    assert refused.status_code == 403


def test_the_list_exports(client, registry):
    _sign_in(client, "viewer", "en")
    book = client.get("/partners/export.xlsx?country=RS")
    sheet = load_workbook(io.BytesIO(book.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][2] == "erasmus_code" and len(rows) == 2 and rows[1][6] == "University of Niš"
    text = client.get("/partners/export.csv").data.decode("utf-8-sig")
    assert "Ibn Zohr University" in text and "University of Niš" in text


def test_an_ewp_file_is_imported_from_the_page(app, client, registry):
    from pathlib import Path

    data = Path(__file__).resolve().parents[1] / "data" / "ewp"
    with app.app_context():
        home = store.create_institution(
            db.session,
            Institution(schac="uw.edu.pl", name_en="UW", country="PL", city="Warszawa"),
            None,
            home=True,
        )
        partner = store.create_institution(
            db.session,
            Institution(schac="hibo.no", name_en="HVL", country="NO", city="Bergen"),
            None,
        )
        db.session.commit()
        partner_id = partner.id
        assert home.is_home
    _sign_in(client, "officer", "en")

    def post(content: bytes, name: str):
        return client.post(
            "/partners/import",
            data={"csrf_token": _token(client, "/partners"), "file": (io.BytesIO(content), name)},
            content_type="multipart/form-data",
        )

    stored = post((data / "iias-get-response-example.xml").read_bytes(), "iia.xml")
    assert stored.status_code == 302 and stored.location.endswith(f"/partners/{partner_id}?saved=1")
    assert "EWP IIA 0f7a5682" in client.get(f"/partners/{partner_id}").text
    la = post((data / "omobility-las-get-response-example.xml").read_bytes(), "la.xml")
    assert la.status_code == 200 and la.mimetype == "application/json"
    assert la.json["receiving"]["name_en"] == "UW"
    bad = post(b"<?xml version='1.0'?>\n<la><oops></la>", "bad.xml")
    assert bad.status_code == 422 and "line 2: not well-formed XML" in bad.text


def test_an_officer_edits_the_contacts(client, registry):
    _sign_in(client, "officer", "en")
    path = f"/partners/{registry}"
    page = client.get(path).text
    assert 'name="contacts.0.name"' in page  # one empty row to start from
    token = _token(client, path)
    row = {
        "contacts.0.name": "Dragan Janković",
        "contacts.0.role": "departmental_coordinator",
        "contacts.0.position": "Vice-Dean",
        "csrf_token": token,
    }
    bad = client.post(f"{path}/contacts", data={**row, "contacts.0.email": "not-an-e-mail"})
    assert bad.status_code == 422
    assert 'id="f-contacts-0-email-err"' in bad.text
    assert 'value="Dragan Janković"' in bad.text  # what was typed stays
    good = client.post(f"{path}/contacts", data={**row, "contacts.0.email": "dj@ni.ac.rs"})
    assert good.status_code == 302
    page = client.get(path).text
    assert 'value="dj@ni.ac.rs"' in page
    history = page.split('id="h-history"')[1]
    assert "/contacts" in history and "Dragan Janković" in history
    # Removing every row removes the contacts, and says so in the history.
    assert client.post(f"{path}/contacts", data={"csrf_token": token}).status_code == 302
    with client.application.app_context():
        assert store.get_institution(db.session, registry).data.get("contacts", []) == []


def test_an_officer_adds_and_changes_an_agreement(client, registry):
    _sign_in(client, "officer", "en")
    new = f"/partners/{registry}/agreements/new"
    page = client.get(new).text
    assert 'name="conditions.__i__.mobility_type"' in page  # rows added by the page
    token = _token(client, new)
    data = {
        "type": "ka171",
        "academic_years.0": "2026-2027",
        "in_effect": "true",
        "conditions.0.direction": "incoming",
        "conditions.0.mobility_type": "SMS",
        "conditions.0.subject_areas.0.isced": "0712",
        "conditions.0.eqf.0": "7",
        "conditions.0.mobilities": "2",
        "conditions.0.days_per_mobility": "150",
        "csrf_token": token,
    }
    bad = client.post(new, data={**data, "academic_years.0": "2026"})
    assert bad.status_code == 422 and 'id="f-academic_years-0-err"' in bad.text
    created = client.post(new, data=data)
    assert created.status_code == 302
    path = created.location.split("?")[0]
    page = client.get(path).text
    assert 'value="150"' in page and "Saved." not in page
    changed = client.post(path, data={**data, "conditions.0.mobilities": "3"})
    assert changed.status_code == 302
    page = client.get(path).text
    history = page.split('id="h-history"')[1]
    assert "officer@upt.ro" in history and "/conditions" in history
    assert "KA171" in client.get(f"/partners/{registry}").text


def test_a_viewer_cannot_change_contacts_or_agreements(client, registry):
    _sign_in(client, "viewer", "en")
    path = f"/partners/{registry}"
    token = _token(client, path)
    assert client.post(f"{path}/contacts", data={"csrf_token": token}).status_code == 403
    new = f"{path}/agreements/new"
    assert client.post(new, data={"type": "mou", "csrf_token": token}).status_code == 403
    assert "disabled" in client.get(new).text


def test_the_selection_takes_its_places_from_an_agreement(app, client, registry):
    with app.app_context():
        row = store.create_agreement(
            db.session,
            Agreement.model_validate(
                {
                    "type": "ka171",
                    "partner_id": registry,
                    "conditions": [
                        {
                            "direction": "incoming",
                            "mobility_type": "SMS",
                            "subject_areas": [{"isced": "0712"}],
                            "eqf": [7],
                            "mobilities": 1,
                            "days_per_mobility": 150,
                        }
                    ],
                }
            ),
            None,
        )
        db.session.commit()
        agreement_id = row.id
    _sign_in(client, "officer", "ro")
    page = client.get("/selection").text
    # The criteria sets by their names in the page's language, the agreements to choose.
    assert ">Selecția personalului incoming pentru mobilități de predare și formare<" in page
    assert f'<option value="{agreement_id}"' in page
    place = f"A{agreement_id}-0712-EQF7"
    candidates = (
        "id;name;scores.grade;scores.language;scores.motivation;scores.interview;preferences;"
        "ranking_position;eligible;early_career\n"
        f"c1;Ana Popović;18.5;B2;15;25;{place};1;true;false\n"
        f"c2;Marko Jovanović;19;C1;18;28;{place};2;true;false\n"
    )
    ranked = client.post(
        "/selection",
        data={
            "criteria_set": "incoming-students",
            "published_at": "2026-03-10T12:00",
            "agreements": str(agreement_id),
            "file": (io.BytesIO(candidates.encode()), "candidates.csv"),
            "csrf_token": _token(client, "/selection"),
        },
        content_type="multipart/form-data",
    )
    assert ranked.status_code == 200, ranked.text
    ranking = ranked.text.split('id="ranking"')[1]
    assert "Marko Jovanović" in ranking and "University of Niš" in ranked.text

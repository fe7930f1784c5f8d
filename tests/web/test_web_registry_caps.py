"""Through the API, on SQLite and PostgreSQL: contracts take their agreement's places (a
quote or a contract over what is left is refused, naming the agreement and what is left),
and batch items name their institutions by code, the home institution filled."""

from __future__ import annotations

import copy
import io
import json
import zipfile
from pathlib import Path

import pytest

from docgen.operations.registry import import_seeds
from docgen.registry.models import Institution
from docgen.store import registry as store
from docgen.store.database import db

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
STAFF = json.loads((SAMPLES / "financial_contract-staff.json").read_text(encoding="utf-8"))
STUDENT = json.loads((SAMPLES / "financial_contract.json").read_text(encoding="utf-8"))


@pytest.fixture
def novi_sad(app):
    """The seeds in the registry; the id of the KA107 agreement with Novi Sad."""
    with app.app_context():
        import_seeds(db.session, None)
        partner = store.list_institutions(db.session, text="Novi Sad")[0][0]
        agreement = store.list_agreements(
            db.session, institution_id=partner.id, agreement_type="ka107"
        )[0]
        db.session.commit()
        return agreement.id


def _contract(number: str, agreement: int, start: str, end: str, travel: int) -> dict:
    data = copy.deepcopy(STAFF)
    data["number"] = number
    data["call"]["rate_table"] = "incoming-2015"
    data["mobility"] = {
        "activity": "STA",
        "direction": "incoming",
        "host": {k: v for k, v in data["university"].items() if k != "contact"},
        "origin": {"city": "Novi Sad", "country": "RS"},
        "destination": {"city": "Timișoara", "country": "RO"},
        "start": start,
        "end": end,
        "travel_days": travel,
        "teaching_hours": 12,
        "agreement": agreement,
    }
    return data


def test_two_teachers_on_one_agreement(client, make_key, novi_sad):
    key = make_key("documents")
    name = f"agreement {novi_sad} (University of Novi Sad, KA107)"
    first = _contract("301/2026", novi_sad, "2027-03-08", "2027-03-12", 2)  # 5 days, 2 travel
    created = client.post(
        "/api/v1/documents",
        json={"kind": "financial_contract", "lang": "en", "format": "docx", "data": first},
        headers=key,
    )
    assert created.status_code == 201, created.json
    quote = {
        "activity": "STA",
        "direction": "incoming",
        "call": "incoming-2015",
        "origin": {"city": "Novi Sad", "country": "RS"},
        "destination": {"city": "Timișoara", "country": "RO"},
        "start": "2027-03-15",
        "end": "2027-03-23",
        "travel_days": 2,
        "teaching_hours": 12,
        "agreement": novi_sad,
    }
    refused = client.post("/api/v1/grants/quote", json=quote, headers=key)
    assert refused.status_code == 422
    assert refused.json["errors"] == [
        {
            "pointer": "/agreement",
            "message": f"{name} allows 11 days of activity in total, 1 contract (301/2026) "
            "took 5; this quote has 7: 1 over, 6 left",
        },
        {
            "pointer": "/agreement",
            "message": f"{name} allows 3 travel days in total, 1 contract (301/2026) took 2; "
            "this quote has 2: 1 over, 1 left",
        },
    ]
    # A batch: the second teacher takes what is left, a third finds no place.
    items = [
        _contract("302/2026", novi_sad, "2027-03-15", "2027-03-19", 1),
        _contract("303/2026", novi_sad, "2027-05-17", "2027-05-21", 0),
    ]
    batch = client.post(
        "/api/v1/documents/batch",
        json={"kind": "financial_contract", "lang": "en", "format": "docx", "items": items},
        headers=key,
    )
    assert batch.status_code == 422
    assert batch.json["errors"] == [
        {
            "pointer": "/items/1/mobility/agreement",
            "message": f"{name} has 2 places for incoming STA: 2 contracts (301/2026, "
            "302/2026) took them, 0 left",
        },
        {
            "pointer": "/items/1/mobility/agreement",
            "message": f"{name} allows 11 days of activity in total, 2 contracts (301/2026, "
            "302/2026) took 10; this quote has 5: 4 over, 1 left",
        },
    ]
    alone = client.post(
        "/api/v1/documents/batch",
        json={"kind": "financial_contract", "lang": "en", "format": "docx", "items": items[:1]},
        headers=key,
    )
    assert alone.status_code == 200, alone.json


def test_batch_items_name_institutions_by_code(app, client, make_key):
    with app.app_context():
        home = {k: v for k, v in STUDENT["university"].items() if k not in ("contact",)}
        representative = home.pop("legal_representative")
        home["contacts"] = [{**representative, "role": "legal_representative"}]
        store.create_institution(db.session, Institution.model_validate(home), None, home=True)
        store.create_institution(
            db.session,
            Institution.model_validate(
                {k: v for k, v in STUDENT["mobility"]["host"].items() if k != "faculty"}
            ),
            None,
        )
        db.session.commit()
    key = make_key("documents")
    items = []
    for number in ("154/2026", "155/2026"):
        data = copy.deepcopy(STUDENT)
        data["number"] = number
        del data["university"]  # the home institution, from the registry
        data["mobility"]["host"] = {"erasmus_code": "p porto02", "faculty": "FEUP"}
        items.append(data)
    items[1]["mobility"]["host"] = {"erasmus_code": "E  MADRID05"}
    body = {"kind": "financial_contract", "lang": "ro", "format": "docx", "items": items}
    refused = client.post("/api/v1/documents/batch", json=body, headers=key)
    assert refused.status_code == 422
    assert refused.json["errors"] == [
        {
            "pointer": "/items/1/mobility/host/erasmus_code",
            "message": "E  MADRID05 is not an institution of the registry",
        }
    ]
    items[1]["mobility"]["host"] = {"erasmus_code": "P PORTO02"}
    done = client.post("/api/v1/documents/batch", json=body, headers=key)
    assert done.status_code == 200, done.json
    with zipfile.ZipFile(io.BytesIO(done.data)) as archive:
        assert len(archive.namelist()) == 2


def test_a_prefilled_form_names_the_home_institution(app, client, make_key):
    from pypdf import PdfReader

    with app.app_context():
        store.create_institution(
            db.session,
            Institution(
                name_en="Politehnica University Timișoara",
                name_ro="Universitatea Politehnica Timișoara",
                country="RO",
                city="Timișoara",
            ),
            None,
            home=True,
        )
        db.session.commit()
    key = make_key("documents")
    response = client.post(
        "/api/v1/forms/learning_agreement/prefill",
        json={"reference": "LA-2026-7", "values": {"student_name": "Ana Pop"}},
        headers=key,
    )
    assert response.status_code == 200, response.data[:300]
    fields = PdfReader(io.BytesIO(response.data)).get_fields()
    assert fields["sending_institution"]["/V"] == "Politehnica University Timișoara"
    assert fields["student_name"]["/V"] == "Ana Pop"

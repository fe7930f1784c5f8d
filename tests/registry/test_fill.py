"""A payload names an institution by code; the registry fills it; the payload wins."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from docgen.documents.render import render_document
from docgen.errors import InvalidInput
from docgen.operations.registry import fill_from_registry
from docgen.registry.models import Institution
from docgen.store import registry as store

SAMPLES = Path(__file__).resolve().parents[2] / "samples"

UPT = {
    "erasmus_code": "RO TIMISOA01",
    "schac": "upt.ro",
    "name_ro": "Universitatea Politehnica Timișoara",
    "name_en": "Politehnica University Timișoara",
    "country": "RO",
    "city": "Timișoara",
    "address": "Piața Victoriei nr. 2, 300006 Timișoara",
    "contacts": [
        {
            "name": "Prof. dr. ing. Florin Drăgan",
            "role": "legal_representative",
            "position": "Rector",
        },
        {
            "name": "Ana-Maria Bălănescu",
            "role": "international_office",
            "position": "Responsabil Erasmus+, Departamentul Relații Internaționale",
            "email": "erasmus@upt.ro",
        },
    ],
}
PORTO = {
    "erasmus_code": "P  PORTO02",
    "name_ro": "Universitatea din Porto",
    "name_en": "University of Porto",
    "country": "PT",
    "city": "Porto",
}


@pytest.fixture
def registry(session):
    store.create_institution(session, Institution.model_validate(UPT), None, home=True)
    store.create_institution(session, Institution.model_validate(PORTO), None)
    return session


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_a_contract_renders_from_codes_only(registry, lang, docx_text):
    data = json.loads((SAMPLES / "financial_contract.json").read_text(encoding="utf-8"))
    data["university"] = {"erasmus_code": "ro timisoa01"}
    data["mobility"]["host"] = {"erasmus_code": "P PORTO02", "faculty": "Faculdade de Engenharia"}
    filled = fill_from_registry(registry, data)
    assert filled["university"]["legal_representative"] == {
        "name": "Prof. dr. ing. Florin Drăgan",
        "position": "Rector",
    }
    assert filled["university"]["contact"]["email"] == "erasmus@upt.ro"
    assert filled["mobility"]["host"]["faculty"] == "Faculdade de Engenharia"
    text = docx_text(render_document("financial_contract", lang, filled))
    name = UPT["name_ro"] if lang == "ro" else UPT["name_en"]
    assert name in text and "Florin Drăgan" in text and "Piața Victoriei nr. 2" in text
    assert ("Universitatea din Porto" if lang == "ro" else "University of Porto") in text


def test_fields_in_the_payload_win(registry):
    data = {"host": {"schac": "UPT.RO", "city": "Timisoara (campus)", "contact": None}}
    filled = fill_from_registry(registry, data)
    assert filled["host"]["city"] == "Timisoara (campus)"
    assert filled["host"]["name_en"] == UPT["name_en"]
    complete = {"host": {**PORTO, "erasmus_code": "XX UNKNOWN01"}}
    assert fill_from_registry(registry, complete) == complete  # nothing to fill


def test_an_unknown_code_names_the_field(registry):
    data = {"mobility": {"host": {"erasmus_code": "E  MADRID05"}}, "university": {"schac": "x.ro"}}
    with pytest.raises(InvalidInput) as exc:
        fill_from_registry(registry, data, ("data",))
    assert [str(p) for p in exc.value.problems] == [
        "/data/mobility/host/erasmus_code: E  MADRID05 is not an institution of the registry",
        "/data/university/schac: x.ro is not an institution of the registry",
    ]

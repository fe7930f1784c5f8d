"""The home institution is set once in the registry: documents, the selection minutes and
the forms' prefill take it from there when the payload leaves it out; batch rows name
institutions by code as single payloads do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_fill import PORTO, UPT  # the same two institutions

from docgen.documents.batch import validate_rows
from docgen.documents.render import render_document
from docgen.documents.tabular import Row
from docgen.errors import InvalidInput
from docgen.operations.registry import complete_items, complete_payload, prefill_home
from docgen.registry.models import Institution
from docgen.store import registry as store

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def _sample(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture
def registry(session):
    store.create_institution(session, Institution.model_validate(UPT), None, home=True)
    store.create_institution(session, Institution.model_validate(PORTO), None)
    return session


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_a_contract_without_its_university_gets_the_home_one(registry, lang, docx_text):
    data = _sample("financial_contract")
    del data["university"]
    filled = complete_payload(registry, "financial_contract", data)
    assert filled["university"] == {
        "name_ro": UPT["name_ro"],
        "name_en": UPT["name_en"],
        "erasmus_code": "RO TIMISOA01",
        "schac": "upt.ro",
        "country": "RO",
        "city": "Timișoara",
        "address": UPT["address"],
        "legal_representative": {"name": "Prof. dr. ing. Florin Drăgan", "position": "Rector"},
    }
    text = docx_text(render_document("financial_contract", lang, filled))
    assert "Florin Drăgan" in text and "Piața Victoriei nr. 2" in text


def test_the_payloads_own_fields_of_the_home_institution_win(registry):
    data = _sample("financial_contract")
    data["university"] = {"legal_representative": {"name": "Ion Pop", "position": "Prorector"}}
    filled = complete_payload(registry, "financial_contract", data)
    assert filled["university"]["legal_representative"] == {
        "name": "Ion Pop",
        "position": "Prorector",
    }
    assert filled["university"]["erasmus_code"] == "RO TIMISOA01"
    # A university given in full is left alone.
    given = _sample("financial_contract")
    assert complete_payload(registry, "financial_contract", given) == given


def test_the_selection_minutes_take_the_home_institution(registry, docx_text):
    data = _sample("selection_minutes")
    del data["university"]
    filled = complete_payload(registry, "selection_minutes", data)
    assert filled["university"]["name_ro"] == UPT["name_ro"]
    assert UPT["name_ro"] in docx_text(render_document("selection_minutes", "ro", filled))


def test_without_a_home_institution_the_payload_says_what_is_missing(session):
    data = _sample("financial_contract")
    del data["university"]
    assert complete_payload(session, "financial_contract", data) == data


def test_the_forms_prefill_the_home_institution(registry):
    data = {"reference": "X1", "values": {"participant_name": "Ana Pop"}}
    assert prefill_home(registry, "learning_agreement", data)["values"] == {
        "participant_name": "Ana Pop",
        "sending_institution": UPT["name_en"],
    }
    given = {"values": {"sending_institution": "Universitatea X"}}
    assert prefill_home(registry, "certificate_of_attendance", given) == given
    assert prefill_home(registry, "visiting_activity_report", data) == data


def test_batch_rows_name_institutions_by_code(registry):
    first, second = _sample("financial_contract"), _sample("financial_contract")
    for data in (first, second):
        del data["university"]
    first["mobility"]["host"] = {"erasmus_code": "P  PORTO02"}
    second["number"] = "155/2026"
    second["mobility"]["host"] = {"schac": "nowhere.example"}
    rows = [Row(2, "row 2", first), Row(3, "row 3", second)]
    payloads, report = validate_rows(
        "financial_contract",
        rows,
        fill=lambda data: complete_payload(registry, "financial_contract", data),
    )
    assert [p.mobility.host.name_en for p in payloads] == ["University of Porto"]
    assert payloads[0].university.erasmus_code == "RO TIMISOA01"
    assert [str(p) for p in report.problems] == [
        "row 3, column mobility.host.schac: nowhere.example is not an institution of the registry"
    ]
    with pytest.raises(InvalidInput) as exc:
        complete_items(registry, "financial_contract", [first, second])
    assert [p.pointer for p in exc.value.problems] == ["/items/1/mobility/host/schac"]

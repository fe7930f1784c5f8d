"""The incoming call's limits count what the financial contracts generated on the agreement
already took: two participants on one agreement share its places, its teaching days and its
travel days; the one who would go over is refused with the agreement and what is left."""

from __future__ import annotations

import copy
import json

import pytest

from docgen.config import Settings
from docgen.domain.financial_contract import FinancialContract
from docgen.domain.grant import QuoteRequest
from docgen.errors import InvalidInput
from docgen.operations.documents import generate_document
from docgen.operations.registry import check_caps, check_contracts, import_seeds, taken
from docgen.rules.grants import quote_grant
from docgen.store import registry as store

SETTINGS = Settings.load()
RATES = SETTINGS.rates_dir
TEMPLATES = SETTINGS.TEMPLATES_DIR
SAMPLE = json.loads(
    (SETTINGS.SAMPLES_DIR / "financial_contract-staff.json").read_text(encoding="utf-8")
)
STAFF_QUOTE = {
    "activity": "STA",
    "direction": "incoming",
    "call": "incoming-2015",
    "origin": {"city": "Novi Sad", "country": "RS"},
    "destination": {"city": "Timișoara", "country": "RO"},
    "teaching_hours": 12,
}


@pytest.fixture
def agreements(session):
    import_seeds(session, None)
    session.commit()
    ids = {}
    for name in ("University of Nis", "Novi Sad"):
        partner = store.list_institutions(session, text=name)[0][0]
        row = store.list_agreements(session, institution_id=partner.id, agreement_type="ka107")[0]
        ids[name] = row.id
    return ids


def contract(number: str, agreement: int, start: str, end: str, travel: int, **extra) -> dict:
    """An incoming teaching mobility from Novi Sad, paid from the 2015 incoming call."""
    data = copy.deepcopy(SAMPLE)
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
        **extra,
    }
    return data


def generate(session, data: dict):
    return generate_document(
        session, "financial_contract", "en", "docx", data, templates=TEMPLATES, convert=bytes
    )


def refusal(session, data: dict) -> list[str]:
    with pytest.raises(InvalidInput) as exc:
        generate(session, data)
    return [str(p) for p in exc.value.problems]


def quote_refusal(session, **data) -> list[str]:
    quote = quote_grant(QuoteRequest.model_validate({**STAFF_QUOTE, **data}), RATES)
    with pytest.raises(InvalidInput) as exc:
        check_caps(session, quote)
    return [str(p) for p in exc.value.problems]


def test_two_teachers_share_the_agreements_teaching_and_travel_days(session, agreements):
    novi_sad = agreements["Novi Sad"]
    name = f"agreement {novi_sad} (University of Novi Sad, KA107)"
    # Novi Sad, teaching: 2 mobilities, 11 teaching days and 3 travel days in total.
    # The first teacher: 8-12 March 2027, 5 days and 2 travel days.
    generate(session, contract("301/2026", novi_sad, "2027-03-08", "2027-03-12", 2))
    assert [(t.reference, t.days, t.travel) for t in taken(session, novi_sad)] == [
        ("301/2026", 5, 2)
    ]
    # The second asks 7 days (15-23 March) and 2 travel days: 6 and 1 are left.
    assert quote_refusal(
        session, start="2027-03-15", end="2027-03-23", travel_days=2, agreement=novi_sad
    ) == [
        f"/agreement: {name} allows 11 days of activity in total, 1 contract (301/2026) "
        "took 5; this quote has 7: 1 over, 6 left",
        f"/agreement: {name} allows 3 travel days in total, 1 contract (301/2026) took 2; "
        "this quote has 2: 1 over, 1 left",
    ]
    # The same as a contract is refused too, at the contract's field.
    assert refusal(session, contract("302/2026", novi_sad, "2027-03-15", "2027-03-23", 2)) == [
        f"/data/mobility/agreement: {name} allows 11 days of activity in total, 1 contract "
        "(301/2026) took 5; this quote has 7: 1 over, 6 left",
        f"/data/mobility/agreement: {name} allows 3 travel days in total, 1 contract "
        "(301/2026) took 2; this quote has 2: 1 over, 1 left",
    ]
    # What is left fits: 5 days and 1 travel day.
    generate(session, contract("302/2026", novi_sad, "2027-03-15", "2027-03-19", 1))
    # Both places are taken now: a third teacher is refused whatever the days.
    assert quote_refusal(
        session, start="2027-05-17", end="2027-05-21", travel_days=0, agreement=novi_sad
    )[0] == (
        f"/agreement: {name} has 2 places for incoming STA: 2 contracts (301/2026, 302/2026) "
        "took them, 0 left"
    )


def test_a_contract_generated_again_does_not_count_against_itself(session, agreements):
    novi_sad = agreements["Novi Sad"]
    first = contract("301/2026", novi_sad, "2027-03-08", "2027-03-15", 2)  # 6 days
    generate(session, first)
    generate(session, first)  # a corrected copy under the same number: still 6 days taken
    assert [(t.reference, t.days) for t in taken(session, novi_sad)] == [("301/2026", 6)]
    # Another teacher may have 5 days and 1 travel day, not 6.
    assert (
        "took 6; this quote has 6: 1 over, 5 left"
        in quote_refusal(
            session, start="2027-03-22", end="2027-03-29", travel_days=1, agreement=novi_sad
        )[0]
    )
    # The first contract, generated again with the same days, is not refused by its own.
    generate(session, first)


def test_a_students_place_once_taken_is_not_funded_twice(session, agreements):
    nis = agreements["University of Nis"]
    name = f"agreement {nis} (University of Niš, KA107)"
    student = {
        "activity": "SMS",
        "origin": {"city": "Niš", "country": "RS"},
        "teaching_hours": None,
        "travel_days": 0,
        "eqf": 8,
        "isced": "0712",
    }
    # Niš, doctoral students in 0712: 1 place of 132 days.
    first = contract("401/2026", nis, "2026-10-01", "2027-02-09", 0, **student)
    generate(session, first)
    second = contract("402/2026", nis, "2026-10-01", "2027-01-20", 0, **student)
    assert refusal(session, second) == [
        f"/data/mobility/agreement: {name} has 1 place for incoming SMS: 1 contract "
        "(401/2026) took them, 0 left"
    ]


def test_a_batch_counts_its_own_contracts(session, agreements):
    novi_sad = agreements["Novi Sad"]
    payloads = [
        FinancialContract.model_validate(contract(n, novi_sad, start, end, 2))
        for n, start, end in (
            ("501/2026", "2027-03-08", "2027-03-12"),
            ("502/2026", "2027-03-15", "2027-03-23"),
        )
    ]
    with pytest.raises(InvalidInput) as exc:
        check_contracts(session, payloads, at="/items", indexed=True)
    assert [p.pointer for p in exc.value.problems] == ["/items/1/mobility/agreement"] * 2
    assert "1 contract (501/2026) took 5" in exc.value.problems[0].message

"""The incoming call's limits: a quote funding more days than the agreement's place, or more
teaching or travel days than its total, is refused with the agreement and what is left."""

from __future__ import annotations

import pytest

from docgen.config import Settings
from docgen.domain.grant import QuoteRequest
from docgen.errors import InvalidInput
from docgen.operations.registry import check_caps, import_seeds
from docgen.rules.grants import quote_grant
from docgen.store import registry as store

STUDENT = {
    "activity": "SMS",
    "direction": "incoming",
    "call": "incoming-2015",
    "origin": {"city": "Niš", "country": "RS"},
    "destination": {"city": "Timișoara", "country": "RO"},
}
STAFF = {
    **STUDENT,
    "activity": "STA",
    "origin": {"city": "Novi Sad", "country": "RS"},
    "travel_days": 2,
    "teaching_hours": 12,
}


@pytest.fixture
def ka107(session):
    import_seeds(session, None)
    ids = {}
    for name in ("University of Nis", "Novi Sad"):
        partner = store.list_institutions(session, text=name)[0][0]
        row = store.list_agreements(session, institution_id=partner.id, agreement_type="ka107")[0]
        ids[name] = row.id
    return ids


def _quote(session, **data):
    quote = quote_grant(QuoteRequest.model_validate(data), Settings.load().rates_dir)
    check_caps(session, quote)
    return quote


def _refusal(session, **data) -> str:
    with pytest.raises(InvalidInput) as exc:
        _quote(session, **data)
    return str(exc.value.problems[0])


def test_a_phd_place_at_nis_funds_132_days(session, ka107):
    nis = ka107["University of Nis"]
    # 01.10.2026-09.02.2027 is 132 calendar days: the place exactly; one day more is over.
    _quote(session, **STUDENT, start="2026-10-01", end="2027-02-09", agreement=nis, eqf=8)
    message = _refusal(
        session, **STUDENT, start="2026-10-01", end="2027-02-10", agreement=nis, eqf=8
    )
    assert message == (
        f"/agreement: agreement {nis} (University of Niš, KA107) allows 132 funded days per "
        "place; this quote has 133: 1 over, 132 left"
    )


def test_each_level_has_its_own_place(session, ka107):
    nis = ka107["University of Nis"]
    assert _refusal(
        session, **STUDENT, start="2026-10-01", end="2027-02-10", agreement=nis, eqf=7
    ) == (
        f"/agreement: agreement {nis} (University of Niš, KA107) has no places for incoming "
        "SMS at EQF 7"
    )
    # Bachelor's place: 116 days.
    assert "allows 116 funded days" in _refusal(
        session, **STUDENT, start="2026-10-01", end="2027-02-10", agreement=nis, eqf=6
    )
    assert _refusal(
        session, **STUDENT, start="2026-10-01", end="2027-02-10", agreement=nis
    ).startswith("/eqf: ")


def test_staff_days_against_the_teaching_and_travel_totals(session, ka107):
    novi_sad = ka107["Novi Sad"]
    # Novi Sad, teaching: 2 mobilities, 11 teaching days and 3 travel days in total.
    quote = _quote(session, **STAFF, start="2026-11-30", end="2026-12-08", agreement=novi_sad)
    assert quote.total > 0
    longer = {**STAFF, "teaching_hours": 24}
    message = _refusal(session, **longer, start="2026-11-23", end="2026-12-11", agreement=novi_sad)
    # 23.11-11.12.2026: 15 working days less 30 November and 1 December (holidays) = 13.
    assert "allows 11 days of activity in total; this quote has 13: 2 over, 11 left" in message


def test_a_quote_without_an_agreement_is_not_capped(session, ka107):
    quote = _quote(session, **STUDENT, start="2026-10-01", end="2027-02-20")
    assert quote.total > 0
    with pytest.raises(InvalidInput, match="/agreement: no agreement 99999"):
        _quote(session, **STUDENT, start="2026-10-01", end="2027-02-20", agreement=99999)

"""Registry models: codes checked, names required, gaps listed, conditions consistent."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from docgen.registry.models import Agreement, Condition, Institution

UPT = {
    "erasmus_code": "ro  timisoa01",
    "schac": "UPT.ro",
    "name_native": "Universitatea Politehnica Timișoara",
    "name_ro": "Universitatea Politehnica Timișoara",
    "name_en": "Politehnica University Timișoara",
    "country": "ro",
    "city": "Timișoara",
    "address": "Piața Victoriei nr. 2, 300006 Timișoara",
    "contacts": [
        {"name": "Diana Balș-Diaconescu", "role": "international_office", "email": "a@upt.ro"}
    ],
}


def _errors(exc: pytest.ExceptionInfo) -> dict[str, str]:
    return {".".join(str(p) for p in e["loc"]): e["msg"] for e in exc.value.errors()}


def test_codes_are_normalised_and_nothing_is_missing():
    upt = Institution.model_validate(UPT)
    assert upt.erasmus_code == "RO TIMISOA01"
    assert upt.schac == "upt.ro"
    assert upt.country == "RO"
    assert upt.missing == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("erasmus_code", "TIMISOARA"),
        ("erasmus_code", "RO TIMISOARA"),
        ("erasmus_code", "RO1 TIM01"),
        ("schac", "upt"),
        ("schac", "upt .ro"),
        ("country", "ROU"),
    ],
)
def test_bad_codes_are_refused_by_field(field, value):
    with pytest.raises(ValidationError) as exc:
        Institution.model_validate({**UPT, field: value})
    assert field in _errors(exc)


def test_a_contact_email_is_checked():
    data = {**UPT, "contacts": [{"name": "X", "role": "contact", "email": "not-an-email"}]}
    with pytest.raises(ValidationError) as exc:
        Institution.model_validate(data)
    assert "contacts.0.email" in _errors(exc)


def test_an_institution_without_any_name_is_refused():
    with pytest.raises(ValidationError, match="at least one name"):
        Institution.model_validate({"country": "RS", "city": "Niš"})


def test_what_a_source_lacks_is_listed_as_missing():
    partner = Institution.model_validate(
        {"name_en": "University of Niš", "country": "RS", "city": "Niš"}
    )
    assert partner.missing == [
        "erasmus_code",
        "schac",
        "name_native",
        "name_ro",
        "address",
        "contacts",
    ]


CONDITION = {
    "direction": "incoming",
    "mobility_type": "SMS",
    "subject_areas": [{"isced": "0715", "name": "Mechanics and metal trades"}],
    "eqf": [7, 6, 7],
    "mobilities": 2,
    "total_months": "10",
    "languages": [{"language": "en", "level": "B2"}],
    "coordinators": [{"name": "Nicolae Herișanu", "role": "departmental_coordinator"}],
}


def test_a_condition_keeps_levels_sorted_once():
    assert Condition.model_validate(CONDITION).eqf == [6, 7]


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"subject_areas": [{"isced": "07a"}]}, "subject_areas.0.isced"),
        ({"eqf": [4]}, "eqf.0"),
        ({"mobilities": -1}, "mobilities"),
        ({"languages": [{"language": "english", "level": "B2"}]}, "languages.0.language"),
        ({"languages": [{"language": "en", "level": "B3"}]}, "languages.0.level"),
        ({"mobility_type": "XYZ"}, "mobility_type"),
        ({"direction": "sideways"}, "direction"),
    ],
)
def test_a_bad_condition_names_its_field(change, where):
    with pytest.raises(ValidationError) as exc:
        Condition.model_validate({**CONDITION, **change})
    assert where in _errors(exc)


def test_staff_conditions_count_days_not_months():
    with pytest.raises(ValidationError, match="total_months"):
        Condition.model_validate({**CONDITION, "mobility_type": "STA"})


def test_an_agreement_orders_its_years_and_refuses_a_repeated_one():
    agreement = Agreement.model_validate(
        {"type": "ka131", "academic_years": ["2027/2028", "2026-2027"], "partner_id": 1}
    )
    assert agreement.academic_years == ["2026-2027", "2027-2028"]
    with pytest.raises(ValidationError, match="twice"):
        Agreement.model_validate({"type": "ka131", "academic_years": ["2026-2027"] * 2})
    with pytest.raises(ValidationError) as exc:
        Agreement.model_validate({"type": "ka999"})
    assert "type" in _errors(exc)


def test_an_agreement_lists_what_it_lacks():
    bare = Agreement.model_validate({"type": "ka171"})
    assert bare.missing == ["academic_years", "conditions"]
    mou = Agreement.model_validate({"type": "mou", "academic_years": ["2026-2027"]})
    assert mou.missing == []

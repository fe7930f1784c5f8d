import pytest

from docgen.domain.common import BankAccount, Institution, Person
from docgen.domain.mobility import Call, Period
from docgen.domain.validation import validate
from docgen.errors import InvalidInput

UPT = {
    "name_ro": "Universitatea Politehnica Timișoara",
    "name_en": "Politehnica University Timișoara",
    "erasmus_code": "RO  TIMISOA01",
    "schac": "UPT.ro",
    "country": "ro",
    "city": "Timișoara",
    "legal_representative": {"name": "Florin Drăgan", "position": "Rector"},
}
NOVI_SAD = {
    "name_ro": "Universitatea din Novi Sad",
    "name_en": "University of Novi Sad",
    "erasmus_code": "RS NOVISAD01",
    "country": "RS",
    "city": "Novi Sad",
}


def problems(model, data) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        validate(model, data)
    return [str(p) for p in caught.value.problems]


def test_institution_normalises_codes():
    upt = validate(Institution, UPT)
    assert upt.erasmus_code == "RO TIMISOA01"
    assert upt.schac == "upt.ro"
    assert upt.country == "RO"


def test_person_with_valid_cnp_and_birth_date():
    person = validate(
        Person,
        {
            "given_names": "Ștefan",
            "family_name": "Țăranu",
            "cnp": "1800101221144",
            "birth_date": "1980-01-01",
            "email": "stefan.taranu@student.upt.ro",
        },
    )
    assert person.full_name == "Ștefan Țăranu"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"given_names": "Ana", "family_name": "Pop", "cnp": "1800101221145"},
            "/cnp: is not a valid Romanian CNP",
        ),
        ({"given_names": "Ana", "family_name": "Pop", "email": "ana@"}, "/email: "),
        ({"given_names": "", "family_name": "Pop"}, "/given_names: must not be empty"),
        ({"family_name": "Pop"}, "/given_names: is required"),
        (
            {"given_names": "Ana", "family_name": "Pop", "nickname": "A"},
            "/nickname: is not a known field",
        ),
        (
            {"given_names": "Ana", "family_name": "Pop", "birth_date": "31.02.2001"},
            "/birth_date: must be a date",
        ),
        (
            {
                "given_names": "Ana",
                "family_name": "Pop",
                "cnp": "1800101221144",
                "birth_date": "1981-01-01",
            },
            "/birth_date: does not match the CNP, which says born on 1980-01-01",
        ),
    ],
)
def test_person_errors_name_the_field(data, expected):
    assert any(p.startswith(expected) for p in problems(Person, data)), problems(Person, data)


def test_iban_is_checked_and_formatted():
    account = validate(
        BankAccount,
        {"holder": "Ana Pop", "bank": "Banca Transilvania", "iban": "ro49aaaa1b31007593840000"},
    )
    assert account.iban == "RO49 AAAA 1B31 0075 9384 0000"
    assert problems(
        BankAccount, {"holder": "Ana Pop", "bank": "BT", "iban": "RO49AAAA1B31007593840001"}
    ) == ["/iban: is not a valid IBAN (the check digits are wrong)"]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"academic_year": "2026-2028", "rate_table": "x"},
            "/academic_year: must be an academic year",
        ),
        (
            {"academic_year": "2026-2027", "rate_table": "x", "project_code": "2022-RO01-KA131"},
            "/project_code: must be an Erasmus+ project code",
        ),
    ],
)
def test_call_errors(data, expected):
    assert any(p.startswith(expected) for p in problems(Call, data))


def test_call_accepts_real_project_code():
    call = validate(
        Call,
        {
            "academic_year": "2026/2027",
            "rate_table": "ka131-2024",
            "project_code": "2022-1-ro01-KA131-HED-000054947",
        },
    )
    assert call.project_code == "2022-1-RO01-KA131-HED-000054947"
    assert call.academic_year == "2026-2027"


def test_shared_types_collect_every_problem_with_pointers():
    from docgen.domain.common import Activity, CefrLevel, Direction, Institution, IscedCode, Model

    class Mobility(Model):
        activity: Activity
        direction: Direction
        sending: Institution
        receiving: Institution
        cefr: CefrLevel | None = None
        isced: IscedCode | None = None

    found = problems(
        Mobility,
        {
            "activity": "SMX",
            "direction": "incoming",
            "sending": {**NOVI_SAD, "erasmus_code": "NOVI SAD"},
            "receiving": UPT,
            "start": "2026-03-01",
            "end": "2026-06-30",
            "cefr": "B3",
            "isced": "71",
        },
    )
    assert found[0] == "/activity: must be one of SMS, SMT, STA, STT, BIP or VISIT"
    assert "/sending/erasmus_code: must be an Erasmus code such as 'RO TIMISOA01'" in found
    assert any(p.startswith("/cefr: must be one of") for p in found)
    assert "/isced: has the wrong format" in found


def test_period_dates_ordered():
    found = problems(Period, {"start": "2026-06-30", "end": "2026-03-01"})
    assert found == ["/end: must not be before start"]

"""One error tree, mapped once: problem+json for the API, a page in the reader's language
for the pages, chosen by the request; the rules' reasons as codes, said by each door."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hostile_web import make_users, post_file, sign_in, token

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)

ROOT = Path(__file__).resolve().parents[2]
PROBLEM = "application/problem+json"
NOT_FOUND_RO = "La această adresă nu se află nimic"
NOT_FOUND_EN = "There is nothing at this address"

# outgoing-sta: a threshold of 32 points (Art. 53 e); c2 is below it, c3 is not eligible.
RANKING = {
    "criteria_set": "outgoing-sta",
    "published_at": "2026-03-10T12:00:00",
    "places": [{"id": "RS-NS", "label": "Novi Sad", "places": 2}],
    "candidates": [
        {
            "id": "c1",
            "name": "Ana Pop",
            "preferences": ["RS-NS"],
            "eligible": True,
            "scores": {
                "internationalisation": 10,
                "previous_mobilities": 0,
                "duties_fit": 10,
                "objectives_fit": 30,
            },
        },
        {
            "id": "c2",
            "name": "Dan Ionescu",
            "preferences": ["RS-NS"],
            "eligible": True,
            "scores": {
                "internationalisation": 5,
                "previous_mobilities": 6,
                "duties_fit": 0,
                "objectives_fit": 10,
            },
        },
        {
            "id": "c3",
            "name": "Ioana Rusu",
            "preferences": ["RS-NS"],
            "eligible": False,
            "scores": {
                "internationalisation": 10,
                "previous_mobilities": 0,
                "duties_fit": 10,
                "objectives_fit": 30,
            },
        },
    ],
}
COLUMNS = [
    "id",
    "name",
    "preferences",
    "eligible",
    "scores.internationalisation",
    "scores.previous_mobilities",
    "scores.duties_fit",
    "scores.objectives_fit",
]


def _csv() -> bytes:
    lines = [",".join(COLUMNS)]
    for c in RANKING["candidates"]:
        s = c["scores"]
        lines.append(
            ",".join(
                str(v)
                for v in (
                    c["id"],
                    c["name"],
                    c["preferences"][0],
                    str(c["eligible"]).lower(),
                    s["internationalisation"],
                    s["previous_mobilities"],
                    s["duties_fit"],
                    s["objectives_fit"],
                )
            )
        )
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize("path", ["/nope", "/documents/nope", "/records/nope/more"])
def test_a_mistyped_page_address_is_the_html_404_page_in_romanian_and_english(client, path):
    page = client.get(path)
    assert page.status_code == 404
    assert page.mimetype == "text/html"
    assert '<html lang="ro">' in page.text and NOT_FOUND_RO in page.text
    assert "Nu a fost găsit" in page.text
    client.get("/lang/en")
    page = client.get(path)
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert '<html lang="en">' in page.text and NOT_FOUND_EN in page.text


def test_a_signed_in_user_gets_the_html_404_too(app, client):
    make_users(app)
    sign_in(client, "officer")
    page = client.get("/nope")
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert NOT_FOUND_RO in page.text


def test_a_page_address_with_the_wrong_method_is_an_html_405(client):
    page = client.delete("/login")
    assert page.status_code == 405 and page.mimetype == "text/html"
    assert "Această adresă nu acceptă acest tip de cerere." in page.text
    assert page.headers["Allow"]


def test_an_unknown_api_address_is_a_problem_404_with_its_code(client, admin):
    for headers in (admin, {}):
        answer = client.get("/api/v1/nope", headers=headers)
        assert answer.status_code == 404 and answer.mimetype == PROBLEM
        body = answer.json
        assert {"type", "title", "status", "detail"} <= set(body)
        assert body["status"] == 404 and body["code"] == "not-found" and body["params"] == {}
        assert body["type"].endswith("#problem-not-found")
    wrong = client.delete("/api/v1/kinds", headers=admin)
    assert wrong.status_code == 405 and wrong.mimetype == PROBLEM
    assert wrong.json["code"] == "method-not-allowed" and wrong.headers["Allow"]
    missing = client.get("/api/v1/kinds/nope/schema", headers=admin)
    assert missing.mimetype == PROBLEM and missing.json["code"] == "not-found"


def test_the_api_gives_each_problem_its_code_and_params(client, admin, sample):
    data = sample("certificate_of_attendance")
    data["participant"]["family_name"] = ""
    data["surplus"] = 1
    answer = client.post(
        "/api/v1/documents",
        headers=admin,
        json={"kind": "certificate_of_attendance", "lang": "en", "data": data},
    )
    assert answer.status_code == 422 and answer.json["code"] == "invalid-input"
    errors = {e["pointer"]: e for e in answer.json["errors"]}
    assert errors["/data/participant/family_name"] == {
        "pointer": "/data/participant/family_name",
        "message": "must not be empty",
        "code": "string_too_short",
        "params": {"min_length": "1"},
    }
    assert errors["/data/surplus"]["code"] == "extra_forbidden"


def test_the_api_body_limit_is_the_one_too_large(make_app, admin):
    client = make_app(MAX_UPLOAD_MB=1).test_client()
    answer = client.post(
        "/api/v1/documents", headers=admin, data=b"x" * 1_200_000, content_type="application/json"
    )
    assert answer.status_code == 413 and answer.mimetype == PROBLEM
    assert answer.json["code"] == "too-large"


def test_selection_reasons_are_codes_in_the_api(client, admin):
    answer = client.post("/api/v1/selection/rank", headers=admin, json=RANKING)
    assert answer.status_code == 200, answer.json
    by_id = {c["id"]: c for c in answer.json["candidates"]}
    assert by_id["c2"]["reason_code"] == "below-threshold"
    assert by_id["c2"]["reason_params"] == {"points": 32.0}
    assert by_id["c3"]["reason_code"] == "not-eligible" and by_id["c3"]["reason_params"] == {}
    # The English and Romanian sentences of the minutes stay as they were.
    assert by_id["c2"]["reason"] == "below the threshold of 32 points"
    assert by_id["c2"]["reason_ro"] == "punctaj sub pragul de 32 de puncte"


def test_selection_reasons_are_said_in_the_pages_language(app, client):
    make_users(app)
    sign_in(client, "officer")
    fields = {
        "criteria_set": RANKING["criteria_set"],
        "published_at": "2026-03-10T12:00",
        "places.0.id": "RS-NS",
        "places.0.label": "Novi Sad",
        "places.0.places": "2",
    }
    page = post_file(client, "/selection", "c.csv", _csv(), **fields)
    assert page.status_code == 200, page.text[:2000]
    assert "punctaj sub pragul de 32 de puncte" in page.text
    assert "nu îndeplinește condițiile de eligibilitate" in page.text
    client.get("/lang/en")
    page = post_file(client, "/selection", "c.csv", _csv(), **fields)
    assert page.status_code == 200
    assert "below the threshold of 32 points" in page.text and "not eligible" in page.text


def test_a_page_shows_a_validation_problem_in_romanian_from_its_code(app, client):
    make_users(app)
    sign_in(client, "officer")
    rows = _csv().replace(b"Ana Pop", b"Ana\x01Pop")
    fields = {
        "criteria_set": RANKING["criteria_set"],
        "published_at": "2026-03-10T12:00",
        "places.0.id": "RS-NS",
        "places.0.places": "2",
    }
    page = post_file(client, "/selection", "c.csv", rows, **fields)
    assert page.status_code == 422
    assert "nu poate conține caracterul de control U+0001" in page.text


def test_the_rules_problems_are_said_in_romanian_from_their_codes(app):
    from flask import session

    from docgen.errors import Problem
    from docgen.web.ui.messages import RULE_TEXTS, grant_reason, problem_text

    with app.test_request_context("/"):
        session["lang"] = "ro"
        problem = Problem(
            "/destination/country",
            "an outgoing mobility goes abroad; this host is in RO",
            "outgoing_at_home",
            {"home": "RO"},
        )
        assert problem_text(problem) == (
            "o mobilitate outgoing (trimitere) se desfășoară în "
            "străinătate; această gazdă este în RO"
        )
        assert grant_reason(
            "duration_out_of_range", {"activity": "STT", "article": "Art. 22"}, "english"
        ) == ("durata nu se încadrează în limitele unei mobilități STT (Art. 22)")
        assert grant_reason(None, {}, "as given") == "as given"
        unknown = Problem("/x", "as the rule wrote it", "no-such-code", {})
        assert problem_text(unknown) == "as the rule wrote it"
    # Every code the pages can say is one the rules give.
    sources = "".join(
        (ROOT / "docgen" / "rules" / name).read_text() for name in ("grants.py", "durations.py")
    )
    assert [code for code in RULE_TEXTS if f'"{code}"' not in sources] == []


def test_a_text_missing_a_value_it_quotes_falls_back_to_the_sentence_given(app):
    from flask import session

    from docgen.errors import HttpError, RateLimited
    from docgen.web.ui.messages import error_text, grant_reason, selection_reason

    with app.test_request_context("/"):
        session["lang"] = "ro"
        assert error_text(RateLimited("limit reached", 7)) == (
            "Prea multe cereri: încercați din nou peste 7 s."
        )
        assert error_text(HttpError(429, "slow down", "Too Many Requests")) == "slow down"
        assert selection_reason("from-reserve", {}, "as the rules said") == "as the rules said"
        assert selection_reason("from-reserve", {"candidate": "c7"}) == (
            "admis de pe lista de rezerve pe locul eliberat de c7"
        )
        assert grant_reason("teaching_hours_too_few", {}, "as given") == "as given"


# The reasons of a refused letter of nomination and of an identifier python-stdnum refuses:
# codes of the domain, said in the page's language at the field they concern.
# Each refused alone: the letter's checks stop at the first that fails.
NOMINATION_REFUSED = {"activity": "STA", "issued_on": "2026-10-02"}  # it starts 2026-10-01
NOMINATION_RO = {
    "activity": "o nominalizare privește o mobilitate de student (SMS sau SMT)",
    "issued_on": "o nominalizare se emite înainte de începerea mobilității",
}
NOMINATION_EN = {
    "activity": "a nomination is for a student mobility (SMS or SMT)",
    "issued_on": "a nomination is issued before the mobility starts",
}


def _field_errors(page: str, field: str) -> list[str]:
    """The messages the form shows under ``field`` (its dotted name)."""
    ident = re.escape(field.replace(".", "-"))
    return re.findall(rf'id="[^"]*{ident}-err">([^<]*)</p>', page)


def _post_form(client, kind: str, data: dict):
    from docgen.web.ui.schemaform import values_of

    form = {
        **values_of(data),
        "_kind": kind,
        "_lang": "ro",
        "_action": "docx",
        "csrf_token": token(client, f"/documents/new?kind={kind}"),
    }
    return client.post("/documents/new", data=form)


@pytest.mark.parametrize("field", list(NOMINATION_REFUSED))
def test_a_refused_nomination_is_said_at_its_field_in_the_pages_language(
    app, client, sample, field
):
    make_users(app)
    sign_in(client, "officer")
    data = {**sample("letter_of_nomination"), field: NOMINATION_REFUSED[field]}
    page = _post_form(client, "letter_of_nomination", data)
    assert page.status_code == 422, page.text[:2000]
    assert _field_errors(page.text, field) == [NOMINATION_RO[field]]
    client.get("/lang/en")
    page = _post_form(client, "letter_of_nomination", data)
    assert page.status_code == 422
    assert _field_errors(page.text, field) == [NOMINATION_EN[field]]


def test_a_wrong_iban_is_said_in_romanian_at_its_field(app, client, sample):
    make_users(app)
    sign_in(client, "officer")
    data = sample("financial_contract")
    data["bank"]["iban"] = "RO49AAAA1B31007593840001"
    page = _post_form(client, "financial_contract", data)
    assert page.status_code == 422, page.text[:2000]
    assert _field_errors(page.text, "bank.iban") == [
        "nu este un IBAN valid (cifrele de control sunt greșite)"
    ]
    client.get("/lang/en")
    page = _post_form(client, "financial_contract", data)
    assert _field_errors(page.text, "bank.iban") == [
        "is not a valid IBAN (the check digits are wrong)"
    ]


@pytest.mark.parametrize("field", list(NOMINATION_REFUSED))
def test_the_api_gives_the_nomination_reasons_as_codes(client, admin, sample, field):
    data = {**sample("letter_of_nomination"), field: NOMINATION_REFUSED[field]}
    answer = client.post(
        "/api/v1/documents",
        headers=admin,
        json={"kind": "letter_of_nomination", "lang": "ro", "data": data},
    )
    assert answer.status_code == 422 and answer.mimetype == PROBLEM
    assert answer.json["errors"] == [
        {
            "pointer": f"/data/{field}",
            "message": NOMINATION_EN[field],
            "code": f"nomination_{field}",
            "params": {},
        }
    ]


def test_the_api_gives_an_identifiers_reason_as_its_code(client, admin, sample):
    data = sample("letter_of_nomination")
    data["student"]["cnp"] = "1800101221145"
    answer = client.post(
        "/api/v1/documents",
        headers=admin,
        json={"kind": "letter_of_nomination", "lang": "ro", "data": data},
    )
    assert answer.status_code == 422 and answer.mimetype == PROBLEM
    assert answer.json["errors"] == [
        {
            "pointer": "/data/student/cnp",
            "message": "is not a valid Romanian CNP (the check digit is wrong)",
            "code": "cnp_checksum",
            "params": {},
        }
    ]


@pytest.mark.parametrize(
    ("field", "value", "code", "ro", "en"),
    [
        (
            "iban",
            "RO49AAAA1B31007593840001",
            "iban_checksum",
            "nu este un IBAN valid (cifrele de control sunt greșite)",
            "is not a valid IBAN (the check digits are wrong)",
        ),
        (
            "iban",
            "XX65AAAA1B31007593840000",
            "iban_component",
            "nu este un IBAN valid (codul țării sau numărul de cont este greșit)",
            "is not a valid IBAN (the country code or the account number is wrong)",
        ),
        (
            "iban",
            "RO98AAAA1B310075938400",
            "iban_format",
            "nu este un IBAN valid (formatul este greșit)",
            "is not a valid IBAN (the format is wrong)",
        ),
        (
            "bic",
            "BTRLRO2",
            "bic_length",
            "nu este un cod BIC/SWIFT valid (trebuie să aibă 8 sau 11 caractere)",
            "is not a valid BIC/SWIFT code (it must have 8 or 11 characters)",
        ),
        (
            "bic",
            "BT1LRO22",
            "bic_format",
            "nu este un cod BIC/SWIFT valid (formatul este greșit)",
            "is not a valid BIC/SWIFT code (the format is wrong)",
        ),
        (
            "bic",
            "BTRLXX22",
            "bic_component",
            "nu este un cod BIC/SWIFT valid (codul țării este greșit)",
            "is not a valid BIC/SWIFT code (the country code is wrong)",
        ),
        (
            "cnp",
            "1800101221145",
            "cnp_checksum",
            "nu este un CNP valid (cifra de control este greșită)",
            "is not a valid Romanian CNP (the check digit is wrong)",
        ),
        (
            "cnp",
            "123",
            "cnp_length",
            "nu este un CNP valid (trebuie să aibă 13 cifre)",
            "is not a valid Romanian CNP (it must have 13 digits)",
        ),
        (
            "cnp",
            "18001012211x4",
            "cnp_format",
            "nu este un CNP valid (trebuie să conțină doar cifre)",
            "is not a valid Romanian CNP (it must have digits only)",
        ),
        (
            "cnp",
            "1801301221144",
            "cnp_component",
            "nu este un CNP valid (are o greșeală în prima cifră, în data nașterii sau în "
            "codul județului)",
            "is not a valid Romanian CNP (the first digit, the birth date or the county code "
            "is wrong)",
        ),
    ],
)
def test_an_identifier_stdnum_refuses_is_said_from_its_code(app, field, value, code, ro, en):
    from flask import session

    from docgen.domain.common import BankAccount, Person
    from docgen.domain.validation import validate
    from docgen.errors import InvalidInput
    from docgen.web.ui.messages import problems_text

    if field == "cnp":
        model, data = Person, {"given_names": "Ana", "family_name": "Pop", field: value}
    else:
        data = {"holder": "Ana Pop", "bank": "BT", "iban": "RO49AAAA1B31007593840000"}
        model, data = BankAccount, {**data, field: value}
    with pytest.raises(InvalidInput) as caught:
        validate(model, data)
    [problem] = caught.value.problems
    assert (problem.pointer, problem.code, problem.params) == (f"/{field}", code, {})
    with app.test_request_context("/"):
        session["lang"] = "ro"
        assert problems_text(caught.value) == [f"/{field}: {ro}"]
    with app.test_request_context("/"):
        session["lang"] = "en"
        assert problems_text(caught.value) == [f"/{field}: {en}"]

"""Every kind x language x sample renders, and the document shows what the payload says."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from babel.dates import get_month_names

from docgen.documents.check import samples_of
from docgen.documents.filters import filters
from docgen.documents.kinds import KINDS, LANGS
from docgen.documents.render import render_document
from docgen.rules.grants import quote_grant

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
CASES = [
    (kind, lang, path.stem)
    for kind in KINDS
    for path in samples_of(kind, SAMPLES)
    for lang in LANGS
]


def load(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def _date_shown(text: str, value: date, lang: str) -> bool:
    f = filters(lang)
    return f["date"](value) in text or f["date_num"](value) in text


def expected_values(kind: str, payload, lang: str) -> list[str]:
    """Values of the payload every document of this kind shows, formatted for ``lang``."""
    f = filters(lang)
    if kind == "certificate_of_attendance":
        values = [
            payload.reference,
            payload.participant.full_name,
            payload.sending.name_ro if lang == "ro" else payload.sending.name_en,
            payload.issuer.name_ro if lang == "ro" else payload.issuer.name_en,
            payload.signer.name,
            payload.signer.position,
            f["term"](payload.activity.value, "activity"),
        ]
        if payload.teaching_hours:
            values.append(str(payload.teaching_hours))
        return values
    if kind == "financial_contract":
        return [
            payload.number,
            payload.participant.full_name,
            payload.bank.iban,
            payload.university.legal_representative.name,
            payload.mobility.host.name_ro if lang == "ro" else payload.mobility.host.name_en,
        ]
    if kind == "learning_agreement":
        values = [payload.reference, payload.student.full_name, payload.cefr]
        for component in payload.table_a + payload.table_b + payload.table_c:
            values.append(component.title)
        for change in payload.changes:
            values.append(change.component.title)
        for signer in (payload.sending_responsible, payload.receiving_responsible):
            values += [signer.name, signer.email]
        return values
    if kind == "selection_minutes":
        values = [payload.number, payload.place] + [m.name for m in payload.committee]
        values += [c["name"] for c in payload.selection["candidates"]]
        return values
    if kind == "letter_of_nomination":
        return [
            payload.reference,
            payload.student.full_name,
            payload.study_programme,
            payload.academic_year,
            payload.sending.name_ro if lang == "ro" else payload.sending.name_en,
            payload.receiving.name_ro if lang == "ro" else payload.receiving.name_en,
            payload.signer.name,
            payload.signer.position,
            f["term"](payload.activity.value, "activity"),
        ]
    raise AssertionError(kind)


def dates_of(kind: str, payload) -> list[date]:
    if kind == "certificate_of_attendance":
        return [payload.start, payload.end, payload.issued_on]
    if kind == "financial_contract":
        return [payload.signed_on, payload.mobility.start, payload.mobility.end]
    if kind == "learning_agreement":
        return [s.date for s in (payload.student_signature, payload.sending_responsible) if s.date]
    if kind == "letter_of_nomination":
        return [payload.start, payload.end, payload.issued_on]
    return [payload.meeting_date]


@pytest.mark.parametrize(("kind", "lang", "sample"), CASES)
def test_every_sample_renders_with_its_values(kind, lang, sample, docx_text):
    spec = KINDS[kind]
    payload = spec.validate(load(sample))
    text = docx_text(render_document(kind, lang, load(sample)))

    for tag in ("{{", "{%", "}}", "%}", "{#"):
        assert tag not in text, f"unrendered tag {tag!r}"
    for value in expected_values(kind, payload, lang):
        assert value in text, f"{value!r} missing from {sample} ({lang})"
    for value in dates_of(kind, payload):
        assert _date_shown(text, value, lang), f"date {value} missing from {sample} ({lang})"
    assert "ş" not in text and "ţ" not in text, "cedilla letters in the output"


MONEY = re.compile(r"(\d{1,3}(?:[.,\u00a0 ]\d{3})*[.,]\d{2})\u00a0(EUR|RON)")


def amounts(text: str, lang: str) -> set[tuple[Decimal, str]]:
    found = set()
    for figures, currency in MONEY.findall(text):
        if lang == "ro":
            figures = figures.replace(".", "").replace(",", ".")
        else:
            figures = figures.replace(",", "")
        found.add((Decimal(figures), currency))
    return found


def dates_in(text: str, lang: str) -> set[date]:
    months = {name.lower(): i for i, name in get_month_names("wide", locale=lang).items()}
    found = set()
    for d, m, y in re.findall(r"\b(\d{1,2}) ([^\W\d_]+) (\d{4})\b", text):
        if m.lower() in months:
            found.add(date(int(y), months[m.lower()], int(d)))
    sep = r"\." if lang == "ro" else "/"
    for d, m, y in re.findall(rf"\b(\d{{2}}){sep}(\d{{2}}){sep}(\d{{4}})\b", text):
        found.add(date(int(y), int(m), int(d)))
    return found


@pytest.mark.parametrize("sample", sorted({c[2] for c in CASES}))
def test_romanian_and_english_carry_the_same_numbers_and_dates(sample, docx_text):
    kind = next(k for k in KINDS if sample == k or sample.startswith(k + "-"))
    data = load(sample)
    ro = docx_text(render_document(kind, "ro", data))
    en = docx_text(render_document(kind, "en", data))
    assert amounts(ro, "ro") == amounts(en, "en")
    assert dates_in(ro, "ro") == dates_in(en, "en")
    assert dates_in(ro, "ro"), "no date found"


@pytest.mark.parametrize(
    "sample", ["financial_contract", "financial_contract-staff", "financial_contract-visiting"]
)
@pytest.mark.parametrize("lang", LANGS)
def test_contract_total_equals_the_rules_quote(sample, lang, docx_text):
    data = load(sample)
    payload = KINDS["financial_contract"].validate(data)
    quote = quote_grant(payload.quote_request())
    text = docx_text(render_document("financial_contract", lang, data))
    f = filters(lang)
    assert f["money"](quote.total, quote.currency) in text
    assert f["words"](quote.total, quote.currency) in text
    if quote.prefinancing is not None:
        assert f["money"](quote.prefinancing, quote.currency) in text
    else:  # Visiting@UPT: paid month by month (visiting-grant-regulation Art. 11)
        assert quote.monthly
        assert ("se plătește lunar" if lang == "ro" else "paid monthly") in text
    for line in quote.support.lines:
        assert f["money"](line.amount, quote.currency) in text
    if quote.travel:
        assert f["money"](quote.travel.amount, quote.currency) in text
    else:
        assert quote.currency == "RON"
    assert (Decimal(quote.total), quote.currency) in amounts(text, lang)


def test_markup_characters_and_diacritics_come_out_exactly(docx_text):
    data = load("learning_agreement")
    data["student"]["family_name"] = "Țăranu-Îonescu & <Șerban> \"Ăâ\" 'Î'"
    data["table_a"][0]["title"] = "R&D <Lab> \"Design\" 'Intro'"
    for lang in LANGS:
        text = docx_text(render_document("learning_agreement", lang, data))
        assert "Țăranu-Îonescu & <Șerban> \"Ăâ\" 'Î'" in text
        assert "R&D <Lab> \"Design\" 'Intro'" in text


def test_contract_shows_each_rate_as_it_multiplies_out(docx_text):
    data = load("financial_contract")
    data["call"]["rate_table"] = "ka131-2023"
    data["mobility"]["host"]["country"] = "NO"
    data["mobility"]["host"]["city"] = "Oslo"
    data["mobility"]["destination"] = {"city": "Oslo", "country": "NO"}
    text = docx_text(render_document("financial_contract", "ro", data))
    # 4 months and 16 days at 670 EUR (group 1, example rates of the 2023 call).
    money = filters("ro")["money"]
    assert f"{money(Decimal(670), 'EUR')} / 30" in text
    assert money(Decimal("357.33"), "EUR") in text
    assert "136 de zile (4 luni și 16 zile)" in text
    en = docx_text(render_document("financial_contract", "en", data))
    assert "136 days (4 months and 16 days)" in en


def test_contract_host_and_destination_in_one_country():
    from docgen.errors import InvalidInput

    data = load("financial_contract")
    data["mobility"]["destination"] = {"city": "Vienna", "country": "AT"}
    with pytest.raises(InvalidInput) as caught:
        KINDS["financial_contract"].validate(data)
    assert any(
        p.pointer == "/mobility/destination/country" and "host institution is in" in p.message
        for p in caught.value.problems
    ), caught.value.problems


def test_minutes_state_the_appeal_rule_tie_breaks_and_final_results(docx_text):
    data = load("selection_minutes-staff")
    text = docx_text(render_document("selection_minutes", "ro", data))
    assert "24 de ore de la publicare" in text
    assert "comisie desemnată de Rectorul Universității" in text
    assert "punctajul ultimului candidat admis" not in text.lower()
    assert "Rezultatele finale se publică la" in text
    assert "la punctaj egal decid, în ordine: ordinea de înregistrare a candidaturilor" in text
    assert "32 de puncte" in text
    students = docx_text(render_document("selection_minutes", "en", load("selection_minutes")))
    assert "examined by a board appointed by the Rector of UPT" in students
    assert "(Art. 66(1))" not in students


def test_minutes_refuse_a_criteria_set_of_another_activity():
    from docgen.errors import InvalidInput

    data = load("selection_minutes-staff")
    data["call"]["activity"] = "STT"
    with pytest.raises(InvalidInput) as caught:
        render_document("selection_minutes", "ro", data)
    assert [str(p) for p in caught.value.problems] == [
        "/selection/criteria_set: the criteria set outgoing-sta ranks STA mobilities; "
        "the call is for STT"
    ]

"""Amounts in words (RULES.md, "Money": contracts state amounts in figures and in words)."""

from decimal import Decimal

import pytest
from num2words import num2words

from docgen.rules.words import (
    amount_in_words,
    en_cardinal,
    normalise_diacritics,
    ro_cardinal,
)

CEDILLAS = ("\u015f", "\u0163", "\u015e", "\u0162")


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0", "zero euro"),
        ("1", "un euro"),
        ("2", "doi euro"),
        ("12", "doisprezece euro"),
        ("19", "nouăsprezece euro"),
        ("20", "douăzeci de euro"),
        ("21", "douăzeci și unu de euro"),
        ("22", "douăzeci și doi de euro"),
        ("100", "o sută de euro"),
        ("101", "o sută unu euro"),
        ("119", "o sută nouăsprezece euro"),
        ("120", "o sută douăzeci de euro"),
        ("200", "două sute de euro"),
        ("1000", "o mie de euro"),
        ("1001", "o mie unu euro"),
        ("2000", "două mii de euro"),
        ("12000", "douăsprezece mii de euro"),
        ("21000", "douăzeci și una de mii de euro"),
        ("22000", "douăzeci și două de mii de euro"),
        ("100000", "o sută de mii de euro"),
        ("101000", "o sută una mii de euro"),
        ("1000000", "un milion de euro"),
        ("2000000", "două milioane de euro"),
        ("12000000", "douăsprezece milioane de euro"),
        ("20000000", "douăzeci de milioane de euro"),
        ("21000000", "douăzeci și unu de milioane de euro"),
        ("1000000000", "un miliard de euro"),
        ("2001001", "două milioane o mie unu euro"),
        ("3750", "trei mii șapte sute cincizeci de euro"),
        ("3750.50", "trei mii șapte sute cincizeci de euro și cincizeci de eurocenți"),
        ("1000.00", "o mie de euro"),
        ("0.01", "un eurocent"),
        ("0.02", "doi eurocenți"),
        ("0.19", "nouăsprezece eurocenți"),
        ("0.20", "douăzeci de eurocenți"),
        ("0.21", "douăzeci și unu de eurocenți"),
        ("1.01", "un euro și un eurocent"),
        ("2.02", "doi euro și doi eurocenți"),
    ],
)
def test_ro_eur(amount: str, expected: str) -> None:
    assert amount_in_words(Decimal(amount), "EUR", "ro") == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0", "zero lei"),
        ("1", "un leu"),
        ("2", "doi lei"),
        ("12", "doisprezece lei"),
        ("20", "douăzeci de lei"),
        ("7500", "șapte mii cinci sute de lei"),
        ("15000", "cincisprezece mii de lei"),
        ("0.01", "un ban"),
        ("0.02", "doi bani"),
        ("0.20", "douăzeci de bani"),
        ("1.50", "un leu și cincizeci de bani"),
    ],
)
def test_ro_ron(amount: str, expected: str) -> None:
    assert amount_in_words(Decimal(amount), "RON", "ro") == expected


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("0", "EUR", "zero euros"),
        ("1", "EUR", "one euro"),
        ("19", "EUR", "nineteen euros"),
        ("20", "EUR", "twenty euros"),
        ("101", "EUR", "one hundred one euros"),
        ("880", "EUR", "eight hundred eighty euros"),
        ("1000000", "EUR", "one million euros"),
        ("3750.50", "EUR", "three thousand seven hundred fifty euros and fifty cents"),
        ("0.01", "EUR", "one cent"),
        ("1.01", "EUR", "one euro and one cent"),
        ("1", "RON", "one leu"),
        ("7500", "RON", "seven thousand five hundred lei"),
        ("15000", "RON", "fifteen thousand lei"),
        ("0.01", "RON", "one ban"),
        ("0.50", "RON", "fifty bani"),
        ("21.21", "RON", "twenty-one lei and twenty-one bani"),
    ],
)
def test_en(amount: str, currency: str, expected: str) -> None:
    assert amount_in_words(Decimal(amount), currency, "en") == expected  # type: ignore[arg-type]


def test_int_amount_accepted() -> None:
    assert amount_in_words(20, "EUR", "ro") == "douăzeci de euro"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("amount", "currency", "lang", "expected"),
    [
        (
            "3750.50",
            "EUR",
            "ro",
            "3.750,50 EUR (trei mii șapte sute cincizeci de euro și cincizeci de eurocenți)",
        ),
        ("15000", "RON", "ro", "15.000,00 RON (cincisprezece mii de lei)"),
        ("880", "EUR", "en", "880.00 EUR (eight hundred eighty euros)"),
        (
            "1234567.5",
            "RON",
            "en",
            "1,234,567.50 RON (one million two hundred thirty-four "
            "thousand five hundred sixty-seven lei and fifty bani)",
        ),
    ],
)
def test_format_amount_with_words(amount: str, currency: str, lang: str, expected: str) -> None:
    # The documents' figures-and-words filter (a no-break space before the currency code).
    from docgen.documents.filters import filters

    got = filters(lang)["money_words"](Decimal(amount), currency)
    assert got.replace("\u00a0", " ") == expected


@pytest.mark.parametrize(
    ("amount", "lang", "expected"),
    [("0.5", "ro", "0,50"), ("999", "ro", "999,00"), ("1000000", "ro", "1.000.000,00")],
)
def test_format_amount(amount: str, lang: str, expected: str) -> None:
    from docgen.documents.filters import filters

    assert filters(lang)["number"](Decimal(amount), 2) == expected


@pytest.mark.parametrize(
    "bad",
    ["-1", "-0.01", "1.001", "0.005", "NaN", "Infinity", "1000000000000"],
)
def test_invalid_amount_raises_value_error(bad: str) -> None:
    with pytest.raises(ValueError):
        amount_in_words(Decimal(bad), "EUR", "ro")


def test_trailing_zero_decimals_accepted() -> None:
    assert amount_in_words(Decimal("12.500"), "RON", "ro") == "doisprezece lei și cincizeci de bani"


@pytest.mark.parametrize("bad", [1.5, "1.50", True, None])
def test_non_decimal_raises_type_error(bad: object) -> None:
    with pytest.raises(TypeError):
        amount_in_words(bad, "EUR", "ro")  # type: ignore[arg-type]


@pytest.mark.parametrize(("currency", "lang"), [("USD", "ro"), ("EUR", "fr"), ("eur", "en")])
def test_unknown_currency_or_lang_raises(currency: str, lang: str) -> None:
    with pytest.raises(ValueError):
        amount_in_words(Decimal("1"), currency, lang)  # type: ignore[arg-type]


BIG_NUMBERS = [
    10**6 - 1,
    10**6 + 1,
    21_021_021,
    112_112_112,
    999_999_999,
    10**9,
    21_000_000_021,
    999_999_999_999,
]


@pytest.mark.parametrize("currency", ["EUR", "RON"])
@pytest.mark.parametrize("lang", ["ro", "en"])
def test_no_cedilla_and_never_raises(currency: str, lang: str) -> None:
    amounts = [Decimal(n) for n in range(2001)]
    amounts += [Decimal(n) / 100 for n in range(0, 2001, 7)]
    amounts += [Decimal(n) for n in BIG_NUMBERS]
    amounts += [Decimal(n) + Decimal("0.99") for n in BIG_NUMBERS]
    for amount in amounts:
        words = amount_in_words(amount, currency, lang)  # type: ignore[arg-type]
        assert words
        assert not any(c in words for c in CEDILLAS), (amount, words)
        assert "  " not in words and words == words.strip(), (amount, words)


def test_ro_cardinals_below_thousand_match_num2words() -> None:
    # num2words' Romanian cardinals are right below 1000 (masculine); wrong from 21 000 on.
    for n in range(1000):
        assert ro_cardinal(n) == normalise_diacritics(num2words(n, lang="ro")), n


def test_en_cardinals_match_num2words_without_and() -> None:
    # num2words says "one hundred and one" and "three thousand, seven hundred ..."; we don't.
    for n in [*range(2001), *BIG_NUMBERS]:
        expected = num2words(n, lang="en").replace(",", "").replace(" and ", " ")
        assert en_cardinal(n) == expected, n


@pytest.mark.parametrize(
    ("n", "gender", "expected"),
    [
        (1, "m", "unu"),
        (1, "f", "una"),
        (1, "n", "unu"),
        (2, "m", "doi"),
        (2, "f", "două"),
        (2, "n", "două"),
        (12, "n", "douăsprezece"),
        (22, "f", "douăzeci și două"),
    ],
)
def test_ro_cardinal_gender(n: int, gender: str, expected: str) -> None:
    assert ro_cardinal(n, gender) == expected  # type: ignore[arg-type]


def test_normalise_diacritics() -> None:
    assert normalise_diacritics("\u015fase \u0163ar\u0103 \u015e\u0162") == "șase țară ȘȚ"


def test_num2words_state_not_corrupted() -> None:
    probes = [
        ((21,), {"lang": "ro"}),
        ((21000,), {"lang": "ro"}),
        ((3750.5,), {"lang": "en", "to": "currency", "currency": "EUR"}),
        ((21.5,), {"lang": "ro", "to": "currency", "currency": "RON"}),
        ((1,), {"lang": "ro", "to": "currency", "currency": "RON"}),
    ]
    before = [num2words(*args, **kwargs) for args, kwargs in probes]
    for n in [0, 1, 2, 19, 20, 21, 101, 21000, 1_000_000]:
        for currency in ("EUR", "RON"):
            for lang in ("ro", "en"):
                amount_in_words(Decimal(n) + Decimal("0.21"), currency, lang)  # type: ignore[arg-type]
    after = [num2words(*args, **kwargs) for args, kwargs in probes]
    assert after == before
    assert after[4] == "un leu"

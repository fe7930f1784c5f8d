"""Amounts of money in words, in Romanian and English.

Source: RULES.md, "Money" section of the office's regulation digest: contracts state every
amount in figures and in words, in Romanian and English, e.g.
``3.750,50 EUR (trei mii șapte sute cincizeci de euro și cincizeci de eurocenți)``.

Why the words are composed here rather than by ``num2words``:

- ``num2words`` 0.5.x gets Romanian EUR wrong: ``to="currency"`` raises ``IndexError`` or
  says "cents", and may leave its shared converter in a bad state for later calls.
- Its Romanian cardinals are also wrong for feminine and neuter multipliers:
  21 000 is "douăzeci și unu de mii" (should be "douăzeci și una de mii") and 21 000 000 is
  "douăzeci și unu milioane" (the "de" is missing).

So this module does not call ``num2words`` at all; the test-suite cross-checks the plain
cardinals below 1000 against it.

Romanian rules applied:

- "de" goes before the noun when the last two digits are 20-99, or 00 with the number at
  least 100 ("douăzeci de euro", "o sută de euro", "un milion de euro"); numbers ending in
  01-19 take no "de" ("nouăsprezece euro", "o sută unu euro"). The same rule applies to the
  multipliers: "douăzeci și una de mii", "o sută una mii", "douăzeci de milioane".
- Gender: euro, leu, eurocent and ban count as masculine ("doi euro", "doisprezece lei",
  "douăzeci și unu de eurocenți"); "mie" is feminine ("o mie", "două mii", "douăzeci și una
  de mii"); "milion" and "miliard" are neuter: masculine one, feminine two ("un milion",
  "douăzeci și unu de milioane", "două milioane", "douăsprezece milioane").
- A lone 1 is "un"/"o" before the noun ("un euro", "un eurocent", "o mie"); inside a
  compound it is "unu"/"una" ("o mie unu euro", "douăzeci și unu de lei").
- Hundreds are "o sută", "două sute", ... (never "una sută").
- Only comma-below ș and ț (U+0219, U+021B) are ever returned, never the cedilla forms.

English: US style, without "and" inside a number and without commas, tens hyphenated
("three thousand seven hundred fifty euros and fifty cents", "one hundred one euros"), so
the only "and" in the result joins the units to the cents. EUR is "euro"/"euros" and
"cent"/"cents"; RON keeps the Romanian names: "leu"/"lei" and "ban"/"bani".

Common to both languages: zero cents are omitted ("o mie de euro"); a zero whole part with
cents is omitted too ("cincizeci de eurocenți", "fifty cents"); zero is "zero euro",
"zero lei" ("zero euros", "zero lei" in English).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

Currency = Literal["EUR", "RON"]
Lang = Literal["ro", "en"]
Gender = Literal["m", "f", "n"]

MAX_AMOUNT = Decimal("999999999999.99")
"""Largest amount accepted (just under a thousand billion)."""

_CENT = Decimal("0.01")

# ---------------------------------------------------------------------------------------------
# Romanian
# ---------------------------------------------------------------------------------------------

_RO_UNITS = ("zero", "unu", "doi", "trei", "patru", "cinci", "șase", "șapte", "opt", "nouă")
_RO_TEENS = (
    "zece",
    "unsprezece",
    "doisprezece",
    "treisprezece",
    "paisprezece",
    "cincisprezece",
    "șaisprezece",
    "șaptesprezece",
    "optsprezece",
    "nouăsprezece",
)
_RO_TENS = (
    "",
    "",
    "douăzeci",
    "treizeci",
    "patruzeci",
    "cincizeci",
    "șaizeci",
    "șaptezeci",
    "optzeci",
    "nouăzeci",
)

# (value, gender, singular, plural) for the Romanian multipliers, largest first.
_RO_SCALES: tuple[tuple[int, Gender, str, str], ...] = (
    (1_000_000_000, "n", "miliard", "miliarde"),
    (1_000_000, "n", "milion", "milioane"),
    (1_000, "f", "mie", "mii"),
)

# (singular, plural) for the whole part and for the cents, per currency.
_RO_NOUNS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "EUR": (("euro", "euro"), ("eurocent", "eurocenți")),
    "RON": (("leu", "lei"), ("ban", "bani")),
}

_CEDILLA_TO_COMMA = str.maketrans(
    {"\u015f": "\u0219", "\u0163": "\u021b", "\u015e": "\u0218", "\u0162": "\u021a"}
)


def normalise_diacritics(text: str) -> str:
    """Replace cedilla s/t (U+015F, U+0163, capitals U+015E, U+0162) by comma-below ș ț Ș Ț."""
    return text.translate(_CEDILLA_TO_COMMA)


def _ro_unit(digit: int, gender: Gender) -> str:
    if digit == 1 and gender == "f":
        return "una"
    if digit == 2 and gender in ("f", "n"):
        return "două"
    return _RO_UNITS[digit]


def _ro_below_hundred(n: int, gender: Gender) -> str:
    if n < 10:
        return _ro_unit(n, gender)
    if n < 20:
        if n == 12 and gender in ("f", "n"):
            return "douăsprezece"
        return _RO_TEENS[n - 10]
    tens, unit = divmod(n, 10)
    if unit == 0:
        return _RO_TENS[tens]
    return f"{_RO_TENS[tens]} și {_ro_unit(unit, gender)}"


def _ro_below_thousand(n: int, gender: Gender) -> str:
    hundreds, rest = divmod(n, 100)
    words = []
    if hundreds == 1:
        words.append("o sută")
    elif hundreds > 1:
        words.append(f"{_ro_unit(hundreds, 'f')} sute")
    if rest or not hundreds:
        words.append(_ro_below_hundred(rest, gender))
    return " ".join(words)


def _ro_takes_de(n: int) -> bool:
    """True if a noun counted by ``n`` needs "de" before it ("douăzeci de euro")."""
    last_two = n % 100
    return last_two >= 20 or (last_two == 0 and n >= 100)


def _ro_count(n: int, gender: Gender, singular: str, plural: str) -> str:
    """``n`` followed by the noun, with "un"/"o" for 1 and "de" where grammar wants it."""
    if n == 1:
        return f"{'o' if gender == 'f' else 'un'} {singular}"
    de = " de" if _ro_takes_de(n) else ""
    return f"{ro_cardinal(n, gender)}{de} {plural}"


def ro_cardinal(n: int, gender: Gender = "m") -> str:
    """A Romanian cardinal number in words, as used before a noun of ``gender``.

    ``gender`` is "m" (masculine), "f" (feminine) or "n" (neuter: masculine one, feminine
    two). A lone 1 is "unu"/"una" here; use it with a noun through the amount functions to
    get "un"/"o".
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"expected an int, got {type(n).__name__}")
    if n < 0 or n > 999_999_999_999:
        raise ValueError(f"number out of range: {n}")
    if n == 0:
        return "zero"
    words = []
    rest = n
    for value, scale_gender, singular, plural in _RO_SCALES:
        count, rest = divmod(rest, value)
        if count:
            words.append(_ro_count(count, scale_gender, singular, plural))
    if rest:
        words.append(_ro_below_thousand(rest, gender))
    return normalise_diacritics(" ".join(words))


def _ro_money(n: int, singular: str, plural: str) -> str:
    if n == 0:
        return f"zero {plural}"
    return _ro_count(n, "m", singular, plural)


# ---------------------------------------------------------------------------------------------
# English
# ---------------------------------------------------------------------------------------------

_EN_UNITS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
_EN_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_EN_SCALES = ((1_000_000_000, "billion"), (1_000_000, "million"), (1_000, "thousand"))

_EN_NOUNS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "EUR": (("euro", "euros"), ("cent", "cents")),
    "RON": (("leu", "lei"), ("ban", "bani")),
}


def _en_below_thousand(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    words = []
    if hundreds:
        words.append(f"{_EN_UNITS[hundreds]} hundred")
    if rest or not hundreds:
        if rest < 20:
            words.append(_EN_UNITS[rest])
        else:
            tens, unit = divmod(rest, 10)
            words.append(f"{_EN_TENS[tens]}-{_EN_UNITS[unit]}" if unit else _EN_TENS[tens])
    return " ".join(words)


def en_cardinal(n: int) -> str:
    """An English cardinal number in words, US style: no "and", no commas ("one hundred one")."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"expected an int, got {type(n).__name__}")
    if n < 0 or n > 999_999_999_999:
        raise ValueError(f"number out of range: {n}")
    if n == 0:
        return "zero"
    words = []
    rest = n
    for value, name in _EN_SCALES:
        count, rest = divmod(rest, value)
        if count:
            words.append(f"{_en_below_thousand(count)} {name}")
    if rest:
        words.append(_en_below_thousand(rest))
    return " ".join(words)


def _en_money(n: int, singular: str, plural: str) -> str:
    return f"{en_cardinal(n)} {singular if n == 1 else plural}"


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def _split(amount: Decimal | int) -> tuple[int, int]:
    """Validate ``amount`` and split it into (whole units, cents)."""
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise TypeError(f"amount must be a Decimal or an int, got {type(amount).__name__}")
    amount = Decimal(amount)
    if not amount.is_finite():
        raise ValueError(f"amount must be a finite number, got {amount}")
    if amount < 0:
        raise ValueError(f"amount must not be negative, got {amount}")
    if amount > MAX_AMOUNT:
        raise ValueError(f"amount too large for words, got {amount}")
    cents_total = amount / _CENT
    if cents_total != cents_total.to_integral_value():
        raise ValueError(f"amount has more than 2 decimals, got {amount}")
    return divmod(int(cents_total), 100)


def _check_currency_lang(currency: str, lang: str) -> None:
    if currency not in _RO_NOUNS:
        raise ValueError(f"unsupported currency: {currency!r} (expected 'EUR' or 'RON')")
    if lang not in ("ro", "en"):
        raise ValueError(f"unsupported language: {lang!r} (expected 'ro' or 'en')")


def amount_in_words(amount: Decimal, currency: Currency, lang: Lang) -> str:
    """An amount of money in words, as contracts state it next to the figures.

    Source: RULES.md, "Money" section of the office's regulation digest (contracts state
    every amount in figures and in words, in Romanian and English).

    >>> amount_in_words(Decimal("3750.50"), "EUR", "ro")
    'trei mii șapte sute cincizeci de euro și cincizeci de eurocenți'
    >>> amount_in_words(Decimal("3750.50"), "EUR", "en")
    'three thousand seven hundred fifty euros and fifty cents'

    Raises ``ValueError`` for a negative, non-finite or too large amount, for more than two
    non-zero decimals, or for an unknown currency or language; ``TypeError`` for anything
    but a ``Decimal`` or an ``int`` (floats are refused on purpose).
    """
    _check_currency_lang(currency, lang)
    units, cents = _split(amount)
    if lang == "ro":
        (unit_sg, unit_pl), (cent_sg, cent_pl) = _RO_NOUNS[currency]
        money, joiner = _ro_money, "și"
    else:
        (unit_sg, unit_pl), (cent_sg, cent_pl) = _EN_NOUNS[currency]
        money, joiner = _en_money, "and"
    if cents == 0:
        text = money(units, unit_sg, unit_pl)
    elif units == 0:
        text = money(cents, cent_sg, cent_pl)
    else:
        text = f"{money(units, unit_sg, unit_pl)} {joiner} {money(cents, cent_sg, cent_pl)}"
    return normalise_diacritics(text)

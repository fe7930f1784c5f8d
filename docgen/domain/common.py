"""Shared domain types: codes, levels, places, people, institutions, bank accounts.

Every model forbids unknown fields, so a misspelt key is reported rather than ignored.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.ro import cnp as stdnum_cnp

from docgen.domain.reasons import DOMAIN_MESSAGES, invalid

# --- what text may hold ----------------------------------------------------------------------
# Every value ends up in XML (DOCX, XLSX, the PDF's XMP), and XML 1.0 cannot hold the C0
# controls other than TAB, LF and CR, nor U+FFFE, U+FFFF or a lone surrogate: openpyxl raises
# on them and Word refuses a DOCX holding one. Such text is refused, naming the field. The
# white space a keyboard or Word produces is kept as what it means: in multi-line fields
# (``OptionalText``, marked ``Multiline``) CR LF, CR, U+000B (Word's soft line break) and
# U+000C become a line break and a TAB a space; in every other field each becomes a space.
FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\u2028\u2029]")
_SPACES = re.compile("[\t\n\r\x0b\x0c\u2028\u2029]")
CONTROL_MESSAGE = "must not contain the control character {char}"


class Multiline:
    """Marks a text type whose line breaks are kept (``Annotated[str, Multiline()]``)."""


def forbidden_character(text: str) -> str | None:
    """The first character of ``text`` that XML 1.0 cannot hold, as ``U+000B``; or None."""
    found = FORBIDDEN_CHARACTERS.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def normalise_breaks(text: str, multiline: bool) -> str:
    """Line breaks and tabs as they should be stored (see above); nothing else changes."""
    if multiline:
        return _LINE_BREAKS.sub("\n", text).replace("\t", " ")
    return _SPACES.sub(" ", text.replace("\r\n", " "))


def clean_text(text: str, multiline: bool = True) -> str:
    """Text fit for XML whatever it held: forbidden characters dropped, breaks normalised.

    For values stored before these rules (exports must not fail on them) and for what a
    returned form gives back, where there is nobody to refuse.
    """
    return normalise_breaks(FORBIDDEN_CHARACTERS.sub("", text), multiline)


def _check_tree(value: Any, path: str) -> None:
    stack = [(value, path)]  # iterative: deep input must not exhaust the stack
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            char = forbidden_character(item)
            if char:
                raise PydanticCustomError(
                    "control_character", CONTROL_MESSAGE, {"char": char, "field": where}
                )
        elif isinstance(item, dict):
            for key, child in item.items():
                stack.append((key, where))
                stack.append((child, f"{where}.{key}"))
        elif isinstance(item, (list, tuple)):
            stack.extend((child, f"{where}.{i}") for i, child in enumerate(item))


def _holds_multiline(annotation: Any) -> bool:
    if isinstance(annotation, Multiline):
        return True
    return any(_holds_multiline(arg) for arg in get_args(annotation))


@cache
def _multiline_fields(model: type[BaseModel]) -> frozenset[str]:
    found = set()
    for name, field in model.model_fields.items():
        if _holds_multiline(field.annotation) or any(
            isinstance(m, Multiline) for m in field.metadata
        ):
            found.add(name)
    return frozenset(found)


def allowed_text(model: type[BaseModel], data: Any) -> Any:
    """Refuse text XML cannot hold (naming the field); normalise breaks of the model's own
    text fields (nested models do theirs). Returns a new dict: the caller's stays as it was."""
    if not isinstance(data, dict):
        return data
    multiline = _multiline_fields(model)
    out = {}
    for key, value in data.items():
        _check_tree(value, str(key))
        if isinstance(value, str):
            value = normalise_breaks(value, key in multiline)
        elif isinstance(value, list):
            value = [
                normalise_breaks(v, key in multiline) if isinstance(v, str) else v for v in value
            ]
        out[key] = value
    return out


# Dates a payload may hold: far enough for birth dates and any call, near enough that the
# rules' arithmetic (a year later, the next working day, an appeal deadline) stays inside
# what Python's dates can hold (year 9999 would overflow).
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2199, 12, 31)
DATE_RANGE_MESSAGE = "must be a date between {low} and {high}"


def _dates_in_range(model: BaseModel) -> None:
    for name in type(model).model_fields:
        value = getattr(model, name, None)
        items = value if isinstance(value, (list, tuple)) else [value]
        for item in items:
            if isinstance(item, date):
                day = item.date() if isinstance(item, datetime) else item
                if not FIRST_DATE <= day <= LAST_DATE:
                    raise PydanticCustomError(
                        "date_range",
                        DATE_RANGE_MESSAGE,
                        {
                            "low": FIRST_DATE.isoformat(),
                            "high": LAST_DATE.isoformat(),
                            "field": name,
                        },
                    )


class Model(BaseModel):
    """Base for every domain model: strict about unknown keys, trims text, allows only
    text XML can hold (see ``allowed_text``) and dates from 1900 to 2199."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=False)

    @model_validator(mode="before")
    @classmethod
    def _allowed_text(cls, data: Any) -> Any:
        return allowed_text(cls, data)

    @model_validator(mode="after")
    def _allowed_dates(self) -> Any:
        _dates_in_range(self)
        return self


class Activity(StrEnum):
    """Mobility activity codes (RULES.md vocabulary)."""

    SMS = "SMS"  # student mobility for studies
    SMT = "SMT"  # student mobility for traineeships
    STA = "STA"  # staff mobility for teaching
    STT = "STT"  # staff mobility for training
    BIP = "BIP"  # blended intensive programme (physical part)
    VISIT = "VISIT"  # Visiting@UPT professor or researcher


STUDENT_ACTIVITIES = frozenset({Activity.SMS, Activity.SMT})
STAFF_ACTIVITIES = frozenset({Activity.STA, Activity.STT})


class Direction(StrEnum):
    INCOMING = "incoming"
    OUTGOING = "outgoing"


CefrLevel = Literal["A1", "A2", "B1", "B2", "C1", "C2"]

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
OptionalText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=2000), Multiline()
]


def _upper(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


CountryCode = Annotated[
    str,
    BeforeValidator(_upper),
    StringConstraints(pattern=r"^[A-Z]{2}$"),
    Field(description="ISO 3166-1 alpha-2 country code, e.g. RO", examples=["RO"]),
]


def _check_erasmus_code(value: str) -> str:
    # The Erasmus code is a country prefix (1-3 letters, padded with spaces to three
    # characters in official lists: "D  BERLIN01"), a city part and a number.
    compact = re.sub(r"\s+", " ", value.strip().upper())
    if not re.fullmatch(r"[A-Z]{1,3} [A-Z\-]{2,9}[0-9]{2,3}", compact):
        raise invalid("erasmus_code")
    return compact


ErasmusCode = Annotated[
    str,
    AfterValidator(_check_erasmus_code),
    Field(description="Erasmus institution code", examples=["RO TIMISOA01"]),
]

SchacCode = Annotated[
    str,
    BeforeValidator(lambda v: v.strip().lower() if isinstance(v, str) else v),
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9_\-]*(\.[a-z0-9_\-]+)+$"),
    Field(description="SCHAC home organisation code, e.g. upt.ro", examples=["upt.ro"]),
]

IscedCode = Annotated[
    str,
    BeforeValidator(lambda v: str(v).strip() if isinstance(v, (str, int)) else v),
    StringConstraints(pattern=r"^[0-9]{3,4}$"),
    Field(description="ISCED-F 2013 field code (3 or 4 digits)", examples=["0715"]),
]

EqfLevel = Annotated[int, Field(ge=5, le=8, description="EQF level: 6 Bachelor, 7 Master, 8 PhD")]


# python-stdnum's reasons, as the exception it raises, most specific first (a wrong length
# is also a wrong format): ``<identifier>_<reason>`` is the code of the problem, so that each
# door says it in its language rather than quote stdnum's English sentence.
STDNUM_REASONS: tuple[tuple[type[StdnumError], str], ...] = (
    (InvalidLength, "length"),
    (InvalidFormat, "format"),
    (InvalidComponent, "component"),
    (InvalidChecksum, "checksum"),
)


def stdnum_reason(identifier: str, exc: StdnumError) -> PydanticCustomError:
    """The error for ``identifier`` (``cnp``, ``iban``, ``bic``) refused by stdnum with
    ``exc``: its reason's code, or the identifier's own when stdnum gives no known one."""
    for kind, reason in STDNUM_REASONS:
        if isinstance(exc, kind) and f"{identifier}_{reason}" in DOMAIN_MESSAGES:
            return invalid(f"{identifier}_{reason}")
    return invalid(identifier)


def _check_cnp(value: str) -> str:
    try:
        return stdnum_cnp.validate(value)
    except StdnumError as exc:
        raise stdnum_reason("cnp", exc) from exc


def _check_iban(value: str) -> str:
    try:
        return stdnum_iban.format(stdnum_iban.validate(value))
    except StdnumError as exc:
        raise stdnum_reason("iban", exc) from exc


def _check_bic(value: str) -> str:
    try:
        return stdnum_bic.validate(value)
    except StdnumError as exc:
        raise stdnum_reason("bic", exc) from exc


Cnp = Annotated[str, AfterValidator(_check_cnp)]
Iban = Annotated[str, AfterValidator(_check_iban)]
Bic = Annotated[str, AfterValidator(_check_bic)]


class Representative(Model):
    """A person who signs for an institution."""

    name: NonEmpty
    position: NonEmpty = Field(description="e.g. Rector, Vice-Rector, Institutional coordinator")
    email: EmailStr | None = None
    given_names: NonEmpty | None = Field(None, description="The name apart, as EWP sends it")
    family_name: NonEmpty | None = None


class Institution(Model):
    """A higher education institution (or other organisation) taking part in a mobility."""

    name_ro: NonEmpty
    name_en: NonEmpty
    erasmus_code: ErasmusCode | None = None
    schac: SchacCode | None = None
    country: CountryCode
    city: NonEmpty
    address: NonEmpty | None = None
    faculty: NonEmpty | None = None
    legal_representative: Representative | None = None
    contact: Representative | None = Field(None, description="Contact person for this mobility")


class Gender(StrEnum):
    FEMALE = "F"
    MALE = "M"
    UNDISCLOSED = "U"


class Person(Model):
    """A participant: student, staff member or visiting professor."""

    given_names: NonEmpty
    family_name: NonEmpty
    birth_date: date | None = None
    nationality: CountryCode | None = None
    gender: Gender | None = None
    email: EmailStr | None = None
    cnp: Cnp | None = Field(None, description="Romanian personal numeric code, checked")
    id_document: NonEmpty | None = Field(
        None, description="Identity card or passport series/number"
    )
    address: NonEmpty | None = None

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_name}"

    @model_validator(mode="after")
    def _cnp_matches_birth_date(self) -> Person:
        if self.cnp and self.birth_date:
            born = stdnum_cnp.get_birth_date(self.cnp)
            if born != self.birth_date:
                raise invalid("cnp_birth_date", "birth_date", born=born.isoformat())
        return self


class BankAccount(Model):
    holder: NonEmpty
    bank: NonEmpty
    iban: Iban
    bic: Bic | None = None
    currency: Literal["EUR", "RON"] = "EUR"


class Place(Model):
    """A place given either as city and country, or as coordinates."""

    city: NonEmpty | None = None
    country: CountryCode | None = None
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)

    @model_validator(mode="after")
    def _one_form(self) -> Place:
        by_name = self.city is not None or self.country is not None
        by_coords = self.lat is not None or self.lon is not None
        if by_coords and (self.lat is None or self.lon is None):
            raise invalid("lat_lon")
        if not by_coords and (self.city is None or self.country is None):
            raise invalid("city_country")
        if by_name and by_coords and self.city is None:
            raise invalid("city_country")
        return self

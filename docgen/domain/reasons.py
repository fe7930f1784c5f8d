"""The domain's own reasons for refusing a value, by code.

A validator raises :func:`invalid` with a code and the values the reason quotes; the
problem then carries the code and the values (``Problem.code``, ``Problem.params``)
beside the English sentence, so that each door can say it in its own language (the pages'
catalog holds every template here: ``docgen/web/ui/labels.py``).
"""

from __future__ import annotations

from pydantic_core import PydanticCustomError

# code -> English template; {name} is filled from the values given.
DOMAIN_MESSAGES = {
    "end_before_start": "must not be before start",
    "sta_teaching_hours": "is required for a teaching mobility (STA)",
    "issued_before_end": "a certificate is issued on or after the last day",
    "nomination_activity": "a nomination is for a student mobility (SMS or SMT)",
    "nomination_issued_on": "a nomination is issued before the mobility starts",
    "erasmus_code": "must be an Erasmus code such as 'RO TIMISOA01'",
    # An identifier checked by python-stdnum: its reason, by the exception stdnum raises
    # (docgen.domain.common.STDNUM_REASONS); the bare code when stdnum gives no known one.
    "cnp": "is not a valid Romanian CNP",
    "cnp_length": "is not a valid Romanian CNP (it must have 13 digits)",
    "cnp_format": "is not a valid Romanian CNP (it must have digits only)",
    "cnp_component": (
        "is not a valid Romanian CNP (the first digit, the birth date or the county code is wrong)"
    ),
    "cnp_checksum": "is not a valid Romanian CNP (the check digit is wrong)",
    "iban": "is not a valid IBAN",
    "iban_length": "is not a valid IBAN (the length is wrong)",
    "iban_format": "is not a valid IBAN (the format is wrong)",
    "iban_component": "is not a valid IBAN (the country code or the account number is wrong)",
    "iban_checksum": "is not a valid IBAN (the check digits are wrong)",
    "bic": "is not a valid BIC/SWIFT code",
    "bic_length": "is not a valid BIC/SWIFT code (it must have 8 or 11 characters)",
    "bic_format": "is not a valid BIC/SWIFT code (the format is wrong)",
    "bic_component": "is not a valid BIC/SWIFT code (the country code is wrong)",
    "cnp_birth_date": "does not match the CNP, which says born on {born}",
    "lat_lon": "give both lat and lon",
    "city_country": "give city and country, or lat and lon",
    "visiting_type": "is required for a Visiting@UPT contract",
    "host_country": "is {place} but the host institution is in {host}",
    "legal_representative": "is required on a contract",
    "standard_travel_days": "at most 2 travel days with standard travel",
    "amendment_end": "must not be before the start",
    "utc_offset": "must carry its UTC offset",
    "timestamp_day": "is not the day of the timestamp",
    "la_contact": "is required on a learning agreement",
    "project_code": "must be an Erasmus+ project code such as 2022-1-RO01-KA131-HED-000054947",
    "academic_year": "must be an academic year such as 2026-2027",
    "score_range": "must be between {low} and {high}",
    "score_values": "must be {listed}",
    "score_values_source": "must be {listed} ({source})",
    "duplicate_place": "duplicate place id '{id}' (first at {first})",
    "duplicate_candidate": "duplicate candidate id '{id}' (first at {first})",
    "unknown_place": "unknown place '{id}'",
    "place_listed": "place '{id}' is already listed",
    "unknown_criteria_set": "unknown criteria set '{id}' (known: {known})",
}


def invalid(code: str, field: str = "", **params: object) -> PydanticCustomError:
    """The error a validator raises for ``code``; ``field`` (dotted) when a model validator
    names the field at fault."""
    context: dict[str, object] = dict(params)
    if field:
        context["field"] = field
    return PydanticCustomError(code, DOMAIN_MESSAGES[code], context)


def message(code: str, **params: object) -> str:
    """The English sentence of ``code`` (for a problem built outside pydantic)."""
    return DOMAIN_MESSAGES[code].format(**params)

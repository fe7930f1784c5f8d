"""Type and check the raw values of a returned form against its spec.

Every problem becomes an issue ``{"field", "code", "message"}``; checks run to the end
rather than stopping at the first. A field whose own value is wrong is left out of the
cross-field checks, so one mistake gives one issue.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from docgen.forms.normalise import (
    clean_text,
    parse_checkbox,
    parse_date,
    parse_decimal,
    parse_integer,
)
from docgen.forms.spec import Check, FieldSpec, FormSpec

Issue = dict[str, str]


def issue(field: str, code: str, message: str) -> Issue:
    return {"field": field, "code": code, "message": message}


def _choice(field: FieldSpec, text: str) -> str:
    wanted = text.casefold()
    for c in field.choices or []:
        names = {c.value, c.label.ro, c.label.en, f"{c.label.ro} / {c.label.en}"}
        if wanted in {n.casefold() for n in names}:
            return c.value
    # A printed copy may clip a long display label: its export value leads it.
    head = text.split(" ", 1)[0].casefold()
    for c in field.choices or []:
        if head == c.value.casefold() and text.casefold().startswith(c.label.ro.casefold()[:4]):
            return c.value
    allowed = ", ".join(field.choice_values())
    raise ValueError(f"{text!r} is not one of the choices ({allowed})")


def type_value(field: FieldSpec, raw: Any) -> Any:
    """Return the typed value of one field (None when empty) or raise ValueError."""
    if field.type == "checkbox":
        return parse_checkbox(raw) if raw is not None else False
    if raw is None:
        return None
    text = clean_text(raw, field.lang)
    if not text:
        return None
    if field.type == "date":
        return parse_date(text)
    if field.type == "integer":
        return parse_integer(text)
    if field.type == "decimal":
        return parse_decimal(text)
    if field.type == "choice":
        return _choice(field, text)
    return text


# The longest text a field may hold when its spec sets no ``max_length`` (the spec's own
# ceiling), and the longest raw value of a field of any other type.
MAX_TEXT = 5000
MAX_OTHER = 100


def check_value(field: FieldSpec, raw: Any) -> Any:
    """Type a value a person typed (a correction) and hold it to every rule of its field.

    Stricter than reading a returned form, where a wrong value becomes an issue for the
    reviewer: a correction that breaks its field's type or bounds raises ``ValueError``.
    """
    if isinstance(raw, bool) and field.type != "checkbox":
        raise ValueError("must be text or a number, not true/false")
    if raw is not None and not isinstance(raw, (str, int, float, bool)):
        kind = "a list" if isinstance(raw, list) else "an object"
        raise ValueError(f"must be text or a number, not {kind}")
    if not isinstance(raw, bool) and raw is not None:
        limit = (field.max_length or MAX_TEXT) if field.type == "text" else MAX_OTHER
        length = len(str(raw)) if not isinstance(raw, int) or raw.bit_length() < 1000 else limit + 1
        if length > limit:
            raise ValueError(f"{length} characters, at most {limit}")
    value = type_value(field, raw)
    if value is not None:
        bound = _bound_issue(field, value)
        if bound is not None:
            raise ValueError(bound["message"])
    return value


def _bound_issue(field: FieldSpec, value: Any) -> Issue | None:
    label = field.label.en
    if field.type in {"integer", "decimal"}:
        if field.min is not None and value < field.min:
            return issue(field.name, "below_min", f"{label}: {value} is below {field.min}")
        if field.max is not None and value > field.max:
            return issue(field.name, "above_max", f"{label}: {value} is above {field.max}")
    if field.type == "text" and field.max_length and len(value) > field.max_length:
        return issue(
            field.name, "too_long", f"{label}: {len(value)} characters, at most {field.max_length}"
        )
    return None


_TYPE_CODES = {
    "date": "invalid_date",
    "integer": "not_integer",
    "decimal": "not_number",
    "choice": "not_a_choice",
    "checkbox": "invalid",
    "text": "invalid",
}


def _date_order(spec: FormSpec, check: Check, v: dict[str, Any]) -> Issue | None:
    first, second = check.fields[:2]
    a, b = v.get(first), v.get(second)
    if isinstance(a, date) and isinstance(b, date) and b < a:
        fa, fb = spec.field(first), spec.field(second)
        return issue(
            second,
            "date_order",
            f"{fb.label.en} ({b.isoformat()}) is before {fa.label.en} ({a.isoformat()})",
        )
    return None


def _days_in_period(spec: FormSpec, check: Check, v: dict[str, Any]) -> Issue | None:
    days_name, start_name, end_name = check.fields[:3]
    days, start, end = v.get(days_name), v.get(start_name), v.get(end_name)
    if not (isinstance(days, int) and isinstance(start, date) and isinstance(end, date)):
        return None
    if end < start:
        return None  # date_order reports it
    span = (end - start).days + 1
    if days > span:
        return issue(
            days_name,
            "days_in_period",
            f"{days} days of activity, but {start.isoformat()} to {end.isoformat()} "
            f"is {span} day{'s' if span != 1 else ''}",
        )
    return None


def _min_when(spec: FormSpec, check: Check, v: dict[str, Any]) -> Issue | None:
    name = check.fields[0]
    if check.when_field is None or v.get(check.when_field) != check.when_equals:
        return None
    value, field = v.get(name), spec.field(name)
    when = f"{spec.field(check.when_field).label.en} {check.when_equals}"
    if value is None:
        return issue(name, "required_when", f"{field.label.en} is required for {when}")
    if check.min is not None and value < check.min:
        return issue(
            name, "below_min_when", f"{field.label.en}: {value}, at least {check.min} for {when}"
        )
    return None


def _sum_equals(spec: FormSpec, check: Check, v: dict[str, Any]) -> Issue | None:
    total_name, *items = check.fields
    total = v.get(total_name)
    if total is None or any(name not in v for name in items):
        return None  # a missing total is `required`; a bad row has its own issue
    summed = sum((Decimal(v[name]) for name in items if v[name] is not None), Decimal(0))
    if summed != total:
        return issue(
            total_name,
            "sum_mismatch",
            f"{spec.field(total_name).label.en} is {total}, the rows add up to {summed}",
        )
    return None


def _requires(spec: FormSpec, check: Check, v: dict[str, Any]) -> Issue | None:
    target, *conditions = check.fields
    if target not in v or v[target] not in (None, False):
        return None
    given = [name for name in conditions if v.get(name) not in (None, False)]
    if given:
        return issue(
            target,
            "required_with",
            f"{spec.field(target).label.en} is required when "
            f"{spec.field(given[0]).label.en} is filled in",
        )
    return None


RULES: dict[str, Callable[[FormSpec, Check, dict[str, Any]], Issue | None]] = {
    "date_order": _date_order,
    "days_in_period": _days_in_period,
    "min_when": _min_when,
    "sum_equals": _sum_equals,
    "requires": _requires,
}


def validate(spec: FormSpec, raw: dict[str, Any]) -> tuple[dict[str, Any], list[Issue]]:
    """Type every field of ``raw`` and run the spec's checks; return (values, issues).

    Values hold every data field of the spec (None when empty); a field that fails its
    own check keeps its cleaned text so the reviewer sees what was written.
    """
    values: dict[str, Any] = {}
    typed: dict[str, Any] = {}  # only the fields that passed their own checks
    issues: list[Issue] = []
    for field in spec.fields:
        if field.type == "signature":
            continue
        try:
            value = type_value(field, raw.get(field.name))
        except ValueError as exc:
            text = clean_text(raw.get(field.name), field.lang)
            values[field.name] = text
            issues.append(issue(field.name, _TYPE_CODES[field.type], f"{field.label.en}: {exc}"))
            continue
        values[field.name] = value
        if value is None or (field.type == "checkbox" and value is False):
            if field.required:
                issues.append(issue(field.name, "required", f"{field.label.en} is required"))
            typed[field.name] = value
            continue
        bound = _bound_issue(field, value)
        if bound:
            issues.append(bound)
            continue
        typed[field.name] = value
    flagged = {i["field"] for i in issues}
    for check in spec.checks:
        found = RULES[check.rule](spec, check, typed)
        if found and found["field"] not in flagged:
            issues.append(found)
            flagged.add(found["field"])
    return {k: _jsonable(v) for k, v in values.items()}, issues


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value

"""Turn pydantic's errors into problems a person can act on."""

from __future__ import annotations

import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from docgen.domain.common import CONTROL_MESSAGE, DATE_RANGE_MESSAGE
from docgen.domain.reasons import DOMAIN_MESSAGES
from docgen.errors import InvalidInput, Problem, pointer

M = TypeVar("M", bound=BaseModel)

# pydantic error type -> plain words; {ctx} keys are filled from the error's context.
_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a known field",
    "string_type": "must be text",
    "string_too_short": "must not be empty",
    "string_too_long": "must be at most {max_length} characters",
    "string_pattern_mismatch": "has the wrong format",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "decimal_type": "must be a number",
    "decimal_parsing": "must be a number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "date_type": "must be a date (YYYY-MM-DD)",
    "date_parsing": "must be a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "must be a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "must be a date without a time",
    "datetime_type": "must be a date and time (YYYY-MM-DDTHH:MM)",
    "datetime_parsing": "must be a date and time (YYYY-MM-DDTHH:MM)",
    "datetime_from_date_parsing": "must be a date and time (YYYY-MM-DDTHH:MM)",
    "list_type": "must be a list",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "greater_than": "must be greater than {gt}",
    "greater_than_equal": "must be at least {ge}",
    "less_than": "must be less than {lt}",
    "less_than_equal": "must be at most {le}",
    "too_short": "must have at least {min_length} item(s)",
    "too_long": "must have at most {max_length} item(s)",
    "decimal_max_places": "must have at most {decimal_places} decimals",
    "enum": "must be one of {expected}",
    "literal_error": "must be one of {expected}",
    # Not a pydantic type: the message of ``docgen.domain.common.allowed_text``.
    "control_character": CONTROL_MESSAGE,
    "date_range": DATE_RANGE_MESSAGE,
    # The domain's own reasons (docgen.domain.reasons).
    **DOMAIN_MESSAGES,
}


def problems_from(exc: ValidationError, prefix: str = "") -> list[Problem]:
    """Convert a pydantic ``ValidationError`` into problems with JSON pointers."""
    found: list[Problem] = []
    for err in exc.errors(include_url=False):
        # Union members and function validators add path entries that are not fields.
        loc = [p for p in err["loc"] if not (isinstance(p, str) and _is_internal(p))]
        where = prefix + pointer(*loc)
        kind = err["type"]
        code: str | None = None
        params: dict[str, str] = {}
        if kind == "value_error":
            message = str(err.get("ctx", {}).get("error", err["msg"]))
            # A model validator names the field it concerns as "field: message".
            field, sep, rest = message.partition(": ")
            if sep and _FIELD.fullmatch(field):
                where += pointer(*field.split("."))
                message = rest
        elif kind in _MESSAGES:
            # pydantic quotes what it lists ('a', 'b'); the domain's own values are as given.
            plain = str if kind in DOMAIN_MESSAGES else _plain
            ctx = {k: plain(v) for k, v in (err.get("ctx") or {}).items()}
            # A model validator of docgen's own names the field it concerns in "field".
            field = ctx.pop("field", "")
            try:
                message = _MESSAGES[kind].format(**ctx)
                code, params = kind, ctx
            except (KeyError, IndexError):
                message = err["msg"]
            if field and _FIELD.fullmatch(field):
                where += pointer(*field.split("."))
            elif field:
                message, code, params = f"{field}: {message}", None, {}
        else:
            message = err["msg"]
        problem = Problem(where, message, code, params)
        if problem not in found:
            found.append(problem)
    return found


_FIELD = re.compile(r"[a-z_][a-z0-9_]*(\.[a-z0-9_]+)*")


def _is_internal(part: str) -> bool:
    return part.startswith(("function-", "tagged-union", "json-or-python")) or "[" in part


def _plain(value: Any) -> str:
    text = str(value)
    return text.replace("'", "")


def validate(model: type[M], data: Any, prefix: str = "") -> M:
    """Validate ``data`` as ``model`` or raise ``InvalidInput`` listing every problem."""
    if not isinstance(data, dict):
        raise InvalidInput.at(prefix or "", "must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(problems_from(exc, prefix)) from exc

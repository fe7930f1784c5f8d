"""What several views share: reading a JSON body into a model."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from typing import Any, TypeVar

from flask import request
from pydantic import BaseModel

from docgen.documents.tabular import too_deep
from docgen.documents.xlsxguard import LIMITS
from docgen.domain.validation import validate
from docgen.errors import InvalidInput, MalformedInput, TooLarge, UnsupportedMedia

M = TypeVar("M", bound=BaseModel)


def _refuse_cut_body(raw: bytes) -> None:
    """413 for a chunked body past MAX_CONTENT_LENGTH: Werkzeug stops reading at the limit
    and hands over what it read, which would then be answered as broken JSON (400)."""
    limit = request.max_content_length
    if (
        request.content_length is None
        and limit is not None
        and len(raw) >= limit
        and request.environ["wsgi.input"].read(1)
    ):
        raise TooLarge(f"the body is larger than {limit} bytes", limit=limit)


def raw_json() -> Any:
    """The request body as JSON (numbers with a fraction as Decimal, like the CLI)."""
    if not request.is_json:
        raise UnsupportedMedia("send the body as application/json")
    raw = request.get_data(cache=True)
    _refuse_cut_body(raw)
    try:
        data = json.loads(raw.decode("utf-8-sig"), parse_float=Decimal)
    except UnicodeDecodeError as exc:
        raise MalformedInput.at("", "the body is not UTF-8") from exc
    except json.JSONDecodeError as exc:
        raise MalformedInput.at(
            "", f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from exc
    except RecursionError as exc:
        raise MalformedInput.at("", "the JSON is nested too deeply") from exc
    except ValueError as exc:  # an integer past sys.get_int_max_str_digits() (4300)
        raise MalformedInput.at(
            "", f"not valid JSON: a number has more than {sys.get_int_max_str_digits()} digits"
        ) from exc
    if too_deep(data, LIMITS.json_depth):
        raise MalformedInput.at(
            "", f"the JSON is nested too deeply (at most {LIMITS.json_depth} levels)"
        )
    return data


def json_body(model: type[M] | None) -> Any:
    """The JSON body validated as ``model`` (every problem with its pointer), or as is."""
    data = raw_json()
    if model is None:
        if not isinstance(data, dict):
            raise InvalidInput.at("", "must be a JSON object")
        return data
    return validate(model, data)


def int_arg(name: str, default: int, low: int, high: int) -> int:
    """A whole-number query argument between ``low`` and ``high`` (``?page=``), named in errors."""
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise MalformedInput.at(f"/{name}", "must be a whole number") from None
    if not low <= value <= high:
        raise InvalidInput.at(f"/{name}", f"must be between {low} and {high}")
    return value

"""What several views share: reading a JSON body into a model."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, TypeVar

from flask import request
from pydantic import BaseModel

from docgen.domain.validation import validate
from docgen.errors import InvalidInput, MalformedInput, UnsupportedMedia

M = TypeVar("M", bound=BaseModel)


def raw_json() -> Any:
    """The request body as JSON (numbers with a fraction as Decimal, like the CLI)."""
    if not request.is_json:
        raise UnsupportedMedia("send the body as application/json")
    raw = request.get_data(cache=True)
    try:
        return json.loads(raw.decode("utf-8-sig"), parse_float=Decimal)
    except UnicodeDecodeError as exc:
        raise MalformedInput.at("", "the body is not UTF-8") from exc
    except json.JSONDecodeError as exc:
        raise MalformedInput.at(
            "", f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from exc
    except RecursionError as exc:
        raise MalformedInput.at("", "the JSON is nested too deeply") from exc


def json_body(model: type[M] | None) -> Any:
    """The JSON body validated as ``model`` (every problem with its pointer), or as is."""
    data = raw_json()
    if model is None:
        if not isinstance(data, dict):
            raise InvalidInput.at("", "must be a JSON object")
        return data
    return validate(model, data)

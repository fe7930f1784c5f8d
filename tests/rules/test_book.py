"""The test book: every case of ``tests/rules/cases/*.yaml`` through the rules the CLI, the
API and the documents use. See ``tests/rules/cases/README.md``."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from docgen.domain.grant import QuoteRequest
from docgen.domain.validation import validate
from docgen.errors import InvalidInput
from docgen.rules.grants import quote_grant, quote_to_json
from docgen.rules.selection import rank_candidates

CASES = Path(__file__).parent / "cases"


def _load() -> list[Any]:
    found = []
    for path in sorted(CASES.glob("*.yaml")):
        book = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in book["cases"]:
            found.append(pytest.param(path.stem, book.get("bases", {}), case, id=case["id"]))
    return found


def _merge(base: dict, over: dict) -> dict:
    merged = copy.deepcopy(base)
    merged.update(copy.deepcopy(over))
    return merged


def _answer(kind: str, data: dict) -> dict:
    if kind == "grants":
        return quote_to_json(quote_grant(validate(QuoteRequest, data)))
    return rank_candidates(data)


def _at(answer: Any, path: str) -> Any:
    value = answer
    for part in path.split("."):
        if isinstance(value, list):
            if part.isdigit():
                index = int(part)
                value = value[index] if index < len(value) else None
            else:  # a candidate (or place) by its id
                value = next((v for v in value if v.get("id") == part), None)
        elif isinstance(value, dict):
            assert part in value, f"{path}: no '{part}' in the answer"
            value = value[part]
        else:
            return None
    return value


@pytest.mark.parametrize(("kind", "bases", "case"), _load())
def test_case(kind: str, bases: dict, case: dict) -> None:
    assert case.get("proves"), "every case names the article or section it proves"
    data = _merge(bases.get(case.get("base"), {}), case.get("quote") or case.get("selection") or {})
    data = {k: v for k, v in data.items() if v is not None}
    if "error" in case:
        with pytest.raises(InvalidInput) as caught:
            _answer(kind, data)
        problems = [str(p) for p in caught.value.problems]
        assert any(case["error"] in p for p in problems), problems
        return
    answer = _answer(kind, data)
    for path, expected in case["expect"].items():
        assert _at(answer, path) == expected, f"{case['id']}: {path}"

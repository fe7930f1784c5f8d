"""The rules give their reasons as codes with parameters, beside the English sentence, so
that each door (CLI, API, pages) can say them in its own language."""

from __future__ import annotations

import pytest

from docgen.domain.grant import QuoteRequest
from docgen.domain.validation import validate
from docgen.errors import InvalidInput
from docgen.rules.grants import quote_grant, quote_to_json

PORTO = {"city": "Porto", "country": "PT"}
TIMISOARA = {"city": "Timișoara", "country": "RO"}


def _quote(**over: object) -> dict:
    fields = {
        "activity": "STT",
        "direction": "outgoing",
        "call": "ka131-2024",
        "origin": TIMISOARA,
        "destination": PORTO,
        "start": "2026-05-04",
        "end": "2026-05-08",
        "travel_days": 2,
        **over,
    }
    return quote_to_json(quote_grant(validate(QuoteRequest, fields)))


def test_a_final_grant_not_paid_gives_its_reason_as_a_code():
    final = _quote(actual={"start": "2026-05-04", "end": "2026-05-04"})["final"]
    assert final["eligible"] is False
    assert final["reason_code"] == "duration_out_of_range"
    params = final["reason_params"]
    assert params["activity"] == "STT" and params["article"] in final["reason"]
    assert params["limits"] in final["reason"] and params["lasts"] in final["reason"]


def test_a_paid_final_grant_has_no_reason_code():
    final = _quote(actual={"start": "2026-05-04", "end": "2026-05-08"})["final"]
    assert final["eligible"] is True
    assert final["reason_code"] is None and final["reason_params"] == {}
    assert final["cap_reason_code"] is None


def test_a_duration_problem_carries_its_code():
    with pytest.raises(InvalidInput) as caught:
        _quote(end="2026-05-04")
    [problem] = [p for p in caught.value.problems if p.pointer == "/end"]
    assert problem.code == "duration_out_of_range"
    assert problem.params["activity"] == "STT"

"""Invalid payloads are refused with pointers to the fields at fault."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from docgen.documents.kinds import KINDS
from docgen.errors import InvalidInput

ROOT = Path(__file__).resolve().parents[2]


def load(name: str) -> dict:
    return json.loads((ROOT / "samples" / f"{name}.json").read_text(encoding="utf-8"))


def problems(kind: str, data: dict) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        KINDS[kind].validate(data)
    return [str(p) for p in caught.value.problems]


def changed(name: str, path: str, value) -> dict:
    data = copy.deepcopy(load(name))
    node = data
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if value is KeyError:
        del node[parts[-1]]
    elif isinstance(node, list):
        node[int(parts[-1])] = value
    else:
        node[parts[-1]] = value
    return data


@pytest.mark.parametrize(
    ("kind", "path", "value", "expected"),
    [
        (
            "certificate_of_attendance",
            "participant.family_name",
            KeyError,
            "/participant/family_name: is required",
        ),
        ("certificate_of_attendance", "end", "2026-11-01", "/end: must not be before start"),
        (
            "certificate_of_attendance",
            "teaching_hours",
            None,
            "/teaching_hours: is required for a teaching mobility",
        ),
        (
            "certificate_of_attendance",
            "sending.country",
            "Serbia",
            "/sending/country: has the wrong format",
        ),
        (
            "financial_contract",
            "participant.cnp",
            "1234567890123",
            "/participant/cnp: is not a valid Romanian CNP",
        ),
        ("financial_contract", "bank.iban", "RO00XXXX", "/bank/iban: is not a valid IBAN"),
        (
            "financial_contract",
            "call.rate_table",
            "ka999",
            "/call/rate_table: unknown call 'ka999'",
        ),
        ("financial_contract", "mobility.end", "2028-01-31", "/mobility/end: a SMS mobility lasts"),
        (
            "financial_contract",
            "mobility.destination",
            {"city": "Atlantis", "country": "PT"},
            "/mobility/destination/city: unknown city",
        ),
        ("financial_contract", "total", "1000.00", "/total: is not a known field"),
        ("learning_agreement", "table_a.0.ects", "six", "/table_a/0/ects: must be a number"),
        ("learning_agreement", "table_a", [], "/table_a: must have at least 1 item(s)"),
        ("learning_agreement", "cefr", "B4", "/cefr: must be one of"),
        (
            "learning_agreement",
            "receiving.contact",
            None,
            "/receiving/contact: is required on a learning agreement",
        ),
        (
            "selection_minutes",
            "selection.candidates.0.scores.grade",
            25,
            "/selection/candidates/0/scores/grade: must be between 0 and 20",
        ),
        (
            "selection_minutes",
            "selection.criteria_set",
            "nope",
            "/selection/criteria_set: unknown criteria set 'nope'",
        ),
        ("selection_minutes", "committee", [], "/committee: must have at least 2 item(s)"),
    ],
)
def test_invalid_payload_names_the_field(kind, path, value, expected):
    found = problems(kind, changed(kind, path, value))
    assert any(p.startswith(expected) for p in found), found

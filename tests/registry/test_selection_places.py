"""selection rank takes its places from the agreements when they are not typed."""

from __future__ import annotations

import pytest

from docgen.errors import InvalidInput
from docgen.operations.registry import import_seeds, selection_places
from docgen.rules.selection import rank_candidates
from docgen.store import registry as store

SCORES = {"grade": 18, "language": "B2", "motivation": 15, "interview": 25}


@pytest.fixture
def agreements(session):
    import_seeds(session, None)
    ids = {}
    for name in ("University of Nis", "Novi Sad"):
        partner = store.list_institutions(session, text=name)[0][0]
        ids[name] = store.list_agreements(
            session, institution_id=partner.id, agreement_type="ka107"
        )[0].id
    return ids


def _request(ids, candidates):
    return {
        "criteria_set": "incoming-students",
        "published_at": "2026-03-10T12:00:00",
        "agreements": ids,
        "candidates": candidates,
    }


def test_places_per_partner_field_and_level_come_from_the_call(session, agreements):
    nis, novi_sad = agreements["University of Nis"], agreements["Novi Sad"]
    filled = selection_places(session, _request([nis, novi_sad], [{"id": "a", "scores": SCORES}]))
    places = {p["id"]: p for p in filled["places"]}
    assert set(places) == {
        f"A{nis}-0712-EQF8",
        f"A{nis}-0715-EQF6",
        f"A{novi_sad}-0715-EQF6",
        f"A{novi_sad}-0715-EQF7",
    }
    assert places[f"A{nis}-0712-EQF8"] == {
        "id": f"A{nis}-0712-EQF8",
        "label": "University of Niš · 0712 · EQF 8",
        "places": 1,
    }


def test_the_ranking_fills_the_agreements_places(session, agreements):
    nis = agreements["University of Nis"]
    place = f"A{nis}-0715-EQF6"
    candidates = [
        {"id": "a", "scores": SCORES, "preferences": [place]},
        {"id": "b", "scores": {**SCORES, "interview": 20}, "preferences": [place]},
    ]
    result = rank_candidates(selection_places(session, _request([nis], candidates)))
    allocated = {c["id"]: c.get("allocated") for c in result["candidates"]}
    assert allocated["a"] == place and allocated["b"] is None  # one place: the first takes it


def test_agreements_without_places_or_both_ways_are_refused(session, agreements):
    nis = agreements["University of Nis"]
    with pytest.raises(InvalidInput) as exc:
        selection_places(
            session, {**_request([nis, 99999], []), "criteria_set": "incoming-students"}
        )
    assert str(exc.value.problems[0]) == "/agreements/1: no agreement 99999"
    with pytest.raises(InvalidInput) as exc:
        selection_places(session, {**_request([nis], []), "places": []})
    assert exc.value.problems[0].pointer == "/agreements"
    with pytest.raises(InvalidInput) as exc:
        selection_places(session, {**_request([nis], []), "criteria_set": "outgoing-students"})
    assert "has no outgoing places" in str(exc.value.problems[0])

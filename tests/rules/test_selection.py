"""Selection: points, strict ranking, tie-breaks, thresholds, allocation, deadlines, errors.

Sources: erasmus-regulation-ro Art. 10-14, 53-56, 70-74; incoming-mobility-call.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime
from decimal import Decimal

import pytest

from docgen.domain.selection import SelectionInput
from docgen.errors import InvalidInput, NotFound
from docgen.rules.selection import (
    add_months,
    criteria_sets,
    criterion_points,
    load_criteria_set,
    rank_candidates,
    rank_selection,
)

PUBLISHED = "2026-03-10T12:00:00"

EXAMPLE = {
    "criteria_set": "incoming-students",
    "published_at": PUBLISHED,
    "places": [{"id": "RS-NS-0715", "label": "University of Novi Sad, 0715", "places": 1}],
    "candidates": [
        {
            "id": "c1",
            "name": "Ana Pop",
            "scores": {"grade": 18.5, "language": "B2", "motivation": 15, "interview": 25},
            "preferences": ["RS-NS-0715"],
            "ranking_position": 3,
            "eligible": True,
            "early_career": False,
        }
    ],
}


def student(cid, grade=15, language="B2", motivation=15, interview=20, **extra):
    scores = {
        "grade": grade,
        "language": language,
        "motivation": motivation,
        "interview": interview,
    }
    return {"id": cid, "scores": scores, "preferences": extra.pop("preferences", ["A"]), **extra}


def staff(cid, internationalisation=5, previous=0, duties=5, objectives=20, **extra):
    scores = {
        "internationalisation": internationalisation,
        "previous_mobilities": previous,
        "duties_fit": duties,
        "objectives_fit": objectives,
    }
    if "bonus" in extra:
        scores["international_week"] = extra.pop("bonus")
    return {"id": cid, "scores": scores, "preferences": extra.pop("preferences", ["A"]), **extra}


def selection(criteria_set, candidates, places=(("A", 1),), published_at=PUBLISHED):
    return {
        "criteria_set": criteria_set,
        "published_at": published_at,
        "places": [{"id": pid, "label": f"Place {pid}", "places": n} for pid, n in places],
        "candidates": candidates,
    }


def by_id(result):
    return {c["id"]: c for c in result["candidates"]}


def order(result):
    return [c["id"] for c in result["candidates"]]


# --------------------------------------------------------------------------------------------
# Criteria sets (data)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("set_id", "max_total", "threshold", "appeal_hours"),
    [
        ("incoming-students", 100, None, 48),  # incoming-mobility-call
        ("incoming-staff", 100, None, 48),  # incoming-mobility-call
        ("outgoing-sta", 64, 32, 24),  # Art. 53 e: 32 points = 50 % of 64; Art. 54
        ("outgoing-stt", 74, 32, 24),  # Art. 70 e-f: 64 + 10 bonus; Art. 71
        ("outgoing-students", 20, None, 24),  # Art. 10, 14
    ],
)
def test_criteria_sets(set_id, max_total, threshold, appeal_hours):
    criteria = load_criteria_set(set_id)
    assert criteria.id == set_id
    assert criteria.max_total == max_total
    assert (criteria.threshold.points if criteria.threshold else None) == threshold
    assert criteria.appeal_hours == appeal_hours
    assert load_criteria_set(set_id) is criteria  # cached


def test_every_data_file_is_listed_and_romanian_uses_comma_below():
    assert criteria_sets() == [
        "incoming-staff",
        "incoming-students",
        "outgoing-sta",
        "outgoing-stt",
        "outgoing-students",
    ]
    for set_id in criteria_sets():
        criteria = load_criteria_set(set_id)
        texts = [criteria.title.ro] + [c.label_ro for c in criteria.criteria]
        assert not any(ch in text for text in texts for ch in "şţŞŢ"), set_id


def test_unknown_criteria_set_is_not_found():
    with pytest.raises(NotFound, match="unknown criteria set 'nope'"):
        load_criteria_set("nope")


@pytest.mark.parametrize(
    ("set_id", "key", "value", "points"),
    [
        ("incoming-students", "language", "A1", 10),
        ("incoming-students", "language", "C2", 20),
        ("incoming-students", "language", "B1", 14),
        ("incoming-students", "grade", Decimal("18.5"), Decimal("18.5")),
        ("outgoing-sta", "previous_mobilities", 0, 6),  # Art. 53 b
        ("outgoing-sta", "previous_mobilities", 1, 5),
        ("outgoing-sta", "previous_mobilities", 6, 0),
        ("outgoing-sta", "previous_mobilities", 9, 0),  # never below 0
        ("outgoing-stt", "international_week", True, 10),  # Art. 70 e
        ("outgoing-stt", "international_week", False, 0),
    ],
)
def test_criterion_points(set_id, key, value, points):
    assert criterion_points(load_criteria_set(set_id).criterion(key), value) == points


# --------------------------------------------------------------------------------------------
# Ranking and allocation
# --------------------------------------------------------------------------------------------


def test_example_from_the_contract():
    result = rank_candidates(copy.deepcopy(EXAMPLE))
    json.dumps(result)  # ready for JSON as is
    (c1,) = result["candidates"]
    assert c1["total"] == 74.5  # 18.5 + 16 (B2) + 15 + 25
    assert c1["points"] == {"grade": 18.5, "language": 16.0, "motivation": 15.0, "interview": 25.0}
    assert (c1["rank"], c1["status"], c1["allocated"], c1["reason"]) == (
        1,
        "admitted",
        "RS-NS-0715",
        None,
    )
    assert result["lists"] == {"admitted": ["c1"], "reserve": [], "rejected": [], "withdrawn": []}
    assert result["appeal_deadline"] == "2026-03-12T12:00:00"
    assert result["final_results_at"] == "2026-03-12T12:00:00"
    assert result["confirmation_deadline"] == "2026-03-17T12:00:00"  # Art. 13(1)
    assert [c["key"] for c in result["criteria"]] == [
        "grade",
        "language",
        "motivation",
        "interview",
    ]
    assert result["criteria"][1]["label_ro"] == "Competențe lingvistice"
    assert result["criteria"][1]["max"] == 30.0
    assert result["places"] == [
        {
            "id": "RS-NS-0715",
            "label": "University of Novi Sad, 0715",
            "places": 1,
            "taken": 1,
            "free": 0,
        }
    ]


@pytest.mark.parametrize(
    ("candidates", "expected_order"),
    [
        # equal totals (66): the better academic ranking position wins (call §1 e)
        ([student("a", ranking_position=5), student("b", ranking_position=2)], ["b", "a"]),
        # no ranking position comes after one with a position
        ([student("a"), student("b", ranking_position=9)], ["b", "a"]),
        # nothing separates them: the order of the input
        ([student("a"), student("b")], ["a", "b"]),
        ([student("a", ranking_position=4), student("b", ranking_position=4)], ["a", "b"]),
        # the total comes first, whatever the ranking position
        (
            [student("a", ranking_position=1), student("b", grade=15.5, ranking_position=8)],
            ["b", "a"],
        ),
    ],
)
def test_incoming_students_tie_broken_by_academic_ranking(candidates, expected_order):
    result = rank_candidates(selection("incoming-students", candidates))
    assert order(result) == expected_order
    assert [c["rank"] for c in result["candidates"]] == [1, 2]  # ranks are never shared
    assert result["lists"]["admitted"] == expected_order[:1]
    assert result["lists"]["reserve"] == expected_order[1:]


def test_outgoing_students_tie_broken_by_interview():
    # Art. 11: students are separated by the interview; Art. 12: strictly descending total.
    candidates = [
        {"id": "a", "scores": {"language": 9, "interview": 7}, "preferences": ["A"]},
        {"id": "b", "scores": {"language": 7, "interview": 9}, "preferences": ["A"]},
        {"id": "c", "scores": {"language": 9.5, "interview": 9}, "preferences": ["A"]},
    ]
    result = rank_candidates(selection("outgoing-students", candidates))
    assert order(result) == ["c", "b", "a"]
    assert by_id(result)["c"]["total"] == 18.5


@pytest.mark.parametrize(
    ("objectives", "early_career", "status", "reason"),
    [
        (10, False, "rejected", "below the threshold of 32 points"),  # 5+6+5+10 = 26
        # early-career staff are exempt (Art. 53 e), and the minutes say so
        (
            10,
            True,
            "admitted",
            "below 32 points, admitted as staff in their first 2 years (early-career exception)",
        ),
        (15, False, "rejected", "below the threshold of 32 points"),  # 31
        (16, False, "admitted", None),  # exactly 32
    ],
)
def test_sta_threshold(objectives, early_career, status, reason):
    candidate = staff("s1", objectives=objectives, early_career=early_career)
    result = rank_candidates(selection("outgoing-sta", [candidate]))
    (s1,) = result["candidates"]
    assert (s1["status"], s1["reason"]) == (status, reason)
    assert s1["rank"] == 1  # the rejected are ranked too, for the minutes
    if status == "rejected":
        assert s1["reason_ro"] == "punctaj sub pragul de 32 de puncte"
        assert s1["allocated"] is None
        assert result["lists"]["rejected"] == ["s1"]


def test_stt_bonus_changes_the_order():
    # Art. 70 e: +10 points for UTT's International Week; Art. 70 f: bonus holders first.
    candidates = [
        staff("a", objectives=25),  # 5+6+5+25 = 41
        staff("b", objectives=20, bonus=True),  # 36 + 10 = 46
        staff("c", objectives=30),  # 46, no bonus: after b at equal total
    ]
    result = rank_candidates(selection("outgoing-stt", candidates))
    assert order(result) == ["b", "c", "a"]
    assert [by_id(result)[i]["total"] for i in "bca"] == [46.0, 46.0, 41.0]
    assert by_id(result)["b"]["points"]["international_week"] == 10.0
    assert result["lists"] == {
        "admitted": ["b"],
        "reserve": ["c", "a"],
        "rejected": [],
        "withdrawn": [],
    }
    # Without the bonus (given up, Art. 70 e) b drops to last.
    candidates[1]["scores"]["international_week"] = False
    assert order(rank_candidates(selection("outgoing-stt", candidates))) == ["c", "a", "b"]


def test_a_reserve_moves_up_when_an_admitted_candidate_withdraws():
    candidates = [student("a", grade=18), student("b", grade=17), student("c", grade=16)]
    before = rank_candidates(selection("incoming-students", candidates))
    assert before["lists"] == {
        "admitted": ["a"],
        "reserve": ["b", "c"],
        "rejected": [],
        "withdrawn": [],
    }
    assert by_id(before)["b"]["reason"] == "no place left in the preferred destinations"

    candidates[0]["withdrawn"] = True  # Art. 13(2)b: the place goes to the first reserve
    after = rank_candidates(selection("incoming-students", candidates))
    assert after["lists"] == {
        "admitted": ["b"],
        "reserve": ["c"],
        "rejected": [],
        "withdrawn": ["a"],
    }
    a = by_id(after)["a"]
    assert (a["rank"], a["status"], a["reason"], a["allocated"]) == (
        1,
        "withdrawn",
        "gave up the place in writing",
        None,
    )
    assert by_id(after)["b"]["allocated"] == "A"
    assert by_id(after)["b"]["reason"] == "admitted from the reserve list to the place freed by a"


def test_preferences_and_reasons():
    candidates = [
        student("a", grade=20, preferences=["X"]),
        student("b", grade=19, preferences=["X", "Y"]),  # X is full: second preference
        student("c", grade=18, preferences=["X", "Y"]),  # both full: reserve
        student("d", grade=17, preferences=[]),  # no destination: reserve
        student("e", grade=16, preferences=["Y"]),  # Y is full: reserve
        student("f", grade=19.5, preferences=["X"], eligible=False),
        student("g", grade=15, preferences=["Z"]),
    ]
    result = rank_candidates(
        selection("incoming-students", candidates, places=[("X", 1), ("Y", 1), ("Z", 0)])
    )
    assert order(result) == ["a", "f", "b", "c", "d", "e", "g"]
    seen = {c["id"]: (c["status"], c["allocated"], c["reason"]) for c in result["candidates"]}
    assert seen == {
        "a": ("admitted", "X", None),
        "f": ("rejected", None, "not eligible"),
        "b": ("admitted", "Y", None),
        "c": ("reserve", None, "no place left in the preferred destinations"),
        "d": ("reserve", None, "no destination chosen"),
        "e": ("reserve", None, "no place left in the preferred destinations"),
        "g": ("reserve", None, "no place left in the preferred destinations"),
    }
    assert result["lists"] == {
        "admitted": ["a", "b"],
        "reserve": ["c", "d", "e", "g"],
        "rejected": ["f"],
        "withdrawn": [],
    }
    assert by_id(result)["b"]["allocated_label"] == "Place Y"
    assert by_id(result)["c"]["status_ro"] == "rezervă"
    # The incoming call: a board named by the Rector decides appeals, no "last admitted" rule.
    assert result["last_admitted_total"] is None and result["appeal_rule"] == "board"


def test_typed_entry_checks_and_ranks_a_model():
    model = SelectionInput.model_validate(copy.deepcopy(EXAMPLE))
    result = rank_selection(model)
    assert result.candidates[0].total == 74.5
    model.candidates[0].scores["grade"] = 25
    with pytest.raises(InvalidInput) as caught:
        rank_selection(model)
    assert [str(p) for p in caught.value.problems] == [
        "/candidates/0/scores/grade: must be between 0 and 20"
    ]


# --------------------------------------------------------------------------------------------
# Deadlines
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("set_id", "candidate", "published_at", "appeal", "confirmation"),
    [
        # incoming-mobility-call: 48 h; confirmation 5 days (Art. 13(1), office practice)
        (
            "incoming-students",
            student("a"),
            PUBLISHED,
            "2026-03-12T12:00:00",
            "2026-03-17T12:00:00",  # 5 days after the final results (Art. 13(1))
        ),
        # 48 h; staff: the host's invitation within 2 months (Art. 56, 74, office practice)
        (
            "incoming-staff",
            {
                "id": "a",
                "scores": {
                    "interview": 20,
                    "programme": 20,
                    "compatibility": 20,
                    "prior_cooperation": 5,
                },
            },
            PUBLISHED,
            "2026-03-12T12:00:00",
            "2026-05-12T12:00:00",
        ),
        # Art. 54: 24 h; Art. 56: 2 months; the offset is kept
        (
            "outgoing-sta",
            staff("a"),
            "2026-03-10T12:00:00+02:00",
            "2026-03-11T12:00:00+02:00",
            "2026-05-16T12:00:00+02:00",  # appeal + the commission's 5 days + 2 months
        ),
        # Art. 71 and 74; 31 December + 2 months = the last day of February
        (
            "outgoing-stt",
            staff("a"),
            "2025-12-31T09:30:00",
            "2026-01-01T09:30:00",
            "2026-03-06T09:30:00",
        ),
        # Art. 14: 24 h; Art. 13(1): 5 days
        (
            "outgoing-students",
            {"id": "a", "scores": {"language": 8, "interview": 8}},
            "2026-06-30T16:00:00",
            "2026-07-01T16:00:00",
            "2026-07-06T16:00:00",
        ),
    ],
)
def test_deadlines(set_id, candidate, published_at, appeal, confirmation):
    result = rank_candidates(selection(set_id, [candidate], published_at=published_at))
    assert (result["appeal_deadline"], result["confirmation_deadline"]) == (appeal, confirmation)
    assert result["published_at"] == published_at


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (datetime(2026, 3, 10), 2, datetime(2026, 5, 10)),
        (datetime(2025, 12, 31), 2, datetime(2026, 2, 28)),
        (datetime(2027, 12, 31), 2, datetime(2028, 2, 29)),
        (datetime(2026, 11, 30), 2, datetime(2027, 1, 30)),
    ],
)
def test_add_months(start, months, end):
    assert add_months(start, months) == end


# --------------------------------------------------------------------------------------------
# Invalid input: every problem, each with its JSON pointer
# --------------------------------------------------------------------------------------------


def problems_of(data):
    with pytest.raises(InvalidInput) as caught:
        rank_candidates(data)
    return [str(p) for p in caught.value.problems]


def test_several_problems_at_once():
    data = selection(
        "incoming-students",
        [
            student("c1", interview=None),
            student("c2", preferences=["X", "A"]),
            student("c3", grade=21, language="D1"),
            student("c1", preferences=["A", "A"]),
        ],
        places=[("A", -1)],
    )
    del data["candidates"][0]["scores"]["interview"]
    data["candidates"][1]["scores"]["charm"] = 5
    assert problems_of(data) == [
        "/places/0/places: must be at least 0",
        "/candidates/0/scores/interview: is required",
        "/candidates/1/scores/charm: is not a known field",
        "/candidates/1/preferences/0: unknown place 'X'",
        "/candidates/2/scores/grade: must be between 0 and 20",
        "/candidates/2/scores/language: must be one of A1, A2, B1, B2, C1, C2",
        "/candidates/3/id: duplicate candidate id 'c1' (first at /candidates/0)",
        "/candidates/3/preferences/1: place 'A' is already listed",
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d.update(criteria_set="x"),
            [
                "/criteria_set: unknown criteria set 'x' (known: incoming-staff, "
                "incoming-students, outgoing-sta, outgoing-stt, outgoing-students)"
            ],
        ),
        (lambda d: d.pop("criteria_set"), ["/criteria_set: is required"]),
        (
            lambda d: d.update(published_at="tomorrow"),
            ["/published_at: must be a date and time (YYYY-MM-DDTHH:MM)"],
        ),
        (lambda d: d.update(candidates=[]), ["/candidates: must have at least 1 item(s)"]),
        (
            lambda d: d["candidates"][0]["scores"].update(grade="high"),
            ["/candidates/0/scores/grade: must be a number"],
        ),
        (
            lambda d: d["candidates"][0]["scores"].update(grade=18.555),
            ["/candidates/0/scores/grade: must have at most 2 decimals"],
        ),
        (
            lambda d: d["candidates"][0]["scores"].update(language="b2"),
            [],  # levels are read case-insensitively
        ),
        (
            lambda d: d["candidates"][0].update(ranking_position=0),
            ["/candidates/0/ranking_position: must be at least 1"],
        ),
        (
            lambda d: d["candidates"][0].update(colour="red"),
            ["/candidates/0/colour: is not a known field"],
        ),
        (
            lambda d: d["places"].append({"id": "RS-NS-0715", "places": 2}),
            ["/places/1/id: duplicate place id 'RS-NS-0715' (first at /places/0)"],
        ),
        (
            lambda d: d["candidates"][0].update(scores=[]),
            ["/candidates/0/scores: must be an object"],
        ),
    ],
)
def test_invalid_input(change, expected):
    data = copy.deepcopy(EXAMPLE)
    change(data)
    if expected:
        assert problems_of(data) == expected
    else:
        assert rank_candidates(data)["candidates"][0]["total"] == 74.5


@pytest.mark.parametrize(
    ("set_id", "scores", "expected"),
    [
        (
            "outgoing-sta",
            {
                "internationalisation": 11,
                "previous_mobilities": -1,
                "duties_fit": 7,
                "objectives_fit": 38,
            },
            [
                "/candidates/0/scores/internationalisation: must be between 0 and 10",
                "/candidates/0/scores/previous_mobilities: must be at least 0",
                "/candidates/0/scores/duties_fit: must be 0, 5 or 10 (erasmus-regulation-ro "
                "Art. 53 c)",
            ],
        ),
        (
            "outgoing-stt",
            {
                "internationalisation": 5,
                "previous_mobilities": 1.5,
                "duties_fit": 5,
                "objectives_fit": 20,
                "international_week": "maybe",
            },
            [
                "/candidates/0/scores/previous_mobilities: must be a whole number",
                "/candidates/0/scores/international_week: must be true or false",
            ],
        ),
    ],
)
def test_invalid_staff_scores(set_id, scores, expected):
    data = selection(set_id, [{"id": "s1", "scores": scores, "preferences": ["A"]}])
    assert problems_of(data) == expected


def test_not_an_object():
    assert problems_of(["nope"]) == ["/: must be a JSON object"]

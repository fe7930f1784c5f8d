"""The selection minutes (proces-verbal de selecție): the committee, the criteria and the
candidates ranked by the rules, with places, reserves, ties and the appeal.

The payload holds raw scores, never ranks: the ranking is computed by the rules.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field

from docgen.documents.context import institution
from docgen.documents.kinds.base import Kind
from docgen.documents.labels import label
from docgen.domain.common import Activity, Institution, Model, NonEmpty
from docgen.domain.mobility import AcademicYear, ProjectCode
from docgen.errors import InvalidInput
from docgen.rules.selection import rank_candidates


class CommitteeMember(Model):
    """A member of the selection committee (erasmus-regulation-ro Art. 9, 50, 66)."""

    name: NonEmpty
    role: Literal["president", "member", "secretary", "observer"]
    position: NonEmpty | None = Field(None, description="e.g. Prorector, departmental coordinator")


class MinutesCall(Model):
    activity: Activity
    academic_year: AcademicYear
    project_code: ProjectCode | None = None
    faculty: NonEmpty | None = None
    title: NonEmpty | None = None


class SelectionMinutes(Model):
    """What the minutes record: RULES.md "What each document holds", Selection minutes.

    ``selection`` is the input of ``docgen selection rank`` (criteria set, publication time,
    places, candidates with raw scores); the ranking, the lists and the deadlines in the
    document are computed from it, so the minutes cannot disagree with the regulation.
    """

    university: Institution = Field(description="The institution holding the selection")
    number: NonEmpty = Field(description="Registration number of the minutes")
    meeting_date: date
    place: NonEmpty = Field(description="Where the committee met")
    call: MinutesCall
    committee: list[CommitteeMember] = Field(min_length=2, max_length=15)
    selection: dict[str, Any] = Field(
        description="Input of the selection ranking: see `docgen selection rank`"
    )


def minutes_ranking(payload: SelectionMinutes) -> dict[str, Any]:
    """Rank the minutes' candidates with the rules; problems point into the minutes.

    The criteria set must be one for the call's activity (a teaching call is not ranked with
    the students' criteria).
    """
    try:
        ranking = rank_candidates(payload.selection)
    except InvalidInput as exc:
        moved = [p.at("/selection" + p.pointer) for p in exc.problems]
        raise InvalidInput(moved) from exc
    activity = payload.call.activity.value
    if activity not in ranking["activities"]:
        raise InvalidInput.at(
            "/selection/criteria_set",
            f"the criteria set {ranking['criteria_set']} ranks "
            f"{', '.join(ranking['activities'])} mobilities; the call is for {activity}",
        )
    return ranking


def selection_minutes_context(payload: SelectionMinutes, lang: str) -> dict[str, Any]:
    ranking = minutes_ranking(payload)
    keys = [c["key"] for c in ranking["criteria"]]
    places = {p["id"]: p for p in ranking["places"]}
    candidates = []
    for c in ranking["candidates"]:
        allocated = places.get(c["allocated"]) if c["allocated"] else None
        candidates.append(
            {
                "rank": c["rank"],
                "id": c["id"],
                "name": c["name"] or c["id"],
                "points": [Decimal(str(c["points"][k])) for k in keys],
                "total": Decimal(str(c["total"])),
                "status": c["status"],
                "status_name": label("status", c["status"], lang),
                "allocated": c["allocated"] or "",
                "allocated_label": (allocated["label"] or allocated["id"]) if allocated else "",
                "reason": (c["reason_ro"] if lang == "ro" else c["reason"]) or "",
                "reason_source": c["reason_source"] or "",
                "tie_break": (c["tie_break_ro"] if lang == "ro" else c["tie_break"]) or "",
                "preferences": ", ".join(c["preferences"]),
            }
        )
    by_status = {
        s: [c for c in candidates if c["status"] == s]
        for s in ("admitted", "reserve", "rejected", "withdrawn")
    }
    threshold = ranking["threshold"]
    return {
        "university": institution(payload.university, lang),
        "number": payload.number,
        "meeting_date": payload.meeting_date,
        "place": payload.place,
        "call": {
            **payload.call.model_dump(),
            "activity": payload.call.activity.value,
            "activity_name": label("activity", payload.call.activity.value, lang),
        },
        "committee": [
            {**m.model_dump(), "role_name": label("role", m.role, lang)} for m in payload.committee
        ],
        "criteria_title": ranking["title"][lang],
        "criteria_source": ranking["source"],
        "criteria": [
            {"key": c["key"], "label": c[f"label_{lang}"], "max": Decimal(str(c["max"]))}
            for c in ranking["criteria"]
        ],
        "max_total": Decimal(str(ranking["max_total"])),
        "threshold": Decimal(str(threshold)) if threshold is not None else None,
        "places": [{**p, "label": p["label"] or p["id"]} for p in ranking["places"]],
        "candidates": candidates,
        "admitted": by_status["admitted"],
        "reserves": by_status["reserve"],
        "rejected": by_status["rejected"],
        "withdrawn": by_status["withdrawn"],
        "tie_break": [t[lang] for t in ranking["tie_break"]],
        "appeal_text": ranking["appeal_text"][lang],
        "appeal_rule": ranking["appeal_rule"],
        "last_admitted_total": ranking["last_admitted_total"],
        "final_results_at": ranking["final_results_at"],
        "published_at": ranking["published_at"],
        "appeal_hours": ranking["appeal_hours"],
        "appeal_deadline": ranking["appeal_deadline"],
        "confirmation_deadline": ranking["confirmation_deadline"],
    }


KIND = Kind(
    "selection_minutes",
    {"ro": "Proces-verbal de selecție", "en": "Selection minutes"},
    SelectionMinutes,
    lambda p, lang, _rates: selection_minutes_context(p, lang),
    lambda p: p.number,
    order=40,
)

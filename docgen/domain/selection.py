"""Selection of candidates for mobilities: the selection input and its result.

The criteria sets are in :mod:`docgen.domain.criteria`. The models here describe the input a
committee sends (places, candidates with their scores and preferences) and the result the
minutes (proces-verbal de selecție) are built from.
The scoring and allocation logic is in :mod:`docgen.rules.selection`.

Sources: erasmus-regulation-ro Art. 10-14 (outgoing students), Art. 53-56 (STA),
Art. 70-74 (STT); incoming-mobility-call, "Selection process" (incoming students and staff).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Literal

from pydantic import (
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from docgen.domain.common import Model, NonEmpty
from docgen.domain.criteria import Bilingual, CriteriaSet, CriterionKind
from docgen.domain.reasons import message
from docgen.domain.validation import problems_from
from docgen.errors import InvalidInput, Problem, pointer

# --------------------------------------------------------------------------------------------
# Input
# --------------------------------------------------------------------------------------------


class PlaceOffer(Model):
    """Places offered at one destination (partner, field code, level), from the agreements."""

    id: NonEmpty = Field(description="Destination id used in preferences, e.g. RS-NS-0715")
    label: NonEmpty | None = Field(None, description="e.g. University of Novi Sad, 0715")
    places: int = Field(ge=0, description="Number of places open for selection")


class Candidate(Model):
    """A candidate with the committee's scores and the destinations wanted, best first."""

    id: NonEmpty
    name: NonEmpty | None = None
    scores: dict[str, Any] = Field(description="criterion key -> input, see the criteria set")
    preferences: list[NonEmpty] = Field(default_factory=list, description="Place ids, best first")
    ranking_position: int | None = Field(
        None, ge=1, description="Place in the academic ranking of the year (incoming students)"
    )
    eligible: bool = True
    early_career: bool = Field(False, description="Staff in their first 2 years (Art. 53 e)")
    withdrawn: bool = Field(False, description="Gave up the place in writing (Art. 13(2)b, 54)")
    confirmed: bool | None = Field(
        None,
        description="false: an admitted student who did not confirm the place within the "
        "term (Art. 13(2)a); the place goes to the first reserve who asked for it",
    )

    @field_validator("scores", mode="before")
    @classmethod
    def _scores_fit_criteria(cls, value: Any, info: ValidationInfo) -> Any:
        criteria = (info.context or {}).get("criteria")
        if criteria is None:
            return value
        # Errors raised here keep their place: /candidates/<i>/scores/<key>.
        return criteria.scores_model().model_validate(value).model_dump()


class SelectionInput(Model):
    """What a committee sends to rank: the criteria set, the publication time, places, people."""

    criteria_set: NonEmpty = Field(description="Id of a criteria set, e.g. incoming-students")
    published_at: datetime = Field(description="When the results are published (appeal start)")
    final_results_at: datetime | None = Field(
        None,
        description="When the final results were published, after the appeals; by default the "
        "end of the appeal window (and of the commission's 5 days for staff)",
    )
    places: list[PlaceOffer] = Field(default_factory=list)
    candidates: list[Candidate] = Field(min_length=1)


def read_selection(
    data: Any, criteria: CriteriaSet | None = None, problems: Iterable[Problem] = ()
) -> SelectionInput:
    """Validate ``data`` (scores against ``criteria`` when known) or raise ``InvalidInput``.

    Every problem is collected: the ones given (e.g. an unknown criteria set), the field
    errors, and the cross-references (unknown or repeated places in preferences, duplicate
    ids), in the order of the document.
    """
    if not isinstance(data, dict):
        raise InvalidInput.at("", "must be a JSON object")
    found = list(problems)
    selection = None
    try:
        selection = SelectionInput.model_validate(data, context={"criteria": criteria})
    except ValidationError as exc:
        found += [p for p in problems_from(exc) if p not in found]
    found += cross_references(data)
    if found or selection is None:
        raise InvalidInput(sorted(found, key=_position))
    return selection


def _problem(where: str, code: str, **params: str) -> Problem:
    return Problem(where, message(code, **params), code, params)


def cross_references(data: dict[str, Any]) -> list[Problem]:
    """Problems between fields of the raw input: duplicate ids, preferences naming no place."""
    found: list[Problem] = []
    places = data.get("places", [])
    place_ids: dict[str, int] = {}
    if isinstance(places, list):
        for i, place in enumerate(places):
            pid = _text(place.get("id")) if isinstance(place, dict) else None
            if pid is None:
                continue
            if pid in place_ids:
                where = pointer("places", place_ids[pid])
                found.append(
                    _problem(pointer("places", i, "id"), "duplicate_place", id=pid, first=where)
                )
            else:
                place_ids[pid] = i
    candidates = data.get("candidates")
    if not isinstance(candidates, list):
        return found
    seen: dict[str, int] = {}
    for i, candidate in enumerate(candidates):
        if not isinstance(candidate, dict):
            continue
        cid = _text(candidate.get("id"))
        if cid is not None:
            if cid in seen:
                where = pointer("candidates", seen[cid])
                found.append(
                    _problem(
                        pointer("candidates", i, "id"), "duplicate_candidate", id=cid, first=where
                    )
                )
            else:
                seen[cid] = i
        preferences = candidate.get("preferences")
        if not isinstance(preferences, list) or not isinstance(places, list):
            continue
        chosen: set[str] = set()
        for j, preference in enumerate(preferences):
            pid = _text(preference)
            if pid is None:
                continue
            where = pointer("candidates", i, "preferences", j)
            if pid not in place_ids:
                found.append(_problem(where, "unknown_place", id=pid))
            elif pid in chosen:
                found.append(_problem(where, "place_listed", id=pid))
            chosen.add(pid)
    return found


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


_FIELD_ORDER = {name: i for i, name in enumerate(SelectionInput.model_fields)}


def _position(problem: Problem) -> tuple[int, int]:
    # Stable sort key: top-level field in model order, then the list index (candidate, place).
    parts = problem.pointer.split("/")[1:]
    if not parts:
        return (-1, -1)
    top = _FIELD_ORDER.get(parts[0], len(_FIELD_ORDER))
    index = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else -1
    return (top, index)


# --------------------------------------------------------------------------------------------
# Result (a dict ready for json.dumps via model_dump())
# --------------------------------------------------------------------------------------------

Status = Literal["admitted", "reserve", "rejected", "withdrawn"]
ReasonCode = Literal[
    "withdrew",
    "not-confirmed",
    "from-reserve",
    "not-eligible",
    "below-threshold",
    "no-place-left",
    "no-destination",
    "early-career",
]


class CriterionInfo(Model):
    """A criterion as the minutes show it."""

    key: str
    label_ro: str
    label_en: str
    kind: CriterionKind
    min: float
    max: float
    source: str | None = None


class PlaceResult(Model):
    id: str
    label: str | None
    places: int
    taken: int
    free: int


class CandidateResult(Model):
    """One candidate's line in the minutes; ``reason`` is null for the admitted."""

    id: str
    name: str | None
    rank: int
    total: float
    points: dict[str, float]
    scores: dict[str, float | int | bool | str]
    preferences: list[str]
    ranking_position: int | None
    eligible: bool
    early_career: bool
    withdrawn: bool
    status: Status
    status_ro: str
    allocated: str | None
    allocated_label: str | None
    confirmed: bool | None = None
    reason: str | None
    reason_ro: str | None
    reason_code: ReasonCode | None
    reason_params: dict[str, float | str] = Field(
        default_factory=dict,
        description="The values the reason quotes: points (a threshold), candidate (freed by)",
    )
    reason_source: str | None = Field(None, description="The article the reason applies")
    tie_break: str | None = Field(
        None, description="At a total equal to a neighbour's: which rule decided the order"
    )
    tie_break_ro: str | None = None


class SelectionLists(Model):
    """The three lists annexed to the minutes (Art. 12), candidate ids in rank order."""

    admitted: list[str]
    reserve: list[str]
    rejected: list[str]
    withdrawn: list[str] = Field(
        default_factory=list, description="Gave the place up or did not confirm it"
    )


class SelectionResult(Model):
    criteria_set: str
    title: Bilingual
    source: str
    criteria: list[CriterionInfo]
    max_total: float
    threshold: float | None
    threshold_exception: str | None
    activities: list[str]
    published_at: str
    appeal_hours: int
    appeal_deadline: str
    appeal_rule: str
    appeal_text: Bilingual
    appeal_source: str | None
    final_results_at: str = Field(description="Final results, after the appeals")
    confirmation_deadline: str = Field(description="Counted from the final results")
    confirmation_source: str | None
    last_admitted_total: float | None = Field(
        description="Students: an appeal succeeds with a higher total than this (Art. 14, 34); "
        "null where the Rector's commission or board decides"
    )
    tie_break: list[Bilingual] = Field(
        default_factory=list, description="The tie-break rules of the set, in order"
    )
    places: list[PlaceResult]
    candidates: list[CandidateResult]
    lists: SelectionLists

"""Selection of candidates for mobilities: criteria sets, the selection input and its result.

A *criteria set* is data (``docgen/rules/data/criteria/<id>.yaml``): which scores a committee
gives, their maxima, how ties are broken, the threshold, the appeal and confirmation terms.
The models here describe that data, the input a committee sends (places, candidates with their
scores and preferences) and the result the minutes (proces-verbal de selecție) are built from.
The scoring and allocation logic is in :mod:`docgen.rules.selection`.

Sources: erasmus-regulation-ro Art. 10-14 (outgoing students), Art. 53-56 (STA),
Art. 70-74 (STT); incoming-mobility-call, "Selection process" (incoming students and staff).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)

from docgen.domain.common import Model, NonEmpty, OptionalText
from docgen.domain.validation import problems_from
from docgen.errors import InvalidInput, Problem, pointer

# --------------------------------------------------------------------------------------------
# Criteria sets (the YAML data files)
# --------------------------------------------------------------------------------------------

CriterionKind = Literal["range", "map", "count", "bonus"]
"""How a criterion turns the committee's input into points.

- ``range``: the input is the points themselves, a number between ``min`` and ``max``
  (at most 2 decimals);
- ``map``: the input is a label (a CEFR level, ``RO``) looked up in ``points``;
- ``count``: the input is a whole number of items (earlier mobilities), points fall from
  ``count.at_zero`` by ``count.per_item`` for each, never below ``count.floor``;
- ``bonus``: the input is true or false; true gives ``max`` points (optional, default false).
"""

CriterionKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]


class Bilingual(Model):
    ro: NonEmpty
    en: NonEmpty


class CountScale(Model):
    """Points for a count: ``max(floor, at_zero - per_item * count)``."""

    at_zero: Decimal = Field(ge=0)
    per_item: Decimal = Field(gt=0)
    floor: Decimal = Field(Decimal(0), ge=0)


class Criterion(Model):
    """One selection criterion with its labels (RO with comma-below ș ț, and EN) and maximum."""

    key: CriterionKey
    label_ro: NonEmpty
    label_en: NonEmpty
    kind: CriterionKind
    min: Decimal = Field(Decimal(0), ge=0, description="range: the lowest input allowed")
    max: Decimal = Field(gt=0)
    points: dict[str, Decimal] | None = Field(None, description="map: label -> points")
    count: CountScale | None = None
    source: NonEmpty | None = None
    note: OptionalText | None = None

    @model_validator(mode="after")
    def _fits_kind(self) -> Criterion:
        if self.key.startswith("model_"):
            raise ValueError("key: must not start with 'model_'")
        if self.kind != "map" and self.points is not None:
            raise ValueError("points: only a 'map' criterion has points")
        if self.kind != "count" and self.count is not None:
            raise ValueError("count: only a 'count' criterion has a count scale")
        if self.kind == "range" and self.min >= self.max:
            raise ValueError("min: must be below max")
        if self.kind == "map":
            if not self.points:
                raise ValueError("points: a 'map' criterion needs its points")
            self.points = {k.strip().upper(): v for k, v in self.points.items()}
            if any(not Decimal(0) <= v <= self.max for v in self.points.values()):
                raise ValueError("points: every value must be between 0 and max")
        if self.kind == "count":
            if self.count is None:
                raise ValueError("count: a 'count' criterion needs its scale")
            if self.count.at_zero > self.max:
                raise ValueError("count: at_zero must not exceed max")
        return self

    def score_field(self) -> tuple[Any, Any]:
        """The pydantic field (type, default) that checks a candidate's input for this criterion."""
        if self.kind == "range":
            return (
                Annotated[
                    Decimal,
                    Field(allow_inf_nan=False, decimal_places=2),
                    AfterValidator(_between(self.min, self.max)),
                ],
                ...,
            )
        if self.kind == "map":
            return (
                Annotated[str, BeforeValidator(_label), AfterValidator(_one_of(self.points or {}))],
                ...,
            )
        if self.kind == "count":
            return (Annotated[int, Field(ge=0)], ...)
        return (bool, False)


def _number(value: Decimal) -> str:
    return str(value.quantize(Decimal(1))) if value == value.to_integral_value() else str(value)


def _between(low: Decimal, high: Decimal):
    def check(value: Decimal) -> Decimal:
        if not low <= value <= high:
            raise ValueError(f"must be between {_number(low)} and {_number(high)}")
        return value

    return check


def _label(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


def _one_of(points: dict[str, Decimal]):
    def check(value: str) -> str:
        if value not in points:
            raise ValueError(f"must be one of {', '.join(points)}")
        return value

    return check


class TieBreak(Model):
    """A rule applied, in order, to candidates with equal totals.

    ``ranking_position``: the lower academic ranking position first (1 = top of the year);
    candidates without one come after those with one. ``points``: the higher points on
    criterion ``key`` first. The last resort, always applied, is the order of the input.
    """

    by: Literal["ranking_position", "points"]
    key: CriterionKey | None = None
    source: NonEmpty | None = None
    note: OptionalText | None = None

    @model_validator(mode="after")
    def _key_when_points(self) -> TieBreak:
        if self.by == "points" and self.key is None:
            raise ValueError("key: which criterion's points break the tie")
        if self.by != "points" and self.key is not None:
            raise ValueError("key: only 'points' tie-breaks name a criterion")
        return self


class Threshold(Model):
    """The minimum total for a grant, and who is exempt (``early_career``: staff in their
    first 2 years, erasmus-regulation-ro Art. 53 e, 70 f)."""

    points: Decimal = Field(gt=0)
    exception: Literal["early_career"] | None = None
    source: NonEmpty | None = None


class CriteriaSet(Model):
    """A selection's criteria, tie-breaks, threshold and terms, as read from its YAML file."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9\-]*$")]
    source: NonEmpty
    title: Bilingual
    criteria: list[Criterion] = Field(min_length=1)
    tie_break: list[TieBreak] = Field(default_factory=list)
    threshold: Threshold | None = None
    appeal_hours: int = Field(gt=0)
    appeal_source: NonEmpty | None = None
    confirmation_days: int | None = Field(None, gt=0)
    confirmation_months: int | None = Field(None, gt=0)
    confirmation_source: NonEmpty | None = None
    notes: OptionalText | None = None

    _scores_model: type[Model] | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _consistent(self) -> CriteriaSet:
        keys = [c.key for c in self.criteria]
        if len(set(keys)) != len(keys):
            raise ValueError("criteria: every key must be unique")
        for rule in self.tie_break:
            if rule.key is not None and rule.key not in keys:
                raise ValueError(f"tie_break: unknown criterion '{rule.key}'")
        if (self.confirmation_days is None) == (self.confirmation_months is None):
            raise ValueError("confirmation_days: give either confirmation_days or _months")
        return self

    @property
    def max_total(self) -> Decimal:
        return sum((c.max for c in self.criteria), Decimal(0))

    def criterion(self, key: str) -> Criterion:
        return next(c for c in self.criteria if c.key == key)

    def scores_model(self) -> type[Model]:
        """A model checking a candidate's ``scores`` against this set (built once)."""
        if self._scores_model is None:
            fields = {c.key: c.score_field() for c in self.criteria}
            name = "Scores_" + self.id.replace("-", "_")
            self._scores_model = create_model(name, __base__=Model, **fields)
        return self._scores_model


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
                    Problem(
                        pointer("places", i, "id"), f"duplicate place id '{pid}' (first at {where})"
                    )
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
                    Problem(
                        pointer("candidates", i, "id"),
                        f"duplicate candidate id '{cid}' (first at {where})",
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
                found.append(Problem(where, f"unknown place '{pid}'"))
            elif pid in chosen:
                found.append(Problem(where, f"place '{pid}' is already listed"))
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

Status = Literal["admitted", "reserve", "rejected"]
ReasonCode = Literal[
    "withdrew",
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
    reason: str | None
    reason_ro: str | None
    reason_code: ReasonCode | None


class SelectionLists(Model):
    """The three lists annexed to the minutes (Art. 12), candidate ids in rank order."""

    admitted: list[str]
    reserve: list[str]
    rejected: list[str]


class SelectionResult(Model):
    criteria_set: str
    title: Bilingual
    source: str
    criteria: list[CriterionInfo]
    max_total: float
    threshold: float | None
    threshold_exception: str | None
    published_at: str
    appeal_hours: int
    appeal_deadline: str
    confirmation_deadline: str
    last_admitted_total: float | None = Field(
        description="An appeal succeeds with a higher total than this (Art. 14)"
    )
    places: list[PlaceResult]
    candidates: list[CandidateResult]
    lists: SelectionLists

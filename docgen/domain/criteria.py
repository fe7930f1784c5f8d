"""Criteria sets of a selection: the data files ``docgen/rules/data/criteria/<id>.yaml``.

Which scores a committee gives, their maxima, how ties are broken, the threshold, the appeal
and confirmation terms. Sources: erasmus-regulation-ro Art. 10-14 (outgoing students),
Art. 53-56 (STA), Art. 70-74 (STT); incoming-mobility-call, "Selection process".
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    PrivateAttr,
    StringConstraints,
    create_model,
    model_validator,
)

from docgen.domain.common import Model, NonEmpty, OptionalText
from docgen.domain.reasons import invalid

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


class Plus(Model):
    """Points a ``map`` criterion adds when a boolean score ``key`` is true (the incoming
    call's 10 points for studying in Romanian)."""

    key: CriterionKey
    points: Decimal = Field(gt=0)
    label_ro: NonEmpty
    label_en: NonEmpty


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
    plus: Plus | None = Field(None, description="map: a boolean score that adds points")
    retired: dict[str, str] = Field(
        default_factory=dict, description="map: labels no longer accepted -> what to send"
    )
    values: list[Decimal] | None = Field(None, description="range: the only values allowed")
    source: NonEmpty | None = None
    note: OptionalText | None = None

    @model_validator(mode="after")
    def _fits_kind(self) -> Criterion:
        if self.plus is not None and self.kind != "map":
            raise ValueError("plus: only a 'map' criterion adds points for a flag")
        if self.values is not None and (
            self.kind != "range" or any(not self.min <= v <= self.max for v in self.values)
        ):
            raise ValueError("values: a 'range' criterion's values lie between min and max")
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
            extra = self.plus.points if self.plus else Decimal(0)
            if any(not Decimal(0) <= v + extra <= self.max for v in self.points.values()):
                raise ValueError("points: every value (with plus) must be between 0 and max")
        if self.kind == "count":
            if self.count is None:
                raise ValueError("count: a 'count' criterion needs its scale")
            if self.count.at_zero > self.max:
                raise ValueError("count: at_zero must not exceed max")
        return self

    def score_field(self) -> tuple[Any, Any]:
        """The pydantic field (type, default) that checks a candidate's input for this criterion."""
        if self.kind == "range":
            check = (
                _among(self.values, self.source) if self.values else _between(self.min, self.max)
            )
            return (
                Annotated[
                    Decimal,
                    Field(allow_inf_nan=False, decimal_places=2),
                    AfterValidator(check),
                ],
                ...,
            )
        if self.kind == "map":
            return (
                Annotated[
                    str,
                    BeforeValidator(_label),
                    AfterValidator(_one_of(self.points or {}, self.retired)),
                ],
                ...,
            )
        if self.kind == "count":
            return (Annotated[int, Field(ge=0)], ...)
        return (bool, False)


def _number(value: Decimal) -> str:
    return str(value.quantize(Decimal(1))) if value == value.to_integral_value() else str(value)


def _between(low: Decimal, high: Decimal) -> Callable[[Decimal], Decimal]:
    def check(value: Decimal) -> Decimal:
        if not low <= value <= high:
            raise invalid("score_range", low=_number(low), high=_number(high))
        return value

    return check


def _label(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


def _among(values: list[Decimal], source: str | None) -> Callable[[Decimal], Decimal]:
    allowed = [_number(v) for v in values]
    listed = ", ".join(allowed[:-1]) + f" or {allowed[-1]}" if len(allowed) > 1 else allowed[0]

    def check(value: Decimal) -> Decimal:
        if value not in values:
            if source:
                raise invalid("score_values_source", listed=listed, source=source)
            raise invalid("score_values", listed=listed)
        return value

    return check


def _one_of(points: dict[str, Decimal], retired: dict[str, str]) -> Callable[[str], str]:
    retired = {k.strip().upper(): v for k, v in retired.items()}

    def check(value: str) -> str:
        if value in retired:
            raise ValueError(" ".join(retired[value].split()))
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
    appeal_rule: Literal["last-admitted", "commission", "board"] = Field(
        description="last-admitted: a student's appeal succeeds above the last candidate "
        "admitted initially (Art. 14, 34); commission: the Rector's commission decides within "
        "appeal_decision_days (Art. 54, 71); board: a board named by the Rector decides"
    )
    appeal_decision_days: int | None = Field(None, gt=0)
    appeal_text: Bilingual
    activities: list[Literal["SMS", "SMT", "STA", "STT", "BIP"]] = Field(min_length=1)
    allocation_source: NonEmpty
    replacement_source: NonEmpty
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
            for c in self.criteria:
                if c.plus is not None:
                    fields[c.plus.key] = (bool, False)
            name = "Scores_" + self.id.replace("-", "_")
            self._scores_model = create_model(name, __base__=Model, **fields)  # type: ignore[call-overload]
        return self._scores_model

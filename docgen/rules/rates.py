"""Rate tables: what a call pays, as data (``data/rates/<id>.yaml``), one file per call.

Each table names its source. The shipped tables cover the incoming call of 2015, the
outgoing KA131 calls of 2023 and 2024 (example individual-support rates, marked so) and
Visiting@UPT. More tables can be dropped in a directory given by the caller.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

Method = Literal["30/360", "calendar", "working-days"]
TravelSupport = Literal["all", "fewer_opportunities", "none"]
"""Who receives travel support (a travel lump sum by distance band): everyone, only
participants with fewer opportunities (KA131 students, calls 2021-2023), or nobody."""


def _travel_support(value: object) -> object:
    # Older tables said ``travel: true/false``.
    if value is True:
        return "all"
    if value is False:
        return "none"
    return value


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Tier(_Data):
    """Days up to ``to_day`` (counted from the first paid day) at a rate or a share of it."""

    to_day: int = Field(gt=0)
    rate: Decimal | None = None
    percent: Decimal | None = None
    source: str | None = None

    @model_validator(mode="after")
    def _one(self) -> Tier:
        if (self.rate is None) == (self.percent is None):
            raise ValueError("a tier has either a rate or a percent")
        return self


class ShortTerm(_Data):
    """How a student mobility of at most ``max_days`` days is paid instead."""

    max_days: int
    method: Method = "calendar"
    unit: Literal["day"] = "day"
    tiers: tuple[Tier, ...]
    travel: Annotated[TravelSupport, BeforeValidator(_travel_support)] = "all"
    source: str | None = None


class ActivityRates(_Data):
    method: Method
    unit: Literal["day", "month"]
    # A single rate, or one per country group ("1", "2", "3").
    rate: Decimal | dict[str, Decimal] | None = None
    tiers: tuple[Tier, ...] = ()
    travel: Annotated[TravelSupport, BeforeValidator(_travel_support)] = "all"
    travel_days_paid: bool = False
    whole_months_only: bool = False
    min_days: int | None = None
    max_days: int | None = None
    max_months: int | None = None
    exceptional_min_days: int | None = None
    short_term: ShortTerm | None = None
    source: str | None = None

    @model_validator(mode="after")
    def _has_rate(self) -> ActivityRates:
        if self.rate is None and not any(t.rate is not None for t in self.tiers):
            raise ValueError("an activity needs a rate or tiers with rates")
        return self


class ShortTermAmount(_Data):
    to_day: int
    amount: Decimal


class TopUp(_Data):
    id: str
    when: Literal["fewer_opportunities", "green_travel"] | None = None
    activities: tuple[str, ...]
    label: dict[str, str]
    per_month: Decimal | None = None
    amount: Decimal | None = None
    short_term: tuple[ShortTermAmount, ...] = ()
    # green_travel: days of individual support for travel, at most this many.
    travel_days_max: int | None = Field(None, ge=0)
    source: str | None = None


class RateTable(_Data):
    id: str
    title: dict[str, str]
    source: str
    example: bool = False
    currency: Literal["EUR", "RON"]
    travel_bands: str | None
    # The university's country: outgoing mobilities leave it, incoming ones come to it.
    home_country: str = Field("RO", pattern=r"^[A-Z]{2}$")
    directions: tuple[Literal["incoming", "outgoing"], ...] = Field(min_length=1)
    # How the grant is paid: a pre-financing share (70 to 100 %, erasmus-regulation-ro
    # Art. 22, 43) then the balance, or monthly instalments (visiting-grant-regulation Art. 11).
    payment: Literal["prefinancing", "monthly"] = "prefinancing"
    prefinancing_percent: Decimal | None = Field(None, ge=70, le=100)
    payment_source: str | None = None
    country_groups: dict[str, tuple[str, ...]] = {}
    activities: dict[str, ActivityRates]
    top_ups: tuple[TopUp, ...] = ()

    @model_validator(mode="after")
    def _payment(self) -> RateTable:
        if (self.payment == "prefinancing") != (self.prefinancing_percent is not None):
            raise ValueError("prefinancing_percent: give it exactly when payment is prefinancing")
        return self

    def group_of(self, country: str) -> str | None:
        for group, countries in self.country_groups.items():
            if country in countries:
                return group
        return None


def _shipped_dir() -> Path:
    return Path(str(resources.files("docgen.rules") / "data" / "rates"))


def _read(path: Path) -> RateTable:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return RateTable.model_validate(data)
    except (yaml.YAMLError, ValidationError) as exc:
        raise ValueError(f"rate table {path.name} is broken: {exc}") from exc


@cache
def _tables(extra_dir: str) -> dict[str, RateTable]:
    found: dict[str, RateTable] = {}
    dirs = [_shipped_dir()] + ([Path(extra_dir)] if extra_dir else [])
    for directory in dirs:
        for path in sorted(directory.glob("*.yaml")):
            table = _read(path)
            if table.id != path.stem:
                raise ValueError(f"rate table {path} declares id {table.id!r}")
            found[table.id] = table
    return found


def rate_tables(extra_dir: str = "") -> dict[str, RateTable]:
    """Return every known rate table by id (shipped ones, then those in ``extra_dir``)."""
    return _tables(extra_dir)


def load_rate_table(table_id: str, extra_dir: str = "") -> RateTable | None:
    """Return the rate table with this id, or None."""
    return _tables(extra_dir).get(table_id)


@cache
def duration_limits() -> dict[str, Any]:
    """Return the programme's duration limits per activity (``data/limits.yaml``)."""
    path = Path(str(resources.files("docgen.rules") / "data" / "limits.yaml"))
    limits: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return limits

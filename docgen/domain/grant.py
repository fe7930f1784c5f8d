"""What a grant quote needs: the mobility's activity, places, dates and options."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import Field, model_validator

from docgen.domain.common import (
    Activity,
    CountryCode,
    Direction,
    EqfLevel,
    Model,
    NonEmpty,
    Place,
)
from docgen.domain.mobility import Period
from docgen.domain.reasons import invalid


class ActualPeriod(Period):
    """The real dates of a mobility, from its certificate of attendance."""

    teaching_hours: int | None = Field(
        None, ge=0, le=1000, description="Teaching hours on the certificate (STA)"
    )
    months_paid: int = Field(
        0, ge=0, le=12, description="Visiting@UPT: monthly instalments already paid (Art. 11)"
    )


class EarlierMobility(Period):
    """An earlier Erasmus+ mobility in the same study cycle (erasmus-regulation-ro Art. 6b)."""

    activity: Activity


class Amendment(Model):
    """A written amendment to the contract that changes its period, and so its total
    (contract Art. 2(4)): the final amount may then reach the amended total."""

    number: NonEmpty
    signed_on: date
    start: date | None = None
    end: date


class QuoteRequest(Model):
    """Input of ``docgen grants quote`` and ``POST /api/v1/grants/quote``. Carries no amount."""

    activity: Activity
    direction: Direction
    call: NonEmpty = Field(description="Id of the call's rate table, e.g. incoming-2015")
    origin: Place | None = Field(None, description="Where the participant travels from")
    destination: Place = Field(description="Where the activity takes place")
    host_country: CountryCode | None = Field(
        None, description="Host country when the destination is given by coordinates"
    )
    start: date
    end: date
    travel_days: int = Field(0, ge=0, le=6)
    green_travel: bool = False
    fewer_opportunities: bool = False
    teaching_hours: int | None = Field(None, ge=0, le=1000)
    exceptional_approval: bool = Field(
        False, description="Visiting@UPT: the board approved a 14-day grant (Art. 5(2))"
    )
    earlier_months: Decimal = Field(
        Decimal(0), ge=0, le=24, description="Erasmus months already used in this study cycle"
    )
    earlier_mobilities: list[EarlierMobility] = Field(
        default_factory=list,
        max_length=50,
        description="Earlier Erasmus+ mobilities of this study cycle, short-term and BIP included",
    )
    prefinancing_percent: Decimal | None = Field(
        None,
        ge=70,
        le=100,
        description="Overrides the call's pre-financing share: 70 to 100 % "
        "(erasmus-regulation-ro Art. 22(2), 43(2))",
    )
    actual: ActualPeriod | None = Field(None, description="Real dates, from the certificate")
    amendment: Amendment | None = Field(
        None, description="A written amendment that changed the contract's period"
    )
    agreement: int | None = Field(
        None,
        ge=1,
        le=2_147_483_647,
        description="Registry agreement whose places cap this quote (funded days per place, "
        "teaching and travel days)",
    )
    eqf: EqfLevel | None = Field(
        None, description="The student's study level, when the agreement's places differ by it"
    )

    @model_validator(mode="after")
    def _consistent(self) -> QuoteRequest:
        if self.end < self.start:
            raise invalid("end_before_start", "end")
        if self.travel_days > 2 and not self.green_travel:
            raise invalid("standard_travel_days", "travel_days")
        if self.amendment is not None:
            start = self.amendment.start or self.start
            if self.amendment.end < start:
                raise invalid("amendment_end", "amendment.end")
        return self

    @property
    def country(self) -> str | None:
        """The host country: the destination's, or ``host_country``."""
        return self.host_country or self.destination.country

"""Payload of a financial contract: the parties and the mobility, never an amount."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from docgen.domain.common import (
    Activity,
    BankAccount,
    CountryCode,
    Direction,
    EqfLevel,
    Institution,
    IscedCode,
    Model,
    NonEmpty,
    Person,
    Place,
    Representative,
)
from docgen.domain.grant import ActualPeriod, Amendment, EarlierMobility, QuoteRequest
from docgen.domain.mobility import Call
from docgen.domain.reasons import invalid


class ContractMobility(Model):
    """The mobility the contract funds; the grant is computed from it and the call."""

    activity: Activity
    direction: Direction = Direction.OUTGOING
    host: Institution = Field(description="The receiving institution")
    origin: Place | None = None
    destination: Place
    host_country: CountryCode | None = None
    start: date
    end: date
    travel_days: int = Field(0, ge=0, le=6)
    green_travel: bool = False
    fewer_opportunities: bool = False
    teaching_hours: int | None = Field(None, ge=0, le=1000)
    exceptional_approval: bool = False
    earlier_months: Decimal = Field(Decimal(0), ge=0, le=24)
    earlier_mobilities: list[EarlierMobility] = Field(default_factory=list, max_length=50)
    isced: IscedCode | None = None
    eqf: EqfLevel | None = None
    study_programme: NonEmpty | None = None
    staff_category: NonEmpty | None = None
    department: NonEmpty | None = Field(None, description="Visiting@UPT: the host department")
    department_director: Representative | None = Field(
        None, description="Visiting@UPT: the director who signs for the department (Art. 16)"
    )
    visiting_type: Literal["professor", "researcher"] | None = Field(
        None, description="Visiting@UPT: which obligations apply (Art. 13 or Art. 14)"
    )
    actual: ActualPeriod | None = None
    amendment: Amendment | None = None
    agreement: int | None = Field(
        None,
        ge=1,
        le=2_147_483_647,
        description="Registry agreement whose places this mobility takes (its caps apply)",
    )


class FinancialContract(Model):
    """KA131 participant grant agreement, or the Visiting@UPT contract (Annex 3) in RON.

    RULES.md "What each document holds"; erasmus-regulation-ro Art. 22(2), 40(4), 43(2);
    visiting-grant-regulation Art. 11-14 and Annex 3.
    """

    number: NonEmpty = Field(description="Contract number, e.g. 154/2026")
    signed_on: date = Field(description="Date of the contract")
    place: NonEmpty = Field("Timișoara", description="Where it is signed")
    call: Call
    university: Institution = Field(description="The university paying the grant")
    participant: Person
    bank: BankAccount
    mobility: ContractMobility
    prefinancing_percent: Decimal | None = Field(None, ge=70, le=100)
    insurance_by_participant: bool = True
    ols: bool = Field(True, description="Online Language Support assessment and course")

    @model_validator(mode="after")
    def _consistent(self) -> FinancialContract:
        if self.mobility.end < self.mobility.start:
            raise invalid("end_before_start", "mobility.end")
        if self.mobility.activity.value == "VISIT" and self.mobility.visiting_type is None:
            raise invalid("visiting_type", "mobility.visiting_type")
        host, place = self.mobility.host.country, self.mobility.destination.country
        if host and place and host != place:
            raise invalid("host_country", "mobility.destination.country", place=place, host=host)
        if self.university.legal_representative is None:
            raise invalid("legal_representative", "university.legal_representative")
        return self

    def quote_request(self) -> QuoteRequest:
        """The grant request the rules compute this contract's money from."""
        m = self.mobility
        return QuoteRequest(
            activity=m.activity,
            direction=m.direction,
            call=self.call.rate_table,
            origin=m.origin,
            destination=m.destination,
            host_country=m.host_country,
            start=m.start,
            end=m.end,
            travel_days=m.travel_days,
            green_travel=m.green_travel,
            fewer_opportunities=m.fewer_opportunities,
            teaching_hours=m.teaching_hours,
            exceptional_approval=m.exceptional_approval,
            earlier_months=m.earlier_months,
            earlier_mobilities=m.earlier_mobilities,
            amendment=m.amendment,
            prefinancing_percent=self.prefinancing_percent,
            actual=m.actual,
            agreement=m.agreement,
            eqf=m.eqf,
        )

"""Mobilities and calls."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from docgen.domain.common import (
    Model,
    NonEmpty,
)
from docgen.domain.reasons import invalid


def _check_project_code(value: str) -> str:
    # e.g. 2022-1-RO01-KA131-HED-000054947: year, round, NA code, key action, sector, number
    code = value.strip().upper()
    if not re.fullmatch(
        r"(20[1-9][0-9])-[1-3]-[A-Z]{2}[0-9]{2}-KA[0-9]{3}-[A-Z]{3}-[0-9]{6,9}", code
    ):
        raise invalid("project_code")
    return code


def _check_academic_year(value: str) -> str:
    m = re.fullmatch(r"(\d{4})\s*[-/–]\s*(\d{4})", value.strip())
    if not m or int(m.group(2)) != int(m.group(1)) + 1:
        raise invalid("academic_year")
    return f"{m.group(1)}-{m.group(2)}"


ProjectCode = Annotated[str, AfterValidator(_check_project_code)]
AcademicYear = Annotated[str, AfterValidator(_check_academic_year)]


class Period(Model):
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise invalid("end_before_start", "end")
        return self


class Call(Model):
    """A call for mobilities under one project, paid by one rate table."""

    project_code: ProjectCode | None = None
    academic_year: AcademicYear
    rate_table: NonEmpty = Field(description="Id of a rate table, e.g. ka131-2024")
    title: NonEmpty | None = None

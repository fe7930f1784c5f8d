"""Payload of the selection minutes (proces-verbal de selecție): raw scores, never ranks."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field

from docgen.domain.common import Activity, Institution, Model, NonEmpty
from docgen.domain.mobility import AcademicYear, ProjectCode


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

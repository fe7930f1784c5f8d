"""The pages' words for what went wrong, built from codes in the page's language.

Errors, problems and the rules' reasons reach the pages as codes with parameters (see
:mod:`docgen.errors`, ``Problem.code``, ``CandidateResult.reason_code``); this module says
them in Romanian or English. A code it does not know is shown as the English sentence
that came with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from flask import current_app
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l

from docgen.documents.xlsxguard import TABLE_MESSAGES
from docgen.domain.validation import _MESSAGES
from docgen.errors import DocgenError, Problem
from docgen.web.ui.i18n import fnumber


def N_(text: str) -> str:
    """Marks ``text`` for the catalog; it is translated where it is shown."""
    return text


ERROR_TITLES = {
    400: _l("The request could not be read"),
    403: _l("Not allowed"),
    404: _l("Not found"),
    405: _l("Not possible at this address"),
    413: _l("The file is too large"),
    422: _l("Some values are not right"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
    502: _l("The conversion failed"),
    503: _l("Busy, try again in a moment"),
}

# An error's code -> what the page says (the error's own detail is in English).
ERROR_TEXTS = {
    "not-found": N_(
        "There is nothing at this address: check it, or start again from the dashboard."
    ),
    "method-not-allowed": N_("This address does not take this kind of request."),
    "bad-request": N_("The request could not be read: load the page again and repeat."),
    "rate-limited": N_("Too many requests: try again in %(seconds)s seconds."),
    "busy": N_("Every converter is busy: try again in a moment."),
    "conversion-failed": N_("The conversion to PDF failed: try again, or download the DOCX."),
    "internal-error": N_("An unexpected error occurred; it has been logged."),
}

# A problem's code -> its English template (the catalog's msgid; labels.MESSAGES and
# labels.TABLE_TEXTS mark them for translation).
PROBLEM_TEMPLATES: dict[str, str] = {
    **_MESSAGES,
    **{f"table_{key}": text for key, text in TABLE_MESSAGES.items()},
}


def problem_text(problem: Problem) -> str:
    """A problem's reason in the page's language (its English message when unknown)."""
    template = PROBLEM_TEMPLATES.get(problem.code or "")
    if template is None:
        return rule_text(problem.code, problem.params, problem.message) or problem.message
    try:
        return gettext(template).format(**problem.params)
    except (KeyError, IndexError, ValueError):
        return problem.message


def problems_text(exc: DocgenError) -> list[str]:
    """An error's problems in the page's language, each with where it was found."""
    if exc.problems:
        return [
            f"{p.pointer}: {problem_text(p)}" if p.pointer else problem_text(p)
            for p in exc.problems
        ]
    return [error_text(exc)]


def error_text(exc: DocgenError) -> str:
    """What the page says about an error that is not about a field."""
    if exc.code == "too-large":
        limit = exc.params.get("limit")
        mb = (int(limit) // 1_000_000 if limit else None) or current_app.config["MAX_UPLOAD_MB"]
        return gettext("Files sent at once may not exceed %(mb)s MB.", mb=mb)
    text = ERROR_TEXTS.get(exc.code)
    if text is None:
        return exc.detail
    try:
        return gettext(text) % exc.params
    except (KeyError, TypeError, ValueError):  # a value the text quotes is missing
        return exc.detail


def error_title(status: int) -> str:
    return str(ERROR_TITLES.get(status, _l("Something went wrong")))


# Why a candidate is where the ranking put them (docgen.rules.selection's reason codes).
REASONS = {
    "withdrew": N_("gave up the place in writing"),
    "not-confirmed": N_("did not confirm the place within the term"),
    "not-eligible": N_("not eligible"),
    "no-place-left": N_("no place left in the preferred destinations"),
    "no-destination": N_("no destination chosen"),
    "from-reserve": N_("admitted from the reserve list to the place freed by %(candidate)s"),
}


def _plural_count(value: Any) -> int:
    """The count that picks a plural form: the number when whole; for a fraction, a count
    whose form is that of fractions (en "points", ro "puncte")."""
    number = Decimal(str(value))
    return int(number) if number == number.to_integral_value() else 2


def selection_reason(
    code: str | None, params: Mapping[str, Any] | None = None, fallback: str | None = None
) -> str:
    """A selection reason in the page's language."""
    params = dict(params or {})
    if code in ("below-threshold", "early-career"):
        points = params.get("points", 0)
        count, num = _plural_count(points), fnumber(points)
        if code == "below-threshold":
            return ngettext(
                "below the threshold of %(points)s point",
                "below the threshold of %(points)s points",
                count,
                points=num,
            )
        return ngettext(
            "below %(points)s point, admitted as staff in their first 2 years "
            "(early-career exception)",
            "below %(points)s points, admitted as staff in their first 2 years "
            "(early-career exception)",
            count,
            points=num,
        )
    text = REASONS.get(code or "")
    if text is None:
        return fallback or ""
    try:
        return gettext(text) % params
    except (KeyError, TypeError, ValueError):
        return fallback or ""


# The rules' own problems and reasons (docgen.rules.grants, docgen.rules.durations), by
# code: why a mobility cannot be quoted, why a final grant is not paid.
RULE_TEXTS = {
    "duration_out_of_range": N_(
        "the duration is outside the limits of a %(activity)s mobility (%(article)s)"
    ),
    "cycle_months_exceeded": N_(
        "at most %(left)s months are left in this study cycle (%(article)s); this mobility "
        "uses %(months)s"
    ),
    "teaching_hours_missing": N_(
        "the teaching hours are missing: a teaching mobility needs at least %(per_week)s "
        "hours a week (%(article)s)"
    ),
    "teaching_hours_too_few": N_(
        "%(given)s teaching hours given, %(needed)s needed for %(days)s days (%(article)s)"
    ),
    "unknown_call": N_("unknown call %(call)s (known: %(known)s)"),
    "no_rate_for_country": N_("the call %(call)s has no rate for the host country %(country)s"),
    "direction_not_covered": N_("the call %(call)s covers %(directions)s mobilities only"),
    "outgoing_at_home": N_("an outgoing mobility goes abroad; this host is in %(home)s"),
    "incoming_from_home": N_("an incoming mobility comes from abroad, not from %(home)s"),
    "incoming_abroad": N_(
        "an incoming mobility takes place in %(home)s; this one is in %(country)s"
    ),
    "green_travel_days": N_(
        "the green-travel top-up pays at most %(max)s travel days (%(source)s); %(given)s given"
    ),
    "activity_not_funded": N_("the call %(call)s does not fund %(activity)s (only %(funded)s)"),
    "no_prefinancing": N_("the call %(call)s pays monthly (%(source)s): no pre-financing"),
    "origin_for_travel": N_("is required: the call pays a travel grant"),
    "certificate_teaching_hours": N_(
        "is required: the certificate of a teaching mobility states its teaching hours"
    ),
}


def rule_text(
    code: str | None, params: Mapping[str, Any] | None = None, fallback: str | None = None
) -> str | None:
    """A rule's problem or reason in the page's language; ``fallback`` when unknown."""
    text = RULE_TEXTS.get(code or "")
    if text is None:
        return fallback
    try:
        return gettext(text) % dict(params or {})
    except (KeyError, TypeError, ValueError):  # a value the text quotes is missing
        return fallback


def grant_reason(
    code: str | None, params: Mapping[str, Any] | None = None, fallback: str | None = None
) -> str:
    """Why a final grant is not paid, in the page's language."""
    return rule_text(code, params, fallback) or ""

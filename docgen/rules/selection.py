"""Rank candidates and allocate places: pure logic, criteria sets read from data files.

How a selection runs (each criteria set in ``data/criteria/<id>.yaml`` cites its articles):

1. Points per criterion and the total, in ``Decimal`` (output as floats rounded to 2 places).
2. A strict ranking of *all* candidates, the rejected included, so the minutes show every
   candidate's rank and points (Art. 12: "punctajele obținute de toți participanții"):
   total descending ("în ordinea strict descrescătoare a punctajului general", Art. 12), then
   the set's tie-breaks (incoming-mobility-call 1e: the better academic ranking position;
   Art. 11: the interview for outgoing students; Art. 70 f: bonus holders first for STT),
   then the order of the input (the office's order of applications), so ranks are 1..n and
   never shared.
3. Rejected, in this order of reasons: withdrawn (gave the place up in writing,
   Art. 13(2)b, 54, 71), not eligible, total below the set's threshold unless exempt
   (32 points, early-career staff exempt, Art. 53 e, 70 f).
4. The others, in rank order, get their highest preference that still has a free place
   (admitted); if none has, they become reserves ("no place left in the preferred
   destinations"), and so do candidates who named no destination. This is "first the score,
   then the option" of Art. 54 and 71.

A withdrawal is handled by ranking again with ``"withdrawn": true``: the place is freed and
goes, in rank order, to the next candidate who wants it - the first suitable reserve
(Art. 13(2)a-b). Ranking again from scratch also lets a higher-ranked admitted candidate take
a freed place they preferred before a reserve is considered.

Deadlines: appeals within ``appeal_hours`` of ``published_at`` (24 h, Art. 14, 54, 71;
48 h, incoming-mobility-call). Confirmation: students within 5 days (Art. 13(1)); staff bring
the host's invitation within 2 calendar months (Art. 56, 74) - applied by the office to the
incoming sets too, see their data files.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

import yaml
from pydantic import ValidationError

from docgen.domain.criteria import Bilingual, CriteriaSet, Criterion
from docgen.domain.selection import (
    Candidate,
    CandidateResult,
    CriterionInfo,
    PlaceResult,
    ReasonCode,
    SelectionInput,
    SelectionLists,
    SelectionResult,
    read_selection,
)
from docgen.errors import DocgenError, NotFound, Problem, pointer

__all__ = [
    "criteria_sets",
    "criterion_points",
    "load_criteria_set",
    "parse_selection",
    "rank_candidates",
    "rank_selection",
]

_STATUS_RO = {
    "admitted": "admis",
    "reserve": "rezervă",
    "rejected": "respins",
    "withdrawn": "retras",
}


# --------------------------------------------------------------------------------------------
# Criteria sets
# --------------------------------------------------------------------------------------------


def _data_dir() -> Traversable:
    return files("docgen.rules") / "data" / "criteria"


@cache
def _known() -> tuple[str, ...]:
    names = (entry.name for entry in _data_dir().iterdir() if entry.is_file())
    return tuple(sorted(name.removesuffix(".yaml") for name in names if name.endswith(".yaml")))


def criteria_sets() -> list[str]:
    """Ids of the criteria sets shipped in ``docgen/rules/data/criteria``, sorted."""
    return list(_known())


@cache
def load_criteria_set(id: str) -> CriteriaSet:
    """Read and check ``data/criteria/<id>.yaml``; ``NotFound`` for an unknown id."""
    if id not in _known():
        raise NotFound(_unknown_message(id))
    text = (_data_dir() / f"{id}.yaml").read_text(encoding="utf-8")
    try:
        criteria = CriteriaSet.model_validate(yaml.safe_load(text))
    except ValidationError as exc:
        raise DocgenError(f"criteria set '{id}' is broken: {exc}") from exc
    if criteria.id != id:
        raise DocgenError(f"criteria set file '{id}.yaml' declares id '{criteria.id}'")
    return criteria


def _unknown_message(id: str) -> str:
    return f"unknown criteria set '{id}' (known: {', '.join(_known())})"


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------


def parse_selection(data: Any) -> SelectionInput:
    """Validate a selection input against its criteria set, or raise ``InvalidInput``
    listing every problem with its JSON pointer."""
    problems: list[Problem] = []
    criteria = None
    name = data.get("criteria_set") if isinstance(data, dict) else None
    if isinstance(name, str) and name.strip():
        if name.strip() in _known():
            criteria = load_criteria_set(name.strip())
        else:
            params = {"id": name.strip(), "known": ", ".join(_known())}
            problems.append(
                Problem(
                    pointer("criteria_set"),
                    _unknown_message(name.strip()),
                    "unknown_criteria_set",
                    params,
                )
            )
    return read_selection(data, criteria, problems)


def rank_candidates(data: dict[str, Any]) -> dict[str, Any]:
    """Validate ``data`` (raises ``InvalidInput``) and return the ranking, ready for json.dumps.

    Output: criteria set and criteria (labels RO/EN, maxima), candidates in rank order with
    points per criterion, total, rank, status, allocated place and reason, the three lists,
    and the appeal and confirmation deadlines.
    """
    selection = parse_selection(data)
    return _rank(selection, load_criteria_set(selection.criteria_set)).model_dump()


def rank_selection(selection: SelectionInput) -> SelectionResult:
    """Typed entry for documents: rank an already built ``SelectionInput``.

    The input is checked again against its criteria set (a model built in code has not been),
    so this raises ``InvalidInput`` like :func:`rank_candidates`.
    """
    checked = parse_selection(selection.model_dump())
    return _rank(checked, load_criteria_set(checked.criteria_set))


# --------------------------------------------------------------------------------------------
# Logic
# --------------------------------------------------------------------------------------------


def criterion_points(
    criterion: Criterion, value: Any, scores: dict[str, Any] | None = None
) -> Decimal:
    """Points for one validated input (see ``CriterionKind``); ``scores`` gives a ``plus`` flag."""
    if criterion.kind == "range":
        return Decimal(value)
    if criterion.kind == "map":
        points = (criterion.points or {})[value]
        if criterion.plus is not None and (scores or {}).get(criterion.plus.key):
            points += criterion.plus.points
        return points
    if criterion.kind == "count":
        scale = criterion.count
        assert scale is not None
        return max(scale.floor, scale.at_zero - scale.per_item * int(value))
    return criterion.max if value else Decimal(0)


@dataclass
class _Scored:
    index: int
    candidate: Candidate
    points: dict[str, Decimal]
    total: Decimal


def _tie_parts(s: _Scored, criteria: CriteriaSet) -> list[Any]:
    parts: list[Any] = []
    for rule in criteria.tie_break:
        if rule.by == "ranking_position":
            position = s.candidate.ranking_position
            parts.append((0, position) if position is not None else (1, 0))
        else:
            parts.append(-s.points[rule.key or ""])
    parts.append(s.index)
    return parts


def _sort_key(criteria: CriteriaSet) -> Callable[[_Scored], tuple[Any, ...]]:
    def key(s: _Scored) -> tuple[Any, ...]:
        return (-s.total, *_tie_parts(s, criteria))

    return key


def tie_break_texts(criteria: CriteriaSet) -> list[dict[str, str]]:
    """The set's tie-breaks in words, in order, the input order last (for the minutes)."""
    texts = []
    for rule in criteria.tie_break:
        if rule.by == "ranking_position":
            ro = "poziția mai bună în ierarhia academică a anului de studii"
            en = "the better position in the academic ranking of the year"
        else:
            c = criteria.criterion(rule.key or "")
            ro = f"mai multe puncte la criteriul „{c.label_ro}”"
            en = f"more points for “{c.label_en}”"
        if rule.source:
            ro, en = f"{ro} ({rule.source})", f"{en} ({rule.source})"
        texts.append({"ro": ro, "en": en})
    texts.append(
        {
            "ro": "ordinea de înregistrare a candidaturilor",
            "en": "the order in which the applications were registered",
        }
    )
    return texts


def _rank(selection: SelectionInput, criteria: CriteriaSet) -> SelectionResult:
    scored = []
    for index, candidate in enumerate(selection.candidates):
        points = {
            c.key: criterion_points(c, candidate.scores.get(c.key, False), candidate.scores)
            for c in criteria.criteria
        }
        scored.append(_Scored(index, candidate, points, sum(points.values(), Decimal(0))))
    scored.sort(key=_sort_key(criteria))
    ties = tie_break_texts(criteria)

    # 1. The initial allocation: in rank order, the highest preference with a free place.
    free = {place.id: place.places for place in selection.places}
    labels = {place.id: place.label for place in selection.places}
    state: list[dict[str, Any]] = []
    for s in scored:
        c = s.candidate
        allocated = None
        code = _rejection(c, s.total, criteria)
        if code is None:
            allocated = next((p for p in c.preferences if free.get(p, 0) > 0), None)
            if allocated is not None:
                free[allocated] -= 1
            else:
                code = "no-place-left" if c.preferences else "no-destination"
        status = "admitted" if code is None else "rejected" if code in _REJECTED else "reserve"
        state.append({"s": s, "status": status, "code": code, "allocated": allocated, "by": None})

    initially = [e["s"] for e in state if e["status"] == "admitted"]

    # 2. Withdrawals and missed confirmations, in rank order: the freed place goes to the
    # first reserve who asked for it; admitted candidates keep theirs (Art. 13(2), 54, 71).
    for entry in state:
        c = entry["s"].candidate
        if not (c.withdrawn or c.confirmed is False):
            continue
        place = entry["allocated"]
        entry.update(
            status="withdrawn",
            code="withdrew" if c.withdrawn else "not-confirmed",
            allocated=None,
        )
        if place is None:
            continue
        taker = next(
            (
                e
                for e in state
                if e["status"] == "reserve"
                and place in e["s"].candidate.preferences
                and not (e["s"].candidate.withdrawn or e["s"].candidate.confirmed is False)
            ),
            None,
        )
        if taker is None:
            free[place] += 1
        else:
            taker.update(status="admitted", code="from-reserve", allocated=place, by=c.id)

    results: list[CandidateResult] = []
    previous: _Scored | None = None
    for rank, entry in enumerate(state, start=1):
        s, code = entry["s"], entry["code"]
        c = s.candidate
        if code is None and _exempted(c, s.total, criteria):
            # Admitted below the threshold: the minutes must say why (Art. 53 e, 70 f).
            code = "early-career"
        reason, reason_ro, source = _reason(code, criteria, entry["by"])
        params = _reason_params(code, criteria, entry["by"])
        tie, tie_ro = _tie_note(previous, s, criteria, ties)
        previous = s
        results.append(
            CandidateResult(
                id=c.id,
                name=c.name,
                rank=rank,
                total=_float(s.total),
                points={k: _float(v) for k, v in s.points.items()},
                scores={k: _plain(v) for k, v in c.scores.items()},
                preferences=c.preferences,
                ranking_position=c.ranking_position,
                eligible=c.eligible,
                early_career=c.early_career,
                withdrawn=c.withdrawn,
                confirmed=c.confirmed,
                status=entry["status"],
                status_ro=_STATUS_RO[entry["status"]],
                allocated=entry["allocated"],
                allocated_label=labels.get(entry["allocated"]) if entry["allocated"] else None,
                reason=reason,
                reason_ro=reason_ro,
                reason_code=code,
                reason_params=params,
                reason_source=source,
                tie_break=tie,
                tie_break_ro=tie_ro,
            )
        )

    published = selection.published_at
    appeal = appeal_deadline(published, criteria)
    final = selection.final_results_at or final_results(published, criteria)
    # The last candidate admitted *initially*, before any place changed hands (Art. 14).
    last_admitted = initially[-1].total if initially else None
    threshold = criteria.threshold
    return SelectionResult(
        criteria_set=criteria.id,
        title=criteria.title,
        source=criteria.source,
        criteria=[
            CriterionInfo(
                key=c.key,
                label_ro=c.label_ro,
                label_en=c.label_en,
                kind=c.kind,
                min=_float(c.min),
                max=_float(c.max),
                source=c.source,
            )
            for c in criteria.criteria
        ],
        max_total=_float(criteria.max_total),
        threshold=_float(threshold.points) if threshold else None,
        threshold_exception=threshold.exception if threshold else None,
        activities=list(criteria.activities),
        published_at=published.isoformat(),
        appeal_hours=criteria.appeal_hours,
        appeal_deadline=appeal.isoformat(),
        appeal_rule=criteria.appeal_rule,
        appeal_text=criteria.appeal_text,
        appeal_source=criteria.appeal_source,
        final_results_at=final.isoformat(),
        confirmation_deadline=confirmation_deadline(final, criteria).isoformat(),
        confirmation_source=criteria.confirmation_source,
        last_admitted_total=_float(last_admitted)
        if last_admitted is not None and criteria.appeal_rule == "last-admitted"
        else None,
        tie_break=[Bilingual(**t) for t in ties],
        places=[
            PlaceResult(
                id=p.id,
                label=p.label,
                places=p.places,
                taken=p.places - free[p.id],
                free=free[p.id],
            )
            for p in selection.places
        ],
        candidates=results,
        lists=SelectionLists(
            admitted=[r.id for r in results if r.status == "admitted"],
            reserve=[r.id for r in results if r.status == "reserve"],
            rejected=[r.id for r in results if r.status == "rejected"],
            withdrawn=[r.id for r in results if r.status == "withdrawn"],
        ),
    )


def _tie_note(
    above: _Scored | None, s: _Scored, criteria: CriteriaSet, ties: list[dict[str, str]]
) -> tuple[str | None, str | None]:
    if above is None or above.total != s.total:
        return None, None
    pairs = zip(_tie_parts(above, criteria), _tie_parts(s, criteria), strict=True)
    for i, (a, b) in enumerate(pairs):
        if a != b:
            rule = ties[min(i, len(ties) - 1)]
            name = above.candidate.name or above.candidate.id
            total = _number_en(s.total)
            return (
                f"same total as {name} ({total}); ranked after by {rule['en']}",
                f"același punctaj ca {name} ({total.replace('.', ',')}); departajat după "
                f"{rule['ro']}",
            )
    return None, None


_REJECTED = frozenset({"not-eligible", "below-threshold"})


def _rejection(candidate: Candidate, total: Decimal, criteria: CriteriaSet) -> ReasonCode | None:
    if not candidate.eligible:
        return "not-eligible"
    threshold = criteria.threshold
    if threshold is not None and total < threshold.points:
        exempt = threshold.exception == "early_career" and candidate.early_career
        if not exempt:
            return "below-threshold"
    return None


def _exempted(candidate: Candidate, total: Decimal, criteria: CriteriaSet) -> bool:
    threshold = criteria.threshold
    return (
        threshold is not None
        and total < threshold.points
        and threshold.exception == "early_career"
        and candidate.early_career
    )


def _reason_params(
    code: ReasonCode | None, criteria: CriteriaSet, freed_by: str | None
) -> dict[str, float | str]:
    """What a door needs to say the reason ``code`` in its own language."""
    if code in ("early-career", "below-threshold") and criteria.threshold is not None:
        return {"points": float(criteria.threshold.points)}
    if code == "from-reserve" and freed_by is not None:
        return {"candidate": freed_by}
    return {}


def _reason(
    code: ReasonCode | None, criteria: CriteriaSet, freed_by: str | None = None
) -> tuple[str | None, str | None, str | None]:
    if code is None:
        return None, None, None
    threshold = criteria.threshold
    if code in ("early-career", "below-threshold"):
        assert threshold is not None
        if code == "early-career":
            en = (
                f"below {_number_en(threshold.points)} points, admitted as staff in their "
                "first 2 years (early-career exception)"
            )
            ro = (
                f"punctaj sub pragul de {_points_ro(threshold.points)}, admis prin excepția "
                "pentru personalul aflat în primii 2 ani de activitate"
            )
        else:
            en = f"below the threshold of {_number_en(threshold.points)} points"
            ro = f"punctaj sub pragul de {_points_ro(threshold.points)}"
        return en, ro, threshold.source
    if code == "from-reserve":
        return (
            f"admitted from the reserve list to the place freed by {freed_by}",
            f"admis de pe lista de rezerve pe locul eliberat de {freed_by}",
            criteria.replacement_source,
        )
    en, ro = {
        "withdrew": ("gave up the place in writing", "a renunțat în scris la loc"),
        "not-confirmed": (
            "did not confirm the place within the term",
            "nu a confirmat locul în termen",
        ),
        "not-eligible": ("not eligible", "nu îndeplinește condițiile de eligibilitate"),
        "no-place-left": (
            "no place left in the preferred destinations",
            "niciun loc disponibil la destinațiile preferate",
        ),
        "no-destination": ("no destination chosen", "nicio destinație aleasă"),
    }[code]
    source = {
        "withdrew": criteria.replacement_source,
        "not-confirmed": criteria.confirmation_source or criteria.replacement_source,
        "not-eligible": criteria.source,
    }.get(code, criteria.allocation_source)
    return en, ro, source


def _number_en(value: Decimal) -> str:
    return f"{value:f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value:f}"


def _points_ro(value: Decimal) -> str:
    # Romanian: "de" before the noun from 20 on ("32 de puncte"), not for 1-19 ("15 puncte").
    text = _number_en(value).replace(".", ",")
    whole = value == value.to_integral_value()
    if whole and 1 <= int(value) % 100 <= 19:
        return f"{text} puncte" if int(value) != 1 else "un punct"
    return f"{text} de puncte" if whole else f"{text} puncte"


def _float(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _plain(value: Any) -> float | int | bool | str:
    return _float(value) if isinstance(value, Decimal) else value


# --------------------------------------------------------------------------------------------
# Deadlines
# --------------------------------------------------------------------------------------------


def appeal_deadline(published_at: datetime, criteria: CriteriaSet) -> datetime:
    """Publication time plus the appeal hours (24 h: Art. 14, 54, 71; 48 h: incoming call)."""
    return published_at + timedelta(hours=criteria.appeal_hours)


def final_results(published_at: datetime, criteria: CriteriaSet) -> datetime:
    """When the results become final when the input does not say: the end of the appeal
    window, plus the commission's days to decide for staff (Art. 14; 54, 71)."""
    final = appeal_deadline(published_at, criteria)
    if criteria.appeal_decision_days:
        final += timedelta(days=criteria.appeal_decision_days)
    return final


def confirmation_deadline(published_at: datetime, criteria: CriteriaSet) -> datetime:
    """The final results plus the confirmation days (Art. 13(1)) or calendar months (Art. 56,
    74).

    A month later keeps the day of the month, or the month's last day when it is shorter
    (31 December + 2 months = 28 or 29 February).
    """
    if criteria.confirmation_days is not None:
        return published_at + timedelta(days=criteria.confirmation_days)
    return add_months(published_at, criteria.confirmation_months or 0)


def add_months(moment: datetime, months: int) -> datetime:
    years, month0 = divmod(moment.month - 1 + months, 12)
    year, month = moment.year + years, month0 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)

"""Selection: candidates from a spreadsheet, ranked by a criteria set; then the minutes."""

from __future__ import annotations

import json
from typing import Any

from flask import abort, render_template, request
from flask_babel import gettext as _

from docgen.documents.kinds import LANGS, get_kind
from docgen.documents.tabular import Row, batch_template
from docgen.errors import DocgenError, InvalidInput, Problem
from docgen.operations import selection as selection_ops
from docgen.operations.registry import complete_payload, selection_places
from docgen.rules.selection import criteria_sets, load_criteria_set
from docgen.store.database import db
from docgen.web import parsing
from docgen.web.ui import schemaform
from docgen.web.ui.access import writer_required
from docgen.web.ui.base import XLSX, bp, download, problems_text
from docgen.web.ui.i18n import current_lang
from docgen.web.ui.messages import problem_text
from docgen.web.ui.pages_documents import generate_for_user, sample

MINUTES = "selection_minutes"
SKIP = frozenset({"selection"})


def _candidate(data: dict[str, Any]) -> dict[str, Any]:
    """A spreadsheet row as a candidate: preferences also as one cell, "A; B"."""
    prefs = data.get("preferences")
    if isinstance(prefs, str):
        data["preferences"] = [p.strip() for p in prefs.replace(",", ";").split(";") if p.strip()]
    return data


def _places() -> list[dict[str, Any]]:
    found = []
    for i in range(50):
        place_id = request.form.get(f"places.{i}.id", "").strip()
        if not place_id:
            continue
        count = request.form.get(f"places.{i}.places", "").strip()
        found.append(
            {
                "id": place_id,
                "label": request.form.get(f"places.{i}.label", "").strip() or None,
                "places": int(count) if count.isdigit() else count,
            }
        )
    return found


def _where(problem: Problem, rows: list[Row]) -> str:
    """``/candidates/2/scores/grade`` -> ``row 4, column scores.grade``."""
    parts = problem.pointer.split("/")[1:]
    if (
        len(parts) >= 2
        and parts[0] == "candidates"
        and parts[1].isdigit()
        and int(parts[1]) < len(rows)
    ):
        column = ".".join(parts[2:])
        row = rows[int(parts[1])].number
        return (
            _("row %(row)s, column %(column)s", row=row, column=column)
            if column
            else _("row %(row)s", row=row)
        )
    return ".".join(parts)


def _page(status: int = 200, **context: Any) -> tuple[str, int]:
    context.setdefault("result", None)
    context.setdefault("problems", None)
    context.setdefault("criteria_set", request.form.get("criteria_set", ""))
    context.setdefault("published_at", request.form.get("published_at", ""))
    context.setdefault("places", _places() if request.method == "POST" else [])
    known = schemaform.known_choices()
    context.setdefault("chosen_agreements", request.form.getlist("agreements"))
    return render_template(
        "selection.html",
        sets=criteria_sets(),
        langs=LANGS,
        set_names=dict(known.criteria_sets),
        agreements=known.agreements,
        lang=current_lang(),
        **context,
    ), status


@bp.get("/selection")
def selection() -> Any:
    return _page()


@bp.get("/selection/template/<name>.xlsx")
def selection_template(name: str) -> Any:
    if name not in criteria_sets():
        abort(404)
    criteria = load_criteria_set(name)
    example = {
        "id": "c1",
        "name": "",
        "scores": {c.key: "" for c in criteria.criteria},
        "preferences": "",
        "ranking_position": "",
        "eligible": True,
        "early_career": False,
        "withdrawn": False,
    }
    return download(batch_template(example, name), f"{name}.xlsx", XLSX)


@bp.post("/selection")
@writer_required
def rank() -> Any:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _page(422, problems=[_("Choose the XLSX or CSV file of the candidates.")])
    try:
        rows = parsing.read_batch(upload.read(), upload.filename)
    except DocgenError as exc:
        return _page(422, problems=problems_text(exc))
    data = {
        "criteria_set": request.form.get("criteria_set", ""),
        "published_at": request.form.get("published_at", ""),
        "places": _places(),
        "candidates": [_candidate(r.data) for r in rows],
    }
    agreements = [int(a) for a in request.form.getlist("agreements") if a.isdigit()]
    try:
        if agreements:  # the places are the agreements' (typed ones too: refused)
            data["agreements"] = agreements
            if not data["places"]:
                del data["places"]
            data = selection_places(db.session, data)
        result = selection_ops.rank(db.session, data)
    except InvalidInput as exc:
        return _page(422, problems=[f"{_where(p, rows)}: {problem_text(p)}" for p in exc.problems])
    values = schemaform.defaults(get_kind(MINUTES).model)
    # The university: the registry's home institution, else the example's.
    university = complete_payload(db.session, MINUTES, {}).get("university") or (
        sample(MINUTES) or {}
    ).get("university")
    if university:
        values.update(schemaform.values_of({"university": university}))
    return _page(
        result=result,
        selection_json=json.dumps(data, ensure_ascii=False, default=str),
        tree=schemaform.build_form(get_kind(MINUTES).model, values, SKIP),
        values=values,
        errors={},
        doc_lang=current_lang(),
    )


@bp.post("/selection/minutes")
@writer_required
def minutes() -> Any:
    kind = get_kind(MINUTES)
    lang = request.form.get("_lang") if request.form.get("_lang") in LANGS else current_lang()
    fmt = "pdf" if request.form.get("_action") == "pdf" else "docx"
    tree = schemaform.build_form(kind.model, request.form, SKIP)
    raw_selection = request.form.get("_selection", "")
    try:
        selection_input = json.loads(raw_selection)
        result = selection_ops.rank(db.session, selection_input)
    except (ValueError, RecursionError, InvalidInput):
        abort(400)  # the page sent what it was given: this was not typed by anyone
    try:
        data, _raw = schemaform.read_form(request.form, tree)
        data["selection"] = selection_input
        return generate_for_user(MINUTES, lang, fmt, data)
    except InvalidInput as exc:
        errors = schemaform.errors_by_field(exc.problems, prefix="/data")
        return _page(
            422,
            result=result,
            selection_json=raw_selection,
            tree=tree,
            values=dict(request.form),
            errors=errors,
            doc_lang=lang,
        )

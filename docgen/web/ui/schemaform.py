"""HTML forms generated from a kind's JSON Schema, and the payload read back from them.

Every input is named by the dotted path of its field (``participant.family_name``,
``table_a.2.title``): the same columns as the batch spreadsheets, so the form is read back
with :func:`docgen.documents.tabular.unflatten` (empty inputs are absent values, emptied
rows disappear). Errors come back as JSON pointers and are put next to the field they name.

What docgen knows is offered as choices, never as free text (:class:`Choices`): a call's
rate table, a criteria set (by its name in the page's language), a registry agreement or
institution become selects; an institution's group gets a select of the registry's
institutions that fills its fields (the page's script), which stay editable.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from docgen.documents.tabular import flatten, unflatten
from docgen.errors import MalformedInput, Problem
from docgen.web.ui.labels import enum_label, field_label
from docgen.web.ui.messages import problem_text

MAX_ROWS = 50
_DECIMAL_COMMA = re.compile(r"^-?\d+,\d+$")


@dataclass
class Field:
    """One node of a generated form: an input, a group of fields or a list of rows."""

    name: str  # dotted path; for a row template the index is "__i__"
    key: str
    label: str
    widget: str  # text, email, date, datetime, number, integer, select, checkbox, json,
    #              group, list
    required: bool = False
    help: str = ""
    options: list[tuple[str, str]] = field(default_factory=list)
    children: list[Field] = field(default_factory=list)
    rows: list[Field] = field(default_factory=list)  # list: one group per row
    template: Field | None = None  # list: the row added by the page's script
    min_items: int = 0
    max_items: int = MAX_ROWS
    depth: int = 0
    # An institution's group: the registry's institutions, (id, name, fields to fill as JSON
    # keyed by the dotted name under this group).
    picker: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return "f-" + self.name.replace(".", "-")


# Keys of the scalar fields whose values docgen knows, and the list of Choices they take.
CHOICE_KEYS = {
    "rate_table": "calls",
    "call": "calls",
    "criteria_set": "criteria_sets",
    "agreement": "agreements",
    "partner_id": "institutions",
}
# A group with these fields is an institution (docgen.domain.common.Institution).
INSTITUTION_KEYS = frozenset({"name_ro", "name_en", "erasmus_code", "country", "city"})


@dataclass
class Choices:
    """The values a form offers, by the kind of field: calls, criteria sets, agreements and
    institutions as (value, label); institutions to pick with the fields they fill."""

    calls: list[tuple[str, str]] = field(default_factory=list)
    criteria_sets: list[tuple[str, str]] = field(default_factory=list)
    agreements: list[tuple[str, str]] = field(default_factory=list)
    institutions: list[tuple[str, str]] = field(default_factory=list)
    fills: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)

    def for_key(self, key: str) -> list[tuple[str, str]] | None:
        name = CHOICE_KEYS.get(key)
        return getattr(self, name) if name else None


def known_choices() -> Choices:
    """What docgen knows, for the page being served (cached for the request): the calls,
    criteria sets, the registry's agreements and institutions. Empty outside a request."""
    from flask import current_app, g, has_app_context, has_request_context

    if not (has_app_context() and has_request_context()):
        return Choices()
    cached = g.get("_docgen_choices")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    from docgen.operations.registry import known_choices as gather
    from docgen.store.database import db
    from docgen.web.ui.i18n import current_lang

    known = gather(db.session, current_lang(), current_app.config.get("RATES_DIR", ""))
    choices = Choices(
        calls=known.calls,
        criteria_sets=known.criteria_sets,
        agreements=[(str(i), label) for i, label in known.agreements],
        institutions=[(str(i), label) for i, label, _ in known.institutions],
        fills=[
            (str(i), label, {k: _text(v) for k, v in flatten(data).items()})
            for i, label, data in known.institutions
        ],
    )
    g._docgen_choices = choices
    return choices


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        merged = {k: v for k, v in node.items() if k != "$ref"}
        node = {**defs[node["$ref"].rsplit("/", 1)[-1]], **merged}
    return node


def _unwrap(node: dict[str, Any], defs: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """``anyOf [X, null]`` -> (X, optional); a number-or-string union -> number."""
    node = _resolve(node, defs)
    if "anyOf" not in node:
        return node, False
    options = [_resolve(o, defs) for o in node["anyOf"]]
    nullable = any(o.get("type") == "null" for o in options)
    real = [o for o in options if o.get("type") != "null"]
    numbers = [o for o in real if o.get("type") in ("number", "integer")]
    chosen = numbers[0] if numbers else (real[0] if real else {"type": "string"})
    keep = {k: v for k, v in node.items() if k != "anyOf"}
    return {**chosen, **keep}, nullable


def _widget(node: dict[str, Any]) -> str:
    kind = node.get("type")
    if "enum" in node:
        return "select"
    if kind == "boolean":
        return "checkbox"
    if kind in ("number", "integer"):
        return kind
    if kind == "string":
        return {"date": "date", "date-time": "datetime", "email": "email"}.get(
            node.get("format", ""), "text"
        )
    if kind == "object" and "properties" in node:
        return "group"
    if kind == "array":
        return "list"
    return "json"  # free-form objects (the input of a selection): JSON text


def _build(
    node: dict[str, Any],
    defs: dict[str, Any],
    name: str,
    key: str,
    required: bool,
    values: dict[str, Any],
    depth: int,
    skip: frozenset[str],
    choices: Choices | None = None,
) -> Field:
    node, nullable = _unwrap(node, defs)
    widget = _widget(node)
    item = Field(
        name=name,
        key=key,
        label=field_label(key, node.get("title", key)),
        widget=widget,
        required=required and not nullable,
        help=str(node.get("description") or ""),
        depth=depth,
    )
    known = choices.for_key(key) if choices and widget in ("text", "integer") else None
    if known:
        item.widget = "select"
        item.options = list(known)
        current = values.get(name) if hasattr(values, "get") else None
        if current and current not in {v for v, _ in known}:  # kept, not lost
            item.options.append((str(current), str(current)))
    elif widget == "select":
        item.options = [(str(v), enum_label(key, str(v))) for v in node["enum"]]
    elif widget == "group":
        needed = set(node.get("required", []))
        item.children = [
            _build(
                child,
                defs,
                f"{name}.{k}" if name else k,
                k,
                k in needed,
                values,
                depth + 1,
                frozenset(),
                choices,
            )
            for k, child in node["properties"].items()
            if k not in skip
        ]
        if choices and choices.fills and set(node["properties"]) >= INSTITUTION_KEYS:
            item.picker = [(v, label, _fill_json(item, fill)) for v, label, fill in choices.fills]
    elif widget == "list":
        item.min_items = int(node.get("minItems", 0))
        item.max_items = min(MAX_ROWS, int(node.get("maxItems", MAX_ROWS)))
        prefix = f"{name}."
        used = {
            int(k[len(prefix) :].split(".", 1)[0])
            for k in values
            if k.startswith(prefix) and k[len(prefix) :].split(".", 1)[0].isdigit()
        }
        count = max(item.min_items, max(used) + 1 if used else 0, 1 if item.required else 0)
        rows = node.get("items", {"type": "string"})
        item.rows = [
            _build(
                rows, defs, f"{name}.{i}", str(i + 1), True, values, depth + 1, frozenset(), choices
            )
            for i in range(min(count, item.max_items))
        ]
        item.template = _build(
            rows, defs, f"{name}.__i__", "__n__", True, {}, depth + 1, frozenset(), choices
        )
    return item


def _fill_json(group: Field, fill: dict[str, str]) -> str:
    """What picking an institution writes in the group: every input of the group that the
    registry knows, the others emptied (a value of the previous pick must not stay)."""
    inputs: list[str] = []

    def walk(node: Field) -> None:
        if node.widget in ("group",):
            for child in node.children:
                walk(child)
        elif node.widget not in ("list", "json", "checkbox"):
            inputs.append(node.name[len(group.name) + 1 :] if group.name else node.name)

    walk(group)
    return json.dumps(
        {key: fill.get(key, "") for key in inputs}, ensure_ascii=False, sort_keys=True
    )


def build_form(
    model: type[BaseModel],
    values: dict[str, Any],
    skip: frozenset[str] = frozenset(),
    choices: Choices | None = None,
) -> Field:
    """The form of ``model``, with rows for the list items present in ``values``; the
    choices are what docgen knows (:func:`known_choices` when not given)."""
    schema = model.model_json_schema()
    if choices is None:
        choices = known_choices()
    return _build(schema, schema.get("$defs", {}), "", "", True, values, 0, skip, choices)


def defaults(model: type[BaseModel]) -> dict[str, str]:
    """The schema's defaults, as the form's initial values."""
    schema = model.model_json_schema()
    defs = schema.get("$defs", {})
    found: dict[str, str] = {}

    def walk(node: dict[str, Any], name: str) -> None:
        node, _ = _unwrap(node, defs)
        if "default" in node and node["default"] is not None and name:
            found[name] = _text(node["default"])
        for key, child in node.get("properties", {}).items():
            walk(child, f"{name}.{key}" if name else key)

    walk(schema, "")
    return found


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, indent=1)
    return "" if value is None else str(value)


def values_of(data: dict[str, Any], json_fields: frozenset[str] = frozenset()) -> dict[str, str]:
    """A payload as the form's values (e.g. an example to start from)."""
    inner = {k: data.pop(k) for k in list(data) if k in json_fields}
    flat = {k: _text(v) for k, v in flatten(data).items()}
    flat.update({k: _text(v) for k, v in inner.items()})
    return flat


def labels(tree: Field) -> dict[str, str]:
    """Dotted name -> the label a person reads, with the labels of its groups before it."""
    found: dict[str, str] = {}

    def walk(node: Field, trail: tuple[str, ...]) -> None:
        here = (*trail, node.label) if node.depth else trail
        found[node.name] = " › ".join(here)
        for child in [*node.children, *node.rows]:
            walk(child, here)

    walk(tree, ())
    return found


def json_names(tree: Field) -> frozenset[str]:
    found: set[str] = set()

    def walk(node: Field) -> None:
        if node.widget == "json":
            found.add(node.name)
        for child in [*node.children, *node.rows]:
            walk(child)

    walk(tree)
    return frozenset(found)


def read_form(form: Any, tree: Field) -> tuple[dict[str, Any], dict[str, str]]:
    """The payload typed in the form, and the raw values to show again."""
    raw: dict[str, str] = {}
    for name in form:
        if name == "csrf_token" or name.startswith("_") or "__i__" in name:
            continue
        raw[name] = form.getlist(name)[-1]  # a checkbox comes after its hidden "false"
    json_fields = json_names(tree)
    columns: dict[str, Any] = {}
    inner: dict[str, Any] = {}
    for name, value in raw.items():
        text = value.strip()
        if name in json_fields:
            if text:
                try:
                    inner[name] = json.loads(text)
                except (ValueError, RecursionError) as exc:  # too deep, too many digits
                    reason = (
                        exc.msg
                        if isinstance(exc, json.JSONDecodeError)
                        else "nested too deeply or a number too long"
                    )
                    raise MalformedInput(
                        [Problem("/" + name.replace(".", "/"), f"not valid JSON: {reason}")]
                    ) from exc
            continue
        columns[name] = text.replace(",", ".") if _DECIMAL_COMMA.match(text) else text
    payload = unflatten(columns)
    payload.update(inner)
    return payload, raw


def errors_by_field(problems: list[Problem], prefix: str = "") -> dict[str, list[str]]:
    """Problems keyed by the dotted name of their field ("" for the whole form), each in
    the page's language."""
    found: dict[str, list[str]] = {}
    for problem in problems:
        where = (
            problem.pointer[len(prefix) :]
            if problem.pointer.startswith(prefix)
            else problem.pointer
        )
        parts = [p.replace("~1", "/").replace("~0", "~") for p in where.split("/")[1:]]
        found.setdefault(".".join(parts), []).append(problem_text(problem))
    return found

"""Form specs: the YAML that describes a fillable form, its fields and its cross-field checks.

A spec is data (``forms/<id>.yaml``); the PDF is built from it and a returned PDF is read
against it. Pages are numbered from 1, rectangles are PDF points from the bottom-left
corner, ``[x0, y0, x1, y1]``.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from docgen.config import INSTALLATION
from docgen.errors import InvalidInput, NotFound, Problem

FieldType = Literal["text", "date", "integer", "decimal", "choice", "checkbox", "signature"]
AsciiName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_]{0,63}$")]
FORM_ID_FIELD = "docgen_form"
REF_FIELD = "docgen_ref"


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Label(Spec):
    """Bilingual text: Romanian first, English second."""

    ro: str
    en: str

    def both(self) -> str:
        return self.ro if self.ro == self.en else f"{self.ro} / {self.en}"


class Choice(Spec):
    """One option: the ASCII export value stored in the PDF and its bilingual display."""

    value: AsciiName | Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.+-]{1,32}$")]
    label: Label


class FieldSpec(Spec):
    name: AsciiName
    type: FieldType
    label: Label
    required: bool = False
    min: Decimal | None = None
    max: Decimal | None = None
    choices: list[Choice] | None = None
    max_length: int | None = Field(default=None, ge=1, le=5000)
    page: int = Field(ge=1)
    rect: tuple[float, float, float, float]
    # Known to the office: written by prefill, not by the one filling the form in.
    prefill: bool = False
    multiline: bool = False
    # Table cells carry their column heading instead of a label of their own.
    show_label: bool = True
    font_size: float = Field(default=10, ge=5, le=14)
    # What the text is, for reading it back: "ro" for Romanian text (cedillas ş ţ become
    # ș ț), "foreign" for the name of a foreign person or institution (kept as written);
    # unmarked, a value is taken as Romanian only when it has a Romanian-only letter.
    lang: Literal["ro", "foreign"] | None = None

    @model_validator(mode="after")
    def _check(self) -> FieldSpec:
        x0, y0, x1, y1 = self.rect
        if x1 <= x0 or y1 <= y0:
            raise ValueError(f"{self.name}: rect must be [x0, y0, x1, y1] with x0 < x1, y0 < y1")
        if self.type == "choice" and not self.choices:
            raise ValueError(f"{self.name}: a choice field needs choices")
        if self.type != "choice" and self.choices:
            raise ValueError(f"{self.name}: only choice fields have choices")
        if self.lang and self.type != "text":
            raise ValueError(f"{self.name}: only text fields have a lang")
        return self

    def choice_values(self) -> list[str]:
        return [c.value for c in self.choices or []]


class Text(Spec):
    """Static bilingual text drawn on a page: headings, column titles, notes."""

    page: int = Field(ge=1)
    x: float
    y: float
    text: Label
    size: float = 9
    bold: bool = False
    # Column headings: the width to fit in (shrunk, or set on two lines upwards).
    width: float | None = None


class Check(Spec):
    """A cross-field check; ``rule`` picks the function in :mod:`docgen.forms.validate`."""

    rule: Literal["date_order", "days_in_period", "min_when", "sum_equals", "requires"]
    fields: list[AsciiName]
    # Rule parameters: ``min`` and ``when`` (field, equals) for min_when.
    min: Decimal | None = None
    when_field: AsciiName | None = None
    when_equals: str | None = None
    message: Label | None = None


class FormSpec(Spec):
    id: AsciiName
    version: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z.\-]{1,16}$")]
    title: Label
    pages: int = Field(default=1, ge=1, le=20)
    fields: list[FieldSpec]
    texts: list[Text] = []
    checks: list[Check] = []

    @model_validator(mode="after")
    def _check(self) -> FormSpec:
        names = [f.name for f in self.fields]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"duplicate field names: {', '.join(dupes)}")
        reserved = {FORM_ID_FIELD, REF_FIELD} & set(names)
        if reserved:
            raise ValueError(f"reserved field names: {', '.join(sorted(reserved))}")
        for f in self.fields:
            if f.page > self.pages:
                raise ValueError(f"{f.name}: page {f.page} beyond the form's {self.pages} pages")
        known = set(names)
        for check in self.checks:
            missing = [n for n in [*check.fields, check.when_field] if n and n not in known]
            if missing:
                raise ValueError(f"check {check.rule} names unknown fields: {missing}")
        return self

    @property
    def code(self) -> str:
        return f"{self.id}@{self.version}"

    def field(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


def default_forms_dir() -> Path:
    """The installation's forms folder; the doors pass the FORMS_DIR setting instead."""
    return INSTALLATION / "forms"


def read_spec(text: str, source: str = "<spec>") -> FormSpec:
    """Parse and validate one spec from YAML text."""
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput.at("", f"{source}: not valid YAML ({exc})") from exc
    try:
        return FormSpec.model_validate(data)
    except ValueError as exc:
        problems = [
            Problem("/" + "/".join(str(p) for p in e["loc"]), f"{source}: {e['msg']}")
            for e in getattr(exc, "errors", lambda: [])()
        ] or [Problem("", f"{source}: {exc}")]
        raise InvalidInput(problems) from exc


@lru_cache(maxsize=8)
def _load_specs(directory: str, stamp: tuple[tuple[str, float], ...]) -> dict[str, FormSpec]:
    specs = {}
    for name, _ in stamp:
        path = Path(directory) / name
        spec = read_spec(path.read_text(encoding="utf-8"), path.name)
        if spec.id != path.stem:
            raise InvalidInput.at("/id", f"{path.name}: id {spec.id!r} differs from the file name")
        specs[spec.id] = spec
    return specs


def load_specs(directory: Path | None = None) -> dict[str, FormSpec]:
    """Load every ``<id>.yaml`` in the forms directory, keyed by id (cached by mtime)."""
    directory = directory or default_forms_dir()
    paths = sorted(directory.glob("*.yaml"))
    stamp = tuple((p.name, p.stat().st_mtime) for p in paths)
    return _load_specs(str(directory), stamp)


def get_spec(form_id: str, directory: Path | None = None) -> FormSpec:
    """Return the spec of one form, or raise NotFound."""
    specs = load_specs(directory)
    if form_id not in specs:
        known = ", ".join(sorted(specs)) or "none"
        raise NotFound(f"no form {form_id!r} (known: {known})")
    return specs[form_id]

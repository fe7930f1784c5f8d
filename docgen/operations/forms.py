"""Forms to hand out: the list, the blank fillable PDF and the PDF prefilled with what the
office knows (the API, the pages and the CLI answer with these)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from docgen.forms.spec import FormSpec, get_spec, load_specs


@dataclass(frozen=True)
class FormPdf:
    content: bytes
    filename: str


def form_specs(forms_dir: Path) -> dict[str, FormSpec]:
    """Every form of the forms folder, by id."""
    return load_specs(forms_dir)


def blank_form(forms_dir: Path, form_id: str, secret: str) -> FormPdf:
    """The form's blank PDF: the one built in the forms folder, else built now, its pages
    coded with the instance's ``secret`` (:mod:`docgen.forms.pagecode`).

    Raises NotFound for a form that is not there."""
    from docgen.forms.build import build_form
    from docgen.forms.pagecode import stamp_form

    spec = get_spec(form_id, forms_dir)
    path = forms_dir / f"{spec.id}.pdf"
    content = path.read_bytes() if path.is_file() else build_form(spec)
    return FormPdf(stamp_form(content, spec, "", secret), f"{spec.id}.pdf")


def prefilled_form(
    forms_dir: Path, form_id: str, data: Any, secret: str, session: Session | None = None
) -> FormPdf:
    """The form's PDF with ``{"reference", "values"}`` drawn in, named after the reference.
    With a ``session``, the home institution's name fills the form's field for it when the
    values leave it out (the registry's home entry). Its pages carry their page codes, with
    the reference, keyed by the instance's ``secret``.

    Raises NotFound for a form that is not there, InvalidInput naming each value at fault."""
    from docgen.forms.pagecode import stamp_form
    from docgen.forms.prefill import prefill_form
    from docgen.operations.registry import prefill_home

    spec = get_spec(form_id, forms_dir)
    if session is not None:
        data = prefill_home(session, spec.id, data)
    content = prefill_form(spec, data)
    reference = data.get("reference") if isinstance(data, dict) else None
    content = stamp_form(content, spec, str(reference or ""), secret)
    name = f"{spec.id}-{reference}.pdf" if reference else f"{spec.id}.pdf"
    return FormPdf(content, name.replace("/", "-"))

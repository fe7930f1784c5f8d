"""Render a document kind's DOCX template from a validated payload.

docxtpl drives the template; Jinja2 runs sandboxed, autoescaped (``& < >`` in data cannot
corrupt the XML) and with strict undefined (a missing value is an error naming the
template, never a blank). Filters are registered once per language.
"""

from __future__ import annotations

import io
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from docxtpl import DocxTemplate
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel

from docgen.config import project_path, settings
from docgen.documents.filters import filters
from docgen.documents.kinds import Kind, check_lang, get_kind
from docgen.errors import TemplateError


def _finalize(value: Any) -> Any:
    # An optional field that is absent prints as nothing rather than "None".
    return "" if value is None else value


@cache
def environment(lang: str) -> SandboxedEnvironment:
    """The Jinja environment of one language: sandboxed, autoescaped, strict."""
    env = SandboxedEnvironment(
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        finalize=_finalize,
        keep_trailing_newline=True,
    )
    env.filters.update(filters(lang))
    return env


def templates_dir() -> Path:
    return project_path(settings()["TEMPLATES_DIR"])


def template_path(kind_id: str, lang: str, root: Path | None = None) -> Path:
    return (root or templates_dir()) / lang / f"{kind_id}.docx"


def render_template(path: Path, context: dict[str, Any], lang: str) -> bytes:
    """Fill one DOCX template with a context; return the DOCX bytes."""
    if not path.is_file():
        raise TemplateError(f"template missing: {path}")
    try:
        template = DocxTemplate(path)
        template.render(context, jinja_env=environment(lang), autoescape=True)
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"{path.parent.name}/{path.name}: {exc.message}") from exc
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(
            f"{path.parent.name}/{path.name}: template syntax error: {exc.message}"
        ) from exc
    except jinja2.TemplateError as exc:
        raise TemplateError(f"{path.parent.name}/{path.name}: {exc}") from exc
    except (zipfile.BadZipFile, KeyError) as exc:
        raise TemplateError(f"{path.parent.name}/{path.name} is not a valid DOCX: {exc}") from exc
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def prepare(kind: Kind, data: Any) -> BaseModel:
    """Validate a payload (a dict, or an already validated model) for a kind."""
    if isinstance(data, kind.model):
        return data
    return kind.validate(data)


def render_document(kind_id: str, lang: str, data: Any, root: Path | None = None) -> bytes:
    """Validate ``data`` for ``kind_id``, compute what the rules define, fill the template."""
    kind = get_kind(kind_id)
    check_lang(lang)
    payload = prepare(kind, data)
    return render_template(template_path(kind.id, lang, root), kind.context(payload, lang), lang)

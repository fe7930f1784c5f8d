"""Render a document kind's DOCX template from a validated payload.

docxtpl drives the template; Jinja2 runs sandboxed, autoescaped (``& < >`` in data cannot
corrupt the XML) and with strict undefined (a missing value is an error naming the
template, never a blank). Filters are registered once per language.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from docxtpl import DocxTemplate
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel

from docgen.config import INSTALLATION
from docgen.documents.filters import filters
from docgen.documents.kinds import Kind, check_lang, get_kind
from docgen.documents.prepared import TemplateCache
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


def template_path(kind_id: str, lang: str, root: Path | None = None) -> Path:
    """``<root>/<lang>/<kind>.docx``; the doors pass TEMPLATES_DIR, else the installation's."""
    return (root or INSTALLATION / "templates") / lang / f"{kind_id}.docx"


_prepared = TemplateCache()


@contextmanager
def _template_errors(path: Path) -> Iterator[None]:
    """Report a broken template as a ``TemplateError`` naming the file."""
    where = f"{path.parent.name}/{path.name}"
    try:
        yield
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"{where}: {exc.message}") from exc
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{where}: template syntax error: {exc.message}") from exc
    except jinja2.TemplateError as exc:
        raise TemplateError(f"{where}: {exc}") from exc
    except (zipfile.BadZipFile, KeyError, ValueError, UnicodeDecodeError) as exc:
        raise TemplateError(f"{where} is not a valid DOCX template: {exc}") from exc


def render_template(path: Path, context: dict[str, Any], lang: str) -> bytes:
    """Fill one DOCX template with a context; return the DOCX bytes.

    The template is prepared once (:mod:`docgen.documents.prepared`) and reused until its
    file changes; a template the fast path cannot serve is rendered the plain way.
    """
    if not path.is_file():
        raise TemplateError(f"template missing: {path}")
    with _template_errors(path):
        prepared = _prepared.get(path, lang, environment(lang))
        if not prepared.plain_only:
            return prepared.render(context)
    return render_template_plain(path, context, lang)


def render_template_plain(path: Path, context: dict[str, Any], lang: str) -> bytes:
    """Fill a template with plain docxtpl, reading the file anew (the reference path)."""
    with _template_errors(path):
        template = DocxTemplate(path)
        template.render(context, jinja_env=environment(lang), autoescape=True)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def prepare(kind: Kind, data: Any, rates_dir: str = "") -> BaseModel:
    """Validate a payload (a dict, or an already validated model) for a kind."""
    if isinstance(data, kind.model):
        return data
    return kind.validate(data, rates_dir)


def render_document(
    kind_id: str, lang: str, data: Any, root: Path | None = None, rates_dir: str = ""
) -> bytes:
    """Validate ``data`` for ``kind_id``, compute what the rules define, fill the template.

    ``root`` is the templates folder (TEMPLATES_DIR), ``rates_dir`` the extra rate tables
    (RATES_DIR, "" = only the shipped ones).
    """
    kind = get_kind(kind_id)
    check_lang(lang)
    payload = prepare(kind, data, rates_dir)
    context = kind.context(payload, lang, rates_dir)
    return render_template(template_path(kind.id, lang, root), context, lang)

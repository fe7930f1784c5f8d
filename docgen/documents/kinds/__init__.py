"""The document kinds, one module each in this package.

A kind's module holds what makes it a kind: its payload model (or imports it from
:mod:`docgen.domain` when the rules use it too), its context builder, its titles and its
registration (``KIND``). Every module here with a ``KIND`` is a kind: adding one touches its
module, its two templates (``templates/ro``, ``templates/en``), its sample (``samples/``)
and the translations of its field labels (CONTRIBUTING.md, "Add a document kind").
"""

from __future__ import annotations

import importlib
import pkgutil

from pydantic import BaseModel

from docgen.documents.kinds.base import Kind
from docgen.errors import InvalidInput, NotFound

LANGS = ("ro", "en")
__all__ = ["KINDS", "LANGS", "Kind", "check_lang", "file_name", "get_kind"]


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in text).strip("-")


def _discover() -> dict[str, Kind]:
    """Every module of this package with a ``KIND``, in the order the kinds declare."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        kind = getattr(module, "KIND", None)
        if isinstance(kind, Kind):
            found.append(kind)
    return {k.id: k for k in sorted(found, key=lambda k: (k.order, k.id))}


KINDS: dict[str, Kind] = _discover()


def get_kind(kind_id: str) -> Kind:
    """Return a kind by id, or an error listing the known ones."""
    try:
        return KINDS[kind_id]
    except KeyError:
        raise NotFound(f"unknown document kind '{kind_id}' (known: {', '.join(KINDS)})") from None


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise InvalidInput.at("/lang", f"must be one of {', '.join(LANGS)}")
    return lang


def file_name(kind: Kind, payload: BaseModel, lang: str, ext: str = "docx") -> str:
    """``<kind>-<reference>-<lang>.<ext>``, safe as a file name."""
    return f"{kind.id}-{_slug(kind.reference(payload))}-{lang}.{ext}"

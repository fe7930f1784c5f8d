"""What a document kind is: its id, titles, payload model, context builder and reference."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from docgen.domain.validation import validate


@dataclass(frozen=True)
class Kind:
    id: str
    title: dict[str, str]
    model: type[BaseModel]
    # The context builder: (payload, lang, rates_dir) -> the template's variables, where
    # rates_dir is the folder of extra rate tables (RATES_DIR; "" = the shipped ones only).
    build: Callable[[Any, str, str], dict[str, Any]]
    reference: Callable[[Any], str]
    order: int = 100  # where the kind is listed (API, pages, CLI)

    def validate(self, data: Any, rates_dir: str = "") -> BaseModel:
        """Validate a payload and everything computed from it; list every problem."""
        payload = validate(self.model, data)
        # The rules may still reject it (a duration out of range, an unknown place):
        # build once so that those problems surface as input errors, not in a template.
        self.build(payload, "en", rates_dir)
        return payload

    def context(self, payload: BaseModel, lang: str, rates_dir: str = "") -> dict[str, Any]:
        data = self.build(payload, lang, rates_dir)
        data["lang"] = lang
        data["document_title"] = self.title[lang]
        return data

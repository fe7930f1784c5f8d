"""The document kinds: their payload model, context builder and file name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from docgen.documents import context
from docgen.domain.certificate_of_attendance import CertificateOfAttendance
from docgen.domain.financial_contract import FinancialContract
from docgen.domain.learning_agreement import LearningAgreement
from docgen.domain.selection_minutes import SelectionMinutes
from docgen.domain.validation import validate
from docgen.errors import InvalidInput, NotFound

LANGS = ("ro", "en")


@dataclass(frozen=True)
class Kind:
    id: str
    title: dict[str, str]
    model: type[BaseModel]
    # The context builder: (payload, lang, rates_dir) -> the template's variables, where
    # rates_dir is the folder of extra rate tables (RATES_DIR; "" = the shipped ones only).
    build: Callable[[Any, str, str], dict[str, Any]]
    reference: Callable[[Any], str]

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


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in text).strip("-")


KINDS: dict[str, Kind] = {
    k.id: k
    for k in (
        Kind(
            "learning_agreement",
            {"ro": "Acord de studii", "en": "Learning Agreement for Studies"},
            LearningAgreement,
            lambda p, lang, _rates: context.learning_agreement_context(p, lang),
            lambda p: p.reference,
        ),
        Kind(
            "financial_contract",
            {"ro": "Contract financiar", "en": "Financial agreement"},
            FinancialContract,
            context.financial_contract_context,
            lambda p: p.number,
        ),
        Kind(
            "certificate_of_attendance",
            {"ro": "Certificat de participare", "en": "Certificate of attendance"},
            CertificateOfAttendance,
            lambda p, lang, _rates: context.certificate_context(p, lang),
            lambda p: p.reference,
        ),
        Kind(
            "selection_minutes",
            {"ro": "Proces-verbal de selecție", "en": "Selection minutes"},
            SelectionMinutes,
            lambda p, lang, _rates: context.selection_minutes_context(p, lang),
            lambda p: p.number,
        ),
    )
}


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

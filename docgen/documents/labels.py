"""Names of codes in Romanian and English, from ``labels.yaml``, and countries from Babel."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml
from babel import Locale

from docgen.rules.words import normalise_diacritics


@cache
def _vocabulary() -> dict[str, dict[str, dict[str, str]]]:
    text = (resources.files("docgen.documents") / "labels.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def label(group: str, code: str, lang: str) -> str:
    """Return the name of ``code`` in ``group`` (activity, role, status, ...) in ``lang``."""
    if group == "country":
        name = Locale.parse(lang).territories.get(code.upper())
        if name is None:
            raise KeyError(f"unknown country code {code!r}")
        return normalise_diacritics(name)
    try:
        return _vocabulary()[group][code][lang]
    except KeyError:
        raise KeyError(f"no {lang} label for {group} {code!r} in labels.yaml") from None

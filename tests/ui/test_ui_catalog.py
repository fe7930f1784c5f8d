"""The interface's message catalogs: complete, compiled, comma-below ș and ț only."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from docgen.domain.validation import _MESSAGES
from docgen.web.ui.labels import MESSAGES

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "docgen" / "web" / "translations" / "ro" / "LC_MESSAGES"
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]


def _extracted() -> set[str]:
    found = extract_from_dir(
        str(ROOT / "docgen" / "web"),
        METHODS,
        keywords={"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)},
    )
    return {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in found
    }


def _po():
    return read_po(io.BytesIO((CATALOG / "messages.po").read_bytes()))


def test_every_interface_text_is_translated_to_romanian():
    catalog = _po()
    translated = {
        (m.id[0] if isinstance(m.id, tuple) else m.id): m.string
        for m in catalog
        if m.id and all(m.string if isinstance(m.string, tuple) else [m.string]) and not m.fuzzy
    }
    missing = sorted(_extracted() - set(translated))
    assert not missing, f"run `make messages` and translate: {missing}"
    for msgid, text in translated.items():
        assert not set("şţŞŢ") & set("".join(text) if isinstance(text, tuple) else text), (
            f"cedilla in {msgid!r}: {text!r}"
        )


def test_the_compiled_catalog_matches_its_source():
    source = _po()
    compiled = read_mo(io.BytesIO((CATALOG / "messages.mo").read_bytes()))

    def entries(catalog):
        return {_plain(m.id): _plain(m.string) for m in catalog if m.id}

    assert entries(source) == entries(compiled), "run `make messages` (pybabel compile)"


def _plain(value):
    return tuple(value) if isinstance(value, (list, tuple)) else value


def test_validation_messages_are_all_in_the_catalog():
    assert {str(m._args[0]) for m in MESSAGES} == set(_MESSAGES.values())

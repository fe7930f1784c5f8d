"""Active content in a PDF: JavaScript, launch and submit actions, embedded files.

A returned form has no business carrying any of these; a viewer that runs them can show
dialogs, send the form's values elsewhere or start a program. The parser flags them as an
issue on the record (``active_content``) so that a person looks before trusting the file;
the pages never open an uploaded PDF inline (see ``docgen/web/headers.py``).

The walk follows every object reachable from the trailer (catalogue, name trees, pages,
annotations, fields, actions) without decoding a stream, up to :data:`MAX_OBJECTS`.
"""

from __future__ import annotations

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

MAX_OBJECTS = 200_000
# Keys whose presence alone is active content.
KEYS = {
    "/JS": "JavaScript",
    "/JavaScript": "JavaScript",
    "/Launch": "a launch action",
    "/EmbeddedFiles": "embedded files",
    "/EmbeddedFile": "an embedded file",
    "/RichMedia": "rich media",
}
# Action types (``/S``) that run something or send something.
ACTIONS = {
    "/JavaScript": "JavaScript",
    "/Launch": "a launch action",
    "/SubmitForm": "a submit-form action",
    "/ImportData": "an import-data action",
    "/GoToE": "a link into an embedded file",
    "/RichMediaExecute": "rich media",
}


def find_active_content(reader: PdfReader) -> list[str]:
    """What active content the file holds, in plain words (empty: none found)."""
    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack: list[object] = [reader.trailer]
    visited = 0
    while stack and visited < MAX_OBJECTS:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            ref = (item.idnum, item.generation)
            if ref in seen:
                continue
            seen.add(ref)
            item = item.get_object()
        visited += 1
        if isinstance(item, DictionaryObject):
            for key, value in item.items():
                if key in KEYS:
                    found.add(KEYS[key])
                if key == "/S" and isinstance(value, NameObject) and value in ACTIONS:
                    found.add(ACTIONS[value])
                if key != "/Parent":
                    stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return sorted(found)

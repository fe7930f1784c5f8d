"""Read AcroForm fields with pypdf, resolving what children inherit from their parents.

pypdf's ``get_fields()`` copies only keys on the node itself, lists parents beside
leaves and gives push buttons junk states (LIBRARY-NOTES.md): walk the tree ourselves,
guard against cycles and cap the number of nodes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

MAX_FIELDS = 5000
MAX_DEPTH = 32
FLAG_PUSHBUTTON = 1 << 16
FLAG_RADIO = 1 << 15
INHERITABLE = ("/FT", "/Ff", "/V", "/Opt", "/DV")


class TooComplex(Exception):
    """The field tree is beyond the limits we read."""


@dataclass
class RawField:
    name: str
    kind: str  # text, checkbox, radio, choice, signature, unknown
    value: Any  # str, bool, list of str, or None
    page: int | None
    rect: tuple[float, float, float, float] | None
    signed: bool = False


def _resolve(obj: Any) -> Any:
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def _text(value: Any) -> str | None:
    value = _resolve(value)
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value)


def _page_index(reader: PdfReader) -> dict[int, int]:
    index = {}
    for number, page in enumerate(reader.pages, 1):
        ref = page.indirect_reference
        if ref is not None:
            index[ref.idnum] = number
    return index


def _widget_page(node: DictionaryObject, pages: dict[int, int]) -> int | None:
    ref = node.get("/P")
    if isinstance(ref, IndirectObject):
        return pages.get(ref.idnum)
    return None


def _rect(node: DictionaryObject) -> tuple[float, float, float, float] | None:
    rect = _resolve(node.get("/Rect"))
    if isinstance(rect, ArrayObject) and len(rect) == 4:
        try:
            x0, y0, x1, y1 = (float(_resolve(v)) for v in rect)
        except (TypeError, ValueError):
            return None
        return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
    return None


def _choice_value(value: Any, options: Any) -> Any:
    """Map a choice value to its export value; ``/Opt`` entries may be [export, display]."""
    value = _resolve(value)
    if isinstance(value, ArrayObject):
        return [_choice_value(v, options) for v in value]
    text = _text(value)
    options = _resolve(options)
    if text is None or not isinstance(options, ArrayObject):
        return text
    for opt in options:
        opt = _resolve(opt)
        if isinstance(opt, ArrayObject) and len(opt) == 2:
            export, display = _text(opt[0]), _text(opt[1])
            if text in (export, display):
                return export
    return text


def _leaf(
    node: DictionaryObject, inherited: dict[str, Any], name: str, pages: dict[int, int]
) -> RawField | None:
    attrs = {**inherited, **{k: node[k] for k in INHERITABLE if k in node}}
    ft = _text(attrs.get("/FT"))
    try:
        flags = int(_resolve(attrs.get("/Ff", 0)) or 0)
    except (TypeError, ValueError):
        flags = 0
    value = _resolve(attrs.get("/V"))
    if ft == "/Btn":
        if flags & FLAG_PUSHBUTTON:
            return None
        kind = "radio" if flags & FLAG_RADIO else "checkbox"
        state = _text(value)
        if kind == "checkbox":
            parsed: Any = state is not None and state not in ("/Off", "Off", "")
        else:
            parsed = None if state in (None, "/Off", "Off") else state.lstrip("/")
    elif ft == "/Ch":
        kind, parsed = "choice", _choice_value(value, attrs.get("/Opt"))
    elif ft == "/Sig":
        kind, parsed = "signature", None
    elif ft == "/Tx":
        kind, parsed = "text", _text(value)
    else:
        kind, parsed = "unknown", _text(value)
    return RawField(
        name=name,
        kind=kind,
        value=parsed,
        page=_widget_page(node, pages),
        rect=_rect(node),
        signed=kind == "signature" and isinstance(value, DictionaryObject),
    )


def read_fields(reader: PdfReader) -> dict[str, RawField]:
    """Return the terminal fields by fully qualified name; radio groups read from the parent."""
    root = _resolve(reader.trailer["/Root"])
    acro = _resolve(root.get("/AcroForm")) if isinstance(root, DictionaryObject) else None
    if not isinstance(acro, DictionaryObject):
        return {}
    top = _resolve(acro.get("/Fields"))
    if not isinstance(top, ArrayObject):
        return {}
    pages = _page_index(reader)
    fields: dict[str, RawField] = {}
    seen: set[int] = set()
    count = 0
    stack: list[tuple[Any, dict[str, Any], str, int]] = [
        (item, {}, "", 0) for item in reversed(top)
    ]
    while stack:
        item, inherited, prefix, depth = stack.pop()
        if isinstance(item, IndirectObject):
            if item.idnum in seen:
                continue  # circular or shared node
            seen.add(item.idnum)
        node = _resolve(item)
        if not isinstance(node, DictionaryObject):
            continue
        count += 1
        if count > MAX_FIELDS or depth > MAX_DEPTH:
            raise TooComplex(f"more than {MAX_FIELDS} form fields or {MAX_DEPTH} levels")
        partial = _text(node.get("/T"))
        name = f"{prefix}.{partial}" if prefix and partial else (partial or prefix)
        kids = _resolve(node.get("/Kids"))
        attrs = {**inherited, **{k: node[k] for k in INHERITABLE if k in node}}
        named_kids = isinstance(kids, ArrayObject) and any(
            isinstance(_resolve(k), DictionaryObject) and "/T" in _resolve(k) for k in kids
        )
        if named_kids:
            stack.extend((kid, attrs, name, depth + 1) for kid in reversed(kids))
            continue
        # A terminal field: its kids, if any, are widgets only (a radio group, or a field
        # shown twice); the value sits here.
        if not name or name in fields:
            continue
        widget = node
        if isinstance(kids, ArrayObject) and kids:
            first = _resolve(kids[0])
            if isinstance(first, DictionaryObject):
                widget = DictionaryObject({**first, **node})
        leaf = _leaf(widget, inherited, name, pages)
        if leaf is not None:
            fields[name] = leaf
    return fields

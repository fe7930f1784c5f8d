"""Field appearances: every text and choice field points at the embedded field font.

``set_fields(writer, spec, values)`` gives each field of a spec the field font in its
``/DA`` (``/DR`` holds the font) and an appearance stream that docgen draws itself: the
field's background and border, then the value, if any, in the field font. Viewers draw the
same when they fill the form, so a prefilled value and a typed one look alike; a flattened
copy keeps exactly what the appearance shows.

Single-line text fields have a fixed size (the spec's ``font_size``); a value too long for
its box is drawn smaller here (a viewer scrolls it). Multiline fields have size 0 in
``/DA``: viewers wrap the text and shrink it to fit, and so does :func:`layout_lines`.
Choice fields have a fixed size at which their longest option fits the box (pdf.js, asked
to fit one itself, measures a two-byte font's text wrongly and overflows).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from docgen.forms.fieldfont import RESOURCE, FieldFont, add_field_font, field_font
from docgen.forms.spec import FORM_ID_FIELD, REF_FIELD, FieldSpec, FormSpec

INK = "0.1 0.1 0.1 rg"
BACKGROUND = "0.92 0.95 1 rg"
BORDER = "0.55 0.6 0.7 RG"
BORDER_WIDTH = 0.6
PAD = 2.0
LEADING = 1.15
SMALLEST = 4.0
MULTILINE_LARGEST = 12.0
HIDDEN_SIZE = 6.0
CHECK = "✔"


def default_appearance(size: float) -> str:
    """Return the ``/DA`` string of a field drawn at ``size`` (0: fitted by the viewer)."""
    return f"{RESOURCE} {_num(size)} Tf {INK}"


def _num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def _hex(font: FieldFont, text: str) -> str:
    return "<" + font.encode(text).hex().upper() + ">"


def _wrap(font: FieldFont, text: str, size: float, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width``, at spaces, else inside a word."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if font.width(candidate, size) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = ""
            for char in word:  # a word longer than the line is cut where it must be
                if line and font.width(line + char, size) > width:
                    lines.append(line)
                    line = ""
                line += char
        lines.append(line)
    return lines


def layout_lines(
    font: FieldFont, text: str, largest: float, width: float, height: float
) -> tuple[list[str], float]:
    """Return the wrapped lines and the largest size up to ``largest`` at which they fit."""
    size = largest
    while True:
        lines = _wrap(font, text, size, width)
        needed = size * (font.ascent - font.descent) / 1000 + (len(lines) - 1) * size * LEADING
        if needed <= height or size <= SMALLEST:
            return lines, size
        size = max(SMALLEST, round(size - 0.25, 2))


def draw_text(
    font: FieldFont,
    width: float,
    height: float,
    text: str,
    size: float,
    multiline: bool,
    frame: bool = True,
) -> bytes:
    """Return the content of a text widget's appearance: frame, then the value."""
    ops: list[str] = []
    if frame:
        half = BORDER_WIDTH / 2
        ops += [
            BACKGROUND,
            f"0 0 {_num(width)} {_num(height)} re f",
            BORDER,
            f"{_num(BORDER_WIDTH)} w",
            f"{_num(half)} {_num(half)} {_num(width - BORDER_WIDTH)} "
            f"{_num(height - BORDER_WIDTH)} re S",
        ]
    ops += ["/Tx BMC", "q", f"1 1 {_num(width - 2)} {_num(height - 2)} re W n"]
    inner_w, inner_h = width - 2 * PAD, height - 2 * PAD
    if text:
        if multiline:
            lines, size = layout_lines(font, text, size or MULTILINE_LARGEST, inner_w, inner_h)
            y = height - PAD - size * font.ascent / 1000
        else:
            lines = [text.replace("\n", " ")]
            natural = font.width(lines[0], size)
            if natural > inner_w:
                size = max(SMALLEST, size * inner_w / natural)
            y = (height - size * (font.ascent - font.descent) / 1000) / 2
            y -= size * font.descent / 1000
        ops += ["BT", f"{RESOURCE} {_num(size)} Tf", INK]
        ops.append(f"{_num(PAD)} {_num(y)} Td")
        for number, line in enumerate(lines):
            if number:
                ops.append(f"0 {_num(-size * LEADING)} Td")
            ops.append(f"{_hex(font, line)} Tj")
        ops.append("ET")
    ops += ["Q", "EMC"]
    return ("\n".join(ops) + "\n").encode("ascii")


def draw_check(font: FieldFont, width: float, height: float, checked: bool) -> bytes:
    """Return a checkbox appearance: the frame, and a ✔ in the field font when checked.

    A glyph rather than a path (reportlab's), so that a flattened copy reads back checked.
    """
    half = BORDER_WIDTH / 2
    ops = [
        BACKGROUND,
        f"0 0 {_num(width)} {_num(height)} re f",
        BORDER,
        f"{_num(BORDER_WIDTH)} w",
        f"{_num(half)} {_num(half)} {_num(width - BORDER_WIDTH)} "
        f"{_num(height - BORDER_WIDTH)} re S",
    ]
    if checked:
        size = min(width, height) * 0.8
        x = (width - font.width(CHECK, size)) / 2
        y = (height - size * 0.72) / 2
        ops += [
            "BT",
            f"{RESOURCE} {_num(size)} Tf",
            INK,
            f"{_num(x)} {_num(y)} Td",
            f"{_hex(font, CHECK)} Tj",
            "ET",
        ]
    return ("\n".join(ops) + "\n").encode("ascii")


def choice_size(font: FieldFont, field: FieldSpec) -> float:
    """Return the size, up to the spec's, at which every option of a choice fits its box."""
    x0, _, x1, _ = field.rect
    room = x1 - x0 - 2 * PAD - 1
    longest = max(font.width(c.label.both(), 1) for c in field.choices or []) or 1
    return max(SMALLEST, min(field.font_size, int(room / longest * 4) / 4))


def display_choice(field: FieldSpec, value: str) -> str:
    """Return what a choice field shows for an export value: its bilingual label."""
    for c in field.choices or []:
        if c.value == value:
            return c.label.both()
    return value.strip()


def _appearance(
    writer: PdfWriter, widget: DictionaryObject, content: bytes, font_ref: IndirectObject
) -> IndirectObject:
    x0, y0, x1, y1 = (float(v) for v in widget["/Rect"])
    stream = DecodedStreamObject()
    stream.set_data(content)
    stream.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(
                [FloatObject(0), FloatObject(0), FloatObject(x1 - x0), FloatObject(y1 - y0)]
            ),
            NameObject("/Resources"): DictionaryObject(
                {
                    NameObject("/Font"): DictionaryObject({NameObject(RESOURCE): font_ref}),
                }
            ),
        }
    )
    return writer._add_object(stream.flate_encode())


def _widgets(writer: PdfWriter) -> dict[str, DictionaryObject]:
    found = {}
    for page in writer.pages:
        for ref in page.get("/Annots", []):
            widget = ref.get_object()
            name = widget.get("/T")
            if widget.get("/Subtype") == "/Widget" and name is not None:
                found[str(name)] = widget
    return found


def _on_state(widget: DictionaryObject) -> NameObject:
    states = [k for k in widget["/AP"]["/N"] if k != "/Off"]
    return NameObject(states[0] if states else "/Yes")


def set_fields(writer: PdfWriter, spec: FormSpec, values: Mapping[str, Any]) -> None:
    """Point every field at the field font and draw its appearance with ``values``.

    ``values`` holds display text for text fields, export values for choices and booleans
    for checkboxes; fields not named are drawn empty.
    """
    font = field_font()
    acro = writer._root_object["/AcroForm"]
    resources = acro.setdefault(NameObject("/DR"), DictionaryObject())
    fonts = resources.setdefault(NameObject("/Font"), DictionaryObject())
    font_ref = fonts.get(RESOURCE)
    if font_ref is None:
        font_ref = add_field_font(writer)
        fonts[NameObject(RESOURCE)] = font_ref
    acro[NameObject("/DA")] = TextStringObject(default_appearance(0))
    acro.pop(NameObject("/NeedAppearances"), None)
    widgets = _widgets(writer)
    for name in (FORM_ID_FIELD, REF_FIELD):
        widget = widgets.get(name)
        if widget is None:
            continue
        widget[NameObject("/DA")] = TextStringObject(default_appearance(HIDDEN_SIZE))
        text = str(values.get(name, widget.get("/V", "")))
        widget[NameObject("/V")] = TextStringObject(text)
        x0, y0, x1, y1 = (float(v) for v in widget["/Rect"])
        content = draw_text(font, x1 - x0, y1 - y0, text, HIDDEN_SIZE, False, frame=False)
        widget[NameObject("/AP")] = DictionaryObject(
            {NameObject("/N"): _appearance(writer, widget, content, font_ref)}
        )
    for field in spec.fields:
        widget = widgets.get(field.name)
        if widget is None or field.type == "signature":
            continue
        value = values.get(field.name)
        x0, y0, x1, y1 = (float(v) for v in widget["/Rect"])
        if field.type == "checkbox":
            on = _on_state(widget)
            state = on if value else NameObject("/Off")
            widget[NameObject("/V")] = state
            widget[NameObject("/AS")] = state
            widget[NameObject("/AP")] = DictionaryObject(
                {
                    NameObject("/N"): DictionaryObject(
                        {
                            on: _appearance(
                                writer, widget, draw_check(font, x1 - x0, y1 - y0, True), font_ref
                            ),
                            NameObject("/Off"): _appearance(
                                writer, widget, draw_check(font, x1 - x0, y1 - y0, False), font_ref
                            ),
                        }
                    )
                }
            )
            continue
        if field.type == "choice":
            size = choice_size(font, field)
        else:
            size = 0 if field.multiline else field.font_size
        widget[NameObject("/DA")] = TextStringObject(default_appearance(size))
        if field.type == "choice":
            export = str(value) if value else " "
            widget[NameObject("/V")] = TextStringObject(export)
            index = [str(o[0]) for o in widget["/Opt"]].index(export)
            widget[NameObject("/I")] = ArrayObject([NumberObject(index)])
            shown = display_choice(field, export) if value else ""
        else:
            shown = str(value) if value is not None else ""
            widget[NameObject("/V")] = TextStringObject(shown)
        content = draw_text(font, x1 - x0, y1 - y0, shown, size or field.font_size, field.multiline)
        widget[NameObject("/AP")] = DictionaryObject(
            {NameObject("/N"): _appearance(writer, widget, content, font_ref)}
        )

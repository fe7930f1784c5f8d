"""Build fillable PDF forms from their specs with reportlab, deterministically.

Labels are drawn in DejaVu Sans (shipped in ``docgen/forms/fonts``, subset-embedded) so
ș ț ă î â display everywhere. Fields are AcroForm widgets with ASCII names; a hidden
read-only field ``docgen_form`` holds ``<id>@<version>`` and the footer prints the same
code, so a flattened or printed copy is still recognised.
"""

from __future__ import annotations

import io
from functools import cache
from importlib import resources
from pathlib import Path

from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFString
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from docgen.forms.spec import FORM_ID_FIELD, REF_FIELD, FieldSpec, FormSpec, load_specs

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
PAGE_W, PAGE_H = A4
MARGIN = 40
FOOTER_Y = 22
FOOTER_SIZE = 6.5
# The footer code is what a printed copy is recognised by: keep it in sync with parse.py.
FOOTER_PREFIX = "docgen-form"

INK = Color(0.1, 0.1, 0.1)
GREY = Color(0.35, 0.35, 0.35)
FIELD_FILL = Color(0.92, 0.95, 1.0)
FIELD_BORDER = Color(0.55, 0.6, 0.7)


@cache
def register_fonts() -> None:
    """Register the shipped DejaVu fonts with reportlab (once per process)."""
    folder = resources.files("docgen.forms").joinpath("fonts")
    for name, file in ((FONT, "DejaVuSans.ttf"), (FONT_BOLD, "DejaVuSans-Bold.ttf")):
        data = folder.joinpath(file).read_bytes()
        pdfmetrics.registerFont(TTFont(name, io.BytesIO(data)))


def new_canvas(buffer: io.BytesIO, title: str) -> Canvas:
    """Return a canvas whose output bytes depend only on what is drawn."""
    register_fonts()
    canvas = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor("Universitatea Politehnica Timișoara – Biroul Erasmus+")
    canvas.setCreator("docgen")
    canvas.setProducer("docgen (reportlab)")
    return canvas


def bilingual(label: str, other: str) -> str:
    return label if label == other else f"{label} / {other}"


def footer_text(spec: FormSpec, page: int, reference: str = "") -> str:
    """Return the footer line of a page; the code in it identifies the form."""
    ref = f" · ref. {reference}" if reference else ""
    return f"{FOOTER_PREFIX} {spec.code}{ref} · pagina / page {page}/{spec.pages}"


def _draw_text(canvas: Canvas, x: float, y: float, text: str, size: float, bold=False) -> None:
    canvas.setFont(FONT_BOLD if bold else FONT, size)
    canvas.drawString(x, y, text)


def _fit(text: str, font: str, size: float, width: float, smallest: float) -> float | None:
    """Return the largest size up to ``size`` at which ``text`` fits ``width``, or None."""
    natural = pdfmetrics.stringWidth(text, font, size)
    if natural <= width:
        return size
    fitted = size * width / natural
    return fitted if fitted >= smallest else None


def _draw_bilingual(
    canvas: Canvas,
    x: float,
    y: float,
    ro: str,
    en: str,
    size: float,
    width: float,
    bold: bool = False,
    upwards: bool = False,
) -> None:
    """Draw ``ro / en`` on one line if it fits (shrunk a little), else on two lines."""
    font = FONT_BOLD if bold else FONT
    line = bilingual(ro, en)
    fitted = _fit(line, font, size, width, min(size, max(5.5, size * 0.8)))
    canvas.setFillColor(INK)
    if fitted:
        _draw_text(canvas, x, y, line, fitted, bold)
        return
    ro_size = _fit(ro, font, size, width, 4.5) or 4.5
    en_size = _fit(en, FONT, size, width, 4.5) or 4.5
    step = max(ro_size, en_size) + 1.5
    ro_y, en_y = (y + step, y) if upwards else (y, y - step)
    _draw_text(canvas, x, ro_y, ro, ro_size, bold)
    canvas.setFillColor(GREY)
    _draw_text(canvas, x, en_y, en, en_size)


def _draw_static(canvas: Canvas, spec: FormSpec, page: int) -> None:
    canvas.setFillColor(INK)
    _draw_text(canvas, MARGIN, PAGE_H - 40, spec.title.ro, 15, bold=True)
    canvas.setFillColor(GREY)
    _draw_text(canvas, MARGIN, PAGE_H - 55, spec.title.en, 11)
    for text in spec.texts:
        if text.page == page:
            width = text.width or PAGE_W - MARGIN - text.x
            _draw_bilingual(
                canvas,
                text.x,
                text.y,
                text.text.ro,
                text.text.en,
                text.size,
                width,
                text.bold,
                upwards=text.width is not None,
            )
    canvas.setFillColor(GREY)
    _draw_text(canvas, MARGIN, FOOTER_Y, footer_text(spec, page), FOOTER_SIZE)


def _draw_label(canvas: Canvas, field: FieldSpec) -> None:
    x0, y0, x1, y1 = field.rect
    star = " *" if field.required else ""
    ro, en = field.label.ro, field.label.en + star
    if field.type == "checkbox":
        _draw_bilingual(canvas, x1 + 5, y0 + 2, ro, en, 8, PAGE_W - MARGIN - x1 - 5)
        return
    _draw_bilingual(canvas, x0, y1 + 2.5, ro, en, 7, x1 - x0, upwards=True)


def _add_field(canvas: Canvas, field: FieldSpec) -> None:
    form = canvas.acroForm
    x0, y0, x1, y1 = field.rect
    common = dict(
        name=field.name,
        tooltip=bilingual(field.label.ro, field.label.en),
        x=x0,
        y=y0,
        borderColor=FIELD_BORDER,
        fillColor=FIELD_FILL,
        textColor=INK,
        borderWidth=0.6,
    )
    if field.type == "checkbox":
        form.checkbox(size=x1 - x0, fieldFlags="", buttonStyle="check", **common)
    elif field.type == "choice":
        # reportlab cannot build a choice without a value (it fails on ""): a blank
        # option holding one space stands for "not chosen" and reads back as empty.
        labels = [(bilingual(c.label.ro, c.label.en), c.value) for c in field.choices]
        options = [(" ", " "), *labels]
        form.choice(
            options=options,
            value=" ",
            width=x1 - x0,
            height=y1 - y0,
            fontName="Helvetica",
            fontSize=field.font_size,
            **common,
        )
    elif field.type == "signature":
        _add_signature_field(canvas, field)
    else:
        flags = "multiline" if field.multiline else ""
        form.textfield(
            value="",
            width=x1 - x0,
            height=y1 - y0,
            fieldFlags=flags,
            maxlen=field.max_length or 0,
            fontName="Helvetica",
            fontSize=field.font_size,
            **common,
        )


def _add_signature_field(canvas: Canvas, field: FieldSpec) -> None:
    # reportlab has no signature fields: add the widget dictionary through its form
    # machinery so the whole file stays one deterministic reportlab build.
    x0, y0, x1, y1 = field.rect
    canvas.saveState()
    canvas.setStrokeColor(FIELD_BORDER)
    canvas.setDash(3, 2)
    canvas.rect(x0, y0, x1 - x0, y1 - y0, stroke=1, fill=0)
    canvas.restoreState()
    form = canvas.acroForm
    widget = PDFDictionary(
        dict(
            FT=PDFName("Sig"),
            T=PDFString(field.name),
            TU=PDFString(bilingual(field.label.ro, field.label.en)),
            Rect=PDFArray([x0, y0, x1, y1]),
            P=canvas._doc.thisPageRef(),
            Subtype=PDFName("Widget"),
            Type=PDFName("Annot"),
            F=4,
        )
    )
    canvas._addAnnotation(widget)
    form.fields.append(form.getRef(widget))


def _add_hidden(canvas: Canvas, name: str, value: str, x: float) -> None:
    canvas.acroForm.textfield(
        name=name,
        value=value,
        x=x,
        y=4,
        width=150,
        height=10,
        fieldFlags="readOnly",
        annotationFlags="hidden",
        borderWidth=0,
        fillColor=None,
        borderColor=None,
        maxlen=0,
        fontName="Helvetica",
        fontSize=6,
    )


def build_form(spec: FormSpec) -> bytes:
    """Return the fillable PDF of a spec: the same bytes for the same spec."""
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, bilingual(spec.title.ro, spec.title.en))
    canvas.setSubject(f"{FOOTER_PREFIX} {spec.code}")
    for page in range(1, spec.pages + 1):
        _draw_static(canvas, spec, page)
        for field in spec.fields:
            if field.page == page and field.show_label:
                _draw_label(canvas, field)
        for field in spec.fields:
            if field.page == page:
                _add_field(canvas, field)
        if page == 1:
            _add_hidden(canvas, FORM_ID_FIELD, spec.code, MARGIN)
            _add_hidden(canvas, REF_FIELD, "", MARGIN + 160)
        canvas.showPage()
    canvas.save()
    return _with_field_font(buffer.getvalue(), spec)


def _with_field_font(data: bytes, spec: FormSpec) -> bytes:
    # reportlab's fields take only the 14 standard fonts (WinAnsi): give every field the
    # embedded field font and docgen's own appearances (docgen.forms.appearance).
    from pypdf import PdfReader, PdfWriter

    from docgen.forms.appearance import set_fields

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    set_fields(writer, spec, {FORM_ID_FIELD: spec.code})
    # drop the appearances reportlab drew, now replaced
    writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def build_all(directory: Path | None = None, check: bool = False) -> list[tuple[Path, bool]]:
    """Rebuild ``<id>.pdf`` beside every spec; return (path, changed) pairs.

    With ``check`` nothing is written: the caller learns which PDFs are out of date.
    """
    from docgen.forms.spec import default_forms_dir

    directory = directory or default_forms_dir()
    results = []
    for form_id, spec in sorted(load_specs(directory).items()):
        path = directory / f"{form_id}.pdf"
        data = build_form(spec)
        changed = not path.exists() or path.read_bytes() != data
        if changed and not check:
            path.write_bytes(data)
        results.append((path, changed))
    return results

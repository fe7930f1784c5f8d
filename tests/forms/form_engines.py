"""Fill a form as a partner's viewer would, and read what the viewer drew.

Three real engines: PDFium (Chrome, Edge) through pypdfium2's form-filling API, pdf.js
(Firefox) under Node from ``tools/pdfjs`` (installed by ``make setup``), and pypdf. What an
engine drew is what ``qpdf --flatten-annotations=all`` merges into the page and
``pdftotext -bbox`` reads back, word by word, inside each field's rectangle.
"""

from __future__ import annotations

import ctypes
import json
import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

from pypdf import PdfWriter

ROOT = Path(__file__).resolve().parents[2]
PDFJS = ROOT / "tools" / "pdfjs"
ENGINES = ["pdfium", "pdfjs", "pypdf"]


def fill_pdfium(src: Path, dst: Path, values: dict) -> None:
    """Click into each field, select all, type the value (or pick the option), save."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pdf = pdfium.PdfDocument(str(src))
    try:
        pdf.init_forms()
        form = pdf.formenv
        pages = [pdf[i] for i in range(len(pdf))]  # kept alive while the form is filled
        seen = set()
        for page in pages:
            for index in range(raw.FPDFPage_GetAnnotCount(page)):
                annot = raw.FPDFPage_GetAnnot(page, index)
                try:
                    name = _wide(
                        lambda buf, n, a=annot: raw.FPDFAnnot_GetFormFieldName(form, a, buf, n)
                    )
                    if name in values:
                        _pdfium_enter(raw, form, page, annot, values[name])
                        seen.add(name)
                finally:
                    raw.FPDFPage_CloseAnnot(annot)
        missing = set(values) - seen
        assert not missing, f"PDFium found no widget for {sorted(missing)}"
        pdf.save(str(dst))
    finally:
        pdf.close()


def _wide(call) -> str:
    size = call(None, 0)
    buf = ctypes.create_string_buffer(size)
    call(ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)), size)
    return buf.raw[: max(size - 2, 0)].decode("utf-16-le")


def _pdfium_enter(raw, form, page, annot, value) -> None:
    rect = raw.FS_RECTF()
    raw.FPDFAnnot_GetRect(annot, rect)
    x, y = (rect.left + rect.right) / 2, (rect.bottom + rect.top) / 2
    kind = raw.FPDFAnnot_GetFormFieldType(form, annot)
    if kind == raw.FPDF_FORMFIELD_COMBOBOX:
        labels = [
            _wide(lambda buf, n, k=k: raw.FPDFAnnot_GetOptionLabel(form, annot, k, buf, n))
            for k in range(raw.FPDFAnnot_GetOptionCount(form, annot))
        ]
        assert raw.FORM_SetFocusedAnnot(form, annot)
        index = next(k for k, label in enumerate(labels) if label == value)
        assert raw.FORM_SetIndexSelected(form, page, index, True)
    elif kind == raw.FPDF_FORMFIELD_CHECKBOX:
        if value:
            raw.FORM_OnMouseMove(form, page, 0, x, y)
            raw.FORM_OnLButtonDown(form, page, 0, x, y)
            raw.FORM_OnLButtonUp(form, page, 0, x, y)
    else:
        raw.FORM_OnMouseMove(form, page, 0, x, y)
        raw.FORM_OnLButtonDown(form, page, 0, x, y)
        raw.FORM_OnLButtonUp(form, page, 0, x, y)
        raw.FORM_SelectAllText(form, page)
        text = ctypes.create_string_buffer((value + "\0").encode("utf-16-le"))
        raw.FORM_ReplaceSelection(form, page, ctypes.cast(text, raw.FPDF_WIDESTRING))
    raw.FORM_ForceToKillFocus(form)


def fill_pdfjs(src: Path, dst: Path, values: dict) -> None:
    """Set each field's value in pdf.js's annotation storage, then saveDocument()."""
    node = shutil.which("node")
    assert node, "node is missing: run `make setup` (scripts/ensure-system.sh installs it)"
    assert (PDFJS / "node_modules" / "pdfjs-dist").is_dir(), (
        "pdfjs-dist is missing: run `make setup` (npm ci in tools/pdfjs)"
    )
    spec = dst.with_suffix(".json")
    spec.write_text(json.dumps(values, ensure_ascii=False), encoding="utf-8")
    result = subprocess.run(
        [node, str(PDFJS / "fill.mjs"), *(str(Path(p).resolve()) for p in (src, dst, spec))],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=PDFJS,
    )
    assert result.returncode == 0, result.stderr


def fill_pypdf(src: Path, dst: Path, values: dict) -> None:
    """pypdf's update_page_form_field_values: it draws the appearance streams itself."""
    writer = PdfWriter(clone_from=str(src))
    given = {k: ("/Yes" if v else "/Off") if isinstance(v, bool) else v for k, v in values.items()}
    for page in writer.pages:
        # auto_regenerate=False still draws every appearance; True would only add
        # /NeedAppearances, asking viewers to redraw (and qpdf then flattens nothing).
        writer.update_page_form_field_values(page, given, auto_regenerate=False)
    writer.write(str(dst))


FILLERS = {"pdfium": fill_pdfium, "pdfjs": fill_pdfjs, "pypdf": fill_pypdf}


def flatten(src: Path, dst: Path) -> None:
    """Merge the appearance streams into the pages, as printing does."""
    result = subprocess.run(
        ["qpdf", "--flatten-annotations=all", str(src), str(dst)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    # exit 3: warnings only
    assert result.returncode in (0, 3), result.stderr
    assert "not be flattened" not in result.stderr, result.stderr


_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
    r"(.*?)</word>"
)
_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)


def drawn_words(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Return, per page, the words pdftotext reads: (x0, top, x1, bottom, text)."""
    result = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return [
        [
            (float(a), float(b), float(c), float(d), unescape(w))
            for a, b, c, d, w in _WORD.findall(body)
        ]
        for _, _, body in _PAGE.findall(result.stdout)
    ]


def text_in_box(words, rect, page_height: float = 842.0) -> str:
    """Return the words whose centre lies in the field's rectangle, line by line."""
    x0, y0, x1, y1 = rect
    top, bottom = page_height - y1, page_height - y0
    inside = [
        w
        for w in words
        if x0 - 1 <= (w[0] + w[2]) / 2 <= x1 + 1 and top - 1 <= (w[1] + w[3]) / 2 <= bottom + 1
    ]
    inside.sort(key=lambda w: (round((w[1] + w[3]) / 2), w[0]))
    return " ".join(w[4] for w in inside)


def first_difference(drawn: str, typed: str) -> str:
    """Describe where two texts part, letter by letter ('' when they are equal)."""
    for index, (a, b) in enumerate(zip(drawn, typed, strict=False)):
        if a != b:
            return (
                f"letter {index}: drew {a!r} (U+{ord(a):04X}) where {b!r} (U+{ord(b):04X}) "
                f"was typed, in {drawn!r} for {typed!r}"
            )
    if len(drawn) != len(typed):
        return f"drew {drawn!r} for {typed!r} (length {len(drawn)} against {len(typed)})"
    return ""

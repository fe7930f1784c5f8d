"""The committed PDFs are built from the specs; they carry the code, the fonts, the fields."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader

from docgen.forms.acroform import read_fields
from docgen.forms.build import build_all, build_form
from docgen.forms.spec import FORM_ID_FIELD, read_spec

FORMS = Path(__file__).resolve().parents[2] / "forms"

FORM_IDS = [
    "application",
    "certificate_of_attendance",
    "learning_agreement",
    "visiting_activity_report",
]


def test_committed_pdfs_are_up_to_date():
    stale = [path.name for path, changed in build_all(FORMS, check=True) if changed]
    assert stale == [], "run `docgen forms build`"


def test_build_is_deterministic(specs):
    spec = specs["certificate_of_attendance"]
    assert build_form(spec) == build_form(spec)


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_form_has_ascii_fields_code_and_embedded_font(specs, form_id):
    spec = specs[form_id]
    reader = PdfReader(FORMS / f"{form_id}.pdf")
    fields = read_fields(reader)
    assert fields[FORM_ID_FIELD].value == spec.code
    assert all(name.isascii() for name in fields)
    assert {f.name for f in spec.fields} <= set(fields)
    assert {f.name for f in spec.fields if f.type == "signature"} == {
        n for n, f in fields.items() if f.kind == "signature"
    }
    fonts = {
        str(f["/BaseFont"])
        for p in reader.pages
        for f in p["/Resources"]["/Font"].get_object().values()
        if "/BaseFont" in f.get_object()
    }
    assert any(name.endswith("DejaVuSans") for name in fonts)
    with pdfplumber.open(FORMS / f"{form_id}.pdf") as pdf:
        for page in pdf.pages:
            text = page.extract_text()
            assert f"docgen-form {spec.code}" in text
            # comma-below only, never the cedilla forms
            assert not re.search("[şţŞŢ]", text)
        assert spec.title.ro in pdf.pages[0].extract_text()


def test_spec_rejects_bad_names_and_rects():
    from docgen.errors import InvalidInput

    bad = """
id: x
version: '1'
title: {ro: X, en: X}
fields:
- {name: "nume câmp", type: text, label: {ro: a, en: a}, page: 1, rect: [0, 0, 10, 10]}
- {name: b, type: text, label: {ro: b, en: b}, page: 1, rect: [10, 0, 0, 10]}
"""
    with pytest.raises(InvalidInput) as caught:
        read_spec(bad)
    assert len(caught.value.problems) == 2


def test_spec_allows_lang_on_text_fields_only():
    from docgen.errors import InvalidInput

    spec = """
id: x
version: '1'
title: {ro: X, en: X}
fields:
- {name: a, type: text, lang: foreign, label: {ro: a, en: a}, page: 1, rect: [0, 0, 10, 10]}
"""
    assert read_spec(spec).field("a").lang == "foreign"
    with pytest.raises(InvalidInput) as caught:
        read_spec(spec.replace("type: text", "type: date"))
    assert "only text fields have a lang" in caught.value.problems[0].message


def test_choice_options_are_export_display_pairs(specs):
    reader = PdfReader(io.BytesIO(build_form(specs["certificate_of_attendance"])))
    field = next(
        a.get_object() for a in reader.pages[0]["/Annots"] if a.get_object().get("/T") == "activity"
    )
    pairs = [list(map(str, o)) for o in field["/Opt"][1:]]
    assert pairs[2] == ["STA", "STA – predare / STA – teaching"]


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_every_field_names_the_embedded_field_font(specs, form_id):
    from docgen.forms.fieldfont import REPERTOIRE, RESOURCE, field_font

    reader = PdfReader(FORMS / f"{form_id}.pdf")
    acro = reader.trailer["/Root"]["/AcroForm"]
    assert "/NeedAppearances" not in acro  # our appearances stand; viewers need not redraw
    font = acro["/DR"]["/Font"][RESOURCE].get_object()
    assert font["/Subtype"] == "/Type0" and font["/Encoding"] == "/Identity-H"
    descendant = font["/DescendantFonts"][0].get_object()
    program = descendant["/FontDescriptor"]["/FontFile2"].get_data()
    assert len(program) > 10_000
    # the ToUnicode map covers the repertoire: viewers encode typed text through it
    cmap = font["/ToUnicode"].get_data().decode("ascii")
    mapped = {int(u, 16) for u in re.findall(r"<[0-9A-F]{4}> <([0-9A-F]{4})>", cmap)}
    wanted = {c for lo, hi in REPERTOIRE for c in range(lo, hi + 1) if c in field_font().gids}
    assert wanted <= mapped
    assert {ord(c) for c in "ȘșȚțĂăÎîÂâŁłŐőĞğŘřŽžÇçŞşŮůĄąĖėŪūÞþ€–„”"} <= mapped
    spec = specs[form_id]
    widgets = {
        a.get_object()["/T"]: a.get_object() for p in reader.pages for a in p.get("/Annots", [])
    }
    for field in spec.fields:
        if field.type in ("text", "date", "integer", "decimal", "choice"):
            da = str(widgets[field.name]["/DA"])
            assert da.startswith(f"{RESOURCE} "), (field.name, da)
            size = float(da.split()[1])
            assert size == 0 if field.multiline else size > 0, (field.name, da)


def test_choice_size_fits_the_longest_option(specs):
    from docgen.forms.appearance import PAD, choice_size
    from docgen.forms.fieldfont import field_font

    font = field_font()
    field = specs["certificate_of_attendance"].field("activity")
    size = choice_size(font, field)
    room = field.rect[2] - field.rect[0] - 2 * PAD
    assert all(font.width(c.label.both(), size) <= room for c in field.choices)
    assert size >= 5.5

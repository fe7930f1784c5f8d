"""Every form, filled by PDFium, pdf.js and pypdf, shows what was typed and reads back.

Each engine types European names (Romanian, Polish, Turkish, Czech, Slovak, Hungarian,
German, French, Spanish, Portuguese, Nordic, Baltic) into every text and date field, picks
an option in every choice and ticks every box, and draws the appearances itself. qpdf
merges those into the page, pdftotext reads what is inside each field's box, and that is
compared letter by letter with what was typed; then ``docgen forms parse`` gives back the
values, from the filled form and from its flattened copy.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from form_engines import (
    ENGINES,
    FILLERS,
    ROOT,
    drawn_words,
    first_difference,
    flatten,
    text_in_box,
)
from pypdf import PdfReader, PdfWriter

from docgen.forms.appearance import display_choice
from docgen.forms.fieldfont import field_font
from docgen.forms.parse import parse_bytes
from docgen.forms.validate import type_value

FORMS = [
    "application",
    "certificate_of_attendance",
    "learning_agreement",
    "visiting_activity_report",
]

NAMES = [
    "Ștefania Țurcanu-Bălășoiu",  # Romanian: comma-below ș ț, ă
    "Łukasz Wróbel-Żółć",  # Polish
    "Çağrı Şahin Işıkoğlu",  # Turkish: cedilla ş beside ç ğ ı
    "Kateřina Dvořáková",  # Czech
    "Ľudovít Šťastný Ďurovič",  # Slovak
    "Őrsi Ödön Gyűrűs",  # Hungarian
    "Jürgen Größer",  # German
    "François Lœuvre-Çà",  # French
    "Íñigo Núñez Güell",  # Spanish
    "João Conceição",  # Portuguese
    "Åse Øvergård Þórsdóttir",  # Nordic
    "Jānis Ķēniņš Ģirts",  # Latvian
    "Ąžuolas Ėglė Šimkūnas",  # Lithuanian
    "Märt Õunapuu",  # Estonian
    "Ioana Mâțu-Îngerescu",  # Romanian: â î
]
# Multiline fields get every alphabet's own letters, in sentences that wrap.
PANGRAMS = (
    "Zażółć gęślą jaźń. Příliš žluťoučký kůň úpěl ďábelské ódy. Ľúbostný kŕč, Ĺ. "
    "Árvíztűrő tükörfúrógép. Pijamalı hasta yağız şoföre çabucak güvendi. "
    "Fußgängerübergänge; œuvre, garçon, très, hôtel. Año, pingüino. Ação, maçã. "
    "Þórður Æsir ðæt, Øresund Åland. Ģirts Ļoti Īpašs Ņ. Įlanka ūkų. "
    "Înțelepciunea și țara: ăâî ĂÂÎ ȘȚ."
)


def _fit(text: str, size: float, width: float) -> str:
    """Cut ``text`` (words first, then letters) to what a single-line field shows whole."""
    font = field_font()
    while font.width(text, size) > width and " " in text:
        text = text.rsplit(" ", 1)[0]
    while font.width(text, size) > width:
        text = text[:-1]
    return text


def typed_values(spec) -> dict:
    """What a partner types: a name in every text field, a date, a number, an option."""
    values: dict = {}
    names = iter(NAMES * 20)
    for field in spec.fields:
        x0, _, x1, _ = field.rect
        width = x1 - x0 - 10
        if field.type == "text" and field.multiline:
            values[field.name] = PANGRAMS[: field.max_length or len(PANGRAMS)]
        elif field.type == "text":
            value = _fit(next(names), field.font_size, width)
            values[field.name] = value[: field.max_length or len(value)]
        elif field.type == "date":
            values[field.name] = "09.03.2026"
        elif field.type == "integer":
            values[field.name] = str(int(field.min or 1))
        elif field.type == "decimal":
            values[field.name] = f"{int(field.min or 1)},5"
        elif field.type == "choice":
            # the longest option: it must fit its box too
            longest = max(field.choices, key=lambda c: field_font().width(c.label.both(), 1))
            values[field.name] = longest.value
        elif field.type == "checkbox":
            values[field.name] = True
    return values


def expected_record(spec, typed: dict) -> dict:
    out = {}
    for field in spec.fields:
        if field.type == "signature":
            continue
        value = type_value(field, typed.get(field.name))
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = float(value)
        out[field.name] = value
    return out


def drawn_expected(engine: str, field, value) -> str:
    """What the engine should draw in the field's box."""
    if field.type == "checkbox":
        return "✔"
    if field.type == "choice":
        # pypdf draws the value it is given (the export value); viewers draw the option.
        return value if engine == "pypdf" else display_choice(field, value)
    return " ".join(str(value).split())


def engine_values(engine: str, spec, typed: dict) -> dict:
    if engine != "pdfium":
        return typed
    # PDFium picks an option by the label it shows.
    return {
        name: display_choice(spec.field(name), value)
        if spec.field(name).type == "choice"
        else value
        for name, value in typed.items()
    }


def _without_fields(data: bytes) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    for page in writer.pages:
        page.pop("/Annots", None)
    writer._root_object.pop("/AcroForm", None)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("form_id", FORMS)
def test_engine_draws_what_was_typed_and_it_reads_back(specs, run_cli, tmp_path, engine, form_id):
    spec = specs[form_id]
    typed = typed_values(spec)
    filled, flat = tmp_path / f"{engine}.pdf", tmp_path / f"{engine}-flat.pdf"
    FILLERS[engine](ROOT / "forms" / f"{form_id}.pdf", filled, engine_values(engine, spec, typed))
    flatten(filled, flat)

    pages = drawn_words(flat)
    wrong = []
    for field in spec.fields:
        if field.name not in typed:
            continue
        drawn = text_in_box(pages[field.page - 1], field.rect)
        want = drawn_expected(engine, field, typed[field.name])
        if drawn != want:
            wrong.append(f"{field.name}: {first_difference(drawn, want)}")
    assert wrong == [], f"{engine} drew {len(wrong)} fields wrong:\n" + "\n".join(wrong)

    expected = expected_record(spec, typed)
    record = run_cli("forms", "parse", str(filled), "--json").json()
    assert record["form"] == form_id and record["method"] == "acroform"
    assert record["values"] == expected

    # The flattened copy, fields removed (as printed to PDF), reads back the same; lines
    # that a multiline field wrapped come back as line breaks.
    printed = parse_bytes(_without_fields(flat.read_bytes()), specs)
    assert printed["method"] == "flattened"
    assert _unwrapped(spec, printed["values"]) == expected


def _unwrapped(spec, values: dict) -> dict:
    return {
        name: value.replace("\n", " ") if spec.field(name).multiline and value else value
        for name, value in values.items()
    }


def test_typed_text_has_the_letters_the_forms_must_show():
    # Romanian, Polish, Czech, Slovak, Hungarian, Turkish, German, French, Spanish,
    # Portuguese, Nordic and Baltic letters: all typed somewhere, all in the field font.
    letters = set("".join(NAMES).lower() + PANGRAMS.lower())
    wanted = set("șțăâî łżźćńśęąó řěčďťňůú ľĺŕäô őűöü çğış ßü œçéè ñ ãõç åøæþð āēīķļņšžū ėįų")
    assert wanted - {" "} <= letters
    assert all(field_font().covers(text) for text in [*NAMES, PANGRAMS])


def test_a_prefilled_value_is_corrected_in_pdfium_and_nothing_shows_beneath(
    specs, run_cli, tmp_path
):
    from docgen.forms.prefill import prefill_form

    spec = specs["certificate_of_attendance"]
    prefilled = tmp_path / "prefilled.pdf"
    prefilled.write_bytes(
        prefill_form(
            spec,
            {
                "reference": "UPT-1",
                "values": {"participant_name": "Ştefania Ţurcanu-Bălăşoiu", "activity": "STA"},
            },
        )
    )
    FILLERS["pdfium"](
        prefilled, tmp_path / "corrected.pdf", {"participant_name": "Ana Popescu-Șerban"}
    )
    flatten(tmp_path / "corrected.pdf", tmp_path / "flat.pdf")
    words = drawn_words(tmp_path / "flat.pdf")[0]
    assert text_in_box(words, spec.field("participant_name").rect) == "Ana Popescu-Șerban"
    assert text_in_box(words, spec.field("activity").rect) == "STA – predare / STA – teaching"
    record = run_cli("forms", "parse", str(tmp_path / "corrected.pdf"), "--json").json()
    assert record["values"]["participant_name"] == "Ana Popescu-Șerban"
    assert record["reference"] == "UPT-1"


def test_a_prefilled_form_looks_the_same_flattened(specs, tmp_path):
    import subprocess

    from docgen.forms.prefill import prefill_form

    raw = {
        "participant_name": "Ștefania Țurcanu-Bălășoiu",
        "activity": "BIP",
        "sending_institution": "Universitatea Politehnica Timișoara",
        "remarks": PANGRAMS,
        "planned_start": "2026-03-09",
    }
    (tmp_path / "p.pdf").write_bytes(
        prefill_form(specs["certificate_of_attendance"], {"values": raw})
    )
    flatten(tmp_path / "p.pdf", tmp_path / "f.pdf")
    pictures = []
    for name in ("p", "f"):
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "50",
                "-gray",
                "-singlefile",
                str(tmp_path / f"{name}.pdf"),
                str(tmp_path / f"{name}"),
            ],
            check=True,
            timeout=60,
            capture_output=True,
        )
        pictures.append((tmp_path / f"{name}.pgm").read_bytes())
    assert pictures[0] == pictures[1]

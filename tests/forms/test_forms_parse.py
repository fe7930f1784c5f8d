"""Filled, flattened and wrong forms read back into records."""

from __future__ import annotations

import io
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from docgen.forms.parse import ParseFailed, parse_bytes
from docgen.forms.prefill import prefill_form
from docgen.forms.validate import type_value

FORM_IDS = [
    "application",
    "certificate_of_attendance",
    "learning_agreement",
    "visiting_activity_report",
]
CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"


def expected(spec, raw: dict) -> dict:
    """What the record should say: every data field, typed, dates as ISO strings."""
    out = {}
    for field in spec.fields:
        if field.type == "signature":
            continue
        value = type_value(field, raw.get(field.name))
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = float(value)
        out[field.name] = value
    return out


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_pypdf_filled_form_reads_back_exactly(specs, values, fill, form_id):
    record = parse_bytes(fill(form_id, values[form_id]), specs, filename="x.pdf")
    assert record["form"] == form_id
    assert record["method"] == "acroform"
    assert record["issues"] == []
    assert record["status"] == "valid"
    assert record["values"] == expected(specs[form_id], values[form_id])
    assert record["source"]["pages"] == specs[form_id].pages


def test_values_are_typed(specs, values, fill):
    record = parse_bytes(
        fill("certificate_of_attendance", values["certificate_of_attendance"]), specs
    )
    v = record["values"]
    assert v["participant_name"] == "Ștefania Țurcanu-Bălășoiu"
    assert v["actual_start"] == "2026-03-09"
    assert v["days"] == 5 and isinstance(v["days"], int)
    assert v["teaching_hours"] == 8.5
    assert v["activity"] == "STA"


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_flattened_with_embedded_font_reads_back(specs, values, form_id, tmp_path):
    # Every value prefilled (docgen draws the appearances in the embedded field font), then
    # flattened by qpdf and every field removed: what a "print to PDF" of a well-rendered
    # form gives, diacritics included.
    raw = values[form_id]
    (tmp_path / "in.pdf").write_bytes(prefill_form(specs[form_id], {"values": raw}))
    subprocess.run(
        ["qpdf", "--flatten-annotations=all", str(tmp_path / "in.pdf"), str(tmp_path / "out.pdf")],
        check=True,
        timeout=60,
        capture_output=True,
    )
    flat = _drop_acroform((tmp_path / "out.pdf").read_bytes())
    assert "/AcroForm" not in PdfReader(io.BytesIO(flat)).trailer["/Root"]
    record = parse_bytes(flat, specs)
    assert record["method"] == "flattened"
    assert record["values"] == expected(specs[form_id], raw)
    assert record["status"] == "valid", record["issues"]


def _drop_acroform(data: bytes) -> bytes:
    reader = PdfReader(io.BytesIO(data))
    writer = PdfWriter(clone_from=reader)
    for page in writer.pages:
        if "/Annots" in page:
            del page["/Annots"]
    writer._root_object.pop("/AcroForm", None)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


ASCII_CERT = {
    "participant_name": "Ana Popescu",
    "sending_institution": "Politehnica Timisoara",
    "host_institution": "Universidad de Sevilla",
    "activity": "STT",
    "actual_start": "09.03.2026",
    "actual_end": "13.03.2026",
    "days": "5",
    "signer_name": "Juan Garcia",
    "signer_function": "Erasmus coordinator",
    "sign_date": "13.03.2026",
}


def test_pypdf_flattened_reads_back_by_flattened_method(specs, fill):
    # pypdf's own flattening draws its generated appearances (WinAnsi: ASCII values only).
    writer = PdfWriter(
        clone_from=str(
            Path(__file__).resolve().parents[2] / "forms" / "certificate_of_attendance.pdf"
        )
    )
    writer.update_page_form_field_values(writer.pages[0], ASCII_CERT, flatten=True)
    buf = io.BytesIO()
    writer.write(buf)
    record = parse_bytes(_drop_acroform(buf.getvalue()), specs)
    assert record["form"] == "certificate_of_attendance"
    assert record["method"] == "flattened"
    assert record["values"] == expected(specs["certificate_of_attendance"], ASCII_CERT)
    assert record["status"] == "valid"


def test_qpdf_flattened_reads_back(specs, fill, tmp_path):
    (tmp_path / "in.pdf").write_bytes(fill("certificate_of_attendance", ASCII_CERT))
    subprocess.run(
        [
            "qpdf",
            "--generate-appearances",
            "--flatten-annotations=all",
            str(tmp_path / "in.pdf"),
            str(tmp_path / "out.pdf"),
        ],
        check=True,
        timeout=60,
        capture_output=True,
    )
    record = parse_bytes(_drop_acroform((tmp_path / "out.pdf").read_bytes()), specs)
    assert record["method"] == "flattened"
    assert record["values"] == expected(specs["certificate_of_attendance"], ASCII_CERT)


def test_printed_to_pdf_reads_back(specs, fill, tmp_path):
    raw = {**ASCII_CERT, "signer_name": "Ion Mâine"}  # â is in WinAnsi, ș is not
    (tmp_path / "in.pdf").write_bytes(fill("certificate_of_attendance", raw))
    subprocess.run(
        ["pdftocairo", "-pdf", str(tmp_path / "in.pdf"), str(tmp_path / "out.pdf")],
        check=True,
        timeout=60,
        capture_output=True,
    )
    record = parse_bytes((tmp_path / "out.pdf").read_bytes(), specs)
    assert record["method"] == "flattened"
    assert record["values"] == expected(specs["certificate_of_attendance"], raw)


WRONG = [
    ({"actual_end": "2026-03-01"}, "actual_end", "date_order"),
    ({"days": "1O"}, "days", "not_integer"),
    ({"signer_name": ""}, "signer_name", "required"),
    ({"days": "9"}, "days", "days_in_period"),
    ({"teaching_hours": "6"}, "teaching_hours", "below_min_when"),
    ({"teaching_hours": ""}, "teaching_hours", "required_when"),
    ({"actual_start": "31.02.2026"}, "actual_start", "invalid_date"),
    ({"activity": "XYZ"}, "activity", "not_a_choice"),
]


@pytest.mark.parametrize(("change", "field", "code"), WRONG)
def test_wrong_value_gives_one_precise_issue(specs, values, fill, change, field, code):
    raw = {**values["certificate_of_attendance"], **change}
    record = parse_bytes(fill("certificate_of_attendance", raw), specs)
    assert record["status"] == "needs_review"
    assert [(i["field"], i["code"]) for i in record["issues"]] == [(field, code)]
    assert record["issues"][0]["message"]


def test_la_totals_must_equal_the_rows(specs, values, fill):
    raw = {**values["learning_agreement"], "total_ects_a": "12"}
    record = parse_bytes(fill("learning_agreement", raw), specs)
    assert [(i["field"], i["code"]) for i in record["issues"]] == [("total_ects_a", "sum_mismatch")]


def test_la_row_needs_its_credits(specs, values, fill):
    raw = {**values["learning_agreement"], "a_title_3": "Robótica", "a_code_3": "2050013"}
    record = parse_bytes(fill("learning_agreement", raw), specs)
    assert [(i["field"], i["code"]) for i in record["issues"]] == [("a_ects_3", "required_with")]


def test_unchecked_required_checkbox(specs, values, fill):
    raw = {**values["application"], "declaration": False}
    record = parse_bytes(fill("application", raw), specs)
    assert [(i["field"], i["code"]) for i in record["issues"]] == [("declaration", "required")]
    assert record["values"]["fewer_opportunities"] is True


@pytest.mark.parametrize(
    ("field", "typed", "read"),
    [
        # sending_institution is marked Romanian in the spec
        (
            "sending_institution",
            "Universitatea Politehnica Timişoara",
            "Universitatea Politehnica Timișoara",
        ),
        # participant_name is unmarked: Romanian because of ă, Turkish because of ç ğ ı
        ("participant_name", "Ştefania Ţurcanu-Bălăşoiu", "Ștefania Țurcanu-Bălășoiu"),
        ("participant_name", "Çağrı Şahin", "Çağrı Şahin"),
        ("participant_name", "Ayşe Kaya", "Ayşe Kaya"),
        # signer_name and host_institution are marked as foreign names
        ("signer_name", "Ioana Ţuţu-Maş", "Ioana Ţuţu-Maş"),
        ("host_institution", "Gümüşhane Üniversitesi", "Gümüşhane Üniversitesi"),
    ],
)
def test_cedillas_read_back_as_the_spec_says(specs, values, fill, field, typed, read):
    raw = {**values["certificate_of_attendance"], field: typed}
    record = parse_bytes(fill("certificate_of_attendance", raw), specs)
    assert record["values"][field] == read


def test_not_our_form_is_unrecognized_with_raw_fields(specs):
    data = (CORPUS / "sample-files__libreoffice-form.pdf").read_bytes()
    record = parse_bytes(data, specs)
    assert record["status"] == "unrecognized"
    assert record["form"] is None
    assert len(record["values"]) == 8


def test_inherited_field_types_are_resolved(specs):
    record = parse_bytes(
        (CORPUS / "PyPDFForm__sample_template_with_dropdown.pdf").read_bytes(), specs
    )
    assert record["status"] == "unrecognized"
    assert record["values"], "children whose /FT sits on the parent must be read"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"hello, not a pdf", "not_pdf"),
        (b"%PDF-1.7\n%garbage\n", "malformed"),
        ((CORPUS / "pdfplumber__password-example.pdf").read_bytes(), "encrypted"),
        ((CORPUS / "pdf.js__xfa_issue14315.pdf").read_bytes(), "xfa_only"),
    ],
)
def test_documented_errors(specs, data, code):
    with pytest.raises(ParseFailed) as caught:
        parse_bytes(data, specs)
    assert caught.value.code == code

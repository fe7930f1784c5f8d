"""The documents CLI: kinds, schema, render, batch, batch-template, templates check."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"


def test_kinds_lists_the_five_kinds_in_both_languages(run_cli):
    result = run_cli("kinds", "--json")
    assert result.code == 0, result.stderr
    kinds = {row["kind"]: row["languages"] for row in result.json()}
    assert kinds == {
        "learning_agreement": ["ro", "en"],
        "financial_contract": ["ro", "en"],
        "certificate_of_attendance": ["ro", "en"],
        "selection_minutes": ["ro", "en"],
        "letter_of_nomination": ["ro", "en"],
    }


def test_schema_is_the_payload_json_schema(run_cli):
    result = run_cli("schema", "financial_contract")
    assert result.code == 0
    schema = result.json()
    assert {"number", "participant", "bank", "mobility", "call"} <= set(schema["properties"])
    assert "total" not in schema["properties"]


def test_render_writes_the_default_name(run_cli, tmp_path, docx_text):
    sample = SAMPLES / "certificate_of_attendance.json"
    result = run_cli(
        "render",
        "certificate_of_attendance",
        "--lang",
        "ro",
        "--data",
        str(sample),
        cwd=tmp_path,
        env={"DOCGEN_TEMPLATES_DIR": str(ROOT / "templates")},
    )
    assert result.code == 0, result.stderr
    out = tmp_path / "certificate_of_attendance-UPT-DRI-2026-0412-ro.docx"
    assert out.is_file()
    assert "Dragana Jovanović" in docx_text(out.read_bytes())


def test_render_from_stdin_to_a_named_file(run_cli, tmp_path, docx_text):
    out = tmp_path / "la.docx"
    stdin = (SAMPLES / "learning_agreement.json").read_text(encoding="utf-8")
    result = run_cli(
        "render", "learning_agreement", "--lang", "en", "--data", "-", "-o", str(out), stdin=stdin
    )
    assert result.code == 0, result.stderr
    assert "Ștefania-Irina Vlăduțescu" in docx_text(out.read_bytes())


def test_render_invalid_payload_exits_2_without_a_file(run_cli, tmp_path):
    data = json.loads((SAMPLES / "financial_contract.json").read_text(encoding="utf-8"))
    data["participant"]["cnp"] = "123"
    data["mobility"]["start"] = "next week"
    out = tmp_path / "c.docx"
    result = run_cli(
        "render",
        "financial_contract",
        "--lang",
        "ro",
        "--data",
        "-",
        "-o",
        str(out),
        stdin=json.dumps(data),
    )
    assert result.code == 2
    lines = result.stderr.strip().splitlines()
    assert any(line.startswith("/participant/cnp: ") for line in lines)
    assert "/mobility/start: must be a date (YYYY-MM-DD)" in lines
    assert "Traceback" not in result.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_batch_from_json_reports_invalid_rows_and_keeps_the_valid(run_cli, tmp_path, docx_text):
    good = json.loads((SAMPLES / "certificate_of_attendance.json").read_text(encoding="utf-8"))
    other = dict(good, reference="UPT-DRI-2026-0413")
    bad = dict(good, reference="UPT-DRI-2026-0414", end="2026-11-01")
    source = tmp_path / "batch.json"
    source.write_text(json.dumps([good, bad, other]), encoding="utf-8")
    out = tmp_path / "out.zip"
    result = run_cli(
        "batch", "certificate_of_attendance", "--lang", "en", "--data", str(source), "-o", str(out)
    )
    assert result.code == 1
    assert "/1/end: must not be before start" in result.stderr.splitlines()
    with zipfile.ZipFile(out) as archive:
        names = sorted(archive.namelist())
        assert names == [
            "certificate_of_attendance-UPT-DRI-2026-0412-en.docx",
            "certificate_of_attendance-UPT-DRI-2026-0413-en.docx",
        ]
        assert "UPT-DRI-2026-0413" in docx_text(archive.read(names[1]))


def test_batch_template_round_trips_through_xlsx_and_csv(run_cli, tmp_path, docx_text):
    template = tmp_path / "t.xlsx"
    result = run_cli("batch-template", "learning_agreement", "-o", str(template))
    assert result.code == 0, result.stderr
    book = load_workbook(template)
    sheet = book.active
    header = [c.value for c in sheet[1]]
    assert "student.family_name" in header and "table_a.0.title" in header
    # A second row: a copy of the example with another student, one bad ECTS value.
    example = [c.value for c in sheet[2]]
    row = dict(zip(header, example, strict=True))
    row["reference"] = "LA-2026-0777"
    row["student.family_name"] = "Bălan"
    sheet.append([row[h] for h in header])
    row["reference"] = "LA-2026-0778"
    row["table_a.1.ects"] = "mult"
    sheet.append([row[h] for h in header])
    book.save(template)

    out = tmp_path / "la.zip"
    result = run_cli(
        "batch", "learning_agreement", "--lang", "ro", "--data", str(template), "-o", str(out)
    )
    assert result.code == 1
    assert "row 4, column table_a.1.ects: must be a number" in result.stderr
    with zipfile.ZipFile(out) as archive:
        assert len(archive.namelist()) == 2
        assert "Bălan" in docx_text(archive.read("learning_agreement-LA-2026-0777-ro.docx"))

    # The same rows as CSV (semicolon-separated, as Excel writes in Romanian locales).
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    for values in sheet.iter_rows(values_only=True):
        writer.writerow(["" if v is None else v for v in values])
    source = tmp_path / "la.csv"
    source.write_text(buffer.getvalue(), encoding="utf-8-sig")
    out_csv = tmp_path / "la-csv.zip"
    result = run_cli(
        "batch", "learning_agreement", "--lang", "ro", "--data", str(source), "-o", str(out_csv)
    )
    assert result.code == 1
    assert "row 4, column table_a.1.ects: must be a number" in result.stderr
    with zipfile.ZipFile(out_csv) as archive:
        assert len(archive.namelist()) == 2


def test_batch_with_no_valid_row_writes_nothing(run_cli, tmp_path):
    source = tmp_path / "b.csv"
    source.write_text("reference;student.family_name\nLA-1;Pop\n", encoding="utf-8")
    out = tmp_path / "x.zip"
    result = run_cli(
        "batch", "learning_agreement", "--lang", "ro", "--data", str(source), "-o", str(out)
    )
    assert result.code == 2
    assert "row 2, column student.given_names: is required" in result.stderr
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["b.csv"]


def test_batch_unreadable_file_is_a_clear_error(run_cli, tmp_path):
    source = tmp_path / "b.xlsx"
    source.write_bytes(b"not a workbook")
    result = run_cli(
        "batch",
        "learning_agreement",
        "--lang",
        "ro",
        "--data",
        str(source),
        "-o",
        str(tmp_path / "x.zip"),
    )
    assert result.code == 2
    assert result.stderr.startswith("/: not a readable XLSX workbook")


def test_templates_check_passes(run_cli):
    result = run_cli("templates", "check")
    assert result.code == 0, result.stderr
    assert result.stdout.strip() == "10 templates OK"


def test_templates_check_finds_a_broken_template(run_cli, tmp_path):
    import shutil

    from docx import Document

    root = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", root)
    doc = Document(root / "en" / "certificate_of_attendance.docx")
    doc.add_paragraph("{{ participant.favourite_colour }} and {{ mystery }}")
    doc.save(root / "en" / "certificate_of_attendance.docx")
    (root / "ro" / "selection_minutes.docx").unlink()
    env = {"DOCGEN_TEMPLATES_DIR": str(root)}
    import os
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "docgen", "templates", "check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **env},
        timeout=120,
    )
    assert proc.returncode == 1
    assert "en/certificate_of_attendance.docx (body): unknown variable 'mystery'" in proc.stderr
    assert "unknown variable 'participant.favourite_colour'" in proc.stderr
    assert "ro/selection_minutes.docx (file): template missing" in proc.stderr


def test_render_pdf_and_batch_both(run_cli, tmp_path):
    import pypdf

    sample = SAMPLES / "certificate_of_attendance.json"
    out = tmp_path / "c.pdf"
    result = run_cli(
        "render",
        "certificate_of_attendance",
        "--lang",
        "ro",
        "--data",
        str(sample),
        "--format",
        "pdf",
        "-o",
        str(out),
    )
    assert result.code == 0, result.stderr
    text = pypdf.PdfReader(out).pages[0].extract_text()
    assert "Dragana Jovanović" in text

    good = json.loads(sample.read_text(encoding="utf-8"))
    items = [good, dict(good, reference="UPT-DRI-2026-0499")]
    source = tmp_path / "b.json"
    source.write_text(json.dumps(items), encoding="utf-8")
    archive_path = tmp_path / "both.zip"
    result = run_cli(
        "batch",
        "certificate_of_attendance",
        "--lang",
        "en",
        "--data",
        str(source),
        "--format",
        "both",
        "--pdfa",
        "-o",
        str(archive_path),
    )
    assert result.code == 0, result.stderr
    with zipfile.ZipFile(archive_path) as archive:
        names = sorted(archive.namelist())
        assert names == [
            "certificate_of_attendance-UPT-DRI-2026-0412-en.docx",
            "certificate_of_attendance-UPT-DRI-2026-0412-en.pdf",
            "certificate_of_attendance-UPT-DRI-2026-0499-en.docx",
            "certificate_of_attendance-UPT-DRI-2026-0499-en.pdf",
        ]
        pdf = pypdf.PdfReader(io.BytesIO(archive.read(names[3])))
        assert "UPT-DRI-2026-0499" in pdf.pages[0].extract_text()
        assert b"pdfaid:part" in archive.read(names[3])

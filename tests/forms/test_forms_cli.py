"""The `docgen forms` commands, run as a real subprocess."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "forms" / "certificate_of_attendance.json"


def test_parse_prints_one_record(run_cli, tmp_path, fill, values):
    path = tmp_path / "returned.pdf"
    path.write_bytes(fill("certificate_of_attendance", values["certificate_of_attendance"]))
    result = run_cli("forms", "parse", str(path), "--json")
    assert result.code == 0, result.stderr
    record = json.loads(result.stdout)  # exactly one JSON document
    assert record["form"] == "certificate_of_attendance"
    assert record["status"] == "valid"
    assert record["source"]["filename"] == "returned.pdf"


@pytest.mark.parametrize(("content", "code"), [(b"plain text", "not_pdf"), (None, "unreadable")])
def test_parse_error_is_one_json_object_and_exit_2(run_cli, tmp_path, content, code):
    path = tmp_path / "x.pdf"
    if content is not None:
        path.write_bytes(content)
    result = run_cli("forms", "parse", str(path), "--json")
    assert result.code == 2
    assert json.loads(result.stdout) == {
        "error": {"code": code, "message": json.loads(result.stdout)["error"]["message"]}
    }


def test_build_check_says_up_to_date(run_cli):
    result = run_cli("forms", "build", "--check")
    assert result.code == 0, result.stdout + result.stderr
    assert "out of date" not in result.stdout


def test_prefill_then_parse(run_cli, tmp_path):
    out = tmp_path / "prefilled.pdf"
    result = run_cli(
        "forms", "prefill", "certificate_of_attendance", "--data", str(SAMPLE), "-o", str(out)
    )
    assert result.code == 0, result.stderr
    record = run_cli("forms", "parse", str(out), "--json").json()
    assert record["reference"] == "UPT-STA-2026-0142"
    assert record["values"]["participant_name"] == "Ștefania Țurcanu-Bălășoiu"
    assert record["values"]["planned_start"] == "2026-03-09"
    # the host has not filled in its part yet
    assert {i["field"] for i in record["issues"]} >= {"actual_start", "actual_end", "days"}


def test_prefill_rejects_unknown_fields(run_cli, tmp_path):
    data = tmp_path / "d.json"
    data.write_text(json.dumps({"values": {"nope": 1, "days": "x"}}))
    result = run_cli(
        "forms",
        "prefill",
        "certificate_of_attendance",
        "--data",
        str(data),
        "-o",
        str(tmp_path / "o.pdf"),
    )
    assert result.code == 2
    assert "/values/nope" in result.stderr and "/values/days" in result.stderr


def test_prefilled_text_survives_rendering_tools(tmp_path, specs):
    # The look was checked by eye on a pdftoppm PNG; here poppler reads the same text back.
    from docgen.forms.prefill import prefill_form

    pdf = tmp_path / "p.pdf"
    pdf.write_bytes(
        prefill_form(
            specs["certificate_of_attendance"], json.loads(SAMPLE.read_text(encoding="utf-8"))
        )
    )
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert "Ștefania Țurcanu-Bălășoiu" in text
    assert "docgen-ref UPT-STA-2026-0142" in text
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-r", "40", "-png", "-singlefile", str(pdf), str(tmp_path / "page")],
            check=True,
            timeout=60,
            capture_output=True,
        )
        assert (tmp_path / "page.png").stat().st_size > 1000


def test_prefill_then_parse_a_scanned_image_pdf_and_a_photo(run_cli, tmp_path, values):
    """The CLI prints codes with the instance's secret and reads scans of them back."""
    from tests.forms import scanlib

    env = {"DOCGEN_SECRET_KEY": "cli tests secret"}
    data = tmp_path / "data.json"
    cert = values["certificate_of_attendance"]
    data.write_text(json.dumps({"reference": "UPT-77", "values": cert}), encoding="utf-8")
    pdf = tmp_path / "prefilled.pdf"
    result = run_cli(
        "forms",
        "prefill",
        "certificate_of_attendance",
        "--data",
        str(data),
        "-o",
        str(pdf),
        env=env,
    )
    assert result.code == 0, result.stderr
    (page,) = scanlib.render(pdf.read_bytes(), 200)
    scanned = tmp_path / "scan.pdf"
    scanned.write_bytes(scanlib.image_pdf([scanlib.rotate(page, 1.0, margin=40)], 200))
    result = run_cli("forms", "parse", str(scanned), "--json", env=env)
    assert result.code == 0, result.stderr
    record = json.loads(result.stdout)
    assert (record["form"], record["method"], record["reference"]) == (
        "certificate_of_attendance",
        "scan",
        "UPT-77",
    )
    assert record["values"]["actual_start"] == "2026-03-09"
    assert record["fields"]["actual_start"]["confidence"] > 0.8
    assert [d["reference"] for d in record["documents"]] == ["UPT-77"]
    # Another instance's secret: the same scan is not ours.
    result = run_cli("forms", "parse", str(scanned), "--json", env={"DOCGEN_SECRET_KEY": "another"})
    record = json.loads(result.stdout)
    assert record["status"] == "unrecognized" and record["documents"] == []
    assert record["unidentified"] == [{"index": 1, "reason": "foreign_code"}]
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(scanlib.jpeg(scanlib.photo(page), 70))
    result = run_cli("forms", "parse", str(photo), "--json", env=env)
    record = json.loads(result.stdout)
    assert record["reference"] == "UPT-77" and record["source"]["filename"] == "photo.jpg"

"""The CLI's settings: paths found from any working directory, checked as the web checks
them, and a call's rate table that lives only in DOCGEN_RATES_DIR used by a contract."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
SHIPPED = ROOT / "docgen" / "rules" / "data" / "rates"


def _office_rates(folder: Path) -> Path:
    """A rate table that exists only in ``folder``: the 2024 call's, under another id."""
    folder.mkdir()
    text = (SHIPPED / "ka131-2024.yaml").read_text(encoding="utf-8")
    assert "id: ka131-2024\n" in text
    (folder / "office-2026.yaml").write_text(
        text.replace("id: ka131-2024\n", "id: office-2026\n"), encoding="utf-8"
    )
    return folder


def _contract(tmp_path: Path, table: str) -> Path:
    data = json.loads((SAMPLES / "financial_contract.json").read_text(encoding="utf-8"))
    data["call"]["rate_table"] = table
    path = tmp_path / "contract.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_render_finds_templates_from_another_working_directory(run_cli, tmp_path, docx_text):
    out = tmp_path / "x.docx"
    result = run_cli(
        "render",
        "certificate_of_attendance",
        "--lang",
        "ro",
        "--data",
        str(SAMPLES / "certificate_of_attendance.json"),
        "-o",
        str(out),
        cwd=tmp_path,
    )
    assert result.code == 0, result.stderr
    assert "Dragana Jovanović" in docx_text(out.read_bytes())


def test_templates_check_and_forms_from_another_working_directory(run_cli, tmp_path):
    checked = run_cli("templates", "check", cwd=tmp_path)
    assert checked.code == 0, checked.stderr
    built = run_cli("forms", "build", "--check", cwd=tmp_path)
    assert built.code == 0, built.stdout + built.stderr
    assert str(ROOT / "forms") in built.stdout


def test_a_wrong_setting_stops_the_cli_with_its_name(run_cli, tmp_path):
    result = run_cli("kinds", cwd=tmp_path, env={"DOCGEN_RATE_LIMIT": "-1"})
    assert result.code == 1
    assert "DOCGEN_RATE_LIMIT: must be at least 0, not -1" in result.stderr
    assert "Traceback" not in result.stderr
    zone = run_cli("kinds", cwd=tmp_path, env={"DOCGEN_BABEL_DEFAULT_TIMEZONE": "Mars/Base"})
    assert zone.code == 1
    assert "DOCGEN_BABEL_DEFAULT_TIMEZONE: not a time zone" in zone.stderr


def test_a_contract_uses_a_rate_table_from_rates_dir(run_cli, tmp_path, docx_text):
    rates = _office_rates(tmp_path / "rates")
    contract = _contract(tmp_path, "office-2026")
    out = tmp_path / "contract.docx"
    args = ("render", "financial_contract", "--lang", "ro", "--data", str(contract), "-o", str(out))

    without = run_cli(*args, cwd=tmp_path)
    assert without.code == 2
    assert "/call/rate_table" in without.stderr and "office-2026" in without.stderr

    result = run_cli(*args, cwd=tmp_path, env={"DOCGEN_RATES_DIR": str(rates)})
    assert result.code == 0, result.stderr
    shipped = tmp_path / "shipped.docx"
    same = run_cli(
        "render",
        "financial_contract",
        "--lang",
        "ro",
        "--data",
        str(_contract(tmp_path, "ka131-2024")),
        "-o",
        str(shipped),
        cwd=tmp_path,
    )
    assert same.code == 0, same.stderr
    # The same rates under another id: the same contract, money included, but for the id.
    text = docx_text(out.read_bytes())
    assert "office-2026" in text
    assert text.replace("office-2026", "ka131-2024") == docx_text(shipped.read_bytes())

    quoted = run_cli(
        "grants", "calls", "--json", cwd=tmp_path, env={"DOCGEN_RATES_DIR": str(rates)}
    )
    assert quoted.code == 0, quoted.stderr
    assert "office-2026" in quoted.stdout


def test_a_relative_rates_dir_is_read_against_the_installation(run_cli, tmp_path):
    # The same relative value from two working directories names one folder: the
    # installation's, never the working directory's.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    _office_rates(elsewhere / "rates")
    result = run_cli("grants", "calls", "--json", cwd=elsewhere, env={"DOCGEN_RATES_DIR": "rates"})
    assert result.code == 1
    assert f"DOCGEN_RATES_DIR: no folder {ROOT / 'rates'}" in result.stderr

"""The templates' text snapshot: a wording change shows in review, and cannot slip by."""

from __future__ import annotations

from pathlib import Path

from docgen.documents.snapshot import snapshot

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"


def test_committed_snapshot_matches_the_templates():
    # After editing a template in Word: `docgen templates dump`, and commit both.
    for name, text in snapshot(TEMPLATES).items():
        committed = (TEMPLATES / "snapshot" / name).read_text(encoding="utf-8")
        assert committed == text, f"templates/snapshot/{name} is out of date"


def test_snapshot_holds_the_wording_and_tags():
    contract = snapshot(TEMPLATES)["ro/financial_contract.txt"]
    assert "Art. 3. Sprijinul financiar" in contract
    assert "{{ line.rate_text }}" in contract
    assert "--- section 1 footer" in contract


def test_dump_writes_every_template(run_cli, tmp_path):
    result = run_cli("templates", "dump", "-o", str(tmp_path))
    assert result.code == 0, result.stderr
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.txt"))
    assert written == sorted(snapshot(TEMPLATES))
    assert (tmp_path / "en" / "certificate_of_attendance.txt").read_text(encoding="utf-8") == (
        TEMPLATES / "snapshot" / "en" / "certificate_of_attendance.txt"
    ).read_text(encoding="utf-8")

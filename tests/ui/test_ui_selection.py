"""A selection: candidates from a CSV ranked by a criteria set, then the minutes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]


def candidates_csv(path: Path) -> list[dict]:
    data = json.loads((ROOT / "samples" / "selection-incoming.json").read_text("utf-8"))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")  # as Excel writes it in a Romanian locale
    keys = ["grade", "language", "motivation", "interview"]
    writer.writerow(
        [
            "id",
            "name",
            *[f"scores.{k}" for k in keys],
            "preferences",
            "ranking_position",
            "eligible",
            "early_career",
        ]
    )
    for c in data["candidates"]:
        writer.writerow(
            [
                c["id"],
                c["name"],
                *[c["scores"][k] for k in keys],
                "; ".join(c["preferences"]),
                c["ranking_position"],
                "true" if c["eligible"] else "false",
                "false",
            ]
        )
    path.write_text(out.getvalue(), encoding="utf-8")
    return data["places"]


def test_selection_produces_its_minutes(page, sign_in, shot, tmp_path, docx_text):
    sign_in(page, "officer")
    places = candidates_csv(tmp_path / "candidates.csv")
    page.get_by_role("link", name="Selecție").click()
    page.get_by_label("Set de criterii").select_option("incoming-students")
    page.get_by_label("Rezultatele se publică la").fill("2026-03-10T12:00")
    rows = page.locator("fieldset[data-list=places] [data-row]")
    page.get_by_role("button", name="Adăugați un rând").click()
    expect(rows).to_have_count(2)
    for i, place in enumerate(places):
        rows.nth(i).get_by_label("Codul destinației").fill(place["id"])
        rows.nth(i).get_by_label("Destinație", exact=True).fill(place["label"])
        rows.nth(i).get_by_label("Locuri").fill(str(place["places"]))
    page.get_by_label("Candidați (XLSX sau CSV)").set_input_files(str(tmp_path / "candidates.csv"))
    page.get_by_role("button", name="Ierarhizați candidații").click()
    ranking = page.locator("#ranking tbody tr")
    expect(ranking).to_have_count(4)
    expect(ranking.nth(0)).to_contain_text("Marko Jovanović")
    expect(ranking.nth(0)).to_contain_text("admis")
    expect(page.locator("#ranking")).to_contain_text("respins")
    shot(page, "14-selection-ranking")

    minutes = page.locator("form[action='/selection/minutes']")
    minutes.locator("#f-number").fill("1843/12.03.2026")
    minutes.locator("#f-meeting_date").fill("2026-03-10")
    minutes.locator("#f-place").fill("Timișoara, Rectorat")
    minutes.locator("#f-call-activity").select_option("SMS")
    minutes.locator("#f-call-academic_year").fill("2026-2027")
    for i, (name, role) in enumerate(
        [("Prof. dr. ing. Ștefan Țăranu", "president"), ("Ec. Andreea Bîrsan", "secretary")]
    ):
        minutes.locator(f"#f-committee-{i}-name").fill(name)
        minutes.locator(f"#f-committee-{i}-role").select_option(role)
    with page.expect_download() as info:
        minutes.get_by_role("button", name="Descărcați procesul-verbal (DOCX)").click()
    text = docx_text(Path(info.value.path()).read_bytes())
    assert "Marko Jovanović" in text and "Ștefan Țăranu" in text
    shot(page, "15-selection-minutes-form")

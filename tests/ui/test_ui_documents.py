"""New documents from the generated form (with errors by their fields), the grant of a
financial contract, repeated rows, and a batch from a spreadsheet with a bad row."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]


def test_certificate_from_the_form(page, sign_in, shot, docx_text):
    sign_in(page, "officer")
    page.get_by_role("link", name="Document nou").click()
    page.get_by_role("button", name="Porniți de la exemplu").click()
    family = page.locator("#f-participant-family_name")  # the participant's
    expect(family).to_have_value("Jovanović")
    # A mistake is shown next to its field, in Romanian.
    family.fill("")
    page.get_by_role("button", name="Descărcați DOCX").click()
    error = page.locator("#f-participant-family_name-err")
    expect(error).to_have_text("este obligatoriu")
    expect(page.locator("#f-participant-family_name")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#error-summary")).to_contain_text("Participant › Nume de familie")
    shot(page, "05-certificate-errors")
    page.locator("#f-participant-family_name").fill("Țurcanu")
    page.locator("#f-participant-given_names").fill("Ștefania")
    with page.expect_download() as info:
        page.get_by_role("button", name="Descărcați DOCX").click()
    download = info.value
    assert download.suggested_filename.endswith("-ro.docx")
    text = docx_text(Path(download.path()).read_bytes())
    assert "Țurcanu" in text and "Ștefania" in text
    page.goto("/")
    expect(page.get_by_text("UPT-DRI-2026-0412").first).to_be_visible()  # recent documents


def test_financial_contract_shows_its_grant(page, sign_in, shot):
    sign_in(page, "officer", "en")
    page.goto("/documents/new?kind=financial_contract&lang=en")
    page.get_by_role("button", name="Start from the example").click()
    page.get_by_role("button", name="Compute the grant").click()
    grant = page.locator("#grant")
    expect(grant).to_contain_text("4,656.33 EUR")
    expect(grant).to_contain_text("four thousand six hundred fifty-six euros")
    shot(page, "06-financial-contract-grant")
    page.goto("/lang/ro?next=/documents/new?kind=financial_contract")
    page.get_by_role("button", name="Porniți de la exemplu").click()
    page.get_by_role("button", name="Calculați grantul").click()
    expect(page.locator("#grant")).to_contain_text("4.656,33 EUR")


def test_repeated_rows_are_added_and_removed(page, sign_in, shot, docx_text):
    sign_in(page, "officer", "en")
    page.goto("/documents/new?kind=learning_agreement&lang=en")
    page.get_by_role("button", name="Start from the example").click()
    table_a = page.locator("fieldset[data-list='table_a']")
    rows = table_a.locator("[data-row]")
    before = rows.count()
    table_a.get_by_role("button", name="Add a row").click()
    expect(rows).to_have_count(before + 1)
    new_row = rows.nth(before)
    expect(new_row.locator("input").first).to_be_focused()  # the keyboard goes on there
    new_row.get_by_label("Code").fill("ZZ-101")
    new_row.get_by_label("Title").fill("Mecanica fluidelor aplicată")
    new_row.get_by_label("Semester").fill("Winter")
    new_row.get_by_label("ECTS credits").fill("4,5")
    shot(page, "07-learning-agreement-rows")
    removed = rows.nth(0).get_by_label("Title").input_value()
    rows.nth(0).get_by_role("button", name="Remove this row").click()
    expect(rows).to_have_count(before)
    expect(page.locator("#error-summary")).to_have_count(0)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download DOCX").click()
    text = docx_text(Path(info.value.path()).read_bytes())
    assert "Mecanica fluidelor aplicată" in text
    assert removed not in text


def _batch_rows(template: bytes) -> bytes:
    """Three certificates from the template's example row; the second has a bad date."""
    book = load_workbook(io.BytesIO(template))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    example = [c.value for c in sheet[2]]
    sheet.delete_rows(2)
    for i, name in enumerate(["Ana", "Bogdan", "Cezara"]):
        row = dict(zip(header, example, strict=True))
        row["reference"] = f"UPT-BATCH-{i + 1}"
        row["participant.given_names"] = name
        if i == 1:
            row["end"] = "2026-31-12"
        sheet.append([row[h] for h in header])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_batch_with_a_bad_row(page, sign_in, shot, tmp_path):
    sign_in(page, "officer")
    page.get_by_role("link", name="Lot", exact=True).click()
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("Model pentru Certificat de participare")).click()
    filled = tmp_path / "certificates.xlsx"
    filled.write_bytes(_batch_rows(Path(info.value.path()).read_bytes()))
    page.get_by_label("Document", exact=True).select_option("certificate_of_attendance")
    page.get_by_label("Foaie de calcul (XLSX sau CSV)").set_input_files(str(filled))
    page.get_by_role("button", name="Verificați și generați").click()
    invalid = page.locator("tr.bad-row")
    expect(invalid).to_have_count(1)
    expect(invalid).to_contain_text("rândul 3, coloana end")
    expect(invalid).to_contain_text("trebuie să fie o dată")
    zip_link = page.get_by_role("link", name="Descărcați arhiva ZIP")
    expect(zip_link).to_be_visible(timeout=60_000)
    expect(page.locator("progress")).to_have_attribute("value", "2")
    shot(page, "08-batch-progress-done")
    with page.expect_download() as info:
        zip_link.click()
    names = zipfile.ZipFile(info.value.path()).namelist()
    assert sorted(names) == [
        "certificate_of_attendance-UPT-BATCH-1-ro.docx",
        "certificate_of_attendance-UPT-BATCH-3-ro.docx",
    ]
    page.goto("/")
    expect(page.locator("#h-batches + ul")).to_contain_text("2 din 2")

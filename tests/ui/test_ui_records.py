"""Returned forms dropped on the page, a record reviewed, corrected, approved, exported."""

from __future__ import annotations

import base64
import csv
import io
import re
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfWriter

ROOT = Path(__file__).resolve().parents[2]
CERTIFICATE = {
    "participant_name": "Ștefania Țurcanu-Bălășoiu",
    "sending_institution": "Universitatea Politehnica Timișoara",
    "host_institution": "Universitatea „Ștefan cel Mare” din Suceava",
    "host_erasmus_code": "RO SUCEAVA01",
    "activity": "STA",
    "planned_start": "2026-03-09",
    "planned_end": "2026-03-13",
    "actual_start": "2026-03-09",
    "actual_end": "2026-03-13",
    "days": "7",  # the period holds 5: an issue for the reviewer
    "teaching_hours": "8.5",
    "signer_name": "Ioana Mâțu",
    "signer_function": "Coordonator instituțional Erasmus+",
    "sign_date": "2026-03-13",
}


def filled_certificate(values: dict) -> bytes:
    """The committed blank form filled with pypdf, as a host would return it."""
    writer = PdfWriter(clone_from=str(ROOT / "forms" / "certificate_of_attendance.pdf"))
    for page in writer.pages:
        writer.update_page_form_field_values(page, values, auto_regenerate=False)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def drop_files(page, selector: str, files: list[tuple[str, bytes, str]]) -> None:
    """Drop files on an element as a person dragging them from a file manager would."""
    payload = [{"name": n, "data": base64.b64encode(d).decode(), "type": t} for n, d, t in files]
    transfer = page.evaluate_handle(
        """(files) => {
        const dt = new DataTransfer();
        for (const f of files) {
            const bytes = Uint8Array.from(atob(f.data), c => c.charCodeAt(0));
            dt.items.add(new File([bytes], f.name, {type: f.type}));
        }
        return dt;
    }""",
        payload,
    )
    page.dispatch_event(selector, "dragenter", {"dataTransfer": transfer})
    page.dispatch_event(selector, "drop", {"dataTransfer": transfer})


def test_upload_review_correct_approve(page, sign_in, shot, browser, base_url):
    sign_in(page, "officer")
    page.get_by_role("link", name="Încărcare formulare").click()
    drop_files(
        page,
        "[data-dropzone]",
        [
            ("certificat-turcanu.pdf", filled_certificate(CERTIFICATE), "application/pdf"),
            ("notite.pdf", b"just some text, not a PDF", "application/pdf"),
        ],
    )
    expect(page.locator("[data-filenames]")).to_have_text("certificat-turcanu.pdf, notite.pdf")
    shot(page, "09-upload-dropped")
    page.get_by_role("button", name="Încărcați și citiți").click()
    outcomes = page.locator("ul.outcomes li")
    expect(outcomes).to_have_count(2)
    expect(outcomes.nth(0)).to_contain_text("certificat-turcanu.pdf: citit; trebuie verificat")
    expect(outcomes.nth(1)).to_contain_text("notite.pdf: nu este un fișier PDF")
    shot(page, "10-upload-outcomes")

    page.get_by_role("link", name="Înregistrări").click()
    page.get_by_label("Căutare").fill("turcanu")  # without diacritics, still found
    page.get_by_label("Stare").select_option("needs_review")
    page.get_by_role("button", name="Filtrați").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Ștefania Țurcanu-Bălășoiu")
    shot(page, "11-records")
    with page.expect_download() as info:
        page.get_by_role("link", name="Exportați în XLSX").click()
    sheet = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).active
    assert sheet.max_row == 2 and "Ștefania Țurcanu-Bălășoiu" in [c.value for c in sheet[2]]
    with page.expect_download() as info:
        page.get_by_role("link", name="Exportați în CSV").click()
    lines = list(csv.reader(io.StringIO(Path(info.value.path()).read_text("utf-8-sig"))))
    assert len(lines) == 2 and "Ștefania Țurcanu-Bălășoiu" in lines[1]

    rows.first.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/records/\d+$"))
    days = page.locator("#v-days")
    expect(days).to_have_value("7")
    expect(page.locator(".field.issue #v-days")).to_have_count(1)  # the issue is on its field
    # The original comes as a download (never shown inline: it may carry scripts).
    with page.expect_download() as info:
        page.get_by_role("link", name="Descărcați PDF-ul original").click()
    assert Path(info.value.path()).read_bytes().startswith(b"%PDF-")
    shot(page, "12-record-needs-review")

    # A viewer sees the record but cannot change it.
    viewer = browser.new_context(base_url=base_url)
    viewer_page = viewer.new_page()
    sign_in(viewer_page, "viewer")
    viewer_page.goto(page.url)
    expect(viewer_page.locator("#v-days")).to_have_attribute("readonly", "")
    expect(viewer_page.get_by_role("button", name="Salvați și aprobați")).to_have_count(0)
    token = viewer_page.locator("input[name=csrf_token]").first.input_value()
    refused = viewer_page.request.post(
        page.url, form={"csrf_token": token, "values.days": "5", "_action": "approve"}
    )
    assert refused.status == 403
    viewer.close()

    days.fill("5")
    page.get_by_role("button", name="Salvați și aprobați").click()
    expect(page.get_by_role("status")).to_have_text("Înregistrarea este aprobată.")
    expect(page.locator("h1 .badge")).to_have_text("aprobată")
    expect(page.locator(".field.issue")).to_have_count(0)
    history = page.locator("table[aria-labelledby=h-history] tbody tr")
    expect(history).to_have_count(2)
    expect(history.nth(0)).to_contain_text("officer@upt.ro")
    expect(history.nth(0).locator("td").nth(3)).to_have_text("7")
    expect(history.nth(0).locator("td").nth(4)).to_have_text("5")
    expect(history.nth(1)).to_contain_text("aprobată")
    shot(page, "13-record-approved")

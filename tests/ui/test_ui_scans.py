"""A scanned certificate reviewed in the browser: crops beside the values read, Tab from one
flagged field to the next, a correction and the approval kept in the history."""

from __future__ import annotations

import json
import re
from pathlib import Path

from playwright.sync_api import expect

from tests.ui.test_ui_records import drop_files

ROOT = Path(__file__).resolve().parents[2]


def scanned_certificate(secret: str, reference: str) -> bytes:
    """The certificate filled on a computer, printed by the served instance, scanned (JPEG)."""
    from docgen.forms.pagecode import stamp_form
    from docgen.forms.prefill import prefill_form
    from docgen.forms.spec import load_specs
    from tests.forms import scanlib

    spec = load_specs(ROOT / "forms")["certificate_of_attendance"]
    values = json.loads((ROOT / "tests/data/forms/values.json").read_text(encoding="utf-8"))
    filled = prefill_form(
        spec, {"reference": reference, "values": values["certificate_of_attendance"]}
    )
    (page,) = scanlib.render(stamp_form(filled, spec, reference, secret), 200)
    return scanlib.jpeg(page, 75)


def test_scan_review_with_crops_and_tab_through_flagged_fields(page, sign_in, shot, live_app):
    _url, app = live_app
    secret = app.config["SECRET_KEY"]
    sign_in(page, "officer")
    page.get_by_role("link", name="Încărcare formulare").click()
    drop_files(
        page,
        "[data-dropzone]",
        [("certificat-scanat.jpg", scanned_certificate(secret, "UPT-SCAN-1"), "image/jpeg")],
    )
    page.get_by_role("button", name="Încărcați și citiți").click()
    outcomes = page.locator("ul.outcomes li")
    expect(outcomes).to_have_count(1)
    expect(outcomes.first).to_contain_text("certificat-scanat.jpg: citit")
    page.get_by_role("link", name="Înregistrări").click()
    page.get_by_label("Căutare").fill("UPT-SCAN-1")
    page.get_by_role("button", name="Filtrați").click()
    page.locator("tbody tr").first.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/records/\d+$"))

    # Every read box shows its crop of the original, loaded as an image.
    crops = page.locator(".scan-read img.crop")
    expect(crops.first).to_be_visible()
    assert crops.count() >= 10
    # Each crop is its own request: wait until the browser has them all, then look.
    page.wait_for_function(
        "() => [...document.querySelectorAll('.scan-read img.crop')].every((i) => i.complete)"
    )
    widths = crops.evaluate_all("(imgs) => imgs.map((i) => i.naturalWidth)")
    assert all(w > 0 for w in widths), widths
    expect(page.locator("#v-actual_end")).to_have_value("2026-03-13")
    shot(page, "30-scan-review")

    # Tab goes from one flagged field to the next, in the page's order.
    flagged = page.locator("[tabindex='1']")
    names = flagged.evaluate_all("(els) => els.map((e) => e.id)")
    assert "v-host_erasmus_code" in names and len(names) >= 2, names
    flagged.first.focus()
    for following in names[1:]:
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == following

    page.locator("#v-host_erasmus_code").fill("RO SUCEAVA01")
    page.get_by_role("button", name="Salvați și aprobați").click()
    expect(page.get_by_role("status")).to_have_text("Înregistrarea este aprobată.")
    history = page.locator("table[aria-labelledby=h-history] tbody tr")
    expect(history.first).to_contain_text("citit pe scanare:")
    shot(page, "31-scan-approved")

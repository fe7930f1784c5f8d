"""A scanned stack whose middle page lost its QR, in the browser: the page's image shown in
its unidentified record, assigned to a form by an officer and read; a viewer only sees it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from playwright.sync_api import expect

from tests.ui.test_ui_records import drop_files

ROOT = Path(__file__).resolve().parents[2]


def torn_stack(secret: str) -> bytes:
    """An application, then a certificate with its QR corner torn off, scanned into one PDF."""
    from docgen.forms.pagecode import stamp_form
    from docgen.forms.prefill import prefill_form
    from docgen.forms.spec import load_specs
    from tests.forms import scanlib

    specs = load_specs(ROOT / "forms")
    values = json.loads((ROOT / "tests/data/forms/values.json").read_text(encoding="utf-8"))

    def printed(form: str, reference: str):
        pdf = prefill_form(specs[form], {"reference": reference, "values": values[form]})
        return scanlib.render(stamp_form(pdf, specs[form], reference, secret), 200)

    (application,) = printed("application", "APP-UI-7")
    (certificate,) = printed("certificate_of_attendance", "UPT-UI-7")
    return scanlib.image_pdf([application, scanlib.tear_qr(certificate, 200)], 200, quality=75)


def test_unidentified_page_shown_and_assigned(page, sign_in, shot, live_app):
    _url, app = live_app
    sign_in(page, "officer")
    page.get_by_role("link", name="Încărcare formulare").click()
    drop_files(
        page,
        "[data-dropzone]",
        [("teanc-rupt.pdf", torn_stack(app.config["SECRET_KEY"]), "application/pdf")],
    )
    page.get_by_role("button", name="Încărcați și citiți").click()
    outcome = page.locator("ul.outcomes li")
    expect(outcome).to_have_count(1)
    expect(outcome).to_contain_text("1 pagină fără cod lizibil")
    outcome.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/records/\d+$"))
    parts = page.locator("ul[aria-labelledby=h-parts] li")
    expect(parts).to_have_count(2)
    parts.nth(1).get_by_role("link").click()
    record_url = page.url

    # The page's image, loaded from the service (a PNG the parser made), and the form.
    expect(page.locator("h1 .badge")).to_have_text("neidentificat")
    image = page.locator("img.page-image")
    expect(image).to_be_visible()
    assert image.evaluate("(i) => i.complete ? i.naturalWidth : 0") > 500
    shot(page, "32-unidentified-page")
    page.get_by_role("combobox", name="Formular").select_option("certificate_of_attendance")
    page.get_by_label("Referință").fill("UPT-UI-7")
    page.get_by_role("button", name="Atribuiți și citiți pagina").click()
    expect(page.get_by_role("status")).to_have_text("Pagina este atribuită și citită.")
    expect(page.locator("h1")).not_to_contain_text("neidentificat")
    expect(page.locator("#v-actual_end")).to_have_value("2026-03-13")
    expect(page.locator(".scan-read img.crop").first).to_be_visible()
    history = page.locator("table[aria-labelledby=h-history] tbody")
    expect(history).to_contain_text("assigned by hand")
    shot(page, "33-unidentified-assigned")
    page.goto(record_url)
    expect(page.locator("img.page-image")).to_be_visible()  # still shown beside the values

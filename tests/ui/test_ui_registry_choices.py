"""The pages offer what docgen knows as choices: the call is a select of the rate tables,
an agreement a select of the registry's, and picking a partner fills its fields."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from docgen.registry.models import Agreement, Institution
from docgen.store import registry as store

PORTO = {
    "erasmus_code": "P  PORTO02",
    "schac": "up.pt",
    "name_native": "Universidade do Porto",
    "name_ro": "Universitatea din Porto",
    "name_en": "University of Porto",
    "country": "PT",
    "city": "Porto",
    "address": "Praça Gomes Teixeira, 4099-002 Porto",
    "contacts": [
        {
            "name": "Maria Sousa",
            "role": "institutional_coordinator",
            "position": "Erasmus+ coordinator",
            "email": "erasmus@up.pt",
        }
    ],
}


@pytest.fixture(scope="module")
def porto(live_app):
    from docgen.store.database import db

    _url, app = live_app
    with app.app_context():
        row = store.find_institution(db.session, "up.pt")
        if row is None:
            row = store.create_institution(db.session, Institution.model_validate(PORTO), None)
        agreement = store.create_agreement(
            db.session,
            Agreement.model_validate(
                {"type": "ka131", "partner_id": row.id, "academic_years": ["2026-2027"]}
            ),
            None,
        )
        db.session.commit()
        return row.id, agreement.id


def test_picking_a_partner_fills_its_fields(page, sign_in, shot, porto):
    _partner, agreement = porto
    sign_in(page, "officer", "en")
    page.goto("/documents/new?kind=financial_contract&lang=en")
    # The call is a choice among the rate tables, named in the page's language.
    call = page.locator("#f-call-rate_table")
    expect(call).to_have_js_property("tagName", "SELECT")
    call.select_option("ka131-2024")
    expect(call.locator("option[value='incoming-2015']")).to_have_count(1)
    # So is the agreement whose places the mobility takes.
    mobility_agreement = page.locator("#f-mobility-agreement")
    expect(mobility_agreement).to_have_js_property("tagName", "SELECT")
    expect(mobility_agreement.locator(f"option[value='{agreement}']")).to_contain_text(
        "University of Porto · KA131 · 2026-2027"
    )
    # The host: picked from the registry, its fields are filled and stay editable.
    page.locator("#f-mobility-host-pick").select_option(label="University of Porto (PT, Porto)")
    expect(page.locator("#f-mobility-host-name_en")).to_have_value("University of Porto")
    expect(page.locator("#f-mobility-host-name_ro")).to_have_value("Universitatea din Porto")
    expect(page.locator("#f-mobility-host-erasmus_code")).to_have_value("P PORTO02")
    expect(page.locator("#f-mobility-host-country")).to_have_value("PT")
    expect(page.locator("#f-mobility-host-contact-email")).to_have_value("erasmus@up.pt")
    page.locator("#f-mobility-host-city").fill("Porto (FEUP)")
    expect(page.locator("#f-mobility-host-city")).to_have_value("Porto (FEUP)")
    shot(page, "20-registry-choices")


def test_the_page_language_names_the_choices(page, sign_in, porto):
    sign_in(page, "officer", "ro")
    page.goto("/documents/new?kind=financial_contract&lang=ro")
    page.locator("#f-university-pick").select_option(label="Universitatea din Porto (PT, Porto)")
    expect(page.locator("#f-university-name_ro")).to_have_value("Universitatea din Porto")


def test_the_grant_says_what_the_agreement_does_not_allow(page, sign_in, porto):
    _partner, agreement = porto
    sign_in(page, "officer", "en")
    page.goto("/documents/new?kind=financial_contract&lang=en")
    page.get_by_role("button", name="Start from the example").click()
    page.locator("#f-mobility-agreement").select_option(str(agreement))
    page.get_by_role("button", name="Compute the grant").click()
    error = page.locator("#f-mobility-agreement-err")
    expect(error).to_contain_text(f"agreement {agreement} (University of Porto, KA131)")
    expect(error).to_contain_text("has no places for outgoing SMS")
    expect(page.locator("#f-mobility-agreement")).to_have_value(str(agreement))

"""Sign in and out, the language switch, and what a viewer may not do."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def test_sign_in_and_out(page, shot):
    page.goto("/records")
    expect(page).to_have_url(re.compile(r"/login\?next=/records"))
    expect(page.locator("html")).to_have_attribute("lang", "ro")
    shot(page, "01-login")
    page.fill("input[name=email]", "officer@upt.ro")
    page.fill("input[name=password]", "wrong password")
    page.get_by_role("button", name="Autentificare").click()
    expect(page.get_by_role("alert")).to_contain_text("parola este greșită")
    page.fill("input[name=password]", "a-long-enough-password")
    page.keyboard.press("Enter")  # the keyboard alone signs in
    expect(page).to_have_url(re.compile(r"/records$"))  # back where the user was going
    cookie = next(c for c in page.context.cookies() if c["name"] == "docgen_session")
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Lax"
    page.get_by_role("link", name="Panou").click()
    expect(page.get_by_role("heading", name="Panou")).to_be_visible()
    shot(page, "02-dashboard")
    page.get_by_role("button", name="Ieșire").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))


def test_language_switch(page, sign_in, shot):
    sign_in(page, "officer")
    expect(page.locator("html")).to_have_attribute("lang", "ro")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    page.get_by_role("link", name="New document").click()  # the choice stays
    expect(page.get_by_role("heading", name="New document")).to_be_visible()
    expect(page.get_by_label("Family name").first).to_be_visible()
    shot(page, "03-new-document-en")
    page.get_by_role("link", name="Română").click()
    expect(page.locator("html")).to_have_attribute("lang", "ro")
    expect(page.get_by_role("heading", name="Document nou")).to_be_visible()
    expect(page.get_by_label("Nume de familie").first).to_be_visible()


def test_viewer_reads_but_cannot_change(page, sign_in, shot, base_url):
    sign_in(page, "viewer")
    page.goto("/documents/new")
    expect(page.get_by_text("Rolul dumneavoastră permite citirea")).to_be_visible()
    expect(page.get_by_role("button", name="Descărcați DOCX")).to_have_count(0)
    page.goto("/uploads")
    expect(page.locator("input[type=file]")).to_have_count(0)
    # The server refuses, whatever the page shows: post the form anyway, token included.
    page.evaluate("""() => {
        const form = document.createElement('form');
        form.method = 'post'; form.action = '/documents/new';
        const token = document.querySelector('input[name=csrf_token]').value;
        for (const [k, v] of [['csrf_token', token], ['_kind', 'certificate_of_attendance'],
                              ['_action', 'docx']]) {
            const input = document.createElement('input');
            input.type = 'hidden'; input.name = k; input.value = v; form.appendChild(input);
        }
        document.body.appendChild(form); form.submit();
    }""")
    expect(page.get_by_role("heading", name="Nu este permis")).to_be_visible()
    shot(page, "04-viewer-refused")
    # Without the CSRF token even an officer's request would be refused.
    response = page.request.post(f"{base_url}/uploads", multipart={"x": "1"})
    assert response.status == 403


def test_pages_fit_a_phone(page, sign_in, shot):
    sign_in(page, "officer")
    page.set_viewport_size({"width": 390, "height": 844})
    for name, path in [
        ("dashboard", "/"),
        ("new-document", "/documents/new"),
        ("records", "/records"),
        ("uploads", "/uploads"),
        ("forms", "/forms"),
        ("batch", "/batch"),
        ("selection", "/selection"),
    ]:
        page.goto(path)
        wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 0, f"{path} scrolls sideways by {wide}px on a phone"
        shot(page, f"phone-{name}", full_page=False)

"""In Chromium: the administrators' user pages, a session ended on the server, and a record
whose PDF carries JavaScript opened without anything running."""

from __future__ import annotations

import http.server
import re
import threading

from hostile_pdfs import hostile_pdf
from playwright.sync_api import expect

PASSWORD = "a-long-enough-password"  # the users of tests/ui/conftest.py


def test_admin_manages_users_and_a_disabled_user_is_out_at_once(
    page, sign_in, shot, browser, base_url
):
    sign_in(page, "admin")
    page.get_by_role("link", name="Utilizatori").click()
    expect(page.get_by_role("heading", name="Utilizatorii paginilor")).to_be_visible()
    page.get_by_label("Adresa de e-mail").fill("ioana.pop@upt.ro")
    page.get_by_label("Rol", exact=True).select_option("viewer")
    page.get_by_role("button", name="Creați utilizatorul").click()
    password = page.locator("[data-new-password]").inner_text().strip()
    assert len(password) >= 10
    row = page.locator("tr[data-user='ioana.pop@upt.ro']")
    expect(row).to_contain_text("activ")
    shot(page, "20-users-created")

    # The new user signs in with the password shown once.
    other = browser.new_context(base_url=base_url)
    tab = other.new_page()
    tab.goto("/login")
    tab.fill("input[name=email]", "ioana.pop@upt.ro")
    tab.fill("input[name=password]", password)
    tab.click("form[action='/login'] button[type=submit]")
    expect(tab).to_have_url(re.compile(r"/$"))
    expect(tab.get_by_text("ioana.pop@upt.ro (cititor)")).to_be_visible()
    tab.goto("/users")  # not an administrator
    expect(tab.get_by_role("heading", name="Nu este permis")).to_be_visible()

    # The administrator makes her an officer, then disables the account.
    row.get_by_label("Rolul lui ioana.pop@upt.ro").select_option("officer")
    row.get_by_role("button", name="Schimbați rolul").click()
    expect(page.get_by_role("status")).to_contain_text("Rolul este schimbat")
    tab.goto("/")
    expect(tab.get_by_text("ioana.pop@upt.ro (referent)")).to_be_visible()
    page.locator("tr[data-user='ioana.pop@upt.ro']").get_by_role(
        "button", name="Dezactivați"
    ).click()
    expect(page.get_by_role("status")).to_contain_text("Contul este dezactivat")
    tab.goto("/records")
    expect(tab).to_have_url(re.compile(r"/login"))  # her open session has ended
    shot(page, "21-users-disabled")

    # Enabled again, with a new password: the old one no longer works.
    row = page.locator("tr[data-user='ioana.pop@upt.ro']")
    row.get_by_role("button", name="Activați").click()
    page.locator("tr[data-user='ioana.pop@upt.ro']").get_by_role(
        "button", name="Resetați parola"
    ).click()
    fresh = page.locator("[data-new-password]").inner_text().strip()
    assert fresh != password
    tab.fill("input[name=email]", "ioana.pop@upt.ro")
    tab.fill("input[name=password]", password)
    tab.click("form[action='/login'] button[type=submit]")
    expect(tab.get_by_role("alert")).to_contain_text("parola este greșită")
    other.close()


def test_a_saved_cookie_is_useless_after_sign_out(page, sign_in, browser, base_url):
    sign_in(page, "viewer")
    saved = page.context.cookies()
    page.get_by_role("button", name="Ieșire").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    thief = browser.new_context(base_url=base_url)
    thief.add_cookies(saved)
    tab = thief.new_page()
    tab.goto("/records")
    expect(tab).to_have_url(re.compile(r"/login"))
    thief.close()
    # Signing in again works (the account was not harmed).
    page.fill("input[name=email]", "viewer@upt.ro")
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    expect(page).to_have_url(re.compile(r"/$"))


def test_a_pdf_with_javascript_runs_nothing_when_its_record_is_opened(page, sign_in, shot):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    popups: list[str] = []
    page.on("popup", lambda p: popups.append(p.url))
    sign_in(page, "officer")
    page.goto("/uploads")
    page.set_input_files(
        "input[type=file]",
        files=[
            {
                "name": "certificat-cu-script.pdf",
                "mimeType": "application/pdf",
                "buffer": hostile_pdf("open_action_js"),
            }
        ],
    )
    page.get_by_role("button", name="Încărcați și citiți").click()
    outcome = page.locator("ul.outcomes li").first
    expect(outcome).to_contain_text("trebuie verificat")
    outcome.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/records/\d+$"))
    expect(page.get_by_text("PDF-ul conține scripturi")).to_be_visible()
    page.wait_for_timeout(1500)  # time for a viewer to run an OpenAction, if one were open
    assert page.locator("iframe, embed, object").count() == 0
    # The original comes down as a file, sandboxed; nothing is rendered in the page.
    link = page.get_by_role("link", name="Descărcați PDF-ul original")
    with page.expect_download() as info:
        link.click()
    assert info.value.suggested_filename == "certificat-cu-script.pdf"
    response = page.request.get(link.get_attribute("href"))
    assert response.headers["content-security-policy"].startswith("sandbox")
    assert response.headers["content-disposition"].startswith("attachment")
    page.wait_for_timeout(1000)
    shot(page, "22-record-with-script")
    assert dialogs == [] and popups == []


def test_another_site_cannot_frame_a_page(page, sign_in, base_url):
    """A page of another origin on the same site (another port of 127.0.0.1) frames the
    record page to trick a click on "Save and approve": the browser draws nothing."""
    html = f'<iframe src="{base_url}/records" width="900" height="600"></iframe>'.encode()

    class Attacker(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Attacker)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        sign_in(page, "officer")
        page.goto(f"http://127.0.0.1:{server.server_port}/")
        page.wait_for_timeout(1500)
        framed = page.frames[1]
        assert framed.query_selector("form") is None  # nothing of docgen to click on
        assert "docgen" not in framed.content()
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()

"""The real app served on 127.0.0.1 and Debian's Chromium driven by Playwright.

One server for the session (werkzeug in a thread, SQLite in a temporary instance folder,
migrated like production), three users (admin, officer, viewer), one browser; each test
gets a fresh browser context (its own cookies). Screenshots go to
``test-output/screenshots/`` at the project's root.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from docgen.documents.kinds import KINDS, LANGS
from docgen.store.migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]
USERS = {"admin": "admin@upt.ro", "officer": "officer@upt.ro", "viewer": "viewer@upt.ro"}
PASSWORD = "a-long-enough-password"


@pytest.fixture(scope="session")
def live_app(tmp_path_factory) -> Iterator[tuple[str, object]]:
    """The app served over HTTP; yields (base URL, app)."""
    from docgen.store.database import db
    from docgen.store.users import create_user
    from docgen.web import create_app

    if not all(
        (ROOT / "templates" / lang / f"{kind}.docx").is_file() for kind in KINDS for lang in LANGS
    ):
        pytest.fail("the DOCX templates are missing")
    folder = tmp_path_factory.mktemp("ui")
    url = f"sqlite:///{folder / 'docgen.sqlite3'}"
    upgrade(url)
    app = create_app(
        {
            "INSTANCE_DIR": str(folder / "instance"),
            "DATABASE_URL": url,
            "TEMPLATES_DIR": str(ROOT / "templates"),
            "FORMS_DIR": str(ROOT / "forms"),
            "RATE_LIMIT": 0,
            "PDF_URL": "",
            "PARSE_WORKERS": 1,
            "PARSE_WAIT": 120,
            "PARSE_RETRIES": 0,
            "QUEUE_IN_PROCESS": True,
        }
    )
    with app.app_context():
        for role, email in USERS.items():
            create_user(db.session, email, role, PASSWORD)
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", app
    finally:
        server.shutdown()
        thread.join(10)
        app.extensions["docgen.jobs"].shutdown(wait=True)
        app.extensions["docgen.parse_queue"].shutdown()
        app.extensions["docgen.heartbeat"].stop()
        app.extensions["docgen.parser"].close()
        app.extensions["docgen.db"]["engine"].dispose()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def base_url(live_app) -> str:
    return live_app[0]


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(
        base_url=base_url,
        accept_downloads=True,
        viewport={"width": 1280, "height": 900},
        locale="ro-RO",
    )
    context.set_default_timeout(20_000)
    # Assertions wait as long as actions: an upload read by OCR on a loaded machine (the
    # whole suite on 2 cores) takes more than expect()'s own 5 s.
    expect.set_options(timeout=20_000)
    tab = context.new_page()
    failures: list[str] = []
    tab.on(
        "response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 500 else None
    )
    tab.on("pageerror", lambda exc: failures.append(f"script error: {exc}"))
    yield tab
    context.close()
    assert not failures, failures


def take_shot(page, name: str, full_page: bool = True) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


@pytest.fixture
def shot():
    return take_shot


def sign_in_as(page, role: str, lang: str | None = None) -> None:
    page.goto("/login")
    if lang:
        page.goto(f"/lang/{lang}?next=/login")
    page.fill("input[name=email]", USERS[role])
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url("**/")


@pytest.fixture
def sign_in():
    return sign_in_as

"""Fixtures for the service: apps on SQLite and on a real PostgreSQL, keys, forms to upload.

A plugin of ``tests/conftest.py``, so that the API tests (tests/web) and the page tests
(tests/ui) share the same apps.

The PostgreSQL server comes from ``tests/pg_server.py`` (started once per session). Each
test gets a database of its own, copied from a template migrated once.
"""

from __future__ import annotations

import io
import os
import shutil
import time
from pathlib import Path

import pytest
from pg_server import pg_exec
from pypdf import PdfWriter

from docgen.documents.kinds import KINDS, LANGS
from docgen.store.migrate import upgrade
from docgen.web import create_app
from docgen.web.parsing import Parser

ROOT = Path(__file__).resolve().parents[1]
FORMS = ROOT / "forms"
CORPUS = ROOT / "tests" / "data" / "corpus"
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def templates_dir(tmp_path_factory):
    """The project's templates when they are all there, else minimal stand-ins."""
    real = ROOT / "templates"
    if all((real / lang / f"{kind}.docx").is_file() for kind in KINDS for lang in LANGS):
        return real
    from docx import Document

    root = tmp_path_factory.mktemp("templates")
    for lang in LANGS:
        (root / lang).mkdir()
        for kind in KINDS:
            doc = Document()
            doc.add_paragraph("{{ document_title }}")
            doc.save(root / lang / f"{kind}.docx")
    return root


@pytest.fixture(scope="session")
def shared_parser():
    """Warm parser children shared by every app of the session (they cost a second each)."""
    parser = Parser(
        {
            "PARSE_WORKERS": 2,
            "PARSE_TIMEOUT": 15,
            "PARSE_MEMORY_MB": 1024,
            "PARSE_MAX_MB": 20,
            "FORMS_DIR": str(FORMS),
            "TRUST_ROOTS": "",
            "SECRET_KEY": "web tests",
        }
    )
    yield parser
    parser.close()


_counter = iter(range(1_000_000))


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture
def make_app(request, backend, tmp_path, sqlite_template, templates_dir, shared_parser):
    """Return a callable building an app on this test's backend, with config overrides."""
    apps = []

    def make(**overrides):
        if backend == "sqlite":
            path = tmp_path / "docgen.sqlite3"
            if not path.exists():
                shutil.copy(sqlite_template, path)
            url = f"sqlite:///{path}"
        else:
            server = request.getfixturevalue("pg_server")
            name = f"docgen_t{os.getpid()}_{next(_counter)}"
            pg_exec(server, f"CREATE DATABASE {name} TEMPLATE docgen_template")
            url = server + name
        # Uploads answer once read (as before reading moved off the request thread), and
        # a timeout is final: the tests of those two behaviours set them themselves.
        config = {
            "TESTING": True,
            "INSTANCE_DIR": str(tmp_path / "instance"),
            "DATABASE_URL": url,
            "TEMPLATES_DIR": str(templates_dir),
            "FORMS_DIR": str(FORMS),
            "RATE_LIMIT": 0,
            "PDF_URL": "",
            "PARSE_WAIT": 120,
            "PARSE_RETRIES": 0,
            # Jobs run on a thread of the test's process (no consumer to start).
            "QUEUE_IN_PROCESS": True,
        }
        config.update(overrides)
        app = create_app(config)
        app.extensions["docgen.parser"] = shared_parser
        apps.append(app)
        return app

    yield make
    for app in apps:
        if "docgen.jobs" in app.extensions:
            app.extensions["docgen.jobs"].shutdown(wait=True)
        app.extensions["docgen.parse_queue"].shutdown()
        app.extensions["docgen.heartbeat"].stop()
        app.extensions["docgen.db"]["engine"].dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_key(app):
    """Return a callable creating an API key with scopes; it returns the auth headers."""
    from docgen.store.database import db
    from docgen.store.keys import create_key

    def make(*scopes: str, name: str | None = None) -> dict[str, str]:
        with app.app_context():
            _key, token = create_key(db.session, name or f"key{next(_counter)}", scopes)
            db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def admin(make_key):
    return make_key("admin")


def filled_certificate(
    reference: str, actual_start: str, actual_end: str, name: str = "Ștefania-Irina Vlăduțescu"
) -> bytes:
    """A certificate of attendance as it comes back: prefilled by us, completed by the host."""
    from docgen.forms.prefill import prefill_form
    from docgen.forms.spec import get_spec

    prefilled = prefill_form(
        get_spec("certificate_of_attendance", FORMS),
        {
            "reference": reference,
            "values": {
                "participant_name": name,
                "sending_institution": "Universitatea Politehnica Timișoara",
                "host_institution": "University of Porto",
                "activity": "SMS",
                "planned_start": "2026-09-15",
                "planned_end": "2027-01-31",
            },
        },
    )
    writer = PdfWriter(clone_from=io.BytesIO(prefilled))
    values = {
        "actual_start": actual_start,
        "actual_end": actual_end,
        "signer_name": "Ioana Mâțu",
        "signer_function": "Erasmus+ coordinator",
        "sign_date": actual_end,
    }
    for page in writer.pages:
        writer.update_page_form_field_values(page, values, auto_regenerate=False)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def certificate():
    return filled_certificate


def wait_for(predicate, timeout: float = 60.0, step: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("condition not met in time")


@pytest.fixture
def wait():
    return wait_for


def post_files(client, headers, *files):
    """POST files to /api/v1/uploads, the body encoded in memory (the test client's own
    encoder spools large bodies to a temporary file it never closes)."""
    from werkzeug.datastructures import FileStorage, MultiDict
    from werkzeug.test import encode_multipart

    values = MultiDict(
        [
            (
                "file",
                FileStorage(io.BytesIO(content), filename=name, content_type="application/pdf"),
            )
            for name, content in files
        ]
    )
    boundary, body = encode_multipart(values)
    return client.post(
        "/api/v1/uploads",
        headers=headers,
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


@pytest.fixture
def upload():
    return post_files

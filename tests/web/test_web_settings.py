"""One settings object: its precedence, the instance file, path resolution, the checks
create_app makes with them, and RATES_DIR reaching a contract made through the API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from docgen.config import INSTALLATION, ConfigError, Settings
from docgen.web import create_app

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "docgen" / "rules" / "data" / "rates"


@pytest.fixture
def clean_env(monkeypatch):
    """No DOCGEN_* variable from the calling shell leaks into these tests."""
    import os

    for name in list(os.environ):
        if name.startswith("DOCGEN_"):
            monkeypatch.delenv(name)
    return monkeypatch


def test_precedence_defaults_file_environment_code(clean_env, tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.toml").write_text(
        "rate_limit = 10\nRATE_BURST = 7\nPDF_QUEUE = 3\n", encoding="utf-8"
    )
    clean_env.setenv("DOCGEN_RATE_BURST", "8")
    clean_env.setenv("DOCGEN_PDF_QUEUE", "2")
    settings = Settings.load({"INSTANCE_DIR": str(instance), "PDF_QUEUE": 1})
    assert settings.PARSE_TIMEOUT == 15  # default
    assert settings.RATE_LIMIT == 10  # the instance's file
    assert settings.RATE_BURST == 8  # the environment over the file
    assert settings.PDF_QUEUE == 1  # code over the environment


def test_the_instance_config_py_is_read_and_flask_keeps_its_own_keys(clean_env, tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text(
        "RATE_LIMIT = 5\nPREFERRED_URL_SCHEME = 'https'\nlowercase = 1\n", encoding="utf-8"
    )
    app = create_app({"INSTANCE_DIR": str(instance), "TESTING": True})
    assert app.config["RATE_LIMIT"] == 5
    assert app.config["PREFERRED_URL_SCHEME"] == "https"
    assert "lowercase" not in app.config
    assert app.config["TESTING"] is True
    assert app.extensions["docgen.settings"].RATE_LIMIT == 5
    app.extensions["docgen.jobs"].shutdown(wait=True)
    app.extensions["docgen.parse_queue"].shutdown()
    app.extensions["docgen.heartbeat"].stop()
    app.extensions["docgen.db"]["engine"].dispose()


def test_two_instance_files_are_refused(clean_env, tmp_path):
    (tmp_path / "config.py").write_text("RATE_LIMIT = 5\n", encoding="utf-8")
    (tmp_path / "config.toml").write_text("RATE_LIMIT = 6\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"keep one of config\.py and config\.toml"):
        Settings.load({"INSTANCE_DIR": str(tmp_path)})


def test_paths_are_resolved_against_the_installation(clean_env, tmp_path):
    settings = Settings.load({"INSTANCE_DIR": str(tmp_path / "i")})
    assert INSTALLATION == ROOT
    assert settings.TEMPLATES_DIR == ROOT / "templates"
    assert settings.FORMS_DIR == ROOT / "forms"
    assert settings.SAMPLES_DIR == ROOT / "samples"
    assert settings.RATES_DIR is None and settings.rates_dir == ""
    # Left empty, the database and the file store live in the instance folder.
    assert tmp_path / "i" / "files" == settings.STORAGE_DIR
    assert f"sqlite:///{tmp_path / 'i' / 'docgen.sqlite3'}" == settings.DATABASE_URL
    assert Settings.load().INSTANCE_DIR == ROOT / "instance"
    clean_env.setenv("DOCGEN_PROJECT_ROOT", str(tmp_path))
    moved = Settings.load()
    assert tmp_path / "templates" == moved.TEMPLATES_DIR
    assert tmp_path / "instance" == moved.INSTANCE_DIR


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("PDF_TIMEOUT", "soon", "DOCGEN_PDF_TIMEOUT: 'soon' is not a whole number"),
        ("RATE_BURST", 0, "DOCGEN_RATE_BURST: must be above 0, not 0"),
        ("JOB_PDF_SHARE", 101, "DOCGEN_JOB_PDF_SHARE: must be at most 100, not 101"),
        ("DATABASE_URL", "mysql://x", "DOCGEN_DATABASE_URL: use sqlite:///PATH or postgresql://"),
        ("SESSION_COOKIE_SECURE", "perhaps", "DOCGEN_SESSION_COOKIE_SECURE: true or false"),
        ("PDF_URL", "http://x", "DOCGEN_PDF_URL: must be unix:/PATH"),
        ("LOG_LEVEL", "LOUD", "DOCGEN_LOG_LEVEL: not a log level"),
        ("RATES_DIR", "no/such/folder", "DOCGEN_RATES_DIR: no folder"),
    ],
)
def test_create_app_refuses_a_wrong_setting_by_name(clean_env, tmp_path, key, value, message):
    with pytest.raises(ConfigError) as caught:
        create_app({"INSTANCE_DIR": str(tmp_path / "instance"), key: value})
    assert message in str(caught.value)


def test_an_unwritable_file_store_is_named(clean_env, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(ConfigError, match="DOCGEN_STORAGE_DIR: cannot create"):
        create_app(
            {"INSTANCE_DIR": str(tmp_path / "instance"), "STORAGE_DIR": str(blocker / "files")}
        )


def test_a_contract_through_the_api_uses_a_rate_table_from_rates_dir(make_app, tmp_path, sample):
    from docgen.store.database import db
    from docgen.store.keys import create_key

    rates = tmp_path / "rates"
    rates.mkdir()
    text = (SHIPPED / "ka131-2024.yaml").read_text(encoding="utf-8")
    (rates / "office-2026.yaml").write_text(
        text.replace("id: ka131-2024\n", "id: office-2026\n"), encoding="utf-8"
    )
    data = sample("financial_contract")
    data["call"]["rate_table"] = "office-2026"
    body = {"kind": "financial_contract", "lang": "en", "format": "docx", "data": data}

    for rates_dir, status in ((str(rates), 201), ("", 422)):
        app = make_app(RATES_DIR=rates_dir)
        with app.app_context():
            _key, token = create_key(db.session, f"k{status}", ("documents",))
            db.session.commit()
        response = app.test_client().post(
            "/api/v1/documents", json=body, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == status, response.data
        if status == 422:
            problems = json.dumps(response.json)
            assert "/data/call/rate_table" in problems and "office-2026" in problems

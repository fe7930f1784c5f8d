"""The Flask application: ``create_app(test_config=None)``.

Configuration, in order: the defaults of :mod:`docgen.config` (the same dict the CLI
reads), then ``<instance>/config.py`` if present, then ``DOCGEN_*`` environment variables
(``app.config.from_prefixed_env("DOCGEN")``), then ``test_config``. Settings left empty
are derived from the instance folder (SQLite database, file store, secret key); every
setting is checked here, at start-up, with a message naming it.
"""

from __future__ import annotations

import logging
import os
import zoneinfo
from pathlib import Path
from typing import Any

from flask import Flask, Response, g
from werkzeug.middleware.proxy_fix import ProxyFix

from docgen.config import DEFAULTS, project_path, secret_file
from docgen.store.blobs import BlobStore
from docgen.store.database import db
from docgen.web import converter, errors, headers, jobs, parsing, requestlog, ui, uploads
from docgen.web.json import DocgenJSONProvider
from docgen.web.ratelimit import RateLimiter

POSITIVE = ("MAX_UPLOAD_MB", "BATCH_SYNC_LIMIT", "BATCH_MAX_ITEMS", "RATE_BURST",
            "PARSE_WORKERS", "PARSE_TIMEOUT", "PARSE_MEMORY_MB", "PARSE_MAX_MB",
            "PDF_TIMEOUT", "WORKER_TIMEOUT", "SESSION_HOURS", "REQUEST_READ_TIMEOUT",
            "REQUEST_MIN_RATE", "JOB_PDF_SHARE", "JOB_MAX_QUEUED", "JOB_MAX_ITEMS",
            "JOB_HEARTBEAT_TIMEOUT")
NON_NEGATIVE = ("RATE_LIMIT", "WORKERS", "PDF_INSTANCES", "PDF_QUEUE", "PDF_MAX_JOBS",
                "TRUSTED_PROXIES", "PARSE_WAIT", "PARSE_RETRIES")


class ConfigError(RuntimeError):
    """A setting is missing or wrong: the message names it and says what it should be."""


def _instance_dir(test_config: dict[str, Any] | None) -> Path:
    value = (test_config or {}).get("INSTANCE_DIR") or os.environ.get("DOCGEN_INSTANCE_DIR") \
        or DEFAULTS["INSTANCE_DIR"]
    return project_path(value).resolve()


def _derive(app: Flask) -> None:
    c = app.config
    instance = Path(app.instance_path)
    # The instance holds the database, the files and the secret key (CNP, IBAN, sessions):
    # only the service's user may enter it.
    instance.mkdir(parents=True, exist_ok=True, mode=0o700)
    if instance.stat().st_mode & 0o077:
        os.chmod(instance, 0o700)
    if not c["DATABASE_URL"]:
        c["DATABASE_URL"] = f"sqlite:///{instance / 'docgen.sqlite3'}"
    c["STORAGE_DIR"] = str(project_path(c["STORAGE_DIR"] or instance / "files"))
    if not c["SECRET_KEY"]:
        c["SECRET_KEY"] = secret_file(instance / "secret_key")
    c["MAX_CONTENT_LENGTH"] = int(c["MAX_UPLOAD_MB"]) * 1_000_000


def _check(app: Flask) -> None:
    c = app.config
    for name in POSITIVE + NON_NEGATIVE:
        try:
            value = int(c[name])
        except (TypeError, ValueError):
            raise ConfigError(f"DOCGEN_{name}: {c[name]!r} is not a whole number") from None
        if value < (1 if name in POSITIVE else 0):
            least = "above" if name in POSITIVE else "at least"
            raise ConfigError(f"DOCGEN_{name}: must be {least} 0, not {value}")
    if int(c["JOB_PDF_SHARE"]) > 100:
        raise ConfigError("DOCGEN_JOB_PDF_SHARE: a percentage, from 1 to 100")
    if not str(c["DATABASE_URL"]).startswith(("sqlite:", "postgresql")):
        raise ConfigError("DOCGEN_DATABASE_URL: use sqlite:///PATH or postgresql://...")
    storage = Path(c["STORAGE_DIR"])
    try:
        (storage / "tmp").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"DOCGEN_STORAGE_DIR: cannot create {storage} ({exc.strerror})") \
            from exc
    if not os.access(storage, os.W_OK):
        raise ConfigError(f"DOCGEN_STORAGE_DIR: {storage} is not writable")
    if not isinstance(c["SESSION_COOKIE_SECURE"], bool):
        raise ConfigError("DOCGEN_SESSION_COOKIE_SECURE: true or false")
    try:
        zoneinfo.ZoneInfo(str(c["BABEL_DEFAULT_TIMEZONE"]))
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        raise ConfigError("DOCGEN_BABEL_DEFAULT_TIMEZONE: not a time zone "
                          f"({c['BABEL_DEFAULT_TIMEZONE']!r}), e.g. Europe/Bucharest") from None
    if c["PDF_URL"] and not str(c["PDF_URL"]).startswith("unix:/"):
        raise ConfigError("DOCGEN_PDF_URL: must be unix:/PATH, the converter service's Unix "
                          "socket (docgen serve sets it)")


def _commit_or_roll_back(response: Response) -> Response:
    """The request is the transaction's boundary: success commits, an error rolls back."""
    session = g.get("db_session")
    if session is not None:
        if response.status_code < 400:
            session.commit()
        else:
            session.rollback()
    return response


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the docgen web application."""
    app = Flask(__name__, instance_path=str(_instance_dir(test_config)),
                instance_relative_config=True)
    app.json = DocgenJSONProvider(app)
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("DOCGEN")
    if test_config:
        app.config.from_mapping(test_config)
    _derive(app)
    _check(app)
    logging.getLogger("docgen").setLevel(str(app.config["LOG_LEVEL"]).upper())

    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies:
        # The client's address (sign-in throttling) and scheme as the proxies saw them.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    db.init_app(app)
    blobs = BlobStore(Path(app.config["STORAGE_DIR"]))
    blobs.init_dirs()
    app.extensions["docgen.blobs"] = blobs
    app.extensions["docgen.ratelimit"] = RateLimiter(
        Path(app.instance_path) / "ratelimit", int(app.config["RATE_LIMIT"]),
        int(app.config["RATE_BURST"]))
    converter.init_app(app)
    parsing.init_app(app)
    uploads.init_app(app)
    jobs.init_app(app)
    requestlog.init_app(app)
    errors.init_app(app)
    headers.init_app(app)
    app.after_request(_commit_or_roll_back)

    from docgen.web import api_documents, api_records, api_registry, health, openapi

    app.register_blueprint(health.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(api_documents.bp, url_prefix="/api/v1")
    app.register_blueprint(api_records.bp, url_prefix="/api/v1")
    app.register_blueprint(api_registry.bp, url_prefix="/api/v1")
    ui.init_app(app)  # the staff's pages, from / on
    return app

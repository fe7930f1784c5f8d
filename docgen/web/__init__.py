"""The Flask application: ``create_app(test_config=None, settings=None)``.

Configuration: one :class:`docgen.config.Settings` object (defaults, then the instance's
``config.py`` or ``config.toml``, then ``DOCGEN_*`` environment variables, then
``test_config``), checked and with its paths resolved when it is built; the CLI passes the
one it built. ``app.config`` holds the same values (``app.config[KEY]``) for Flask and the
views; ``app.extensions["docgen.settings"]`` holds the object itself. Left empty, the
secret key is derived here from the instance folder, whose file store is checked at
start-up with a message naming the setting.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from flask import Flask, Response, g
from werkzeug.middleware.proxy_fix import ProxyFix

from docgen.config import ConfigError, Settings, secret_file
from docgen.convert import app as converter
from docgen.store.blobs import FileBlobStore, open_store
from docgen.store.database import db
from docgen.web import errors, headers, jobs, parsing, requestlog, ui, uploads
from docgen.web.json import DocgenJSONProvider
from docgen.web.ratelimit import RateLimiter

__all__ = ["ConfigError", "create_app"]


def _prepare_instance(settings: Settings) -> Settings:
    """Create the instance folder and the file store; derive the secret key if unset."""
    instance = settings.INSTANCE_DIR
    # The instance holds the database, the files and the secret key (CNP, IBAN, sessions):
    # only the service's user may enter it.
    try:
        instance.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise ConfigError(
            f"DOCGEN_INSTANCE_DIR: cannot create {instance} ({exc.strerror})"
        ) from exc
    if instance.stat().st_mode & 0o077:
        os.chmod(instance, 0o700)
    storage = settings.STORAGE_DIR
    assert storage is not None  # derived from the instance folder when unset
    try:
        store = open_store(settings.STORAGE_URL, storage)
    except ValueError as exc:
        if settings.STORAGE_URL.strip() not in ("database", "postgresql"):
            raise ConfigError(f"DOCGEN_STORAGE_URL: {exc}") from None
        if not settings.DATABASE_URL.startswith("postgresql"):
            raise ConfigError(
                "DOCGEN_STORAGE_URL: database needs a PostgreSQL DATABASE_URL; "
                "with SQLite keep the files on disk (empty, or file:///PATH)"
            ) from None
        store = None
    if isinstance(store, FileBlobStore):
        storage = store.root
    try:
        (storage / "tmp").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"DOCGEN_STORAGE_DIR: cannot create {storage} ({exc.strerror})") from exc
    if not os.access(storage, os.W_OK):
        raise ConfigError(f"DOCGEN_STORAGE_DIR: {storage} is not writable")
    if settings.SECRET_KEY:
        return settings
    return settings.model_copy(update={"SECRET_KEY": secret_file(instance / "secret_key")})


def _commit_or_roll_back(response: Response) -> Response:
    """The request is the transaction's boundary: success commits, an error rolls back."""
    session = g.get("db_session")
    if session is not None:
        if response.status_code < 400:
            session.commit()
        else:
            session.rollback()
    return response


def create_app(
    test_config: dict[str, Any] | None = None, settings: Settings | None = None
) -> Flask:
    """Build the docgen web application from ``settings`` (built here when not given).

    ``test_config`` overrides settings by key; its other keys (``TESTING``...) go to Flask.
    """
    if settings is None or test_config:
        base = settings.model_dump(exclude_unset=True) if settings is not None else {}
        settings = Settings.load({**base, **(test_config or {})})
    settings = _prepare_instance(settings)
    app = Flask(__name__, instance_path=str(settings.INSTANCE_DIR), instance_relative_config=True)
    app.json = DocgenJSONProvider(app)
    app.config.from_mapping(settings.instance_extras())
    app.config.from_mapping(
        {k: v for k, v in (test_config or {}).items() if k not in Settings.model_fields}
    )
    app.config.from_mapping(settings.as_config())
    app.config["MAX_CONTENT_LENGTH"] = settings.MAX_UPLOAD_MB * 1_000_000
    app.extensions["docgen.settings"] = settings
    logging.getLogger("docgen").setLevel(settings.LOG_LEVEL)

    proxies = settings.TRUSTED_PROXIES
    if proxies:
        # The client's address (sign-in throttling) and scheme as the proxies saw them.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    db.init_app(app)
    engine = app.extensions["docgen.db"]["engine"]
    blobs = open_store(str(app.config["STORAGE_URL"]), Path(app.config["STORAGE_DIR"]), engine)
    blobs.init_dirs()
    app.extensions["docgen.blobs"] = blobs
    # In the database: the same buckets for every process of every node.
    app.extensions["docgen.ratelimit"] = RateLimiter(
        engine, settings.RATE_LIMIT, settings.RATE_BURST
    )
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

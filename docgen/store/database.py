"""The database: an engine per app, one session per application context.

``Database`` is a Flask extension created unbound and attached with ``init_app``. Operations
receive ``db.session`` and flush; the request (or the command) commits. SQLite is set up for
several processes writing at once: WAL journal, a busy timeout, and transactions that take
the write lock when they begin (``BEGIN IMMEDIATE``), so that two writers queue instead of
failing with "database is locked" when one upgrades a read to a write.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from flask import Flask, g
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def _json(value: Any) -> str:
    # Readable UTF-8 in the database (and searchable): no \\u escapes for ș and ț.
    return json.dumps(value, ensure_ascii=False)


def make_engine(url: str) -> Engine:
    """Create the engine for ``url`` with the settings docgen relies on."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            json_serializer=_json,
            connect_args={"timeout": 30, "check_same_thread": False},
        )
        _sqlite_setup(engine)
        return engine
    if parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg").render_as_string(False))
    return create_engine(url, json_serializer=_json, pool_pre_ping=True)


def _private(database: str | None) -> None:
    """Let only the service's user read the SQLite files (they hold CNP and IBAN)."""
    if not database or database == ":memory:":
        return
    for suffix in ("", "-wal", "-shm"):
        path = Path(database + suffix)
        with contextlib.suppress(OSError):  # not there yet, or not ours to change
            if path.stat().st_mode & 0o077:
                os.chmod(path, 0o600)


def _sqlite_setup(engine: Engine) -> None:
    database = engine.url.database

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, say when a transaction begins (see below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        # In WAL mode NORMAL keeps every commit atomic and the database consistent after a
        # crash of docgen or of the machine; what it gives up is the last commits before a
        # power cut (they reach the disk at the next checkpoint). FULL would fsync inside
        # the write lock on every commit, and the workers would queue behind each other's
        # fsync (measured: p99 over 500 ms at 120 requests/s). Where that durability
        # matters, PostgreSQL is the production database.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        _private(database)

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """The Flask extension: ``db.init_app(app)``, then ``db.session`` inside a context."""

    def __init__(self, app: Flask | None = None):
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        engine = make_engine(app.config["DATABASE_URL"])
        app.extensions["docgen.db"] = {
            "engine": engine,
            "sessions": sessionmaker(engine, expire_on_commit=False),
        }
        app.teardown_appcontext(self._close)

    @staticmethod
    def _state() -> dict[str, Any]:
        from flask import current_app

        return current_app.extensions["docgen.db"]

    @property
    def engine(self) -> Engine:
        return self._state()["engine"]

    @property
    def session(self) -> Session:
        if "db_session" not in g:
            g.db_session = self._state()["sessions"]()
        return g.db_session

    def new_session(self) -> Session:
        """A session of its own, for work outside a request (a background job)."""
        return self._state()["sessions"]()

    @staticmethod
    def _close(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()  # rolls back whatever was not committed

    def ping(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))


db = Database()

"""The migrations build exactly the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from docgen.store.database import make_engine
from docgen.store.migrate import current_revision, head_revision, upgrade
from docgen.store.models import Base


def _diff(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()


def test_sqlite_migrations_match_the_models(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    upgrade(url)
    assert current_revision(url) == head_revision()
    assert _diff(url) == []
    upgrade(url)  # idempotent


@pytest.mark.usefixtures("pg_server")
def test_postgresql_migrations_match_the_models(pg_server):
    assert current_revision(pg_server + "docgen_template") == head_revision()
    assert _diff(pg_server + "docgen_template") == []

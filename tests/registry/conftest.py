"""A migrated SQLite database per test, and a session on it (no Flask needed)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import sessionmaker

from docgen.store.database import make_engine
from docgen.store.migrate import upgrade


@pytest.fixture(scope="session")
def registry_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("registry") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def session(tmp_path, registry_template):
    path = tmp_path / "db.sqlite3"
    path.write_bytes(registry_template.read_bytes())
    engine = make_engine(f"sqlite:///{path}")
    with sessionmaker(engine, expire_on_commit=False)() as session:
        yield session
    engine.dispose()

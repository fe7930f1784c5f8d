"""The blob store: whole files or nothing, same bytes same name, on every backend.

The same tests run on the file store and on the database store (a real PostgreSQL); a
few look at what is particular to one backend.
"""

from __future__ import annotations

import hashlib
import io
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pg_server import pg_exec
from sqlalchemy import func, select

from docgen.errors import NotFound
from docgen.store.blobs import (
    CHUNK,
    DatabaseBlobStore,
    FileBlobStore,
    TooLarge,
    open_store,
)
from docgen.store.database import make_engine
from docgen.store.models import BlobChunk, BlobData

_counter = iter(range(1_000_000))


@pytest.fixture(params=["file", "postgresql"])
def store(request, tmp_path):
    if request.param == "file":
        yield FileBlobStore(tmp_path)
        return
    server = request.getfixturevalue("pg_server")
    name = f"docgen_blobs{os.getpid()}_{next(_counter)}"
    pg_exec(server, f"CREATE DATABASE {name} TEMPLATE docgen_template")
    url = server + name
    engine = make_engine(url)
    yield DatabaseBlobStore(engine)
    engine.dispose()


def _left(store) -> list:
    """What a backend holds: files (file store) or rows (database store)."""
    if isinstance(store, FileBlobStore):
        return [p for p in store.root.rglob("*") if p.is_file()]
    with store.engine.connect() as connection:
        return [
            *connection.execute(select(BlobData.sha256)).all(),
            *connection.execute(select(BlobChunk.sha256)).all(),
        ]


def test_put_get_exists_delete(store):
    sha = store.put(b"hello")
    assert sha == hashlib.sha256(b"hello").hexdigest()
    assert store.get(sha) == b"hello" and store.exists(sha)
    with store.open(sha) as fp:
        assert fp.read() == b"hello"
    assert store.put(io.BytesIO(b"hello")) == sha  # a stream: the same name
    assert store.delete(sha) and not store.exists(sha) and not store.delete(sha)
    with pytest.raises(NotFound):
        store.get(sha)
    store.check()


def test_large_and_empty_files_come_back_whole(store):
    data = os.urandom(CHUNK) * 2 + b"tail"  # three pieces in the database
    sha, size = store.put_stream(io.BytesIO(data))
    assert size == len(data) and store.get(sha) == data
    empty = store.put(b"")
    assert store.get(empty) == b"" and store.exists(empty)


def test_file_store_layout(tmp_path):
    store = FileBlobStore(tmp_path)
    sha = store.put(b"hello")
    assert store.path(sha).relative_to(tmp_path).parts[:2] == (sha[:2], sha[2:4])
    assert list((tmp_path / "tmp").iterdir()) == []


def test_database_store_cuts_files_in_pieces(store):
    if not isinstance(store, DatabaseBlobStore):
        pytest.skip("the database store only")
    sha = store.put(b"x" * (CHUNK + 1))
    with store.engine.connect() as connection:
        pieces = connection.scalar(select(func.count()).where(BlobChunk.sha256 == sha))
    assert pieces == 2


class Exploding(io.RawIOBase):
    """A stream that fails halfway, as a dropped connection or a crash would."""

    def __init__(self):
        self.sent = 0

    def read(self, size=-1):
        if self.sent > 3 * (1 << 20):
            raise ConnectionResetError("client went away")
        self.sent += 1 << 20
        return b"x" * (1 << 20)


def test_a_failed_write_leaves_nothing(store):
    with pytest.raises(ConnectionResetError):
        store.put_stream(Exploding())
    assert _left(store) == []


def test_size_limit(store):
    with pytest.raises(TooLarge):
        store.put_stream(io.BytesIO(b"0" * 100), max_bytes=99)
    assert _left(store) == []


def test_same_bytes_at_once_give_one_whole_file(store):
    data = b"%PDF-1.7 " * 300_000  # about 2.7 MB: three pieces in the database
    with ThreadPoolExecutor(8) as pool:
        shas = set(pool.map(lambda _: store.put(data), range(16)))
    assert len(shas) == 1
    assert store.get(shas.pop()) == data


def test_unknown_or_malformed_names_are_not_found(store):
    with pytest.raises(NotFound):
        store.open("0" * 64)
    with pytest.raises(NotFound):
        store.open("../../etc/passwd")
    assert not store.exists("0" * 64)


def test_the_setting_chooses_the_backend(tmp_path):
    assert open_store("", tmp_path).root == tmp_path
    assert open_store(f"file://{tmp_path}/shared", Path("/elsewhere")).root == tmp_path / "shared"
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    for wrong in ("s3://bucket", "file://relative/path", "database-please", "database"):
        with pytest.raises(ValueError):  # the database store: PostgreSQL only
            open_store(wrong, tmp_path, engine)
    engine.dispose()


def test_the_database_store_is_chosen_on_postgresql(pg_server, tmp_path):
    engine = make_engine(pg_server + "docgen_template")
    try:
        assert isinstance(open_store("database", tmp_path, engine), DatabaseBlobStore)
    finally:
        engine.dispose()

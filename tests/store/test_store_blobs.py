"""The content-addressed store: whole files or nothing, same bytes same name."""

from __future__ import annotations

import hashlib
import io
from concurrent.futures import ThreadPoolExecutor

import pytest

from docgen.errors import NotFound
from docgen.store.blobs import BlobStore, TooLarge


def test_put_and_read_back(tmp_path):
    store = BlobStore(tmp_path)
    sha = store.put(b"hello")
    assert sha == hashlib.sha256(b"hello").hexdigest()
    assert store.read(sha) == b"hello" and store.exists(sha)
    assert store.path(sha).relative_to(tmp_path).parts[:2] == (sha[:2], sha[2:4])
    assert list((tmp_path / "tmp").iterdir()) == []


class Exploding(io.RawIOBase):
    """A stream that fails halfway, as a dropped connection or a crash would."""

    def __init__(self):
        self.sent = 0

    def read(self, size=-1):
        if self.sent > 3 * (1 << 20):
            raise ConnectionResetError("client went away")
        self.sent += 1 << 20
        return b"x" * (1 << 20)


def test_a_failed_write_leaves_nothing(tmp_path):
    store = BlobStore(tmp_path)
    with pytest.raises(ConnectionResetError):
        store.put_stream(Exploding())
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert files == []


def test_size_limit(tmp_path):
    store = BlobStore(tmp_path)
    with pytest.raises(TooLarge):
        store.put_stream(io.BytesIO(b"0" * 100), max_bytes=99)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_same_bytes_at_once_give_one_whole_file(tmp_path):
    store = BlobStore(tmp_path)
    data = b"%PDF-1.7 " * 100_000
    with ThreadPoolExecutor(8) as pool:
        shas = set(pool.map(lambda _: store.put(data), range(16)))
    assert len(shas) == 1
    assert store.read(shas.pop()) == data


def test_unknown_or_malformed_names_are_not_found(tmp_path):
    store = BlobStore(tmp_path)
    with pytest.raises(NotFound):
        store.open("0" * 64)
    with pytest.raises(NotFound):
        store.path("../../etc/passwd")

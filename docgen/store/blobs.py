"""The blob store: files addressed by the SHA-256 of their bytes, behind one interface.

Every caller goes through :class:`BlobStore`: ``put`` (bytes or a stream) gives the SHA-256,
``get`` the bytes, ``open`` a file object, ``exists`` and ``delete``. A file is written
whole or not at all, and writing the same bytes twice is harmless. Two backends, chosen by
the ``STORAGE_URL`` setting (:func:`open_store`):

- :class:`FileBlobStore` (``file:///PATH``, or empty: ``STORAGE_DIR``, by default
  ``files/`` in the instance folder): files on a disk, which several nodes may share (NFS
  or any POSIX file system with an atomic rename). A file is written to a temporary name
  in the store's own ``tmp/`` (same file system), flushed with fsync, then renamed into
  place and its directory synced: a reader or a crash sees no file or the whole file.
- :class:`DatabaseBlobStore` (``database``): the files in the service's PostgreSQL
  database (not SQLite, whose one write lock a request's transaction holds), in pieces
  of 1 MiB in ``blob_chunks`` under a row of ``blob_data``, all written in one
  transaction: a reader sees the row (and then every piece) or nothing.

The store commits on a connection of its own: a file kept for a request that fails later
stays (as on disk), and the ``blobs`` table of the request records what it holds.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from abc import ABC, abstractmethod
from pathlib import Path
from typing import IO, Any, cast

from sqlalchemy import Engine, delete, select
from sqlalchemy import insert as insert_into
from sqlalchemy.dialects import postgresql, sqlite

from docgen.errors import NotFound, TooLarge

CHUNK = 1 << 20
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


__all__ = ["BlobStore", "TooLarge"]


def check_name(sha256: str) -> str:
    if not _SHA256.match(sha256):
        raise NotFound(f"no stored file {sha256[:80]!r}")
    return sha256


class BlobStore(ABC):
    """Files addressed by SHA-256: the one interface every backend gives."""

    name = "blobs"

    def put(self, data: bytes | IO[bytes]) -> str:
        """Store ``data`` (bytes, or a stream read to its end); return its SHA-256."""
        if isinstance(data, (bytes, bytearray, memoryview)):
            return self.put_stream(cast("IO[bytes]", _Chunks(data)))[0]
        return self.put_stream(data)[0]

    @abstractmethod
    def put_stream(self, stream: IO[bytes], max_bytes: int | None = None) -> tuple[str, int]:
        """Store what ``stream`` holds; return (SHA-256, size). ``TooLarge`` past the limit,
        and then nothing is kept."""

    @abstractmethod
    def open(self, sha256: str) -> IO[bytes]:
        """The file, to read from its start; :class:`NotFound` when it is not there."""

    def get(self, sha256: str) -> bytes:
        with self.open(sha256) as fp:
            return fp.read()

    @abstractmethod
    def exists(self, sha256: str) -> bool: ...

    @abstractmethod
    def delete(self, sha256: str) -> bool:
        """Remove the file; True if it was there."""

    def init_dirs(self) -> None:  # noqa: B027 (most backends need nothing)
        """Prepare the store (folders); nothing to do for most backends."""

    @abstractmethod
    def check(self) -> None:
        """Raise if the store cannot be reached (for /readyz); cheap, writes nothing."""


class FileBlobStore(BlobStore):
    name = "file"

    def __init__(self, root: Path):
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"FileBlobStore({str(self.root)!r})"

    def init_dirs(self) -> None:
        """Create the store; only the service's user may enter it (files hold CNP, IBAN)."""
        (self.root / "tmp").mkdir(parents=True, exist_ok=True, mode=0o700)
        for folder in (self.root, self.root / "tmp"):
            if folder.stat().st_mode & 0o077:
                os.chmod(folder, 0o700)

    def path(self, sha256: str) -> Path:
        check_name(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def open(self, sha256: str) -> IO[bytes]:
        try:
            return self.path(sha256).open("rb")
        except FileNotFoundError:
            raise NotFound(f"no stored file {sha256}") from None

    def delete(self, sha256: str) -> bool:
        try:
            self.path(sha256).unlink()
        except FileNotFoundError:
            return False
        return True

    def check(self) -> None:
        if not os.access(self.root / "tmp", os.W_OK | os.X_OK):
            raise OSError(f"{self.root} is not writable")

    def put_stream(self, stream: IO[bytes], max_bytes: int | None = None) -> tuple[str, int]:
        self.init_dirs()
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=self.root / "tmp", prefix="part-")
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise TooLarge(f"more than {max_bytes} bytes", limit=max_bytes)
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha256 = digest.hexdigest()
            target = self.path(sha256)
            # Each level with its own mode: mkdir(parents=True) gives parents the default.
            target.parent.parent.mkdir(exist_ok=True, mode=0o700)
            target.parent.mkdir(exist_ok=True, mode=0o700)
            os.chmod(tmp_name, 0o600)
            os.replace(tmp_name, target)
            _fsync_dir(target.parent)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)
            raise
        return sha256, size


class DatabaseBlobStore(BlobStore):
    """Files in the database's ``blob_data`` and ``blob_chunks`` (migration 0025)."""

    name = "database"

    def __init__(self, engine: Engine):
        self.engine = engine

    def __repr__(self) -> str:
        return f"DatabaseBlobStore({self.engine.url.render_as_string(hide_password=True)!r})"

    def _insert(self) -> Any:
        return postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert

    def put_stream(self, stream: IO[bytes], max_bytes: int | None = None) -> tuple[str, int]:
        from docgen.store.models import BlobChunk, BlobData

        digest = hashlib.sha256()
        size = 0
        # The name is known at the end only: the bytes wait in memory (up to 8 MiB), then
        # in a temporary file, and go to the database in one transaction.
        with tempfile.SpooledTemporaryFile(max_size=8 * CHUNK) as spool:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if max_bytes is not None and size > max_bytes:
                    raise TooLarge(f"more than {max_bytes} bytes")
                digest.update(chunk)
                spool.write(chunk)
            sha256 = digest.hexdigest()
            spool.seek(0)
            insert = self._insert()
            with self.engine.begin() as connection:
                # A second writer of the same bytes waits here for the first to commit
                # (the primary key), then finds the row and writes nothing.
                created = connection.execute(
                    insert(BlobData.__table__)
                    .values(sha256=sha256, size=size)
                    .on_conflict_do_nothing(index_elements=["sha256"])
                    .returning(BlobData.__table__.c.sha256)
                ).first()
                if created is not None:
                    seq = 0
                    while True:
                        piece = spool.read(CHUNK)
                        if not piece and seq:
                            break
                        connection.execute(
                            insert_into(BlobChunk).values(sha256=sha256, seq=seq, data=piece)
                        )
                        seq += 1
                        if not piece:
                            break
        return sha256, size

    def open(self, sha256: str) -> IO[bytes]:
        from docgen.store.models import BlobChunk, BlobData

        check_name(sha256)
        out = tempfile.SpooledTemporaryFile(max_size=8 * CHUNK)  # noqa: SIM115 (returned)
        try:
            with self.engine.connect() as connection:
                if (
                    connection.scalar(select(BlobData.sha256).where(BlobData.sha256 == sha256))
                    is None
                ):
                    raise NotFound(f"no stored file {sha256}")
                seq = 0
                while True:  # piece by piece: a large file is never whole in memory
                    piece = connection.scalar(
                        select(BlobChunk.data).where(
                            BlobChunk.sha256 == sha256, BlobChunk.seq == seq
                        )
                    )
                    if piece is None:
                        break
                    out.write(piece)
                    seq += 1
            out.seek(0)
        except BaseException:
            out.close()
            raise
        return cast("IO[bytes]", out)

    def check(self) -> None:
        from docgen.store.models import BlobData

        with self.engine.connect() as connection:
            connection.execute(select(BlobData.sha256).limit(1)).all()

    def exists(self, sha256: str) -> bool:
        from docgen.store.models import BlobData

        check_name(sha256)
        with self.engine.connect() as connection:
            return (
                connection.scalar(select(BlobData.sha256).where(BlobData.sha256 == sha256))
                is not None
            )

    def delete(self, sha256: str) -> bool:
        from docgen.store.models import BlobChunk, BlobData

        check_name(sha256)
        with self.engine.begin() as connection:
            connection.execute(delete(BlobChunk).where(BlobChunk.sha256 == sha256))
            gone = connection.execute(delete(BlobData).where(BlobData.sha256 == sha256))
            return bool(gone.rowcount)


def open_store(url: str, directory: Path, engine: Engine | None = None) -> BlobStore:
    """The store ``url`` names: empty (files in ``directory``), ``file:///PATH`` or
    ``database`` (the service's database, ``engine``). ``ValueError`` otherwise."""
    url = (url or "").strip()
    if not url:
        return FileBlobStore(directory)
    if url.startswith("file://"):
        path = url[len("file://") :]
        if not path.startswith("/"):
            raise ValueError("file:///PATH needs an absolute path (three slashes)")
        return FileBlobStore(Path(path))
    if url in ("database", "postgresql"):
        # Not on SQLite: a request's transaction holds SQLite's only write lock, and the
        # store writes on a connection of its own; one machine keeps files on its disk.
        if engine is None or engine.dialect.name != "postgresql":
            raise ValueError(
                "the database store needs PostgreSQL (DATABASE_URL); with "
                "SQLite keep the files on disk (empty, or file:///PATH)"
            )
        return DatabaseBlobStore(engine)
    raise ValueError("use file:///PATH, or database (the files in the service's database)")


class _Chunks:
    """A read()-able view of bytes in memory."""

    def __init__(self, data: bytes | bytearray | memoryview):
        self._data = memoryview(data)
        self._pos = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size < 0 else self._pos + size
        chunk = bytes(self._data[self._pos : end])
        self._pos += len(chunk)
        return chunk


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

"""Files on local disk, addressed by the SHA-256 of their bytes.

A file is written to a temporary name in the store's own ``tmp/`` (same file system),
flushed to disk with fsync, then renamed into place and its directory synced: a reader or
a crash sees either no file or the whole file, never a part. Writing the same bytes twice
is harmless (the rename replaces identical content).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import IO

from docgen.errors import NotFound, TooLarge

CHUNK = 1 << 20
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


__all__ = ["BlobStore", "TooLarge"]


class BlobStore:
    def __init__(self, root: Path):
        self.root = Path(root)

    def init_dirs(self) -> None:
        """Create the store; only the service's user may enter it (files hold CNP, IBAN)."""
        (self.root / "tmp").mkdir(parents=True, exist_ok=True, mode=0o700)
        for folder in (self.root, self.root / "tmp"):
            if folder.stat().st_mode & 0o077:
                os.chmod(folder, 0o700)

    def path(self, sha256: str) -> Path:
        if not _SHA256.match(sha256):
            raise NotFound(f"no stored file {sha256[:80]!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def open(self, sha256: str) -> IO[bytes]:
        try:
            return self.path(sha256).open("rb")
        except FileNotFoundError:
            raise NotFound(f"no stored file {sha256}") from None

    def read(self, sha256: str) -> bytes:
        with self.open(sha256) as fp:
            return fp.read()

    def put(self, data: bytes) -> str:
        """Store ``data``; return its SHA-256."""
        return self.put_stream(_Chunks(data))[0]

    def put_stream(self, stream: IO[bytes], max_bytes: int | None = None) -> tuple[str, int]:
        """Store what ``stream`` holds; return (SHA-256, size). ``TooLarge`` past the limit."""
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


class _Chunks:
    """A read()-able view of bytes in memory."""

    def __init__(self, data: bytes):
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

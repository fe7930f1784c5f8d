"""A PostgreSQL 15 server for the tests, started by them and stopped at the end.

``initdb`` in a temporary folder, ``pg_ctl start`` on a free port with the socket in that
folder; as the ``postgres`` user when running as root (the server refuses root). The
template database ``docgen_template`` is migrated once; tests copy it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from docgen.store.migrate import upgrade

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL 15 server for this session; yields a URL prefix (append a db name)."""
    if not (PG_BIN / "initdb").exists():
        if os.environ.get("CI"):
            pytest.fail(
                "PostgreSQL server binaries missing: scripts/ensure-system.sh installs "
                "the 'postgresql' package"
            )
        pytest.skip("PostgreSQL server not installed (apt-get install postgresql)")
    base = Path(tempfile.mkdtemp(prefix="docgen-pg-"))
    data, sockets = base / "data", base / "sock"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(sockets, "postgres")
    port = _free_port()
    subprocess.run(
        _as_postgres(
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        ),
        check=True,
        capture_output=True,
        timeout=120,
    )
    options = (
        f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    )
    subprocess.run(
        _as_postgres(
            [
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(base / "log"),
                "-w",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
        timeout=120,
    )
    try:
        url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/"
        pg_exec(url, "CREATE DATABASE docgen_template")
        upgrade(url + "docgen_template")
        yield url
    finally:
        subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(base, ignore_errors=True)


def pg_exec(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(
        url.replace("postgresql+psycopg", "postgresql") + "postgres", autocommit=True
    ) as conn:
        conn.execute(sql)

"""A Redis server for the tests, started by them on a free loopback port, stopped at the end.

``redis-server`` without persistence in a temporary folder; the queue of the multi-node
tests (``QUEUE_URL=redis://...``) lives there.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(scope="session")
def redis_server():
    """A Redis server for this session; yields its URL (redis://127.0.0.1:PORT/0)."""
    if not Path(REDIS_SERVER).exists():
        if os.environ.get("CI"):
            pytest.fail("redis-server missing: scripts/ensure-system.sh installs 'redis-server'")
        pytest.skip("Redis server not installed (apt-get install redis-server)")
    base = Path(tempfile.mkdtemp(prefix="docgen-redis-"))
    port = _free_port()
    with open(base / "log", "wb") as log:
        proc = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(base),
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "yes",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while not _ping(port):
            assert proc.poll() is None, (base / "log").read_text()
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(base, ignore_errors=True)

"""``docgen serve`` as a local attacker sees it: which channels are open, and how it stops.

Issue 12, point 14: the UNO socket of each soffice and the converter's XML-RPC port were
TCP ports on 127.0.0.1, open to every local user (``Desktop``, ``SystemShellExecute``).
Low: every stop made each gunicorn worker exit 1 with EBADF.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from served import ROOT, Service

LISTEN_TCP = "0A"
SO_ACCEPTCON = 0x10000


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return inodes
    for fd in fds:
        try:
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[len("socket:[") : -1])
    return inodes


def _listening_tcp_ports(inodes: set[str]) -> set[int]:
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as lines:
            for line in list(lines)[1:]:
                fields = line.split()
                if fields[3] == LISTEN_TCP and fields[9] in inodes:
                    ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def _listening_unix_paths(inodes: set[str]) -> list[str]:
    paths = []
    with open("/proc/net/unix") as lines:
        for line in list(lines)[1:]:
            fields = line.split()
            if len(fields) >= 8 and fields[6] in inodes and int(fields[3], 16) & SO_ACCEPTCON:
                paths.append(fields[7])
    return paths


CONNECT_AS_NOBODY = """
import json, socket, sys
outcomes = {}
for path in json.loads(sys.argv[1]):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
        outcomes[path] = "connected"
    except OSError as exc:
        outcomes[path] = type(exc).__name__
    finally:
        sock.close()
print(json.dumps(outcomes))
"""
# The system's Python: the user "nobody" may not run the one of the test's virtualenv.
SYSTEM_PYTHON = "/usr/bin/python3"


def _connect_as_nobody(paths: list[str]) -> dict[str, str]:
    done = subprocess.run(
        [SYSTEM_PYTHON, "-c", CONNECT_AS_NOBODY, json.dumps(paths)],
        user=65534,
        group=65534,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
        cwd="/",
    )
    return json.loads(done.stdout)


def test_no_converter_channel_is_open_to_other_local_users(tmp_path, templates_dir):
    with Service(tmp_path, templates_dir) as service:
        service.start(workers=2)
        tree = service.processes()
        assert "soffice.bin" in tree.values(), tree
        inodes = set().union(
            *(_socket_inodes(pid) for pid in tree), _socket_inodes(service.proc.pid)
        )
        # The attack: a TCP port on 127.0.0.1 that any local user can connect to.
        assert _listening_tcp_ports(inodes) == {service.port}
        unix = _listening_unix_paths(inodes)
        assert not [p for p in unix if p.startswith("@")], unix  # abstract: no permissions
        # LibreOffice's UNO pipe is gone from the file system once the server connected.
        assert not [p for p in unix if "OSL_PIPE" in p and "docgen-" in p and os.path.exists(p)], (
            unix
        )
        # The XML-RPC sockets sit in folders only the service's user can enter.
        rpc = [p for p in unix if p.endswith(("/rpc.sock", "/pdf.sock"))]
        assert len(rpc) == 2, unix
        for path in rpc:
            assert Path(path).parent.stat().st_mode & 0o077 == 0, path
        if os.geteuid() == 0:
            outcomes = _connect_as_nobody(unix)
            assert "connected" not in outcomes.values(), outcomes
        # The service still converts through these channels.
        token = service.token("documents")
        sample = json.loads((ROOT / "samples" / "certificate_of_attendance.json").read_text())
        status, _headers, body = service.request(
            "POST",
            "/api/v1/documents",
            headers={"Authorization": f"Bearer {token}"},
            body={
                "kind": "certificate_of_attendance",
                "lang": "ro",
                "format": "pdf",
                "data": sample,
            },
        )
        assert status == 201 and body.startswith(b"%PDF-"), body[:300]


def test_stop_ends_every_worker_with_status_zero(tmp_path, templates_dir):
    with Service(tmp_path, templates_dir) as service:
        service.start(workers=3)
        workers = [
            pid
            for pid, name in service.processes().items()
            if name.startswith(("docgen", "gunicorn", "python"))
        ]
        assert len(workers) >= 3
        assert service.stop() == 0
    log = service.log()
    assert "Booting worker" in log
    assert not re.search(r"Worker \(pid:\d+\) (exited with code|was sent)", log), log[-3000:]
    assert "Bad file descriptor" not in log and "EBADF" not in log, log[-3000:]


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as another user")
def test_the_pipe_name_alone_does_not_reach_libreoffice(tmp_path):
    """LibreOffice's own pipes in /tmp: another user cannot connect (mode 0755, no write)."""
    from docgen.convert import PdfPool

    with PdfPool(1) as pool:
        instance = pool.instances[0]
        inodes = set().union(*(_socket_inodes(pid) for pid in instance.office_pids()))
        paths = [p for p in _listening_unix_paths(inodes) if os.path.exists(p)]
        outcomes = _connect_as_nobody(paths)
        assert outcomes and set(outcomes.values()) <= {"PermissionError"}, outcomes

"""A real ``docgen serve`` on a free 127.0.0.1 port, for the tests that attack the service.

Every wait is bounded; the service is stopped with SIGTERM (then SIGKILL) whatever happens,
and its log is kept in a file (a pipe could fill up and block the server).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def descendants(pid: int) -> dict[int, str]:
    """The processes below ``pid``: pid -> command name."""
    children: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            names[int(entry.name)] = stat[stat.index("(") + 1 : stat.rindex(")")]
            ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    found, stack = {}, [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found[child] = names[child]
            stack.append(child)
    return found


class Service:
    """``docgen serve`` in a subprocess, with its own instance folder."""

    def __init__(self, tmp_path: Path, templates_dir: Path, **settings: str):
        self.env = dict(
            os.environ,
            DOCGEN_INSTANCE_DIR=str(tmp_path / "instance"),
            DOCGEN_TEMPLATES_DIR=str(templates_dir),
            PYTHONIOENCODING="utf-8",
            DOCGEN_RATE_LIMIT="0",
            DOCGEN_PDF_INSTANCES="1",
        )
        self.env.update({f"DOCGEN_{k}": str(v) for k, v in settings.items()})
        self.log_path = tmp_path / "serve.log"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "docgen", *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return done.stdout

    def token(self, *scopes: str, name: str = "tester") -> str:
        args = [arg for scope in scopes for arg in ("--scope", scope)]
        return self.cli("apikeys", "create", name, *args).strip()

    def start(self, workers: int = 2, ready_within: float = 120) -> Service:
        self.cli("db", "upgrade")
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "docgen",
                    "serve",
                    "--port",
                    str(self.port),
                    "--workers",
                    str(workers),
                ],
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + ready_within
        while True:
            try:
                if self.request("GET", "/readyz", timeout=5)[0] == 200:
                    return self
            except (urllib.error.URLError, OSError):
                pass
            assert self.proc.poll() is None, self.log()[-3000:]
            assert time.monotonic() < deadline, "docgen serve did not become ready"
            time.sleep(0.3)

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | dict | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 60,
    ) -> tuple[int, dict[str, str], bytes]:
        headers = dict(headers or {})
        if isinstance(body, dict):
            body = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        request = urllib.request.Request(
            self.base + path, data=body, headers=headers, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, dict(exc.headers), exc.read()

    def upload(self, token: str, name: str, content: bytes) -> tuple[int, dict]:
        """POST one PDF to /api/v1/uploads as multipart; the status and the JSON answer."""
        boundary = "docgen-served-test"
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="{name}"\r\nContent-Type: application/pdf\r\n\r\n'
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        status, _headers, answer = self.request(
            "POST",
            "/api/v1/uploads",
            body=body,
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": f"multipart/form-data; boundary={boundary}",
            },
        )
        return status, json.loads(answer)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def log_entries(self) -> list[dict]:
        """The service's JSON log lines (LOG_FORMAT=json, the default), parsed."""
        entries = []
        for line in self.log().splitlines():
            if line.startswith("{"):
                with contextlib.suppress(ValueError):
                    entries.append(json.loads(line))
        return entries

    def request_pid(self, method: str, route: str, status: int) -> int | None:
        """The worker process that answered the first such request, from the log."""
        for entry in self.log_entries():
            if entry.get("logger") == "docgen.web.requests" and (
                entry.get("method"),
                entry.get("route"),
                entry.get("status"),
            ) == (method, route, status):
                return int(entry["pid"])
        return None

    def processes(self) -> dict[int, str]:
        assert self.proc is not None
        return descendants(self.proc.pid)

    def stop(self) -> int:
        """SIGTERM, then wait (bounded); return the exit status of ``docgen serve``."""
        proc, self.proc = self.proc, None
        if proc is None:
            return 0
        proc.send_signal(signal.SIGTERM)
        try:
            return proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise AssertionError("docgen serve did not stop within 60 s") from None

    def __enter__(self) -> Service:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.stop()

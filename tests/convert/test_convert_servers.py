"""Conversion as a service (issue 17): ``docgen convert-server`` processes on loopback,
a ``docgen serve`` node sending its conversions to them (``CONVERTERS``).

Real processes throughout: two convert-servers and one web node started by the test, a
converter killed with SIGKILL in the middle of a batch, every converter busy.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from served import ROOT, Service, descendants, free_port

from docgen.convert import transport

TOKEN = "converter-token-for-the-tests-0123456789"
SAMPLE = json.loads((ROOT / "samples" / "certificate_of_attendance.json").read_text())


class ConvertServer:
    """``docgen convert-server`` on a free loopback port, its log in a file."""

    def __init__(self, tmp_path: Path, name: str, **settings: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp_path / f"{name}.log"
        self.env = dict(
            os.environ,
            DOCGEN_CONVERTER_TOKEN=TOKEN,
            DOCGEN_PDF_INSTANCES="1",
            **{f"DOCGEN_{k}": str(v) for k, v in settings.items()},
        )
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, within: float = 120) -> ConvertServer:
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "docgen",
                    "convert-server",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + within
        while self.status().get("ready") is not True:
            assert self.proc.poll() is None, self.log()[-3000:]
            assert time.monotonic() < deadline, "the convert-server did not become ready"
            time.sleep(0.2)
        return self

    def status(self, token: str = TOKEN) -> dict:
        try:
            reply = transport.request(self.url, "GET", "/ready", timeout=5, token=token)
        except OSError:
            return {}
        return dict(reply.json(), http_status=reply.status)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def convert_servers(tmp_path):
    started: list[ConvertServer] = []

    def start(count: int, **settings: str) -> list[ConvertServer]:
        servers = [ConvertServer(tmp_path, f"converter{n}", **settings) for n in range(count)]
        started.extend(servers)
        for server in servers:
            server.start()
        return servers

    yield start
    for server in started:
        server.stop()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _node(tmp_path, templates_dir, servers, **settings) -> Service:
    return Service(
        tmp_path,
        templates_dir,
        CONVERTERS=",".join(s.url for s in servers),
        CONVERTER_TOKEN=TOKEN,
        CONVERTER_RETRY="2",
        **settings,
    )


def _document(service: Service, token: str, reference: str):
    return service.request(
        "POST",
        "/api/v1/documents",
        headers={"Authorization": f"Bearer {token}"},
        body={
            "kind": "certificate_of_attendance",
            "lang": "en",
            "format": "pdf",
            "data": dict(SAMPLE, reference=reference),
        },
        timeout=300,
    )


def test_a_convert_server_refuses_requests_without_the_token(convert_servers, tmp_path):
    [server] = convert_servers(1)
    assert server.status()["http_status"] == 200
    for token in ("", "wrong-token"):
        reply = transport.request(server.url, "POST", "/convert", b"PK", timeout=10, token=token)
        assert reply.status == 401 and reply.json()["error"] == "unauthorized", reply
    # Without a token of its own it does not start at all.
    env = {k: v for k, v in os.environ.items() if k != "DOCGEN_CONVERTER_TOKEN"}
    done = subprocess.run(
        [sys.executable, "-m", "docgen", "convert-server", "--port", str(free_port())],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0 and "CONVERTER_TOKEN" in done.stderr, done.stderr


def test_a_converter_killed_mid_batch_its_conversions_move_to_the_other(
    convert_servers, tmp_path, templates_dir
):
    first, second = convert_servers(2, PDF_QUEUE="8")
    with _node(tmp_path, templates_dir, [first, second]) as node:
        node.start(workers=2)
        # The node runs no LibreOffice of its own.
        assert "soffice.bin" not in node.processes().values(), node.processes()
        token = node.token("documents")
        victims = descendants(first.proc.pid)
        assert "soffice.bin" in victims.values(), victims
        killed = threading.Event()

        def kill_first_while_it_converts() -> None:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                if first.status().get("idle") == 0:  # a conversion of the batch in flight
                    first.kill()
                    killed.set()
                    return
                time.sleep(0.05)

        killer = threading.Thread(target=kill_first_while_it_converts)
        killer.start()
        count = 24
        status, _headers, body = node.request(
            "POST",
            "/api/v1/documents/batch",
            headers={"Authorization": f"Bearer {token}"},
            body={
                "kind": "certificate_of_attendance",
                "lang": "en",
                "format": "pdf",
                "items": [dict(SAMPLE, reference=f"KILL-{n}") for n in range(count)],
            },
            timeout=600,
        )
        killer.join()
        assert killed.is_set(), "the first converter never took a conversion"
        assert status == 200, body[:1000]
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            pdfs = [n for n in archive.namelist() if n.endswith(".pdf")]
            assert len(pdfs) == count, archive.namelist()
            assert all(archive.read(n).startswith(b"%PDF-") for n in pdfs)
        assert "is down" in node.log(), node.log()[-3000:]
        # The killed converter's LibreOffice followed it (lifeline), and the node carries on
        # with the other one, ready as long as one converter answers.
        deadline = time.monotonic() + 30
        while any(_alive(pid) for pid in victims) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in victims if _alive(pid)], victims
        status, _headers, pdf = _document(node, token, "AFTER-KILL")
        assert status == 201 and pdf.startswith(b"%PDF-"), pdf[:300]
        assert node.request("GET", "/readyz")[0] == 200


def test_every_converter_busy_or_down_answers_503_with_retry_after(
    convert_servers, tmp_path, templates_dir
):
    servers = convert_servers(2, PDF_QUEUE="0")
    with _node(tmp_path, templates_dir, servers) as node:
        node.start(workers=2)
        token = node.token("documents")
        with ThreadPoolExecutor(8) as threads:
            answers = list(threads.map(lambda n: _document(node, token, f"BUSY-{n}"), range(8)))
        statuses = sorted(status for status, _headers, _body in answers)
        assert set(statuses) <= {201, 503}, statuses
        assert 201 in statuses and 503 in statuses, statuses
        for status, headers, body in answers:
            if status == 503:
                assert int(headers["Retry-After"]) >= 1, headers
                assert "busy" in json.loads(body)["detail"], body
            else:
                assert body.startswith(b"%PDF-"), body[:300]
        # Every converter down: 503 with Retry-After too, and the node is not ready.
        for server in servers:
            server.kill()
        status, headers, body = _document(node, token, "ALL-DOWN")
        assert status == 503 and int(headers["Retry-After"]) >= 1, body
        assert "none of the 2 PDF converters answers" in json.loads(body)["detail"], body
        assert node.request("GET", "/readyz")[0] == 503
        # A converter that comes back is used again once it passes its check.
        servers[0].start()
        deadline = time.monotonic() + 30
        while True:
            status, _headers, body = _document(node, token, "BACK")
            if status == 201 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert status == 201 and body.startswith(b"%PDF-"), body[:300]

"""``docgen db``, ``docgen apikeys`` and ``docgen serve`` as real processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from served import descendants, free_port

from docgen.store.migrate import head_revision

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(tmp_path, templates_dir):
    return dict(
        os.environ,
        DOCGEN_INSTANCE_DIR=str(tmp_path / "instance"),
        DOCGEN_TEMPLATES_DIR=str(templates_dir),
        PYTHONIOENCODING="utf-8",
    )


def docgen(env, *args, check=True):
    return subprocess.run(
        [sys.executable, "-m", "docgen", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=check,
    )


def test_db_and_keys(env):
    assert f"revision {head_revision()}" in docgen(env, "db", "upgrade").stderr
    token = docgen(
        env, "apikeys", "create", "office", "--scope", "documents", "--scope", "uploads"
    ).stdout.strip()
    assert token.startswith("dgk_")
    listed = json.loads(docgen(env, "apikeys", "list", "--json").stdout)
    assert listed[0]["name"] == "office" and listed[0]["scopes"] == ["documents", "uploads"]
    assert token not in docgen(env, "apikeys", "list").stdout
    again = docgen(env, "apikeys", "create", "office", "--scope", "admin", check=False)
    assert again.returncode == 2 and "/name" in again.stderr
    docgen(env, "apikeys", "revoke", "office")
    assert "revoked" in docgen(env, "apikeys", "list").stdout
    unknown = docgen(env, "apikeys", "revoke", "nobody", check=False)
    assert unknown.returncode == 1


def _request(url, *, data=None, headers=None):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, response.headers, response.read()


def test_serve_runs_workers_beside_one_pdf_pool(env):
    env = dict(env, DOCGEN_PDF_INSTANCES="1")
    docgen(env, "db", "upgrade")
    token = docgen(env, "apikeys", "create", "srv", "--scope", "admin").stdout.strip()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "docgen", "serve", "--port", str(port), "--workers", "3"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if _request(base + "/readyz")[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError):
                pass
            assert server.poll() is None, server.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "docgen serve did not become ready"
            time.sleep(0.3)
        sample = json.loads((ROOT / "samples" / "certificate_of_attendance.json").read_text())
        body = json.dumps(
            {"kind": "certificate_of_attendance", "lang": "en", "format": "pdf", "data": sample}
        ).encode()
        status, headers, content = _request(
            base + "/api/v1/documents",
            data=body,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        assert status == 201 and headers["Content-Type"] == "application/pdf"
        assert content.startswith(b"%PDF-")
        tree = descendants(server.pid)
        assert list(tree.values()).count("soffice.bin") == 1, tree
        assert list(tree.values()).count("docgen") >= 3 or len(tree) >= 5, tree
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(60)
        server.stderr.close()
    time.sleep(1)
    assert not [p for p, n in tree.items() if n == "soffice.bin" and Path(f"/proc/{p}").exists()]

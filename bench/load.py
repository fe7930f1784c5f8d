"""Load on ``docgen serve`` over loopback: requests per second, p50 and p99 latency.

Starts its own server (fresh instance folder, SQLite, rate limit off) and measures three
scenarios, each bounded by a request count and a time limit: DOCX generation of the
certificate of attendance, the same as PDF, and the upload of a filled certificate
(each upload a distinct file, so each one is stored and parsed). Prints one JSON object.

    .venv/bin/python bench/load.py [--requests 200] [--concurrency 8] [--seconds 60]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KIND = "certificate_of_attendance"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _templates(workdir: Path) -> tuple[Path, str]:
    real = ROOT / "templates"
    if all((real / lang / f"{KIND}.docx").is_file() for lang in ("ro", "en")):
        return real, "project"
    from docx import Document

    for lang in ("ro", "en"):
        (workdir / "templates" / lang).mkdir(parents=True)
        doc = Document()
        doc.add_paragraph("{{ document_title }}")
        doc.save(workdir / "templates" / lang / f"{KIND}.docx")
    return workdir / "templates", "stand-in (templates/ missing)"


def _certificates(count: int) -> list[bytes]:
    from pypdf import PdfWriter

    from docgen.forms.prefill import prefill_form
    from docgen.forms.spec import get_spec

    spec = get_spec(KIND, ROOT / "forms")
    blank = prefill_form(spec, {"reference": "BENCH", "values": {
        "participant_name": "Ștefania Țurcanu", "activity": "STA",
        "sending_institution": "Universitatea Politehnica Timișoara",
        "host_institution": "University of Porto"}})
    out = []
    for n in range(count):
        writer = PdfWriter(clone_from=io.BytesIO(blank))
        for page in writer.pages:
            writer.update_page_form_field_values(page, {
                "actual_start": "2026-03-09", "actual_end": "2026-03-13",
                "signer_name": f"Signer {n}", "sign_date": "2026-03-13"},
                auto_regenerate=False)
        buffer = io.BytesIO()
        writer.write(buffer)
        out.append(buffer.getvalue())
    return out


def _multipart(content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"certificate.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").encode()
    return body + content + f"\r\n--{boundary}--\r\n".encode(), \
        f"multipart/form-data; boundary={boundary}"


def _run(name: str, make_request, count: int, concurrency: int, seconds: float) -> dict:
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    started = time.perf_counter()

    def one(index: int) -> None:
        if time.monotonic() > deadline:
            return
        t0 = time.perf_counter()
        try:
            request = make_request(index)
            with urllib.request.urlopen(request, timeout=120) as response:
                response.read()
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except OSError:
            status = 0
        elapsed = (time.perf_counter() - t0) * 1000
        with lock:
            latencies.append(elapsed)
            statuses[str(status)] = statuses.get(str(status), 0) + 1

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(count)))
    wall = time.perf_counter() - started
    latencies.sort()
    ok = sum(v for k, v in statuses.items() if k.startswith("2"))
    return {
        "scenario": name, "requests": len(latencies), "ok": ok, "statuses": statuses,
        "concurrency": concurrency, "seconds": round(wall, 2),
        "rps": round(ok / wall, 2) if wall else 0.0,
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 1)
        if latencies else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per scenario")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--seconds", type=float, default=60, help="time limit per scenario")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="docgen-bench-"))
    templates, template_note = _templates(work)
    env = dict(os.environ, DOCGEN_INSTANCE_DIR=str(work / "instance"), DOCGEN_RATE_LIMIT="0",
               DOCGEN_TEMPLATES_DIR=str(templates), DOCGEN_FORMS_DIR=str(ROOT / "forms"))
    docgen = [sys.executable, "-m", "docgen"]
    subprocess.run([*docgen, "db", "upgrade"], env=env, check=True, capture_output=True)
    token = subprocess.run([*docgen, "apikeys", "create", "bench", "--scope", "admin"],
                           env=env, check=True, capture_output=True, text=True).stdout.strip()
    port = _free_port()
    log = (work / "serve.log").open("wb")
    server = subprocess.Popen([*docgen, "serve", "--port", str(port), "--workers",
                               str(args.workers)], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    auth = {"Authorization": f"Bearer {token}"}
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(base + "/readyz", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"docgen serve did not start; see {work / 'serve.log'}")
            time.sleep(0.3)
        sample = json.loads((ROOT / "samples" / f"{KIND}.json").read_text(encoding="utf-8"))

        def document(fmt: str):
            body = json.dumps({"kind": KIND, "lang": "ro", "format": fmt,
                               "data": sample}).encode()
            return lambda _i: urllib.request.Request(
                base + "/api/v1/documents", data=body,
                headers={**auth, "Content-Type": "application/json"})

        files = [_multipart(c) for c in _certificates(args.requests)]

        def upload(index: int):
            body, content_type = files[index]
            return urllib.request.Request(base + "/api/v1/uploads", data=body,
                                          headers={**auth, "Content-Type": content_type})

        # One warm-up request each: first-use costs (imports, pool, parser children).
        for make in (document("docx"), document("pdf")):
            urllib.request.urlopen(make(0), timeout=120).read()
        results = [
            _run("docx_certificate", document("docx"), args.requests, args.concurrency,
                 args.seconds),
            _run("pdf_certificate", document("pdf"), args.requests, args.concurrency,
                 args.seconds),
            _run("upload_filled_certificate", upload, args.requests, args.concurrency,
                 args.seconds),
        ]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(60)
        log.close()
    print(json.dumps({"cpus": len(os.sched_getaffinity(0)), "workers": args.workers,
                      "templates": template_note, "results": results}, indent=2))


if __name__ == "__main__":
    main()

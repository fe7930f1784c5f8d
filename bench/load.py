"""Load on ``docgen serve`` over loopback: requests per second, p50 and p99 latency.

Starts its own server (fresh instance folder, SQLite, rate limit off) and measures, each
scenario bounded by a request count and a time limit, with keep-alive clients: DOCX
generation of the certificate of attendance; the same as PDF at the pool's pace; a burst
of PDF requests past the queue's bound (the excess must be refused with 503 at once, not
pile up); and the upload of a filled certificate (each upload a distinct file, so each one
is stored and parsed). Prints one JSON object: ``{"docx": {"rps", "p50_ms", "p99_ms"},
"pdf": {...}, "pdf_burst": {...}, "upload": {...}, "details": [...]}``.

    .venv/bin/python bench/load.py [--requests 3000] [--seconds 60] [--json]
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
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
    blank = prefill_form(
        spec,
        {
            "reference": "BENCH",
            "values": {
                "participant_name": "Ștefania Țurcanu",
                "activity": "STA",
                "sending_institution": "Universitatea Politehnica Timișoara",
                "host_institution": "University of Porto",
            },
        },
    )
    out = []
    for n in range(count):
        writer = PdfWriter(clone_from=io.BytesIO(blank))
        for page in writer.pages:
            writer.update_page_form_field_values(
                page,
                {
                    "actual_start": "2026-03-09",
                    "actual_end": "2026-03-13",
                    "signer_name": f"Signer {n}",
                    "sign_date": "2026-03-13",
                },
                auto_regenerate=False,
            )
        buffer = io.BytesIO()
        writer.write(buffer)
        out.append(buffer.getvalue())
    return out


def _multipart(content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="certificate.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
    ).encode()
    return (
        body + content + f"\r\n--{boundary}--\r\n".encode(),
        f"multipart/form-data; boundary={boundary}",
    )


def _run(name: str, base: str, make_request, count: int, concurrency: int, seconds: float) -> dict:
    """Send ``count`` requests from ``concurrency`` threads, each on its own keep-alive
    connection, stopping at ``seconds``; latencies from send to last byte."""
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    counter = iter(range(count))
    host, port = base.removeprefix("http://").split(":")

    def client() -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=120)
        try:
            while time.monotonic() < deadline:
                with lock:
                    index = next(counter, None)
                if index is None:
                    return
                path, body, headers = make_request(index)
                t0 = time.perf_counter()
                try:
                    connection.request("POST", path, body=body, headers=headers)
                    response = connection.getresponse()
                    response.read()
                    status = response.status
                    if response.getheader("Connection", "").lower() == "close":
                        connection.close()
                except (OSError, http.client.HTTPException):
                    connection.close()
                    status = 0
                elapsed = (time.perf_counter() - t0) * 1000
                with lock:
                    latencies.append((elapsed, status))
                    statuses[str(status)] = statuses.get(str(status), 0) + 1
        finally:
            connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    ok = sorted(t for t, status in latencies if 200 <= status < 300)
    busy = sorted(t for t, status in latencies if status == 503)

    def pct(values: list[float], q: float) -> float | None:
        return round(values[min(len(values) - 1, int(len(values) * q))], 1) if values else None

    return {
        "scenario": name,
        "requests": len(latencies),
        "ok": len(ok),
        "statuses": statuses,
        "concurrency": concurrency,
        "seconds": round(wall, 2),
        "rps": round(len(ok) / wall, 2) if wall else 0.0,
        "p50_ms": pct(ok, 0.5),
        "p99_ms": pct(ok, 0.99),
        "busy_503": len(busy),
        "busy_p99_ms": pct(busy, 0.99),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000, help="DOCX requests")
    parser.add_argument("--concurrency", type=int, default=4, help="DOCX client threads")
    parser.add_argument("--pdf-requests", type=int, default=120, help="PDF and upload requests")
    parser.add_argument("--pdf-concurrency", type=int, default=4, help="PDF client threads")
    parser.add_argument(
        "--burst-concurrency",
        type=int,
        default=24,
        help="PDF client threads of the burst past the queue's bound",
    )
    parser.add_argument("--json", action="store_true", help="print one line of JSON")
    parser.add_argument("--seconds", type=float, default=60, help="time limit per scenario")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="docgen-bench-"))
    templates, template_note = _templates(work)
    env = dict(
        os.environ,
        DOCGEN_INSTANCE_DIR=str(work / "instance"),
        DOCGEN_RATE_LIMIT="0",
        DOCGEN_TEMPLATES_DIR=str(templates),
        DOCGEN_FORMS_DIR=str(ROOT / "forms"),
    )
    docgen = [sys.executable, "-m", "docgen"]
    subprocess.run([*docgen, "db", "upgrade"], env=env, check=True, capture_output=True)
    token = subprocess.run(
        [*docgen, "apikeys", "create", "bench", "--scope", "admin"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    port = _free_port()
    log = (work / "serve.log").open("wb")
    server = subprocess.Popen(
        [*docgen, "serve", "--port", str(port), "--workers", str(args.workers)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
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
            body = json.dumps({"kind": KIND, "lang": "ro", "format": fmt, "data": sample}).encode()
            headers = {**auth, "Content-Type": "application/json"}
            return lambda _i: ("/api/v1/documents", body, headers)

        files = [_multipart(c) for c in _certificates(args.pdf_requests)]

        def upload(index: int):
            body, content_type = files[index]
            return "/api/v1/uploads", body, {**auth, "Content-Type": content_type}

        # Warm-up: first-use costs (imports, prepared templates, pool, parser children)
        # in every worker.
        _run("warm-up", base, document("docx"), 60, args.concurrency, 30)
        _run("warm-up", base, document("pdf"), 4, 2, 60)
        docx = _run(
            "docx_certificate",
            base,
            document("docx"),
            args.requests,
            args.concurrency,
            args.seconds,
        )
        pdf = _run(
            "pdf_certificate",
            base,
            document("pdf"),
            args.pdf_requests,
            args.pdf_concurrency,
            args.seconds,
        )
        burst = _run(
            "pdf_burst_past_the_queue",
            base,
            document("pdf"),
            args.pdf_requests,
            args.burst_concurrency,
            args.seconds,
        )
        uploads = _run(
            "upload_filled_certificate",
            base,
            upload,
            args.pdf_requests,
            args.pdf_concurrency,
            args.seconds,
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(60)
        log.close()
    summary = {
        "docx": {k: docx[k] for k in ("rps", "p50_ms", "p99_ms")},
        "pdf": {k: pdf[k] for k in ("rps", "p50_ms", "p99_ms")},
        "pdf_burst": {k: burst[k] for k in ("rps", "p99_ms", "busy_503", "busy_p99_ms")},
        "upload": {k: uploads[k] for k in ("rps", "p50_ms", "p99_ms")},
        "cpus": len(os.sched_getaffinity(0)),
        "workers": args.workers,
        "templates": template_note,
        "details": [docx, pdf, burst, uploads],
    }
    print(json.dumps(summary) if args.json else json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()

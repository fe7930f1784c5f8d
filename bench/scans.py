"""Median milliseconds per scanned page of a certificate through a warm worker.

Run from the project root: ``python bench/scans.py [--runs 10] [--json]``. The certificate
is prefilled with every value, stamped with its page code, rendered by PDFium and turned
into a copier's scan (200 dpi, 1 degree of tilt, a JPEG in a PDF: ``scan_page_ms``) and a
phone photo (perspective, uneven light, noise, a JPEG: ``photo_page_ms``); each is parsed by
a warm worker (zxing-cpp, OpenCV, Tesseract), as the CLI and the web layer do. Besides the
two medians it prints the worker's median CPU ms a page and the load average at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests/forms/scanlib.py makes the scans

from docgen.forms.isolation import WorkerPool  # noqa: E402
from docgen.forms.pagecode import stamp_form  # noqa: E402
from docgen.forms.prefill import prefill_form  # noqa: E402
from docgen.forms.spec import forms_dir, load_specs  # noqa: E402
from tests.forms import scanlib  # noqa: E402

FORM = "certificate_of_attendance"
SECRET = "bench secret"


def scans() -> tuple[bytes, bytes]:
    spec = load_specs(forms_dir())[FORM]
    values = json.loads((ROOT / "tests/data/forms/values.json").read_text(encoding="utf-8"))
    pdf = prefill_form(spec, {"reference": "UPT-1", "values": values[FORM]})
    (page,) = scanlib.render(stamp_form(pdf, spec, "UPT-1", SECRET), 200)
    scan = scanlib.image_pdf([scanlib.rotate(page, 1.0, margin=40)], 200, quality=75)
    photo = scanlib.jpeg(scanlib.photo(page), 70)
    return scan, photo


def timed(pool: WorkerPool, data: bytes, runs: int) -> tuple[float, float]:
    """Median wall-clock ms a parse, and median CPU ms of the worker a parse (what the page
    costs on a core of its own: on a machine shared with other work the two differ)."""
    times, cpus = [], []
    (worker,) = pool._all  # one worker: its CPU time is read from /proc
    for _ in range(runs):
        cpu = worker.cpu_seconds()
        start = time.perf_counter()
        answer = pool.parse(data, "scan")
        times.append((time.perf_counter() - start) * 1000)
        cpus.append((worker.cpu_seconds() - cpu) * 1000)
        if answer.get("reference") != "UPT-1":
            raise SystemExit(f"the scan was not read: {json.dumps(answer)[:400]}")
    return round(statistics.median(times), 1), round(statistics.median(cpus), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="parses per case")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    scan, photo = scans()
    with WorkerPool(1, timeout=60, secret=SECRET) as pool:
        pool.warm_up()
        pool.parse(scan, "warm-up")  # Tesseract's models in the page cache
        scan_ms, scan_cpu = timed(pool, scan, args.runs)
        photo_ms, photo_cpu = timed(pool, photo, args.runs)
    figures = {
        "scan_page_ms": scan_ms,
        "photo_page_ms": photo_ms,
        "scan_page_cpu_ms": scan_cpu,
        "photo_page_cpu_ms": photo_cpu,
        "load_average": round(os.getloadavg()[0], 2),
    }
    if args.json:
        print(json.dumps(figures))
    else:
        for name, value in figures.items():
            print(f"{name}: {value}")


if __name__ == "__main__":
    main()

"""Milliseconds per PDF, warm (through the LibreOffice pool) and cold (one soffice each).

Run from the project root: ``python bench/pdf.py [--json]``. For the certificate of
attendance and the financial contract, all in one run: the median latency of one
document through a warm pool (one instance per core unless ``--instances``), the median
latency of a one-shot ``soffice --convert-to pdf`` with a fresh private profile (what the
fallback does), the two interleaved so that they see the same machine load, their ratio,
and the warm throughput with every instance busy. The
documents are rendered from ``samples/<kind>.json`` through the real templates; when
those are not available, stand-ins of the same length are generated with python-docx
and the output says so.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import docx
import pypdf

from docgen.convert import PdfPool, convert_once

KINDS = {"certificate_of_attendance": 1, "financial_contract": 2}  # kind: stand-in pages
ROOT = Path(__file__).resolve().parent.parent


def rendered(kind: str, lang: str) -> bytes | None:
    """The sample payload rendered through the real template, or None when unavailable."""
    sample = ROOT / "samples" / f"{kind}.json"
    try:
        from docgen.documents.render import render_document

        return render_document(kind, lang, json.loads(sample.read_text(encoding="utf-8")))
    except Exception as exc:  # no renderer, template or sample yet: say so, use a stand-in
        print(f"{kind}: cannot render the sample ({type(exc).__name__}: {exc})", file=sys.stderr)
        return None


def stand_in(kind: str, pages: int) -> bytes:
    """A DOCX of ``pages`` pages with Romanian text, a table and a signature block."""
    document = docx.Document()
    for page in range(pages):
        document.add_heading(f"{kind.replace('_', ' ').title()} — pagina {page + 1}", level=1)
        document.add_paragraph(
            "Subsemnatul Ștefan Țăran, cadru didactic la Universitatea din Iași, a efectuat "
            "o mobilitate de predare în cadrul programului Erasmus+ în perioada 9-13 martie "
            "2026, cu un grant de 1.234,50 EUR (o mie două sute treizeci și patru euro și "
            "cincizeci de cenți). " * 3
        )
        table = document.add_table(rows=6, cols=4)
        for r, row in enumerate(table.rows):
            for c, cell in enumerate(row.cells):
                cell.text = f"Rândul {r}, coloana {c}: învățământ"
        document.add_paragraph("Clauze: " + "câmp de aplicare, obligații, plăți. " * 15)
        signatures = document.add_table(rows=2, cols=2)
        signatures.cell(0, 0).text = "Participant"
        signatures.cell(0, 1).text = "Coordonator instituțional"
        if page < pages - 1:
            document.add_page_break()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def page_count(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def latencies(pool: PdfPool, data: bytes, runs: int, cold_runs: int) -> tuple[float, float, bytes]:
    """Median milliseconds warm and cold, the two interleaved so that both see the same load."""
    warm, cold = [], []
    pdf = b""
    for i in range(max(runs, cold_runs)):
        if i < cold_runs:
            started = time.perf_counter()
            convert_once(data)
            cold.append((time.perf_counter() - started) * 1000)
        if i < runs:
            started = time.perf_counter()
            pdf = pool.convert(data)
            warm.append((time.perf_counter() - started) * 1000)
    return statistics.median(warm), statistics.median(cold), pdf


def throughput(pool: PdfPool, data: bytes, documents: int) -> float:
    """Documents per second with every instance kept busy (two clients per instance)."""
    with ThreadPoolExecutor(pool.size * 2) as clients:
        started = time.perf_counter()
        list(clients.map(pool.convert, [data] * documents))
        return documents / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--runs", type=int, default=15, help="warm conversions timed per kind")
    parser.add_argument("--cold-runs", type=int, default=5, help="one-shot conversions per kind")
    parser.add_argument("--documents", type=int, default=40, help="documents for throughput")
    parser.add_argument("--instances", type=int, default=0, help="pool size (0: one per core)")
    parser.add_argument("--lang", default="ro", choices=["ro", "en"])
    args = parser.parse_args()

    inputs = {}
    for kind, pages in KINDS.items():
        data = rendered(kind, args.lang)
        inputs[kind] = (data, "template") if data else (stand_in(kind, pages), "generated")

    results = {}
    with PdfPool(args.instances) as pool:
        for kind, (data, source) in inputs.items():
            for _ in range(pool.size * 2):  # first jobs load filters and fonts
                pool.convert(data)
            warm_ms, cold_ms, pdf = latencies(pool, data, args.runs, args.cold_runs)
            results[kind] = {
                "warm_ms": round(warm_ms, 1),
                "cold_ms": round(cold_ms, 1),
                "ratio": round(cold_ms / warm_ms, 1),
                "warm_docs_per_s": round(throughput(pool, data, args.documents), 2),
                "pages": page_count(pdf),
                "input": source,
                "instances": pool.size,
            }

    if args.json:
        print(json.dumps(results))
        return
    for kind, r in results.items():
        print(
            f"{kind} ({r['pages']} p., {r['input']}): warm {r['warm_ms']} ms, "
            f"cold {r['cold_ms']} ms, {r['ratio']}x; {r['warm_docs_per_s']} docs/s "
            f"on {r['instances']} instances"
        )


if __name__ == "__main__":
    main()

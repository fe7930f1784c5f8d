"""Median milliseconds per DOCX for each kind: docgen's prepared templates and plain docxtpl.

Both fill the same template with the same context, in the same process, alternating:
``prepared_ms`` is docgen's path (a template prepared once, see
``docgen/documents/prepared.py``), ``plain_docxtpl_ms`` builds a ``DocxTemplate`` from the
file for every document, as a script would. ``document_ms`` adds what a request also
does: validating the payload and computing the context (grants, rankings).

    .venv/bin/python bench/render.py [--runs 50] [--lang ro] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from docgen.documents.kinds import KINDS
from docgen.documents.render import (
    render_document,
    render_template,
    render_template_plain,
    template_path,
)

ROOT = Path(__file__).resolve().parent.parent


def _median_ms(fn, runs: int) -> float:
    fn()  # warm-up: imports, caches, the prepared template
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 2)


def measure(kind_id: str, lang: str, runs: int) -> dict[str, float]:
    kind = KINDS[kind_id]
    data = json.loads((ROOT / "samples" / f"{kind_id}.json").read_text(encoding="utf-8"))
    payload = kind.validate(data)
    context = kind.context(payload, lang)
    path = template_path(kind_id, lang, ROOT / "templates")
    prepared = _median_ms(lambda: render_template(path, context, lang), runs)
    plain = _median_ms(lambda: render_template_plain(path, context, lang), runs)
    document = _median_ms(lambda: render_document(kind_id, lang, data, ROOT / "templates"), runs)
    return {
        "prepared_ms": prepared,
        "plain_docxtpl_ms": plain,
        "ratio": round(plain / prepared, 1),
        "document_ms": document,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="renders per measure (>= 50)")
    parser.add_argument("--lang", default="ro", choices=["ro", "en"])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    results = {kind_id: measure(kind_id, args.lang, max(args.runs, 50)) for kind_id in KINDS}
    if args.json:
        print(json.dumps(results))
        return
    for kind_id, r in results.items():
        print(
            f"{kind_id:28} prepared {r['prepared_ms']:7.2f} ms   plain docxtpl "
            f"{r['plain_docxtpl_ms']:7.2f} ms   ratio {r['ratio']:5.1f}   "
            f"whole document {r['document_ms']:7.2f} ms"
        )


if __name__ == "__main__":
    main()

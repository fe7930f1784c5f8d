"""Median milliseconds per DOCX for each kind: docgen's renderer and plain docxtpl.

Plain docxtpl builds a ``DocxTemplate`` from the file for every document, as a script
would. Both run in the same process, on the same context, one after the other.

    .venv/bin/python bench/render.py [--runs 50] [--json]
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import time
from pathlib import Path

from docxtpl import DocxTemplate

from docgen.documents.kinds import KINDS
from docgen.documents.render import environment, render_document, template_path

ROOT = Path(__file__).resolve().parent.parent


def _median_ms(fn, runs: int) -> float:
    fn()  # warm-up: imports, caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="renders per measure (>= 50)")
    parser.add_argument("--lang", default="ro", choices=["ro", "en"])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    results = {}
    for kind_id, kind in KINDS.items():
        data = json.loads((ROOT / "samples" / f"{kind_id}.json").read_text(encoding="utf-8"))
        payload = kind.validate(data)
        context = kind.context(payload, args.lang)
        path = template_path(kind_id, args.lang, ROOT / "templates")

        def docgen_render(kind_id=kind_id, payload=payload):
            render_document(kind_id, args.lang, payload, ROOT / "templates")

        def plain(path=path, context=context):
            template = DocxTemplate(path)
            template.render(context, jinja_env=environment(args.lang), autoescape=True)
            template.save(io.BytesIO())

        docgen_ms = _median_ms(docgen_render, args.runs)
        plain_ms = _median_ms(plain, args.runs)
        results[kind_id] = {
            "prepared_ms": docgen_ms,
            "plain_docxtpl_ms": plain_ms,
            "ratio": round(plain_ms / docgen_ms, 2),
        }
    if args.json:
        print(json.dumps(results))
    else:
        for kind_id, r in results.items():
            print(
                f"{kind_id:28} docgen {r['prepared_ms']:7.2f} ms   plain docxtpl "
                f"{r['plain_docxtpl_ms']:7.2f} ms   ratio {r['ratio']:.2f}"
            )


if __name__ == "__main__":
    main()

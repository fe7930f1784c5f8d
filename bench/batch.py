"""500 financial contracts as DOCX and PDF in one ZIP: seconds, rate and peak memory.

The batch runs as ``docgen batch`` does: payloads validated, then rendered and converted
side by side over the LibreOffice pool (one instance per core unless ``--instances``),
each finished document streamed into the ZIP. Peak resident memory is read from the
kernel for this process (``ru_maxrss``) and, separately, for the LibreOffice instances.

    .venv/bin/python bench/batch.py [--documents 500] [--json]
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import resource
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

from docgen.convert import PdfPool
from docgen.documents.batch import BatchReport, write_zip
from docgen.documents.kinds import KINDS

ROOT = Path(__file__).resolve().parent.parent
FAMILY = ["Popescu", "Ionescu", "Țăranu", "Șerban", "Bălănescu", "Mureșan", "Dumitrașcu"]
GIVEN = ["Ștefania", "Ioana", "Mihai", "Radu", "Andreea", "Teodora", "Ion"]


def payloads(count: int) -> list:
    base = json.loads((ROOT / "samples" / "financial_contract.json").read_text(encoding="utf-8"))
    kind = KINDS["financial_contract"]
    items = []
    for i in range(count):
        data = copy.deepcopy(base)
        data["number"] = f"{1000 + i}/2026"
        data["participant"]["family_name"] = FAMILY[i % len(FAMILY)]
        data["participant"]["given_names"] = GIVEN[(i // len(FAMILY)) % len(GIVEN)]
        data["participant"].pop("cnp")
        data["bank"]["holder"] = f"{data['participant']['given_names']} {FAMILY[i % 7]}"
        items.append(kind.validate(data))
    return items


def _rss_mb_of(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status", encoding="ascii") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def _descendants() -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, stack = [], [os.getpid()]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=500)
    parser.add_argument("--instances", type=int, default=0, help="0: one per core")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    items = payloads(args.documents)
    done = [0]
    peak_children = [0.0]
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(0.5):
            peak_children[0] = max(peak_children[0], _rss_mb_of(_descendants()))

    with PdfPool(instances=args.instances or None) as pool, tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "contracts.zip"
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        report = BatchReport()

        def progress(_index: int, _error: str | None) -> None:
            done[0] += 1
            if not args.json and done[0] % 50 == 0:
                print(f"  {done[0]}/{len(items)}", file=sys.stderr)

        start = time.perf_counter()
        with target.open("wb") as fh:
            write_zip(
                "financial_contract",
                "ro",
                items,
                fh,
                report,
                on_item=progress,
                fmt="both",
                convert=pool.convert,
                parallel=pool.size + 1,  # as `docgen batch` does
            )
        seconds = time.perf_counter() - start
        stop.set()
        with zipfile.ZipFile(target) as archive:
            entries = len(archive.namelist())
        size_mb = target.stat().st_size / 1e6

    result = {
        "documents": len(items),
        "files_in_zip": entries,
        "seconds": round(seconds, 1),
        "documents_per_s": round(len(items) / seconds, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "libreoffice_peak_rss_mb": round(peak_children[0], 1),
        "zip_mb": round(size_mb, 1),
        "instances": pool.size,
    }
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

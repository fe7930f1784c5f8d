"""Draw the pictures of filled forms shown in the README (docs/forms/*.png).

    .venv/bin/python tools/form_pictures.py [OUT_DIR]

The certificate of attendance is filled by each engine the tests use (PDFium, pdf.js,
pypdf: tests/forms/form_engines.py), then rendered by poppler (pdftoppm) and by PDFium,
cropped to the fields. Needs `make setup` (pdf.js under Node, pypdfium2).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "forms"))

from form_engines import FILLERS  # noqa: E402

VALUES = {
    "participant_name": "Ștefania Țurcanu-Bălășoiu",
    "sending_institution": "Universitatea Politehnica Timișoara",
    "host_institution": "Uniwersytet Łódzki",
    "host_erasmus_code": "PL LODZ01",
    "activity": "STA",
    "planned_start": "09.03.2026",
    "planned_end": "13.03.2026",
    "actual_start": "09.03.2026",
    "actual_end": "13.03.2026",
    "days": "5",
    "teaching_hours": "8,5",
    "remarks": (
        "Zajęcia prowadzone w języku angielskim; współpraca z prof. Çağrı Şahin (Işık "
        "Üniversitesi) i dr Kateřiną Dvořákovą. Activitate încheiată; mulțumim!"
    ),
    "signer_name": "Małgorzata Wróbel-Żółć",
    "signer_function": "Koordynator Erasmus+ / Erasmus+ coordinator",
    "sign_date": "13.03.2026",
}
LABELS = {"STA": "STA – predare / STA – teaching"}
DPI = 80
# The part of the A4 page that holds the fields (PDF points from the top).
TOP, BOTTOM = 22, 470


def render_poppler(pdf: Path, png: Path) -> None:
    scale = DPI / 72
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-singlefile",
            "-r",
            str(DPI),
            "-x",
            "0",
            "-y",
            str(int(TOP * scale)),
            "-W",
            str(int(595 * scale)),
            "-H",
            str(int((BOTTOM - TOP) * scale)),
            str(pdf),
            str(png.with_suffix("")),
        ],
        check=True,
        timeout=120,
    )


def render_pdfium(pdf: Path, png: Path) -> None:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        document.init_forms()
        page = document[0]
        scale = DPI / 72
        image = page.render(scale=scale, may_draw_forms=True).to_pil()
        image.crop((0, int(TOP * scale), image.width, int(BOTTOM * scale))).save(png)
    finally:
        document.close()


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    blank = ROOT / "forms" / "certificate_of_attendance.pdf"
    with tempfile.TemporaryDirectory() as tmp:
        for engine, fill in FILLERS.items():
            filled = Path(tmp) / f"{engine}.pdf"
            values = VALUES if engine != "pdfium" else {**VALUES, "activity": LABELS["STA"]}
            fill(blank, filled, values)
            render_poppler(filled, out / f"filled-by-{engine}-poppler.png")
            render_pdfium(filled, out / f"filled-by-{engine}-pdfium.png")
            print(f"{engine}: {out}/filled-by-{engine}-{{poppler,pdfium}}.png")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "forms")

"""Prepared templates: the same document text as plain docxtpl, safe across threads, and
reloaded when the template file changes."""

from __future__ import annotations

import io
import json
import shutil
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from docx import Document

from docgen.documents.check import samples_of
from docgen.documents.kinds import KINDS, LANGS
from docgen.documents.prepared import TemplateCache
from docgen.documents.render import environment, render_template_plain, template_path

ROOT = Path(__file__).resolve().parents[2]
CASES = [
    (kind, lang, path)
    for kind in KINDS
    for path in samples_of(kind, ROOT / "samples")
    for lang in LANGS
]


def context_of(kind: str, lang: str, sample: Path) -> dict:
    spec = KINDS[kind]
    return spec.context(spec.validate(json.loads(sample.read_text(encoding="utf-8"))), lang)


@pytest.mark.parametrize(("kind", "lang", "sample"), CASES, ids=lambda v: getattr(v, "stem", v))
def test_prepared_and_plain_give_the_same_text(kind, lang, sample, docx_text):
    context = context_of(kind, lang, sample)
    path = template_path(kind, lang, ROOT / "templates")
    prepared = TemplateCache().get(path, lang, environment(lang)).render(context)
    plain = render_template_plain(path, context, lang)
    assert docx_text(prepared) == docx_text(plain)
    # Headers and footers, tables and looped rows survive.
    doc = Document(io.BytesIO(prepared))
    assert doc.sections[0].footer.paragraphs or doc.sections[0].footer.tables
    assert len(doc.tables) == len(Document(io.BytesIO(plain)).tables)


def test_threads_share_one_prepared_template(docx_text):
    path = template_path("certificate_of_attendance", "en", ROOT / "templates")
    base = context_of(
        "certificate_of_attendance", "en", ROOT / "samples" / "certificate_of_attendance.json"
    )
    prepared = TemplateCache().get(path, "en", environment("en"))

    def render(i: int) -> tuple[int, str]:
        context = dict(base, reference=f"REF-{i:03d}")
        return i, docx_text(prepared.render(context))

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(render, range(64)))
    for i, text in results:
        assert f"REF-{i:03d}" in text
        assert all(f"REF-{j:03d}" not in text for j in (i - 1, i + 1))


def test_cache_reloads_a_changed_template(tmp_path, docx_text):
    path = tmp_path / "certificate_of_attendance.docx"
    shutil.copy(template_path("certificate_of_attendance", "en", ROOT / "templates"), path)
    context = context_of(
        "certificate_of_attendance", "en", ROOT / "samples" / "certificate_of_attendance.json"
    )
    cache = TemplateCache()
    first = cache.get(path, "en", environment("en"))
    assert "Edited by the office" not in docx_text(first.render(context))
    assert cache.get(path, "en", environment("en")) is first

    time.sleep(0.01)
    document = Document(path)
    document.add_paragraph("Edited by the office for {{ participant.full_name }}")
    document.save(path)
    second = cache.get(path, "en", environment("en"))
    assert second is not first
    assert "Edited by the office for Dragana Jovanović" in docx_text(second.render(context))


def test_line_breaks_in_values_become_word_breaks_as_with_plain_docxtpl(docx_text):
    path = template_path("certificate_of_attendance", "ro", ROOT / "templates")
    context = context_of(
        "certificate_of_attendance", "ro", ROOT / "samples" / "certificate_of_attendance.json"
    )
    context["signer"] = dict(context["signer"], position="Prorector\nRelații internaționale")
    prepared = TemplateCache().get(path, "ro", environment("ro")).render(context)
    plain = render_template_plain(path, context, "ro")
    assert docx_text(prepared) == docx_text(plain)
    assert "Prorector\nRelații internaționale" in docx_text(prepared)
    assert b"<w:br/>" in zipfile.ZipFile(io.BytesIO(prepared)).read("word/document.xml")

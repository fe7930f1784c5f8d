"""DOCX -> PDF through real LibreOffice: the pool, its faults, the fallback and the CLI.

Nothing here is mocked: every test runs soffice. One pool serves the well-behaved tests;
the fault tests get small pools of their own so that a killed or stopped instance never
disturbs the others.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor

import docx
import pypdf
import pytest

import docgen.convert as pdf_module
from docgen.config import Settings
from docgen.convert import OneShotConverter, PdfPool, check_docx, convert_once
from docgen.convert.instance import group_members
from docgen.errors import Busy, ConversionFailed, MalformedInput

ROMANIAN = "Ștefan Țăran, Iași, învățământ, câmp"


@pytest.fixture(scope="session")
def make_docx():
    """Return a callable building a DOCX: one heading and some lines per page."""

    def make(*lines: str, pages: int = 1) -> bytes:
        document = docx.Document()
        for page in range(pages):
            document.add_heading(f"Pagina {page + 1}", level=1)
            for line in lines:
                document.add_paragraph(line)
            document.add_paragraph("Text obișnuit al contractului. " * 12)
            if page < pages - 1:
                document.add_page_break()
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()

    return make


@pytest.fixture(scope="session")
def pool(pdf_pool):
    return pdf_pool


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def page_count(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def fonts_without_file(pdf: bytes) -> list[str]:
    """Name every font used on a page whose descriptor embeds no font program."""
    missing = []
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        fonts = page.get("/Resources", {}).get_object().get("/Font", {}).get_object()
        for ref in fonts.values():
            font = ref.get_object()
            if font.get("/Subtype") == "/Type0":
                font = font["/DescendantFonts"][0].get_object()
            descriptor = font.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            if not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                missing.append(str(font.get("/BaseFont")))
    return missing


def xmp(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")


def wait_until(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


# --- correct output ------------------------------------------------------------------


def test_romanian_letters_pages_and_embedded_fonts(pool, make_docx):
    pdf = pool.convert(make_docx(ROMANIAN, "Suma: 1.234,50 EUR, 7 martie 2026", pages=3))

    assert pdf.startswith(b"%PDF-")
    assert page_count(pdf) == 3
    text = pdf_text(pdf)
    for word in ROMANIAN.split(", "):
        assert word in text
    assert "1.234,50 EUR" in text and "7 martie 2026" in text
    assert not set("şţŞŢ") & set(text), "comma-below letters came back as cedillas"
    assert fonts_without_file(pdf) == []


def test_pdftotext_reads_the_same_letters(pool, make_docx, tmp_path):
    target = tmp_path / "out.pdf"
    target.write_bytes(pool.convert(make_docx(ROMANIAN)))
    said = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(target), "-"],
        capture_output=True,
        timeout=30,
        check=True,
    ).stdout.decode("utf-8")
    assert ROMANIAN in said


def test_pdfa_declares_part_2_conformance_b(pool, make_docx):
    pdf = pool.convert(make_docx(ROMANIAN), pdfa=True)

    metadata = xmp(pdf)
    assert re.search(r"pdfaid:part(>|=\")2", metadata)
    assert re.search(r"pdfaid:conformance(>|=\")B", metadata)
    assert ROMANIAN in pdf_text(pdf)
    assert fonts_without_file(pdf) == []


def test_eight_documents_from_four_threads_do_not_mix(pool, make_docx):
    markers = [f"Participant {i}: {ROMANIAN} nr. {1000 + i}" for i in range(8)]
    documents = [make_docx(marker, pages=1 + i % 2) for i, marker in enumerate(markers)]

    with ThreadPoolExecutor(4) as threads:
        pdfs = list(threads.map(pool.convert, documents))

    for i, pdf in enumerate(pdfs):
        text = pdf_text(pdf)
        assert markers[i] in text
        assert page_count(pdf) == 1 + i % 2
        others = [m for j, m in enumerate(markers) if j != i and m in text]
        assert others == []


# --- bad input ---------------------------------------------------------------------


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name, data in members.items():
            package.writestr(name, data)
    return out.getvalue()


@pytest.fixture(scope="session")
def broken_inputs(make_docx):
    good = make_docx(ROMANIAN)
    corrupt = bytearray(good)
    start = corrupt.index(b"word/document.xml") + 40  # inside that member's data
    corrupt[start : start + 20] = bytes(20)
    return {
        "empty": (b"", "empty"),
        "random bytes": (os.urandom(4096), "not a ZIP"),
        "a PDF": (b"%PDF-1.7\n" + os.urandom(500), "not a ZIP"),
        "truncated zip": (good[: len(good) // 2], "broken"),
        "zip without word/document.xml": (
            _zip({"[Content_Types].xml": b"<Types/>", "word/other.xml": b"<x/>"}),
            "no word/document.xml",
        ),
        "a plain zip": (_zip({"notes.txt": b"hello"}), "no [Content_Types].xml"),
        "corrupt member": (bytes(corrupt), "corrupt"),
        "document.xml not XML": (
            _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document>"}),
            "not well-formed",
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "empty",
        "random bytes",
        "a PDF",
        "truncated zip",
        "zip without word/document.xml",
        "a plain zip",
        "corrupt member",
        "document.xml not XML",
    ],
)
def test_not_a_docx_is_refused_quickly(pool, broken_inputs, case):
    data, reason = broken_inputs[case]
    started = time.monotonic()
    with pytest.raises(MalformedInput) as caught:
        pool.convert(data)
    assert time.monotonic() - started < 1
    assert "not a DOCX document" in str(caught.value)
    assert reason in str(caught.value)
    assert caught.value.status == 400


def test_package_libreoffice_cannot_open_is_refused_without_a_restart(pool, make_docx):
    # Passes the package checks, but holds no Word document LibreOffice can open.
    hollow = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<x/>"})
    starts = [instance.starts for instance in pool.instances]

    with pytest.raises(MalformedInput, match="cannot open it as a Word document"):
        pool.convert(hollow)

    assert [instance.starts for instance in pool.instances] == starts
    assert "still fine" in pdf_text(pool.convert(make_docx("still fine")))


def test_check_accepts_a_real_docx(make_docx):
    check_docx(make_docx(ROMANIAN))


# --- faults ------------------------------------------------------------------------


@pytest.fixture
def small_pool():
    """One instance, a 4 s job timeout and room for one waiting job."""
    with PdfPool(instances=1, timeout=4, queue=1) as single:
        yield single


def test_instance_killed_mid_job_is_restarted_and_the_job_retried(small_pool, make_docx):
    instance = small_pool.instances[0]
    [office] = instance.office_pids()
    os.kill(office, signal.SIGSTOP)  # hold the job inside LibreOffice
    outcome: list[object] = []
    job = threading.Thread(
        target=lambda: outcome.append(_attempt(small_pool.convert, make_docx("killed job")))
    )
    job.start()
    assert wait_until(lambda: small_pool.idle == 0)
    time.sleep(0.3)
    os.kill(office, signal.SIGKILL)
    job.join(30)

    [result] = outcome
    if isinstance(result, Exception):  # failing cleanly is allowed; hanging is not
        assert isinstance(result, ConversionFailed)
    else:
        assert "killed job" in pdf_text(result)
    assert not os.path.exists(f"/proc/{office}") or _is_zombie(office)
    next_pdf = small_pool.convert(make_docx("next job"))
    assert "next job" in pdf_text(next_pdf)
    assert instance.starts == 2
    assert office not in instance.office_pids()


def test_job_past_its_timeout_fails_clearly_and_the_instance_recovers(small_pool, make_docx):
    instance = small_pool.instances[0]
    [office] = instance.office_pids()
    os.kill(office, signal.SIGSTOP)  # LibreOffice hangs

    started = time.monotonic()
    with pytest.raises(ConversionFailed, match=r"did not finish the conversion within 4 s"):
        small_pool.convert(make_docx("stuck"))
    assert 4 <= time.monotonic() - started < 10
    assert wait_until(lambda: not os.path.exists(f"/proc/{office}") or _is_zombie(office))

    assert "recovered" in pdf_text(small_pool.convert(make_docx("recovered")))
    assert instance.starts == 2


def test_full_queue_refuses_at_once_with_busy(small_pool, make_docx):
    [office] = small_pool.instances[0].office_pids()
    os.kill(office, signal.SIGSTOP)
    outcomes: dict[str, object] = {}

    def submit(name: str) -> None:
        outcomes[name] = _attempt(small_pool.convert, make_docx(name))

    running = threading.Thread(target=submit, args=("running",))
    running.start()
    assert wait_until(lambda: small_pool.idle == 0)
    waiting = threading.Thread(target=submit, args=("waiting",))
    waiting.start()
    assert wait_until(lambda: small_pool.waiting == 1)

    started = time.monotonic()
    with pytest.raises(Busy, match="busy, retry later") as caught:
        small_pool.convert(make_docx("refused"))
    assert time.monotonic() - started < 0.5
    assert caught.value.status == 503 and caught.value.retry_after >= 1

    running.join(30)
    waiting.join(30)
    assert isinstance(outcomes["running"], ConversionFailed)  # timed out, instance killed
    assert "waiting" in pdf_text(outcomes["waiting"])  # served by the restarted instance


def test_instance_is_recycled_after_max_jobs(make_docx):
    with PdfPool(instances=1, max_jobs=2) as recycling:
        instance = recycling.instances[0]
        first_office = instance.office_pids()
        for i in range(3):
            assert f"job {i}" in pdf_text(recycling.convert(make_docx(f"job {i}")))
        assert instance.starts == 2
        assert instance.office_pids() != first_office
        pgid = instance.pgid
    assert group_members(pgid) == []


def _attempt(convert, data):
    try:
        return convert(data)
    except Exception as exc:
        return exc


def _is_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


# --- no orphans ----------------------------------------------------------------------

CHILD = """
import json, sys, time
from docgen.convert import PdfPool
pool = PdfPool(instances=2)
pool.start()
print(json.dumps({"groups": [i.pgid for i in pool.instances],
                  "offices": [p for i in pool.instances for p in i.office_pids()]}), flush=True)
time.sleep(300)
"""


def test_no_soffice_survives_a_killed_owner():
    with subprocess.Popen(
        [sys.executable, "-c", CHILD],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    ) as owner:
        try:
            ready, _, _ = select.select([owner.stdout], [], [], 60)
            assert ready, "the child pool did not start within 60 s"
            started = json.loads(owner.stdout.readline())
            assert len(started["offices"]) == 2
            for group in started["groups"]:
                assert any(comm == "soffice.bin" for _, comm in group_members(group))
        finally:
            owner.kill()  # SIGKILL: no atexit, no finalizer runs in the owner
            owner.wait()

    def gone() -> bool:
        survivors = [m for g in started["groups"] for m in group_members(g)]
        return not survivors and all(_is_zombie(pid) for pid in started["offices"])

    assert wait_until(gone, timeout=10), "soffice outlived the process that started it"


def test_stop_leaves_no_process(make_docx):
    stopped = PdfPool(instances=1)
    stopped.start()
    [group] = [i.pgid for i in stopped.instances]
    stopped.convert(make_docx("one"))
    stopped.stop()
    assert group_members(group) == []
    with pytest.raises(ConversionFailed):
        stopped.convert(make_docx("after stop"))


# --- fallback, one-shot and CLI ------------------------------------------------------


def test_pool_that_cannot_start_falls_back_to_one_shot_logged_once(make_docx, monkeypatch, caplog):
    # docgen's own Python cannot import uno: every instance fails to start.
    config = Settings.load({"PDF_PYTHON": sys.executable}).as_config()
    monkeypatch.setattr(pdf_module, "_converter", None)
    caplog.set_level(logging.WARNING, logger="docgen.convert")

    first = pdf_module.convert_docx_to_pdf(make_docx("fallback one"), config=config)
    second = pdf_module.convert_docx_to_pdf(make_docx("fallback two"), pdfa=True)

    assert isinstance(pdf_module.default_converter(), OneShotConverter)
    assert "fallback one" in pdf_text(first)
    assert "fallback two" in pdf_text(second)
    assert re.search(r"pdfaid:part(>|=\")2", xmp(second))
    notes = [r.getMessage() for r in caplog.records if "one-shot" in r.getMessage()]
    assert len(notes) == 1
    assert "No module named 'uno'" in notes[0]


def test_one_shot_refuses_bad_input_and_keeps_its_timeout(make_docx, broken_inputs):
    converter = OneShotConverter(slots=1)
    with pytest.raises(MalformedInput):
        converter.convert(broken_inputs["random bytes"][0])
    with pytest.raises(ConversionFailed, match="did not finish the conversion within"):
        convert_once(make_docx("x", pages=40), timeout=0.2)


def test_cli_converts_and_refuses(run_cli, make_docx, tmp_path):
    source = tmp_path / "contract.docx"
    source.write_bytes(make_docx(ROMANIAN, pages=2))
    junk = tmp_path / "junk.docx"
    junk.write_bytes(os.urandom(1000))

    done = run_cli("convert", str(source), "-o", str(tmp_path / "out.pdf"), "--pdfa")
    refused = run_cli("convert", str(junk))

    assert done.code == 0, done.stderr
    pdf = (tmp_path / "out.pdf").read_bytes()
    assert page_count(pdf) == 2 and ROMANIAN in pdf_text(pdf)
    assert refused.code == 2
    assert "not a DOCX document" in refused.stderr
    assert not (tmp_path / "junk.pdf").exists()

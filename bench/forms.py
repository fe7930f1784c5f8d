"""Median milliseconds per parse of a filled certificate: AcroForm, flattened, signed.

Run from the project root: ``python bench/forms.py [--runs 30] [--json]``. Each case is
timed in this process (the pure core) and through a warm worker (the isolated path, what
the CLI and the web layer use minus the interpreter start); ``acroform_ms``,
``flattened_ms`` and ``signed_ms`` are the warm-worker medians.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import logging
import statistics
import tempfile
import time
import warnings
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from docgen.forms.isolation import WorkerPool
from docgen.forms.parse import parse_bytes
from docgen.forms.prefill import prefill_form
from docgen.forms.spec import default_forms_dir, load_specs

FORM = "certificate_of_attendance"
VALUES = {
    "participant_name": "Ștefania Țurcanu-Bălășoiu",
    "sending_institution": "Universitatea Politehnica Timișoara",
    "host_institution": "Universidad de Sevilla",
    "activity": "STA",
    "actual_start": "09.03.2026",
    "actual_end": "13.03.2026",
    "days": "5",
    "teaching_hours": "8,5",
    "remarks": "Activitate încheiată.",
    "signer_name": "Ioana Mâțu",
    "signer_function": "Coordonator Erasmus+",
    "sign_date": "13.03.2026",
}


def filled() -> bytes:
    writer = PdfWriter(clone_from=str(default_forms_dir() / f"{FORM}.pdf"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pypdf: "not supported by font encoding"; known
        writer.update_page_form_field_values(writer.pages[0], VALUES, auto_regenerate=False)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def flattened(spec) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(prefill_form(spec, {"values": VALUES}))))
    for page in writer.pages:
        page.pop("/Annots", None)
    writer._root_object.pop("/AcroForm", None)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def signed(data: bytes) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Bench Signer")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "k.pem").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        (Path(tmp) / "c.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        signer = signers.SimpleSigner.load(str(Path(tmp) / "k.pem"), str(Path(tmp) / "c.pem"))
    out = signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(data)),
        signers.PdfSignatureMetadata(field_name="signature"),
        signer=signer,
    )
    return out.getvalue()


def median_ms(run, runs: int) -> float:
    run()  # warm caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    # pyHanko logs a self-signed signer with a full traceback: expected here, keep it quiet.
    logging.basicConfig(level=logging.CRITICAL)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="parses per case (at least 30)")
    parser.add_argument("--json", action="store_true", help="print one line of JSON")
    args = parser.parse_args()
    args.runs = max(args.runs, 30)
    specs = load_specs()
    cases = {"acroform": filled()}
    cases["flattened"] = flattened(specs[FORM])
    cases["signed"] = signed(cases["acroform"])
    results = {}
    with WorkerPool(1) as pool:
        pool.warm_up()
        for name, data in cases.items():
            record = parse_bytes(data, specs)
            assert record["method"] == ("flattened" if name == "flattened" else "acroform")
            results[name] = {
                "in_process_ms": round(
                    median_ms(lambda d=data: parse_bytes(d, specs), args.runs), 1
                ),
                "warm_worker_ms": round(median_ms(lambda d=data: pool.parse(d), args.runs), 1),
                "status": record["status"],
            }
    summary = {f"{name}_ms": r["warm_worker_ms"] for name, r in results.items()}
    summary.update(runs=args.runs, detail=results)
    print(json.dumps(summary) if args.json else json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()

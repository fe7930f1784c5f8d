"""Digital signatures: listed, checked offline, changes after signing reported."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from docgen.forms.parse import parse_bytes
from docgen.forms.signatures import load_trust_roots

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"


def make_signer(tmp: Path):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Ioana Mâțu"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Universidad de Sevilla"),
        ]
    )
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(20260307)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, True, False, False, False), critical=True
        )
        .sign(key, hashes.SHA256())
    )
    (tmp / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (tmp / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return tmp / "key.pem", tmp / "cert.pem"


def sign(data: bytes, key: Path, cert: Path, field: str = "signature") -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    signer = signers.SimpleSigner.load(str(key), str(cert))
    out = signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(data), strict=False),
        signers.PdfSignatureMetadata(field_name=field),
        signer=signer,
    )
    return out.getvalue()


def test_signed_certificate(specs, values, fill, tmp_path):
    key, cert = make_signer(tmp_path)
    data = sign(fill("certificate_of_attendance", values["certificate_of_attendance"]), key, cert)
    record = parse_bytes(data, specs)
    assert record["status"] == "valid", record["issues"]
    [entry] = record["signatures"]
    assert entry["field"] == "signature" and entry["signed"] and entry["digital"]
    assert entry["intact"] and entry["valid"]
    assert "Ioana Mâțu" in entry["signer"]
    assert entry["trusted"] is None  # no trust roots: unknown, not false
    assert entry["modified_after"] is False
    trusted = parse_bytes(data, specs, trust_roots=load_trust_roots(str(cert)))
    assert trusted["signatures"][0]["trusted"] is True


def test_change_after_signing_is_reported(specs, values, fill, tmp_path):
    from pyhanko.pdf_utils.generic import NameObject, TextStringObject
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    key, cert = make_signer(tmp_path)
    data = sign(fill("certificate_of_attendance", values["certificate_of_attendance"]), key, cert)
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    for ref in writer.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        if field.get("/T") == "days":
            field[NameObject("/V")] = TextStringObject("12")
            writer.update_container(field)
    out = io.BytesIO()
    writer.write(out)
    record = parse_bytes(out.getvalue(), specs)
    entry = record["signatures"][0]
    assert entry["intact"] and entry["modified_after"]
    assert record["values"]["days"] == 12
    assert record["status"] == "needs_review"


def test_unsigned_signature_fields_are_listed(specs, values, fill):
    record = parse_bytes(fill("learning_agreement", values["learning_agreement"]), specs)
    assert [s["field"] for s in record["signatures"]] == [
        "student_signature",
        "sending_signature",
        "receiving_signature",
    ]
    assert not any(s["signed"] for s in record["signatures"])


def test_corpus_signature_broken_by_later_edit(specs):
    record = parse_bytes((CORPUS / "pdfminer.six__pr-00530-ml-lines.pdf").read_bytes(), specs)
    [entry] = [s for s in record["signatures"] if s["signed"]]
    assert entry["intact"] is False or entry["modified_after"] is True

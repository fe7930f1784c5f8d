"""Helpers for the attack tests: users signed in on the pages, files posted by hand."""

from __future__ import annotations

import io
import re

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    RectangleObject,
    TextStringObject,
)

from docgen.store.database import db
from docgen.store.users import create_user

PASSWORD = "a-long-enough-password"


def make_users(app) -> None:
    with app.app_context():
        for role in ("admin", "officer", "viewer"):
            create_user(db.session, f"{role}@upt.ro", role, PASSWORD)
        db.session.commit()


def token(client, path: str = "/") -> str:
    page = client.get(path).text
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def sign_in(client, role: str) -> None:
    response = client.post(
        "/login",
        data={
            "email": f"{role}@upt.ro",
            "password": PASSWORD,
            "csrf_token": token(client, "/login"),
        },
    )
    assert response.status_code == 302, response.text


def post_file(client, path: str, filename: str, content: bytes, **fields: str):
    """POST a file to a page, with the form's CSRF token."""
    data = {"csrf_token": token(client), **fields, "file": (io.BytesIO(content), filename)}
    return client.post(path, data=data, content_type="multipart/form-data")


def pdf_with_fields(fields: dict[str, str]) -> bytes:
    """A PDF whose AcroForm holds text fields with these names and values, as anybody can
    make: not one of our forms, so the parser keeps what it finds."""
    writer = PdfWriter()
    page = writer.add_blank_page(300, 300)
    refs = ArrayObject()
    for n, (name, value) in enumerate(fields.items()):
        widget = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Widget"),
                NameObject("/FT"): NameObject("/Tx"),
                NameObject("/T"): TextStringObject(name),
                NameObject("/V"): TextStringObject(value),
                NameObject("/Rect"): RectangleObject([10, 10 + 25 * n, 200, 30 + 25 * n]),
            }
        )
        refs.append(writer._add_object(widget))
    page[NameObject("/Annots")] = refs
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject(refs)}
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()

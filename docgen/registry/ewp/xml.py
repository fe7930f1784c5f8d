"""Reading EWP XML safely and checking it against the official schemas, offline.

The parser never fetches anything and never expands an entity: a document with a DOCTYPE
is refused (an internal subset is how entity-expansion bombs and external entities come
in, and no EWP document needs one). Schemas are the copies in ``schemas/`` (see its
NOTICE); their import URLs are redirected through ``schemas/catalog.json`` and xmlschema
may open local files only. Every refusal names the line and the reason.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import xmlschema
from lxml import etree

from docgen.errors import InvalidInput, MalformedInput, Problem

SCHEMAS = Path(__file__).with_name("schemas")
MAX_BYTES = 5 * 1024 * 1024

IIA_NS = (
    "https://github.com/erasmus-without-paper/ewp-specs-api-iias/blob/stable-v7/endpoints/"
    "get-response.xsd"
)
LA_NS = (
    "https://github.com/erasmus-without-paper/ewp-specs-api-omobility-las/blob/stable-v1/"
    "endpoints/get-response.xsd"
)
CONTACT_NS = "https://github.com/erasmus-without-paper/ewp-specs-types-contact/tree/stable-v1"
TERM_NS = "https://github.com/erasmus-without-paper/ewp-specs-types-academic-term/tree/stable-v2"
XSD_OF = {IIA_NS: "iias-get-response.xsd", LA_NS: "omobility-las-get-response.xsd"}


def _line_of(data: bytes, needle: bytes) -> int:
    index = data.find(needle)
    return data.count(b"\n", 0, index) + 1 if index >= 0 else 1


def parse_xml(data: bytes) -> etree._Element:
    """Parse ``data`` without network, DTD or entities; return the root element."""
    if len(data) > MAX_BYTES:
        raise MalformedInput.at("line 1", f"the file is over {MAX_BYTES // (1024 * 1024)} MB")
    if re.search(rb"<!DOCTYPE|<!ENTITY", data):
        line = _line_of(data, b"<!ENTITY") if b"<!ENTITY" in data else _line_of(data, b"<!DOCTYPE")
        reason = (
            "an external entity is refused (it would read a file or a URL)"
            if re.search(rb"<!ENTITY[^>]*(SYSTEM|PUBLIC)", data)
            else "entity declarations are refused (entity expansion)"
            if b"<!ENTITY" in data
            else "a DOCTYPE is refused (EWP documents have none)"
        )
        raise MalformedInput.at(f"line {line}", reason)
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise MalformedInput.at(
            f"line {exc.lineno or 1}", f"not well-formed XML: {exc.msg}"
        ) from exc
    if root.getroottree().docinfo.internalDTD is not None:  # pragma: no cover - caught above
        raise MalformedInput.at("line 1", "a DOCTYPE is refused (EWP documents have none)")
    return root


def namespace(element: etree._Element) -> str:
    return etree.QName(element).namespace or ""


@cache
def _uri_map() -> dict[str, str]:
    catalog = json.loads((SCHEMAS / "catalog.json").read_text(encoding="utf-8"))
    return {url: (SCHEMAS / rel).as_uri() for url, rel in catalog.items()}


def _uri_mapper(uri: str) -> str:
    return _uri_map().get(uri, uri)


@cache
def schema(ns: str) -> xmlschema.XMLSchema:
    """The schema of the EWP namespace ``ns`` (built once, from the local copies)."""
    return xmlschema.XMLSchema(str(SCHEMAS / XSD_OF[ns]), uri_mapper=_uri_mapper, allow="local")


def validate(root: etree._Element) -> None:
    """Check ``root`` against the schema of its namespace; every error with its line."""
    ns = namespace(root)
    if ns not in XSD_OF:
        raise InvalidInput.at(
            f"line {root.sourceline or 1}",
            f"<{etree.QName(root).localname}> in namespace {ns or '(none)'!r} is not an EWP "
            "IIA or learning agreement response",
        )
    problems = []
    for error in schema(ns).iter_errors(root):
        line = getattr(error, "sourceline", None) or root.sourceline or 1
        where = error.path or "/"
        problems.append(Problem(f"line {line}", f"{where}: {error.reason}"))
        if len(problems) >= 50:
            break
    if problems:
        raise InvalidInput(problems)


def serialise(root: etree._Element) -> bytes:
    """The document as UTF-8 XML with a declaration, indented."""
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def canonical(data: bytes) -> bytes:
    """Canonical XML 1.0 (C14N, comments dropped): what two documents are compared by."""
    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
    root = etree.fromstring(data, parser)
    return etree.tostring(root, method="c14n", with_comments=False)

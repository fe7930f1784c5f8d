"""Templates prepared once and reused: compiled Jinja parts and the untouched package.

Plain docxtpl opens the DOCX, repairs and recompiles its XML and rewrites every part of the
package for each document. A :class:`PreparedTemplate` does the costly work once per
template file: the body, headers, footers, footnotes and core properties are repaired by
docxtpl's own ``patch_xml`` and compiled by the (sandboxed, autoescaping, strict) Jinja
environment; the parts without tags are kept as an already compressed ZIP. Rendering then
runs the compiled templates, applies docxtpl's own post-processing (line breaks and tabs
in values, table grids for ``{%tc %}`` loops) and appends the rendered parts to a copy of
that ZIP. Compiled Jinja templates are safe to share across threads; the cache reloads a
template when its file changes (size or modification time).

A template with pictures (``wp:docPr``) or docxtpl's media replacement is rendered the
plain way, which renumbers picture ids; docgen's templates have none.
"""

from __future__ import annotations

import io
import os
import re
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from docxtpl import DocxTemplate

_TAG = re.compile(r"\{[{%#]")
_PARTS = re.compile(r"^(word/(document|header\d*|footer\d*|footnotes)|docProps/core)\.xml$")
_NEWLINE_P = re.compile(r"<w:p([ >])")
_UNDO_NEWLINE_P = re.compile(r"\n<w:p([ >])")

# docxtpl's helpers used here are pure functions of their arguments; one instance serves all.
_DOCXTPL = DocxTemplate(io.BytesIO())


@dataclass(frozen=True)
class _Part:
    name: str
    template: jinja2.Template
    head: str = ""  # document.xml: what comes before and after <w:body>...</w:body>
    tail: str = ""
    fix_tables: bool = False


def _patched(xml: str) -> str:
    return _NEWLINE_P.sub(r"\n<w:p\1", _DOCXTPL.patch_xml(xml))


_LISTING = re.compile("[\n\t\a\f]")


def _finish(xml: str) -> str:
    """docxtpl's post-processing of a rendered part (``render_xml_part``)."""
    xml = _UNDO_NEWLINE_P.sub(r"<w:p\1", xml)
    xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    # Line breaks, tabs and page breaks inside values become Word elements; most documents
    # have none, and the pass over every paragraph is then skipped.
    return _DOCXTPL.resolve_listing(xml) if _LISTING.search(xml) else xml


class PreparedTemplate:
    """One DOCX template ready to render many times, from any thread."""

    def __init__(self, path: Path, env: jinja2.Environment):
        self.path = path
        stat = path.stat()
        self.signature = (stat.st_size, stat.st_mtime_ns)
        raw = path.read_bytes()
        parts: list[_Part] = []
        base = io.BytesIO()
        with (
            zipfile.ZipFile(io.BytesIO(raw)) as source,
            zipfile.ZipFile(base, "w", zipfile.ZIP_DEFLATED) as kept,
        ):
            for info in source.infolist():
                data = source.read(info)
                text = data.decode("utf-8") if _PARTS.match(info.filename) else ""
                if text and _TAG.search(text):
                    parts.append(self._compile(info.filename, text, env))
                else:
                    kept.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
        self.plain_only = b"wp:docPr" in raw
        self._parts = tuple(parts)
        self._base = base.getvalue()

    @staticmethod
    def _compile(name: str, xml: str, env: jinja2.Environment) -> _Part:
        if name == "word/document.xml":
            start = xml.index("<w:body")
            end = xml.rindex("</w:body>") + len("</w:body>")
            body = _patched(xml[start:end])
            return _Part(
                name,
                env.from_string(body),
                xml[:start],
                xml[end:],
                fix_tables="{%tc" in body or "{% tc" in body,
            )
        return _Part(name, env.from_string(_patched(xml)))

    def render(self, context: dict[str, Any]) -> bytes:
        """Render the template with ``context``; return the DOCX bytes."""
        out = io.BytesIO(self._base)
        out.seek(0, os.SEEK_END)
        with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            for part in self._parts:
                xml = _finish(part.template.render(context))
                if part.fix_tables:
                    from lxml import etree

                    xml = etree.tostring(_DOCXTPL.fix_tables(xml), encoding="unicode")
                archive.writestr(part.name, (part.head + xml + part.tail).encode("utf-8"))
        return out.getvalue()


class TemplateCache:
    """Prepared templates by path and language, reloaded when their file changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[tuple[Path, str], PreparedTemplate] = {}

    def get(self, path: Path, lang: str, env: jinja2.Environment) -> PreparedTemplate:
        stat = path.stat()
        key = (path, lang)
        item = self._items.get(key)
        if item is None or item.signature != (stat.st_size, stat.st_mtime_ns):
            with self._lock:
                item = self._items.get(key)
                if item is None or item.signature != (stat.st_size, stat.st_mtime_ns):
                    item = PreparedTemplate(path, env)
                    self._items[key] = item
        return item

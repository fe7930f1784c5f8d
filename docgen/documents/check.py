"""Check the DOCX templates: present in both languages, valid Jinja, every variable known,
every sample rendering, no tag left behind. Used by ``docgen templates check`` and the tests.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from docxtpl import DocxTemplate
from jinja2 import meta, nodes

from docgen.documents.kinds import KINDS, LANGS, Kind
from docgen.documents.render import environment, render_template, template_path
from docgen.errors import DocgenError

LEFTOVER = re.compile(r"\{\{|\{%|\{#|\}\}|%\}|#\}")
_XML_PARTS = re.compile(r"^word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$")


@dataclass(frozen=True)
class TemplateProblem:
    file: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.file} ({self.where}): {self.message}"


def samples_of(kind_id: str, samples_dir: Path) -> list[Path]:
    """``samples/<kind>.json`` and its variants ``samples/<kind>-*.json``."""
    return sorted(samples_dir.glob(f"{kind_id}.json")) + sorted(
        samples_dir.glob(f"{kind_id}-*.json")
    )


def _template_parts(path: Path) -> list[tuple[str, str]]:
    """The XML of the body, headers and footers as docxtpl will see it (tags repaired)."""
    template = DocxTemplate(path)
    template.init_docx()
    parts = [("body", template.patch_xml(template.get_xml()))]
    for uri, label in ((template.HEADER_URI, "header"), (template.FOOTER_URI, "footer")):
        for rel in template.docx.part.rels.values():
            if rel.reltype == uri:
                xml = rel.target_part.blob.decode("utf-8")
                parts.append((f"{label} {rel.target_part.partname}", template.patch_xml(xml)))
    return parts


def _paths(node: nodes.Node, loop_names: set[str]) -> list[tuple[str, ...]]:
    """Attribute chains rooted at context names, e.g. ``("grant", "travel", "amount")``."""
    found = []
    for attr in node.find_all(nodes.Getattr):
        chain: list[str] = []
        current: nodes.Node = attr
        while isinstance(current, nodes.Getattr):
            chain.append(current.attr)
            current = current.node
        if isinstance(current, nodes.Name) and current.name not in loop_names:
            found.append((current.name, *reversed(chain)))
    return found


def _known(path: tuple[str, ...], contexts: list[dict[str, Any]]) -> bool:
    """True if some sample context has the path (or cannot tell: a None on the way)."""
    for ctx in contexts:
        value: Any = ctx
        for part in path:
            if value is None:
                return True
            if not isinstance(value, dict) or part not in value:
                break
            value = value[part]
        else:
            return True
    return False


def _leftovers(docx: bytes) -> list[str]:
    found = []
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        for name in archive.namelist():
            if _XML_PARTS.match(name):
                text = re.sub(r"<[^>]+>", "", archive.read(name).decode("utf-8"))
                for match in LEFTOVER.finditer(text):
                    start = max(match.start() - 30, 0)
                    found.append(f"{name}: ...{text[start : match.end() + 30]}...")
    return found


def check_kind(
    kind: Kind, lang: str, root: Path, samples_dir: Path, rates_dir: str = ""
) -> list[TemplateProblem]:
    path = template_path(kind.id, lang, root)
    rel = f"{lang}/{path.name}"
    if not path.is_file():
        return [TemplateProblem(rel, "file", "template missing")]
    problems: list[TemplateProblem] = []
    samples = samples_of(kind.id, samples_dir)
    if not samples:
        problems.append(TemplateProblem(rel, "samples", f"no samples/{kind.id}.json to render"))
    payloads, contexts = [], []
    for sample in samples:
        try:
            payload = kind.validate(json.loads(sample.read_text(encoding="utf-8")), rates_dir)
        except DocgenError as exc:
            problems.append(TemplateProblem(rel, sample.name, f"sample is invalid: {exc.detail}"))
            continue
        payloads.append((sample, payload))
        contexts.append(kind.context(payload, lang, rates_dir))
    known_names = set().union(*(c.keys() for c in contexts)) if contexts else set()

    env = environment(lang)
    try:
        parts = _template_parts(path)
    except Exception as exc:  # a broken package: report it, do not crash the check
        return [*problems, TemplateProblem(rel, "file", f"cannot open as DOCX: {exc}")]
    for where, xml in parts:
        try:
            tree = env.parse(xml)
        except jinja2.TemplateSyntaxError as exc:
            problems.append(TemplateProblem(rel, where, f"syntax error: {exc.message}"))
            continue
        loop_names = {
            n.name
            for target in tree.find_all(nodes.For)
            for n in target.target.find_all(nodes.Name)
        } | {n.name for a in tree.find_all(nodes.Assign) for n in a.target.find_all(nodes.Name)}
        for name in sorted(meta.find_undeclared_variables(tree) - known_names):
            problems.append(TemplateProblem(rel, where, f"unknown variable '{name}'"))
        for chain in sorted(set(_paths(tree, loop_names))):
            if chain[0] in known_names and contexts and not _known(chain, contexts):
                problems.append(
                    TemplateProblem(rel, where, f"unknown variable '{'.'.join(chain)}'")
                )

    for sample, payload in payloads:
        try:
            docx = render_template(path, kind.context(payload, lang, rates_dir), lang)
        except DocgenError as exc:
            problems.append(TemplateProblem(rel, sample.name, f"does not render: {exc.detail}"))
            continue
        for leftover in _leftovers(docx):
            problems.append(TemplateProblem(rel, sample.name, f"tag left unrendered: {leftover}"))
    return problems


def check_templates(root: Path, samples_dir: Path, rates_dir: str = "") -> list[TemplateProblem]:
    """Check every kind in every language; return the problems found (none: all good)."""
    problems: list[TemplateProblem] = []
    for kind in KINDS.values():
        for lang in LANGS:
            problems.extend(check_kind(kind, lang, root, samples_dir, rates_dir))
    extra = {p.relative_to(root).as_posix() for p in root.glob("*/*.docx")} - {
        f"{lang}/{k}.docx" for k in KINDS for lang in LANGS
    }
    for name in sorted(extra):
        problems.append(TemplateProblem(name, "file", "template of no known kind"))
    return problems

"""Write the first versions of the eight DOCX templates (four kinds, Romanian and English).

A one-off authoring aid: the DOCX files under ``templates/`` are the source of truth, are
committed, and may then be edited by the office in Word or LibreOffice. Neither the runtime
nor the tests run this script; running it again overwrites those edits.

    .venv/bin/python scripts/make_templates.py [--out templates]

Layout: the first part is the house style shared by every document (page, fonts, header,
footer, tables, signature blocks); then one ``build_<kind>(lang)`` per kind, holding the
Romanian and English wording side by side (``L(ro, en)``). Each Jinja tag is written in a
single run, so it reads whole in Word (``{{ participant.full_name }}``); ``{%p %}`` and
``{%tr %}`` tags sit alone in their paragraph or row, as docxtpl requires. The variables are
those of ``docgen.documents.context`` (see ``docgen templates check``).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

# ==========================================================================================
# House style: one place for what every template looks like.
# ==========================================================================================

FONT = "Liberation Sans"
BODY_PT = 10
SMALL_PT = 8
TABLE_PT = 9
ACCENT = RGBColor(0x1F, 0x38, 0x64)  # dark blue: titles, article headings, header name
GREY = RGBColor(0x55, 0x55, 0x55)
HEADER_FILL = "DCE3EE"  # table header rows
TOTAL_FILL = "F0F3F8"  # total rows, label cells
NOTE_FILL = "FFF4CE"  # the example-rates warning
BORDER = "8C99AD"
PAGE_W, PAGE_H, MARGIN = 21.0, 29.7, 2.0
TEXT_W = PAGE_W - 2 * MARGIN  # 17 cm

LEFT, CENTER, RIGHT, JUSTIFY = (
    WD_ALIGN_PARAGRAPH.LEFT,
    WD_ALIGN_PARAGRAPH.CENTER,
    WD_ALIGN_PARAGRAPH.RIGHT,
    WD_ALIGN_PARAGRAPH.JUSTIFY,
)


@dataclass(frozen=True)
class Seg:
    """A run of text: one Jinja tag never spans two runs."""

    text: str
    bold: bool = False
    italic: bool = False
    size: float | None = None
    color: RGBColor | None = None


def B(text: str) -> Seg:
    return Seg(text, bold=True)


def I(text: str) -> Seg:  # noqa: E743 - short name reads well in the content below
    return Seg(text, italic=True)


Content = str | Seg | Sequence[str | Seg]


def _segments(content: Content) -> list[Seg]:
    if isinstance(content, (str, Seg)):
        content = [content]
    return [s if isinstance(s, Seg) else Seg(s) for s in content]


@dataclass
class Col:
    header: Content
    width: float  # cm
    align: WD_ALIGN_PARAGRAPH = LEFT


@dataclass
class Row:
    """A table row: ``cells`` (one Content, or a list of lines, per column)."""

    cells: Sequence[Content | list[Content]]
    total: bool = False  # bold, shaded
    merge_first: int = 1  # merge this many leading cells (never in looped rows)
    height: float | None = None  # minimum height in cm (room to sign)


@dataclass
class Tag:
    """A row holding only a ``{%tr ... %}`` tag."""

    tag: str


@dataclass
class Lines:
    """Several paragraphs in one cell."""

    lines: list[Content]
    align: WD_ALIGN_PARAGRAPH | None = None


def _set(el, tag: str, **attrs: str):
    """Get or create the child ``tag`` of ``el`` and set its ``w:`` attributes."""
    child = el.find(qn(tag))
    if child is None:
        child = OxmlElement(tag)
        el.append(child)
    for key, value in attrs.items():
        child.set(qn(f"w:{key}"), value)
    return child


def _borders(parent, tag: str, edges: dict[str, str | None]) -> None:
    box = parent.find(qn(tag))
    if box is None:
        box = OxmlElement(tag)
        parent.append(box)
    for edge, color in edges.items():
        el = OxmlElement(f"w:{edge}")
        if color is None:
            el.set(qn("w:val"), "nil")
        else:
            el.set(qn("w:val"), "single")
            el.set(qn("w:sz"), "4")
            el.set(qn("w:space"), "0")
            el.set(qn("w:color"), color)
        box.append(el)


def _shade(cell_or_par_pr, fill: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell_or_par_pr.append(shd)


class House:
    """A document in the house style; the build functions only add content."""

    def __init__(self, lang: str):
        self.lang = lang
        self.doc = Document()
        self._page()
        self._styles()

    # -- page, styles ----------------------------------------------------------------------

    def _page(self) -> None:
        s = self.doc.sections[0]
        s.page_width, s.page_height = Cm(PAGE_W), Cm(PAGE_H)
        s.left_margin = s.right_margin = Cm(MARGIN)
        s.top_margin, s.bottom_margin = Cm(2.4), Cm(2.0)
        s.header_distance, s.footer_distance = Cm(0.9), Cm(0.9)

    def _font(self, rpr_owner) -> None:
        rpr = rpr_owner.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.insert(0, fonts)
        for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(theme), None)
        for key in ("ascii", "hAnsi", "eastAsia", "cs"):
            fonts.set(qn(f"w:{key}"), FONT)

    def _styles(self) -> None:
        doc = self.doc
        # Document defaults: no theme fonts (Word would otherwise show Calibri/Cambria).
        defaults = doc.styles.element.find(qn("w:docDefaults"))
        rpr_default = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        fonts = rpr_default.find(qn("w:rFonts"))
        for key in list(fonts.attrib):
            del fonts.attrib[key]
        for key in ("ascii", "hAnsi", "eastAsia", "cs"):
            fonts.set(qn(f"w:{key}"), FONT)
        _set(rpr_default, "w:lang", val="ro-RO" if self.lang == "ro" else "en-GB")

        normal = doc.styles["Normal"]
        normal.font.name = FONT
        normal.font.size = Pt(BODY_PT)
        self._font(normal.element)
        pf = normal.paragraph_format
        pf.space_before, pf.space_after, pf.line_spacing = Pt(0), Pt(4), 1.12

        def style(name: str, size: float, *, bold=False, italic=False, color=None, align=None,
                  before=0.0, after=4.0, keep=False) -> None:
            st = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            st.base_style = normal
            st.quick_style = True
            st.font.size = Pt(size)
            st.font.bold, st.font.italic = bold, italic
            if color is not None:
                st.font.color.rgb = color
            f = st.paragraph_format
            f.space_before, f.space_after = Pt(before), Pt(after)
            if align is not None:
                f.alignment = align
            f.keep_with_next = keep

        style("Doc Title", 15, bold=True, color=ACCENT, align=CENTER, before=6, after=2, keep=True)
        style("Doc Subtitle", 10.5, align=CENTER, after=2, keep=True)
        style("Article", 10.5, bold=True, color=ACCENT, before=9, after=3, keep=True)
        style("Body", BODY_PT, align=JUSTIFY)
        style("Lead", 11, align=JUSTIFY, after=8)  # the certificate's statements
        doc.styles["Lead"].paragraph_format.line_spacing = 1.35
        style("Cell", TABLE_PT, after=0)
        style("Cell Small", 8.5, after=0)
        style("Small", SMALL_PT, color=GREY, after=0)
        style("Note", 9, italic=True, before=2, after=6)
        # Paragraphs holding only a {%p %} tag: readable (small, grey) for whoever edits the
        # template; docxtpl removes them when rendering.
        style("Tag", 7.5, color=GREY, after=0)
        style("Spacer", 2, after=0)  # empty spacing after tables, page breaks

    # -- paragraphs ------------------------------------------------------------------------

    def runs(self, par: Paragraph, content: Content) -> Paragraph:
        for seg in _segments(content):
            run = par.add_run(seg.text)
            run.bold = seg.bold or None
            run.italic = seg.italic or None
            if seg.size:
                run.font.size = Pt(seg.size)
            if seg.color is not None:
                run.font.color.rgb = seg.color
        return par

    def p(self, content: Content = "", style: str = "Body", align=None, keep=False,
          before: float | None = None, after: float | None = None, indent: float | None = None,
          container=None) -> Paragraph:
        par = (container or self.doc).add_paragraph(style=style)
        self.runs(par, content)
        if align is not None:
            par.alignment = align
        if keep:
            par.paragraph_format.keep_with_next = True
        if before is not None:
            par.paragraph_format.space_before = Pt(before)
        if after is not None:
            par.paragraph_format.space_after = Pt(after)
        if indent is not None:
            par.paragraph_format.left_indent = Cm(indent)
        return par

    def ctl(self, tag: str) -> Paragraph:
        """A paragraph holding only a ``{%p ... %}`` tag (removed when rendered)."""
        return self.p(tag, style="Tag")

    def title(self, text: Content) -> None:
        self.p(text, style="Doc Title")

    def subtitle(self, text: Content, after: float = 2) -> None:
        self.p(text, style="Doc Subtitle", after=after)

    def article(self, text: Content) -> None:
        self.p(text, style="Article")

    def note(self, content: Content) -> None:
        """A shaded, boxed notice (the example-rates warning)."""
        par = self.p(content, style="Note")
        ppr = par._p.get_or_add_pPr()
        _borders(ppr, "w:pBdr", {e: "C9A227" for e in ("top", "left", "bottom", "right")})
        _shade(ppr, NOTE_FILL)

    def page_break(self) -> None:
        self.doc.add_paragraph(style="Spacer").add_run().add_break(WD_BREAK.PAGE)

    # -- header and footer -----------------------------------------------------------------

    def header(self, name: Content, details: list[Content]) -> None:
        """Institution letterhead on every page: name, then small detail lines, a rule."""
        hdr = self.doc.sections[0].header
        first = hdr.paragraphs[0]
        first.style = self.doc.styles["Normal"]
        first.paragraph_format.space_after = Pt(1)
        self.runs(first, [Seg(s.text, bold=True, size=11, color=ACCENT) for s in _segments(name)])
        last = first
        for line in details:
            last = self.p(line, style="Small", container=hdr)
        last.paragraph_format.space_after = Pt(2)
        _borders(last._p.get_or_add_pPr(), "w:pBdr", {"bottom": BORDER})

    def footer(self, reference: Content) -> None:
        """Reference on the left, "Pagina X din Y" / "Page X of Y" on the right."""
        ftr = self.doc.sections[0].footer
        par = ftr.paragraphs[0]
        par.style = self.doc.styles["Small"]
        _borders(par._p.get_or_add_pPr(), "w:pBdr", {"top": BORDER})
        par.paragraph_format.tab_stops.add_tab_stop(Cm(TEXT_W), WD_TAB_ALIGNMENT.RIGHT)
        self.runs(par, reference)
        par.add_run("\t" + ("Pagina " if self.lang == "ro" else "Page "))
        self._field(par, "PAGE")
        par.add_run(" din " if self.lang == "ro" else " of ")
        self._field(par, "NUMPAGES")

    @staticmethod
    def _field(par: Paragraph, instr: str) -> None:
        def char(kind: str) -> None:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            par.add_run()._r.append(el)

        char("begin")
        text = OxmlElement("w:instrText")
        text.set(qn("xml:space"), "preserve")
        text.text = f" {instr} "
        par.add_run()._r.append(text)
        char("separate")
        par.add_run("1")
        char("end")

    # -- tables ----------------------------------------------------------------------------

    def table(self, cols: list[Col], rows: Iterable[Row | Tag], *, header: bool = True,
              borders: bool = True, label_fill: bool = False, container=None,
              cell_style: str = "Cell"):
        """A fixed-layout table; the header row repeats on every page it spans."""
        parent = container or self.doc
        body = list(rows)
        n = len(cols)
        tbl = parent.add_table(rows=0, cols=n)
        tbl.alignment = WD_TABLE_ALIGNMENT.CENTER
        tbl.autofit = False
        tpr = tbl._tbl.tblPr
        _set(tpr, "w:tblW", w=str(int(sum(c.width for c in cols) * 567)), type="dxa")
        _set(tpr, "w:tblLayout", type="fixed")
        edges = ("top", "left", "bottom", "right", "insideH", "insideV")
        _borders(tpr, "w:tblBorders", {e: (BORDER if borders else None) for e in edges})
        margins = _set(tpr, "w:tblCellMar")
        for edge, width in (("left", 85), ("right", 85), ("top", 28), ("bottom", 28)):
            _set(margins, f"w:{edge}", w=str(width), type="dxa")
        for grid_col, col in zip(tbl._tbl.tblGrid.findall(qn("w:gridCol")), cols, strict=True):
            grid_col.set(qn("w:w"), str(int(col.width * 567)))

        if header:
            row = tbl.add_row()
            self._row_props(row, header=True)
            for cell, col in zip(row.cells, cols, strict=True):
                self._cell(cell, col.width, col.header, CENTER, cell_style, bold=True)
                _shade(cell._tc.get_or_add_tcPr(), HEADER_FILL)
        for item in body:
            row = tbl.add_row()
            self._row_props(row)
            if isinstance(item, Tag):
                # docxtpl replaces this whole row by the tag, so spanning it is safe, and it
                # keeps the tag on one line in the editor; the looped row stays unmerged.
                for cell, col in zip(row.cells, cols, strict=True):
                    self._cell(cell, col.width, "", LEFT, "Tag")
                merged = row.cells[0].merge(row.cells[-1]) if n > 1 else row.cells[0]
                for extra in merged.paragraphs[1:]:
                    extra._p.getparent().remove(extra._p)
                self.runs(merged.paragraphs[0], item.tag)
                continue
            if item.height:
                row.height = Cm(item.height)
                row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
            cells = list(item.cells) + [""] * (n - len(item.cells))
            for i, (cell, col, content) in enumerate(zip(row.cells, cols, cells, strict=True)):
                self._cell(cell, col.width, content, col.align, cell_style, bold=item.total)
                if item.total or (label_fill and i == 0):
                    _shade(cell._tc.get_or_add_tcPr(), TOTAL_FILL)
            if item.merge_first > 1:
                merged = row.cells[0].merge(row.cells[item.merge_first - 1])
                # merge() keeps every cell's paragraphs: leave only the first one's text
                for extra in merged.paragraphs[1:]:
                    extra._p.getparent().remove(extra._p)
        return tbl

    @staticmethod
    def _row_props(row, header: bool = False) -> None:
        trpr = row._tr.get_or_add_trPr()
        _set(trpr, "w:cantSplit")
        if header:
            _set(trpr, "w:tblHeader", val="true")

    def _cell(self, cell, width: float, content, align, style: str, bold: bool = False) -> None:
        cell.width = Cm(width)
        first = cell.paragraphs[0]
        first.style = self.doc.styles[style]
        lines = content if isinstance(content, Lines) else Lines([content])
        for i, line in enumerate(lines.lines):
            par = first if i == 0 else cell.add_paragraph(style=style)
            par.alignment = lines.align if lines.align is not None else align
            segs = _segments(line)
            if bold:
                segs = [Seg(s.text, True, s.italic, s.size, s.color) for s in segs]
            self.runs(par, segs)

    def kv(self, rows: list[tuple[Content, Content] | Tag], widths=(5.0, 12.0)) -> None:
        """A two-column label/value table without a header row."""
        cols = [Col("", widths[0]), Col("", widths[1])]
        body = [
            r if isinstance(r, Tag) else Row([Seg(_segments(r[0])[0].text, bold=True), r[1]])
            for r in rows
        ]
        self.table(cols, body, header=False, label_fill=True)
        self.p("", style="Spacer", after=4)

    def signatures(self, blocks: list[Lines], widths: Sequence[float] | None = None) -> None:
        """Signature blocks side by side: a borderless table, one row per line, so the
        signature lines align across columns; its rows are kept on one page."""
        widths = widths or [TEXT_W / len(blocks)] * len(blocks)
        cols = [Col("", w) for w in widths]
        depth = max(len(b.lines) for b in blocks)
        rows = [
            Row([Lines([b.lines[i] if i < len(b.lines) else ""], align=b.align) for b in blocks])
            for i in range(depth)
        ]
        tbl = self.table(cols, rows, header=False, borders=False, cell_style="Body")
        for row in tbl.rows[:-1]:
            for cell in row.cells:
                for par in cell.paragraphs:
                    par.paragraph_format.keep_with_next = True
                    par.paragraph_format.space_after = Pt(2)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.doc.core_properties.author = "Politehnica University Timișoara, Erasmus+ office"
        self.doc.core_properties.title = path.stem
        self.doc.save(path)


def optional(cond: str, label: Content, value: Content) -> list[Tag | tuple[Content, Content]]:
    """A key/value row shown only when ``cond`` holds."""
    return [Tag(f"{{%tr if {cond} %}}"), (label, value), Tag("{%tr endif %}")]


def counted(lang: str, n: str, ro: tuple[str, str], en: tuple[str, str]) -> str:
    """``{{ n }}`` and its noun, singular or plural (Romanian: "1 zi", "16 zile", "20 de zile")."""
    one, many = ro if lang == "ro" else en
    tag = "{{ " + n + " }} {% if " + n + " == 1 %}" + one
    if lang == "ro":
        tag += "{% elif " + n + " % 100 == 0 or " + n + " % 100 >= 20 %}de " + many
    return tag + "{% else %}" + many + "{% endif %}"


def sign_lines(lang: str) -> list[Content]:
    return [("Semnătura" if lang == "ro" else "Signature") + ":", "", "_" * 24]


# ==========================================================================================
# Financial contract (KA131 participant agreement; Visiting@UPT contract, Annex 3)
# ==========================================================================================


def build_financial_contract(lang: str) -> House:
    L = (lambda ro, en: ro) if lang == "ro" else (lambda ro, en: en)
    h = House(lang)
    h.header(
        "{{ university.name }}",
        [
            L("Cod Erasmus: ", "Erasmus code: ") + "{{ university.erasmus_code }}"
            + "{% if university.address %} · {{ university.address }}{% endif %}"
            + ", {{ university.country_name }}",
            L("An academic ", "Academic year ") + "{{ call.academic_year }}"
            + "{% if call.project_code %} · "
            + L("Proiect nr. ", "Project No. ") + "{{ call.project_code }}{% endif %}",
        ],
    )
    h.footer(L("Contract financiar nr. ", "Financial agreement No. ") + "{{ number }}")

    h.title(L("CONTRACT FINANCIAR", "FINANCIAL AGREEMENT"))
    h.ctl("{%p if is_visiting %}")
    h.subtitle(B(L("pentru acordarea grantului Visiting@UPT", "for the Visiting@UPT grant")))
    h.ctl("{%p else %}")
    h.subtitle(B(L("pentru mobilități Erasmus+ (KA131)", "for Erasmus+ mobility (KA131)")))
    h.ctl("{%p endif %}")
    h.subtitle(L("nr. ", "No. ") + "{{ number }}" + L(" din ", " of ") + "{{ signed_on|date }}")
    h.subtitle(
        "{% if call.title %}{{ call.title }}{% else %}{{ grant.call_title }}{% endif %}"
        + L(" · anul academic ", " · academic year ") + "{{ call.academic_year }}",
        after=10,
    )

    # -- parties -----------------------------------------------------------------------------
    h.article(L("Părțile contractante", "The parties"))
    h.p([
        "1. ", B("{{ university.name }}"),
        "{% if university.erasmus_code %}, " + L("cod Erasmus ", "Erasmus code ")
        + "{{ university.erasmus_code }}{% endif %}",
        "{% if university.address %}, " + L("cu sediul în ", "with its seat at ")
        + "{{ university.address }}{% endif %}, {{ university.country_name }}, ",
        L("reprezentată legal prin ", "legally represented by "),
        "{{ university.legal_representative.name }}",
        L(", în calitate de ", ", ") + "{{ university.legal_representative.position }}",
        L(", denumită în continuare „Universitatea”, și", ', hereinafter "the University", and'),
    ])
    h.p([
        "2. ", B("{{ participant.full_name }}"),
        L(
            ", denumit(ă) în continuare „{% if is_visiting %}Beneficiarul{% else %}Participantul"
            "{% endif %}”, cu datele de identificare și bancare de mai jos:",
            ', hereinafter "the {% if is_visiting %}Beneficiary{% else %}Participant{% endif %}", '
            "with the identification and bank details below:",
        ),
    ], keep=True)
    h.kv([
        (L("Nume și prenume", "Full name"), "{{ participant.full_name }}"),
        *optional("participant.birth_date", L("Data nașterii", "Date of birth"),
                  "{{ participant.birth_date|date_num }}"),
        *optional("participant.nationality_name", L("Cetățenia", "Nationality"),
                  "{{ participant.nationality_name }}"),
        *optional("participant.cnp", "CNP", "{{ participant.cnp }}"),
        *optional("participant.id_document", L("Act de identitate", "Identity document"),
                  "{{ participant.id_document }}"),
        *optional("participant.address", L("Adresa", "Address"), "{{ participant.address }}"),
        *optional("participant.email", "E-mail", "{{ participant.email }}"),
        *optional("mobility.eqf_name", L("Ciclul de studii", "Study cycle"),
                  "{{ mobility.eqf_name }}"),
        *optional("mobility.isced",
                  L("Domeniul de studii (ISCED-F)", "Field of education (ISCED-F)"),
                  "{{ mobility.isced }}{% if mobility.study_programme %}"
                  " · {{ mobility.study_programme }}{% endif %}"),
        *optional("mobility.staff_category", L("Categoria de personal", "Staff category"),
                  "{{ mobility.staff_category }}"),
        *optional("mobility.department", L("Departamentul", "Department"),
                  "{{ mobility.department }}"),
        (L("Titularul contului", "Account holder"), "{{ bank.holder }}"),
        (L("Banca", "Bank"),
         "{{ bank.bank }}{% if bank.bic %} · BIC/SWIFT {{ bank.bic }}{% endif %}"),
        ("IBAN", "{{ bank.iban }}" + L(" (cont în ", " (account in ") + "{{ bank.currency }})"),
    ])
    h.p(L(
        "Părțile au convenit condițiile speciale de mai jos și următoarele anexe, care fac parte "
        "integrantă din prezentul contract:",
        "The parties have agreed the special conditions below and the following annexes, which "
        "form an integral part of this agreement:",
    ), keep=True)
    # -- annexes (listed up front, as in the KA131 agreement) ---------------------------------
    h.ctl("{%p if is_visiting %}")
    h.p(L("1. Raportul lunar de activitate (Anexa 4 la Regulamentul Visiting@UPT);",
          "1. Monthly activity report (Annex 4 to the Visiting@UPT regulation);"),
        indent=0.6, after=1)
    h.p(L("2. Certificatul de participare (Anexa 5 la Regulamentul Visiting@UPT);",
          "2. Certificate of attendance (Annex 5 to the Visiting@UPT regulation);"),
        indent=0.6, after=1)
    h.p(L("3. Extrasul de cont al beneficiarului (art. 11).",
          "3. The Beneficiary's bank account statement (Art. 11)."), indent=0.6, after=6)
    h.ctl("{%p else %}")
    h.p(L("Anexa I – ", "Annex I – ")
        + "{% if mobility.activity == 'SMT' %}"
        + L("Acordul de practică (Learning Agreement for Traineeships)",
            "Learning Agreement for Traineeships")
        + "{% elif is_student %}"
        + L("Acordul de studii (Learning Agreement for Studies)", "Learning Agreement for Studies")
        + "{% else %}" + L("Acordul de mobilitate (Mobility Agreement)", "Mobility Agreement")
        + "{% endif %}", indent=0.6, after=1)
    h.p(L("Anexa II – Condiții generale", "Annex II – General conditions"), indent=0.6, after=1)
    h.ctl("{%p if is_student %}")
    h.p(L("Anexa III – Carta Studentului Erasmus", "Annex III – Erasmus Student Charter"),
        indent=0.6, after=1)
    h.ctl("{%p endif %}")
    h.ctl("{%p endif %}")

    h.ctl("{%p if is_visiting %}")
    _visiting_articles(h, L)
    h.ctl("{%p else %}")
    _erasmus_articles(h, L)
    h.ctl("{%p endif %}")

    # -- signatures ----------------------------------------------------------------------------
    h.p(L("Încheiat la ", "Done at ") + "{{ place }}" + L(", la data de ", ", on ")
        + "{{ signed_on|date }}" + L(", în două exemplare originale.", ", in two originals."),
        before=10, keep=True)
    univ = Lines([
        B(L("Pentru Universitate,", "For the University,")),
        "{{ university.legal_representative.position }}",
        "{{ university.legal_representative.name }}",
        "",
        *sign_lines(lang),
        L("Locul și data: ", "Place and date: ") + "{{ place }}, {{ signed_on|date_num }}",
    ])
    person = Lines([
        B("{% if is_visiting %}" + L("Beneficiarul,", "The Beneficiary,") + "{% else %}"
          + L("Participantul,", "The Participant,") + "{% endif %}"),
        "{{ participant.full_name }}",
        "",
        "",
        *sign_lines(lang),
        L("Locul și data: ", "Place and date: ") + "__________",
    ])
    department = Lines([
        B(L("Departamentul gazdă,", "Host department,")),
        L("Director de departament", "Head of department"),
        "{{ mobility.department }}",
        "{% if mobility.department_director %}{{ mobility.department_director.name }}"
        "{% endif %}",
        *sign_lines(lang),
        L("Data: ", "Date: ") + "__________",
    ])
    h.ctl("{%p if is_visiting %}")
    h.signatures([univ, department, person])
    h.ctl("{%p else %}")
    h.signatures([univ, person])
    h.ctl("{%p endif %}")

    return h


def _erasmus_articles(h: House, L: Callable[[str, str], str]) -> None:
    cur = "grant.currency"
    # Art. 1
    h.article(L("Art. 1. Obiectul contractului", "Art. 1. Subject of the agreement"))
    h.p(L(
        "(1) Universitatea acordă Participantului un sprijin financiar pentru desfășurarea unei "
        "activități de tip „{{ mobility.activity_name }}” în cadrul Programului Erasmus+, la ",
        "(1) The University shall provide the Participant with financial support to carry out "
        'an Erasmus+ activity of the type "{{ mobility.activity_name }}" at ',
    ) + "{{ mobility.host.name }}{% if mobility.host.erasmus_code %} "
        "({{ mobility.host.erasmus_code }}){% endif %}"
        "{% if mobility.host.faculty %}, {{ mobility.host.faculty }}{% endif %}, "
        "{{ mobility.host.city }}, {{ mobility.host.country_name }}.")
    h.p(L(
        "(2) Participantul acceptă sprijinul financiar și se angajează să desfășoare activitatea "
        "de mobilitate conform descrierii din Anexa I.{% if mobility.teaching_hours %} Activitatea "
        "de predare cuprinde cel puțin {{ mobility.teaching_hours }} ore de predare.{% endif %}",
        "(2) The Participant accepts the financial support and undertakes to carry out the "
        "mobility activity as described in Annex I.{% if mobility.teaching_hours %} The teaching "
        "activity comprises at least {{ mobility.teaching_hours }} teaching hours.{% endif %}",
    ))
    h.p(L(
        "(3) Orice modificare a prezentului contract se face în scris, prin act adițional semnat "
        "de ambele părți.",
        "(3) Any amendment to this agreement shall be made in writing, by an addendum signed by "
        "both parties.",
    ))

    # Art. 2
    h.article(L("Art. 2. Durata mobilității", "Art. 2. Duration of the mobility"))
    h.p(L(
        "(1) Contractul intră în vigoare la data semnării de către ultima dintre părți.",
        "(1) The agreement enters into force on the date on which the last of the two parties "
        "signs it.",
    ))
    h.p(L(
        "(2) Mobilitatea se desfășoară între ",
        "(2) The mobility period runs from ",
    ) + "{{ mobility.start|date }}" + L(
        " (prima zi în care este necesară prezența Participantului la organizația gazdă) și ",
        " (the first day on which the Participant must be present at the receiving organisation) "
        "to ",
    ) + "{{ mobility.end|date }}" + L(
        " (ultima zi în care este necesară prezența Participantului la organizația gazdă).",
        " (the last day on which the Participant must be present at the receiving organisation).",
    ))
    h.p(L("(3) Durata activității este de ", "(3) The activity lasts ")
        + "{{ grant.days }}" + L(" zile", " days")
        + "{% if grant.months %} (" + "{{ grant.months }}" + L(" luni și ", " months and ")
        + "{{ grant.extra_days }}" + L(" zile", " days") + "){% endif %}"
        + L(" (metoda de calcul: ", " (counting method: ") + "{{ grant.method_name }})"
        + "{% if grant.travel_days %}" + L("; zile de călătorie: ", "; travel days: ")
        + "{{ grant.travel_days }}{% endif %}.")
    h.p(L(
        "(4) Sprijinul final se recalculează după datele reale de început și de sfârșit din "
        "certificatul de participare eliberat de organizația gazdă. Orice prelungire sau "
        "întrerupere a perioadei se convine în scris înainte de producerea ei.",
        "(4) The final grant is recalculated from the real start and end dates stated in the "
        "certificate of attendance issued by the receiving organisation. Any extension or "
        "interruption of the period shall be agreed in writing before it occurs.",
    ))

    # Art. 3
    h.article(L("Art. 3. Sprijinul financiar", "Art. 3. Financial support"))
    h.p(L("(1) Sprijinul financiar total este de ", "(1) The total financial support is ")
        + "{{ grant.total|money_words(grant.currency) }}"
        + L(", calculat după ratele stabilite pentru ", ", calculated with the rates set for ")
        + "{{ grant.call_title }}" + L(", astfel:", ", as follows:"), keep=True)
    cols = [
        Col(L("Componenta", "Item"), 7.8),
        Col(L("Unitate", "Unit"), 1.6, CENTER),
        Col(L("Cantitate", "Quantity"), 1.8, CENTER),
        Col(L("Tarif", "Rate"), 2.7, RIGHT),
        Col(L("Sumă", "Amount"), 3.1, RIGHT),
    ]
    h.table(cols, [
        Tag("{%tr for line in grant.lines %}"),
        Row([
            L("Sprijin individual: ", "Individual support: ") + "{{ line.label }}",
            "{{ line.unit }}",
            "{{ line.quantity }}",
            "{{ line.rate|money(" + cur + ") }}",
            "{{ line.amount|money(" + cur + ") }}",
        ]),
        Tag("{%tr endfor %}"),
        Row([L("Subtotal sprijin individual", "Subtotal individual support"), "", "", "",
             "{{ grant.individual_support|money(" + cur + ") }}"], merge_first=4),
        Tag("{%tr for top in grant.top_ups %}"),
        Row([
            # a monthly top-up shows its basis: "250,00 EUR / lună × 4 luni + 16 zile"
            "{{ top.label }}{% if top.rate is not none %} ({{ top.rate|money(" + cur + ") }}"
            + L(" / lună × ", " / month × ")
            + "{% if top.months %}" + counted(h.lang, "top.months", ("lună", "luni"),
                                              ("month", "months"))
            + "{% if top.extra_days %} + {% endif %}{% endif %}"
            + "{% if top.extra_days %}" + counted(h.lang, "top.extra_days", ("zi", "zile"),
                                                  ("day", "days"))
            + "{% endif %}){% endif %}",
            "", "", "",
            "{{ top.amount|money(" + cur + ") }}",
        ]),
        Tag("{%tr endfor %}"),
        Tag("{%tr if grant.travel %}"),
        Row([
            L("Sprijin pentru călătorie (", "Travel support (")
            + "{% if grant.travel.green %}" + L("călătorie ecologică", "green travel")
            + "{% else %}" + L("călătorie standard", "standard travel") + "{% endif %}"
            + L("), banda de distanță ", "), distance band ") + "{{ grant.travel.band }} km"
            + L("; distanța: ", "; distance: ") + "{{ grant.travel.distance_km|number(1) }} km",
            L("sumă fixă", "lump sum"),
            "1",
            "{{ grant.travel.amount|money(" + cur + ") }}",
            "{{ grant.travel.amount|money(" + cur + ") }}",
        ]),
        Tag("{%tr endif %}"),
        Row([L("TOTAL SPRIJIN FINANCIAR", "TOTAL FINANCIAL SUPPORT"), "", "", "",
             "{{ grant.total|money(" + cur + ") }}"], total=True, merge_first=4),
    ])
    h.p("", style="Spacer", after=4)
    h.p(L("(2) Suma totală în litere: ", "(2) Total amount in words: ")
        + "{{ grant.total|words(grant.currency) }}.")
    h.ctl("{%p if grant.example_rates %}")
    h.note(L(
        "Notă: ratele de mai sus provin din tabelul de rate de exemplu „{{ call.rate_table }}” și "
        "trebuie confirmate de Biroul Erasmus+ cu ratele stabilite de Agenția Națională "
        "(ANPCDEFP) pentru apel, înainte de semnarea contractului.",
        'Note: the rates above come from the example rate table "{{ call.rate_table }}" and must '
        "be confirmed by the Erasmus+ office against the rates set by the National Agency "
        "(ANPCDEFP) for the call before this agreement is signed.",
    ))
    h.ctl("{%p endif %}")
    h.p(L(
        "(3) Grantul Erasmus+ nu este menit să acopere toate costurile mobilității, ci reprezintă "
        "doar o contribuție la costul călătoriei și al subzistenței.",
        "(3) The Erasmus+ grant is not meant to cover all the costs of the mobility; it is only "
        "a contribution to the costs of travel and subsistence.",
    ))
    h.p(L(
        "(4) Participantul nu poate utiliza, pentru acoperirea aceleiași cheltuieli eligibile, "
        "surse de finanțare diferite din fonduri ale Uniunii Europene și declară pe propria "
        "răspundere evitarea dublei finanțări (art. 40 alin. (1)).",
        "(4) The Participant may not use different sources of European Union funding to cover "
        "the same eligible cost and declares on their own responsibility that there is no "
        "double funding (Art. 40(1)).",
    ))

    # Art. 4
    h.article(L("Art. 4. Modalități de plată", "Art. 4. Payment arrangements"))
    h.p(L(
        "(1) În termen de 30 de zile calendaristice de la semnarea contractului de către ambele "
        "părți, și nu mai târziu de data începerii mobilității, Universitatea virează "
        "Participantului o prefinanțare de ",
        "(1) Within 30 calendar days of the signature of the agreement by both parties, and no "
        "later than the start date of the mobility, the University shall pay the Participant a "
        "pre-financing of ",
    ) + "{{ grant.prefinancing_percent|number }} %" + L(
        " din sprijinul financiar total, adică ", " of the total financial support, i.e. "
    ) + "{{ grant.prefinancing|money_words(grant.currency) }}.")
    h.p("{% if grant.balance %}" + L(
        "(2) Diferența de ", "(2) The balance of "
    ) + "{{ grant.balance|money_words(grant.currency) }}" + L(
        " se plătește după depunerea raportului final (art. ",
        " shall be paid after the final report (Art. ",
    ) + "{% if ols %}7{% else %}6{% endif %}" + L(
        ") și a documentelor de la încheierea mobilității; ea reprezintă o plată finală și se "
        "stabilește pe baza duratei reale a mobilității.",
        ") and the end-of-mobility documents have been submitted; it is a final payment and is "
        "determined by the real duration of the mobility.",
    ) + "{% else %}" + L(
        "(2) Prefinanțarea reprezintă întregul sprijin financiar; suma finală se stabilește pe "
        "baza duratei reale a mobilității, după depunerea raportului final.",
        "(2) The pre-financing covers the whole financial support; the final amount is "
        "determined by the real duration of the mobility, after the final report.",
    ) + "{% endif %}")
    h.p(L(
        "(3) Dacă durata reală este mai scurtă decât cea prevăzută la art. 2, Participantul "
        "restituie diferența. În cazul în care Participantul nu a realizat integral programul "
        "stabilit, el este obligat, în conformitate cu prevederile contractuale, să ramburseze "
        "parțial sau total fondurile primite ca grant de mobilitate Erasmus+ (art. ",
        "(3) If the real duration is shorter than the one set in Art. 2, the Participant shall "
        "repay the difference. Where the Participant has not completed the agreed programme in "
        "full, the Participant shall, in accordance with this agreement, repay part or all of the "
        "funds received as an Erasmus+ mobility grant (Art. ",
    ) + "{% if mobility.activity == 'SMT' %}43{% else %}22{% endif %}" + L(
        " alin. (2) din Regulamentul Erasmus+), cu excepția cazurilor de forță majoră.",
        "(2) of the Erasmus+ regulation), except in cases of force majeure.",
    ))
    h.p(L(
        "(4) Plățile se fac prin virament în contul menționat mai sus. Comisioanele băncii "
        "Participantului sunt suportate de acesta.",
        "(4) Payments are made by bank transfer to the account stated above. The charges of the "
        "Participant's bank are borne by the Participant.",
    ))

    # Art. 5
    h.article(L("Art. 5. Asigurarea", "Art. 5. Insurance"))
    h.p("{% if insurance_by_participant %}" + L(
        "Participantul are obligația de a deține o asigurare de sănătate, o asigurare de "
        "răspundere civilă față de terți și o asigurare de accidente, valabile pe întreaga "
        "perioadă a mobilității, inclusiv în zilele de călătorie dinainte de data de început și "
        "de după data de sfârșit (art. 40 alin. (4)), și de a prezenta dovada acestora Biroului "
        "Erasmus+ înainte de plecare.",
        "The Participant shall hold health insurance, third-party liability insurance and "
        "accident insurance valid for the whole mobility period, including the travel days "
        "before the start date and after the end date (Art. 40(4)), and shall show proof of "
        "them to the Erasmus+ office before departure.",
    ) + "{% else %}" + L(
        "Asigurarea de sănătate, de răspundere civilă față de terți și de accidente pe întreaga "
        "perioadă a mobilității, inclusiv în zilele de călătorie, este asigurată prin grija "
        "Universității sau a organizației gazdă (art. 40 alin. (4)).",
        "Health, third-party liability and accident insurance for the whole mobility period, "
        "travel days included, is provided by the University or the receiving organisation "
        "(Art. 40(4)).",
    ) + "{% endif %}")

    # Art. 6 (OLS)
    h.ctl("{%p if ols %}")
    h.article(L("Art. 6. Sprijinul lingvistic online (OLS)",
                "Art. 6. Online Language Support (OLS)"))
    h.p(L(
        "Participantul efectuează evaluarea competențelor lingvistice pe platforma Online "
        "Language Support (OLS) înainte de începerea mobilității și urmează, dacă este "
        "recomandat, cursul de limbă online pus la dispoziție gratuit. Participantul informează "
        "de îndată Universitatea dacă nu poate accesa platforma.",
        "The Participant shall take the Online Language Support (OLS) language assessment "
        "before the mobility starts and, where recommended, follow the free online language "
        "course. The Participant shall inform the University at once if they cannot access the "
        "platform.",
    ))
    h.ctl("{%p endif %}")

    # Art. 7 (6 without OLS)
    h.article(L("Art. ", "Art. ") + "{% if ols %}7{% else %}6{% endif %}"
              + L(". Raportul final", ". Final report"))
    h.p(L(
        "(1) Participantul completează și transmite raportul final online (EU Survey) în termen "
        "de 30 de zile calendaristice de la primirea invitației de completare. Participantul care "
        "nu completează și nu transmite raportul poate fi obligat să ramburseze parțial sau "
        "integral sprijinul financiar primit.",
        "(1) The Participant shall complete and submit the online final report (EU Survey) "
        "within 30 calendar days of receiving the request to do so. A Participant who does not "
        "complete and submit the report may be required to repay part or all of the financial "
        "support received.",
    ))
    h.p("{% if is_student %}" + L(
        "(2) În cel mult 5 săptămâni de la întoarcere, Participantul depune la Biroul Erasmus+ "
        "acordul semnat (inclusiv pagina de modificări), situația școlară (Transcript of "
        "Records), certificatul de participare cu datele reale ale mobilității, declarația "
        "privind evitarea dublei finanțări și documentele de călătorie.",
        "(2) Within 5 weeks of returning, the Participant shall hand in to the Erasmus+ office "
        "the signed agreement (including its changes page), the Transcript of Records, the "
        "certificate of attendance with the real dates of the mobility, the declaration on "
        "double funding and the travel documents.",
    ) + "{% else %}" + L(
        "(2) În cel mult 15 zile de la întoarcere, Participantul depune la Biroul Erasmus+ "
        "certificatul de participare (cu numărul de zile{% if mobility.teaching_hours %} și de "
        "ore de predare{% endif %}), declarația privind evitarea dublei finanțări și documentele "
        "de călătorie.",
        "(2) Within 15 days of returning, the Participant shall hand in to the Erasmus+ office "
        "the certificate of attendance (stating the days{% if mobility.teaching_hours %} and "
        "the teaching hours{% endif %}), the declaration on double funding and the travel "
        "documents.",
    ) + "{% endif %}")

    # Art. 8 (7 without OLS)
    h.article(L("Art. ", "Art. ") + "{% if ols %}8{% else %}7{% endif %}"
              + L(". Legea aplicabilă și instanța competentă",
                  ". Applicable law and competent court"))
    h.p(L(
        "(1) Prezentul contract este guvernat de legea română.",
        "(1) This agreement is governed by Romanian law.",
    ))
    h.p(L(
        "(2) Orice litigiu între părți privind interpretarea, aplicarea sau validitatea "
        "contractului se soluționează pe cale amiabilă; în caz contrar, litigiul este "
        "soluționat de instanțele judecătorești competente din județul Timiș.",
        "(2) Any dispute between the parties on the interpretation, application or validity of "
        "this agreement shall be settled amicably; failing that, it shall be brought before the "
        "competent courts of Timiș County, Romania.",
    ))


def _visiting_articles(h: House, L: Callable[[str, str], str]) -> None:
    cur = "grant.currency"
    h.article(L("Art. 1. Obiectul contractului", "Art. 1. Subject of the agreement"))
    h.p(L(
        "(1) Universitatea acordă Beneficiarului un grant Visiting@UPT",
        "(1) The University awards the Beneficiary a Visiting@UPT grant",
    ) + "{% if mobility.staff_category %} ({{ mobility.staff_category }}){% endif %}" + L(
        ", aprobat de Consiliul de Administrație, pentru activități de predare și/sau cercetare "
        "la ",
        ", approved by the Board of Directors, for teaching and/or research activities at ",
    ) + "{% if mobility.department %}{{ mobility.department }}, {% endif %}"
        "{% if mobility.host.faculty %}{{ mobility.host.faculty }}, {% endif %}"
        "{{ university.name }}"
        + L(" (art. 11 din Regulamentul Visiting@UPT).",
            " (Art. 11 of the Visiting@UPT regulation)."))
    h.p(L(
        "(2) Beneficiarul desfășoară activitățile propuse în dosarul de candidatură, cu "
        "respectarea obligațiilor de la art. 5 din prezentul contract.",
        "(2) The Beneficiary carries out the activities proposed in the application file and "
        "complies with the obligations set out in Art. 5 of this agreement.",
    ))

    h.article(L("Art. 2. Durata", "Art. 2. Duration"))
    h.p(L("(1) Grantul se desfășoară între ", "(1) The grant runs from ")
        + "{{ mobility.start|date }}" + L(" și ", " to ") + "{{ mobility.end|date }}"
        + L(", adică ", ", i.e. ") + "{{ grant.days }}"
        + L(" zile calendaristice", " calendar days")
        + "{% if grant.months %} (" + "{{ grant.months }}" + L(" luni", " months")
        + "{% if grant.extra_days %}" + L(" și ", " and ") + "{{ grant.extra_days }}"
        + L(" zile", " days") + "{% endif %}){% endif %}.")
    h.p(L(
        "(2) O lună înseamnă o perioadă de cel puțin 30 de zile calendaristice (art. 5 alin. (1)).",
        "(2) A month means a period of at least 30 calendar days (Art. 5(1)).",
    ))

    h.article(L("Art. 3. Valoarea grantului", "Art. 3. Amount of the grant"))
    h.p(L("(1) Valoarea totală a grantului este de ", "(1) The total amount of the grant is ")
        + "{{ grant.total|money_words(grant.currency) }}" + L(
            ", sumă forfetară brută care include toate cheltuielile aferente mobilității de "
            "predare/cercetare (art. 5 alin. (3)-(4)), astfel:",
            ", a gross lump sum covering all the costs of the teaching/research mobility "
            "(Art. 5(3)-(4)), as follows:"), keep=True)
    cols = [
        Col(L("Componenta", "Item"), 7.4),
        Col(L("Unitate", "Unit"), 1.6, CENTER),
        Col(L("Cantitate", "Quantity"), 1.8, CENTER),
        Col(L("Valoare pe unitate", "Rate per unit"), 3.1, RIGHT),
        Col(L("Sumă", "Amount"), 3.1, RIGHT),
    ]
    h.table(cols, [
        Tag("{%tr for line in grant.lines %}"),
        Row([
            L("Grant Visiting@UPT: ", "Visiting@UPT grant: ") + "{{ line.label }}",
            "{{ line.unit }}",
            "{{ line.quantity }}",
            "{{ line.rate|money(" + cur + ") }}",
            "{{ line.amount|money(" + cur + ") }}",
        ]),
        Tag("{%tr endfor %}"),
        Row([L("TOTAL GRANT (brut)", "TOTAL GRANT (gross)"), "", "", "",
             "{{ grant.total|money(" + cur + ") }}"], total=True, merge_first=4),
    ])
    h.p("", style="Spacer", after=4)
    h.ctl("{%p if grant.example_rates %}")
    h.note(L(
        "Notă: valorile de mai sus provin din tabelul de rate de exemplu „{{ call.rate_table }}” "
        "și trebuie confirmate de Departamentul Relații Internaționale înainte de semnare.",
        'Note: the amounts above come from the example rate table "{{ call.rate_table }}" and '
        "must be confirmed by the International Relations Department before signature.",
    ))
    h.ctl("{%p endif %}")

    h.article(L("Art. 4. Plata grantului", "Art. 4. Payment of the grant"))
    h.p(L(
        "(1) Grantul se plătește lunar, în contul Beneficiarului, pe baza propunerii de plată "
        "întocmite de Departamentul Relații Internaționale (DRI) și avizate de directorul "
        "departamentului gazdă prin viza „Certificat în privința realității, regularității și "
        "legalității” (art. 11, 17).",
        "(1) The grant is paid monthly into the Beneficiary's account, on the basis of a payment "
        "proposal drawn up by the International Relations Department (DRI) and endorsed by the "
        'head of the host department with the visa "Certified as to reality, regularity and '
        'legality" (Art. 11, 17).',
    ))
    h.p(L(
        "(2) Plata fiecărei tranșe lunare este condiționată de aprobarea, de către directorul "
        "departamentului, a raportului lunar de activitate al Beneficiarului (art. 18).",
        "(2) Each monthly instalment is paid once the head of department has approved the "
        "Beneficiary's monthly activity report (Art. 18).",
    ))
    h.p(L(
        "(3) În cazul plăților externe, suma rezultată din schimbul valutar din lei (RON) se "
        "transferă în moneda în care se face plata. Pierderile din diferențele de curs valutar "
        "sunt suportate de Beneficiar; comisioanele de transfer sunt suportate de ambele părți "
        "implicate în tranzacție (art. 11).",
        "(3) For payments abroad, the amount resulting from the exchange from lei (RON) is "
        "transferred in the currency of the payment. Exchange-rate losses are borne by the "
        "Beneficiary; transfer fees are borne by both parties to the transaction (Art. 11).",
    ))

    h.article(L("Art. 5. Obligațiile Beneficiarului", "Art. 5. Obligations of the Beneficiary"))
    h.p(L("(1) Obligații generale (art. 12):", "(1) General obligations (Art. 12):"), keep=True)
    for ro, en in (
        ("să menționeze (co)afilierea cu UPT în fiecare lucrare publicată, participare la "
         "conferințe, organizare de evenimente, depunere de proiecte sau brevete obținute în "
         "timpul grantului sau ca urmare a acestuia;",
         "to mention the (co-)affiliation with UPT in every work published, conference "
         "attended, event organised, project submitted or patent obtained during or as a result "
         "of the grant;"),
        ("să notifice UPT cu privire la orice schimbare a statutului profesional;",
         "to notify UPT of any change in professional status;"),
        ("să nu încheie cu UPT un alt contract de studii, un contract de muncă sau un alt acord "
         "scris pe durata grantului;",
         "not to conclude with UPT another study contract, an employment contract or any other "
         "written agreement for the duration of the grant;"),
        ("să participe activ la activitățile comunității academice UPT și să sprijine inițiativele "
         "academice ale departamentului gazdă;",
         "to take an active part in the activities of the UPT academic community and support "
         "the academic initiatives of the host department;"),
        ("să depună la directorul departamentului, la sfârșitul fiecărei luni, un raport detaliat "
         "de activitate (Anexa 4);",
         "to submit a detailed activity report to the head of department at the end of each "
         "month (Annex 4);"),
        ("să acționeze ca „Promotor UPT” în universitatea și instituția de origine.",
         'to act as a "UPT Promoter" in the university and institution of origin.'),
    ):
        h.p("– " + L(ro, en), after=1)
    h.ctl("{%p if mobility.visiting_type == 'professor' %}")
    h.p(L("(2) Obligații specifice grantului Visiting professor (art. 13):",
          "(2) Specific obligations of the Visiting professor grant (Art. 13):"), keep=True)
    for ro, en in (
        ("să propună și să susțină cel puțin o disciplină academică, inclusiv activitățile de "
         "curs și/sau seminar aferente, desfășurată integral pe parcursul unui semestru;",
         "to propose and teach at least one academic course, including the related lectures "
         "and/or seminars, carried out entirely within one semester;"),
        ("să organizeze cel puțin o activitate academică suplimentară (curs, seminar, prelegere, "
         "masă rotundă etc.) și/sau să desfășoare activități de (co)tutelă, (co)coordonare de "
         "lucrări, editare de volume sau alte inițiative similare, conform propunerii din "
         "dosarul de candidatură și prevederilor prezentului contract;",
         "to organise at least one additional academic activity (course, seminar, lecture, "
         "round table, etc.) and/or to carry out (co-)tutoring, (co-)supervision of theses, "
         "editing of volumes or other similar initiatives, as proposed in the application file "
         "and as provided in this agreement;"),
        ("să desfășoare activități de cercetare conform planului din dosarul de candidatură și "
         "prevederilor prezentului contract (după caz).",
         "to carry out research activities according to the plan in the application file and "
         "as provided in this agreement (as applicable)."),
    ):
        h.p("– " + L(ro, en), after=1)
    h.ctl("{%p else %}")
    h.p(L("(2) Obligații specifice grantului Visiting researcher (art. 14):",
          "(2) Specific obligations of the Visiting researcher grant (Art. 14):"), keep=True)
    for ro, en in (
        ("să desfășoare activități de cercetare conform planului din dosarul de candidatură și "
         "prevederilor prezentului contract;",
         "to carry out research activities according to the plan in the application file and "
         "as provided in this agreement;"),
        ("să trimită spre publicare cel puțin un articol într-o revistă indexată în baza de date "
         "Web of Science, din cuartila Q1 sau Q2 (în funcție de factorul de impact) pentru un "
         "grant de cel mult o lună, respectiv din cuartila Q1 pentru un grant mai lung de o "
         "lună, pe teme legate de principalele domenii de cercetare ale departamentului gazdă;",
         "to submit for publication at least one article in a journal indexed in the Web of "
         "Science database, in the Q1 or Q2 quartile (by impact factor) for a grant of no more "
         "than one month, or in the Q1 quartile for a grant longer than one month, on topics "
         "related to the main research areas of the host department;"),
        ("articolele trimise spre publicare au cel puțin un (co)autor membru al departamentului "
         "gazdă, iar Beneficiarul își declară obligatoriu (co)afilierea cu UPT (art. 14 "
         "alin. (2)).",
         "the articles submitted for publication shall have at least one (co-)author who is a "
         "member of the host department, and the Beneficiary shall declare their (co-)affiliation "
         "with UPT (Art. 14(2))."),
    ):
        h.p("– " + L(ro, en), after=1)
    h.ctl("{%p endif %}")

    h.article(L("Art. 6. Obligațiile Universității", "Art. 6. Obligations of the University"))
    h.p(L(
        "Prin departamentul gazdă, Universitatea pune la dispoziția Beneficiarului un spațiu de "
        "lucru (birou), acces nelimitat la facilitățile UPT, acces la resursele electronice ale "
        "UPT și un cont instituțional @upt.ro, iar, cu aprobarea Consiliului de Administrație, "
        "poate asigura cazare gratuită în spațiile universității (art. 6, 7, 15).",
        "Through the host department, the University provides the Beneficiary with a workspace "
        "(office), unlimited access to UPT facilities, access to UPT electronic resources and an "
        "institutional @upt.ro account and, with the approval of the Board of Directors, may "
        "provide free accommodation in university premises (Art. 6, 7, 15).",
    ))

    h.article(L("Art. 7. Raportare și certificare", "Art. 7. Reporting and certification"))
    h.p(L(
        "Departamentul gazdă verifică îndeplinirea obligațiilor și aprobă, cu sau fără observații, "
        "raportul lunar de activitate (art. 18); pe baza raportului aprobat, DRI eliberează "
        "certificatul de participare (Anexa 5, art. 19). Dacă obligațiile nu sunt îndeplinite, "
        "tranșele neplătite nu se mai datorează, iar sumele plătite necuvenit se restituie.",
        "The host department checks that the obligations are met and approves, with or without "
        "comments, the monthly activity report (Art. 18); on the basis of the approved report, "
        "the DRI issues the certificate of attendance (Annex 5, Art. 19). If the obligations "
        "are not met, the instalments not yet paid are no longer due and amounts unduly paid "
        "shall be returned.",
    ))

    h.article(L("Art. 8. Asigurarea", "Art. 8. Insurance"))
    h.p("{% if insurance_by_participant %}" + L(
        "Beneficiarul își asigură pe cheltuiala proprie asigurarea de sănătate, de accidente și "
        "de răspundere civilă pe durata grantului.",
        "The Beneficiary takes out, at their own expense, health, accident and liability "
        "insurance for the duration of the grant.",
    ) + "{% else %}" + L(
        "Asigurarea de sănătate, de accidente și de răspundere civilă pe durata grantului este "
        "asigurată prin grija Universității.",
        "Health, accident and liability insurance for the duration of the grant is provided by "
        "the University.",
    ) + "{% endif %}")

    h.article(L("Art. 9. Legea aplicabilă și instanța competentă",
                "Art. 9. Applicable law and competent court"))
    h.p(L(
        "Prezentul contract este guvernat de legea română. Orice litigiu se soluționează pe cale "
        "amiabilă; în caz contrar, de instanțele judecătorești competente din județul Timiș.",
        "This agreement is governed by Romanian law. Any dispute shall be settled amicably; "
        "failing that, by the competent courts of Timiș County, Romania.",
    ))


# ==========================================================================================
# Certificate of attendance
# ==========================================================================================


def build_certificate_of_attendance(lang: str) -> House:
    L = (lambda ro, en: ro) if lang == "ro" else (lambda ro, en: en)
    h = House(lang)
    h.header(
        "{{ issuer.name }}",
        [
            "{% if issuer.faculty %}{{ issuer.faculty }} · {% endif %}"
            "{% if issuer.erasmus_code %}" + L("Cod Erasmus: ", "Erasmus code: ")
            + "{{ issuer.erasmus_code }}{% endif %}",
            "{% if issuer.address %}{{ issuer.address }}, {% else %}{{ issuer.city }}, {% endif %}"
            "{{ issuer.country_name }}",
        ],
    )
    h.footer(L("Certificat nr. ", "Certificate No. ") + "{{ reference }}")

    h.p("", after=28)
    h.title(L("CERTIFICAT DE PARTICIPARE", "CERTIFICATE OF ATTENDANCE"))
    h.subtitle(
        L("nr. ", "No. ") + "{{ reference }}" + L(" din ", " of ") + "{{ issued_on|date_num }}",
        after=24,
    )
    days = "{{ days }}{% if days % 100 == 0 or days % 100 >= 20 %} de{% endif %} zile"
    h.p([
        L("Prin prezenta se certifică faptul că ", "We hereby certify that "),
        B("{{ participant.full_name }}"),
        L(", de la ", ", from "),
        "{{ sending.name }}{% if sending.erasmus_code %} ({{ sending.erasmus_code }}){% endif %}"
        "{% if sending.faculty %}, {{ sending.faculty }}{% endif %}, {{ sending.country_name }}, ",
        L("a desfășurat la ", "carried out a "),
        *([B("{{ issuer.name }}"), "{% if issuer.faculty %}, {{ issuer.faculty }}{% endif %}",
           " o activitate de tip „", B("{{ activity_name }}"), "”, în perioada "]
          if lang == "ro" else
          [B("{{ activity_name }}"), " at ", B("{{ issuer.name }}"),
           "{% if issuer.faculty %}, {{ issuer.faculty }},{% endif %}", " from "]),
        B("{{ start|date }}"),
        L(" – ", " to "),
        B("{{ end|date }}"),
        L(", adică ", ", i.e. "),
        B(L(days, "{{ days }} days")),
        L(" de activitate.", " of activity."),
    ], style="Lead")
    h.ctl("{%p if is_teaching %}")
    h.p(L(
        "În această perioadă, participantul a susținut ",
        "During this period the participant delivered ",
    ) + "{{ teaching_hours }}" + L(
        "{% if teaching_hours % 100 == 0 or teaching_hours % 100 >= 20 %} de{% endif %} ore de "
        "predare.",
        " teaching hours.",
    ), style="Lead")
    h.ctl("{%p endif %}")
    h.ctl("{%p if virtual %}")
    h.p(L(
        "Componenta virtuală a programului s-a desfășurat în perioada ",
        "The virtual component of the programme took place from ",
    ) + "{{ virtual.start|date }}" + L(" – ", " to ") + "{{ virtual.end|date }}.", style="Lead")
    h.ctl("{%p endif %}")
    h.ctl("{%p if project_code %}")
    h.p(L("Codul proiectului: ", "Project code: ") + "{{ project_code }}.", style="Lead")
    h.ctl("{%p endif %}")
    h.p(L(
        "Prezentul certificat se eliberează la cererea participantului, pentru a-i servi la "
        "justificarea perioadei de mobilitate la instituția de origine.",
        "This certificate is issued at the participant's request, as proof of the mobility "
        "period for the sending institution.",
    ), style="Lead", after=24)
    h.p("{{ place }}, {{ issued_on|date }}", style="Lead", after=24)
    h.signatures([
        Lines(["", "", "", "", "L.S."], align=CENTER),
        Lines([
            B("{{ signer.name }}"),
            "{{ signer.position }}",
            "{% if signer.email %}{{ signer.email }}{% endif %}",
            "",
            *sign_lines(lang),
        ], align=CENTER),
    ], widths=[7.0, 10.0])
    return h


# ==========================================================================================
# Learning agreement (2021-2027 shape)
# ==========================================================================================


def _components(h: House, L, rows: str, total: str) -> None:
    cols = [
        Col(L("Nr.", "No."), 0.9, CENTER),
        Col(L("Codul componentei", "Component code"), 2.6),
        Col(L("Titlul componentei (conform catalogului de cursuri)",
              "Component title (as in the course catalogue)"), 8.9),
        Col(L("Semestrul", "Semester"), 2.6, CENTER),
        Col(L("Credite ECTS", "ECTS credits"), 2.0, CENTER),
    ]
    h.table(cols, [
        Tag(f"{{%tr for row in {rows} %}}"),
        Row(["{{ loop.index }}", "{{ row.code }}", "{{ row.title }}", "{{ row.semester }}",
             "{{ row.ects|number }}"]),
        Tag("{%tr endfor %}"),
        Row([L("Total", "Total"), "", "", "", f"{{{{ {total}|number }}}}"], total=True,
            merge_first=4),
    ])
    h.p("", style="Spacer", after=4)


def _signatures_la(h: House, L, dated: bool) -> None:
    """The three parties side by side, one row per item, as in the official form."""
    who = ("student_signature", "sending_responsible", "receiving_responsible")

    def date(w: str) -> str:
        return f"{{% if {w}.date %}}{{{{ {w}.date|date_num }}}}{{% endif %}}" if dated else ""

    cols = [
        Col("", 1.9),
        Col(L("Studentul", "Student"), 5.4),  # student e-mails are the longest
        Col(L("Persoana responsabilă – instituția de origine",
              "Responsible person – sending institution"), 4.85),
        Col(L("Persoana responsabilă – instituția gazdă",
              "Responsible person – receiving institution"), 4.85),
    ]
    h.table(cols, [
        Row([B(L("Nume", "Name"))] + [f"{{{{ {w}.name }}}}" for w in who]),
        Row([B(L("Funcția", "Position"))] + [f"{{{{ {w}.position }}}}" for w in who]),
        Row([B("E-mail")] + [f"{{{{ {w}.email }}}}" for w in who]),
        Row([B(L("Data", "Date"))] + [date(w) for w in who]),
        Row([B(L("Semnătura", "Signature")), "", "", ""], height=1.4),
    ], label_fill=True, cell_style="Cell Small")
    h.p("", style="Spacer", after=4)


def build_learning_agreement(lang: str) -> House:
    L = (lambda ro, en: ro) if lang == "ro" else (lambda ro, en: en)
    h = House(lang)
    h.header(
        "{{ sending.name }}{% if sending.erasmus_code %} · {{ sending.erasmus_code }}{% endif %}",
        [
            "{% if sending.faculty %}{{ sending.faculty }} · {% endif %}"
            "{% if sending.address %}{{ sending.address }}, {% else %}{{ sending.city }}, "
            "{% endif %}{{ sending.country_name }}",
            L("Erasmus+ · Acord de studii · ", "Erasmus+ · Learning Agreement for Studies · ")
            + "{{ student.full_name }}" + L(" · anul academic ", " · academic year ")
            + "{{ academic_year }}",
        ],
    )
    h.footer(L("Acord de studii nr. ", "Learning Agreement No. ") + "{{ reference }}")

    h.title(L("ACORD DE STUDII", "LEARNING AGREEMENT FOR STUDIES"))
    h.subtitle(L("Learning Agreement for Studies · mobilitate de studiu Erasmus+",
                 "Erasmus+ student mobility for studies"))
    h.subtitle(L("nr. ", "No. ") + "{{ reference }}" + L(" · anul academic ", " · academic year ")
               + "{{ academic_year }}", after=8)

    h.article(L("1. Studentul", "1. The student"))
    cols = [Col("", 3.3), Col("", 4.7), Col("", 2.9), Col("", 6.1)]
    lab = B
    h.table(cols, [
        Row([lab(L("Nume", "Last name(s)")), "{{ student.family_name }}",
             lab(L("Prenume", "First name(s)")), "{{ student.given_names }}"]),
        Row([lab(L("Data nașterii", "Date of birth")),
             "{% if student.birth_date %}{{ student.birth_date|date_num }}{% endif %}",
             lab(L("Cetățenia", "Nationality")), "{{ student.nationality_name }}"]),
        Row([lab(L("Gen", "Sex")), "{{ student.gender_name }}",
             lab(L("Ciclul de studii", "Study cycle")), "{{ student.eqf_name }}"]),
        Row([lab(L("Domeniul de studii (ISCED-F)", "Field of education (ISCED-F)")),
             "{{ student.isced }}{% if student.field_of_education %} – "
             "{{ student.field_of_education }}{% endif %}",
             lab("E-mail"), "{{ student.email }}"]),
    ], header=False)
    h.p("", style="Spacer", after=4)

    h.article(L("2. Instituțiile", "2. The institutions"))
    cols = [Col("", 4.0), Col(L("Instituția de origine", "Sending institution"), 6.5),
            Col(L("Instituția gazdă", "Receiving institution"), 6.5)]

    def both(label: str, expr: str) -> Row:
        return Row([B(label), expr.replace("X", "sending"), expr.replace("X", "receiving")])

    h.table(cols, [
        both(L("Denumirea", "Name"), "{{ X.name }}"),
        both(L("Facultatea / departamentul", "Faculty / department"),
             "{% if X.faculty %}{{ X.faculty }}{% endif %}"),
        both(L("Codul Erasmus", "Erasmus code"),
             "{% if X.erasmus_code %}{{ X.erasmus_code }}{% endif %}"),
        both(L("Adresa", "Address"),
             "{% if X.address %}{{ X.address }}{% else %}{{ X.city }}{% endif %}"),
        both(L("Țara", "Country"), "{{ X.country_name }}"),
        both(L("Persoana de contact", "Contact person"),
             "{% if X.contact %}{{ X.contact.name }}{% endif %}"),
        both(L("Funcția", "Position"),
             "{% if X.contact %}{{ X.contact.position }}{% endif %}"),
        both(L("E-mail", "E-mail"),
             "{% if X.contact %}{% if X.contact.email %}{{ X.contact.email }}{% endif %}"
             "{% endif %}"),
    ])
    h.p("", style="Spacer", after=4)

    h.article(L("3. Perioada planificată a mobilității", "3. Planned period of the mobility"))
    h.p(L("De la ", "From ") + "{{ start|month_year }}" + L(" până la ", " to ")
        + "{{ end|month_year }}" + " ({{ start|date }} – {{ end|date }}).")

    h.article(L("4. Programul de studiu la instituția gazdă (Tabelul A)",
                "4. Study programme at the receiving institution (Table A)"))
    _components(h, L, "table_a", "total_a")

    h.article(L("5. Recunoașterea la instituția de origine (Tabelul B)",
                "5. Recognition at the sending institution (Table B)"))
    _components(h, L, "table_b", "total_b")
    h.p("{% if automatic_recognition %}" + L(
        "Instituția de origine se angajează să recunoască automat componentele din Tabelul B "
        "dacă studentul finalizează cu succes programul din Tabelul A, fără alte cerințe, și să "
        "le includă în foaia matricolă și în suplimentul la diplomă.",
        "The sending institution commits to recognise the components in Table B automatically "
        "if the student successfully completes the programme in Table A, with no further "
        "requirements, and to include them in the transcript and the Diploma Supplement.",
    ) + "{% else %}" + L(
        "Recunoașterea componentelor din Tabelul B se face conform procedurii instituției de "
        "origine, comunicată studentului înainte de plecare.",
        "The components in Table B are recognised under the sending institution's procedure, "
        "made known to the student before departure.",
    ) + "{% endif %}")

    h.ctl("{%p if has_table_c %}")
    h.article(L("6. Componente virtuale (Tabelul C)", "6. Virtual components (Table C)"))
    _components(h, L, "table_c", "total_c")
    h.ctl("{%p endif %}")

    h.article(L("{% if has_table_c %}7{% else %}6{% endif %}. Competențe lingvistice",
                "{% if has_table_c %}7{% else %}6{% endif %}. Language competence"))
    h.p(L("Limba principală de predare la instituția gazdă: ",
          "Main language of instruction at the receiving institution: ")
        + "{{ language }}" + L("; nivelul de competență lingvistică al studentului: ",
                               "; the student's language competence level: ")
        + "{{ cefr }}" + L(" (Cadrul European Comun de Referință pentru Limbi).",
                           " (Common European Framework of Reference for Languages)."))

    h.article(L("{% if has_table_c %}8{% else %}7{% endif %}. Angajamentul părților",
                "{% if has_table_c %}8{% else %}7{% endif %}. Commitment of the parties"))
    h.p(L(
        "Prin semnarea acestui document, studentul, instituția de origine și instituția gazdă "
        "confirmă că aprobă acordul de studii și că vor respecta toate aranjamentele convenite. "
        "Instituțiile de origine și gazdă se angajează să aplice principiile Cartei Erasmus pentru "
        "învățământ superior referitoare la mobilitatea de studiu (sau principiile convenite în "
        "acordul interinstituțional, pentru instituțiile din țări partenere). Instituția gazdă "
        "confirmă că componentele enumerate corespund catalogului său de cursuri și vor fi "
        "disponibile studentului. Instituția de origine se angajează să recunoască toate creditele "
        "obținute la instituția gazdă pentru componentele finalizate cu succes și să le "
        "contabilizeze în vederea obținerii diplomei. Studentul și instituția gazdă comunică "
        "instituției de origine orice problemă sau modificare privind programul de studiu, "
        "persoanele responsabile sau perioada de studiu.",
        "By signing this document, the student, the sending institution and the receiving "
        "institution confirm that they approve the Learning Agreement and that they will comply "
        "with all the arrangements agreed by all parties. The sending and receiving institutions "
        "undertake to apply all the principles of the Erasmus Charter for Higher Education "
        "relating to mobility for studies (or the principles agreed in the inter-institutional "
        "agreement for institutions located in partner countries). The receiving institution "
        "confirms that the educational components listed are in line with its course catalogue "
        "and should be available to the student. The sending institution commits to recognise "
        "all the credits gained at the receiving institution for the successfully completed "
        "educational components and to count them towards the student's degree. The student and "
        "the receiving institution will communicate to the sending institution any problems or "
        "changes regarding the study programme, responsible persons and/or study period.",
    ), keep=True)
    _signatures_la(h, L, dated=True)

    # -- changes ------------------------------------------------------------------------------
    h.ctl("{%p if has_changes %}")
    h.page_break()
    h.article(L("Modificări ale acordului de studii (în timpul mobilității)",
                "Changes to the Learning Agreement (during the mobility)"))
    h.p(L(
        "Componentele eliminate sau adăugate în Tabelul A sau B, cu motivul modificării. "
        "Modificările se convin de cele trei părți în termen de o lună de la sosirea studentului.",
        "Components deleted from or added to Table A or B, with the reason for the change. The "
        "changes are agreed by the three parties within one month of the student's arrival.",
    ), keep=True)
    cols = [
        Col(L("Tabel", "Table"), 1.3, CENTER),
        Col(L("Acțiune", "Action"), 1.9, CENTER),
        Col(L("Cod", "Code"), 1.9),
        Col(L("Titlul componentei", "Component title"), 4.1),
        Col("ECTS", 1.2, CENTER),
        Col(L("Motivul", "Reason"), 3.7),
        Col(L("Observații", "Note"), 2.9),
    ]
    h.table(cols, [
        Tag("{%tr for change in changes %}"),
        Row(["{{ change.table }}", "{{ change.action_name }}", "{{ change.code }}",
             "{{ change.title }}", "{{ change.ects|number }}", "{{ change.reason_name }}",
             "{{ change.note }}"]),
        Tag("{%tr endfor %}"),
    ])
    h.p("", style="Spacer", after=4)
    h.p(L("Aprobarea modificărilor:", "Approval of the changes:"), keep=True)
    _signatures_la(h, L, dated=False)
    h.ctl("{%p endif %}")
    return h


# ==========================================================================================
# Selection minutes (proces-verbal de selecție)
# ==========================================================================================


def build_selection_minutes(lang: str) -> House:
    L = (lambda ro, en: ro) if lang == "ro" else (lambda ro, en: en)
    h = House(lang)
    # The letterhead names the university holding the selection, as on the other kinds; the
    # faculty, academic year and project code are in the body (1. The call).
    h.header(
        "{{ university.name }}",
        [
            "{% if university.erasmus_code %}" + L("Cod Erasmus: ", "Erasmus code: ")
            + "{{ university.erasmus_code }} · {% endif %}"
            "{% if university.address %}{{ university.address }}{% else %}{{ university.city }}"
            "{% endif %}, {{ university.country_name }}",
        ],
    )
    h.footer(L("Proces-verbal nr. ", "Selection minutes No. ") + "{{ number }}")

    h.title(L("PROCES-VERBAL", "SELECTION MINUTES"))
    h.subtitle(L("de selecție nr. ", "No. ") + "{{ number }}")
    h.subtitle(L("încheiat astăzi, ", "drawn up on ") + "{{ meeting_date|date }}"
               + L(", la ", ", at ") + "{{ place }}")
    h.subtitle(B("{% if call.activity != 'VISIT' %}Erasmus+ · {% endif %}{{ call.activity_name }}"
                 "{% if call.faculty %} · {{ call.faculty }}{% endif %}"), after=10)
    h.p(L(
        "Comisia de selecție, întrunită în data de {{ meeting_date|date }}, a evaluat "
        "candidaturile depuse în cadrul apelului de mai jos și a stabilit următoarele.",
        "The selection committee, meeting on {{ meeting_date|date }}, assessed the applications "
        "submitted under the call below and recorded the following.",
    ))

    h.article(L("1. Apelul", "1. The call"))
    h.kv([
        (L("Activitatea", "Activity"), "{{ call.activity_name }}"),
        (L("Anul academic", "Academic year"), "{{ call.academic_year }}"),
        *optional("call.title", L("Titlul apelului", "Title"), "{{ call.title }}"),
        *optional("call.project_code", L("Codul proiectului", "Project code"),
                  "{{ call.project_code }}"),
        *optional("call.faculty", L("Facultatea", "Faculty"), "{{ call.faculty }}"),
        (L("Procedura de selecție", "Selection procedure"),
         "{{ criteria_title }} ({{ criteria_source }})"),
    ])

    h.article(L("2. Comisia de selecție", "2. The selection committee"))
    h.table([
        Col(L("Nr.", "No."), 0.9, CENTER),
        Col(L("Nume și prenume", "Name"), 5.6),
        Col(L("Calitatea în comisie", "Role"), 3.0, CENTER),
        Col(L("Funcția", "Position"), 7.5),
    ], [
        Tag("{%tr for member in committee %}"),
        Row(["{{ loop.index }}", "{{ member.name }}", "{{ member.role_name }}",
             "{{ member.position }}"]),
        Tag("{%tr endfor %}"),
    ])
    h.p(L(
        "Membrii comisiei au declarat pe propria răspundere că nu se află în conflict de interese "
        "cu niciunul dintre candidați (art. 66 alin. (1)).",
        "The committee members declared on their own responsibility that they have no conflict "
        "of interest with any candidate (Art. 66(1)).",
    ), before=4)

    h.article(L("3. Criteriile de selecție", "3. Selection criteria"))
    h.table([
        Col(L("Cod", "Code"), 1.2, CENTER),
        Col(L("Criteriul", "Criterion"), 13.3),
        Col(L("Punctaj maxim", "Maximum points"), 2.5, CENTER),
    ], [
        Tag("{%tr for criterion in criteria %}"),
        Row(["C{{ loop.index }}", "{{ criterion.label }}", "{{ criterion.max|number }}"]),
        Tag("{%tr endfor %}"),
        Row([L("Total", "Total"), "", "{{ max_total|number }}"], total=True, merge_first=2),
    ])
    h.p("{% if threshold %}" + L(
        "Punctajul minim de admitere: {{ threshold|number }} puncte. ",
        "Minimum score for admission: {{ threshold|number }} points. ",
    ) + "{% endif %}" + L(
        "Candidații sunt ierarhizați în ordinea strict descrescătoare a punctajului total.",
        "Candidates are ranked in strictly descending order of their total score.",
    ), before=4)

    h.article(L("4. Locurile disponibile", "4. Places available"))
    h.table([
        Col(L("Destinația", "Destination"), 9.5),
        Col(L("Locuri", "Places"), 2.5, CENTER),
        Col(L("Ocupate", "Taken"), 2.5, CENTER),
        Col(L("Libere", "Free"), 2.5, CENTER),
    ], [
        Tag("{%tr for dest in places %}"),
        Row(["{{ dest.label }}", "{{ dest.places }}", "{{ dest.taken }}", "{{ dest.free }}"]),
        Tag("{%tr endfor %}"),
    ])
    h.p("", style="Spacer", after=4)

    h.article(L("5. Rezultatele evaluării", "5. Results of the assessment"))
    h.table([
        Col(L("Loc", "Rank"), 1.1, CENTER),
        Col(L("Candidat", "Candidate"), 3.7),
        Col(L("Punctaj pe criterii", "Points per criterion") + " ({% for criterion in criteria %}"
            "C{{ loop.index }}{% if not loop.last %} / {% endif %}{% endfor %})", 2.8, CENTER),
        Col("Total", 1.2, CENTER),
        Col(L("Statut", "Status"), 1.6, CENTER),
        Col(L("Destinația alocată", "Allocated place"), 3.3),
        Col(L("Motiv", "Reason"), 3.3),
    ], [
        Tag("{%tr for cand in candidates %}"),
        Row(["{{ cand.rank }}", "{{ cand.name }}", "{{ cand.points|map('number')|join(' / ') }}",
             B("{{ cand.total|number }}"), "{{ cand.status_name }}", "{{ cand.allocated_label }}",
             "{{ cand.reason }}"]),
        Tag("{%tr endfor %}"),
    ])
    h.p("", style="Spacer", after=4)

    h.article(L("6. Contestații și confirmare", "6. Appeals and confirmation"))
    h.p([L(
        "(1) Rezultatele se publică la {{ published_at|datetime }}. Contestațiile se depun în "
        "termen de {{ appeal_hours }} ore de la publicare, până la ",
        "(1) The results are published on {{ published_at|datetime }}. Appeals may be lodged "
        "within {{ appeal_hours }} hours of publication, until ",
    ), B("{{ appeal_deadline|datetime }}"), L(
        ". O contestație este admisă dacă noul punctaj total depășește punctajul ultimului "
        "candidat admis.",
        ". An appeal succeeds if the new total score exceeds that of the last admitted "
        "candidate.",
    )])
    h.p("{% if confirmation_deadline %}" + L(
        "(2) Candidații admiși își confirmă participarea până la ",
        "(2) Admitted candidates confirm their participation by ",
    ) + "{{ confirmation_deadline|datetime }}" + L(
        "; în caz contrar, locul se atribuie următorului candidat de pe lista de rezerve, în "
        "ordinea punctajului.",
        "; otherwise the place goes to the next candidate on the reserve list, in order of "
        "score.",
    ) + "{% endif %}")
    h.p(L(
        "Listele candidaților admiși, de rezervă și respinși sunt anexate prezentului "
        "proces-verbal (Anexele 1-3). Drept pentru care s-a încheiat prezentul proces-verbal.",
        "The lists of admitted, reserve and rejected candidates are annexed to these minutes "
        "(Annexes 1-3).",
    ))

    h.article(L("Semnăturile membrilor comisiei", "Signatures of the committee"))
    h.table([
        Col(L("Nume și prenume", "Name"), 6.5),
        Col(L("Calitatea", "Role"), 3.0, CENTER),
        Col(L("Semnătura", "Signature"), 7.5),
    ], [
        Tag("{%tr for member in committee %}"),
        Row(["{{ member.name }}", "{{ member.role_name }}", ""], height=1.0),
        Tag("{%tr endfor %}"),
    ])

    # -- annexes ------------------------------------------------------------------------------
    def annex(title: str, items: str, extra: list[tuple[Content, float, str]], none: str) -> None:
        """One list: rank, name, then the ``extra`` columns (header, width, expression)."""
        h.article(title)
        h.ctl(f"{{%p if {items} %}}")
        h.table([
            Col(L("Loc", "Rank"), 1.2, CENTER),
            Col(L("Nume și prenume", "Name"), TEXT_W - 1.2 - sum(w for _, w, _ in extra)),
            *(Col(header, width) for header, width, _ in extra),
        ], [
            Tag(f"{{%tr for cand in {items} %}}"),
            Row(["{{ cand.rank }}", "{{ cand.name }}", *(expr for _, _, expr in extra)]),
            Tag("{%tr endfor %}"),
        ])
        h.ctl("{%p else %}")
        h.p("— " + none + " —", align=CENTER)
        h.ctl("{%p endif %}")

    h.page_break()
    # An admitted candidate has a reason only when admitted by an exception (below the
    # threshold, early career): the minutes must say why (erasmus-regulation-ro Art. 53 e, 70 f).
    annex(L("Anexa 1. Lista candidaților admiși", "Annex 1. Admitted candidates"), "admitted",
          [(L("Destinația alocată", "Allocated place"), 5.5, "{{ cand.allocated_label }}"),
           (L("Observații", "Remarks"), 5.0, "{{ cand.reason }}")],
          L("niciun candidat admis", "no admitted candidates"))
    annex(L("Anexa 2. Lista de rezerve", "Annex 2. Reserve list"), "reserves",
          [(L("Motiv", "Reason"), 8.5, "{{ cand.reason }}")],
          L("niciun candidat în rezervă", "no reserves"))
    annex(L("Anexa 3. Lista candidaților respinși", "Annex 3. Rejected candidates"), "rejected",
          [(L("Motiv", "Reason"), 8.5, "{{ cand.reason }}")],
          L("niciun candidat respins", "no rejected candidates"))
    return h


# ==========================================================================================

BUILDERS: dict[str, Callable[[str], House]] = {
    "learning_agreement": build_learning_agreement,
    "financial_contract": build_financial_contract,
    "certificate_of_attendance": build_certificate_of_attendance,
    "selection_minutes": build_selection_minutes,
}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parents[1] / "templates",
                        help="templates folder (default: templates/)")
    parser.add_argument("--kind", choices=sorted(BUILDERS), action="append",
                        help="only these kinds (default: all)")
    args = parser.parse_args(argv)
    for kind in args.kind or BUILDERS:
        for lang in ("ro", "en"):
            path = args.out / lang / f"{kind}.docx"
            BUILDERS[kind](lang).save(path)
            print(path)


if __name__ == "__main__":
    main()

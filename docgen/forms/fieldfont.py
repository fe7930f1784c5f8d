"""The font form fields are drawn in: DejaVu Sans, subset and embedded as a CID font.

A field's look comes from the font its ``/DA`` names in the AcroForm ``/DR``. Helvetica
(WinAnsi) has no ș ț ă ł ő ğ ř, and one-byte encodings hold 256 letters at most, fewer
than Latin-1, Latin Extended-A and B together. So the field font is a Type0 font
(``/Identity-H``, two bytes a letter) over a subset of the shipped DejaVu Sans, with a
``/ToUnicode`` map: PDFium, pdf.js and pypdf encode typed text through it, and text
extraction reads it back. CIDs are glyph ids (``/CIDToGIDMap /Identity``) because pypdf,
when fontTools is present, encodes by the embedded font's own cmap.
"""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    StreamObject,
)

# The resource name of the field font in /DR and in every field's /DA. Only a name (the
# font is DejaVu), chosen for PDFium: when someone types, PDFium tries the /DA font for a
# letter of U+0100-U+024F (ă ș ț ł ő ğ ...) only if it takes that font for a symbol font,
# which it decides by this name ("Wingdings"); otherwise it draws such letters in a system
# font of its own, not embedded, or drops them (core/fpdfdoc/cpdf_bafontmap.cpp,
# GetWordFontIndex). pdf.js, pypdf, poppler, qpdf and Acrobat go by the font dictionary.
RESOURCE = "/Wingdings"
# A subset tag (six capitals) tells viewers the program lacks glyphs beyond these.
BASE_FONT = "/DGFORM+DejaVuSans"
FONT_FILE = "DejaVuSans.ttf"

# Latin-1, Latin Extended-A and B (Romanian ș ț and Ș Ț are U+0218-U+021B), IPA-free
# spacing accents and combining marks (for text typed decomposed), Greek and Cyrillic
# (partners in Greece, Bulgaria, Serbia, North Macedonia), general punctuation, €, ™, ✓ ✔.
REPERTOIRE: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),
    (0x00A0, 0x024F),
    (0x02C6, 0x02DD),
    (0x0300, 0x036F),
    (0x0370, 0x03FF),
    (0x0400, 0x045F),
    (0x2010, 0x2027),
    (0x2030, 0x203A),
    (0x20AC, 0x20AC),
    (0x2116, 0x2116),
    (0x2122, 0x2122),
    (0x2713, 0x2714),
)


@dataclass(frozen=True)
class FieldFont:
    """The subset program and what is needed to measure, encode and describe it."""

    program: bytes
    gids: dict[int, int]  # code point -> glyph id (= CID)
    widths: dict[int, float]  # glyph id -> advance in 1/1000 em
    ascent: float
    descent: float
    cap_height: float
    bbox: tuple[float, float, float, float]
    missing_width: float

    def covers(self, text: str) -> bool:
        """Return True when every letter of ``text`` (line breaks aside) has a glyph."""
        return all(ord(c) in self.gids for c in text if c not in "\r\n")

    def width(self, text: str, size: float) -> float:
        """Return the advance of ``text`` at ``size`` points."""
        total = sum(self.widths.get(self.gids.get(ord(c), 0), self.missing_width) for c in text)
        return total * size / 1000

    def encode(self, text: str) -> bytes:
        """Return the two-byte codes of ``text`` (glyph 0, a box, for what it lacks)."""
        return b"".join(self.gids.get(ord(c), 0).to_bytes(2, "big") for c in text)


def _codepoints() -> list[int]:
    return [c for lo, hi in REPERTOIRE for c in range(lo, hi + 1)]


@cache
def field_font() -> FieldFont:
    """Subset the shipped DejaVu Sans to the repertoire (once per process)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    data = resources.files("docgen.forms").joinpath("fonts", FONT_FILE).read_bytes()
    font = TTFont(io.BytesIO(data), recalcTimestamp=False)
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # keep the copyright and licence
    options.notdef_outline = True
    options.recalc_timestamp = False
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "FFTM"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=_codepoints())
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    scale = 1000 / font["head"].unitsPerEm
    gids = {cp: font.getGlyphID(name) for cp, name in font.getBestCmap().items()}
    hmtx = font["hmtx"]
    widths = {
        font.getGlyphID(name): round(hmtx[name][0] * scale, 1) for name in font.getGlyphOrder()
    }
    head, os2 = font["head"], font["OS/2"]
    return FieldFont(
        program=out.getvalue(),
        gids=gids,
        widths=widths,
        ascent=round(font["hhea"].ascent * scale, 1),
        descent=round(font["hhea"].descent * scale, 1),
        cap_height=round(getattr(os2, "sCapHeight", 729) * scale, 1),
        bbox=tuple(round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)),
        missing_width=widths.get(0, 600.0),
    )


def _stream(data: bytes, **entries: object) -> StreamObject:
    stream = StreamObject()
    stream.set_data(zlib.compress(data, 9))
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    for key, value in entries.items():
        stream[NameObject(f"/{key}")] = value  # type: ignore[assignment]
    return stream


def _to_unicode(font: FieldFont) -> bytes:
    """Return a ToUnicode CMap: glyph id -> the code point it was chosen for."""
    pairs = sorted((gid, cp) for cp, gid in font.gids.items())
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <FFFF>",
        "endcodespacerange",
    ]
    seen: set[int] = set()
    unique = [(g, c) for g, c in pairs if not (g in seen or seen.add(g))]
    for start in range(0, len(unique), 100):
        chunk = unique[start : start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines.extend(f"<{g:04X}> <{c:04X}>" for g, c in chunk)
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return ("\n".join(lines) + "\n").encode("ascii")


def _widths_array(font: FieldFont) -> ArrayObject:
    """Return the ``/W`` array: runs of consecutive glyph ids and their widths."""
    out = ArrayObject()
    gids = sorted(font.widths)
    run: list[int] = []
    for gid in gids:
        if run and gid != run[-1] + 1:
            out += [NumberObject(run[0]), ArrayObject(FloatObject(font.widths[g]) for g in run)]
            run = []
        run.append(gid)
    if run:
        out += [NumberObject(run[0]), ArrayObject(FloatObject(font.widths[g]) for g in run)]
    return out


def add_field_font(writer: PdfWriter) -> IndirectObject:
    """Add the field font's objects to ``writer``; return the Type0 font's reference."""
    from pypdf.generic import TextStringObject

    font = field_font()
    descriptor = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/FontDescriptor"),
            NameObject("/FontName"): NameObject(BASE_FONT),
            NameObject("/Flags"): NumberObject(32),
            NameObject("/FontBBox"): ArrayObject(NumberObject(v) for v in font.bbox),
            NameObject("/ItalicAngle"): NumberObject(0),
            NameObject("/Ascent"): FloatObject(font.ascent),
            NameObject("/Descent"): FloatObject(font.descent),
            NameObject("/CapHeight"): FloatObject(font.cap_height),
            NameObject("/StemV"): NumberObject(80),
            NameObject("/MissingWidth"): FloatObject(font.missing_width),
            NameObject("/FontFile2"): writer._add_object(
                _stream(font.program, Length1=NumberObject(len(font.program)))
            ),
        }
    )
    cid_font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/CIDFontType2"),
            NameObject("/BaseFont"): NameObject(BASE_FONT),
            NameObject("/CIDSystemInfo"): DictionaryObject(
                {
                    NameObject("/Registry"): TextStringObject("Adobe"),
                    NameObject("/Ordering"): TextStringObject("Identity"),
                    NameObject("/Supplement"): NumberObject(0),
                }
            ),
            NameObject("/FontDescriptor"): writer._add_object(descriptor),
            NameObject("/DW"): FloatObject(font.missing_width),
            NameObject("/W"): _widths_array(font),
            NameObject("/CIDToGIDMap"): NameObject("/Identity"),
        }
    )
    type0 = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type0"),
            NameObject("/BaseFont"): NameObject(BASE_FONT),
            NameObject("/Encoding"): NameObject("/Identity-H"),
            NameObject("/DescendantFonts"): ArrayObject([writer._add_object(cid_font)]),
            NameObject("/ToUnicode"): writer._add_object(_stream(_to_unicode(font))),
        }
    )
    return writer._add_object(type0)

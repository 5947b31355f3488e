"""Editable copies: a report's final HTML in, DOCX bytes out (python-docx), with the same text and structure.

Offices edit before they sign, so every report can also be written as DOCX. The DOCX is made from the same
final HTML the PDF is laid out from (``report_html`` and the others), walked element by element: headings,
paragraphs, list items, tables (a group row spans the table) and the signature become the same blocks in
Word, in the same order and with the same words; the chart's bars (an SVG image) are left out, its row labels
stay. Fonts are named, not embedded: Chinese text names the fonts a Chinese office has (``w:eastAsia``: 仿宋 for
the text, 宋体 for titles, 黑体 and 楷体 for headings, as GB/T 9704 sets them); the official documents keep
their page (A4, margins 37/35/28/26 mm), sizes (title 22 pt, text 16 pt) and red header. The bytes are the same
for the same HTML: the package's dates are the report's, and nothing depends on the clock.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element

import docx
import tinyhtml5  # type: ignore[import-untyped]  # weasyprint's own HTML parser
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from ..errors import ReportError
from .views import ANNEX_TAB

RED = RGBColor(0xE6, 0x00, 0x00)
# The fonts named in the copy (not embedded: Word and WPS take the office's own). Chinese official documents
# name what GB/T 9704 asks for; Latin text a font every office has.
FONTS = {
    "en": {"text": "Calibri", "title": "Calibri", "heading": "Calibri"},
    "zh": {"text": "仿宋", "title": "宋体", "heading": "黑体", "subheading": "楷体", "latin": "Times New Roman"},
}
BLOCKS = frozenset({"p", "h1", "h2", "h3", "li"})
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class _Style:
    """How one block is set: size in points, alignment, indent of the first line, font role, colour."""

    size: float
    align: WD_ALIGN_PARAGRAPH | None = None
    indent: bool = False
    font: str = "text"
    red: bool = False


def _classes(element: Element) -> set[str]:
    return set((element.get("class") or "").split())


def _text(element: Element) -> str:
    """The element's text as a browser shows it: runs of white space made one space."""
    return _SPACE.sub(" ", "".join(element.itertext()))


class _Writer:
    """Walks the report's body and adds each block to the document."""

    def __init__(self, lang: str, official: bool) -> None:
        self.lang = lang if lang in FONTS else "en"
        self.official = official
        self.document = docx.Document()
        self.body_size = 16.0 if official else 10.0
        self._set_page()

    def _set_page(self) -> None:
        section = self.document.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        if self.official:  # GB/T 9704: 37 mm top, 35 mm bottom, 28 mm left, 26 mm right
            margins = (37, 35, 28, 26)
        else:
            margins = (20, 18, 18, 18)
        section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = (Mm(m) for m in margins)
        normal = self.document.styles["Normal"]
        normal.font.size = Pt(self.body_size)
        self._name_fonts(normal.element.get_or_add_rPr(), "text")

    def _name_fonts(self, rpr: Any, role: str) -> None:
        """Name the fonts of a run or style: Latin and East Asian (``w:eastAsia``)."""
        fonts = FONTS[self.lang]
        latin = fonts.get("latin", fonts["text"])
        eastern = fonts.get(role, fonts["text"])
        rfonts = rpr.get_or_add_rFonts()
        rfonts.set(qn("w:ascii"), latin if self.lang == "zh" else eastern)
        rfonts.set(qn("w:hAnsi"), latin if self.lang == "zh" else eastern)
        rfonts.set(qn("w:eastAsia"), eastern)

    def style(self, element: Element) -> _Style:
        classes = _classes(element)
        tag = element.tag
        if tag == "h1":
            return _Style(22 if self.official else 17, WD_ALIGN_PARAGRAPH.CENTER, font="title")
        if tag == "h2":
            return _Style(16 if self.official else 12.5, font="heading")
        if tag == "h3":
            return _Style(16 if self.official else 11, font="subheading")
        if "red-body" in classes:
            return _Style(30, WD_ALIGN_PARAGRAPH.CENTER, font="title", red=True)
        if classes & {"issuer-head", "doc-number", "subtitle", "cert-unit"}:
            size = 15.0 if "cert-unit" in classes else 16.0 if self.official else 12.0
            return _Style(size, WD_ALIGN_PARAGRAPH.CENTER)
        if classes & {"caption", "note"}:
            return _Style(self.body_size - 1.5 if self.body_size > 12 else 8.5)
        indent = tag == "p" and not classes & {"addressee", "names", "grade-type", "grade-legend"}
        return _Style(self.body_size, indent=indent and self._indents(element))

    def _indents(self, element: Element) -> bool:
        return bool(self._parents.get(id(element), set()) & {"letter", "certificate", "closing"})

    def paragraph(self, text: str, style: _Style, container: Any = None) -> Paragraph:
        target = container if container is not None else self.document
        paragraph: Paragraph = target.add_paragraph()
        if style.align is not None:
            paragraph.alignment = style.align
        if style.indent:
            paragraph.paragraph_format.first_line_indent = Pt(style.size * 2)
        paragraph.paragraph_format.space_after = Pt(2)
        run = paragraph.add_run(text)
        run.font.size = Pt(style.size)
        if style.red:
            run.font.color.rgb = RED
        self._name_fonts(run._element.get_or_add_rPr(), style.font)
        return paragraph

    def table(self, element: Element) -> None:
        rows = [row for row in element.iter("tr")]
        columns = max(sum(int(cell.get("colspan", "1")) for cell in row if cell.tag in ("td", "th")) for row in rows)
        table = self.document.add_table(rows=0, cols=columns)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        size = 12.0 if self.official else 9.0
        for row in rows:
            cells = table.add_row().cells
            at = 0
            for cell in (c for c in row if c.tag in ("td", "th")):
                span = int(cell.get("colspan", "1"))
                target: _Cell = cells[at].merge(cells[at + span - 1]) if span > 1 else cells[at]
                first = target.paragraphs[0]
                run = first.add_run(_text(cell).strip())
                run.font.size = Pt(size)
                self._name_fonts(run._element.get_or_add_rPr(), "text")
                if "num" in _classes(cell):
                    first.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                at += span

    def lines(self, element: Element) -> None:
        """The annex's item table: a paragraph of lines per group, its figures, a tab and the title (python-docx
        makes ``\t`` a tab and ``\n`` a line break), with the tab stop of the PDF."""
        for block in element.iter("p"):
            paragraph = self.paragraph("".join(block.itertext()).strip("\n"), _Style(8.5))
            paragraph.paragraph_format.tab_stops.add_tab_stop(Mm(ANNEX_TAB))

    def signature(self, element: Element) -> None:
        seal = next((img for img in element.iter("img") if "seal" in _classes(img)), None)
        if seal is not None and (seal.get("src") or "").startswith("data:image/png;base64,"):
            data = base64.b64decode((seal.get("src") or "").partition(",")[2])
            picture = self.document.add_paragraph()
            picture.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            picture.add_run().add_picture(io.BytesIO(data), width=Mm(40))
        for line in element.iter("p"):
            paragraph = self.paragraph(_text(line).strip(), _Style(self.body_size, WD_ALIGN_PARAGRAPH.RIGHT))
            if self.official:
                paragraph.paragraph_format.right_indent = Pt(self.body_size * 4)

    def walk(self, element: Element, parents: frozenset[str] = frozenset()) -> None:
        for child in element:
            classes = _classes(child)
            tag = child.tag
            self._parents[id(child)] = set(parents)
            if tag == "section" and "scorecard" in classes:
                self.document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)  # the annex on a page of its own
            if tag == "img":  # the chart's bars: its row labels follow as paragraphs
                continue
            if tag == "table":
                self.table(child)
            elif "signature" in classes:
                self.signature(child)
            elif tag == "ol":  # Word numbers the list itself, as the PDF's list markers do
                for item in child.iter("li"):
                    self.paragraph(_text(item).strip(), _Style(self.body_size)).style = "List Number"
            elif tag == "p" and "labels" in classes:  # the chart's group labels, one a line
                self.paragraph("".join(child.itertext()).strip("\n"), _Style(9))
            elif tag == "div" and "annex-items" in classes:
                self.lines(child)
            elif tag in BLOCKS:
                text = _text(child).strip()
                if text:
                    self.paragraph(text, self.style(child))
            elif tag == "div" and "grade-bar" in classes:
                self.paragraph(" ".join(_text(span).strip() for span in child), _Style(self.body_size))
            else:
                self.walk(child, parents | classes)

    _parents: dict[int, set[str]]

    def build(self, body: Element) -> None:
        self._parents = {}
        self.walk(body)


def _fixed_dates(data: bytes, when: dt.datetime) -> bytes:
    """The package again, every member dated ``when`` (python-docx dates members by the clock)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    stamp = (when.year, when.month, when.day, 0, 0, 0)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            target.writestr(member, source.read(info.filename))
    return out.getvalue()


def _meta(root: Element, name: str) -> str:
    found = next((m.get("content") for m in root.iter("meta") if m.get("name") == name), None)
    return found or ""


def html_to_docx(html: str) -> bytes:
    """A report's final HTML as DOCX bytes: the same text and blocks, fonts named, and the title, author,
    language and dates of the HTML's head as the document's properties."""
    try:
        root = tinyhtml5.parse(html, namespace_html_elements=False)
        body = root.find("body")
        if body is None:
            raise ReportError("the report's HTML has no body to make the editable copy from")
        lang = "zh" if (root.get("lang") or "").startswith("zh") else "en"
        head_title = root.find("head/title")
        title = _text(head_title).strip() if head_title is not None else ""
        author = _meta(root, "author")
        day = dt.date.fromisoformat(_meta(root, "dcterms.created") or "2000-01-01")
        writer = _Writer(lang, "official" in _classes(root))
        writer.build(body)
        when = dt.datetime.combine(day, dt.time(0))
        properties = writer.document.core_properties
        properties.title, properties.author, properties.last_modified_by = title, author, author
        properties.created = properties.modified = when
        properties.language = "zh-CN" if lang == "zh" else "en"
        properties.revision = 1
        buffer = io.BytesIO()
        writer.document.save(buffer)
    except ReportError:
        raise
    except Exception as exc:  # python-docx and lxml raise many kinds; none may escape untranslated
        raise ReportError(f"python-docx could not write the editable copy: {exc}") from exc
    return _fixed_dates(buffer.getvalue(), when)


__all__ = ["FONTS", "html_to_docx"]

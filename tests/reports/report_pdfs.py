"""Reading the reports' PDFs back: their text with pypdfium2 (PDFium, Chrome's PDF library), their structure with
pypdf (fonts, attachments, metadata); and weasyprint's log."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any, TypeVar

import pypdfium2 as pdfium
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject

T = TypeVar("T")


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


@lru_cache(maxsize=256)
def _extracted(pdf: bytes) -> tuple[str, ...]:
    """Each page's text as PDFium extracts it, once per document: many tests read the same module-rendered PDFs
    (a string is immutable, so sharing it is safe). PDFium marks a hyphen that ends a line as U+0002; it is a
    hyphen in the document. (pypdf's `extract_text` gave the same text but for white space, 20 to 30 times
    slower: 14 s for the demo's 66 PDFs against 0.6 s.)"""
    document = pdfium.PdfDocument(pdf)
    try:
        return tuple(page.get_textpage().get_text_bounded().replace("\x02", "-") for page in document)
    finally:
        document.close()


def text(pdf: bytes) -> str:
    """The text of every page, with runs of white space (line breaks included) made one space."""
    return re.sub(r"\s+", " ", " ".join(_extracted(pdf)))


def says(page_text: str, phrase: str) -> bool:
    """Whether ``phrase`` is in the text, whatever the white space (lines break inside Chinese phrases)."""
    return _without_spaces(phrase) in _without_spaces(page_text)


@lru_cache(maxsize=64)
def _without_spaces(value: str) -> str:
    """``value`` without white space, kept for the next phrase looked up in the same text (a handbook's text is
    looked through for every item, field and org type)."""
    return re.sub(r"\s+", "", value)


def _resolve(obj: Any) -> Any:
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def _fonts_in(resources: Any, seen: set[int]) -> Iterator[DictionaryObject]:
    resources = _resolve(resources)
    if not isinstance(resources, DictionaryObject):
        return
    for font in _resolve(resources.get("/Font", DictionaryObject())).values():
        yield _resolve(font)
    # Forms (the SVG chart becomes one) carry resources of their own.
    for xobject in _resolve(resources.get("/XObject", DictionaryObject())).values():
        form = _resolve(xobject)
        key = id(form)
        if key in seen or "/Resources" not in form:
            continue
        seen.add(key)
        yield from _fonts_in(form["/Resources"], seen)


def fonts(pdf: bytes) -> list[tuple[str, bool]]:
    """(base font name, embedded?) of every font used on any page or in any form."""
    found = []
    seen: set[int] = set()
    for page in reader(pdf).pages:
        for font in _fonts_in(page.get("/Resources"), seen):
            descendants = font.get("/DescendantFonts")
            described = _resolve(_resolve(descendants)[0]) if descendants else font
            descriptor = _resolve(described.get("/FontDescriptor", DictionaryObject()))
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            found.append((str(font["/BaseFont"]), embedded))
    return found


def attachments(pdf: bytes) -> dict[str, list[bytes]]:
    return dict(reader(pdf).attachments)


def catalog(pdf: bytes) -> DictionaryObject:
    root: DictionaryObject = reader(pdf).trailer["/Root"].get_object()
    return root


def xmp(pdf: bytes) -> str:
    data: bytes = catalog(pdf)["/Metadata"].get_object().get_data()
    return data.decode("utf-8")


class WeasyLog(logging.Handler):
    """Collects weasyprint's log records at WARNING and above."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def messages(self) -> list[str]:
        return [record.getMessage() for record in self.records]

    def take(self, pattern: str) -> list[str]:
        """Removes and returns the messages matching ``pattern`` (the ones a test expects)."""
        taken = [r for r in self.records if re.search(pattern, r.getMessage())]
        self.records = [r for r in self.records if r not in taken]
        return [r.getMessage() for r in taken]


def quiet(render: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``render(*args, **kwargs)``, failing if weasyprint logged anything (a .notdef glyph above all)."""
    log = WeasyLog()
    logger = logging.getLogger("weasyprint")
    logger.setLevel(logging.WARNING)  # whatever level another test or tool left it at
    logger.addHandler(log)
    try:
        result = render(*args, **kwargs)
    finally:
        logger.removeHandler(log)
    assert not log.records, f"weasyprint logged: {log.messages()[:10]}"
    return result


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text, runs of white space made one space."""
    return [re.sub(r"\s+", " ", page).strip() for page in _extracted(pdf)]


# a page number as the reports print it: "2 / 4", or "— 2 —" in a Chinese official document
_PAGE_NUMBER = re.compile(r"^(?:\d+ / \d+|— \d+ —)$|(?:\s*\d+ / \d+|\s*— \d+ —)$")


def lonely_signature_pages(pdf: bytes, issuer: str, day: str) -> list[int]:
    """The pages (from 1) whose only text is the signature block: the issuer, the date, a page number."""
    lonely = []
    for number, page in enumerate(page_texts(pdf), start=1):
        rest = _PAGE_NUMBER.sub("", page)
        for part in (issuer, day):
            rest = rest.replace(part, "")
        if not rest.strip():
            lonely.append(number)
    return lonely


def docx_blocks(data: bytes) -> list[str]:
    """The text of a DOCX's body, block by block in order: each paragraph, and each table cell."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(io.BytesIO(data))
    blocks = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            blocks.append(item.text)
        elif isinstance(item, Table):
            for row in item.rows:
                seen: set[int] = set()
                for cell in row.cells:  # a merged cell is listed once per column it spans
                    if id(cell._tc) not in seen:
                        seen.add(id(cell._tc))
                        blocks.append(cell.text)
    return [block for block in blocks if block.strip()]


def docx_headers(data: bytes) -> list[str]:
    """The text of each table's first row, white space removed."""
    import docx

    document = docx.Document(io.BytesIO(data))
    headers = []
    for table in document.tables:
        cells = list(dict.fromkeys(cell._tc for cell in table.rows[0].cells))
        headers.append(re.sub(r"\s+", "", "".join("".join(t.text or "" for t in tc.iter(qn_t())) for tc in cells)))
    return headers


def qn_t() -> str:
    from docx.oxml.ns import qn

    return qn("w:t")


# What the PDF holds that the DOCX does not: page numbers (Word numbers its own pages), the chart's axis, and
# the list markers (Word numbers its own lists).
# (the text read back has a list's markers, "1. 2. 3.", together after the list)
_PDF_ONLY = re.compile(r"— \d+ —|\b\d+ / \d+\b|\b0% 50% 100%|(?<!\S)1\.(?: \d+\.)+(?=\s|$)")


def same_text(pdf: bytes, docx_bytes: bytes) -> None:
    """The DOCX holds the PDF's text and nothing else, block by block: every DOCX block is in the PDF, and the
    PDF has nothing more than page numbers, the chart's axis, list markers and the table headers that it
    repeats on each page. Asserts it."""
    rest = re.sub(r"\s+", "", _PDF_ONLY.sub("", text(pdf)))
    blocks = [re.sub(r"\s+", "", block) for block in docx_blocks(docx_bytes)]
    headers = docx_headers(docx_bytes)
    for header in set(headers):  # a table's header row, repeated by the PDF on each page the table spans
        extra = rest.count(header) - headers.count(header)
        for _ in range(max(extra, 0)):
            at = rest.rfind(header)
            rest = rest[:at] + "\x00" + rest[at + len(header) :]
    for block in sorted(blocks, key=len, reverse=True):  # the longest first: a short cell never eats a long one
        found = rest.find(block)
        assert found >= 0, f"DOCX block not in the PDF: {block!r} (left: {rest[:300]!r})"
        rest = rest[:found] + "\x00" + rest[found + len(block) :]
    leftover = [piece for piece in rest.split("\x00") if piece]
    assert not leftover, f"PDF text not in the DOCX: {leftover}"

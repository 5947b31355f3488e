"""Reading the reports' PDFs back with pypdf (text, fonts, attachments, metadata), and weasyprint's log."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject

T = TypeVar("T")


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def text(pdf: bytes) -> str:
    """The text of every page, with runs of white space (line breaks included) made one space."""
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in reader(pdf).pages))


def says(page_text: str, phrase: str) -> bool:
    """Whether ``phrase`` is in the text, whatever the white space (lines break inside Chinese phrases)."""
    return re.sub(r"\s+", "", phrase) in re.sub(r"\s+", "", page_text)


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
    return [re.sub(r"\s+", " ", page.extract_text() or "").strip() for page in reader(pdf).pages]


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

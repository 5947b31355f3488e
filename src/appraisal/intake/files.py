"""A spreadsheet file as bytes, checked before anything parses it, and opened with openpyxl.

In: a path. Out: its bytes, refused with one plain line (``Refused``) when too large, empty, encrypted, of
Excel 97-2003 or macro-enabled format, corrupt, or a zip bomb (the sizes the zip directory declares, which also
bound what Python's zip reader unpacks, add up to more than ``MAX_UNPACKED``); then an openpyxl ``Workbook``,
and the values Excel saved for formula cells (nothing is ever evaluated).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.workbook.workbook import Workbook

from ..submission.loading import MAX_FILE_BYTES
from .cells import CellError

MAX_UNPACKED = 100 * 1024 * 1024
"""What the parts of a bulk table may unpack to, together (200 units with every column: under 1 MB)."""
MAX_FORM_UNPACKED = 10 * 1024 * 1024
"""The same for a fill-in workbook, which openpyxl holds in memory whole (a filled one: about 100 kB)."""
MAX_PARTS = 2000
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE2 compound file: .xls, or an encrypted .xlsx
REFUSED = {
    ".xls": "an Excel 97-2003 workbook (.xls) is not read: open it and save it as Excel Workbook (.xlsx)",
    ".xlsm": "a macro-enabled workbook (.xlsm) is not read (macros are never run): save it as Excel Workbook (.xlsx)",
    ".xlsb": "a binary workbook (.xlsb) is not read: save it as Excel Workbook (.xlsx)",
    ".ods": "an OpenDocument spreadsheet (.ods) is not read: save it as Excel Workbook (.xlsx)",
}


class Refused(Exception):
    """The whole file cannot be read (one problem)."""


def file_bytes(path: Path) -> bytes:
    if not path.exists():
        raise Refused("no such file or folder")
    if not path.is_file():
        raise Refused("not a regular file")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise Refused(f"file too large ({size} bytes; the limit is {MAX_FILE_BYTES})")
        data = path.read_bytes()
    except OSError as exc:
        raise Refused(f"cannot read the file: {exc.strerror or exc}") from exc
    if not data:
        raise Refused("the file is empty")
    return data


def check_archive(data: bytes, limit: int = MAX_UNPACKED) -> None:
    """Refuse, with its own message, what is not a plain workbook, before openpyxl opens it."""
    if data.startswith(_OLE):
        if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
            raise Refused(
                "the workbook is password-protected (encrypted): remove the password to open it "
                "(File > Info > Protect Workbook > Encrypt with Password) and save it again"
            )
        raise Refused("an Excel 97-2003 workbook (.xls) under an .xlsx name: save it as Excel Workbook (.xlsx)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            names = {p.filename for p in parts}
            if len(parts) > MAX_PARTS:
                raise Refused(f"refused as a possible zip bomb: {len(parts)} parts (the limit is {MAX_PARTS})")
            unpacked = sum(p.file_size for p in parts)
            if unpacked > limit:
                raise Refused(
                    f"refused as a possible zip bomb: it would unpack to {unpacked} bytes (the limit is {limit})"
                )
            if "mimetype" in names and "content.xml" in names:
                raise Refused(REFUSED[".ods"])
            if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
                raise Refused("not an Excel workbook (the archive has no xl/workbook.xml)")
            types = archive.read("[Content_Types].xml")
    except zipfile.BadZipFile as exc:
        raise Refused(f"not an Excel workbook, or a corrupt one ({exc})") from exc
    except (OSError, EOFError, ValueError, RuntimeError, NotImplementedError) as exc:
        raise Refused(f"corrupt workbook: the archive cannot be read ({exc})") from exc
    if "xl/vbaProject.bin" in names or b"macroEnabled" in types:
        raise Refused(REFUSED[".xlsm"].replace("(.xlsm) is", "(.xlsm content under an .xlsx name) is"))


def open_workbook(data: bytes, *, values: bool, streaming: bool) -> Workbook:
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=streaming, data_only=values, keep_links=False)
    except Exception as exc:  # openpyxl raises whatever its parsers raise (KeyError, ValueError, XML errors)
        raise Refused(f"corrupt workbook: openpyxl cannot read it ({type(exc).__name__}: {exc})") from exc


class Cached:
    """The values Excel saved for formula cells, read from a second, values-only load when first needed."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.book: Workbook | None = None

    def value(self, sheet: str, coordinate: str) -> Any:
        if self.book is None:
            self.book = open_workbook(self.data, values=True, streaming=False)
        return self.book[sheet][coordinate].value


def formula_text(value: Any) -> str:
    text = getattr(value, "text", value)  # an ArrayFormula keeps its text in .text
    return str(text if str(text).startswith("=") else f"={text}")


def cell_value(cell: Any, sheet: str, cached: Cached) -> Any:
    """A cell's value as Excel shows it; ``CellError`` for an error value or a formula Excel never saved."""
    value, kind = cell.value, cell.data_type
    if kind == "f":
        saved = cached.value(sheet, cell.coordinate)
        if saved is None:
            raise CellError(
                f"a formula without a saved value ({formula_text(value)}): open and save the workbook in Excel, "
                "or type the value"
            )
        value = saved
        if isinstance(saved, str) and saved.startswith("#"):
            kind = "e"
    if kind == "e":
        raise CellError(f"an Excel error value ({value})")
    return value

"""Reading filled workbooks and bulk tables: spreadsheet files in, validated submissions (or errors) out.

In: an ``.xlsx`` made by ``appraisal template`` (one unit), or a bulk table ``*.bulk.csv`` / ``*.bulk.xlsx`` (one
unit per row). Out: ``(source, SubmissionBase | InputError)`` per unit, as ``submission.loading.units_in``
yields for JSON and YAML; the cells become a mapping that ``validate_unit`` checks like any other, and every
problem is named by its cell: ``village-017.xlsx: Leadership!C7 standing committee hearings: not a whole number
("two")``. A bad workbook, or a bad row, never costs other units their results.

Nothing in a workbook is run or evaluated: a formula's cached value (the one Excel saved) is read, and a
formula without one is an error. The zip archive is checked before openpyxl opens it (encrypted, .xls or
.xlsm content, corrupt, or unpacking to more than ``MAX_UNPACKED`` bytes: a zip bomb).
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ..errors import InputError, Problem
from ..submission.indicators import Indicators
from ..submission.loading import MAX_FILE_BYTES, IndicatorsSource, indicators_of, validate_unit
from ..submission.models import SubmissionBase
from .cells import CellError, is_empty, read_cell, shown
from .layout import (
    FIRST_ROW,
    FORMAT,
    INPUT_COLUMN,
    META_SHEET,
    Row,
    bulk_headers,
    field_row,
    identity_rows,
    is_bulk,
    section_sheets,
    sheet_names,
    word,
)

MAX_UNPACKED = 100 * 1024 * 1024
"""What the parts of one workbook may unpack to, together (a 200-unit bulk table unpacks to about 2 MB)."""
MAX_PARTS = 2000
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE2 compound file: .xls, or an encrypted .xlsx
Result = tuple[str, SubmissionBase | InputError]
REFUSED = {
    ".xls": "an Excel 97-2003 workbook (.xls) is not read: open it and save it as Excel Workbook (.xlsx)",
    ".xlsm": "a macro-enabled workbook (.xlsm) is not read (macros are never run): save it as Excel Workbook (.xlsx)",
    ".xlsb": "a binary workbook (.xlsb) is not read: save it as Excel Workbook (.xlsx)",
    ".ods": "an OpenDocument spreadsheet (.ods) is not read: save it as Excel Workbook (.xlsx)",
}


class _Refused(Exception):
    """The whole file cannot be read (one problem)."""


@dataclass(frozen=True)
class Cell:
    ref: str  # Leadership!C7
    label: str


@dataclass
class _Unit:
    """One unit read from cells: its mapping, the cell of each path, and the cells that could not be read."""

    data: dict[str, Any] = field(default_factory=dict)
    cells: dict[str, Cell] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    failed: set[str] = field(default_factory=set)

    def put(self, path: str, value: Any) -> None:
        head, _, rest = path.partition(".")
        if rest:
            self.data.setdefault(head, {})[rest] = value
        else:
            self.data[head] = value

    def read(self, row: Row, cell: Cell, value: Any, number_format: str = "General") -> None:
        self.cells[row.path] = cell
        try:
            found = read_cell(value, row, number_format)
        except CellError as exc:
            self.fail(row.path, cell, str(exc))
            return
        if found is not None:
            self.put(row.path, found)

    def fail(self, path: str, cell: Cell, message: str) -> None:
        self.failed.add(path)
        self.problems.append(Problem(f"{cell.ref} {cell.label}", message))


def _ref(sheet: str | None, column: int, row: int) -> str:
    where = f"{get_column_letter(column)}{row}"
    if sheet is None:
        return where
    return f"{sheet}!{where}" if re.fullmatch(r"\w+", sheet) else f"'{sheet}'!{where}"


# --- the file ------------------------------------------------------------------------------------------------


def _file_bytes(path: Path) -> bytes:
    if not path.exists():
        raise _Refused("no such file or folder")
    if not path.is_file():
        raise _Refused("not a regular file")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _Refused(f"file too large ({size} bytes; the limit is {MAX_FILE_BYTES})")
        data = path.read_bytes()
    except OSError as exc:
        raise _Refused(f"cannot read the file: {exc.strerror or exc}") from exc
    if not data:
        raise _Refused("the file is empty")
    return data


def check_archive(data: bytes) -> None:
    """Refuse, with its own message, what is not a plain workbook, before openpyxl opens it."""
    if data.startswith(_OLE):
        if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
            raise _Refused(
                "the workbook is password-protected (encrypted): remove the password to open it "
                "(File > Info > Protect Workbook > Encrypt with Password) and save it again"
            )
        raise _Refused("an Excel 97-2003 workbook (.xls) under an .xlsx name: save it as Excel Workbook (.xlsx)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            names = {p.filename for p in parts}
            if len(parts) > MAX_PARTS:
                raise _Refused(f"refused as a possible zip bomb: {len(parts)} parts (the limit is {MAX_PARTS})")
            unpacked = sum(p.file_size for p in parts)
            if unpacked > MAX_UNPACKED:
                raise _Refused(
                    f"refused as a possible zip bomb: it would unpack to {unpacked} bytes (the limit is {MAX_UNPACKED})"
                )
            if "mimetype" in names and "content.xml" in names:
                raise _Refused(REFUSED[".ods"])
            if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
                raise _Refused("not an Excel workbook (the archive has no xl/workbook.xml)")
            types = archive.read("[Content_Types].xml")
    except zipfile.BadZipFile as exc:
        raise _Refused(f"not an Excel workbook, or a corrupt one ({exc})") from exc
    except (OSError, EOFError, ValueError, RuntimeError, NotImplementedError) as exc:
        raise _Refused(f"corrupt workbook: the archive cannot be read ({exc})") from exc
    if "xl/vbaProject.bin" in names or b"macroEnabled" in types:
        raise _Refused(REFUSED[".xlsm"].replace("(.xlsm) is", "(.xlsm content under an .xlsx name) is"))


def _open(data: bytes, *, values: bool, streaming: bool) -> Workbook:
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=streaming, data_only=values, keep_links=False)
    except Exception as exc:  # openpyxl raises whatever its parsers raise (KeyError, ValueError, XML errors)
        raise _Refused(f"corrupt workbook: openpyxl cannot read it ({type(exc).__name__}: {exc})") from exc


class _Cached:
    """The values Excel saved for formula cells, read from a second, values-only load when first needed."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.book: Workbook | None = None

    def value(self, sheet: str, coordinate: str) -> Any:
        if self.book is None:
            self.book = _open(self.data, values=True, streaming=False)
        return self.book[sheet][coordinate].value


def _formula_text(value: Any) -> str:
    text = getattr(value, "text", value)  # an ArrayFormula keeps its text in .text
    return str(text if str(text).startswith("=") else f"={text}")


def _cell_value(cell: Any, sheet: str, cached: _Cached) -> Any:
    """A cell's value as Excel shows it; ``CellError`` for an error value or a formula Excel never saved."""
    value, kind = cell.value, cell.data_type
    if kind == "f":
        saved = cached.value(sheet, cell.coordinate)
        if saved is None:
            raise CellError(
                f"a formula without a saved value ({_formula_text(value)}): open and save the workbook in Excel, "
                "or type the value"
            )
        value = saved
        if isinstance(saved, str) and saved.startswith("#"):
            kind = "e"
    if kind == "e":
        raise CellError(f"an Excel error value ({value})")
    return value


# --- fill-in workbooks -----------------------------------------------------------------------------------------


def _meta(book: Workbook) -> dict[str, Any] | None:
    if META_SHEET not in book.sheetnames:
        return None
    sheet = book[META_SHEET]
    found: dict[str, Any] = {}
    for key, value, *_ in sheet.iter_rows(min_col=1, max_col=2, values_only=True):
        if isinstance(key, str):
            found[key] = value
    return found


def _form_indicators(meta: dict[str, Any], name: str, given: IndicatorsSource) -> tuple[Indicators, str, str]:
    year, org_type, lang = meta.get("year"), meta.get("org_type"), meta.get("lang")
    if meta.get("format") != FORMAT or not isinstance(year, int) or not isinstance(org_type, str):
        raise _Refused(f"the hidden {META_SHEET} sheet is damaged: make a new workbook with appraisal template")
    indicators = indicators_of(given, {"year": year}, name)
    if indicators.year != year:
        raise _Refused(f"a workbook for {year}; the appraisal given scores {indicators.year}")
    if org_type not in indicators.org_type_ids:
        known = ", ".join(indicators.org_type_ids)
        raise _Refused(f"a workbook for org type {org_type!r}, which {year} does not have ({known})")
    if meta.get("indicators_sha256") != indicators.sha256:
        raise _Refused(
            f"a workbook made from other indicators of {year} (sha256 {str(meta.get('indicators_sha256'))[:12]}; "
            f"these are {indicators.sha256[:12]}): fill in a new one from appraisal template --org-type {org_type}"
        )
    return indicators, org_type, lang if lang in ("en", "zh") else "en"


def _check_sheets(book: Workbook, expected: list[str], org_type: str, year: int) -> None:
    actual = [s for s in book.sheetnames if s != META_SHEET]
    missing = [s for s in expected if s not in actual]
    extra = [s for s in actual if s not in expected]
    if len(missing) == 1 and len(extra) == 1:
        raise _Refused(f"sheet {missing[0]!r} was renamed {extra[0]!r}: give it its name back")
    if missing:
        raise _Refused(
            f"no sheet {missing[0]!r} (deleted or renamed?); a {org_type} workbook of {year} has all of: "
            + ", ".join(expected)
        )
    if extra:
        raise _Refused(f"extra sheet {extra[0]!r}: a {org_type} workbook of {year} has only " + ", ".join(expected))


def _sheet_rows(sheet: Worksheet, unit: _Unit, rows: list[Row], lang: str, cached: _Cached) -> dict[str, int]:
    """Read ``rows`` from ``sheet`` by the ids in column A; returns id -> row number."""
    wanted = {row.key: row for row in rows}
    seen: dict[str, int] = {}
    title = sheet.title
    for number in range(FIRST_ROW, sheet.max_row + 1):
        key = sheet.cell(number, 1).value
        value_cell = sheet.cell(number, INPUT_COLUMN)
        if is_empty(key):
            if not is_empty(value_cell.value):
                where = Cell(_ref(title, INPUT_COLUMN, number), "")
                unit.problems.append(Problem(where.ref, "a value in a row without an id in column A"))
            continue
        key = str(key).strip()
        if key not in wanted:
            close = difflib.get_close_matches(key, list(wanted), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            unit.problems.append(Problem(_ref(title, 1, number), f"unknown id {key!r} in column A{hint}"))
            continue
        if key in seen:
            unit.problems.append(Problem(_ref(title, 1, number), f"id {key!r} again (first on row {seen[key]})"))
            continue
        seen[key] = number
        row = wanted[key]
        cell = Cell(_ref(title, INPUT_COLUMN, number), row.label(lang))
        try:
            value = _cell_value(value_cell, title, cached)
        except CellError as exc:
            unit.cells[row.path] = cell
            unit.fail(row.path, cell, str(exc))
            continue
        if row.kind == "fixed":
            unit.cells[row.path] = cell
            unit.put(row.path, value)
            continue
        unit.read(row, cell, value, value_cell.number_format)
    for key in wanted:
        if key not in seen:
            unit.problems.append(Problem(title, f"no row with id {key!r} in column A (rows deleted or ids edited?)"))
    return seen


def _form(data: bytes, book: Workbook, meta: dict[str, Any], name: str, given: IndicatorsSource) -> Result:
    indicators, org_type, lang = _form_indicators(meta, name, given)
    year = indicators.year
    _check_sheets(book, sheet_names(indicators, org_type, lang), org_type, year)
    cached = _Cached(data)
    unit = _Unit()
    identity = book[word("identity", lang)]
    _sheet_rows(identity, unit, list(identity_rows()), lang, cached)
    for path, expected in (("org_type", org_type), ("year", year)):
        found = unit.data.get(path)
        if found != expected and path in unit.cells:
            unit.fail(
                path,
                unit.cells[path],
                f"this workbook is for {expected}{' units' if path == 'org_type' else ''} "
                f"(its {META_SHEET} sheet says so), not {shown(found)}",
            )
        unit.data[path] = expected
    if not any(v is not None for v in (unit.data.get("rectification") or {}).values()):
        unit.data.pop("rectification", None)
    for section in indicators.sections:
        sheet_name = section_sheets(indicators, org_type, lang).get(section.id)
        if sheet_name is not None:
            rows = [field_row(section.id, f) for f in section.fields if f.applies_to(org_type)]
            _sheet_rows(book[sheet_name], unit, rows, lang, cached)
    _self_assessment(book[word("self_assessment", lang)], unit, cached)
    return _validated(unit, name, indicators)


def _self_assessment(sheet: Worksheet, unit: _Unit, cached: _Cached) -> None:
    points: dict[str, Any] = {}
    for number in range(FIRST_ROW, sheet.max_row + 1):
        key = sheet.cell(number, 1).value
        if is_empty(key):
            continue
        key = str(key).strip()
        cell = Cell(_ref(sheet.title, INPUT_COLUMN, number), key)
        path = f"self_assessment.{key}"
        unit.cells[path] = cell
        maximum = sheet.cell(number, 4).value
        row = Row(path, key, "points", key, key, "")
        try:
            value = read_cell(_cell_value(sheet.cell(number, INPUT_COLUMN), sheet.title, cached), row)
        except CellError as exc:
            unit.fail(path, cell, str(exc))
            continue
        if value is None:
            continue
        if isinstance(maximum, int | float) and value > maximum:
            unit.fail(path, cell, f"more than the item's maximum of {maximum:g} points (got {shown(value)})")
            continue
        points[key] = value
    if points:
        unit.data["self_assessment"] = points


# --- validation, with problems named by cell -------------------------------------------------------------------


def _by_cell(problem: Problem, cells: dict[str, Cell]) -> Problem:
    cell = cells.get(problem.loc)
    if cell is not None:
        return Problem(f"{cell.ref} {cell.label}".rstrip(), problem.message)
    message = problem.message
    for path, where in cells.items():  # a check across fields names them in its message
        message = re.sub(rf"(?<![\w.]){re.escape(path)}(?![\w.])", f"{where.ref} {where.label}".rstrip(), message)
    return Problem(problem.loc, message)


def _validated(unit: _Unit, source: str, indicators: Indicators) -> Result:
    data = unit.data
    unit_id = data.get("unit_id") if isinstance(data.get("unit_id"), str) else None
    try:
        found = validate_unit(data, source, indicators)
    except InputError as exc:
        later = [_by_cell(p, unit.cells) for p in exc.problems if p.loc not in unit.failed]
        return source, InputError(source, unit.problems + later, unit_id)
    if unit.problems:
        return source, InputError(source, unit.problems, unit_id)
    return source, found


# --- bulk tables -----------------------------------------------------------------------------------------------


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[Any], list[str]]]:
    if b"\x00" in data:
        raise _Refused("binary file, not CSV text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _Refused(f"not UTF-8 text (byte {exc.start}): save it as CSV UTF-8 (逗号分隔)") from exc
    try:
        for number, values in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            yield number, list(values), []
    except csv.Error as exc:
        raise _Refused(f"not a readable CSV table ({exc})") from exc


def _xlsx_rows(data: bytes, cached: _Cached, sheet_name: list[str]) -> Iterator[tuple[int, list[Any], list[str]]]:
    book = _open(data, values=False, streaming=True)
    try:
        sheets = [s for s in book.worksheets if s.sheet_state == "visible"]
        if len(sheets) != 1:
            raise _Refused(f"a bulk table has one sheet (this one has {', '.join(s.title for s in sheets) or 'none'})")
        sheet = sheets[0]
        sheet_name.append(sheet.title)
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            values: list[Any] = []
            formats: list[str] = []
            for cell in cells:
                value: Any = cell.value
                if getattr(cell, "data_type", None) in ("f", "e"):
                    value = _Deferred(cell, sheet.title, cached)
                values.append(value)
                formats.append(getattr(cell, "number_format", "General") if isinstance(value, float | int) else "")
            yield number, values, formats
    finally:
        book.close()


@dataclass
class _Deferred:
    """A formula or error cell of a streamed bulk table, read when its row is."""

    cell: Any
    sheet: str
    cached: _Cached
    coordinate: str = ""

    def __post_init__(self) -> None:
        self.coordinate = f"{get_column_letter(self.cell.column)}{self.cell.row}"

    def value(self) -> Any:
        if self.cell.data_type == "e":
            raise CellError(f"an Excel error value ({self.cell.value})")
        saved = self.cached.value(self.sheet, self.coordinate)
        if saved is None:
            raise CellError(
                f"a formula without a saved value ({_formula_text(self.cell.value)}): open and save the table in "
                "Excel, or type the value"
            )
        return saved


_SELF = re.compile(r"^self_assessment\.([A-Za-z][A-Za-z0-9_-]{0,31})$")
_KINDS = {"year": "year", "org_type": "name"}


def _columns(
    header: list[Any], indicators: Indicators, strict: bool
) -> tuple[list[tuple[int, str, Row]], list[Problem]]:
    """(column, header, row) of every used column, and the header's problems. The header is checked against
    the indicators of the table's first unit (``strict``): a column the year of a later unit lacks is read as
    given, so that validation names it where it is filled in."""
    known = bulk_headers(indicators)
    columns: list[tuple[int, str, Row]] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for index, raw in enumerate(header, start=1):
        if is_empty(raw):
            continue
        text = str(raw).strip()
        letter = get_column_letter(index)
        row = known.get(text)
        own = _SELF.match(text)
        if row is None and own:
            row = Row(text, own.group(1), "points", own.group(1), own.group(1), "")
        elif row is None and not strict:
            row = Row(text, text, "unknown", text, text, "")  # another year's column: validation names it if filled
        if row is None:
            close = difflib.get_close_matches(text, list(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(Problem(f"{letter}1", f"unknown column {text!r}{hint}"))
            continue
        if row.path in seen:
            problems.append(Problem(f"{letter}1", f"column {text!r} again: {row.path} is column {seen[row.path]}"))
            continue
        seen[row.path] = letter
        columns.append((index, text, replace(row, kind=_KINDS.get(row.path, row.kind))))
    if "unit_id" not in seen:
        problems.append(Problem("", "no unit_id (单位编号) column in the first row: is this a bulk table?"))
    return columns, problems


def _bulk_value(value: Any) -> Any:
    return value.value() if isinstance(value, _Deferred) else value


def _bulk(
    rows: Iterator[tuple[int, list[Any], list[str]]], name: str, given: IndicatorsSource, sheet: list[str]
) -> Iterator[Result]:
    header: list[Any] | None = None
    headers: dict[Indicators, tuple[list[tuple[int, str, Row]], list[Problem]]] = {}
    any_row = False
    for number, values, formats in rows:
        if header is None:
            header = values
            continue
        if all(is_empty(v) for v in values):
            continue
        any_row = True
        source = f"{name} row {number}"
        tab = sheet[0] if sheet else None
        year = _row_year(header, values)
        try:
            indicators = indicators_of(given, {"year": year} if year is not None else {}, source)
        except InputError as exc:
            yield source, exc
            continue
        if indicators not in headers:
            headers[indicators] = _columns(header, indicators, strict=not headers)
        columns, problems = headers[indicators]
        if problems:
            raise _Refused("; ".join(f"{p.loc} {p.message}".strip() for p in problems))
        unit = _Unit()
        for index, text, row in columns:
            raw = values[index - 1] if index <= len(values) else None
            cell = Cell(_ref(tab, index, number), text)
            try:
                value = _bulk_value(raw)
            except CellError as exc:
                unit.cells[row.path] = cell
                unit.fail(row.path, cell, str(exc))
                continue
            if row.kind == "unknown":
                unit.cells[row.path] = cell
                if not is_empty(value):
                    unit.put(row.path, value)
                continue
            fmt = formats[index - 1] if index <= len(formats) else ""
            unit.read(row, cell, value, fmt or "General")
        if not any(v is not None for v in (unit.data.get("rectification") or {}).values()):
            unit.data.pop("rectification", None)
        yield _validated(unit, source, indicators)
    if header is None:
        raise _Refused("the table is empty")
    if not any_row:
        raise _Refused("the table has a header row and no units")


def _row_year(header: list[Any], values: list[Any]) -> int | None:
    for index, raw in enumerate(header):
        if str(raw).strip() in ("year", "考核年度") and index < len(values):
            try:
                value = read_cell(_bulk_value(values[index]), Row("year", "year", "year", "", "", ""))
            except CellError:
                return None
            return value if isinstance(value, int) else None
    return None


# --- the front door ---------------------------------------------------------------------------------------------


def spreadsheet_units(path: Path, name: str | None = None, given: IndicatorsSource = None) -> Iterator[Result]:
    """Each unit in one spreadsheet file with its source (the file's name; ``name row N`` in a bulk table),
    validated, or the error rejecting it. ``given`` is what ``load_submissions`` calls ``rubric``."""
    name = name or path.name
    suffix = path.suffix.lower()
    results: list[Result] = []
    try:
        if suffix in REFUSED:
            raise _Refused(REFUSED[suffix])
        if suffix == ".csv" and not is_bulk(name):
            raise _Refused(f"a CSV file is read as a bulk table when its name ends in .bulk.csv ({path.stem}.bulk.csv)")
        data = _file_bytes(path)
        if suffix == ".csv":
            results.extend(_bulk(_csv_rows(data), name, given, []))
        else:
            check_archive(data)
            cached = _Cached(data)
            if is_bulk(name):
                sheet: list[str] = []
                results.extend(_bulk(_xlsx_rows(data, cached, sheet), name, given, sheet))
            else:
                book = _open(data, values=False, streaming=False)
                meta = _meta(book)
                if meta is None:
                    raise _Refused(
                        f"not a workbook made by appraisal template (it has no {META_SHEET} sheet); "
                        "a bulk table's name ends in .bulk.xlsx"
                    )
                results.append(_form(data, book, meta, name, given))
    except _Refused as exc:
        yield name, InputError(name, [Problem("", str(exc))])
        return
    except InputError as exc:
        yield name, exc
        return
    yield from results


__all__ = ["MAX_UNPACKED", "REFUSED", "check_archive", "spreadsheet_units"]

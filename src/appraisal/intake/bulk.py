"""Reading a bulk table (``*.bulk.csv``, ``*.bulk.xlsx``): one unit per row.

In: the table's bytes; the indicators given (or none: those of each row's year). Out: each row's unit, or the
error rejecting that row alone, named ``name row N`` with each problem at its cell (``J3``, ``Units!J3``); a
header that cannot be read refuses the table once (``Refused``). Columns are dotted paths or Chinese labels, in
any order; the xlsx is streamed (openpyxl's read-only mode), and formula cells wait for their saved values
until their row is read.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from openpyxl.utils import get_column_letter

from ..errors import InputError, Problem
from ..submission.indicators import Indicators
from ..submission.loading import IndicatorsSource, indicators_of
from .cells import CellError, is_empty, read_cell
from .files import Cached, Refused, formula_text, open_workbook
from .filled import Cell, Filled, Result, ref, validated
from .layout import Row, bulk_headers

Rows = Iterator[tuple[int, list[Any], list[str]]]
"""(row number, cell values, number formats) of each row of a table."""


@dataclass
class Table:
    """A bulk table's rows, and the name of its sheet (``None`` for CSV)."""

    sheet: str | None
    rows: Rows


def csv_table(data: bytes) -> Table:
    if b"\x00" in data:
        raise Refused("binary file, not CSV text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Refused(f"not UTF-8 text (byte {exc.start}): save it as CSV UTF-8 (逗号分隔)") from exc

    def rows() -> Rows:
        try:
            for number, values in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
                yield number, list(values), []
        except csv.Error as exc:
            raise Refused(f"not a readable CSV table ({exc})") from exc

    return Table(None, rows())


def xlsx_table(data: bytes) -> Table:
    book = open_workbook(data, values=False, streaming=True)
    sheets = [s for s in book.worksheets if s.sheet_state == "visible"]
    if len(sheets) != 1:
        book.close()
        raise Refused(f"a bulk table has one sheet (this one has {', '.join(s.title for s in sheets) or 'none'})")
    sheet = sheets[0]
    cached = Cached(data)

    def rows() -> Rows:
        try:
            for number, cells in enumerate(sheet.iter_rows(), start=1):
                values: list[Any] = []
                formats: list[str] = []
                for cell in cells:
                    value: Any = cell.value
                    if getattr(cell, "data_type", None) in ("f", "e"):
                        value = _Deferred(cell, sheet.title, cached)
                    values.append(value)
                    number_format = getattr(cell, "number_format", "General")
                    formats.append(number_format if isinstance(value, float | int) else "")
                yield number, values, formats
        finally:
            book.close()

    return Table(sheet.title, rows())


@dataclass
class _Deferred:
    """A formula or error cell of a streamed bulk table, read when its row is."""

    cell: Any
    sheet: str
    cached: Cached
    coordinate: str = ""

    def __post_init__(self) -> None:
        self.coordinate = f"{get_column_letter(self.cell.column)}{self.cell.row}"

    def value(self) -> Any:
        if self.cell.data_type == "e":
            raise CellError(f"an Excel error value ({self.cell.value})")
        saved = self.cached.value(self.sheet, self.coordinate)
        if saved is None:
            raise CellError(
                f"a formula without a saved value ({formula_text(self.cell.value)}): open and save the table in "
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


def bulk_units(table: Table, name: str, given: IndicatorsSource) -> Iterator[Result]:
    """Each row's unit, or the error rejecting that row; ``Refused`` when the header cannot be read."""
    header: list[Any] | None = None
    headers: dict[Indicators, tuple[list[tuple[int, str, Row]], list[Problem]]] = {}
    years: dict[int | None, Indicators] = {}  # looked up once a year, not once a row
    prefix = ref(table.sheet, 1, 1)[:-2]  # the sheet's part of a cell reference: 'Units!', or nothing for CSV
    any_row = False
    for number, values, formats in table.rows:
        if header is None:
            header = values
            continue
        if all(is_empty(v) for v in values):
            continue
        any_row = True
        source = f"{name} row {number}"
        year = _row_year(header, values)
        try:
            if year not in years:
                years[year] = indicators_of(given, {"year": year} if year is not None else {}, source)
        except InputError as exc:
            yield source, exc
            continue
        indicators = years[year]
        if indicators not in headers:
            headers[indicators] = _columns(header, indicators, strict=not headers)
        columns, problems = headers[indicators]
        if problems:
            raise Refused("; ".join(f"{p.loc} {p.message}".strip() for p in problems))
        unit = Filled()
        for index, text, row in columns:
            raw = values[index - 1] if index <= len(values) else None
            cell = Cell(f"{prefix}{get_column_letter(index)}{number}", text)
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
        org_type = unit.data.get("org_type")
        if org_type in indicators.org_type_ids:  # so that a required field left empty is named, not its section
            for section in indicators.fields_for(org_type):
                unit.data.setdefault(section, {})
        yield validated(unit, source, indicators)
    if header is None:
        raise Refused("the table is empty")
    if not any_row:
        raise Refused("the table has a header row and no units")


def _row_year(header: list[Any], values: list[Any]) -> int | None:
    for index, raw in enumerate(header):
        if str(raw).strip() in ("year", "考核年度") and index < len(values):
            try:
                value = read_cell(_bulk_value(values[index]), Row("year", "year", "year", "", "", ""))
            except CellError:
                return None
            return value if isinstance(value, int) else None
    return None

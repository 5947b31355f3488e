"""Reading a fill-in workbook made by ``appraisal template``: one unit.

In: the workbook's bytes, opened; the indicators given (or none: those of the year its hidden sheet records).
Out: the unit, or one ``InputError`` listing every problem by sheet and cell. The workbook is checked as a whole
first (its record sheet, its year, org type and indicators' sha256, its sheets), then row by row by the ids in
column A, so rows may be read whatever their order and a deleted or edited id is named.
"""

from __future__ import annotations

import difflib
from typing import Any

from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ..errors import Problem
from ..submission.indicators import Indicators
from ..submission.loading import IndicatorsSource, indicators_of
from .cells import CellError, is_empty, read_cell, shown
from .files import Cached, Refused, cell_value, open_workbook
from .filled import Cell, Filled, Result, ref, validated
from .layout import (
    FIRST_ROW,
    FORMAT,
    INPUT_COLUMN,
    META_SHEET,
    Row,
    field_row,
    identity_rows,
    section_sheets,
    sheet_names,
    word,
)

SPARE_ROWS = 1000
"""Rows a sheet may have below its own (empty, or reported as out of place) before it is refused whole."""


def record(book: Workbook) -> dict[str, Any] | None:
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
        raise Refused(f"the hidden {META_SHEET} sheet is damaged: make a new workbook with appraisal template")
    indicators = indicators_of(given, {"year": year}, name)
    if indicators.year != year:
        raise Refused(f"a workbook for {year}; the appraisal given scores {indicators.year}")
    if org_type not in indicators.org_type_ids:
        known = ", ".join(indicators.org_type_ids)
        raise Refused(f"a workbook for org type {org_type!r}, which {year} does not have ({known})")
    if meta.get("indicators_sha256") != indicators.sha256:
        raise Refused(
            f"a workbook made from other indicators of {year} (sha256 {str(meta.get('indicators_sha256'))[:12]}; "
            f"these are {indicators.sha256[:12]}): fill in a new one from appraisal template --org-type {org_type}"
        )
    return indicators, org_type, lang if lang in ("en", "zh") else "en"


def _check_sheets(book: Workbook, expected: list[str], org_type: str, year: int) -> None:
    actual = [s for s in book.sheetnames if s != META_SHEET]
    missing = [s for s in expected if s not in actual]
    extra = [s for s in actual if s not in expected]
    if len(missing) == 1 and len(extra) == 1:
        raise Refused(f"sheet {missing[0]!r} was renamed {extra[0]!r}: give it its name back")
    if missing:
        raise Refused(
            f"no sheet {missing[0]!r} (deleted or renamed?); a {org_type} workbook of {year} has all of: "
            + ", ".join(expected)
        )
    if extra:
        raise Refused(f"extra sheet {extra[0]!r}: a {org_type} workbook of {year} has only " + ", ".join(expected))


def _last_row(sheet: Worksheet, rows: int) -> int:
    """The sheet's last row, refusing a sheet filled far below its rows (each cell would be read and held)."""
    last = FIRST_ROW + rows - 1
    if sheet.max_row > last + SPARE_ROWS:
        raise Refused(f"sheet {sheet.title!r} has cells down to row {sheet.max_row}; its rows end at {last}")
    return sheet.max_row


def _sheet_rows(sheet: Worksheet, unit: Filled, rows: list[Row], lang: str, cached: Cached) -> dict[str, int]:
    """Read ``rows`` from ``sheet`` by the ids in column A; returns id -> row number."""
    wanted = {row.key: row for row in rows}
    seen: dict[str, int] = {}
    title = sheet.title
    for number in range(FIRST_ROW, _last_row(sheet, len(rows)) + 1):
        key = sheet.cell(number, 1).value
        value_cell = sheet.cell(number, INPUT_COLUMN)
        if is_empty(key):
            if not is_empty(value_cell.value):
                where = Cell(ref(title, INPUT_COLUMN, number), "")
                unit.problems.append(Problem(where.ref, "a value in a row without an id in column A"))
            continue
        key = str(key).strip()
        if key not in wanted:
            close = difflib.get_close_matches(key, list(wanted), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            unit.problems.append(Problem(ref(title, 1, number), f"unknown id {key!r} in column A{hint}"))
            continue
        if key in seen:
            unit.problems.append(Problem(ref(title, 1, number), f"id {key!r} again (first on row {seen[key]})"))
            continue
        seen[key] = number
        row = wanted[key]
        cell = Cell(ref(title, INPUT_COLUMN, number), row.label(lang))
        try:
            value = cell_value(value_cell, title, cached)
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


def form_unit(data: bytes, name: str, given: IndicatorsSource) -> Result:
    """The unit of a fill-in workbook, or its error; ``Refused`` when the workbook as a whole cannot be used."""
    book = open_workbook(data, values=False, streaming=False)
    meta = record(book)
    if meta is None:
        raise Refused(
            f"not a workbook made by appraisal template (it has no {META_SHEET} sheet); "
            "a bulk table's name ends in .bulk.xlsx"
        )
    indicators, org_type, lang = _form_indicators(meta, name, given)
    year = indicators.year
    _check_sheets(book, sheet_names(indicators, org_type, lang), org_type, year)
    cached = Cached(data)
    unit = Filled()
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
            unit.data.setdefault(section.id, {})  # so that a required field left empty is named, not its section
            _sheet_rows(book[sheet_name], unit, rows, lang, cached)
    _self_assessment(book[word("self_assessment", lang)], unit, cached)
    return validated(unit, name, indicators)


def _self_assessment(sheet: Worksheet, unit: Filled, cached: Cached) -> None:
    points: dict[str, Any] = {}
    for number in range(FIRST_ROW, _last_row(sheet, 0) + 1):
        key = sheet.cell(number, 1).value
        if is_empty(key):
            continue
        key = str(key).strip()
        cell = Cell(ref(sheet.title, INPUT_COLUMN, number), key)
        path = f"self_assessment.{key}"
        unit.cells[path] = cell
        maximum = sheet.cell(number, 4).value
        row = Row(path, key, "points", key, key, "")
        try:
            value = read_cell(cell_value(sheet.cell(number, INPUT_COLUMN), sheet.title, cached), row)
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

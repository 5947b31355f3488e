"""Fill-in workbooks and bulk-table headers, made from a year's indicators and rubric.

In: a ``Rubric`` (its indicators say what is reported; its items what the unit may assess itself on), an org
type and a language. Out: the bytes of an ``.xlsx`` (or, for a bulk table, a ``.csv``), the same bytes for the
same input. Nothing here knows a field by name: a field added to next year's ``indicators.yaml`` appears in
next year's workbook.

A workbook: the identity sheet first, one sheet per section the type reports (one row per field: id, label,
input cell, unit of measure, description), the self-assessment sheet (one row per rubric item of the type), and
the hidden ``_appraisal`` sheet recording what it was made for. Every input cell carries data validation; the
sheets are protected (no password: a guard against slips, not a lock) with only the input cells open.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from .. import __version__
from ..rubric.models import Rubric
from ..submission.fields import COUNT_MAX, MONEY_MAX, TEXT_MAX
from ..submission.models import SELF_POINTS_MAX, SubmissionBase
from .layout import (
    FIRST_ROW,
    FORMAT,
    INPUT_LETTER,
    META_SHEET,
    Row,
    bulk_rows,
    field_row,
    identity_rows,
    section_sheets,
    word,
)

_OPEN = Protection(locked=False)
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_FIXED_FILL = PatternFill("solid", fgColor="E7E6E6")
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")
_STAMP = (2000, 1, 1, 0, 0, 0)


# --- deterministic bytes ----------------------------------------------------------------------------------------


class _StableZip(zipfile.ZipFile):
    """A zip whose entries carry one fixed timestamp (openpyxl's writer would stamp each with the clock)."""

    def writestr(self, zinfo_or_arcname: Any, data: Any, *args: Any, **kwargs: Any) -> None:
        if isinstance(zinfo_or_arcname, str):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=_STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, *args, **kwargs)

    def write(self, filename: Any, arcname: Any = None, *args: Any, **kwargs: Any) -> None:
        # openpyxl writes each worksheet to a temporary file first: its contents go in, its mtime does not
        with open(filename, "rb") as file:
            self.writestr(str(arcname or filename), file.read())


def workbook_bytes(book: Workbook, year: int) -> bytes:
    """``book`` as .xlsx bytes, stamped with 1 January of ``year`` (never the clock), so the same input gives
    the same bytes."""
    stamp = dt.datetime(year, 1, 1)
    book.properties.created = stamp
    book.properties.modified = stamp
    book.properties.creator = "appraisal"
    buffer = io.BytesIO()
    with _StableZip(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(book, archive).write_data()
    return buffer.getvalue()


# --- validation of input cells ---------------------------------------------------------------------------------


def _quoted_list(items: Iterable[str]) -> str | None:
    listed = list(items)
    text = ",".join(listed)
    if len(text) > 250 or any("," in i or '"' in i for i in listed):
        return None
    return f'"{text}"'


def _between(
    kind: Literal["whole", "decimal", "date", "textLength"], low: float | str, high: float | str
) -> DataValidation:
    def text(bound: float | str) -> str:
        return bound if isinstance(bound, str) else f"{bound:g}" if isinstance(bound, float) else str(bound)

    return DataValidation(type=kind, operator="between", formula1=text(low), formula2=text(high))


def _validation(row: Row, cell: str, year: int, lang: str, lists: Worksheet) -> DataValidation | None:
    """The data validation of ``row``'s input cell ``cell`` (Excel's own check as the unit types)."""
    field = row.field
    low = float(field.min) if field is not None and field.min is not None else None
    high = float(field.max) if field is not None and field.max is not None else None
    title = row.label(lang)
    match row.kind:
        case "count":
            check = _between("whole", int(low or 0), int(high if high is not None else COUNT_MAX))
            prompt = "一个不小于0的整数" if lang == "zh" else "A whole number, 0 or more"
        case "share":
            check = _between("decimal", low or 0, high if high is not None else 100)
            prompt = "百分比，0到100之间" if lang == "zh" else "A percentage between 0 and 100"
        case "money":
            formula = f"AND(ISNUMBER({cell}),{cell}>=0,{cell}<={int(MONEY_MAX)},ROUND({cell},2)={cell})"
            check = DataValidation(type="custom", formula1=formula)
            prompt = "金额（元），最多两位小数" if lang == "zh" else "An amount in yuan, at most two decimals"
        case "number":
            places = field.decimals if field is not None and field.decimals is not None else 2
            parts = [f"ISNUMBER({cell})", f"ROUND({cell},{places})={cell}"]
            parts += [f"{cell}>={low:g}"] if low is not None else []
            parts += [f"{cell}<={high:g}"] if high is not None else []
            check = DataValidation(type="custom", formula1=f"AND({','.join(parts)})")
            prompt = f"数字，最多{places}位小数" if lang == "zh" else f"A number, at most {places} decimals"
        case "points":
            maximum = row.maximum if row.maximum is not None else SELF_POINTS_MAX
            check = _between("decimal", 0, maximum)
            prompt = f"0到{maximum:g}分" if lang == "zh" else f"Points between 0 and {maximum:g}"
        case "flag":
            words = ["是", "否", "yes", "no"] if lang == "zh" else ["yes", "no", "是", "否"]
            check = DataValidation(type="list", formula1=_quoted_list(words))
            prompt = "是 或 否" if lang == "zh" else "yes or no"
        case "choice":
            assert field is not None
            labels = [c.zh if lang == "zh" else c.en for c in field.choices]
            inline = _quoted_list(labels)
            if inline is None:  # too long for Excel's inline list: the choices go on the hidden sheet
                column = max(lists.max_column + 1, 4)  # columns A and B hold the record
                for index, label in enumerate(labels, start=1):
                    lists.cell(index, column, label)
                letter = get_column_letter(column)
                inline = f"'{META_SHEET}'!${letter}$1:${letter}${len(labels)}"
            check = DataValidation(type="list", formula1=inline)
            prompt = "从列表中选择" if lang == "zh" else "Choose from the list"
        case "date":
            last = year + 1 if row.path == "appraisal_date" else year
            check = _between("date", f"DATE({year},1,1)", f"DATE({last},12,31)")
            prompt = f"{year}年内的日期" if lang == "zh" else f"A date in {year}, such as {year}-12-20"
            if last != year:
                prompt = f"{year}或{last}年的日期" if lang == "zh" else f"A date in {year} or {last}"
        case "text" | "id" | "name":
            length = row.max_length or TEXT_MAX
            check = _between("textLength", 1 if row.required else 0, length)
            prompt = f"不超过{length}个字" if lang == "zh" else f"At most {length} characters"
        case _:
            return None
    check.add(cell)
    check.allow_blank = True
    check.showErrorMessage = True
    check.showInputMessage = True
    check.promptTitle = title[:32]
    check.prompt = prompt
    check.errorTitle = title[:32]
    check.error = prompt
    return check


_FORMATS = {"count": "0", "money": "0.00", "date": "yyyy-mm-dd", "id": "@", "name": "@", "text": "@"}


def _header(sheet: Worksheet, title: str, hint: str, columns: list[str], widths: list[int]) -> None:
    sheet.cell(1, 1, title).font = Font(bold=True, size=13)
    sheet.cell(2, 1, hint).alignment = Alignment(wrap_text=False)
    for index, (name, width) in enumerate(zip(columns, widths, strict=True), start=1):
        sheet.cell(3, index, name).font = _BOLD
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"A{FIRST_ROW}"
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False


def _rows(sheet: Worksheet, rows: list[Row], year: int, lang: str, lists: Worksheet, values: dict[str, Any]) -> None:
    for number, row in enumerate(rows, start=FIRST_ROW):
        sheet.cell(number, 1, row.key)
        text = row.label(lang)
        text = text if lang == "zh" else text[:1].upper() + text[1:]
        label = sheet.cell(number, 2, text + (" *" if row.required and row.kind != "fixed" else ""))
        label.alignment = _WRAP
        sheet.cell(number, 4, row.unit_zh if lang == "zh" else row.unit)
        sheet.cell(number, 5, row.description).alignment = _WRAP
        cell = sheet.cell(number, 3, values.get(row.path))
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"  # a text that begins with =, never a formula
        if row.kind == "fixed":
            cell.fill = _FIXED_FILL
            continue
        cell.protection = _OPEN
        cell.fill = _INPUT_FILL
        cell.number_format = _FORMATS.get(row.kind, "General")
        check = _validation(row, f"{INPUT_LETTER}{number}", year, lang, lists)
        if check is not None:
            sheet.add_data_validation(check)


def _cell_value(value: Any, row: Row, lang: str) -> Any:
    """A submission value as the unit would type it (the reverse of ``cells.read_cell``)."""
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if row.kind == "choice" and row.field is not None:
        choice = next(c for c in row.field.choices if c.id == value)
        return choice.zh if lang == "zh" else choice.en
    if isinstance(value, Decimal):
        return float(value) if row.kind != "money" or value == round(value, 2) else str(value)
    return value


def _values(submission: SubmissionBase, rows: Iterable[Row], lang: str) -> dict[str, Any]:
    found = {}
    for row in rows:
        head, _, rest = row.path.partition(".")
        value = getattr(getattr(submission, head, None), rest, None) if rest else getattr(submission, head, None)
        if value is not None:
            found[row.path] = _cell_value(value, row, lang)
    return found


def workbook(rubric: Rubric, org_type: str, lang: str = "en", submission: SubmissionBase | None = None) -> bytes:
    """The fill-in workbook of ``org_type`` for ``rubric``'s year, in ``lang``; with ``submission``, filled in
    with its values (what ``scripts/make_examples.py`` uses to write the demo's workbooks)."""
    indicators = rubric.indicators
    if org_type not in indicators.org_type_ids:
        raise ValueError(f"unknown org type {org_type!r}; {indicators.year} has {', '.join(indicators.org_type_ids)}")
    year = indicators.year
    book = Workbook()
    book.security = WorkbookProtection(lockStructure=True)
    identity = book.active
    assert identity is not None
    identity.title = word("identity", lang)
    meta = book.create_sheet(META_SHEET)
    meta.sheet_state = "hidden"
    lists = meta
    columns = [word(k, lang) for k in ("id", "label", "value", "unit", "description")]
    widths = [30, 44, 18, 10, 70]

    rows = list(identity_rows())
    fixed = {"org_type": org_type, "year": year}
    values = _values(submission, rows, lang) if submission is not None else {}
    org_name = indicators.org_type(org_type).name(lang)
    title = (
        f"{word('identity_title', lang)}：{org_name}，{year}年"
        if lang == "zh"
        else f"{word('identity_title', lang)}: {org_name}, {year}"
    )
    _header(identity, title, word("hint", lang), columns, widths)
    _rows(identity, rows, year, lang, lists, {**values, **fixed})

    for section in indicators.sections:
        name = section_sheets(indicators, org_type, lang).get(section.id)
        if name is None:
            continue
        sheet = book.create_sheet(name)
        rows = [field_row(section.id, f) for f in section.fields if f.applies_to(org_type)]
        _header(sheet, section.title.get(lang), word("hint", lang), columns, widths)
        _rows(sheet, rows, year, lang, lists, _values(submission, rows, lang) if submission is not None else {})

    own = book.create_sheet(word("self_assessment", lang))
    columns = [word(k, lang) for k in ("id", "label", "points", "max", "group")]
    _header(own, word("self_assessment", lang), word("self_hint", lang), columns, [12, 60, 14, 10, 24])
    points = dict(submission.self_assessment or {}) if submission is not None else {}
    earning = [item for item in rubric.items_for(org_type) if item.deduction is None]  # deductions earn nothing
    for number, item in enumerate(earning, start=FIRST_ROW):
        maximum = item.max_for(org_type)
        assert maximum is not None
        row = Row(f"self_assessment.{item.id}", item.id, "points", item.id, item.id, "", maximum=float(maximum))
        own.cell(number, 1, item.id)
        own.cell(number, 2, item.title.get(lang)).alignment = _WRAP
        cell = own.cell(number, 3, float(points[item.id]) if item.id in points else None)
        cell.protection = _OPEN
        cell.fill = _INPUT_FILL
        own.cell(number, 4, float(maximum))
        own.cell(number, 5, item.group)
        check = _validation(row, f"{INPUT_LETTER}{number}", year, lang, lists)
        assert check is not None
        own.add_data_validation(check)

    book.move_sheet(meta, offset=len(book.sheetnames))
    record = {
        "format": FORMAT,
        "kind": "form",
        "year": year,
        "org_type": org_type,
        "lang": lang,
        "indicators_sha256": indicators.sha256,
        "rubric_id": rubric.id,
        "rubric_version": rubric.manifest.version,
        "rubric_sha256": rubric.sha256,
        "made_by": f"appraisal {__version__}",
    }
    for number, (key, value) in enumerate(record.items(), start=1):
        meta.cell(number, 1, key)
        meta.cell(number, 2, value)
    meta.protection.sheet = True
    return workbook_bytes(book, year)


# --- bulk tables ---------------------------------------------------------------------------------------------


def bulk_header(rubric: Rubric, org_type: str | None = None, lang: str = "en") -> list[str]:
    """The header row of a bulk table: dotted paths (``lang="en"``) or Chinese labels (``"zh"``)."""
    indicators = rubric.indicators
    if org_type is not None and org_type not in indicators.org_type_ids:
        raise ValueError(f"unknown org type {org_type!r}; {indicators.year} has {', '.join(indicators.org_type_ids)}")
    return [row.zh if lang == "zh" else row.path for row in bulk_rows(indicators, org_type)]


def bulk_csv(rubric: Rubric, org_type: str | None = None, lang: str = "en") -> bytes:
    """A bulk table's header row as CSV: UTF-8 with a BOM (so Excel reads the Chinese), CRLF line ends."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(bulk_header(rubric, org_type, lang))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def bulk_workbook(rubric: Rubric, org_type: str | None = None, lang: str = "en") -> bytes:
    """A bulk table's header row as a one-sheet workbook (the header frozen, bold)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Units" if lang != "zh" else "单位"
    for column, text in enumerate(bulk_header(rubric, org_type, lang), start=1):
        cell = sheet.cell(1, column, text)
        cell.font = _BOLD
        sheet.column_dimensions[get_column_letter(column)].width = max(12, min(40, len(text) + 2))
    sheet.freeze_panes = "B2"
    return workbook_bytes(book, rubric.year)

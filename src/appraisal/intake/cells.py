"""One spreadsheet cell -> the value a submission mapping holds, by the kind of its row.

In: what openpyxl (or the csv module) gives for a cell: a number, a boolean, a date, a text, or nothing, and the
cell's number format. Out: the JSON-like value ``validate_unit`` takes (``None`` for an empty cell), or a
``CellError`` with a plain message: ``not a whole number ("two")``. Bounds, lengths and required fields are left
to the submission model, so a workbook and a JSON file are refused for the same reasons in the same words.

What a cell may hold: yes/no cells 是/否, yes/no, TRUE/FALSE (Excel's booleans, or the words); number cells a
number or a numeric text without thousands separators (a cell formatted as a percentage is read as shown:
45% is 45); date cells a date or an ISO date text (2026-12-20); choice cells a choice's id or either label.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from .layout import NO, YES, Row

_NUMBER = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$", re.ASCII)
_SEPARATED = re.compile(r"^[+-]?[0-9]{1,3}([,，\s'][0-9]{3})+(\.[0-9]+)?$")


class CellError(ValueError):
    """A cell that cannot be read as its row's kind."""


def shown(value: Any) -> str:
    """A cell's value as messages quote it."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        value = value.date()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        value = str(value)
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _number(value: Any, what: str, percent: bool = False) -> Decimal:
    """A cell's number as an exact decimal (a float as its shortest repr: 0.1 stays 0.1)."""
    if isinstance(value, bool) or isinstance(value, dt.date | dt.time | dt.timedelta):
        raise CellError(f"not {what} ({shown(value)})")
    if isinstance(value, int | float | Decimal):
        if isinstance(value, float) and not math.isfinite(value):
            raise CellError(f"not {what} ({shown(value)})")
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        return number * 100 if percent else number
    text = str(value).strip()
    if _SEPARATED.match(text):
        raise CellError(f"not {what} ({shown(value)}): write it without thousands separators")
    if not _NUMBER.match(text):
        raise CellError(f"not {what} ({shown(value)})")
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only valid decimals
        raise CellError(f"not {what} ({shown(value)})") from exc


def _whole(value: Any, percent: bool = False) -> int:
    number = _number(value, "a whole number", percent)
    if number != number.to_integral_value():
        raise CellError(f"not a whole number ({shown(value)})")
    return int(number)


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold() if isinstance(value, str) else None
    if text in YES:
        return True
    if text in NO:
        return False
    raise CellError(f"not yes or no ({shown(value)}): write 是/否 or yes/no")


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        if value.time() != dt.time():
            raise CellError(f"not a date ({shown(value)}): a date without a time of day")
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text, re.ASCII):
                return dt.date.fromisoformat(text)
        except ValueError as exc:
            raise CellError(f"not a date ({shown(value)})") from exc
        raise CellError(f"not a date ({shown(value)}): write it as 2026-12-20")
    raise CellError(f"not a date ({shown(value)}): format the cell as a date, or write 2026-12-20")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _choice(value: Any, row: Row) -> str:
    assert row.field is not None
    text = _text(value).strip()
    for choice in row.field.choices:
        if text == choice.id or text.casefold() == choice.en.casefold() or text == choice.zh:
            return choice.id
    listed = ", ".join(f"{c.id} ({c.zh})" for c in row.field.choices)
    raise CellError(f"not one of the choices ({shown(value)}): {listed}")


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_cell(value: Any, row: Row, number_format: str = "General") -> Any:
    """The submission value of one cell of ``row`` (``None`` when empty); ``CellError`` when it cannot be one."""
    if is_empty(value):
        return None
    percent = "%" in number_format and isinstance(value, int | float) and not isinstance(value, bool)
    match row.kind:
        case "count":
            return _whole(value, percent)
        case "share" | "number" | "points":
            return float(_number(value, "a number", percent))
        case "money":  # as a float, so messages show 12.345, not "12.345" (15 digits cover MONEY_MAX exactly)
            return float(_number(value, "an amount in yuan", percent))
        case "flag":
            return _flag(value)
        case "date":
            return _date(value)
        case "choice":
            return _choice(value, row)
        case "year":
            return _whole(value)
        case _:  # text, id, name, fixed
            text = _text(value)
            return text.strip() if row.kind in ("id", "name", "fixed") else text

"""One unit read from cells: the mapping ``validate_unit`` takes, the cell each field path came from, and the
cells that could not be read; validated with every problem named by its cell.

In: cells read by ``forms.py`` or ``bulk.py``. Out: ``(source, SubmissionBase | InputError)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from ..errors import InputError, Problem
from ..submission.indicators import Indicators
from ..submission.loading import validate_unit
from ..submission.models import SubmissionBase
from .cells import CellError, read_cell
from .layout import Row

Result = tuple[str, SubmissionBase | InputError]


@dataclass(frozen=True)
class Cell:
    ref: str  # Leadership!C7
    label: str


@dataclass
class Filled:
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


def ref(sheet: str | None, column: int, row: int) -> str:
    where = f"{get_column_letter(column)}{row}"
    if sheet is None:
        return where
    return f"{sheet}!{where}" if re.fullmatch(r"\w+", sheet) else f"'{sheet}'!{where}"


def _by_cell(problem: Problem, cells: dict[str, Cell]) -> Problem:
    cell = cells.get(problem.loc)
    if cell is not None:
        return Problem(f"{cell.ref} {cell.label}".rstrip(), problem.message)
    message = problem.message
    for path, where in cells.items():  # a check across fields names them in its message
        message = re.sub(rf"(?<![\w.]){re.escape(path)}(?![\w.])", f"{where.ref} {where.label}".rstrip(), message)
    return Problem(problem.loc, message)


def validated(unit: Filled, source: str, indicators: Indicators) -> Result:
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

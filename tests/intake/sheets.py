"""Helpers for the intake tests: a filled workbook of a known unit, edited by hand with openpyxl."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

import openpyxl
from openpyxl.workbook.workbook import Workbook
from tests.builders import make, shipped

from appraisal.errors import InputError
from appraisal.intake import workbook
from appraisal.submission import SubmissionBase, load_submissions

RUBRIC = shipped(2026)


def village() -> SubmissionBase:
    return make(
        "village",
        "village-017",
        leadership={"standing_committee_hearings": 3, "leader_in_charge": True, "working_meetings": 4},
        safeguard={"office_funds_yuan": "2000.50", "office_equipment": False},
        double_learning={"technical_trainings": 2, "women_trained": 40},
        self_assessment={"L08": 4},
        rectification={"responsible_person": "王丽"},
    )


@cache
def _village_workbook(lang: str) -> bytes:
    return workbook(RUBRIC, "village", lang, village())


def filled(folder: Path, name: str = "village-017.xlsx", lang: str = "en", unit: SubmissionBase | None = None) -> Path:
    """The workbook of ``unit`` (default: ``village()``) written to ``folder / name``."""
    path = folder / name
    path.write_bytes(workbook(RUBRIC, "village", lang, unit) if unit is not None else _village_workbook(lang))
    return path


def edit(path: Path, change: Callable[[Workbook], object]) -> Path:
    book = openpyxl.load_workbook(path)
    change(book)
    book.save(path)
    return path


def errors(path: Path, rubric: object = None) -> list[str]:
    """The lines of the one error rejecting ``path`` (and that nothing was loaded)."""
    units, rejected = load_submissions([path], rubric=rubric)  # type: ignore[arg-type]
    assert not units and len(rejected) == 1, (units, rejected)
    error = rejected[0]
    assert isinstance(error, InputError)
    return error.lines()


def set_cell(sheet: str, ref: str, value: object) -> Callable[[Workbook], object]:
    def change(book: Workbook) -> None:
        book[sheet][ref].value = value

    return change

"""Stage 7, intake: spreadsheets <-> submissions.

Out: fill-in workbooks made from a year's indicators and rubric (``template.workbook``) and bulk-table headers
(``template.bulk_csv``, ``template.bulk_workbook``). In: filled workbooks and bulk tables, read into the same
validated submissions as JSON and YAML files (``reading.spreadsheet_units``, which
``submission.loading.units_in`` calls for ``.xlsx`` and ``*.bulk.csv`` files), every problem named by its cell.
See docs/intake.md.
"""

from __future__ import annotations

from .files import MAX_FORM_UNPACKED, MAX_UNPACKED
from .layout import BULK_SUFFIXES, META_SHEET, is_bulk
from .reading import spreadsheet_units
from .template import bulk_csv, bulk_header, bulk_workbook, workbook

__all__ = [
    "BULK_SUFFIXES",
    "MAX_FORM_UNPACKED",
    "MAX_UNPACKED",
    "META_SHEET",
    "bulk_csv",
    "bulk_header",
    "bulk_workbook",
    "is_bulk",
    "spreadsheet_units",
    "workbook",
]

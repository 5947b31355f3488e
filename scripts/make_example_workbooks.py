"""Write the demo's spreadsheet examples into src/appraisal/examples/ (run: make examples, after make_examples.py).

Each is made from a JSON or YAML example already there, under a new unit id, so the demo scores a unit sent as a
workbook beside those sent as files:

- village-101.xlsx (Chinese) and township-101.xlsx (English): fill-in workbooks, as ``appraisal template`` makes
  them, filled in;
- agencies.bulk.xlsx (dotted paths as headers) and streets.bulk.csv (Chinese labels): bulk tables;
- invalid-village-102.xlsx: a workbook with a text in a number cell and no name, refused with its cells.

The bytes are the same at every run (no clock, no randomness).
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Any

import openpyxl

from appraisal import load_rubric
from appraisal.intake import bulk_header, workbook
from appraisal.intake.layout import bulk_rows
from appraisal.intake.template import workbook_bytes
from appraisal.submission import SubmissionBase, load_submission

OUT = Path(__file__).resolve().parents[1] / "src" / "appraisal" / "examples"
WORKBOOKS = (
    ("village-002.yaml", "village-101", "杏花村妇代会", "zh", "village-101.xlsx"),
    ("township-03.json", "township-101", "Yuntai Township Women's Federation", "en", "township-101.xlsx"),
)
BULK = (
    (
        "agencies.bulk.xlsx",
        "en",
        (
            ("agency-04.json", "agency-101", "龙泉县卫健局妇委会"),
            ("agency-06.json", "agency-102", "金沙县文旅局妇委会"),
        ),
    ),
    (
        "streets.bulk.csv",
        "zh",
        (
            ("street-02.yaml", "street-101", "杏花街道妇联"),
            ("street-07.yaml", "street-102", "龙泉街道妇联"),
        ),
    ),
)


def renamed(source: str, unit_id: str, name: str) -> SubmissionBase:
    unit = load_submission(OUT / source)
    return unit.model_copy(update={"unit_id": unit_id, "name": name})


def cell_text(value: Any, lang: str) -> Any:
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if value is None:
        return ""
    return str(value)


def bulk_values(unit: SubmissionBase, lang: str) -> list[Any]:
    values = []
    for row in bulk_rows(unit.indicators, unit.org_type):
        head, _, rest = row.path.partition(".")
        value = getattr(getattr(unit, head, None), rest, None) if rest else getattr(unit, head)
        values.append(cell_text(value, lang))
    return values


def main() -> int:
    rubric = load_rubric(2026)
    for source, unit_id, name, lang, target in WORKBOOKS:
        unit = renamed(source, unit_id, name)
        (OUT / target).write_bytes(workbook(rubric, unit.org_type, lang, unit))
    for target, lang, sources in BULK:
        units = [renamed(*spec) for spec in sources]
        header = bulk_header(rubric, units[0].org_type, lang)
        rows = [bulk_values(unit, lang) for unit in units]
        if target.endswith(".csv"):
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\r\n").writerows([header, *rows])
            (OUT / target).write_bytes(("\ufeff" + buffer.getvalue()).encode("utf-8"))
        else:
            book = openpyxl.Workbook()
            sheet = book.active
            assert sheet is not None
            sheet.title = "Units"
            for values in [header, *rows]:
                sheet.append([int(v) if isinstance(v, str) and v.isdigit() and len(v) < 10 else v for v in values])
            (OUT / target).write_bytes(workbook_bytes(book, rubric.year))
    unit = renamed("village-003.yaml", "village-102", "桃源村妇代会")
    book = openpyxl.load_workbook(io.BytesIO(workbook(rubric, "village", "zh", unit)))
    book["组织领导机制"]["C4"] = "两次"  # a text where a whole number belongs
    book["基本信息"]["C5"] = None  # the name left out
    (OUT / "invalid-village-102.xlsx").write_bytes(workbook_bytes(book, rubric.year))
    print(f"wrote {len(WORKBOOKS) + len(BULK) + 1} spreadsheet examples to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

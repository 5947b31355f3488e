"""Bulk tables: one row per unit, one column per field; a bad row is rejected alone, by row and column."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from tests.intake.sheets import RUBRIC

from appraisal.intake import bulk_csv, bulk_header, bulk_workbook
from appraisal.submission import load_submissions

HEADER = bulk_header(RUBRIC, "village")
GOOD = ["village-001", "青山村妇代会", "village", "2026", "", "2026-12-20", "", "王丽", "", "3", "1", "0", "是", "yes"]


def _csv(path: Path, rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _lines(rejected: list) -> list[str]:  # type: ignore[type-arg]
    return [line for error in rejected for line in error.lines()]


def test_the_header_row_is_the_identity_then_every_field_of_the_type() -> None:
    assert HEADER[:9] == [
        "unit_id",
        "name",
        "org_type",
        "year",
        "parent_unit_id",
        "appraisal_date",
        "self_score",
        "rectification.responsible_person",
        "rectification.position",
    ]
    fields = RUBRIC.indicators.fields_for("village")
    assert HEADER[9:] == [f"{s}.{f.id}" for s, found in fields.items() for f in found]
    every = bulk_header(RUBRIC)
    assert "leadership.wcwc_member_units" in every and "leadership.wcwc_member_units" not in HEADER
    assert bulk_header(RUBRIC, "village", "zh")[:2] == ["单位编号", "单位名称"]
    assert bulk_csv(RUBRIC, "village").startswith(b"\xef\xbb\xbfunit_id,name,org_type,")


def test_a_bad_row_is_rejected_alone_naming_its_row_and_column(tmp_path: Path) -> None:
    bad = ["village-002", "白河村妇代会", "village", "2026", "", "2026-12-20", "", "", "", "two", "1", "0", "maybe"]
    other = ["village-003", "临江村妇代会", "village", "2026", "", "2026-12-31"]
    path = _csv(tmp_path / "units.bulk.csv", [HEADER, GOOD, bad, [], other])
    units, rejected = load_submissions([path])
    assert [u.source for u in units] == ["units.bulk.csv row 2", "units.bulk.csv row 5"]
    assert units[0].reported("leadership.leader_in_charge") is True
    assert units[0].rectification is not None and units[0].rectification.responsible_person == "王丽"
    assert _lines(rejected) == [
        'units.bulk.csv row 3: J3 leadership.standing_committee_hearings: not a whole number ("two")',
        'units.bulk.csv row 3: M3 leadership.leader_in_charge: not yes or no ("maybe"): write 是/否 or yes/no',
    ]


def test_validation_problems_name_the_cell(tmp_path: Path) -> None:
    every = bulk_header(RUBRIC)
    row = dict.fromkeys(every, "")
    row |= {"unit_id": "v-1", "name": "x", "org_type": "village", "year": "2026", "appraisal_date": "2026-12-20"}
    row |= {"leadership.wcwc_member_units": "4", "leadership.standing_committee_hearings": "-2"}
    path = _csv(tmp_path / "all.bulk.csv", [every, list(row.values())])
    _, rejected = load_submissions([path])
    column = openpyxl.utils.get_column_letter(every.index("leadership.wcwc_member_units") + 1)
    assert _lines(rejected) == [
        "all.bulk.csv row 2: J2 leadership.standing_committee_hearings: must be >= 0 (got -2)",
        f"all.bulk.csv row 2: {column}2 leadership.wcwc_member_units: does not apply to village units (only county)",
    ]


def test_chinese_labels_as_headers(tmp_path: Path) -> None:
    path = _csv(tmp_path / "zh.bulk.csv", [bulk_header(RUBRIC, "village", "zh"), GOOD])
    [unit], rejected = load_submissions([path])
    assert not rejected
    assert unit.reported("leadership.standing_committee_hearings") == 3


def test_an_xlsx_bulk_table_with_numbers_formulas_and_dates(tmp_path: Path) -> None:
    path = tmp_path / "units.bulk.xlsx"
    path.write_bytes(bulk_workbook(RUBRIC, "village"))
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    sheet.append(["village-001", "甲", "village", 2026, None, "2026-12-20", None, None, None, 3, 1, 0, True, "否"])
    sheet.append(["village-002", "乙", "village", 2026, None, "2026-12-20", None, None, None, "=1+2"])
    book.save(path)
    units, rejected = load_submissions([path])
    assert [u.source for u in units] == ["units.bulk.xlsx row 2"]
    assert units[0].reported("leadership.leadership_contact_system") is False
    assert _lines(rejected) == [
        "units.bulk.xlsx row 3: Units!J3 leadership.standing_committee_hearings: a formula without a saved value "
        "(=1+2): open and save the table in Excel, or type the value"
    ]


@pytest.mark.parametrize(
    ("name", "rows", "message"),
    [
        (
            "units.bulk.csv",
            [["unit_id", "name", "leadrship.standing_committee_hearings"], ["a", "b", "1"]],
            "units.bulk.csv: C1 unknown column 'leadrship.standing_committee_hearings' (did you mean "
            "'leadership.standing_committee_hearings'?)",
        ),
        (
            "units.bulk.csv",
            [["unit_id", "name", "unit_id"], ["a", "b", "c"]],
            "units.bulk.csv: C1 column 'unit_id' again: unit_id is column A",
        ),
        (
            "units.bulk.csv",
            [["name", "year"], ["a", "2026"]],
            "units.bulk.csv: no unit_id (单位编号) column in the first row: is this a bulk table?",
        ),
        ("units.bulk.csv", [HEADER], "units.bulk.csv: the table has a header row and no units"),
        (
            "units.csv",
            [HEADER, GOOD],
            "units.csv: a CSV file is read as a bulk table when its name ends in .bulk.csv (units.bulk.csv)",
        ),
    ],
)
def test_a_table_that_cannot_be_read_is_refused_whole(
    tmp_path: Path, name: str, rows: list[list[str]], message: str
) -> None:
    units, rejected = load_submissions([_csv(tmp_path / name, rows)])
    assert not units and _lines(rejected) == [message]


def test_a_csv_not_in_utf8(tmp_path: Path) -> None:
    path = tmp_path / "units.bulk.csv"
    path.write_bytes(",".join(HEADER[:2]).encode() + b"\r\nv-1,\xc7\xe0\xc9\xbd\r\n")  # GBK
    _, rejected = load_submissions([path])
    assert _lines(rejected) == ["units.bulk.csv: not UTF-8 text (byte 18): save it as CSV UTF-8 (逗号分隔)"]


def test_in_a_folder_bulk_csv_files_are_read_and_other_csv_files_reported(tmp_path: Path) -> None:
    _csv(tmp_path / "units.bulk.csv", [HEADER, GOOD])
    (tmp_path / "out" / ".appraisal").mkdir(parents=True)  # an output folder: a run's own summary.csv, not read
    _csv(tmp_path / "out" / "summary.csv", [["unit_id", "total"], ["village-001", "80"]])
    _csv(tmp_path / "streets.csv", [HEADER, GOOD])  # a bulk table under the wrong name: said, not left out
    units, rejected = load_submissions([tmp_path])
    assert [u.unit_id for u in units] == ["village-001"]
    assert _lines(rejected) == [
        "streets.csv: a CSV file is read as a bulk table when its name ends in .bulk.csv (streets.bulk.csv)"
    ]


def test_a_bulk_workbook_has_one_sheet(tmp_path: Path) -> None:
    path = tmp_path / "units.bulk.xlsx"
    book = openpyxl.Workbook()
    book.create_sheet("More")
    book.save(path)
    _, rejected = load_submissions([path])
    assert _lines(rejected) == ["units.bulk.xlsx: a bulk table has one sheet (this one has Sheet, More)"]


def _cell(value: object, lang: str) -> object:
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    return "" if value is None else str(value)


@pytest.mark.parametrize(("suffix", "lang"), [(".bulk.csv", "en"), (".bulk.xlsx", "zh")])
def test_every_example_survives_a_bulk_table(tmp_path: Path, suffix: str, lang: str) -> None:
    from appraisal.resources import examples

    originals, _ = load_submissions([p for p in sorted(examples().iterdir()) if p.suffix in (".json", ".yaml")])
    header = bulk_header(RUBRIC, None, lang)
    paths = bulk_header(RUBRIC)
    rows = []
    for unit in originals:
        values = []
        for path in paths:
            head, _, rest = path.partition(".")
            values.append(_cell(getattr(getattr(unit, head), rest, None) if rest else getattr(unit, head), lang))
        rows.append(values)
    table = tmp_path / f"all{suffix}"
    if suffix == ".bulk.csv":
        _csv(table, [header, *rows])
    else:
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        for values in [header, *rows]:
            sheet.append(values)
        book.save(table)
    loaded, rejected = load_submissions([table])
    assert not rejected, rejected[:2]
    assert [u.model_dump() for u in loaded] == [u.model_dump() for u in originals]

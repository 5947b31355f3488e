"""The fill-in workbook made from a year's indicators and rubric: its sheets, rows, validation, protection, the
record of what it was made for, and the same bytes every time; ``appraisal template`` writes it."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.worksheet.worksheet import Worksheet
from tests.intake.sheets import RUBRIC

from appraisal import load_rubric
from appraisal.cli import main
from appraisal.intake import workbook
from appraisal.submission import bundled_folder, load_submission

pytestmark = pytest.mark.slow  # started first by make test (tests/conftest.py)


def _book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _validations(sheet: Worksheet) -> dict[str, object]:
    return {str(ref): dv for dv in sheet.data_validations.dataValidation for ref in dv.sqref.ranges}


def test_the_sheets_follow_the_indicators() -> None:
    book = _book(workbook(RUBRIC, "village"))
    assert book.sheetnames == [
        "Identity",
        "Leadership",
        "Appraisal",
        "Safeguard",
        "Double learning",
        "Meritorious service",
        "Five good families",
        "Treatment",
        "Organization",
        "Bonus",
        "Inspection",
        "Self-assessment",
        "_appraisal",
    ]
    assert book["_appraisal"].sheet_state == "hidden"
    leadership = book["Leadership"]
    ids = [leadership.cell(r, 1).value for r in range(4, leadership.max_row + 1)]
    village_fields = RUBRIC.indicators.fields_for("village")["leadership"]
    assert ids == [f.id for f in village_fields]  # the county-only fields are not on the village's sheet
    assert [leadership.cell(4, c).value for c in range(1, 6)] == [
        "standing_committee_hearings",
        "Standing committee hearings",
        None,
        None,
        village_fields[0].en,
    ]
    zh = _book(workbook(RUBRIC, "village", "zh"))
    assert zh.sheetnames[:3] == ["基本信息", "组织领导机制", "考核评价机制"]
    assert zh["组织领导机制"]["B4"].value == "党组织听取妇联工作汇报次数（县、乡镇为党委常委会）"


def test_the_record_sheet_says_what_the_workbook_is_for() -> None:
    record = _book(workbook(RUBRIC, "township", "zh"))["_appraisal"]
    found = {row[0]: row[1] for row in record.iter_rows(values_only=True)}
    assert found["year"] == 2026 and found["org_type"] == "township" and found["lang"] == "zh"
    assert found["indicators_sha256"] == RUBRIC.indicators.sha256
    assert found["rubric_sha256"] == RUBRIC.sha256 and found["rubric_id"] == RUBRIC.id


def test_every_input_cell_is_validated_open_and_the_rest_locked() -> None:
    book = _book(workbook(RUBRIC, "county"))
    for sheet in book.worksheets[:-1]:
        assert sheet.protection.sheet, sheet.title
        checks = _validations(sheet)
        for row in range(4, sheet.max_row + 1):
            if sheet.title == "Identity" and sheet.cell(row, 1).value in ("org_type", "year"):
                assert sheet.cell(row, 3).protection.locked  # shown, not filled in
                continue
            assert not sheet.cell(row, 3).protection.locked, (sheet.title, row)
            assert f"C{row}" in checks, (sheet.title, row)
            for column in (1, 2, 4, 5):
                assert sheet.cell(row, column).protection.locked
    assert book.security is not None and book.security.lockStructure


@pytest.mark.parametrize(
    ("sheet", "ref", "kind", "bounds"),
    [
        ("Leadership", "C4", "whole", ("0", "10000000")),
        ("Leadership", "C7", "list", ('"yes,no,是,否"', None)),
        ("Safeguard", "C6", "custom", ("AND(ISNUMBER(C6),C6>=0,C6<=1000000000000,ROUND(C6,2)=C6)", None)),
        ("Identity", "C9", "date", ("DATE(2026,1,1)", "DATE(2027,12,31)")),
        ("Identity", "C4", "textLength", ("1", "64")),
        ("Self-assessment", "C4", "decimal", ("0", f"{RUBRIC.items_for('county')[0].max_for('county'):g}")),
    ],
)
def test_the_validation_of_each_kind(sheet: str, ref: str, kind: str, bounds: tuple[str, str | None]) -> None:
    check = _validations(_book(workbook(RUBRIC, "county"))[sheet])[ref]
    assert (check.type, (check.formula1, check.formula2)) == (kind, bounds)  # type: ignore[attr-defined]


def test_the_same_bytes_every_time(tmp_path: Path) -> None:
    first = workbook(RUBRIC, "village", "zh")
    assert workbook(RUBRIC, "village", "zh") == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        assert b"2026-01-01T00:00:00Z" in archive.read("docProps/core.xml")


def _next_year(folder: Path) -> Path:
    """A copy of the 2026 folder with a section of every remaining kind added to its indicators."""
    shutil.copytree(bundled_folder(2026), folder)
    indicators = folder / "indicators.yaml"
    extra = """  - id: outreach
    title: {en: Outreach, zh: 宣传}
    fields:
      - {id: campaign_date, kind: date, en: Date of the main campaign, zh: 主要宣传日期}
      - id: setting
        kind: choice
        en: Where the unit works
        zh: 所在地区
        choices:
          - {id: rural, en: Rural, zh: 农村}
          - {id: urban, en: Urban, zh: 城镇}
      - {id: hours_per_week, kind: number, min: 0, max: 80, decimals: 1, en: Hours a week, zh: 每周小时数}
      - {id: motto, kind: text, max_length: 40, en: The campaign's motto, zh: 宣传口号}
      - {id: posters, kind: count, org_types: [village], en: Posters put up, zh: 张贴海报数}

derived:
"""
    indicators.write_text(indicators.read_text(encoding="utf-8").replace("\nderived:\n", "\n" + extra, 1), "utf-8")
    return folder


def test_a_field_added_to_the_indicators_appears_in_the_workbook(tmp_path: Path) -> None:
    rubric = load_rubric(_next_year(tmp_path / "next"))
    book = _book(workbook(rubric, "village"))
    assert "Outreach" in book.sheetnames
    sheet = book["Outreach"]
    assert [sheet.cell(r, 1).value for r in range(4, 9)] == [
        "campaign_date",
        "setting",
        "hours_per_week",
        "motto",
        "posters",
    ]
    checks = _validations(sheet)
    assert checks["C4"].type == "date" and checks["C4"].formula2 == "DATE(2026,12,31)"  # type: ignore[attr-defined]
    assert checks["C5"].formula1 == '"Rural,Urban"'  # type: ignore[attr-defined]
    assert checks["C6"].formula1 == "AND(ISNUMBER(C6),ROUND(C6,1)=C6,C6>=0,C6<=80)"  # type: ignore[attr-defined]
    assert "posters" not in [c.value for c in _book(workbook(rubric, "county"))["Outreach"]["A"]]

    path = tmp_path / "v.xlsx"
    path.write_bytes(workbook(rubric, "village"))
    filled = openpyxl.load_workbook(path)
    identity, outreach = filled["Identity"], filled["Outreach"]
    identity["C4"], identity["C5"], identity["C9"] = "v-1", "甲村", dt.date(2026, 12, 20)
    outreach["C4"], outreach["C5"], outreach["C6"], outreach["C7"], outreach["C8"] = (
        "2026-03-08",
        "城镇",
        12.5,
        "=more than a formula",
        4,
    )
    outreach["C7"].data_type = "s"
    filled.save(path)
    unit = load_submission(path, rubric=rubric)
    assert unit.reported("outreach.campaign_date") == dt.date(2026, 3, 8)
    assert unit.reported("outreach.setting") == "urban"
    assert unit.reported("outreach.hours_per_week") == 12.5
    assert unit.reported("outreach.motto") == "=more than a formula"
    assert unit.reported("outreach.posters") == 4


def test_a_long_list_of_choices_goes_on_the_hidden_sheet(tmp_path: Path) -> None:
    folder = _next_year(tmp_path / "next")
    indicators = folder / "indicators.yaml"
    many = "".join(
        f"\n          - {{id: place_{i}, en: A place with a rather long name number {i}, zh: 地点{i}}}"
        for i in range(12)
    )
    text = indicators.read_text(encoding="utf-8").replace("\n          - {id: urban, en: Urban, zh: 城镇}", many, 1)
    indicators.write_text(text, encoding="utf-8")
    rubric = load_rubric(folder)
    path = tmp_path / "v.xlsx"
    path.write_bytes(workbook(rubric, "village"))
    book = openpyxl.load_workbook(path)
    assert _validations(book["Outreach"])["C5"].formula1 == "'_appraisal'!$D$1:$D$13"  # type: ignore[attr-defined]
    assert book["_appraisal"]["D13"].value == "A place with a rather long name number 11"
    book["Identity"]["C4"], book["Identity"]["C5"], book["Identity"]["C9"] = "v-1", "甲村", "2026-12-20"
    book["Outreach"]["C5"] = "A place with a rather long name number 11"
    book.save(path)
    assert load_submission(path, rubric=rubric).reported("outreach.setting") == "place_11"


def test_choice_and_number_mistakes(tmp_path: Path) -> None:
    rubric = load_rubric(_next_year(tmp_path / "next"))
    path = tmp_path / "v.xlsx"
    path.write_bytes(workbook(rubric, "village"))
    filled = openpyxl.load_workbook(path)
    identity, outreach = filled["Identity"], filled["Outreach"]
    identity["C4"], identity["C5"], identity["C9"] = "v-1", "甲村", dt.date(2026, 12, 20)
    outreach["C5"], outreach["C6"] = "coastal", 12.25
    filled.save(path)
    from appraisal.submission import load_submissions

    _, [error] = load_submissions([path], rubric=rubric)
    assert error.lines() == [
        'v.xlsx: Outreach!C5 setting: not one of the choices ("coastal"): rural (农村), urban (城镇)',
        "v.xlsx: Outreach!C6 hours per week: at most 1 decimals (got 12.25)",
    ]


def test_a_required_field_left_empty_is_named_by_its_cell(tmp_path: Path) -> None:
    folder = _next_year(tmp_path / "next")
    indicators = folder / "indicators.yaml"
    text = indicators.read_text(encoding="utf-8")
    text = text.replace(
        "en: The campaign's motto, zh: 宣传口号}", "en: The campaign's motto, zh: 宣传口号, required: true}"
    )
    indicators.write_text(text, encoding="utf-8")
    rubric = load_rubric(folder)
    path = tmp_path / "v.xlsx"
    path.write_bytes(workbook(rubric, "village", "zh"))
    book = openpyxl.load_workbook(path)
    assert book["宣传"]["B7"].value == "宣传口号 *"
    book["基本信息"]["C4"], book["基本信息"]["C5"], book["基本信息"]["C9"] = "v-1", "甲村", "2026-12-20"
    book.save(path)
    from appraisal.submission import load_submissions

    _, [error] = load_submissions([path], rubric=rubric)
    assert error.lines() == ["v.xlsx: 宣传!C7 宣传口号: required"]


def test_the_template_command(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "village-2026.xlsx"
    result = runner.invoke(main, ["template", "--org-type", "village", "--lang", "zh", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == workbook(RUBRIC, "village", "zh")
    bulk = tmp_path / "units.bulk.csv"
    result = runner.invoke(main, ["template", "--bulk", "--org-type", "village", "-o", str(bulk)])
    assert result.exit_code == 0, result.output
    assert bulk.read_bytes().startswith(b"\xef\xbb\xbfunit_id,name,")
    for args, message in [
        (["--org-type", "hamlet"], "'hamlet' is not an org type of 2026"),
        ([], "give --org-type"),
        (["--org-type", "village", "-o", str(tmp_path / "x.xls")], "a workbook's name ends in .xlsx"),
        (["--bulk", "-o", str(tmp_path / "x.csv")], "a bulk table's name ends in .bulk.xlsx or .bulk.csv"),
    ]:
        result = runner.invoke(main, ["template", *args])
        assert result.exit_code == 2 and message in result.output, result.output


def test_run_scores_workbooks_beside_json(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    runner = CliRunner()
    template = folder / "village-2026.xlsx"
    assert runner.invoke(main, ["template", "--org-type", "village", "-o", str(template)]).exit_code == 0
    book = openpyxl.load_workbook(template)
    book["Identity"]["C4"], book["Identity"]["C5"], book["Identity"]["C9"] = "v-7", "甲村", "2026-12-20"
    book["Leadership"]["C4"] = 3
    book.save(folder / "v-7.xlsx")
    template.unlink()
    result = runner.invoke(main, ["run", str(folder), "--out", str(tmp_path / "out"), "--no-reports"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "scorecards" / "v-7.json").is_file()
    result = runner.invoke(main, ["validate", str(folder / "v-7.xlsx")])
    assert result.exit_code == 0 and "valid: 1 units" in result.output

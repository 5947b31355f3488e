"""Filled workbooks edited by hand with every kind of mistake: each is refused with its sheet and cell."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl.workbook.workbook import Workbook
from tests.intake.sheets import RUBRIC, edit, errors, filled, set_cell, village

from appraisal.intake import MAX_FORM_UNPACKED, MAX_UNPACKED
from appraisal.submission import load_submission, load_submissions

PREFIX = "village-017.xlsx: "


def test_a_filled_workbook_loads_as_its_submission(tmp_path: Path) -> None:
    unit = load_submission(filled(tmp_path))
    assert unit.model_dump() == village().model_dump()
    assert unit.source == "village-017.xlsx"


@pytest.mark.parametrize(
    ("sheet", "ref", "value", "message"),
    [
        ("Leadership", "C4", "two", 'Leadership!C4 standing committee hearings: not a whole number ("two")'),
        ("Leadership", "C4", 2.5, "Leadership!C4 standing committee hearings: not a whole number (2.5)"),
        ("Leadership", "C4", -1, "Leadership!C4 standing committee hearings: must be >= 0 (got -1)"),
        (
            "Leadership",
            "C4",
            "1,200",
            'Leadership!C4 standing committee hearings: not a whole number ("1,200"): write it without thousands '
            "separators",
        ),
        ("Leadership", "C4", True, "Leadership!C4 standing committee hearings: not a whole number (true)"),
        ("Leadership", "C7", "maybe", 'Leadership!C7 leader in charge: not yes or no ("maybe"): write 是/否 or yes/no'),
        ("Leadership", "C7", 1, "Leadership!C7 leader in charge: not yes or no (1): write 是/否 or yes/no"),
        (
            "Identity",
            "C9",
            "2026/12/20",
            'Identity!C9 appraisal date: not a date ("2026/12/20"): write it as 2026-12-20',
        ),
        ("Identity", "C9", "2026-02-30", 'Identity!C9 appraisal date: not a date ("2026-02-30")'),
        (
            "Identity",
            "C9",
            dt.datetime(2026, 12, 20, 9, 30),
            'Identity!C9 appraisal date: not a date ("2026-12-20 09:30:00"): a date without a time of day',
        ),
        ("Identity", "C9", "2025-12-20", "Identity!C9 appraisal date: must fall in 2026 or 2027 (got 2025-12-20)"),
        ("Identity", "C4", None, "Identity!C4 unit id: required"),
        ("Identity", "C5", "   ", "Identity!C5 name: required"),
        (
            "Identity",
            "C4",
            "village 017",
            "Identity!C4 unit id: must start with a letter, digit or _ and hold only "
            'letters, digits, . _ - (got "village 017")',
        ),
        (
            "Identity",
            "C6",
            "township",
            'Identity!C6 org type: this workbook is for village units (its _appraisal sheet says so), not "township"',
        ),
        (
            "Identity",
            "C7",
            2025,
            "Identity!C7 year: this workbook is for 2026 (its _appraisal sheet says so), not 2025",
        ),
        ("Safeguard", "C6", 12.345, "Safeguard!C6 office funds yuan: at most 2 decimals (got 12.345)"),
        (
            "Safeguard",
            "C6",
            "2 000",
            'Safeguard!C6 office funds yuan: not an amount in yuan ("2 000"): write it without thousands separators',
        ),
        (
            "Leadership",
            "C4",
            "=SUM(1,2)",
            "Leadership!C4 standing committee hearings: a formula without a saved value (=SUM(1,2)): open and save "
            "the workbook in Excel, or type the value",
        ),
        ("Leadership", "C4", "#DIV/0!", "Leadership!C4 standing committee hearings: an Excel error value (#DIV/0!)"),
        ("Self-assessment", "C4", 9, "'Self-assessment'!C4 L08: more than the item's maximum of 4 points (got 9)"),
        ("Self-assessment", "C4", "a lot", "'Self-assessment'!C4 L08: not a number (\"a lot\")"),
        ("Inspection", "C9", "x" * 2001, "Inspection!C9 notes: must be at most 2000 characters (got 2001)"),
        ("Leadership", "A5", "bogus", "Leadership!A5: unknown id 'bogus' in column A"),
        (
            "Leadership",
            "A9",
            "working_meeting",
            "Leadership!A9: unknown id 'working_meeting' in column A (did you mean 'working_meetings'?)",
        ),
        ("Leadership", "C30", 5, "Leadership!C30: a value in a row without an id in column A"),
    ],
)
def test_a_mistake_in_a_cell_is_named_by_sheet_and_cell(
    tmp_path: Path, sheet: str, ref: str, value: object, message: str
) -> None:
    path = edit(filled(tmp_path), set_cell(sheet, ref, value))
    assert PREFIX + message in errors(path)


def test_a_deleted_row_names_the_missing_id(tmp_path: Path) -> None:
    path = edit(filled(tmp_path), set_cell("Leadership", "A5", None))
    assert errors(path) == [
        PREFIX + "Leadership: no row with id 'special_topic_studies' in column A (rows deleted or ids edited?)"
    ]


def test_every_problem_of_a_workbook_at_once(tmp_path: Path) -> None:
    def change(book: Workbook) -> None:
        book["Leadership"]["C4"] = "two"
        book["Leadership"]["C7"] = "maybe"
        book["Identity"]["C5"] = None

    assert errors(edit(filled(tmp_path), change)) == [
        PREFIX + 'Leadership!C4 standing committee hearings: not a whole number ("two")',
        PREFIX + 'Leadership!C7 leader in charge: not yes or no ("maybe"): write 是/否 or yes/no',
        PREFIX + "Identity!C5 name: required",
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("是", True), ("否", False), ("YES", True), (" no ", False), (True, True), (False, False), ("TRUE", True)],
)
def test_yes_no_cells_take_either_language_and_excel_booleans(tmp_path: Path, value: object, expected: bool) -> None:
    path = edit(filled(tmp_path), set_cell("Leadership", "C7", value))
    assert load_submission(path).reported("leadership.leader_in_charge") is expected


@pytest.mark.parametrize(
    ("sheet", "ref", "value", "path", "expected"),
    [
        ("Leadership", "C4", "12", "leadership.standing_committee_hearings", 12),
        ("Leadership", "C4", 12.0, "leadership.standing_committee_hearings", 12),
        ("Safeguard", "C6", "1500.5", "safeguard.office_funds_yuan", Decimal("1500.5")),
        ("Identity", "C9", "2027-01-15", "appraisal_date", dt.date(2027, 1, 15)),
        ("Identity", "C9", dt.datetime(2027, 1, 15), "appraisal_date", dt.date(2027, 1, 15)),
    ],
)
def test_numbers_and_dates_as_text_or_as_cells(
    tmp_path: Path, sheet: str, ref: str, value: object, path: str, expected: object
) -> None:
    loaded = load_submission(edit(filled(tmp_path), set_cell(sheet, ref, value)))
    found = loaded.reported(path) if "." in path else getattr(loaded, path)
    assert found == expected


def test_a_cell_formatted_as_a_percentage_is_read_as_shown(tmp_path: Path) -> None:
    unit = village().model_copy(update={"org_type": "village"})
    path = filled(tmp_path, unit=unit)

    def change(book: Workbook) -> None:
        sheet = book["Double learning"]
        row = next(r for r in range(4, 20) if sheet.cell(r, 1).value == "women_trained")
        sheet.cell(row, 3).value = 0.45
        sheet.cell(row, 3).number_format = "0%"

    assert load_submission(edit(path, change)).reported("double_learning.women_trained") == 45


def _with_cached_value(path: Path, sheet_xml: str, cached: str) -> None:
    """Give the formula in ``sheet_xml`` the value Excel would have saved beside it (openpyxl writes none)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == sheet_xml:
                # openpyxl writes an empty <v/>, or <v></v> when lxml is installed
                data, count = re.subn(
                    rb"(<f>[^<]*</f>)(?:<v ?/>|<v></v>)", rb"\1<v>" + cached.encode() + rb"</v>", data
                )
                assert count == 1
            target.writestr(info, data)
    path.write_bytes(buffer.getvalue())


def test_a_formula_is_read_by_its_saved_value_and_never_evaluated(tmp_path: Path) -> None:
    path = edit(filled(tmp_path), set_cell("Leadership", "C4", "=1+1"))
    _with_cached_value(path, "xl/worksheets/sheet2.xml", "7")  # 7, not 2: the saved value is what counts
    assert load_submission(path).reported("leadership.standing_committee_hearings") == 7


def test_a_check_across_fields_names_the_cells(tmp_path: Path) -> None:
    def change(book: Workbook) -> None:
        book["Five good families"]["C4"] = 10
        book["Five good families"]["C5"] = 12

    assert errors(edit(filled(tmp_path), change)) == [
        PREFIX + "'Five good families'!C5 families created (12) cannot exceed 'Five good families'!C4 households (10)"
    ]


# --- the workbook as a whole -----------------------------------------------------------------------------------


def test_a_renamed_sheet(tmp_path: Path) -> None:
    def rename(book: Workbook) -> None:
        book["Leadership"].title = "Lead"

    assert errors(edit(filled(tmp_path), rename)) == [
        PREFIX + "sheet 'Leadership' was renamed 'Lead': give it its name back"
    ]


def test_a_missing_sheet(tmp_path: Path) -> None:
    def remove(book: Workbook) -> None:
        del book["Leadership"]

    assert errors(edit(filled(tmp_path), remove)) == [
        PREFIX + "no sheet 'Leadership' (deleted or renamed?); a village workbook of 2026 has all of: Identity, "
        "Leadership, Appraisal, Safeguard, Double learning, Meritorious service, Five good families, Treatment, "
        "Organization, Bonus, Inspection, Self-assessment"
    ]


def test_an_extra_sheet(tmp_path: Path) -> None:
    def add(book: Workbook) -> None:
        book.create_sheet("Notes")

    assert errors(edit(filled(tmp_path), add)) == [
        PREFIX + "extra sheet 'Notes': a village workbook of 2026 has only Identity, Leadership, Appraisal, "
        "Safeguard, Double learning, Meritorious service, Five good families, Treatment, Organization, Bonus, "
        "Inspection, Self-assessment"
    ]


def test_a_workbook_of_another_year(tmp_path: Path) -> None:
    path = edit(filled(tmp_path), set_cell("_appraisal", "B3", 2031))
    assert errors(path, RUBRIC) == [PREFIX + "a workbook for 2031; the appraisal given scores 2026"]
    assert errors(path) == [PREFIX + "year: no bundled rubric for 2031 (bundled: 2025, 2026); give --rubric"]


def test_a_workbook_of_other_indicators(tmp_path: Path) -> None:
    path = edit(filled(tmp_path), set_cell("_appraisal", "B6", "0" * 64))
    [line] = errors(path)
    assert line.startswith(PREFIX + "a workbook made from other indicators of 2026 (sha256 000000000000; these are ")
    assert line.endswith("): fill in a new one from appraisal template --org-type village")


def test_a_workbook_of_an_unknown_org_type(tmp_path: Path) -> None:
    path = edit(filled(tmp_path), set_cell("_appraisal", "B4", "hamlet"))
    assert errors(path) == [
        PREFIX + "a workbook for org type 'hamlet', which 2026 does not have (county, township, street, village, "
        "community, agency, enterprise)"
    ]


def test_a_damaged_record_sheet(tmp_path: Path) -> None:
    path = edit(filled(tmp_path), set_cell("_appraisal", "B1", "something else"))
    assert errors(path) == [
        PREFIX + "the hidden _appraisal sheet is damaged: make a new workbook with appraisal template"
    ]


def test_a_workbook_not_made_by_the_template(tmp_path: Path) -> None:
    path = tmp_path / "village-017.xlsx"
    Workbook().save(path)
    assert errors(path) == [
        PREFIX + "not a workbook made by appraisal template (it has no _appraisal sheet); a bulk table's name ends in "
        ".bulk.xlsx"
    ]


def _fake_compound_file(*streams: str) -> bytes:
    """The start of an OLE2 compound file (what Excel writes for .xls) with the directory entry names given, as
    UTF-16."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    return header + b"".join(name.encode("utf-16-le").ljust(64, b"\0") + bytes(64) for name in streams)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "village-017.xlsx",
            _fake_compound_file("Root Entry", "Workbook"),
            "an Excel 97-2003 workbook (.xls) under an .xlsx name: save it as Excel Workbook (.xlsx)",
        ),
        (
            "village-017.xlsx",
            b"PK\x03\x04 not really",
            "not an Excel workbook, or a corrupt one (File is not a zip file)",
        ),
        ("village-017.xlsx", b"", "the file is empty"),
        (
            "village-017.xls",
            b"anything",
            "an Excel 97-2003 workbook (.xls) is not read: open it and save it as Excel Workbook (.xlsx)",
        ),
        (
            "village-017.xlsm",
            b"anything",
            "a macro-enabled workbook (.xlsm) is not read (macros are never run): save it as Excel Workbook (.xlsx)",
        ),
        (
            "village-017.ods",
            b"anything",
            "an OpenDocument spreadsheet (.ods) is not read: save it as Excel Workbook (.xlsx)",
        ),
    ],
)
def test_a_file_that_is_not_a_plain_workbook(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    assert errors(path) == [f"{name}: {message}"]


def test_a_password_protected_workbook(tmp_path: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile  # Excel's own encryption (ECMA-376 agile), made for real

    path = filled(tmp_path)
    encrypted = io.BytesIO()
    with path.open("rb") as plain:
        OOXMLFile(plain).encrypt("secret", encrypted)
    path.write_bytes(encrypted.getvalue())
    assert errors(path) == [
        PREFIX + "the workbook is password-protected (encrypted): remove the password to open it (File > Info > "
        "Protect Workbook > Encrypt with Password) and save it again"
    ]


def test_a_sheet_protected_with_a_password_is_read(tmp_path: Path) -> None:
    def protect(book: Workbook) -> None:
        book["Leadership"].protection.password = "secret"

    assert load_submission(edit(filled(tmp_path), protect)).model_dump() == village().model_dump()


def test_a_truncated_workbook_is_corrupt(tmp_path: Path) -> None:
    path = filled(tmp_path)
    path.write_bytes(path.read_bytes()[:-300])
    [line] = errors(path)
    assert line.startswith(PREFIX + "not an Excel workbook, or a corrupt one (")


def test_a_workbook_whose_parts_are_damaged_is_corrupt(tmp_path: Path) -> None:
    path = filled(tmp_path)
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info, data[:50] if info.filename == "xl/workbook.xml" else data)
    path.write_bytes(buffer.getvalue())
    [line] = errors(path)
    assert line.startswith(PREFIX + "corrupt workbook: openpyxl cannot read it (")


def test_an_entity_bomb_in_a_sheet_is_refused(tmp_path: Path) -> None:
    path = filled(tmp_path)
    entities = "".join(f'<!ENTITY e{i} "{f"&e{i - 1};" * 10 if i else "lol"}">' for i in range(10))
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE d [{entities}]><worksheet '
        'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" '
        't="inlineStr"><is><t>&e9;</t></is></c></row></sheetData></worksheet>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info, bomb.encode() if info.filename == "xl/worksheets/sheet2.xml" else data)
    path.write_bytes(buffer.getvalue())
    [line] = errors(path)
    assert line.startswith(
        PREFIX + "corrupt workbook: openpyxl cannot read it (ParseError: limit on input amplification"
    )


def test_macros_under_an_xlsx_name(tmp_path: Path) -> None:
    path = filled(tmp_path)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\0" * 10)
    assert errors(path) == [
        PREFIX + "a macro-enabled workbook (.xlsm content under an .xlsx name) is not read (macros are never run): "
        "save it as Excel Workbook (.xlsx)"
    ]


@pytest.mark.parametrize(
    ("name", "limit"), [("village-017.xlsx", MAX_FORM_UNPACKED), ("units.bulk.xlsx", MAX_UNPACKED)]
)
def test_a_zip_bomb_is_refused_from_the_zip_directory(tmp_path: Path, name: str, limit: int) -> None:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            block = b"\0" * (1 << 20)
            for _ in range(limit // len(block) + 1):
                part.write(block)
    assert path.stat().st_size < 1 << 20
    unpacked = limit + (1 << 20) + len("<Types/>") + len("<workbook/>")
    assert errors(path) == [
        f"{name}: refused as a possible zip bomb: it would unpack to {unpacked} bytes (the limit is {limit})"
    ]


def test_a_sheet_filled_far_below_its_rows_is_refused(tmp_path: Path) -> None:
    path = edit(filled(tmp_path), set_cell("Leadership", "C1048576", 1))
    assert errors(path) == [PREFIX + "sheet 'Leadership' has cells down to row 1048576; its rows end at 9"]


def test_a_bad_workbook_costs_the_other_inputs_nothing(tmp_path: Path) -> None:
    good = filled(tmp_path, "village-017.xlsx")
    other = village().model_copy(update={"unit_id": "village-018"})
    second = filled(tmp_path, "village-018.xlsx", lang="zh", unit=other)
    bad = edit(filled(tmp_path, "village-019.xlsx"), set_cell("Leadership", "C4", "two"))
    (tmp_path / "broken.xlsx").write_bytes(b"junk")
    units, rejected = load_submissions([tmp_path])
    assert sorted(u.source for u in units) == [good.name, second.name]
    assert sorted(e.source for e in rejected) == ["broken.xlsx", bad.name]


def test_excel_lock_files_in_a_folder_are_not_inputs(tmp_path: Path) -> None:
    filled(tmp_path)
    (tmp_path / "~$village-017.xlsx").write_bytes(b"\0" * 165)
    units, rejected = load_submissions([tmp_path])
    assert len(units) == 1 and not rejected

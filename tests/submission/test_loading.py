from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from tests.builders import INDICATORS_2026, ORG_TYPES, unit

from appraisal import InputError, load_submission, load_submissions
from appraisal.submission import submission_model
from appraisal.submission.loading import BundledYears, validate_unit


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def messages(tmp_path: Path, name: str, content: str | bytes) -> list[str]:
    write(tmp_path, name, content)
    units, rejected = load_submissions([tmp_path / name])
    assert units == []
    return [line for error in rejected for line in error.lines()]


def test_error_names_file_field_and_value(tmp_path: Path) -> None:
    data = unit(unit_id="village-017", leadership={"standing_committee_hearings": -1})
    assert messages(tmp_path, "village-017.json", json.dumps(data)) == [
        "village-017.json: leadership.standing_committee_hearings: must be >= 0 (got -1)"
    ]


def test_every_problem_in_a_unit_is_reported(tmp_path: Path) -> None:
    data = unit(leadership={"leader_in_chrge": True, "working_meetings": "3"}, treatment={"villages": 4})
    del data["name"]
    lines = messages(tmp_path, "v.json", json.dumps(data))
    assert "v.json: name: required" in lines
    assert "v.json: leadership.leader_in_chrge: unknown field (did you mean 'leader_in_charge'?)" in lines
    assert 'v.json: leadership.working_meetings: must be a whole number (got "3")' in lines
    assert "v.json: treatment.villages: does not apply to village units (only county, township)" in lines


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("unit_id", "../etc/passwd", "unit_id: must start with a letter, digit or _"),
        ("unit_id", "x" * 65, "unit_id: must be at most 64 characters (got 65)"),
        ("unit_id", "..", "unit_id: must start with a letter, digit or _"),
        ("unit_id", "-rf", "unit_id: must start with a letter, digit or _"),
        ("unit_id", "CON", "unit_id: 'CON' is a device name on Windows"),
        ("unit_id", "nul.txt", "unit_id: 'nul.txt' is a device name on Windows"),
        ("name", "x" * 101, "name: must be at most 100 characters (got 101)"),
        (
            "org_type",
            "city",
            "org_type: must be one of county, township, street, village, community, agency, enterprise",
        ),
        ("year", "2026", "year: must be a whole number"),
        ("appraisal_date", "yesterday", "appraisal_date: "),
        ("appraisal_date", 1796083200, "appraisal_date: must be a date such as 2026-12-20, not a number"),
        ("appraisal_date", "1999-01-01", "appraisal_date: must fall in 2026 or 2027 (got 1999-01-01)"),
        ("name", "   ", "name: must not be blank"),
        ("name", "村\n妇代会", "name: must not contain control, format or separator characters (U+000A"),
        ("name", "\u202eevil", "name: must not contain control, format or separator characters (U+202E"),
        ("name", "村\u2028妇代会", "name: must not contain control, format or separator characters (U+2028"),
        ("name", "\u115f\u1160", "name: must not be blank"),
        ("name", "\u2800\u2800", "name: must not be blank"),
        ("name", "\u3000 ", "name: must not be blank"),
    ],
)
def test_identity_fields_are_checked(tmp_path: Path, field: str, value: object, expected: str) -> None:
    data = unit()
    data[field] = value
    (line,) = messages(tmp_path, "u.json", json.dumps(data))
    assert line.startswith(f"u.json: {expected}"), line


@pytest.mark.parametrize(
    ("section", "field", "value", "expected"),
    [
        ("leadership", "leader_in_charge", 1, "must be true or false (got 1)"),
        ("leadership", "standing_committee_hearings", True, "must be a whole number (got true)"),
        ("leadership", "standing_committee_hearings", 2.5, "must be a whole number (got 2.5)"),
        ("safeguard", "office_funds_yuan", -5, "must be >= 0"),
        ("safeguard", "office_funds_yuan", "12.345", "at most 2 decimals"),
    ],
)
def test_values_are_typed(tmp_path: Path, section: str, field: str, value: object, expected: str) -> None:
    (line,) = messages(tmp_path, "u.json", json.dumps(unit(**{section: {field: value}})))
    assert line.startswith(f"u.json: {section}.{field}: {expected}"), line


def test_share_is_0_to_100(tmp_path: Path) -> None:
    (line,) = messages(
        tmp_path,
        "a.yaml",
        "\n".join(
            [
                "unit_id: a-1",
                "name: Agency",
                "org_type: agency",
                "year: 2026",
                "appraisal_date: 2026-12-01",
                "treatment: {female_reserve_cadre_share: 120}",
            ]
        ),
    )
    assert line == "a.yaml: treatment.female_reserve_cadre_share: must be <= 100 (got 120)"


def test_part_cannot_exceed_whole(tmp_path: Path) -> None:
    data = unit("county", appraisal={"subordinate_units": 10, "subordinate_units_inspected": 12})
    (line,) = messages(tmp_path, "c.json", json.dumps(data))
    assert "appraisal.subordinate_units_inspected (12) cannot exceed appraisal.subordinate_units (10)" in line


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("empty.json", "", "empty.json: the file is empty"),
        ("blank.yaml", "  \n\n", "blank.yaml: the file is empty"),
        ("binary.json", b"\x89PNG\r\n\x1a\n\x00\x00", "binary.json: binary file, not JSON or YAML text"),
        ("latin1.json", b'{"name": "\xe9"}', "latin1.json: not UTF-8 text (byte 10)"),
        (
            "broken.json",
            '{"unit_id": "a",\n "name": }',
            "broken.json: line 2: not valid JSON: Expecting value",
        ),
        (
            "broken.yaml",
            "unit_id: [a\nname: b\n",
            "broken.yaml: line 1: not valid YAML: in the [ ] opened on this line",
        ),
        ("evil.yaml", "!!python/object/apply:os.system ['true']\n", "evil.yaml: line 1: not valid YAML"),
        (
            "bomb.yaml",
            "a: &a [1, 2]\nb: [*a, *a]\n",
            "bomb.yaml: line 2: YAML aliases (*name) are not accepted",
        ),
        ("deep.json", "[" * 50 + "]" * 50, "deep.json: nested deeper than 32 levels"),
        ("deep.yaml", "a:\n" + "".join(" " * i + "- \n" for i in range(1, 40)), "deep.yaml: line"),
        ("dupe.json", '{"unit_id": "a", "unit_id": "b"}', "dupe.json: duplicate key 'unit_id'"),
        ("scalar.json", "42", "scalar.json: a unit must be a mapping of fields (got int)"),
        ("list.json", "[]", "list.json: the file holds an empty list"),
        ("notes.txt", "hello", "notes.txt: not a .json, .yaml, .yml, .xlsx or .bulk.csv file (.txt)"),
        (
            "baddate.yaml",
            "unit_id: f\nname: y\nappraisal_date: 2026-02-30\n",
            "baddate.yaml: line 3: not valid: day is out of range for month",
        ),
        ("key.yaml", "? [a]\n: 1\n", "key.yaml: line 1: not valid: a mapping key must be a plain value"),
        ("longint.json", '{"year": ' + "9" * 5000 + "}", "longint.json: not valid JSON: Exceeds the limit"),
    ],
)
def test_unusable_files_get_one_clear_line(tmp_path: Path, name: str, content: str | bytes, expected: str) -> None:
    (line,) = messages(tmp_path, name, content)
    assert line.startswith(expected), line


def test_a_fifo_is_refused_without_reading(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.json")
    _, rejected = load_submissions([tmp_path / "pipe.json"])
    assert rejected[0].lines() == ["pipe.json: a named pipe (FIFO), not a file: not read"]


def test_huge_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "huge.json", b"[" + b" " * (21 * 1024 * 1024) + b"]")
    _, rejected = load_submissions([path])
    assert rejected[0].lines() == [
        f"huge.json: file too large ({path.stat().st_size} bytes; the limit is {20 * 1024 * 1024})"
    ]


def test_one_bad_unit_in_a_list_rejects_only_that_unit(tmp_path: Path) -> None:
    good, bad = unit(unit_id="a"), unit(unit_id="b", leadership={"working_meetings": -2})
    write(tmp_path, "units.json", json.dumps([good, bad, unit(unit_id="c")]))
    units, rejected = load_submissions([tmp_path])
    assert [u.unit_id for u in units] == ["a", "c"]
    assert [u.source for u in units] == ["units.json[0]", "units.json[2]"]
    assert rejected[0].lines() == ["units.json[1]: leadership.working_meetings: must be >= 0 (got -2)"]
    assert rejected[0].unit_id == "b"


def test_duplicate_unit_id_rejects_the_later_naming_the_first(tmp_path: Path) -> None:
    write(tmp_path, "a.json", json.dumps(unit(unit_id="same")))
    write(
        tmp_path,
        "b.yaml",
        "unit_id: same\nname: B\norg_type: village\nyear: 2026\nappraisal_date: 2026-12-01\n",
    )
    units, rejected = load_submissions([tmp_path])
    assert [u.source for u in units] == ["a.json"]
    assert rejected[0].lines() == ["b.yaml: unit_id: unit id 'same' already seen in a.json"]


def test_load_submission_wants_exactly_one(tmp_path: Path) -> None:
    path = write(tmp_path, "two.json", json.dumps([unit(unit_id="a"), unit(unit_id="b")]))
    with pytest.raises(InputError, match="expected exactly one unit, found 2"):
        load_submission(path)
    one = write(tmp_path, "one.yaml", json.dumps(unit(unit_id="z")))
    assert load_submission(one).unit_id == "z"


def test_fields_not_for_a_type_are_absent_from_its_model() -> None:
    village = submission_model(INDICATORS_2026, "village").model_json_schema()
    enterprise = submission_model(INDICATORS_2026, "enterprise").model_json_schema()
    village_treatment = village["$defs"]["TreatmentVillage2026"]["properties"]
    assert "director_on_two_committees" in village_treatment
    assert "director_on_two_committees" not in enterprise["$defs"]["TreatmentEnterprise2026"]["properties"]
    assert village_treatment["director_on_two_committees"]["label_zh"] == "妇代会主任进村两委"


def test_every_field_has_description_and_chinese_label() -> None:
    for org in ORG_TYPES:
        schema = submission_model(INDICATORS_2026, org).model_json_schema()
        for name, definition in schema["$defs"].items():
            for field, spec in definition.get("properties", {}).items():
                assert spec.get("description"), f"{org} {name}.{field} has no description"
                assert spec.get("label_zh"), f"{org} {name}.{field} has no Chinese label"


@pytest.mark.parametrize(
    "data",
    [
        unit(),
        unit(year=2025),
        unit(year=2031),  # no bundled year: the error naming the bundled ones
        unit(year="2026"),  # no usable year: the newest year's errors
        unit(org_type="nowhere"),
        unit(leadership={"standing_committee_hearings": -1}),
    ],
)
def test_bundled_years_found_once_validate_as_each_units_own_year(data: dict[str, object]) -> None:
    """A run validates its units by ``BundledYears`` (the bundled folders found once) as they are validated by
    their own year's folder looked up for each unit: the same model, the same errors."""
    outcomes = []
    for source in (None, BundledYears()):
        try:
            outcomes.append(validate_unit(data, "u.json", source))
        except InputError as exc:
            outcomes.append(exc.lines())
    assert outcomes[0] == outcomes[1]
    if not isinstance(outcomes[0], list):  # a unit: validated by the same year's indicators
        assert outcomes[0].indicators is getattr(outcomes[1], "indicators", None)


@pytest.fixture(scope="module")
def examples_by_type() -> dict[str, Any]:
    """The first bundled example of each org type."""
    from appraisal.resources import examples

    units, _ = load_submissions([examples()])
    return {org_type: next(u for u in units if u.org_type == org_type) for org_type in ORG_TYPES}


@pytest.mark.parametrize("org_type", ORG_TYPES)
def test_reported_and_verified_read_every_field_as_getattr_does(
    org_type: str, examples_by_type: dict[str, Any]
) -> None:
    """``reported`` and ``verified`` read fields from the models' dicts (a missing name through ``getattr`` is
    slow in pydantic): over every field of the year, those the org type lacks included, the same values as
    ``getattr`` with a default."""
    example = examples_by_type[org_type]
    check = {"value": 1, "by": "李红", "method": "records"}
    data = {**example.model_dump(mode="json", exclude_none=True), "verification": {"leadership": {}}}
    hearings = "standing_committee_hearings"
    if "leadership" in type(example).model_fields and hearings in type(example.leadership).model_fields:
        data["verification"]["leadership"][hearings] = check
    loaded = validate_unit(data, "u.json")
    paths = [f"{s.id}.{f.id}" for s in loaded.indicators.sections for f in s.fields]
    lacking = 0
    for path in [*paths, "nowhere.nothing", "leadership.nothing"]:
        section, _, name = path.partition(".")
        expected = getattr(getattr(loaded, section, None), name, None)
        assert loaded.reported(path) == expected, path
        lacking += expected is None
        found = getattr(getattr(getattr(loaded, "verification", None), section, None), name, None)
        assert loaded.verified(path) is found, path
    assert 2 <= lacking < len(paths)
    if data["verification"]["leadership"]:
        assert loaded.verified(f"leadership.{hearings}").value == 1  # type: ignore[union-attr]
        assert loaded.value(f"leadership.{hearings}") == 1

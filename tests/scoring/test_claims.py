"""What the unit claims (self-assessment) beside what the appraisers found (verification, site inspection)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.builders import MINI, unit

from appraisal import InputError, appraise, load_rubric
from appraisal.submission.loading import validate_unit

CHECK = {"by": "李红", "method": "records", "note": "minutes of 2 meetings only"}


def test_scoring_uses_the_verified_value_and_the_scorecard_shows_both() -> None:
    data = unit(
        leadership={"working_meetings": 4},
        verification={"leadership": {"working_meetings": {"value": 2, **CHECK}}},
    )
    card = appraise(validate_unit(data, "v.json"))
    item = card.item("L06")
    assert item.values == {"leadership.working_meetings": 2}
    assert item.points == 1.5 and item.status == "partial"  # 2 meetings: half of the village's 3 points
    assert [v.model_dump() for v in item.verified] == [
        {
            "field": "leadership.working_meetings",
            "reported": 4,
            "verified": 2,
            "by": "李红",
            "method": "records",
            "note": "minutes of 2 meetings only",
        }
    ]
    assert item.reason.endswith("; leadership.working_meetings: reported 4, verified 2 by 李红")


def test_a_value_verified_as_reported_is_not_listed_as_changed() -> None:
    data = unit(
        leadership={"working_meetings": 4},
        verification={"leadership": {"working_meetings": {"value": 4, **CHECK}}},
    )
    assert appraise(validate_unit(data, "v.json")).item("L06").verified == []


@pytest.mark.parametrize(
    ("verification", "message"),
    [
        (
            {"treatment": {"villages": {"value": 3, **CHECK}}},
            "verification.treatment.villages: does not apply to village units (only county, township)",
        ),
        ({"leadership": {"meetings": {"value": 3, **CHECK}}}, "did you mean 'working_meetings'?"),
        (
            {"leadership": {"working_meetings": {"value": 3, "by": "李红", "method": "guess"}}},
            "verification.leadership.working_meetings.method: must be one of 'records', 'site_visit' or 'interview'",
        ),
        (
            {"leadership": {"working_meetings": {"value": -3, **CHECK}}},
            "verification.leadership.working_meetings.value: must be >= 0 (got -3)",
        ),
    ],
)
def test_verifying_what_the_type_does_not_report_or_a_bad_value_is_an_error(
    verification: dict[str, object], message: str
) -> None:
    with pytest.raises(InputError) as caught:
        validate_unit(unit(verification=verification), "v.json")
    assert any(message in line for line in caught.value.lines()), caught.value.lines()


def test_a_verified_part_may_not_exceed_the_whole() -> None:
    data = unit(
        "county",
        appraisal={"subordinate_units": 10, "subordinate_units_inspected": 8},
        verification={"appraisal": {"subordinate_units": {"value": 5, **CHECK}}},
    )
    with pytest.raises(
        InputError, match=r"subordinate_units_inspected \(8\) cannot exceed appraisal.subordinate_units"
    ):
        validate_unit(data, "c.json")


def test_self_points_stand_beside_the_assessed_ones() -> None:
    data = unit(
        leadership={"standing_committee_hearings": 1, "working_meetings": 2},
        self_assessment={"L08": 4, "L06": 3, "A01": 2},
    )
    card = appraise(validate_unit(data, "v.json"))
    assert card.item("L08").self_points == 4 and card.item("L08").points == 4
    assert card.item("L06").self_points == 3 and card.item("L06").points == 1.5
    assert card.item("L02").self_points is None
    assert card.self_score == 9  # no total given: the sum of the unit's own points
    # A01 (self 2, assessed 0: not reported) differs most, then L06 (3 against 1.5)
    assert card.self_differences == ["A01", "L06"]


def test_the_units_own_total_stays_its_own() -> None:
    card = appraise(validate_unit(unit(self_score=95, self_assessment={"L08": 4}), "v.json"))
    assert card.self_score == 95


def test_self_points_for_an_item_the_type_lacks_are_an_error() -> None:
    with pytest.raises(InputError, match="self_assessment.L07: no item L07 applies to village units"):
        appraise(validate_unit(unit(self_assessment={"L07": 2}), "v.json"))


def test_an_item_requiring_a_site_inspection_is_not_evaluated_without_one(tmp_path: Path) -> None:
    folder = tmp_path / "rubric"
    shutil.copytree(MINI, folder)
    items = (folder / "items.yaml").read_text(encoding="utf-8")
    items = items.replace("  - id: L01\n", "  - id: L01\n    requires: [site_inspection]\n", 1)
    (folder / "items.yaml").write_text(items, encoding="utf-8")
    rubric = load_rubric(folder)
    held = {"standing_committee_hearings": 3}
    without = appraise(validate_unit(unit(leadership=held), "v.json"), rubric).item("L01")
    assert without.status == "not_evaluated" and without.points == 0
    assert without.reason == "requires a site inspection (inspection.site_inspected), not recorded"
    visited = unit(leadership=held, inspection={"site_inspected": True})
    assert appraise(validate_unit(visited, "v.json"), rubric).item("L01").status != "not_evaluated"


def test_an_unknown_requirement_is_a_rubric_error(tmp_path: Path) -> None:
    folder = tmp_path / "rubric"
    shutil.copytree(MINI, folder)
    items = (folder / "items.yaml").read_text(encoding="utf-8")
    (folder / "items.yaml").write_text(items.replace("  - id: L01\n", "  - id: L01\n    requires: [jury]\n", 1))
    with pytest.raises(Exception, match="items.yaml:.*unknown requirement 'jury'; declared: site_inspection"):
        load_rubric(folder)

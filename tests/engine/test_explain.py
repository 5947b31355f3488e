"""engine/explain.py: an item's outcome in words, and ``appraisal explain``."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.builders import MINI, make, shipped, unit

from appraisal import Rubric, appraise
from appraisal.cli import main
from appraisal.engine.explain import explain
from appraisal.scoring.explain import explain_unit


@pytest.mark.parametrize(
    ("text", "values", "holds", "words"),
    [
        ("l.hearings >= 1", {"l.hearings": 0}, False, "hearings: 0, needs >= 1 (1 short)"),
        ("l.hearings >= 1", {"l.hearings": 3}, True, "hearings: 3, meets >= 1"),
        ("l.hearings >= 1", {}, False, "hearings: not reported, needs >= 1"),
        ("a.late <= 2", {"a.late": 5}, False, "late: 5, needs <= 2 (3 over)"),
        ("a.share >= 80", {"a.share": 79.99998}, False, "share: 79.99998, needs >= 80 (0.00002 short)"),
        ("a.share >= 80", {"a.share": 66.666666}, False, "share: 66.67, needs >= 80 (13.33 short)"),
        ("not a.flag", {"a.flag": True}, False, "flag: yes, needs no"),
        ("a.x >= 5 and a.y", {"a.x": 7, "a.y": True}, True, "x: 7, meets >= 5; y: yes"),
        ("a.x >= 5 and a.y", {"a.x": 2, "a.y": True}, False, "x: 2, needs >= 5 (3 short)"),
        (
            "a.y and (a.x >= 4 or not a.z)",
            {"a.y": True, "a.x": 2, "a.z": True},
            False,
            "none of: x: 2, needs >= 4 (2 short); or z: yes, needs no",
        ),
        ("a.x >= 4 or a.z", {"a.x": 9, "a.z": False}, True, "x: 9, meets >= 4"),
    ],
)
def test_a_condition_says_which_part_failed_and_by_how_much(
    text: str, values: dict[str, object], holds: bool, words: str
) -> None:
    outcome = explain(text, values)
    assert (outcome.holds, outcome.words) == (holds, words)


def test_the_scorecard_reason_says_it_in_words(mini: Rubric) -> None:
    card = appraise(
        make(
            leadership={
                "standing_committee_hearings": 0,
                "leader_in_charge": False,
                "working_meetings": 4,
                "leadership_contact_system": True,
            },
            appraisal={"reports_late": 1},
            safeguard={"office_equipment": True},
            double_learning={"technical_trainings": 1},
            bonus={"higher_level_awards": 1},
        ),
        mini,
    )
    assert {i.id: i.reason for i in card.items} == {
        "L01": "no tier met; the lowest (2.5 points) needs standing committee hearings: 0, needs >= 1 (1 short)",
        "L02": "not met: leader in charge: no, needs yes",
        "A01": "reports late: 1, 0.5 points deducted for each from 2",
        "S01": "not met: technical trainings: 1, needs >= 2 (1 short)",
        "B01": "higher level awards: 1 × 0.5 points = 0.5, at most 1; 2 for full marks (1 more)",
    }


def test_a_shortfall_names_the_steps(tmp_path: Path) -> None:

    rubric = shipped()
    card = appraise(make("agency", treatment={"female_reserve_cadre_share": 12}), rubric)
    t08 = card.item("T08")
    assert (t08.points, t08.status) == (2, "partial")  # 8 short of 20: 2 started steps of 5, 1.5 points each, from 5
    assert t08.reason == (
        "female reserve cadre share: 12, 8 short of the target 20: 2 started steps of 5, 1.5 points deducted for "
        "each from 5"
    )
    assert Decimal(str(t08.points)) == 5 - 2 * Decimal("1.5")


def test_explain_unit_gives_conditions_values_and_reason(mini: Rubric) -> None:
    result = explain_unit(make(leadership={"standing_committee_hearings": 1}), mini, ("L01",))
    (l01,) = result.items
    assert (l01.status, l01.points, l01.max) == ("partial", 2.5, 4)
    assert [(role, o.holds) for role, o in l01.conditions] == [("tier1", False), ("tier2", True)]
    assert l01.reason.endswith("the next tier (4 points) needs standing committee hearings: 1, needs >= 2 (1 short)")


def test_appraisal_explain(tmp_path: Path) -> None:
    path = tmp_path / "u.json"
    path.write_text(json.dumps(unit(unit_id="u", leadership={"standing_committee_hearings": 0})), encoding="utf-8")
    result = CliRunner().invoke(main, ["explain", str(path), "--rubric", str(MINI), "--item", "L01"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "u (Unit u, village), mini 1: total 0 of 10, unqualified",
        "L01  Hearings: 0 of 4, missed",
        "    tier1: leadership.standing_committee_hearings >= 2  (does not hold)",
        "    tier2: leadership.standing_committee_hearings >= 1  (does not hold)",
        "    values: leadership.standing_committee_hearings = 0",
        "    why: no tier met; the lowest (2.5 points) needs standing committee hearings: 0, needs >= 1 (1 short)",
    ]
    lower = CliRunner().invoke(main, ["explain", str(path), "--rubric", str(MINI), "--item", "l01"])
    assert lower.exit_code == 0 and lower.stdout == result.stdout  # an id in any case (it suggested V01)
    wrong = CliRunner().invoke(main, ["explain", str(path), "--rubric", str(MINI), "--item", "L1"])
    assert wrong.exit_code == 2 and "--item L1: no such item in mini; did you mean L01?" in wrong.stderr
    path.write_text(json.dumps(unit(unit_id="u", leadership={"working_meetings": -1})), encoding="utf-8")
    invalid = CliRunner().invoke(main, ["explain", str(path), "--rubric", str(MINI)])
    assert invalid.exit_code == 1 and "leadership.working_meetings: must be >= 0" in invalid.stderr


def test_appraisal_explain_uses_the_submissions_year() -> None:
    from appraisal.resources import examples

    result = CliRunner().invoke(main, ["explain", str(examples() / "village-003.yaml"), "--item", "L06"])
    assert result.exit_code == 0, result.output
    assert "womens-federation-appraisal 2026.2" in result.stdout
    assert "the next tier (3 points) needs working meetings: 3, needs >= 4 (1 short)" in result.stdout


def test_appraisal_explain_shows_a_veto_and_why_it_fired(tmp_path: Path) -> None:
    path = tmp_path / "u.json"
    path.write_text(json.dumps(unit(unit_id="u", inspection={"falsified_data": True})), encoding="utf-8")
    result = CliRunner().invoke(main, ["explain", str(path), "--rubric", str(MINI), "--item", "V01"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "u (Unit u, village), mini 1: total 0 of 10, unqualified, vetoed",
        "V01  veto, Falsified data: fired: the grade is unqualified",
        "    when: inspection.falsified_data",
        "    values: inspection.falsified_data = true",
        "    why: condition met: falsified data: yes",
    ]

"""The rubric format's features for rubrics as counties publish them (docs/rubric-format.md), on the
``county-township`` fixture written from the docs alone: applies_when, award levels, grade_on, tie_break,
whole-step rounding, rubrics for some org types only, deduction items with floors, weighted groups. Every
score comes from the real durable-rules engine; broken copies are refused with file:line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from tests.builders import FIXTURES, edited
from tests.builders import rubric_problems as problems

from appraisal import InputError, appraise, appraise_many, load_rubric, load_submissions
from appraisal.cli import main
from appraisal.scoring.cases import coverage, run_cases
from appraisal.submission.loading import validate_unit

COUNTY = FIXTURES / "rubrics" / "county-township"


def copy_with(tmp_path: Path, file: str, old: str, new: str) -> Path:
    """A copy of the county-township rubric with ``old`` replaced by ``new`` in ``file``."""
    return edited(COUNTY, tmp_path / "county-township", file, old, new)


def unit(unit_id: str, org_type: str = "township", **work: Any) -> dict[str, Any]:
    values = {"has_party_organization": True, "party_hearings": 2, "women_trained": 500, "women_cadres": 10}
    values |= {"homes_built": 3, "disputes_mediated": 5, "reports_late": 0, "serious_incident": False}
    values |= {"innovations": 0}
    return {
        "unit_id": unit_id,
        "name": f"Unit {unit_id}",
        "org_type": org_type,
        "year": 2027,
        "appraisal_date": "2027-12-18",
        "work": values | work,
        "honours": {"national": 0, "provincial": 0, "city": 0, "county": 0},
    }


# --- the fixture scores as its hand-worked cases say ------------------------------------------------------


def test_the_fixture_passes_its_golden_cases_with_full_coverage() -> None:
    rubric = load_rubric(COUNTY)
    results = run_cases(rubric)
    assert len(results) == 4 and all(r.passed for r in results), [str(r) for r in results]
    assert coverage(rubric, results).complete


def test_rules_check_and_rules_test_pass_the_fixture() -> None:
    runner = CliRunner()
    checked = runner.invoke(main, ["rules", "check", str(COUNTY)])
    assert checked.exit_code == 0 and "errors 0, warnings 0" in checked.output, checked.output
    tested = runner.invoke(main, ["rules", "test", str(COUNTY), "--require-coverage"])
    assert tested.exit_code == 0 and "4 passed, 0 failed" in tested.output and "100.0%" in tested.output


def test_the_api_scores_a_unit_with_every_feature_on_its_scorecard() -> None:
    rubric = load_rubric(COUNTY)
    data = unit("api-1", "enterprise", has_party_organization=False, management_hearings=1, women_trained=499)
    data["work"] |= {"women_cadres": 5, "homes_built": 1, "disputes_mediated": 4, "reports_late": 1}
    data["work"] |= {"serious_incident": True}
    data["honours"] |= {"provincial": 1, "city": 1, "county": 1}
    card = appraise(validate_unit(data, "api-1.json", rubric), rubric)
    body = json.loads(card.to_json())
    assert (body["base"], body["bonus"], body["total"], body["graded_on"], body["grade_on"]) == (
        100,
        3,
        61,
        61,
        "total",
    )
    assert body["grade"] == "qualified"  # 58 before bonus would be unqualified
    assert body["groups"] == [
        {"id": "routine", "points": 53, "max": 60, "peer_median": None},
        {"id": "key_tasks", "points": 10, "max": 40, "peer_median": None},
    ]
    lines = {d["id"]: d for d in body["deductions"]}
    assert (lines["D01"]["points"], lines["D01"]["floor"]) == (-1, "group routine >= 0")
    assert (lines["D02"]["points"], lines["D02"]["floor"]) == (-5, "total >= 0")
    assert "reports late: 1 × 1" in lines["D01"]["reason"] and lines["D02"]["rule"] == "D02#when"
    assert card.deducted == 6
    r01 = card.item("R01")
    assert (r01.status, r01.max) == ("not_applicable", 0)
    assert r01.reason == "does not apply: work.has_party_organization == true does not hold"
    assert card.item("R03").points == 9 and "9 whole steps of 50" in card.item("R03").reason
    assert card.item("R04").points == 8 and "1 whole step of 3" in card.item("R04").reason
    b02 = card.item("B02")
    assert (b02.points, b02.rule) == (3, "B02#award.city")
    assert (
        b02.reason
        == "national: 0 × 3 points; provincial: 1 × 2 points; city: 1 × 1 point; county: 1 × 0.5 points: 3, at most 3"
    )
    assert body["tie_break"] == ["total", "item:K01", "group:routine", "fewer_shortfalls", "unit_id"]


def test_ties_break_in_the_stated_order() -> None:
    """tie_break: [total, item:K01, group:routine, fewer_shortfalls, unit_id]; every unit below totals 90
    (with no bonus), so the later keys decide."""
    rubric = load_rubric(COUNTY)
    a = unit("a", women_trained=250)  # R03 5: routine 25 of 30 -> 50; K01 10, key tasks 40: 90
    d = unit("d", women_trained=250)  # as a: only the unit id tells them apart
    b = unit("b", homes_built=1)  # routine 60; K01 5, key tasks 15 of 20 -> 30: 90, below a and d on item:K01
    e = unit("e", homes_built=1)  # as b: the unit id puts it after b
    cards = {
        c.unit_id: c
        for c in appraise_many([validate_unit(x, x["unit_id"], rubric) for x in (e, d, b, a)], rubric).scorecards
    }
    assert {c.total for c in cards.values()} == {90}
    assert [cards[i].rank for i in ("a", "d", "b", "e")] == [1, 2, 3, 4]
    assert [cards[i].commended for i in ("a", "d", "b", "e")] == [True, True, False, False]


def test_group_and_before_bonus_tie_breaks_rank_more_points_first(tmp_path: Path) -> None:
    folder = copy_with(
        tmp_path,
        "rubric.yaml",
        "tie_break: [total, item:K01, group:routine, fewer_shortfalls, unit_id]",
        "tie_break: [before_bonus, group:key_tasks, unit_id]",
    )
    rubric = load_rubric(folder)
    low_key = unit("a", homes_built=1, innovations=2)  # 90 before bonus, key tasks 30
    high_key = unit("b", women_trained=250)  # 90 before bonus, key tasks 40
    cards = appraise_many([validate_unit(x, x["unit_id"], rubric) for x in (low_key, high_key)], rubric).scorecards
    assert [(c.unit_id, c.total, c.rank) for c in cards] == [("a", 92, 2), ("b", 90, 1)]


def test_a_unit_of_a_type_the_rubric_does_not_score_is_rejected_in_one_line(tmp_path: Path) -> None:
    data = unit("v1", "village")
    path = tmp_path / "v1.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    loaded, rejected = load_submissions([path], rubric=load_rubric(COUNTY))
    assert loaded == [] and len(rejected) == 1
    assert rejected[0].lines() == [
        'v1.json: org_type: must be one of township, enterprise (got "village": the 2027 rubric in '
        "county-township/ scores only township, enterprise units)"
    ]
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(path), "--rubric", str(COUNTY), "--out", str(out), "--no-reports"])
    assert result.exit_code == 1, result.output
    assert json.loads((out / "errors.json").read_text(encoding="utf-8"))[0]["errors"][0]["loc"] == "org_type"


def test_an_applies_when_value_must_be_required(tmp_path: Path) -> None:
    folder = copy_with(
        tmp_path, "indicators.yaml", "        zh: 建有党组织\n        required: true\n", "        zh: 建有党组织\n"
    )
    found = problems(folder)
    assert any(
        p.startswith("routine.yaml:7:19:")
        and "applies_when names work.has_party_organization, which units may leave out" in p
        for p in found
    ), found


def test_each_case_of_applies_when_must_sum_alike(tmp_path: Path) -> None:
    """Without weights, each case must sum to the base; with them, each group's maxima must not differ by case."""
    folder = copy_with(
        tmp_path,
        "routine.yaml",
        "    applies_when: not work.has_party_organization\n",
        "    applies_when: not work.has_party_organization\n    applies_to: [enterprise]\n",
    )
    found = problems(folder)
    assert any(
        p.startswith("rubric.yaml:24:")
        and "group routine's maxima for township units differ by case (30 where work.has_party_organization == true"
        in p
        for p in found
    ), found
    unweighted = copy_with(
        tmp_path,
        "rubric.yaml",
        '{id: routine, en: Routine work, zh: 常规工作, weight: "60%"}',
        "{id: routine, en: Routine work, zh: 常规工作}",
    )
    unweighted = copy_with(
        tmp_path,
        "rubric.yaml",
        "{id: key_tasks, en: Key tasks, zh: 重点工作, weight: 0.4}",
        "{id: key_tasks, en: Key tasks, zh: 重点工作}",
    )
    unweighted = copy_with(tmp_path, "rubric.yaml", "base: 100", "base: 50")
    found = problems(unweighted)
    assert (
        "rubric.yaml:11: the maxima of the items applying to township units where not "
        "work.has_party_organization == true sum to 40, not the base 50"
    ) in found, found
    assert not any("where work.has_party_organization == true holds sum" in p for p in found), found


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        ("rubric.yaml", "item:K01", "item:K1", "rubric.yaml:22: tie_break item:K1: no item 'K1'; did you mean K01?"),
        (
            "rubric.yaml",
            "group:routine",
            "group:routin",
            "rubric.yaml:22: tie_break group:routin: no group 'routin'; did you mean routine?",
        ),
        (
            "rubric.yaml",
            "fewer_shortfalls",
            "fewest_shortfalls",
            "rubric.yaml:22: commendation.tie_break.3: unknown tie-break key 'fewest_shortfalls'",
        ),
        (
            "rubric.yaml",
            "weight: 0.4",
            "weight: 0.5",
            "rubric.yaml:24: groups: the weights sum to 1.1, not 1 (100%)",
        ),
        (
            "rubric.yaml",
            ", weight: 0.4",
            "",
            "rubric.yaml:24: groups: give every group a weight, or none",
        ),
        (
            "rubric.yaml",
            "grade_on: total",
            "grade_on: all",
            "rubric.yaml:13: grade_on: Input should be 'before_bonus' or 'total'",
        ),
        (
            "key_tasks.yaml",
            "group: key_tasks\n    title: {en: Women's homes",
            "group: key_task\n    title: {en: Women's homes",
            "key_tasks.yaml:4: group: unknown group 'key_task'; did you mean key_tasks?",
        ),
        (
            "key_tasks.yaml",
            "    deduction: {points: 5}\n",
            "    deduction: {points: 5}\n    max: 5\n",
            "key_tasks.yaml:21: a deduction item has no max",
        ),
        (
            "key_tasks.yaml",
            "    deduction: {points: 5}\n",
            "    deduction: {points: 5}\n    requires: [site_inspection]\n",
            "key_tasks.yaml:21: a deduction item cannot require anything",
        ),
        (
            "key_tasks.yaml",
            "    when: work.serious_incident\n",
            "",
            "key_tasks.yaml:21: a deduction counts a value",
        ),
        (
            "key_tasks.yaml",
            "    floor: {total: 0}",
            "    floor: {total: 0, group: 0}",
            "key_tasks.yaml:26: floor: a floor is either group: N or total: N",
        ),
        ("routine.yaml", "per: 50", "per: 0", "routine.yaml:27: per_occurrence.per: Input should be greater than 0"),
        (
            "routine.yaml",
            "rounding: whole",
            "rounding: down",
            "routine.yaml:35: shortfall.rounding: Input should be 'started' or 'whole'",
        ),
        (
            "bonus.yaml",
            "value: honours.city,",
            "value: honours.cty,",
            "bonus.yaml:20: unknown value honours.cty (indicators.yaml lists them); did you mean honours.city?",
        ),
        (
            "routine.yaml",
            "applies_when: work.has_party_organization == true",
            "applies_when: work.has_party == true",
            "routine.yaml:7:19: unknown value work.has_party (indicators.yaml lists them); did you mean "
            "work.has_party_organization?",
        ),
    ],
)
def test_a_broken_feature_is_named_with_file_and_line(
    tmp_path: Path, file: str, old: str, new: str, expected: str
) -> None:
    found = problems(copy_with(tmp_path, file, old, new))
    assert any(p.startswith(expected) for p in found), found


def test_grade_on_total_lets_a_bound_reach_the_base_plus_the_bonus_cap(tmp_path: Path) -> None:
    assert (
        load_rubric(copy_with(tmp_path, "rubric.yaml", "excellent: 90", "excellent: 105")).grade_bounds()[0][1] == 105
    )
    found = problems(copy_with(tmp_path, "rubric.yaml", "excellent: 105", "excellent: 106"))
    assert "rubric.yaml:15: grades.excellent: must be within the base plus the bonus cap (grade_on: total)" in found
    found = problems(copy_with(tmp_path, "rubric.yaml", "grade_on: total", "grade_on: before_bonus"))
    assert "rubric.yaml:15: grades.excellent: must be within the base" in found


def test_an_unknown_org_type_in_a_submission_never_reaches_the_engine() -> None:
    rubric = load_rubric(COUNTY)
    with pytest.raises(InputError) as caught:
        validate_unit(unit("x", "county"), "x.json", rubric)
    assert "scores only township, enterprise units" in str(caught.value)


def test_rules_check_finds_an_applies_when_that_never_or_always_holds(tmp_path: Path) -> None:
    copy_with(
        tmp_path,
        "routine.yaml",
        "applies_when: work.has_party_organization == true",
        "applies_when: work.reports_late >= 0",
    )
    folder = copy_with(
        tmp_path, "routine.yaml", "applies_when: not work.has_party_organization", "applies_when: work.reports_late < 0"
    )
    result = CliRunner().invoke(main, ["rules", "check", str(folder)])
    assert result.exit_code == 1, result.output
    assert (
        "routine.yaml:18:19: error: R02 never applies: no unit's values make work.reports_late < 0 hold"
        in result.output
    )
    warned = copy_with(
        tmp_path / "w",
        "key_tasks.yaml",
        "    max: 10\n    tiers:",
        "    max: 10\n    applies_when: work.reports_late >= 0\n    tiers:",
    )
    result = CliRunner().invoke(main, ["rules", "check", str(warned)])
    assert result.exit_code == 0, result.output
    assert (
        "key_tasks.yaml:7:19: warning: K01's applies_when holds for every unit (work.reports_late >= 0): drop it"
        in (result.output)
    )


def test_explain_names_the_deductions_and_the_award_levels(tmp_path: Path) -> None:
    data = unit("e1", "enterprise", has_party_organization=False, management_hearings=1, reports_late=3)
    data["work"] |= {"serious_incident": True}
    data["honours"] |= {"city": 2}
    path = tmp_path / "e1.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = CliRunner().invoke(main, ["explain", str(path), "--rubric", str(COUNTY)])
    assert result.exit_code == 0, result.output
    assert "D01  deduction, Late reports: -3 (group routine >= 0)\n    why: reports late: 3 × 1\n" in result.output
    assert "D02  deduction, A serious incident in the area: -5 (total >= 0)" in result.output
    assert "why: national: 0 × 3 points; provincial: 0 × 2 points; city: 2 × 1 point; county: 0 × 0.5 points: 2" in (
        result.output
    )
    assert "R01 " not in result.output  # not applicable: without a party organization

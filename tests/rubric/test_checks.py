"""rubric/checks.py: what loads but cannot be meant, found on broken copies of the mini rubric."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.builders import MINI

from appraisal import RubricError, load_rubric
from appraisal.resources import bundled
from appraisal.rubric import checks

L01_TIERS = """    tiers:
      - {when: "leadership.standing_committee_hearings >= 2", points: 4}
      - {when: "leadership.standing_committee_hearings >= 1", points: 2.5}
"""
L02_WHEN = (
    "when: leadership.leader_in_charge and (leadership.working_meetings >= 4 or not "
    "leadership.leadership_contact_system)"
)


def copy_with(tmp_path: Path, old: str, new: str, file: str = "items.yaml") -> Path:
    folder = tmp_path / "rubric"
    shutil.copytree(MINI, folder)
    text = (folder / file).read_text(encoding="utf-8")
    assert old in text, old
    (folder / file).write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def refused(folder: Path) -> list[str]:
    with pytest.raises(RubricError) as caught:
        load_rubric(folder)
    return [str(p) for p in caught.value.problems]


def warnings(folder: Path) -> list[str]:
    return [str(f) for f in checks.check(load_rubric(folder)) if not f.error]


def test_the_shipped_and_mini_rubrics_have_no_findings() -> None:
    for folder in (MINI, bundled("scoring_rules") / "2026"):
        assert [str(f) for f in checks.check(load_rubric(folder))] == []


def test_an_item_that_can_never_award_is_refused_at_its_condition(tmp_path: Path) -> None:
    folder = copy_with(tmp_path, L02_WHEN, "when: leadership.working_meetings >= 5 and leadership.working_meetings < 3")
    assert refused(folder) == [
        "items.yaml:16:11: L02 can never award: no reported values make its condition hold "
        "(leadership.working_meetings >= 5 and leadership.working_meetings < 3); check each comparison's "
        "direction and number"
    ]


def test_a_tier_that_can_never_be_met_is_refused(tmp_path: Path) -> None:
    folder = copy_with(tmp_path, "standing_committee_hearings >= 1", "standing_committee_hearings < 0")
    (found,) = refused(folder)
    assert found.startswith("items.yaml:8:17: L01 tier 2 can never be met")


def test_an_item_that_can_never_miss_is_a_warning(tmp_path: Path) -> None:
    folder = copy_with(tmp_path, L02_WHEN, "when: leadership.working_meetings >= 0 or leadership.leader_in_charge")
    (found,) = warnings(folder)
    assert found.startswith("items.yaml:16:11: L02 can never miss: its condition holds whatever is reported")


@pytest.mark.parametrize(
    ("tiers", "expected"),
    [
        (  # bands written with the boundary in both
            '{when: "leadership.standing_committee_hearings >= 10", points: 4}\n      - {when: '
            '"leadership.standing_committee_hearings >= 5 and leadership.standing_committee_hearings <= 10", '
            "points: 2.5}",
            "items.yaml:8:17: L01 tiers 1 and 2 overlap at leadership.standing_committee_hearings = 10",
        ),
        (  # bands leaving 9 out
            '{when: "leadership.standing_committee_hearings >= 10", points: 4}\n      - {when: '
            '"leadership.standing_committee_hearings >= 5 and leadership.standing_committee_hearings < 9", '
            "points: 2.5}",
            "items.yaml:7:7: L01's tiers leave a gap: leadership.standing_committee_hearings = 9 earns nothing, "
            "though 8 earns 2.5",
        ),
        (  # the lower tier asks for more than the higher one
            '{when: "leadership.standing_committee_hearings >= 1", points: 4}\n      - {when: '
            '"leadership.standing_committee_hearings >= 2", points: 2.5}',
            "items.yaml:8:17: L01 tier 2 never decides: tier 1 holds wherever it does and gives as much or more",
        ),
    ],
)
def test_tiers_that_overlap_leave_a_gap_or_never_decide_are_warnings(tmp_path: Path, tiers: str, expected: str) -> None:
    new = f"    tiers:\n      - {tiers}\n"
    found = warnings(copy_with(tmp_path, L01_TIERS, new))
    assert len(found) == 1 and found[0].startswith(expected), found


def test_a_veto_that_always_fires_or_has_no_reason_is_refused(tmp_path: Path) -> None:
    folder = copy_with(tmp_path, "when: inspection.falsified_data", "when: inspection.records_sampled >= 0")
    text = (folder / "items.yaml").read_text(encoding="utf-8").replace("{en: Falsified data was found.", '{en: " "')
    (folder / "items.yaml").write_text(text, encoding="utf-8")
    assert refused(folder) == [
        "items.yaml:48:11: veto V01 fires for every unit that reports inspection.records_sampled >= 0; check its "
        "condition",
        "items.yaml:49:19: veto V01 has no reason (en); say why it bars the unit: the notice quotes it",
    ]


def test_a_veto_that_can_never_fire_is_a_warning(tmp_path: Path) -> None:
    folder = copy_with(tmp_path, "when: inspection.falsified_data", "when: inspection.records_sampled < 0")
    assert warnings(folder) == [
        "items.yaml:48:11: veto V01 can never fire (inspection.records_sampled < 0); check its condition"
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "leadership.standing_committee_hearings >= 2",
            "leadership.standing_committee_hearing >= 2",
            "items.yaml:7:17: unknown value leadership.standing_committee_hearing (indicators.yaml lists them); "
            "did you mean leadership.standing_committee_hearings?",
        ),
        ("    citation: Part 3 (3)\n    advice: {en: Hold", "    citaton: Part 3 (3)\n    advice: {en: Hold", None),
        ("group: appraisal", "group: apraisal", "did you mean appraisal?"),
        (
            "vetoes:",
            "vetos:",
            "items.yaml:45: unknown key 'vetos' (an item file holds items: and vetoes:); did you mean vetoes?",
        ),
        ("    max: 4\n", "    max: 4\n    applies_to: [vilage]\n", "did you mean village?"),
        ("title: {en: Hearings, zh: 听取汇报}", "title: {en: Hearings, zn: 听取汇报}", "did you mean zh?"),
    ],
)
def test_every_unknown_name_gets_a_did_you_mean(tmp_path: Path, old: str, new: str, expected: str | None) -> None:
    found = refused(copy_with(tmp_path, old, new))
    wanted = expected or "citaton: Extra inputs are not permitted; did you mean citation?"
    assert any(wanted in p for p in found), found

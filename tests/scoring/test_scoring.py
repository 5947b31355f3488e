from __future__ import annotations

import pytest
from tests.builders import make

from appraisal import Rubric, appraise, appraise_many

FULL = {
    "leadership": {
        "standing_committee_hearings": 2,
        "leader_in_charge": True,
        "working_meetings": 4,
        "leadership_contact_system": True,
    },
    "appraisal": {"reports_late": 0},
    "safeguard": {"office_equipment": True},
    "double_learning": {"technical_trainings": 2},
    "bonus": {"higher_level_awards": 1},
    "inspection": {"falsified_data": False},
}


def test_full_marks(mini: Rubric) -> None:
    card = appraise(make(**FULL), mini)
    assert (card.total, card.bonus, card.grade, card.vetoed) == (10.5, 0.5, "excellent", False)
    assert all(i.status == "awarded" for i in card.items if i.id != "B01")
    assert card.shortfalls == [] and card.rank is None and card.peers is None and not card.commended


def test_tiers_deductions_and_half_points(mini: Rubric) -> None:
    card = appraise(
        make(
            **{
                **FULL,
                "leadership": {**FULL["leadership"], "standing_committee_hearings": 1},
                "appraisal": {"reports_late": 3},
            }
        ),
        mini,
    )
    l01, a01 = card.item("L01"), card.item("A01")
    assert (l01.points, l01.status, l01.rule) == (2.5, "partial", "L01#tier2")
    assert l01.values == {"leadership.standing_committee_hearings": 1}
    assert (a01.points, a01.status) == (0.5, "partial")
    assert a01.reason == "reports late: 3, 0.5 points deducted for each from 2"
    assert l01.reason == (
        "tier 2 met, 2.5 of 4: standing committee hearings: 1, meets >= 1; the next tier (4 points) needs "
        "standing committee hearings: 1, needs >= 2 (1 short)"
    )
    assert card.shortfalls == ["A01", "L01"]  # equal losses: by id
    assert card.total == 10.5 - 1.5 - 1.5


def test_deduction_stops_at_zero(mini: Rubric) -> None:
    card = appraise(make(**{**FULL, "appraisal": {"reports_late": 40}}), mini)
    assert (card.item("A01").points, card.item("A01").status) == (0, "missed")


def test_missed_item_gives_advice(mini: Rubric) -> None:
    card = appraise(make(**{**FULL, "safeguard": {"office_equipment": False}}), mini)
    s01 = card.item("S01")
    assert (s01.status, s01.points, s01.advice) == ("missed", 0, "Equip the office.")
    assert s01.reason == "not met: office equipment: no, needs yes"


def test_missing_data_is_not_evaluated_and_counts_in_the_maximum(mini: Rubric) -> None:
    card = appraise(make(**{k: v for k, v in FULL.items() if k != "appraisal"}), mini)
    a01 = card.item("A01")
    assert (a01.status, a01.points, a01.max) == ("not_evaluated", 0, 2)
    assert a01.reason == "not reported: appraisal.reports_late"
    assert next(g for g in card.groups if g.id == "appraisal").max == 2


def test_a_condition_met_without_an_unreported_value_still_awards(mini: Rubric) -> None:
    leadership = {"leader_in_charge": True, "working_meetings": 5, "standing_committee_hearings": 2}
    card = appraise(make(**{**FULL, "leadership": leadership}), mini)
    assert card.item("L02").status == "awarded"
    assert card.item("L02").values["leadership.leadership_contact_system"] is None


def test_bonus_is_capped_and_outside_the_grade(mini: Rubric) -> None:
    card = appraise(
        make(**{**FULL, "bonus": {"higher_level_awards": 9}, "safeguard": {"office_equipment": False}}), mini
    )
    assert (card.bonus, card.total, card.grade) == (1.0, 9.0, "good")  # 8 before bonus: good, not excellent


def test_veto_makes_unqualified(mini: Rubric) -> None:
    card = appraise(make(**{**FULL, "inspection": {"falsified_data": True}}), mini)
    assert (card.vetoed, card.grade, card.total) == (True, "unqualified", 10.5)
    assert card.veto_reasons == ["V01: Falsified data was found."]


def test_wrong_year_is_rejected_not_scored(mini: Rubric) -> None:
    unit = make(**FULL).model_copy(update={"year": 2025})
    result = appraise_many([unit, make(unit_id="ok", **FULL)], mini)
    assert [c.unit_id for c in result.scorecards] == ["ok"]
    assert result.rejected[0].lines() == ["u-1: year: the submission is for 2025; the rubric mini scores 2026"]


def test_ranks_peers_and_commendation_quota(mini: Rubric) -> None:
    units = [make(unit_id=f"v{i}", **{**FULL, "appraisal": {"reports_late": i % 3}}) for i in range(10)]
    units.append(make(unit_id="vetoed", **{**FULL, "inspection": {"falsified_data": True}}))
    cards = {c.unit_id: c for c in appraise_many(units, mini).scorecards}
    ordered = sorted(cards.values(), key=lambda c: c.rank or 0)
    assert ordered[-1].unit_id == "vetoed"  # ranks last despite full points
    assert [c.unit_id for c in ordered[:4]] == ["v0", "v3", "v6", "v9"]  # tie on total, shortfalls: unit id
    assert [c.unit_id for c in ordered if c.commended] == ["v0", "v3"]  # 20% of 11, rounded down
    assert cards["v1"].peers is not None and cards["v1"].peers.count == 11
    assert cards["v1"].peers.median_total == 10.0


def test_at_least_one_commended_where_any_qualifies(mini: Rubric) -> None:
    result = appraise_many([make(unit_id="a", **FULL), make("county", unit_id="b", **FULL)], mini)
    assert [c.commended for c in result.scorecards] == [True, True]  # one per org type


def test_duplicate_unit_id_is_rejected(mini: Rubric) -> None:
    result = appraise_many([make(**FULL), make(**FULL)], mini)
    assert len(result.scorecards) == 1
    assert "already seen in u-1" in result.rejected[0].lines()[0]


@pytest.mark.parametrize("org", ["county", "township", "village", "community", "agency", "enterprise"])
def test_same_input_same_bytes(mini: Rubric, org: str) -> None:
    unit = make(org, **FULL)
    assert appraise(unit, mini).to_json() == appraise(unit, mini).to_json()

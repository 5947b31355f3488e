"""The real durable-rules engine, driven through appraisal's engine stage."""

from __future__ import annotations

import json

import pytest
from tests.builders import make

from appraisal import Rubric
from appraisal.engine import Engine, ruleset_for
from appraisal.engine.run import facts_json
from appraisal.facts import build_facts


def fired(engine: Engine, **sections: object) -> list[str]:
    unit = make("village", **sections)  # type: ignore[arg-type]
    return [f.rule for f in engine.run("village", build_facts(unit))]


def test_rules_fire_on_typed_facts(mini: Rubric) -> None:
    engine = Engine(mini)
    rules = fired(
        engine,
        leadership={
            "standing_committee_hearings": 10,
            "leader_in_charge": True,
            "working_meetings": 4,
            "leadership_contact_system": True,
        },
        appraisal={"reports_late": 0},
        safeguard={"office_equipment": True},
        double_learning={"technical_trainings": 2},
        bonus={"higher_level_awards": 0},
        inspection={"falsified_data": False},
    )
    # 10 >= 2 compares as numbers (as text, '10' >= '2' would be false)
    assert rules == ["?unit", "A01#value", "B01#value", "L01#tier1", "L01#tier2", "L02#when", "S01#when"]


def test_missing_values_fire_missing_rules(mini: Rubric) -> None:
    rules = fired(Engine(mini), leadership={"standing_committee_hearings": 0})
    assert "?missing:leadership.leader_in_charge" in rules
    assert "?missing:leadership.standing_committee_hearings" not in rules
    assert not [r for r in rules if r.startswith("L01#")]


def test_veto_and_join_across_sections(mini: Rubric) -> None:
    engine = Engine(mini)
    rules = fired(
        engine,
        safeguard={"office_equipment": True},
        double_learning={"technical_trainings": 1},
        inspection={"falsified_data": True},
    )
    assert "V01#veto" in rules and "S01#when" not in rules
    rules = fired(engine, safeguard={"office_equipment": True}, double_learning={"technical_trainings": 5})
    assert "S01#when" in rules


def test_firing_carries_the_matched_facts(mini: Rubric) -> None:
    unit = make("village", appraisal={"reports_late": 3})
    (firing,) = [f for f in Engine(mini).run("village", build_facts(unit)) if f.rule == "A01#value"]
    assert firing.facts["m0"]["reports_late"] == 3 and firing.facts["m0"]["sid"] == "u-1"


def test_sessions_are_deleted_so_more_than_1024_units_run(mini: Rubric) -> None:
    engine = Engine(mini)
    for index in range(1100):
        unit = make("village", unit_id=f"u{index}", appraisal={"reports_late": index % 5})
        assert "A01#value" in [f.rule for f in engine.run("village", build_facts(unit))]


def test_same_unit_twice_gives_same_firings(mini: Rubric) -> None:
    engine = Engine(mini)
    unit = make("village", leadership={"standing_committee_hearings": 1})
    first = engine.run("village", build_facts(unit))
    assert engine.run("village", build_facts(unit)) == first


def test_every_rule_tests_the_fact_type(mini: Rubric) -> None:
    """durable-rules fires a rule whose only test is an absence test forever: none may be generated."""
    for name, rule in ruleset_for(mini, "county").items():
        for pattern in rule["all"]:
            (test,) = pattern.values()
            first = test["$and"][0] if "$and" in test else test
            assert list(first) == ["t"] and isinstance(first["t"], str), f"{name}: {json.dumps(rule)}"


def test_ruleset_only_holds_items_for_the_type(mini: Rubric) -> None:
    assert all(not name.startswith("X") for name in ruleset_for(mini, "village"))
    assert "L01#tier1" in ruleset_for(mini, "enterprise")


@pytest.mark.parametrize("org", ["county", "enterprise"])
def test_a_closed_engine_drops_its_rulesets_and_can_be_used_again(mini: Rubric, org: str) -> None:
    with Engine(mini) as engine:
        first = engine.run(org, build_facts(make(org)))
        assert engine._handles
    assert engine._handles == {}
    assert engine.run(org, build_facts(make(org))) == first  # a new ruleset under a new name
    engine.close()


def test_floats_reach_the_engine_in_plain_notation() -> None:
    """durable-rules drops a fact written 1e-05 (and every later one): floats are written positionally."""
    text = facts_json([{"sid": "u", "id": "a", "t": "a", "small": 1e-05, "big": 1e16, "flag": True, "n": 3}])
    assert text == '[{"sid":"u","id":"a","t":"a","small":0.00001,"big":10000000000000000,"flag":true,"n":3}]'
    assert json.loads(text)[0]["small"] == 1e-05
    assert facts_json([{"sid": "u", "share": 12.5}]) == '[{"sid":"u","share":12.5}]'


def test_units_matching_no_rule_but_the_sentinel_are_deleted_safely(mini: Rubric) -> None:
    """delete_state on a session where no rule fired frees an invalid pointer in durable-rules 2.0.28."""
    only = mini.items[0].model_copy(update={"tiers": None, "when": "leadership.standing_committee_hearings >= 9"})
    rubric = mini.model_copy(update={"items": (only,), "vetoes": (), "sha256": "sentinel-test"})
    engine = Engine(rubric)
    for index in range(300):
        unit = make("village", unit_id=f"s{index}", leadership={"standing_committee_hearings": 1})
        assert [f.rule for f in engine.run("village", build_facts(unit))] == ["?unit"]


def test_rulesets_reach_the_engine_in_plain_notation() -> None:
    from appraisal.engine.run import plain_json

    text = plain_json({"r": {"all": [{"m0": {"$gte": {"x": 1e-05}}}], "n": [1, 2.5, True, None, "é"]}})
    assert text == '{"r":{"all":[{"m0":{"$gte":{"x":0.00001}}}],"n":[1,2.5,true,null,"\\u00e9"]}}'

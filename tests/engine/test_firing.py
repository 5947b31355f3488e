"""A firing read from durable-rules' action message: its rule at once, its facts (or one value) when asked for."""

from __future__ import annotations

import json

from tests.builders import make, shipped

from appraisal.engine import Engine, Firing
from appraisal.facts import build_facts


def test_a_firing_reads_its_rule_at_once_and_its_facts_when_asked() -> None:
    message = '{"A03#value":{"m0":{"sid":"u-1","id":"appraisal","t":"appraisal","inspection_visits":12,"x":true}}}'
    firing = Firing.from_message(message)
    assert firing.rule == "A03#value"
    assert firing.value("inspection_visits") == 12 and firing.value("x") is True
    assert firing.facts == json.loads(message)["A03#value"]
    assert firing == Firing("A03#value", json.loads(message)["A03#value"])


def test_a_value_is_read_as_the_whole_message_would_be_parsed() -> None:
    # a name inside a string is escaped, so it is not taken for the key; a float keeps every digit
    message = '{"r":{"m0":{"sid":"a,\\"n\\":5","t":"s","share":79.99998,"n":0,"nn":3,"name":"choice_a"}}}'
    for name, value in json.loads(message)["r"]["m0"].items():
        got = Firing.from_message(message).value(name)
        assert got == value and type(got) is type(value)


def test_a_name_json_escapes_and_a_frame_of_two_facts_are_parsed_whole() -> None:
    escaped = Firing.from_message('{"a\\"b":{"m0":{"t":"s","n":1}}}')
    assert escaped.rule == 'a"b' and escaped.value("n") == 1
    two = Firing.from_message('{"L09#when":{"m0":{"t":"a","n":1},"m1":{"t":"b","n":2}}}')
    assert two.value("n") == 1 and two.facts["m1"] == {"t": "b", "n": 2}


def test_the_engine_firings_give_the_facts_they_matched() -> None:
    unit = make("county", appraisal={"inspection_visits": 7, "experiences_promoted": 2})
    facts = build_facts(unit)
    appraisal = next(fact for fact in facts if fact["t"] == "appraisal")
    with Engine(shipped(2026)) as engine:
        firings = {firing.rule: firing for firing in engine.run("county", facts)}
    assert firings["A03#value"].value("inspection_visits") == 7
    assert firings["A03#value"].value("experiences_promoted") == 2
    assert firings["A03#value"].facts == {"m0": appraisal}

"""Rubric to durable-rules: one ruleset definition (rule name -> rule body) per org type.

Rule names say what a firing means, so scoring and traces can read them back:

- ``L01#when``, ``L01#tier2`` (``L01#tier2.1`` when a condition spanning sections needs several rules):
  that condition of item L01 holds;
- ``A03#value``: the value item A03 counts was reported (its amount is read from the firing's fact);
- ``B04#award.national``: the count of one award level of item B04 was reported;
- ``L01#applies``: item L01's ``applies_when`` holds (without that firing, L01 is not applicable to the unit);
- ``V01#veto``: veto V01 holds;
- ``?missing:leadership.working_meetings``: the unit did not report that value.

Every rule tests the section fact's type (``t``), so no rule is an absence test alone (durable-rules fires
such a rule forever).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ..facts import UNIT
from ..rubric import Item, Rubric, expr
from ..rubric.models import Veto

MISSING = "?missing:"
# durable-rules 2.0.28 frees an invalid pointer in delete_state for a session in which no rule ever fired
# (seen as "munmap_chunk(): invalid pointer" aborts, depending on the heap). Every unit asserts a "unit" fact
# and this rule matches it, so every session has fired at least once before it is deleted.
SENTINEL = "?unit"


def rule_names(base: str, rules: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    if len(rules) == 1:
        return {base: rules[0]}
    return {f"{base}.{index}": rule for index, rule in enumerate(rules)}


def _pattern(section: str, test: dict[str, Any]) -> dict[str, Any]:
    return {"all": [{"m0": {"$and": [{"t": section}, test]}}]}


def item_paths(item: Item | Veto) -> tuple[str, ...]:
    """Every value the item's conditions and counts name, in order, without repeats."""
    conditions = [item.when] if isinstance(item, Veto) else [text for _, text in item.conditions()]
    return _paths(tuple(conditions), item.value_paths() if isinstance(item, Item) else ())


@lru_cache(maxsize=4096)
def _paths(conditions: tuple[str, ...], values: tuple[str, ...]) -> tuple[str, ...]:
    paths = [c.path for text in conditions for c in expr.comparisons(expr.parse(text))]
    return tuple(dict.fromkeys([*paths, *values]))


def ruleset_for(rubric: Rubric, org_type: str) -> dict[str, dict[str, Any]]:
    """The durable-rules ruleset scoring units of ``org_type`` under ``rubric``."""
    rules: dict[str, dict[str, Any]] = {SENTINEL: {"all": [{"m0": {"t": UNIT}}]}}
    needed: list[str] = []
    for item in rubric.items_for(org_type):
        for role, text in item.conditions():
            rules.update(rule_names(f"{item.id}#{role}", expr.compile_rules(expr.parse(text))))
        if item.applies_when is not None:
            rules.update(rule_names(f"{item.id}#applies", expr.compile_rules(expr.parse(item.applies_when))))
        value = item.value_path()
        if value:
            section, _, field = value.partition(".")
            rules[f"{item.id}#value"] = _pattern(section, {"$ex": {field: 1}})
        for level, award in (item.awards or {}).items():
            section, _, field = award.value.partition(".")
            rules[f"{item.id}#award.{level}"] = _pattern(section, {"$ex": {field: 1}})
        needed += item_paths(item)
    for veto in rubric.vetoes_for(org_type):
        rules.update(rule_names(f"{veto.id}#veto", expr.compile_rules(expr.parse(veto.when))))
        needed += item_paths(veto)
    for path in dict.fromkeys(needed):
        section, _, field = path.partition(".")
        rules[f"{MISSING}{path}"] = _pattern(section, {"$nex": {field: 1}})
    return rules

"""A rubric compiled for zen-engine (GoRules), so ``bench_scoring.py`` can score the same units through it.

In: a rubric and an org type. Out: zen-engine evaluating, for one unit's facts, every rule the durable-rules
ruleset holds (each item's conditions, each counted value being reported, each veto, each value not reported),
and the ``Firing`` list ``appraisal.engine.reference`` would give, so scoring ends in the same scorecard step.

Each condition becomes one zen expression over a context of the unit's facts by section (``{section: {field:
value}}``), in negation normal form with every comparison guarded (``x != null and x >= 4``): a comparison on a
value not reported is false, as in the engine. Two forms of the same expressions are built:

- ``decision``: a JDM decision graph (input -> expression node -> output) run by ``ZenEngine``, as an
  application would deploy rules to zen-engine;
- ``expression``: one compiled zen expression per org type whose value is the list of the rules' outcomes,
  zen-engine's fastest path (no graph, one call a unit).
"""

from __future__ import annotations

import json
import operator
from dataclasses import dataclass
from typing import Any

import zen

from appraisal.engine import MISSING, Firing, item_paths
from appraisal.engine.compile import SENTINEL
from appraisal.facts import RESERVED, UNIT
from appraisal.rubric import Rubric, expr


def _literal(value: object) -> str:
    if isinstance(value, str):
        return json.dumps(value)
    return expr.literal_text(value)  # true/false, numbers without an exponent


def zen_condition(node: expr.Node) -> str:
    """A condition (in negation normal form) as a zen expression with the engine's meaning."""
    if isinstance(node, expr.Compare):
        if isinstance(node.value, str) and node.op not in ("==", "!="):
            return "false"  # the engine orders numbers only
        return f"({node.path} != null and {node.path} {node.op} {_literal(node.value)})"
    assert isinstance(node, expr.And | expr.Or)
    joint = " and " if isinstance(node, expr.And) else " or "
    return "(" + joint.join(zen_condition(part) for part in node.parts) + ")"


@dataclass(frozen=True)
class _Rule:
    name: str
    expression: str
    sections: tuple[str, ...]  # the facts the firing holds (m0, m1, ...), as the reference names them

    @property
    def frame(self) -> tuple[tuple[str, str], ...]:
        """(pattern name, section) of each fact the firing holds: ``(("m0", "leadership"), ...)``."""
        return tuple((f"m{i}", section) for i, section in enumerate(self.sections))


def rules_for(rubric: Rubric, org_type: str) -> list[_Rule]:
    """The rules of ``org_type``'s durable-rules ruleset, in the reference evaluator's order."""
    rules = [_Rule(SENTINEL, "true", (UNIT,))]

    def condition(name: str, text: str) -> None:
        # one rule per term, named as the engine names its rules (``X#when.N`` when there are several)
        found = expr.terms(expr.parse(text))
        for index, term in enumerate(found):
            tests = [test for section in sorted(term) for test in term[section]]
            node = tests[0] if len(tests) == 1 else expr.And(tuple(tests))
            rules.append(
                _Rule(name if len(found) == 1 else f"{name}.{index}", zen_condition(node), tuple(sorted(term)))
            )

    needed: list[str] = []
    for item in rubric.items_for(org_type):
        for role, text in item.conditions():
            condition(f"{item.id}#{role}", text)
        applies = getattr(item, "applies_when", None)  # rubric features newer than this compiler read if present
        if applies is not None:
            condition(f"{item.id}#applies", applies)
        path = item.value_path()
        if path:
            rules.append(_Rule(f"{item.id}#value", f"{path} != null", (path.partition(".")[0],)))
        for level, award in (getattr(item, "awards", None) or {}).items():
            rules.append(_Rule(f"{item.id}#award.{level}", f"{award.value} != null", (award.value.partition(".")[0],)))
        needed += item_paths(item)
    for veto in rubric.vetoes_for(org_type):
        condition(f"{veto.id}#veto", veto.when)
        needed += item_paths(veto)
    for path in dict.fromkeys(needed):
        rules.append(_Rule(MISSING + path, f"{path} == null", (path.partition(".")[0],)))
    return rules


def _graph(rules: list[_Rule]) -> str:
    expressions = [{"id": f"e{i}", "key": f"r{i}", "value": rule.expression} for i, rule in enumerate(rules)]
    return json.dumps(
        {
            "nodes": [
                {"id": "in", "type": "inputNode", "name": "facts", "position": {"x": 0, "y": 0}},
                {
                    "id": "rules",
                    "type": "expressionNode",
                    "name": "rules",
                    "position": {"x": 200, "y": 0},
                    "content": {"expressions": expressions},
                },
                {"id": "out", "type": "outputNode", "name": "fired", "position": {"x": 400, "y": 0}},
            ],
            "edges": [
                {"id": "a", "type": "edge", "sourceId": "in", "targetId": "rules"},
                {"id": "b", "type": "edge", "sourceId": "rules", "targetId": "out"},
            ],
        }
    )


def context(facts: list[dict[str, Any]]) -> str:
    """The unit's facts as zen's context: each section's reported values by field, as JSON."""
    return json.dumps({fact["t"]: {k: v for k, v in fact.items() if k not in RESERVED} for fact in facts})


_RULE = operator.attrgetter("rule")


class ZenRubric:
    """One rubric for zen-engine: per org type its rules, their decision graph and their list expression."""

    def __init__(self, rubric: Rubric) -> None:
        self.rubric = rubric
        self._engine = zen.ZenEngine()
        self._rules: dict[str, list[_Rule]] = {}
        self._frames: dict[str, list[tuple[str, tuple[tuple[str, str], ...]]]] = {}
        self._decisions: dict[str, Any] = {}
        self._expressions: dict[str, Any] = {}

    def _compiled(self, org_type: str) -> list[_Rule]:
        if org_type not in self._rules:
            rules = rules_for(self.rubric, org_type)
            self._rules[org_type] = rules
            self._frames[org_type] = [(rule.name, rule.frame) for rule in rules]
            self._decisions[org_type] = self._engine.create_decision(_graph(rules))
            self._expressions[org_type] = zen.compile_expression("[" + ", ".join(r.expression for r in rules) + "]")
        return self._rules[org_type]

    def outcomes(self, org_type: str, facts: list[dict[str, Any]], form: str) -> list[bool]:
        """Each rule's outcome for the unit, in ``rules_for``'s order, by the decision graph or the expression."""
        rules = self._compiled(org_type)
        if form == "decision":
            result = self._decisions[org_type].evaluate(context(facts))["result"]
            return [result[f"r{i}"] is True for i in range(len(rules))]
        return [held is True for held in self._expressions[org_type].evaluate(context(facts))]

    def firings(self, org_type: str, facts: list[dict[str, Any]], form: str = "expression") -> list[Firing]:
        """The unit's firings as the reference evaluator gives them (same rule names, same matched facts)."""
        held = self.outcomes(org_type, facts, form)
        by_section = {fact["t"]: fact for fact in facts}
        # the rules' names and frames worked out once, as the engine's firings are read without parsing
        firings = [
            Firing(name, {m: by_section[s] for m, s in frame})
            for (name, frame), fired in zip(self._frames[org_type], held, strict=True)
            if fired
        ]
        firings.sort(key=_RULE)
        return firings

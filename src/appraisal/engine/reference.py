"""The same firings as the engine, computed in plain Python: for benchmarks and cross-checks only.

In: a rubric, an org type and one unit's facts. Out: the ``Firing`` list durable-rules would give (same rule
names, same matched facts). ``benchmarks/bench_scoring.py`` runs both paths in one process and checks that
they give identical scorecards, so the engine's speed is always measured against a known-equal baseline.
"""

from __future__ import annotations

from typing import Any

from ..facts import UNIT, values_of
from ..rubric import Rubric, expr
from .compile import MISSING, SENTINEL, item_paths
from .run import Firing


def reference_firings(rubric: Rubric, org_type: str, facts: list[dict[str, Any]]) -> list[Firing]:
    values = values_of(facts)
    by_section = {fact["t"]: fact for fact in facts}
    firings: list[Firing] = [Firing(SENTINEL, {"m0": by_section[UNIT]})]

    def fire(rule: str, text: str) -> None:
        # one firing per term that holds, named as the engine names its rules (compile.rule_names)
        found = expr.terms(expr.parse(text))
        for index, term in enumerate(found):
            if all(expr.evaluate(test, values) for tests in term.values() for test in tests):
                name = rule if len(found) == 1 else f"{rule}.{index}"
                firings.append(Firing(name, {f"m{i}": by_section[s] for i, s in enumerate(sorted(term))}))

    needed: list[str] = []
    for item in rubric.items_for(org_type):
        for role, text in item.conditions():
            fire(f"{item.id}#{role}", text)
        if item.applies_when is not None:
            fire(f"{item.id}#applies", item.applies_when)
        path = item.value_path()
        if path and values.get(path) is not None:
            firings.append(Firing(f"{item.id}#value", {"m0": by_section[path.partition(".")[0]]}))
        for level, award in (item.awards or {}).items():
            if values.get(award.value) is not None:
                firings.append(Firing(f"{item.id}#award.{level}", {"m0": by_section[award.value.partition(".")[0]]}))
        needed += item_paths(item)
    for veto in rubric.vetoes_for(org_type):
        fire(f"{veto.id}#veto", veto.when)
        needed += item_paths(veto)
    for path in dict.fromkeys(needed):
        if values.get(path) is None:
            firings.append(Firing(MISSING + path, {"m0": by_section[path.partition(".")[0]]}))
    firings.sort(key=lambda f: f.rule)
    return firings

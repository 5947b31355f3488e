"""Firings to a Scorecard: tiers, per-occurrence points, deductions, bonus, vetoes and the grade.

In: the unit's submission, the rubric, the facts asserted and the rules that fired. Out: a ``Scorecard`` with
every item's points, status, the values that decided it and the rule that fired. Arithmetic is in Decimal
and rounded half-up to two decimals per item, so totals never drift.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple, cast

from ..engine import MISSING, Firing, item_paths
from ..facts import values_of
from ..rubric import BONUS_GROUP, GROUPS, Item, Rubric
from ..submission import SubmissionBase
from .scorecard import Grade, Scorecard

CENT = Decimal("0.01")
ZERO = Decimal(0)


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _f(value: Decimal) -> float:
    return float(_round(value))


class Fired:
    """The unit's firings indexed by rule name without its ``.N`` part (a condition compiled to several rules)."""

    def __init__(self, firings: Iterable[Firing]) -> None:
        self._by_rule: dict[str, list[Firing]] = {}
        for firing in firings:
            base = firing.rule if firing.rule.startswith(MISSING) else firing.rule.split(".")[0]
            self._by_rule.setdefault(base, []).append(firing)

    def __call__(self, base: str) -> list[Firing]:
        return self._by_rule.get(base, [])


def _show(values: dict[str, Any]) -> str:
    shown = []
    for path, value in values.items():
        text = "not reported" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
        shown.append(f"{path} = {text}")
    return ", ".join(shown)


def _amount(item: Item, maximum: Decimal, value: Decimal) -> tuple[Decimal, str]:
    """Points of a per_occurrence, deduct or shortfall item for the reported value, and how they came."""
    if item.per_occurrence:
        points = min(maximum, item.per_occurrence.points * value)
        return points, f"{item.per_occurrence.points} per occurrence × {value}, at most {maximum}"
    if item.deduct:
        points = max(ZERO, maximum - item.deduct.points * value)
        return points, f"{maximum} less {item.deduct.points} per occurrence × {value}"
    assert item.shortfall is not None
    short = max(ZERO, item.shortfall.target - value)
    steps = Decimal(math.ceil(short / item.shortfall.step))
    points = max(ZERO, maximum - item.shortfall.points * steps)
    return points, (
        f"{steps} step(s) of {item.shortfall.step} short of {item.shortfall.target}, {item.shortfall.points} each"
    )


class Scored(NamedTuple):
    """One item's result: the scorecard entry, and its points and maximum as exact decimals."""

    entry: dict[str, Any]
    points: Decimal
    max: Decimal


@dataclass(frozen=True)
class _Plan:
    """What scoring one item needs that depends only on the rubric and the org type, worked out once."""

    item: Item
    maximum: Decimal | None
    max_shown: float
    paths: tuple[str, ...]
    missing_rules: tuple[tuple[str, str], ...]
    tier_rules: tuple[str, ...]
    when_rule: str
    value_rule: str


_PLANS: dict[tuple[str, str, str], list[_Plan]] = {}


def _plans(rubric: Rubric, org_type: str) -> list[_Plan]:
    key = (rubric.path, rubric.sha256, org_type)
    if key not in _PLANS:
        plans = []
        for item in rubric.items:
            maximum = item.max_for(org_type)
            paths = item_paths(item) if maximum is not None else ()
            plans.append(
                _Plan(
                    item,
                    maximum,
                    _f(maximum) if maximum is not None else 0.0,
                    paths,
                    tuple((path, MISSING + path) for path in paths),
                    tuple(f"{item.id}#tier{i}" for i in range(1, len(item.tiers or ()) + 1)),
                    f"{item.id}#when",
                    f"{item.id}#value",
                )
            )
        _PLANS[key] = plans
    return _PLANS[key]


def score_item(plan: _Plan, org_type: str, fired: Fired, values: dict[str, Any]) -> Scored:
    """One item's result for one unit, as the fields of its ``ItemScore`` (validated with the scorecard)."""
    item, maximum = plan.item, plan.maximum
    common = {
        "id": item.id,
        "group": item.group,
        "title": item.title.en,
        "title_zh": item.title.zh,
        "citation": item.citation,
    }
    if maximum is None:
        entry = dict(common, points=0.0, max=0.0, status="not_applicable", values={})
        return Scored(entry | {"reason": f"does not apply to {org_type} units"}, ZERO, ZERO)
    seen = {path: values.get(path) for path in plan.paths}
    missing = [path for path, rule in plan.missing_rules if fired(rule)]
    gate = fired(plan.when_rule)
    points, rule, reason = ZERO, None, ""
    if item.kind == "check":
        if gate:
            points, rule, reason = maximum, gate[0].rule, f"{gate[0].rule} fired: {item.when}"
        else:
            reason = f"condition not met: {item.when}"
    elif item.tiers:
        for tier, tier_rule in zip(item.tiers, plan.tier_rules, strict=True):
            hit = fired(tier_rule)
            amount = tier.points if tier.points is not None else maximum * (tier.share or ZERO)
            if hit and min(amount, maximum) > points:
                points, rule = min(amount, maximum), hit[0].rule
                reason = f"{rule} fired: {tier.when}"
        if rule is None:
            reason = f"no tier met; the lowest needs {item.tiers[-1].when}"
    elif item.when and not gate:
        reason = f"condition not met: {item.when}"
    elif counted := fired(plan.value_rule):
        path = str(item.value_path())
        raw = counted[0].facts["m0"][path.partition(".")[2]]
        points, how = _amount(item, maximum, Decimal(str(raw)))
        rule = counted[0].rule
        reason = f"{rule} fired: {path} = {raw}; {how}"
    if rule is None and missing:
        # Nothing fired and the unit left out a value the item needs: the data, not the work, is missing.
        entry = dict(common, points=0.0, max=plan.max_shown, status="not_evaluated", values=seen)
        entry |= {
            "reason": f"not reported: {', '.join(missing)}",
            "rule": MISSING + missing[0],
            "advice": f"Report {', '.join(missing)}. {item.advice.en}",
        }
        return Scored(entry, ZERO, maximum)
    points = _round(max(ZERO, min(points, maximum)))
    status = "awarded" if points == maximum else "partial" if points > 0 else "missed"
    if seen:
        reason += f" ({_show(seen)})"
    entry = dict(common, points=float(points), max=plan.max_shown, status=status, values=seen, reason=reason)
    entry |= {"rule": rule, "advice": None if status == "awarded" else item.advice.en}
    return Scored(entry, points, maximum)


def grade_for(rubric: Rubric, total_before_bonus: Decimal, vetoed: bool) -> Grade:
    if vetoed:
        return "unqualified"
    for grade, bound in rubric.grade_bounds():
        if total_before_bonus >= bound:
            return cast(Grade, grade)
    return "unqualified"


def score_unit(
    submission: SubmissionBase, rubric: Rubric, facts: list[dict[str, Any]], firings: list[Firing]
) -> Scorecard:
    """The unit's Scorecard, before ranks and commendation (which need the whole run)."""
    org = submission.org
    values = values_of(facts)
    fired = Fired(firings)
    scored = [score_item(plan, org, fired, values) for plan in _plans(rubric, org)]
    base_items = [r for r in scored if r.entry["group"] != BONUS_GROUP]
    groups = []
    for group in GROUPS:
        in_group = [r for r in base_items if r.entry["group"] == group]
        points = sum((r.points for r in in_group), ZERO)
        groups.append({"id": group, "points": _f(points), "max": _f(sum((r.max for r in in_group), ZERO))})
    before_bonus = sum((r.points for r in base_items), ZERO)
    bonus = min(rubric.manifest.bonus_cap, sum((r.points for r in scored if r.entry["group"] == BONUS_GROUP), ZERO))
    vetoes = [v for v in rubric.vetoes_for(org) if fired(f"{v.id}#veto")]
    lost = sorted(((r.max - r.points, r.entry["id"]) for r in base_items), key=lambda pair: (-pair[0], pair[1]))
    responsible = submission.rectification.responsible_person if submission.rectification else None
    # One validation of the whole card (in pydantic-core) rather than one per item.
    return Scorecard.model_validate(
        {
            "unit_id": submission.unit_id,
            "name": submission.name,
            "org_type": org,
            "year": submission.year,
            "appraisal_date": submission.appraisal_date,
            "rubric": {"id": rubric.id, "version": rubric.manifest.version, "sha256": rubric.sha256},
            "base": _f(rubric.manifest.base),
            "total": _f(before_bonus + bonus),
            "bonus": _f(bonus),
            "grade": grade_for(rubric, before_bonus, bool(vetoes)),
            "vetoed": bool(vetoes),
            "veto_reasons": [f"{v.id}: {v.reason.en}" for v in vetoes],
            "groups": groups,
            "items": [r.entry for r in scored],
            "shortfalls": [item_id for amount, item_id in lost if amount > 0],
            "responsible_person": responsible,
            "self_score": float(submission.self_score) if submission.self_score is not None else None,
        }
    )

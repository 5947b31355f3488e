"""Firings to a Scorecard: tiers, per-occurrence points, deductions, bonus, vetoes and the grade.

In: the unit's submission, the rubric, the facts asserted and the rules that fired. Out: a ``Scorecard`` with
every item's points, status, the values that decided it and the rule that fired. Arithmetic is in Decimal
and rounded half-up to two decimals per item, so totals never drift.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple, cast

from ..engine import MISSING, Firing, item_paths
from ..engine.explain import item_reason
from ..errors import InputError, Problem
from ..facts import values_of
from ..rubric import BONUS_GROUP, Item, Rubric
from ..rubric.models import Floor
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


def _text(value: Any) -> str:
    return "not reported" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def _verified_words(checked: list[dict[str, Any]]) -> str:
    """``; x.y: reported 12, verified 8 by Li`` for each value the appraisers changed."""
    return "".join(
        f"; {c['field']}: reported {_text(c['reported'])}, verified {_text(c['verified'])} by {c['by']}"
        for c in checked
    )


def verified_values(submission: SubmissionBase) -> dict[str, dict[str, Any]]:
    """The values the appraisers verified differently from the report, by ``section.field``."""
    found: dict[str, dict[str, Any]] = {}
    verification = getattr(submission, "verification", None)
    if verification is None:
        return found
    for section, checks in verification:
        for name, check in checks or ():
            if check is None:
                continue
            path = f"{section}.{name}"
            reported = submission.reported(path)
            if reported != check.value:
                found[path] = {
                    "field": path,
                    "reported": _plain(reported),
                    "verified": _plain(check.value),
                    "by": check.by,
                    "method": check.method,
                    "note": check.note,
                }
    return found


def _plain(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def _amount(item: Item, maximum: Decimal, value: Decimal) -> Decimal:
    """Points of a per_occurrence, deduct or shortfall item for the reported value."""
    if item.per_occurrence:
        way = item.per_occurrence
        return min(maximum, way.points * (value if way.per is None else Decimal(math.floor(value / way.per))))
    if item.deduct:
        return max(ZERO, maximum - item.deduct.points * value)
    assert item.shortfall is not None
    short = max(ZERO, item.shortfall.target - value)
    ratio = short / item.shortfall.step
    steps = Decimal(math.ceil(ratio) if item.shortfall.rounding == "started" else math.floor(ratio))
    return max(ZERO, maximum - item.shortfall.points * steps)


def _awards(item: Item, maximum: Decimal, values: dict[str, Any]) -> Decimal:
    """Points of an awards item: per level, its points per award counted, together at most the maximum."""
    total = ZERO
    for award in (item.awards or {}).values():
        count = values.get(award.value)
        if count is not None:
            total += award.points * Decimal(str(count))
    return min(maximum, total)


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
    # what the appraisers may have verified for the item: its values and the inputs of derived ones
    checkable: tuple[str, ...]
    requires: tuple[tuple[str, str], ...]
    missing_rules: tuple[tuple[str, str], ...]
    tier_rules: tuple[str, ...]
    when_rule: str
    value_rule: str
    applies_rule: str | None
    # reasons already written, by the item's values and outcome: units often report the same values
    reasons: dict[tuple[Any, ...], str] = field(default_factory=dict, compare=False, hash=False)


_REASONS_PER_ITEM = 2048


def _checkable(rubric: Rubric, paths: tuple[str, ...]) -> tuple[str, ...]:
    """``paths`` with each derived value's inputs after it (a verified input changes the derived value)."""
    found: list[str] = []
    for path in paths:
        derived = rubric.indicators.derived_value(path)
        found += [path, *(derived.inputs if derived is not None else ())]
    return tuple(dict.fromkeys(found))


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
                    _checkable(rubric, paths),
                    tuple((need, rubric.indicators.requirements[need]) for need in item.requires),
                    tuple((path, MISSING + path) for path in paths),
                    tuple(f"{item.id}#tier{i}" for i in range(1, len(item.tiers or ()) + 1)),
                    f"{item.id}#when",
                    f"{item.id}#value",
                    f"{item.id}#applies" if item.applies_when is not None else None,
                )
            )
        _PLANS[key] = plans
    return _PLANS[key]


def score_item(
    plan: _Plan,
    org_type: str,
    fired: Fired,
    values: dict[str, Any],
    verified: dict[str, dict[str, Any]],
    self_points: float | None = None,
) -> Scored:
    """One item's result for one unit, as the fields of its ``ItemScore`` (validated with the scorecard)."""
    item, maximum = plan.item, plan.maximum
    common: dict[str, Any] = {
        "id": item.id,
        "group": item.group,
        "title": item.title.en,
        "title_zh": item.title.zh,
        "citation": item.citation,
        "self_points": self_points,
    }
    if maximum is None:
        entry = dict(common, points=0.0, max=0.0, status="not_applicable", values={})
        return Scored(entry | {"reason": f"does not apply to {org_type} units"}, ZERO, ZERO)
    if plan.applies_rule is not None and not fired(plan.applies_rule):
        entry = dict(common, points=0.0, max=0.0, status="not_applicable", values={})
        return Scored(entry | {"reason": f"does not apply: {item.applies_when} does not hold"}, ZERO, ZERO)
    seen = {path: values.get(path) for path in plan.paths}
    checked = [verified[path] for path in plan.checkable if path in verified]
    unmet = [(need, path) for need, path in plan.requires if values.get(path) is not True] if plan.requires else None
    if unmet:
        # The item counts only what the appraising level saw for itself: without it, it is not evaluated.
        entry = dict(common, points=0.0, max=plan.max_shown, status="not_evaluated", values=seen, verified=checked)
        needs = ", ".join(f"{need.replace('_', ' ')} ({path})" for need, path in unmet)
        entry |= {"reason": f"requires a {needs}, not recorded", "rule": None, "advice": item.advice.en}
        return Scored(entry, ZERO, maximum)
    missing = [path for path, rule in plan.missing_rules if fired(rule)]
    gate = fired(plan.when_rule)
    points, rule, tier_hit = ZERO, None, None
    if item.kind == "check":
        if gate:
            points, rule = maximum, gate[0].rule
    elif item.tiers:
        for index, (tier, tier_rule) in enumerate(zip(item.tiers, plan.tier_rules, strict=True)):
            hit = fired(tier_rule)
            amount = tier.points if tier.points is not None else maximum * (tier.share or ZERO)
            if hit and min(amount, maximum) > points:
                points, rule, tier_hit = min(amount, maximum), hit[0].rule, index
    elif item.when and not gate:
        pass
    elif item.awards:
        if counted := fired(f"{item.id}#award"):
            points, rule = _awards(item, maximum, values), counted[0].rule
    elif counted := fired(plan.value_rule):
        path = str(item.value_path())
        raw = counted[0].facts["m0"][path.partition(".")[2]]
        points = _amount(item, maximum, Decimal(str(raw)))
        rule = counted[0].rule
    if rule is None and missing:
        # Nothing fired and the unit left out a value the item needs: the data, not the work, is missing.
        entry = dict(common, points=0.0, max=plan.max_shown, status="not_evaluated", values=seen, verified=checked)
        entry |= {
            "reason": f"not reported: {', '.join(missing)}",
            "rule": MISSING + missing[0],
            "advice": f"Report {', '.join(missing)}. {item.advice.en}",
        }
        return Scored(entry, ZERO, maximum)
    points = _round(max(ZERO, min(points, maximum)))
    status = "awarded" if points == maximum else "partial" if points > 0 else "missed"
    key = (*seen.values(), points, tier_hit)
    reason = plan.reasons.get(key)
    if reason is None:
        reason = item_reason(item, maximum, seen, points, tier_hit)
        if len(plan.reasons) < _REASONS_PER_ITEM:
            plan.reasons[key] = reason
    if checked:
        reason += _verified_words(checked)
    entry = dict(common, points=float(points), max=plan.max_shown, status=status, values=seen, reason=reason)
    entry["verified"] = checked
    entry |= {"rule": rule, "advice": None if status == "awarded" else item.advice.en}
    return Scored(entry, points, maximum)


_TOTAL_FLOOR = Floor(total=ZERO)


def _deductions(
    plans: list[_Plan], fired: Fired, values: dict[str, Any], group_points: dict[str, Decimal]
) -> list[tuple[dict[str, Any], Decimal, bool]]:
    """Each deduction item applying to the unit: (scorecard line, points taken, taken from the total). A
    group's deduction lowers ``group_points`` in place, never below its floor; a total's is taken from the
    total before bonus (the caller subtracts it), never below its floor; the earlier items take first."""
    found = []
    total = sum(group_points.values(), ZERO)
    for plan in plans:
        item, way = plan.item, plan.item.deduction
        if way is None or plan.maximum is None:
            continue
        if plan.applies_rule is not None and not fired(plan.applies_rule):
            continue
        seen = {path: values.get(path) for path in plan.paths}
        wanted, rule, words = ZERO, None, ""
        if item.when is not None and not (gate := fired(plan.when_rule)):
            words = "condition not met: nothing deducted"
        elif way.value is not None:
            raw = values.get(way.value)
            if raw is None:
                words = f"not reported: {way.value}, nothing deducted"
            else:
                wanted, rule = way.points * Decimal(str(raw)), plan.value_rule
                words = f"{way.value.rpartition('.')[2].replace('_', ' ')}: {raw} × {way.points}"
        else:
            wanted, rule = way.points, gate[0].rule
            words = f"met: {item.when}"
        if way.cap is not None and wanted > way.cap:
            wanted, words = way.cap, f"{words}, at most {way.cap}"
        floor = item.floor or _TOTAL_FLOOR
        on_total = floor.group is None
        if floor.group is not None:
            room = max(ZERO, group_points.get(item.group, ZERO) - floor.group)
            where = f"group {item.group} >= {floor.group}"
        else:
            lowest = floor.total or ZERO
            room, where = max(ZERO, total - lowest), f"total >= {lowest}"
        taken = _round(min(wanted, room))
        if taken < wanted:
            words += f"; {_round(wanted)} due, {taken} taken (floor: {where})"
        total -= taken
        if not on_total:
            group_points[item.group] -= taken
        entry = {
            "id": item.id,
            "group": item.group,
            "title": item.title.en,
            "title_zh": item.title.zh,
            "points": -float(taken),
            "values": seen,
            "reason": words,
            "rule": rule,
            "citation": item.citation,
            "floor": where,
        }
        found.append((entry, taken, on_total))
    return found


def grade_for(rubric: Rubric, graded_on: Decimal, vetoed: bool) -> Grade:
    """The grade for the points the manifest's ``grade_on`` names (before bonus, or the total)."""
    if vetoed:
        return "unqualified"
    for grade, bound in rubric.grade_bounds():
        if graded_on >= bound:
            return cast(Grade, grade)
    return "unqualified"


def score_unit(
    submission: SubmissionBase, rubric: Rubric, facts: list[dict[str, Any]], firings: list[Firing]
) -> Scorecard:
    """The unit's Scorecard, before ranks and commendation (which need the whole run)."""
    org = submission.org
    values = values_of(facts)
    fired = Fired(firings)
    verified = verified_values(submission)
    own = {k: float(v) for k, v in (submission.self_assessment or {}).items()}
    plans = _plans(rubric, org)
    unknown = sorted(set(own) - {p.item.id for p in plans if p.maximum is not None and p.item.deduction is None})
    if unknown:
        where = [
            Problem(f"self_assessment.{item_id}", f"no item {item_id} applies to {org} units") for item_id in unknown
        ]
        raise InputError(submission.source, where, submission.unit_id)
    scored = [
        score_item(plan, org, fired, values, verified, own.get(plan.item.id))
        for plan in plans
        if plan.item.deduction is None
    ]
    base_items = [r for r in scored if r.entry["group"] != BONUS_GROUP]
    manifest = rubric.manifest
    group_points: dict[str, Decimal] = {}
    group_max: dict[str, float] = {}
    for group in manifest.groups:
        in_group = [r for r in base_items if r.entry["group"] == group.id]
        points = sum((r.points for r in in_group), ZERO)
        most = sum((r.max for r in in_group), ZERO)
        if group.weight is not None:  # the group's points scaled to its share of the base
            share = group.weight * manifest.base
            points, most = (_round(points * share / most) if most else ZERO), share
        group_points[group.id], group_max[group.id] = points, _f(most)
    deductions = _deductions(plans, fired, values, group_points) if rubric.has_deductions else []
    groups = [{"id": g, "points": _f(points), "max": group_max[g]} for g, points in group_points.items()]
    before_bonus = sum(group_points.values(), ZERO) - sum((d[1] for d in deductions if d[2]), ZERO)
    bonus = min(manifest.bonus_cap, sum((r.points for r in scored if r.entry["group"] == BONUS_GROUP), ZERO))
    graded_on = before_bonus + bonus if manifest.grade_on == "total" else before_bonus
    vetoes = [v for v in rubric.vetoes_for(org) if fired(f"{v.id}#veto")]
    lost = sorted(((r.max - r.points, r.entry["id"]) for r in base_items), key=lambda pair: (-pair[0], pair[1]))
    responsible = submission.rectification.responsible_person if submission.rectification else None
    differences = sorted(
        (
            (-abs(Decimal(str(r.entry["self_points"])) - r.points), r.entry["id"])
            for r in scored
            if r.entry["self_points"] is not None and Decimal(str(r.entry["self_points"])) != r.points
        ),
    )
    if submission.self_score is not None:
        self_score: float | None = float(submission.self_score)
    else:
        self_score = _f(sum((Decimal(str(v)) for v in own.values()), ZERO)) if own else None
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
            "graded_on": _f(graded_on),
            "grade_on": manifest.grade_on,
            "grade": grade_for(rubric, graded_on, bool(vetoes)),
            "vetoed": bool(vetoes),
            "veto_reasons": [f"{v.id}: {v.reason.en}" for v in vetoes],
            "groups": groups,
            "items": [r.entry for r in scored],
            "deductions": [d[0] for d in deductions],
            "tie_break": manifest.commendation.tie_break,
            "shortfalls": [item_id for amount, item_id in lost if amount > 0],
            "responsible_person": responsible,
            "self_score": self_score,
            "self_differences": [item_id for _, item_id in differences],
        }
    )

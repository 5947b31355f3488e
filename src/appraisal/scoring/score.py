"""Firings to a Scorecard: tiers, per-occurrence points, deductions, bonus, vetoes and the grade.

In: the unit's submission, the rubric, the facts asserted and the rules that fired. Out: a ``Scorecard`` with
every item's points, status, the values that decided it and the rule that fired. Arithmetic is in Decimal
and rounded half-up to two decimals per item, so totals never drift.

Speed (docs/speed.md): what depends only on the rubric and the org type is worked out once (``_Plans``), and an
item's card is a function of the rule that decided it and the values it read, so cards are kept by those and
shared between scorecards: an item not applying to the org type is one ``ItemScore`` for every unit, and the
cards of items reading yes/no, counts and choices are kept by (rule, values). Scorecards and their parts are
frozen and nothing changes them in place (``rank`` makes new ones with ``model_copy``), so sharing is safe; a
test builds every card afresh and compares the bytes.
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
from .scorecard import DeductionScore, Grade, GroupScore, ItemScore, RubricRef, Scorecard, VerifiedValue, share, trusted

CENT = Decimal("0.01")
ZERO = Decimal(0)


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _f(value: Decimal) -> float:
    return float(_round(value))


class Fired(dict[str, list[Firing]]):
    """The unit's firings indexed by rule name without its ``.N`` part (a condition compiled to several rules).
    ``fired(base)`` is the list of them (empty when none fired); ``get`` gives None instead, without the call."""

    def __init__(self, firings: Iterable[Firing]) -> None:
        super().__init__()
        for firing in firings:
            rule = firing.rule
            base = rule if "." not in rule or rule.startswith(MISSING) else rule.partition(".")[0]
            if (found := self.get(base)) is None:
                self[base] = [firing]
            else:
                found.append(firing)

    def __call__(self, base: str) -> list[Firing]:
        return self.get(base) or []


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


# One item's result: its ItemScore, and its points and maximum as exact decimals.
Scored = tuple[ItemScore, Decimal, Decimal]


class _Outcome(NamedTuple):
    """Points as scored (rounded), as shown, the status they give, and the advice that goes with it."""

    points: Decimal
    shown: float
    status: str
    advice: str | None


def _outcome(points: Decimal, maximum: Decimal, advice: str) -> _Outcome:
    points = _round(max(ZERO, min(points, maximum)))
    status = "awarded" if points == maximum else "partial" if points > 0 else "missed"
    return _Outcome(points, float(points), status, None if status == "awarded" else advice)


@dataclass(frozen=True, slots=True)
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
    # each tier's rule, the points it gives (at most the maximum) and its index
    tiers: tuple[tuple[str, Decimal, int], ...]
    # a check's outcome when it holds, or each tier's when it is the best that holds; and when nothing holds
    outcomes: tuple[_Outcome, ...]
    nothing: _Outcome
    when_rule: str
    value_rule: str
    award_rule: str
    value_field: str  # the counted value's field in its section's fact
    kind: str
    advice: str
    # the entry of an item that does not apply to the org type, but for its values and verified (fresh each time)
    not_applicable: dict[str, Any]
    applies_rule: str | None  # the rule of the item's applies_when, if it has one
    # reasons already written, by the item's values and outcome: units often report the same values
    reasons: dict[tuple[Any, ...], str] = field(default_factory=dict, compare=False, hash=False)
    # (derived share, its whole) of each share the item reads: a whole of 0 leaves the share without a value
    shares: tuple[tuple[str, str], ...] = ()
    bonus: bool = False  # a bonus item: its points add to the bonus, not to a group
    # the item's ItemScore, the same for every unit, where the item does not apply to the org type (and where
    # its applies_when does not hold, when the unit gives no points of its own for it)
    not_applicable_card: ItemScore | None = None
    inapplicable_card: ItemScore | None = None
    # whether an entry is wholly decided by the rule that decided it and the item's values: they are all yes/no,
    # whole numbers or choices (a float's -0.0 equals 0.0 as a key, but not as JSON)
    cacheable: bool = False
    # ItemScores already made, by (the rule that decided, or else the values not reported; the values), for units
    # whose values the appraisers left as reported and that claim no points of their own: shared between
    # scorecards (frozen, and never changed in place)
    cards: dict[tuple[Any, ...], tuple[ItemScore, Decimal]] = field(default_factory=dict, compare=False, hash=False)


# At most this many reasons kept an item (for an item whose cards are not kept, or are kept in full already).
# Measured on 12,000 synthetic units of every org type in shuffled order (benchmarks/bench_batch.py's inputs): 2048
# kept 31,000 reasons, a worker's RSS grew 9.1 MB every 10,000 units (most of a run's growth) for 2.3 reasons
# written a unit; 256 kept 12,200, grew 2.9 MB, for 2.6 written (about 25 us a reason); none, 1.4 MB but 38.5.
_REASONS_PER_ITEM = 256
# At most this many ItemScores kept an item: units report counts of a few dozen values, which fit; the cards
# kept cost about 1.3 kB each (300 items over six org types: 25 MB at most for a rubric).
_CARDS_PER_ITEM = 64
_CACHEABLE_KINDS = frozenset({"flag", "count", "choice"})


def _checkable(rubric: Rubric, paths: tuple[str, ...]) -> tuple[str, ...]:
    """``paths`` with each derived value's inputs after it (a verified input changes the derived value)."""
    found: list[str] = []
    for path in paths:
        derived = rubric.indicators.derived_value(path)
        found += [path, *(derived.inputs if derived is not None else ())]
    return tuple(dict.fromkeys(found))


def _tiers(item: Item, maximum: Decimal) -> tuple[tuple[str, Decimal, int], ...]:
    amounts = [tier.points if tier.points is not None else maximum * (tier.share or ZERO) for tier in item.tiers or ()]
    return tuple((f"{item.id}#tier{i + 1}", min(amount, maximum), i) for i, amount in enumerate(amounts))


def _plan(rubric: Rubric, item: Item, org_type: str) -> _Plan:
    maximum = item.max_for(org_type)
    kinds = rubric.indicators.attributes(org_type)
    paths = item_paths(item) if maximum is not None else ()
    tiers = _tiers(item, maximum) if maximum is not None else ()
    if maximum is None:
        outcomes: tuple[_Outcome, ...] = ()
    elif item.kind == "check":
        outcomes = (_outcome(maximum, maximum, item.advice.en),)
    else:
        outcomes = tuple(_outcome(amount, maximum, item.advice.en) for _, amount, _ in tiers)
    return _Plan(
        item,
        maximum,
        _f(maximum) if maximum is not None else 0.0,
        paths,
        _checkable(rubric, paths),
        tuple((need, rubric.indicators.requirements[need]) for need in item.requires),
        tuple((path, MISSING + path) for path in paths),
        tiers,
        outcomes,
        _outcome(ZERO, maximum if maximum is not None else ZERO, item.advice.en),
        f"{item.id}#when",
        f"{item.id}#value",
        f"{item.id}#award",
        str(item.value_path()).partition(".")[2],
        item.kind,
        item.advice.en,
        _not_applicable(item, org_type),
        f"{item.id}#applies" if item.applies_when is not None else None,
        shares=_shares(rubric, paths),
        bonus=item.group == BONUS_GROUP,
        not_applicable_card=share(trusted(ItemScore, _not_applicable(item, org_type))) if maximum is None else None,
        inapplicable_card=(
            share(trusted(ItemScore, _inapplicable(item, None))) if item.applies_when is not None else None
        ),
        cacheable=maximum is not None and all(kinds.get(path) in _CACHEABLE_KINDS for path in paths),
    )


def _not_applicable(item: Item, org_type: str) -> dict[str, Any]:
    reason = f"does not apply to {org_type} units"
    return _entry(item, 0.0, 0.0, None, "not_applicable", {}, [], reason, None, None)


def _inapplicable(item: Item, self_points: float | None) -> dict[str, Any]:
    reason = f"does not apply: {item.applies_when} does not hold"
    return _entry(item, 0.0, 0.0, self_points, "not_applicable", {}, [], reason, None, None)


def _shares(rubric: Rubric, paths: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    found = []
    for path in paths:
        derived = rubric.indicators.derived_value(path)
        if derived is not None and derived.share is not None:
            found.append((path, derived.share.whole))
    return tuple(found)


class _Plans(NamedTuple):
    """An org type's plans: every item's, the scored items' (all but deductions), and the ids a unit may claim
    points of its own for (the scored items applying to the org type)."""

    every: list[_Plan]
    scored: list[_Plan]
    claimable: frozenset[str]
    # the scorecard's items as they start: the shared card of each item not applying to the org type, None in the
    # place of each other; and those others' places and plans
    start: tuple[ItemScore | None, ...]
    applying: tuple[tuple[int, _Plan], ...]
    vetoes: tuple[tuple[str, str], ...]  # each veto's rule, and its words on the card
    bounds: list[tuple[str, Decimal]]  # the rubric's grade_bounds
    groups: dict[tuple[str, Decimal, Decimal], GroupScore]  # group scores made, by group, points and maximum


_PLANS: dict[tuple[str, str, str], _Plans] = {}


def _plans(rubric: Rubric, org_type: str) -> _Plans:
    key = (rubric.path, rubric.sha256, org_type)
    if key not in _PLANS:
        every = [_plan(rubric, item, org_type) for item in rubric.items]
        scored = [plan for plan in every if plan.item.deduction is None]
        claimable = frozenset(plan.item.id for plan in scored if plan.maximum is not None)
        start = tuple(plan.not_applicable_card for plan in scored)
        applying = tuple((at, plan) for at, plan in enumerate(scored) if plan.maximum is not None)
        vetoes = tuple((f"{v.id}#veto", f"{v.id}: {v.reason.en}") for v in rubric.vetoes_for(org_type))
        _PLANS[key] = _Plans(every, scored, claimable, start, applying, vetoes, rubric.grade_bounds(), {})
    return _PLANS[key]


def _entry(
    item: Item,
    points: float,
    maximum: float,
    self_points: float | None,
    status: str,
    values: dict[str, Any],
    verified: list[VerifiedValue] | list[dict[str, Any]],
    reason: str,
    advice: str | None,
    rule: str | None,
) -> dict[str, Any]:
    """An ``ItemScore``'s fields, every one, in the order the model declares them (the order its JSON keeps)."""
    return {
        "id": item.id,
        "group": item.group,
        "title": item.title.en,
        "title_zh": item.title.zh,
        "points": points,
        "max": maximum,
        "self_points": self_points,
        "status": status,
        "values": values,
        "verified": verified,
        "reason": reason,
        "advice": advice,
        "citation": item.citation,
        "rule": rule,
    }


def score_item(
    plan: _Plan,
    fired: Fired,
    values: dict[str, Any],
    verified: dict[str, dict[str, Any]],
    self_points: float | None = None,
) -> Scored:
    """One item's result for one unit: its ``ItemScore``, points and maximum."""
    item, maximum = plan.item, plan.maximum
    if maximum is None:
        if self_points is None and plan.not_applicable_card is not None:
            return (plan.not_applicable_card, ZERO, ZERO)
        entry = dict(plan.not_applicable, self_points=self_points, values={}, verified=[])
        return (trusted(ItemScore, entry), ZERO, ZERO)
    if plan.applies_rule is not None and plan.applies_rule not in fired:
        if self_points is None and plan.inapplicable_card is not None:
            return (plan.inapplicable_card, ZERO, ZERO)
        return (trusted(ItemScore, _inapplicable(item, self_points)), ZERO, ZERO)
    checked = [verified[path] for path in plan.checkable if path in verified] if verified else None
    if plan.requires and (unmet := [(need, path) for need, path in plan.requires if values.get(path) is not True]):
        # The item counts only what the appraising level saw for itself: without it, it is not evaluated.
        needs = ", ".join(f"{need.replace('_', ' ')} ({path})" for need, path in unmet)
        reason = f"requires a {needs}, not recorded"
        seen = {path: values.get(path) for path in plan.paths}
        entry = _entry(
            item, 0.0, plan.max_shown, self_points, "not_evaluated", seen, _checked(checked), reason, plan.advice, None
        )
        return (trusted(ItemScore, entry), ZERO, maximum)
    # the rule that decided the item: the gate of a check, the best tier that fired, the count being reported
    rule, tier_hit = None, None
    kind = plan.kind
    if kind == "check":
        if gate := fired.get(plan.when_rule):
            rule = gate[0].rule
    elif plan.tiers:
        best = ZERO
        for tier_rule, amount, index in plan.tiers:
            if amount > best and (hit := fired.get(tier_rule)):
                best, rule, tier_hit = amount, hit[0].rule, index
    elif item.when and not fired.get(plan.when_rule):
        pass
    elif item.awards:
        if counted := fired.get(plan.award_rule):
            rule = counted[0].rule
    elif counted := fired.get(plan.value_rule):
        rule = counted[0].rule
    # without a rule, the values the unit did not report (each a rule that fired)
    missing = [path for path, missing_rule in plan.missing_rules if missing_rule in fired] if rule is None else None
    shown = tuple(map(values.get, plan.paths))
    key = (tuple(missing) if missing else rule, *shown)
    keep = plan.cacheable and not checked and self_points is None
    if keep and (made := plan.cards.get(key)) is not None:
        return (share(made[0]), made[1], maximum)  # met again: its JSON written once (``share``)
    seen = dict(zip(plan.paths, shown, strict=True))
    if missing:
        # Nothing fired and the unit left out a value the item needs: the data, not the work, is missing.
        # a share of a whole reported as 0 was reported, but has no value: say so rather than "not reported"
        nothing = {share: whole for share, whole in plan.shares if share in missing and values.get(whole) == 0}
        unreported = [path for path in missing if path not in nothing]
        words = [f"not reported: {', '.join(unreported)}"] if unreported else []
        words += [f"{share} has no value, as {whole} is 0 (no share of nothing)" for share, whole in nothing.items()]
        advice = f"Report {', '.join(unreported)}. {plan.advice}" if unreported else plan.advice
        entry = _entry(
            item,
            0.0,
            plan.max_shown,
            self_points,
            "not_evaluated",
            seen,
            _checked(checked),
            "; ".join(words),
            advice,
            MISSING + missing[0],
        )
        card = trusted(ItemScore, entry)
        if keep and len(plan.cards) < _CARDS_PER_ITEM:
            plan.cards[key] = (card, ZERO)
        return (card, ZERO, maximum)
    if rule is None:
        outcome = plan.nothing
    elif kind == "check":
        outcome = plan.outcomes[0]
    elif tier_hit is not None:
        outcome = plan.outcomes[tier_hit]
    elif item.awards:
        outcome = _outcome(_awards(item, maximum, values), maximum, plan.advice)
    else:
        # the value the firing matched: its section's fact holds what ``values`` holds
        outcome = _outcome(_amount(item, maximum, Decimal(str(values[str(item.value_path())]))), maximum, plan.advice)
    points = outcome.points
    reason_key = (*shown, points, tier_hit)
    said = plan.reasons.get(reason_key)
    if said is None:
        said = item_reason(item, maximum, seen, points, tier_hit)
        # kept here unless the card itself is (an item with its 64 cards kept already keeps its reasons)
        if len(plan.reasons) < _REASONS_PER_ITEM and not (keep and len(plan.cards) < _CARDS_PER_ITEM):
            plan.reasons[reason_key] = said
    if checked:
        said += _verified_words(checked)
    entry = _entry(
        item,
        outcome.shown,
        plan.max_shown,
        self_points,
        outcome.status,
        seen,
        _checked(checked),
        said,
        outcome.advice,
        rule,
    )
    card = trusted(ItemScore, entry)
    if keep and len(plan.cards) < _CARDS_PER_ITEM:
        plan.cards[key] = (card, points)
    return (card, points, maximum)


def _checked(checked: list[dict[str, Any]] | None) -> list[VerifiedValue]:
    return [trusted(VerifiedValue, dict(c)) for c in checked] if checked else []


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
            "points": -float(taken) if taken else 0.0,
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
    return _grade(rubric.grade_bounds(), graded_on, vetoed)


def _grade(bounds: list[tuple[str, Decimal]], graded_on: Decimal, vetoed: bool) -> Grade:
    if vetoed:
        return "unqualified"
    for grade, bound in bounds:
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
    unknown = sorted(set(own) - plans.claimable) if own else None
    if unknown:
        where = [
            Problem(f"self_assessment.{item_id}", f"no item {item_id} applies to {org} units") for item_id in unknown
        ]
        raise InputError(submission.source, where, submission.unit_id)
    manifest = rubric.manifest
    bonus = ZERO
    in_group: dict[str, list[Decimal]] = {group.id: [ZERO, ZERO] for group in manifest.groups}
    lost: list[tuple[Decimal, str]] = []
    differences: list[tuple[Decimal, str]] = []
    # the items not applying to the org type are in place: no points, nothing lost, none claimed
    items = list(plans.start)
    for at, plan in plans.applying:
        claimed = own.get(plan.item.id) if own else None
        card, points, maximum = score_item(plan, fired, values, verified, claimed)
        items[at] = card
        if plan.bonus:
            bonus += points
        else:
            if (sums := in_group.get(plan.item.group)) is not None:
                sums[0] += points
                sums[1] += maximum
            if maximum > points:
                lost.append((points - maximum, plan.item.id))  # most lost first, then by id
        if claimed is not None and (gap := Decimal(str(claimed)) - points):
            differences.append((-abs(gap), plan.item.id))
    group_points: dict[str, Decimal] = {}
    group_max: dict[str, Decimal] = {}
    for group in manifest.groups:
        points, most = in_group[group.id]
        if group.weight is not None:  # the group's points scaled to its share of the base
            share = group.weight * manifest.base
            points, most = (_round(points * share / most) if most else ZERO), share
        group_points[group.id], group_max[group.id] = points, most
    deductions = _deductions(plans.every, fired, values, group_points) if rubric.has_deductions else []
    groups = [_group_score(plans, group, points, group_max[group]) for group, points in group_points.items()]
    before_bonus = sum(group_points.values(), ZERO) - sum((d[1] for d in deductions if d[2]), ZERO)
    bonus = min(manifest.bonus_cap, bonus)
    graded_on = before_bonus + bonus if manifest.grade_on == "total" else before_bonus
    vetoes = [words for rule, words in plans.vetoes if rule in fired]
    responsible = submission.rectification.responsible_person if submission.rectification else None
    if submission.self_score is not None:
        self_score: float | None = float(submission.self_score)
    else:
        self_score = _f(sum((Decimal(str(v)) for v in own.values()), ZERO)) if own else None
    # Built from parts this module made and knows valid (the submission and the rubric were validated where
    # they came in): validating the card again cost more than scoring it. The keys are in the models' order.
    return trusted(
        Scorecard,
        {
            "unit_id": submission.unit_id,
            "name": submission.name,
            "org_type": org,
            "year": submission.year,
            "appraisal_date": submission.appraisal_date,
            "rubric": _rubric_ref(rubric),
            "base": _f(rubric.manifest.base),
            "total": _f(before_bonus + bonus),
            "bonus": _f(bonus),
            "graded_on": _f(graded_on),
            "grade_on": manifest.grade_on,
            "grade": _grade(plans.bounds, graded_on, bool(vetoes)),
            "vetoed": bool(vetoes),
            "veto_reasons": vetoes,
            "commended": None,
            "rank": None,
            "peers": None,
            "groups": groups,
            "items": items,
            "deductions": [trusted(DeductionScore, d[0]) for d in deductions],
            "shortfalls": [item_id for _, item_id in sorted(lost)],
            "responsible_person": responsible,
            "self_score": self_score,
            "self_differences": [item_id for _, item_id in sorted(differences)],
            "tie_break": list(manifest.commendation.tie_break),
        },
    )


_GROUPS_PER_TYPE = 4096  # GroupScores kept an org type (about 0.4 kB each)


def _group_score(plans: _Plans, group: str, points: Decimal, most: Decimal) -> GroupScore:
    """A group's score; the same points and maximum give the same GroupScore, shared between scorecards."""
    key = (group, points, most)  # as Decimals: equal values, however written, show the same
    if (made := plans.groups.get(key)) is None:
        made = trusted(GroupScore, {"id": group, "points": _f(points), "max": _f(most), "peer_median": None})
        if len(plans.groups) < _GROUPS_PER_TYPE:
            plans.groups[key] = made
    return made


_RUBRIC_REFS: dict[tuple[str, str], RubricRef] = {}


def _rubric_ref(rubric: Rubric) -> RubricRef:
    key = (rubric.path, rubric.sha256)
    if key not in _RUBRIC_REFS:
        _RUBRIC_REFS[key] = RubricRef(id=rubric.id, version=rubric.manifest.version, sha256=rubric.sha256)
    return _RUBRIC_REFS[key]

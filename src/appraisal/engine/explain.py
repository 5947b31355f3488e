"""Explaining an item's outcome: its conditions and the unit's values in, what held and what failed out, in words.

For a condition that failed, the parts that failed and by how much ("standing committee hearings: 0, needs >= 1,
1 short"); for one that held, the parts that made it hold. An ``and`` fails on each of its failing parts, an
``or`` on all of its alternatives ("one of ..."). Values are as the engine saw them (``facts.values_of``); a
value not reported is said so, never taken as zero. The scorecard's item ``reason`` and ``appraisal explain``
both come from here, so the two always say the same.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from typing import Any, NamedTuple

from ..rubric import Item, expr

Label = Callable[[str], str]


@lru_cache(maxsize=4096)
def field_words(path: str) -> str:
    """A value's name in words: ``leadership.standing_committee_hearings`` -> ``standing committee hearings``."""
    return path.rpartition(".")[2].replace("_", " ")


_CENT = Decimal("0.01")


def _value_text(value: Any) -> str:
    if value is None:
        return "not reported"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return format(Decimal(repr(value)).quantize(_CENT).normalize(), "f")
    return str(value)


def wanted(compare: expr.Compare) -> bool:
    """The answer a yes/no comparison asks for: ``x == true`` and ``x != false`` ask for yes."""
    return bool(compare.value) == (compare.op == "==")


def test_words(compare: expr.Compare, symbols: Callable[[str], str] = str) -> str:
    """A comparison's test as the reasons write it: ``>= 1``, ``< 0.5`` (``symbols``: the operator's sign)."""
    return f"{symbols(compare.op)} {expr.literal_text(compare.value)}"


class Part(NamedTuple):
    """One comparison of a condition, the value it saw, and whether it held (a tuple: a unit's reasons make
    dozens, and a frozen dataclass cost three times as much to make)."""

    compare: expr.Compare
    value: Any
    holds: bool

    def words(self, label: Label = field_words) -> str:
        name = label(self.compare.path)
        seen = _value_text(self.value)
        if (
            isinstance(self.value, float)
            and expr.holds_nnf(self.compare, {self.compare.path: float(seen)}) != self.holds  # a Compare: in nnf
        ):
            seen = expr.literal_text(self.value)  # rounded, 79.99998 would read as meeting >= 80
        if isinstance(self.compare.value, bool):
            return f"{name}: {seen}" + ("" if self.holds else f", needs {_value_text(wanted(self.compare))}")
        test = test_words(self.compare)
        if self.holds:
            return f"{name}: {seen}, meets {test}"
        return f"{name}: {seen}, needs {test}{self._gap()}"

    def _gap(self) -> str:
        """How far a number is from a bound it must reach (``>=``) or stay within (``<=``)."""
        value, target, op = self.value, self.compare.value, self.compare.op
        if value is None or isinstance(value, bool) or isinstance(target, bool) or op not in (">=", "<="):
            return ""
        gap = abs(Decimal(str(target)) - Decimal(str(value)))
        shown = _value_text(float(gap))
        if Decimal(shown) == 0:  # 0.00002 short would read as 0 short
            shown = format(gap.normalize(), "f")
        return f" ({shown} {'short' if op == '>=' else 'over'})"


class Outcome(NamedTuple):
    """A condition's outcome for one unit: whether it held, and the parts that decided it, in words."""

    text: str
    holds: bool
    parts: tuple[Part, ...]
    words: str


def _part(compare: expr.Compare, values: dict[str, Any]) -> Part:
    return Part(compare, values.get(compare.path), expr.holds_nnf(compare, values))


def _say(node: expr.Node, values: dict[str, Any], holds: bool, label: Label) -> tuple[list[Part], str]:
    """The parts that made ``node`` come out as ``holds``, and the sentence saying so."""
    if isinstance(node, expr.Compare):
        part = _part(node, values)
        return [part], part.words(label)
    assert not isinstance(node, expr.Not)  # in negation normal form
    results = [(child, expr.holds_nnf(child, values)) for child in node.parts]
    # and: held on all parts, failed on the failing ones; or: held on a holding one, failed on all
    if isinstance(node, expr.And):
        deciding = [c for c, r in results if r] if holds else [c for c, r in results if not r]
    else:
        deciding = [next(c for c, r in results if r)] if holds else [c for c, _ in results]
    parts: list[Part] = []
    sentences = []
    for child in deciding:
        found, sentence = _say(child, values, holds, label)
        parts += found
        sentences.append(f"({sentence})" if isinstance(child, expr.And | expr.Or) and len(deciding) > 1 else sentence)
    if isinstance(node, expr.Or) and not holds and len(sentences) > 1:
        return parts, "none of: " + "; or ".join(sentences)
    return parts, "; ".join(sentences)


@lru_cache(maxsize=8192)
def _normal(text: str) -> expr.Node:
    return expr.nnf(expr.parse(text))


def explain(text: str, values: dict[str, Any], label: Label = field_words) -> Outcome:
    """The outcome of the condition ``text`` on ``values`` (``section.field`` -> value, as facts give them)."""
    node = _normal(text)
    holds = expr.holds_nnf(node, values)
    parts, words = _say(node, values, holds, label)
    return Outcome(text, holds, tuple(parts), words)


# --- an item's outcome ----------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _n(amount: Decimal) -> str:
    return format(amount.quantize(Decimal("0.01")).normalize(), "f")


@lru_cache(maxsize=1024)
def _points(amount: Decimal) -> str:
    return f"{_n(amount)} point" + ("" if amount == 1 else "s")


def item_reason(
    item: Item,
    maximum: Decimal,
    values: dict[str, Any],
    points: Decimal,
    tier: int | None,
    label: Label = field_words,
) -> str:
    """Why ``item`` scored ``points`` of ``maximum`` for a unit with ``values``: the condition met, or the part
    that failed and by how much; for a partial tier, what the next tier needs. ``tier`` is the index of the tier
    that gave the points (``None`` when none did)."""
    if item.kind == "check":
        outcome = explain(str(item.when), values, label)
        return f"{'met' if outcome.holds else 'not met'}: {outcome.words}"
    if item.tiers:
        return _tiers_reason(item, maximum, values, tier, label)
    if item.when is not None:
        gate = explain(item.when, values, label)
        if not gate.holds:
            return f"condition not met: {gate.words}"
    if item.awards:
        parts = []
        for level, award in item.awards.items():
            count = values.get(award.value)
            shown = "not reported" if count is None else f"{_value_text(count)} × {_points(award.points)}"
            parts.append(f"{level.replace('_', ' ')}: {shown}")
        return f"{'; '.join(parts)}: {_n(points)}, at most {_n(maximum)}"
    path = str(item.value_path())
    raw = values.get(path)
    if raw is None:
        return f"not reported: {path}"
    value = Decimal(str(raw))
    name, shown = label(path), _value_text(raw)
    if item.per_occurrence and item.per_occurrence.per is not None:
        each, per = item.per_occurrence.points, item.per_occurrence.per
        steps = Decimal(math.floor(value / per))
        noun = "step" if steps == 1 else "steps"
        reason = f"{name}: {shown}, {_n(steps)} whole {noun} of {_n(per)} × {_points(each)}, at most {_n(maximum)}"
        if points < maximum:
            needed = Decimal(math.ceil(maximum / each)) * per
            reason += f"; {_n(needed)} for full marks ({_n(needed - value)} more)"
        return reason
    if item.per_occurrence:
        each = item.per_occurrence.points
        reason = f"{name}: {shown} × {_points(each)} = {_n(each * value)}, at most {_n(maximum)}"
        if points < maximum:
            needed = Decimal(math.ceil(maximum / each))
            reason += f"; {_n(needed)} for full marks ({_n(needed - value)} more)"
        return reason
    if item.deduct:
        each = item.deduct.points
        reason = f"{name}: {shown}, {_points(each)} deducted for each from {_n(maximum)}"
        return reason + ("" if value else ": nothing deducted")
    assert item.shortfall is not None
    rule = item.shortfall
    short = max(Decimal(0), rule.target - value)
    if not short:
        return f"{name}: {shown}, meets the target {_n(rule.target)}"
    whole = rule.rounding == "whole"
    steps = Decimal(math.floor(short / rule.step) if whole else math.ceil(short / rule.step))
    return (
        f"{name}: {shown}, {_n(short)} short of the target {_n(rule.target)}: {_n(steps)} "
        f"{'whole' if whole else 'started'} {'step' if steps == 1 else 'steps'} of "
        f"{_n(rule.step)}, {_points(rule.points)} deducted for each from {_n(maximum)}"
    )


def _tiers_reason(item: Item, maximum: Decimal, values: dict[str, Any], tier: int | None, label: Label) -> str:
    tiers = item.tiers or []
    amounts = [min(maximum, t.points if t.points is not None else maximum * (t.share or Decimal(0))) for t in tiers]
    if tier is None:
        lowest = min(range(len(tiers)), key=lambda i: amounts[i])
        outcome = explain(tiers[lowest].when, values, label)
        return f"no tier met; the lowest ({_points(amounts[lowest])}) needs {outcome.words}"
    met = explain(tiers[tier].when, values, label)
    reason = f"tier {tier + 1} met, {_n(amounts[tier])} of {_n(maximum)}: {met.words}"
    higher = [i for i in range(len(tiers)) if amounts[i] > amounts[tier]]
    if higher:
        step = min(higher, key=lambda i: amounts[i])
        outcome = explain(tiers[step].when, values, label)
        reason += f"; the next tier ({_points(amounts[step])}) needs {outcome.words}"
    return reason


# --- a rule in words, without a unit's values: what the handbook says of each item ---------------------------


def N_(message: str) -> str:
    """Marks a message for the report catalogue (report_templates/locale): the handbook shows it translated."""
    return message


RULE_WORDS: dict[str, str] = {
    "and": N_(" and "),
    "or": N_(" or "),
    "yes": N_("yes"),
    "no": N_("no"),
    "answer": N_("%(name)s: %(answer)s"),
    ">=": N_(">="),
    "<=": N_("<="),
    ">": N_(">"),
    "<": N_("<"),
    "==": N_("=="),
    "!=": N_("!="),
    "point": N_("%(points)s point"),
    "points": N_("%(points)s points"),
    "check": N_("Full points when %(condition)s."),
    "tiers": N_("The tier worth most among those met counts:"),
    "tier": N_("%(points)s when %(condition)s"),
    "tier_share": N_("%(share)s%% of the item's points when %(condition)s"),
    "per_occurrence": N_("%(value)s × %(points)s, at most the item's points."),
    "deduct": N_("%(points)s deducted for each of %(value)s, from the item's points down to 0."),
    "shortfall": N_(
        "%(value)s: target %(target)s; %(points)s deducted for each started step of %(step)s short of it, "
        "from the item's points down to 0."
    ),
    "per_whole": N_("%(points)s for each whole %(per)s of %(value)s, at most the item's points."),
    "shortfall_whole": N_(
        "%(value)s: target %(target)s; %(points)s deducted for each whole step of %(step)s short of it, "
        "from the item's points down to 0."
    ),
    "awards": N_("Per award: %(levels)s; together at most the item's points."),
    "award": N_("%(value)s × %(points)s"),
    "list": N_("; "),
    "deduction": N_("%(points)s taken off for each of %(value)s, down to the floor (%(floor)s)."),
    "incident": N_("%(points)s taken off once, down to the floor (%(floor)s)."),
    "deduction_cap": N_("At most %(points)s taken off in all."),
    "floor_group": N_("its group at %(points)s"),
    "floor_total": N_("the total at %(points)s"),
    "applies_when": N_("Applies only when %(condition)s; otherwise not applicable."),
    "gate": N_("Only when %(condition)s."),
    "requires": N_("Counted only when %(need)s is recorded; otherwise not evaluated."),
}
"""The English words of a rule; the report catalogue translates each (``translate``)."""


def _same(message: str) -> str:
    return message


def condition_words(text: str, label: Label = field_words, translate: Callable[[str], str] = _same) -> str:
    """The condition ``text`` in words, as the reasons name its parts: ``standing committee hearings >= 1 and
    leader in charge: yes``; ``or`` inside ``and`` (and the reverse) in parentheses."""
    return _rule_words(_normal(text), label, translate, top=True)


def _rule_words(node: expr.Node, label: Label, translate: Callable[[str], str], top: bool = False) -> str:
    if isinstance(node, expr.Compare):
        name = label(node.path)
        if isinstance(node.value, bool):
            answer = translate(RULE_WORDS["yes" if wanted(node) else "no"])
            return translate(RULE_WORDS["answer"]) % {"name": name, "answer": answer}
        return f"{name} {test_words(node, lambda op: translate(RULE_WORDS[op]))}"
    assert not isinstance(node, expr.Not)  # in negation normal form
    joined = translate(RULE_WORDS["and" if isinstance(node, expr.And) else "or"]).join(
        _rule_words(part, label, translate) for part in node.parts
    )
    return joined if top else f"({joined})"


def points_words(amount: Decimal, translate: Callable[[str], str] = _same) -> str:
    """``1 point``, ``2.5 points`` (two decimals at most, as the reasons write them)."""
    return translate(RULE_WORDS["point" if amount == 1 else "points"]) % {"points": _n(amount)}


def rule_words(
    item: Item,
    label: Label = field_words,
    translate: Callable[[str], str] = _same,
    needs: Callable[[str], str] = field_words,
) -> list[str]:
    """How ``item`` earns its points, in sentences, whatever a unit reports: the words of its conditions and
    counts are those of its reasons (``item_reason``). ``needs`` names a requirement (``requires``)."""
    said: list[str] = []
    if item.applies_when is not None:
        condition = condition_words(item.applies_when, label, translate)
        said.append(translate(RULE_WORDS["applies_when"]) % {"condition": condition})
    if item.when is not None and item.kind != "check":
        said.append(translate(RULE_WORDS["gate"]) % {"condition": condition_words(item.when, label, translate)})
    if item.kind == "check":
        said.append(translate(RULE_WORDS["check"]) % {"condition": condition_words(str(item.when), label, translate)})
    elif item.tiers:
        if len(item.tiers) > 1:
            said.append(translate(RULE_WORDS["tiers"]))
        for tier in item.tiers:
            condition = condition_words(tier.when, label, translate)
            if tier.points is not None:
                amount = points_words(tier.points, translate)
                said.append(translate(RULE_WORDS["tier"]) % {"points": amount, "condition": condition})
            else:
                share = _n((tier.share or Decimal(0)) * 100)
                said.append(translate(RULE_WORDS["tier_share"]) % {"share": share, "condition": condition})
    elif item.per_occurrence:
        rule = item.per_occurrence
        words = {"value": label(rule.value), "points": points_words(rule.points, translate)}
        if rule.per is None:
            said.append(translate(RULE_WORDS["per_occurrence"]) % words)
        else:
            said.append(translate(RULE_WORDS["per_whole"]) % (words | {"per": _n(rule.per)}))
    elif item.awards:
        levels = translate(RULE_WORDS["list"]).join(
            translate(RULE_WORDS["award"])
            % {"value": label(award.value), "points": points_words(award.points, translate)}
            for award in item.awards.values()
        )
        said.append(translate(RULE_WORDS["awards"]) % {"levels": levels})
    elif item.deduction:
        way, floor = item.deduction, item.floor
        if floor is not None and floor.group is not None:
            where = translate(RULE_WORDS["floor_group"]) % {"points": _n(floor.group)}
        else:
            lowest = floor.total if floor is not None and floor.total is not None else Decimal(0)
            where = translate(RULE_WORDS["floor_total"]) % {"points": _n(lowest)}
        words = {"points": points_words(way.points, translate), "floor": where}
        if way.value is not None:
            said.append(translate(RULE_WORDS["deduction"]) % (words | {"value": label(way.value)}))
        else:
            said.append(translate(RULE_WORDS["incident"]) % words)
        if way.cap is not None:
            said.append(translate(RULE_WORDS["deduction_cap"]) % {"points": points_words(way.cap, translate)})
    elif item.deduct:
        words = {"value": label(item.deduct.value), "points": points_words(item.deduct.points, translate)}
        said.append(translate(RULE_WORDS["deduct"]) % words)
    elif item.shortfall:
        short = item.shortfall
        words = {
            "value": label(short.value),
            "target": _n(short.target),
            "step": _n(short.step),
            "points": points_words(short.points, translate),
        }
        said.append(translate(RULE_WORDS["shortfall" if short.rounding == "started" else "shortfall_whole"]) % words)
    for need in item.requires:
        said.append(translate(RULE_WORDS["requires"]) % {"need": needs(need)})
    return said

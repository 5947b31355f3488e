"""An independent evaluator of a rubric, written from docs/rubric-format.md alone, for differential tests.

It shares no code with the library's condition language, engine or scorer (``appraisal.rubric.expr``,
``appraisal.engine``, ``appraisal.scoring``): it has its own tokenizer, parser and evaluator of conditions, and
its own arithmetic for every way of earning points. It reads only the ``Rubric`` model (the loaded YAML), the
indicators file (which fields exist for which org type, and the declared derived shares), read with plain PyYAML.

The semantics it implements, as documented:

- a comparison on a value the unit did not report is false, after ``not`` is pushed down to the comparisons
  (so ``not x`` with x unreported is false, and so is ``not (x < 3)``);
- an item is ``not_evaluated`` when nothing earned it (no ``when``/tier met, or the counted value not
  reported) and some value it names was not reported; a condition met despite unreported values scores;
- derived shares are 100 × part / total, absent when the total is 0 or either is not reported; a derived
  difference is the first value less the second, absent when either is not reported;
- an item with ``requires`` is ``not_evaluated`` unless each requirement's yes/no field (the indicators file's
  ``requirements``) is reported as yes;
- points are Decimal, rounded half-up to two decimals per item; bonus capped by ``bonus_cap`` and outside the
  grade unless ``grade_on: total``; grade bands on the total before bonus (``"90%"`` = that share of the base);
  a veto makes the grade ``unqualified``;
- ``applies_when`` not holding makes an item not applicable; ``per: N`` counts whole N; ``rounding: whole``
  counts whole steps of shortfall; ``awards`` add points per level, capped; a weighted group's points are its
  items' points x weight x base / its items' maxima, rounded half-up; deduction items then take their points,
  in the rubric's order, each down to its floor (its group's points, or the running total before bonus).

It also knows the boundary values of a rubric (``Boundaries``), from which the tests build submissions.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml

from appraisal import Rubric, SubmissionBase
from appraisal.rubric.models import Item, Veto

CENT = Decimal("0.01")
ZERO = Decimal(0)
GRADE_ORDER = ("excellent", "good", "qualified")
BONUS = "bonus"

# --- the condition language -------------------------------------------------------------------------------


class ConditionError(ValueError):
    """The evaluator could not read a condition (the library's loader should have refused it)."""


@dataclass(frozen=True)
class Cmp:
    path: str
    op: str
    literal: bool | Fraction


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Cond, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Cond, ...]


@dataclass(frozen=True)
class Neg:
    part: Cond


Cond = Cmp | AllOf | AnyOf | Neg

_LEX = re.compile(
    r"(?P<ws>\s+)|(?P<number>-?[0-9]+(?:\.[0-9]+)?)|(?P<op>==|!=|<=|>=|<|>)|(?P<lp>\()|(?P<rp>\))"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)"
)


def _lex(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    at = 0
    while at < len(text):
        m = _LEX.match(text, at)
        if m is None:
            raise ConditionError(f"cannot read {text[at:]!r} in {text!r}")
        at = m.end()
        if m.lastgroup != "ws":
            out.append((str(m.lastgroup), m.group()))
    return out


class _Reader:
    """Recursive descent: or_ := and_ {or and_}; and_ := not_ {and not_}; not_ := not not_ | atom."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = _lex(text)
        self.i = 0

    def _peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def _next(self) -> tuple[str, str]:
        tok = self._peek()
        if tok is None:
            raise ConditionError(f"{self.text!r} ends too early")
        self.i += 1
        return tok

    def _is(self, word: str) -> bool:
        tok = self._peek()
        return tok == ("word", word)

    def read(self) -> Cond:
        cond = self._or()
        if self._peek() is not None:
            raise ConditionError(f"trailing {self._peek()} in {self.text!r}")
        return cond

    def _or(self) -> Cond:
        parts = [self._and()]
        while self._is("or"):
            self._next()
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else AnyOf(tuple(parts))

    def _and(self) -> Cond:
        parts = [self._not()]
        while self._is("and"):
            self._next()
            parts.append(self._not())
        return parts[0] if len(parts) == 1 else AllOf(tuple(parts))

    def _not(self) -> Cond:
        if self._is("not"):
            self._next()
            return Neg(self._not())
        return self._atom()

    def _atom(self) -> Cond:
        kind, text = self._next()
        if kind == "lp":
            inner = self._or()
            if self._next() != ("rp", ")"):
                raise ConditionError(f"missing ) in {self.text!r}")
            return inner
        if kind != "word" or "." not in text:
            raise ConditionError(f"expected section.field, got {text!r} in {self.text!r}")
        tok = self._peek()
        if tok is None or tok[0] != "op":
            return Cmp(text, "==", True)
        self._next()
        lkind, ltext = self._next()
        literal: bool | Fraction
        if lkind == "number":
            literal = Fraction(ltext)
        elif (lkind, ltext) in (("word", "true"), ("word", "false")):
            literal = ltext == "true"
        else:
            raise ConditionError(f"expected a literal after {tok[1]}, got {ltext!r} in {self.text!r}")
        return Cmp(text, tok[1], literal)


@cache
def parse_condition(text: str) -> Cond:
    return _Reader(text).read()


def names(cond: Cond) -> list[str]:
    """Every value a condition names, in order, without repeats."""
    if isinstance(cond, Cmp):
        return [cond.path]
    if isinstance(cond, Neg):
        return names(cond.part)
    return list(dict.fromkeys(p for part in cond.parts for p in names(part)))


def literals(cond: Cond) -> list[tuple[str, str, bool | Fraction]]:
    if isinstance(cond, Cmp):
        return [(cond.path, cond.op, cond.literal)]
    if isinstance(cond, Neg):
        return literals(cond.part)
    return [lit for part in cond.parts for lit in literals(part)]


def _as_number(value: Any) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    return Fraction(Decimal(str(value)))


def _compare(value: Any, op: str, literal: bool | Fraction) -> bool:
    if isinstance(literal, bool) or isinstance(value, bool):
        if not (isinstance(literal, bool) and isinstance(value, bool) and op in ("==", "!=")):
            raise ConditionError(f"a yes/no compared with {op} {literal!r} / {value!r}")
        return (value == literal) == (op == "==")
    number = _as_number(value)
    return {
        "==": number == literal,
        "!=": number != literal,
        "<": number < literal,
        "<=": number <= literal,
        ">": number > literal,
        ">=": number >= literal,
    }[op]


def holds(cond: Cond, values: Mapping[str, Any], negated: bool = False) -> bool:
    """Whether ``cond`` holds. Negation travels down to the comparisons (De Morgan on the way); a
    comparison on an unreported value is false whether or not it is negated."""
    if isinstance(cond, Neg):
        return holds(cond.part, values, not negated)
    if isinstance(cond, Cmp):
        value = values.get(cond.path)
        if value is None:
            return False
        return _compare(value, cond.op, cond.literal) != negated
    conjunction = isinstance(cond, AllOf) != negated
    results = [holds(part, values, negated) for part in cond.parts]
    return all(results) if conjunction else any(results)


# --- the submission's values ------------------------------------------------------------------------------

FieldKind = Literal["flag", "count", "share", "money"]


INDICATORS_FILE = Path(__file__).resolve().parents[2] / "scoring_rules" / "2026" / "indicators.yaml"


@cache
def _indicators() -> dict[str, Any]:
    """The 2026 indicators file read here with plain PyYAML, not through the library's loader."""
    data: dict[str, Any] = yaml.safe_load(INDICATORS_FILE.read_text(encoding="utf-8"))
    return data


@cache
def field_kinds(org_type: str) -> dict[str, FieldKind]:
    """Every scored field of ``org_type`` (``section.field`` -> kind), read off the indicators file."""
    found: dict[str, FieldKind] = {}
    for section in _indicators()["sections"]:
        for entry in section["fields"]:
            kind = entry["kind"]
            if kind in ("flag", "count", "share", "money") and org_type in entry.get("org_types", [org_type]):
                found[f"{section['id']}.{entry['id']}"] = kind
    return found


@cache
def derived_shares(org_type: str) -> dict[str, tuple[str, str]]:
    """Derived share -> (total, part) for the shares whose two fields ``org_type`` has."""
    kinds = field_kinds(org_type)
    shares = [(d["share"]["whole"], d["share"]["part"], d["id"]) for d in _indicators()["derived"] if "share" in d]
    return {d: (t, p) for t, p, d in shares if t in kinds and p in kinds}


@cache
def derived_differences(org_type: str) -> dict[str, tuple[str, str]]:
    """Derived difference -> (minuend, subtrahend) for the differences whose two fields ``org_type`` has."""
    kinds = field_kinds(org_type)
    pairs = [(d["id"], tuple(d["difference"])) for d in _indicators()["derived"] if "difference" in d]
    return {d: (a, b) for d, (a, b) in pairs if a in kinds and b in kinds}


def requirement_field(need: str) -> str:
    """The yes/no field an item's ``requires`` entry names (the indicators file's ``requirements``)."""
    path: str = _indicators()["requirements"][need]
    return path


def with_derived(org_type: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Reported values (``section.field`` -> value, None/absent = not reported) plus the derived values."""
    values = {k: v for k, v in raw.items() if v is not None}
    for derived, (total_path, part_path) in derived_shares(org_type).items():
        total, part = values.get(total_path), values.get(part_path)
        if total is not None and part is not None and total != 0:
            values[derived] = Fraction(100 * part, total)
    for derived, (first, second) in derived_differences(org_type).items():
        a, b = values.get(first), values.get(second)
        if a is not None and b is not None:
            values[derived] = Fraction(a) - Fraction(b)
    return values


def submission_values(submission: SubmissionBase) -> dict[str, Any]:
    raw = {path: submission.value(path) for path in field_kinds(submission.org_type)}
    return with_derived(submission.org_type, raw)


def valid_parts(org_type: str, raw: Mapping[str, Any]) -> bool:
    """Whether every part is within its whole (what the submission model demands)."""
    for total_path, part_path in derived_shares(org_type).values():
        total, part = raw.get(total_path), raw.get(part_path)
        if total is not None and part is not None and part > total:
            return False
    return True


# --- scoring -------------------------------------------------------------------------------------------------


def half_up(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _dec(value: Any) -> Decimal:
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(str(value))


@dataclass(frozen=True)
class ItemResult:
    id: str
    group: str
    points: Decimal
    max: Decimal
    status: str


@dataclass(frozen=True)
class Result:
    org_type: str
    items: dict[str, ItemResult]
    before_bonus: Decimal
    bonus: Decimal
    total: Decimal
    grade: str
    vetoes: tuple[str, ...]
    values: dict[str, Any] = field(repr=False, default_factory=dict)
    deductions: dict[str, Decimal] = field(default_factory=dict)  # points taken, positive

    @property
    def vetoed(self) -> bool:
        return bool(self.vetoes)


def maximum_for(item: Item, org_type: str) -> Decimal | None:
    """The item's maximum for the type, None when it does not apply (docs: ``max`` / ``applies_to``); a
    deduction item has no maximum: 0 where it applies."""
    if item.deduction is not None:
        return None if item.applies_to is not None and org_type not in item.applies_to else ZERO
    if isinstance(item.max, dict):
        return item.max.get(org_type)
    if item.applies_to is not None and org_type not in item.applies_to:
        return None
    return item.max


def veto_applies(veto: Veto, org_type: str) -> bool:
    return veto.applies_to is None or org_type in veto.applies_to


def item_names(item: Item) -> list[str]:
    """Every value the item names: its conditions' values and the value it counts."""
    found: list[str] = []
    if item.applies_when:
        found += names(parse_condition(item.applies_when))
    if item.when:
        found += names(parse_condition(item.when))
    for tier in item.tiers or ():
        found += names(parse_condition(tier.when))
    way = item.per_occurrence or item.deduct or item.shortfall
    if way is not None:
        found.append(way.value)
    found += [award.value for award in (item.awards or {}).values()]
    found += [requirement_field(need) for need in item.requires or ()]
    return list(dict.fromkeys(found))


def applies(item: Item, org_type: str, values: Mapping[str, Any]) -> bool:
    if maximum_for(item, org_type) is None:
        return False
    return item.applies_when is None or holds(parse_condition(item.applies_when), values)


def score_item(item: Item, org_type: str, values: Mapping[str, Any]) -> ItemResult:
    top = maximum_for(item, org_type)
    if top is None or not applies(item, org_type, values):
        return ItemResult(item.id, item.group, ZERO, ZERO, "not_applicable")
    if any(values.get(requirement_field(need)) is not True for need in item.requires or ()):
        return ItemResult(item.id, item.group, ZERO, top, "not_evaluated")
    earned = False
    points = ZERO
    gate = item.when is None or holds(parse_condition(item.when), values)
    if item.tiers:
        for tier in item.tiers:
            if holds(parse_condition(tier.when), values):
                earned = True
                amount = tier.points if tier.points is not None else top * (tier.share or ZERO)
                points = max(points, amount)
    elif item.per_occurrence or item.deduct or item.shortfall:
        way = item.per_occurrence or item.deduct or item.shortfall
        assert way is not None
        counted = values.get(way.value)
        if gate and counted is not None:
            earned = True
            n = _dec(counted)
            if item.per_occurrence:
                per = item.per_occurrence.per
                times = n if per is None else Decimal(math.floor(Fraction(n) / Fraction(per)))
                points = min(top, item.per_occurrence.points * times)
            elif item.deduct:
                points = max(ZERO, top - item.deduct.points * n)
            else:
                assert item.shortfall is not None
                target, step = item.shortfall.target, item.shortfall.step
                if n < target:
                    short = Fraction(target - n) / Fraction(step)
                    steps = math.floor(short) if item.shortfall.rounding == "whole" else math.ceil(short)
                    points = max(ZERO, top - item.shortfall.points * steps)
                else:
                    points = top
    elif item.awards:
        counts = [(award.points, values.get(award.value)) for award in item.awards.values()]
        if gate and any(n is not None for _, n in counts):
            earned = True
            points = min(top, sum((p * _dec(n) for p, n in counts if n is not None), ZERO))
    else:
        earned = gate
        points = top if gate else ZERO
    if not earned and any(values.get(name) is None for name in item_names(item)):
        return ItemResult(item.id, item.group, ZERO, top, "not_evaluated")
    points = half_up(points)
    status = "awarded" if points == top else "partial" if points > 0 else "missed"
    return ItemResult(item.id, item.group, points, top, status)


def grade_bounds(rubric: Rubric) -> list[tuple[str, Decimal]]:
    base = rubric.manifest.base
    bounds = []
    for grade in GRADE_ORDER:
        raw = rubric.manifest.grades[grade]
        if isinstance(raw, str) and raw.endswith("%"):
            bounds.append((grade, Decimal(raw[:-1]) * base / 100))
        else:
            bounds.append((grade, Decimal(str(raw))))
    return bounds


def _deductions(
    rubric: Rubric, org_type: str, values: Mapping[str, Any], groups: dict[str, Decimal]
) -> dict[str, Decimal]:
    """Points each deduction item takes (docs: "Deduction items"), lowering ``groups`` for group floors."""
    taken: dict[str, Decimal] = {}
    running = sum(groups.values(), ZERO)
    for item in rubric.items:
        way = item.deduction
        if way is None or not applies(item, org_type, values):
            continue
        wanted = ZERO
        if item.when is None or holds(parse_condition(item.when), values):
            if way.value is None:
                wanted = way.points
            elif values.get(way.value) is not None:
                wanted = way.points * _dec(values[way.value])
        if way.cap is not None:
            wanted = min(wanted, way.cap)
        floor = item.floor
        if floor is not None and floor.group is not None:
            room = max(ZERO, groups.get(item.group, ZERO) - floor.group)
        else:
            room = max(ZERO, running - (floor.total if floor is not None and floor.total is not None else ZERO))
        amount = half_up(min(wanted, room))
        if floor is not None and floor.group is not None:
            groups[item.group] -= amount
        running -= amount
        taken[item.id] = amount
    return taken


def evaluate_values(rubric: Rubric, org_type: str, values: Mapping[str, Any]) -> Result:
    """Score reported values (derived shares included; see ``with_derived``) of a unit of ``org_type``."""
    manifest = rubric.manifest
    items = {item.id: score_item(item, org_type, values) for item in rubric.items if item.deduction is None}
    groups: dict[str, Decimal] = {}
    for group in manifest.groups:
        mine = [r for r in items.values() if r.group == group.id]
        points = sum((r.points for r in mine), ZERO)
        if group.weight is not None:
            most = sum((r.max for r in mine), ZERO)
            exact = Fraction(points) * Fraction(group.weight) * Fraction(manifest.base) / Fraction(most) if most else 0
            points = half_up(_dec(Fraction(exact)))
        groups[group.id] = points
    taken = _deductions(rubric, org_type, values, groups)
    group_deducted = {i.id for i in rubric.items if i.floor is not None and i.floor.group is not None}
    before = sum(groups.values(), ZERO) - sum((v for k, v in taken.items() if k not in group_deducted), ZERO)
    bonus = min(manifest.bonus_cap, sum((r.points for r in items.values() if r.group == BONUS), ZERO))
    vetoes = tuple(v.id for v in rubric.vetoes if veto_applies(v, org_type) and holds(parse_condition(v.when), values))
    graded = before + bonus if manifest.grade_on == "total" else before
    grade = "unqualified"
    if not vetoes:
        grade = next((g for g, bound in grade_bounds(rubric) if graded >= bound), "unqualified")
    return Result(org_type, items, before, bonus, before + bonus, grade, vetoes, dict(values), taken)


def evaluate(submission: SubmissionBase, rubric: Rubric) -> Result:
    return evaluate_values(rubric, submission.org_type, submission_values(submission))


def evaluate_raw(rubric: Rubric, org_type: str, raw: Mapping[str, Any]) -> Result:
    return evaluate_values(rubric, org_type, with_derived(org_type, raw))


# --- boundary values --------------------------------------------------------------------------------------


def _money(value: Fraction | Decimal | int) -> Decimal:
    return _dec(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Boundaries:
    """For one org type under one rubric: the constants each field is compared with or counted against.

    ``near[path]`` holds values of a raw field just at, below and above each constant; ``share_targets`` holds
    the thresholds of each derived share (turned into parts of a whole by ``parts_near``).
    """

    org_type: str
    kinds: dict[str, FieldKind]
    near: dict[str, set[Any]]
    share_targets: dict[str, set[Fraction]]

    @classmethod
    def of(cls, rubric: Rubric, org_type: str) -> Boundaries:
        kinds = field_kinds(org_type)
        derived = derived_shares(org_type)
        differences = derived_differences(org_type)
        found = cls(org_type, kinds, {p: set() for p in kinds}, {d: set() for d in derived})
        conditions = [v.when for v in rubric.vetoes if veto_applies(v, org_type)]
        for item in rubric.items:
            top = maximum_for(item, org_type)
            if top is None:
                continue
            conditions += [item.when] if item.when else []
            conditions += [t.when for t in item.tiers or ()]
            way = item.per_occurrence or item.deduct
            if way is not None and way.points > 0:
                full = Fraction(top) / Fraction(way.points)
                found._add(way.value, [Fraction(0), Fraction(1), full, full + 1, full - 1, Fraction(math.ceil(full))])
            if item.shortfall is not None:
                target, step = Fraction(item.shortfall.target), Fraction(item.shortfall.step)
                marks = [target - k * step for k in range(0, 4)] + [Fraction(0)]
                found._add(
                    item.shortfall.value, [m + d for m in marks for d in (Fraction(-1, 100), 0, Fraction(1, 100))]
                )
        for text in conditions:
            for path, _op, literal in literals(parse_condition(text)):
                if isinstance(literal, bool):
                    continue
                if path in derived:
                    found.share_targets[path].add(literal)
                elif path in differences:  # first - second at, below and above the literal, from a few seconds
                    first, second = differences[path]
                    found._add(second, [Fraction(0), Fraction(3), Fraction(5)])
                    found._add(first, [b + literal + d for b in (0, 3, 5) for d in (-1, 0, 1)])
                else:
                    found._add(
                        path,
                        [literal - 1, literal, literal + 1, literal - Fraction(1, 100), literal + Fraction(1, 100)],
                    )
        return found

    def _add(self, path: str, marks: Iterable[Fraction]) -> None:
        kind = self.kinds.get(path)
        if kind is None:
            return
        for mark in marks:
            if mark < 0:
                continue
            if kind == "count":
                self.near[path].update({math.floor(mark), math.ceil(mark)})
            elif kind == "share":
                if mark <= 100:
                    self.near[path].add(float(_dec(mark).quantize(CENT)))
            elif kind == "money":
                self.near[path].add(_money(mark))

    def parts_near(self, whole: int) -> set[int]:
        """Parts of ``whole`` whose share lands at, just below and just above each derived-share threshold."""
        parts = {0, whole}
        for targets in self.share_targets.values():
            for target in targets:
                exact = Fraction(target) * whole / 100
                for part in (math.floor(exact) - 1, math.floor(exact), math.ceil(exact), math.ceil(exact) + 1):
                    if 0 <= part <= whole:
                        parts.add(part)
        return parts

    def candidates(self, path: str) -> list[Any]:
        """A few values of a raw field worth trying: its boundaries, 0 (or no, yes)."""
        kind = self.kinds[path]
        if kind == "flag":
            return [True, False]
        found = set(self.near[path])
        if kind == "count":
            found |= {0, 1}
        elif kind == "share":
            found |= {0.0, 100.0}
        else:
            found |= {Decimal("0.00")}
        return sorted(found)


def raw_names(org_type: str, paths: Iterable[str]) -> list[str]:
    """The raw fields behind ``paths``: a derived share stands for its total and its part, a difference for its
    two values."""
    derived = derived_shares(org_type) | derived_differences(org_type)
    out: list[str] = []
    for path in paths:
        out += list(derived[path]) if path in derived else [path]
    return list(dict.fromkeys(out))


def assignments(
    bounds: Boundaries, paths: list[str], whole_sizes: tuple[int, ...] = (0, 1000)
) -> Iterator[dict[str, Any]]:
    """Every combination of candidate values for the raw fields ``paths``, parts within their wholes."""
    wholes = {t for t, _ in derived_shares(bounds.org_type).values()}
    parts = {p: t for t, p in derived_shares(bounds.org_type).values()}
    choices: list[list[Any]] = []
    for path in paths:
        if path in wholes:
            choices.append(sorted(set(whole_sizes) | set(bounds.candidates(path))))
        elif path in parts:
            choices.append(sorted(bounds.parts_near(max(whole_sizes)) | set(bounds.candidates(path))))
        else:
            choices.append(bounds.candidates(path))
    for combo in itertools.product(*choices):
        raw = dict(zip(paths, combo, strict=True))
        if valid_parts(bounds.org_type, raw):
            yield raw


def sections_of(raw: Mapping[str, Any]) -> dict[str, Any]:
    """``section.field`` -> value to the nested mapping a submission is written in (None left out)."""
    out: dict[str, Any] = {}
    for path, value in raw.items():
        if value is None:
            continue
        section, _, name = path.partition(".")
        out.setdefault(section, {})[name] = value
    return out

"""The rubric as data: the manifest, items, vetoes and grade bands, as loaded from ``scoring_rules/<year>/``.

In: mappings parsed from the rubric's YAML files (see ``loading.py``). Out: frozen models the engine compiles
and the scorer reads. The YAML format is documented in docs/rubric-format.md.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from ..errors import did_you_mean
from ..submission.indicators import Indicators, OrgTypeDef, Text

__all__ = ["BONUS_GROUP", "GRADES", "GROUPS", "GroupDef", "Item", "Manifest", "Rubric", "Text", "Veto"]

# The groups of a manifest without ``groups:`` (both shipped years): the source text's three mechanisms, three
# activities, treatment and organization, in that order.
GROUPS: tuple[str, ...] = (
    "leadership",
    "appraisal",
    "safeguard",
    "double_learning",
    "meritorious_service",
    "five_good_families",
    "treatment",
    "organization",
)
GRADES: tuple[str, ...] = ("excellent", "good", "qualified", "unqualified")
BONUS_GROUP = "bonus"
_BOUND = re.compile(r"([0-9]{1,4}(?:\.[0-9]{1,2})?)\s*(%?)", re.ASCII)

Points = Annotated[Decimal, Field(ge=0, le=1000, decimal_places=2)]
# No dots: a rule name "L01#tier2.1" is the item, the condition, and the part of a condition split in several rules.
ItemId = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,31}$")]


# Org type ids; the loader checks each against the manifest's org_types, with file:line.
OrgTypes = list[str]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Tier(Strict):
    """One tier: when ``when`` holds, the item earns ``points`` (or ``share`` of its maximum)."""

    when: str
    points: Points | None = None
    share: Annotated[Decimal, Field(gt=0, le=1)] | None = None

    @model_validator(mode="after")
    def _one_amount(self) -> Tier:
        if (self.points is None) == (self.share is None):
            raise ValueError("a tier gives either points or share, not both or neither")
        return self


class PerOccurrence(Strict):
    """Points per occurrence of ``value`` (a count), capped at the item's maximum; with ``per: N``, ``points``
    per whole ``N`` occurrences (1 point per 50: 499 gives 9)."""

    value: str
    points: Points
    per: Annotated[Decimal, Field(gt=0, le=1_000_000_000)] | None = None


class Award(Strict):
    """One award level of an ``awards`` item: ``points`` per award counted in ``value``."""

    value: str
    points: Points


LevelId = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]{0,31}$")]


class Deduct(Strict):
    """``points`` deducted per occurrence of ``value`` (a count of failings), down to zero for the item."""

    value: str
    points: Points


class Shortfall(Strict):
    """``points`` deducted per ``step`` (or part of one) that ``value`` falls short of ``target``."""

    value: str
    target: Annotated[Decimal, Field(gt=0)]
    step: Annotated[Decimal, Field(gt=0)] = Decimal(1)
    points: Points
    rounding: Literal["started", "whole"] = Field(
        default="started", description="started: a started step counts whole (today); whole: only whole steps"
    )


class Deduction(Strict):
    """A deduction beyond an item's own points (扣分项): ``points`` per occurrence of ``value``, or ``points``
    once when the item's ``when`` holds (an incident); at most ``cap`` in all."""

    value: str | None = None
    points: Points
    cap: Points | None = None


class Floor(Strict):
    """How low a deduction may take the points: its group's (``group``) or the total before bonus (``total``)."""

    group: Points | None = None
    total: Points | None = None

    @model_validator(mode="after")
    def _one(self) -> Floor:
        if (self.group is None) == (self.total is None):
            raise ValueError("a floor is either group: N or total: N")
        return self


WAYS: tuple[str, ...] = ("tiers", "per_occurrence", "deduct", "shortfall", "awards", "deduction")


class Item(Strict):
    """One scored item. Exactly one way of earning points: ``when``, ``tiers``, ``per_occurrence``,
    ``deduct``, ``shortfall`` or ``awards``; ``when`` together with one of the others gates that one. A
    ``deduction`` item earns nothing: it takes points off its group or the total, down to its ``floor``.
    ``applies_when`` (a condition on the unit) makes the item not applicable to a unit where it does not hold."""

    id: ItemId
    group: str
    title: Text
    max: Points | dict[str, Points] | None = None
    applies_to: OrgTypes | None = None
    applies_when: str | None = None
    bonus: bool = False
    when: str | None = None
    tiers: list[Tier] | None = Field(default=None, min_length=1)
    per_occurrence: PerOccurrence | None = None
    deduct: Deduct | None = None
    shortfall: Shortfall | None = None
    awards: dict[LevelId, Award] | None = Field(default=None, min_length=1, max_length=16)
    deduction: Deduction | None = None
    floor: Floor | None = None
    requirement: Text
    citation: str = Field(min_length=1, max_length=200)
    advice: Text
    action: Text | None = None
    evidence: Text | None = None
    threshold_note: str | None = Field(default=None, max_length=1000)
    requires: tuple[str, ...] = Field(
        default=(),
        description="What must hold before the item scores (the indicators' requirements, e.g. site_inspection)",
    )
    # set by the loader: where the item starts, for error messages and traces
    source_file: str = ""
    source_line: int = 0

    @model_validator(mode="after")
    def _shape(self) -> Item:
        ways = [name for name in WAYS if getattr(self, name)]
        if len(ways) > 1:
            raise ValueError(f"an item earns points one way; this one has {', '.join(ways)}")
        if not ways and self.when is None:
            raise ValueError(f"an item needs one of when, {', '.join(WAYS)}")
        if self.deduction is not None:
            if self.max is not None:
                raise ValueError("a deduction item has no max (it earns nothing); cap the deduction with deduction.cap")
            if self.bonus:
                raise ValueError("a deduction item cannot be a bonus item")
            if self.requires:
                raise ValueError("a deduction item cannot require anything (requires: is for items that earn)")
            if self.deduction.value is None and self.when is None:
                raise ValueError("a deduction counts a value (deduction.value) or happens once when `when` holds")
        else:
            if self.max is None:
                raise ValueError("missing max: the item's maximum (or a maximum per org type)")
            if self.floor is not None:
                raise ValueError("floor belongs to deduction items")
        if isinstance(self.max, dict):
            if self.applies_to is not None:
                raise ValueError("give either max per org type or applies_to, not both")
        if (self.group == BONUS_GROUP) != self.bonus:
            raise ValueError("bonus items (bonus: true) belong to group 'bonus', and only they do")
        return self

    @property
    def kind(self) -> str:
        for name in WAYS:
            if getattr(self, name):
                return name
        return "check"

    def max_for(self, org_type: str) -> Decimal | None:
        """The item's maximum for ``org_type``; ``None`` when it does not apply to that type (a deduction item,
        which earns nothing, has 0 where it applies)."""
        if self.max is None:
            return None if self.applies_to is not None and org_type not in self.applies_to else Decimal(0)
        if isinstance(self.max, dict):
            return self.max.get(org_type)
        if self.applies_to is not None and org_type not in self.applies_to:
            return None
        return self.max

    def conditions(self) -> list[tuple[str, str]]:
        """(role, expression text) of every condition, in order: ``when``, then ``tier1``..."""
        found = [("when", self.when)] if self.when else []
        found += [(f"tier{i}", tier.when) for i, tier in enumerate(self.tiers or (), start=1)]
        return found

    def value_path(self) -> str | None:
        """The one value a per_occurrence, deduct, shortfall or counting deduction item counts."""
        way = self.per_occurrence or self.deduct or self.shortfall or self.deduction
        return way.value if way else None

    def value_paths(self) -> tuple[str, ...]:
        """Every value the item counts: its ``value_path``, or each award level's value."""
        if self.awards:
            return tuple(dict.fromkeys(award.value for award in self.awards.values()))
        value = self.value_path()
        return (value,) if value else ()


class Veto(Strict):
    """A one-vote veto: when ``when`` holds, the grade is the lowest and commendation is barred."""

    id: ItemId
    title: Text
    when: str
    reason: Text
    requirement: Text
    citation: str = Field(min_length=1, max_length=200)
    applies_to: OrgTypes | None = None
    source_file: str = ""
    source_line: int = 0


TIE_BREAKS: tuple[str, ...] = ("total", "before_bonus", "item:<ID>", "group:<ID>", "fewer_shortfalls", "unit_id")
_TIE_BREAK = re.compile(
    r"total|before_bonus|fewer_shortfalls|unit_id|item:[A-Za-z][A-Za-z0-9_-]{0,31}|group:[a-z][a-z0-9_]{0,31}", re.ASCII
)


def _tie_break(value: Any) -> Any:
    if isinstance(value, str) and not _TIE_BREAK.fullmatch(value):
        known = [name for name in TIE_BREAKS if "<" not in name]
        hint = did_you_mean(value, known) or did_you_mean(value, ["item:", "group:"])
        raise ValueError(f"unknown tie-break key {value!r}; one of {', '.join(TIE_BREAKS)}{hint}")
    return value


TieBreak = Annotated[str, BeforeValidator(_tie_break)]


class Commendation(Strict):
    """Who is commended: units of ``grade``, not vetoed, within ``quota`` of the units of the same org type,
    taken in rank order; ranks follow ``tie_break`` (the loader checks each ``item:``/``group:`` id)."""

    grade: Literal["excellent", "good"] = "excellent"
    quota: Annotated[Decimal, Field(gt=0, le=1)] = Decimal("0.20")
    minimum: Annotated[int, Field(ge=0)] = 1
    tie_break: tuple[TieBreak, ...] = Field(default=("total", "fewer_shortfalls", "unit_id"), max_length=16)

    @field_validator("tie_break")
    @classmethod
    def _distinct(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError("tie_break names a key twice")
        return value


_WEIGHT = re.compile(r"([0-9]{1,3}(?:\.[0-9]{1,2})?)\s*%", re.ASCII)


class GroupDef(Strict):
    """One group of items: its id (items name it in ``group``), names, and optionally its weight, the share
    of the base its items' points are scaled to (``0.6`` or ``"60%"``)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    en: str = Field(min_length=1, max_length=200)
    zh: str = Field(min_length=1, max_length=200)
    weight: Annotated[Decimal, Field(gt=0, le=1)] | None = None

    @field_validator("weight", mode="before")
    @classmethod
    def _share(cls, value: Any) -> Any:
        if isinstance(value, str) and (match := _WEIGHT.fullmatch(value.strip())):
            return Decimal(match.group(1)) / 100
        try:
            number = Decimal(str(value).strip()) if isinstance(value, int | float | str) else None
        except ArithmeticError:
            number = None
        if number is not None and number.is_finite() and 1 < number <= 100:  # 60 meant as 60%: say how to write it
            share = format((number / 100).normalize(), "f")
            raise ValueError(f'a weight is a share of the base: write {share} or "{str(value).strip()}%"')
        return value


DEFAULT_GROUPS: tuple[GroupDef, ...] = tuple(
    GroupDef(id=group, en=en, zh=zh)
    for group, en, zh in (
        ("leadership", "Leadership", "组织领导"),
        ("appraisal", "Appraisal", "考核激励"),
        ("safeguard", "Safeguards", "工作保障"),
        ("double_learning", "Double learning", "双学双比"),
        ("meritorious_service", "Meritorious service", "巾帼建功"),
        ("five_good_families", "Five good families", "五好家庭"),
        ("treatment", "Treatment", "待遇落实"),
        ("organization", "Organization", "组织建设"),
    )
)


class Manifest(Strict):
    """``rubric.yaml``: the rubric's identity, base, grade bands and commendation rule."""

    id: str = Field(pattern=r"^[A-Za-z0-9._-]{1,64}$")
    version: str = Field(min_length=1, max_length=32)
    year: int = Field(ge=2000, le=2100)
    title: Text
    base: Annotated[Decimal, Field(gt=0, le=1000)] = Decimal(100)
    bonus_cap: Annotated[Decimal, Field(ge=0, le=1000)] = Decimal(0)
    grades: dict[str, Decimal | str]
    grade_on: Literal["before_bonus", "total"] = "before_bonus"
    commendation: Commendation = Commendation()
    source: str = Field(default="", max_length=300)
    org_types: tuple[OrgTypeDef, ...] = Field(min_length=1)
    groups: tuple[GroupDef, ...] = Field(default=DEFAULT_GROUPS, min_length=1, max_length=32)

    @field_validator("groups")
    @classmethod
    def _groups(cls, value: tuple[GroupDef, ...]) -> tuple[GroupDef, ...]:
        ids = [g.id for g in value]
        if len(set(ids)) != len(ids):
            raise ValueError("a group id is given twice")
        if BONUS_GROUP in ids:
            raise ValueError("'bonus' is the bonus items' group, always there; do not declare it")
        weighted = [g.weight for g in value if g.weight is not None]
        if weighted and len(weighted) != len(value):
            raise ValueError("give every group a weight, or none")
        if weighted and sum(weighted, Decimal(0)) != 1:
            raise ValueError(f"the weights sum to {sum(weighted, Decimal(0))}, not 1 (100%)")
        return value

    @property
    def group_ids(self) -> tuple[str, ...]:
        return tuple(g.id for g in self.groups)

    @property
    def weighted(self) -> bool:
        return self.groups[0].weight is not None

    @field_validator("grades")
    @classmethod
    def _bands(cls, value: dict[str, Any]) -> dict[str, Any]:
        expected = [g for g in GRADES if g != "unqualified"]
        if sorted(value) != sorted(expected):
            hints = "".join(did_you_mean(str(key), expected) for key in value if key not in expected)
            raise ValueError(f"grades gives the lower bound of {', '.join(expected)} (unqualified is the rest){hints}")
        return value


def grade_bound(raw: Decimal | str, base: Decimal) -> Decimal:
    """A grade's lower bound in points: ``90`` and ``"90"`` are points, ``"90%"`` is 90% of ``base``. The one
    place a bound is read, for the checker and the scorer alike; raises ``ValueError`` for anything else."""
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise ValueError(f"not a number or a share like 90%: {raw}")
        return raw
    match = _BOUND.fullmatch(raw.strip())
    if match is None:
        raise ValueError(f"not a number or a share like 90%: {raw!r}")
    number = Decimal(match.group(1))
    return number * base / 100 if match.group(2) else number


class Rubric(Strict):
    """A loaded, checked year's folder: its manifest, indicators, items, vetoes, and the sha256 of its files."""

    manifest: Manifest
    indicators: Indicators
    items: tuple[Item, ...]
    vetoes: tuple[Veto, ...]
    sha256: str
    path: str

    def __repr__(self) -> str:
        return (
            f"<Rubric {self.id} {self.manifest.version} ({self.year}) from {self.path}: {len(self.items)} items, "
            f"{len(self.vetoes)} vetoes, sha256 {self.sha256[:12]}>"
        )

    __str__ = __repr__

    def __hash__(self) -> int:
        return hash((self.path, self.sha256))

    @property
    def id(self) -> str:
        return self.manifest.id

    @property
    def year(self) -> int:
        return self.manifest.year

    def grade_bounds(self) -> list[tuple[str, Decimal]]:
        """(grade, lower bound in points), best grade first; ``"90%"`` means 90% of the base."""
        return [(grade, grade_bound(self.manifest.grades[grade], self.manifest.base)) for grade in GRADES[:-1]]

    @cached_property
    def has_deductions(self) -> bool:
        return any(item.deduction is not None for item in self.items)

    def items_for(self, org_type: str) -> list[Item]:
        return [item for item in self.items if item.max_for(org_type) is not None]

    def vetoes_for(self, org_type: str) -> list[Veto]:
        return [v for v in self.vetoes if v.applies_to is None or org_type in v.applies_to]

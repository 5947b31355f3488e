"""The rubric as data: the manifest, items, vetoes and grade bands, as loaded from ``scoring_rules/<year>/``.

In: mappings parsed from the rubric's YAML files (see ``loading.py``). Out: frozen models the engine compiles
and the scorer reads. The YAML format is documented in docs/rubric-format.md.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..errors import did_you_mean
from ..submission.indicators import Indicators, OrgTypeDef, Text

__all__ = ["BONUS_GROUP", "GRADES", "GROUPS", "Item", "Manifest", "Rubric", "Text", "Veto"]

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
    """Points per occurrence of ``value`` (a count), capped at the item's maximum."""

    value: str
    points: Points


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


class Item(Strict):
    """One scored item. Exactly one way of earning points: ``when``, ``tiers``, ``per_occurrence``,
    ``deduct`` or ``shortfall``. ``when`` together with one of the last three gates that one."""

    id: ItemId
    group: str
    title: Text
    max: Points | dict[str, Points]
    applies_to: OrgTypes | None = None
    bonus: bool = False
    when: str | None = None
    tiers: list[Tier] | None = Field(default=None, min_length=1)
    per_occurrence: PerOccurrence | None = None
    deduct: Deduct | None = None
    shortfall: Shortfall | None = None
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

    @field_validator("group")
    @classmethod
    def _known_group(cls, value: str) -> str:
        if value not in (*GROUPS, BONUS_GROUP):
            known = (*GROUPS, BONUS_GROUP)
            raise ValueError(f"unknown group {value!r}; one of {', '.join(known)}{did_you_mean(value, known)}")
        return value

    @model_validator(mode="after")
    def _shape(self) -> Item:
        ways = [name for name in ("tiers", "per_occurrence", "deduct", "shortfall") if getattr(self, name)]
        if len(ways) > 1:
            raise ValueError(f"an item earns points one way; this one has {', '.join(ways)}")
        if not ways and self.when is None:
            raise ValueError("an item needs one of when, tiers, per_occurrence, deduct, shortfall")
        if isinstance(self.max, dict):
            if self.applies_to is not None:
                raise ValueError("give either max per org type or applies_to, not both")
        if (self.group == BONUS_GROUP) != self.bonus:
            raise ValueError("bonus items (bonus: true) belong to group 'bonus', and only they do")
        return self

    @property
    def kind(self) -> str:
        for name in ("tiers", "per_occurrence", "deduct", "shortfall"):
            if getattr(self, name):
                return name
        return "check"

    def max_for(self, org_type: str) -> Decimal | None:
        """The item's maximum for ``org_type``; ``None`` when it does not apply to that type."""
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
        way = self.per_occurrence or self.deduct or self.shortfall
        return way.value if way else None


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


class Commendation(Strict):
    """Who is commended: units of ``grade``, not vetoed, within ``quota`` of the units of the same org type."""

    grade: Literal["excellent", "good"] = "excellent"
    quota: Annotated[Decimal, Field(gt=0, le=1)] = Decimal("0.20")
    minimum: Annotated[int, Field(ge=0)] = 1
    tie_break: tuple[Literal["total", "fewer_shortfalls", "unit_id"], ...] = (
        "total",
        "fewer_shortfalls",
        "unit_id",
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
    commendation: Commendation = Commendation()
    source: str = Field(default="", max_length=300)
    org_types: tuple[OrgTypeDef, ...] = Field(min_length=1)

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

    def items_for(self, org_type: str) -> list[Item]:
        return [item for item in self.items if item.max_for(org_type) is not None]

    def vetoes_for(self, org_type: str) -> list[Veto]:
        return [v for v in self.vetoes if v.applies_to is None or org_type in v.applies_to]

"""The Scorecard: one unit's result, as written to ``scorecards/<unit-id>.json`` and read by the reports.

Points are JSON numbers with at most two decimals. Every item carries the rule that decided it and the fact
values it saw, so each point can be traced back to the rubric and the submission.
"""

from __future__ import annotations

import datetime as dt
import weakref
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

Grade = Literal["excellent", "good", "qualified", "unqualified"]
Status = Literal["awarded", "partial", "missed", "not_applicable", "not_evaluated"]
STATUSES: tuple[str, ...] = ("awarded", "partial", "missed", "not_applicable", "not_evaluated")

# Rounded to two decimals on the way out, so JSON never shows 0.30000000000000004.
Points = Annotated[float, PlainSerializer(lambda v: round(v, 2), return_type=float)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


M = TypeVar("M", bound=_Model)
_set_dict = object.__setattr__
# pydantic's own slots (BaseModel.__slots__), set as model_construct sets them
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


# One set of field names a model class, shared by its instances: every field is set, nothing of pydantic's adds
# to it in place but a field's name (already there), and model_copy copies it first. A set each was 90 objects
# more a scorecard for the garbage collector to scan.
_EVERY_FIELD: dict[type[BaseModel], set[str]] = {}


def _every_field(model: type[BaseModel]) -> set[str]:
    return _EVERY_FIELD.setdefault(model, set(model.model_fields))


def trusted(model: type[M], values: dict[str, Any]) -> M:
    """A ``model`` holding ``values`` as they are, for values the library made itself from validated parts.

    ``model_construct`` without its per-field loop (with 80 items a unit, that loop cost more than validating).
    ``values`` must hold every field, valid, in the order the model declares them: the JSON is written in that
    order. A test checks over hundreds of units that this gives what validating would, value for value and
    byte for byte. What comes from outside (submissions, scorecards read back) is validated as before.
    """
    instance = model.__new__(model)
    _set_dict(instance, "__dict__", values)
    _set_fields_set(instance, _EVERY_FIELD.get(model) or _every_field(model))
    _set_extra(instance, None)
    _set_private(instance, None)
    return instance


class RubricRef(_Model):
    id: str
    version: str
    sha256: str = Field(description="sha256 over the rubric folder's files, names and contents")


class Peers(_Model):
    count: int = Field(description="Units of the same org type in the run")
    median_total: Points = Field(description="Median total of those units")


class GroupScore(_Model):
    id: str
    points: Points
    max: Points
    peer_median: Points | None = None


class VerifiedValue(_Model):
    """A value the appraisers changed: what the unit reported, what they verified (and scored), who and how."""

    field: str = Field(description="section.field")
    reported: Any
    verified: Any
    by: str
    method: str
    note: str | None = None


class ItemScore(_Model):
    id: str
    group: str
    title: str
    title_zh: str | None = Field(default=None, description="The item's title in Chinese (title: in English)")
    points: Points
    max: Points
    self_points: Points | None = Field(default=None, description="The unit's own points for the item, if given")
    status: Status
    values: dict[str, Any] = Field(description="Fact values scored (verified where verified), by section.field")
    verified: list[VerifiedValue] = Field(
        default_factory=list, description="The values of the item the appraisers verified differently"
    )
    reason: str = Field(description="Why the item scored as it did, naming the rule that fired")
    advice: str | None = Field(default=None, description="What to do; given when points were lost")
    citation: str
    rule: str | None = Field(default=None, description="The durable-rules rule that decided it, if one fired")


class DeductionScore(_Model):
    """A deduction item (扣分项) applying to the unit: the points it took (0 or negative) and why."""

    id: str
    group: str
    title: str
    title_zh: str | None = None
    points: Points = Field(description="Points taken, as a negative number (0 when nothing was deducted)")
    values: dict[str, Any] = Field(description="Fact values it read, by section.field")
    reason: str
    rule: str | None = Field(default=None, description="The durable-rules rule that decided it, if one fired")
    citation: str
    floor: str = Field(description="How low it may take the points: 'total >= N' or 'group G >= N'")


class Scorecard(_Model):
    """One unit's appraisal. ``rank``/``peers``/``commended`` are decided over a whole run.

    Frozen, and its item and group cards are values that other scorecards of the same process may share (a card
    is kept by the rule that decided it and the values it read, docs/speed.md): to change a dict or list inside
    one (``values``, ``verified``), copy the scorecard first with ``model_copy(deep=True)``."""

    unit_id: str
    name: str
    org_type: str
    year: int
    appraisal_date: dt.date
    rubric: RubricRef
    base: Points
    total: Points = Field(description="Points on the base plus bonus (deductions taken)")
    bonus: Points
    graded_on: Points | None = Field(default=None, description="The points the grade was taken on")
    grade_on: Literal["before_bonus", "total"] = Field(
        default="before_bonus", description="What the grade is taken on: the total before bonus, or with it"
    )
    grade: Grade
    vetoed: bool
    veto_reasons: list[str]
    commended: bool | None = Field(
        default=None, description="Commended as an advanced collective; None where no run decided it"
    )
    rank: int | None = Field(default=None, description="Rank among units of the same org type in the run")
    peers: Peers | None = None
    groups: list[GroupScore]
    items: list[ItemScore]
    deductions: list[DeductionScore] = Field(
        default_factory=list, description="Deduction items (扣分项) applying to the unit, each with its points taken"
    )
    shortfalls: list[str] = Field(description="Item ids by points lost, most first")
    responsible_person: str | None = Field(default=None, description="Who answers for rectification")
    self_score: Points | None = Field(default=None, description="The unit's own total")
    self_differences: list[str] = Field(
        default_factory=list, description="Items whose self points differ from the assessed points, largest first"
    )
    tie_break: list[str] = Field(
        default_factory=list, description="The order ties in rank were broken by (the rubric's tie_break)"
    )

    @property
    def total_before_bonus(self) -> float:
        return round(self.total - self.bonus, 2)

    @property
    def grade_points(self) -> float:
        """The points the grade was taken on (``graded_on``; before bonus on cards written without it)."""
        return self.total_before_bonus if self.graded_on is None else self.graded_on

    @property
    def deducted(self) -> float:
        return round(-sum(d.points for d in self.deductions), 2)

    def item(self, item_id: str) -> ItemScore:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def to_bytes(self) -> bytes:
        """Canonical JSON, UTF-8: same scorecard, same bytes (``model_dump_json(indent=2)`` and a newline, taken
        as the bytes pydantic writes: no string made and encoded again).

        The JSON of an item card the scoring step shares between scorecards (``share``) is written once and
        reused, indented as it stands in the whole; pydantic writes the rest of the card, its items left out. A
        card with none of them (read back from JSON, say) is pydantic's in one piece."""
        items = self.items
        if not any(id(item) in _FRAGMENTS for item in items):
            return self.__pydantic_serializer__.to_json(self, indent=2) + b"\n"
        rest = trusted(Scorecard, {**self.__dict__, "items": []})
        head, found, tail = rest.__pydantic_serializer__.to_json(rest, indent=2).partition(_NO_ITEMS)
        assert found, "a scorecard's JSON holds its items at the top level"
        body = _ITEM_SEPARATOR.join(map(_item_json, items))
        return b"".join((head, b'\n  "items": [\n    ', body, b"\n  ]", tail, b"\n"))

    def to_json(self) -> str:
        """``to_bytes`` as text."""
        return self.to_bytes().decode("utf-8")


# What ``Scorecard.to_bytes`` reuses: the JSON of item cards the scoring step shares between scorecards
# (``share``: an item's "not applicable", and each kept card once it is met again), by the card's id, as it stands
# among a scorecard's items (indented two levels), made when first written. An entry goes when its card does
# (``weakref.finalize``), so an id is never taken for another card's. At most ``_MOST_FRAGMENTS`` cards are marked,
# whatever the run's length: the texts are a fixed cost (about 500 bytes each, 2 MB), not one that grows with the
# units (a streamed run keeps a few KB a unit); the cards met most are among the first marked, the others are
# written by pydantic.
_FRAGMENTS: dict[int, bytes | None] = {}
_MOST_FRAGMENTS = 4096
_NO_ITEMS = b'\n  "items": []'  # the top level's items (nested keys are indented further; strings hold no newline)
_ITEM_SEPARATOR = b",\n    "


def share(card: ItemScore) -> ItemScore:
    """``card``, kept by the scoring step for other scorecards to share (frozen, never changed in place):
    ``Scorecard.to_bytes`` writes its JSON once (while fewer than ``_MOST_FRAGMENTS`` are marked)."""
    key = id(card)
    if key not in _FRAGMENTS and len(_FRAGMENTS) < _MOST_FRAGMENTS:
        _FRAGMENTS[key] = None
        weakref.finalize(card, _FRAGMENTS.pop, key, None)
    return card


def _item_json(item: ItemScore) -> bytes:
    key = id(item)
    fragment = _FRAGMENTS.get(key, b"")
    if not fragment:
        fragment = item.__pydantic_serializer__.to_json(item, indent=2).replace(b"\n", b"\n    ")
        if key in _FRAGMENTS:
            _FRAGMENTS[key] = fragment
    return fragment

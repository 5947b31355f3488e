"""Decisions over a whole run: rank within org type, peer medians, and commendation within the quota.

In: every unit's Scorecard from ``score_unit`` and the rubric. Out: the same scorecards (same order) with
``rank``, ``peers``, ``groups[].peer_median`` and ``commended`` set. Vetoed units rank last; ties break by the
rubric's ``tie_break`` in its order (default: total, then fewer shortfalls, then unit id); ``item:ID`` and
``group:ID`` rank more points first, and the unit id settles whatever is still tied.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..rubric import GRADES, Rubric
from .scorecard import Peers, Scorecard


@dataclass(slots=True)
class Standing:
    """What ranking reads of a unit's scorecard (and what a run's summary.csv shows), without the scorecard: a
    streamed run keeps only these. ``rank`` and ``commended`` are set by ``decide``'s caller."""

    unit_id: str
    name: str
    org_type: str
    year: int
    rubric: str  # the sha256 of the rubric that scored it
    total: float
    grade: str
    vetoed: bool
    shortfalls: int  # how many items lost points
    groups: tuple[str, ...]  # the group ids, in the scorecard's order
    points: tuple[float, ...]  # each group's points
    # the keys of the card's tie_break read from the scorecard itself (before_bonus, item:ID, group:ID), and
    # the card's points for each: a standing ranks without its scorecard
    tie_keys: tuple[str, ...]
    ties: tuple[float, ...]
    rank: int | None = None
    commended: bool | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """A unit's place in its run: rank, the peers of its type, commendation, and each group's peer median."""

    rank: int
    count: int  # units of its type
    median_total: float  # their median total
    commended: bool
    medians: tuple[float, ...]  # in the order of the unit's groups


_GROUPS: dict[tuple[str, ...], tuple[str, ...]] = {}
_PLAIN_KEYS = ("total", "fewer_shortfalls", "unit_id")


def _points_for(card: Scorecard, name: str) -> float:
    """The points a tie-break key reads from the card: before bonus, a group's, an item's (0 where the item
    does not apply to the unit's type)."""
    if name == "before_bonus":
        return card.total_before_bonus
    kind, _, ident = name.partition(":")
    found = card.groups if kind == "group" else card.items
    return next((entry.points for entry in found if entry.id == ident), 0.0)


def standing(card: Scorecard) -> Standing:
    keys = tuple(name for name in card.tie_break if name not in _PLAIN_KEYS)
    return Standing(
        card.unit_id,
        card.name,
        card.org_type,
        card.year,
        card.rubric.sha256,
        card.total,
        card.grade,
        card.vetoed,
        len(card.shortfalls),
        _GROUPS.setdefault(groups := tuple(g.id for g in card.groups), groups),  # kept once, not once a unit
        tuple(g.points for g in card.groups),
        _GROUPS.setdefault(keys, keys),
        tuple(_points_for(card, name) for name in keys),
        card.rank,
        card.commended,
    )


def _order_key(unit: Standing, tie_break: tuple[str, ...]) -> tuple[Any, ...]:
    """Vetoed units last; then the tie-break keys in order: more points first, fewer shortfalls first, unit ids
    in order; the unit id last of all."""
    keys: dict[str, Any] = {
        "total": -unit.total,
        "fewer_shortfalls": unit.shortfalls,
        "unit_id": unit.unit_id,
    }
    keys.update((name, -points) for name, points in zip(unit.tie_keys, unit.ties, strict=True))
    return (unit.vetoed, *(keys.get(name, 0.0) for name in tie_break), unit.unit_id)


def decide(units: Sequence[Standing], rubric: Rubric) -> dict[str, Decision]:
    """Ranks, peers and commendation of ``units`` (one rubric's), decided per org type, by unit id."""
    return {unit.unit_id: decision for unit, decision in decisions(units, rubric)}


def decisions(units: Sequence[Standing], rubric: Rubric) -> Iterator[tuple[Standing, Decision]]:
    """Each of ``units`` (one rubric's) with its rank, peers and commendation, decided per org type, one org type
    after another (a caller that keeps only the ranks keeps no ``Decision`` a unit)."""
    rule = rubric.manifest.commendation
    eligible_grades = GRADES[: GRADES.index(rule.grade) + 1]
    by_type: dict[str, list[Standing]] = defaultdict(list)
    for unit in units:
        by_type[unit.org_type].append(unit)
    for of_type in by_type.values():
        ordered = sorted(of_type, key=lambda u: _order_key(u, rule.tie_break))
        median_total = round(statistics.median(u.total for u in ordered), 2)
        group_medians = {
            group: round(statistics.median(u.points[i] for u in ordered), 2)
            for i, group in enumerate(ordered[0].groups)
        }
        eligible = [u for u in ordered if not u.vetoed and u.grade in eligible_grades]
        quota = math.floor(rule.quota * Decimal(len(ordered)))
        if eligible and quota < rule.minimum:
            quota = rule.minimum
        commended = {u.unit_id for u in eligible[:quota]}
        shared: dict[tuple[str, ...], tuple[float, ...]] = {}  # one tuple for the units of the same groups
        for rank, unit in enumerate(ordered, start=1):
            medians = shared.get(unit.groups)
            if medians is None:
                medians = shared[unit.groups] = tuple(group_medians[g] for g in unit.groups)
            yield unit, Decision(rank, len(ordered), median_total, unit.unit_id in commended, medians)


def decided(card: Scorecard, decision: Decision) -> Scorecard:
    """``card`` with its rank, peers, commendation and peer medians set."""
    return card.model_copy(
        update={
            "rank": decision.rank,
            "peers": Peers(count=decision.count, median_total=decision.median_total),
            "commended": decision.commended,
            "groups": [
                g.model_copy(update={"peer_median": m}) for g, m in zip(card.groups, decision.medians, strict=True)
            ],
        }
    )


def rank_and_commend(cards: list[Scorecard], rubric: Rubric) -> list[Scorecard]:
    """Ranks, peers and commendation, decided per org type over the run."""
    decisions = decide([standing(card) for card in cards], rubric)
    return [decided(card, decisions[card.unit_id]) for card in cards]

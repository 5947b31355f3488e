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
from decimal import Decimal
from typing import Any

from ..rubric import GRADES, Rubric
from .scorecard import Peers, Scorecard


def _key(card: Scorecard, name: str) -> Any:
    """One tie-break key's sort value: more points first, fewer shortfalls first, unit ids in order."""
    if name == "total":
        return -card.total
    if name == "before_bonus":
        return -card.total_before_bonus
    if name == "fewer_shortfalls":
        return len(card.shortfalls)
    if name == "unit_id":
        return card.unit_id
    kind, _, ident = name.partition(":")
    if kind == "group":
        return -next((g.points for g in card.groups if g.id == ident), 0.0)
    # an item not applying to the unit's type has no points: it sorts as 0
    return -next((i.points for i in card.items if i.id == ident), 0.0)


def _order_key(card: Scorecard, tie_break: tuple[str, ...]) -> tuple[Any, ...]:
    return (card.vetoed, *(_key(card, name) for name in tie_break), card.unit_id)


def rank_and_commend(cards: list[Scorecard], rubric: Rubric) -> list[Scorecard]:
    """Ranks, peers and commendation, decided per org type over the run."""
    rule = rubric.manifest.commendation
    eligible_grades = GRADES[: GRADES.index(rule.grade) + 1]
    by_type: dict[str, list[Scorecard]] = defaultdict(list)
    for card in cards:
        by_type[card.org_type].append(card)
    decided: dict[str, Scorecard] = {}
    for org_cards in by_type.values():
        ordered = sorted(org_cards, key=lambda c: _order_key(c, rule.tie_break))
        median_total = round(statistics.median(c.total for c in ordered), 2)
        group_medians = {
            g.id: round(statistics.median(c.groups[i].points for c in ordered), 2)
            for i, g in enumerate(ordered[0].groups)
        }
        eligible = [c for c in ordered if not c.vetoed and c.grade in eligible_grades]
        quota = math.floor(rule.quota * Decimal(len(ordered)))
        if eligible and quota < rule.minimum:
            quota = rule.minimum
        commended = {c.unit_id for c in eligible[:quota]}
        for rank, card in enumerate(ordered, start=1):
            decided[card.unit_id] = card.model_copy(
                update={
                    "rank": rank,
                    "peers": Peers(count=len(ordered), median_total=median_total),
                    "commended": card.unit_id in commended,
                    "groups": [g.model_copy(update={"peer_median": group_medians[g.id]}) for g in card.groups],
                }
            )
    return [decided[card.unit_id] for card in cards]

"""Explaining one unit's scorecard: a submission and a rubric in, per item the conditions, values and outcome out.

What ``appraisal explain`` prints. The words come from ``engine.explain``, the same that write each item's
``reason`` on the scorecard, so the explanation and the scorecard never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..engine import item_paths
from ..engine.explain import Outcome, explain
from ..facts import build_facts, values_of
from ..rubric import Rubric
from ..submission import SubmissionBase
from .appraise import appraise
from .scorecard import Scorecard


@dataclass(frozen=True)
class ItemExplanation:
    """One item for one unit: its outcome, each of its conditions with what held, the values it read."""

    id: str
    title: str
    status: str
    points: float
    max: float
    kind: str
    conditions: tuple[tuple[str, Outcome], ...]
    counted: str | None
    values: dict[str, Any]
    reason: str


@dataclass(frozen=True)
class VetoExplanation:
    """One veto applying to the unit's type: whether its condition held, and on which values."""

    id: str
    title: str
    outcome: Outcome
    values: dict[str, Any]


@dataclass(frozen=True)
class UnitExplanation:
    card: Scorecard
    items: tuple[ItemExplanation, ...]
    vetoes: tuple[VetoExplanation, ...]


def explain_unit(submission: SubmissionBase, rubric: Rubric, item_ids: tuple[str, ...] = ()) -> UnitExplanation:
    """Every item and veto applying to the unit (or those of ``item_ids``), explained."""
    card = appraise(submission, rubric)
    values = values_of(build_facts(submission))
    by_id = {item.id: item for item in rubric.items}
    found = []
    for entry in card.items:
        if entry.status == "not_applicable" or (item_ids and entry.id not in item_ids):
            continue
        item = by_id[entry.id]
        conditions = tuple((role, explain(text, values)) for role, text in item.conditions())
        found.append(
            ItemExplanation(
                entry.id,
                entry.title,
                entry.status,
                entry.points,
                entry.max,
                item.kind,
                conditions,
                item.value_path(),
                dict(entry.values),
                entry.reason,
            )
        )
    vetoes = tuple(
        VetoExplanation(
            veto.id,
            veto.title.en,
            explain(veto.when, values),
            {path: values.get(path) for path in item_paths(veto)},
        )
        for veto in rubric.vetoes_for(card.org_type)
        if not item_ids or veto.id in item_ids
    )
    return UnitExplanation(card, tuple(found), vetoes)

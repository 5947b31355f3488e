"""Stage 5, scoring: engine firings in, Scorecards out (tiers, deductions, bonus, veto, grade, ranks)."""

from __future__ import annotations

from .rank import rank_and_commend
from .score import grade_for, score_unit
from .scorecard import STATUSES, GroupScore, ItemScore, Peers, RubricRef, Scorecard

__all__ = [
    "STATUSES",
    "GroupScore",
    "ItemScore",
    "Peers",
    "RubricRef",
    "Scorecard",
    "grade_for",
    "rank_and_commend",
    "score_unit",
]

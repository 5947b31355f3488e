"""Scoring units end to end: submissions and a rubric in, Scorecards out (through facts and the engine).

``appraise`` scores one unit; ``appraise_many`` scores a run and decides what needs all of it (ranks, peer
medians, commendation). Compiled rulesets are cached per rubric for the life of the process.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from ..engine import Engine
from ..errors import InputError, Problem
from ..facts import build_facts
from ..rubric import Rubric
from ..rubric import load_rubric as _load_rubric
from ..submission import SubmissionBase, unique_units
from .rank import rank_and_commend
from .score import score_unit
from .scorecard import Scorecard


@dataclass(frozen=True)
class Appraisals:
    """The result of ``appraise_many``: one scorecard per scored unit (input order), and the units rejected."""

    scorecards: list[Scorecard]
    rejected: list[InputError] = field(default_factory=list)


@cache
def _default_rubric() -> Rubric:
    return _load_rubric(None)


def load_rubric(path_or_year: str | Path | int | None = None) -> Rubric:
    """A rubric folder by path, or the bundled rubric of a year; default the newest bundled year."""
    return _default_rubric() if path_or_year is None else _load_rubric(path_or_year)


_ENGINES: dict[tuple[str, str], Engine] = {}


def _engine(rubric: Rubric) -> Engine:
    key = (rubric.path, rubric.sha256)
    if key not in _ENGINES:
        _ENGINES[key] = Engine(rubric)
    return _ENGINES[key]


def year_error(submission: SubmissionBase, rubric: Rubric) -> InputError | None:
    """The error rejecting a submission of another year than the rubric's, if it is one."""
    if submission.year == rubric.year:
        return None
    return InputError(
        submission.source,
        [
            Problem(
                "year",
                f"the submission is for {submission.year}; the rubric {rubric.id} scores {rubric.year}",
            )
        ],
        submission.unit_id,
    )


def _score(submission: SubmissionBase, rubric: Rubric) -> Scorecard:
    if error := year_error(submission, rubric):
        raise error
    facts = build_facts(submission)
    # An EngineError or RubricError is not the unit's fault: it stops the run (nothing is written), where an
    # InputError would reject this unit and let every other unit be scored by a broken engine.
    firings = _engine(rubric).run(submission.org, facts)
    return score_unit(submission, rubric, facts, firings)


def appraise(submission: SubmissionBase, rubric: Rubric | None = None) -> Scorecard:
    """Score one unit. Rank, peers and commendation need the whole run: here they stay empty and false."""
    return _score(submission, rubric or load_rubric())


def appraise_many(submissions: Sequence[SubmissionBase], rubric: Rubric | None = None) -> Appraisals:
    """Score every unit, then rank and commend within each org type. A unit that cannot be scored (another
    year, a unit id already seen) is rejected without costing the others their results; a rubric or engine
    failure raises ``RubricError`` or ``EngineError`` before any result is returned."""
    rubric = rubric or load_rubric()
    units, rejected = unique_units(submissions)
    cards: list[Scorecard] = []
    for unit in units:
        result = score_or_reject(unit, rubric)
        if isinstance(result, Scorecard):
            cards.append(result)
        else:
            rejected.append(result)
    return Appraisals(rank_and_commend(cards, rubric), rejected)


def score_or_reject(submission: SubmissionBase, rubric: Rubric) -> Scorecard | InputError:
    """The unit's scorecard, or the error that rejects it (for batch code that must not stop on one unit)."""
    try:
        return _score(submission, rubric)
    except InputError as exc:
        return exc

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
from ..errors import EngineError, InputError, Problem
from ..facts import build_facts
from ..rubric import Rubric
from ..rubric import load_rubric as _load_rubric
from ..submission import SubmissionBase, unique_units
from ..submission.loading import validate_unit
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
    try:
        firings = _engine(rubric).run(submission.org, facts)
    except EngineError as exc:
        raise InputError(submission.source, [Problem("", exc.message)], submission.unit_id) from exc
    return score_unit(submission, rubric, facts, firings)


def checked(submission: object) -> SubmissionBase:
    """``submission`` validated again from its fields. A model built with ``model_construct`` or changed with
    ``model_copy(update=...)`` skipped validation; scoring trusts only what validation made. Raises
    ``InputError`` naming what is wrong (a bad unit id, a missing field, a value out of bounds)."""
    if not isinstance(submission, SubmissionBase):
        raise InputError(type(submission).__name__, [Problem("", "not a submission (a SubmissionBase model)")])
    source = getattr(submission, "_source", None) or str(getattr(submission, "unit_id", "") or "?")[:80]
    try:
        data = submission.model_dump(mode="json", exclude_none=True, warnings=False)
    except Exception as exc:  # a constructed model can hold anything: its own serializer's errors, missing fields
        raise InputError(source, [Problem("", f"not a valid submission: {str(exc)[:200]}")]) from exc
    return validate_unit(data, source)


def appraise(submission: SubmissionBase, rubric: Rubric | None = None) -> Scorecard:
    """Score one unit. Rank, peers and commendation need the whole run: here they stay empty and false.
    The unit is validated again first (``checked``)."""
    return _score(checked(submission), rubric or load_rubric())


def appraise_many(submissions: Sequence[SubmissionBase], rubric: Rubric | None = None) -> Appraisals:
    """Score every unit, then rank and commend within each org type. A unit that cannot be scored (another
    year, a unit id already seen, an engine failure, a model that fails validation again) is rejected without
    costing the others their results."""
    rubric = rubric or load_rubric()
    for unit in submissions:
        if not isinstance(unit, SubmissionBase):
            raise InputError(type(unit).__name__, [Problem("", "not a submission (a SubmissionBase model)")])
    units, rejected = unique_units(submissions)
    cards: list[Scorecard] = []
    for unit in units:
        try:
            result = score_or_reject(checked(unit), rubric)
        except InputError as exc:
            result = exc
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

"""Scoring units end to end: submissions and a rubric in, Scorecards out (through facts and the engine).

``appraise`` scores one unit; ``appraise_many`` scores a run and decides what needs all of it (ranks, peer
medians, commendation, per year and org type). Without a rubric, each unit is scored by the year's folder whose
indicators validated it (its own year's bundled folder, or the folder it was loaded with), so one run may hold
several years. Compiled rulesets are cached per rubric for the life of the process.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Protocol

from ..engine import Engine
from ..errors import InputError, Problem
from ..facts import build_facts
from ..rubric import Rubric
from ..rubric import load_rubric as _load_rubric
from ..submission import SubmissionBase, indicators_for_year, unique_units
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
def _rubric_in(folder: str, sha256: str) -> Rubric:
    return _load_rubric(folder)


def load_rubric(path_or_year: str | Path | int | None = None) -> Rubric:
    """A year's folder by path, or the bundled one of a year; default the newest bundled year."""
    return _load_rubric(path_or_year)


def bundled_rubric(year: int) -> Rubric:
    """The bundled rubric of ``year`` (loaded once per process while its folder is unchanged)."""
    indicators = indicators_for_year(year)
    return _rubric_in(indicators.folder, indicators.sha256)


class Dated(Protocol):
    """Something of a year's: a scorecard, its standing, what a run's standings share."""

    @property
    def year(self) -> int: ...


def rubrics_of(cards: Iterable[Dated], rubric: Rubric | None) -> list[Rubric]:
    """The rubrics that scored ``cards`` (scorecards, their standings, or what standings share): ``rubric`` when
    one was given, else each year's bundled one."""
    return [rubric] if rubric is not None else [bundled_rubric(year) for year in sorted({c.year for c in cards})]


def rubric_for(submission: SubmissionBase) -> Rubric:
    """The rubric of the folder whose indicators validated ``submission`` (loaded once per process)."""
    indicators = submission.indicators
    rubric = _rubric_in(indicators.folder, indicators.sha256)
    if rubric.indicators.sha256 != indicators.sha256:  # the folder changed under a running process
        _rubric_in.cache_clear()
        rubric = _rubric_in(indicators.folder, indicators.sha256)
    return rubric


_ENGINES: dict[tuple[str, str], Engine] = {}


def _engine(rubric: Rubric) -> Engine:
    key = (rubric.path, rubric.sha256)
    if key not in _ENGINES:
        _ENGINES[key] = Engine(rubric)
    return _ENGINES[key]


def year_error(submission: SubmissionBase, rubric: Rubric) -> InputError | None:
    """The error rejecting a submission that ``rubric`` cannot score: another year, or validated against other
    indicators (a rubric scores only what its own year's indicators validated)."""
    if submission.year != rubric.year:
        message = f"the submission is for {submission.year}; the rubric {rubric.id} scores {rubric.year}"
    elif submission.indicators.sha256 != rubric.indicators.sha256:
        message = (
            f"the submission was validated against the indicators in {submission.indicators.folder}, not those of "
            f"the rubric in {rubric.path}: load it with that rubric"
        )
    else:
        return None
    return InputError(submission.source, [Problem("year", message)], submission.unit_id)


def _score(submission: SubmissionBase, rubric: Rubric) -> Scorecard:
    if error := year_error(submission, rubric):
        raise error
    facts = build_facts(submission)
    # An EngineError or RubricError is not the unit's fault: it stops the run (nothing is written), where an
    # InputError would reject this unit and let every other unit be scored by a broken engine.
    firings = _engine(rubric).run(submission.org, facts)
    return score_unit(submission, rubric, facts, firings)


def checked(submission: object, rubric: Rubric | None = None) -> SubmissionBase:
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
    return validate_unit(data, source, rubric or getattr(type(submission), "indicators", None))


def appraise(submission: SubmissionBase, rubric: Rubric | None = None) -> Scorecard:
    """Score one unit (by its own year's rubric unless one is given), validated again first (``checked``).
    Rank, peers and commendation need the whole run: here they stay empty, and ``commended`` is ``None``."""
    unit = checked(submission, rubric)
    return _score(unit, rubric or rubric_for(unit))


def appraise_many(submissions: Sequence[SubmissionBase], rubric: Rubric | None = None) -> Appraisals:
    """Score every unit, then rank and commend within each year and org type. A unit that cannot be scored
    (another year, a unit id already seen, a model that fails validation again) is rejected without costing
    the others their results; a rubric or engine failure raises ``RubricError`` or ``EngineError`` before any
    result is returned."""
    for unit in submissions:
        if not isinstance(unit, SubmissionBase):
            raise InputError(type(unit).__name__, [Problem("", "not a submission (a SubmissionBase model)")])
    units, rejected = unique_units(submissions)
    cards: list[Scorecard] = []
    rubrics: dict[tuple[str, str], Rubric] = {}
    for unit in units:
        try:
            unit = checked(unit, rubric)
        except InputError as exc:
            rejected.append(exc)
            continue
        used = rubric or rubric_for(unit)
        rubrics[used.path, used.sha256] = used
        result = score_or_reject(unit, used)
        if isinstance(result, Scorecard):
            cards.append(result)
        else:
            rejected.append(result)
    return Appraisals(rank_all(cards, list(rubrics.values())), rejected)


def rank_all(cards: Sequence[Scorecard], rubrics: Sequence[Rubric]) -> list[Scorecard]:
    """Ranks, peers and commendation decided per rubric (a year) and org type; the cards keep their order."""
    ranked: dict[int, Scorecard] = {}
    for rubric in rubrics:
        mine = [(i, c) for i, c in enumerate(cards) if c.rubric.sha256 == rubric.sha256]
        for (index, _), card in zip(mine, rank_and_commend([c for _, c in mine], rubric), strict=True):
            ranked[index] = card
    return [ranked.get(i, card) for i, card in enumerate(cards)]


def score_or_reject(submission: SubmissionBase, rubric: Rubric) -> Scorecard | InputError:
    """The unit's scorecard, or the error that rejects it (for batch code that must not stop on one unit)."""
    try:
        return _score(submission, rubric)
    except InputError as exc:
        return exc

"""Checking a rubric as ``appraisal rules check`` does: a folder (or bundled year) in, errors and warnings out.

Loading refuses what cannot be scored; ``rubric.checks`` adds what scores but cannot be meant; and compiling
every org type's ruleset in durable-rules proves the engine takes it, so a rubric this passes also scores.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import RubricError, RubricProblem
from ..rubric import Rubric, checks, load_rubric
from .run import Engine


@dataclass
class RubricCheck:
    """The outcome of checking a rubric: the rubric when it loads, its errors and its warnings."""

    rubric: Rubric | None
    errors: list[RubricProblem] = field(default_factory=list)
    warnings: list[RubricProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.rubric is not None and not self.errors


def check_rubric(path_or_year: str | Path | int | None = None) -> RubricCheck:
    """Load, check and compile the rubric; nothing raised for the rubric's own problems."""
    try:
        rubric = load_rubric(path_or_year)
    except RubricError as exc:
        return RubricCheck(None, exc.problems)
    found = checks.check(rubric)
    result = RubricCheck(rubric, [f.problem for f in found if f.error], [f.problem for f in found if not f.error])
    try:
        with Engine(rubric) as engine:
            scored = [org for org in rubric.indicators.org_type_ids if rubric.items_for(org) or rubric.vetoes_for(org)]
            engine.compile(scored)
    except RubricError as exc:
        result.errors += exc.problems
    return result

"""appraisal: the annual performance appraisal of women's federations, scored by durable-rules.

The pipeline, one stage per module or package, data flowing one way::

    submission -> facts -> rubric -> engine -> scoring -> reports

Typical use::

    import appraisal
    rubric = appraisal.load_rubric()                      # the newest bundled year
    units, rejected = appraisal.load_submissions(["submissions/"])
    result = appraisal.appraise_many(units, rubric)       # ranks and commendation need the whole run
    for card in result.scorecards: ...
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import (
    AppraisalError,
    EngineError,
    InputError,
    OutputError,
    Problem,
    ReportError,
    RubricError,
    RubricProblem,
)
from .reports import ReportOptions
from .rubric import Rubric
from .scoring import Scorecard
from .scoring.appraise import Appraisals, appraise, appraise_many, load_rubric
from .submission import SubmissionBase, load_submission, load_submissions

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .reports import render_handbook, render_report, render_summary

_RENDERING = ("render_handbook", "render_report", "render_summary")


def __getattr__(name: str) -> Any:
    """The report stack (weasyprint, about a second to import) is imported when a report is first rendered."""
    if name in _RENDERING:
        from . import reports

        value = getattr(reports, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_RENDERING])


__all__ = [
    "AppraisalError",
    "Appraisals",
    "EngineError",
    "InputError",
    "OutputError",
    "Problem",
    "ReportError",
    "ReportOptions",
    "Rubric",
    "RubricError",
    "RubricProblem",
    "Scorecard",
    "SubmissionBase",
    "__version__",
    "appraise",
    "appraise_many",
    "load_rubric",
    "load_submission",
    "load_submissions",
    "render_handbook",
    "render_report",
    "render_summary",
]

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
from .reports import ReportOptions, render_report, render_summary
from .rubric import Rubric
from .scoring import Scorecard
from .scoring.appraise import Appraisals, appraise, appraise_many, load_rubric
from .submission import SubmissionBase, load_submission, load_submissions

__version__ = "0.1.0"


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
    "render_report",
    "render_summary",
]

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

import importlib
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

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .reports import ReportOptions, render_handbook, render_report, render_summary
    from .rubric import Rubric
    from .scoring import Scorecard
    from .scoring.appraise import Appraisals, appraise, appraise_many, load_rubric
    from .submission import SubmissionBase, load_submission, load_submissions

# Each name's module, imported when the name is first used: ``import appraisal`` stays light (the command line
# starts under its Ctrl-C handler, ``appraisal._start``), and the report stack (weasyprint, about a second to
# import) is imported only when a report is first rendered.
_LAZY = {
    "ReportOptions": "reports",
    "render_handbook": "reports",
    "render_report": "reports",
    "render_summary": "reports",
    "Rubric": "rubric",
    "Scorecard": "scoring",
    "Appraisals": "scoring.appraise",
    "appraise": "scoring.appraise",
    "appraise_many": "scoring.appraise",
    "load_rubric": "scoring.appraise",
    "SubmissionBase": "submission",
    "load_submission": "submission",
    "load_submissions": "submission",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


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

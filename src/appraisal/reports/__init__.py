"""Stage 6, reports: Scorecards in, PDF bytes out.

Per unit, in English or Chinese: a certificate for a commended unit, the feedback letter for an excellent unit
outside the quota, the rectification notice for every other; per run, the one commendation decision naming
every commended unit, and the summary for the appraising level. Each is PDF/A-3b with its
scorecard JSON attached and the same bytes for the same input. Templates, CSS, fonts and catalogues live in
``report_templates/``; see docs/reports.md.

weasyprint takes about a second to import: the names below are imported when first used, so ``import appraisal``,
``appraisal validate`` and scoring scripts never load it (only rendering does).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .options import KINDS, LANGS, Kind, ReportOptions, load_options

if TYPE_CHECKING:
    from .editable import html_to_docx
    from .handbook import handbook_html, render_handbook, render_handbook_docx
    from .output import (
        previous_or_warn,
        previous_scorecard,
        read_scorecard,
        report_path,
        staged_folder,
        write_atomic,
        write_reports,
    )
    from .render import (
        decision_html,
        render_decision,
        render_decision_docx,
        render_report,
        render_report_docx,
        render_summary,
        render_summary_docx,
        report_html,
        summary_html,
    )

_LAZY = {
    "html_to_docx": "editable",
    **dict.fromkeys(("handbook_html", "render_handbook", "render_handbook_docx"), "handbook"),
    **dict.fromkeys(
        (
            "previous_or_warn",
            "previous_scorecard",
            "read_scorecard",
            "report_path",
            "staged_folder",
            "write_atomic",
            "write_reports",
        ),
        "output",
    ),
    **dict.fromkeys(
        (
            "decision_html",
            "render_decision",
            "render_decision_docx",
            "render_report",
            "render_report_docx",
            "render_summary",
            "render_summary_docx",
            "report_html",
            "summary_html",
        ),
        "render",
    ),
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
    "KINDS",
    "Kind",
    "decision_html",
    "handbook_html",
    "html_to_docx",
    "LANGS",
    "ReportOptions",
    "load_options",
    "previous_or_warn",
    "previous_scorecard",
    "read_scorecard",
    "render_decision",
    "render_decision_docx",
    "render_handbook",
    "render_handbook_docx",
    "render_report",
    "render_report_docx",
    "render_summary",
    "render_summary_docx",
    "report_html",
    "report_path",
    "staged_folder",
    "summary_html",
    "write_atomic",
    "write_reports",
]

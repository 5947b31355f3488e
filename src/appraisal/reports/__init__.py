"""Stage 6, reports: Scorecards in, PDF bytes out.

Per unit, in English or Chinese: a certificate for a commended unit, the feedback letter for an excellent unit
outside the quota, the rectification notice for every other; per run, the one commendation decision naming
every commended unit, and the summary for the appraising level. Each is PDF/A-3b with its
scorecard JSON attached and the same bytes for the same input. Templates, CSS, fonts and catalogues live in
``report_templates/``; see docs/reports.md.
"""

from __future__ import annotations

from .editable import html_to_docx
from .options import LANGS, ReportOptions, load_options
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
    KINDS,
    Kind,
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

__all__ = [
    "KINDS",
    "Kind",
    "decision_html",
    "html_to_docx",
    "LANGS",
    "ReportOptions",
    "load_options",
    "previous_or_warn",
    "previous_scorecard",
    "read_scorecard",
    "render_decision",
    "render_decision_docx",
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

"""Stage 6, reports: Scorecards in, PDF bytes out.

Three reports, in English or Chinese: the commendation decision for a commended unit, the rectification
notice for every other unit, and the summary of a run for the appraising level. Each is PDF/A-3b with its
scorecard JSON attached and the same bytes for the same input. Templates, CSS, fonts and catalogues live in
``report_templates/``; see docs/reports.md.
"""

from __future__ import annotations

from .options import LANGS, ReportOptions, load_options
from .output import previous_scorecard, read_scorecard, report_path, staged_folder, write_atomic, write_reports
from .render import KINDS, Kind, render_report, render_summary, report_html, summary_html

__all__ = [
    "KINDS",
    "Kind",
    "LANGS",
    "ReportOptions",
    "load_options",
    "previous_scorecard",
    "read_scorecard",
    "render_report",
    "render_summary",
    "report_html",
    "report_path",
    "staged_folder",
    "summary_html",
    "write_atomic",
    "write_reports",
]

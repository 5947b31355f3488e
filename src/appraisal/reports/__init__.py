"""Stage 6, reports: Scorecards in, PDF bytes out.

Three reports, in English or Chinese: the commendation decision for a commended unit, the rectification
notice for every other unit, and the summary of a run for the appraising level. Each is PDF/A-3b with its
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
    from .output import previous_scorecard, read_scorecard, report_path, staged_folder, write_atomic, write_reports
    from .render import render_report, render_summary, report_html, summary_html

_LAZY = {
    **dict.fromkeys(
        ("previous_scorecard", "read_scorecard", "report_path", "staged_folder", "write_atomic", "write_reports"),
        "output",
    ),
    **dict.fromkeys(("render_report", "render_summary", "report_html", "summary_html"), "render"),
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

"""Charts: a scorecard's groups in, a byte-stable SVG (as a ``data:`` URL) out, drawn by pygal.

Per group, two horizontal bars in percent of the group's maximum: the unit (solid dark grey) and the median
of the units of the same org type (white with a black outline), so the chart reads the same printed in black
and white. pygal (about 6 ms a chart) was chosen over matplotlib (about 60 ms a chart with CJK labels drawn as
paths, and 80 ms more for weasyprint to lay out those paths): docs/reports.md has the measurements.

pygal writes a random uuid4 and today's date into every SVG; the uuid is replaced by a fixed id and the
comments are dropped, so the same scorecard always gives the same bytes. Its text stays text, set in the
bundled fonts (the family is set on the SVG, as SVG text does not take the HTML font). weasyprint parses the
chart's CSS and lays its text out one character at a time for every report, so the chart carries only
``report_templates/chart.css``, short labels and no legend (the HTML caption above it says which bar is which).
"""

from __future__ import annotations

import base64
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pygal  # type: ignore[import-untyped]
from pygal.etree import etree  # type: ignore[import-untyped]
from pygal.style import Style  # type: ignore[import-untyped]

from ..errors import ReportError
from ..resources import bundled

# pygal appends a legacy sys.meta_path finder (PluginImportFixer, for pygal.maps plugins we do not use) that
# lacks find_spec: every later import that no other finder resolves then warns (ImportWarning), which breaks
# programs that run with warnings as errors. Remove it.
sys.meta_path[:] = [finder for finder in sys.meta_path if type(finder).__name__ != "PluginImportFixer"]

# The families declared by @font-face in reports.css: Latin first, then the CJK font.
FONT_FAMILY = "'Report Latin', 'Report CJK'"
CHART_ID = "groups"

# lxml serialises differently from the standard library; pin the standard one for stable bytes.
etree.to_etree()


@dataclass(frozen=True)
class Bar:
    """One group: its label, the unit's points and the peer median (``None``: no peers), out of ``max``."""

    label: str
    points: float
    max: float
    peer_median: float | None


# What print does not show: pygal's comments (one with today's date), scripts, tooltips and titles.
_DROPPED = ("script", "desc", "title")


def _drop_unprinted(root: Any) -> Any:
    for parent in list(root.iter()):
        for child in list(parent):
            if not isinstance(child.tag, str) or child.tag.rpartition("}")[2] in _DROPPED:
                parent.remove(child)
    return root


def _style() -> Style:
    return Style(
        font_family=FONT_FAMILY,
        background="white",
        plot_background="white",
        foreground="black",
        foreground_strong="black",
        foreground_subtle="#555555",
        colors=("#404040", "#ffffff"),
        opacity="1",
        opacity_hover="1",
        transition="none",
        label_font_size=LABEL_SIZE,
        major_label_font_size=LABEL_SIZE,
    )


def _percent(value: float | None, maximum: float) -> float | None:
    if value is None:
        return None
    return round(100 * value / maximum, 1) if maximum > 0 else 0.0


LABEL_SIZE = 10
MARGIN = 6


def _label_room(labels: Sequence[str]) -> float:
    """Extra left margin for wide (CJK) label characters: pygal sizes every character at 0.6 em, a CJK
    character takes a full em, so without this the group names are cut off on the left."""
    wide = [sum(unicodedata.east_asian_width(ch) in "WF" for ch in text) for text in labels]
    return 0.45 * LABEL_SIZE * max(wide, default=0)


def _percent_label(value: float) -> str:
    return f"{value:g}%"


def group_chart(bars: Sequence[Bar], *, unit_label: str, median_label: str) -> str:
    """The bar chart of ``bars`` as a ``data:image/svg+xml`` URL."""
    chart = pygal.HorizontalBar(
        width=640,
        height=40 + 34 * max(len(bars), 1),
        style=_style(),
        css=[f"file://{bundled('report_templates') / 'chart.css'}"],
        js=[],
        disable_xml_declaration=True,
        show_legend=False,  # the caption above the chart says which bar is which, in HTML text
        range=(0, 100),
        y_labels=[0, 50, 100],
        value_formatter=_percent_label,
        show_x_guides=False,
        show_y_guides=True,
        truncate_label=-1,
        margin=MARGIN,
        margin_left=MARGIN + _label_room([bar.label for bar in bars]),
        spacing=8,
    )
    chart.uuid = CHART_ID
    chart.add_xml_filter(_drop_unprinted)
    # pygal draws the first category at the bottom; reverse so the groups read top-down.
    ordered = list(reversed(bars))
    chart.x_labels = [bar.label for bar in ordered]
    chart.add(unit_label, [_percent(bar.points, bar.max) for bar in ordered])
    chart.add(median_label, [_percent(bar.peer_median, bar.max) for bar in ordered])
    try:
        svg: str = chart.render(is_unicode=True)
    except Exception as exc:  # pygal raises many kinds; none may escape untranslated
        raise ReportError(f"pygal could not draw the group chart: {exc}") from exc
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")

"""Charts: a scorecard's groups in, a byte-stable SVG (as a ``data:`` URL) and its row labels out.

Per group, two horizontal bars in percent of the group's maximum: the unit (solid dark grey) and the median
of the units of the same org type (white with a black outline), so the chart reads the same printed in black
and white. The SVG is written here, in print form, with as few nodes as weasyprint needs to draw it: one path
for each series' bars, one for the zero line, one for the dotted 50% and 100% guides, and the percent axis as
the only text (weasyprint lays SVG text out one character at a time). It replaced pygal, whose drawing took
about 6 ms a chart and left 40 nodes to draw (docs/reports.md, Speed). The same bars always give the same
bytes.

The group labels are HTML text beside the chart, one line each (``.chart p.labels`` in reports.css): the rows
are ``ROW`` units apart, and the chart is ``WIDTH`` units over 100 mm, so a row is 6 mm, the labels' line
height.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

# The family declared by @font-face in reports.css for the chart's only text, its percent axis. SVG text does
# not take the HTML font, so the chart names it itself; naming the CJK font as well cost about 18 ms a report
# once the Chinese faces were added.
FONT_FAMILY = "'Report Latin'"
CHART_ID = "groups"
LABEL_SIZE = 10
WIDTH = 400  # units over the chart's 100 mm (reports.css): 0.25 mm a unit
ROW = 24  # a group's two bars and the space between groups: 6 mm, the labels' line height
TOP = 4  # above the first row: 1 mm, the labels' top
BAR = 8.5  # each bar's height
AXIS = 16  # below the last row: the percent axis
LEFT, RIGHT = 12, 388  # 0% and 100%, with room for their labels, centred on them

# Print form, in greys only: the unit's bars dark, the median's white, both outlined in black; the 50% and
# 100% guides dotted grey, the zero line black.
SERIES_FILLS = ("#404040", "#ffffff")
INK = "#000000"
GUIDE = "#999999"
BAR_STROKE_WIDTH = "0.8"


@dataclass(frozen=True)
class Bar:
    """One group: its label, the unit's points and the peer median (``None``: no peers), out of ``max``."""

    label: str
    points: float
    max: float
    peer_median: float | None


@dataclass(frozen=True)
class Row:
    """A group's label and the middle of its bars, in percent of the chart's height from its top."""

    label: str
    middle: float


@dataclass(frozen=True)
class GroupChart:
    """The bars as a ``data:image/svg+xml`` URL, and the groups' labels top-down, set as HTML beside it."""

    url: str
    rows: tuple[Row, ...]


def _percent(value: float, maximum: float) -> float:
    return min(max(100 * value / maximum, 0.0), 100.0) if maximum > 0 else 0.0


def _x(percent: float) -> float:
    return LEFT + (RIGHT - LEFT) * percent / 100


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _bars(values: Sequence[tuple[int, float]], offset: float) -> str:
    """One path of rectangles: per (row, percent), a bar ``offset`` units below the row's top."""
    return "".join(
        f"M{LEFT} {_number(TOP + row * ROW + offset)}h{_number(_x(percent) - LEFT)}v{BAR}H{LEFT}z"
        for row, percent in values
    )


def group_chart(bars: Sequence[Bar]) -> GroupChart:
    """The bar chart of ``bars``, top-down: the SVG of the bars and the percent axis, and each bar's row."""
    rows = len(bars)
    bottom = TOP + ROW * rows
    height = bottom + AXIS
    unit = [(n, _percent(bar.points, bar.max)) for n, bar in enumerate(bars)]
    median = [(n, _percent(bar.peer_median, bar.max)) for n, bar in enumerate(bars) if bar.peer_median is not None]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="chart-{CHART_ID}" viewBox="0 0 {WIDTH} {height}" '
        f'font-family={quoteattr(FONT_FAMILY)} font-size="{LABEL_SIZE}">',
        f'<path d="M{LEFT} {TOP}V{bottom}" fill="none" stroke="{INK}"/>',
        f'<path d="M{_number(_x(50))} {TOP}V{bottom}M{RIGHT} {TOP}V{bottom}" fill="none" stroke="{GUIDE}" '
        'stroke-dasharray="2,3"/>',
    ]
    stroke = f'stroke="{INK}" stroke-width="{BAR_STROKE_WIDTH}"'
    # the unit's bar over the median's, the pair centred on the row's middle (ROW / 2)
    first = ROW / 2 - BAR - 0.5
    if unit:
        parts.append(f'<path class="unit" d="{_bars(unit, first)}" fill="{SERIES_FILLS[0]}" {stroke}/>')
    if median:
        parts.append(f'<path class="median" d="{_bars(median, first + BAR + 1)}" fill="{SERIES_FILLS[1]}" {stroke}/>')
    for percent in (0, 50, 100):
        parts.append(
            f'<text x="{_number(_x(percent))}" y="{bottom + 11}" fill="{INK}" text-anchor="middle">{percent}%</text>'
        )
    parts.append("</svg>")
    svg = "".join(parts)
    url = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
    middles = tuple(Row(bar.label, round(100 * (TOP + ROW * n + ROW / 2) / height, 3)) for n, bar in enumerate(bars))
    return GroupChart(url, middles)

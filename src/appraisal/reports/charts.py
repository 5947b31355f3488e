"""Charts: a scorecard's groups in, a byte-stable SVG (as a ``data:`` URL) and its row labels out, by pygal.

Per group, two horizontal bars in percent of the group's maximum: the unit (solid dark grey) and the median
of the units of the same org type (white with a black outline), so the chart reads the same printed in black
and white. pygal (about 6 ms a chart) was chosen over matplotlib (about 60 ms a chart with CJK labels drawn as
paths, and 80 ms more for weasyprint to lay out those paths): docs/reports.md has the measurements.

pygal draws the bars and the percent axis; its output is then put in print form. pygal writes a random uuid4
and today's date into every SVG: the uuid is replaced by a fixed id and the comments are dropped, so the same
scorecard always gives the same bytes. What weasyprint would pay for on every report goes: its scripts,
tooltips, empty overlays and the chart's stylesheet (weasyprint matches an SVG's CSS against every node; the
colours are set as presentation attributes instead). The group labels are not SVG text either (weasyprint lays
SVG text out one character at a time): ``group_chart`` returns them as rows with the height of their bars, and
the page sets them as HTML text beside the chart.
"""

from __future__ import annotations

import base64
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pygal  # type: ignore[import-untyped]
from pygal.etree import etree  # type: ignore[import-untyped]
from pygal.style import Style  # type: ignore[import-untyped]

from ..errors import ReportError

# pygal appends a legacy sys.meta_path finder (PluginImportFixer, for pygal.maps plugins we do not use) that
# lacks find_spec: every later import that no other finder resolves then warns (ImportWarning), which breaks
# programs that run with warnings as errors. Remove it.
sys.meta_path[:] = [finder for finder in sys.meta_path if type(finder).__name__ != "PluginImportFixer"]

# lxml serialises differently from the standard library; pin the standard one for stable bytes.
etree.to_etree()

# The family declared by @font-face in reports.css for the chart's only text, its percent axis (the group
# labels are HTML). SVG text does not take the HTML font, so the chart names it itself; naming the CJK font as
# well cost about 18 ms a report once the Chinese faces were added (weasyprint sets SVG text letter by letter).
FONT_FAMILY = "'Report Latin'"
CHART_ID = "groups"
LABEL_SIZE = 10
MARGIN = 6
WIDTH = 420

# Print form, in greys only: the unit's bars dark, the median's white, both outlined in black; the 50% and
# 100% guides dotted grey, the zero line black.
SERIES_FILLS = ("#404040", "#ffffff")
INK = "#000000"
GUIDE = "#999999"
PAPER = "#ffffff"
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


def _classes(element: Any) -> list[str]:
    return (element.get("class") or "").split()


def _name(element: Any) -> str:
    return element.tag.rpartition("}")[2] if isinstance(element.tag, str) else ""


# What print does not use: comments (one with today's date), the stylesheet and scripts (in ``defs``), titles,
# descriptions, and pygal's empty title group and its overlays for values and tooltips.
_DROPPED_ELEMENTS = frozenset({"", "defs", "script", "desc", "title"})
_DROPPED_GROUPS = frozenset({"titles", "overlay", "text-overlay", "tooltip-overlay"})


def _paint(element: Any, fill: str | None) -> None:
    """Set what pygal's CSS would have: colours, lines, text anchors. ``fill``: the series' colour, if any."""
    name, classes = _name(element), _classes(element)
    if name == "rect" and "background" in classes:
        element.set("fill", PAPER)
    elif name == "rect" and fill is not None:
        element.attrib.update({"fill": fill, "stroke": INK, "stroke-width": BAR_STROKE_WIDTH})
    elif name == "path" and "guide" in classes:
        element.attrib.update({"fill": "none", "stroke": GUIDE, "stroke-dasharray": "2,3"})
    elif name == "path":
        element.attrib.update({"fill": "none", "stroke": INK})
    elif name == "text":
        element.attrib.update({"fill": INK, "text-anchor": "middle"})


def _print_form(parent: Any, fill: str | None = None) -> None:
    """Drop what print does not use, unwrap each bar's own group, and paint every element that is left."""
    for child in list(parent):
        classes = _classes(child)
        if _name(child) in _DROPPED_ELEMENTS or _DROPPED_GROUPS & set(classes):
            parent.remove(child)
            continue
        series = next((c for c in classes if c.startswith("color-")), None)
        child_fill = SERIES_FILLS[int(series.removeprefix("color-")) % len(SERIES_FILLS)] if series else fill
        _print_form(child, child_fill)
        _paint(child, child_fill)
        if _name(child) == "g" and classes == ["bar"]:
            at = list(parent).index(child)
            parent.remove(child)
            for offset, grandchild in enumerate(list(child)):
                parent.insert(at + offset, grandchild)


_TRANSLATE = re.compile(r"translate\(([-0-9.]+),? ([-0-9.]+)\)")


def _middles(root: Any, series: Sequence[Sequence[float | None]]) -> list[float]:
    """The middle of each category's bars, top-down, in percent of the chart's height, read from pygal's tree.

    ``series``: each series' values in pygal's order (bottom category first). pygal draws a series' bars in
    that order and none for a missing value, so the n-th bar of a series is its n-th present value. Its slots
    are not even fractions of the plot, so the bars' own positions are used."""
    view_box = (root.get("viewBox") or "").split()
    plot = next((g for g in root.iter() if _name(g) == "g" and "plot" in _classes(g)), None)
    match = _TRANSLATE.fullmatch(plot.get("transform", "")) if plot is not None else None
    if plot is None or match is None or len(view_box) != 4:
        raise ReportError("pygal drew the group chart without a plot area")
    top, whole = float(match.group(2)), float(view_box[3])
    count = len(series[0])
    spans: list[list[float]] = [[] for _ in range(count)]
    for number, values in enumerate(series):
        group = next((g for g in plot.iter() if f"serie-{number}" in _classes(g)), None)
        bars = [bar for bar in group.iter() if _name(bar) == "rect"] if group is not None else []
        present = [index for index, value in enumerate(values) if value is not None]
        if len(bars) != len(present):
            raise ReportError(f"pygal drew {len(bars)} bars for {len(present)} values of the group chart")
        for index, bar in zip(present, bars, strict=True):
            y, height = float(bar.get("y", "0")), float(bar.get("height", "0"))
            spans[index] += [y, y + height]
    if not all(spans):
        raise ReportError("pygal drew a group of the chart without a bar")
    middles = [(min(span) + max(span)) / 2 for span in reversed(spans)]
    return [round(100 * (top + middle) / whole, 3) for middle in middles]


def _style() -> Style:
    """What of pygal's style still matters once the CSS is dropped: the font sizes it lays the axis out by."""
    return Style(font_family=FONT_FAMILY, label_font_size=LABEL_SIZE, major_label_font_size=LABEL_SIZE)


def _percent(value: float | None, maximum: float) -> float | None:
    if value is None:
        return None
    return round(100 * value / maximum, 1) if maximum > 0 else 0.0


def _percent_label(value: float) -> str:
    return f"{value:g}%"


def group_chart(bars: Sequence[Bar]) -> GroupChart:
    """The bar chart of ``bars``, top-down: the SVG of the bars and the percent axis, and each bar's row."""
    chart = pygal.HorizontalBar(
        width=WIDTH,
        height=32 + 24 * max(len(bars), 1),
        style=_style(),
        css=[],
        js=[],
        disable_xml_declaration=True,
        show_legend=False,  # the caption above the chart says which bar is which, in HTML text
        show_y_labels=False,  # the groups' labels: HTML rows beside the chart
        range=(0, 100),
        y_labels=[0, 50, 100],
        value_formatter=_percent_label,
        show_x_guides=False,
        show_y_guides=True,
        margin=MARGIN,
        spacing=8,
    )
    chart.uuid = CHART_ID
    # pygal draws the first category at the bottom; reverse so the groups read top-down.
    ordered = list(reversed(bars))
    series = [
        [_percent(bar.points, bar.max) for bar in ordered],
        [_percent(bar.peer_median, bar.max) for bar in ordered],
    ]
    middles: list[float] = []

    def print_form(root: Any) -> Any:
        _print_form(root)
        root.attrib.update({"font-family": FONT_FAMILY, "font-size": str(LABEL_SIZE)})
        if bars:
            middles.extend(_middles(root, series))
        return root

    chart.add_xml_filter(print_form)
    chart.x_labels = [bar.label for bar in ordered]
    chart.add("unit", series[0])
    chart.add("median", series[1])
    try:
        svg: str = chart.render(is_unicode=True)
    except ReportError:
        raise
    except Exception as exc:  # pygal raises many kinds; none may escape untranslated
        raise ReportError(f"pygal could not draw the group chart: {exc}") from exc
    rows = tuple(Row(bar.label, middle) for bar, middle in zip(bars, middles, strict=True))
    url = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return GroupChart(url, rows)

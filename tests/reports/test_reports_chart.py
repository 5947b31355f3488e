"""The group chart: pygal's SVG in print form, stable to the byte, grey only; its group labels as rows."""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET

import pytest
from tests.reports.report_pdfs import quiet, text

from appraisal.reports.charts import FONT_FAMILY, Bar, GroupChart, group_chart
from appraisal.reports.i18n import GROUP_LABELS, label
from appraisal.reports.render import html_to_pdf
from appraisal.reports.views import CHART_LABEL_WIDTH, chart_label

BARS = [
    Bar("组织领导机制", 8, 15, 11.5),
    Bar("Performance appraisal mechanism", 7, 10, 8.5),
    Bar("待遇落实", 20, 20, None),
]
SVG = "{http://www.w3.org/2000/svg}"


def _svg(chart: GroupChart) -> str:
    prefix = "data:image/svg+xml;base64,"
    assert chart.url.startswith(prefix)
    return base64.b64decode(chart.url[len(prefix) :]).decode("utf-8")


def _root(chart: GroupChart) -> ET.Element:
    return ET.fromstring(_svg(chart))


def _series(root: ET.Element, series: str) -> list[ET.Element]:
    group = next(g for g in root.iter(f"{SVG}g") if series in (g.get("class") or "").split())
    return list(group.iter(f"{SVG}rect"))


def test_the_same_bars_give_the_same_bytes() -> None:
    first = group_chart(BARS)
    assert group_chart(BARS) == first
    svg = _svg(first)
    # pygal's random uuid4 and today's date are gone
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-", svg)
    assert 'id="chart-groups"' in svg


def test_nothing_print_does_not_use_is_kept() -> None:
    svg = _svg(group_chart(BARS))
    # no comments, scripts, stylesheet, titles or tooltips; no empty overlay groups; no group per bar
    assert not re.search(r"<!--|<(defs|style|script|desc|title)\b", svg)
    assert not re.search(r'class="[^"]*\b(overlay|tooltip-overlay|titles)\b', svg)
    assert 'class="bar"' not in svg


def test_group_labels_are_rows_not_svg_text() -> None:
    chart = group_chart(BARS)
    assert [row.label for row in chart.rows] == [bar.label for bar in BARS]
    texts = [element.text for element in _root(chart).iter(f"{SVG}text")]
    # SVG text only for the percent axis (weasyprint lays SVG text out one character at a time)
    assert texts == ["0%", "50%", "100%"]
    root = _root(chart)
    assert root.get("font-family") == FONT_FAMILY


@pytest.mark.parametrize("count", [1, 3, 9, 12, 20, 40])
def test_each_row_is_level_with_its_bars(count: int) -> None:
    # every third group has no peer median: no white bar
    bars = [Bar(f"group {n}", n % 5, 5, None if n % 3 == 1 else (n + 2) % 5) for n in range(count)]
    chart = group_chart(bars)
    root = _root(chart)
    height = float(root.get("viewBox", "").split()[3])
    (plot,) = [g for g in root.iter(f"{SVG}g") if "plot" in (g.get("class") or "").split()]
    offset = float(re.fullmatch(r"translate\(([-0-9.]+), ([-0-9.]+)\)", plot.get("transform", ""))[2])  # type: ignore[index]

    def span(rect: ET.Element) -> tuple[float, float]:
        y = offset + float(rect.get("y", ""))
        return y, y + float(rect.get("height", ""))

    # pygal lists the bottom group first, and draws no bar for a missing median
    unit = [span(rect) for rect in reversed(_series(root, "serie-0"))]
    with_median = [n for n, bar in enumerate(bars) if bar.peer_median is not None]
    median = dict(zip(reversed(with_median), (span(rect) for rect in _series(root, "serie-1")), strict=True))
    assert len(chart.rows) == len(unit) == count
    middles = [row.middle * height / 100 for row in chart.rows]
    assert middles == sorted(middles)
    for n, middle in enumerate(middles):
        spans = [unit[n], *([median[n]] if n in median else [])]
        low, high = min(s[0] for s in spans), max(s[1] for s in spans)
        # the label's middle is the middle of its group's bars
        assert abs(middle - (low + high) / 2) < 0.01, (n, low, middle, high)


def test_only_greys_so_it_prints_in_black_and_white() -> None:
    root = _root(group_chart(BARS))
    colours = {
        value.lstrip("#")
        for element in root.iter()
        for key in ("fill", "stroke")
        if (value := element.get(key)) and value != "none"
    }
    assert colours, "no colour found"
    assert all(re.fullmatch(r"([0-9a-f]{2})\1\1", c) for c in colours), colours
    # the unit dark, the median white, both outlined in black
    assert {(r.get("fill"), r.get("stroke")) for r in _series(root, "serie-0")} == {("#404040", "#000000")}
    assert {(r.get("fill"), r.get("stroke")) for r in _series(root, "serie-1")} == {("#ffffff", "#000000")}


def test_bars_are_percent_of_the_group_maximum() -> None:
    root = _root(group_chart(BARS))
    unit = [float(rect.get("width", 0)) for rect in _series(root, "serie-0")]
    median = [float(rect.get("width", 0)) for rect in _series(root, "serie-1")]
    # bottom group first (the groups are reversed to read top-down): 20 of 20, 7 of 10, 8 of 15
    assert [round(100 * w / unit[0], 1) for w in unit] == [100.0, 70.0, 53.3]
    # no median for 待遇落实 (no peers): no bar; then 8.5 of 10 and 11.5 of 15
    assert [round(100 * w / unit[0], 1) for w in median] == [85.0, 76.7]


def test_weasyprint_draws_the_chart_without_a_warning() -> None:
    # its only text is the percent axis; the group labels (Chinese among them) are HTML: test_reports_pdf.py
    chart = group_chart(BARS)
    pdf = quiet(html_to_pdf, f'<html><body><img src="{chart.url}"></body></html>')
    assert "100%" in text(pdf)


def test_a_long_group_name_is_cut_but_its_points_show() -> None:
    assert chart_label("Leadership", "12/15") == "Leadership 12/15"
    long = chart_label("custom_group_with_a_rather_long_id", "12.5/15")
    assert long.endswith("… 12.5/15") and long.startswith("custom_group_with")
    assert len(long) <= CHART_LABEL_WIDTH
    wide = chart_label("一个名称非常非常长的考核类别", "8/10")
    assert wide.endswith("… 8/10") and sum(2 if "\u4e00" <= ch <= "\u9fff" else 1 for ch in wide) <= CHART_LABEL_WIDTH
    # every label of the bundled groups fits whole, in both languages
    for lang in ("en", "zh"):
        for group in GROUP_LABELS:
            name = label(GROUP_LABELS, group, lang)
            assert chart_label(name, "12.25/15") == f"{name} 12.25/15"

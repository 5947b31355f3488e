"""The group chart: an SVG of few nodes, stable to the byte, grey only; its group labels as rows level with the bars."""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET

import pytest
from tests.reports.report_pdfs import quiet, text

from appraisal.reports.charts import FONT_FAMILY, LEFT, RIGHT, ROW, TOP, WIDTH, Bar, GroupChart, group_chart
from appraisal.reports.i18n import GROUP_LABELS, label
from appraisal.reports.render import html_to_pdf
from appraisal.reports.views import CHART_LABEL_WIDTH, chart_label
from appraisal.resources import bundled

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


def _bars(root: ET.Element, series: str) -> list[tuple[float, float, float]]:
    """Each bar of a series' path: (top, height, width), in the chart's units."""
    (path,) = [p for p in root.iter(f"{SVG}path") if p.get("class") == series]
    found = re.findall(r"M([0-9.]+) ([0-9.]+)h([0-9.]+)v([0-9.]+)H\1z", path.get("d", ""))
    assert "".join(f"M{x} {y}h{w}v{h}H{x}z" for x, y, w, h in found) == path.get("d")
    return [(float(y), float(h), float(w)) for _, y, w, h in found]


def test_the_same_bars_give_the_same_bytes() -> None:
    first = group_chart(BARS)
    assert group_chart(BARS) == first
    assert 'id="chart-groups"' in _svg(first)


def test_few_nodes_and_only_the_axis_as_text() -> None:
    root = _root(group_chart(BARS))
    # one path per series, one for the zero line, one for the guides; no groups, styles or scripts
    assert [element.tag.removeprefix(SVG) for element in root.iter()] == ["svg", *["path"] * 4, *["text"] * 3]
    assert not re.search(r"<!--|<(defs|style|script|desc|title)\b", _svg(group_chart(BARS)))


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
    unit = _bars(root, "unit")
    with_median = [n for n, bar in enumerate(bars) if bar.peer_median is not None]
    median = dict(zip(with_median, _bars(root, "median"), strict=True))
    assert len(chart.rows) == len(unit) == count
    for n, row in enumerate(chart.rows):
        middle = row.middle * height / 100
        # the rows are ROW units apart (the labels' line height, reports.css), from TOP
        assert abs(middle - (TOP + ROW * n + ROW / 2)) < 0.01
        # the unit's bar just above the row's middle, the median's (if any) just below: the label's middle is
        # the middle of its group's bars
        top, size, _ = unit[n]
        assert top < middle - size / 2 and top + size < middle
        if n in median:
            low, high = top, median[n][0] + median[n][1]
            assert abs(middle - (low + high) / 2) < 0.01, (n, low, middle, high)
    css = (bundled("report_templates") / "reports.css").read_text(encoding="utf-8")
    rule = css[css.index(".chart p.labels {") :]
    rule = rule[: rule.index("}")]
    scale = 100 / WIDTH  # mm a unit: the chart is 100 mm wide
    assert "width: 100mm;" in css[css.index(".chart img {") :]
    assert f"line-height: {ROW * scale:g}mm;" in rule and f"top: {TOP * scale:g}mm;" in rule


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
    paths = {p.get("class"): (p.get("fill"), p.get("stroke")) for p in root.iter(f"{SVG}path")}
    assert paths["unit"] == ("#404040", "#000000") and paths["median"] == ("#ffffff", "#000000")


def test_bars_are_percent_of_the_group_maximum() -> None:
    root = _root(group_chart(BARS))
    whole = RIGHT - LEFT
    # top-down: 8 of 15, 7 of 10, 20 of 20
    assert [round(100 * w / whole, 1) for _, _, w in _bars(root, "unit")] == [53.3, 70.0, 100.0]
    # 11.5 of 15, 8.5 of 10; no median for 待遇落实 (no peers): no bar
    assert [round(100 * w / whole, 1) for _, _, w in _bars(root, "median")] == [76.7, 85.0]


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

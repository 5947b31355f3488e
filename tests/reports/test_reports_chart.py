"""The group chart: pygal's SVG, stable to the byte, grey only, its text in the bundled fonts."""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET

from tests.reports.report_pdfs import quiet

from appraisal.reports.charts import FONT_FAMILY, Bar, group_chart
from appraisal.reports.render import html_to_pdf

BARS = [
    Bar("组织领导机制", 8, 15, 11.5),
    Bar("Performance appraisal mechanism", 7, 10, 8.5),
    Bar("待遇落实", 20, 20, None),
]
SVG = "{http://www.w3.org/2000/svg}"


def _svg(url: str) -> str:
    prefix = "data:image/svg+xml;base64,"
    assert url.startswith(prefix)
    return base64.b64decode(url[len(prefix) :]).decode("utf-8")


def chart() -> str:
    return group_chart(BARS, unit_label="本单位", median_label="同类单位中位数")


def test_the_same_bars_give_the_same_bytes() -> None:
    first = chart()
    assert chart() == first
    svg = _svg(first)
    # pygal's random uuid4 and today's date are gone
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-", svg)
    assert "<!--" not in svg and "<script" not in svg
    assert 'id="chart-groups"' in svg


def test_labels_are_text_in_the_bundled_fonts() -> None:
    root = ET.fromstring(_svg(chart()))
    texts = {element.text for element in root.iter(f"{SVG}text")}
    assert {"组织领导机制", "Performance appraisal mechanism", "待遇落实"} <= texts
    # no legend: the caption in HTML says which bar is which (SVG text costs weasyprint a layout per character)
    assert not {"本单位", "同类单位中位数"} & texts
    assert "100%" in texts
    style = "".join(element.text or "" for element in root.iter(f"{SVG}style"))
    assert f"font-family:{FONT_FAMILY.replace(', ', ',')}" in style


def test_only_greys_so_it_prints_in_black_and_white() -> None:
    style = "".join(element.text or "" for element in ET.fromstring(_svg(chart())).iter(f"{SVG}style"))
    colours = set(re.findall(r"#([0-9a-fA-F]{6})\b", style))
    assert colours, "no colour found"
    assert all(c[0:2] == c[2:4] == c[4:6] for c in colours), colours
    # the unit dark, the median white outlined in black
    assert "#chart-groups .color-0{fill:#404040;stroke:#000000}" in style
    assert "#chart-groups .color-1{fill:#ffffff;stroke:#000000}" in style


def _widths(root: ET.Element, series: str) -> list[float]:
    group = next(g for g in root.iter(f"{SVG}g") if series in (g.get("class") or "").split())
    return [float(rect.get("width", 0)) for rect in group.iter(f"{SVG}rect")]


def test_bars_are_percent_of_the_group_maximum() -> None:
    root = ET.fromstring(_svg(chart()))
    unit, median = _widths(root, "serie-0"), _widths(root, "serie-1")
    # bottom group first (the groups are reversed to read top-down): 20 of 20, 7 of 10, 8 of 15
    assert [round(100 * w / unit[0], 1) for w in unit] == [100.0, 70.0, 53.3]
    # no median for 待遇落实 (no peers): no bar; then 8.5 of 10 and 11.5 of 15
    assert [round(100 * w / unit[0], 1) for w in median] == [85.0, 76.7]


def test_nothing_unprinted_is_kept() -> None:
    svg = _svg(chart())
    assert not re.search(r"<(desc|title|script)\b", svg)


def test_the_chart_renders_chinese_without_missing_glyphs() -> None:
    pdf = quiet(html_to_pdf, f'<html lang="zh"><body><img src="{chart()}"></body></html>')
    assert pdf.startswith(b"%PDF")

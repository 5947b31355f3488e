"""The annex's item table as lines: each item's figures, a tab, its title; the figures fit before the tab stop
and a title too long for its line is cut with an ellipsis, so that no line runs off the page."""

from __future__ import annotations

import re

import pytest
from tests.reports.report_pdfs import quiet, text

from appraisal.reports import render_report
from appraisal.reports.i18n import STATUS_LABELS, label
from appraisal.reports.views import (
    ANNEX_FONT_SIZE,
    ANNEX_TAB,
    ANNEX_TITLE_ROOM,
    FIGURE_SPACE,
    aligned,
    fit,
    padded,
    text_width,
)
from appraisal.resources import bundled
from appraisal.rubric.models import Rubric
from appraisal.scoring.scorecard import Scorecard


def test_the_stylesheets_tab_stop_is_the_one_the_lines_are_made_for() -> None:
    css = (bundled("report_templates") / "reports.css").read_text(encoding="utf-8")
    rule = css[css.index(".annex-items p {") :]
    assert re.search(r"tab-size: ([0-9.]+)mm;", rule[: rule.index("}")]).group(1) == f"{ANNEX_TAB:g}"  # type: ignore[union-attr]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_widest_figures_end_before_the_tab_stop(lang: str) -> None:
    statuses = [label(STATUS_LABELS, status, lang) for status in STATUS_LABELS]
    widest = max(text_width(status, ANNEX_FONT_SIZE, lang) for status in statuses)
    gap = FIGURE_SPACE * 2
    widths = [
        text_width(
            aligned("12.25") + gap + aligned("12.25") + gap + padded(status, widest, ANNEX_FONT_SIZE, lang),
            ANNEX_FONT_SIZE,
            lang,
        )
        for status in statuses
    ]
    # within a figure space of one another (so the tab after them is short: weasyprint draws a tab 2.4% wider
    # than laid out), and before the stop
    assert max(widths) - min(widths) <= text_width(FIGURE_SPACE, ANNEX_FONT_SIZE, lang)
    assert max(widths) < ANNEX_TAB - 2, widths


def test_fit_cuts_with_an_ellipsis_only_what_is_too_long() -> None:
    assert fit("Office premises provided", 100, 8.5, "en") == "Office premises provided"
    long = "Member units of the Working Committee on Women and Children play their role " * 3
    cut = fit(long, 100, 8.5, "en")
    assert cut.endswith("…") and long.startswith(cut[:-1]) and text_width(cut, 8.5, "en") <= 100
    chinese = "机关事业单位妇委会、非公企业妇女组织年度活动经费" * 3
    cut = fit(chinese, ANNEX_TITLE_ROOM["zh"], 8.5, "zh")
    assert cut.endswith("…") and text_width(cut, 8.5, "zh") <= ANNEX_TITLE_ROOM["zh"]
    assert len(cut) < 40  # a Chinese character is one em: 3 mm at 8.5 pt


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_title_too_long_for_its_line_is_cut_and_its_figures_still_show(
    cards: dict[str, Scorecard], rubric: Rubric, lang: str
) -> None:
    card = cards["town-07"]
    item = card.items[0]
    words = {"en": "a very long title of an item " * 8, "zh": "一个很长很长的考核项目名称" * 8}
    items = [
        entry.model_copy(update={"title": entry.title.model_copy(update={lang: words[lang]})})
        if entry.id == item.id
        else entry
        for entry in rubric.items
    ]
    long_rubric = rubric.model_copy(update={"items": items})
    body = text(quiet(render_report, card, "improvement", lang, rubric=long_rubric))
    annex = re.sub(r"\s+", "", body[body.rindex(label(STATUS_LABELS, "awarded", lang)) - 2000 :])
    cut = fit(words[lang], ANNEX_TITLE_ROOM[lang], ANNEX_FONT_SIZE, lang)
    assert re.sub(r"\s+", "", cut) in annex
    assert re.sub(r"\s+", "", words[lang]) not in annex

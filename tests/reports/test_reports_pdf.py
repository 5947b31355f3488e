"""The three reports read back from their PDFs: content, order, fonts, attachment, metadata, stable bytes."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from tests.reports.report_pdfs import attachments, catalog, fonts, quiet, reader, says, text, xmp

from appraisal.errors import ReportError
from appraisal.reports import ReportOptions, render_report, render_summary
from appraisal.reports.render import _render_template
from appraisal.rubric.models import Rubric
from appraisal.scoring.scorecard import Scorecard

OPTIONS = ReportOptions(issuing_body={"en": "Riverside City Women's Federation", "zh": "河畔市妇联"})


@pytest.fixture(scope="module")
def pdf(cards: dict[str, Scorecard], rubric: Rubric) -> dict[str, bytes]:
    """Each report rendered once for the module (about a quarter of a second each)."""
    made = {}
    for key, unit, lang in (
        ("commendation-en", "county-01", "en"),
        ("commendation-zh", "county-01", "zh"),
        ("improvement-en", "town-07", "en"),
        ("improvement-zh", "town-07", "zh"),
        ("vetoed-en", "village-12", "en"),
        ("excellent-en", "county-02", "en"),
    ):
        made[key] = quiet(render_report, cards[unit], lang=lang, options=OPTIONS, rubric=rubric)
    for lang in ("en", "zh"):
        made[f"summary-{lang}"] = quiet(render_summary, list(cards.values()), lang, options=OPTIONS, rubric=rubric)
    return made


def test_auto_kind_gives_the_commendation_to_commended_units_only(pdf: dict[str, bytes]) -> None:
    assert "Decision on commending Riverside County Women's Federation" in text(pdf["commendation-en"])
    assert "Rectification notice" not in text(pdf["commendation-en"])
    for key in ("improvement-en", "vetoed-en", "excellent-en"):
        assert "Rectification notice" in text(pdf[key])
        assert "Decision on commending" not in text(pdf[key])


def test_page_counts(pdf: dict[str, bytes]) -> None:
    # the decision, then the scorecard annex on a page of its own
    assert len(reader(pdf["commendation-en"]).pages) == 2
    assert len(reader(pdf["commendation-zh"]).pages) == 2
    # six shortfalls with their details, then the scorecard page
    assert len(reader(pdf["improvement-en"]).pages) == 3
    assert 1 <= len(reader(pdf["summary-en"]).pages) <= 2


def test_unit_names_in_english_and_chinese(pdf: dict[str, bytes]) -> None:
    assert "城关镇妇联" in text(pdf["improvement-zh"])
    assert "城关镇妇联" in text(pdf["improvement-en"])
    assert "Riverside County Women's Federation" in text(pdf["commendation-zh"])
    assert says(text(pdf["commendation-zh"]), "关于表彰Riverside County Women's Federation为 2026 年度先进集体的决定")
    summary = text(pdf["summary-zh"])
    assert "城关镇妇联" in summary and "Willow Creek Village Women's Congress" in summary


@pytest.mark.parametrize("key", ["commendation-en", "commendation-zh", "improvement-zh", "summary-zh"])
def test_every_font_is_embedded_and_bundled(pdf: dict[str, bytes], key: str) -> None:
    used = fonts(pdf[key])
    assert used, "no font found"
    assert all(embedded for _, embedded in used), used
    # only the bundled faces (named after their @font-face): a system font would leave boxes elsewhere
    assert all(re.fullmatch(r"/[A-Z]{6}\+Report-(Latin|CJK)", name) for name, _ in used), used
    if key.endswith("zh"):
        assert any(name.endswith("Report-CJK") for name, _ in used)


def test_the_scorecard_json_is_attached(pdf: dict[str, bytes], cards: dict[str, Scorecard]) -> None:
    for key, unit in (("commendation-en", "county-01"), ("improvement-zh", "town-07"), ("vetoed-en", "village-12")):
        files = attachments(pdf[key])
        assert list(files) == ["scorecard.json"]
        assert files["scorecard.json"] == [cards[unit].to_json().encode()]
        assert Scorecard.model_validate_json(files["scorecard.json"][0]) == cards[unit]


def test_the_summary_attaches_every_scorecard(pdf: dict[str, bytes], cards: dict[str, Scorecard]) -> None:
    attached = json.loads(attachments(pdf["summary-en"])["scorecards.json"][0])
    assert [Scorecard.model_validate(entry) for entry in attached] == list(cards.values())


def test_metadata_title_author_language_dates_and_pdfa(pdf: dict[str, bytes]) -> None:
    meta = reader(pdf["improvement-zh"]).metadata
    assert meta is not None
    assert meta.title == "整改通知书 — 城关镇妇联 — 2026"
    assert meta.author == "河畔市妇联"
    assert meta.creation_date is not None and meta.creation_date.date() == dt.date(2026, 12, 20)
    assert meta.modification_date is not None and meta.modification_date.date() == dt.date(2026, 12, 20)
    assert catalog(pdf["improvement-zh"])["/Lang"] == "zh-CN"
    assert catalog(pdf["commendation-en"])["/Lang"] == "en"
    en = reader(pdf["commendation-en"]).metadata
    assert en is not None and en.author == "Riverside City Women's Federation"
    assert en.title == "Commendation decision — Riverside County Women's Federation — 2026"
    packet = xmp(pdf["improvement-zh"])
    assert 'pdfaid:part="3"' in packet and 'pdfaid:conformance="B"' in packet
    # PDF/A-3 names how the attachment relates to the document
    # PDF/A-3 says how each attached file relates to the document (weasyprint lists ours twice)
    related = {
        spec.get_object()["/F"]: spec.get_object()["/AFRelationship"] for spec in catalog(pdf["improvement-zh"])["/AF"]
    }
    assert related == {"scorecard.json": "/Data"}


def test_rendering_again_gives_the_same_bytes(
    pdf: dict[str, bytes], cards: dict[str, Scorecard], rubric: Rubric
) -> None:
    again = quiet(render_report, cards["town-07"], lang="zh", options=OPTIONS, rubric=rubric)
    assert again == pdf["improvement-zh"]
    summary = quiet(render_summary, list(cards.values()), "en", options=OPTIONS, rubric=rubric)
    assert summary == pdf["summary-en"]


def test_commendation_names_the_strongest_work_the_conferral_issuer_and_date(pdf: dict[str, bytes]) -> None:
    body = text(pdf["commendation-en"])
    assert "scored 100 points and was graded Excellent, ranking 1 of the 3 units of its type" in body
    # the strongest items, highest points first
    order = [
        body.index(title)
        for title in (
            "Women's congress director on the two village committees (10 of 10 points)",
            "Party standing committee hears the federation's work report (8 of 8 points)",
        )
    ]
    assert order == sorted(order)
    assert (
        "Riverside City Women's Federation has decided to confer on Riverside County Women's Federation the "
        "title “Advanced collective of the 2026 appraisal of women's federations”" in body
    )
    assert "20 December 2026" in body
    zh = text(pdf["commendation-zh"])
    assert says(zh, "河畔市妇联决定授予Riverside County Women's Federation“2026 年度妇联组织工作考核先进集体”称号")
    assert "2026年12月20日" in zh


def test_improvement_lists_vetoes_first_then_shortfalls_by_points_lost(pdf: dict[str, bytes]) -> None:
    body = text(pdf["vetoed-en"])
    veto = body.index("The site inspection found falsified data.")
    titles = [
        "Women's congress director on the two village committees (10 of 10 points lost)",
        "Technical training for rural women (5 of 5 points lost)",
        "Organization and cadres in place (5 of 5 points lost)",
    ]
    positions = [body.index(title) for title in titles]
    assert veto < positions[0]
    assert positions == sorted(positions)
    assert "graded Unqualified whatever its points" in body
    assert body.index("please rectify them by the deadline. One-vote veto") < veto
    # the veto too says who rectifies, by when, and the re-check; so does every shortfall after it
    due = "Responsible: Wang Fang; deadline 20 March 2027; re-check 3 April 2027"
    assert veto < body.index(due) < positions[0]
    assert body.count(due) == 1 + len(titles)  # the veto and its three shortfalls


def test_a_veto_alone_still_has_its_deadline(cards: dict[str, Scorecard], rubric: Rubric) -> None:
    card = cards["village-12"].model_copy(update={"shortfalls": []})
    assert card.vetoed
    body = text(quiet(render_report, card, rubric=rubric))
    assert "No item lost points." in body
    assert "Responsible: Wang Fang; deadline 20 March 2027; re-check 3 April 2027" in body


def test_every_shortfall_has_its_details(pdf: dict[str, bytes]) -> None:
    body = text(pdf["improvement-en"])
    assert body.count("Requirement: ") == body.count("Action: ") == body.count("Evidence to submit: ") == 6
    # every shortfall ends with who is responsible, the deadline and the re-check
    due = "Responsible: 李秀英; deadline 20 March 2027; re-check 3 April 2027"
    assert body.count(due) == 6
    assert body.index("Evidence to submit: The election result or appointment letter. " + due) > 0
    assert "Requirement: The director of the village women's congress is a member of the village two committees" in body
    assert "Action: Propose the director for the two committees at the next election." in body
    assert "Evidence to submit: The election result or appointment letter." in body
    # an item not reported lost all its points and says so
    assert "Re-employment and entrepreneurship placements (5 of 5 points lost: not reported)" in body
    # 2.5 points lost on a partial item, after the items that lost more
    assert body.index("(5 of 5 points lost") < body.index("Technical training for rural women (2.5 of 5 points lost)")


def test_chinese_quotations_are_marked_as_translations(pdf: dict[str, bytes]) -> None:
    zh = text(pdf["improvement-zh"])
    assert says(zh, "要求： 村妇代会主任进入村两委班子")
    assert zh.count("（原文译文）") == 6
    assert "translation" not in text(pdf["improvement-en"])


def test_excellent_unit_outside_the_quota_gets_its_remaining_shortfalls(pdf: dict[str, bytes]) -> None:
    body = text(pdf["excellent-en"])
    assert "graded Excellent, but it is outside the commendation quota of its type" in body
    assert body.index("(3 of 7 points lost)") < body.index("(2 of 5 points lost)") < body.index("(1 of 5 points lost)")
    assert "Responsible: not named in the submission; deadline" in body


def test_scorecard_page_shows_rank_peers_and_groups(pdf: dict[str, bytes]) -> None:
    body = text(pdf["improvement-en"])
    assert "Rank among units of the same type: 2 of 2; median total 84.75" in body
    assert "Total: 71.5 points (base 100, bonus 0)" in body
    assert "Leadership 8/15" in body and "Treatment 10/20" in body
    zh = text(pdf["improvement-zh"])
    assert says(zh, "同类单位排名：第 2 名（共 2 个）；中位数 84.75 分")
    assert says(zh, "组织领导 8/15")


def test_summary_ranks_each_type_and_counts_grades(pdf: dict[str, bytes]) -> None:
    body = text(pdf["summary-en"])
    assert "6 units appraised" in body
    county = body.index("County women's federation 2 0 1 0 3")
    assert county >= 0
    assert "All types 3 0 2 1 6" in body
    ranking = body[body.index("Ranking by type") :]
    positions = [
        ranking.index(name)
        for name in (
            "1 Riverside County Women's Federation",
            "2 Hillview County Women's Federation",
            "3 Lakeshore County Women's Federation",
            "1 Eastgate Township Women's Federation",
            "2 城关镇妇联",
        )
    ]
    assert positions == sorted(positions)
    commended = body[body.index("Commended units") : body.index("Units under a one-vote veto")]
    assert "Riverside County Women's Federation (100)" in commended and "Eastgate" in commended
    assert "Hillview" not in commended
    vetoed = body[body.index("Units under a one-vote veto") : body.index("Most common shortfalls")]
    assert "Willow Creek Village Women's Congress: The site inspection found falsified data." in vetoed
    common = body[body.index("Most common shortfalls") : body.index("Ranking by type")]
    # T01 is missed by two units (20 points in all), ahead of items missed by two units losing less
    assert common.index("Women's congress director on the two village committees 2 20") < common.index(
        "Technical training for rural women 2 7.5"
    )


def test_a_commendation_for_a_unit_not_commended_is_refused(cards: dict[str, Scorecard], rubric: Rubric) -> None:
    with pytest.raises(ReportError, match="town-07 is not commended"):
        render_report(cards["town-07"], "commendation", rubric=rubric)


def test_a_commended_unit_may_get_the_improvement_notice(cards: dict[str, Scorecard], rubric: Rubric) -> None:
    body = text(quiet(render_report, cards["county-01"], "improvement", rubric=rubric))
    assert "Rectification notice" in body
    assert "Higher level supervises and inspects lower levels (2 of 5 points lost)" in body


def test_options_set_the_issuer_dates_and_language(cards: dict[str, Scorecard], rubric: Rubric) -> None:
    options = ReportOptions(
        issuing_body="Hill County Women's Federation",
        issue_date=dt.date(2027, 1, 5),
        deadline_days=30,
        recheck_days=45,
        lang="zh",
    )
    pdf = quiet(render_report, cards["village-12"], options=options, rubric=rubric)
    body = text(pdf)
    assert "整改通知书" in body  # the options' language, as none was given
    assert says(body, "整改期限：2027年1月19日前；复查：2027年2月3日")
    assert "2027年1月5日" in body and "Hill County Women's Federation" in body
    assert reader(pdf).metadata.author == "Hill County Women's Federation"  # type: ignore[union-attr]


def test_last_years_scorecard_gives_the_change(cards: dict[str, Scorecard], rubric: Rubric) -> None:
    card = cards["town-07"]
    last_year = card.model_copy(update={"year": 2025, "total": 75.0})
    body = text(quiet(render_report, card, previous=last_year, rubric=rubric))
    assert "Total: 71.5 points (base 100, bonus 0); change against last year −3.5 (last year 75)" in body
    with pytest.raises(ReportError, match="another unit"):
        render_report(card, previous=cards["county-01"].model_copy(update={"year": 2025}), rubric=rubric)
    with pytest.raises(ReportError, match="not before 2026"):
        render_report(card, previous=card, rubric=rubric)


def test_unknown_kind_language_and_items_are_report_errors(cards: dict[str, Scorecard], rubric: Rubric) -> None:
    with pytest.raises(ReportError, match="unknown report kind 'award'"):
        render_report(cards["town-07"], "award", rubric=rubric)  # type: ignore[arg-type]
    with pytest.raises(ReportError, match="unknown report language 'fr'"):
        render_report(cards["town-07"], lang="fr", rubric=rubric)
    other = rubric.model_copy(update={"items": rubric.items[1:]})
    with pytest.raises(ReportError, match="has no item L01"):
        render_report(cards["town-07"], rubric=other)
    with pytest.raises(ReportError, match="at least one scorecard"):
        render_summary([], rubric=rubric)
    mixed = [cards["town-07"], cards["county-01"].model_copy(update={"year": 2025})]
    with pytest.raises(ReportError, match="one year"):
        render_summary(mixed, rubric=rubric)


def test_template_errors_are_report_errors() -> None:
    with pytest.raises(ReportError, match="missing.html.j2"):
        _render_template("missing.html.j2", "en")
    # a context without what the template needs: StrictUndefined names it
    with pytest.raises(ReportError, match="commendation.html.j2: 'html_lang' is undefined"):
        _render_template("commendation.html.j2", "en")


def test_a_rare_place_name_character_renders_with_a_real_glyph(cards: dict[str, Scorecard], rubric: Rubric) -> None:
    # 䢺: CJK Extension A, as in place names (quiet() fails on weasyprint's ".notdef" warning)
    card = cards["village-12"].model_copy(update={"name": "䢺川村妇代会"})
    pdf = quiet(render_report, card, lang="zh", rubric=rubric)
    assert "䢺川村妇代会" in text(pdf)

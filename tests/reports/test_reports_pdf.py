"""The reports read back from their PDFs: each kind's content and order, fonts, attachments, metadata, stable
bytes, and what an office checks before it signs (no lonely signature page, Chinese throughout)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from tests.reports.report_pdfs import (
    attachments,
    catalog,
    fonts,
    lonely_signature_pages,
    page_texts,
    quiet,
    reader,
    says,
    text,
    xmp,
)

from appraisal.errors import ReportError
from appraisal.reports import ReportOptions, render_decision, render_report, render_summary
from appraisal.reports.render import _render_template, report_html
from appraisal.reports.table import summary_csv
from appraisal.rubric.models import Rubric
from appraisal.scoring.scorecard import Scorecard

pytestmark = pytest.mark.slow  # started first by make test (tests/conftest.py)

OPTIONS = ReportOptions(
    issuing_body={"en": "Riverside City Women's Federation", "zh": "河畔市妇联"}, document_number="河妇字〔2026〕3号"
)
ISSUER = {"en": "Riverside City Women's Federation", "zh": "河畔市妇联"}
ISSUED = {"en": "20 December 2026", "zh": "2026年12月20日"}
UNITS = {"commendation": "county-01", "feedback": "county-02", "improvement": "town-07", "vetoed": "village-12"}


@pytest.fixture(scope="module")
def pdf(cards: dict[str, Scorecard], rubric: Rubric) -> dict[str, bytes]:
    """Each report rendered once for the module (about a fifth of a second each)."""
    made = {}
    for kind, unit in UNITS.items():
        for lang in ("en", "zh"):
            made[f"{kind}-{lang}"] = quiet(render_report, cards[unit], lang=lang, options=OPTIONS, rubric=rubric)
    for lang in ("en", "zh"):
        made[f"summary-{lang}"] = quiet(render_summary, list(cards.values()), lang, options=OPTIONS, rubric=rubric)
        made[f"decision-{lang}"] = quiet(render_decision, list(cards.values()), lang, options=OPTIONS, rubric=rubric)
    return made


def test_auto_kind_by_outcome(pdf: dict[str, bytes]) -> None:
    assert "Certificate of commendation" in text(pdf["commendation-en"])
    assert "Feedback on the 2026 annual appraisal" in text(pdf["feedback-en"])
    for key in ("improvement-en", "vetoed-en"):
        assert "Rectification notice on the 2026 annual appraisal" in text(pdf[key])
    for key in ("commendation-en", "feedback-en"):
        assert "Rectification notice" not in text(pdf[key])
    assert says(text(pdf["feedback-zh"]), "关于2026年度考核情况的反馈")
    assert says(text(pdf["improvement-zh"]), "关于2026年度考核问题整改的通知")
    assert "荣誉证书" in text(pdf["commendation-zh"])


def test_no_page_holds_only_the_signature(pdf: dict[str, bytes]) -> None:
    for key, made in pdf.items():
        lang = key.rpartition("-")[2]
        assert lonely_signature_pages(made, ISSUER[lang], ISSUED[lang]) == [], key
        assert says(text(made), ISSUER[lang]) and says(text(made), ISSUED[lang]), key


def test_the_closing_paragraph_stays_with_the_signature(cards: dict[str, Scorecard], rubric: Rubric) -> None:
    # notices of 1 to 12 shortfalls: wherever the page breaks, the paragraph before the signature goes with it
    lost = {item.id: item.max for item in cards["county-03"].items if item.group != "bonus"}
    for count in range(1, 13):
        chosen = list(lost)[:count]
        card = cards["county-03"].model_copy(update={"shortfalls": chosen})
        for lang in ("en", "zh"):
            made = quiet(render_report, card, "improvement", lang, options=OPTIONS, rubric=rubric)
            assert lonely_signature_pages(made, ISSUER[lang], ISSUED[lang]) == [], (count, lang)
            closing = "Please send the evidence" if lang == "en" else "请于"
            page = next(p for p in page_texts(made) if says(p, ISSUED[lang]))
            assert says(page, closing), (count, lang)


def test_unit_names_in_english_and_chinese(pdf: dict[str, bytes]) -> None:
    assert "城关镇妇联" in text(pdf["improvement-zh"])
    assert "城关镇妇联" in text(pdf["improvement-en"])
    assert "Riverside County Women's Federation" in text(pdf["commendation-zh"])
    summary = text(pdf["summary-zh"])
    assert "城关镇妇联" in summary and "Willow Creek Village Women's Congress" in summary


@pytest.mark.parametrize("key", ["commendation-en", "commendation-zh", "improvement-zh", "summary-zh", "decision-zh"])
def test_every_font_is_embedded_and_bundled(pdf: dict[str, bytes], key: str) -> None:
    used = fonts(pdf[key])
    assert used, "no font found"
    assert all(embedded for _, embedded in used), used
    # only the bundled faces (named after their @font-face): a system font would leave boxes elsewhere
    assert all(re.fullmatch(r"/[A-Z]{6}\+Report-(Latin|Latin-Text|CJK|Kai|Song-Bold|Punct)", n) for n, _ in used), used
    names = {name.partition("+")[2] for name, _ in used}
    if key.endswith("zh"):  # Open Sans's full face only in the chart's axis
        assert "Report-Kai" in names and "Report-Latin-Text" in names
    if key in ("improvement-zh", "decision-zh"):
        assert "Report-Song-Bold" in names  # the official title and header


def test_the_scorecard_json_is_attached(pdf: dict[str, bytes], cards: dict[str, Scorecard]) -> None:
    for key, unit in (("commendation-en", "county-01"), ("improvement-zh", "town-07"), ("vetoed-en", "village-12")):
        files = attachments(pdf[key])
        assert list(files) == ["scorecard.json"]
        assert files["scorecard.json"] == [cards[unit].to_json().encode()]
        assert Scorecard.model_validate_json(files["scorecard.json"][0]) == cards[unit]


def test_the_summary_and_the_decision_attach_their_rows_of_summary_csv(
    pdf: dict[str, bytes], cards: dict[str, Scorecard]
) -> None:
    files = attachments(pdf["summary-en"])
    assert list(files) == ["summary.csv"]
    assert files["summary.csv"] == [summary_csv(list(cards.values()))]  # the bytes the run's summary.csv has
    rows = list(csv.reader(io.StringIO(files["summary.csv"][0].decode("utf-8-sig"))))
    assert rows[0][:2] == ["unit_id", "name"] and sorted(r[0] for r in rows[1:]) == sorted(cards)
    decision = attachments(pdf["decision-en"])
    assert list(decision) == ["commended.csv"]
    rows = list(csv.reader(io.StringIO(decision["commended.csv"][0].decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["county-01", "town-08"]
    assert rows[0][7] == "commended" and all(row[7] == "true" for row in rows[1:])


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
    assert en.title == "Certificate of commendation — Riverside County Women's Federation — 2026"
    summary = reader(pdf["summary-zh"]).metadata
    assert summary is not None and summary.title == "2026年度考核情况汇总"
    packet = xmp(pdf["improvement-zh"])
    assert 'pdfaid:part="3"' in packet and 'pdfaid:conformance="B"' in packet
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


def test_the_certificate_names_the_strongest_work_issuer_and_date(pdf: dict[str, bytes]) -> None:
    body = text(pdf["commendation-en"])
    assert "scored 100 points and was graded Excellent, ranking 1 of the 3 units of its type" in body
    # the strongest items, highest points first
    order = [
        body.index(title)
        for title in (
            "Women's congress director on the two village committees (10/10 points)",
            "Party standing committee hears the federation's work report (8/8 points)",
        )
    ]
    assert order == sorted(order)
    assert (
        "By decision of Riverside City Women's Federation, your unit is named “Advanced collective of the 2026 "
        "appraisal of women's federations”" in body
    )
    zh = text(pdf["commendation-zh"])
    assert says(zh, "经河畔市妇联研究决定，授予你单位“2026年度妇联工作考核先进集体”称号。特发此证。")


def test_one_decision_names_every_commended_unit_by_type(
    pdf: dict[str, bytes], cards: dict[str, Scorecard], rubric: Rubric
) -> None:
    commended = [card for card in cards.values() if card.commended]
    assert {card.unit_id for card in commended} == {"county-01", "town-08"}
    for lang, heads in (
        ("en", ("County women's federation (1)", "Township women's federation (1)")),
        ("zh", ("县妇联（1个）", "乡镇妇联（1个）")),
    ):
        body = text(pdf[f"decision-{lang}"])
        for card in commended:
            assert says(body, card.name), (lang, card.unit_id)
        for card in cards.values():
            if not card.commended:
                assert card.name not in body, (lang, card.unit_id)
        positions = [body.index(heads[0]), body.index(cards["county-01"].name)]
        positions += [body.index(heads[1]), body.index(cards["town-08"].name)]
        assert positions == sorted(positions), lang
    assert "Riverside City Women's Federation has decided to name the units below (2 in all)" in text(
        pdf["decision-en"]
    )
    # the default issuer reads as a sentence's subject
    default = text(quiet(render_decision, list(cards.values()), "en", rubric=rubric))
    assert "The Appraisal Committee has decided" in default


def test_a_run_without_commended_units_has_no_decision(cards: dict[str, Scorecard], rubric: Rubric) -> None:
    with pytest.raises(ReportError, match="no unit of the run is commended"):
        render_decision([cards["town-07"], cards["village-12"]], rubric=rubric)


def test_a_vetoed_notice_leads_with_the_finding_the_action_and_the_evidence(pdf: dict[str, bytes]) -> None:
    body = text(pdf["vetoed-en"])
    found = body.index("What the inspection found: The site inspection found falsified data.")
    action = body.index("Action required: Put right what the inspection found")
    evidence = body.index("Evidence to submit: A written account of what was found")
    shortfalls = body.index("Shortfalls, by points lost")
    assert body.index("the site inspection found the matters set out below") < found < action < evidence < shortfalls
    assert "graded Unqualified whatever its points (80)" in body
    # the person and the dates once, before the vetoes and the table
    due = "Responsible: Wang Fang. Deadline for rectification: 20 March 2027. Re-check: 3 April 2027."
    assert body.count(due) == 1 and body.index(due) < found
    zh = text(pdf["vetoed-zh"])
    assert says(zh, "核查发现：") and says(zh, "整改要求：") and says(zh, "应提交的佐证材料：")


def test_the_shortfalls_are_one_table_and_the_dates_are_stated_once(pdf: dict[str, bytes]) -> None:
    body = text(pdf["improvement-en"])
    assert body.count("Responsible: 李秀英. Deadline for rectification: 20 March 2027. Re-check: 3 April 2027.") == 1
    assert body.count("Deadline") == 1
    table = body[body.index("Item Lost / max Action Evidence to submit") :]
    rows = [
        "1. Women's congress director on the two village committees 10/10 Propose the director",
        "2. A named party leader is in charge of women's work 7/7",
        "3. Re-employment and entrepreneurship placements not reported 5/5",
        "5. Technical training for rural women 2.5/5",
    ]
    positions = [table.index(row) for row in rows]
    assert positions == sorted(positions)
    assert "The election result or appointment letter." in table
    assert "points lost)" not in body  # no "(1 of 1 points lost)"
    zh = text(pdf["improvement-zh"])
    assert says(zh, "整改责任人：李秀英。整改期限：2027年3月20日前。复查时间：2027年4月3日。")
    assert says(zh, "考核项目失分/满分整改措施应提交的佐证材料")


def test_excellent_outside_the_quota_gets_the_feedback_letter(pdf: dict[str, bytes]) -> None:
    body = text(pdf["feedback-en"])
    assert "graded Excellent (on 94 points before bonus), ranking 2 of the 3 units of its type" in body
    assert "The commendation quota of its type is 1" in body and "outside the quota this year" in body
    assert "no rectification is required" in body
    assert "Deadline" not in body and "Responsible" not in body
    assert body.index("3/7") < body.index("2/5") < body.index("1/5")
    zh = text(pdf["feedback-zh"])
    assert says(zh, "考核情况") and says(zh, "不作整改要求")


def test_the_annex_has_the_item_table_and_the_points_in_one_line(pdf: dict[str, bytes]) -> None:
    body = text(pdf["improvement-en"])
    assert "Rank among units of the same type: 2 of 2; median total 84.75" in body
    assert "Points: 71.5 of 100, bonus 0, total 71.5; graded Qualified on the 71.5 points before bonus" in body
    assert "Leadership 8/15" in body and "Treatment 10/20" in body  # the chart's rows
    table = body[body.index("Points by item") :]
    assert "Maximum, points, status Item" in table
    # a block per group: the group's heading, then per item a line: maximum, points, status, the title
    assert "Leadership: 8/15 8 8 full points Party standing committee hears the federation's work report" in table
    assert "7 0 none A named party leader is in charge of women's work Appraisal: 7/10" in table
    assert "5 2.5 part Technical training for rural women 5 5 full points Women's demonstration villages" in table
    assert "5 0 not reported Re-employment and entrepreneurship placements" in table  # not reported
    zh = text(pdf["improvement-zh"])
    assert says(zh, "同类单位排名：第2名（共2个）；同类单位总分中位数84.75分")
    assert says(zh, "得分：基础分71.5分（满分100分），加分0分，总分71.5分；按加分前得分71.5分评定为合格")
    assert says(zh, "双学双比：7.5/1052.5部分得分开展农村妇女技术培训55满分建设妇女示范村")


def test_chinese_documents_hold_no_latin_citation(pdf: dict[str, bytes], rubric: Rubric) -> None:
    citations = {item.citation for item in rubric.items} | {veto.citation for veto in rubric.vetoes}
    for key, made in pdf.items():
        if key.endswith("-zh"):
            body = text(made)
            assert not re.search(r"\bPart \d", body), key
            assert not any(citation in body for citation in citations), key
            assert "（原文译文）" not in body, key
    vetoed = text(pdf["vetoed-zh"])
    assert says(vetoed, "相关要求（第三部分（三）第二项机制（考核机制））：")
    # the quotations are translations: said once, in a note
    assert text(pdf["vetoed-zh"]).count("译文") == 1
    assert "translation" not in text(pdf["vetoed-en"])


def test_chinese_punctuation_and_brackets(cards: dict[str, Scorecard], rubric: Rubric) -> None:
    for unit in UNITS.values():
        html = report_html(cards[unit], lang="zh", options=OPTIONS, rubric=rubric)
        body = re.sub(r"<[^>]+>", "", html[html.index("<body>") :])
        assert not re.search(r" [，。：；、（）“”！？]|[，。：；、（）“”！？] ", body), unit
        assert f"（{cards[unit].unit_id}）" in body and f"({cards[unit].unit_id})" not in body


def test_chinese_quotation_marks_come_from_a_chinese_font(rubric: Rubric) -> None:
    from appraisal.reports.render import html_to_pdf

    made = quiet(html_to_pdf, '<html lang="zh-CN"><body><p>“”——</p></body></html>')
    used = {name.partition("+")[2] for name, _ in fonts(made)}
    assert "Report-Punct" in used and not used & {"Report-Latin", "Report-Kai"}, used
    latin = quiet(html_to_pdf, '<html lang="en"><body><p>“two”</p></body></html>')
    assert {name.partition("+")[2] for name, _ in fonts(latin)} == {"Report-Latin"}


def test_titles_break_only_between_words(pdf: dict[str, bytes]) -> None:
    words = ["关于表彰", "2026年度", "妇联工作", "考核先进集体", "的决定"]
    lines = [line.strip() for line in (reader(pdf["decision-zh"]).pages[0].extract_text() or "").splitlines()]
    first = next(i for i, line in enumerate(lines) if line.startswith("关于表彰"))
    title_lines = lines[first : first + 2] if lines[first] != "".join(words) else lines[first : first + 1]
    assert "".join(title_lines) == "".join(words)
    for line in title_lines:  # each line is whole words
        rest = line
        while rest:
            word = next((w for w in words if rest.startswith(w)), None)
            assert word is not None, (line, rest)
            rest = rest[len(word) :]


def test_the_summary_states_the_basis_quota_and_tie_break(pdf: dict[str, bytes]) -> None:
    body = text(pdf["summary-en"])
    assert "6 units appraised" in body
    assert "Units appraised: 6, of 3 types; graded excellent: 3; commended: 2; under a one-vote veto: 1." in body
    assert "The grade is taken on the points before bonus" in body
    assert "Excellent from 90; Good from 80; Qualified from 60;" in body
    assert "at most 20% of the units of each type, rounded down, and at least 1" in body
    assert "by the higher total, then by fewer items with points lost, then by the unit code" in body
    chart = body[body.index("Grade distribution") :]
    assert chart.index("County women's federation 2 1") < chart.index("Excellent Good Qualified Unqualified")
    assert "County women's federation 2 0 1 0 3" in body
    assert "All types 3 0 2 1 6" in body
    ranking = body[body.index("Ranking by type") :]
    assert "Rank Unit Total Before bonus Grade" in ranking
    positions = [
        ranking.index(name)
        for name in (
            "1 Riverside County Women's Federation commended 100 97 Excellent",
            "2 Hillview County Women's Federation 95 94 Excellent",
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
    zh = text(pdf["summary-zh"])
    assert says(zh, "同类单位按总分高者在前，其次按失分项目少者在前，其次按单位编号排名。")


def test_the_chinese_official_layout(pdf: dict[str, bytes]) -> None:
    for key in ("improvement-zh", "feedback-zh", "vetoed-zh", "decision-zh"):
        made = reader(pdf[key])
        first = made.pages[0]
        assert [round(float(v)) for v in first.mediabox[2:]] == [595, 842]  # A4
        pages = page_texts(pdf[key])
        assert pages[0].startswith("河畔市妇联 河妇字〔2026〕3号"), key
        assert [re.search(r"— (\d+) —$", page) is not None for page in pages] == [True] * len(pages), key
        # the text area: 28 mm from the left edge, 37 mm from the top (PDF points from the bottom left)
        origins: list[tuple[float, float]] = []

        def visit(
            txt: str, cm: list[float], tm: list[float], *_: object, found: list[tuple[float, float]] = origins
        ) -> None:
            if txt.strip():  # the text's origin on the page: its matrix times the page's
                found.append((tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5]))

        first.extract_text(visitor_text=visit)
        lefts = [x for x, _ in origins]
        tops = [y for _, y in origins]
        mm = 72 / 25.4
        assert min(lefts) == pytest.approx(28 * mm, abs=2), key
        assert max(tops) <= 842 - 37 * mm + 2, key
    # the header in red: the issuing body's colour in the page's drawing
    content = reader(pdf["improvement-zh"]).pages[0].get_contents()
    assert content is not None and b"0.901961 0 0 rg" in content.get_data()
    # English keeps the plain letter
    assert "〔" not in text(pdf["improvement-en"])


def test_a_commendation_for_a_unit_not_commended_is_refused(cards: dict[str, Scorecard], rubric: Rubric) -> None:
    with pytest.raises(ReportError, match="town-07 is not commended"):
        render_report(cards["town-07"], "commendation", rubric=rubric)
    with pytest.raises(ReportError, match="village-12 is under a one-vote veto"):
        render_report(cards["village-12"], "feedback", rubric=rubric)


def test_a_commended_unit_may_get_the_notice_or_without_certificates_the_letter(
    cards: dict[str, Scorecard], rubric: Rubric
) -> None:
    body = text(quiet(render_report, cards["county-01"], "improvement", rubric=rubric))
    assert "Rectification notice" in body
    assert "Higher level supervises and inspects lower levels 2/5" in body
    letter = text(quiet(render_report, cards["county-01"], options=ReportOptions(certificates=False), rubric=rubric))
    assert "Feedback on the 2026 annual appraisal" in letter
    assert "It is commended as an advanced collective; the commendation decision names it." in letter


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
    assert says(body, "整改的通知")  # the options' language, as none was given
    assert says(body, "整改期限：2027年1月19日前。复查时间：2027年2月3日。")
    assert "2027年1月5日" in body and "Hill County Women's Federation" in body
    assert reader(pdf).metadata.author == "Hill County Women's Federation"  # type: ignore[union-attr]


def test_last_years_scorecard_gives_the_change(cards: dict[str, Scorecard], rubric: Rubric) -> None:
    card = cards["town-07"]
    last_year = card.model_copy(update={"year": 2025, "total": 75.0})
    body = text(quiet(render_report, card, previous=last_year, rubric=rubric))
    assert "Change against last year: −3.5 (last year 75)" in body
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
    with pytest.raises(ReportError, match="one year"):
        render_decision(mixed, rubric=rubric)


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


@pytest.mark.parametrize("kind", ["feedback", "improvement"])
def test_a_score_in_the_points_lost_column_never_breaks_inside(kind: str) -> None:
    """Each "lost/max" of the letter's table, and the column's heading, on one line of the PDF: in a Chinese letter
    the column was too narrow, and "0.8/1.5" broke into "0.8/1." over "5"."""
    from tests.builders import shipped
    from tests.reports.report_pdfs import _extracted

    from appraisal import appraise, load_submission
    from appraisal.resources import examples

    rubric = shipped()
    card = appraise(load_submission(examples() / "county-04.json"), rubric)
    for lang, heading in (("zh", "失分/满分"), ("en", "Lost / max")):
        html = report_html(card, kind, lang, options=OPTIONS, rubric=rubric)
        scores = re.findall(r'<td class="num">([0-9.]+/[0-9.]+)</td>', html)
        assert len(scores) >= 3 and any(s.count(".") == 2 for s in scores), scores  # "0.8/1.5", the kind that broke
        pdf = quiet(render_report, card, kind, lang, options=OPTIONS, rubric=rubric)
        lines = [line for page in _extracted(pdf) for line in page.splitlines()]
        assert any(heading in line for line in lines), (lang, heading)
        assert [s for s in scores if not any(s in line for line in lines)] == [], lang


def test_the_annex_lists_the_bonus_items_under_the_bonus_counted() -> None:
    """The annex's points line says "bonus 5": the items it comes from are listed under it, each with its own
    points (7 earned here), the heading showing the 5 counted of the cap of 5."""
    from tests.builders import shipped

    from appraisal import appraise, load_submission
    from appraisal.resources import examples

    rubric = shipped()
    card = appraise(load_submission(examples() / "county-03.json"), rubric)
    bonus = [i for i in card.items if i.group == "bonus" and i.status != "not_applicable"]
    assert card.bonus == 5 and sum(i.points for i in bonus) == 7
    body = text(quiet(render_report, card, "improvement", "en", options=OPTIONS, rubric=rubric))
    assert "Bonus: 5/5" in body
    annex = body[body.index("Bonus: 5/5") :]
    titles = {i.id: next(t for t in rubric.items if t.id == i.id).title.en for i in bonus}
    assert [i for i, title in titles.items() if not says(annex, title)] == []

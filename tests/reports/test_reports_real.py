"""Reports of real scorecards: the bundled example submissions, appraised with the bundled rubric."""

from __future__ import annotations

import pytest
from tests.builders import shipped
from tests.reports.report_pdfs import attachments, fonts, lonely_signature_pages, quiet, reader, says, text

import appraisal
from appraisal.reports import render_decision, render_report, render_summary
from appraisal.reports.i18n import format_day
from appraisal.reports.render import resolve_kind
from appraisal.resources import examples
from appraisal.rubric.models import Rubric
from appraisal.scoring.scorecard import Scorecard


@pytest.fixture(scope="module")
def run() -> tuple[dict[str, Scorecard], Rubric]:
    rubric = shipped()
    submissions, _rejected = appraisal.load_submissions([examples()])
    cards = appraisal.appraise_many(submissions, rubric).scorecards
    assert len(cards) >= 20
    return {card.unit_id: card for card in cards}, rubric


def _one(cards: dict[str, Scorecard], **wanted: object) -> Scorecard:
    return next(c for c in cards.values() if all(getattr(c, key) == value for key, value in wanted.items()))


@pytest.fixture(scope="module")
def pdf(run: tuple[dict[str, Scorecard], Rubric]) -> dict[str, bytes]:
    cards, rubric = run
    chosen = {
        "commended-zh": (_one(cards, commended=True), "zh"),
        "vetoed-zh": (_one(cards, vetoed=True), "zh"),
        "excellent-en": (_one(cards, grade="excellent", commended=False), "en"),
    }
    made = {key: quiet(render_report, card, lang=lang, rubric=rubric) for key, (card, lang) in chosen.items()}
    made["summary-zh"] = quiet(render_summary, list(cards.values()), "zh", rubric=rubric)
    made["decision-zh"] = quiet(render_decision, list(cards.values()), "zh", rubric=rubric)
    return made


def test_every_unit_gets_exactly_one_kind(run: tuple[dict[str, Scorecard], Rubric]) -> None:
    cards, _ = run
    kinds = {unit: resolve_kind(card, "auto") for unit, card in cards.items()}
    assert {unit for unit, kind in kinds.items() if kind == "commendation"} == {
        unit for unit, card in cards.items() if card.commended
    }
    assert {unit for unit, kind in kinds.items() if kind == "feedback"} == {
        unit for unit, card in cards.items() if card.grade == "excellent" and not card.commended and not card.vetoed
    }
    assert set(kinds.values()) == {"commendation", "feedback", "improvement"}


def test_commendation_of_a_real_unit(pdf: dict[str, bytes], run: tuple[dict[str, Scorecard], Rubric]) -> None:
    cards, _ = run
    card = _one(cards, commended=True)
    body = text(pdf["commended-zh"])
    assert says(body, f"荣誉证书{card.name}")
    assert 2 <= len(reader(pdf["commended-zh"]).pages) <= 3  # the certificate, the annex with its item table
    assert attachments(pdf["commended-zh"])["scorecard.json"] == [card.to_json().encode()]
    assert all(embedded for _, embedded in fonts(pdf["commended-zh"]))


def test_veto_reason_in_the_rubrics_chinese(pdf: dict[str, bytes], run: tuple[dict[str, Scorecard], Rubric]) -> None:
    cards, rubric = run
    card = _one(cards, vetoed=True)
    veto = next(v for v in rubric.vetoes if card.veto_reasons[0].startswith(f"{v.id}:"))
    body = text(pdf["vetoed-zh"])
    assert says(body, veto.reason.zh)
    assert body.index("一票否决") < body.index("失分事项")
    first = rubric.items[[item.id for item in rubric.items].index(card.shortfalls[0])]
    assert says(body, first.title.zh)


def test_excellent_unit_outside_the_quota(pdf: dict[str, bytes], run: tuple[dict[str, Scorecard], Rubric]) -> None:
    cards, rubric = run
    card = _one(cards, grade="excellent", commended=False)
    body = text(pdf["excellent-en"])
    assert "Feedback on the 2026 annual appraisal" in body and "outside the quota this year" in body
    assert body.count("/") >= len(card.shortfalls)
    for item_id in card.shortfalls:
        assert says(body, next(item.title.en for item in rubric.items if item.id == item_id))


def test_summary_of_the_demo_run(pdf: dict[str, bytes], run: tuple[dict[str, Scorecard], Rubric]) -> None:
    cards, _ = run
    body = text(pdf["summary-zh"])
    assert says(body, f"共考核{len(cards)}个单位")
    for card in cards.values():
        if card.commended or card.vetoed:
            assert says(body, card.name)


def test_the_decision_of_the_demo_run_names_every_commended_unit(
    pdf: dict[str, bytes], run: tuple[dict[str, Scorecard], Rubric]
) -> None:
    cards, _ = run
    body = text(pdf["decision-zh"])
    commended = [card for card in cards.values() if card.commended]
    assert len(commended) >= 6  # at least one of each org type
    for card in commended:
        assert says(body, card.name), card.unit_id
    assert says(body, f"授予以下{len(commended)}个单位")


def test_real_chinese_reports_read_as_an_office_sends_them(
    pdf: dict[str, bytes], run: tuple[dict[str, Scorecard], Rubric]
) -> None:
    cards, rubric = run
    citations = {item.citation for item in rubric.items} | {veto.citation for veto in rubric.vetoes}
    days = {format_day(card.appraisal_date, "zh") for card in cards.values()}
    for key, made in pdf.items():
        for day in days:
            assert lonely_signature_pages(made, "考核工作领导小组", day) == [], key
        if key.endswith("-zh"):
            assert not any(citation in text(made) for citation in citations), key

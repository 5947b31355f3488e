"""Reports of real scorecards: the bundled example submissions, appraised with the bundled rubric."""

from __future__ import annotations

import pytest
from tests.reports.report_pdfs import attachments, fonts, quiet, reader, says, text

import appraisal
from appraisal.reports import render_report, render_summary
from appraisal.reports.render import resolve_kind
from appraisal.resources import examples
from appraisal.rubric.models import Rubric
from appraisal.scoring.scorecard import Scorecard


@pytest.fixture(scope="module")
def run() -> tuple[dict[str, Scorecard], Rubric]:
    rubric = appraisal.load_rubric()
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
    return made


def test_every_unit_gets_exactly_one_kind(run: tuple[dict[str, Scorecard], Rubric]) -> None:
    cards, _ = run
    kinds = {unit: resolve_kind(card, "auto") for unit, card in cards.items()}
    assert {unit for unit, kind in kinds.items() if kind == "commendation"} == {
        unit for unit, card in cards.items() if card.commended
    }
    assert set(kinds.values()) == {"commendation", "improvement"}


def test_commendation_of_a_real_unit(pdf: dict[str, bytes], run: tuple[dict[str, Scorecard], Rubric]) -> None:
    cards, _ = run
    card = _one(cards, commended=True)
    body = text(pdf["commended-zh"])
    assert says(body, f"关于表彰{card.name}为 {card.year} 年度先进集体的决定")
    assert len(reader(pdf["commended-zh"]).pages) == 2
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
    cards, _ = run
    card = _one(cards, grade="excellent", commended=False)
    body = text(pdf["excellent-en"])
    assert "outside the commendation quota of its type" in body
    assert body.count("Evidence to submit:") == len(card.shortfalls)


def test_summary_of_the_demo_run(pdf: dict[str, bytes], run: tuple[dict[str, Scorecard], Rubric]) -> None:
    cards, _ = run
    body = text(pdf["summary-zh"])
    assert says(body, f"共考核 {len(cards)} 个单位")
    for card in cards.values():
        if card.commended or card.vetoed:
            assert says(body, card.name)

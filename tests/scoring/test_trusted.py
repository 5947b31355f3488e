"""Scorecards are built from trusted parts (``scorecard.trusted``), not validated again: they must be exactly what
validation would make of the same fields, and their bytes must not move when scoring is made faster."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
import yaml
from tests.builders import shipped
from tests.scoring.claims_units import claims_unit

from appraisal import Scorecard, appraise, appraise_many, load_rubric, load_submissions
from appraisal.resources import bundled, examples
from appraisal.scoring import scorecard as scorecard_module
from appraisal.scoring.scorecard import DeductionScore, GroupScore, ItemScore, RubricRef, VerifiedValue
from appraisal.submission import validate_unit

pytestmark = pytest.mark.slow  # started first by make test (tests/conftest.py)

# sha256 of the JSON of the claims units 0-59 of each year, one after the other (``to_json``). A change to what a
# scorecard says changes it: check the new cards are right, then put the new digest here.
PINNED = {
    2026: "e08094982e7de32a3d267899d66c0498e2d71cf54a6b5d6414ad32ee55f67511",
    2025: "b41dccf64122f886b7a00689a4b7cae55d2812e4d752cbe754c70fb638720fab",
}


def _cards(year: int | Path, count: int) -> list[Scorecard]:
    rubric = shipped(year)
    result = appraise_many([claims_unit(i, rubric) for i in range(count)], rubric)
    assert not result.rejected
    return result.scorecards


def _same_as_validated(card: Scorecard) -> None:
    again = Scorecard.model_validate(card.model_dump())
    assert again == card
    assert again.to_json() == card.to_json()
    for model, built in (
        (Scorecard, card),
        (RubricRef, card.rubric),
        *((GroupScore, group) for group in card.groups),
        *((ItemScore, item) for item in card.items),
        *((VerifiedValue, checked) for item in card.items for checked in item.verified),
        *((DeductionScore, line) for line in card.deductions),
    ):
        assert type(built) is model
        assert list(built.__dict__) == list(model.model_fields), model.__name__


@pytest.mark.parametrize(("year", "count"), [(2026, 600), (2025, 200)])
def test_scorecards_built_from_trusted_parts_equal_validated_ones(year: int, count: int) -> None:
    cards = _cards(year, count)
    # the set holds what a card can show: claims, changed values, requirements unmet, values not reported
    items = [item for card in cards for item in card.items]
    assert any(item.verified for item in items) and any(item.self_points is not None for item in items)
    assert {item.status for item in items} == {"awarded", "partial", "missed", "not_applicable", "not_evaluated"}
    assert any(card.self_differences for card in cards) and any(card.vetoed for card in cards)
    for card in cards:
        _same_as_validated(card)


def test_items_requiring_a_site_inspection_built_from_trusted_parts_equal_validated_ones(tmp_path: Path) -> None:
    folder = shutil.copytree(bundled("scoring_rules") / "2026", tmp_path / "2026")
    for name, item in (("leadership.yaml", "L01"), ("organization.yaml", "O04")):
        text = (folder / name).read_text(encoding="utf-8")
        (folder / name).write_text(
            text.replace(f"  - id: {item}\n", f"  - id: {item}\n    requires: [site_inspection]\n")
        )
    cards = _cards(folder, 120)
    reasons = [item.reason for card in cards for item in card.items if item.id in ("L01", "O04")]
    assert "requires a site inspection (inspection.site_inspected), not recorded" in reasons
    assert any(not reason.startswith("requires") for reason in reasons)
    for card in cards:
        _same_as_validated(card)


def test_a_rubric_with_every_format_feature_gives_scorecards_equal_validated_ones() -> None:
    """Weighted groups, deductions with floors, applies_when, award levels, grade_on and tie_break."""
    folder = Path(__file__).parents[1] / "fixtures" / "rubrics" / "county-township"
    rubric = load_rubric(folder)
    cases = yaml.safe_load((folder / "cases" / "cases.yaml").read_text(encoding="utf-8"))
    units = [validate_unit(case["submission"], f"case {i}", rubric) for i, case in enumerate(cases)]
    cards = appraise_many(units, rubric).scorecards
    assert any(line.points < 0 for card in cards for line in card.deductions)
    assert any(item.status == "not_applicable" for card in cards for item in card.items)
    for card in cards:
        _same_as_validated(card)


def test_the_demo_scorecards_equal_validated_ones() -> None:
    units, _ = load_submissions([examples()])
    for card in appraise_many(units).scorecards:
        _same_as_validated(card)


@pytest.mark.parametrize("year", sorted(PINNED))
def test_scorecard_bytes_are_pinned(year: int) -> None:
    digest = hashlib.sha256("".join(card.to_json() for card in _cards(year, 60)).encode()).hexdigest()
    assert digest == PINNED[year]


@pytest.mark.parametrize("year", sorted(PINNED))
def test_to_bytes_is_the_canonical_json_encoded(year: int) -> None:
    """``to_bytes`` (pydantic's bytes as they are) is ``to_json`` encoded, and pydantic's own text, for ranked cards
    and cards before ranking (their Chinese titles and reasons: not only ASCII)."""
    rubric = shipped(year)
    units = [claims_unit(i, rubric) for i in range(40)]
    cards = [*appraise_many(units, rubric).scorecards, *(appraise(unit, rubric) for unit in units)]
    assert {card.rank is None for card in cards} == {True, False}
    assert any(not card.to_bytes().isascii() for card in cards)
    for card in cards:
        assert card.to_bytes() == card.to_json().encode("utf-8") == (card.model_dump_json(indent=2) + "\n").encode()


@pytest.mark.parametrize("year", sorted(PINNED))
def test_cards_kept_between_units_equal_cards_made_fresh(year: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Item and group scores are kept by what decides them (rule and values) and shared between scorecards: a
    card built from kept parts must be the card built afresh, for every unit, whatever came before it."""
    from appraisal.scoring import score

    rubric = load_rubric(year)
    units = [claims_unit(i, rubric) for i in range(280)]
    with monkeypatch.context() as fresh:  # nothing kept: each item's card made for this unit
        fresh.setattr(score, "_PLANS", {})
        fresh.setattr(score, "_CARDS_PER_ITEM", 0)
        fresh.setattr(score, "_GROUPS_PER_TYPE", 0)
        made = appraise_many(units, rubric).scorecards
        assert not any(plan.cards for plans in score._PLANS.values() for plan in plans.scored)
    monkeypatch.setattr(score, "_PLANS", {})
    for _ in range(2):  # the first pass fills what is kept, the second is built from it
        kept = appraise_many(units, rubric).scorecards
        assert [card.to_json() for card in kept] == [card.to_json() for card in made]
        assert kept == made
    shared = {id(item) for card in kept for item in card.items}
    assert len(shared) < sum(len(card.items) for card in kept) / 2, "the kept parts were not used"


def test_a_deep_copy_of_a_scorecard_shares_no_card_with_the_others() -> None:
    """Scorecards of one process share item cards (values); the docstring's way to edit one stays local."""
    units, _ = load_submissions([examples() / "county-01.json", examples() / "county-02.json"])
    first, second = appraise_many(units).scorecards
    shared = [(a, b) for a, b in zip(first.items, second.items, strict=True) if a is b]
    assert shared  # the items that do not apply to a county, at least
    before = second.to_json()
    copy = first.model_copy(deep=True)
    for item in copy.items:
        item.values["edited"] = True
        item.verified.append(VerifiedValue(field="x.y", reported=1, verified=2, by="someone", method="visit"))
    assert second.to_json() == before and "edited" not in first.to_json()


@pytest.mark.parametrize("year", sorted(PINNED))
def test_the_json_of_shared_items_written_once_is_pydantics(year: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """``to_bytes`` reuses the JSON of the item cards the scoring step shares: byte for byte pydantic's own, for
    ranked cards (their peers and medians filled in) and cards with items of their own alike; the texts kept are
    bounded, whatever the number of units (here the bound is above what this process marked already: another
    year's cards, scored before in this process, may have reached it)."""
    bound = len(scorecard_module._FRAGMENTS) + scorecard_module._MOST_FRAGMENTS
    monkeypatch.setattr(scorecard_module, "_MOST_FRAGMENTS", bound)
    cards = _cards(year, 120)
    shared = [item for card in cards for item in card.items if id(item) in scorecard_module._FRAGMENTS]
    assert len(shared) > len(cards) * 20  # many items are shared: the reused JSON is what is checked
    assert any(card.rank is not None for card in cards)
    for card in cards:
        assert card.to_bytes() == (card.model_dump_json(indent=2) + "\n").encode()
        assert card.to_bytes() == card.to_bytes()  # the second time from the reused JSON
    assert len(scorecard_module._FRAGMENTS) <= bound

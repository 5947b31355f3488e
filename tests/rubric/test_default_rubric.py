"""The default rubric (scoring_rules/, newest year): every item awards and withholds, every veto fires and stays
quiet, the maxima add up, the requirements quote the source text, and every grade can be reached.

Submissions are built from the rubric itself: the values an item names are searched over their boundary values
(``tests/differential/evaluator.py``, which reads the rubric independently of the library's engine and scorer)
and ``appraise`` must agree with the evaluator on each submission found."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from itertools import product
from pathlib import Path
from typing import Any

import pytest
from tests.builders import ORG_TYPES, make, unit
from tests.differential.evaluator import (
    Boundaries,
    applies,
    assignments,
    derived_shares,
    evaluate_raw,
    grade_bounds,
    holds,
    item_names,
    maximum_for,
    names,
    parse_condition,
    raw_names,
    score_item,
    sections_of,
    valid_parts,
    veto_applies,
    with_derived,
)

from appraisal import Rubric, RubricError, Scorecard, appraise, load_rubric
from appraisal.rubric.models import Item, Veto

pytestmark = pytest.mark.slow  # started first by make test (tests/conftest.py)

SOURCE = Path(__file__).resolve().parents[2] / "docs/source/source-document.txt"
ORIGINAL = Path(__file__).resolve().parents[3] / "shared/domain/source-document.txt"
# The groups docs/rubric-format.md names (bonus items are group bonus).
GROUPS = (
    "leadership",
    "appraisal",
    "safeguard",
    "double_learning",
    "meritorious_service",
    "five_good_families",
    "treatment",
    "organization",
    "bonus",
)
GRADES = ("excellent", "good", "qualified", "unqualified")
WHOLE = 1000  # size of every whole (households, villages, ...) in the best submissions: shares at 0.1% steps


def _load() -> tuple[Rubric | None, str]:
    try:
        rubric = load_rubric()
    except RubricError as exc:
        return None, f"the default rubric does not load yet: {exc}"
    if not rubric.items:
        return None, "the default rubric has no items yet"
    return rubric, ""


RUBRIC, NOT_LOADED = _load()
ITEM_IDS = [item.id for item in RUBRIC.items] if RUBRIC else ["(no default rubric)"]
VETO_IDS = [veto.id for veto in RUBRIC.vetoes] if RUBRIC else ["(no default rubric)"]
QUOTED_IDS = ITEM_IDS + VETO_IDS if RUBRIC else ["(no default rubric)"]


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    """The default rubric, loaded again now (it may have changed since collection): one that does not load fails
    every test here with the reason, never a skip (a broken shipped rubric must not pass for a missing one)."""
    if RUBRIC is None:
        pytest.fail(NOT_LOADED)
    loaded, why = _load()
    if loaded is None:
        pytest.fail(why)
    return loaded


def _item(rubric: Rubric, item_id: str) -> Item:
    return next(item for item in rubric.items if item.id == item_id)


def _veto(rubric: Rubric, veto_id: str) -> Veto:
    return next(veto for veto in rubric.vetoes if veto.id == veto_id)


def _exact(value: float) -> Decimal:
    """A scorecard amount as the decimal it prints as (not rounded here: 0.125 must not pass for 0.13)."""
    return Decimal(repr(value))


def _appraise(rubric: Rubric, org: str, raw: dict[str, Any]) -> Scorecard:
    return appraise(make(org, **sections_of(raw)), rubric)


# --- building submissions -------------------------------------------------------------------------------------


@cache
def _bounds(org: str) -> Boundaries:
    assert RUBRIC is not None
    return Boundaries.of(RUBRIC, org)


def _ascend(org: str, start: dict[str, Any], better: int) -> dict[str, Any]:
    """Coordinate search from ``start``: each field in turn takes the candidate value that raises
    (``better=1``) or lowers (``better=-1``) the evaluator's points most, never firing a veto. Raising, a
    field may also be left out; lowering, every field stays reported (a unit must report a value to miss)."""
    assert RUBRIC is not None
    bounds = _bounds(org)

    def key(raw: dict[str, Any]) -> tuple[int, Decimal, Decimal]:
        result = evaluate_raw(RUBRIC, org, raw)
        return (-len(result.vetoes), better * result.before_bonus, better * result.bonus)

    raw = dict(start)
    for _ in range(4):
        changed = False
        for path in sorted(bounds.kinds):
            best_key = key(raw)
            choices = bounds.candidates(path) + ([None] if better > 0 else [])
            for value in choices:
                trial = {**raw, path: value}
                if value == raw.get(path) or not valid_parts(org, trial):
                    continue
                trial_key = key(trial)
                if trial_key > best_key:
                    raw, best_key, changed = trial, trial_key, True
        if not changed:
            break
    return {k: v for k, v in raw.items() if v is not None}


@cache
def best_raw(org: str) -> dict[str, Any]:
    """A unit of ``org`` earning as much as the rubric allows: item by item, the first values that award it
    without costing points elsewhere (wholes start at WHOLE, parts at their whole), then a coordinate search."""
    assert RUBRIC is not None
    raw: dict[str, Any] = {}
    for total, part in derived_shares(org).values():
        raw[total], raw[part] = WHOLE, WHOLE
    for item in RUBRIC.items_for(org):
        if score_item(item, org, with_derived(org, raw)).status == "awarded":
            continue
        before = evaluate_raw(RUBRIC, org, raw)
        for values in assignments(_bounds(org), raw_names(org, item_names(item)), whole_sizes=(0, WHOLE)):
            trial = {**raw, **values}
            if not valid_parts(org, trial) or score_item(item, org, with_derived(org, trial)).status != "awarded":
                continue
            after = evaluate_raw(RUBRIC, org, trial)
            if not after.vetoes and after.before_bonus + after.bonus >= before.before_bonus + before.bonus:
                raw = trial
                break
    return _ascend(org, raw, better=1)


@cache
def worst_raw(org: str) -> dict[str, Any]:
    """A unit of ``org`` that reports every field and earns as little as it can, unvetoed (wholes start at
    WHOLE and parts at 0, so that a share can fall and a part such as unsupported records can rise)."""
    start = {path: _bounds(org).candidates(path)[0] for path in _bounds(org).kinds}
    for total, part in derived_shares(org).values():
        start[total], start[part] = WHOLE, 0
    return _ascend(org, start, better=-1)


def walk(org: str) -> Iterator[dict[str, Any]]:
    """From the best unit to the worst one, one field at a time."""
    best, worst = best_raw(org), worst_raw(org)
    raw = dict(best)
    yield dict(raw)
    for path in sorted(set(best) | set(worst)):
        trial = {**raw, path: worst.get(path)}
        if valid_parts(org, trial):
            raw = {k: v for k, v in trial.items() if v is not None}
            yield dict(raw)


def _first(
    item: Item, org: str, raw_paths: list[str], want: set[str], *, base: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    for raw in assignments(_bounds(org), raw_paths, whole_sizes=(0, WHOLE)):
        trial = {**(base or {}), **raw}
        if not valid_parts(org, trial):
            continue
        if score_item(item, org, with_derived(org, trial)).status in want:
            return trial
    return None


# --- every item awards and withholds ----------------------------------------------------------------------------


@pytest.mark.parametrize("item_id", ITEM_IDS)
def test_item_awards_full_points_and_withholds_them(item_id: str, rubric: Rubric) -> None:
    item = _item(rubric, item_id)
    orgs = [org for org in ORG_TYPES if maximum_for(item, org) is not None]
    assert orgs, f"{item_id} applies to no org type"
    for org in orgs:
        top = maximum_for(item, org)
        assert top is not None
        paths = raw_names(org, item_names(item))
        awarded = _first(item, org, paths, {"awarded"})
        assert awarded is not None, f"{item_id}: no {org} unit earns its full {top} points"
        missed = _first(item, org, paths, {"missed"})
        partial = _first(item, org, paths, {"partial"})
        assert missed or partial, f"{item_id}: every {org} unit reporting {paths} earns the full points"
        for raw, status in ((awarded, "awarded"), (missed, "missed"), (partial, "partial")):
            if raw is None:
                continue
            got = _appraise(rubric, org, raw).item(item_id)
            mine = score_item(item, org, with_derived(org, raw))
            assert (_exact(got.points), _exact(got.max), got.status) == (mine.points, mine.max, status), (
                f"{item_id} for a {org} unit reporting {raw}: {got.reason}"
            )
            if status == "awarded":
                assert _exact(got.points) == top
            else:
                assert _exact(got.points) < top and got.advice, got.reason


@pytest.mark.parametrize("item_id", ITEM_IDS)
def test_item_is_not_evaluated_when_nothing_it_names_is_reported(item_id: str, rubric: Rubric) -> None:
    item = _item(rubric, item_id)
    for org in ORG_TYPES:
        got = _appraise(rubric, org, {}).item(item_id)
        top = maximum_for(item, org)
        # what the unit still reports: the fields every unit must (an enterprise's party organization)
        sections = unit(org).items()
        required = {f"{s}.{k}": v for s, given in sections if isinstance(given, dict) for k, v in given.items()}
        if top is None or not applies(item, org, required):
            assert (got.status, got.points, got.max) == ("not_applicable", 0, 0)
        else:
            assert (got.status, got.points, _exact(got.max)) == ("not_evaluated", 0, top), got.reason


# --- vetoes -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("veto_id", VETO_IDS)
def test_veto_fires_and_stays_quiet(veto_id: str, rubric: Rubric) -> None:
    veto = _veto(rubric, veto_id)
    orgs = [org for org in ORG_TYPES if veto_applies(veto, org)]
    assert orgs, f"{veto_id} applies to no org type"
    condition = parse_condition(veto.when)
    for org in orgs:
        best = best_raw(org)
        paths = raw_names(org, names(condition))
        fired = quiet = None
        for raw in assignments(_bounds(org), paths, whole_sizes=(0, WHOLE)):
            trial = {**best, **raw}
            if not valid_parts(org, trial):
                continue
            holds_now = holds(condition, with_derived(org, trial))
            if holds_now and fired is None:
                fired = trial
            if not holds_now and quiet is None and evaluate_raw(rubric, org, trial).grade == "excellent":
                quiet = trial
        assert fired is not None, f"{veto_id} cannot fire for a {org} unit"
        assert quiet is not None, f"{veto_id}: no excellent {org} unit escapes it"
        card = _appraise(rubric, org, fired)
        assert card.vetoed and card.grade == "unqualified", f"{veto_id} did not veto a {org} unit {fired}"
        assert any(reason.startswith(f"{veto_id}:") for reason in card.veto_reasons), card.veto_reasons
        assert _exact(card.total_before_bonus) == evaluate_raw(rubric, org, fired).before_bonus
        card = _appraise(rubric, org, quiet)
        assert (card.vetoed, card.grade, card.veto_reasons) == (False, "excellent", []), f"{org}: {quiet}"


# --- the rubric as a whole ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("org", ORG_TYPES)
def test_applicable_maxima_add_up_to_the_base(org: str, rubric: Rubric) -> None:
    """In every case of the flags that decide an applies_when (an enterprise with or without a party
    organization), the items applying to the unit add up to the base."""
    items = [item for item in rubric.items if item.group != "bonus" and maximum_for(item, org) is not None]
    deciding = sorted({n for i in items if i.applies_when for n in names(parse_condition(i.applies_when))})
    assert all(rubric.indicators.attributes(org)[path] == "flag" for path in deciding)
    for case in (dict(zip(deciding, flags, strict=True)) for flags in product((True, False), repeat=len(deciding))):
        total = sum((maximum_for(i, org) or Decimal(0) for i in items if applies(i, org, case)), Decimal(0))
        assert total == rubric.manifest.base, case


@pytest.mark.parametrize("org", ORG_TYPES)
def test_every_org_type_can_earn_the_whole_base_and_lose_it(org: str, rubric: Rubric) -> None:
    best = _appraise(rubric, org, best_raw(org))
    assert _exact(best.total_before_bonus) == rubric.manifest.base, [
        (i.id, i.points, i.max, i.reason) for i in best.items if i.status not in ("awarded", "not_applicable")
    ]
    assert _exact(best.bonus) == min(
        rubric.manifest.bonus_cap,
        sum((maximum_for(i, org) or Decimal(0) for i in rubric.items if i.group == "bonus"), Decimal(0)),
    )
    assert {i.status for i in best.items if i.group != "bonus"} <= {"awarded", "not_applicable"}
    assert (best.grade, best.vetoed, best.shortfalls) == ("excellent", False, [])
    worst = _appraise(rubric, org, worst_raw(org))
    assert (_exact(worst.total), worst.grade, worst.vetoed) == (Decimal(0), "unqualified", False), [
        (i.id, i.points, i.reason) for i in worst.items if i.points
    ]
    assert "not_evaluated" not in {i.status for i in worst.items}


@pytest.mark.parametrize("grade", GRADES)
def test_every_grade_is_reached(grade: str, rubric: Rubric) -> None:
    bounds = dict(grade_bounds(rubric))
    upper = {
        "excellent": None,
        "good": bounds["excellent"],
        "qualified": bounds["good"],
        "unqualified": bounds["qualified"],
    }
    found = []
    for org in ORG_TYPES:
        for raw in walk(org):
            result = evaluate_raw(rubric, org, raw)
            if result.grade == grade and not result.vetoed:
                found.append((org, raw, result))
                break
    assert found, f"no unvetoed unit reaches {grade}"
    for org, raw, result in found:
        card = _appraise(rubric, org, raw)
        assert (card.grade, _exact(card.total_before_bonus)) == (grade, result.before_bonus), f"{org}: {raw}"
        if grade != "unqualified":
            assert _exact(card.total_before_bonus) >= bounds[grade]
        top = upper[grade]
        if top is not None:
            assert _exact(card.total_before_bonus) < top


def test_at_least_45_items_with_unique_ids(rubric: Rubric) -> None:
    ids = [item.id for item in rubric.items] + [veto.id for veto in rubric.vetoes]
    assert len(rubric.items) >= 45
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("group", GROUPS)
def test_every_group_has_items(group: str, rubric: Rubric) -> None:
    items = [item for item in rubric.items if item.group == group]
    assert items, f"no item in group {group}"
    assert all(item.bonus == (group == "bonus") for item in items)


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@cache
def _source_text() -> str:
    return _normal(SOURCE.read_text(encoding="utf-8"))


def test_the_source_text_copy_equals_the_original() -> None:
    if not ORIGINAL.is_file():
        pytest.skip(f"the original source text is not at {ORIGINAL} (shared/ stands beside the repository in CI)")
    assert SOURCE.read_bytes() == ORIGINAL.read_bytes(), "refresh docs/source/source-document.txt from shared/"


@pytest.mark.parametrize("entry_id", QUOTED_IDS)
def test_requirement_quotes_the_source_text(entry_id: str, rubric: Rubric) -> None:
    entries: list[Item | Veto] = [*rubric.items, *rubric.vetoes]
    entry = next(e for e in entries if e.id == entry_id)
    quote = _normal(entry.requirement.en)
    assert len(quote) >= 10, f"{entry_id}: requirement too short to be a quotation: {quote!r}"
    assert quote in _source_text(), f"{entry_id}: requirement not found in {SOURCE.name}: {quote!r}"

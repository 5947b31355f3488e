"""A derived share whose whole may be 0: the checker warns with file:line, the scorer says why the item is not
evaluated. Broken copies of the mini rubric and of the shipped folders; items are found, not named."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from tests.builders import MINI, make

from appraisal import appraise, load_rubric
from appraisal.resources import bundled
from appraisal.rubric import checks

DEDUCT = "    deduct: {value: appraisal.reports_late, points: 0.5}\n"
SHARE_TIERS = """    tiers:
      - {when: "double_learning.rights_cases_resolved_share >= 90", points: 2}
      - {when: "double_learning.rights_cases_resolved_share >= 50", points: 1}
"""
ZERO = re.compile(r"^(?P<item>\w+) reads (?P<share>[\w.]+) = 100 × [\w.]+ / (?P<whole>[\w.]+) \(indicators\.yaml:\d+\)")


def copy_with(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "rubric"
    shutil.copytree(MINI, folder)
    text = (folder / "items.yaml").read_text(encoding="utf-8")
    assert old in text
    (folder / "items.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def zero_warnings(folder: Path) -> list[str]:
    return [str(f) for f in checks.check(load_rubric(folder)) if not f.error and "may be 0" in str(f)]


def test_a_share_of_a_whole_that_may_be_0_is_a_warning_at_the_condition(tmp_path: Path) -> None:
    folder = copy_with(tmp_path, DEDUCT, SHARE_TIERS)
    line = next(
        i
        for i, text in enumerate((MINI / "indicators.yaml").read_text().splitlines(), 1)
        if "id: double_learning.rights_cases_resolved_share" in text
    )
    assert zero_warnings(folder) == [
        f"items.yaml:25:17: A01 reads double_learning.rights_cases_resolved_share = 100 × "
        f"double_learning.rights_cases_resolved / double_learning.rights_cases_handled (indicators.yaml:{line}), "
        "and double_learning.rights_cases_handled may be 0 (no min above 0): a unit reporting 0 has no share, so "
        'A01 is not evaluated and earns nothing; award that case in a tier ("double_learning.rights_cases_handled '
        '== 0 or ...") or give double_learning.rights_cases_handled min: 1'
    ]
    # what the scorer does today with a whole of 0: the item is not evaluated, and the reason says why
    rubric = load_rubric(folder)
    card = appraise(make("village", double_learning={"rights_cases_handled": 0, "rights_cases_resolved": 0}), rubric)
    item = card.item("A01")
    assert (item.status, item.points) == ("not_evaluated", 0)
    assert item.reason == (
        "double_learning.rights_cases_resolved_share has no value, as double_learning.rights_cases_handled is 0 "
        "(no share of nothing)"
    )
    assert item.advice == rubric.items[[i.id for i in rubric.items].index("A01")].advice.en  # not "Report ..."


def test_a_tier_for_the_zero_whole_or_a_min_above_0_answers_the_warning(tmp_path: Path) -> None:
    handled = SHARE_TIERS.replace(
        '"double_learning.rights_cases_resolved_share >= 90"',
        '"double_learning.rights_cases_handled == 0 or double_learning.rights_cases_resolved_share >= 90"',
    )
    folder = copy_with(tmp_path, DEDUCT, handled)
    assert zero_warnings(folder) == []
    card = appraise(
        make("village", double_learning={"rights_cases_handled": 0, "rights_cases_resolved": 0}), load_rubric(folder)
    )
    assert (card.item("A01").status, card.item("A01").points) == ("awarded", 2)
    other = tmp_path / "other"
    shutil.copytree(copy_with(tmp_path / "b", DEDUCT, SHARE_TIERS), other)
    indicators = (other / "indicators.yaml").read_text(encoding="utf-8")
    field = "      - id: rights_cases_handled\n        kind: count\n"
    assert field in indicators
    (other / "indicators.yaml").write_text(indicators.replace(field, field + "        min: 1\n"), encoding="utf-8")
    assert zero_warnings(other) == []


def test_a_share_counted_by_a_shortfall_always_warns(tmp_path: Path) -> None:
    shortfall = (
        "    shortfall: {value: double_learning.rights_cases_resolved_share, target: 90, step: 10, points: 0.5}\n"
    )
    folder = copy_with(tmp_path, DEDUCT, shortfall)
    (found,) = zero_warnings(folder)
    assert found.startswith("items.yaml:24:24: ") and "A01 reads double_learning.rights_cases_resolved_share" in found


def test_2025_is_kept_as_it_shipped_and_warns_where_a_whole_may_be_zero() -> None:
    """A past year's folder is not edited (its sha256 is on last year's scorecards): it warns, never errs."""
    findings = checks.check(load_rubric(2025))
    assert findings and not [f for f in findings if f.error]
    assert all(ZERO.match(f.problem.message) for f in findings), [str(f) for f in findings]


@pytest.mark.parametrize("year", [2026])
def test_a_shipped_folder_without_the_min_of_its_wholes_warns_at_each_item_reading_them(
    tmp_path: Path, year: int
) -> None:
    source = bundled("scoring_rules") / str(year)
    assert [str(f) for f in checks.check(load_rubric(source))] == []
    copy = tmp_path / str(year)
    shutil.copytree(source, copy)
    indicators = (copy / "indicators.yaml").read_text(encoding="utf-8")
    lines = indicators.splitlines(keepends=True)
    kept = [line for line in lines if not re.fullmatch(r" +min: 1\b.*\n", line)]
    assert len(kept) < len(lines)
    (copy / "indicators.yaml").write_text("".join(kept), encoding="utf-8")
    rubric = load_rubric(copy)
    findings = checks.check(rubric)
    assert findings and not [f for f in findings if f.error]
    shares = {d.id: d for d in rubric.indicators.derived if d.share is not None}
    for finding in findings:
        match = ZERO.match(finding.problem.message)
        assert match is not None, str(finding)
        share = shares[match["share"]]
        assert share.share is not None and match["whole"] == share.share.whole
        whole = rubric.indicators.field(match["whole"])
        assert whole is not None and whole.min is None
        item = next(i for i in rubric.items if i.id == match["item"])
        source_file = (copy / item.source_file).read_text(encoding="utf-8").splitlines()
        assert match["share"] in source_file[finding.problem.line - 1]  # the line that reads the share
    # every item reading such a share without a tier for a whole of 0 is named, and no other
    named = {ZERO.match(f.problem.message)["item"] for f in findings}  # type: ignore[index]
    expected = set()
    for item in rubric.items:
        texts = [text for _, text in item.conditions()] + [item.value_path() or ""]
        for share in shares.values():
            assert share.share is not None
            whole = rubric.indicators.field(share.share.whole)
            if whole is None or whole.min is not None or not any(share.id in t for t in texts):
                continue
            if not any(f"{share.share.whole} == 0 or" in t for t in texts):
                expected.add(item.id)
    assert named == expected

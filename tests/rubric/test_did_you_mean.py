""" "Did you mean" for every unknown name in a year's folder: keys nested in lists, choices (kinds, tie-breaks),
grade names and requirements too. Broken copies of the mini rubric, one misspelling each."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.builders import MINI

from appraisal import RubricError, load_rubric


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "items.yaml",
            '      - {when: "leadership.standing_committee_hearings >= 2", points: 4}',
            '      - {wen: "leadership.standing_committee_hearings >= 2", points: 4}',
            "items.yaml:7: tiers.0.wen: Extra inputs are not permitted; did you mean when?",
        ),
        (
            "items.yaml",
            "    max: 4\n",
            "    max: 4\n    requires: [site_inspectoin]\n",
            "items.yaml:6: unknown requirement 'site_inspectoin'; declared: site_inspection; did you mean "
            "site_inspection?",
        ),
        (
            "rubric.yaml",
            "grades: {excellent: 9,",
            "grades: {excelent: 9,",
            "rubric.yaml:7: grades: grades gives the lower bound of excellent, good, qualified (unqualified is the "
            "rest); did you mean excellent?",
        ),
        (
            "indicators.yaml",
            "        kind: count\n",
            "        kind: cuont\n",
            "indicators.yaml:11: sections.0.fields.0.kind: Input should be 'count', 'flag', 'share', 'money', "
            "'number', 'date', 'text' or 'choice'; did you mean count?",
        ),
        (
            "rubric.yaml",
            "bonus_cap: 1\n",
            "bonus_cap: 1\ncommendation: {tie_break: [total, fewer_shortfall, unit_id]}\n",
            "did you mean fewer_shortfalls?",
        ),
    ],
)
def test_an_unknown_name_anywhere_gets_a_did_you_mean(
    tmp_path: Path, file: str, old: str, new: str, expected: str
) -> None:
    folder = tmp_path / "rubric"
    shutil.copytree(MINI, folder)
    text = (folder / file).read_text(encoding="utf-8")
    assert old in text
    (folder / file).write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RubricError) as caught:
        load_rubric(folder)
    found = [str(p) for p in caught.value.problems]
    assert any(p == expected or (expected.startswith("did") and expected in p) for p in found), found

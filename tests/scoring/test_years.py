"""Years side by side: each submission validated and scored by its own year; diffs; a seventh org type from data."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.builders import MINI, unit

from appraisal import InputError, RubricError, appraise, appraise_many, load_rubric, load_submissions
from appraisal.cli import main
from appraisal.reports.table import summary_csv
from appraisal.resources import bundled
from appraisal.rubric.diff import diff
from appraisal.scoring.cases import run_cases
from appraisal.submission import bundled_years
from appraisal.submission.loading import validate_unit


def _unit_2025(**sections: object) -> dict[str, object]:
    return {**unit("county", "c-2025", **sections), "year": 2025, "appraisal_date": "2025-12-20"}


def test_both_shipped_years_load_and_their_golden_cases_pass() -> None:
    assert bundled_years() == [2025, 2026]
    for year in (2025, 2026):
        rubric = load_rubric(year)
        results = run_cases(rubric)
        assert results and all(r.passed for r in results), [str(r) for r in results if not r.passed]


def test_a_2025_submission_is_validated_and_scored_by_2025() -> None:
    data = _unit_2025(appraisal={"subordinate_units": 4, "subordinate_units_inspected": 4, "inspections": 2})
    card = appraise(validate_unit(data, "c.json"))
    assert card.year == 2025 and card.rubric.version == "2025.2"
    assert card.item("A03").points == 1  # 0.5 a visit in 2025
    with pytest.raises(InputError, match="appraisal.inspections: unknown field"):
        validate_unit({**data, "year": 2026, "appraisal_date": "2026-12-20"}, "c.json")  # renamed in 2026


def test_one_run_holds_several_years_and_ranks_them_apart(tmp_path: Path) -> None:
    for i in range(3):
        (tmp_path / f"a{i}.json").write_text(json.dumps(unit("county", f"new-{i}")), encoding="utf-8")
        (tmp_path / f"b{i}.json").write_text(json.dumps({**_unit_2025(), "unit_id": f"old-{i}"}), encoding="utf-8")
    units, rejected = load_submissions([tmp_path])
    assert not rejected
    result = appraise_many(units)
    by_year = {y: [c for c in result.scorecards if c.year == y] for y in (2025, 2026)}
    assert [sorted(c.rank for c in cards if c.rank) for cards in by_year.values()] == [[1, 2, 3], [1, 2, 3]]
    assert all(c.peers is not None and c.peers.count == 3 for c in result.scorecards)
    # summary.csv tells the years' rows apart (each year ranks from 1): year, then rank
    rows = list(csv.DictReader(summary_csv(result.scorecards).decode("utf-8-sig").splitlines()))
    assert [(r["year"], r["rank"], r["unit_id"][:3]) for r in rows] == [
        *[("2025", str(rank), "old") for rank in (1, 2, 3)],
        *[("2026", str(rank), "new") for rank in (1, 2, 3)],
    ]


def test_with_a_rubric_given_another_years_submission_is_rejected_when_loaded(tmp_path: Path) -> None:
    (tmp_path / "old.json").write_text(json.dumps(_unit_2025()), encoding="utf-8")
    units, rejected = load_submissions([tmp_path], rubric=load_rubric(2026))
    assert not units
    assert rejected[0].lines() == [
        "old.json: year: the submission is for 2025; the rubric womens-federation-appraisal scores 2026"
    ]


def test_rules_diff_names_what_2026_added_renamed_split_and_rescored() -> None:
    changes = {(c.what, c.id, c.how): c for c in diff(load_rubric(2025), load_rubric(2026))}
    assert ("indicator", "leadership.difficulties_resolved", "added") in changes
    assert ("indicator", "appraisal.inspections", "removed") in changes
    assert ("indicator", "appraisal.inspection_visits", "added") in changes
    assert ("indicator", "safeguard.equipment_and_transport", "removed") in changes
    assert ("indicator", "safeguard.transport", "added") in changes
    assert ("item", "L03", "added") in changes and ("item", "S09", "added") in changes
    assert changes["item", "L01", "changed"].details[:3] == [
        "points for county: 6 -> 4",
        "points for township: 6 -> 4",
        "points for village: 6 -> none",
    ]
    assert "value appraisal.inspections, points 0.5 -> value appraisal.inspection_visits, points 0.25" in str(
        changes["item", "A03", "changed"]
    )
    assert not diff(load_rubric(2026), load_rubric(2026))


def test_rules_diff_command_prints_words_and_json() -> None:
    result = CliRunner().invoke(main, ["rules", "diff", "2025", "2026"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("womens-federation-appraisal 2025.2 (2025) -> womens-federation-appraisal 2026.2")
    assert "item L03 added" in result.output
    result = CliRunner().invoke(main, ["rules", "diff", "2025", str(bundled("scoring_rules") / "2026"), "--json"])
    document = json.loads(result.output)
    assert document["from"]["year"] == 2025 and document["to"]["year"] == 2026
    assert {"what": "item", "id": "S09", "how": "added"}.items() <= next(
        c for c in document["changes"] if c["id"] == "S09"
    ).items()


def test_scorecards_record_the_folder_and_report_refuses_another(tmp_path: Path) -> None:
    card = appraise(validate_unit(unit("village", "v-1"), "v.json"))
    assert card.rubric.sha256 == load_rubric(2026).sha256
    path = tmp_path / "v-1.json"
    path.write_text(card.to_json(), encoding="utf-8")
    ok = CliRunner().invoke(
        main, ["report", str(path), "--rubric", str(bundled("scoring_rules") / "2026"), "-o", str(tmp_path / "a.pdf")]
    )
    assert ok.exit_code == 0, ok.output
    wrong = CliRunner().invoke(main, ["report", str(path), "--rubric", str(MINI), "-o", str(tmp_path / "b.pdf")])
    assert wrong.exit_code == 2
    assert "scored with the rubric womens-federation-appraisal 2026.2" in wrong.output
    assert "not the one given, mini 1" in wrong.output and not (tmp_path / "b.pdf").exists()


COOPERATIVE_MANIFEST = """\
id: coop-appraisal
version: "2026.1"
year: 2026
title: {en: Appraisal of cooperatives' women's committees, zh: 合作社妇委会考核}
base: 100
grades: {excellent: 90, good: 80, qualified: 60}
org_types:
  - {id: cooperative, en: Women's committee of a farmers' cooperative, zh: 农民专业合作社妇委会, level: village}
"""

COOPERATIVE_INDICATORS = """\
sections:
  - id: cooperative
    title:
      en: Women in the cooperative
      zh: 合作社妇女工作
    fields:
      - id: women_members
        kind: count
        en: Women who are members of the cooperative
        zh: 女性社员人数
      - id: members
        kind: count
        en: Members of the cooperative
        zh: 社员人数
      - id: women_on_board
        kind: flag
        en: A woman sits on the cooperative's board
        zh: 理事会有女性成员
      - id: sector
        kind: choice
        en: The cooperative's main sector
        zh: 主营行业
        choices:
          - {id: crops, en: crops, zh: 种植}
          - {id: livestock, en: livestock, zh: 养殖}
          - {id: crafts, en: crafts, zh: 手工}
derived:
  - id: cooperative.women_share
    share: {part: cooperative.women_members, whole: cooperative.members}
verification:
  methods:
    - {id: records, en: records checked, zh: 查阅台账}
"""

COOPERATIVE_ITEMS = """\
items:
  - id: C01
    group: organization
    title: {en: Women among the members, zh: 女性社员比例}
    max: {cooperative: 60}
    tiers:
      - {when: "cooperative.women_share >= 50", points: 60}
      - {when: "cooperative.women_share >= 30", points: 30}
    requirement: {en: Women take part in the economy, zh: 妇女参与经济}
    citation: Part 2
    advice: {en: Recruit women members., zh: 发展女性社员。}
  - id: C02
    group: organization
    title: {en: A woman on the board, zh: 理事会女性成员}
    max: {cooperative: 30}
    when: cooperative.women_on_board
    requirement: {en: Women in leadership, zh: 妇女参与管理}
    citation: Part 2
    advice: {en: Elect a woman to the board., zh: 选举女性进入理事会。}
  - id: C03
    group: organization
    title: {en: A craft cooperative, zh: 手工合作社}
    max: {cooperative: 10}
    when: cooperative.sector == "crafts"
    requirement: {en: Handicrafts for women, zh: 妇女手工}
    citation: Part 2
    advice: {en: Develop crafts., zh: 发展手工。}
"""


def test_a_seventh_org_type_with_its_own_indicators_scores_end_to_end_without_python(tmp_path: Path) -> None:
    folder = tmp_path / "cooperatives-2026"
    folder.mkdir()
    (folder / "rubric.yaml").write_text(COOPERATIVE_MANIFEST.replace("base: 100", "base: 90"), encoding="utf-8")
    (folder / "indicators.yaml").write_text(COOPERATIVE_INDICATORS, encoding="utf-8")
    (folder / "cooperative.yaml").write_text(COOPERATIVE_ITEMS, encoding="utf-8")
    with pytest.raises(RubricError, match="applying to cooperative units sum to 100, not the base 90"):
        load_rubric(folder)  # the rubric says each type's maxima: nothing is scaled at run time
    (folder / "rubric.yaml").write_text(COOPERATIVE_MANIFEST, encoding="utf-8")
    rubric = load_rubric(folder)
    inputs = tmp_path / "in"
    inputs.mkdir()
    coop = {
        **unit("cooperative", "coop-1"),
        "cooperative": {"women_members": 40, "members": 100, "women_on_board": True, "sector": "crafts"},
    }
    (inputs / "coop.json").write_text(json.dumps(coop), encoding="utf-8")
    bad = {**coop, "unit_id": "coop-2", "cooperative": {"sector": "fishing"}}
    (inputs / "bad.json").write_text(json.dumps(bad), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(inputs), "--rubric", str(folder), "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "bad.json: cooperative.sector: must be one of 'crops', 'livestock' or 'crafts'" in result.output
    card = json.loads((out / "scorecards" / "coop-1.json").read_text(encoding="utf-8"))
    assert card["org_type"] == "cooperative" and card["total"] == 70 and card["grade"] == "qualified"
    assert [(i["id"], i["points"]) for i in card["items"]] == [("C01", 30.0), ("C02", 30.0), ("C03", 10.0)]
    assert (out / "reports" / "coop-1.pdf").read_bytes().startswith(b"%PDF")
    assert rubric.indicators.org_type("cooperative").zh == "农民专业合作社妇委会"

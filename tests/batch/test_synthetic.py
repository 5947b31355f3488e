"""``appraisal demo --units N``: realistic synthetic submissions over every org type and grade, scored."""

from __future__ import annotations

import csv
from pathlib import Path

from click.testing import CliRunner
from tests.builders import ORG_TYPES, shipped

from appraisal.batch.synthetic import synthetic_units
from appraisal.cli import main


def test_demo_units_scores_synthetic_units_of_every_type_and_grade(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "--units", "60", "--no-reports", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "read 60 files: 60 units scored, 0 inputs rejected" in result.output
    rows = list(csv.DictReader((out / "summary.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert {r["org_type"] for r in rows} == set(ORG_TYPES)
    assert {r["grade"] for r in rows} == {"excellent", "good", "qualified", "unqualified"}


def test_synthetic_units_are_the_same_for_the_same_seed_and_include_vetoes() -> None:
    rubric = shipped()
    first = list(synthetic_units(300, rubric))
    assert first == list(synthetic_units(300, rubric))
    assert first != list(synthetic_units(300, rubric, seed=1))
    assert any(u.get("inspection", {}).get("falsified_data") for u in first)
    assert len({u["unit_id"] for u in first}) == 300

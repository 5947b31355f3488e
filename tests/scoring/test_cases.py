from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from appraisal import load_rubric
from appraisal.cli import main
from appraisal.resources import bundled
from appraisal.scoring.cases import run_cases

DEFAULT = bundled("scoring_rules") / "2026"


def test_default_rubric_golden_cases_hold() -> None:
    results = run_cases(load_rubric())
    assert len(results) >= 4
    assert [str(r) for r in results if not r.passed] == []


@pytest.fixture
def rubric_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "2026"
    shutil.copytree(DEFAULT, folder)
    return folder


def test_a_moved_expectation_is_named_with_file_and_line(rubric_copy: Path) -> None:
    case = rubric_copy / "cases" / "village.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace("total: 89", "total: 90"), encoding="utf-8")
    (failed,) = [r for r in run_cases(load_rubric(rubric_copy)) if not r.passed]
    assert str(failed).startswith("cases/village.yaml:76: The same village with five gaps")
    assert failed.mismatches == ["total: expected 90.0, got 89.0"]


def test_check_rubric_exit_codes(rubric_copy: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(main, ["check-rubric", str(rubric_copy)])
    assert ok.exit_code == 0 and "golden cases: 4 passed, 0 failed" in ok.stdout
    case = rubric_copy / "cases" / "village.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace("L06: 1.5", "L06: 3"), encoding="utf-8")
    failed = runner.invoke(main, ["check-rubric", str(rubric_copy)])
    assert failed.exit_code == 1 and "L06: expected 3.0 points, got 1.5" in failed.stderr
    (rubric_copy / "leadership.yaml").write_text("items: [", encoding="utf-8")
    broken = runner.invoke(main, ["check-rubric", str(rubric_copy)])
    assert broken.exit_code == 2 and "leadership.yaml:1:" in broken.stderr

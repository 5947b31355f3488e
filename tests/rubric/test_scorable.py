"""A rubric the loader passes must score: what durable-rules cannot take is refused with file:line when the
rubric is loaded, and a failure of the engine itself stops the run before anything is written."""

from __future__ import annotations

import json
import os
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.builders import MINI, edited, make, unit
from tests.builders import rubric_problems as problems

from appraisal import EngineError, RubricError, RubricProblem, appraise, load_rubric
from appraisal.batch import run
from appraisal.cli import main
from appraisal.rubric import expr
from appraisal.scoring.score import grade_for

L02 = (
    "when: leadership.leader_in_charge and (leadership.working_meetings >= 4 or not "
    "leadership.leadership_contact_system)"
)


def copy_with(tmp_path: Path, old: str, new: str, file: str = "items.yaml") -> Path:
    return edited(MINI, tmp_path / "rubric", file, old, new)


def test_a_small_decimal_literal_reaches_durable_rules_and_scores(tmp_path: Path) -> None:
    """1e-05 is how Python writes 0.00001, and durable-rules refuses a ruleset holding it."""
    rubric = load_rubric(copy_with(tmp_path, L02, "when: safeguard.office_funds_yuan >= 0.00001"))
    assert appraise(make(safeguard={"office_funds_yuan": "0.01"}), rubric).item("L02").status == "awarded"
    assert appraise(make(safeguard={"office_funds_yuan": "0"}), rubric).item("L02").status == "missed"


def test_an_over_long_number_is_refused_with_file_line_and_column(tmp_path: Path) -> None:
    folder = copy_with(tmp_path, L02, "when: safeguard.office_funds_yuan >= 0." + "0" * 398 + "1")
    (found,) = problems(folder)
    assert found.startswith("items.yaml:16:42: condition: the number 0.000000000000000000... has 400 digits")


def test_a_condition_with_too_many_alternatives_is_refused(tmp_path: Path) -> None:
    groups = " and ".join(f"(leadership.working_meetings >= {i} or safeguard.office_equipment)" for i in range(16))
    (found,) = problems(copy_with(tmp_path, L02, f"when: {groups}"))
    assert found.startswith("items.yaml:16:11: condition: the condition has 65,536 alternatives")
    six = " and ".join(f"(leadership.working_meetings >= {i} or safeguard.office_equipment)" for i in range(6))
    assert load_rubric(copy_with(tmp_path / "six", L02, f"when: {six}")).items[1].when == six


@pytest.fixture
def refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A rubric the loader passes (its cap lifted) and durable-rules refuses (error 113: too many rules)."""
    monkeypatch.setattr(expr, "MAX_ALTERNATIVES", 10**6)
    groups = " and ".join(f"(leadership.working_meetings >= {i} or leadership.leader_in_charge)" for i in range(16))
    return copy_with(tmp_path, L02, f"when: {groups}")


def test_an_engine_refusal_is_a_rubric_error_not_a_rejected_unit(refused: Path) -> None:
    with pytest.raises(RubricError, match="durable-rules refused the village ruleset"):
        appraise(make(), load_rubric(refused))


def test_an_engine_refusal_leaves_the_previous_results_as_they_were(refused: Path, tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.json").write_text(json.dumps(unit(unit_id="a")), encoding="utf-8")
    out = tmp_path / "out"
    run([inputs], out, load_rubric(MINI))
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    with pytest.raises(RubricError):
        run([inputs], out, load_rubric(refused))
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    result = CliRunner().invoke(main, ["run", str(inputs), "--rubric", str(refused), "--out", str(out)])
    assert result.exit_code == 2 and "nothing was written" in result.stderr
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_engine_and_rubric_errors_cross_worker_processes() -> None:
    import pickle

    problem = RubricProblem("items.yaml", 3, "durable-rules refused the village ruleset", 4)
    error = pickle.loads(pickle.dumps(RubricError([problem])))
    assert error.problems == [problem] and str(error) == "items.yaml:3:4: durable-rules refused the village ruleset"
    engine = pickle.loads(pickle.dumps(EngineError("u-1", "durable-rules failed: 5")))
    assert (engine.unit_id, str(engine)) == ("u-1", "u-1: durable-rules failed: 5")


@pytest.mark.parametrize(
    ("make_file", "message"),
    [
        (lambda p: os.mkfifo(p), "a named pipe (FIFO), not a file: not read"),
        (lambda p: p.symlink_to("/dev/zero"), "a device, not a file: not read"),
        (lambda p: p.mkdir(), "a folder, not a file: not read"),
        (lambda p: p.write_bytes(b"#" * (2 * 1024 * 1024 + 1)), "file too large (2097153 bytes; the limit is 2097152)"),
    ],
)
def test_only_regular_files_of_bounded_size_are_read(tmp_path: Path, make_file: object, message: str) -> None:
    folder = tmp_path / "rubric"
    shutil.copytree(MINI, folder)
    make_file(folder / "extra.yaml")  # type: ignore[operator]
    assert problems(folder) == [f"extra.yaml: {message}"]


def test_a_symlink_to_a_regular_file_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "rubric"
    folder.mkdir()
    for file in MINI.iterdir():
        (folder / file.name).symlink_to(file)
    assert load_rubric(folder).sha256 == load_rubric(MINI).sha256


def test_a_quoted_grade_bound_means_points_for_the_checker_and_the_scorer(tmp_path: Path) -> None:
    rubric = load_rubric(copy_with(tmp_path, 'good: "80%"', 'good: "8"', "rubric.yaml"))
    assert rubric.grade_bounds() == [("excellent", 9), ("good", 8), ("qualified", 6)]
    assert grade_for(rubric, Decimal(7), False) == "qualified"  # "8" was 0.8 points: 7 scored as good
    assert grade_for(rubric, Decimal(8), False) == "good"
    assert load_rubric(MINI).grade_bounds()[1] == ("good", 8)  # "80%" of the base 10


@pytest.mark.parametrize("bound", ['"8x"', '"1_0"', '"٨"', '"NaN"', '"-5%"'])
def test_a_grade_bound_that_is_not_a_number_or_share_is_refused(tmp_path: Path, bound: str) -> None:
    found = problems(copy_with(tmp_path, '"80%"', bound, "rubric.yaml"))
    assert "rubric.yaml:7: grades.good: not a number or a share like 90%" in found, found

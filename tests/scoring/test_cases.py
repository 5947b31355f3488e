from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.builders import shipped

from appraisal import load_rubric
from appraisal.cli import main
from appraisal.resources import bundled
from appraisal.scoring.cases import coverage, run_cases

pytestmark = pytest.mark.slow  # started first by make test (tests/conftest.py)

DEFAULT = bundled("scoring_rules") / "2026"


def test_default_rubric_golden_cases_hold() -> None:
    results = run_cases(shipped())
    assert len(results) >= 15
    assert [str(r) for r in results if not r.passed] == []


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_shipped_cases_cover_every_outcome(year: int) -> None:
    rubric = shipped(year)
    results = run_cases(rubric)
    covered = coverage(rubric, results)
    assert all(r.passed for r in results)
    assert (covered.without_cases(), covered.unseen()) == ([], [])
    assert covered.complete and covered.total == 2 * (len(rubric.items) + len(rubric.vetoes))


@pytest.fixture
def rubric_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "2026"
    shutil.copytree(DEFAULT, folder)
    return folder


def test_a_moved_expectation_is_named_with_file_and_line(rubric_copy: Path) -> None:
    case = rubric_copy / "cases" / "village.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace("total: 88", "total: 89"), encoding="utf-8")
    (failed,) = [r for r in run_cases(load_rubric(rubric_copy)) if not r.passed]
    assert str(failed).startswith("cases/village.yaml:99: The same village with five gaps")
    assert failed.mismatches == ["total: expected 89.0, got 88.0"]


def test_rules_test_exit_codes(rubric_copy: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(main, ["rules", "test", str(rubric_copy)])
    assert ok.exit_code == 0 and "golden cases: 22 passed, 0 failed" in ok.stdout
    case = rubric_copy / "cases" / "village.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace("L06: 1.5", "L06: 3"), encoding="utf-8")
    failed = runner.invoke(main, ["rules", "test", str(rubric_copy)])
    assert failed.exit_code == 1 and "L06: expected 3.0 points, got 1.5" in failed.stderr
    (rubric_copy / "leadership.yaml").write_text("items: [", encoding="utf-8")
    broken = runner.invoke(main, ["rules", "test", str(rubric_copy)])
    assert broken.exit_code == 2 and f"{rubric_copy / 'leadership.yaml'}:1:" in broken.stderr


def test_rules_check_lists_errors_and_warnings_apart_and_check_rubric_is_an_alias(rubric_copy: Path) -> None:
    runner = CliRunner()
    for command in (["rules", "check"], ["check-rubric"]):
        ok = runner.invoke(main, [*command, str(rubric_copy)])
        assert ok.exit_code == 0 and "103 items, 2 vetoes, base 100: errors 0, warnings 0" in ok.stdout
    items = rubric_copy / "leadership.yaml"
    text = items.read_text(encoding="utf-8")
    items.write_text(
        text.replace("leadership.standing_committee_hearings >= 1", "leadership.standing_committee_hearings >= 0", 1)
    )
    warned = runner.invoke(main, ["rules", "check", str(rubric_copy)])
    assert warned.exit_code == 0 and "warnings (1):\n  " in warned.stdout
    assert f"{items}:19:11: warning: L01 can never miss" in warned.stdout
    items.write_text(
        text.replace("leadership.standing_committee_hearings >= 1", "leadership.standing_comittee_hearings = 1", 1)
    )
    broken = runner.invoke(main, ["rules", "check", str(rubric_copy)])
    assert broken.exit_code == 1
    assert f"{items}:19:49: error: condition: unexpected '=': write '=='" in broken.stderr


def test_rules_test_prints_coverage_and_requires_it_on_request(rubric_copy: Path) -> None:
    for case in (rubric_copy / "cases").iterdir():
        if case.name != "village.yaml":
            case.unlink()
    village = rubric_copy / "cases" / "village.yaml"
    text = village.read_text(encoding="utf-8")
    village.write_text(text[: text.index("\n# Every item missed")], encoding="utf-8")  # all but the low village
    result = CliRunner().invoke(main, ["rules", "test", str(rubric_copy)])
    assert result.exit_code == 0
    assert "coverage: " in result.stdout and "without cases: L01, L02, L07, " in result.stdout
    assert "not seen: L09 not awarding, " in result.stdout and "V02 firing" in result.stdout
    required = CliRunner().invoke(main, ["rules", "test", str(rubric_copy), "--require-coverage"])
    assert required.exit_code == 1


def test_coverage_counts_only_passing_cases_and_real_outcomes(rubric_copy: Path) -> None:
    rubric = load_rubric(rubric_copy)
    results = run_cases(rubric)
    full = coverage(rubric, results)
    assert full.seen["L01"] == {"awarding", "not awarding"} and full.seen["V01"] == {"firing", "not firing"}
    village_only = coverage(rubric, [r for r in results if r.file == "village.yaml"])
    assert village_only.seen["L07"] == set()  # no county or township case: only not_applicable
    for result in results:
        if result.card is not None and result.card.item("L01").status == "missed":
            result.mismatches = ["made to fail"]
    assert coverage(rubric, results).seen["L01"] == {"awarding"}


def test_a_misspelt_expectation_or_item_gets_a_did_you_mean(rubric_copy: Path) -> None:
    case = rubric_copy / "cases" / "village.yaml"
    text = case.read_text(encoding="utf-8")
    case.write_text(
        text.replace("    statuses:\n      L08: missed", "    statuses:\n      L8: missed", 1), encoding="utf-8"
    )
    (rubric_copy / "cases" / "typo.yaml").write_text(
        "name: typo\nsubmission: {unit_id: t, name: T, org_type: village, year: 2026, appraisal_date: '2026-12-18'}\n"
        "expect: {totl: 0}\n",
        encoding="utf-8",
    )
    failed = [m for r in run_cases(load_rubric(rubric_copy)) for m in r.mismatches]
    assert "L8: no such item; did you mean L08?" in failed
    assert "expect.totl: Extra inputs are not permitted; did you mean total?" in failed


def test_a_case_file_that_is_not_a_regular_file_is_refused(rubric_copy: Path) -> None:
    import os

    os.mkfifo(rubric_copy / "cases" / "pipe.yaml")
    result = CliRunner().invoke(main, ["rules", "test", str(rubric_copy)])
    assert (
        result.exit_code == 2 and "cases/pipe.yaml: error: a named pipe (FIFO), not a file: not read" in result.stderr
    )


@pytest.mark.parametrize("command", ["check", "test"])
def test_rules_commands_name_a_missing_folder_and_take_a_year(command: str, tmp_path: Path) -> None:
    missing = CliRunner().invoke(main, ["rules", command, str(tmp_path / "nowhere")])
    assert missing.exit_code == 2 and "no such folder: " in missing.stderr
    assert CliRunner().invoke(main, ["rules", command, "2026"]).exit_code == 0


def test_each_mismatch_is_at_the_line_it_is_about(rubric_copy: Path) -> None:
    """A misspelt expectation, and a submission field of the wrong kind: each at its own line of the case file
    (an editor jumps there), not only at the case's first line."""
    case = rubric_copy / "cases" / "village.yaml"
    text = case.read_text(encoding="utf-8").replace("total: 88", "totl: 88", 1)
    case.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    typo = next(n for n, line in enumerate(lines, 1) if "totl: 88" in line)
    (failed,) = [r for r in run_cases(load_rubric(rubric_copy)) if not r.passed]
    assert f"\n  cases/village.yaml:{typo}: expect.totl: Extra inputs are not permitted" in str(failed), str(failed)
    case.write_text(text.replace("totl: 88", "total: 88", 1).replace("working_meetings: 2", "working_meetings: two", 1))
    field = next(n for n, line in enumerate(lines, 1) if "working_meetings: 2" in line)
    (failed,) = [r for r in run_cases(load_rubric(rubric_copy)) if not r.passed]
    assert f"\n  cases/village.yaml:{field}: the submission is invalid: leadership.working_meetings:" in str(failed)


def test_a_case_file_not_ending_in_yaml_fails_the_cases_instead_of_being_left_out(rubric_copy: Path) -> None:
    """``x.yml`` or ``x.yaml.txt`` (a system hiding extensions shows it as ``x``) is not read: it fails the cases,
    naming the file and the name to give it; an editor's hidden file and a backup are left alone."""
    cases = rubric_copy / "cases"
    shutil.copy(cases / "village.yaml", cases / "more.yml")
    shutil.copy(cases / "village.yaml", cases / "village.yaml.bak")
    shutil.copy(cases / "village.yaml", cases / ".village.yaml.swp")
    failed = [str(r) for r in run_cases(load_rubric(rubric_copy)) if not r.passed]
    assert failed == [
        "cases/more.yml: not read\n  a year's folder reads the files ending in .yaml: rename it more.yaml"
    ]


def test_a_misspelt_grade_or_status_is_named_as_one_not_as_a_scoring_change(rubric_copy: Path) -> None:
    """``L01: not_aplicable`` or ``grade: 良好`` in a case read "expected 良好, got good", as if the scoring had
    moved; they are a value that is none of the grades or statuses, with the one meant."""
    case = rubric_copy / "cases" / "village.yaml"
    text = case.read_text(encoding="utf-8")
    assert "      L01: not_applicable\n" in text and "    grade: excellent\n" in text
    text = text.replace("      L01: not_applicable\n", "      L01: not_aplicable\n", 1)
    case.write_text(text.replace("    grade: excellent\n", "    grade: 良好\n", 1), encoding="utf-8")
    (failed,) = [r for r in run_cases(load_rubric(rubric_copy)) if not r.passed]
    assert failed.mismatches == [
        "expect.grade: Input should be 'excellent', 'good', 'qualified' or 'unqualified'",
        "expect.statuses.L01: Input should be 'awarded', 'partial', 'missed', 'not_applicable' or 'not_evaluated'; "
        "did you mean not_applicable?",
    ]


def test_a_broken_case_file_is_placed_at_its_line_as_a_rubric_files_error_is(rubric_copy: Path) -> None:
    """``cases/village.yaml:112: not valid YAML: ...`` (the line was inside the message: editors could not jump to
    it), and a case missing its ``expect:`` names what is missing and the misspelt key meant as it."""
    from appraisal import RubricError

    case = rubric_copy / "cases" / "village.yaml"
    lines = case.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(n for n, line in enumerate(lines) if line.strip() == "working_meetings: 2")
    broken = [*lines[:at], lines[at].replace(": 2", ": {2"), *lines[at + 1 :]]
    case.write_text("".join(broken), encoding="utf-8")
    with pytest.raises(RubricError) as caught:
        run_cases(load_rubric(rubric_copy))
    (problem,) = caught.value.problems
    assert (problem.file, problem.line) == ("cases/village.yaml", at + 1)
    assert problem.message.startswith("not valid YAML: in the { } opened on this line")
    expect = next(n for n, line in enumerate(lines) if line == "  expect:\n")
    case.write_text("".join([*lines[:expect], "  expected:\n", *lines[expect + 1 :]]), encoding="utf-8")
    with pytest.raises(RubricError) as caught:
        run_cases(load_rubric(rubric_copy))
    (problem,) = caught.value.problems
    assert problem.message == (
        "a case has name, submission and expect: expect missing; unknown key 'expected'; did you mean expect?"
    )


def test_rules_test_on_a_folder_without_cases_says_so(tmp_path: Path) -> None:
    """``0 passed, 0 failed`` alone read as a pass: a folder without golden cases is named in a warning."""
    from tests.builders import MINI

    folder = shutil.copytree(MINI, tmp_path / "rubric", ignore=shutil.ignore_patterns("cases"))
    result = CliRunner().invoke(main, ["rules", "test", str(folder)])
    assert result.exit_code == 0 and f"warning: no golden cases in {folder / 'cases'}/" in result.stderr
    assert "golden cases: 0 passed, 0 failed" in result.stdout

"""The bundled examples, end to end through ``appraisal demo``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.builders import ORG_TYPES
from tests.reports.report_pdfs import text

from appraisal.cli import main
from appraisal.scoring import Scorecard

pytestmark = pytest.mark.slow  # started first by make test (tests/conftest.py)


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """``appraisal demo --no-reports`` once for the module: its folder and what it printed (read, not written, by
    the tests using it; the twice-over test runs the demo a second time against it)."""
    out = tmp_path_factory.mktemp("demo") / "demo"
    result = CliRunner().invoke(main, ["demo", "--out", str(out), "--no-reports"])
    assert result.exit_code == 0, result.output
    return out, result.output


def test_demo_covers_every_type_grade_and_a_veto(scored: tuple[Path, str]) -> None:
    out, output = scored
    cards = [
        Scorecard.model_validate_json(p.read_text(encoding="utf-8")) for p in sorted(out.glob("scorecards/*.json"))
    ]
    assert len(cards) >= 40
    assert {c.org_type for c in cards} == set(ORG_TYPES)
    assert {c.grade for c in cards} == {"excellent", "good", "qualified", "unqualified"}
    assert any(c.vetoed for c in cards) and any(c.commended for c in cards)
    assert any(i.status == "not_evaluated" for c in cards for i in c.items)
    errors = json.loads((out / "errors.json").read_text(encoding="utf-8"))
    assert sorted(e["source"] for e in errors) == [
        "invalid-broken.yaml",
        "invalid-township-098.json",
        "invalid-village-099.json",
        "invalid-village-102.xlsx",
        "invalid-year-2019.json",
    ]
    assert "demo: 5 inputs are invalid on purpose (" in output
    assert re.search(r"read \d+ files: 62 units scored, 5 inputs rejected", output), output
    from_spreadsheets = {"village-101", "township-101", "agency-101", "agency-102", "street-101", "street-102"}
    assert from_spreadsheets <= {c.unit_id for c in cards}


def test_demo_twice_gives_the_same_bytes(scored: tuple[Path, str], tmp_path: Path) -> None:
    a, b = scored[0], tmp_path / "b"
    assert CliRunner().invoke(main, ["demo", "--out", str(b), "--no-reports"]).exit_code == 0
    for name in ("summary.csv", "errors.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    a_cards = sorted((a / "scorecards").iterdir())
    assert [p.read_bytes() for p in a_cards] == [(b / "scorecards" / p.name).read_bytes() for p in a_cards]


def test_demo_writes_all_three_kinds_of_report(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "--out", str(out), "--jobs", "2", "--lang", "zh"])
    assert result.exit_code == 0, result.output
    cards = {
        p.stem: Scorecard.model_validate_json(p.read_text(encoding="utf-8")) for p in (out / "scorecards").iterdir()
    }
    assert sorted(p.stem for p in (out / "reports").glob("*.pdf")) == sorted(cards)
    commended = next(c for c in cards.values() if c.commended)
    notice = next(c for c in cards.values() if c.vetoed)
    assert "荣誉证书" in _text(out / "reports" / f"{commended.unit_id}.pdf")  # the certificate
    assert "整改的通知" in _text(out / "reports" / f"{notice.unit_id}.pdf")  # the rectification notice
    summary = _text(out / "summary.pdf")
    assert commended.name in summary and notice.name in summary
    assert commended.name in _text(out / "decision.pdf")  # the run's one commendation decision


def _text(path: Path) -> str:
    return text(path.read_bytes())


def test_an_interrupted_demo_keeps_its_last_submissions_whole(tmp_path: Path) -> None:
    """Ctrl-C while ``demo --units`` writes its submissions: they are written aside, so the folder keeps the last
    demo's submissions, as the one line says, and the next demo removes what was staged."""
    from tests.batch.processes import interrupt, start, wait_for

    out = tmp_path / "demo"
    assert CliRunner().invoke(main, ["demo", "--out", str(out), "--units", "14", "--no-reports"]).exit_code == 0
    before = sorted(p.name for p in (out / "submissions").iterdir())
    process = start("demo", "--out", out, "--units", "20000", "--no-reports", new_session=True)
    wait_for(lambda: any(p.is_dir() and any(p.iterdir()) for p in out.glob(".submissions.*")), what="staging")
    interrupt(process)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr
    assert stderr.splitlines() == ["interrupted: nothing more was written; the output folder keeps its last whole run"]
    assert sorted(p.name for p in (out / "submissions").iterdir()) == before
    assert CliRunner().invoke(main, ["demo", "--out", str(out), "--units", "7", "--no-reports"]).exit_code == 0
    assert len(list((out / "submissions").glob("*.json"))) == 7 and not list(out.glob(".submissions.*"))


@pytest.mark.parametrize("units", ["0", "1000001"])
def test_demo_units_out_of_range_is_a_usage_error(tmp_path: Path, units: str) -> None:
    result = CliRunner().invoke(main, ["demo", "--out", str(tmp_path / "d"), "--units", units])
    assert result.exit_code == 2 and "--units" in result.output
    assert not (tmp_path / "d").exists()

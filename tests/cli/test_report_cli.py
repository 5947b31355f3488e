"""``appraisal report`` and the report options of ``appraisal run``, through the real renderer."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from tests.builders import invoke
from tests.reports import report_pdfs

from appraisal.resources import examples


def text(path: Path) -> str:
    return report_pdfs.text(path.read_bytes())


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run")
    inputs = [examples() / "county-01.json", examples() / "county-02.json", examples() / "county-05.json"]
    code, _, err = invoke("run", *inputs, "--out", out, "--no-reports")
    assert code == 0, err
    assert not (out / "reports").exists()
    return out


def test_report_renders_one_scorecard(scored: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "c2.pdf"
    code, out, err = invoke("report", scored / "scorecards" / "county-02.json", "--lang", "zh", "-o", pdf)
    assert code == 0, err
    card = json.loads((scored / "scorecards" / "county-02.json").read_text(encoding="utf-8"))
    assert card["name"] in text(pdf) and "整改的通知" in text(pdf)


def test_commendation_of_a_unit_not_commended_is_refused(scored: Path, tmp_path: Path) -> None:
    code, _, err = invoke(
        "report", scored / "scorecards" / "county-02.json", "--kind", "commendation", "-o", tmp_path / "x.pdf"
    )
    assert code == 2 and "error:" in err
    assert not (tmp_path / "x.pdf").exists()


def test_a_broken_scorecard_file_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"unit_id": "x"}', encoding="utf-8")
    code, _, err = invoke("report", bad, "-o", tmp_path / "x.pdf")
    assert code == 1 and "bad.json: name: Field required" in err


def test_run_uses_the_config_and_last_years_scorecards(scored: Path, tmp_path: Path) -> None:
    config = tmp_path / "reports.toml"
    config.write_text('[reports]\nissuing_body = "Jinsha County Women\'s Federation"\ndeadline_days = 30\n')
    last_year = tmp_path / "last"
    (last_year / "scorecards").mkdir(parents=True)
    previous = json.loads((scored / "scorecards" / "county-02.json").read_text(encoding="utf-8"))
    previous.update(year=2025, total=80.5)
    (last_year / "scorecards" / "county-02.json").write_text(json.dumps(previous), encoding="utf-8")
    out = tmp_path / "out"
    code, _, err = invoke(
        "run", examples() / "county-02.json", "--out", out, "--config", config, "--previous", last_year
    )
    assert code == 0, err
    notice = text(out / "reports" / "county-02.pdf")
    assert "Jinsha County Women's Federation" in notice
    assert "last year 80.5" in notice
    assert (out / "summary.pdf").is_file()


def test_a_bad_scorecard_in_previous_is_one_warning_line_of_run_and_costs_nothing_else(
    scored: Path, tmp_path: Path
) -> None:
    last_year = tmp_path / "last"
    (last_year / "scorecards").mkdir(parents=True)
    cut = (scored / "scorecards" / "county-02.json").read_text(encoding="utf-8")[:150]  # a truncated file
    (last_year / "scorecards" / "county-02.json").write_text(cut, encoding="utf-8")
    out = tmp_path / "out"
    code, _, err = invoke("run", examples() / "county-02.json", "--out", out, "--previous", last_year)
    assert code == 0, err
    warned = [line for line in err.splitlines() if "county-02.json" in line]
    assert len(warned) == 1 and "the report of county-02 shows no change against last year" in warned[0], err
    assert "Change against last year" not in text(out / "reports" / "county-02.pdf")


def test_a_previous_folder_holding_no_scorecards_is_a_usage_error(tmp_path: Path) -> None:
    """A wrong --previous (say, last year's input folder of YAML files) would make every report show no change
    against last year without a word."""
    last_year = tmp_path / "last"
    last_year.mkdir()
    (last_year / "county-02.yaml").write_text("unit_id: county-02\n", encoding="utf-8")
    code, _, err = invoke("run", examples() / "county-02.json", "--out", tmp_path / "o", "--previous", last_year)
    assert code == 2 and f"{last_year} holds no scorecards (scorecards/*.json or *.json)" in err, err
    assert not (tmp_path / "o").exists()


def test_a_bad_config_is_a_usage_error(tmp_path: Path) -> None:
    config = tmp_path / "reports.yaml"
    config.write_text("deadline_days: soon\n")
    code, _, err = invoke("run", examples() / "county-02.json", "--out", tmp_path / "o", "--config", config)
    assert code == 2 and "reports.yaml: deadline_days:" in err


def test_characters_no_bundled_font_has_are_reported(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    # Extension B: not in the bundled CJK font (Extension A is)
    unit = {"unit_id": "g1", "name": "𠀀村妇代会", "org_type": "village", "year": 2026, "appraisal_date": "2026-12-01"}
    (folder / "g.json").write_text(json.dumps(unit, ensure_ascii=False), encoding="utf-8")
    code, _, err = invoke("run", folder, "--out", tmp_path / "out")
    assert code == 0
    assert 'warning: reports: .notdef glyph rendered for Unicode string unsupported by fonts: "𠀀" (U+20000)' in err


def test_flags_override_the_config(scored: Path, tmp_path: Path) -> None:
    config = tmp_path / "reports.json"
    config.write_text(json.dumps({"issuing_body": "From the file", "deadline_days": 30}))
    pdf = tmp_path / "c2.pdf"
    code, _, err = invoke(
        "report",
        scored / "scorecards" / "county-02.json",
        "-o",
        pdf,
        "--config",
        config,
        "--issuing-body",
        "From the flag",
        "--issue-date",
        "2027-01-05",
        "--deadline-days",
        "60",
    )
    assert code == 0, err
    notice = text(pdf)
    assert "From the flag" in notice and "From the file" not in notice
    card = json.loads((scored / "scorecards" / "county-02.json").read_text(encoding="utf-8"))
    assert card["appraisal_date"] == "2026-12-18"
    assert "Deadline for rectification: 16 February 2027." in notice  # 60 days after the appraisal date, not 30


def test_same_report_bytes_in_another_process(scored: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    card = scored / "scorecards" / "county-01.json"
    here, there = tmp_path / "here.pdf", tmp_path / "there.pdf"
    assert invoke("report", card, "--lang", "zh", "-o", here)[0] == 0
    other = subprocess.run(
        [
            sys.executable,
            "-c",
            "from appraisal.cli import main; main()",
            "report",
            str(card),
            "--lang",
            "zh",
            "-o",
            str(there),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "TZ": "Asia/Shanghai"},
    )
    assert other.returncode == 0, other.stderr
    assert here.read_bytes() == there.read_bytes()


@pytest.mark.parametrize("command", [["report", "CARD"], ["rules", "handbook", "--year", "2026"]])
def test_a_document_named_neither_pdf_nor_docx_is_a_usage_error(
    scored: Path, tmp_path: Path, command: list[str]
) -> None:
    """``-o c1.txt`` wrote a PDF under a .txt name."""
    card = str(scored / "scorecards" / "county-01.json")
    target = tmp_path / "c1.txt"
    code, _, err = invoke(*[card if part == "CARD" else part for part in command], "-o", target)
    assert code == 2 and f"{target}: name the file .pdf (a PDF) or .docx (a DOCX)" in err, err
    assert not target.exists()

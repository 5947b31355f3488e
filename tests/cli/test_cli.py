from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from tests.builders import MINI, invoke, shipped, unit

pytestmark = pytest.mark.slow  # started first by make test (tests/conftest.py)

FULL = {
    "leadership": {"standing_committee_hearings": 2, "leader_in_charge": True, "working_meetings": 4},
    "appraisal": {"reports_late": 0},
    "safeguard": {"office_equipment": True},
    "double_learning": {"technical_trainings": 3},
    "bonus": {"higher_level_awards": 0},
    "inspection": {"falsified_data": False},
}


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps(unit(unit_id="a", name="甲村妇代会", **FULL)), encoding="utf-8")
    (folder / "b.yaml").write_text(
        json.dumps([unit(unit_id="b", **FULL), unit("county", unit_id="c")]), encoding="utf-8"
    )
    return folder


def test_run_writes_scorecards_summary_and_errors(inputs: Path, tmp_path: Path) -> None:
    code, out, _ = invoke("run", str(inputs), "--rubric", str(MINI), "--out", str(tmp_path / "out"))
    assert code == 0, out
    cards = sorted(p.name for p in (tmp_path / "out" / "scorecards").iterdir())
    assert cards == ["a.json", "b.json", "c.json"]
    raw = (tmp_path / "out" / "summary.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfunit_id,name,org_type,year,total,grade,vetoed,commended,rank\r\n")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert [r["unit_id"] for r in rows] == ["c", "a", "b"]  # county before village, then rank
    assert rows[1] == {
        "unit_id": "a",
        "name": "甲村妇代会",
        "org_type": "village",
        "year": "2026",
        "total": "10",
        "grade": "excellent",
        "vetoed": "false",
        "commended": "true",
        "rank": "1",
    }
    assert json.loads((tmp_path / "out" / "errors.json").read_text()) == []


def test_rejected_inputs_exit_1_and_the_rest_are_scored(inputs: Path, tmp_path: Path) -> None:
    (inputs / "bad.json").write_text(json.dumps(unit(unit_id="bad", leadership={"working_meetings": -1})))
    (inputs / "junk.yaml").write_bytes(b"\x00\x01")
    code, _, err = invoke("run", str(inputs), "--rubric", str(MINI), "--out", str(tmp_path / "out"))
    assert code == 1
    assert "bad.json: leadership.working_meetings: must be >= 0 (got -1)" in err
    errors = json.loads((tmp_path / "out" / "errors.json").read_text())
    assert errors == [
        {
            "source": "bad.json",
            "unit_id": "bad",
            "errors": [{"loc": "leadership.working_meetings", "message": "must be >= 0 (got -1)"}],
        },
        {"source": "junk.yaml", "errors": [{"loc": "", "message": "binary file, not JSON or YAML text"}]},
    ]
    assert len(list((tmp_path / "out" / "scorecards").iterdir())) == 3


def test_rerun_replaces_scorecards_and_leaves_no_temporary_files(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    invoke("run", str(inputs), "--rubric", str(MINI), "--out", str(out))
    first = (out / "scorecards" / "a.json").read_bytes()
    (inputs / "b.yaml").unlink()
    (inputs / "a.json").write_text(json.dumps(unit(unit_id="a", name="甲村妇代会", **{**FULL, "bonus": {}})))
    invoke("run", str(inputs), "--rubric", str(MINI), "--out", str(out))
    assert sorted(p.name for p in (out / "scorecards").iterdir()) == ["a.json"]
    assert sorted(p.name for p in out.iterdir()) == [
        ".appraisal",
        *(["decision.pdf"] if (out / "decision.pdf").exists() else []),  # when a unit is commended
        "errors.json",
        "manifest.json",
        "reports",
        "scorecards",
        "summary.csv",
        "summary.pdf",
    ]
    # one published run, nothing else: no staging folder or temporary file of either run is left
    assert sorted(p.name for p in (out / ".appraisal").iterdir()) == ["cache", "current", "lock", "runs"]
    assert len(list((out / ".appraisal" / "runs").iterdir())) == 1
    # the cache keeps what this run used only: one input file, its report and the summary
    assert len(list((out / ".appraisal" / "cache" / "files").iterdir())) == 1
    assert len(list((out / ".appraisal" / "cache" / "reports").iterdir())) == 3  # the report, the summary, the decision
    assert sorted(p.name for p in (out / "reports").iterdir()) == ["a.pdf"]
    assert (out / "scorecards" / "a.json").read_bytes() != first  # rescored: B01 now not evaluated


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "nowhere", "--out", "x"], "no such file or folder: nowhere"),
        (["run", "EMPTY", "--out", "x"], "no submission files (.json, .yaml, .yml, .xlsx, .bulk.csv) found"),
        (["run", "IN", "--out", "x", "--year", "2026", "--rubric", str(MINI)], "give --year or --rubric"),
        (["run", "IN", "--out", "x", "--year", "1999"], "no bundled rubric for 1999"),
        (["run", "IN"], "Missing option '--out'"),
    ],
)
def test_usage_errors_exit_2(inputs: Path, tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "empty").mkdir()
    args = [str(inputs) if a == "IN" else str(tmp_path / "empty") if a == "EMPTY" else a for a in args]
    code, _, err = invoke(*args)
    assert code == 2 and message in err, err


def test_broken_rubric_exits_2_with_file_and_line(inputs: Path, tmp_path: Path) -> None:
    rubric = tmp_path / "rubric"
    shutil.copytree(MINI, rubric)
    (rubric / "items.yaml").write_text("items:\n  - id: X\n    when: a.b >=\n")
    code, _, err = invoke("run", str(inputs), "--rubric", str(rubric), "--out", str(tmp_path / "o"))
    assert code == 2 and f"{rubric}/items.yaml:2: error: group: Field required" in err, err
    assert not (tmp_path / "o").exists()


def test_validate(inputs: Path) -> None:
    assert invoke("validate", str(inputs), "--rubric", str(MINI))[0] == 0
    (inputs / "old.json").write_text(json.dumps({**unit(unit_id="old"), "year": 2025}))
    code, out, err = invoke("validate", str(inputs), "--rubric", str(MINI))
    assert code == 1 and "old.json: year: the submission is for 2025" in err and "valid: 3 units" in out


def test_schema() -> None:
    code, out, _ = invoke("schema")
    assert code == 0 and json.loads(out)["discriminator"]["propertyName"] == "org_type"
    assert json.loads(out)["title"] == "Submission 2026"
    code, out, _ = invoke("schema", "--scorecard")
    assert code == 0 and "shortfalls" in json.loads(out)["properties"]


def test_worker_processes_give_the_same_bytes(tmp_path: Path) -> None:
    from appraisal.batch import appraise_batch, worker_pool
    from appraisal.resources import examples
    from appraisal.submission import load_submissions

    units, _ = load_submissions([examples()])
    rubric = shipped()
    serial = appraise_batch(units, rubric)
    with worker_pool(2, rubric) as pool:
        parallel = appraise_batch(units, rubric, pool=pool, chunk=7)
    assert [c.to_json() for c in parallel.scorecards] == [c.to_json() for c in serial.scorecards]
    assert [e.lines() for e in parallel.rejected] == [e.lines() for e in serial.rejected]


def test_output_inside_the_input_is_not_read_back(inputs: Path) -> None:
    out = inputs / "out"
    for _ in range(2):
        code, _, err = invoke("run", str(inputs), "--rubric", str(MINI), "--out", str(out), "--no-reports")
        assert code == 0, err
    assert sorted(p.name for p in (out / "scorecards").iterdir()) == ["a.json", "b.json", "c.json"]


def test_errors_name_the_path_below_the_folder_given(inputs: Path, tmp_path: Path) -> None:
    (inputs / "2026").mkdir()
    (inputs / "2026" / "a.json").write_text(json.dumps(unit(unit_id="a2", leadership={"working_meetings": -1})))
    code, _, err = invoke("run", str(inputs), "--rubric", str(MINI), "--out", str(tmp_path / "o"), "--no-reports")
    assert code == 1 and "2026/a.json: leadership.working_meetings: must be >= 0 (got -1)" in err


def test_no_reports_leaves_no_report_of_an_earlier_run(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    invoke("run", str(inputs), "--rubric", str(MINI), "--out", str(out))
    assert (out / "reports" / "a.pdf").is_file() and (out / "summary.pdf").is_file()
    invoke("run", str(inputs), "--rubric", str(MINI), "--out", str(out), "--no-reports")
    assert not (out / "reports").exists() and not (out / "summary.pdf").exists()


def test_demo_never_deletes_a_folder_it_did_not_write(tmp_path: Path) -> None:
    mine = tmp_path / "d" / "submissions"
    mine.mkdir(parents=True)
    (mine / "mine.json").write_text("{}")
    code, _, err = invoke("demo", "--out", str(tmp_path / "d"), "--no-reports")
    assert code == 2 and "was not written by appraisal demo" in err
    assert (mine / "mine.json").read_text() == "{}"
    assert invoke("demo", "--out", str(tmp_path / "e"), "--no-reports")[0] == 0
    assert invoke("demo", "--out", str(tmp_path / "e"), "--no-reports")[0] == 0  # its own copy is replaced


def test_summary_csv_never_writes_a_formula(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "f.json").write_text(json.dumps(unit(unit_id="f", name="=HYPERLINK(1)", **FULL)))
    assert invoke("run", str(folder), "--rubric", str(MINI), "--out", str(tmp_path / "o"), "--no-reports")[0] == 0
    rows = list(csv.DictReader((tmp_path / "o" / "summary.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0]["name"] == "'=HYPERLINK(1)"


@pytest.mark.parametrize("command", ["run", "diff"])
def test_a_broken_rubric_is_named_under_its_folder_as_rules_check_names_it(tmp_path: Path, command: str) -> None:
    """``rules diff 2026 mine`` or ``run --rubric mine``: which folder is broken, and where, in one line each."""
    folder = tmp_path / "mine"
    shutil.copytree(MINI, folder)
    with (folder / "items.yaml").open("a", encoding="utf-8") as file:
        file.write("  - id: [unclosed\n")
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.json").write_text(json.dumps(unit(unit_id="a")), encoding="utf-8")
    args = ["rules", "diff", str(MINI), str(folder)] if command == "diff" else ["run", str(inputs)]
    if command == "run":
        args += ["--rubric", str(folder), "--out", str(tmp_path / "out")]
    code, _, err = invoke(*args)
    assert code == 2
    lines = err.splitlines()
    assert lines[0] == "error: the rubric cannot be used:" and len(lines) == 2, err
    assert lines[1].startswith(f"{folder}/items.yaml:") and ": error: not valid YAML" in lines[1], err


def test_names_given_on_the_command_line_are_shown_escaped(tmp_path: Path) -> None:
    """A path given with a line break or a bidi override cannot break or reverse the one line naming it (names
    found inside input folders were escaped; those given on the command line were printed as they are)."""
    from appraisal.resources import examples

    code, _, err = invoke("validate", tmp_path / "no\nsuch.json")
    assert code == 2 and "no\\nsuch.json" in err and "no\nsuch" not in err
    taken = tmp_path / "o\nx"
    taken.mkdir()
    (taken / "summary.csv").write_text("mine\n", encoding="utf-8")
    code, _, err = invoke("run", examples() / "county-01.json", "--out", taken, "--no-reports")
    assert code == 2 and err.count("\n") == 1 and "o\\nx/summary.csv: not a file of an appraisal run" in err
    code, out, _ = invoke("run", examples() / "county-01.json", "--out", tmp_path / "o\u202eut", "--no-reports")
    assert code == 0 and "results in " in out and "o\\u202eut/" in out and "\u202e" not in out
    code, out, _ = invoke("template", "--org-type", "village", "-o", tmp_path / "v\n1.xlsx")
    assert code == 0 and out == f"wrote {tmp_path}/v\\n1.xlsx\n"
    code, out, _ = invoke("rules", "handbook", MINI, "--lang", "zh", "-o", tmp_path / "h\nb.docx")
    assert (
        code == 0 and out == f"已写入{tmp_path}/h\\nb.docx\n"
    )  # in the handbook's language, as report and template say it

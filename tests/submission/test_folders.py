"""What an input folder may hold besides submission files: links, special files, hidden folders, hostile names."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest
from tests.builders import unit

from appraisal.submission import load_submissions
from appraisal.submission.loading import expand_named


def lines(folder: Path) -> list[str]:
    _, rejected = load_submissions([folder])
    return [line for error in rejected for line in error.lines()]


def test_links_leaving_the_folder_and_special_files_are_reported_not_followed(tmp_path: Path) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text('{"password": "hunter2"}', encoding="utf-8")
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.json").write_text(json.dumps(unit(unit_id="a")), encoding="utf-8")
    (folder / "outside.json").symlink_to(secret)
    (folder / "loop.json").symlink_to(folder / "loop.json")
    (folder / "nothing.yaml").symlink_to(tmp_path / "missing.yaml")
    (folder / "inside.json").symlink_to(folder / "a.json")  # inside the folder: followed (and a duplicate)
    (folder / "up").symlink_to(tmp_path)  # a folder link leaving the folder: reported, never walked
    (folder / "sub" / "back").symlink_to(folder)  # one inside it: its files are read where they are
    os.mkfifo(folder / "pipe.json")
    os.mkfifo(folder / "sub" / "pipe")
    (folder / "dir.json").mkdir()
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(folder / "sock.yaml"))
        assert lines(folder) == [
            "dir.json: a folder, not a file: not read",
            "loop.json: a symbolic link in a loop or to nothing: not followed",
            "nothing.yaml: a symbolic link in a loop or to nothing: not followed",
            "outside.json: a symbolic link to outside the folder: not followed",
            "pipe.json: a named pipe (FIFO), not a file: not read",
            "sock.yaml: a socket, not a file: not read",
            "sub/pipe: a named pipe (FIFO), not a file: not read",
            "up: a symbolic link to outside the folder: not followed",
            "inside.json: unit_id: unit id 'a' already seen in a.json",  # duplicates come last
        ]
    finally:
        server.close()
    assert "hunter2" not in " ".join(lines(folder))


def test_a_device_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "null.json").symlink_to("/dev/null")
    assert lines(folder) == ["null.json: a symbolic link to outside the folder: not followed"]
    _, rejected = load_submissions(["/dev/null"])  # named on the command line: read, and refused as a device
    assert rejected[0].lines() == ["null: not a .json, .yaml, .yml, .xlsx or .bulk.csv file (no suffix)"]


def test_a_link_named_on_the_command_line_is_followed(tmp_path: Path) -> None:
    (tmp_path / "real.json").write_text(json.dumps(unit(unit_id="r")), encoding="utf-8")
    (tmp_path / "link.json").symlink_to(tmp_path / "real.json")
    units, rejected = load_submissions([tmp_path / "link.json"])
    assert [u.unit_id for u in units] == ["r"] and not rejected
    assert units[0].source == "link.json"


def test_hidden_files_and_folders_are_not_submissions(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / ".scorecards.x1.new").mkdir(parents=True)
    (folder / ".scorecards.x1.new" / "ghost.json").write_text(json.dumps(unit(unit_id="ghost")), encoding="utf-8")
    (folder / ".hidden.json").write_text(json.dumps(unit(unit_id="hidden")), encoding="utf-8")
    (folder / "a.json").write_text(json.dumps(unit(unit_id="a")), encoding="utf-8")
    units, rejected = load_submissions([folder])
    assert [u.unit_id for u in units] == ["a"] and not rejected


def test_control_and_bidi_characters_in_file_names_are_shown_escaped(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "evil\nname.json").write_text("{", encoding="utf-8")
    (folder / "gpj.\u202etxt.json").write_text("{", encoding="utf-8")
    found = lines(folder)
    assert found == [
        "evil\\nname.json: line 1: not valid JSON: Expecting property name enclosed in double quotes",
        "gpj.\\u202etxt.json: line 1: not valid JSON: Expecting property name enclosed in double quotes",
    ]
    assert all(line.isprintable() for line in found)


def test_a_csv_that_is_not_a_bulk_table_is_reported_not_left_out(tmp_path: Path) -> None:
    """A bulk table saved as ``streets.csv`` in a folder: its units would be missing from the ranking unsaid."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps(unit(unit_id="a")), encoding="utf-8")
    (folder / "streets.csv").write_text("unit_id,name\n", encoding="utf-8")
    assert lines(folder) == [
        "streets.csv: a CSV file is read as a bulk table when its name ends in .bulk.csv (streets.bulk.csv)"
    ]


def test_an_earlier_runs_output_folder_inside_the_input_is_not_read(tmp_path: Path) -> None:
    """``run data --out data/out2025``, then ``--out data/out2026``: out2025's errors.json, manifest.json and
    summary.csv are a run's results, not submissions."""
    from tests.builders import MINI

    from appraisal import load_rubric
    from appraisal.batch import run

    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps(unit(unit_id="a")), encoding="utf-8")
    first = run([folder], folder / "out2025", load_rubric(MINI))
    assert (folder / "out2025" / "errors.json").is_file() and (folder / "out2025" / "summary.csv").is_file()
    second = run([folder], folder / "out2026", load_rubric(MINI))
    assert [u.unit_id for u in second.units] == [u.unit_id for u in first.units] == ["a"]
    assert second.rejected == [] and lines(folder) == []


def test_an_output_folder_given_as_input_is_read_without_its_published_results(tmp_path: Path) -> None:
    """``validate out/demo`` (the demo's folder holds its submissions and the run's results), or ``run data --out
    data`` then ``run data --out other``: the submissions are read, and errors.json, manifest.json, summary.csv
    and the scorecards (links into ``.appraisal/``) are not, as submissions or as errors."""
    from tests.builders import MINI

    from appraisal import load_rubric
    from appraisal.batch import run

    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps(unit(unit_id="a")), encoding="utf-8")
    run([folder], folder, load_rubric(MINI))
    assert {"errors.json", "manifest.json", "summary.csv", "scorecards"} <= {p.name for p in folder.iterdir()}
    assert [name for _, name in expand_named([folder])] == ["a.json"]
    again = run([folder], tmp_path / "other", load_rubric(MINI))
    assert [u.unit_id for u in again.units] == ["a"] and again.rejected == [] and lines(folder) == []


def test_two_files_of_one_name_are_named_by_the_path_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``validate townA townB``, each holding ``v.json``: an error names the one file it is about; names no other
    file shares stay short (``a.json``, their path below the folder named)."""
    monkeypatch.chdir(tmp_path)
    for town, meetings in (("townA", 3), ("townB", "3")):
        Path(town).mkdir()
        Path(town, "v.json").write_text(
            json.dumps(unit(unit_id=town, leadership={"working_meetings": meetings})), encoding="utf-8"
        )
    Path("townA", "a.json").write_text(json.dumps(unit(unit_id="a")), encoding="utf-8")
    assert [name for _, name in expand_named(["townA", "townB"])] == ["a.json", "townA/v.json", "townB/v.json"]
    assert [name for _, name in expand_named(["townA/v.json", "townB/v.json"])] == ["townA/v.json", "townB/v.json"]
    assert [name for _, name in expand_named(["townA"])] == ["a.json", "v.json"]
    assert [line.split(":")[0] for line in lines_of(["townA", "townB"])] == ["townB/v.json"]


def lines_of(paths: list[str]) -> list[str]:
    _, rejected = load_submissions(paths)
    return [line for error in rejected for line in error.lines()]

"""One whole run in the output folder, always: the lock, the manifest, publication in one step, leftovers of killed
runs cleaned; checked with real processes killed with SIGKILL at random moments."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from tests.batch.processes import few_examples, start, wait_for
from tests.builders import MINI, unit

from appraisal import load_rubric
from appraisal.batch import ReportSettings, current_run, read_manifest, run, verify
from appraisal.batch.publish import output_lock
from appraisal.errors import OutputError
from appraisal.resources import examples
from appraisal.submission import load_submissions

pytestmark = pytest.mark.slow  # started first by make test (tests/conftest.py)


def many_units(folder: Path, copies: int) -> Path:
    """The bundled examples ``copies`` times over under new unit ids, one file per unit."""
    units, _ = load_submissions([examples()])
    folder.mkdir()
    for copy in range(copies):
        for u in units:
            data = u.model_dump(mode="json", exclude_none=True)
            data["unit_id"] = f"{u.unit_id}-{copy:03d}"
            (folder / f"{data['unit_id']}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return folder


def published(out: Path) -> dict[str, bytes]:
    """Every file of the published run, by its path below ``out``, read through the run's own folder."""
    root = current_run(out)
    assert root is not None
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_run_publishes_a_manifest_of_its_inputs_rubric_and_files(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps(unit(unit_id="a")), encoding="utf-8")
    (folder / "bad.json").write_text("{", encoding="utf-8")
    rubric = load_rubric(MINI)
    out = tmp_path / "out"
    run([folder], out, rubric)
    manifest = read_manifest(out)
    assert manifest is not None
    assert manifest["rubrics"] == [
        {"id": rubric.id, "version": rubric.manifest.version, "year": rubric.year, "sha256": rubric.sha256}
    ]
    import hashlib

    digest = hashlib.sha256((folder / "a.json").read_bytes()).hexdigest()
    assert manifest["inputs"] == [
        {"name": "a.json", "sha256": digest, "bytes": (folder / "a.json").stat().st_size},
        {"name": "bad.json", "sha256": hashlib.sha256(b"{").hexdigest(), "bytes": 1},
    ]
    assert sorted(manifest["files"]) == ["errors.json", "scorecards/a.json", "summary.csv"]
    assert verify(out) == [] and verify(str(out)) == []  # a path as a string too, as docs/batch.md shows it
    assert read_manifest(str(out)) == manifest and current_run(str(out)) == current_run(out)
    (out / "scorecards" / "a.json").write_text("{}")
    assert verify(out) == ["scorecards/a.json: changed since the run"]


def test_a_second_run_on_the_same_folder_is_refused_naming_the_holder(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps(unit(unit_id="a")), encoding="utf-8")
    out = tmp_path / "out"
    with subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from appraisal.batch import output_lock\n"
            "with output_lock(Path(sys.argv[1])):\n    print('held', flush=True); sys.stdin.read()",
            str(out),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline() == "held\n"
            second = start("run", folder, "--rubric", MINI, "--out", out, "--no-reports")
            _, err = second.communicate(timeout=60)
            assert second.returncode == 2, err
            assert f"is in use by another appraisal run (pid {holder.pid} on " in err and "started 20" in err
            assert not (out / "scorecards").exists()
            with pytest.raises(OutputError, match=f"pid {holder.pid}"):  # the library says the same
                run([folder], out, load_rubric(MINI))
        finally:
            holder.kill()  # the kernel releases the lock of a killed holder
            holder.wait()
    assert run([folder], out, load_rubric(MINI)).scorecards


def test_two_runs_started_together_never_mix(tmp_path: Path) -> None:
    a, b = many_units(tmp_path / "a", 4), tmp_path / "b"
    b.mkdir()
    (b / "only-b.json").write_text(json.dumps(unit(unit_id="only-b")), encoding="utf-8")
    out = tmp_path / "out"
    first = start("run", a, "--out", out, "--no-reports")
    second = start("run", b, "--rubric", MINI, "--out", out, "--no-reports")
    results = [(p.communicate(timeout=120)[1], p.returncode) for p in (first, second)]
    assert results[1][1] in (0, 2) and results[0][1] in (0, 2), results
    assert [code for _, code in results].count(2) <= 1  # one after the other, or one refused
    assert all("in use by another appraisal run" in err for err, code in results if code == 2)
    assert verify(out) == []
    names = set(published(out))
    assert ("scorecards/only-b.json" in names) != ("scorecards/county-01-000.json" in names)


def test_kill_9_at_random_moments_then_rerun_gives_the_uninterrupted_bytes(tmp_path: Path) -> None:
    inputs = many_units(tmp_path / "in", 4)
    reference = tmp_path / "reference"
    run([inputs], reference, None)  # what the command runs (each unit by its own year), uninterrupted
    expected = published(reference)
    out = tmp_path / "out"
    rng = random.Random(7)
    for jobs in (1, 2, 1):
        process = start("run", inputs, "--out", out, "--no-reports", "--jobs", str(jobs))
        time.sleep(rng.uniform(0.3, 2.0))
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
        # killed at any moment, the folder holds one whole run or none: never a mix
        assert verify(out) == [] or not (out / "manifest.json").exists()
        if (out / "manifest.json").exists():
            assert published(out) == expected
    again = start("run", inputs, "--out", out, "--no-reports")
    again.communicate(timeout=120)
    assert again.returncode == 0  # every unit scores
    assert published(out) == expected
    assert os.listdir(out / ".appraisal" / "runs") == [current_run(out).name]  # type: ignore[union-attr]


def test_a_killed_run_with_reports_leaves_the_previous_run_whole_and_the_next_resumes(tmp_path: Path) -> None:
    out, inputs = tmp_path / "out", few_examples(tmp_path / "in", 1)
    reference = tmp_path / "reference"
    run([inputs], reference, None, reports=ReportSettings())  # uninterrupted; each unit by its own year, as the command
    run([inputs], out, None)
    before = published(out)
    process = start("run", inputs, "--out", out, "--jobs", "2")
    cached = out / ".appraisal" / "cache" / "reports"
    wait_for(lambda: any(cached.glob("[!.]*")), what="a report")
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    assert published(out) == before and verify(out) == []
    assert not (out / "reports").exists()
    assert any((out / ".appraisal" / "runs").glob("*.partial"))  # what the kill left ...
    rendered = {p.name: p.stat().st_ino for p in cached.glob("[!.]*")}
    run([inputs], out, None, reports=ReportSettings())
    assert not any((out / ".appraisal" / "runs").glob("*.partial"))  # ... the next run removes
    assert published(out) == published(reference)  # and it completes the set: the uninterrupted bytes
    # the reports rendered before the kill were kept, not rendered again
    assert {p.name: p.stat().st_ino for p in cached.glob("[!.]*") if p.name in rendered} == rendered


def test_leftovers_of_earlier_versions_are_removed_and_never_read_as_input(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps(unit(unit_id="a")), encoding="utf-8")
    out = folder / "out"  # the output inside the input, as the demo has it
    stale = out / ".scorecards.x1.new"
    stale.mkdir(parents=True)
    (stale / "ghost.json").write_text(json.dumps(unit(unit_id="ghost")), encoding="utf-8")
    staged = folder / ".reports.y2.new"  # a stale staging folder inside the input
    staged.mkdir()
    (staged / "ghost2.json").write_text(json.dumps(unit(unit_id="ghost2")), encoding="utf-8")
    result = run([folder], out, load_rubric(MINI))
    assert [c.unit_id for c in result.scorecards] == ["a"]
    assert not stale.exists()
    assert sorted(p.name for p in (out / "scorecards").iterdir()) == ["a.json"]
    assert run([folder], out, load_rubric(MINI)).scorecards[0].unit_id == "a"  # its own output is not read back


@pytest.mark.parametrize("name", ["scorecards", "summary.csv", "reports", "summary-2025.pdf"])
def test_a_file_the_run_did_not_write_under_a_published_name_is_refused_not_deleted(tmp_path: Path, name: str) -> None:
    """The user's own file or folder where a run publishes (or an input folder given as --out): the run refuses
    before it starts, naming it, and leaves it as it was; moved away, the run goes on."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps(unit(unit_id="a")), encoding="utf-8")
    out = tmp_path / "out"
    run([folder], out, load_rubric(MINI))
    theirs = out / name
    if os.path.lexists(theirs):  # the run's own link: the user puts theirs in its place
        theirs.unlink()
    if "." in name:
        theirs.write_text("the user's own\n", encoding="utf-8")
    else:
        theirs.mkdir()
        (theirs / "minutes-2025.docx").write_text("the user's own\n", encoding="utf-8")
    before = published(out)
    with pytest.raises(OutputError, match=rf"^{re.escape(str(theirs))}: not a file of an appraisal run .*--out$"):
        run([folder], out, load_rubric(MINI))
    kept = theirs if theirs.is_file() else theirs / "minutes-2025.docx"
    assert kept.read_text(encoding="utf-8") == "the user's own\n"
    assert published(out) == before  # the last run as it was
    if theirs.is_dir():
        shutil.rmtree(theirs)
    else:
        theirs.unlink()
    assert run([folder], out, load_rubric(MINI)).scorecards[0].unit_id == "a"


def test_an_input_folder_given_as_its_own_out_is_refused_when_it_holds_a_published_name(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / "scorecards").mkdir(parents=True)
    (folder / "scorecards" / "county-01.json").write_text(json.dumps(unit(unit_id="c")), encoding="utf-8")
    (folder / "a.json").write_text(json.dumps(unit(unit_id="a")), encoding="utf-8")
    with pytest.raises(OutputError, match="scorecards: not a file of an appraisal run"):
        run([folder], folder, load_rubric(MINI))
    assert (folder / "scorecards" / "county-01.json").is_file()


def test_the_lock_is_reentrant_in_one_process_only(tmp_path: Path) -> None:
    with output_lock(tmp_path), output_lock(tmp_path):
        holder = json.loads((tmp_path / ".appraisal" / "lock").read_text())
        assert holder["pid"] == os.getpid()


def test_the_manifest_is_written_in_pieces_as_json_dumps_writes_it_whole() -> None:
    from appraisal.batch.publish import _manifest_json

    files = {"scorecards/b.json": "2" * 64, "errors.json": "1" * 64, "scorecards/a\u4e2d.json": "3" * 64}
    inputs = [{"name": "x\ny.json", "sha256": None, "bytes": None}, {"name": "é.json", "sha256": "ab", "bytes": 3}]
    inputs += [{"name": 'q"\\\x01\u2028\U0001f600\t.json', "sha256": "cd", "bytes": 0, "flag": True}, {}]
    cases: list[dict[str, Any]] = [
        {"format": "f", "inputs": inputs, "files": files, "reports": {"lang": "zh", "options": {"b": [1, 2], "a": {}}}},
        {"inputs": [], "files": {}, "reports": None, "rubrics": [{"id": "r", "year": 2026}], "scored": 0, "x": {}},
        {"files": {}},
        {"files": {"a": None}, "inputs": [{"n": 1.5, "z": [1]}, {"k": {"a": None}}], "scored": False},
    ]
    for manifest in cases:
        whole = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        lazy = {
            **manifest,
            "inputs": iter(manifest.get("inputs", [])),
            "files": iter(sorted(manifest["files"].items())),
        }
        if "inputs" not in manifest:
            del lazy["inputs"]
        assert "".join(_manifest_json(lazy)) == whole
        assert "".join(_manifest_json(manifest)) == whole

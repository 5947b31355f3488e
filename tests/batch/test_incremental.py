"""Re-running the same command redoes only what changed: files re-scored when their bytes or the rubric changed,
reports re-rendered when their content changed; the result is always the bytes of a fresh run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from tests.batch.processes import few_examples
from tests.batch.test_publish import published
from tests.builders import MINI, shipped

from appraisal import load_rubric
from appraisal.batch import ReportSettings, run

pytestmark = pytest.mark.slow  # started first by make test (tests/conftest.py)


def inodes(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_ino for p in folder.iterdir()}


def entries(out: Path) -> dict[str, int]:
    return inodes(out / ".appraisal" / "cache" / "files")


def test_an_unchanged_rerun_scores_and_renders_nothing_again(tmp_path: Path) -> None:
    inputs, out = few_examples(tmp_path / "in", 1), tmp_path / "out"
    run([inputs], out, shipped(), reports=ReportSettings())
    first, scored, reports = published(out), entries(out), inodes(out / "reports")
    run([inputs], out, shipped(), reports=ReportSettings())
    assert published(out) == first
    assert entries(out) == scored  # no cache entry rewritten: no file scored again
    assert inodes(out / "reports") == reports  # the same files, linked again: no report rendered again


def test_other_code_under_the_same_version_scores_and_renders_everything_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache's keys hold the package's code (``code_sha256``), not only its version: a fix installed in place
    (or an editable install's next commit) never serves the results of the code before it."""
    from appraisal.batch import cache

    inputs, out = few_examples(tmp_path / "in", 1), tmp_path / "out"
    run([inputs], out, shipped(), reports=ReportSettings())
    scored, reports = entries(out), inodes(out / "reports")
    monkeypatch.setattr(cache, "code_sha256", lambda: "0" * 64)  # the digest another build of the code gives
    run([inputs], out, shipped(), reports=ReportSettings())
    assert not set(entries(out)) & set(scored)  # every file scored again, under new keys
    now = inodes(out / "reports")
    assert now.keys() == reports.keys() and all(now[name] != reports[name] for name in now)  # all rendered again


def test_one_changed_input_is_rescored_and_only_changed_reports_rerendered(tmp_path: Path) -> None:
    inputs, out = few_examples(tmp_path / "in", 1), tmp_path / "out"
    run([inputs], out, shipped(), reports=ReportSettings())
    scored, reports = entries(out), inodes(out / "reports")
    county = json.loads((inputs / "county-01.json").read_text(encoding="utf-8"))
    county["name"] = "Renamed county federation"  # the same points: no other unit's rank or peers move
    (inputs / "county-01.json").write_text(json.dumps(county, ensure_ascii=False), encoding="utf-8")
    run([inputs], out, shipped(), reports=ReportSettings())
    fresh = tmp_path / "fresh"
    run([inputs], fresh, shipped(), reports=ReportSettings())
    assert published(out) == published(fresh)  # the same bytes as a run from nothing
    assert len(set(entries(out).items()) - set(scored.items())) == 1  # one file scored again
    now = inodes(out / "reports")
    assert {name for name in now if now[name] != reports.get(name)} == {"county-01.pdf"}
    assert (out / "summary.pdf").stat().st_ino != (fresh / "summary.pdf").stat().st_ino


def test_a_changed_points_value_rerenders_the_reports_whose_ranks_or_peers_moved(tmp_path: Path) -> None:
    inputs, out = few_examples(tmp_path / "in", 3, ("county",)), tmp_path / "out"
    run([inputs], out, shipped(), reports=ReportSettings())
    before = {p.name: p.read_bytes() for p in (out / "scorecards").iterdir()}
    reports = inodes(out / "reports")
    (inputs / "county-01.json").unlink()  # the other county's rank and peers change
    run([inputs], out, shipped(), reports=ReportSettings())
    fresh = tmp_path / "fresh"
    run([inputs], fresh, shipped(), reports=ReportSettings())
    assert published(out) == published(fresh)
    after = {p.name: p.read_bytes() for p in (out / "scorecards").iterdir()}
    changed = {name.removesuffix(".json") for name in after if after[name] != before[name]}
    assert changed  # some scorecards moved with the removed unit
    now = inodes(out / "reports")
    assert {n.removesuffix(".pdf") for n in now if now[n] != reports[n]} == changed


def test_a_changed_rubric_rescores_every_file(tmp_path: Path) -> None:
    inputs, out = few_examples(tmp_path / "in"), tmp_path / "out"
    rubric_dir = tmp_path / "rubric"
    shutil.copytree(MINI, rubric_dir)
    run([inputs], out, load_rubric(rubric_dir))
    scored = entries(out)
    manifest = rubric_dir / "rubric.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + "\n# a comment: another sha256\n", encoding="utf-8")
    run([inputs], out, load_rubric(rubric_dir))
    assert not set(entries(out)) & set(scored)  # every entry is new, the old ones pruned
    fresh = tmp_path / "fresh"
    run([inputs], fresh, load_rubric(rubric_dir))
    assert published(out) == published(fresh)


def test_workers_cache_under_the_runs_key_so_a_rerun_finds_every_file(tmp_path: Path) -> None:
    """Each unit scored by its own year (no rubric given) in two workers: their cache entries are under the key
    the run looks up, so a re-run finds every file here and starts no worker (it once missed them all)."""
    from tests.batch.test_publish import many_units

    from appraisal.batch.cache import Cache, rubric_key
    from appraisal.batch.run import PARALLEL_FROM

    inputs, out = many_units(tmp_path / "in", 2), tmp_path / "out"
    files = sorted(inputs.iterdir())
    assert len(files) >= PARALLEL_FROM  # enough files for the workers to be used
    run([inputs], out, jobs=2)
    cache = Cache(out / ".appraisal" / "cache", rubric_key(None))
    assert set(entries(out)) == {cache.file_key(p.name, p.read_bytes()) for p in files}


@pytest.mark.parametrize("cut", [1, 200])
def test_a_cut_cache_entry_is_a_miss_and_scored_again(tmp_path: Path, cut: int) -> None:
    """An entry that lost its end (a disk that filled, a copy cut short) is not whole: the re-run scores that file
    again, as for a file it never saw, instead of failing when it writes the scorecards."""
    inputs, out = few_examples(tmp_path / "in", 1), tmp_path / "out"
    run([inputs], out, shipped())
    first = published(out)
    entry = max((out / ".appraisal" / "cache" / "files").iterdir(), key=lambda p: p.name)
    data = entry.read_bytes()
    entry.write_bytes(data[:-cut])
    run([inputs], out, shipped())
    assert published(out) == first
    assert entry.read_bytes() == data  # scored again and stored whole

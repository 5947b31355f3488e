"""Final scorecards and reports are linked from the cache: cheap to publish and to remove, never stale."""

from __future__ import annotations

import json
import os
from pathlib import Path

from appraisal.batch import ReportSettings, run
from appraisal.batch.publish import verify

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "appraisal" / "examples"


def _inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("county-01.json", "township-02.json", "village-003.yaml"):
        (folder / name).write_bytes((EXAMPLES / name).read_bytes())
    return folder


def test_scorecards_are_links_to_the_cache_and_an_edited_one_is_not_reused(tmp_path: Path) -> None:
    folder, out = _inputs(tmp_path), tmp_path / "out"
    run([folder], out, reports=None)
    first = {p.name: p.read_bytes() for p in (out / "scorecards").iterdir()}
    run([folder], out, reports=None)
    card = out / "scorecards" / "county-01.json"
    assert card.stat().st_nlink == 2  # the run's name and the cache's
    assert {p.name: p.read_bytes() for p in (out / "scorecards").iterdir()} == first
    # someone edits the published scorecard in place: the cache's entry changes with it (one file) ...
    with open(card, "r+b") as handle:
        handle.write(b"[")
    run([folder], out, reports=None)
    # ... and the next run writes the card afresh rather than publishing the edited bytes
    assert {p.name: p.read_bytes() for p in (out / "scorecards").iterdir()} == first
    assert verify(out) == []
    assert json.loads(card.read_bytes())["unit_id"] == "county-01"
    entries = list((out / ".appraisal" / "cache" / "cards").iterdir())
    assert len(entries) == 3 and all(os.stat(e).st_nlink == 2 for e in entries)  # the edited one pruned


def test_a_report_edited_in_place_is_rendered_again_not_reused(tmp_path: Path) -> None:
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    (folder / "county-01.json").write_bytes((EXAMPLES / "county-01.json").read_bytes())
    run([folder], out, reports=ReportSettings())
    report = out / "reports" / "county-01.pdf"
    first = report.read_bytes()
    assert report.stat().st_nlink == 2  # the run's name and the cache's
    with open(report, "r+b") as handle:  # someone annotates the published PDF in place: the cache's copy too
        handle.seek(len(first) - 8)
        handle.write(b"%edited\n")
    run([folder], out, reports=ReportSettings())
    assert report.read_bytes() == first  # rendered again from the scorecard, not the edited bytes
    assert verify(out) == []
    entries = list((out / ".appraisal" / "cache" / "reports").iterdir())
    published = [*out.glob("*.pdf"), *out.glob("reports/*.pdf")]  # the report, the summary, the decision
    assert len(entries) == len(published) == 3  # the edited copy pruned
    assert all(e.stat().st_nlink == 2 for e in entries)

"""Final scorecards are linked from the cache's content store: cheap to publish and to remove, never stale."""

from __future__ import annotations

import json
import os
from pathlib import Path

from appraisal.batch import run
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

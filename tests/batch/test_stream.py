"""A run without reports is streamed: the scorecards it writes are the library's bytes, and its memory does not
grow with the number of units (each unit's standing only is kept)."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest
import yaml
from tests.batch.test_publish import many_units, published
from tests.builders import shipped

from appraisal import load_rubric
from appraisal.batch import appraise_batch, run
from appraisal.batch.stream import final_json
from appraisal.batch.synthetic import synthetic_units
from appraisal.scoring import Scorecard
from appraisal.scoring.appraise import score_or_reject
from appraisal.scoring.rank import decide, rank_and_commend, standing
from appraisal.submission import load_submissions

pytestmark = pytest.mark.slow  # started first by make test (tests/conftest.py)


def _synthetic(folder: Path, count: int, seed: int = 2026, prefix: str = "") -> Path:
    folder.mkdir()
    for data in synthetic_units(count, shipped(), seed):
        data["unit_id"] = prefix + data["unit_id"]
        (folder / f"{data['unit_id']}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return folder


def test_final_json_fills_in_the_ranking_as_to_json_writes_it(tmp_path: Path) -> None:
    rubric = shipped()
    units, _ = load_submissions([_synthetic(tmp_path / "in", 120)])
    cards = [score_or_reject(unit, rubric) for unit in units]  # before ranking: what the cache holds
    assert all(isinstance(card, Scorecard) and card.rank is None for card in cards)
    scored = [card for card in cards if isinstance(card, Scorecard)]
    decisions = decide([standing(card) for card in scored], rubric)
    for before, after in zip(scored, rank_and_commend(scored, rubric), strict=True):
        assert final_json(before.to_json(), decisions[before.unit_id]) == after.to_json()
    with pytest.raises(ValueError, match="before ranking"):
        final_json(rank_and_commend(scored, rubric)[0].to_json(), decisions[scored[0].unit_id])


def test_a_streamed_run_writes_the_scorecards_the_library_makes(tmp_path: Path) -> None:
    inputs = many_units(tmp_path / "in", 1)
    result = run([inputs], tmp_path / "out")
    units, _ = load_submissions([inputs])
    expected = {f"scorecards/{c.unit_id}.json": c.to_json().encode() for c in appraise_batch(units, None).scorecards}
    written = {k: v for k, v in published(tmp_path / "out").items() if k.startswith("scorecards/")}
    assert written == expected
    assert [c.to_json().encode() for c in result.scorecards] == list(expected.values())  # read back in order
    assert [u.rank for u in result.units] == [c.rank for c in result.scorecards]


def _peak(folder: Path, out: Path) -> int:
    tracemalloc.start()
    try:
        run([folder], out)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_units_of_a_streamed_run(tmp_path: Path) -> None:
    folders = {n: _synthetic(tmp_path / f"in{n}", n) for n in (150, 600)}
    # untraced (tracing is slow): rubric, models and engine loaded, and the scoring's bounded caches by value
    # filled by as many other units (other values, other ids), whatever tests ran before in this process
    run([_synthetic(tmp_path / "other", 600, seed=7, prefix="other-")], tmp_path / "warm")
    small, large = _peak(folders[150], tmp_path / "small"), _peak(folders[600], tmp_path / "large")
    per_unit = (large - small) / 450
    # each unit kept in the run's ledger, and the ranking's and summary's passing peak: 1,435 bytes a unit measured
    # at these sizes (1,935 before the ledger, when each unit kept a Standing and each file a Kept); a scorecard
    # is about 190 KB
    print(f"{per_unit:.0f} bytes a unit")
    assert per_unit < 2_500, f"{per_unit:.0f} bytes a unit"


def test_a_streamed_run_ranks_on_item_and_group_tie_breaks_as_the_library_does(tmp_path: Path) -> None:
    """The county-township fixture breaks ties on item:K01 and group:routine: a standing carries those points,
    through the cache too (the second run reads every unit from it)."""
    fixture = Path(__file__).parents[1] / "fixtures" / "rubrics" / "county-township"
    rubric = load_rubric(fixture)
    cases = yaml.safe_load((fixture / "cases" / "cases.yaml").read_text(encoding="utf-8"))
    inputs = tmp_path / "in"
    inputs.mkdir()
    for i, case in enumerate(cases * 3):  # each case three times over: ties everywhere
        data = dict(case["submission"], unit_id=f"u{i:02d}", name=f"Unit {i:02d}")
        (inputs / f"u{i:02d}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    units, _ = load_submissions([inputs], rubric=rubric)
    expected = {card.unit_id: card.rank for card in appraise_batch(units, rubric).scorecards}
    assert any(name.startswith("item:") for name in rubric.manifest.commendation.tie_break)
    for _ in range(2):
        result = run([inputs], tmp_path / "out", rubric=rubric)
        assert {unit.unit_id: unit.rank for unit in result.units} == expected
        assert all(unit.tie_keys == ("item:K01", "group:routine") for unit in result.units)


def test_a_streamed_run_of_files_holding_lists_ranks_and_writes_as_the_library_does(tmp_path: Path) -> None:
    """Units of a list file are named ``file[i]``; one repeats another file's id, one is invalid: the run
    writes the scorecards ``appraise_batch`` makes of what ``load_submissions`` reads, and rejects the same."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    units = list(synthetic_units(6, load_rubric()))
    for data in units[:3]:
        (inputs / f"{data['unit_id']}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    listed = [units[3], dict(units[0], name="again"), {**units[4], "year": "x"}, units[5]]
    (inputs / "list.json").write_text(json.dumps(listed, ensure_ascii=False), encoding="utf-8")
    result = run([inputs], tmp_path / "out")
    loaded, rejected = load_submissions([inputs])
    expected = appraise_batch(loaded, None)
    written = {k: v for k, v in published(tmp_path / "out").items() if k.startswith("scorecards/")}
    assert written == {f"scorecards/{c.unit_id}.json": c.to_json().encode() for c in expected.scorecards}
    assert sorted(e.source for e in result.rejected) == sorted(e.source for e in [*rejected, *expected.rejected])
    assert {u.unit_id: u.rank for u in result.units} == {c.unit_id: c.rank for c in expected.scorecards}

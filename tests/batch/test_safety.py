"""The library validates what it is handed, and writes nothing outside the output folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.builders import MINI, make

import appraisal
from appraisal import InputError, Rubric
from appraisal.batch import appraise_batch, run, worker_pool, write_results
from appraisal.errors import OutputError
from appraisal.scoring.appraise import Appraisals


def test_a_unit_id_changed_by_model_copy_is_refused_before_scoring(mini: Rubric) -> None:
    good = make(unit_id="good")
    escaping = good.model_copy(update={"unit_id": "../../x"})
    with pytest.raises(InputError, match=r"unit_id: must start with a letter, digit or _"):
        appraisal.appraise(escaping, mini)
    result = appraisal.appraise_many([good, escaping], mini)
    assert [c.unit_id for c in result.scorecards] == ["good"]
    (rejected,) = result.rejected
    assert rejected.lines() == [
        '../../x: unit_id: must start with a letter, digit or _ and hold only letters, digits, . _ - (got "../../x")'
    ]


def test_a_model_construct_submission_is_an_input_error_not_a_key_error(mini: Rubric) -> None:
    built = type(make()).model_construct(unit_id="c-1", name="Constructed")  # no org_type, year, date
    with pytest.raises(InputError) as caught:
        appraisal.appraise(built, mini)
    assert str(caught.value).startswith("c-1: ")
    serial = appraise_batch([built], mini)
    with worker_pool(2, mini) as pool:
        parallel = appraise_batch([built], mini, pool=pool)
    assert not serial.scorecards and not parallel.scorecards
    assert [e.lines() for e in serial.rejected] == [e.lines() for e in parallel.rejected] != []
    with pytest.raises(InputError, match="not a submission"):
        appraisal.appraise_many([{"unit_id": "x"}], mini)  # type: ignore[list-item]


def test_out_of_bounds_values_set_by_model_copy_are_refused(mini: Rubric) -> None:
    unit = make(leadership={"working_meetings": 2})
    changed = unit.model_copy(update={"year": -5})
    with pytest.raises(InputError, match="year"):
        appraisal.appraise(changed, mini)


def test_write_results_refuses_a_scorecard_whose_id_would_leave_the_folder(tmp_path: Path, mini: Rubric) -> None:
    card = appraisal.appraise(make(unit_id="ok"), mini)
    out = tmp_path / "deep" / "out"
    for unsafe in ("../../x", "/etc/passwd", "..", "a/b", "x\n"):
        escaping = card.model_copy(update={"unit_id": unsafe})
        with pytest.raises(OutputError, match="not a safe file name"):
            write_results(Appraisals([card, escaping]), out)
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["lock"]  # nothing was written
    write_results(Appraisals([card]), out)
    assert json.loads((out / "scorecards" / "ok.json").read_text())["unit_id"] == "ok"


def test_a_run_writes_only_inside_its_output_folder(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps({**make(unit_id="a").model_dump(mode="json")}), encoding="utf-8")
    before = {p for p in tmp_path.rglob("*")}
    run([folder], tmp_path / "out", appraisal.load_rubric(MINI))
    assert all(p.is_relative_to(tmp_path / "out") for p in set(tmp_path.rglob("*")) - before)

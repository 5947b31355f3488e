"""Golden case files are read like the rest of the folder: only regular files, size-checked, never waited on."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from appraisal import RubricError, load_rubric
from appraisal.resources import bundled
from appraisal.scoring.cases import run_cases


@pytest.mark.parametrize(
    ("make_file", "message"),
    [
        (lambda p: os.mkfifo(p), "a named pipe (FIFO), not a file: not read"),
        (lambda p: p.symlink_to("/dev/zero"), "a device, not a file: not read"),
    ],
)
def test_a_fifo_or_a_device_among_the_cases_is_refused_not_waited_on(
    tmp_path: Path, make_file: object, message: str
) -> None:
    folder = tmp_path / "2026"
    shutil.copytree(bundled("scoring_rules") / "2026", folder)
    make_file(folder / "cases" / "zz-extra.yaml")  # type: ignore[operator]
    with pytest.raises(RubricError) as caught:
        run_cases(load_rubric(folder))
    assert any(message in str(p) and "zz-extra.yaml" in str(p) for p in caught.value.problems), caught.value.problems

"""A whole run: input files in, ``scorecards/``, ``summary.csv`` and ``errors.json`` written out.

Every file is written atomically (a temporary file in the same folder, then a rename), and the scorecards
folder is swapped in whole, so an interrupted run leaves the previous results or the new ones, never a mix
or a half-written file. One rejected unit never costs the others their results.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .rubric import Rubric
from .scoring import Scorecard
from .scoring.appraise import Appraisals, appraise_many
from .submission import ORG_TYPES, expand, load_submissions

SUMMARY_HEADER = ("unit_id", "name", "org_type", "total", "grade", "vetoed", "commended", "rank")


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def summary_csv(cards: Sequence[Scorecard]) -> bytes:
    """``summary.csv``: UTF-8 with BOM, rows by org type then rank, booleans as true/false."""
    order = {org: i for i, org in enumerate(ORG_TYPES)}
    rows = sorted(cards, key=lambda c: (order.get(c.org_type, len(order)), c.rank or 0, c.unit_id))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(SUMMARY_HEADER)
    for c in rows:
        writer.writerow(
            [
                c.unit_id,
                c.name,
                c.org_type,
                f"{c.total:g}",
                c.grade,
                str(c.vetoed).lower(),
                str(c.commended).lower(),
                "" if c.rank is None else c.rank,
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def errors_json(rejected: Iterable[InputError]) -> bytes:
    return (json.dumps([e.as_dict() for e in rejected], ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _swap_in(folder: Path, files: dict[str, bytes]) -> None:
    """Replace ``folder`` with one holding exactly ``files``, built aside and renamed into place."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        for name, data in files.items():
            (staging / name).write_bytes(data)
        old = None
        if folder.exists():
            old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
            folder.rename(old)
        staging.rename(folder)
        if old is not None:
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


@dataclass(frozen=True)
class RunResult:
    """What a run did: the scorecards, the rejected inputs, and where the files went."""

    appraisals: Appraisals
    out: Path
    inputs: int

    @property
    def scorecards(self) -> list[Scorecard]:
        return self.appraisals.scorecards

    @property
    def rejected(self) -> list[InputError]:
        return self.appraisals.rejected


def load_and_appraise(inputs: Sequence[str | Path], rubric: Rubric) -> tuple[Appraisals, int]:
    """Load every input and score what loads; returns the results and the count of input files."""
    files = expand(inputs)
    units, rejected = load_submissions(files)
    result = appraise_many(units, rubric)
    return Appraisals(result.scorecards, [*rejected, *result.rejected]), len(files)


def write_results(appraisals: Appraisals, out: Path) -> None:
    """Write ``scorecards/<unit-id>.json``, ``summary.csv`` and ``errors.json`` under ``out``."""
    cards = {f"{c.unit_id}.json": c.to_json().encode("utf-8") for c in appraisals.scorecards}
    _swap_in(out / "scorecards", cards)
    write_atomic(out / "summary.csv", summary_csv(appraisals.scorecards))
    write_atomic(out / "errors.json", errors_json(appraisals.rejected))


def run(
    inputs: Sequence[str | Path],
    out: str | Path,
    rubric: Rubric,
    after_scoring: Callable[[Appraisals, Path], None] | None = None,
) -> RunResult:
    """Score ``inputs`` (files or folders) with ``rubric`` and write the results under ``out``."""
    appraisals, count = load_and_appraise(inputs, rubric)
    out_path = Path(out)
    write_results(appraisals, out_path)
    if after_scoring is not None:
        after_scoring(appraisals, out_path)
    return RunResult(appraisals, out_path, count)


__all__ = ["RunResult", "errors_json", "run", "summary_csv", "write_atomic", "write_results"]

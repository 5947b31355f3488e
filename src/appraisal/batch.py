"""A whole run: input files in, ``scorecards/``, ``summary.csv`` and ``errors.json`` written out.

Every file is written atomically (a temporary file in the same folder, then a rename), and the scorecards
folder is swapped in whole, so an interrupted run leaves the previous results or the new ones, never a mix
or a half-written file. One rejected unit never costs the others their results.

With ``jobs > 1`` units are scored in worker processes (spawned, each with its own durable-rules rulesets:
the engine is not thread-safe) started with the glibc malloc tunables that keep durable-rules' throughput
steady; ranks and commendation are decided afterwards over the whole run, so the results are the same bytes
whatever the number of jobs.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from .errors import InputError
from .rubric import Rubric, load_rubric
from .scoring import Scorecard, rank_and_commend
from .scoring.appraise import Appraisals, score_or_reject
from .submission import ORG_TYPES, SubmissionBase, expand, load_submissions, unique_units
from .submission.loading import validate_unit

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


TUNABLES = "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824"
_worker_rubric: Rubric | None = None


def _start_worker(path: str, sha256: str) -> None:
    global _worker_rubric
    _worker_rubric = load_rubric(path)
    if _worker_rubric.sha256 != sha256:
        raise RuntimeError(f"the rubric in {path} changed while the run was starting")


def _score_chunk(payloads: list[tuple[str, dict[str, Any]]]) -> list[Scorecard | InputError]:
    assert _worker_rubric is not None
    gc.set_threshold(50_000, *gc.get_threshold()[1:])  # see _few_collections
    results: list[Scorecard | InputError] = []
    for source, data in payloads:
        try:
            unit = validate_unit(data, source)
        except InputError as exc:
            results.append(exc)
            continue
        results.append(score_or_reject(unit, _worker_rubric))
    return results


@contextmanager
def _few_collections() -> Iterator[None]:
    """Raise the young-generation threshold while a run keeps thousands of scorecards alive: with the default
    (700) the collector rescans them so often that it costs about a quarter of the run."""
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], 50_000), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


@contextmanager
def _tunables() -> Iterator[None]:
    """glibc reads its tunables when a process starts: set them for the workers about to be spawned."""
    before = os.environ.get("GLIBC_TUNABLES")
    os.environ["GLIBC_TUNABLES"] = before or TUNABLES
    try:
        yield
    finally:
        if before is None:
            del os.environ["GLIBC_TUNABLES"]


def _chunks(units: Sequence[SubmissionBase], size: int) -> list[list[tuple[str, dict[str, Any]]]]:
    payloads = [(u.source, u.model_dump(mode="json", exclude_none=True)) for u in units]
    return [payloads[i : i + size] for i in range(0, len(payloads), size)]


def appraise_batch(
    submissions: Sequence[SubmissionBase], rubric: Rubric, *, jobs: int = 1, chunk: int = 200, progress: bool = False
) -> Appraisals:
    """``appraise_many`` over ``jobs`` worker processes, with a progress bar on request; same results."""
    units, rejected = unique_units(submissions)
    cards: list[Scorecard] = []
    bar = tqdm(total=len(units), unit="unit", disable=not progress, file=sys.stderr)
    if jobs <= 1 or len(units) <= chunk:
        with _few_collections():
            outcomes = _collect(([score_or_reject(u, rubric)] for u in units), bar)
    else:
        context = multiprocessing.get_context("spawn")
        with _tunables(), ProcessPoolExecutor(jobs, context, _start_worker, (rubric.path, rubric.sha256)) as pool:
            outcomes = _collect(pool.map(_score_chunk, _chunks(units, chunk)), bar)
    bar.close()
    for outcome in outcomes:
        if isinstance(outcome, Scorecard):
            cards.append(outcome)
        else:
            rejected.append(outcome)
    return Appraisals(rank_and_commend(cards, rubric), rejected)


def _collect(batches: Iterable[list[Scorecard | InputError]], bar: Any) -> list[Scorecard | InputError]:
    collected: list[Scorecard | InputError] = []
    for batch in batches:
        collected.extend(batch)
        bar.update(len(batch))
    return collected


def load_and_appraise(
    inputs: Sequence[str | Path], rubric: Rubric, *, jobs: int = 1, progress: bool = False
) -> tuple[Appraisals, int]:
    """Load every input and score what loads; returns the results and the count of input files."""
    files = expand(inputs)
    units, rejected = load_submissions(files)
    result = appraise_batch(units, rubric, jobs=jobs, progress=progress)
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
    *,
    jobs: int = 1,
    progress: bool = False,
    after_scoring: Callable[[Appraisals, Path], None] | None = None,
) -> RunResult:
    """Score ``inputs`` (files or folders) with ``rubric`` and write the results under ``out``."""
    appraisals, count = load_and_appraise(inputs, rubric, jobs=jobs, progress=progress)
    out_path = Path(out)
    write_results(appraisals, out_path)
    if after_scoring is not None:
        after_scoring(appraisals, out_path)
    return RunResult(appraisals, out_path, count)


__all__ = ["RunResult", "errors_json", "run", "summary_csv", "write_atomic", "write_results"]

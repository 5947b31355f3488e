"""A whole run: input files in, ``scorecards/``, ``summary.csv``, ``errors.json`` and the reports written out.

Every file is written atomically (a temporary file in the same folder, then a rename), and the ``scorecards/``
and ``reports/`` folders are built aside and swapped in whole, so an interrupted run leaves the previous results
or the new ones, never a mix or a half-written file. One rejected unit never costs the others their results.

With ``jobs > 1`` units are scored and their reports rendered in worker processes (spawned: each has its own
durable-rules rulesets, since the engine is not thread-safe, and its own weasyprint caches), started with the
glibc malloc tunables that keep durable-rules' throughput steady. Ranks and commendation are decided after
scoring over the whole run, so the results are the same bytes whatever the number of jobs.
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
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from .errors import InputError
from .reports import ReportOptions, staged_folder, write_atomic, write_reports
from .reports.i18n import csv_header, csv_values
from .rubric import Rubric, load_rubric
from .scoring import Scorecard, rank_and_commend
from .scoring.appraise import Appraisals, score_or_reject
from .submission import ORG_TYPES, SubmissionBase, expand, load_submissions, unique_units
from .submission.loading import validate_unit

SUMMARY_HEADER = ("unit_id", "name", "org_type", "total", "grade", "vetoed", "commended", "rank")
TUNABLES = "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824"
CHUNK = 100  # units per task sent to a worker


# --- files ---------------------------------------------------------------------------------------------------


def _cell(text: str) -> str:
    """A name as a spreadsheet shows it, never as a formula (OWASP CSV injection: =, +, -, @ lead)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def summary_csv(cards: Sequence[Scorecard], lang: str = "en") -> bytes:
    """``summary.csv``: UTF-8 with BOM, rows by org type then rank; in English the codes and true/false, in
    Chinese the headers and values in words (单位编号 ...; 优秀; 是/否)."""
    order = {org: i for i, org in enumerate(ORG_TYPES)}
    rows = sorted(cards, key=lambda c: (order.get(c.org_type, len(order)), c.rank or 0, c.unit_id))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(csv_header(lang))
    for c in rows:
        rank = "" if c.rank is None else c.rank
        org_type, grade, vetoed, commended = csv_values(c.org_type, c.grade, c.vetoed, c.commended, lang)
        writer.writerow([c.unit_id, _cell(c.name), org_type, f"{c.total:g}", grade, vetoed, commended, rank])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def errors_json(rejected: Iterable[InputError]) -> bytes:
    return (json.dumps([e.as_dict() for e in rejected], ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def outputs(out: Path) -> list[Path]:
    """What a run writes under ``out`` that could be mistaken for input."""
    return [out / "scorecards", out / "errors.json", out / "reports"]


def write_results(appraisals: Appraisals, out: Path, lang: str = "en") -> None:
    """Write ``scorecards/<unit-id>.json``, ``summary.csv`` (in ``lang``) and ``errors.json`` under ``out``."""
    with staged_folder(out / "scorecards") as staging:
        for card in appraisals.scorecards:
            (staging / f"{card.unit_id}.json").write_bytes(card.to_json().encode("utf-8"))
    write_atomic(out / "summary.csv", summary_csv(appraisals.scorecards, lang))
    write_atomic(out / "errors.json", errors_json(appraisals.rejected))


# --- worker processes ------------------------------------------------------------------------------------------

_worker_rubric: Rubric | None = None


def _start_worker(path: str, sha256: str) -> None:
    global _worker_rubric
    gc.set_threshold(50_000, *gc.get_threshold()[1:])  # see _few_collections
    _worker_rubric = load_rubric(path)
    if _worker_rubric.sha256 != sha256:
        raise RuntimeError(f"the rubric in {path} changed while the run was starting")


def _score_chunk(payloads: list[tuple[str, dict[str, Any]]]) -> list[Scorecard | InputError]:
    assert _worker_rubric is not None
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
def worker_pool(jobs: int, rubric: Rubric) -> Iterator[Executor | None]:
    """``jobs`` spawned worker processes holding ``rubric`` (``None`` for one job: work in this process).

    glibc reads its tunables when a process starts, so they are set in the environment the workers inherit.
    """
    if jobs <= 1:
        yield None
        return
    before = os.environ.get("GLIBC_TUNABLES")
    os.environ["GLIBC_TUNABLES"] = before or TUNABLES
    try:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(jobs, context, _start_worker, (rubric.path, rubric.sha256)) as pool:
            yield pool
    finally:
        if before is None:
            os.environ.pop("GLIBC_TUNABLES", None)


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


# --- a run ------------------------------------------------------------------------------------------------------


def appraise_batch(
    submissions: Sequence[SubmissionBase],
    rubric: Rubric,
    *,
    pool: Executor | None = None,
    progress: bool = False,
    chunk: int = CHUNK,
) -> Appraisals:
    """``appraise_many``, in ``pool``'s worker processes when given, with a progress bar on request."""
    units, rejected = unique_units(submissions)
    bar = tqdm(total=len(units), unit="unit", desc="scoring", disable=not progress, file=sys.stderr)
    outcomes: list[Scorecard | InputError] = []
    with _few_collections():
        if pool is None:
            for unit in units:
                outcomes.append(score_or_reject(unit, rubric))
                bar.update()
        else:
            payloads = [(u.source, u.model_dump(mode="json", exclude_none=True)) for u in units]
            for done in pool.map(_score_chunk, [payloads[i : i + chunk] for i in range(0, len(payloads), chunk)]):
                outcomes.extend(done)
                bar.update(len(done))
    bar.close()
    cards = [o for o in outcomes if isinstance(o, Scorecard)]
    rejected += [o for o in outcomes if isinstance(o, InputError)]
    return Appraisals(rank_and_commend(cards, rubric), rejected)


@dataclass(frozen=True)
class ReportSettings:
    """Which reports a run writes: the language, the options, and where last year's scorecards are."""

    lang: str | None = None
    options: ReportOptions | None = None
    previous_dir: Path | None = None
    formats: str = "pdf"  # pdf, docx (editable copies) or both


@dataclass(frozen=True)
class RunResult:
    """What a run did: the scorecards, the rejected inputs, and where the files went."""

    appraisals: Appraisals
    out: Path
    inputs: int
    reports: list[Path]

    @property
    def scorecards(self) -> list[Scorecard]:
        return self.appraisals.scorecards

    @property
    def rejected(self) -> list[InputError]:
        return self.appraisals.rejected


def run(
    inputs: Sequence[str | Path],
    out: str | Path,
    rubric: Rubric,
    *,
    jobs: int = 1,
    progress: bool = False,
    reports: ReportSettings | None = None,
    lang: str | None = None,
) -> RunResult:
    """Score ``inputs`` (files or folders) with ``rubric`` and write the results, and the reports unless
    ``reports`` is None, under ``out``; summary.csv is in ``lang`` (default: the reports' language, else en)."""
    out_path = Path(out)
    own = outputs(out_path)  # a run's own output is never read back as input
    files = expand(inputs, exclude=own)
    units, rejected = load_submissions(inputs, exclude=own)
    written: list[Path] = []
    with worker_pool(jobs, rubric) as pool:
        scored = appraise_batch(units, rubric, pool=pool, progress=progress)
        appraisals = Appraisals(scored.scorecards, [*rejected, *scored.rejected])
        # Reports first: if one cannot be made, the previous run's files are all left as they were.
        if reports is not None:
            cards = appraisals.scorecards
            bar = tqdm(total=len(cards), unit="report", desc="reports", disable=not progress, file=sys.stderr)

            def mapper(render: Any, items: Sequence[Scorecard]) -> Iterator[Any]:
                results = pool.map(render, items, chunksize=4) if pool is not None else map(render, items)
                for pdf in results:
                    bar.update()
                    yield pdf

            written = write_reports(
                cards,
                out_path,
                reports.lang,
                options=reports.options,
                previous_dir=reports.previous_dir,
                rubric=rubric,
                mapper=mapper,
                formats=reports.formats,
            )
            bar.close()
        else:  # no report of an earlier run may stand beside these results
            shutil.rmtree(out_path / "reports", ignore_errors=True)
            (out_path / "summary.pdf").unlink(missing_ok=True)
        write_results(appraisals, out_path, lang or (reports.lang if reports else None) or "en")
    return RunResult(appraisals, out_path, len(files), written)


__all__ = ["ReportSettings", "RunResult", "appraise_batch", "errors_json", "run", "summary_csv", "write_results"]

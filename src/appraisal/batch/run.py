"""A whole run: input files in, ``scorecards/``, ``summary.csv``, ``errors.json`` and the reports written out.

The run is written aside and published whole (``publish``): an interrupted or failed run leaves the previous
results as they were, never a mix or a half-written file, and a second run on the same folder is refused while
one works. One rejected unit never costs the others their results.

With ``jobs > 1`` units are scored and their reports rendered in worker processes (``workers``). Ranks and
commendation are decided after scoring over the whole run, so the results are the same bytes whatever the
number of jobs.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import itertools
import json
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from .. import __version__
from ..errors import InputError, OutputError
from ..messages import say
from ..reports.options import FORMATS
from ..reports.table import summary_csv, summary_pieces
from ..rubric import Rubric
from ..scoring import Scorecard
from ..scoring.appraise import Appraisals, checked, rank_all, rubric_for, rubrics_of, score_or_reject
from ..scoring.rank import Standing, standing
from ..submission import SubmissionBase, unique_units
from ..submission.loading import Listed, list_named, listed_path
from .cache import Cache, FileResult, link_new, rubric_key
from .cluster import DaskExecutor
from .ledger import Ledger, Standings
from .publish import MANIFEST_FORMAT, STATE, RunFolder, current_run, output_lock, outputs
from .score import read_file
from .stream import Ranked, Task, lookup_light, rank_light, score_light, write_cards
from .workers import Workers, light_files, render_cards, score_chunk, workers, write_entries

if TYPE_CHECKING:
    from ..reports import ReportOptions

CHUNK = 100  # files per task sent to a worker
PARALLEL_FROM = 64  # fewer files to score than this are scored here: starting workers would cost more
PARALLEL_REPORTS_FROM = 8  # likewise for reports


# --- files ---------------------------------------------------------------------------------------------------


def errors_json(rejected: Iterable[InputError]) -> bytes:
    return (json.dumps([e.as_dict() for e in rejected], ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write_results(appraisals: Appraisals, out: Path, rubric: Rubric | None = None) -> None:
    """Publish ``scorecards/<unit-id>.json``, ``summary.csv`` and ``errors.json`` as ``out``'s whole run (an
    earlier run's reports go with it). A unit id that is not a safe file name is an ``OutputError``."""
    with output_lock(out), RunFolder(out) as folder:
        folder.path("scorecards").mkdir(exist_ok=True)
        for card in appraisals.scorecards:
            folder.write(card.to_bytes(), *folder.unit_file("scorecards", card.unit_id, ".json"))
        folder.write(summary_csv(appraisals.scorecards, rubric), "summary.csv")
        folder.write(errors_json(appraisals.rejected), "errors.json")
        folder.publish(_manifest(appraisals, rubric, None, None))


# --- scoring -------------------------------------------------------------------------------------------------


def _ordered(
    executor: Executor, function: Callable[..., Any], tasks: Iterable[tuple[Any, ...]], ahead: int
) -> Iterator[Any]:
    """``executor.map(function, *zip(*tasks))`` keeping at most ``ahead`` tasks queued: a run of a million files
    never holds every task (their paths) in the queue at once. Results in the order of the tasks."""
    pending: deque[Future[Any]] = deque()
    for task in tasks:
        pending.append(executor.submit(function, *task))
        if len(pending) >= ahead:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _record(ledger: Ledger, cache: Cache, rows: list[int], digests: list[bytes]) -> None:
    """The sha256 of the scorecards a task wrote, in the ledger's rows of their units, and their copies in the
    cache kept (a worker stored them: its own account of the cache is not the run's)."""
    for row, digest in zip(rows, digests, strict=True):
        ledger.record_card(row, digest)
        cache.mark_card(digest)


def _chunk_size(count: int, jobs: int, chunk: int) -> int:
    """Files per task: at most ``chunk``, and small enough that each worker gets several tasks (no worker left
    with a long last one while the others wait)."""
    return max(1, min(chunk, -(-count // (jobs * 4))))


def _on_cluster(
    found: Sequence[tuple[Listed, str]],
    ledger: Ledger,
    rubric: Rubric | None,
    cache: Cache,
    cluster: DaskExecutor,
    chunk: int,
    bar: Bar,
) -> None:
    """``_streamed``'s scoring on a Dask cluster: each file read here in order, taken from the cache or sent to
    the cluster (name, suffix, bytes) in chunks, at most a few chunks' bytes held at once."""
    sent: deque[list[tuple[int, str, str]]] = deque()  # per chunk sent: (index, name, cache key) of its files

    def chunks() -> Iterator[list[tuple[str, str, bytes]]]:
        payload: list[tuple[str, str, bytes]] = []
        places: list[tuple[int, str, str]] = []
        for index, (path, name) in enumerate(found):
            read = read_file(listed_path(path), name)
            if isinstance(read, FileResult):
                ledger.add(index, read, name)
            elif (hit := lookup_light(name, read, cache, key := cache.file_key(name, read))) is not None:
                ledger.add(index, hit, name)
            else:
                payload.append((name, os.path.splitext(path)[1], read))
                places.append((index, name, key))
                if len(payload) >= chunk:
                    sent.append(places)
                    yield payload
                    payload, places = [], []
                continue
            bar.update()
        if payload:
            sent.append(places)
            yield payload

    for done in cluster.score_light(chunks(), rubric, key=cache.rubric):
        for (index, name, key), (result, entry) in zip(sent.popleft(), done, strict=True):
            cache.store_entry(key, entry)  # the client keeps the cache: the workers need no shared storage
            ledger.add(index, dataclasses.replace(result, key=key), name)
        bar.update(len(done))


def _streamed(
    inputs: Sequence[str | Path],
    rubric: Rubric | None,
    *,
    exclude: Sequence[Path],
    cache: Cache,
    pool: Workers,
    folder: RunFolder,
    progress: bool,
    chunk: int | None = None,
    lang: str | None = None,
    cluster: DaskExecutor | None = None,
) -> Ranked:
    """A streamed run (its reports, if any, are rendered after it): every file read and scored (by the workers,
    which read the files themselves and look them up in the cache, when there are enough), ranked here on
    standings, and each final scorecard written once into ``folder`` by the workers (or here).

    With several jobs and an empty cache every file goes to the workers as its path. With entries in the cache
    (a re-run) this process reads the files in order and takes what the cache holds, until it has found
    ``PARALLEL_FROM`` files the cache does not hold: from there the workers take every remaining file, so a
    re-run that changed little starts no worker, and one that changed much is not read here first.

    On a Dask ``cluster`` this process reads every file and looks it up in the cache; the cluster's workers
    score the others, sent their bytes a few chunks at a time, and send back each file's standings and cache
    entry, which this process stores; the final scorecards are written here from the cache."""
    chunk = chunk or CHUNK  # read now: a test sets smaller chunks
    found = list_named(inputs, exclude)  # strings (and refused entries): a Path a file costs more than its name
    ledger = Ledger()  # each file's result, as it comes
    parallel = pool.jobs > 1 and len(found) >= PARALLEL_FROM
    misses: list[int] = []  # files read here that the cache does not hold (at most PARALLEL_FROM when parallel)
    handed = len(found)  # the files from this index on go to the workers unread
    bar = Bar(total=len(found), unit="file", desc=say("scoring", lang), disable=not progress, file=sys.stderr)
    with _few_collections():
        if cluster is not None:
            _on_cluster(found, ledger, rubric, cache, cluster, chunk, bar)
        elif parallel and cache.empty():
            handed = 0
        else:
            for index, (listed, name) in enumerate(found):
                if parallel and len(misses) >= PARALLEL_FROM:
                    handed = index
                    break
                path = listed_path(listed)
                read = read_file(path, name)
                if isinstance(read, FileResult):
                    ledger.add(index, read, name)
                elif not parallel:  # one job: scored here at once, its bytes not kept
                    ledger.add(index, score_light(path, name, rubric, cache, read), name)
                elif (hit := lookup_light(name, read, cache)) is not None:
                    ledger.add(index, hit, name)
                else:
                    misses.append(index)
                    continue
                bar.update()
        count = len(misses) + len(found) - handed
        todo = itertools.chain(misses, range(handed, len(found)))  # not a list: 100,000 numbers
        executor = pool.executor() if parallel and count >= PARALLEL_FROM else None
        if executor is None:
            for index in todo:
                listed, name = found[index]
                ledger.add(index, score_light(listed_path(listed), name, rubric, cache), name)
                bar.update()
        else:
            size = _chunk_size(count, pool.jobs, chunk)
            sent: deque[list[int]] = deque()

            def tasks() -> Iterator[tuple[list[tuple[Listed, str]]]]:
                while piece := list(itertools.islice(todo, size)):
                    sent.append(piece)
                    yield ([found[i] for i in piece],)

            for done in _ordered(executor, light_files, tasks(), pool.jobs * 3):
                for index, result in zip(sent.popleft(), done, strict=True):
                    ledger.add(index, result, found[index][1])
                bar.update(len(done))
        bar.close()
        found.clear()  # a run of 100,000 files: their paths need not stay
        ledger.close()
        for file in ledger.files():
            if (key := ledger.key(file)) is not None:
                cache.mark_file(key)
        ranked = rank_light(ledger, rubrics_of(ledger.shapes(), rubric))
        folder.cards = ledger  # the digests of the scorecards, recorded as they are written
        target = folder.path("scorecards")
        target.mkdir(exist_ok=True)
        if pool.started and len(ranked.standings) >= PARALLEL_FROM:
            executor = pool.executor()
            assert executor is not None
            size = _chunk_size(len(ledger), pool.jobs, chunk)
            written: deque[list[int]] = deque()

            def parts() -> Iterator[tuple[str, Task]]:
                for task, rows in ranked.tasks(size):
                    written.append(rows)  # kept here until their digests come back
                    yield str(target), task

            for digests in _ordered(executor, write_entries, parts(), pool.jobs * 3):
                _record(ledger, cache, written.popleft(), digests)
        else:
            for task, rows in ranked.tasks(chunk):
                _record(ledger, cache, rows, write_cards(cache, target, task))
    return ranked


class Bar(tqdm):  # type: ignore[misc]
    """A run's progress bar, without tqdm's monitor thread (each bar starts one, shown or not): worker
    processes are forked only from a process running a single thread (``workers.start_method``)."""

    monitor_interval = 0


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


def appraise_batch(
    submissions: Sequence[SubmissionBase],
    rubric: Rubric | None,
    *,
    pool: Executor | None = None,
    progress: bool = False,
    chunk: int = CHUNK,
    trusted: bool = False,
) -> Appraisals:
    """``appraise_many``, in ``pool``'s worker processes when given, with a progress bar on request.

    Every unit is validated again before it is scored (a model built with ``model_construct`` or changed with
    ``model_copy(update=...)`` was never validated), unless ``trusted``: the units were just validated."""
    units, rejected = unique_units(submissions)
    bar = Bar(total=len(units), unit="unit", desc="scoring", disable=not progress, file=sys.stderr)
    outcomes: list[Scorecard | InputError] = []
    with _few_collections():
        if pool is None:
            for unit in units:
                try:
                    unit = unit if trusted else checked(unit, rubric)
                    outcomes.append(score_or_reject(unit, rubric or rubric_for(unit)))
                except InputError as exc:
                    outcomes.append(exc)
                bar.update()
        else:  # the workers validate what they are sent
            payloads = [(u.source, u.model_dump(mode="json", exclude_none=True)) for u in units]
            for done in pool.map(score_chunk, [payloads[i : i + chunk] for i in range(0, len(payloads), chunk)]):
                outcomes.extend(done)
                bar.update(len(done))
    bar.close()
    cards = [o for o in outcomes if isinstance(o, Scorecard)]
    rejected += [o for o in outcomes if isinstance(o, InputError)]
    return Appraisals(rank_all(cards, rubrics_of(cards, rubric)), rejected)


# --- a run ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportSettings:
    """Which reports a run writes: the language, the options, and where last year's scorecards are."""

    lang: str | None = None
    options: ReportOptions | None = None
    previous_dir: Path | None = None
    formats: str = "pdf"  # pdf, docx (editable copies) or both


@dataclass(frozen=True)
class RunResult:
    """What a run did: the scorecards, the rejected inputs, and where the files went. A run is streamed: it keeps
    each unit's ``Standing`` only (``units``), and ``scorecards`` reads them back from the published run when
    asked."""

    appraisals: Appraisals
    out: Path
    inputs: int
    reports: list[Path]
    standings: Sequence[Standing] | None = None  # a streamed run's units (made from its ledger as they are read)

    @property
    def units(self) -> Sequence[Standing]:
        """Each scored unit's grade, rank, commendation and veto (what summary.csv shows), in input order."""
        if self.standings is not None:
            return self.standings
        return [standing(card) for card in self.appraisals.scorecards]

    @property
    def scorecards(self) -> list[Scorecard]:
        """The scorecards, in input order (a streamed run's read from ``out``'s published run)."""
        if self.standings is None:
            return self.appraisals.scorecards
        root = current_run(self.out)
        if root is None:
            return []
        folder = root / "scorecards"
        return [Scorecard.model_validate_json((folder / f"{s.unit_id}.json").read_bytes()) for s in self.standings]

    @property
    def rejected(self) -> list[InputError]:
        return self.appraisals.rejected


def _manifest(
    appraisals: Appraisals,
    rubric: Rubric | None,
    ledger: Ledger | None,
    reports: ReportSettings | None,
    units: Standings | None = None,
) -> dict[str, Any]:
    """What the run was made from: the inputs' and the rubric's sha256, and the report settings."""
    manifest: dict[str, Any] = {
        "format": MANIFEST_FORMAT,
        "appraisal": __version__,
        "inputs": (ledger.record(f) for f in ledger.files()) if ledger is not None else iter(()),  # as written
        "scored": len(appraisals.scorecards if units is None else units),
        "rejected": len(appraisals.rejected),
        "reports": None,
    }
    used = rubrics_of(appraisals.scorecards if units is None else units.shapes(), rubric)
    manifest["rubrics"] = [
        {"id": r.id, "version": r.manifest.version, "year": r.year, "sha256": r.sha256} for r in used
    ]
    if reports is not None:
        options = reports.options.model_dump(mode="json") if reports.options is not None else None
        previous = str(reports.previous_dir) if reports.previous_dir is not None else None
        manifest["reports"] = {"lang": reports.lang, "options": options, "previous": previous}
    return manifest


def run(
    inputs: Sequence[str | Path],
    out: str | Path,
    rubric: Rubric | None = None,
    *,
    jobs: int = 1,
    progress: bool = False,
    reports: ReportSettings | None = None,
    cluster: DaskExecutor | None = None,
    lang: str | None = None,
) -> RunResult:
    """Score ``inputs`` (files or folders) with ``rubric`` (default: each unit by its own year's bundled one) and
    publish the results, and the reports unless ``reports`` is None, as ``out``'s whole run. Another run
    working on ``out`` is an ``OutputError``.

    What an earlier run on ``out`` (finished or killed) already did is reused: files whose bytes, name and rubric
    are unchanged are not scored again, and reports whose content is unchanged are not rendered again.

    ``cluster`` (a ``DaskExecutor``) scores and renders on a Dask cluster instead of local worker processes, with
    the same bytes; this process still reads the inputs and writes everything (docs/scale.md). summary.csv is in
    ``lang`` (default: the reports' language, else English)."""
    out_path = Path(out)
    with output_lock(out_path):
        cache = Cache(out_path / STATE / "cache", rubric_key(rubric))
        lang = lang or (reports.lang if reports is not None else None) or "en"
        return _run_streamed(inputs, out_path, rubric, cache, jobs, progress, lang, cluster, reports)


def _run_streamed(
    inputs: Sequence[str | Path],
    out: Path,
    rubric: Rubric | None,
    cache: Cache,
    jobs: int,
    progress: bool,
    lang: str,
    cluster: DaskExecutor | None,
    reports: ReportSettings | None,
) -> RunResult:
    """``run`` streamed (``_streamed``), then its reports unless ``reports`` is None (rendered by the workers or
    the cluster from the scorecards written, a few in flight at a time), published whole."""
    jobs = 1 if cluster is not None else jobs
    with workers(jobs, rubric, cache, renders=reports is not None) as pool, RunFolder(out) as folder:
        ranked = _streamed(
            inputs,
            rubric,
            exclude=outputs(out),
            cache=cache,
            pool=pool,
            folder=folder,
            progress=progress,
            lang=lang,
            cluster=cluster,
        )
        streamed = Appraisals([], ranked.rejected)
        try:
            with open(folder.path("summary.csv"), "wb", buffering=1 << 20) as csv_file:
                for piece in summary_pieces(ranked.standings, rubric, lang):  # never the whole text at once
                    csv_file.write(piece)
        except OSError as exc:
            raise OutputError(f"{out / 'summary.csv'}: cannot write: {exc.strerror or exc}") from exc
        folder.write(errors_json(ranked.rejected), "errors.json")
        written: list[Path] = []
        if reports is not None:
            written = _write_reports(folder, ranked.standings, rubric, reports, pool, cluster, cache, progress)
        count = len(ranked.ledger)
        folder.publish(_manifest(streamed, rubric, ranked.ledger, reports, ranked.standings))
    cache.prune()
    return RunResult(streamed, out, count, written, ranked.standings)


def _previous(previous_dir: Path | None, unit_id: str) -> bytes:
    """The bytes of the unit's scorecard in last year's folder, as ``previous_scorecard`` finds it (or none)."""
    if previous_dir is None:
        return b""
    for candidate in (previous_dir / "scorecards" / f"{unit_id}.json", previous_dir / f"{unit_id}.json"):
        if candidate.is_file():
            return candidate.read_bytes()
    return b""


def _written(folder: RunFolder, unit_id: str) -> bytes:
    """The sha256 (raw) of the unit's scorecard, as the run wrote it."""
    digest = folder.cards.get(unit_id)
    assert digest is not None, "every ranked unit's scorecard is written before its report"
    return digest


def _write_reports(
    folder: RunFolder,
    units: Sequence[Standing],
    rubric: Rubric | None,
    reports: ReportSettings,
    pool: Workers,
    cluster: DaskExecutor | None,
    cache: Cache,
    progress: bool,
) -> list[Path]:
    """Every unit's report (in each format asked for), and per year the summary and the commendation decision,
    in the run's folder, rendering only those whose content changed since they were last rendered (the rest are
    linked from the cache); their paths as published.

    A report's content is named by the sha256 of the final scorecards it shows (the run folder's, recorded as they
    were written; ``units`` are the run's units in order). The scorecards are read from the run's folder only for
    the reports to render, one at a time: a unit's report by whoever renders it (workers, the cluster, or here),
    a year's summary and decision here, one pass each. A re-run after one change renders that unit's report, the
    summary and the decision; a re-run with nothing changed reads none and imports no renderer."""
    formats = FORMATS[reports.formats]
    options = reports.options.model_dump_json() if reports.options is not None else ""
    settings = json.dumps([reports.lang, options, str(reports.previous_dir or "")])
    digests = [_written(folder, unit.unit_id) for unit in units]
    unit_keys = {
        kind: [
            cache.report_key(f"report.{kind}", settings, [digest, _previous(reports.previous_dir, unit.unit_id)])
            for unit, digest in zip(units, digests, strict=True)
        ]
        for kind in formats
    }
    missing = [i for i in range(len(units)) if any(cache.report(unit_keys[k][i]) is None for k in formats)]
    # per year: the summary, and the decision naming the year's commended units (summary.pdf, or summary-<year>.pdf
    # for each year of a run that holds several)
    years = sorted({unit.year for unit in units})
    runs: list[tuple[str, str, int, str]] = []  # (document, file name, year, cache key)
    for year in years:
        of_year = [d for d, u in zip(digests, units, strict=True) if u.year == year]
        suffix = "" if len(years) == 1 else f"-{year}"
        commended = any(u.commended for u in units if u.year == year)
        for document in ("summary", "decision") if commended else ("summary",):
            for kind in formats:
                key = cache.report_key(f"{document}.{kind}", settings, of_year)
                runs.append((document, f"{document}{suffix}.{kind}", year, key))
    if missing or any(cache.report(key) is None for *_, key in runs):
        from ..reports import render_decision, render_decision_docx, render_summary, render_summary_docx
        from ..reports.output import previous_or_warn

        cards = folder.path("scorecards")

        def card_bytes(unit: Standing) -> bytes:
            return (cards / f"{unit.unit_id}.json").read_bytes()

        def chunks() -> Iterator[list[tuple[bytes, Scorecard | None]]]:
            """The final scorecards' bytes (parsed by whoever renders) with last year's scorecards, 4 a chunk,
            read as the renderers take them: never every scorecard at once. A bad scorecard of last year is
            warned of here, once; that unit's report shows no change against last year."""
            for start in range(0, len(missing), 4):
                chunk = []
                for index in missing[start : start + 4]:
                    unit = units[index]
                    last = previous_or_warn(reports.previous_dir, unit.unit_id) if reports.previous_dir else None
                    chunk.append((card_bytes(unit), last))
                yield chunk

        bar = Bar(
            total=len(missing), unit="report", desc=say("reports", reports.lang), disable=not progress, file=sys.stderr
        )
        made_by: Iterable[list[dict[str, bytes]]]
        if cluster is not None:
            made_by = cluster.render(
                chunks(), reports.lang, reports.options, rubric, formats, ahead=8, key=cache.rubric
            )
        else:
            executor = pool.executor() if len(missing) >= PARALLEL_REPORTS_FROM else None
            render = functools.partial(render_cards, lang=reports.lang, options=reports.options, formats=formats)
            if executor is not None:  # the workers hold the rubric: not sent with every chunk
                made_by = _ordered(executor, render, ((chunk, None) for chunk in chunks()), pool.jobs * 3)
            else:
                made_by = (render(chunk, rubric) for chunk in chunks())
        results = (made for done in made_by for made in done)
        for index, made in zip(missing, results, strict=True):
            for kind in formats:
                cache.store_report(unit_keys[kind][index], made[kind])
            bar.update()
        bar.close()

        makers: dict[tuple[str, str], Callable[..., bytes]] = {
            ("summary", "pdf"): render_summary,
            ("summary", "docx"): render_summary_docx,
            ("decision", "pdf"): render_decision,
            ("decision", "docx"): render_decision_docx,
        }
        for document, name, year, key in runs:
            if cache.report(key) is None:  # the year's scorecards read one at a time (0.2 ms a card), never held
                cards_of_year = (Scorecard.model_validate_json(card_bytes(u)) for u in units if u.year == year)
                used = rubric if rubric is not None and rubric.year == year else None
                make = makers[document, name.rsplit(".", 1)[1]]
                cache.store_report(key, make(cards_of_year, reports.lang, options=reports.options, rubric=used))
    folder.path("reports").mkdir(exist_ok=True)
    written = []
    placed: list[tuple[str, tuple[str, ...]]] = [
        (key, folder.unit_file("reports", unit.unit_id, f".{kind}"))
        for kind in formats
        for unit, key in zip(units, unit_keys[kind], strict=True)
    ]
    placed += [(key, (name,)) for _, name, _, key in runs]
    for key, parts in placed:
        found = cache.report(key)
        assert found is not None, "every report was found whole in the cache or stored by this run"
        source, digest = found
        link_new(source, folder.path(*parts))
        folder.digests["/".join(parts)] = digest  # hashed as it was checked or stored: not again for the manifest
        written.append(folder.out.joinpath(*parts))
    return written


__all__ = [
    "ReportSettings",
    "RunResult",
    "appraise_batch",
    "errors_json",
    "run",
    "summary_csv",
    "write_results",
]

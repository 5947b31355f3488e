"""A whole run: input files in, ``scorecards/``, ``summary.csv``, ``errors.json`` and the reports written out.

The run is written aside and published whole (``publish``): an interrupted or failed run leaves the previous
results as they were, never a mix or a half-written file, and a second run on the same folder is refused while
one works. One rejected unit never costs the others their results.

With ``jobs > 1`` units are scored and their reports rendered in worker processes (``workers``). Ranks and
commendation are decided after scoring over the whole run, so the results are the same bytes whatever the
number of jobs.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from .. import __version__
from ..errors import InputError, Problem
from ..rubric import Rubric
from ..scoring import Scorecard, rank_and_commend
from ..scoring.appraise import Appraisals, checked, score_or_reject
from ..submission import ORG_TYPES, SubmissionBase, unique_units
from ..submission.loading import expand_named, parse_document, read_bytes, validate_unit
from .publish import MANIFEST_FORMAT, RunFolder, output_lock, outputs
from .workers import score_chunk, worker_pool

if TYPE_CHECKING:
    from ..reports import ReportOptions

SUMMARY_HEADER = ("unit_id", "name", "org_type", "total", "grade", "vetoed", "commended", "rank")
CHUNK = 100  # units per task sent to a worker


# --- files ---------------------------------------------------------------------------------------------------


def _cell(text: str) -> str:
    """A name as a spreadsheet shows it, never as a formula (OWASP CSV injection: =, +, -, @ lead)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def summary_csv(cards: Sequence[Scorecard]) -> bytes:
    """``summary.csv``: UTF-8 with BOM, rows by org type then rank, booleans as true/false."""
    order = {org: i for i, org in enumerate(ORG_TYPES)}
    rows = sorted(cards, key=lambda c: (order.get(c.org_type, len(order)), c.rank or 0, c.unit_id))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(SUMMARY_HEADER)
    for c in rows:
        rank = "" if c.rank is None else c.rank
        flags = [str(c.vetoed).lower(), str(c.commended).lower()]
        writer.writerow([c.unit_id, _cell(c.name), c.org_type, f"{c.total:g}", c.grade, *flags, rank])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def errors_json(rejected: Iterable[InputError]) -> bytes:
    return (json.dumps([e.as_dict() for e in rejected], ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _write_results(folder: RunFolder, appraisals: Appraisals) -> None:
    for card in appraisals.scorecards:
        folder.write(card.to_json().encode("utf-8"), *folder.unit_file("scorecards", card.unit_id, ".json"))
    folder.path("scorecards").mkdir(exist_ok=True)
    folder.write(summary_csv(appraisals.scorecards), "summary.csv")
    folder.write(errors_json(appraisals.rejected), "errors.json")


def write_results(appraisals: Appraisals, out: Path, rubric: Rubric | None = None) -> None:
    """Publish ``scorecards/<unit-id>.json``, ``summary.csv`` and ``errors.json`` as ``out``'s whole run (an
    earlier run's reports go with it). A unit id that is not a safe file name is an ``OutputError``."""
    with output_lock(out), RunFolder(out) as folder:
        _write_results(folder, appraisals)
        folder.publish(_manifest(appraisals, rubric, [], None))


# --- loading -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InputFile:
    """One input file as the manifest records it: the name errors show, its sha256 and size (None if unread)."""

    name: str
    sha256: str | None
    size: int | None


def load_inputs(
    inputs: Sequence[str | Path], exclude: Sequence[Path] = ()
) -> tuple[list[InputFile], list[SubmissionBase], list[InputError]]:
    """Every file under ``inputs`` read once: its record, its valid units, and the errors rejecting the rest."""
    files: list[InputFile] = []
    units: list[SubmissionBase] = []
    rejected: list[InputError] = []
    for path, name in expand_named(inputs, exclude):
        try:
            data = read_bytes(path, name)
        except InputError as exc:
            files.append(InputFile(name, None, None))
            rejected.append(exc)
            continue
        files.append(InputFile(name, hashlib.sha256(data).hexdigest(), len(data)))
        try:
            document = parse_document(data, path.suffix.lower(), name)
        except InputError as exc:
            rejected.append(exc)
            continue
        items = list(enumerate(document)) if isinstance(document, list) else [(None, document)]
        if not items:
            rejected.append(InputError(name, [Problem("", "the file holds an empty list")]))
        for index, item in items:
            try:
                units.append(validate_unit(item, name if index is None else f"{name}[{index}]"))
            except InputError as exc:
                rejected.append(exc)
    return files, units, rejected


# --- scoring -------------------------------------------------------------------------------------------------


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
    rubric: Rubric,
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
    bar = tqdm(total=len(units), unit="unit", desc="scoring", disable=not progress, file=sys.stderr)
    outcomes: list[Scorecard | InputError] = []
    with _few_collections():
        if pool is None:
            for unit in units:
                try:
                    outcomes.append(score_or_reject(unit if trusted else checked(unit), rubric))
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
    return Appraisals(rank_and_commend(cards, rubric), rejected)


# --- a run ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportSettings:
    """Which reports a run writes: the language, the options, and where last year's scorecards are."""

    lang: str | None = None
    options: ReportOptions | None = None
    previous_dir: Path | None = None


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


def _manifest(
    appraisals: Appraisals, rubric: Rubric | None, files: Sequence[InputFile], reports: ReportSettings | None
) -> dict[str, Any]:
    """What the run was made from: the inputs' and the rubric's sha256, and the report settings."""
    manifest: dict[str, Any] = {
        "format": MANIFEST_FORMAT,
        "appraisal": __version__,
        "inputs": [{"name": f.name, "sha256": f.sha256, "bytes": f.size} for f in files],
        "scored": len(appraisals.scorecards),
        "rejected": len(appraisals.rejected),
        "reports": None,
    }
    if rubric is not None:
        manifest["rubric"] = {"id": rubric.id, "version": rubric.manifest.version, "sha256": rubric.sha256}
    if reports is not None:
        options = reports.options.model_dump(mode="json") if reports.options is not None else None
        previous = str(reports.previous_dir) if reports.previous_dir is not None else None
        manifest["reports"] = {"lang": reports.lang, "options": options, "previous": previous}
    return manifest


def run(
    inputs: Sequence[str | Path],
    out: str | Path,
    rubric: Rubric,
    *,
    jobs: int = 1,
    progress: bool = False,
    reports: ReportSettings | None = None,
) -> RunResult:
    """Score ``inputs`` (files or folders) with ``rubric`` and publish the results, and the reports unless
    ``reports`` is None, as ``out``'s whole run. Another run working on ``out`` is an ``OutputError``."""
    out_path = Path(out)
    with output_lock(out_path):
        files, units, rejected = load_inputs(inputs, exclude=outputs(out_path))
        written: list[Path] = []
        with worker_pool(jobs, rubric) as pool, RunFolder(out_path) as folder:
            scored = appraise_batch(units, rubric, pool=pool, progress=progress, trusted=True)
            appraisals = Appraisals(scored.scorecards, [*rejected, *scored.rejected])
            _write_results(folder, appraisals)
            if reports is not None:
                written = _write_reports(folder, appraisals.scorecards, rubric, reports, pool, progress)
            folder.publish(_manifest(appraisals, rubric, files, reports))
    return RunResult(appraisals, out_path, len(files), written)


def _write_reports(
    folder: RunFolder,
    cards: Sequence[Scorecard],
    rubric: Rubric,
    reports: ReportSettings,
    pool: Executor | None,
    progress: bool,
) -> list[Path]:
    """Every unit's report and the summary, rendered into the run's folder; their paths as published."""
    from ..reports import write_reports  # the report stack is imported only when reports are made

    bar = tqdm(total=len(cards), unit="report", desc="reports", disable=not progress, file=sys.stderr)

    def mapper(render: Any, items: Sequence[Scorecard]) -> Iterator[bytes]:
        results = pool.map(render, items, chunksize=4) if pool is not None else map(render, items)
        for pdf in results:
            bar.update()
            yield pdf

    for card in cards:
        folder.path(
            *folder.unit_file("reports", card.unit_id, ".pdf")
        )  # refuses an unsafe name before anything is rendered
    written = write_reports(
        cards,
        folder.root,
        reports.lang,
        options=reports.options,
        previous_dir=reports.previous_dir,
        rubric=rubric,
        mapper=mapper,
    )
    bar.close()
    return [folder.out / path.relative_to(folder.root) for path in written]


__all__ = [
    "InputFile",
    "ReportSettings",
    "RunResult",
    "appraise_batch",
    "errors_json",
    "load_inputs",
    "run",
    "summary_csv",
    "write_results",
]

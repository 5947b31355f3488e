"""Report files: PDF bytes in, files on disk out, each written atomically; scorecard files read back.

``write_atomic`` writes to a temporary file in the target's folder and renames it over the target, so a
reader never sees half a PDF and an interrupted run leaves the previous file whole. ``write_reports`` is
what ``appraisal run`` calls: ``DIR/reports/<unit-id>.pdf`` for every unit, built in a folder beside it and
swapped in whole (so no report of an earlier run is left among the new ones), then ``DIR/summary.pdf``.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import InputError, Problem, ReportError
from ..rubric.models import Rubric
from ..scoring.scorecard import Scorecard
from .options import FORMATS, ReportOptions
from .render import (
    render_decision,
    render_decision_docx,
    render_report,
    render_report_docx,
    render_summary,
    render_summary_docx,
)

LOG = logging.getLogger("appraisal.reports")
# The submission's unit id pattern: safe as a file name on every system.
_FILE_SAFE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def _cannot_write(target: Path, exc: OSError) -> ReportError:
    return ReportError(f"{target}: cannot write: {exc.strerror or exc}")


def _usual_mode(full: int) -> int:
    """``full`` less the umask: mkstemp and mkdtemp make private files and folders, ours get the usual mode."""
    umask = os.umask(0)
    os.umask(umask)
    return full & ~umask


def write_atomic(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder and ``os.replace``."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise _cannot_write(target, exc) from exc
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, _usual_mode(0o666))
        os.replace(temporary, target)
    except BaseException as exc:  # an interrupt too: never leave the temporary file behind
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(exc, OSError):
            raise _cannot_write(target, exc) from exc
        raise
    return target


@contextlib.contextmanager
def staged_folder(folder: str | Path) -> Iterator[Path]:
    """A new folder beside ``folder`` to fill; when the block ends without error it replaces ``folder``
    whole, otherwise it is removed and ``folder`` is left as it was."""
    target = Path(folder)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".new", dir=target.parent))
        os.chmod(staging, _usual_mode(0o777))
    except OSError as exc:
        raise _cannot_write(target, exc) from exc
    try:
        yield staging
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
            os.replace(target, old / target.name)
        os.replace(staging, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError):
            raise _cannot_write(target, exc) from exc
        raise


def read_scorecard(path: str | Path) -> Scorecard:
    """A scorecard JSON file as written by ``appraisal run``; an unreadable or invalid file is an InputError."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(file), [Problem("", f"cannot read: {exc}")]) from exc
    try:
        return Scorecard.model_validate_json(text)
    except ValidationError as exc:
        problems = [Problem(".".join(str(part) for part in error["loc"]), error["msg"]) for error in exc.errors()[:20]]
        raise InputError(str(file), problems) from exc


def previous_scorecard(folder: str | Path, unit_id: str) -> Scorecard | None:
    """The unit's scorecard in an earlier run's output folder (``scorecards/<id>.json`` or ``<id>.json``).
    An unreadable or invalid file, or one that resolves outside ``folder``, is an ``InputError``."""
    if not _FILE_SAFE.match(unit_id):
        return None
    root = Path(folder)
    for candidate in (root / "scorecards" / f"{unit_id}.json", root / f"{unit_id}.json"):
        if candidate.is_file():
            if not candidate.resolve().is_relative_to(root.resolve()):
                raise InputError(str(candidate), [Problem("", "a link to a file outside the previous folder")])
            return read_scorecard(candidate)
    return None


def previous_or_warn(folder: str | Path, unit_id: str, *, warn: bool = True) -> Scorecard | None:
    """``previous_scorecard``, but a bad file is a warning (logger ``appraisal.reports``) naming it, and the
    unit's report shows no change against last year."""
    try:
        return previous_scorecard(folder, unit_id)
    except InputError as exc:
        if warn:
            lines = exc.lines() or [exc.source]
            more = f" (and {len(lines) - 1} more problems)" if len(lines) > 1 else ""
            LOG.warning("%s%s; the report of %s shows no change against last year", lines[0], more, unit_id)
        return None


def report_path(out_dir: str | Path, unit_id: str) -> Path:
    """``out_dir/reports/<unit-id>.pdf``; a unit id that is not a safe file name is refused."""
    if not _FILE_SAFE.match(unit_id):
        raise ReportError(f"unit id {unit_id[:80]!r} is not a safe file name (letters, digits, . _ -)")
    return Path(out_dir) / "reports" / f"{unit_id}.pdf"


def render_for(
    card: Scorecard,
    lang: str | None,
    options: ReportOptions | None,
    previous_dir: str | Path | None,
    rubric: Rubric | None,
    formats: tuple[str, ...] = ("pdf",),
) -> dict[str, bytes]:
    """One unit's report by its outcome in each of ``formats`` (``pdf``, ``docx``), with its previous
    scorecard when ``previous_dir`` has one."""
    previous = previous_or_warn(previous_dir, card.unit_id, warn=False) if previous_dir is not None else None
    return render_kinds(card, lang, options, previous, rubric, formats)


def render_kinds(
    card: Scorecard,
    lang: str | None,
    options: ReportOptions | None,
    previous: Scorecard | None,
    rubric: Rubric | None,
    formats: tuple[str, ...] = ("pdf",),
) -> dict[str, bytes]:
    """One unit's report by its outcome in each of ``formats`` (``pdf``, ``docx``), beside ``previous``."""
    made = {}
    if "pdf" in formats:
        made["pdf"] = render_report(card, "auto", lang, options=options, previous=previous, rubric=rubric)
    if "docx" in formats:
        made["docx"] = render_report_docx(card, "auto", lang, options=options, previous=previous, rubric=rubric)
    return made


Mapper = Callable[[Callable[[Scorecard], Any], Sequence[Scorecard]], Iterable[Any]]


def write_reports(
    scorecards: Sequence[Scorecard],
    out_dir: str | Path,
    lang: str | None = None,
    *,
    options: ReportOptions | None = None,
    previous_dir: str | Path | None = None,
    rubric: Rubric | None = None,
    mapper: Mapper = map,
    formats: str = "pdf",
) -> list[Path]:
    """Every unit's report (certificate, feedback letter or rectification notice by outcome), the summary and,
    when any unit is commended, the run's one commendation decision; ``formats`` is ``pdf``, ``docx`` (the
    editable copies) or ``both``.

    ``out_dir/reports/`` is replaced whole once every report is made (a failure leaves the old one);
    ``summary.*`` and ``decision.*`` are written atomically. Returns the paths: each scorecard's (PDF, then
    DOCX) in order, then the summary's, then the decision's. ``mapper`` renders the reports (``map``; a
    process pool's ``map`` renders them in parallel, in order).
    """
    if formats not in FORMATS:
        raise ReportError(f"unknown report format {formats!r}; one of {', '.join(FORMATS)}")
    kinds = FORMATS[formats]
    paths = [report_path(out_dir, card.unit_id) for card in scorecards]
    if previous_dir is not None:  # warned here, once, in this process; the renderers skip a bad file silently
        for card in scorecards:
            previous_or_warn(previous_dir, card.unit_id)
    render = functools.partial(
        render_for, lang=lang, options=options, previous_dir=previous_dir, rubric=rubric, formats=kinds
    )
    written: list[Path] = []
    with staged_folder(Path(out_dir) / "reports") as staging:
        for path, made in zip(paths, mapper(render, scorecards), strict=True):
            for kind in kinds:
                target = path.with_suffix(f".{kind}")
                try:
                    (staging / target.name).write_bytes(made[kind])
                except OSError as exc:
                    raise _cannot_write(target, exc) from exc
                written.append(target)
    out = Path(out_dir)
    for name, make, wanted in (
        ("summary", _summary, bool(scorecards)),
        ("decision", _decision, any(card.commended for card in scorecards)),
    ):
        for kind in ("pdf", "docx"):
            target = out / f"{name}.{kind}"
            if wanted and kind in kinds:
                written.append(write_atomic(target, make(kind, scorecards, lang, options, rubric)))
            else:  # nothing to summarize, no unit commended, or not asked for: no file of an earlier run stays
                target.unlink(missing_ok=True)
    return written


def _summary(
    kind: str, cards: Sequence[Scorecard], lang: str | None, options: ReportOptions | None, rubric: Rubric | None
) -> bytes:
    render = render_summary if kind == "pdf" else render_summary_docx
    return render(cards, lang, options=options, rubric=rubric)


def _decision(
    kind: str, cards: Sequence[Scorecard], lang: str | None, options: ReportOptions | None, rubric: Rubric | None
) -> bytes:
    render = render_decision if kind == "pdf" else render_decision_docx
    return render(cards, lang, options=options, rubric=rubric)

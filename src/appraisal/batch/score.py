"""Scoring input files: a file's path in, its units' outcomes before ranking out.

``score_file`` reads one file, and unless the output folder's cache already holds its outcome (same bytes, same
name, same rubric, same version), parses it, validates each unit and scores it, and stores the outcome. It runs
in the worker processes, which read the files themselves (or on a Dask worker, sent the bytes); the run ranks
the files' units together after (``stream.rank_light``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..errors import InputError, Problem
from ..rubric import Rubric
from ..scoring.appraise import rubric_for, score_or_reject
from ..submission.loading import (
    SPREADSHEET_SUFFIXES,
    BundledYears,
    IndicatorsSource,
    parse_document,
    read_bytes,
    validate_unit,
)
from .cache import Cache, FileResult, Unit


def read_file(path: Path, name: str) -> bytes | FileResult:
    """The file's bytes, or its outcome when it cannot be read (a refused entry, a FIFO, a file too large)."""
    try:
        return read_bytes(path, name)
    except InputError as exc:
        return FileResult(name, None, None, [exc], [])


def _validating(rubric: Rubric | None, cache: Cache | None, years: BundledYears | None) -> IndicatorsSource:
    """What validates a file's units: ``rubric``, else each unit's own year's bundled indicators, found once a run
    (``Cache.bundled_years``, or the caller's ``years``; with neither, for each unit)."""
    if rubric is not None:
        return rubric
    return cache.bundled_years if cache is not None else years


def score_file(
    path: Path,
    name: str,
    rubric: Rubric | None,
    cache: Cache | None,
    data: bytes | None = None,
    *,
    light: bool = False,
    years: BundledYears | None = None,
) -> FileResult:
    """One input file's outcome (``data``: its bytes, when already read): from the cache when its bytes were
    scored before with this rubric, else parsed, validated and scored, and then stored in the cache. Without a
    ``rubric`` each unit is validated and scored by its own year's bundled one. ``light``: each scorecard as its
    ``Standing`` (the scorecard itself is in the ``cache``). ``years``: the bundled years found once, for
    a caller scoring many files with no cache (a Dask worker). The file's sha256 and cache key are computed
    once, for the lookup and the outcome."""
    if data is None:
        read = read_file(path, name)
        if isinstance(read, FileResult):
            return read
        data = read
    sha256 = hashlib.sha256(data).hexdigest()
    key = cache.file_key(name, data) if cache is not None else None
    if cache is not None and key is not None:
        hit = cache.load_file(key, name, sha256, len(data), light=light)
        if hit is not None:
            return hit
    rejected: list[InputError] = []
    units: list[Unit] = []
    indicators = _validating(rubric, cache, years)
    if path.suffix.lower() in SPREADSHEET_SUFFIXES:
        from ..intake.reading import spreadsheet_units  # a later stage, imported when a spreadsheet comes

        for _, outcome in spreadsheet_units(path, name, indicators, data):
            if isinstance(outcome, InputError):
                rejected.append(outcome)
            else:
                scored = score_or_reject(outcome, rubric or rubric_for(outcome))
                units.append(Unit(outcome.unit_id, outcome.source, scored))
    else:
        try:
            document = parse_document(data, path.suffix.lower(), name)
        except InputError as exc:
            rejected.append(exc)
        else:
            units += _document_units(document, name, rubric, indicators, rejected)
    result = FileResult(name, sha256, len(data), rejected, units, key=key)
    if cache is not None and key is not None:
        stored = cache.store_file(key, result)
        return stored if light else result
    return result


def _document_units(
    document: object, name: str, rubric: Rubric | None, indicators: IndicatorsSource, rejected: list[InputError]
) -> list[Unit]:
    """The units of a parsed JSON or YAML document, validated (by ``indicators``) and scored (by ``rubric``, else
    each unit's own year's), what cannot be into ``rejected``."""
    units: list[Unit] = []
    items = list(enumerate(document)) if isinstance(document, list) else [(None, document)]
    if not items:
        rejected.append(InputError(name, [Problem("", "the file holds an empty list")]))
    for index, item in items:
        source = name if index is None else f"{name}[{index}]"
        try:
            unit = validate_unit(item, source, indicators)
        except InputError as exc:
            rejected.append(exc)
            continue
        units.append(Unit(unit.unit_id, unit.source, score_or_reject(unit, rubric or rubric_for(unit))))
    return units


__all__ = ["read_file", "score_file"]

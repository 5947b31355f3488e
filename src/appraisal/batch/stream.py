"""A run without reports, streamed: scorecards go from the workers to the cache and the run's folder, never all
held in one process.

The parent keeps of each unit only its ``Standing`` (what ranking and summary.csv need, a few hundred bytes).
Workers (or this process, for one job) read and score chunks of files, store each file's scorecards in the cache
and send back standings; the parent ranks them over the run (``decide``, the one ranking of ``rank_and_commend``)
and sends each file's decisions back; the workers then write each final scorecard once, into the run's folder:
the cached canonical JSON with its rank, peers, commendation and peer medians filled in (``final_json``, the
bytes of ``Scorecard.to_json`` of the ranked card, tested).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import pydantic_core

from ..errors import InputError, OutputError
from ..rubric import Rubric
from ..scoring import Scorecard
from ..scoring.rank import Decision, Standing, decide, standing
from ..submission.loading import SeenIds
from .cache import Cache, FileResult, Unit
from .publish import UNIT_ID
from .score import read_file, score_file

_UNRANKED = b'\n  "commended": null,\n  "rank": null,\n  "peers": null,\n'
_NO_MEDIAN = b'\n      "peer_median": null\n'


def _number(value: float) -> bytes:
    return pydantic_core.to_json(round(value, 2))


def final_bytes(data: bytes, decision: Decision) -> bytes:
    """The canonical JSON (UTF-8) ``data`` of a scorecard before ranking with ``decision`` filled in: the same
    bytes as ``Scorecard.to_json()`` of the ranked card, encoded (no string value can hold these lines: JSON
    escapes newlines)."""
    head, found, tail = data.partition(_UNRANKED)
    pieces = tail.split(_NO_MEDIAN)
    if not found or len(pieces) != len(decision.medians) + 1:
        raise ValueError("not the canonical JSON of a scorecard before ranking")
    peers = b'{\n    "count": %d,\n    "median_total": %s\n  }' % (decision.count, _number(decision.median_total))
    ranked = b'\n  "commended": %s,\n  "rank": %d,\n' % (b"true" if decision.commended else b"false", decision.rank)
    parts = [head, ranked, b'  "peers": %s,\n' % peers, pieces[0]]
    for median, piece in zip(decision.medians, pieces[1:], strict=True):
        parts += [b'\n      "peer_median": %s\n' % _number(median), piece]
    return b"".join(parts)


def final_json(text: str, decision: Decision) -> str:
    """``final_bytes`` of a scorecard's text."""
    return final_bytes(text.encode("utf-8"), decision).decode("utf-8")


def light(result: FileResult) -> FileResult:
    """``result`` with each scorecard replaced by its standing (the scorecard itself is in the cache)."""
    units = [
        Unit(u.unit_id, u.source, standing(u.outcome)) if isinstance(u.outcome, Scorecard) else u for u in result.units
    ]
    return dataclasses.replace(result, units=units)


def lookup_light(name: str, data: bytes, cache: Cache) -> FileResult | None:
    """The outcome of a file with these bytes from the cache, as standings, or None."""
    return cache.load_file(cache.file_key(name, data), name, hashlib.sha256(data).hexdigest(), len(data), light=True)


def score_light(path: Path, name: str, rubric: Rubric | None, cache: Cache, data: bytes | None = None) -> FileResult:
    """One file read (unless its bytes are given), and scored unless the cache holds its outcome, as standings
    (``score_file``'s outcome)."""
    if data is None:
        read = read_file(path, name)
        if isinstance(read, FileResult):
            return read
        data = read
    hit = lookup_light(name, data, cache)
    return hit if hit is not None else light(score_file(path, name, rubric, cache, data, looked_up=True))


@dataclasses.dataclass(frozen=True)
class Ranked:
    """A streamed run's outcome: every unit's standing (ranked), the rejected inputs, and per cache entry the
    decisions of its scorecards (their positions in the entry) for ``write_cards``."""

    standings: list[Standing]
    rejected: list[InputError]
    tasks: list[tuple[str, list[tuple[int, str, Decision]]]]


def rank_light(results: Sequence[FileResult], rubrics: Sequence[Rubric]) -> Ranked:
    """``combine`` over standings: duplicate unit ids rejected (worded as ``unique_units`` words them), then
    ranks, peers and commendation per rubric and org type."""
    rejected = [error for result in results for error in result.rejected]
    seen = SeenIds()
    duplicates: list[InputError] = []
    failed: list[InputError] = []
    kept: list[tuple[str, int, Standing]] = []  # (cache key, position among the entry's cards, standing)
    for result in results:
        position = 0
        for unit in result.units:
            outcome = unit.outcome
            at = position
            if isinstance(outcome, Standing):
                position += 1
            if (repeat := seen.repeat(unit.unit_id, unit.source)) is not None:
                duplicates.append(repeat)
                continue
            if isinstance(outcome, Standing):
                kept.append((result.key or "", at, outcome))
            elif isinstance(outcome, InputError):
                failed.append(outcome)
            else:
                raise TypeError("a streamed run ranks standings")
    decisions: dict[str, Decision] = {}
    for rubric in rubrics:
        decisions |= decide([s for _, _, s in kept if s.rubric == rubric.sha256], rubric)
    by_entry: dict[str, list[tuple[int, str, Decision]]] = {}
    for key, at, entry in kept:
        decision = decisions.get(entry.unit_id)
        if decision is None:  # each unit is scored by the rubric given or its year's, both among ``rubrics``
            raise ValueError(f"{entry.unit_id}: scored by a rubric the run does not rank with")
        entry.rank, entry.commended = decision.rank, decision.commended
        by_entry.setdefault(key, []).append((at, entry.unit_id, decision))
    return Ranked([s for _, _, s in kept], [*rejected, *duplicates, *failed], list(by_entry.items()))


def write_cards(
    cache: Cache, folder: Path, tasks: Sequence[tuple[str, list[tuple[int, str, Decision]]]]
) -> dict[str, str]:
    """Write each decided scorecard of these cache entries as ``folder/<unit-id>.json``; each file's sha256 by
    its name (for the manifest: the parent need not read them again)."""
    written = {}
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC  # never over a file of the run: each unit once
    for key, cards in tasks:
        texts = cache.load_texts(key)
        for at, unit_id, decision in cards:
            if not UNIT_ID.fullmatch(unit_id) or not unit_id.strip("."):  # as RunFolder.unit_file
                raise OutputError(
                    f"unit id {unit_id[:80]!r} is not a safe file name (letters, digits, . _ -): not written"
                )
            data = final_bytes(texts[at], decision)
            target = os.path.join(folder, f"{unit_id}.json")
            try:
                handle = os.open(target, flags, 0o666)
                try:
                    view = memoryview(data)
                    while view:
                        view = view[os.write(handle, view) :]
                finally:
                    os.close(handle)
            except OSError as exc:
                raise OutputError(f"{target}: cannot write: {exc.strerror or exc}") from exc
            written[f"{unit_id}.json"] = hashlib.sha256(data).hexdigest()
    return written


def cards_folder(root: Path) -> Path:
    folder = root / "scorecards"
    os.makedirs(folder, exist_ok=True)
    return folder


__all__ = ["Ranked", "final_bytes", "final_json", "light", "lookup_light", "rank_light", "score_light", "write_cards"]

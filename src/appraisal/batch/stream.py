"""A run on this machine, streamed: scorecards go from the workers to the cache and the run's folder, never all
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
from .cache import Cache, FileResult, Unit, link_new
from .publish import UNIT_ID
from .score import read_file, score_file

_UNRANKED = '\n  "commended": null,\n  "rank": null,\n  "peers": null,\n'
_NO_MEDIAN = '\n      "peer_median": null\n'


def _number(value: float) -> str:
    return pydantic_core.to_json(round(value, 2)).decode()


def final_json(text: str, decision: Decision) -> str:
    """The canonical JSON ``text`` of a scorecard before ranking with ``decision`` filled in: the same bytes as
    ``Scorecard.to_json()`` of the ranked card (no string value can hold these lines: JSON escapes newlines)."""
    head, found, tail = text.partition(_UNRANKED)
    pieces = tail.split(_NO_MEDIAN)
    if not found or len(pieces) != len(decision.medians) + 1:
        raise ValueError("not the canonical JSON of a scorecard before ranking")
    peers = f'{{\n    "count": {decision.count},\n    "median_total": {_number(decision.median_total)}\n  }}'
    ranked = f'\n  "commended": {"true" if decision.commended else "false"},\n  "rank": {decision.rank},\n'
    parts = [head, ranked, f'  "peers": {peers},\n', pieces[0]]
    for median, piece in zip(decision.medians, pieces[1:], strict=True):
        parts += [f'\n      "peer_median": {_number(median)}\n', piece]
    return "".join(parts)


def light(result: FileResult) -> FileResult:
    """``result`` with each scorecard replaced by its standing (the scorecard itself is in the cache)."""
    units = [
        Unit(u.unit_id, u.source, standing(u.outcome)) if isinstance(u.outcome, Scorecard) else u for u in result.units
    ]
    return dataclasses.replace(result, units=units)


def score_light(path: Path, name: str, rubric: Rubric | None, cache: Cache) -> FileResult:
    """One file read, and scored unless the cache holds its outcome, as standings (``score_file``'s outcome)."""
    read = read_file(path, name)
    if isinstance(read, FileResult):
        return read
    key = cache.file_key(name, read)
    hit = cache.load_file(key, name, hashlib.sha256(read).hexdigest(), len(read), light=True)
    return hit if hit is not None else light(score_file(path, name, rubric, cache, read))


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
    """Write each decided scorecard of these cache entries as ``folder/<unit-id>.json`` (a link to the cache's
    copy, ``Cache.store_card``); each file's sha256 by its name (for the manifest, and for the parent to keep the
    cache's copies: a worker's own account of the entries it used is not the run's)."""
    written = {}
    for key, cards in tasks:
        texts = cache.load_texts(key)
        for at, unit_id, decision in cards:
            if not UNIT_ID.fullmatch(unit_id) or not unit_id.strip("."):  # as RunFolder.unit_file
                raise OutputError(
                    f"unit id {unit_id[:80]!r} is not a safe file name (letters, digits, . _ -): not written"
                )
            source, digest = cache.store_card(final_json(texts[at], decision).encode("utf-8"))
            target = folder / f"{unit_id}.json"
            try:
                link_new(source, target)  # never over a file of the run: each unit is written once
            except OSError as exc:
                raise OutputError(f"{target}: cannot write: {exc.strerror or exc}") from exc
            written[target.name] = digest
    return written


def cards_folder(root: Path) -> Path:
    folder = root / "scorecards"
    os.makedirs(folder, exist_ok=True)
    return folder


__all__ = ["Ranked", "final_json", "light", "rank_light", "score_light", "write_cards"]

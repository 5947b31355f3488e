"""A streamed run (with reports or without): scorecards go from the workers to the cache and the run's folder, never all
held in one process.

The parent keeps of each file only what the manifest and ranking need (``Kept``: raw digests, the standings of
its units, a few hundred bytes). Workers (or this process, for one job) read and score chunks of files, store
each file's scorecards in the cache and send back standings; the parent ranks them over the run (``decisions``,
the one ranking of ``rank_and_commend``) and sends each file's decisions back, a few files a task; the workers
then write each final scorecard once, into the run's folder: the cached canonical JSON with its rank, peers,
commendation and peer medians filled in (``final_bytes``, the bytes of ``Scorecard.to_bytes`` of the ranked
card, tested).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import pydantic_core

from ..errors import InputError, OutputError
from ..rubric import Rubric
from ..scoring.rank import Decision, Standing, decisions
from ..submission.loading import SeenIds
from .cache import Cache, FileResult, Unit, compact, link_new
from .publish import UNIT_ID
from .score import score_file

_UNRANKED = b'\n  "commended": null,\n  "rank": null,\n  "peers": null,\n'
_NO_MEDIAN = b'\n      "peer_median": null\n'


def _number(value: float) -> bytes:
    return pydantic_core.to_json(round(value, 2))


def final_bytes(data: bytes, decision: Decision) -> bytes:
    """The canonical JSON (UTF-8) ``data`` of a scorecard before ranking with ``decision`` filled in: the same
    bytes as ``Scorecard.to_bytes()`` of the ranked card (no string value can hold these lines: JSON escapes
    newlines)."""
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


def lookup_light(name: str, data: bytes, cache: Cache, key: str | None = None) -> FileResult | None:
    """The outcome of a file with these bytes (and this cache ``key``, when the caller has it) from the cache, as
    standings, or None."""
    key = key or cache.file_key(name, data)
    return cache.load_file(key, name, hashlib.sha256(data).hexdigest(), len(data), light=True)


def score_light(path: Path, name: str, rubric: Rubric | None, cache: Cache, data: bytes | None = None) -> FileResult:
    """One file read (unless its bytes are given), and scored unless the cache holds its outcome, as standings
    (``score_file``'s outcome)."""
    return score_file(path, name, rubric, cache, data, light=True)


@dataclasses.dataclass(slots=True)
class Kept:
    """One input file of a streamed run as this process keeps it until the run is published: its name (the
    listing's own string), sha256 and cache key as raw digests, its size, its own errors and its units (each
    scorecard's standing: the scorecard stays in the cache). A few hundred bytes a file: 100,000 files fit."""

    name: str
    sha256: bytes | None
    size: int | None
    key: bytes | None
    rejected: tuple[InputError, ...]
    units: tuple[Unit | Standing, ...]  # a standing alone when its unit id is its own and its source the file

    def outcomes(self) -> Iterator[Unit]:
        """Each unit as a ``Unit``."""
        for unit in self.units:
            yield Unit(unit.unit_id, self.name, unit) if isinstance(unit, Standing) else unit

    def standings(self) -> list[Standing]:
        """The standings of the file's scored units, in file order (their positions in its cache entry)."""
        found = (u if isinstance(u, Standing) else u.outcome for u in self.units)
        return [s for s in found if isinstance(s, Standing)]


def keep(result: FileResult, name: str) -> Kept:
    """``result`` (a worker's, or this process's) as ``Kept``: ``name`` is the listing's string for the file,
    and the strings, tuples and numbers standings share are kept once (``cache.compact``)."""
    units: list[Unit | Standing] = []
    for unit in result.units:
        outcome = compact(unit.outcome) if isinstance(unit.outcome, Standing) else unit.outcome
        if isinstance(outcome, Standing) and outcome.unit_id == unit.unit_id and unit.source == name:
            units.append(outcome)  # the usual case: a Unit would say nothing more
        else:
            units.append(Unit(unit.unit_id, name if unit.source == name else unit.source, outcome))
    return Kept(
        name,
        bytes.fromhex(result.sha256) if result.sha256 is not None else None,
        result.size,
        bytes.fromhex(result.key) if result.key is not None else None,
        tuple(result.rejected),
        tuple(units),
    )


# What a ranked unit's decision holds beyond its standing's rank and commendation, the same for every unit of a
# rubric, org type and groups: the count and median total of its peers, each group's peer median. Kept once for
# them (a run of 100,000 units kept a Decision and a dict entry a unit: about 15 MB at its peak).
_Peers = tuple[int, float, tuple[float, ...]]


@dataclasses.dataclass(frozen=True)
class Ranked:
    """A streamed run's outcome: every unit's standing (ranked), the rejected inputs, and what each ranked unit's
    decision holds beyond its standing (``tasks`` turns them into ``write_cards``'s work, a few files at a
    time)."""

    standings: list[Standing]
    rejected: list[InputError]
    peers: dict[tuple[str, str, tuple[str, ...]], _Peers]  # by rubric, org type and groups
    dropped: frozenset[int]  # the standings (by id) of units rejected as another's duplicate: not written

    def decision(self, standing: Standing) -> Decision:
        """A ranked unit's decision, from its standing."""
        assert standing.rank is not None and standing.commended is not None, "a ranked standing"
        count, median_total, medians = self.peers[standing.rubric, standing.org_type, standing.groups]
        return Decision(standing.rank, count, median_total, standing.commended, medians)

    def tasks(self, files: Sequence[Kept], size: int) -> Iterator[list[tuple[str, list[tuple[int, str, Decision]]]]]:
        """Per cache entry the decisions of its ranked scorecards (their positions in the entry), ``size``
        entries a task: made as they are sent, never all at once."""
        task: list[tuple[str, list[tuple[int, str, Decision]]]] = []
        for file in files:
            cards = file.standings()
            done = [(at, s.unit_id, self.decision(s)) for at, s in enumerate(cards) if id(s) not in self.dropped]
            if done and file.key is not None:
                task.append((file.key.hex(), done))
                if len(task) >= size:
                    yield task
                    task = []
        if task:
            yield task


def rank_light(results: Sequence[Kept], rubrics: Sequence[Rubric]) -> Ranked:
    """A run's files ranked together on standings: duplicate unit ids rejected (worded as ``unique_units`` words
    them), then ranks, peers and commendation per rubric and org type."""
    rejected = [error for result in results for error in result.rejected]
    seen = SeenIds()
    duplicates: list[InputError] = []
    failed: list[InputError] = []
    kept: list[Standing] = []
    dropped: set[int] = set()
    for result in results:
        for unit in result.outcomes():
            outcome = unit.outcome
            if (repeat := seen.repeat(unit.unit_id, unit.source)) is not None:
                duplicates.append(repeat)
                dropped.add(id(outcome))
                continue
            if isinstance(outcome, Standing):
                kept.append(outcome)
            elif isinstance(outcome, InputError):
                failed.append(outcome)
            else:
                raise TypeError("a streamed run ranks standings")
    del seen
    peers: dict[tuple[str, str, tuple[str, ...]], _Peers] = {}
    for rubric in rubrics:
        for entry, decision in decisions([s for s in kept if s.rubric == rubric.sha256], rubric):
            entry.rank, entry.commended = decision.rank, decision.commended
            peer = (decision.count, decision.median_total, decision.medians)
            peers[entry.rubric, entry.org_type, entry.groups] = peer
    for entry in kept:
        if entry.rank is None:  # each unit is scored by the rubric given or its year's, both among ``rubrics``
            raise ValueError(f"{entry.unit_id}: scored by a rubric the run does not rank with")
    return Ranked(kept, [*rejected, *duplicates, *failed], peers, frozenset(dropped))


def write_cards(
    cache: Cache, folder: Path, tasks: Sequence[tuple[str, list[tuple[int, str, Decision]]]]
) -> list[bytes]:
    """Write each decided scorecard of these cache entries as ``folder/<unit-id>.json``, a link to the cache's
    copy (``Cache.store_card``); each file's sha256 (raw), in the order of the tasks' units (for the manifest,
    and for the parent to keep the cache's copies: a worker's account of the entries it used is not the run's)."""
    written = []
    for key, cards in tasks:
        texts = cache.load_texts(key)
        for at, unit_id, decision in cards:
            if not UNIT_ID.fullmatch(unit_id) or not unit_id.strip("."):  # as RunFolder.unit_file
                raise OutputError(
                    f"unit id {unit_id[:80]!r} is not a safe file name (letters, digits, . _ -): not written"
                )
            source, digest = cache.store_card(final_bytes(texts[at], decision))
            target = os.path.join(folder, f"{unit_id}.json")
            try:
                link_new(source, target)  # never over a file of the run: each unit is written once
            except OSError as exc:
                raise OutputError(f"{target}: cannot write: {exc.strerror or exc}") from exc
            written.append(digest)
    return written


def cards_folder(root: Path) -> Path:
    folder = root / "scorecards"
    os.makedirs(folder, exist_ok=True)
    return folder


__all__ = [
    "Kept",
    "Ranked",
    "final_bytes",
    "final_json",
    "keep",
    "lookup_light",
    "rank_light",
    "score_light",
    "write_cards",
]

"""A streamed run (with reports or without): scorecards go from the workers to the cache and the run's folder, never all
held in one process.

The parent keeps of each file only what the manifest and ranking need, packed in a ``Ledger`` (its name and raw
digests, the standings of its units: a few hundred bytes a unit). Workers (or this process, for one job) read and
score chunks of files, store each file's scorecards in the cache and send back standings; the parent ranks them
over the run (``decisions``, the one ranking of ``rank_and_commend``) and sends each file's decisions back, a few
files a task; the workers then write each final scorecard once, into the run's folder: the cached canonical JSON
with its rank, peers, commendation and peer medians filled in (``final_bytes``, the bytes of
``Scorecard.to_bytes`` of the ranked card, tested).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from array import array
from collections.abc import Iterator, Sequence
from pathlib import Path

import pydantic_core

from ..errors import InputError, OutputError
from ..rubric import Rubric
from ..scoring.rank import Decision, Standing, decisions
from .cache import Cache, FileResult, link_new
from .ledger import Ledger, Standings
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


# What a ranked unit's decision holds beyond its standing's rank and commendation, the same for every unit of a
# rubric, org type and groups: the count and median total of its peers, each group's peer median. Kept once for
# them (a run of 100,000 units kept a Decision and a dict entry a unit: about 15 MB at its peak).
_Peers = tuple[int, float, tuple[float, ...]]
Task = list[tuple[str, list[tuple[int, str, Decision]]]]  # per cache entry, its scorecards to write (``write_cards``)


@dataclasses.dataclass(frozen=True)
class Ranked:
    """A streamed run's outcome: its files and units (``ledger``, ranked), the ranked units' standings in input
    order, the rejected inputs, and what each ranked unit's decision holds beyond its standing (``tasks`` turns
    them into ``write_cards``'s work, a few files at a time)."""

    ledger: Ledger
    standings: Standings
    rejected: list[InputError]
    peers: dict[tuple[str, str, tuple[str, ...]], _Peers]  # by rubric, org type and groups

    def decision(self, standing: Standing) -> Decision:
        """A ranked unit's decision, from its standing."""
        assert standing.rank is not None and standing.commended is not None, "a ranked standing"
        count, median_total, medians = self.peers[standing.rubric, standing.org_type, standing.groups]
        return Decision(standing.rank, count, median_total, standing.commended, medians)

    def tasks(self, size: int) -> Iterator[tuple[Task, list[int]]]:
        """Per cache entry the decisions of its ranked scorecards (their positions in the entry), ``size``
        entries a task, with the ledger's rows of the scorecards: made as they are sent, never all at once."""
        ledger = self.ledger
        task: Task = []
        rows: list[int] = []
        for file in ledger.files():
            key = ledger.key(file)
            scored = [row for row in ledger.rows(file) if ledger.is_scored(row)]  # as the cache entry holds them
            done = [(at, row) for at, row in enumerate(scored) if not ledger.dropped(row)]
            if done and key is not None:
                standings = [(at, ledger.standing(row)) for at, row in done]
                task.append((key, [(at, s.unit_id, self.decision(s)) for at, s in standings]))
                rows += (row for _, row in done)
                if len(task) >= size:
                    yield task, rows
                    task, rows = [], []
        if task:
            yield task, rows


def rank_light(ledger: Ledger, rubrics: Sequence[Rubric]) -> Ranked:
    """A run's files ranked together on their standings: duplicate unit ids rejected (worded as ``unique_units``
    words them), then ranks, peers and commendation per rubric and org type, one org type's standings made at a
    time."""
    rejected = [error for file in ledger.files() for error in ledger.rejected(file)]
    duplicates = ledger.unique_ids()
    failed: list[InputError] = []
    kept = array("I")
    groups: dict[tuple[str, str], array[int]] = {}  # the rows by rubric and org type
    for file in ledger.files():
        for row in ledger.rows(file):
            if ledger.dropped(row):
                continue
            if (error := ledger.error(row)) is not None:
                failed.append(error)
                continue
            kept.append(row)
            shape = ledger.shape(row)
            groups.setdefault((shape.rubric, shape.org_type), array("I")).append(row)
    peers: dict[tuple[str, str, tuple[str, ...]], _Peers] = {}
    known = {rubric.sha256: rubric for rubric in rubrics}
    for (sha256, _), rows in groups.items():
        rubric = known.get(sha256)
        if rubric is None:  # each unit is scored by the rubric given or its year's, both among ``rubrics``
            raise ValueError(f"{ledger.standing(rows[0]).unit_id}: scored by a rubric the run does not rank with")
        standings = [ledger.standing(row) for row in rows]  # one org type's, made for its ranking only
        for entry, decision in decisions(standings, rubric):
            entry.rank, entry.commended = decision.rank, decision.commended
            peer = (decision.count, decision.median_total, decision.medians)
            peers[entry.rubric, entry.org_type, entry.groups] = peer
        for row, entry in zip(rows, standings, strict=True):
            assert entry.rank is not None and entry.commended is not None, "every unit of the type ranked"
            ledger.set_rank(row, entry.rank, entry.commended)
    return Ranked(ledger, Standings(ledger, kept), [*rejected, *duplicates, *failed], peers)


def write_cards(cache: Cache, folder: Path, tasks: Task) -> list[bytes]:
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
    "Ranked",
    "Task",
    "final_bytes",
    "final_json",
    "lookup_light",
    "rank_light",
    "score_light",
    "write_cards",
]

"""What a streamed run keeps of its input files and their units until it is published, packed (``Ledger``).

A run of 100,000 files kept a ``Kept`` object a file and a ``Standing`` a unit, with their strings, digests and
tuples: about 870 bytes a unit (tracemalloc), the growth of the main process. The ledger keeps the same in
columns (arrays of numbers, strings as UTF-8 in one buffer, what units share once): the main process's RSS grew
21 MB while 50,000 units were scored, where it grew 43 MB before. A unit's ``Standing``
is made again when it is asked for, from its row.

Files are added as their results come (out of order: a re-run reads some first, the workers send the rest);
``close`` puts them in the listing's order, the order everything after reads them in.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import overload

from ..errors import InputError
from ..scoring.rank import Standing
from ..submission.loading import repeated_id
from .cache import FileResult, Unit

_NONE = 0xFFFFFFFF  # no shape: the row is a rejected unit (its error in ``Ledger._errors``)
_SHA, _KEY = 1, 2  # a file's flags: its sha256 and its cache key are known
_VETOED, _DROPPED, _COMMENDED, _CARD = 1, 2, 4, 8  # a row's flags


class Strings:
    """Strings kept as UTF-8 in one buffer (a str object costs about 50 bytes beyond its text). Lone surrogates
    (a file name the file system gave as bytes) pass through."""

    __slots__ = ("_data", "_ends")

    def __init__(self) -> None:
        self._data = bytearray()
        self._ends = array("Q")

    def append(self, text: str) -> None:
        self._data += text.encode("utf-8", "surrogatepass")
        self._ends.append(len(self._data))

    def __getitem__(self, index: int) -> str:
        start = self._ends[index - 1] if index else 0
        return self._data[start : self._ends[index]].decode("utf-8", "surrogatepass")

    def __len__(self) -> int:
        return len(self._ends)


@dataclass(frozen=True, slots=True)
class Shape:
    """What many units' standings share: their org type, year, rubric, grade, group ids and tie-break keys."""

    org_type: str
    year: int
    rubric: str
    grade: str
    groups: tuple[str, ...]
    tie_keys: tuple[str, ...]


class Ledger:
    """The input files of a streamed run (name, sha256, cache key, size, own errors) and their units (each a
    standing, or the error rejecting it), in columns. ``add`` a file's result, ``close`` when all are in; then
    ``files`` and ``rows`` read them in the listing's order, ``standing`` makes a row's ``Standing``."""

    def __init__(self) -> None:
        # files, as they were added
        self._places = array("I")  # each file's index in the listing
        self._names = Strings()
        self._sizes = array("q")  # -1: not read
        self._digests = bytearray()  # sha256 and cache key, raw, 64 bytes a file
        self._file_flags = bytearray()
        self._rejected: dict[int, tuple[InputError, ...]] = {}  # the few files with errors of their own
        self._ends = array("I")  # a file's rows end here (its rows follow the previous file's)
        # units (rows), file after file
        self._ids = Strings()
        self._unit_names = Strings()
        self._shape = array("I")
        self._totals = array("d")
        self._shortfalls = array("I")
        self._flags = bytearray()
        self._values = array("d")  # each row's group points, then its tie-break points
        self._starts = array("Q")  # where a row's values start
        self._ranks = array("I")  # 0: not ranked
        self._shapes: list[Shape] = []
        self._shape_index: dict[Shape, int] = {}
        self._errors: dict[int, Unit] = {}  # rejected units' rows: the Unit as it came
        self._others: dict[int, tuple[str, str]] = {}  # rows whose unit id or source is not the standing's own
        self._cards = bytearray()  # the sha256 of each row's final scorecard, 32 bytes a row (``record_card``)
        self._order: array[int] | None = None  # the files in the listing's order (``close``)
        # the rows by the hash of their casefolded unit id (``unique_ids``): sorted hashes and their rows
        self._hashes = array("q")
        self._hashed_rows = array("I")

    # --- filling ---------------------------------------------------------------------------------------------

    def add(self, place: int, result: FileResult, name: str) -> None:
        """The result of the file at ``place`` in the listing; ``name`` is the listing's name for it."""
        if self._order is not None:
            raise ValueError("a closed ledger takes no more files")
        file = len(self._places)
        self._places.append(place)
        self._names.append(name)
        self._sizes.append(-1 if result.size is None else result.size)
        flags = 0
        for bit, digest in ((_SHA, result.sha256), (_KEY, result.key)):
            self._digests += bytes.fromhex(digest) if digest is not None else bytes(32)
            flags |= bit if digest is not None else 0
        self._file_flags.append(flags)
        if result.rejected:
            self._rejected[file] = tuple(result.rejected)
        for unit in result.units:
            self._add_unit(unit, name)
        self._ends.append(len(self._shape))

    def _add_unit(self, unit: Unit, name: str) -> None:
        row = len(self._shape)
        outcome = unit.outcome
        self._starts.append(len(self._values))
        self._ranks.append(0)
        if not isinstance(outcome, Standing):
            if not isinstance(outcome, InputError):
                raise TypeError("a streamed run keeps standings")
            self._errors[row] = unit
            for column in (self._ids, self._unit_names):
                column.append("")
            self._shape.append(_NONE)
            self._totals.append(0.0)
            self._shortfalls.append(0)
            self._flags.append(0)
            return
        if outcome.unit_id != unit.unit_id or unit.source != name:
            self._others[row] = (unit.unit_id, unit.source)
        shape = Shape(outcome.org_type, outcome.year, outcome.rubric, outcome.grade, outcome.groups, outcome.tie_keys)
        index = self._shape_index.get(shape)
        if index is None:
            index = self._shape_index[shape] = len(self._shapes)
            self._shapes.append(shape)
        self._ids.append(outcome.unit_id)
        self._unit_names.append(outcome.name)
        self._shape.append(index)
        self._totals.append(outcome.total)
        self._shortfalls.append(outcome.shortfalls)
        self._flags.append(_VETOED if outcome.vetoed else 0)
        self._values.extend(outcome.points)
        self._values.extend(outcome.ties)
        if outcome.rank is not None:
            self._ranks[row] = outcome.rank
            self._flags[row] |= _COMMENDED if outcome.commended else 0

    def close(self) -> None:
        """Every file is in: from here they are read in the listing's order."""
        order = array("I", range(len(self._places)))
        if any(a > b for a, b in zip(self._places, self._places[1:], strict=False)):
            order = array("I", sorted(order, key=self._places.__getitem__))
        self._order = order
        self._cards = bytearray(32 * len(self._shape))

    # --- reading ---------------------------------------------------------------------------------------------

    def __len__(self) -> int:
        """The number of files."""
        return len(self._places)

    def files(self) -> Iterator[int]:
        """The files, in the listing's order."""
        if self._order is None:
            raise ValueError("the ledger is not closed")
        return iter(self._order)

    def record(self, file: int) -> dict[str, str | int | None]:
        """The manifest's record of a file: its name, sha256 and size."""
        digest = self._digests[64 * file : 64 * file + 32].hex() if self._file_flags[file] & _SHA else None
        size = self._sizes[file]
        return {"name": self._names[file], "sha256": digest, "bytes": None if size < 0 else size}

    def key(self, file: int) -> str | None:
        """The file's cache key (hex), if it has one."""
        return self._digests[64 * file + 32 : 64 * file + 64].hex() if self._file_flags[file] & _KEY else None

    def rejected(self, file: int) -> tuple[InputError, ...]:
        return self._rejected.get(file, ())

    def rows(self, file: int) -> range:
        """The file's rows, in file order."""
        return range(self._ends[file - 1] if file else 0, self._ends[file])

    def error(self, row: int) -> InputError | None:
        """The error rejecting the row's unit, if it was rejected."""
        outcome = self._errors[row].outcome if row in self._errors else None
        return outcome if isinstance(outcome, InputError) else None

    def unit_of(self, row: int, file: int) -> tuple[str, str]:
        """The row's unit id and source (``file`` holds it)."""
        unit = self._errors.get(row)
        if unit is not None:
            return unit.unit_id, unit.source
        return self._others.get(row) or (self._ids[row], self._names[file])

    def is_scored(self, row: int) -> bool:
        return self._shape[row] != _NONE

    def shape(self, row: int) -> Shape:
        return self._shapes[self._shape[row]]

    def shapes(self) -> list[Shape]:
        """What the scored units share, once each."""
        return list(self._shapes)

    def shapes_of(self, rows: Sequence[int]) -> list[Shape]:
        """What the units of these (scored) rows share, once each."""
        return [self._shapes[index] for index in sorted({self._shape[row] for row in rows})]

    def standing(self, row: int) -> Standing:
        """The row's standing, with its rank and commendation when it is ranked."""
        shape = self._shapes[self._shape[row]]
        start = self._starts[row]
        middle = start + len(shape.groups)
        flags = self._flags[row]
        rank = self._ranks[row] or None
        return Standing(
            self._ids[row],
            self._unit_names[row],
            shape.org_type,
            shape.year,
            shape.rubric,
            self._totals[row],
            shape.grade,
            bool(flags & _VETOED),
            self._shortfalls[row],
            shape.groups,
            tuple(self._values[start:middle]),
            shape.tie_keys,
            tuple(self._values[middle : middle + len(shape.tie_keys)]),
            rank,
            None if rank is None else bool(flags & _COMMENDED),
        )

    # --- ranking and writing ---------------------------------------------------------------------------------

    def set_rank(self, row: int, rank: int, commended: bool) -> None:
        self._ranks[row] = rank
        self._flags[row] = (self._flags[row] & ~_COMMENDED) | (_COMMENDED if commended else 0)

    def drop(self, row: int) -> None:
        """The row's unit repeats an earlier unit's id: rejected, neither ranked nor written."""
        self._flags[row] |= _DROPPED

    def dropped(self, row: int) -> bool:
        return bool(self._flags[row] & _DROPPED)

    def unique_ids(self) -> list[InputError]:
        """Every row whose unit id an earlier row (in the listing's order) had, ignoring case, dropped; their
        errors, in that order (worded as ``SeenIds`` words them). The rows are kept sorted by the hash of their
        casefolded ids (12 bytes a row, not a dict of 100,000 strings): ``get`` finds a scorecard's digest by it."""
        listed = array("I", (row for file in self.files() for row in self.rows(file)))
        files = array("I", (file for file in self.files() for _ in self.rows(file)))  # each listed row's file
        hashes = array(
            "q", (hash(self.unit_of(row, file)[0].casefold()) for row, file in zip(listed, files, strict=True))
        )
        by_hash = sorted(range(len(listed)), key=hashes.__getitem__)  # stable: in listing order within a hash
        self._hashes = array("q", (hashes[at] for at in by_hash))
        self._hashed_rows = array("I", (listed[at] for at in by_hash))
        del hashes
        repeats: list[tuple[int, InputError]] = []
        start = 0
        while start < len(by_hash):
            end = start + 1
            while end < len(by_hash) and self._hashes[end] == self._hashes[start]:
                end += 1
            first: dict[str, tuple[str, str]] = {}  # the same hash: the same id (or, rarely, another one)
            for at in by_hash[start:end] if end - start > 1 else ():
                unit_id, source = self.unit_of(listed[at], files[at])
                key = unit_id.casefold()
                if key in first:
                    self.drop(listed[at])
                    repeats.append((at, repeated_id(unit_id, source, *first[key])))
                else:
                    first[key] = (unit_id, source)
            start = end
        repeats.sort(key=lambda repeat: repeat[0])
        return [error for _, error in repeats]

    def record_card(self, row: int, digest: bytes) -> None:
        """The sha256 (raw) of the row's final scorecard, as it was written."""
        self._cards[32 * row : 32 * row + 32] = digest
        self._flags[row] |= _CARD

    def get(self, unit_id: str) -> bytes | None:
        """The sha256 (raw) of the final scorecard written for ``unit_id``, if one was (``RunFolder.cards``)."""
        wanted = hash(unit_id.casefold())
        at = bisect.bisect_left(self._hashes, wanted)
        while at < len(self._hashes) and self._hashes[at] == wanted:
            row = self._hashed_rows[at]
            if self._flags[row] & _CARD and self._ids[row] == unit_id:
                return bytes(self._cards[32 * row : 32 * row + 32])
            at += 1
        return None


class Standings(Sequence[Standing]):
    """The standings of a ledger's ranked units, in the listing's order, each made when it is read."""

    def __init__(self, ledger: Ledger, rows: array[int]) -> None:
        self._ledger = ledger
        self._rows = rows

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> Standing: ...
    @overload
    def __getitem__(self, index: slice) -> list[Standing]: ...
    def __getitem__(self, index: int | slice) -> Standing | list[Standing]:
        if isinstance(index, slice):
            return [self._ledger.standing(row) for row in self._rows[index]]
        return self._ledger.standing(self._rows[index])

    def __iter__(self) -> Iterator[Standing]:
        return map(self._ledger.standing, self._rows)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    def __repr__(self) -> str:
        return f"<Standings: {len(self)} units>"

    def shapes(self) -> list[Shape]:
        """What the units share, once each (their years, say: no standing made)."""
        return self._ledger.shapes_of(self._rows)

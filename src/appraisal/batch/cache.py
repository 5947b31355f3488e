"""What a run can reuse from earlier runs on the same output folder: scored files and rendered reports.

In: an input file's bytes (with its name, the rubric's sha256 and this version), or a report's full content
(its final scorecard, last year's, the options, the templates). Out: the cached result, or a miss.

``OUT/.appraisal/cache/files/<key>`` holds one input file's outcome before ranking: per unit its scorecard or the
error rejecting it, and the file's own errors. ``OUT/.appraisal/cache/reports/<key>.<sha256>`` holds a rendered
report (PDF or DOCX, checked against its sha256 before it is reused), and
``OUT/.appraisal/cache/cards/<sha256>.json`` a final scorecard by the sha256 of its bytes; a run links them into
its folder. Linking is also what makes removing the superseded run cheap: on a file system mounted with ``discard``
(this project's machine) unlinking a file's last link costs about 3 ms once its blocks are on disk, 3 s for 1,000
scorecards, and unlinking one of two links costs nothing. Keys are sha256 over everything the result depends on, so
a changed input, rubric, template, option or library version is a miss, never a stale hit. Every entry is written
to a temporary file and renamed, so a run killed at any moment leaves whole entries only, and the next run resumes
from them. After a run is published the entries it did not use are removed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import importlib.metadata
import json
import os
import secrets
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import InputError, Problem
from ..resources import bundled, code_sha256
from ..rubric import Rubric
from ..scoring import Scorecard
from ..scoring.rank import Standing, standing
from ..submission import bundled_years
from ..submission.indicators import bundled_folder
from ..submission.loading import BundledYears
from .publish import sha256_file

FORMAT = "appraisal-cache/4"


@dataclass(frozen=True, slots=True)
class Unit:
    """A valid unit of an input file and its outcome before ranking: its scorecard or the error rejecting it; or,
    read for a streamed run, what ranking needs of its scorecard (``Standing``: the scorecard stays in the cache)."""

    unit_id: str
    source: str
    outcome: Scorecard | Standing | InputError


@dataclass(frozen=True, slots=True)
class FileResult:
    """One input file, read and scored: its name, sha256 and size (None if unread), its own errors and units'
    validation errors (``rejected``, in file order), its valid units, and its cache key."""

    name: str
    sha256: str | None
    size: int | None
    rejected: list[InputError]
    units: list[Unit]
    key: str | None = None  # its cache entry


def _error(data: dict[str, object]) -> InputError:
    problems = [Problem(str(p["loc"]), str(p["message"])) for p in data["errors"]]  # type: ignore[attr-defined]
    unit_id = data.get("unit_id")
    return InputError(str(data["source"]), problems, str(unit_id) if unit_id is not None else None)


_STANDING_FIELDS = tuple(field.name for field in dataclasses.fields(Standing))


def _standing(data: list[Any]) -> Standing:
    unit_id, name, org_type, year, rubric, total, grade, vetoed, shortfalls, groups, points, tie_keys, ties = data[:13]
    rank, commended = data[13:]
    return Standing(
        str(unit_id),
        str(name),
        str(org_type),
        int(year),
        str(rubric),
        float(total),
        str(grade),
        bool(vetoed),
        int(shortfalls),
        tuple(map(str, groups)),
        tuple(map(float, points)),
        tuple(map(str, tie_keys)),
        tuple(map(float, ties)),
        rank,
        commended,
    )


def _digest(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))  # lengths first: no two part lists give the same stream
        digest.update(data)
    return digest.hexdigest()


def rubric_key(rubric: Rubric | None) -> str:
    """What the cached outcomes depend on: the rubric given, or (each unit scored by its own year) every bundled
    year's folder, every file's name and bytes (not loaded: a run of one year's units loads no other year)."""
    if rubric is not None:
        return rubric.sha256
    digest = hashlib.sha256()
    for year in bundled_years():
        folder = bundled_folder(year)
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            for part in (path.relative_to(folder.parent).as_posix().encode(), path.read_bytes()):
                digest.update(len(part).to_bytes(8, "big") + part)
    return f"bundled:{digest.hexdigest()}"


@functools.cache
def templates_sha256() -> str:
    """sha256 over the report templates, CSS, fonts and catalogues (names and contents)."""
    root = bundled("report_templates")
    parts: list[str | bytes] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        parts += [path.relative_to(root).as_posix(), path.read_bytes()]
    return _digest(*parts)


@functools.cache
def renderer_versions() -> str:
    """The versions of what renders the reports, which decide their bytes (part of a report's cache key)."""
    found = []
    for name in ("weasyprint", "pydyf", "jinja2", "babel"):
        try:
            found.append(f"{name}={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            found.append(f"{name}=?")
    return ",".join(found)


class Cache:
    """The output folder's cache, for one rubric. Only the run holding the folder's lock uses it."""

    def __init__(self, root: Path, rubric_sha256: str) -> None:
        self.root = root
        self.rubric = rubric_sha256
        self.used: set[str] = set()  # the reports' paths used
        self.used_files: set[bytes] = set()  # the scored files' keys used, as raw digests (100,000 of them)
        self.used_cards: set[bytes] = set()  # the final scorecards' sha256 used, raw
        self._reports: dict[str, tuple[str, str]] | None = None  # read when first asked
        self._checked: set[str] = set()  # the reports' keys whose entries this run found whole

    @functools.cached_property
    def bundled_years(self) -> BundledYears:
        """The bundled years' indicators, found once for the run (and once in each of its workers) that uses this
        cache: they validate the units of a run given no rubric."""
        return BundledYears()

    # --- scored input files -----------------------------------------------------------------------------

    def file_key(self, name: str, data: bytes) -> str:
        return _digest(FORMAT, __version__, code_sha256(), self.rubric, name, data)

    def _file_path(self, key: str) -> str:
        return os.path.join(self.root, "files", key)  # a string: a path a unit is cheaper than a Path

    def load_file(self, key: str, name: str, sha256: str, size: int, light: bool = False) -> FileResult | None:
        """The cached outcome of the file with this key, or None (a miss, or an entry that cannot be read or is not
        whole). With ``light`` each scorecard is left in the entry (not even read from disk) and only its
        ``Standing`` read."""
        try:
            with open(self._file_path(key), "rb") as file:
                line = file.readline()
                records = json.loads(line)
                if light and all(r[0] == "card" for r in records):
                    rest = b""  # not read: its length is checked, its scorecards read when they are written
                    whole = os.fstat(file.fileno()).st_size == len(line) + sum(r[4] for r in records)
                else:
                    rest = file.read()
                    whole = len(rest) == sum(r[4] for r in records)
            if not whole:  # an entry cut short (a disk that filled, a copy cut off): a miss, scored again
                return None
            rejected: list[InputError] = []
            units: list[Unit] = []
            offset = 0
            for kind, unit_id, source, standing_, length in records:
                payload = rest[offset : offset + length]
                offset += length
                if kind == "rejected":
                    rejected.append(_error(json.loads(payload)))
                elif kind == "card":
                    outcome: Scorecard | Standing
                    outcome = _standing(standing_) if light else Scorecard.model_validate_json(payload)
                    units.append(Unit(unit_id, source, outcome))
                else:
                    units.append(Unit(unit_id, source, _error(json.loads(payload))))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return FileResult(name, sha256, size, rejected, units, key=key)

    def load_texts(self, key: str) -> list[bytes]:
        """The canonical JSON (UTF-8) of each scorecard of the entry, before ranking, in file order."""
        with open(self._file_path(key), "rb") as file:
            records = json.loads(file.readline())
            rest = file.read()
        texts = []
        offset = 0
        for kind, *_, length in records:
            if kind == "card":
                texts.append(rest[offset : offset + length])
            offset += length
        if offset != len(rest):
            raise ValueError(f"{key}: not a whole cache entry")
        return texts

    def store_file(self, key: str, result: FileResult) -> FileResult:
        """Store ``result``'s entry; ``result`` as standings (both ``light_entry``)."""
        light, entry = light_entry(result)
        self.store_entry(key, entry)
        return light

    def store_entry(self, key: str, data: bytes) -> None:
        """Store an entry made by ``light_entry`` (on a cluster's worker, say)."""
        _write_atomic(self._file_path(key), data)

    def empty(self) -> bool:
        """Whether no scored file is cached (a first run)."""
        try:
            with os.scandir(self.root / "files") as scan:
                return next(scan, None) is None
        except OSError:
            return True

    def mark_file(self, key: str | bytes) -> None:
        """Keep this entry (its key, in hex or raw) at ``prune`` (workers read and write entries; the run keeps
        the account)."""
        self.used_files.add(key if isinstance(key, bytes) else bytes.fromhex(key))

    # --- final scorecards ---------------------------------------------------------------------------------

    def store_card(self, data: bytes) -> tuple[str, bytes]:
        """The entry holding a final scorecard's bytes (its path), and their sha256 (raw). An earlier run's entry
        is reused when it still holds these bytes (a published scorecard is a link to it: one edited in place is
        not reused)."""
        digest = hashlib.sha256(data).digest()
        path = os.path.join(self.root, "cards", f"{digest.hex()}.json")
        if not _holds(path, data):
            _write_atomic(path, data)
        self.used_cards.add(digest)
        return path, digest

    def mark_card(self, digest: bytes) -> None:
        """Keep the final scorecard with this sha256 (raw) at ``prune`` (a worker stored it)."""
        self.used_cards.add(digest)

    # --- rendered reports ---------------------------------------------------------------------------------

    def report_key(self, kind: str, settings: str, content: Iterable[str | bytes]) -> str:
        """The key of a report: what it shows (``content``), how (``settings``), and the templates and libraries."""
        return _digest(
            FORMAT,
            kind,
            __version__,
            code_sha256(),
            self.rubric,
            templates_sha256(),
            renderer_versions(),
            settings,
            *content,
        )

    def _report_entries(self) -> dict[str, tuple[str, str]]:
        """The cache's reports by key: their paths and the sha256 they were stored with (``<key>.<sha256>``)."""
        if self._reports is None:
            self._reports = {}
            for entry in _entries(self.root / "reports"):
                key, _, digest = entry.name.partition(".")
                if len(key) == 64 and len(digest) == 64:  # not a temporary file a killed run left
                    self._reports[key] = (entry.path, digest)
        return self._reports

    def report(self, key: str) -> tuple[str, str] | None:
        """The cached report with this key, its path and sha256, or None: a miss, or an entry that no longer holds
        the bytes stored (a published report is a link to it: one edited in place is rendered again, not
        reused). Each entry is read and hashed once a run; the run records the sha256 for its manifest."""
        entries = self._report_entries()
        found = entries.get(key)
        if found is None:
            return None
        if key not in self._checked:
            path, digest = found
            try:
                same = sha256_file(Path(path)) == digest
            except OSError:
                same = False
            if not same:
                del entries[key]
                return None
            self._checked.add(key)
            self.used.add(path)
        return found

    def store_report(self, key: str, data: bytes) -> tuple[str, str]:
        """Store a rendered report (PDF or DOCX bytes) under ``key``; its path and sha256."""
        digest = hashlib.sha256(data).hexdigest()
        path = os.path.join(self.root, "reports", f"{key}.{digest}")
        _write_atomic(path, data)
        self._report_entries()[key] = (path, digest)
        self._checked.add(key)
        self.used.add(path)
        return path, digest

    def prune(self) -> None:
        """Remove every entry this run did not use (and temporary files a killed run left)."""
        for folder, used, suffix in (("files", self.used_files, ""), ("cards", self.used_cards, ".json")):
            for entry in _entries(self.root / folder):
                name = entry.name.removesuffix(suffix) if entry.name.endswith(suffix) else ""
                try:
                    keep = bytes.fromhex(name) in used
                except ValueError:  # a temporary file a killed run left
                    keep = False
                if not keep:
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)
        for entry in _entries(self.root / "reports"):
            if entry.path not in self.used:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _entries(folder: Path) -> Iterator[os.DirEntry[str]]:
    try:
        scan = os.scandir(folder)
    except OSError:
        return
    with scan:
        yield from scan


def light_entry(result: FileResult) -> tuple[FileResult, bytes]:
    """``result`` with each scorecard replaced by its standing (what a streamed run keeps), and its cache entry,
    each standing made once for both. The entry: one line indexing the file's records (kind, unit id, source, a
    scorecard's standing, the payload's length), then the payloads as they are: each scorecard's canonical JSON,
    each error's. The payloads are not JSON-escaped again: a streamed run reads a scorecard back as the bytes it
    writes."""
    records: list[list[Any]] = []
    payloads: list[bytes] = []
    units: list[Unit] = []

    def add(kind: str, unit_id: str | None, source: str | None, held: Any, payload: bytes) -> None:
        records.append([kind, unit_id, source, held, len(payload)])
        payloads.append(payload)

    for error in result.rejected:
        add("rejected", None, None, None, json.dumps(error.as_dict(), ensure_ascii=False).encode("utf-8"))
    for unit in result.units:
        if isinstance(unit.outcome, Scorecard):
            made = standing(unit.outcome)
            held = [getattr(made, name) for name in _STANDING_FIELDS]
            add("card", unit.unit_id, unit.source, held, unit.outcome.to_bytes())
            units.append(Unit(unit.unit_id, unit.source, made))
        elif isinstance(unit.outcome, InputError):
            add(
                "error",
                unit.unit_id,
                unit.source,
                None,
                json.dumps(unit.outcome.as_dict(), ensure_ascii=False).encode(),
            )
            units.append(unit)
        else:
            raise TypeError("a cache entry holds whole scorecards")
    index = json.dumps(records, ensure_ascii=False).encode("utf-8")  # one line: JSON escapes newlines
    return dataclasses.replace(result, units=units), b"".join([index, b"\n", *payloads])


def _holds(path: str, data: bytes) -> bool:
    """Whether the file at ``path`` holds exactly ``data``: its size first (of the open file), then its bytes, read
    in one call without a buffered file object (half the cost of ``open().read()``, and a missing file fails
    sooner). A short read only makes it rewritten."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        return os.fstat(handle).st_size == len(data) and os.read(handle, len(data) + 1) == data
    except OSError:
        return False
    finally:
        os.close(handle)


def _write_atomic(path: str | Path, data: bytes) -> None:
    """``data`` as ``path``, whole or not at all: written to a temporary name beside it, then renamed (its folder
    made when missing, not checked for each entry)."""
    folder, name = os.path.split(path)
    temporary = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
    try:
        handle = os.open(temporary, flags, 0o666)
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)
        handle = os.open(temporary, flags, 0o666)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(handle, view) :]
        finally:
            os.close(handle)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def link_new(source: str | Path, target: str | Path) -> None:
    """``target``, which must not exist yet, as a hard link to ``source`` (the cache and the runs share a file
    system), else a copy."""
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError:
        with open(source, "rb") as file, open(target, "xb") as copy:
            shutil.copyfileobj(file, copy)

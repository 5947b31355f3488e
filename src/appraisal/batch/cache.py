"""What a run can reuse from earlier runs on the same output folder: scored files and rendered reports.

In: an input file's bytes (with its name, the rubric's sha256 and this version), or a report's full content
(its final scorecard, last year's, the options, the templates). Out: the cached result, or a miss.

``OUT/.appraisal/cache/files/<key>`` holds one input file's outcome before ranking: per unit its scorecard or the
error rejecting it, and the file's own errors. ``OUT/.appraisal/cache/reports/<key>.pdf`` holds a rendered PDF, and
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
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import InputError, Problem
from ..resources import bundled
from ..scoring import Scorecard
from ..scoring.rank import Standing, standing

FORMAT = "appraisal-cache/3"


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


_INTERNED: dict[Any, Any] = {}  # the few org types, grades, rubric hashes and group-id tuples of a run, kept once


def _once(value: Any) -> Any:
    return _INTERNED.setdefault(value, value)


def _standing(data: list[Any]) -> Standing:
    unit_id, name, org_type, year, rubric, total, grade, vetoed, shortfalls, groups, points, tie_keys, ties = data[:13]
    rank, commended = data[13:]
    return Standing(
        str(unit_id),
        str(name),
        _once(str(org_type)),
        int(year),
        _once(str(rubric)),
        float(total),
        _once(str(grade)),
        bool(vetoed),
        int(shortfalls),
        _once(tuple(map(str, groups))),
        tuple(map(float, points)),
        _once(tuple(map(str, tie_keys))),
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


@functools.cache
def templates_sha256() -> str:
    """sha256 over the report templates, CSS, fonts and catalogues (names and contents)."""
    root = bundled("report_templates")
    parts: list[str | bytes] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        parts += [path.relative_to(root).as_posix(), path.read_bytes()]
    return _digest(*parts)


@functools.cache
def _renderer_versions() -> str:
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
        self.used: set[str] = set()  # the entries' paths (strings: a run of 100,000 files keeps them all)

    # --- scored input files -----------------------------------------------------------------------------

    def file_key(self, name: str, data: bytes) -> str:
        return _digest(FORMAT, __version__, self.rubric, name, data)

    def _file_path(self, key: str) -> Path:
        return self.root / "files" / key

    def load_file(self, key: str, name: str, sha256: str, size: int, light: bool = False) -> FileResult | None:
        """The cached outcome of the file with this key, or None (a miss, or an entry that cannot be read). With
        ``light`` each scorecard is left in the entry and only its ``Standing`` read."""
        path = self._file_path(key)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
            rejected: list[InputError] = []
            units: list[Unit] = []
            for meta_line, payload in zip(lines[::2], lines[1::2], strict=True):
                meta = json.loads(meta_line)
                if meta["kind"] == "rejected":
                    rejected.append(_error(json.loads(payload)))
                elif meta["kind"] == "card":
                    outcome: Scorecard | Standing
                    if light:
                        outcome = _standing(meta["standing"])
                    else:
                        outcome = Scorecard.model_validate_json(json.loads(payload))
                    units.append(Unit(meta["unit_id"], meta["source"], outcome))
                else:
                    units.append(Unit(meta["unit_id"], meta["source"], _error(json.loads(payload))))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return FileResult(name, sha256, size, rejected, units, key=key)

    def load_texts(self, key: str) -> list[str]:
        """The canonical JSON of each scorecard of the entry, before ranking, in file order."""
        lines = self._file_path(key).read_text(encoding="utf-8").splitlines()
        texts = []
        for meta_line, payload in zip(lines[::2], lines[1::2], strict=True):
            if json.loads(meta_line)["kind"] == "card":
                text = json.loads(payload)
                if not isinstance(text, str):
                    raise ValueError(f"{key}: not a scorecard's text")
                texts.append(text)
        return texts

    def store_file(self, key: str, result: FileResult) -> None:
        """Store ``result`` (its scorecards whole: their canonical JSON, and their standing for a streamed run)."""
        lines: list[str] = []
        for error in result.rejected:
            lines += [json.dumps({"kind": "rejected"}), json.dumps(error.as_dict(), ensure_ascii=False)]
        for unit in result.units:
            meta: dict[str, Any] = {"unit_id": unit.unit_id, "source": unit.source}
            if isinstance(unit.outcome, Scorecard):
                meta = {"kind": "card", **meta, "standing": dataclasses.astuple(standing(unit.outcome))}
                lines += [json.dumps(meta, ensure_ascii=False), json.dumps(unit.outcome.to_json(), ensure_ascii=False)]
            elif isinstance(unit.outcome, InputError):
                lines += [json.dumps({"kind": "error", **meta}), json.dumps(unit.outcome.as_dict(), ensure_ascii=False)]
            else:
                raise TypeError("a cache entry holds whole scorecards")
        _write_atomic(self._file_path(key), ("\n".join(lines) + "\n").encode("utf-8") if lines else b"")

    def empty(self) -> bool:
        """Whether no scored file is cached (a first run)."""
        try:
            with os.scandir(self.root / "files") as scan:
                return next(scan, None) is None
        except OSError:
            return True

    def mark_card(self, digest: str) -> None:
        """Keep the final scorecard with this sha256 at ``prune`` (a worker stored it)."""
        self.used.add(os.path.join(self.root, "cards", f"{digest}.json"))

    def mark_file(self, key: str) -> None:
        """Keep this entry at ``prune`` (workers read and write entries; the run keeps the account)."""
        self.used.add(os.path.join(self.root, "files", key))

    # --- final scorecards ---------------------------------------------------------------------------------

    def store_card(self, data: bytes) -> tuple[Path, str]:
        """The entry holding a final scorecard's bytes, and their sha256. An earlier run's entry is reused when it
        still holds these bytes (a published scorecard is a link to it: one edited in place is not reused)."""
        digest = hashlib.sha256(data).hexdigest()
        path = self.root / "cards" / f"{digest}.json"
        try:
            same = path.read_bytes() == data
        except OSError:
            same = False
        if not same:
            _write_atomic(path, data)
        self.used.add(str(path))
        return path, digest

    # --- rendered reports ---------------------------------------------------------------------------------

    def report_key(self, kind: str, settings: str, content: Iterable[str | bytes]) -> str:
        """The key of a report: what it shows (``content``), how (``settings``), and the templates and libraries."""
        return _digest(
            FORMAT, kind, __version__, self.rubric, templates_sha256(), _renderer_versions(), settings, *content
        )

    def report(self, key: str) -> Path | None:
        path = self.root / "reports" / f"{key}.pdf"
        if path.is_file():
            self.used.add(str(path))
            return path
        return None

    def store_report(self, key: str, pdf: bytes) -> Path:
        path = self.root / "reports" / f"{key}.pdf"
        _write_atomic(path, pdf)
        self.used.add(str(path))
        return path

    def prune(self) -> None:
        """Remove every entry this run did not use (and temporary files a killed run left)."""
        for folder in (self.root / "files", self.root / "cards", self.root / "reports"):
            if folder.is_dir():
                with os.scandir(folder) as scan:
                    for entry in scan:
                        if entry.path not in self.used:
                            with contextlib.suppress(OSError):
                                os.unlink(entry.path)


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


def link_new(source: Path, target: Path) -> None:
    """``target``, which must not exist yet, as a hard link to ``source``, else a copy."""
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError:
        with open(source, "rb") as file, open(target, "xb") as copy:
            shutil.copyfileobj(file, copy)


def link_or_copy(source: Path, target: Path) -> None:
    """``target`` as a hard link to ``source`` (the cache and the runs share a file system), else a copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)

"""The output folder: one run at a time (a lock), each run built aside and published whole.

In: the files of one run, written into a ``RunFolder``. Out: ``--out`` showing that run, and only it::

    OUT/.appraisal/lock                    held (flock) while a run works; names its pid and start time
    OUT/.appraisal/runs/<id>.partial/      a run being written (never shown; removed by the next run)
    OUT/.appraisal/runs/<id>/              a whole run: scorecards/ reports/ summary.csv summary.pdf errors.json
                                           and manifest.json, written last
    OUT/.appraisal/current -> runs/<id>    the published run, switched by one rename
    OUT/scorecards -> .appraisal/current/scorecards     (and reports, summary.csv, summary.pdf, errors.json,
                                                         manifest.json)

Publishing is one ``rename`` of the ``current`` link, so at every instant each name under ``OUT`` belongs to
the same run: a reader never sees reports of one run beside scorecards of another, whenever the writer is
killed. A reader that reads many files and wants them all from one run resolves ``OUT/.appraisal/current``
once (``os.path.realpath``) and reads below it. A folder whose ``manifest.json`` is there is complete; the
manifest lists the sha256 of the inputs, the rubric and every file of the run (``verify`` checks them).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

from ..errors import OutputError
from ..submission.loading import OUTPUT_STATE

STATE = OUTPUT_STATE  # the output folder's state folder (named where the input listing, an earlier stage, needs it)

PUBLISHED = (
    "scorecards",
    "reports",
    "summary.csv",
    "summary.pdf",
    "summary.docx",
    "decision.pdf",
    "decision.docx",
    "errors.json",
    "manifest.json",
)
MANIFEST = "manifest.json"
SCRATCH = "tmp"  # OUT/.appraisal/tmp: the workers' temporary files (weasyprint's fonts), removed as a run starts
MANIFEST_FORMAT = "appraisal-run/1"
# What the scorecard and report files may be called: the submission's unit id pattern and a suffix.
SAFE_NAME = re.compile(r"[A-Za-z0-9._-]{1,72}")
UNIT_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# Folders and files staged beside the outputs (by earlier versions, and the demo's submissions); a killed run
# could leave them.
_LEGACY_TEMPORARY = re.compile(
    r"^\.(scorecards|reports|summary\.csv|summary\.pdf|errors\.json|submissions)\..*\.(new|old|tmp)$"
)


def outputs(out: Path) -> list[Path]:
    """Everything a run writes under ``out`` (so an input folder holding ``out`` never reads it back)."""
    return [out / STATE, *(out / name for name in PUBLISHED)]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- the lock ----------------------------------------------------------------------------------------------

_HELD: dict[Path, int] = {}  # this process's locks by folder, with how many holders (demo, then its run)


@contextlib.contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """Hold ``out`` for this process; a second process gets an ``OutputError`` naming the holder's pid and start
    time. The kernel releases the lock when the holder ends, however it ends (kill -9 too)."""
    state = out / STATE
    try:
        state.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out}: cannot write: {exc.strerror or exc}") from exc
    key = state.resolve()
    if key in _HELD:
        _HELD[key] += 1
        try:
            yield
        finally:
            _HELD[key] -= 1
        return
    handle = os.open(state / "lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError(
                f"{out} is in use by another appraisal run ({_holder(handle)}); "
                "wait for it to end or choose another --out"
            ) from None
        started = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        holder = json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "started": started})
        os.ftruncate(handle, 0)
        os.pwrite(handle, (holder + "\n").encode(), 0)
        _HELD[key] = 1
        try:
            yield
        finally:
            del _HELD[key]
            os.ftruncate(handle, 0)
    finally:
        os.close(handle)  # releases the lock


def _holder(handle: int) -> str:
    """Who holds the lock, as its file says (it is written just after the lock is taken: read twice if empty)."""
    for _ in range(20):
        raw = os.pread(handle, 4096, 0)
        if raw.strip():
            break
        os.sched_yield()
    try:
        data = json.loads(raw)
        return f"pid {int(data['pid'])} on {str(data['host'])[:64]}, started {str(data['started'])[:32]}"
    except (ValueError, KeyError, TypeError):
        return "a process that is starting"


# --- a run's folder ----------------------------------------------------------------------------------------


class CardDigests(Protocol):
    """The sha256 (raw) of each scorecard a run wrote, by unit id: a dict, or a streamed run's ledger."""

    def get(self, unit_id: str, /) -> bytes | None: ...


class RunFolder:
    """A run being written aside, under ``OUT/.appraisal/runs/<id>.partial``; ``publish`` shows it as ``OUT``'s
    run. Leaving the block without publishing (an error, Ctrl-C) removes it; the published run is untouched.
    The caller holds ``output_lock(out)``."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.runs = out / STATE / "runs"
        self.id = f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}-{os.getpid()}-{secrets.token_hex(3)}"
        self.root = self.runs / f"{self.id}.partial"
        self.published = False
        self.digests: dict[str, str] = {}  # sha256 of files whose bytes the writer hashed (the manifest's)
        self.cards: CardDigests = {}  # likewise of scorecards/<unit id>.json, raw, by unit id (100,000)

    def __enter__(self) -> RunFolder:
        clean_stale(self.out)
        _remove(self.out / STATE / SCRATCH)  # no worker of an earlier run lives on: they die with their run
        refuse_foreign(self.out)
        try:
            self.root.mkdir(parents=True)
        except OSError as exc:
            raise OutputError(f"{self.out}: cannot write: {exc.strerror or exc}") from exc
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, trace: TracebackType | None
    ) -> None:
        if not self.published:
            shutil.rmtree(self.root, ignore_errors=True)

    def path(self, *parts: str) -> Path:
        """``root/part/...``, each part a plain file name; anything that could leave the folder is refused."""
        for part in parts:
            if not SAFE_NAME.fullmatch(part) or not part.strip("."):
                raise OutputError(f"{part[:80]!r} is not a safe file name (letters, digits, . _ -): not written")
        # each part is a plain name (no separator, not . or ..) below a folder this run made: the path stays in it
        return self.root.joinpath(*parts)

    def unit_file(self, folder: str, unit_id: str, suffix: str) -> tuple[str, str]:
        """(folder, ``<unit-id><suffix>``) for ``path`` and ``write``; a unit id that is not a plain file name (the
        submission's pattern, not only dots) is refused: a model changed after validation can hold anything."""
        if not UNIT_ID.fullmatch(unit_id) or not unit_id.strip("."):
            raise OutputError(f"unit id {unit_id[:80]!r} is not a safe file name (letters, digits, . _ -): not written")
        return folder, f"{unit_id}{suffix}"

    def write(self, data: bytes, *parts: str) -> Path:
        target = self.path(*parts)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        except OSError as exc:
            raise OutputError(f"{self.out / '/'.join(parts)}: cannot write: {exc.strerror or exc}") from exc
        return target

    def files(self) -> dict[str, str]:
        """Every file of the run so far, by its path below the run, with its sha256."""
        return dict(self._files())

    def _files(self) -> Iterator[tuple[str, str]]:
        """``files``, one at a time in name order (a run of 100,000 scorecards: no dict of them all)."""
        for name in sorted(n for n in _walk(str(self.root), "") if n != MANIFEST):  # listed while it is written
            digest = self.digests.get(name)
            if digest is None and name.startswith("scorecards/") and name.endswith(".json"):
                raw = self.cards.get(name[len("scorecards/") : -len(".json")])
                digest = raw.hex() if raw is not None else None
            yield name, digest or sha256_file(self.root / name)

    def publish(self, manifest: dict[str, Any]) -> None:
        """Write ``manifest.json`` (last: it lists every other file's sha256), then show this run as ``OUT``'s.
        A value of ``manifest`` may be an iterator (a list of 100,000 inputs, made as it is written)."""
        with (self.root / MANIFEST).open("wb", buffering=1 << 20) as file:
            for piece in _manifest_json({**manifest, "files": self._files()}):
                file.write(piece.encode("utf-8"))
            file.flush()
            os.fsync(file.fileno())
        final = self.runs / self.id
        os.replace(self.root, final)
        self.root = final
        self.published = True  # from here a killed run leaves a whole run, published or cleaned by the next
        state = self.out / STATE
        # the fixed names, and each year's summary of a run that holds several years (summary-<year>.pdf)
        present = {name for name in PUBLISHED if (final / name).exists()}
        present |= {p.name for pattern in ("summary-*", "decision-*") for p in final.glob(pattern)}
        for name in present:
            _link(self.out / name, f"{STATE}/current/{name}", state)
        _link(state / "current", f"runs/{self.id}", state)  # the one step that publishes
        for link in self.out.iterdir():  # links of an earlier run to what this one does not have
            if link.name not in present and link.is_symlink() and os.readlink(link).startswith(f"{STATE}/current/"):
                link.unlink()
        _fsync_folder(state)
        clean_stale(self.out)


def _walk(root: str, prefix: str) -> Iterator[str]:
    """The files below ``root`` (as ``Path.is_file`` sees them), as paths below it: strings only (a Path a file
    would intern every name, for good)."""
    with os.scandir(root) as scan:
        for entry in scan:
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(entry.path, f"{prefix}{entry.name}/")
            elif entry.is_file():
                yield f"{prefix}{entry.name}"


_string = json.encoder.encode_basestring  # a str as json.dumps(..., ensure_ascii=False) writes it (C)


def _scalar(value: Any) -> str | None:
    """A string, an int, a bool or None as json.dumps writes it; None for anything else."""
    if isinstance(value, str):
        return _string(value)
    if value is None or isinstance(value, bool):
        return "null" if value is None else ("true" if value else "false")
    return int.__repr__(value) if isinstance(value, int) else None


def _dumps(value: Any, level: int) -> str:
    """``value`` as ``json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)`` writes it, ``level`` deep.
    Scalars and flat mappings of them (each input's record, each file's name and digest: a run has 100,000 of
    each) are written here, the same text (json indents through its Python encoder: 30 µs an input's record and
    9 µs a file's entry, against 10 and 2 written here)."""
    if (text := _scalar(value)) is not None:
        return text
    if isinstance(value, dict) and value and all(isinstance(key, str) for key in value):
        pad = "\n" + "  " * level
        parts = [(key, _scalar(item)) for key, item in sorted(value.items())]
        if all(text is not None for _, text in parts):
            return "{" + ",".join(f"{pad}  {_string(key)}: {text}" for key, text in parts) + pad + "}"
    text = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)
    return text.replace("\n", "\n" + "  " * level)  # JSON strings hold no newline


def _manifest_json(manifest: dict[str, Any]) -> Iterator[str]:
    """``json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\\n"``, in pieces: the top-level
    values that are lists, dicts or iterators (of items for a dict's ``files``) are written an element at a
    time, never as one string."""

    yield "{"
    for count, key in enumerate(sorted(manifest)):
        value = manifest[key]
        yield f"{',' if count else ''}\n  {_dumps(key, 0)}: "
        if key == "files" and not isinstance(value, dict):
            value = iter(value)  # (name, sha256) in name order
            opened = False
            for name, digest in value:
                yield f"{',' if opened else '{'}\n    {_dumps(name, 0)}: {_dumps(digest, 0)}"
                opened = True
            yield "\n  }" if opened else "{}"
        elif isinstance(value, dict):
            for at, (name, item) in enumerate(sorted(value.items())):
                yield f"{',' if at else '{'}\n    {_dumps(name, 0)}: {_dumps(item, 2)}"
            yield "\n  }" if value else "{}"
        elif not isinstance(value, str | int | float | bool | None):  # a list, or an iterator of its items
            opened = False
            for item in value:
                yield f"{',' if opened else '['}\n    {_dumps(item, 2)}"
                opened = True
            yield "\n  ]" if opened else "[]"
        else:
            yield _dumps(value, 1)
    yield "\n}\n" if manifest else "}\n"


def _ours(path: Path) -> bool:
    """Whether ``path`` is absent or a run's link into ``OUT/.appraisal/current`` (what ``publish`` may replace)."""
    return not os.path.lexists(path) or (path.is_symlink() and os.readlink(path).startswith(f"{STATE}/current/"))


_YEARLY = re.compile(r"(summary|decision)-\d{4}\.(pdf|docx)")  # the summaries of a run of several years


def refuse_foreign(out: Path) -> None:
    """An ``OutputError`` when ``out`` holds, under a name a run publishes, something a run did not write (the
    user's own file or folder, or one of the input folder's): a run replaces only its own links, and never
    deletes what it did not write."""
    try:
        names = sorted(os.listdir(out))
    except OSError:
        return
    for name in names:
        if (name in PUBLISHED or _YEARLY.fullmatch(name)) and not _ours(out / name):
            raise OutputError(
                f"{out / name}: not a file of an appraisal run (a run publishes its results under this name): "
                "move it away or choose another --out"
            )


def _link(link: Path, target: str, state: Path) -> None:
    """Make ``link`` a symbolic link to ``target`` in one rename. What stands there must be a run's link:
    ``refuse_foreign`` checked as the run started, and it is checked again the moment before it is replaced."""
    if link.is_symlink() and os.readlink(link) == target:
        return
    if link.parent != state and not _ours(link):
        refuse_foreign(link.parent)
    temporary = state / f"link-{secrets.token_hex(4)}.tmp"
    os.symlink(target, temporary)
    os.replace(temporary, link)


def _fsync_folder(folder: Path) -> None:
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def current_run(out: str | Path) -> Path | None:
    """The folder of ``out``'s published run, or None."""
    out = Path(out)
    link = out / STATE / "current"
    return (out / STATE / os.readlink(link)) if link.is_symlink() else None


def clean_stale(out: Path) -> None:
    """Remove what killed runs left: unfinished and superseded runs, temporary links, earlier versions' staging
    folders. Called under the lock only, so nothing another run is writing is touched."""
    state = out / STATE
    keep = current_run(out)
    runs = state / "runs"
    if runs.is_dir():
        for entry in runs.iterdir():
            if keep is None or entry.name != keep.name:
                _remove(entry)
    if state.is_dir():
        for entry in state.iterdir():
            if entry.name.startswith(("old-", "link-", "current.")):
                _remove(entry)
    if out.is_dir():
        for entry in out.iterdir():
            if _LEGACY_TEMPORARY.match(entry.name):
                _remove(entry)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            path.unlink()


def read_manifest(out: str | Path) -> dict[str, Any] | None:
    """The published run's manifest, or None when ``out`` holds no complete run."""
    out = Path(out)
    path = out / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == MANIFEST_FORMAT else None


def verify(out: str | Path) -> list[str]:
    """What is wrong with ``out`` as one whole run: an empty list when its manifest is there and every file it
    lists has the sha256 it records, and no other file stands in the run."""
    out = Path(out)
    manifest = read_manifest(out)
    if manifest is None:
        return [f"{out}: no complete run (no {MANIFEST})"]
    problems = []
    files: dict[str, str] = manifest["files"]
    run_folder = current_run(out)
    root = run_folder if run_folder is not None else out
    for name, digest in files.items():
        path = root / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif sha256_file(path) != digest:
            problems.append(f"{name}: changed since the run")
    on_disk = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} - {MANIFEST}
    problems += [f"{name}: not of this run" for name in sorted(on_disk - set(files))]
    return problems


__all__ = ["RunFolder", "clean_stale", "current_run", "output_lock", "outputs", "read_manifest", "verify"]

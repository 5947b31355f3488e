"""Worker processes: the rubric in, scorecards and PDF bytes out, in order.

Workers are processes (each has its own durable-rules rulesets, since the engine is not thread-safe, and its own
weasyprint caches), with the glibc malloc tunables that keep durable-rules' throughput steady. On Linux they are
forked from a run's process when it runs a single thread (``start_method``): they begin with its modules
imported and its rubric loaded, where a spawned worker spends about 0.4 s of CPU importing and 0.25 s loading the
rubric before its first unit. They ignore Ctrl-C (the parent alone answers it, once), answer other signals as a
new process does (not with the handlers of the process they were forked from), and die with their parent: on
Linux the kernel kills them when it ends (``PR_SET_PDEATHSIG``), and a watchdog thread checks the parent is
still there, so a ``kill -9`` of the run leaves no worker holding the caller's pipes open.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import multiprocessing.util
import os
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..rubric import Rubric, load_rubric
from ..scoring import Scorecard
from ..scoring.appraise import rubric_for, score_or_reject
from ..scoring.rank import Decision
from ..submission.loading import Listed, listed_path, validate_unit
from .cache import Cache, FileResult
from .publish import SCRATCH
from .stream import score_light, write_cards

TUNABLES = "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824"
_MALLOPT = {"glibc.malloc.trim_threshold": -1, "glibc.malloc.mmap_threshold": -3}  # glibc's M_TRIM_/M_MMAP_THRESHOLD
_PR_SET_PDEATHSIG = 1
_WATCH_SECONDS = 0.5

_worker_rubric: Rubric | None = None
_worker_cache: Cache | None = None


def _die_with(parent: int) -> None:
    """End this process when ``parent`` ends, whatever ends it."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it ended before the line above
        os._exit(1)

    def watch() -> None:
        while True:
            threading.Event().wait(_WATCH_SECONDS)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def start_method() -> str:
    """How this process starts its workers: ``fork`` on Linux when it runs a single thread, else ``spawn``.
    Forking a process that runs other threads (a Dask client's, pytest-xdist's, an application's, GLib's once
    weasyprint has rendered) copies whatever locks they hold at that moment into a child that has no thread to
    release them; a process of one thread has none held but its own, and none is held while it starts workers."""
    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        try:
            if len(os.listdir("/proc/self/task")) == 1:  # the process's threads, C ones included
                return "fork"
        except OSError:
            pass
    return "spawn"


def _as_new_process(tunables: str) -> None:
    """In a forked worker: the signal handlers the parent's Python code set back to the default, the wakeup file
    descriptor dropped, and ``tunables`` (the glibc malloc tunables a spawned worker reads from its environment)
    set with ``mallopt``, when given (a parent started with its own tunables passes none: its child has them)."""
    for number in signal.valid_signals():
        with contextlib.suppress(OSError, ValueError):
            if callable(signal.getsignal(number)):
                signal.signal(number, signal.SIG_DFL)
    with contextlib.suppress(ValueError):
        signal.set_wakeup_fd(-1)
    if tunables:
        with contextlib.suppress(OSError, AttributeError):
            mallopt = ctypes.CDLL(None).mallopt
            for setting in tunables.split(":"):
                name, _, value = setting.partition("=")
                if name in _MALLOPT:
                    mallopt(_MALLOPT[name], int(value))


def start_worker(
    path: str,
    sha256: str,
    parent: int,
    cache: str | None = None,
    cache_key: str = "",
    forked: tuple[Rubric | None, str] | None = None,
) -> None:
    """A worker's start: deaf to Ctrl-C, tied to its parent, holding the run's rubric (and its cache, under the
    parent's key: the rubric's sha256, or every bundled year's). ``forked``: this worker was forked, with the
    parent's rubric object and the malloc tunables to set (``_as_new_process``)."""
    global _worker_rubric, _worker_cache
    if forked is not None:
        _as_new_process(forked[1])
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with(parent)
    gc.set_threshold(50_000, *gc.get_threshold()[1:])  # see run._few_collections
    if forked is not None and forked[0] is not None:
        _worker_rubric = forked[0]  # the parent's, as it loaded it
    else:
        _worker_rubric = load_rubric(path) if path else None  # none: each unit's own year's bundled rubric
    if _worker_rubric is not None and _worker_rubric.sha256 != sha256:
        raise RuntimeError(f"the rubric in {path} changed while the run was starting")
    _worker_cache = Cache(Path(cache), cache_key or sha256) if cache is not None else None
    if cache is not None:  # temporary files inside the output folder: a worker killed with its run leaves none
        scratch = os.path.join(os.path.dirname(cache), SCRATCH)  # outside it (the next run removes them)
        os.makedirs(scratch, exist_ok=True)
        tempfile.tempdir = tempfile.mkdtemp(prefix=f"worker-{os.getpid()}-", dir=scratch)
        # Removed as the worker ends: weasyprint removes its copy of the fonts (11 MB) in a finalizer (__del__),
        # which a forked worker never runs (it ends with os._exit); multiprocessing's own finalizers do run.
        multiprocessing.util.Finalize(None, shutil.rmtree, (tempfile.tempdir,), {"ignore_errors": True}, exitpriority=0)


def light_files(chunk: list[tuple[Listed, str]]) -> list[FileResult]:
    """Read and score each file, its scorecards stored in the cache and sent back as standings (a streamed run)."""
    assert _worker_cache is not None, "a streamed run's workers hold its cache"
    return [score_light(listed_path(path), name, _worker_rubric, _worker_cache) for path, name in chunk]


def write_entries(folder: str, tasks: list[tuple[str, list[tuple[int, str, Decision]]]]) -> list[bytes]:
    """Write the decided scorecards of these cache entries into the run's ``folder`` (a streamed run)."""
    assert _worker_cache is not None, "a streamed run's workers hold its cache"
    return write_cards(_worker_cache, Path(folder), tasks)


def render_cards(
    items: list[tuple[bytes, Scorecard | None]],
    rubric: Rubric | None = None,
    *,
    lang: str | None,
    options: Any,
    formats: tuple[str, ...] = ("pdf",),
) -> list[dict[str, bytes]]:
    """In a worker (local or on a Dask cluster), or here: each unit's report in each of ``formats`` (``pdf``,
    ``docx``) from its final scorecard's bytes (parsed here, not by the parent: a run of 100,000 reports parses no
    scorecard in the parent) and its scorecard of last year when there is one; ``rubric`` None in a worker means
    the one it holds (not sent with every chunk)."""
    from ..reports.output import render_kinds

    rubric = rubric if rubric is not None else _worker_rubric
    return [
        render_kinds(Scorecard.model_validate_json(data), lang, options, last, rubric, formats) for data, last in items
    ]


def score_chunk(payloads: list[tuple[str, dict[str, Any]]]) -> list[Scorecard | InputError]:
    """Validate and score each unit (its source and its fields, as dumped by the parent)."""
    results: list[Scorecard | InputError] = []
    for source, data in payloads:
        try:
            unit = validate_unit(data, source, _worker_rubric)
        except InputError as exc:
            results.append(exc)
            continue
        results.append(score_or_reject(unit, _worker_rubric or rubric_for(unit)))
    return results


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Stop ``pool`` now: queued work cancelled, running workers killed (shutdown alone would wait for them), and
    nothing of the pool left for this process's exit to wait on. A worker killed while sending a result leaves
    part of a message in the result pipe; this process holds that pipe's writing end too, so the pool's manager
    thread waited for the rest for ever, and the interpreter's exit waits for that thread (a Ctrl-C that printed
    its line and never exited): the writing end is closed once the workers are dead, and the read ends at end of
    file. The call queue's feeder thread, which may be writing to workers that are gone, is not waited for."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # the executor's, by pid
    calls, results = getattr(pool, "_call_queue", None), getattr(pool, "_result_queue", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(OSError, ValueError):
            process.kill()
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AssertionError):
            process.join(5)
    if calls is not None:
        calls.cancel_join_thread()
    writer = getattr(results, "_writer", None)
    if writer is not None:
        with contextlib.suppress(OSError):
            writer.close()


@contextlib.contextmanager
def _deaf_to_ctrl_c() -> Iterator[None]:
    """Ignore SIGINT while workers are started: a spawned process keeps an ignored SIGINT ignored and Python
    then installs no KeyboardInterrupt handler, so a Ctrl-C while a worker is still importing prints no
    traceback. (A Ctrl-C in these few milliseconds is lost; the next one is heard.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


class Workers:
    """``jobs`` worker processes holding ``rubric``, started when first asked for (a re-run that finds
    everything in its cache starts none). ``executor()`` is None for one job: work in this process."""

    def __init__(self, jobs: int, rubric: Rubric | None, cache: Cache | None = None, renders: bool = False) -> None:
        self.jobs = jobs
        self.rubric = rubric
        self.cache = cache
        self.renders = renders  # the workers will render reports: forked ones get the report stack imported
        self._pool: ProcessPoolExecutor | None = None

    def executor(self) -> Executor | None:
        if self.jobs <= 1:
            return None
        if self._pool is None:
            # glibc reads its tunables when a process starts: set in the environment a spawned worker inherits,
            # or by a forked one itself unless this process started with tunables of its own
            before = os.environ.get("GLIBC_TUNABLES")
            method = start_method()
            if method == "fork" and self.renders:  # imported once here (about 0.6 s), not in each worker
                from ..reports import output  # noqa: F401  (this process renders the summary with it too)

                method = start_method()  # still one thread? (the import starts none; should that change, spawn)
            forked = (self.rubric, "" if before else TUNABLES) if method == "fork" else None
            os.environ["GLIBC_TUNABLES"] = before or TUNABLES
            try:
                with _deaf_to_ctrl_c():
                    context = multiprocessing.get_context(method)
                    cache = (str(self.cache.root), self.cache.rubric) if self.cache is not None else (None, "")
                    held = (self.rubric.path, self.rubric.sha256) if self.rubric is not None else ("", "")
                    started = (*held, os.getpid(), *cache, forked)
                    self._pool = ProcessPoolExecutor(self.jobs, context, start_worker, started)
                    for _ in range(self.jobs):  # each submit starts a worker until there are ``jobs``: all now
                        self._pool.submit(int)
            finally:
                if before is None:
                    os.environ.pop("GLIBC_TUNABLES", None)
        return self._pool

    @property
    def started(self) -> bool:
        """Whether the worker processes are running (a later stage uses them if so, else works here)."""
        return self._pool is not None

    def close(self, failed: bool) -> None:
        """Wait for the workers to finish, or (``failed``: an error, Ctrl-C) kill them at once."""
        if self._pool is not None:
            if failed:
                _terminate(self._pool)
            else:
                self._pool.shutdown(wait=True)
            self._pool = None


@contextlib.contextmanager
def workers(jobs: int, rubric: Rubric | None, cache: Cache | None = None, renders: bool = False) -> Iterator[Workers]:
    """Worker processes for a run (that ``renders`` reports too), started when first needed; leaving the block by
    an error or Ctrl-C kills them at once."""
    pool = Workers(jobs, rubric, cache, renders)
    try:
        yield pool
    except BaseException:
        pool.close(failed=True)
        raise
    pool.close(failed=False)


@contextlib.contextmanager
def worker_pool(jobs: int, rubric: Rubric | None, cache: Cache | None = None) -> Iterator[Executor | None]:
    """``jobs`` worker processes holding ``rubric``, started now (``None`` for one job)."""
    with workers(jobs, rubric, cache) as pool:
        yield pool.executor()


__all__ = [
    "Workers",
    "light_files",
    "render_cards",
    "score_chunk",
    "start_method",
    "start_worker",
    "worker_pool",
    "workers",
    "write_entries",
]

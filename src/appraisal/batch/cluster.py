"""Running a run's work on a Dask distributed cluster: files' bytes and scorecards in, outcomes and reports back.

The client (the machine running ``appraisal run``) does everything that touches the output folder: it holds the
lock, reads the input files, keeps the cache, writes and publishes the run. The cluster's workers get the
rubric once (a task's result, made again if lost) and chunks of work: an input file's name and bytes to parse,
validate and score, or a scorecard (with last year's) to render as PDF, DOCX or both. What comes back is what
the local worker processes return, made by the same functions, so a run on a cluster gives the same bytes as a
local one.
Workers need appraisal (the same build: each task carries the client's ``fingerprint``, which a worker checks)
and its dependencies installed, nothing else: no shared storage, no access to the inputs or the output folder.
See docs/scale.md.
"""

from __future__ import annotations

import contextlib
import functools
import socket
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import AppraisalError
from ..resources import code_sha256
from ..rubric import Rubric
from ..scoring import Scorecard
from ..submission.loading import BundledYears
from .cache import FileResult, light_entry, renderer_versions, rubric_key, templates_sha256
from .score import score_file
from .workers import render_cards

WAIT_FOR_WORKERS = 60.0  # seconds a run waits while the cluster has no worker, before it gives up


class ClusterError(AppraisalError):
    """The Dask cluster cannot be reached or used (dask.distributed missing, a bad address, a failed task, a
    worker running other code or rubrics than the client, no worker)."""


def fingerprint(rubric: str, reports: bool) -> dict[str, str]:
    """What a worker's results depend on besides its inputs, as the cache's keys take it: appraisal's version and
    code (``code_sha256``), the ``rubric`` (its ``rubric_key``: the rubric given, or every bundled year's folder),
    and for reports the templates and the renderers' versions. The client sends its own with every task; a worker
    whose own differs refuses the task (``_same``), so that other code's scorecards or reports never enter the
    client's cache under this code's keys."""
    found = {"appraisal": __version__, "code": code_sha256(), "rubric": rubric}
    if reports:
        found |= {"report templates": templates_sha256(), "renderers": renderer_versions()}
    return found


@functools.cache
def _bundled_key() -> str:
    """This process's bundled years' key, read once (a worker's installed package does not change under it)."""
    return rubric_key(None)


def _same(expected: dict[str, str], rubric: Rubric | None, reports: bool) -> None:
    own = fingerprint(rubric.sha256 if rubric is not None else _bundled_key(), reports)
    differ = [name for name, value in expected.items() if own.get(name) != value]
    if differ:
        try:
            from distributed import get_worker

            where = f"the Dask worker at {get_worker().address}"
        except (ImportError, ValueError):
            where = "a Dask worker"
        shown = "; ".join(f"{name} {own.get(name, '?')[:24]}, the client's {expected[name][:24]}" for name in differ)
        raise ClusterError(
            f"{where} runs other code or rubrics than this client ({shown}): install the same appraisal on every"
            " worker (docs/scale.md)"
        )


def score_entries(
    chunk: list[tuple[str, str, bytes]], rubric: Rubric | None, expected: dict[str, str] | None = None
) -> list[tuple[FileResult, bytes]]:
    """On a worker, for a streamed run: each file (its name, its path's suffix, its bytes) scored, sent back as
    its standings and its cache entry's bytes (which the client stores: the scorecards are not sent as objects,
    nor held by the client). ``expected``: the client's ``fingerprint``, which this worker's must match."""
    if expected is not None:
        _same(expected, rubric, reports=False)
    years = BundledYears() if rubric is None else None  # found once a chunk: a worker holds no cache
    made = []
    for name, suffix, data in chunk:
        made.append(light_entry(score_file(Path(f"file{suffix}"), name, rubric, None, data, years=years)))
    return made


def _the(rubric: Rubric) -> Rubric:
    """The rubric, as a task's result on the cluster (sent once; recomputed by Dask if every copy is lost)."""
    return rubric


def render_entries(
    chunk: list[tuple[bytes, Scorecard | None]],
    rubric: Rubric | None,
    expected: dict[str, str],
    *,
    lang: str | None,
    options: Any,
    formats: tuple[str, ...],
) -> list[dict[str, bytes]]:
    """On a worker: ``render_cards`` of the chunk, once this worker's ``fingerprint`` is the client's."""
    _same(expected, rubric, reports=True)
    return render_cards(chunk, rubric, lang=lang, options=options, formats=formats)


def _speaks_first(address: str, host: str, port: int, timeout: float) -> None:
    """Refuse a TCP ``address`` where a server listens that is not a Dask scheduler. A Dask listener sends its
    handshake as soon as it accepts a connection, and Dask's own ``connect`` waits for that handshake without a
    timeout: another server there (an HTTP one, such as the scheduler's dashboard on :8787) says nothing and
    ``Client`` waited for ever. Where nothing listens, or the connection fails, ``Client`` is left to retry and
    time out as it does."""
    try:
        connection = socket.create_connection((host, port), timeout=timeout)
    except OSError:
        return
    with connection:
        try:
            said = connection.recv(1)
        except TimeoutError:
            said = None
        except OSError:
            return
    if not said:
        waited = f"said nothing in {timeout:g} s" if said is None else "closed the connection without a word"
        raise ClusterError(
            f"not a Dask scheduler at {address}: the server there {waited} (a scheduler listens on :8786 by"
            " default; :8787 is its dashboard)"
        )


class DaskExecutor:
    """A run's work on the Dask cluster whose scheduler is at ``address`` (``tcp://host:8786``), or through a
    ``distributed.Client`` the caller made. Each call maps a function over chunks and returns the results in
    order; an error or Ctrl-C cancels what is still queued."""

    def __init__(
        self,
        address: str | None = None,
        client: Any = None,
        timeout: float = 20.0,
        wait_for_workers: float = WAIT_FOR_WORKERS,
    ) -> None:
        try:
            from distributed import Client
        except ImportError as exc:  # pragma: no cover - the dask extra is not installed
            raise ClusterError(
                "--executor dask needs dask.distributed: install appraisal with its dask extra"
                " (pip install '.[dask]' -c constraints.txt in its checkout; docs/scale.md)"
            ) from exc
        if client is None:
            if not address:
                raise ClusterError("--executor dask needs --scheduler ADDRESS (e.g. tcp://scheduler:8786)")
            from distributed.comm.addressing import get_address_host_port

            try:  # before a Client is made: one made on a bad address waits 40 s as it is collected
                host, port = get_address_host_port(address)
            except ValueError as exc:
                raise ClusterError(f"not a Dask scheduler's address: {address}: {exc}") from None
            if address.startswith("tcp://") or "://" not in address:
                _speaks_first(address, host, port, timeout)
            try:
                client = Client(address, timeout=f"{timeout}s", set_as_default=False)  # type: ignore[no-untyped-call]
            except Exception as exc:  # not a scheduler there: OSError, TimeoutError, ValueError, MemoryError...
                said = " ".join(str(exc).split())[:200] or type(exc).__name__
                raise ClusterError(f"cannot reach the Dask scheduler at {address}: {said}") from exc
            self._owned = True
        else:
            self._owned = False
        self.client = client
        self.address = address or getattr(getattr(client, "scheduler", None), "address", "?")
        self.wait_for_workers = wait_for_workers
        self._rubrics: dict[tuple[str, str], Any] = {}

    def _rubric(self, rubric: Rubric | None) -> Any:
        if rubric is None:  # each unit's own year: every worker loads the bundled folders it needs
            return None
        key = (rubric.path, rubric.sha256)
        if key not in self._rubrics:  # a task's result, not scattered data: Dask makes a lost one again
            self._rubrics[key] = self.client.submit(_the, rubric, pure=False)
        return self._rubrics[key]

    def _has_workers(self) -> bool:
        return bool(self.client.scheduler_info(n_workers=-1)["workers"])

    def _no_worker(self) -> ClusterError:
        return ClusterError(
            f"the Dask cluster at {self.address} has had no worker for {self.wait_for_workers:.0f} s:"
            " start workers with appraisal installed (docs/scale.md)"
        )

    def stream(
        self, function: Callable[..., list[Any]], chunks: Iterable[Any], ahead: int, **kwargs: Any
    ) -> Iterator[list[Any]]:
        """``_map`` with at most ``ahead`` chunks submitted and not yet returned: ``chunks`` is read as the
        cluster works (the client never holds every file's bytes)."""
        pending: deque[Any] = deque()
        try:
            for chunk in chunks:
                pending.append(self.client.submit(function, chunk, pure=False, **kwargs))
                if len(pending) >= ahead:
                    yield self._result(pending.popleft())
            while pending:
                yield self._result(pending.popleft())
        except BaseException as exc:
            self.client.cancel(list(pending))
            if isinstance(exc, Exception) and not isinstance(exc, AppraisalError):
                raise ClusterError(f"a task failed on the cluster: {type(exc).__name__}: {exc}") from exc
            raise

    def _result(self, future: Any) -> Any:
        """The future's result, waited for as long as the cluster has a worker: one that has had none for
        ``wait_for_workers`` seconds (none started, or each one gone, say for want of appraisal) is an error."""
        from distributed import TimeoutError as DaskTimeout

        alone_since: float | None = None
        while True:
            try:
                return future.result(timeout=1.0)
            except DaskTimeout:
                pass
            if self._has_workers():
                alone_since = None
            elif alone_since is None:
                alone_since = time.monotonic()
            elif time.monotonic() - alone_since >= self.wait_for_workers:
                raise self._no_worker()

    def score_light(
        self,
        chunks: Iterable[list[tuple[str, str, bytes]]],
        rubric: Rubric | None,
        ahead: int = 8,
        key: str | None = None,
    ) -> Iterator[list[tuple[FileResult, bytes]]]:
        """Each chunk's files scored (``score_entries``), at most ``ahead`` chunks in flight; ``key``: the run's
        ``rubric_key`` (its cache's), which the workers' own must equal."""
        expected = fingerprint(key or rubric_key(rubric), reports=False)
        return self.stream(score_entries, chunks, ahead, rubric=self._rubric(rubric), expected=expected)

    def render(
        self,
        chunks: Iterable[list[tuple[bytes, Scorecard | None]]],
        lang: str | None,
        options: Any,
        rubric: Rubric | None,
        formats: tuple[str, ...] = ("pdf",),
        ahead: int = 8,
        key: str | None = None,
    ) -> Iterator[list[dict[str, bytes]]]:
        """Each chunk's reports (``render_cards``: final scorecards' bytes and last year's scorecards), at most
        ``ahead`` chunks in flight: the client never holds every scorecard of the run. ``key`` as for
        ``score_light``."""
        render = functools.partial(render_entries, lang=lang, options=options, formats=formats)
        expected = fingerprint(key or rubric_key(rubric), reports=True)
        return self.stream(render, chunks, ahead, rubric=self._rubric(rubric), expected=expected)

    def close(self) -> None:
        if self._owned:
            with contextlib.suppress(Exception):
                self.client.close()


__all__ = ["ClusterError", "DaskExecutor", "fingerprint", "render_entries", "score_entries"]

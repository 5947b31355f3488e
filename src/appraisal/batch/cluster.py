"""Running a run's work on a Dask distributed cluster: files' bytes and scorecards in, outcomes and reports back.

The client (the machine running ``appraisal run``) does everything that touches the output folder: it holds the
lock, reads the input files, keeps the cache, writes and publishes the run. The cluster's workers get the
rubric once (scattered to every worker) and chunks of work: an input file's name and bytes to parse, validate and
score, or a scorecard (with last year's) to render as PDF, DOCX or both. What comes back is what the local
worker processes return, made by the same functions, so a run on a cluster gives the same bytes as a local one.
Workers need appraisal (the same version) and its dependencies installed, nothing else: no shared storage, no
access to the inputs or the output folder. See docs/scale.md.
"""

from __future__ import annotations

import contextlib
import functools
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from ..errors import AppraisalError
from ..rubric import Rubric
from ..scoring import Scorecard
from ..submission.loading import BundledYears
from .cache import FileResult, light_entry
from .score import score_file
from .workers import render_cards


class ClusterError(AppraisalError):
    """The Dask cluster cannot be reached or used (dask.distributed missing, a bad address, a failed task)."""


def score_entries(chunk: list[tuple[str, str, bytes]], rubric: Rubric | None) -> list[tuple[FileResult, bytes]]:
    """On a worker, for a streamed run: each file (its name, its path's suffix, its bytes) scored, sent back as
    its standings and its cache entry's bytes (which the client stores: the scorecards are not sent as objects,
    nor held by the client)."""
    years = BundledYears() if rubric is None else None  # found once a chunk: a worker holds no cache
    made = []
    for name, suffix, data in chunk:
        made.append(light_entry(score_file(Path(f"file{suffix}"), name, rubric, None, data, years=years)))
    return made


class DaskExecutor:
    """A run's work on the Dask cluster whose scheduler is at ``address`` (``tcp://host:8786``), or through a
    ``distributed.Client`` the caller made. Each call maps a function over chunks and returns the results in
    order; an error or Ctrl-C cancels what is still queued."""

    def __init__(self, address: str | None = None, client: Any = None, timeout: float = 20.0) -> None:
        try:
            from distributed import Client
        except ImportError as exc:  # pragma: no cover - the dask extra is not installed
            raise ClusterError("--executor dask needs dask.distributed: pip install 'appraisal[dask]'") from exc
        if client is None:
            if not address:
                raise ClusterError("--executor dask needs --scheduler ADDRESS (e.g. tcp://scheduler:8786)")
            try:
                client = Client(address, timeout=f"{timeout}s", set_as_default=False)  # type: ignore[no-untyped-call]
            except (OSError, TimeoutError) as exc:
                raise ClusterError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
            self._owned = True
        else:
            self._owned = False
        self.client = client
        self._rubrics: dict[tuple[str, str], Any] = {}

    def _rubric(self, rubric: Rubric | None) -> Any:
        if rubric is None:  # each unit's own year: every worker loads the bundled folders it needs
            return None
        key = (rubric.path, rubric.sha256)
        if key not in self._rubrics:
            self._rubrics[key] = self.client.scatter(rubric, broadcast=True, hash=False)
        return self._rubrics[key]

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
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        except BaseException as exc:
            self.client.cancel(list(pending))
            if isinstance(exc, Exception) and not isinstance(exc, AppraisalError):
                raise ClusterError(f"a task failed on the cluster: {type(exc).__name__}: {exc}") from exc
            raise

    def score_light(
        self, chunks: Iterable[list[tuple[str, str, bytes]]], rubric: Rubric | None, ahead: int = 8
    ) -> Iterator[list[tuple[FileResult, bytes]]]:
        return self.stream(score_entries, chunks, ahead, rubric=self._rubric(rubric))

    def render(
        self,
        chunks: Iterable[list[tuple[bytes, Scorecard | None]]],
        lang: str | None,
        options: Any,
        rubric: Rubric | None,
        formats: tuple[str, ...] = ("pdf",),
        ahead: int = 8,
    ) -> Iterator[list[dict[str, bytes]]]:
        """Each chunk's reports (``render_cards``: final scorecards' bytes and last year's scorecards), at most
        ``ahead`` chunks in flight: the client never holds every scorecard of the run."""
        render = functools.partial(render_cards, lang=lang, options=options, formats=formats)
        return self.stream(render, chunks, ahead, rubric=self._rubric(rubric))

    def close(self) -> None:
        if self._owned:
            with contextlib.suppress(Exception):
                self.client.close()


__all__ = ["ClusterError", "DaskExecutor", "score_entries"]

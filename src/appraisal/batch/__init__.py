"""Many units: input files in, an output folder holding one whole run out.

- ``run``: the files read once, units scored (in worker processes with ``jobs > 1``), ranked, reports rendered,
  and the whole set published together under a lock (``run.py``);
- ``publish``: the lock on the output folder, the run built aside, its manifest, the one-rename publication;
- ``score``: one input file read, validated and scored (in a worker);
- ``stream``: a run's files ranked together on standings, and each final scorecard written once;
- ``cache``: what a run reuses from earlier ones on the same folder (scored files, rendered reports);
- ``workers``: spawned worker processes that ignore Ctrl-C and die with their parent;
- ``cluster``: the same work on a Dask distributed cluster (``DaskExecutor``), results written by this process.
"""

from __future__ import annotations

from .cluster import ClusterError, DaskExecutor
from .publish import current_run, output_lock, outputs, read_manifest, verify
from .run import (
    CHUNK,
    ReportSettings,
    RunResult,
    appraise_batch,
    errors_json,
    run,
    summary_csv,
    write_results,
)
from .workers import worker_pool

__all__ = [
    "CHUNK",
    "ClusterError",
    "DaskExecutor",
    "ReportSettings",
    "RunResult",
    "appraise_batch",
    "current_run",
    "errors_json",
    "output_lock",
    "outputs",
    "read_manifest",
    "run",
    "summary_csv",
    "verify",
    "worker_pool",
    "write_results",
]

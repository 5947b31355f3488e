"""End to end ``appraisal run`` on N synthetic units, one file each: units/s, peak RSS, and a re-run after one change.

Usage: python benchmarks/bench_batch.py [N] [--jobs J] [--no-reports-only]

Each figure is one real ``appraisal run`` process (with its worker processes), timed from outside:

- scoring only (``--no-reports``) serial and with ``--jobs J``, each into a fresh folder: units/s and the ratio;
- with reports and ``--jobs J`` into a fresh folder: units/s;
- the same command again after one input file changed (one unit's name): the incremental re-run's seconds;
- the same command again with nothing changed;
- scoring only, serial, on the first quarter of the files: the peak RSS's growth per unit, as MB per 100,000.

The machine's load average is printed too: on a shared machine ``--jobs 2`` gains only what the other
processes leave of the second core (compare the CPU seconds of all the run's processes). Peak RSS is the
largest resident size of any one process of the run (the main process or a worker), from
``getrusage(RUSAGE_CHILDREN)`` in a small process that runs the command alone. Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import synthetic_unit  # noqa: E402

APPRAISAL = Path(sys.executable).parent / "appraisal"
TUNABLES = "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824"


def write_inputs(folder: Path, n: int) -> None:
    folder.mkdir(parents=True)
    for index in range(n):
        unit = synthetic_unit(index)
        data = unit.model_dump(mode="json", exclude_none=True)
        (folder / f"{unit.unit_id}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


# Runs one command and prints the largest RSS (kB) of its processes: each figure from its own run.
_PEAK = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
    "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(code, usage.ru_maxrss, usage.ru_utime + usage.ru_stime)\n"
)
CPU: list[float] = []  # each timed run's CPU seconds (all its processes), in order


def timed(*args: str | Path) -> tuple[float, float, int]:
    """(seconds, peak RSS in MB of the largest process, exit status) of one ``appraisal`` command; its CPU
    seconds (all processes) go into ``CPU``."""
    env = {**os.environ, "GLIBC_TUNABLES": os.environ.get("GLIBC_TUNABLES", TUNABLES)}
    start = time.perf_counter()
    command = [sys.executable, "-c", _PEAK, str(APPRAISAL), *map(str, args)]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    code, peak, cpu = done.stdout.split()
    if int(code) not in (0, 1):
        raise SystemExit(f"appraisal {' '.join(map(str, args))} failed ({code}):\n{done.stderr[-2000:]}")
    CPU.append(float(cpu))
    return seconds, int(peak) / 1024, int(code)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-reports-only", action="store_true", help="Skip the runs with reports.")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    try:
        inputs = work / "in"
        write_inputs(inputs, args.n)
        rows: list[tuple[str, float, float]] = []
        serial, rss, _ = timed("run", inputs, "--out", work / "serial", "--no-reports", "--jobs", "1")
        rows.append(("scoring only, serial", serial, rss))
        parallel, rss, _ = timed("run", inputs, "--out", work / "parallel", "--no-reports", "--jobs", str(args.jobs))
        rows.append((f"scoring only, --jobs {args.jobs}", parallel, rss))
        small = inputs.parent / "small"  # the first quarter of the files: memory growth is the difference
        small.mkdir()
        for path in sorted(inputs.iterdir())[: max(args.n // 4, 1)]:
            os.link(path, small / path.name)
        small_seconds, small_rss, _ = timed("run", small, "--out", work / "small-out", "--no-reports", "--jobs", "1")
        small_n = max(args.n // 4, 1)
        rows.append((f"scoring only, serial, {small_n} units", small_seconds, small_rss))
        growth = (rows[0][2] - small_rss) / (args.n - small_n) * 100_000 if args.n > small_n else 0.0
        figures: dict[str, float | int] = {
            "units": args.n,
            "jobs": args.jobs,
            "scoring_serial_units_per_s": round(args.n / serial, 1),
            "scoring_parallel_units_per_s": round(args.n / parallel, 1),
            "parallel_speedup": round(serial / parallel, 2),
            "rss_growth_mb_per_100k_units": round(growth, 1),
        }
        if not args.no_reports_only:
            out = work / "reports"
            full, rss, _ = timed("run", inputs, "--out", out, "--jobs", str(args.jobs))
            rows.append((f"with reports, --jobs {args.jobs}", full, rss))
            first = sorted(inputs.iterdir())[0]
            data = json.loads(first.read_text(encoding="utf-8"))
            data["name"] += " (renamed)"
            first.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            changed, rss, _ = timed("run", inputs, "--out", out, "--jobs", str(args.jobs))
            rows.append(("re-run, one input changed", changed, rss))
            unchanged, rss, _ = timed("run", inputs, "--out", out, "--jobs", str(args.jobs))
            rows.append(("re-run, nothing changed", unchanged, rss))
            figures |= {
                "reports_units_per_s": round(args.n / full, 2),
                "rerun_one_changed_s": round(changed, 2),
                "rerun_unchanged_s": round(unchanged, 2),
            }
        figures["peak_rss_mb"] = round(max(r for _, _, r in rows), 1)
        figures["load_average"] = round(os.getloadavg()[0], 1)
        load = os.getloadavg()[0]
        print(f"{args.n} synthetic units, one file each, on {os.cpu_count()} CPUs (load average {load:.1f} at the end)")
        print(f"{'run':<32} {'seconds':>9} {'units/s':>9} {'CPU s':>7} {'peak RSS MB':>12}")
        for (label, seconds, peak), cpu in zip(rows, CPU, strict=True):
            units = small_n if label.endswith(" units") else args.n
            rate = f"{units / seconds:>9.1f}"
            print(f"{label:<32} {seconds:>9.2f} {rate} {cpu:>7.1f} {peak:>12.1f}")
        print(f"--jobs {args.jobs} against serial, scoring only: {serial / parallel:.2f}x")
        print(f"peak RSS growth, scoring only: {growth:.1f} MB per 100,000 units (from {small_n} to {args.n} units)")
        print(json.dumps({"bench": "batch", **figures}))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

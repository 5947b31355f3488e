"""End to end ``appraisal run`` on N synthetic units, one file each: units/s, peak RSS, and a re-run after one change.

Usage: python benchmarks/bench_batch.py [N] [--jobs J] [--rounds R] [--sizes A,B] [--no-reports-only] [--where DIR]
       [--baseline COMMIT]

Each figure is one real ``appraisal run`` (its main process and its worker processes):

- scoring only (``--no-reports``) serial and with ``--jobs J``, each into a fresh folder, interleaved R times:
  units/s and the ratio of the medians;
- scoring only, serial and with ``--jobs J``, on A and on B units (default N/8 and 4N): the growth of the peak
  RSS of the main process and of the largest worker, per 100,000 units (sizes far apart: a few hundred units
  apart, the baseline's noise is larger than what grows);
- with reports and ``--jobs J`` into a fresh folder: units/s;
- the same command again after one input file changed (one unit's name): the incremental re-run's seconds;
- the same command again with nothing changed.

With ``--baseline COMMIT`` the scoring-only runs are made in that commit's tree too (``git archive`` into the
temporary folder, run with this virtual environment, its own ``src/`` first on the path: ``bench_versus.extract``),
each round both trees one after the other, the order swapped every round (ABBA): each side's units/s and CPU
µs a unit, and the ratios now / baseline of the medians (a shared machine's absolute figures swing; ratios made
in the same run count). The memory and reports runs are this tree's only.

The machine's load average is printed too: on a shared machine ``--jobs 2`` gains only what the other
processes leave of the second core (compare the CPU seconds of all the run's processes). The command runs in a
small process of its own (``appraisal.cli.entry``): its VmHWM in ``/proc`` is the main process's peak RSS, the
largest its children show the largest worker's. Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_versus import extract  # noqa: E402
from synthetic import synthetic_unit  # noqa: E402

APPRAISAL = Path(sys.executable).parent / "appraisal"
TUNABLES = "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824"


def write_inputs(folder: Path, n: int) -> list[Path]:
    """Synthetic units 0 to ``n - 1``, one file each; their paths in that order (the org types take turns)."""
    folder.mkdir(parents=True)
    paths = []
    for index in range(n):
        unit = synthetic_unit(index)
        data = unit.model_dump(mode="json", exclude_none=True)
        path = folder / f"{unit.unit_id}.json"
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        paths.append(path)
    return paths


# Runs one appraisal command in this small process (the run's main process is this one; its workers are its
# children) and prints the exit status, the main process's peak RSS (kB), the CPU seconds of it and its workers
# and the appraisal package it ran: the main process's growth with the units is what streaming bounds. Each peak is
# the process's own VmHWM from /proc; the workers' are read by the benchmark from outside every 0.1 s (``_Peaks``:
# a thread in this process would make the run spawn its workers where a script's run forks them). ru_maxrss will
# not do: Linux hands a spawned process its parent's peak (exec keeps the larger of the two), so a worker started
# by a main process of 100 MB reported at least 100 MB, and this process, started by a benchmark holding 100,000
# paths, at least the benchmark's 96 MB. Without /proc, ru_maxrss.
_PEAK = (
    "import os, resource, sys\n"
    "import appraisal\n"
    "from appraisal.cli import entry\n"
    "sys.argv = ['appraisal', *sys.argv[1:]]\n"
    "try:\n"
    "    entry(); code = 0\n"
    "except SystemExit as exc:\n"
    "    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)\n"
    "me, workers = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))\n"
    "cpu = me.ru_utime + me.ru_stime + workers.ru_utime + workers.ru_stime\n"
    "if os.path.isdir('/proc/self/task'):\n"
    "    main = [int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM:')][0]\n"
    "    worker = 0\n"
    "else:\n"
    "    main, worker = me.ru_maxrss, workers.ru_maxrss\n"
    "print('PEAK', code, main, worker, cpu, appraisal.__file__, file=sys.stderr)\n"
)


def _descendants(pid: int) -> list[int]:
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
        found = [int(k) for t in tasks for k in Path(f"/proc/{pid}/task/{t}/children").read_text().split()]
    except OSError:
        return []
    return found + [g for k in found for g in _descendants(k)]


class _Peaks(threading.Thread):
    """The VmHWM (kB) of each descendant of ``pid``, read every 0.1 s while it runs (each one's last reading
    counts: the high-water mark only rises)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.seen, self.done = pid, dict[int, int](), threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.1):
            for pid in _descendants(self.pid):
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                for line in status.splitlines():
                    if line.startswith("VmHWM:"):
                        self.seen[pid] = int(line.split()[1])


@dataclass(frozen=True)
class Timed:
    seconds: float
    main_mb: float  # peak RSS of the run's main process
    worker_mb: float  # of its largest worker (0 without workers)
    code: int
    cpu: float  # CPU seconds of all its processes

    @property
    def peak_mb(self) -> float:
        return max(self.main_mb, self.worker_mb)


def timed(*args: str | Path, tree: Path | None = None) -> Timed:
    """One ``appraisal`` command (of ``tree``'s ``src/`` when given, else of this environment): seconds, peak RSS
    of its main process and of its largest worker, exit status, CPU seconds of all its processes."""
    env = {**os.environ, "GLIBC_TUNABLES": os.environ.get("GLIBC_TUNABLES", TUNABLES)}
    if tree is not None:
        env["PYTHONPATH"] = str(tree / "src")  # before the editable install: the workers inherit it
    start = time.perf_counter()
    command = [sys.executable, "-c", _PEAK, *map(str, args)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peaks = _Peaks(process.pid)
    peaks.start()
    _, stderr = process.communicate()
    seconds = time.perf_counter() - start
    peaks.done.set()
    peaks.join()
    done = subprocess.CompletedProcess(command, process.returncode, None, stderr)
    lines = [line for line in done.stderr.splitlines() if line.startswith("PEAK ")]
    if not lines:
        raise SystemExit(f"appraisal {' '.join(map(str, args))} failed:\n{done.stderr[-2000:]}")
    _, code, main_kb, worker_kb, cpu, module = lines[-1].split(maxsplit=5)
    if int(code) not in (0, 1):
        raise SystemExit(f"appraisal {' '.join(map(str, args))} failed ({code}):\n{done.stderr[-2000:]}")
    if tree is not None and not Path(module).resolve().is_relative_to(tree.resolve()):
        raise SystemExit(f"{tree}: imported {module}, not the tree's own appraisal")
    worker_kb = max(int(worker_kb), max(peaks.seen.values(), default=0))
    return Timed(seconds, int(main_kb) / 1024, worker_kb / 1024, int(code), float(cpu))


def linked(paths: list[Path], folder: Path, n: int) -> Path:
    """The first ``n`` of ``paths`` (``write_inputs``'s), hard-linked into ``folder``: units 0 to n - 1, every
    org type in its share, as ``write_inputs(folder, n)`` would write them. (The first n by name were one or two
    org types: a small run then built the rulesets and models of fewer types, and the memory "growth" between
    two sizes was mostly the other types' start.)"""
    folder.mkdir()
    for path in paths[:n]:
        os.link(path, folder / path.name)
    return folder


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1, help="Serial and parallel runs interleaved, this many times.")
    parser.add_argument(
        "--sizes",
        default="",
        help="Memory growth from these two numbers of units (default: N/8 and 4N, at least 125 and 4000 apart: "
        "quick, but mostly the bounded caches filling; 1000,100000 measures a unit's cost).",
    )
    parser.add_argument("--no-reports-only", action="store_true", help="Skip the runs with reports.")
    parser.add_argument(
        "--baseline",
        default=None,
        help="A commit whose tree makes the scoring-only runs too, rounds alternating with this tree's.",
    )
    parser.add_argument(
        "--where",
        type=Path,
        default=None,
        help="Folder for the inputs and outputs (default: the temporary folder). On a disk mounted with discard, "
        "removing a run's files makes the next runs' writes stall in the kernel: /dev/shm measures the library "
        "without the disk.",
    )
    args = parser.parse_args()
    small_n, large_n = (int(x) for x in args.sizes.split(",")) if args.sizes else (max(args.n // 8, 125), 0)
    large_n = large_n or max(4 * args.n, small_n + 4000)
    work = Path(tempfile.mkdtemp(prefix="bench-batch-", dir=args.where))
    try:
        everything = work / "all"
        written = write_inputs(everything, max(args.n, small_n, large_n))
        inputs = linked(written, work / "in", args.n)
        trees: dict[str, Path | None] = {"now": None}
        if args.baseline is not None:
            (work / "baseline").mkdir()
            baseline_sha = extract(args.baseline, work / "baseline")
            trees["baseline"] = work / "baseline" / "tree"
        rows: list[tuple[str, int, Timed]] = []
        scoring: dict[tuple[str, int], list[Timed]] = {(side, j): [] for side in trees for j in (1, args.jobs)}
        for round_ in range(args.rounds):
            order = ("baseline", "now") if round_ % 4 in (0, 3) else ("now", "baseline")  # ABBA
            for side in (s for s in order if s in trees):
                for jobs in (1, args.jobs):
                    out = work / f"out-{side}-{jobs}-{round_}"
                    done = timed("run", inputs, "--out", out, "--no-reports", "--jobs", str(jobs), tree=trees[side])
                    label = f"scoring only, --jobs {jobs}{', baseline' if side == 'baseline' else ''}"
                    rows.append((label, args.n, done))
                    scoring[side, jobs].append(done)
                    shutil.rmtree(out)

        def median(side: str, jobs: int, part: str = "seconds") -> float:
            return statistics.median(getattr(t, part) for t in scoring[side, jobs])

        # memory: the same runs on two numbers of units far apart; what grows is what a run keeps a unit
        memory: dict[int, dict[int, Timed]] = {}
        for count in (small_n, large_n):
            folder = linked(written, work / f"in-{count}", count)
            for jobs in (1, args.jobs):
                out = work / f"mem-{count}-{jobs}"
                done = timed("run", folder, "--out", out, "--no-reports", "--jobs", str(jobs))
                memory.setdefault(jobs, {})[count] = done
                rows.append((f"scoring only, --jobs {jobs}, {count} units", count, done))
                shutil.rmtree(out)

        def growth(jobs: int, part: str) -> float:
            low, high = memory[jobs][small_n], memory[jobs][large_n]
            return (getattr(high, part) - getattr(low, part)) / (large_n - small_n) * 100_000

        serial_s, parallel_s = median("now", 1), median("now", args.jobs)
        figures: dict[str, float | int | list[int]] = {
            "units": args.n,
            "jobs": args.jobs,
            "scoring_serial_units_per_s": round(args.n / serial_s, 1),
            "scoring_parallel_units_per_s": round(args.n / parallel_s, 1),
            "parallel_speedup": round(serial_s / parallel_s, 2),
            "rss_sizes": [small_n, large_n],
            "rss_growth_mb_per_100k_units": round(max(growth(1, "main_mb"), growth(args.jobs, "peak_mb")), 1),
            "rss_growth_serial_mb_per_100k_units": round(growth(1, "main_mb"), 1),
            "rss_growth_parallel_main_mb_per_100k_units": round(growth(args.jobs, "main_mb"), 1),
            "rss_growth_parallel_worker_mb_per_100k_units": round(growth(args.jobs, "worker_mb"), 1),
            "scoring_serial_cpu_us_per_unit": round(median("now", 1, "cpu") / args.n * 1e6),
            "scoring_parallel_cpu_us_per_unit": round(median("now", args.jobs, "cpu") / args.n * 1e6),
        }
        if "baseline" in trees:
            figures |= {
                "baseline": baseline_sha,
                "baseline_scoring_serial_units_per_s": round(args.n / median("baseline", 1), 1),
                "baseline_scoring_parallel_units_per_s": round(args.n / median("baseline", args.jobs), 1),
                "baseline_scoring_serial_cpu_us_per_unit": round(median("baseline", 1, "cpu") / args.n * 1e6),
                "baseline_scoring_parallel_cpu_us_per_unit": round(median("baseline", args.jobs, "cpu") / args.n * 1e6),
                "serial_ratio": round(median("baseline", 1) / serial_s, 3),  # units/s now / baseline
                "parallel_ratio": round(median("baseline", args.jobs) / parallel_s, 3),
                "serial_cpu_ratio": round(median("now", 1, "cpu") / median("baseline", 1, "cpu"), 3),
                "parallel_cpu_ratio": round(median("now", args.jobs, "cpu") / median("baseline", args.jobs, "cpu"), 3),
            }
        if not args.no_reports_only:
            out = work / "reports"
            full = timed("run", inputs, "--out", out, "--jobs", str(args.jobs))
            rows.append((f"with reports, --jobs {args.jobs}", args.n, full))
            first = sorted(inputs.iterdir())[0]
            data = json.loads(first.read_text(encoding="utf-8"))
            data["name"] += " (renamed)"
            first.unlink()  # a hard link: the other folders keep the original
            first.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            changed = timed("run", inputs, "--out", out, "--jobs", str(args.jobs))
            rows.append(("re-run, one input changed", args.n, changed))
            unchanged = timed("run", inputs, "--out", out, "--jobs", str(args.jobs))
            rows.append(("re-run, nothing changed", args.n, unchanged))
            figures |= {
                "reports_units_per_s": round(args.n / full.seconds, 2),
                "rerun_one_changed_s": round(changed.seconds, 2),
                "rerun_unchanged_s": round(unchanged.seconds, 2),
            }
        figures["peak_rss_mb"] = round(max(t.peak_mb for _, _, t in rows), 1)
        figures["load_average"] = round(os.getloadavg()[0], 1)
        load = os.getloadavg()[0]
        print(f"{args.n} synthetic units, one file each, on {os.cpu_count()} CPUs (load average {load:.1f} at the end)")
        print(f"{'run':<38} {'seconds':>8} {'units/s':>8} {'CPU s':>7} {'main MB':>8} {'worker MB':>9}")
        for label, units, t in rows:
            rate = units / t.seconds
            print(f"{label:<38} {t.seconds:>8.2f} {rate:>8.1f} {t.cpu:>7.1f} {t.main_mb:>8.1f} {t.worker_mb:>9.1f}")
        print(
            f"--jobs {args.jobs} against serial, scoring only: {serial_s / parallel_s:.2f}x (median of {args.rounds})"
        )
        if "baseline" in trees:
            print(f"scoring only, medians of {args.rounds} rounds, now against baseline {baseline_sha[:12]}:")
            print(
                f"{'':<12} {'baseline/s':>10} {'now/s':>8} {'ratio':>6} "
                f"{'base CPU µs':>11} {'now CPU µs':>10} {'ratio':>6}"
            )
            for jobs in (1, args.jobs):
                then, now = args.n / median("baseline", jobs), args.n / median("now", jobs)
                then_cpu, now_cpu = (median(side, jobs, "cpu") / args.n * 1e6 for side in ("baseline", "now"))
                print(
                    f"{f'--jobs {jobs}':<12} {then:>10.1f} {now:>8.1f} {now / then:>6.3f} "
                    f"{then_cpu:>11.0f} {now_cpu:>10.0f} {now_cpu / then_cpu:>6.3f}"
                )
        print(
            f"peak RSS growth per 100,000 units, scoring only, from {small_n} to {large_n} units: serial "
            f"{growth(1, 'main_mb'):.1f} MB; --jobs {args.jobs}: main process {growth(args.jobs, 'main_mb'):.1f} MB, "
            f"largest worker {growth(args.jobs, 'worker_mb'):.1f} MB"
        )
        if small_n < 1000 or large_n < 50_000:
            print(  # measured: 125 to 4,125 units gave 490 MB serial, 1,000 to 100,000 gave 128 MB
                "  (the scoring step's bounded caches fill over the first tens of thousands of units: between these "
                "sizes the figure is mostly that filling; --sizes 1000,100000 measures what a unit costs)"
            )
        print(json.dumps({"bench": "batch", **figures}))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

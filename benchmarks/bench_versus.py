"""The scoring path now beside an older commit's, measured in the same session, rounds alternating.

Usage: python benchmarks/bench_versus.py [N] [--ref COMMIT] [--rounds R]

The commit's files are taken with ``git archive`` into a temporary folder (no worktree, nothing of the repository
changed) and run with this virtual environment, its own ``src/`` first on the path. Each round runs the same
timing code in both trees, one after the other, the order swapped every round (ABBA), so a busy machine slows
both alike: the code is ``bench_scoring.py``'s loop (N synthetic units, facts, rules, scorecard), through
durable-rules and through the plain-Python reference. It prints each round, the best and median of each side and
the ratios now / then, in units per second of wall time and per second of the process's CPU time (steadier
when others share the machine), and one JSON line with the figures. Ratios count; a shared machine's absolute figures
do not. The default reference is a0ea480, the last commit before the year folders (issue 7: "no slower").
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TUNABLES = "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824"  # as the Makefile

# One round in one tree: the API used here is the same in both trees (bench_scoring.py's loop at a0ea480).
ROUND = r"""
import gc, json, sys, time
sys.path.insert(0, "benchmarks")
from synthetic import synthetic_unit
import appraisal
from appraisal import load_rubric
from appraisal.engine import Engine
from appraisal.engine.reference import reference_firings
from appraisal.facts import build_facts
from appraisal.scoring import score_unit

gc.set_threshold(50_000, *gc.get_threshold()[1:])
n = int(sys.argv[1])
rubric = load_rubric(None)
units = [synthetic_unit(i, rubric.year) for i in range(n)]
engine = Engine(rubric)
score_unit(units[0], rubric, f := build_facts(units[0]), engine.run(units[0].org, f))  # rulesets compiled
start, cpu = time.perf_counter(), time.process_time()
by_engine = [score_unit(u, rubric, f := build_facts(u), engine.run(u.org, f)) for u in units]
engine_rate, engine_cpu = n / (time.perf_counter() - start), n / (time.process_time() - cpu)
start, cpu = time.perf_counter(), time.process_time()
by_python = [score_unit(u, rubric, f := build_facts(u), reference_firings(rubric, u.org, f)) for u in units]
python_rate, python_cpu = n / (time.perf_counter() - start), n / (time.process_time() - cpu)
assert by_engine == by_python, "engine and plain Python disagree"
figures = {"engine": engine_rate, "python": python_rate, "engine_cpu": engine_cpu, "python_cpu": python_cpu}
print(json.dumps({"module": appraisal.__file__, **figures}))
"""


def extract(commit: str, into: Path) -> str:
    """The commit's files under ``into / "tree"`` (``git archive``: no worktree, nothing of the repository
    changed); its full hash. ``bench_batch.py --baseline`` uses it too."""
    sha = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--verify", f"{commit}^{{commit}}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    archive = into / "ref.tar"
    with archive.open("wb") as out:
        subprocess.run(["git", "-C", str(ROOT), "archive", sha], check=True, stdout=out)
    with tarfile.open(archive) as tar:
        tar.extractall(into / "tree", filter="data")
    archive.unlink()
    return sha


def _round(tree: Path, n: int) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=str(tree / "src"))
    env.setdefault("GLIBC_TUNABLES", TUNABLES)
    done = subprocess.run(
        [sys.executable, "-c", ROUND, str(n)], cwd=tree, env=env, check=True, capture_output=True, text=True
    )
    figures: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    module = Path(str(figures.pop("module"))).resolve()
    if not module.is_relative_to(tree.resolve()):
        raise SystemExit(f"{tree}: imported {module}, not the tree's own appraisal")
    return {key: float(str(value)) for key, value in figures.items()}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=3000)
    parser.add_argument("--ref", default="a0ea480", help="the commit to compare with (default a0ea480)")
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-versus-") as tmp:
        sha = extract(args.ref, Path(tmp))
        trees = {"now": ROOT, "ref": Path(tmp) / "tree"}
        paths = ("engine", "python", "engine_cpu", "python_cpu")
        rates: dict[str, dict[str, list[float]]] = {side: {path: [] for path in paths} for side in trees}
        print(f"{args.n} units a round, {args.rounds} rounds, order swapped each round; ref = {sha[:12]}")
        print(f"GLIBC_TUNABLES={'as set' if os.environ.get('GLIBC_TUNABLES') else 'the Makefile value'}")
        print(f"{'round':>5}  {'side':<4}  {'engine units/s':>14}  {'plain units/s':>13}  {'(per CPU second)':>18}")
        for index in range(args.rounds):
            order = ("ref", "now") if index % 4 in (0, 3) else ("now", "ref")
            for side in order:
                figures = _round(trees[side], args.n)
                for path in paths:
                    rates[side][path].append(figures[path])
                print(
                    f"{index + 1:>5}  {side:<4}  {figures['engine']:>14.0f}  {figures['python']:>13.0f}  "
                    f"{figures['engine_cpu']:>8.0f} {figures['python_cpu']:>9.0f}"
                )
    summary: dict[str, object] = {"n": args.n, "rounds": args.rounds, "ref": sha}
    print()
    print(f"{'':<22}{'ref best':>9}{'now best':>9}{'ratio':>7}{'ref median':>11}{'now median':>11}{'ratio':>7}")
    labels = {
        "engine": "engine (durable-rules)",
        "python": "plain Python",
        "engine_cpu": "engine, per CPU s",
        "python_cpu": "plain, per CPU s",
    }
    for path, label in labels.items():
        ref, now = rates["ref"][path], rates["now"][path]
        best = max(now) / max(ref)
        median = statistics.median(now) / statistics.median(ref)
        print(
            f"{label:<22}{max(ref):>9.0f}{max(now):>9.0f}{best:>7.2f}"
            f"{statistics.median(ref):>11.0f}{statistics.median(now):>11.0f}{median:>7.2f}"
        )
        summary[path] = {"ref": ref, "now": now, "best_ratio": round(best, 3), "median_ratio": round(median, 3)}
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())

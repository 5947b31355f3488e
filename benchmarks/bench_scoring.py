"""Units per second through the library's engine path, and a plain-Python evaluation of the same rubric.

Usage: python benchmarks/bench_scoring.py [N] [--rubric PATH]

Both paths build the same facts and score with the same code; only the rule evaluation differs (durable-rules
versus ``appraisal.engine.reference``). The run fails if any scorecard differs between them. For steady
figures run it with the glibc tunables the Makefile sets (``make bench``): without them durable-rules'
throughput swings by a factor of two between runs.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import synthetic_unit  # noqa: E402

from appraisal import load_rubric  # noqa: E402
from appraisal.engine import Engine  # noqa: E402
from appraisal.engine.reference import reference_firings  # noqa: E402
from appraisal.facts import build_facts  # noqa: E402
from appraisal.scoring import score_unit  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=5000)
    parser.add_argument("--rubric", default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    gc.set_threshold(50_000, *gc.get_threshold()[1:])  # as appraisal.batch does for a run
    rubric = load_rubric(args.rubric)
    units = [synthetic_unit(i, rubric.year) for i in range(args.n)]
    engine = Engine(rubric)
    engine_rates, python_rates = [], []
    for _ in range(args.repeat):
        start = time.perf_counter()
        by_engine = [score_unit(u, rubric, f := build_facts(u), engine.run(u.org, f)) for u in units]
        engine_rates.append(len(units) / (time.perf_counter() - start))
        start = time.perf_counter()
        by_python = [score_unit(u, rubric, f := build_facts(u), reference_firings(rubric, u.org, f)) for u in units]
        python_rates.append(len(units) / (time.perf_counter() - start))
        if by_engine != by_python:
            bad = next(a.unit_id for a, b in zip(by_engine, by_python, strict=True) if a != b)
            print(f"MISMATCH: engine and plain Python disagree on {bad}", file=sys.stderr)
            return 1
    rules = sum(len(engine.definitions[org]) for org in engine.definitions)
    print(
        f"rubric {rubric.id} {rubric.manifest.version}: {len(rubric.items)} items, {rules} rules over "
        f"{len(engine.definitions)} org types; {args.n} units, best and median of {args.repeat} runs"
    )
    print(f"GLIBC_TUNABLES={'set' if os.environ.get('GLIBC_TUNABLES') else 'unset'}")
    print(f"engine (durable-rules) : {max(engine_rates):8.0f} units/s  (median {statistics.median(engine_rates):.0f})")
    print(f"plain Python           : {max(python_rates):8.0f} units/s  (median {statistics.median(python_rates):.0f})")
    print("scorecards identical   : yes")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Units per second through the library's engine path, beside the same rubric evaluated other ways, in one run.

Usage: python benchmarks/bench_scoring.py [N] [--rubric PATH] [--repeat R] [--no-zen]

Every path starts from the same validated synthetic units, builds the same facts and ends in the same scorecard
step (``score_unit``); only the rule evaluation differs:

- engine: the library, durable-rules (``appraisal.engine``);
- plain Python: ``appraisal.engine.reference``;
- zen expression / zen decision: zen-engine (GoRules) on the rubric compiled by ``zen_rubric.py``, as one
  compiled expression per org type and as a JDM decision graph.

Each path's scorecards must equal the engine's, item by item (the run fails naming the first unit and item that
differ). It prints, for the whole path (submission to scorecard) and for the rule evaluation alone (facts to
firings), the best units/s of R rounds, of wall time and of the process's CPU time, and the library's speed as a
multiple of each path's (by CPU time, the steadier when others share the machine), then one JSON line. Rounds
interleave the paths, each first in turn, so a busy machine slows all alike. For steady figures run it with the glibc
tunables the Makefile sets (``make bench``): without them durable-rules' throughput swings by a factor of two.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import synthetic_unit  # noqa: E402

from appraisal import Scorecard, load_rubric  # noqa: E402
from appraisal.engine import Engine, Firing  # noqa: E402
from appraisal.engine.reference import reference_firings  # noqa: E402
from appraisal.facts import build_facts  # noqa: E402
from appraisal.scoring import score_unit  # noqa: E402

Rules = Callable[[str, list[dict[str, Any]]], list[Firing]]


def _paths(rubric: Any, engine: Engine, zen: bool) -> dict[str, Rules]:
    paths: dict[str, Rules] = {
        "engine (durable-rules)": engine.run,
        "plain Python": lambda org, facts: reference_firings(rubric, org, facts),
    }
    if zen:
        from zen_rubric import ZenRubric

        compiled = ZenRubric(rubric)
        paths["zen expression"] = lambda org, facts: compiled.firings(org, facts, "expression")
        paths["zen decision"] = lambda org, facts: compiled.firings(org, facts, "decision")
    return paths


def _difference(mine: list[Scorecard], theirs: list[Scorecard]) -> str | None:
    """The first unit and item where two paths' scorecards differ, in words."""
    for a, b in zip(mine, theirs, strict=True):
        if a == b:
            continue
        for x, y in zip(a.items, b.items, strict=True):
            if x != y:
                return f"{a.unit_id} item {x.id}: {x.points} {x.status} {x.rule} against {y.points} {y.status} {y.rule}"
        return f"{a.unit_id}: the cards differ outside the items"
    return None


def _stages(units: list[Any], rubric: Any, engine: Engine) -> dict[str, float]:
    """Where a unit's time goes on the engine path: CPU µs a unit in each stage, the best of two rounds."""
    best: dict[str, float] = {}
    for _ in range(2):
        _stage_round(units, rubric, engine, best)
    return best


def _stage_round(units: list[Any], rubric: Any, engine: Engine, best: dict[str, float]) -> None:
    def clock(stage: str, work: Callable[[], Any]) -> Any:
        start = time.process_time()
        done = work()
        best[stage] = min(best.get(stage, float("inf")), 1e6 * (time.process_time() - start) / len(units))
        return done

    facts = clock("facts", lambda: [build_facts(u) for u in units])
    fired = clock("durable-rules", lambda: [engine.run(u.org, f) for u, f in zip(units, facts, strict=True)])
    pairs = list(zip(units, facts, fired, strict=True))
    clock("scorecard", lambda: [score_unit(u, rubric, f, x) for u, f, x in pairs])
    gc.disable()
    try:
        clock("scorecard without gc", lambda: [score_unit(u, rubric, f, x) for u, f, x in pairs])
    finally:
        gc.enable()


def _first_pass(n: int, year: int, rubric: Any, paths: dict[str, Rules]) -> dict[str, float]:
    """Units/s of CPU time of each path's whole path over units it has never seen, once: scoring keeps an item's
    card and reason by its values, so rounds over the same units find the values of numbers kept; here only what
    other units reported alike is (as in a run, where each unit is scored once). Each path has its own units,
    taken in eight slices, the paths alternating slice by slice (each first in turn) so a busy machine slows all
    alike."""
    names = list(paths)
    units = {name: [synthetic_unit(i, year, seed=seed) for i in range(n)] for seed, name in enumerate(names, 1)}
    cpu_s = dict.fromkeys(names, 0.0)
    slices = 8
    for at in range(slices):
        for name in names[at % len(names) :] + names[: at % len(names)]:
            rules = paths[name]
            cpu = time.process_time()
            for u in units[name][at * n // slices : (at + 1) * n // slices]:
                score_unit(u, rubric, f := build_facts(u), rules(u.org, f))
            cpu_s[name] += time.process_time() - cpu
    return {name: n / cpu_s[name] for name in names}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=5000)
    parser.add_argument("--rubric", default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-zen", action="store_true", help="leave zen-engine out (it is a dev dependency)")
    args = parser.parse_args()
    gc.set_threshold(50_000, *gc.get_threshold()[1:])  # as appraisal.batch does for a run
    rubric = load_rubric(args.rubric)
    units = [synthetic_unit(i, rubric.year) for i in range(args.n)]
    engine = Engine(rubric)
    try:
        paths = _paths(rubric, engine, not args.no_zen)
    except ImportError:
        print("zen-engine is not installed (a dev dependency: make setup): run with --no-zen", file=sys.stderr)
        return 2
    facts = [build_facts(u) for u in units]
    for rules in paths.values():  # rulesets and expressions compiled before the clock starts
        rules(units[0].org, facts[0])
    # units/s of wall time and of the process's CPU time (steadier when others share the machine)
    whole: dict[str, list[float]] = {name: [] for name in paths}
    alone: dict[str, list[float]] = {name: [] for name in paths}
    whole_cpu: dict[str, list[float]] = {name: [] for name in paths}
    alone_cpu: dict[str, list[float]] = {name: [] for name in paths}
    names = list(paths)
    for round_ in range(args.repeat):
        cards: dict[str, list[Scorecard]] = {}
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:  # each path first in turn
            rules = paths[name]
            start, cpu = time.perf_counter(), time.process_time()
            cards[name] = [score_unit(u, rubric, f := build_facts(u), rules(u.org, f)) for u in units]
            whole[name].append(len(units) / (time.perf_counter() - start))
            whole_cpu[name].append(len(units) / (time.process_time() - cpu))
            start, cpu = time.perf_counter(), time.process_time()
            for u, f in zip(units, facts, strict=True):
                rules(u.org, f)
            alone[name].append(len(units) / (time.perf_counter() - start))
            alone_cpu[name].append(len(units) / (time.process_time() - cpu))
        library = cards["engine (durable-rules)"]
        for name, theirs in cards.items():
            if (where := _difference(library, theirs)) is not None:
                print(f"MISMATCH: the engine and {name} disagree on {where}", file=sys.stderr)
                return 1
    rules_count = sum(len(engine.definitions[org]) for org in engine.definitions)
    print(
        f"rubric {rubric.id} {rubric.manifest.version}: {len(rubric.items)} items, {rules_count} rules over "
        f"{len(engine.definitions)} org types; {args.n} units, best of {args.repeat} rounds"
    )
    print(f"GLIBC_TUNABLES={'set' if os.environ.get('GLIBC_TUNABLES') else 'unset'}")
    library = "engine (durable-rules)"
    print(
        f"{'path':<24}{'whole path units/s':>19}{'per CPU s':>10}{'library x':>10}"
        f"{'rules alone units/s':>21}{'per CPU s':>10}{'library x':>10}"
    )
    figures: dict[str, Any] = {"n": args.n, "repeat": args.repeat, "rules": rules_count}
    for name in paths:
        whole_x = max(whole_cpu[library]) / max(whole_cpu[name])
        alone_x = max(alone_cpu[library]) / max(alone_cpu[name])
        print(
            f"{name:<24}{max(whole[name]):>19.0f}{max(whole_cpu[name]):>10.0f}{whole_x:>10.2f}"
            f"{max(alone[name]):>21.0f}{max(alone_cpu[name]):>10.0f}{alone_x:>10.2f}"
        )
        figures[name] = {
            "whole": round(max(whole[name])),
            "whole_cpu": round(max(whole_cpu[name])),
            "rules_alone": round(max(alone[name])),
            "rules_alone_cpu": round(max(alone_cpu[name])),
            "library_whole_x": round(whole_x, 2),
            "library_rules_x": round(alone_x, 2),
        }
    fresh = _first_pass(args.n, rubric.year, rubric, paths)
    print(
        "first pass over units not seen before, whole path units/s per CPU s: "
        + ", ".join(f"{name} {speed:.0f} (library x {fresh[library] / speed:.2f})" for name, speed in fresh.items())
    )
    figures["first_pass_cpu"] = {name: round(speed) for name, speed in fresh.items()}
    stages = _stages(units, rubric, engine)
    print(
        "engine path, CPU µs a unit: "
        + ", ".join(f"{stage} {micros:.0f}" for stage, micros in stages.items())
        + " (the garbage collector's part: the scorecard's time with it and without)"
    )
    figures["stages_us"] = {stage: round(micros) for stage, micros in stages.items()}
    print("scorecards identical   : yes, every path, item by item")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Where a streamed run's time goes around the scoring: each stage of the batch path, µs a unit, in one process.

Usage: python benchmarks/batch_stages.py [N] [--where DIR]

N synthetic units, one file each (``bench_batch.write_inputs``), go through the functions a serial ``appraisal
run --no-reports`` calls, in its order, each stage timed on its own (``time.perf_counter``, a unit at a time
where the run works a unit at a time):

- listing: ``list_named`` of the input folder (as a run lists it);
- read: ``read_file``;
- cache lookup: the file's sha256 and cache key and ``Cache.load_file`` (a miss: the cache starts empty), and the
  same lookup again once the file is stored (a hit, as a re-run reads it: standings only);
- parse+validate: ``parse_document`` and ``validate_unit`` (by what validates a run's units given no rubric:
  ``Cache.bundled_years``);
- score: ``score_or_reject`` with the unit's year's rubric;
- entry write: ``Cache.store_file`` (the standing and the cache entry made, ``light_entry``: the scorecard's
  JSON, ``to_bytes``, is most of it; the entry written);
- rank: ``rank_light`` over the run;
- final card write: ``write_cards`` (each final scorecard stored in the cache and linked into the run's folder);
- manifest: the run's manifest (``run._manifest``, ``publish._manifest_json`` over the run's files).

The rubric, the models and the engine are loaded first on other units (untimed), and the collector set as the run
sets it (``run._few_collections``). Prints a table and one JSON line; on a shared machine compare the shares, or
runs of two trees made one after the other (``bench_batch.py --baseline`` for the whole run).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_batch import write_inputs  # noqa: E402

from appraisal.batch import publish  # noqa: E402
from appraisal.batch.cache import Cache, FileResult, Unit, rubric_key  # noqa: E402
from appraisal.batch.ledger import Ledger  # noqa: E402
from appraisal.batch.publish import RunFolder, output_lock  # noqa: E402
from appraisal.batch.run import CHUNK, _few_collections, _manifest  # noqa: E402
from appraisal.batch.score import read_file  # noqa: E402
from appraisal.batch.stream import rank_light, write_cards  # noqa: E402
from appraisal.errors import InputError  # noqa: E402
from appraisal.scoring.appraise import Appraisals, rubric_for, rubrics_of, score_or_reject  # noqa: E402
from appraisal.submission.loading import parse_document, validate_unit  # noqa: E402

try:  # the listing a run makes (strings); an older tree, run with PYTHONPATH for a comparison, made Paths
    from appraisal.submission.loading import list_named, listed_path  # noqa: E402
except ImportError:
    from appraisal.submission.loading import expand_named as list_named  # noqa: E402

    listed_path = Path

STAGES = (
    "listing",
    "read",
    "cache lookup (miss)",
    "parse+validate",
    "score",
    "entry write",
    "cache lookup (hit)",
    "rank",
    "final card write",
    "manifest",
)


def stages(inputs: Path, out: Path) -> tuple[dict[str, float], int]:
    """Seconds per stage over the files of ``inputs``, a run's cache and folder under ``out``; the units scored."""
    spent: dict[str, float] = defaultdict(float)
    clock = time.perf_counter
    with output_lock(out), RunFolder(out) as folder:
        cache = Cache(out / publish.STATE / "cache", rubric_key(None))
        start = clock()
        found = list_named([inputs], publish.outputs(out))
        spent["listing"] += clock() - start
        ledger = Ledger()
        for place, (listed, name) in enumerate(found):
            path = listed_path(listed)
            start = clock()
            data = read_file(path, name)
            spent["read"] += (now := clock()) - start
            assert not isinstance(data, FileResult), data
            sha256, key = hashlib.sha256(data).hexdigest(), cache.file_key(name, data)
            assert cache.load_file(key, name, sha256, len(data), light=True) is None
            spent["cache lookup (miss)"] += (start := clock()) - now
            indicators = cache.bundled_years
            unit = validate_unit(parse_document(data, path.suffix.lower(), name), name, indicators)
            spent["parse+validate"] += (now := clock()) - start
            outcome = score_or_reject(unit, rubric_for(unit))
            spent["score"] += (start := clock()) - now
            result = FileResult(name, sha256, len(data), [], [Unit(unit.unit_id, name, outcome)], key=key)
            stored = cache.store_file(key, result)
            spent["entry write"] += (now := clock()) - start
            hit = cache.load_file(cache.file_key(name, data), name, hashlib.sha256(data).hexdigest(), len(data), True)
            spent["cache lookup (hit)"] += clock() - now
            assert hit is not None and not isinstance(outcome, InputError)
            ledger.add(place, stored, name)
        start = clock()
        ledger.close()
        ranked = rank_light(ledger, rubrics_of(ledger.shapes(), None))
        spent["rank"] += (now := clock()) - start
        target = folder.path("scorecards")
        target.mkdir()
        folder.cards = ledger
        for task, rows in ranked.tasks(CHUNK):
            for row, digest in zip(rows, write_cards(cache, target, task), strict=True):
                ledger.record_card(row, digest)
        spent["final card write"] += (start := clock()) - now
        manifest = _manifest(Appraisals([], ranked.rejected), None, ledger, None, ranked.standings)
        size = sum(map(len, publish._manifest_json({**manifest, "files": folder._files()})))
        spent["manifest"] += clock() - start
        assert size > 0
    return spent, len(ranked.standings)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=1000)
    parser.add_argument(
        "--where", type=Path, default=None, help="Folder for the inputs and outputs (/dev/shm: no disk)."
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="batch-stages-", dir=args.where))
    try:
        names = [path.name for path in write_inputs(work / "all", args.n + 20)]  # the org types take turns
        for folder, picked in (("warm", names[args.n :]), ("in", names[: args.n])):
            (work / folder).mkdir()
            for name in picked:
                os.link(work / "all" / name, work / folder / name)
        with _few_collections():
            stages(work / "warm", work / "out-warm")  # rubrics, models, engine, caches: loaded untimed
            cpu = time.process_time()
            spent, scored = stages(work / "in", work / "out")
            cpu = time.process_time() - cpu
    finally:
        shutil.rmtree(work, ignore_errors=True)
    total = sum(spent.values())
    around = total - spent["score"] - spent["cache lookup (hit)"]  # a first run's stages other than the scoring
    print(f"{args.n} synthetic units, one file each, {scored} scored (load average {os.getloadavg()[0]:.1f})")
    print(f"{'stage':<22} {'µs a unit':>10} {'share':>7}")
    for stage in STAGES:
        print(f"{stage:<22} {spent[stage] / args.n * 1e6:>10.1f} {spent[stage] / total:>7.1%}")
    print(f"{'all':<22} {total / args.n * 1e6:>10.1f}   (CPU {cpu / args.n * 1e6:.0f} µs a unit)")
    print(f"a first run around the scoring (all but score and the hit): {around / args.n * 1e6:.1f} µs a unit")
    figures = {stage: round(spent[stage] / args.n * 1e6, 1) for stage in STAGES}
    line = {
        "bench": "batch_stages",
        "units": args.n,
        "us_per_unit": figures,
        "around_scoring_us": round(around / args.n * 1e6, 1),
    }
    print(
        json.dumps({**line, "cpu_us_per_unit": round(cpu / args.n * 1e6), "load_average": round(os.getloadavg()[0], 1)})
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

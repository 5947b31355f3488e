"""Reports per second: the library's whole path against bare weasyprint on the same final HTML.

Usage: python benchmarks/bench_reports.py [ROUNDS] [--lang en|zh] [--before REV]

In: the demo units (the bundled example submissions, appraised with the bundled rubric); without examples,
the test suite's sample scorecards. Out: per round, every unit's report rendered (a) by ``render_report``
(templating, chart, layout, PDF/A with the attachment) and (b) by weasyprint alone from the HTML that (a)
laid out, with the same stylesheet, a FontConfiguration made once, PDF/A-3b and the same attachment, and
(c) the templating and chart alone, in CPU time of this one process (one core). Each report's time over the
rounds is taken typical (median) and best (least: the code without interference from the rest of this shared
machine, as timeit reports it). Prints the rate of the median report (the issues' figures: at most 1.10 for
library / weasyprint; at least 6 reports/s per core for the library, the annex's item table included, by the
best rounds), the mean one (what a whole batch gets; the long notices pull it down), and the spread between
rounds. ``--before REV`` measures an earlier commit's tree (git archive of its src/, report_templates/ and
scoring_rules/) in the same run: each round runs this tree and that one in turn, each in a child process
(``--measure``), and the figures are printed side by side (docs/reports.md, Speed).
"""

from __future__ import annotations

import argparse
import io
import json
import operator
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from weasyprint import CSS, HTML, Attachment
from weasyprint.text.fonts import FontConfiguration

import appraisal
from appraisal.reports import render_report, report_html
from appraisal.resources import bundled, examples
from appraisal.rubric.models import Rubric
from appraisal.scoring.scorecard import Scorecard


def demo_cards() -> tuple[list[Scorecard], Rubric | None, str]:
    folder = examples()
    if folder.is_dir() and any(folder.iterdir()):
        submissions, rejected = appraisal.load_submissions([folder])
        run = appraisal.appraise_many(submissions)
        return list(run.scorecards), None, f"{len(run.scorecards)} demo units ({folder})"
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.reports.report_samples import RUBRIC, sample_cards

    cards = list(sample_cards().values())
    return cards, RUBRIC, f"{len(cards)} sample scorecards of the test suite (no bundled examples yet)"


def timed(work: Callable[..., object], *args: object) -> float:
    """CPU seconds of this process: steadier than wall time when other work shares the machine."""
    start = time.process_time()
    work(*args)
    return time.process_time() - start


Times = dict[str, list[list[float]]]  # per way, per report: its CPU seconds round by round
WAYS = (
    ("library", "library (templating, chart, weasyprint)"),
    ("bare", "bare weasyprint on the same final HTML"),
    ("templating", "of which templating and chart"),
)


def measure(rounds: int, lang: str, first: int = 0) -> tuple[Times, str]:
    """Every demo report rendered ``rounds`` times each way, interleaved (round ``first`` first: the order of
    the ways turns each round); the times and what was rendered."""
    cards, rubric, source = demo_cards()
    htmls = [report_html(card, lang=lang, rubric=rubric) for card in cards]
    root = bundled("report_templates")
    fonts = FontConfiguration()
    css = CSS(filename=str(root / "reports.css"), font_config=fonts)
    base_url = root.as_uri() + "/"

    def library(card: Scorecard, html: str) -> None:
        render_report(card, lang=lang, rubric=rubric)

    def templating(card: Scorecard, html: str) -> None:
        report_html(card, lang=lang, rubric=rubric)

    def bare(card: Scorecard, html: str) -> None:
        attachment = Attachment(string=card.to_bytes(), name="scorecard.json", relationship="Data")
        HTML(string=html, base_url=base_url).write_pdf(
            stylesheets=[css], font_config=fonts, pdf_variant="pdf/a-3b", attachments=[attachment]
        )

    ways = {"library": library, "bare": bare, "templating": templating}
    for work in ways.values():  # warm up: fonts, catalogues, templates, the rubric
        work(cards[0], htmls[0])
    # Interleaved report by report (the order turning each round), so that drifts of a shared machine fall on
    # both sides alike.
    times: Times = {name: [[] for _ in cards] for name in ways}
    for number in range(rounds):
        for index, (card, html) in enumerate(zip(cards, htmls, strict=True)):
            order = list(ways) if (first + number) % 2 == 0 else list(reversed(ways))
            for name in order:
                times[name][index].append(timed(ways[name], card, html))
    return times, f"{len(cards)} reports: {source}"


def figures(times: Times) -> tuple[dict[str, dict[str, float]], dict[str, float], list[float]]:
    """Seconds a report, per figure and way; the ratio library / bare per figure; the library's round means."""
    # Each report's time over the rounds: typical (the median) and best (the least: what the code costs when
    # nothing else on the machine interferes, as timeit reports). Then, over the reports, the median report
    # (the figure) and the mean (a whole batch's rate, which the long notices pull down).
    typical = {name: [statistics.median(runs) for runs in times[name]] for name in times}
    best = {name: [min(runs) for runs in times[name]] for name in times}
    seconds = {
        "median report, typical": {name: statistics.median(values) for name, values in typical.items()},
        "median report, best": {name: statistics.median(values) for name, values in best.items()},
        "mean, typical": {name: statistics.mean(values) for name, values in typical.items()},
    }
    # The ratio report by report (each report against itself), then over the reports: the median of two medians
    # may set one report's time against another's.
    ratios = {
        "median report, typical": statistics.median(map(operator.truediv, typical["library"], typical["bare"])),
        "median report, best": statistics.median(map(operator.truediv, best["library"], best["bare"])),
        "mean, typical": seconds["mean, typical"]["library"] / seconds["mean, typical"]["bare"],
    }
    count = len(times["library"][0])
    rounds = [sum(runs[number] for runs in times["library"]) / len(times["library"]) for number in range(count)]
    return seconds, ratios, rounds


def show(times: Times, heading: str) -> None:
    seconds, ratios, rounds = figures(times)
    print(f"  {heading:40s}" + "".join(f"{name:>24s}" for name in seconds))
    for name, label in WAYS:
        cells = [f"{1 / value[name]:6.2f}/s ({1000 * value[name]:5.1f} ms)" for value in seconds.values()]
        print(f"  {label:40s}" + "".join(f"{cell:>24s}" for cell in cells))
    print(f"  {'ratio library / weasyprint (<= 1.10)':40s}" + "".join(f"{ratio:24.3f}" for ratio in ratios.values()))
    print(
        f"  library per round (mean): {1 / max(rounds):.2f} to {1 / min(rounds):.2f} reports/s "
        "(the spread of this machine); target >= 6 reports/s (median report, best rounds)"
    )


def tree_of(rev: str, into: Path) -> Path:
    """``rev``'s src/, report_templates/ and scoring_rules/ extracted under ``into``; its src/ folder."""
    repo = Path(__file__).resolve().parents[1]
    archive = subprocess.run(
        ["git", "-C", str(repo), "archive", "--format=tar", rev, "src", "report_templates", "scoring_rules"],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def child(src: Path, lang: str, number: int) -> tuple[Times, str]:
    """Round ``number`` measured in a child process that imports the library from ``src``."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    command = [sys.executable, __file__, "1", "--lang", lang, "--measure", str(number)]
    done = subprocess.run(command, check=True, capture_output=True, text=True, env=env)
    found = json.loads(done.stdout)
    return found["times"], found["source"]


def compare(rounds: int, lang: str, rev: str) -> None:
    """This tree and ``rev``'s measured round by round in turn, printed side by side."""
    here = Path(__file__).resolve().parents[1] / "src"
    with tempfile.TemporaryDirectory() as folder:
        there = tree_of(rev, Path(folder))
        trees = {"after (this tree)": here, f"before ({rev})": there}
        times: dict[str, Times] = {}
        sources: dict[str, str] = {}
        for number in range(rounds):
            for name in list(trees) if number % 2 == 0 else list(reversed(trees)):
                found, sources[name] = child(trees[name], lang, number)
                merged = times.setdefault(name, {way: [[] for _ in runs] for way, runs in found.items()})
                for way, runs in found.items():
                    for index, run in enumerate(runs):
                        merged[way][index] += run
    print(f"lang {lang}, {rounds} rounds, each tree in its own process in turn, CPU time")
    for name, measured in times.items():
        print(f"{name}: {sources[name]}")
        show(measured, "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rounds", nargs="?", type=int, default=5)
    parser.add_argument("--lang", choices=("en", "zh"), default="en")
    parser.add_argument("--before", metavar="REV", help="an earlier commit to measure in the same run")
    parser.add_argument("--measure", type=int, default=None, help=argparse.SUPPRESS)  # a child's round, as JSON
    args = parser.parse_args()
    if args.measure is not None:
        times, source = measure(args.rounds, args.lang, args.measure)
        print(json.dumps({"times": times, "source": source}))
    elif args.before:
        compare(args.rounds, args.lang, args.before)
    else:
        times, source = measure(args.rounds, args.lang)
        print(f"{source}, lang {args.lang}, {args.rounds} interleaved rounds of CPU time")
        show(times, "")


if __name__ == "__main__":
    main()

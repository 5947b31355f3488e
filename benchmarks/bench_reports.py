"""Reports per second: the library's whole path against bare weasyprint on the same final HTML.

Usage: python benchmarks/bench_reports.py [ROUNDS] [--lang en|zh]

In: the demo units (the bundled example submissions, appraised with the bundled rubric); without examples,
the test suite's sample scorecards. Out: per round, every unit's report rendered (a) by ``render_report``
(templating, chart, layout, PDF/A with the attachment) and (b) by weasyprint alone from the HTML that (a)
laid out, with the same stylesheet, a FontConfiguration made once, PDF/A-3b and the same attachment, and
(c) the templating and chart alone, in CPU time of this one process (one core). Each report's time over the
rounds is taken typical (median) and best (least: the code without interference from the rest of this shared
machine, as timeit reports it). Prints the rate of the median report (the issues' figures: at most 1.10 for
library / weasyprint; at least 6 reports/s per core for the library, the annex's item table included, by the
best rounds), the mean one (what a whole batch gets; the long notices pull it down), and the spread between
rounds. Run it on an earlier commit's tree as well for the figures before a change (docs/reports.md, Speed).
"""

from __future__ import annotations

import argparse
import operator
import statistics
import sys
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rounds", nargs="?", type=int, default=5)
    parser.add_argument("--lang", choices=("en", "zh"), default="en")
    args = parser.parse_args()

    cards, rubric, source = demo_cards()
    htmls = [report_html(card, lang=args.lang, rubric=rubric) for card in cards]
    root = bundled("report_templates")
    fonts = FontConfiguration()
    css = CSS(filename=str(root / "reports.css"), font_config=fonts)
    base_url = root.as_uri() + "/"

    def library(card: Scorecard, html: str) -> None:
        render_report(card, lang=args.lang, rubric=rubric)

    def templating(card: Scorecard, html: str) -> None:
        report_html(card, lang=args.lang, rubric=rubric)

    def bare(card: Scorecard, html: str) -> None:
        attachment = Attachment(string=card.to_json().encode(), name="scorecard.json", relationship="Data")
        HTML(string=html, base_url=base_url).write_pdf(
            stylesheets=[css], font_config=fonts, pdf_variant="pdf/a-3b", attachments=[attachment]
        )

    ways = {"library": library, "bare": bare, "templating": templating}
    for work in ways.values():  # warm up: fonts, catalogues, templates, the rubric
        work(cards[0], htmls[0])
    # Interleaved report by report (the order turning each round), so that drifts of a shared machine fall on
    # both sides alike.
    times: dict[str, list[list[float]]] = {name: [[] for _ in cards] for name in ways}
    for number in range(args.rounds):
        for index, (card, html) in enumerate(zip(cards, htmls, strict=True)):
            order = list(ways) if number % 2 == 0 else list(reversed(ways))
            for name in order:
                times[name][index].append(timed(ways[name], card, html))
    # Each report's time over the rounds: typical (the median) and best (the least: what the code costs when
    # nothing else on the machine interferes, as timeit reports). Then, over the reports, the median report
    # (the figure) and the mean (a whole batch's rate, which the long notices pull down).
    typical = {name: [statistics.median(runs) for runs in times[name]] for name in ways}
    best = {name: [min(runs) for runs in times[name]] for name in ways}
    figures = {
        "median report, typical": {name: statistics.median(values) for name, values in typical.items()},
        "median report, best": {name: statistics.median(values) for name, values in best.items()},
        "mean, typical": {name: statistics.mean(values) for name, values in typical.items()},
    }
    print(f"{len(cards)} reports: {source}, lang {args.lang}, {args.rounds} interleaved rounds of CPU time")
    print(f"  {'':40s}" + "".join(f"{heading:>24s}" for heading in figures))
    for name, label in (
        ("library", "library (templating, chart, weasyprint)"),
        ("bare", "bare weasyprint on the same final HTML"),
        ("templating", "of which templating and chart"),
    ):
        cells = [f"{1 / seconds[name]:6.2f}/s ({1000 * seconds[name]:5.1f} ms)" for seconds in figures.values()]
        print(f"  {label:40s}" + "".join(f"{cell:>24s}" for cell in cells))
    # The ratio report by report (each report against itself), then over the reports: the median of two medians
    # may set one report's time against another's.
    paired = {
        "median report, typical": statistics.median(map(operator.truediv, typical["library"], typical["bare"])),
        "median report, best": statistics.median(map(operator.truediv, best["library"], best["bare"])),
        "mean, typical": figures["mean, typical"]["library"] / figures["mean, typical"]["bare"],
    }
    print(f"  {'ratio library / weasyprint (<= 1.10)':40s}" + "".join(f"{ratio:24.3f}" for ratio in paired.values()))
    rounds = [sum(runs[number] for runs in times["library"]) / len(cards) for number in range(args.rounds)]
    print(
        f"  library per round (mean): {1 / max(rounds):.2f} to {1 / min(rounds):.2f} reports/s "
        "(the spread of this machine); target >= 6 reports/s (median report, best rounds)"
    )


if __name__ == "__main__":
    main()

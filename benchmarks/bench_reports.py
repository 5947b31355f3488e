"""Reports per second: the library's whole path against bare weasyprint on the same final HTML.

Usage: python benchmarks/bench_reports.py [ROUNDS] [--lang en|zh]

In: the demo units (the bundled example submissions, appraised with the bundled rubric); without examples,
the test suite's sample scorecards. Out: per round, every unit's report rendered (a) by ``render_report``
(templating, chart, layout, PDF/A with the attachment) and (b) by weasyprint alone from the HTML that (a)
laid out, with the same stylesheet, a FontConfiguration made once, PDF/A-3b and the same attachment. Prints
the median reports/s of each (CPU time of this one process, so one core: steadier than wall time on a
shared machine), the ratio (target: at most 1.10) and the library's rate (target: at least 8 reports/s).
"""

from __future__ import annotations

import argparse
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
    rounds: dict[str, list[float]] = {name: [] for name in ways}
    for number in range(args.rounds):
        spent = dict.fromkeys(ways, 0.0)
        for card, html in zip(cards, htmls, strict=True):
            order = list(ways) if number % 2 == 0 else list(reversed(ways))
            for name in order:
                spent[name] += timed(ways[name], card, html)
        for name in ways:
            rounds[name].append(spent[name])
    lib = statistics.median(rounds["library"])
    weasy = statistics.median(rounds["bare"])
    html_times = rounds["templating"]
    n = len(cards)
    print(f"reports over {source}, lang {args.lang}, {args.rounds} rounds (median of CPU time)")
    for name, seconds in (
        ("library (templating, chart, weasyprint, PDF/A)", lib),
        ("bare weasyprint on the same final HTML", weasy),
    ):
        print(f"  {name:48s} {n / seconds:6.2f} reports/s  ({1000 * seconds / n:6.1f} ms each)")
    print(f"  {'of which templating and chart':48s} {1000 * statistics.median(html_times) / n:6.1f} ms each")
    print(f"  ratio library / weasyprint: {lib / weasy:.3f} (target <= 1.10)")
    print(f"  library on one core: {n / lib:.2f} reports/s (target >= 8)")
    fastest, slowest = min(rounds["library"]), max(rounds["library"])
    print(f"  library per round: {n / slowest:.2f} to {n / fastest:.2f} reports/s (the spread of this machine)")


if __name__ == "__main__":
    main()

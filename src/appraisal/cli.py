"""The ``appraisal`` command: a thin shell over the public API and ``batch``.

Exit codes: 0 every input scored (or valid); 1 some inputs were rejected (the rest are still scored and
written); 2 a usage or rubric error (nothing scored).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import click
from pydantic import ValidationError

from . import __version__, load_rubric
from .batch import ReportSettings, RunResult, outputs, run
from .errors import AppraisalError, InputError, ReportError, RubricError
from .reports import (
    KINDS,
    LANGS,
    Kind,
    ReportOptions,
    load_options,
    previous_scorecard,
    read_scorecard,
    render_report,
    render_report_docx,
    write_atomic,
)
from .resources import examples
from .rubric import Rubric
from .scoring import Scorecard
from .scoring.appraise import year_error
from .scoring.cases import run_cases
from .submission import expand, load_submissions, submission_adapter

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2
DEMO_MARK = ".appraisal-demo"


def _rubric(year: int | None, path: str | None) -> Rubric:
    if year is not None and path is not None:
        raise click.UsageError("give --year or --rubric, not both")
    try:
        return load_rubric(path if path is not None else year)
    except RubricError as exc:
        click.echo(f"error: the rubric cannot be used:\n{exc}", err=True)
        sys.exit(EXIT_USAGE)


def _inputs(paths: Sequence[str], out: str | None = None) -> list[str]:
    """The inputs as given, once checked: they exist and hold submission files (outside ``out``)."""
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise click.UsageError(f"no such file or folder: {', '.join(missing)}")
    if not expand(paths, exclude=outputs(Path(out)) if out else ()):
        raise click.UsageError("no submission files (.json, .yaml, .yml) found in the inputs")
    return list(paths)


def _report_rejected(rejected: Sequence[InputError]) -> None:
    for error in rejected:
        for line in error.lines():
            click.echo(line, err=True)


rubric_options = [
    click.option("--year", type=int, default=None, help="Use the bundled rubric of this year (default: newest)."),
    click.option(
        "--rubric",
        "rubric_path",
        type=click.Path(exists=True, file_okay=False),
        default=None,
        help="Use the rubric in this folder.",
    ),
]


def with_rubric(func: Any) -> Any:
    for option in reversed(rubric_options):
        func = option(func)
    return func


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="appraisal")
def main() -> None:
    """Score women's federations' yearly submissions with a rubric on durable-rules."""
    _show_render_warnings()


class _ToStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to the sys.stderr of the moment (tests and embedding programs replace it)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


class _Once(logging.Filter):
    """Each distinct message once: a missing glyph is reported per character, not per use."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message in self.seen:
            return False
        self.seen.add(message)
        return True


def _show_render_warnings() -> None:
    """weasyprint reports what it could not render (a character no bundled font has, drawn as an empty box)
    only through its logger: show those warnings on stderr."""
    for name in ("weasyprint", "appraisal.reports"):  # the library's own: a bad --previous scorecard
        logger = logging.getLogger(name)
        if not any(getattr(h, "appraisal", False) for h in logger.handlers):
            handler = _ToStderr()
            handler.setFormatter(logging.Formatter("warning: reports: %(message)s"))
            handler.addFilter(_Once())
            handler.appraisal = True  # type: ignore[attr-defined]
            handler.setLevel(logging.WARNING)
            logger.addHandler(handler)


def _summarize(result: RunResult) -> int:
    cards = result.scorecards
    grades = {g: sum(1 for c in cards if c.grade == g) for g in ("excellent", "good", "qualified", "unqualified")}
    click.echo(f"scored {len(cards)} unit(s) from {result.inputs} file(s); rejected {len(result.rejected)}")
    click.echo(
        "grades: "
        + ", ".join(f"{g} {n}" for g, n in grades.items())
        + f"; commended {sum(c.commended for c in cards)}; vetoed {sum(c.vetoed for c in cards)}"
    )
    top = sorted(path.name for path in result.reports if path.parent == result.out)  # summary.pdf, decision.pdf
    extra = ", ".join(["", "reports/", *top]) if result.reports else ""
    click.echo(f"results in {result.out}/ (scorecards/, summary.csv, errors.json{extra})")
    return EXIT_REJECTED if result.rejected else EXIT_OK


@dataclass(frozen=True)
class _Reporting:
    """The report flags shared by ``run`` and ``report``."""

    lang: str | None
    config: str | None
    previous: str | None
    overrides: dict[str, Any]

    def options(self) -> ReportOptions | None:
        """The ``--config`` file's options with the flags given on top; a bad value exits 2 naming it."""
        try:
            base = load_options(self.config) if self.config else None
            if not self.overrides:
                return base
            fields = base.model_dump(exclude_unset=True) if base else {}
            return ReportOptions.model_validate({**fields, **self.overrides})
        except ReportError as exc:
            click.echo(f"error: {exc}", err=True)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                click.echo(
                    f"error: --{'-'.join(str(p) for p in error['loc'][:1]).replace('_', '-')}: {error['msg']}", err=True
                )
        sys.exit(EXIT_USAGE)

    def settings(self, formats: str = "pdf") -> ReportSettings:
        return ReportSettings(self.lang, self.options(), Path(self.previous) if self.previous else None, formats)


report_options = [
    click.option("--lang", type=click.Choice(LANGS), default=None, help="Language of the reports (default en)."),
    click.option(
        "--config",
        type=click.Path(exists=True, dir_okay=False),
        default=None,
        help="Report options file (TOML, JSON or YAML): issuing_body, issue_date, deadline_days, recheck_days, lang.",
    ),
    click.option(
        "--previous",
        type=click.Path(exists=True, file_okay=False),
        default=None,
        help="Last year's output folder: reports show the change against each unit's previous total.",
    ),
    click.option("--issuing-body", default=None, help="Who issues the reports (overrides --config)."),
    click.option(
        "--issue-date",
        type=click.DateTime(["%Y-%m-%d"]),
        default=None,
        help="Date on the reports, YYYY-MM-DD (default: the appraisal date).",
    ),
    click.option(
        "--deadline-days",
        type=click.IntRange(min=1),
        default=None,
        help="Rectification deadline, in days after the appraisal date (default 90).",
    ),
    click.option("--document-number", default=None, help="Document number of the Chinese letters, e.g. 〔2026〕3号."),
    click.option(
        "--seal", type=click.Path(exists=True, dir_okay=False), default=None, help="PNG seal over the issuer's name."
    ),
]


def with_report_options(func: Any) -> Any:
    """Adds the report flags and hands the command one ``reporting`` argument holding them."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        names = ("issuing_body", "issue_date", "deadline_days", "document_number", "seal")
        flags = {name: kwargs.pop(name) for name in names}
        if flags["issue_date"] is not None:
            flags["issue_date"] = flags["issue_date"].date()
        overrides = {name: value for name, value in flags.items() if value is not None}
        kwargs["reporting"] = _Reporting(kwargs.pop("lang"), kwargs.pop("config"), kwargs.pop("previous"), overrides)
        return func(*args, **kwargs)

    for option in reversed(report_options):
        wrapper = option(wrapper)
    return wrapper


@main.command("run")
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False), help="Folder for the results.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Worker processes for scoring and reports (0: one per CPU).",
)
@click.option("--no-reports", is_flag=True, help="Write scorecards, summary.csv and errors.json only.")
@click.option(
    "--format",
    "formats",
    type=click.Choice(["pdf", "docx", "both"]),
    default="pdf",
    show_default=True,
    help="The reports as PDF, as editable DOCX, or both.",
)
@with_report_options
@with_rubric
def run_command(
    inputs: tuple[str, ...],
    out: str,
    jobs: int,
    no_reports: bool,
    formats: str,
    reporting: _Reporting,
    year: int | None,
    rubric_path: str | None,
) -> None:
    """Score INPUTS (files or folders); write scorecards, summary.csv, errors.json and the reports to --out."""
    files = _inputs(inputs, out)
    rubric = _rubric(year, rubric_path)
    settings = None if no_reports else reporting.settings(formats)
    result = run(
        files,
        out,
        rubric,
        jobs=jobs or os.cpu_count() or 1,
        progress=sys.stderr.isatty(),
        reports=settings,
        lang=reporting.lang,
    )
    _report_rejected(result.rejected)
    sys.exit(_summarize(result))


@main.command()
@click.argument("scorecard", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--output", "-o", required=True, type=click.Path(dir_okay=False), help="The PDF to write (.docx: the DOCX)."
)
@click.option(
    "--kind",
    type=click.Choice(KINDS),
    default="auto",
    show_default=True,
    help="auto: the certificate if commended, the feedback letter if excellent outside the quota, else the notice.",
)
@with_report_options
@with_rubric
def report(
    scorecard: str,
    output: str,
    kind: str,
    reporting: _Reporting,
    year: int | None,
    rubric_path: str | None,
) -> None:
    """Render one unit's report from its SCORECARD.json (as written by appraisal run)."""
    try:
        card = read_scorecard(scorecard)
    except InputError as exc:
        _report_rejected([exc])
        sys.exit(EXIT_REJECTED)
    rubric = _rubric(year if year is not None else card.year, rubric_path)
    settings = reporting.settings()
    try:
        last = previous_scorecard(settings.previous_dir, card.unit_id) if settings.previous_dir else None
        make = render_report_docx if output.lower().endswith(".docx") else render_report
        made = make(card, cast(Kind, kind), settings.lang, options=settings.options, previous=last, rubric=rubric)
        write_atomic(output, made)
    except (ReportError, InputError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(f"wrote {output}")


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@with_rubric
def validate(inputs: tuple[str, ...], year: int | None, rubric_path: str | None) -> None:
    """Check INPUTS without scoring them: every problem, with file and field."""
    files = _inputs(inputs)
    rubric = _rubric(year, rubric_path)
    units, rejected = load_submissions(files)
    wrong_year = [e for e in (year_error(u, rubric) for u in units) if e is not None]
    _report_rejected([*rejected, *wrong_year])
    click.echo(f"{len(units) - len(wrong_year)} valid unit(s); {len(rejected) + len(wrong_year)} rejected")
    rejected += wrong_year
    sys.exit(EXIT_REJECTED if rejected else EXIT_OK)


@main.command()
@click.option("--scorecard", is_flag=True, help="Print the scorecard's schema instead of the submission's.")
def schema(scorecard: bool) -> None:
    """Print the JSON Schema of a submission (or, with --scorecard, of a scorecard)."""
    document = Scorecard.model_json_schema() if scorecard else submission_adapter.json_schema()
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))


@main.command()
@click.option("--out", "-o", default="out/demo", show_default=True, type=click.Path(file_okay=False))
@click.option("--lang", type=click.Choice(LANGS), default="en", show_default=True, help="Language of the reports.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=1, show_default=True, help="Worker processes.")
@click.option("--no-reports", is_flag=True, help="Score only.")
def demo(out: str, lang: str, jobs: int, no_reports: bool) -> None:
    """Copy the bundled example submissions to OUT/submissions and appraise them into OUT, with reports."""
    out_path = Path(out)
    submissions = out_path / "submissions"
    if submissions.exists():
        if not (submissions / DEMO_MARK).is_file():
            click.echo(
                f"error: {submissions} exists and was not written by appraisal demo; choose another --out", err=True
            )
            sys.exit(EXIT_USAGE)
        shutil.rmtree(submissions)
    shutil.copytree(examples(), submissions)
    (submissions / DEMO_MARK).write_text("copied by appraisal demo; replaced at the next demo run\n")
    rubric = _rubric(None, None)
    settings = None if no_reports else ReportSettings(lang=lang)
    result = run([submissions], out_path, rubric, jobs=jobs or os.cpu_count() or 1, reports=settings, lang=lang)
    click.echo(
        f"demo: {len(result.rejected)} example input(s) are invalid on purpose and were reported in "
        f"{out_path / 'errors.json'}:"
    )
    _report_rejected(result.rejected)
    _summarize(result)
    unexpected = [e.source for e in result.rejected if not e.source.startswith("invalid-")]
    if unexpected:
        click.echo(f"demo: these examples should have scored: {', '.join(unexpected)}", err=True)
    sys.exit(EXIT_REJECTED if unexpected else EXIT_OK)


@main.command("check-rubric")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
def check_rubric(folder: str) -> None:
    """Check the rubric in FOLDER (every problem with file:line; exit 2 if any) and run its golden cases in
    FOLDER/cases (exit 1 if one fails)."""
    try:
        rubric = load_rubric(folder)
    except RubricError as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_USAGE)
    click.echo(
        f"{rubric.id} {rubric.manifest.version}: {len(rubric.items)} items, {len(rubric.vetoes)} vetoes, "
        f"base {rubric.manifest.base}: ok"
    )
    try:
        results = run_cases(rubric)
    except RubricError as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_USAGE)
    for result in results:
        click.echo(str(result), err=not result.passed)
    failed = sum(not r.passed for r in results)
    click.echo(f"golden cases: {len(results) - failed} passed, {failed} failed")
    if failed:
        sys.exit(EXIT_REJECTED)


def entry() -> None:  # pragma: no cover - console script wrapper
    try:
        main()
    except AppraisalError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    except OSError as exc:  # e.g. the output folder cannot be written
        click.echo(f"error: {exc.strerror or exc}: {exc.filename or ''}", err=True)
        sys.exit(EXIT_USAGE)

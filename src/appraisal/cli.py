"""The ``appraisal`` command: a thin shell over the public API and ``batch``.

Exit codes: 0 every input scored (or valid); 1 some inputs were rejected (the rest are still scored and
written); 2 a usage or rubric error, or an output folder another run holds (nothing scored); 130 interrupted
(Ctrl-C), 143 terminated (SIGTERM).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import secrets
import shutil
import signal
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

import click
from pydantic import ValidationError

from . import __version__, load_rubric
from .batch import ClusterError, DaskExecutor, ReportSettings, RunResult, output_lock, outputs, run
from .batch.synthetic import write_synthetic
from .engine.verify import check_rubric
from .errors import (
    AppraisalError,
    EngineError,
    InputError,
    OutputError,
    ReportError,
    RubricError,
    RubricProblem,
    did_you_mean,
    printable,
)
from .messages import say
from .reports import KINDS, LANGS, Kind, ReportOptions, load_options
from .resources import examples
from .rubric import Rubric
from .rubric.diff import diff, diff_text
from .scoring import Scorecard
from .scoring.appraise import rubric_for
from .scoring.cases import coverage, run_cases
from .scoring.explain import explain_unit
from .submission import expand, json_schema, load_submissions

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 1, 2, 130, 143


class _Terminated(KeyboardInterrupt):
    """SIGTERM (a service manager stopping the run, ``kill``), answered as Ctrl-C is: the run's folder and its
    workers cleaned up, one line, exit status 143 (128 + SIGTERM)."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise _Terminated


DEMO_MARK = ".appraisal-demo"
DEMO_UNITS_MAX = 1_000_000  # a national roll-up: about 2.3 GB of synthetic files (2.3 kB each)


class _Lang:
    """The language of the command line's own messages: the command's ``--lang`` (or its config's), else
    English. Set by the commands that take ``--lang`` before they print anything."""

    current: str | None = None


def _say(message: str, /, **fields: object) -> str:
    """``message`` in the command's language, each field shown escaped (``printable``): a path given on the command
    line cannot break or reverse the one line it is in. What holds a line a problem (``details``, a rubric's, a
    submission's or a report's error) is escaped line by line."""
    shown = {
        name: "\n".join(map(printable, str(value).split("\n")))
        if name == "details" or isinstance(value, RubricError | InputError | ReportError)
        else printable(str(value))
        for name, value in fields.items()
    }
    return say(message, _Lang.current, **shown)


def _error(message: object) -> None:
    """``error: MESSAGE`` on stderr, in the command's language (the message itself, naming file and line, as
    the library made it)."""
    click.echo(_say("error: {message}", message=message), err=True)


class _UsageError(click.UsageError):
    """A usage error in the command's language: click's usage line, then ``错误：...`` in Chinese."""

    def show(self, file: Any = None) -> None:
        if _Lang.current in (None, "en"):
            super().show(file)
            return
        if self.ctx is not None:
            click.echo(self.ctx.get_usage(), file=file or sys.stderr)
        click.echo(_say("error: {message}", message=self.format_message()), file=file or sys.stderr)


def _rubric(year: int | None, path: str | None) -> Rubric:
    if year is not None and path is not None:
        raise click.UsageError("give --year or --rubric, not both")
    try:
        return load_rubric(path if path is not None else year)
    except RubricError as exc:  # each problem under the folder given, as ``rules check`` shows it
        folder = Path(path) if path is not None else None
        details = "\n".join(_where(folder, problem) for problem in exc.problems)
        click.echo(_say("error: the rubric cannot be used:\n{details}", details=details), err=True)
        sys.exit(EXIT_USAGE)


def _chosen_rubric(year: int | None, path: str | None) -> Rubric | None:
    """The rubric --year or --rubric names; ``None`` (each submission's own year) when neither is given."""
    return None if year is None and path is None else _rubric(year, path)


def _inputs(paths: Sequence[str], out: str | None = None) -> list[str]:
    """The inputs as given, once checked: they exist and hold submission files (outside ``out``)."""
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise _UsageError(_say("no such file or folder: {paths}", paths=", ".join(missing)))
    if not expand(paths, exclude=outputs(Path(out)) if out else ()):
        raise _UsageError(_say("no submission files (.json, .yaml, .yml, .xlsx, .bulk.csv) found in the inputs"))
    return list(paths)


def _report_rejected(rejected: Sequence[InputError]) -> None:
    for error in rejected:
        for line in error.lines():
            click.echo(line, err=True)


rubric_options = [
    click.option(
        "--year",
        type=int,
        default=None,
        help="Use the bundled rubric of this year for every submission (default: each submission's own year).",
    ),
    click.option(
        "--rubric",
        "rubric_path",
        type=click.Path(exists=True, file_okay=False),
        default=None,
        help="Use the rubric in this folder.",
    ),
]


def _previous_folder(folder: str | None) -> str | None:
    """``--previous`` must hold scorecards (``scorecards/*.json``, or ``*.json`` itself): a wrong folder would
    make every report show no change against last year without a word."""
    if folder is not None and not any(Path(folder).glob("scorecards/*.json")) and not any(Path(folder).glob("*.json")):
        raise click.BadParameter(f"{folder} holds no scorecards (scorecards/*.json or *.json)", param_hint="--previous")
    return folder


def with_rubric(func: Any) -> Any:
    for option in reversed(rubric_options):
        func = option(func)
    return func


class _Group(click.Group):
    """Ctrl-C ends any command with one line and exit status 130 (128 + SIGINT), never a traceback or click's
    "Aborted!" (exit 1, which means "some rejected"). An output folder another run holds exits 2."""

    def invoke(self, ctx: click.Context) -> Any:
        _Lang.current = None  # each command sets its own (one process may run several: tests, embedding)
        before = None
        if threading.current_thread() is threading.main_thread():
            before = signal.signal(signal.SIGTERM, _on_sigterm)
        try:
            return super().invoke(ctx)
        except _Terminated:
            click.echo(
                _say("terminated: nothing more was written; the output folder keeps its last whole run"), err=True
            )
            ctx.exit(EXIT_TERMINATED)
        except KeyboardInterrupt:
            click.echo(
                _say("interrupted: nothing more was written; the output folder keeps its last whole run"), err=True
            )
            ctx.exit(EXIT_INTERRUPTED)
        except OutputError as exc:
            _error(exc)
            ctx.exit(EXIT_USAGE)
        finally:
            if before is not None:
                signal.signal(signal.SIGTERM, before)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="appraisal")
def main() -> None:
    """Score women's federations' yearly submissions with a year's rubric on durable-rules.

    \b
    Start with:
      appraisal demo                       the bundled examples, end to end
      appraisal run in/ --out out/         score your own submissions
      appraisal explain in/unit.json       why a unit scored as it did
      appraisal rules check scoring_rules/2027

    Run "appraisal COMMAND --help" for a command's options, an example and its exit codes.
    """
    _show_render_warnings()


def _quiet(*packages: str) -> dict[str, int]:
    """Only the critical records of these packages' loggers (their own and their modules', as configured); the
    levels they had, for ``_restore``."""
    levels: dict[str, int] = {}
    for name in [*packages, *logging.root.manager.loggerDict]:
        if name.partition(".")[0] in packages:
            logger = logging.getLogger(name)
            levels.setdefault(name, logger.level)
            logger.setLevel(logging.CRITICAL)
    return levels


def _restore(levels: dict[str, int]) -> None:
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


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


class _WarningFormat(logging.Formatter):
    """``warning: reports: MESSAGE`` in the command's language."""

    def format(self, record: logging.LogRecord) -> str:
        return _say("warning: reports: {message}", message=record.getMessage())


def _show_render_warnings() -> None:
    """weasyprint reports what it could not render (a character no bundled font has, drawn as an empty box)
    only through its logger: show those warnings on stderr, each once a command."""
    for name in ("weasyprint", "appraisal.reports"):  # the library's own: a bad --previous scorecard
        logger = logging.getLogger(name)
        ours = [h for h in logger.handlers if getattr(h, "appraisal", False)]
        for handler in ours:  # one process may run several commands (tests, embedding): each warns anew
            for once in handler.filters:
                if isinstance(once, _Once):
                    once.seen.clear()
        if not ours:
            handler = _ToStderr()
            handler.setFormatter(_WarningFormat())
            handler.addFilter(_Once())
            handler.appraisal = True  # type: ignore[attr-defined]
            handler.setLevel(logging.WARNING)
            logger.addHandler(handler)


def _summarize(result: RunResult) -> int:
    cards = result.units
    grades = {g: sum(1 for c in cards if c.grade == g) for g in ("excellent", "good", "qualified", "unqualified")}
    click.echo(
        _say(
            "read {inputs} files: {units} units scored, {rejected} inputs rejected",
            inputs=result.inputs,
            units=len(cards),
            rejected=len(result.rejected),
        )
    )
    click.echo(
        _say(
            "grades: {grades}; commended {commended}; vetoed {vetoed}",
            grades=_say(", ").join(_say("{grade} {count}", grade=_say(g), count=n) for g, n in grades.items()),
            commended=sum(bool(c.commended) for c in cards),
            vetoed=sum(c.vetoed for c in cards),
        )
    )
    top = sorted(path.name for path in result.reports if path.parent == result.out)  # summary.pdf, decision.pdf
    files = ["scorecards/", "summary.csv", "errors.json", *(["reports/", *top] if result.reports else [])]
    click.echo(_say("results in {out}/ ({files})", out=result.out, files=_say(", ").join(files)))
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
            _error(exc)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                _error(f"--{'-'.join(str(p) for p in error['loc'][:1]).replace('_', '-')}: {error['msg']}")
        sys.exit(EXIT_USAGE)

    def settings(self, formats: str = "pdf") -> ReportSettings:
        return ReportSettings(self.lang, self.options(), Path(self.previous) if self.previous else None, formats)


report_options = [
    click.option("--lang", type=click.Choice(LANGS), default=None, help="Language of the reports (default en)."),
    click.option(
        "--config",
        type=click.Path(exists=True, dir_okay=False),
        default=None,
        help="Report options file (TOML, JSON or YAML): issuing_body, issue_date, deadline_days, recheck_days, lang; "
        "the flags below override it.",
    ),
    click.option(
        "--previous",
        type=click.Path(exists=True, file_okay=False),
        default=None,
        callback=lambda ctx, param, value: _previous_folder(value),
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
    click.option(
        "--recheck-days",
        type=click.IntRange(min=1),
        default=None,
        help="Re-check, in days after the appraisal date (default: two weeks after the deadline).",
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
        names = ("issuing_body", "issue_date", "deadline_days", "recheck_days", "document_number", "seal")
        flags = {name: kwargs.pop(name) for name in names}
        if flags["issue_date"] is not None:
            flags["issue_date"] = flags["issue_date"].date()
        overrides = {name: value for name, value in flags.items() if value is not None}
        kwargs["reporting"] = _Reporting(kwargs.pop("lang"), kwargs.pop("config"), kwargs.pop("previous"), overrides)
        return func(*args, **kwargs)

    for option in reversed(report_options):
        wrapper = option(wrapper)
    return wrapper


@main.command("run", short_help="Score submissions and write scorecards, summary and reports.")
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
    "--executor",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="local: --jobs worker processes here; dask: the Dask cluster at --scheduler (docs/scale.md).",
)
@click.option("--scheduler", default=None, help="The Dask scheduler's address, e.g. tcp://scheduler:8786.")
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
    executor: str,
    scheduler: str | None,
    formats: str,
    reporting: _Reporting,
    year: int | None,
    rubric_path: str | None,
) -> None:
    """Score INPUTS (files or folders); write scorecards, summary.csv, errors.json and the reports to --out.

    \b
    Example:
      appraisal run submissions/ --out out/2026 --lang zh --issuing-body "某县妇联" --deadline-days 60

    \b
    Exit codes: 0 every input scored, 1 some inputs rejected (the rest are scored and
    written; errors.json lists them), 2 a usage, rubric or engine error, or a file of yours
    under a name the run publishes (nothing written), 130 interrupted, 143 terminated.
    """
    if scheduler is not None and executor != "dask":
        raise click.UsageError("--scheduler needs --executor dask")
    if executor == "dask" and scheduler is None:
        raise click.UsageError("--executor dask needs --scheduler ADDRESS (e.g. tcp://scheduler:8786)")
    _Lang.current = reporting.lang
    files = _inputs(inputs, out)
    rubric = _chosen_rubric(year, rubric_path)
    settings = None if no_reports else reporting.settings(formats)
    if _Lang.current is None and settings is not None and settings.options is not None:
        _Lang.current = settings.options.lang  # the --config file's language
    cluster = None
    levels: dict[str, int] = {}
    try:
        if executor == "dask":
            cluster = DaskExecutor(scheduler)
            levels = _quiet("distributed", "tornado")  # a lost scheduler is one line of ours, not Dask's tracebacks
        jobs = jobs or os.cpu_count() or 1
        result = run(
            files,
            out,
            rubric,
            jobs=jobs,
            progress=sys.stderr.isatty(),
            reports=settings,
            cluster=cluster,
            lang=reporting.lang,
        )
    except ClusterError as exc:  # raised before the run is published: --out is as it was
        click.echo(_say("error: {message}; the output folder keeps its last whole run", message=exc), err=True)
        sys.exit(EXIT_USAGE)
    except (RubricError, EngineError) as exc:  # raised before anything is written: --out is as it was
        click.echo(_say("error: the rubric cannot be used; nothing was written:\n{details}", details=exc), err=True)
        sys.exit(EXIT_USAGE)
    finally:
        if cluster is not None:
            cluster.close()
        _restore(levels)
    _report_rejected(result.rejected)
    sys.exit(_summarize(result))


def _document(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A document to write is named ``.pdf`` or ``.docx`` (the name says which is written)."""
    if value is not None and not value.lower().endswith((".pdf", ".docx")):
        raise click.BadParameter(f"{value}: name the file .pdf (a PDF) or .docx (a DOCX)")
    return value


@main.command(short_help="Render one unit's report (PDF) from its scorecard.")
@click.argument("scorecard", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--out",
    "-o",
    "output",
    default=None,
    type=click.Path(dir_okay=False),
    callback=_document,
    help="The PDF to write (.docx: the DOCX; required).",
)
@click.option(
    "--output", "output_alias", default=None, hidden=True, type=click.Path(dir_okay=False), callback=_document
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
    output: str | None,
    output_alias: str | None,
    kind: str,
    reporting: _Reporting,
    year: int | None,
    rubric_path: str | None,
) -> None:
    """Render one unit's report from its SCORECARD.json (as written by appraisal run).

    \b
    Example:
      appraisal report out/2026/scorecards/village-017.json --out village-017.pdf --lang zh

    \b
    Exit codes: 0 written, 1 the scorecard cannot be read, 2 a usage, rubric or
    report error.
    """
    from .reports import (  # weasyprint: only here
        previous_scorecard,
        read_scorecard,
        render_report,
        render_report_docx,
        write_atomic,
    )

    _Lang.current = reporting.lang
    output = output or output_alias  # --output: the earlier spelling, kept as a hidden alias
    if output is None:
        raise click.UsageError("Missing option '--out' / '-o'.")
    try:
        card = read_scorecard(scorecard)
    except InputError as exc:
        _report_rejected([exc])
        sys.exit(EXIT_REJECTED)
    # The rubric the scorecard was scored with: the one named, else its year's bundled one (its sha256 is checked).
    rubric = _rubric(card.year if year is None and rubric_path is None else year, rubric_path)
    settings = reporting.settings()
    if _Lang.current is None and settings.options is not None:
        _Lang.current = settings.options.lang  # the --config file's language
    try:
        last = previous_scorecard(settings.previous_dir, card.unit_id) if settings.previous_dir else None
        make = render_report_docx if output.lower().endswith(".docx") else render_report
        made = make(card, cast(Kind, kind), settings.lang, options=settings.options, previous=last, rubric=rubric)
        write_atomic(output, made)
    except (ReportError, InputError) as exc:
        _error(exc)
        sys.exit(EXIT_USAGE)
    click.echo(_say("wrote {path}", path=output))


@main.command(short_help="Check submissions without scoring them.")
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("--lang", type=click.Choice(LANGS), default="en", show_default=True, help="Language of the messages.")
@with_rubric
def validate(inputs: tuple[str, ...], lang: str, year: int | None, rubric_path: str | None) -> None:
    """Check INPUTS without scoring them: every problem, with file and field.

    \b
    Example:
      appraisal validate submissions/ --year 2026

    \b
    Exit codes: 0 every unit valid, 1 some rejected, 2 a usage or rubric error.
    """
    _Lang.current = lang
    files = _inputs(inputs)
    units, rejected = load_submissions(files, rubric=_chosen_rubric(year, rubric_path))
    _report_rejected(rejected)
    click.echo(_say("valid: {units} units; rejected: {rejected}", units=len(units), rejected=len(rejected)))
    sys.exit(EXIT_REJECTED if rejected else EXIT_OK)


@main.command(short_help="Print the JSON Schema of a submission or a scorecard.")
@click.option("--scorecard", is_flag=True, help="Print the scorecard's schema instead of the submission's.")
@with_rubric
def schema(scorecard: bool, year: int | None, rubric_path: str | None) -> None:
    """Print the JSON Schema of a submission of the year (default: the newest bundled year), or with
    --scorecard of a scorecard.

    \b
    Example:
      appraisal schema --year 2025 > submission-2025.schema.json

    \b
    Exit codes: 0; 2 if the year or folder cannot be loaded.
    """
    document = Scorecard.model_json_schema() if scorecard else json_schema(_rubric(year, rubric_path).indicators)
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))


@main.command(short_help="Write a fill-in workbook, or a bulk table's header row, for a year.")
@click.option("--org-type", default=None, help="The org type the workbook is for (a bulk table: all by default).")
@click.option("--bulk", is_flag=True, help="Write a bulk table's header row (one row per unit, one column per field).")
@click.option("--lang", type=click.Choice(LANGS), default="en", show_default=True, help="Language of the labels.")
@click.option(
    "--out",
    "-o",
    "output",
    type=click.Path(dir_okay=False),
    default=None,
    help="The file to write (default ORG-YEAR.xlsx; a bulk table: ORG-YEAR.bulk.xlsx, or .bulk.csv).",
)
@with_rubric
def template(
    org_type: str | None, bulk: bool, lang: str, output: str | None, year: int | None, rubric_path: str | None
) -> None:
    """Write a fill-in workbook for one org type (or, with --bulk, a bulk table's header row), made from the
    year's indicators and rubric.

    \b
    Example:
      appraisal template --org-type village --lang zh --out village-2026.xlsx

    \b
    Exit codes: 0 written, 2 a usage or rubric error.
    """
    from .intake import bulk_csv, bulk_workbook, is_bulk, workbook
    from .reports.output import write_atomic

    _Lang.current = lang
    rubric = _rubric(year, rubric_path)
    known = rubric.indicators.org_type_ids
    if org_type is not None and org_type not in known:
        raise click.BadParameter(
            f"{org_type!r} is not an org type of {rubric.year} ({', '.join(known)})", param_hint="--org-type"
        )
    if not bulk and org_type is None:
        raise click.UsageError(f"give --org-type (one of {', '.join(known)}), or --bulk")
    stem = f"{org_type or 'units'}-{rubric.year}"
    target = Path(output or (f"{stem}.bulk.xlsx" if bulk else f"{stem}.xlsx"))
    if bulk and not is_bulk(target.name):
        raise click.BadParameter(
            "a bulk table's name ends in .bulk.xlsx or .bulk.csv (so runs know it)", param_hint="--out"
        )
    if not bulk and target.suffix.lower() != ".xlsx":
        raise click.BadParameter("a workbook's name ends in .xlsx", param_hint="--out")
    if bulk:
        data = (
            bulk_csv(rubric, org_type, lang)
            if target.suffix.lower() == ".csv"
            else bulk_workbook(rubric, org_type, lang)
        )
    else:
        assert org_type is not None
        data = workbook(rubric, org_type, lang)
    write_atomic(target, data)
    click.echo(_say("wrote {path}", path=target))


@main.command(short_help="Appraise the bundled examples, end to end.")
@click.option("--out", "-o", default="out/demo", show_default=True, type=click.Path(file_okay=False))
@click.option("--lang", type=click.Choice(LANGS), default="en", show_default=True, help="Language of the reports.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=1, show_default=True, help="Worker processes.")
@click.option("--no-reports", is_flag=True, help="Score only.")
@click.option(
    "--units",
    type=click.IntRange(min=1, max=DEMO_UNITS_MAX),
    default=None,
    help="Appraise this many synthetic units in all, over every type and grade, instead of the bundled examples.",
)
def demo(out: str, lang: str, jobs: int, no_reports: bool, units: int | None) -> None:
    """Copy the bundled example submissions (or write --units synthetic ones) to OUT/submissions and appraise
    them into OUT, with reports.

    Some examples are invalid on purpose: they are reported, and the demo still succeeds.

    \b
    Example:
      appraisal demo --out out/demo --lang zh

    \b
    Exit codes: 0 done, 1 an example that should score was rejected, 2 OUT/submissions
    exists and was not written by the demo, 130 interrupted, 143 terminated.
    """
    _Lang.current = lang
    out_path = Path(out)
    submissions = out_path / "submissions"
    settings = None if no_reports else ReportSettings(lang=lang)
    with output_lock(out_path):  # the copy too: another demo on the same folder must not replace it meanwhile
        if submissions.exists():
            if not (submissions / DEMO_MARK).is_file():
                click.echo(
                    _say(
                        "error: {path} exists and was not written by appraisal demo; choose another --out",
                        path=submissions,
                    ),
                    err=True,
                )
                sys.exit(EXIT_USAGE)
        # written aside and swapped in whole: an interrupted demo leaves the last submissions as they were (the
        # hidden staging folders a killed one leaves are removed by the next run, ``publish.clean_stale``)
        staged = out_path / f".submissions.{secrets.token_hex(4)}.new"
        try:
            if units is None:
                shutil.copytree(examples(), staged)
            else:
                write_synthetic(staged, units, _rubric(None, None))
            (staged / DEMO_MARK).write_text("copied by appraisal demo; replaced at the next demo run\n")
            if submissions.exists():
                retired = staged.with_suffix(".old")
                os.replace(submissions, retired)
                os.replace(staged, submissions)
                shutil.rmtree(retired)
            else:
                os.replace(staged, submissions)
        finally:
            shutil.rmtree(staged, ignore_errors=True)
        # each example is scored by its own year's bundled rubric
        result = run([submissions], out_path, None, jobs=jobs or os.cpu_count() or 1, reports=settings, lang=lang)
    if units is None:
        problems = sum(len(e.problems) for e in result.rejected)
        click.echo(
            _say(
                "demo: {count} inputs are invalid on purpose ({problems} problems, in errors.json):",
                count=len(result.rejected),
                problems=problems,
            )
        )
    _report_rejected(result.rejected)
    _summarize(result)
    unexpected = [e.source for e in result.rejected if not e.source.startswith("invalid-")]
    if unexpected:
        click.echo(_say("demo: these examples should have scored: {sources}", sources=", ".join(unexpected)), err=True)
    sys.exit(EXIT_REJECTED if unexpected else EXIT_OK)


def _where(folder: Path | None, problem: RubricProblem, severity: str = "error") -> str:
    """A problem as ``folder/file:line:col: error: message``, the form editors and CI annotations jump to."""
    if folder is not None and not Path(problem.file).is_absolute() and problem.file != str(folder):
        problem = replace(problem, file=str(folder / problem.file))
    where, _, message = str(problem).partition(f": {problem.message}")
    return f"{where}: {severity}: {problem.message}{message}"


def _folder(rubric: Rubric | None, given: str | None) -> Path | None:
    if rubric is not None:
        return _shown_path(Path(rubric.path))
    return Path(given) if given is not None and Path(given).is_dir() else None


def _folder_exists(folder: str | None) -> None:
    """FOLDER is a folder or a bundled year: anything else is a usage error, not a broken rubric."""
    if folder is not None and not folder.isdigit() and not Path(folder).is_dir():
        raise click.UsageError(f"no such folder: {folder}")


def _shown_path(path: Path) -> Path:
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


@main.group(short_help="Check and test a year's rubric.")
def rules() -> None:
    """Check and test a year's rubric (docs/rubric-authoring.md).

    FOLDER is a rubric folder or a bundled year; default: the newest bundled year.

    \b
    Example:
      appraisal rules check scoring_rules/2027 && appraisal rules test scoring_rules/2027
    """


@rules.command("check", short_help="Check a rubric: every problem as file:line:col.")
@click.argument("folder", required=False)
def rules_check(folder: str | None) -> None:
    """Check the rubric in FOLDER: every problem as file:line:col with a hint.

    \b
    Errors (the rubric cannot be used) come first, on stderr; warnings (it scores, but
    probably not as meant: overlapping tiers, an item that can never miss) are listed
    apart. Every org type's ruleset is also compiled in durable-rules, so a rubric that
    passes also scores.

    \b
    Example:
      appraisal rules check scoring_rules/2027

    \b
    Exit codes: 0 no errors (warnings allowed), 1 errors.
    """
    _folder_exists(folder)
    result = check_rubric(folder)
    where = _folder(result.rubric, folder)
    for problem in result.errors:
        click.echo(_where(where, problem), err=True)
    if result.warnings:
        click.echo(f"warnings ({len(result.warnings)}):")
        for problem in result.warnings:
            click.echo(f"  {_where(where, problem, 'warning')}")
    if result.rubric is not None:
        rubric = result.rubric
        click.echo(
            f"{rubric.id} {rubric.manifest.version}: {len(rubric.items)} items, {len(rubric.vetoes)} vetoes, "
            f"base {rubric.manifest.base}: errors {len(result.errors)}, warnings {len(result.warnings)}"
        )
    else:
        click.echo(
            f"{printable(folder or 'the bundled rubric')}: errors {len(result.errors)}; the rubric cannot be used"
        )
    sys.exit(EXIT_OK if result.ok else EXIT_REJECTED)


# The earlier name, kept as a hidden alias.
main.add_command(click.Command("check-rubric", callback=rules_check.callback, params=rules_check.params, hidden=True))


@rules.command("test", short_help="Run a rubric's golden cases and print coverage.")
@click.argument("folder", required=False)
@click.option("--require-coverage", is_flag=True, help="Exit 1 unless the cases show every outcome (100%).")
def rules_test(folder: str | None, require_coverage: bool) -> None:
    """Run the golden cases in FOLDER/cases and print the rubric's coverage.

    \b
    A failing case shows, per item, the points or status expected against those
    got. Coverage counts the outcomes the passing cases show: every item awarding
    and not awarding, every veto firing and not firing; items no case scores are
    listed. Case format: docs/rubric-format.md, "Golden cases".

    \b
    Example:
      appraisal rules test scoring_rules/2027 --require-coverage

    \b
    Exit codes: 0 every case passed (and, with --require-coverage, coverage is
    100%), 1 a case failed or coverage is short, 2 the rubric or a case file
    cannot be read.
    """
    _folder_exists(folder)
    try:
        rubric = load_rubric(folder)
        results = run_cases(rubric)
    except RubricError as exc:
        where = _folder(None, folder)
        for problem in exc.problems:
            click.echo(_where(where, problem), err=True)
        sys.exit(EXIT_USAGE)
    for result in results:
        click.echo(str(result), err=not result.passed)
    if not results:  # a folder without cases passes nothing: say so, not only "0 passed"
        click.echo(f"warning: no golden cases in {printable(str(Path(rubric.path) / 'cases'))}/", err=True)
    failed = sum(not r.passed for r in results)
    click.echo(f"golden cases: {len(results) - failed} passed, {failed} failed")
    covered = coverage(rubric, results)
    click.echo(f"coverage: {covered.shown} of {covered.total} outcomes ({covered.percent:.1f}%)")
    if without := covered.without_cases():
        click.echo(f"without cases: {', '.join(without)}")
    if unseen := covered.unseen():
        click.echo(f"not seen: {', '.join(f'{key} {outcome}' for key, outcome in unseen)}")
    short = require_coverage and not covered.complete
    sys.exit(EXIT_REJECTED if failed or short else EXIT_OK)


@rules.command("handbook", short_help="Write the rubric as units receive it (PDF or DOCX).")
@click.argument("folder", required=False)
@click.option("--year", type=int, default=None, help="The bundled rubric of this year (instead of FOLDER).")
@click.option("--lang", type=click.Choice(LANGS), default="en", show_default=True, help="Language of the handbook.")
@click.option(
    "--out",
    "-o",
    "output",
    required=True,
    type=click.Path(dir_okay=False),
    callback=_document,
    help="The PDF (or .docx) to write.",
)
def rules_handbook(folder: str | None, year: int | None, lang: str, output: str) -> None:
    """Write the handbook of the rubric in FOLDER: the year's rules as units receive them.

    \b
    How grades and commendation are decided; every group and item with its points
    per org type, how they are earned (in the words of the scorecard's reasons), the
    requirement quoted with its citation; the vetoes; the fields each org type
    reports, with units and bounds. Chinese (--lang zh) in the official page layout.
    A FILE ending in .docx is written as an editable DOCX.

    \b
    Example:
      appraisal rules handbook --year 2026 --lang zh -o handbook-2026.pdf

    \b
    Exit codes: 0 written, 2 a usage, rubric or report error.
    """
    from .reports import render_handbook, render_handbook_docx, write_atomic  # weasyprint: only here

    _Lang.current = lang
    if folder is not None and year is not None:
        raise click.UsageError("give FOLDER or --year, not both")
    _folder_exists(folder)
    rubric = _rubric(year, None) if folder is None else _rubric_arg(folder)
    make = render_handbook_docx if output.lower().endswith(".docx") else render_handbook
    try:
        write_atomic(output, make(rubric, lang))
    except ReportError as exc:
        _error(exc)
        sys.exit(EXIT_USAGE)
    click.echo(_say("wrote {path}", path=output))


@main.command(short_help="Explain a unit's score item by item: what failed, by how much.")
@click.argument("submission", type=click.Path())
@click.option("--item", "item_ids", multiple=True, metavar="ID", help="Explain only this item or veto (repeatable).")
@with_rubric
def explain(submission: str, item_ids: tuple[str, ...], year: int | None, rubric_path: str | None) -> None:
    """Explain why SUBMISSION scored as it did, item by item.

    \b
    Per item: its condition, the values the unit reported, the outcome, and for a
    miss which part failed and by how much ("standing committee hearings: 0, needs
    >= 1 (1 short)"); for a partial, what the next tier needs. Items that do not
    apply to the unit's type are left out. The rubric is the bundled one of the
    submission's year unless --year or --rubric says otherwise.

    \b
    Example:
      appraisal explain village-017.json --item L01 --item L06

    \b
    Exit codes: 0 explained, 1 the submission is invalid, 2 a usage or rubric error.
    """
    chosen = _chosen_rubric(year, rubric_path)
    units, rejected = load_submissions(_inputs([submission]), rubric=chosen)
    _report_rejected(rejected)
    for unit in units:
        rubric = chosen or rubric_for(unit)
        known = [item.id for item in rubric.items] + [veto.id for veto in rubric.vetoes]
        by_case = {k.casefold(): k for k in known}  # --item l01 is L01
        asked = tuple(by_case.get(item_id.casefold(), item_id) for item_id in item_ids)
        for item_id in asked:
            if item_id not in known:
                raise click.UsageError(f"--item {item_id}: no such item in {rubric.id}{did_you_mean(item_id, known)}")
        try:
            result = explain_unit(unit, rubric, asked)
        except InputError as exc:
            _report_rejected([exc])
            rejected.append(exc)
            continue
        card = result.card
        click.echo(
            f"{card.unit_id} ({card.name}, {card.org_type}), {rubric.id} {rubric.manifest.version}: "
            f"total {card.total:g} of {card.base:g}, {card.grade}" + (", vetoed" if card.vetoed else "")
        )
        for item in result.items:
            click.echo(f"{item.id}  {item.title}: {item.points:g} of {item.max:g}, {item.status.replace('_', ' ')}")
            for role, outcome in item.conditions:
                state = "holds" if outcome.holds else "does not hold"
                click.echo(f"    {role}: {outcome.text}  ({state})")
            if item.counted:
                click.echo(f"    counts: {item.counted}")
            if item.values:
                shown = ", ".join(f"{path} = {_value(value)}" for path, value in item.values.items())
                click.echo(f"    values: {shown}")
            click.echo(f"    why: {item.reason}")
        for veto in result.vetoes:
            fired = "fired: the grade is unqualified" if veto.outcome.holds else "not fired"
            click.echo(f"{veto.id}  veto, {veto.title}: {fired}")
            click.echo(f"    when: {veto.outcome.text}")
            if veto.values:
                click.echo(f"    values: {', '.join(f'{path} = {_value(v)}' for path, v in veto.values.items())}")
            click.echo(f"    why: condition {'met' if veto.outcome.holds else 'not met'}: {veto.outcome.words}")
        for deduction in card.deductions:
            if not item_ids or deduction.id in item_ids:
                click.echo(f"{deduction.id}  deduction, {deduction.title}: {deduction.points:g} ({deduction.floor})")
                click.echo(f"    why: {deduction.reason}")
    sys.exit(EXIT_REJECTED if rejected else EXIT_OK)


def _value(value: object) -> str:
    if value is None:
        return "not reported"
    return str(value).lower() if isinstance(value, bool) else str(value)


@rules.command("diff", short_help="What changed between two years: items, vetoes, grades, fields.")
@click.argument("old")
@click.argument("new")
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
def rules_diff(old: str, new: str, as_json: bool) -> None:
    """What changed from OLD to NEW (bundled years or folders): indicators, items, vetoes, grades.

    \b
    Example:
      appraisal rules diff 2025 2026
      appraisal rules diff scoring_rules/2026 my-county/2027 --json

    \b
    Exit codes: 0 printed, 2 a folder cannot be loaded.
    """
    before, after = _rubric_arg(old), _rubric_arg(new)
    if as_json:
        changes = [c.as_dict() for c in diff(before, after)]
        click.echo(
            json.dumps({"from": _ref(before), "to": _ref(after), "changes": changes}, ensure_ascii=False, indent=2)
        )
    else:
        click.echo(diff_text(before, after), nl=False)


def _rubric_arg(text: str) -> Rubric:
    return _rubric(None, text) if not text.isdigit() or Path(text).is_dir() else _rubric(int(text), None)


def _ref(rubric: Rubric) -> dict[str, object]:
    return {"id": rubric.id, "version": rubric.manifest.version, "year": rubric.year, "sha256": rubric.sha256}


def entry() -> None:  # pragma: no cover - console script wrapper
    try:
        main()
    except KeyboardInterrupt:  # before a command started (click's own parsing)
        click.echo("interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except AppraisalError as exc:
        _error(exc)
        sys.exit(EXIT_USAGE)
    except OSError as exc:  # e.g. the output folder cannot be written
        _error(f"{exc.strerror or exc}: {exc.filename or ''}")
        sys.exit(EXIT_USAGE)

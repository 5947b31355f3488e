"""Rendering: Scorecards in, PDF bytes out (commendation decision, rectification notice, summary).

``report_html``/``summary_html`` fill the jinja2 templates (autoescape on for every template) from the view
objects of ``views``; ``html_to_pdf`` lays the HTML out with weasyprint as PDF/A-3b with the scorecard JSON
attached. One FontConfiguration, the parsed CSS, the URL fetcher and one jinja2 environment per language are
made once per process and reused (a FontConfiguration per document costs time and leaks memory).
Errors of jinja2, pygal and weasyprint are raised as ``ReportError``.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError, TemplateSyntaxError
from markupsafe import Markup
from weasyprint import CSS, HTML, Attachment, Document
from weasyprint.text.fonts import FontConfiguration

from ..errors import ReportError
from ..resources import bundled
from ..rubric import load_rubric
from ..rubric.models import Rubric
from ..scoring.scorecard import Scorecard
from .fetcher import ReportURLFetcher
from .i18n import HTML_LANG, clean, format_day, translations
from .options import KINDS, LANGS, Kind, ReportOptions
from .views import (
    RubricIndex,
    achievements,
    attachment_date,
    dates,
    scorecard_view,
    shortfalls,
    summary_view,
    vetoes,
)

PDF_VARIANT = "pdf/a-3b"


@dataclass(frozen=True)
class _Weasy:
    """What weasyprint reuses across documents: fonts, the parsed stylesheet, the fetcher."""

    fetcher: ReportURLFetcher
    fonts: FontConfiguration
    css: CSS
    base_url: str


@functools.cache
def _weasy() -> _Weasy:
    root = bundled("report_templates")
    fetcher = ReportURLFetcher(root)
    fonts = FontConfiguration()
    try:
        css = CSS(filename=str(root / "reports.css"), url_fetcher=fetcher, font_config=fonts)
    except Exception as exc:  # weasyprint raises many kinds; none may escape untranslated
        raise ReportError(f"{root / 'reports.css'}: cannot parse the report stylesheet: {exc}") from exc
    return _Weasy(fetcher, fonts, css, root.as_uri() + "/")


def _finalize(value: Any) -> Any:
    """Every ``{{ ... }}`` output passes here: bidi controls are removed, escaping stays as it was."""
    if isinstance(value, Markup):
        return Markup(clean(str(value)))
    if isinstance(value, str):
        return clean(value)
    return value


@functools.cache
def environment(lang: str) -> Environment:
    """The jinja2 environment of ``lang``: autoescape on for every template, the catalogue installed."""
    env = Environment(
        loader=FileSystemLoader(bundled("report_templates")),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    return env


def _render_template(name: str, lang: str, **context: Any) -> str:
    try:
        return environment(lang).get_template(name).render(**context)
    except TemplateSyntaxError as exc:
        raise ReportError(f"{exc.filename or name}:{exc.lineno}: {exc.message}") from exc
    except TemplateError as exc:
        raise ReportError(f"{name}: {exc}") from exc


@functools.cache
def _bundled_rubric(year: int) -> Rubric:
    return load_rubric(year)


def _index(rubric: Rubric | None, year: int) -> RubricIndex:
    return RubricIndex(rubric if rubric is not None else _bundled_rubric(year))


def _check_lang(lang: str | None, options: ReportOptions) -> str:
    chosen = lang or options.lang
    if chosen not in LANGS:
        raise ReportError(f"unknown report language {chosen!r}; one of {', '.join(LANGS)}")
    return chosen


def _check_previous(card: Scorecard, previous: Scorecard | None) -> None:
    if previous is None:
        return
    if previous.unit_id != card.unit_id:
        raise ReportError(f"{card.unit_id}: the previous scorecard is of another unit ({previous.unit_id})")
    if previous.year >= card.year:
        raise ReportError(f"{card.unit_id}: the previous scorecard is of {previous.year}, not before {card.year}")


def resolve_kind(card: Scorecard, kind: str) -> str:
    """``auto``: the commendation for a commended unit, the rectification notice for every other."""
    if kind not in KINDS:
        raise ReportError(f"unknown report kind {kind!r}; one of {', '.join(KINDS)}")
    if kind == "auto":
        return "commendation" if card.commended else "improvement"
    if kind == "commendation" and not card.commended:
        raise ReportError(f"{card.unit_id} is not commended: it gets the improvement notice, not a commendation")
    return kind


def report_html(
    scorecard: Scorecard,
    kind: str = "auto",
    lang: str | None = None,
    *,
    options: ReportOptions | None = None,
    previous: Scorecard | None = None,
    rubric: Rubric | None = None,
) -> str:
    """The final HTML of one unit's report (what ``render_report`` lays out)."""
    options = options or ReportOptions()
    lang = _check_lang(lang, options)
    kind = resolve_kind(scorecard, kind)
    _check_previous(scorecard, previous)
    index = _index(rubric, scorecard.year)
    index.check(scorecard)
    gettext = translations(lang).gettext
    issuer = options.body(lang) or gettext("Appraisal committee")
    if kind == "commendation":
        title = gettext("Commendation decision")
    else:
        title = gettext("Rectification notice")
    context = {
        "html_lang": HTML_LANG[lang],
        "title": f"{title} — {scorecard.name} — {scorecard.year}",
        "author": issuer,
        "created": scorecard.appraisal_date.isoformat(),
        "issuer": issuer,
        "quote_translated": lang != "en",
        "card": scorecard_view(scorecard, index, lang, previous),
        "dates": dates(scorecard, options, lang),
        "responsible": scorecard.responsible_person,
        "achievements": achievements(scorecard, index, lang) if kind == "commendation" else [],
        "vetoes": vetoes(scorecard, index, lang),
        "shortfalls": shortfalls(scorecard, index, lang) if kind == "improvement" else [],
    }
    return _render_template(f"{kind}.html.j2", lang, **context)


def summary_html(
    scorecards: Sequence[Scorecard],
    lang: str | None = None,
    *,
    options: ReportOptions | None = None,
    rubric: Rubric | None = None,
) -> str:
    """The final HTML of the summary of a run (what ``render_summary`` lays out)."""
    options = options or ReportOptions()
    lang = _check_lang(lang, options)
    if not scorecards:
        raise ReportError("a summary needs at least one scorecard")
    view = summary_view(scorecards, _index(rubric, scorecards[0].year), lang)
    gettext = translations(lang).gettext
    issuer = options.body(lang) or gettext("Appraisal committee")
    latest = max(card.appraisal_date for card in scorecards)
    title = gettext("Summary of the %(year)s annual appraisal") % {"year": view.year}
    context = {
        "html_lang": HTML_LANG[lang],
        "title": title,
        "author": issuer,
        "created": latest.isoformat(),
        "issuer": issuer,
        "issue_date": format_day(options.issue_date or latest, lang),
        "summary": view,
    }
    return _render_template("summary.html.j2", lang, **context)


def _attachment(name: str, description: str, data: bytes, day: dt.date) -> Attachment:
    when = attachment_date(day)
    return Attachment(string=data, name=name, description=description, created=when, modified=when, relationship="Data")


def html_to_document(html: str) -> Document:
    """Lay ``html`` out with the shared fonts, stylesheet and fetcher (no presentational hints)."""
    weasy = _weasy()
    try:
        return HTML(string=html, base_url=weasy.base_url, url_fetcher=weasy.fetcher).render(
            font_config=weasy.fonts, stylesheets=[weasy.css], presentational_hints=False, pdf_variant=PDF_VARIANT
        )
    except Exception as exc:  # weasyprint raises many kinds; none may escape untranslated
        raise ReportError(f"weasyprint could not lay the report out: {exc}") from exc


def html_to_pdf(html: str, attachments: Sequence[Attachment] = ()) -> bytes:
    """``html`` as PDF/A-3b bytes, with ``attachments`` embedded."""
    document = html_to_document(html)
    try:
        pdf: bytes = document.write_pdf(
            pdf_variant=PDF_VARIANT, attachments=list(attachments), presentational_hints=False
        )
    except Exception as exc:  # weasyprint raises many kinds; none may escape untranslated
        raise ReportError(f"weasyprint could not write the PDF: {exc}") from exc
    return pdf


def render_report(
    scorecard: Scorecard,
    kind: Kind = "auto",
    lang: str | None = None,
    *,
    options: ReportOptions | None = None,
    previous: Scorecard | None = None,
    rubric: Rubric | None = None,
) -> bytes:
    """One unit's report as PDF bytes: the commendation decision if it is commended, else the rectification
    notice (``kind`` forces one; a commendation for a unit that is not commended is refused). ``lang`` is
    ``en`` or ``zh`` (default: ``options.lang``); ``previous`` is the unit's scorecard of an earlier year;
    ``rubric`` the rubric it was scored with (default: the bundled rubric of its year)."""
    html = report_html(scorecard, kind, lang, options=options, previous=previous, rubric=rubric)
    attachment = _attachment(
        "scorecard.json", f"Scorecard of {scorecard.unit_id}", scorecard.to_json().encode(), scorecard.appraisal_date
    )
    return html_to_pdf(html, [attachment])


def scorecards_json(scorecards: Sequence[Scorecard]) -> bytes:
    """The scorecards as one JSON array, as attached to the summary."""
    return ("[\n" + ",\n".join(card.to_json().rstrip("\n") for card in scorecards) + "\n]\n").encode()


def render_summary(
    scorecards: Sequence[Scorecard],
    lang: str | None = None,
    *,
    options: ReportOptions | None = None,
    rubric: Rubric | None = None,
) -> bytes:
    """The summary of a run for the appraising level as PDF bytes, with every scorecard attached as JSON."""
    html = summary_html(scorecards, lang, options=options, rubric=rubric)
    latest = max(card.appraisal_date for card in scorecards)
    attachment = _attachment("scorecards.json", "Scorecards of the run", scorecards_json(scorecards), latest)
    return html_to_pdf(html, [attachment])

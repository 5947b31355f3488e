"""Rendering: Scorecards in, PDF bytes out (commendation decision, rectification notice, summary).

``report_html``/``summary_html`` fill the jinja2 templates (autoescape on for every template) from the view
objects of ``views``; ``html_to_pdf`` lays the HTML out with weasyprint as PDF/A-3b with the scorecard JSON
attached. One FontConfiguration, the parsed CSS, the URL fetcher and one jinja2 environment per language are
made once per process and reused (a FontConfiguration per document costs time and leaks memory).
Errors of jinja2 and weasyprint are raised as ``ReportError``.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError, TemplateSyntaxError
from markupsafe import Markup
from weasyprint import CSS, HTML, Attachment, Document
from weasyprint.text.fonts import FontConfiguration

from ..errors import ReportError
from ..resources import bundled
from ..rubric.models import Rubric
from ..scoring.appraise import bundled_rubric
from ..scoring.rank import Standing, standing
from ..scoring.scorecard import Scorecard
from .editable import html_to_docx
from .fetcher import ReportURLFetcher
from .i18n import HTML_LANG, N_, clean, format_day, translations
from .options import KINDS, LANGS, Kind, ReportOptions
from .table import summary_csv
from .views import (
    RubricIndex,
    achievements,
    attachment_date,
    basis,
    dates,
    decision_view,
    scorecard_view,
    shortfalls,
    summary_view,
    vetoes,
)

PDF_VARIANT = "pdf/a-3b"
# Between two sentences made of separate messages: a space in English, nothing beside Chinese punctuation.
SENTENCE_SEPARATOR = {"en": " ", "zh": ""}


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


def keep_words(text: str) -> Markup:
    """A title that breaks only between words: the catalogue marks a Chinese title's words with ``|``; each
    word becomes a span that does not break (``.w`` in reports.css). Text without marks is left as it is."""
    escaped = text if isinstance(text, Markup) else Markup.escape(text)
    if "|" not in escaped:
        return Markup(escaped)
    return Markup("").join(Markup('<span class="w">') + Markup(word) + Markup("</span>") for word in escaped.split("|"))


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
    env.filters["words"] = keep_words
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    return env


def _render_template(name: str, lang: str, **context: Any) -> str:
    try:
        return environment(lang).get_template(name).render(**context)
    except TemplateSyntaxError as exc:
        raise ReportError(f"{exc.filename or name}:{exc.lineno}: {exc.message}") from exc
    except TemplateError as exc:
        raise ReportError(f"{name}: {exc}") from exc


def _index(rubric: Rubric | None, year: int) -> RubricIndex:
    return RubricIndex(rubric if rubric is not None else bundled_rubric(year))


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


def resolve_kind(card: Scorecard, kind: str, options: ReportOptions | None = None) -> str:
    """``auto``: the certificate for a commended unit (the feedback letter when ``options.certificates`` is
    off), the feedback letter for an excellent unit outside the quota, the rectification notice for every
    other. A certificate for a unit that is not commended, or feedback for a vetoed unit, is refused."""
    if kind not in KINDS:
        raise ReportError(f"unknown report kind {kind!r}; one of {', '.join(KINDS)}")
    certificates = options.certificates if options is not None else True
    if kind == "auto":
        if card.commended:
            return "commendation" if certificates else "feedback"
        return "feedback" if card.grade == "excellent" and not card.vetoed else "improvement"
    if kind == "commendation" and not card.commended:
        raise ReportError(f"{card.unit_id} is not commended: it gets no certificate of commendation")
    if kind == "feedback" and card.vetoed:
        raise ReportError(f"{card.unit_id} is under a one-vote veto: it gets the rectification notice")
    return kind


TITLES = {
    "commendation": N_("Certificate of commendation"),
    "feedback": N_("Feedback on the appraisal"),
    "improvement": N_("Rectification notice"),
}


def _official(lang: str, options: ReportOptions) -> dict[str, Any]:
    """What the Chinese official layout (GB/T 9704) adds: the document number and the seal."""
    return {
        "official": lang == "zh",
        "document_number": options.document_number,
        "seal": options.seal_url() if lang == "zh" else None,
    }


def _quota(card: Scorecard, rubric: Rubric) -> int | None:
    """How many units of the card's type the rubric commends at most in this run."""
    if card.peers is None:
        return None
    rule = rubric.manifest.commendation
    return max(math.floor(rule.quota * Decimal(card.peers.count)), rule.minimum)


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
    kind = resolve_kind(scorecard, kind, options)
    _check_previous(scorecard, previous)
    index = _index(rubric, scorecard.year)
    index.check(scorecard)
    gettext = translations(lang).gettext
    issuer = options.body(lang) or gettext("Appraisal committee")
    context = {
        "html_lang": HTML_LANG[lang],
        "sep": SENTENCE_SEPARATOR[lang],
        "title": f"{gettext(TITLES[kind])} — {scorecard.name} — {scorecard.year}",
        "author": issuer,
        "created": scorecard.appraisal_date.isoformat(),
        "issuer": issuer,
        "card": scorecard_view(scorecard, lang, previous, index),
        "dates": dates(scorecard, options, lang),
        "responsible": scorecard.responsible_person,
        "achievements": achievements(scorecard, index, lang) if kind == "commendation" else [],
        "vetoes": vetoes(scorecard, index, lang) if kind == "improvement" else [],
        "shortfalls": shortfalls(scorecard, index, lang) if kind != "commendation" else [],
        "quota": _quota(scorecard, index.rubric),
        "rubric_title": index.rubric.manifest.title.get(lang),
        **_official(lang, options),
    }
    if kind == "commendation":
        context["official"] = False  # a certificate, not an official document
    return _render_template(f"{kind}.html.j2", lang, **context)


def _every(card: Scorecard) -> bool:
    return True


def _commended(card: Scorecard) -> bool:
    return bool(card.commended)


class _Read:
    """The cards of a summary or decision, read once (a list or a generator will do) through ``first``, then
    ``iter``: the latest appraisal date is noted as they pass and, when ``keep`` is given, the standings of the
    cards it takes (the attached rows) and their own latest date."""

    def __init__(
        self, cards: Iterable[Scorecard], what: str, keep: Callable[[Scorecard], bool] | None, rubric: Rubric | None
    ) -> None:
        self._cards = iter(cards)
        self._rubric = rubric
        first = next(self._cards, None)
        if first is None:
            raise ReportError(f"{what} needs at least one scorecard")
        self.first = first
        self.latest = first.appraisal_date
        self.kept: list[Standing] = []
        self.kept_latest: dt.date | None = None
        self._keep = keep

    def __iter__(self) -> Iterator[Scorecard]:
        for card in itertools.chain([self.first], self._cards):
            self.latest = max(self.latest, card.appraisal_date)
            if self._keep is not None and self._keep(card):
                self.kept.append(standing(card))
                self.kept_latest = max(self.kept_latest or card.appraisal_date, card.appraisal_date)
            yield card

    def table(self, name: str, description: str, lang: str | None, options: ReportOptions | None) -> Attachment:
        """The kept cards' rows of summary.csv (in the document's language) as an attachment."""
        assert self.kept_latest is not None, "a summary or decision attaches the rows of at least one card"
        data = summary_csv(self.kept, self._rubric, _check_lang(lang, options or ReportOptions()))
        return _attachment(name, description, data, self.kept_latest)


def _start(
    scorecards: Iterable[Scorecard],
    lang: str | None,
    options: ReportOptions | None,
    rubric: Rubric | None,
    what: str,
    keep: Callable[[Scorecard], bool] | None,
) -> tuple[_Read, RubricIndex, str, ReportOptions]:
    """What a run's document starts from: its cards to read (once), the rubric's index, the language, options."""
    options = options or ReportOptions()
    lang = _check_lang(lang, options)
    cards = _Read(scorecards, what, keep, rubric)
    return cards, _index(rubric, cards.first.year), lang, options


def _run_html(template: str, cards: _Read, lang: str, options: ReportOptions, title: str, **context: Any) -> str:
    """A run's document (the summary, the decision) once its cards are read: the template with its view."""
    issuer = options.body(lang) or translations(lang).gettext("Appraisal committee")
    return _render_template(
        template,
        lang,
        html_lang=HTML_LANG[lang],
        sep=SENTENCE_SEPARATOR[lang],
        title=title,
        author=issuer,
        created=cards.latest.isoformat(),
        issuer=issuer,
        issue_date=format_day(options.issue_date or cards.latest, lang),
        **context,
    )


def _decision(
    scorecards: Iterable[Scorecard],
    lang: str | None,
    options: ReportOptions | None,
    rubric: Rubric | None,
    rows: bool = False,
) -> tuple[str, _Read]:
    what = "a commendation decision"
    cards, index, lang, options = _start(scorecards, lang, options, rubric, what, _commended if rows else None)
    view = decision_view(cards, index, lang)
    title = f"{translations(lang).gettext('Commendation decision')} — {view.year}"
    html = _run_html(
        "decision.html.j2",
        cards,
        lang,
        options,
        title,
        decision=view,
        basis=basis(index.rubric, lang),
        rubric_title=index.rubric.manifest.title.get(lang),
        **_official(lang, options),
    )
    return html, cards


def decision_html(
    scorecards: Iterable[Scorecard],
    lang: str | None = None,
    *,
    options: ReportOptions | None = None,
    rubric: Rubric | None = None,
) -> str:
    """The final HTML of the run's commendation decision (what ``render_decision`` lays out); ``scorecards`` are
    read once."""
    return _decision(scorecards, lang, options, rubric)[0]


def _summary(
    scorecards: Iterable[Scorecard],
    lang: str | None,
    options: ReportOptions | None,
    rubric: Rubric | None,
    rows: bool = False,
) -> tuple[str, _Read]:
    cards, index, lang, options = _start(scorecards, lang, options, rubric, "a summary", _every if rows else None)
    view = summary_view(cards, index, lang)
    title = translations(lang).gettext("Summary of the %(year)s annual appraisal") % {"year": view.year}
    html = _run_html(
        "summary.html.j2", cards, lang, options, title.replace("|", ""), summary=view, official=False, seal=None
    )
    return html, cards


def summary_html(
    scorecards: Iterable[Scorecard],
    lang: str | None = None,
    *,
    options: ReportOptions | None = None,
    rubric: Rubric | None = None,
) -> str:
    """The final HTML of the summary of a run (what ``render_summary`` lays out); ``scorecards`` are read once."""
    return _summary(scorecards, lang, options, rubric)[0]


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
        "scorecard.json", f"Scorecard of {scorecard.unit_id}", scorecard.to_bytes(), scorecard.appraisal_date
    )
    return html_to_pdf(html, [attachment])


def render_summary(
    scorecards: Iterable[Scorecard],
    lang: str | None = None,
    *,
    options: ReportOptions | None = None,
    rubric: Rubric | None = None,
) -> bytes:
    """The summary of a run for the appraising level as PDF bytes, with its rows of ``summary.csv`` attached
    (every unit's total, grade, veto, commendation and rank: a few dozen bytes a unit, where the scorecards
    themselves, about 45 kB each, would make the summary of 100,000 units 4.5 GB). ``scorecards`` are read once,
    one at a time (a generator will do): a summary of 100,000 units never holds 100,000 scorecards."""
    html, cards = _summary(scorecards, lang, options, rubric, rows=True)
    return html_to_pdf(html, [cards.table("summary.csv", "Every unit of the run", lang, options)])


def render_decision(
    scorecards: Iterable[Scorecard],
    lang: str | None = None,
    *,
    options: ReportOptions | None = None,
    rubric: Rubric | None = None,
) -> bytes:
    """The run's one commendation decision as PDF bytes: every commended unit by org type (their rows of
    summary.csv attached). A run with no commended unit has none: ``ReportError``. ``scorecards`` are read
    once."""
    html, cards = _decision(scorecards, lang, options, rubric, rows=True)
    return html_to_pdf(html, [cards.table("commended.csv", "The commended units", lang, options)])


def render_report_docx(
    scorecard: Scorecard,
    kind: Kind = "auto",
    lang: str | None = None,
    *,
    options: ReportOptions | None = None,
    previous: Scorecard | None = None,
    rubric: Rubric | None = None,
) -> bytes:
    """``render_report``'s report as an editable DOCX: the same text and structure."""
    return html_to_docx(report_html(scorecard, kind, lang, options=options, previous=previous, rubric=rubric))


def render_summary_docx(
    scorecards: Iterable[Scorecard],
    lang: str | None = None,
    *,
    options: ReportOptions | None = None,
    rubric: Rubric | None = None,
) -> bytes:
    """``render_summary``'s summary as an editable DOCX."""
    return html_to_docx(summary_html(scorecards, lang, options=options, rubric=rubric))


def render_decision_docx(
    scorecards: Iterable[Scorecard],
    lang: str | None = None,
    *,
    options: ReportOptions | None = None,
    rubric: Rubric | None = None,
) -> bytes:
    """``render_decision``'s decision as an editable DOCX."""
    return html_to_docx(decision_html(scorecards, lang, options=options, rubric=rubric))

"""Catalogues and formatting: a language in, its gettext translations, labels and date/number formats out.

Every user-facing word of the reports comes from ``report_templates/locale/<lang>/LC_MESSAGES/reports.po``
(gettext catalogues, read with Babel once per process). The labels of rubric groups and grades live here as
message ids (org types are named by the year's manifest); the templates hold the rest. The text that users
submit is cleaned of bidi control characters before it is shown, so it cannot reorder the text around it.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
from typing import Final

import yaml
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from ..errors import ReportError
from ..resources import bundled
from .options import LANGS

LOCALES: Final[dict[str, str]] = {"en": "en_GB", "zh": "zh_Hans_CN"}
HTML_LANG: Final[dict[str, str]] = {"en": "en", "zh": "zh-CN"}


def N_(message: str) -> str:
    """Marks a message id for extraction; translated where it is shown."""
    return message


# Short names of the groups, as the chart's row labels and the summary show them (one line each beside the
# chart).
GROUP_LABELS: Final[dict[str, str]] = {
    "leadership": N_("Leadership"),
    "appraisal": N_("Appraisal"),
    "safeguard": N_("Safeguards"),
    "double_learning": N_("Double learning"),
    "meritorious_service": N_("Meritorious service"),
    "five_good_families": N_("Five good families"),
    "treatment": N_("Treatment"),
    "organization": N_("Organization"),
    "bonus": N_("Bonus"),
}
GRADE_LABELS: Final[dict[str, str]] = {
    "excellent": N_("Excellent"),
    "good": N_("Good"),
    "qualified": N_("Qualified"),
    "unqualified": N_("Unqualified"),
}
STATUS_LABELS: Final[dict[str, str]] = {
    "awarded": N_("full points"),
    "partial": N_("part"),
    "missed": N_("none"),
    "not_evaluated": N_("not reported"),
    "not_applicable": N_("not applicable"),
}


# summary.csv: its columns (codes in English, the catalogue's words in Chinese) and its yes/no
CSV_COLUMNS: Final[dict[str, str]] = {
    "unit_id": N_("Unit code"),
    "name": N_("Unit name"),
    "org_type": N_("Unit type"),
    "year": N_("Year"),  # a run may hold several years: each one's ranks start at 1
    "total": N_("Total"),
    "grade": N_("Grade"),
    "vetoed": N_("One-vote veto"),
    "commended": N_("Commended"),
    "rank": N_("Rank"),
}


def csv_header(lang: str) -> list[str]:
    """summary.csv's header: the column codes in English, their names in another language."""
    if lang == "en":
        return list(CSV_COLUMNS)
    gettext = translations(lang).gettext
    return [gettext(message) for message in CSV_COLUMNS.values()]


def csv_values(org_type: str, org_name: str, grade: str, vetoed: bool, commended: bool, lang: str) -> list[str]:
    """summary.csv's coded cells: the codes and true/false in English; otherwise the org type's name (as the
    year's manifest gives it, ``org_name``) and the catalogue's words."""
    if lang == "en":
        return [org_type, grade, str(vetoed).lower(), str(commended).lower()]
    gettext = translations(lang).gettext
    yes, no = gettext("Yes"), gettext("No")
    return [
        org_name,
        label(GRADE_LABELS, grade, lang),
        yes if vetoed else no,
        yes if commended else no,
    ]


@functools.cache
def _citations(lang: str) -> dict[str, str]:
    """The rubric's citations (English, as the source text is) in ``lang``: ``locale/<lang>/citations.yaml``."""
    path = bundled("report_templates") / "locale" / lang / "citations.yaml"
    if lang == "en" or not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ReportError(f"{path}: cannot read the {lang} citations: {exc}") from exc
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise ReportError(f"{path}: the citations are a mapping of English citation to its translation")
    return data


_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def citation(text: str, lang: str) -> str | None:
    """A rubric citation in ``lang``; ``None`` when it has no translation there (a Chinese document never
    shows an English citation). A citation written in Chinese (a county's rubric citing its own published text)
    is its own Chinese."""
    if lang == "en" or (lang == "zh" and _HAN.search(text)):
        return text
    return _citations(lang).get(text)


# Bidi embeddings, overrides, isolates and marks: a submitted name holding them could flip the order of the
# text after it ("Trojan Source"). They carry no meaning in these reports, so they are removed.
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    """``text`` without bidi control characters."""
    return _BIDI_CONTROLS.sub("", text)


@functools.cache
def translations(lang: str) -> Translations:
    """The gettext translations of ``lang``, compiled from its ``.po`` catalogue once per process."""
    if lang not in LANGS:
        raise ReportError(f"unknown report language {lang!r}; one of {', '.join(LANGS)}")
    path = bundled("report_templates") / "locale" / lang / "LC_MESSAGES" / "reports.po"
    try:
        with path.open("rb") as po:
            catalog = read_po(po, locale=LOCALES[lang], domain="reports")
    except (OSError, ValueError) as exc:
        raise ReportError(f"{path}: cannot read the {lang} catalogue: {exc}") from exc
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain="reports")


def label(table: dict[str, str], key: str, lang: str) -> str:
    """The translated label of ``key`` in one of the label tables; an unknown key is shown as it is."""
    message = table.get(key)
    return translations(lang).gettext(message) if message else key


def format_day(day: dt.date, lang: str) -> str:
    """A date as written in letters of ``lang``: 31 December 2026, 2026年12月31日."""
    return format_date(day, "long", locale=LOCALES[lang])


def format_points(value: float | None) -> str:
    """Points with at most two decimals and no trailing zeros: 12.5, 12, 0.25; an em dash for none."""
    if value is None:
        return "—"
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def format_change(value: float) -> str:
    """A change in points with its sign: +2.5, −1, ±0."""
    if round(value, 2) == 0:
        return "±0"
    return ("+" if value > 0 else "−") + format_points(abs(value))

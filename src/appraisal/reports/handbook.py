"""The rules handbook: a year's rubric in, the document units receive at the start of the year out.

In: a loaded ``Rubric`` (its manifest, items, vetoes and the year's indicators) and a language. Out: the view
the ``handbook.html.j2`` template lays out, then PDF bytes (or DOCX): how grades and commendation are decided,
the points of every group and item per org type, how each item earns its points in words (the words of the
scorecard's reasons, ``engine.explain.rule_words``, translated by the report catalogue), the requirement quoted
with its citation, the vetoes, and the fields each org type reports with their units and bounds. Nothing in it
depends on a unit: the same rubric gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..engine.explain import condition_words, field_words, points_words, rule_words
from ..errors import ReportError
from ..rubric import BONUS_GROUP
from ..rubric.checks import applicability_cases
from ..rubric.models import Item, Rubric
from ..submission.indicators import DerivedDef, FieldDef, Indicators
from .editable import html_to_docx
from .i18n import HTML_LANG, N_, citation, format_day, format_points, translations
from .render import SENTENCE_SEPARATOR, _render_template, html_to_pdf
from .views import basis, group_name

KIND_LABELS: dict[str, str] = {
    "count": N_("whole number"),
    "flag": N_("yes or no"),
    "share": N_("percent"),
    "money": N_("yuan"),
    "number": N_("number"),
    "date": N_("date"),
    "text": N_("text"),
    "choice": N_("one of the choices"),
}


@dataclass(frozen=True)
class ItemView:
    id: str
    title: str
    points: list[tuple[str, str]]  # (points, the types that get them; "" for every type), most points first
    not_for: str  # the types the item does not apply to
    earn: list[str]  # sentences: how the points are earned
    requirement: str
    citation: str | None
    evidence: str | None
    note: str | None


@dataclass(frozen=True)
class GroupView:
    id: str
    title: str
    points: list[str]  # the group's points per org type
    items: list[ItemView]


@dataclass(frozen=True)
class VetoView:
    id: str
    title: str
    when: str
    reason: str
    applies: str
    requirement: str
    citation: str | None


@dataclass(frozen=True)
class FieldRow:
    path: str
    label: str
    kind: str
    bounds: str
    reported_by: str


@dataclass(frozen=True)
class SectionView:
    title: str
    rows: list[FieldRow]


@dataclass(frozen=True)
class HandbookView:
    year: int
    title: str
    rubric: str
    org_types: list[str]
    base: str
    bonus_cap: str
    groups: list[GroupView]
    totals: list[str]  # per org type: the base the groups sum to
    bonus: GroupView | None
    vetoes: list[VetoView]
    sections: list[SectionView]
    derived: list[FieldRow]
    translated: bool


def _capital(text: str, lang: str) -> str:
    return text[:1].upper() + text[1:] if lang == "en" else text


class _Words:
    """The words of one handbook: field names and the catalogue of ``lang``."""

    def __init__(self, rubric: Rubric, lang: str) -> None:
        self.rubric = rubric
        self.indicators: Indicators = rubric.indicators
        self.lang = lang
        self.gettext = translations(lang).gettext

    def field(self, path: str) -> str:
        """A value's name as conditions show it: the reasons' words in English, the field's label in Chinese."""
        if self.lang == "en":
            return field_words(path)
        found = self.indicators.field(path)
        if found is not None:
            return found.zh
        derived = self.indicators.derived_value(path)
        if derived is not None:
            return self.derived_name(derived)
        return path

    def derived_name(self, derived: DerivedDef) -> str:
        if self.lang == "en":
            return field_words(derived.id)
        if derived.zh:
            return derived.zh
        parts = [self.field(path) for path in derived.inputs]
        if derived.share is not None:
            return self.gettext("%(part)s as a share of %(whole)s (%%)") % {"part": parts[0], "whole": parts[1]}
        if derived.sum is not None:
            return self.gettext(" + ").join(parts)
        return self.gettext(" − ").join(parts)

    def formula(self, derived: DerivedDef) -> str:
        """How a derived value is worked out, in the names of its inputs."""
        names = [self.field(path) for path in derived.inputs]
        if derived.share is not None:
            return self.gettext("100 × %(part)s / %(whole)s") % {"part": names[0], "whole": names[1]}
        if derived.sum is not None:
            return self.gettext(" + ").join(names)
        return self.gettext(" − ").join(names)

    def need(self, name: str) -> str:
        path = self.indicators.requirements.get(name, "")
        found = self.indicators.field(path)
        if self.lang == "en" or found is None:
            return name.replace("_", " ")
        return found.zh

    def types(self, org_types: tuple[str, ...] | list[str] | None) -> str:
        if org_types is None or set(org_types) >= set(self.indicators.org_type_ids):
            return self.gettext("all types")
        names = [self.indicators.org_type(t).name(self.lang) for t in self.indicators.org_type_ids if t in org_types]
        return self.gettext(", ").join(names)


def _item(item: Item, words: _Words) -> ItemView:
    lang = words.lang
    by_points: dict[Decimal, list[str]] = {}
    absent = []
    for org_type in words.indicators.org_type_ids:
        maximum = item.max_for(org_type)
        if maximum is None:
            absent.append(org_type)
        else:
            by_points.setdefault(maximum, []).append(org_type)
    every = len(by_points) == 1 and not absent
    points = [
        (points_words(amount, words.gettext), "" if every else words.types(types))
        for amount, types in sorted(by_points.items(), key=lambda pair: -pair[0])
    ]
    earn = rule_words(item, words.field, words.gettext, words.need)
    return ItemView(
        id=item.id,
        title=item.title.get(lang),
        points=points,
        not_for=words.types(absent) if absent else "",
        earn=[_capital(sentence, lang) for sentence in earn],
        requirement=item.requirement.get(lang),
        citation=citation(item.citation, lang),
        evidence=item.evidence.get(lang) if item.evidence is not None else None,
        note=item.threshold_note if lang == "en" else None,  # the rubric writes these notes in English only
    )


def _case_sums(items: list[Item], org_type: str, words: _Words) -> str:
    """The maxima of ``items`` for ``org_type`` added up, in each case of their ``applies_when`` conditions
    (an enterprise with or without a party organization): ``15``, or ``12 / 15`` where the cases differ."""
    mine = [item for item in items if item.max_for(org_type) is not None]
    if not mine:
        return "—"
    conditions = list(dict.fromkeys(item.applies_when for item in mine if item.applies_when is not None))
    cases = applicability_cases(conditions, words.indicators.attributes(org_type), 256) or [()]
    sums = set()
    for case in cases:
        holds = dict(zip(conditions, case, strict=True))
        chosen = [item for item in mine if item.applies_when is None or holds[item.applies_when]]
        sums.add(sum((item.max_for(org_type) or Decimal(0) for item in chosen), Decimal(0)))
    return " / ".join(format_points(float(total)) for total in sorted(sums))


def _group(group: str, items: list[Item], words: _Words) -> GroupView:
    return GroupView(
        id=group,
        title=group_name(words.rubric, group, words.lang),
        points=[_case_sums(items, org_type, words) for org_type in words.indicators.org_type_ids],
        items=[_item(item, words) for item in items],
    )


def _bounds(field: FieldDef) -> str:
    low = field.min if field.min is not None else Decimal(0) if field.kind in ("count", "share", "money") else None
    high = field.max if field.max is not None else Decimal(100) if field.kind == "share" else None
    shown = [format_points(float(b)) if b is not None else None for b in (low, high)]
    if shown[0] is not None and shown[1] is not None:
        return f"{shown[0]}–{shown[1]}"
    if shown[0] is not None:
        return f"≥ {shown[0]}"
    if shown[1] is not None:
        return f"≤ {shown[1]}"
    return "—"


def _field_row(path: str, field: FieldDef, words: _Words) -> FieldRow:
    kind = words.gettext(KIND_LABELS.get(field.kind, field.kind))
    if field.unit is not None and field.kind not in ("money", "share"):
        kind = f"{kind} ({field.unit.get(words.lang)})" if words.lang == "en" else f"{kind}（{field.unit.zh}）"
    if field.choices:
        kind = f"{kind}: " + words.gettext(", ").join(c.zh if words.lang == "zh" else c.en for c in field.choices)
    bounds = _bounds(field) if field.kind in ("count", "share", "number", "money") else "—"
    return FieldRow(path, field.zh if words.lang == "zh" else field.en, kind, bounds, words.types(field.org_types))


def handbook_view(rubric: Rubric, lang: str) -> HandbookView:
    """What the handbook of ``rubric`` shows in ``lang``."""
    words = _Words(rubric, lang)
    indicators = rubric.indicators
    groups = []
    for group in rubric.manifest.group_ids:
        items = [item for item in rubric.items if item.group == group and item.deduction is None]
        if items:
            groups.append(_group(group, items, words))
    bonus_items = [item for item in rubric.items if item.group == BONUS_GROUP]
    scored = [item for item in rubric.items if item.group != BONUS_GROUP and item.deduction is None]
    totals = [_case_sums(scored, org_type, words) for org_type in indicators.org_type_ids]
    vetoes = [
        VetoView(
            id=veto.id,
            title=veto.title.get(lang),
            when=_capital(condition_words(veto.when, words.field, words.gettext), lang),
            reason=veto.reason.get(lang),
            applies=words.types(veto.applies_to),
            requirement=veto.requirement.get(lang),
            citation=citation(veto.citation, lang),
        )
        for veto in rubric.vetoes
    ]
    sections = [
        SectionView(section.title.get(lang), [_field_row(f"{section.id}.{f.id}", f, words) for f in section.fields])
        for section in indicators.sections
    ]
    derived = []
    for value in indicators.derived:
        reported = [t for t in indicators.org_type_ids if value.id in indicators.attributes(t)]
        derived.append(FieldRow(value.id, words.derived_name(value), words.formula(value), "—", words.types(reported)))
    manifest = rubric.manifest
    return HandbookView(
        year=rubric.year,
        title=manifest.title.get(lang),
        rubric=f"{rubric.id} {manifest.version}",
        org_types=[t.name(lang) for t in indicators.org_types],
        base=format_points(float(manifest.base)),
        bonus_cap=format_points(float(manifest.bonus_cap)),
        groups=groups,
        totals=totals,
        bonus=_group(BONUS_GROUP, bonus_items, words) if bonus_items else None,
        vetoes=vetoes,
        sections=sections,
        derived=derived,
        translated=lang != "en",
    )


def handbook_html(rubric: Rubric, lang: str = "en") -> str:
    """The final HTML of the handbook of ``rubric`` in ``lang`` (what ``render_handbook`` lays out)."""
    if lang not in HTML_LANG:
        raise ReportError(f"unknown report language {lang!r}; one of {', '.join(HTML_LANG)}")
    view = handbook_view(rubric, lang)
    gettext = translations(lang).gettext
    title = (gettext("Appraisal rules %(year)s") % {"year": view.year}).replace("|", "")
    start = dt.date(view.year, 1, 1)  # the document of the start of the year: the same date every time
    context: dict[str, Any] = {
        "html_lang": HTML_LANG[lang],
        "sep": SENTENCE_SEPARATOR[lang],
        "title": f"{title} — {view.title}",
        "author": gettext("Appraisal committee"),
        "created": start.isoformat(),
        "handbook": view,
        "basis": basis(rubric, lang),
        "issue_date": format_day(start, lang),
        "official": lang == "zh",
    }
    return _render_template("handbook.html.j2", lang, **context)


def render_handbook(rubric: Rubric, lang: str = "en") -> bytes:
    """The handbook of ``rubric`` (a year's rubric as units receive it) as PDF bytes, the same for the same
    rubric and language."""
    return html_to_pdf(handbook_html(rubric, lang))


def render_handbook_docx(rubric: Rubric, lang: str = "en") -> bytes:
    """``render_handbook``'s handbook as an editable DOCX."""
    return html_to_docx(handbook_html(rubric, lang))


__all__ = ["handbook_html", "handbook_view", "render_handbook", "render_handbook_docx"]

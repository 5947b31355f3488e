"""What each report shows: a Scorecard (and the rubric, options, last year's card) in, plain view objects out.

The templates only lay these out. All wording of items comes from the rubric in the report's language; all
other words from the catalogue (``i18n``); numbers are formatted here, so the templates hold no logic beyond
loops and conditions. A Chinese rendering of a quotation from the English source text is marked as a
translation.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import ReportError
from ..rubric.models import Item, Rubric, Text
from ..scoring.scorecard import ItemScore, Scorecard
from .charts import Bar, GroupChart, group_chart
from .i18n import (
    GRADE_LABELS,
    GROUP_LABELS,
    format_change,
    format_day,
    format_points,
    label,
    translations,
)
from .options import ReportOptions

ACHIEVEMENTS = 5  # strongest items named in a commendation
COMMON_SHORTFALLS = 10  # rows of the summary's most common shortfalls
# What fits on one line beside the chart (``.chart p`` in reports.css: a third of the page at 9 pt), counted
# in half-width characters (a Chinese character counts two).
CHART_LABEL_WIDTH = 30


@dataclass(frozen=True)
class ScorecardView:
    """The scorecard page: headline figures and the group chart."""

    unit_id: str
    name: str
    org_type: str
    year: int
    appraisal_date: str
    total: str
    base: str
    bonus: str
    grade: str
    grade_key: str
    vetoed: bool
    commended: bool
    rank: int | None
    peer_count: int | None
    peer_median_total: str | None
    self_score: str | None
    previous_total: str | None
    change: str | None
    chart: GroupChart
    rubric: str


@dataclass(frozen=True)
class Achievement:
    title: str
    points: str
    max: str


@dataclass(frozen=True)
class VetoView:
    reason: str
    requirement: str | None
    citation: str | None


@dataclass(frozen=True)
class ShortfallView:
    title: str
    not_reported: bool
    max: str
    lost: str
    requirement: str
    citation: str
    action: str
    evidence: str


@dataclass(frozen=True)
class Dates:
    issue: str
    deadline: str
    recheck: str


@dataclass(frozen=True)
class RankRow:
    rank: str
    name: str
    total: str
    grade: str
    commended: bool
    vetoed: bool


@dataclass(frozen=True)
class CommonShortfall:
    title: str
    units: int
    lost: str


@dataclass(frozen=True)
class SummaryView:
    year: int
    units: int
    rubric: str
    rankings: list[tuple[str, list[RankRow]]]
    grade_headers: list[str]
    distribution: list[tuple[str, list[int], int]]
    distribution_total: tuple[list[int], int]
    commended: list[RankRow]
    vetoed: list[tuple[RankRow, list[str]]]
    common_shortfalls: list[CommonShortfall]


class RubricIndex:
    """The rubric's items and vetoes by id, checked against the scorecards it is to explain."""

    def __init__(self, rubric: Rubric) -> None:
        self.rubric = rubric
        self.items: dict[str, Item] = {item.id: item for item in rubric.items}
        self.vetoes = {veto.id: veto for veto in rubric.vetoes}

    def check(self, card: Scorecard) -> None:
        if card.rubric.sha256 != self.rubric.sha256:
            raise ReportError(
                f"{card.unit_id}: scored with the rubric {card.rubric.id} {card.rubric.version} (sha256 "
                f"{card.rubric.sha256[:12]}), not the one given, {self.rubric.id} {self.rubric.manifest.version} "
                f"in {self.rubric.path} (sha256 {self.rubric.sha256[:12]}): pass the rubric it was scored with"
            )
        unknown = [item.id for item in card.items if item.id not in self.items]
        if unknown:
            raise ReportError(
                f"{card.unit_id}: the rubric {self.rubric.id} {self.rubric.manifest.version} has no item "
                f"{', '.join(unknown[:5])}: pass the rubric the scorecard was scored with "
                f"({card.rubric.id} {card.rubric.version})"
            )

    def title(self, item: ItemScore, lang: str) -> str:
        return self.items[item.id].title.get(lang)

    def org_type_name(self, org_type: str, lang: str) -> str:
        """The org type's name as the year's manifest gives it."""
        found = [t for t in self.rubric.indicators.org_types if t.id == org_type]
        return found[0].name(lang) if found else org_type


def _text(text: Text | None, lang: str) -> str | None:
    return text.get(lang) if text is not None else None


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def chart_label(name: str, figures: str) -> str:
    """``name figures`` for a row of the chart; a name too long for the line is cut with an ellipsis, so that
    the figures, which come last, always show."""
    room = CHART_LABEL_WIDTH - _width(figures) - 1
    if _width(name) <= room:
        return f"{name} {figures}"
    cut = ""
    for ch in name:
        if _width(cut + ch) > room - 1:
            break
        cut += ch
    return f"{cut.rstrip()}… {figures}"


def scorecard_view(card: Scorecard, index: RubricIndex, lang: str, previous: Scorecard | None) -> ScorecardView:
    bars: list[Bar] = []
    for group in card.groups:
        name = label(GROUP_LABELS, group.id, lang)
        figures = f"{format_points(group.points)}/{format_points(group.max)}"
        bars.append(Bar(chart_label(name, figures), group.points, group.max, group.peer_median))
    chart = group_chart(bars)
    return ScorecardView(
        unit_id=card.unit_id,
        name=card.name,
        org_type=index.org_type_name(card.org_type, lang),
        year=card.year,
        appraisal_date=format_day(card.appraisal_date, lang),
        total=format_points(card.total),
        base=format_points(card.base),
        bonus=format_points(card.bonus),
        grade=label(GRADE_LABELS, card.grade, lang),
        grade_key=card.grade,
        vetoed=card.vetoed,
        commended=bool(card.commended),
        rank=card.rank,
        peer_count=card.peers.count if card.peers else None,
        peer_median_total=format_points(card.peers.median_total) if card.peers else None,
        self_score=format_points(card.self_score) if card.self_score is not None else None,
        previous_total=format_points(previous.total) if previous else None,
        change=format_change(card.total - previous.total) if previous else None,
        chart=chart,
        rubric=f"{card.rubric.id} {card.rubric.version}",
    )


def achievements(card: Scorecard, index: RubricIndex, lang: str) -> list[Achievement]:
    """The unit's strongest items: full points, highest points first (rubric order among equals)."""
    earned = [item for item in card.items if item.status == "awarded" and item.points > 0]
    earned.sort(key=lambda item: -item.points)
    return [
        Achievement(index.title(item, lang), format_points(item.points), format_points(item.max))
        for item in earned[:ACHIEVEMENTS]
    ]


def vetoes(card: Scorecard, index: RubricIndex, lang: str) -> list[VetoView]:
    """The veto reasons, in the rubric's words when the reason names its veto (``V01: ...``)."""
    found: list[VetoView] = []
    for reason in card.veto_reasons:
        veto_id, _, _ = reason.partition(":")
        veto = index.vetoes.get(veto_id.strip())
        if veto is None:
            found.append(VetoView(reason, None, None))
        else:
            found.append(VetoView(veto.reason.get(lang), veto.requirement.get(lang), veto.citation))
    return found


def shortfalls(card: Scorecard, index: RubricIndex, lang: str) -> list[ShortfallView]:
    """Every item that lost points, most points lost first (the scorecard's order among equals)."""
    gettext = translations(lang).gettext
    lost = [card.item(item_id) for item_id in card.shortfalls]
    lost.sort(key=lambda item: -(item.max - item.points))
    views = []
    for item in lost:
        rule = index.items[item.id]
        views.append(
            ShortfallView(
                title=rule.title.get(lang),
                not_reported=item.status == "not_evaluated",
                max=format_points(item.max),
                lost=format_points(item.max - item.points),
                requirement=rule.requirement.get(lang),
                citation=rule.citation,
                action=_text(rule.action, lang) or rule.advice.get(lang),
                evidence=_text(rule.evidence, lang)
                or gettext("Records showing that the requirement is now met, with their dates."),
            )
        )
    return views


def dates(card: Scorecard, options: ReportOptions, lang: str) -> Dates:
    issue = options.issue_date or card.appraisal_date
    return Dates(
        issue=format_day(issue, lang),
        deadline=format_day(options.deadline(card.appraisal_date), lang),
        recheck=format_day(options.recheck(card.appraisal_date), lang),
    )


def _rank_row(card: Scorecard, lang: str) -> RankRow:
    return RankRow(
        rank=str(card.rank) if card.rank is not None else "—",
        name=card.name,
        total=format_points(card.total),
        grade=label(GRADE_LABELS, card.grade, lang),
        commended=bool(card.commended),
        vetoed=card.vetoed,
    )


def _ranked(cards: Sequence[Scorecard]) -> list[Scorecard]:
    return sorted(cards, key=lambda c: (c.rank is None, c.rank or 0, -c.total, c.unit_id))


def summary_view(cards: Sequence[Scorecard], index: RubricIndex, lang: str) -> SummaryView:
    """The appraising level's summary of one run: rankings, grades, commended and vetoed, common shortfalls."""
    if not cards:
        raise ReportError("a summary needs at least one scorecard")
    years = sorted({card.year for card in cards})
    if len(years) > 1:
        raise ReportError(f"a summary covers one year; these scorecards are of {', '.join(map(str, years))}")
    for card in cards:
        index.check(card)
    types = [t for t in index.rubric.indicators.org_type_ids if any(c.org_type == t for c in cards)]
    types += sorted({c.org_type for c in cards} - set(types))
    grades = list(GRADE_LABELS)
    rankings = []
    distribution = []
    for org_type in types:
        of_type = _ranked([c for c in cards if c.org_type == org_type])
        name = index.org_type_name(org_type, lang)
        rankings.append((name, [_rank_row(c, lang) for c in of_type]))
        counts = Counter[str](c.grade for c in of_type)
        distribution.append((name, [counts[g] for g in grades], len(of_type)))
    totals = Counter[str](c.grade for c in cards)
    ranked = [c for t in types for c in _ranked([c for c in cards if c.org_type == t])]
    lost_by_item: dict[str, list[float]] = {}
    for card in cards:
        for item_id in card.shortfalls:
            item = card.item(item_id)
            lost_by_item.setdefault(item_id, []).append(item.max - item.points)
    common = sorted(lost_by_item.items(), key=lambda entry: (-len(entry[1]), -sum(entry[1]), entry[0]))
    return SummaryView(
        year=years[0],
        units=len(cards),
        rubric=f"{cards[0].rubric.id} {cards[0].rubric.version}",
        rankings=rankings,
        grade_headers=[label(GRADE_LABELS, g, lang) for g in grades],
        distribution=distribution,
        distribution_total=([totals[g] for g in grades], len(cards)),
        commended=[_rank_row(c, lang) for c in ranked if c.commended],
        vetoed=[(_rank_row(c, lang), [v.reason for v in vetoes(c, index, lang)]) for c in ranked if c.vetoed],
        common_shortfalls=[
            CommonShortfall(index.items[item_id].title.get(lang), len(amounts), format_points(sum(amounts)))
            for item_id, amounts in common[:COMMON_SHORTFALLS]
        ],
    )


def attachment_date(day: dt.date) -> dt.datetime:
    """Midnight UTC of ``day``: the PDF's and the attachment's dates come from the appraisal date."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)

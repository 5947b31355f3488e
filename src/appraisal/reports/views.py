"""What each report shows: a Scorecard (and the rubric, options, last year's card) in, plain view objects out.

The templates only lay these out. All wording of items comes from the rubric in the report's language; all
other words from the catalogue (``i18n``); numbers are formatted here, so the templates hold no logic beyond
loops and conditions. A Chinese rendering of a quotation from the English source text is marked as a
translation.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import io
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

from ..errors import ReportError
from ..resources import bundled
from ..rubric.models import BONUS_GROUP, Item, Rubric, Text
from ..scoring.scorecard import ItemScore, Scorecard
from .charts import Bar, GroupChart, group_chart
from .i18n import (
    GRADE_LABELS,
    GROUP_LABELS,
    N_,
    STATUS_LABELS,
    citation,
    format_change,
    format_day,
    format_points,
    label,
    translations,
)
from .options import ReportOptions

ACHIEVEMENTS = 5  # strongest items named in a commendation
COMMON_SHORTFALLS = 10  # rows of the summary's most common shortfalls
# rows of each type's ranking in the summary: the first units of each type; every unit's rank is in summary.csv
# (a row costs about 4 ms of layout: 1,000 units' rows were most of a summary's 7 s)
RANKING_ROWS = 20
# What fits on one line beside the chart (``.chart p`` in reports.css: a third of the page at 9 pt), counted
# in half-width characters (a Chinese character counts two).
CHART_LABEL_WIDTH = 30


@dataclass(frozen=True)
class GroupTable:
    """One group of the annex's item table, as lines of one block: the group's heading, then per item its
    maximum, points and status, the numbers aligned, a tab and its title (``lines``; ``ANNEX_TAB``). One block
    a group, not a table row of cells: weasyprint's layout costs per line box and per cell (docs/reports.md,
    Speed)."""

    name: str
    points: str
    max: str
    lines: list[str]


@dataclass(frozen=True)
class ScorecardView:
    """The scorecard annex: headline figures, the group chart and the item table."""

    unit_id: str
    name: str
    org_type: str
    year: int
    appraisal_date: str
    total: str
    base: str
    bonus: str
    graded_on: str
    grade: str
    grade_key: str
    vetoed: bool
    commended: bool
    rank: int | None
    peer_count: int | None
    peer_median_total: str | None
    self_score: str | None
    # what the rubric says beyond the usual, in one line: grade on the total, deductions taken (else None)
    rubric_terms: str | None
    previous_total: str | None
    change: str | None
    chart: GroupChart
    groups: list[GroupTable]
    rubric: str


@dataclass(frozen=True)
class Achievement:
    title: str
    points: str
    max: str


@dataclass(frozen=True)
class VetoView:
    """A veto: what the inspection found, what to do and what to submit, and the requirement it enforces."""

    title: str | None
    found: str
    action: str
    evidence: str
    requirement: str | None
    citation: str | None


@dataclass(frozen=True)
class ShortfallView:
    """One row of a notice's or feedback letter's table."""

    title: str
    not_reported: bool
    max: str
    lost: str
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
    graded_on: str
    grade: str
    commended: bool
    vetoed: bool


@dataclass(frozen=True)
class CommonShortfall:
    title: str
    units: int
    lost: str


@dataclass(frozen=True)
class GradeBar:
    """One org type's row of the summary's grade chart: each grade's count and share of the row's width."""

    org_type: str
    units: int
    segments: list[tuple[str, int, float]]  # (grade key, count, percent of the row)


@dataclass(frozen=True)
class Basis:
    """How grades and commendation are decided, as the summary states it."""

    bounds: list[tuple[str, str]]  # (grade label, lower bound in points), best first
    commend_grade: str
    quota: str  # percent
    minimum: int
    tie_break: list[str]  # in words, in order
    grade_on_total: bool = False


@dataclass(frozen=True)
class SummaryView:
    year: int
    units: int
    rubric: str
    rankings: list[tuple[str, list[RankRow], int]]  # org type, its first RANKING_ROWS rows, how many more
    grade_headers: list[str]
    grade_keys: list[str]
    distribution: list[tuple[str, list[int], int]]
    distribution_total: tuple[list[int], int]
    grade_bars: list[GradeBar]
    commended: list[RankRow]
    vetoed: list[tuple[RankRow, list[str]]]
    common_shortfalls: list[CommonShortfall]
    basis: Basis | None
    overview: dict[str, int | str]


@dataclass(frozen=True)
class DecisionView:
    """The run's one commendation decision: every commended collective, by org type."""

    year: int
    units: int
    commended: int
    by_type: list[tuple[str, list[str]]]


def group_name(rubric: Rubric, group: str, lang: str) -> str:
    """A group's short name: the catalogue's for the default groups, else the manifest's."""
    if group in GROUP_LABELS:
        return label(GROUP_LABELS, group, lang)
    found = [g for g in rubric.manifest.groups if g.id == group]
    return (found[0].zh if lang == "zh" else found[0].en) if found else group


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

    def group_name(self, group: str, lang: str) -> str:
        return group_name(self.rubric, group, lang)

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


FIGURE_SPACE = "\u2007"  # as wide as a digit
POINT_SPACE = "\u2008"  # as wide as the decimal point


def aligned(value: str, whole: int = 2, decimals: int = 2) -> str:
    """``value`` (points: 12, 2.5, 0.25) padded with figure and point spaces so that a column of them lines
    up on the decimal point in a font whose digits are all one width."""
    integer, point, fraction = value.partition(".")
    left = FIGURE_SPACE * max(whole - len(integer), 0) + integer
    right = (point or POINT_SPACE) + fraction + FIGURE_SPACE * (decimals - len(fraction))
    return left + right


# The annex's lines (reports.css, ``.annex-items p``): at 8.5 pt each item's figures (maximum, points, status)
# from the line's start, a tab, its title from the tab stop at 44 mm. The figures come first so that they line
# up exactly: weasyprint draws a tab 2.4% wider than Pango laid it out, so what follows a tab shifts by that
# share of the tab's width; the status is padded to within a figure space of the widest, so the tab before the
# titles is short and they shift by less than 0.1 mm. A title too long for the rest of the line is cut with an
# ellipsis (the narrower Chinese official page: 156 mm).
ANNEX_FONT_SIZE = 8.5
ANNEX_TAB = 44.0  # mm
ANNEX_TITLE_ROOM = {"en": 174.0 - ANNEX_TAB - 4.0, "zh": 156.0 - ANNEX_TAB - 4.0}
_PT = 25.4 / 72  # mm


@functools.cache
def _latin_advances() -> dict[int, float]:
    """Open Sans's advance of each character it has, in em (the Latin font of every report)."""
    data = (bundled("report_templates") / "fonts" / "OpenSans-Regular.ttf").read_bytes()
    with TTFont(io.BytesIO(data)) as font:
        em = font["head"].unitsPerEm
        metrics = font["hmtx"].metrics
        return {code: metrics[glyph][0] / em for code, glyph in font.getBestCmap().items()}


def text_width(text: str, size: float, lang: str) -> float:
    """The width of ``text`` set at ``size`` pt, in mm: Open Sans's advances for what it sets (in Chinese
    documents only Latin letters and digits, reports.css), one em for every other character (CJK), which the
    CJK faces do not exceed."""
    advances = _latin_advances()
    ems = 0.0
    for ch in text:
        code = ord(ch)
        latin = lang != "zh" or code <= 0x2FF or code in (0x2007, 0x2008)
        ems += advances.get(code, 1.0) if latin else 1.0
    return ems * size * _PT


def fit(text: str, room: float, size: float, lang: str) -> str:
    """``text`` when it fits in ``room`` mm at ``size`` pt; else cut where it still fits with an ellipsis."""
    if text_width(text, size, lang) <= room:
        return text
    cut = text
    while cut and text_width(cut.rstrip() + "…", size, lang) > room:
        cut = cut[:-1]
    return cut.rstrip() + "…"


def padded(text: str, width: float, size: float, lang: str) -> str:
    """``text`` and the figure spaces that bring it to within one of ``width`` mm at ``size`` pt."""
    space = text_width(FIGURE_SPACE, size, lang)
    missing = width - text_width(text, size, lang)
    return text + FIGURE_SPACE * max(int(missing / space), 0)


def item_tables(card: Scorecard, index: RubricIndex, lang: str) -> list[GroupTable]:
    """The annex's item table: per group of the card, every item with its maximum, points and status; then the
    bonus items, under the bonus the card counts (at most the rubric's cap, whatever its items earned)."""
    gap = FIGURE_SPACE * 2
    room = ANNEX_TITLE_ROOM.get(lang, ANNEX_TITLE_ROOM["en"])
    statuses = [label(STATUS_LABELS, status, lang) for status in STATUS_LABELS]
    widest = max(text_width(status, ANNEX_FONT_SIZE, lang) for status in statuses)

    def tables(group: str, points: float, maximum: float) -> list[GroupTable]:
        items = [item for item in card.items if item.group == group and item.status != "not_applicable"]
        lines = [
            aligned(format_points(item.max))
            + gap
            + aligned(format_points(item.points))
            + gap
            + padded(label(STATUS_LABELS, item.status, lang), widest, ANNEX_FONT_SIZE, lang)
            + "\t"
            + fit(index.title(item, lang), room, ANNEX_FONT_SIZE, lang)
            for item in items
        ]
        name = index.group_name(group, lang)
        return [GroupTable(name, format_points(points), format_points(maximum), lines)] if items else []

    groups = [table for group in card.groups for table in tables(group.id, group.points, group.max)]
    return groups + tables(BONUS_GROUP, card.bonus, float(index.rubric.manifest.bonus_cap))


def scorecard_view(card: Scorecard, lang: str, previous: Scorecard | None, index: RubricIndex) -> ScorecardView:
    bars: list[Bar] = []
    for group in card.groups:
        name = index.group_name(group.id, lang)
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
        graded_on=format_points(card.total_before_bonus),
        grade=label(GRADE_LABELS, card.grade, lang),
        grade_key=card.grade,
        vetoed=card.vetoed,
        rubric_terms=rubric_terms(card, lang),
        commended=bool(card.commended),
        rank=card.rank,
        peer_count=card.peers.count if card.peers else None,
        peer_median_total=format_points(card.peers.median_total) if card.peers else None,
        self_score=format_points(card.self_score) if card.self_score is not None else None,
        previous_total=format_points(previous.total) if previous else None,
        change=format_change(card.total - previous.total) if previous else None,
        chart=chart,
        groups=item_tables(card, index, lang),
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
    """The vetoes: what the inspection found (the rubric's reason when the card's reason names its veto,
    ``V01: ...``), the action required and the evidence to submit (the rubric's, or the catalogue's), and the
    requirement quoted with its citation."""
    gettext = translations(lang).gettext
    found: list[VetoView] = []
    default_action = gettext(
        "Put right what the inspection found, report it truthfully to the appraising level in writing, and "
        "name who answers for it."
    )
    default_evidence = gettext(
        "A written account of what was found and what was done, signed by the unit's head, with the corrected records."
    )
    for reason in card.veto_reasons:
        veto_id, _, text = reason.partition(":")
        veto = index.vetoes.get(veto_id.strip())
        if veto is None:
            found.append(VetoView(None, reason, default_action, default_evidence, None, None))
            continue
        action: Text | None = getattr(veto, "action", None)
        evidence: Text | None = getattr(veto, "evidence", None)
        found.append(
            VetoView(
                title=veto.title.get(lang),
                found=veto.reason.get(lang),
                action=_text(action, lang) or default_action,
                evidence=_text(evidence, lang) or default_evidence,
                requirement=veto.requirement.get(lang),
                citation=citation(veto.citation, lang),
            )
        )
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
        graded_on=format_points(card.total_before_bonus),
        grade=label(GRADE_LABELS, card.grade, lang),
        commended=bool(card.commended),
        vetoed=card.vetoed,
    )


def _rank_key(card: Scorecard) -> tuple[bool, int, float, str]:
    """The order of a type's units in the summary and the decision: rank, then total, then unit id."""
    return (card.rank is None, card.rank or 0, -card.total, card.unit_id)


def _type_order(seen: Iterable[str], index: RubricIndex) -> list[str]:
    """The org types ``seen``: the year's in the manifest's order, then any other by name."""
    found = set(seen)
    types = [t for t in index.rubric.indicators.org_type_ids if t in found]
    return types + sorted(found - set(types))


class _RunCheck:
    """The checks a summary or decision makes of every card, in one pass: one year, and cards this rubric
    scored. A year's other cards are named before any card's rubric (the first card failing is named)."""

    def __init__(self, index: RubricIndex, what: str) -> None:
        self.index, self.what = index, what
        self.years: set[int] = set()
        self.failed: ReportError | None = None

    def see(self, card: Scorecard) -> None:
        self.years.add(card.year)
        if self.failed is None:
            try:
                self.index.check(card)
            except ReportError as exc:
                self.failed = exc

    def year(self) -> int:
        if not self.years:
            raise ReportError(f"{self.what} needs at least one scorecard")
        if len(self.years) > 1:
            years = ", ".join(map(str, sorted(self.years)))
            raise ReportError(f"{self.what} covers one year; these scorecards are of {years}")
        if self.failed is not None:
            raise self.failed
        return next(iter(self.years))


TIE_BREAK_LABELS: dict[str, str] = {
    "total": N_("the higher total"),
    "before_bonus": N_("the higher total before bonus"),
    "item": N_("more points in item %(id)s"),
    "group": N_("more points in the group %(id)s"),
    "fewer_shortfalls": N_("fewer items with points lost"),
    "unit_id": N_("the unit code"),
}


def tie_break_words(key: str, index: RubricIndex, lang: str) -> str:
    """A tie-break key in words: ``group:routine`` -> "more points in the group Routine work"."""
    kind, _, ident = key.partition(":")
    message = TIE_BREAK_LABELS.get(kind if ident else key, key)
    words = translations(lang).gettext(message)
    if kind == "group":
        return words % {"id": index.group_name(ident, lang)}
    return words % {"id": ident} if kind == "item" else words


def rubric_terms(card: Scorecard, lang: str) -> str | None:
    """One line for what a county's rubric adds: the grade taken on the total, the deductions taken."""
    gettext = translations(lang).gettext
    parts = []
    if card.grade_on == "total":
        parts.append(
            gettext("The grade is taken on the total with bonus, %(points)s points.")
            % {"points": format_points(card.grade_points)}
        )
    taken = [d for d in card.deductions if d.points < 0]
    if taken:
        lines = gettext("; ").join(
            f"{(d.title_zh if lang == 'zh' and d.title_zh else d.title)} {format_points(d.points)}" for d in taken
        )
        parts.append(gettext("Deducted: %(lines)s.") % {"lines": lines})
    return " ".join(parts) or None


def basis(rubric: Rubric, lang: str) -> Basis:
    """How the rubric grades and commends, in words of ``lang``."""
    rule = rubric.manifest.commendation
    return Basis(
        bounds=[
            (label(GRADE_LABELS, grade, lang), format_points(float(bound))) for grade, bound in rubric.grade_bounds()
        ],
        commend_grade=label(GRADE_LABELS, rule.grade, lang),
        quota=format_points(float(rule.quota * 100)),
        minimum=rule.minimum,
        tie_break=[tie_break_words(key, RubricIndex(rubric), lang) for key in rule.tie_break],
        grade_on_total=rubric.manifest.grade_on == "total",
    )


def summary_view(cards: Iterable[Scorecard], index: RubricIndex, lang: str) -> SummaryView:
    """The appraising level's summary of one run: rankings, grades, commended and vetoed, common shortfalls.

    ``cards`` are read once, in one pass (a generator will do): what is kept of each is its type, grade, total
    and rank key, and the rows of the first ``RANKING_ROWS`` of its type, of the commended and of the vetoed, so
    a summary of 100,000 units never holds 100,000 scorecards."""
    check = _RunCheck(index, "a summary")
    first: Scorecard | None = None
    counts: dict[str, Counter[str]] = {}  # per org type, its units by grade
    leading: dict[str, list[tuple[tuple[bool, int, float, str], RankRow]]] = {}  # per org type, its first rows
    listed: list[tuple[str, tuple[bool, int, float, str], RankRow, list[str] | None]] = []  # commended and vetoed
    totals: list[float] = []
    lost_by_item: dict[str, list[float]] = {}
    for card in cards:
        check.see(card)
        first = first or card
        counts.setdefault(card.org_type, Counter())[card.grade] += 1
        key = _rank_key(card)
        rows = leading.setdefault(card.org_type, [])  # in rank order
        leads = len(rows) < RANKING_ROWS or key < rows[-1][0]
        if leads or card.commended or card.vetoed:
            row = _rank_row(card, lang)
            if leads:
                bisect.insort(rows, (key, row), key=lambda entry: entry[0])
                del rows[RANKING_ROWS:]
            if card.commended or card.vetoed:
                found = [v.found for v in vetoes(card, index, lang)] if card.vetoed else None
                listed.append((card.org_type, key, row, found))
        totals.append(card.total)
        for item_id in card.shortfalls:
            item = card.item(item_id)
            lost_by_item.setdefault(item_id, []).append(item.max - item.points)
    year = check.year()
    assert first is not None
    types = _type_order(counts, index)
    place = {org_type: at for at, org_type in enumerate(types)}
    listed.sort(key=lambda entry: (place[entry[0]], entry[1]))
    grades = list(GRADE_LABELS)
    rankings = []
    distribution = []
    bars = []
    for org_type in types:
        of_type = counts[org_type]
        size = sum(of_type.values())
        name = index.org_type_name(org_type, lang)
        rows = leading[org_type]
        rankings.append((name, [row for _, row in rows], size - len(rows)))
        distribution.append((name, [of_type[g] for g in grades], size))
        segments = [(g, of_type[g], round(100 * of_type[g] / size, 2)) for g in grades if of_type[g]]
        bars.append(GradeBar(name, size, segments))
    totals_by_grade = sum(counts.values(), Counter[str]())
    common = sorted(lost_by_item.items(), key=lambda entry: (-len(entry[1]), -sum(entry[1]), entry[0]))
    commended = [row for *_, row, found in listed if row.commended]
    vetoed = [(row, found) for *_, row, found in listed if found is not None]
    overview: dict[str, int | str] = {
        "units": len(totals),
        "types": len(types),
        "excellent": totals_by_grade["excellent"],
        "commended": len(commended),
        "vetoed": len(vetoed),
        "median": format_points(statistics.median(totals)),
        "common": index.items[common[0][0]].title.get(lang) if common else "—",
    }
    return SummaryView(
        year=year,
        units=len(totals),
        rubric=f"{first.rubric.id} {first.rubric.version}",
        rankings=rankings,
        grade_headers=[label(GRADE_LABELS, g, lang) for g in grades],
        grade_keys=grades,
        distribution=distribution,
        distribution_total=([totals_by_grade[g] for g in grades], len(totals)),
        grade_bars=bars,
        commended=commended,
        vetoed=vetoed,
        common_shortfalls=[
            CommonShortfall(index.items[item_id].title.get(lang), len(amounts), format_points(sum(amounts)))
            for item_id, amounts in common[:COMMON_SHORTFALLS]
        ],
        basis=basis(index.rubric, lang) if index.rubric.year == year else None,
        overview=overview,
    )


def decision_view(cards: Iterable[Scorecard], index: RubricIndex, lang: str) -> DecisionView:
    """The run's commendation decision: every commended unit, by org type, in rank order (``cards`` read once,
    the commended units' names kept)."""
    check = _RunCheck(index, "a commendation decision")
    units = 0
    commended: dict[str, list[tuple[tuple[bool, int, float, str], str]]] = {}
    for card in cards:
        check.see(card)
        units += 1
        if card.commended:
            commended.setdefault(card.org_type, []).append((_rank_key(card), card.name))
    year = check.year()
    if not commended:
        raise ReportError("no unit of the run is commended: there is no commendation decision to make")
    by_type = [
        (index.org_type_name(t, lang), [name for _, name in sorted(commended[t], key=lambda entry: entry[0])])
        for t in _type_order(commended, index)
    ]
    count = sum(len(names) for _, names in by_type)
    return DecisionView(year=year, units=units, commended=count, by_type=by_type)


def attachment_date(day: dt.date) -> dt.datetime:
    """Midnight UTC of ``day``: the PDF's and the attachment's dates come from the appraisal date."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)

"""``summary.csv``: one row per scored unit, as a spreadsheet opens it; the summary and the decision attach it.

Light on purpose (babel and the catalogues only): a run without reports writes it without importing weasyprint.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence

from ..rubric import Rubric
from ..scoring import Scorecard
from ..scoring.appraise import rubrics_of
from ..scoring.rank import Standing
from .i18n import csv_header, csv_values


def _cell(value: object) -> str:
    """A cell as a spreadsheet shows it, never as a formula (OWASP CSV injection: =, +, -, @, tab and carriage
    return lead); numbers are left as they are."""
    text = str(value)
    if isinstance(value, int | float):
        return text
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def summary_csv(cards: Sequence[Scorecard | Standing], rubric: Rubric | None = None, lang: str = "en") -> bytes:
    """``summary.csv``: UTF-8 with BOM, rows by year, org type (in the manifest's order) then rank; in English
    the codes and true/false, in Chinese the headers and values in words (单位编号 ...; 县妇联; 优秀; 是/否);
    every cell escaped. The org types come from ``rubric``, else from each year's bundled rubric."""
    return b"".join(summary_pieces(cards, rubric, lang))


def _row_order(card: Scorecard | Standing, order: dict[str, int]) -> tuple[int, int, str, int, str]:
    """Where a unit's row goes in summary.csv: by year, org type (in the indicators' order), rank and unit id."""
    return (card.year, order.get(card.org_type, len(order)), card.org_type, card.rank or 0, card.unit_id)


def summary_pieces(cards: Sequence[Scorecard | Standing], rubric: Rubric | None, lang: str) -> Iterator[bytes]:
    """``summary_csv``'s bytes, a thousand rows at a time (a streamed run writes them as they come)."""
    declared = [t for r in rubrics_of(cards, rubric) for t in r.indicators.org_types]
    names = {t.id: t.name(lang) for t in reversed(declared)}  # the first year's name wins
    order = {org: i for i, org in enumerate(dict.fromkeys(t.id for t in declared))}
    # sorted by position: a streamed run's standings are made as they are read, never all held at once
    rows = (cards[at] for at in sorted(range(len(cards)), key=lambda at: _row_order(cards[at], order)))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(csv_header(lang))
    for count, c in enumerate(rows, start=1):
        rank = "" if c.rank is None else c.rank
        name = names.get(c.org_type, c.org_type)
        org_type, grade, vetoed, commended = csv_values(c.org_type, name, c.grade, c.vetoed, bool(c.commended), lang)
        cells = (c.unit_id, c.name, org_type, c.year, f"{c.total:g}", grade, vetoed, commended, rank)
        writer.writerow([_cell(v) for v in cells])
        if count % 1000 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


__all__ = ["summary_csv", "summary_pieces"]

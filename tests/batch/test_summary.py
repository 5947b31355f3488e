"""A large run's summary: each type's ranking lists its first units only and says where every rank is."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

from tests.batch.processes import few_examples
from tests.builders import shipped
from tests.reports.report_pdfs import text

from appraisal.batch import ReportSettings, appraise_batch, run
from appraisal.batch.synthetic import synthetic_units
from appraisal.reports import render_decision, render_summary
from appraisal.reports.views import RANKING_ROWS, RubricIndex, decision_view, summary_view
from appraisal.submission.loading import validate_unit


def test_the_summary_ranks_the_first_units_of_each_type_and_points_to_summary_csv() -> None:
    rubric = shipped()
    units = [validate_unit(data, f"u{i}.json", rubric) for i, data in enumerate(synthetic_units(160, rubric))]
    cards = appraise_batch(units, rubric).scorecards
    per_type = Counter(c.org_type for c in cards)
    assert min(per_type.values()) > RANKING_ROWS  # every type has more units than the ranking shows
    body = text(render_summary(cards, "en", rubric=rubric))
    ranking = body[body.index("Ranking by type") :]
    county = sorted((c for c in cards if c.org_type == "county"), key=lambda c: c.rank or 0)
    assert f"{RANKING_ROWS} {county[RANKING_ROWS - 1].name}" in ranking  # the last row shown
    assert f"{RANKING_ROWS + 1} {county[RANKING_ROWS].name}" not in ranking
    note = f"The first {RANKING_ROWS} of {per_type['county']} units; every unit's rank is in summary.csv."
    assert note in ranking
    assert ranking.count("every unit's rank is in summary.csv") == len(per_type)
    assert f"Units appraised: {len(cards)}," in body  # the overview still counts every unit


def test_a_runs_summary_is_render_summarys_bytes(tmp_path: Path) -> None:
    """The run attaches the scorecards' texts it already made: the same bytes as ``render_summary``."""
    rubric = shipped()
    result = run([few_examples(tmp_path / "in", 1)], tmp_path / "out", rubric, reports=ReportSettings())
    assert (tmp_path / "out" / "summary.pdf").read_bytes() == render_summary(result.scorecards, rubric=rubric)


def test_the_summary_and_the_decision_read_their_cards_once_in_any_order() -> None:
    """A generator will do (a run of 100,000 units hands them over one at a time): the rankings keep the first
    rows of each type by rank whatever the order, and the bytes are those of the same cards as a list."""
    rubric = shipped()
    units = [validate_unit(data, f"u{i}.json", rubric) for i, data in enumerate(synthetic_units(160, rubric))]
    cards = random.Random(7).sample(appraise_batch(units, rubric).scorecards, 160)
    view = summary_view(iter(cards), RubricIndex(rubric), "en")
    order = {t: i for i, t in enumerate(rubric.indicators.org_type_ids)}
    ranked = sorted(cards, key=lambda c: (order[c.org_type], c.rank is None, c.rank or 0, -c.total, c.unit_id))
    for name, rows, more in view.rankings:
        of_type = [c for c in ranked if RubricIndex(rubric).org_type_name(c.org_type, "en") == name]
        assert [row.name for row in rows] == [c.name for c in of_type[:RANKING_ROWS]]
        assert more == len(of_type) - RANKING_ROWS
    assert [row.name for row in view.commended] == [c.name for c in ranked if c.commended]
    assert [row.name for row, _ in view.vetoed] == [c.name for c in ranked if c.vetoed]
    assert view.units == 160
    decision = decision_view(iter(cards), RubricIndex(rubric), "en")
    assert [n for _, names in decision.by_type for n in names] == [c.name for c in ranked if c.commended]
    for render in (render_summary, render_decision):
        assert render(iter(cards), "zh", rubric=rubric) == render(cards, "zh", rubric=rubric)

"""A large run's summary: each type's ranking lists its first units only and says where every rank is."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from tests.batch.processes import few_examples
from tests.builders import shipped
from tests.reports.report_pdfs import text

from appraisal.batch import ReportSettings, appraise_batch, run
from appraisal.batch.synthetic import synthetic_units
from appraisal.reports import render_summary
from appraisal.reports.views import RANKING_ROWS
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

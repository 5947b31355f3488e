"""What a county's rubric says beyond the shipped years shows in the reports, read back from the PDFs: the
grade taken on the total, the deductions taken, the groups' own names, the tie-break in its stated order."""

from __future__ import annotations

from tests.builders import FIXTURES
from tests.reports.report_pdfs import quiet, says, text

from appraisal import appraise_many, load_rubric
from appraisal.reports import render_report, render_summary
from appraisal.scoring.cases import _cases_in, case_files
from appraisal.submission.loading import validate_unit

COUNTY = FIXTURES / "rubrics" / "county-township"


def test_the_annex_and_the_summary_state_the_rubrics_terms() -> None:
    rubric = load_rubric(COUNTY)
    (cases,) = case_files(rubric)
    units = [validate_unit(entry["submission"], "case", rubric) for _, entry, _ in _cases_in(cases)]
    cards = {c.unit_id: c for c in appraise_many(units, rubric).scorecards}
    enterprise = cards["ct-enterprise-none"]
    for lang, graded, deducted in (
        ("en", "The grade is taken on the total with bonus, 61 points.", "Deducted: Late reports -1; A serious"),
        ("zh", "等次按含加分的总分评定，为61分。", "减分：逾期报送-1；辖区发生重大事件-5。"),
    ):
        annex = text(quiet(render_report, enterprise, lang=lang, rubric=rubric))
        assert says(annex, graded) and says(annex, deducted), annex
        assert says(annex, "Routine work" if lang == "en" else "常规工作")
    full = text(quiet(render_report, cards["ct-township-full"], lang="en", rubric=rubric))
    assert "Deducted" not in full and says(full, "The grade is taken on the total with bonus, 105 points.")
    summary = text(quiet(render_summary, list(cards.values()), "en", rubric=rubric))
    assert says(summary, "The grade is taken on the total with bonus:")
    assert says(
        summary,
        "ranked within their type by the higher total, then by more points in item K01, then by more points in "
        "the group Routine work, then by fewer items with points lost, then by the unit code",
    ), summary

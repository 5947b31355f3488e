"""The editable copies: each report as DOCX, read back with python-docx: the PDF's text and blocks, fonts named."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from tests.builders import shipped
from tests.reports.report_pdfs import WeasyLog, docx_blocks, quiet, same_text

from appraisal.reports import (
    ReportOptions,
    render_decision,
    render_decision_docx,
    render_report,
    render_report_docx,
    render_summary,
    render_summary_docx,
    write_reports,
)
from appraisal.rubric.models import Rubric
from appraisal.scoring.scorecard import Scorecard

OPTIONS = ReportOptions(
    issuing_body={"en": "Riverside City Women's Federation", "zh": "河畔市妇联"}, document_number="河妇字〔2026〕3号"
)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("unit", ["county-01", "county-02", "town-07", "village-12"])
def test_each_report_as_docx_has_the_pdfs_text(
    cards: dict[str, Scorecard], rubric: Rubric, unit: str, lang: str
) -> None:
    pdf = quiet(render_report, cards[unit], lang=lang, options=OPTIONS, rubric=rubric)
    copy = render_report_docx(cards[unit], lang=lang, options=OPTIONS, rubric=rubric)
    same_text(pdf, copy)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_summary_and_decision_as_docx(cards: dict[str, Scorecard], rubric: Rubric, lang: str) -> None:
    chosen = list(cards.values())
    same_text(
        quiet(render_summary, chosen, lang, options=OPTIONS, rubric=rubric),
        render_summary_docx(chosen, lang, options=OPTIONS, rubric=rubric),
    )
    same_text(
        quiet(render_decision, chosen, lang, options=OPTIONS, rubric=rubric),
        render_decision_docx(chosen, lang, options=OPTIONS, rubric=rubric),
    )


def test_the_comparison_catches_a_missing_or_extra_word(cards: dict[str, Scorecard], rubric: Rubric) -> None:
    pdf = quiet(render_report, cards["town-07"], lang="en", options=OPTIONS, rubric=rubric)
    other = render_report_docx(cards["county-03"], lang="en", options=OPTIONS, rubric=rubric)
    with pytest.raises(AssertionError):
        same_text(pdf, other)


def test_chinese_fonts_are_named_and_the_official_page_is_kept(cards: dict[str, Scorecard], rubric: Rubric) -> None:
    document = docx.Document(
        io.BytesIO(render_report_docx(cards["town-07"], lang="zh", options=OPTIONS, rubric=rubric))
    )
    eastern = set()
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            if not run.text:
                continue  # a page break
            fonts = run._element.rPr.rFonts
            eastern.add(fonts.get(qn("w:eastAsia")))
            assert fonts.get(qn("w:ascii")) == "Times New Roman"
    assert {"仿宋", "宋体"} <= eastern and None not in eastern
    title = next(p for p in document.paragraphs if p.text.startswith("关于"))
    assert title.runs[0].font.size.pt == 22 and title.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"
    body = next(p for p in document.paragraphs if p.text.startswith("在2026年度"))
    assert body.runs[0].font.size.pt == 16
    red = next(p for p in document.paragraphs if p.text == "河畔市妇联")
    assert str(red.runs[0].font.color.rgb) == "E60000"
    section = document.sections[0]
    margins = [
        round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    ]
    assert margins == [37, 35, 28, 26]
    assert document.core_properties.title == "整改通知书 — 城关镇妇联 — 2026"
    assert document.core_properties.author == "河畔市妇联"
    english = docx.Document(io.BytesIO(render_report_docx(cards["town-07"], lang="en", options=OPTIONS, rubric=rubric)))
    assert [round(english.sections[0].top_margin.mm)] == [20]


def test_docx_bytes_are_stable(cards: dict[str, Scorecard], rubric: Rubric) -> None:
    first = render_report_docx(cards["village-12"], lang="zh", options=OPTIONS, rubric=rubric)
    assert render_report_docx(cards["village-12"], lang="zh", options=OPTIONS, rubric=rubric) == first
    for info in zipfile.ZipFile(io.BytesIO(first)).infolist():
        assert info.date_time == (2026, 12, 20, 0, 0, 0), info.filename
    assert "河畔市妇联" in docx_blocks(first)


def test_write_reports_in_both_formats(
    tmp_path: Path, cards: dict[str, Scorecard], rubric: Rubric, weasy_log: WeasyLog
) -> None:
    chosen = [cards["county-01"], cards["town-07"]]
    written = write_reports(chosen, tmp_path, "zh", rubric=rubric, formats="both")
    names = [path.relative_to(tmp_path).as_posix() for path in written]
    assert names == [
        "reports/county-01.pdf",
        "reports/county-01.docx",
        "reports/town-07.pdf",
        "reports/town-07.docx",
        "summary.pdf",
        "summary.docx",
        "decision.pdf",
        "decision.docx",
    ]
    same_text((tmp_path / "reports" / "town-07.pdf").read_bytes(), (tmp_path / "reports" / "town-07.docx").read_bytes())
    # DOCX only: the PDFs of the earlier run go
    written = write_reports(chosen, tmp_path, "zh", rubric=rubric, formats="docx")
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == ["county-01.docx", "town-07.docx"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["decision.docx", "reports", "summary.docx"]


def test_run_format_both_writes_pdf_and_docx(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from appraisal.cli import main
    from appraisal.resources import examples

    chosen = sorted(examples().glob("county-*.json"))[:3]
    assert chosen
    result = CliRunner().invoke(main, ["run", *map(str, chosen), "--out", str(tmp_path / "out"), "--format", "both"])
    assert result.exit_code in (0, 1), result.output
    reports = sorted(p.name for p in (tmp_path / "out" / "reports").iterdir())
    assert reports and len(reports) == 2 * len({name.rpartition(".")[0] for name in reports})
    assert {name.rpartition(".")[2] for name in reports} == {"pdf", "docx"}
    assert (tmp_path / "out" / "summary.docx").is_file() and (tmp_path / "out" / "summary.pdf").is_file()
    assert "summary.docx" in result.output


def test_report_command_writes_docx_by_the_output_suffix(tmp_path: Path) -> None:
    from click.testing import CliRunner

    import appraisal
    from appraisal.cli import main
    from appraisal.resources import examples

    submissions, _ = appraisal.load_submissions(sorted(examples().glob("county-0[1-3].json")))
    scored = appraisal.appraise_many(submissions, shipped()).scorecards
    card = next(c for c in scored if not c.commended)
    path = tmp_path / f"{card.unit_id}.json"
    path.write_text(card.to_json(), encoding="utf-8")
    out = tmp_path / "notice.docx"
    result = CliRunner().invoke(main, ["report", str(path), "-o", str(out), "--lang", "zh", "--kind", "improvement"])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as package:
        assert "word/document.xml" in package.namelist()
    blocks = docx_blocks(out.read_bytes())
    assert any("整改的通知" in block for block in blocks) and any(card.name in block for block in blocks)

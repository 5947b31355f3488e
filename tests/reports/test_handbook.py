"""The rules handbook (``rules handbook``): both shipped years rendered and read back, a hostile copy, the CLI.

Items are read from the rubric, never named here: the handbook must show whatever a year's folder holds.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from tests.builders import MINI, shipped
from tests.reports.report_pdfs import attachments, docx_blocks, fonts, quiet, reader, says, text

import appraisal
from appraisal import RubricError, load_rubric
from appraisal.cli import main
from appraisal.engine.explain import rule_words
from appraisal.reports import handbook_html, render_handbook, render_handbook_docx
from appraisal.reports.handbook import handbook_view
from appraisal.reports.i18n import citation, translations
from appraisal.rubric.models import Item, Rubric, Veto

pytestmark = pytest.mark.slow  # started first by make test (tests/conftest.py)

HOSTILE = '<img src="file:///etc/passwd"><script>alert(1)</script>'


@pytest.fixture(scope="module")
def handbooks() -> dict[tuple[int, str], bytes]:
    """The handbooks of both shipped years in English, and 2026's in Chinese (rendered once for the module)."""
    return {
        (year, lang): render_handbook(shipped(year), lang) for year, lang in ((2025, "en"), (2026, "en"), (2026, "zh"))
    }


@pytest.fixture(scope="module")
def bodies(handbooks: dict[tuple[int, str], bytes]) -> dict[tuple[int, str], str]:
    """The text of each handbook, read back once for the module."""
    return {key: text(pdf) for key, pdf in handbooks.items()}


@pytest.mark.parametrize(("year", "lang"), [(2025, "en"), (2026, "en"), (2026, "zh")])
def test_every_item_veto_org_type_and_field_is_in_the_handbook(
    bodies: dict[tuple[int, str], str], year: int, lang: str
) -> None:
    rubric = shipped(year)
    body = bodies[year, lang]
    entries: list[Item | Veto] = [*rubric.items, *rubric.vetoes]
    for entry in entries:
        assert says(body, f"{entry.id} {entry.title.get(lang)}"), entry.id
        assert says(body, entry.requirement.get(lang)), entry.id
    for org_type in rubric.indicators.org_types:
        assert says(body, org_type.name(lang)), org_type.id
    for section in rubric.indicators.sections:
        assert says(body, section.title.get(lang)), section.id
        for field in section.fields:
            assert says(body, field.zh if lang == "zh" else field.en), field.id
            assert f"{section.id}.{field.id}" in body.replace(" ", "")
    for derived in rubric.indicators.derived:
        assert derived.id in body.replace(" ", ""), derived.id


@pytest.mark.parametrize(("year", "lang"), [(2026, "en"), (2026, "zh")])
def test_how_points_are_earned_is_said_in_the_words_of_the_reasons(
    bodies: dict[tuple[int, str], str], year: int, lang: str
) -> None:
    rubric = shipped(year)
    body = bodies[year, lang]
    words = handbook_view(rubric, lang)
    views = {
        item.id: item for group in [*words.groups, *([words.bonus] if words.bonus else [])] for item in group.items
    }
    assert set(views) == {item.id for item in rubric.items}
    for item in rubric.items:
        earned = views[item.id].earn
        assert earned and all(says(body, sentence) for sentence in earned), item.id
    if lang == "en":  # the English sentences are the engine's rule words, as the reasons phrase them
        for item in rubric.items:
            said = [s[:1].upper() + s[1:] for s in rule_words(item)]
            assert views[item.id].earn == said, item.id
    else:  # the catalogue's words, with the fields' Chinese labels
        assert not re.search(r"\b(points?|when|tier|deducted)\b", " ".join(s for v in views.values() for s in v.earn))


def test_points_per_org_type_add_up_to_the_base(bodies: dict[tuple[int, str], str]) -> None:
    rubric = shipped(2026)
    view = handbook_view(rubric, "en")
    base = appraisal.reports.i18n.format_points(float(rubric.manifest.base))
    assert view.totals == [base] * len(rubric.indicators.org_types)
    assert view.org_types == [t.en for t in rubric.indicators.org_types]
    body = bodies[2026, "en"]
    for grade, bound in rubric.grade_bounds():
        assert says(body, f"{grade.capitalize()} from {bound:g}"), grade


def test_the_chinese_handbook_has_no_latin_citation_and_uses_the_official_layout(
    handbooks: dict[tuple[int, str], bytes], bodies: dict[tuple[int, str], str]
) -> None:
    rubric = shipped(2026)
    pdf = handbooks[2026, "zh"]
    body = bodies[2026, "zh"]
    citations = {item.citation for item in rubric.items} | {veto.citation for veto in rubric.vetoes}
    assert not any(c in body for c in citations)
    translated = {citation(c, "zh") for c in citations} - {None}
    assert translated and all(says(body, str(c)) for c in translated)
    assert says(body, "— 1 —") and says(body, translations("zh").gettext("One-vote vetoes"))
    used = {name.partition("+")[2] for name, embedded in fonts(pdf) if embedded}
    assert {"Report-Kai", "Report-Latin-Text"} <= used
    first = reader(pdf).pages[0]
    assert round(float(first.mediabox.width)) == 595  # A4
    english = bodies[2026, "en"]
    assert all(c in english for c in citations)


def test_the_same_rubric_gives_the_same_bytes(handbooks: dict[tuple[int, str], bytes]) -> None:
    small = load_rubric(MINI)
    assert render_handbook(small, "zh") == render_handbook(small, "zh")
    assert attachments(handbooks[2026, "zh"]) == {}
    first = render_handbook_docx(load_rubric(MINI), "zh")
    assert render_handbook_docx(load_rubric(MINI), "zh") == first


def _hostile_copy(tmp_path: Path) -> Rubric:
    folder = tmp_path / "rubric"
    shutil.copytree(MINI, folder)
    items = (folder / "items.yaml").read_text(encoding="utf-8")
    assert "title: {en: Hearings," in items
    items = items.replace("title: {en: Hearings,", f"title: {{en: '{HOSTILE}',", 1)
    (folder / "items.yaml").write_text(items, encoding="utf-8")
    return load_rubric(folder)


def test_a_rubric_s_text_stays_text_and_fetches_nothing(tmp_path: Path) -> None:
    rubric = _hostile_copy(tmp_path)
    markup = handbook_html(rubric, "en")
    assert "<img" not in markup and "<script" not in markup and "&lt;img" in markup
    body = text(quiet(render_handbook, rubric, "en"))
    assert HOSTILE in body
    document = docx.Document(io.BytesIO(render_handbook_docx(rubric, "en")))
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    for item in rubric.items:
        assert item.id in paragraphs
    assert HOSTILE in paragraphs


def test_cli_writes_the_handbook_atomically_and_a_broken_folder_leaves_the_file(tmp_path: Path) -> None:
    out = tmp_path / "handbook.pdf"
    result = CliRunner().invoke(main, ["rules", "handbook", str(MINI), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF") and "wrote" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["handbook.pdf"]  # no temporary file left
    before = out.read_bytes()
    broken = tmp_path / "broken"
    shutil.copytree(MINI, broken)
    (broken / "items.yaml").write_text("items: [", encoding="utf-8")
    with pytest.raises(RubricError):
        load_rubric(broken)
    result = CliRunner().invoke(main, ["rules", "handbook", str(broken), "-o", str(out)])
    assert result.exit_code == 2 and "items.yaml" in result.output
    assert out.read_bytes() == before
    both = CliRunner().invoke(main, ["rules", "handbook", str(MINI), "--year", "2026", "-o", str(out)])
    assert both.exit_code == 2 and "not both" in both.output
    word = tmp_path / "handbook.docx"
    result = CliRunner().invoke(main, ["rules", "handbook", str(MINI), "--lang", "zh", "-o", str(word)])
    assert result.exit_code == 0, result.output
    paragraphs = [p.text for p in docx.Document(str(word)).paragraphs]
    assert any("2026年度考核细则" in p for p in paragraphs)


def test_the_public_api_renders_the_handbook() -> None:
    assert appraisal.render_handbook is render_handbook
    assert "render_handbook" in appraisal.__all__


def test_a_citation_written_in_chinese_is_shown_in_chinese_documents(tmp_path: Path) -> None:
    """A county citing its own published text in Chinese: the Chinese handbook shows it as written (it used to be
    left out, as an English citation without a translation is)."""
    folder = shutil.copytree(MINI, tmp_path / "rubric")
    items = (folder / "items.yaml").read_text(encoding="utf-8")
    (folder / "items.yaml").write_text(items.replace("citation: Part 3 (3)", "citation: 本县考核办法第三条", 1))
    blocks = "\n".join(docx_blocks(render_handbook_docx(load_rubric(folder), "zh")))
    assert "本县考核办法第三条" in blocks
    assert "Part 3 (3)" not in blocks  # the English ones left without a translation stay out


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_org_types_heading_the_points_table_are_broken_only_between_words(
    handbooks: dict[tuple[int, str], bytes], year: int
) -> None:
    """Page 1's table of points by group and type: each type's name over its column, its words whole ("Townshi"
    over "p" and "federati" over "on" before the columns were widened and words kept whole)."""
    from tests.reports.report_pdfs import page_texts

    first = page_texts(handbooks[year, "en"])[0]
    rubric = shipped(year)
    words = {w for t in rubric.indicators.org_type_ids for w in rubric.indicators.org_type(t).name("en").split()}
    assert len(words) >= 10
    assert [w for w in sorted(words) if not re.search(rf"(?<!\S){re.escape(w)}(?!\S)", first)] == []

"""The catalogues: complete in both languages, no words in the templates, every character in the fonts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir, extract_python
from babel.messages.pofile import read_po
from fontTools.ttLib import TTFont
from jinja2 import Environment
from tests.builders import shipped

from appraisal.reports.i18n import (
    GRADE_LABELS,
    GROUP_LABELS,
    clean,
    format_change,
    format_day,
    format_points,
    label,
    translations,
)
from appraisal.resources import bundled
from appraisal.rubric import BONUS_GROUP, GRADES, GROUPS

TEMPLATES = bundled("report_templates")
SOURCE = Path(__file__).resolve().parents[2] / "src" / "appraisal" / "reports"
RULE_WORDS_SOURCE = SOURCE.parent / "engine" / "explain.py"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _catalogue(lang: str) -> dict[str, str]:
    path = TEMPLATES / "locale" / lang / "LC_MESSAGES" / "reports.po"
    with path.open("rb") as po:
        catalog = read_po(po)
    return {str(message.id): str(message.string) for message in catalog if message.id}


def _used_messages() -> set[str]:
    """Every message id the templates and the reports package ask for, as pybabel extracts them."""
    found: set[str] = set()
    for root, method in ((TEMPLATES, "jinja2.ext:babel_extract"), (SOURCE, "python")):
        pattern = "**.j2" if method != "python" else "**.py"
        options = {pattern: {"extensions": "jinja2.ext.i18n"}} if method != "python" else None
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(root), method_map=[(pattern, method)], options_map=options
        ):
            found.add(message if isinstance(message, str) else message[0])
    # the words of a rule (the handbook's "how points are earned"), kept beside the reasons they share words with
    with RULE_WORDS_SOURCE.open("rb") as source:
        for _line, _function, message, _comments in extract_python(source, DEFAULT_KEYWORDS, [], {}):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_has_an_entry_in_both_catalogues_and_none_is_stale() -> None:
    used = _used_messages()
    assert len(used) > 70
    for lang in ("en", "zh"):
        assert set(_catalogue(lang)) == used, lang


def test_translations_are_complete_and_keep_their_placeholders() -> None:
    for lang in ("en", "zh"):
        for message, translation in _catalogue(lang).items():
            assert translation.strip(), f"{lang}: {message!r} has no translation"
            assert sorted(PLACEHOLDER.findall(translation)) == sorted(PLACEHOLDER.findall(message)), message
    zh = _catalogue("zh")
    assert zh["Rectification notice"] == "整改通知书"
    assert translations("zh").gettext("Excellent") == "优秀"


def test_templates_hold_no_words() -> None:
    """The literal text of every template, tags and comments removed, has no letters: words are catalogued."""
    env = Environment(extensions=["jinja2.ext.i18n"])
    checked = 0
    for path in sorted(TEMPLATES.glob("*.j2")):
        source = path.read_text(encoding="utf-8")
        literal = "".join(value for _, kind, value in env.lex(source) if kind == "data")
        words = re.sub(r"<!DOCTYPE html>|<[^>]*>|&\w+;", " ", literal)
        assert not re.search(r"[^\W\d_]", words), f"{path.name}: {words.split()}"
        checked += 1
    assert checked >= 5
    # the check does catch a word
    bad = "".join(value for _, kind, value in env.lex("<p>Total {{ x }}</p>") if kind == "data")
    assert re.search(r"[^\W\d_]", re.sub(r"<[^>]*>", " ", bad))


def test_labels_cover_every_group_grade_and_type() -> None:
    assert set(GROUP_LABELS) == {*GROUPS, BONUS_GROUP}
    assert set(GRADE_LABELS) == set(GRADES)
    village = shipped(2026).indicators.org_type("village")
    assert village.name("zh") == "村妇代会" and village.name("en") == "Village women's congress"
    assert label(GROUP_LABELS, "unknown-group", "zh") == "unknown-group"


def _covered(font: str) -> set[int]:
    return set(TTFont(TEMPLATES / "fonts" / font).getBestCmap())


@pytest.fixture(scope="module")
def glyphs() -> set[int]:
    return _covered("OpenSans-Regular.ttf") | _covered("DroidSansFallbackFull-CJK.ttf")


def test_the_bundled_fonts_cover_both_catalogues(glyphs: set[int]) -> None:
    for lang in ("en", "zh"):
        text = "".join(_catalogue(lang).values())
        missing = sorted({ch for ch in text if ord(ch) not in glyphs})
        assert not missing, f"{lang}: {missing}"


def test_the_bundled_fonts_cover_the_bundled_rubric(glyphs: set[int]) -> None:
    missing = sorted({ch for ch in "".join(_rubric_texts()) if ord(ch) not in glyphs})
    assert not missing, missing


def test_the_cjk_font_covers_the_unified_ideographs_block_and_extension_a(glyphs: set[int]) -> None:
    assert all(code in glyphs for code in range(0x4E00, 0x9FA6))
    assert all(code in glyphs for code in range(0x3400, 0x4DB6))  # as GB 18030 requires
    assert {ord(ch) for ch in "，。：；（）“”、《》"} <= glyphs


def _rubric_texts() -> list[str]:
    rubric = shipped()
    texts = [rubric.manifest.title.en, rubric.manifest.title.zh]
    for item in rubric.items:
        for text in (item.title, item.requirement, item.advice, item.action, item.evidence):
            if text is not None:
                texts += [text.en, text.zh]
        texts.append(item.citation)
    for veto in rubric.vetoes:
        texts += [veto.reason.en, veto.reason.zh, veto.requirement.en, veto.requirement.zh, veto.citation]
    return texts


def test_the_characters_of_every_chinese_report_come_first_in_the_cjk_font() -> None:
    # weasyprint's per-PDF subset keeps glyph ids: its size, and the time to make and compress it, grow with the
    # highest id a report uses (report_templates/fonts/README.md)
    font = TTFont(TEMPLATES / "fonts" / "ReportKai-GB.ttf")  # the text font of Chinese reports
    cmap = font.getBestCmap()
    outside = sum(code not in range(0x4E00, 0xA000) and code not in range(0x3400, 0x4DC0) for code in cmap)
    fixed = {ch for ch in "".join([*_catalogue("zh").values(), *_rubric_texts()]) if 0x4E00 <= ord(ch) <= 0x9FFF}
    assert max(font.getGlyphID(cmap[ord(ch)]) for ch in fixed) <= outside + 1000
    # then GB 2312 level 1: rows 16-55, 94 cells each, of which the last five of row 55 are unassigned
    level_1 = [
        bytes([row, cell]).decode("gb2312")
        for row in range(0xB0, 0xD8)
        for cell in range(0xA1, 0xFF)
        if (row, cell) < (0xD7, 0xFA)
    ]
    assert len(level_1) == 3755
    assert max(font.getGlyphID(cmap[ord(ch)]) for ch in level_1) <= outside + 1000 + len(level_1)
    assert "vmtx" not in font and "vhea" not in font  # vertical metrics: never used, 20 KB a Chinese report


def test_bidi_controls_are_cleaned() -> None:
    assert clean("a\u202eb\u2066c\u2069d\u200fe") == "abcde"
    assert clean("城关镇妇联 (town-07)") == "城关镇妇联 (town-07)"


def test_formats() -> None:
    assert [format_points(v) for v in (12.5, 12.0, 0.25, -0.0, None)] == ["12.5", "12", "0.25", "0", "—"]
    assert [format_change(v) for v in (2.5, -1.0, 0.001)] == ["+2.5", "−1", "±0"]
    import datetime as dt

    assert format_day(dt.date(2027, 3, 20), "en") == "20 March 2027"
    assert format_day(dt.date(2027, 3, 20), "zh") == "2027年3月20日"

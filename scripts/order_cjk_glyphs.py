"""Put the common Chinese characters first in the bundled CJK font's glyph order (see report_templates/fonts/).

Usage: python scripts/order_cjk_glyphs.py [--family NAME] IN.ttf OUT.ttf [TEXT_FILE ...]

weasyprint subsets a font per PDF keeping the glyph ids (HarfBuzz's retain-gids), so what it builds and
compresses for every report grows with the highest glyph id the report uses. The upstream font orders its
glyphs by code point, which puts common characters as far as id 35,000. This script orders them: .notdef,
the characters that are not Han ideographs (punctuation, full-width forms), the Chinese characters of the
TEXT_FILEs in order of first appearance (the report catalogue and the bundled rubric: they are in every
Chinese report), the GB 2312 level-1 characters (the 3,755 most common), level 2 (3,008 more), the rest of
the Unified Ideographs block, Extension A, then the glyphs no character maps to (layout variants) as they
were. Only the order changes: outlines, metrics, cmap and layout tables are the same glyphs under the same
names, so every page renders to the same pixels (checked when it was made).

``--family NAME`` also renames the font (family, full and PostScript names, in every language; a CFF font,
whose glyphs weasyprint renumbers, is only renamed): a subset is a
Modified Version under the SIL Open Font License, which may not carry the upstream's Reserved Font Names
(LXGW WenKai reserves "LXGW" and "霞鹜"). The copyright and licence names are kept.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

from fontTools.ttLib import TTFont

CJK_UNIFIED = range(0x4E00, 0xA000)
EXTENSION_A = range(0x3400, 0x4DC0)


def is_han(codepoint: int) -> bool:
    return codepoint in CJK_UNIFIED or codepoint in EXTENSION_A


def gb2312_hanzi() -> Iterator[str]:
    """The GB 2312 hanzi in code order: level 1 (rows 16-55, by pinyin), then level 2 (rows 56-87)."""
    for row in range(0xB0, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                yield bytes([row, cell]).decode("gb2312")
            except UnicodeDecodeError:  # the five unassigned cells at the end of row 55
                continue


def rename(font: TTFont, family: str) -> None:
    """Family ``family``, style Regular, in every name record; the copyright (0) and licence (13, 14) stay."""
    table = font["name"]
    postscript = family.replace(" ", "")
    values = {1: family, 2: "Regular", 3: f"{family}:subset", 4: family, 6: postscript, 16: family, 17: "Regular"}
    table.names = [record for record in table.names if record.nameID not in values or record.langID in (0, 0x409)]
    for record in table.names:
        if record.nameID in values:
            record.string = values[record.nameID]
    if "CFF " in font:  # a CFF font names itself inside its outlines too
        font["CFF "].cff.fontNames = [postscript]


def main(source: str, target: str, texts: list[str], family: str | None = None) -> None:
    font = TTFont(source, recalcTimestamp=False)
    if "glyf" not in font:  # CFF outlines: weasyprint renumbers their glyphs anyway; only the name changes
        if family is not None:
            rename(font, family)
        font.save(target)
        return
    for tag in font.keys():
        font[tag]  # decompile every table, so that each refers to its glyphs by name, not by id
    cmap = font.getBestCmap()
    order = font.getGlyphOrder()
    first: list[str] = []
    seen = {order[0]}

    def take(codepoint: int) -> None:
        glyph = cmap.get(codepoint)
        if glyph is not None and glyph not in seen:
            seen.add(glyph)
            first.append(glyph)

    for codepoint in sorted(cmap):
        if not is_han(codepoint):
            take(codepoint)
    for path in texts:
        with open(path, encoding="utf-8") as text:
            for character in text.read():
                if is_han(ord(character)):
                    take(ord(character))
    for character in gb2312_hanzi():
        take(ord(character))
    for block in (CJK_UNIFIED, EXTENSION_A):
        for codepoint in block:
            take(codepoint)
    new_order = [order[0], *first, *(glyph for glyph in order if glyph not in seen)]
    assert sorted(new_order) == sorted(order)
    font.setGlyphOrder(new_order)
    font["glyf"].glyphOrder = new_order
    if family is not None:
        rename(font, family)
    font.save(target)


if __name__ == "__main__":
    args = sys.argv[1:]
    name = None
    if args[:1] == ["--family"] and len(args) > 1:
        name, args = args[1], args[2:]
    if len(args) < 2:
        sys.exit(__doc__.splitlines()[2])
    main(args[0], args[1], args[2:], name)

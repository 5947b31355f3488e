"""Where things are in a fill-in workbook and a bulk table: sheets, columns, rows, words. Both the writer
(``template.py``) and the reader (``reading.py``) take their layout from here, so the two cannot drift apart.

In: a year's ``Indicators``, an org type and a language. Out: the sheet names, the identity rows and the
field rows of each sheet, and the columns a bulk table may have (dotted paths or Chinese labels).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Final

from ..submission.indicators import FieldDef, Indicators
from ..submission.models import Rectification, SubmissionBase

META_SHEET: Final = "_appraisal"
"""The hidden sheet recording what a workbook was made for (year, org type, sha256s, language)."""
FORMAT: Final = "appraisal-intake-1"
FIRST_ROW: Final = 4
"""Rows 1-3 hold the sheet's title, a hint and the column headers; fields start on row 4."""
ID_COLUMN, LABEL_COLUMN, INPUT_COLUMN, UNIT_COLUMN, DESCRIPTION_COLUMN = 1, 2, 3, 4, 5
INPUT_LETTER: Final = "C"
BULK_SUFFIXES: Final = (".bulk.csv", ".bulk.xlsx")
LANGS: Final = ("en", "zh")
YES: Final = ("是", "yes", "true", "y")
NO: Final = ("否", "no", "false", "n")

WORDS: Final[dict[str, dict[str, str]]] = {
    "identity": {"en": "Identity", "zh": "基本信息"},
    "self_assessment": {"en": "Self-assessment", "zh": "自评"},
    "id": {"en": "id", "zh": "编号（勿改）"},
    "label": {"en": "Item", "zh": "项目"},
    "value": {"en": "Value", "zh": "填报"},
    "unit": {"en": "Unit of measure", "zh": "单位"},
    "description": {"en": "Description", "zh": "说明（英文）"},
    "points": {"en": "Your points", "zh": "自评得分"},
    "max": {"en": "Maximum", "zh": "满分"},
    "group": {"en": "Group", "zh": "类别"},
    "hint": {
        "en": "Fill in column C only. Yes/no: yes or no (是/否). Leave a cell empty when not reported.",
        "zh": "只填C列。是否类填“是”或“否”（yes/no）。未报告的项目请留空。",
    },
    "self_hint": {
        "en": "Your own points per item (optional), between 0 and the maximum.",
        "zh": "各项目自评得分（可不填），在0与满分之间。",
    },
    "identity_title": {"en": "Unit and appraisal", "zh": "单位与考核信息"},
}


def word(key: str, lang: str) -> str:
    return WORDS[key]["zh" if lang == "zh" else "en"]


@dataclass(frozen=True)
class Row:
    """One row of a sheet: the submission path it fills, its words, and how its cell is read and checked.

    ``kind`` is a field kind (``indicators.yaml``) or one of the identity kinds: ``id`` (a unit id), ``name``
    (text of ``max_length``), ``points`` (0 to ``maximum``, two decimals), ``fixed`` (shown, never read)."""

    path: str
    key: str
    kind: str
    en: str
    zh: str
    description: str
    unit: str = ""
    unit_zh: str = ""
    field: FieldDef | None = None
    max_length: int | None = None
    maximum: float | None = None
    required: bool = False

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


def human(identifier: str) -> str:
    """``standing_committee_hearings`` -> ``standing committee hearings`` (the English label of a field)."""
    return identifier.replace("_", " ")


def _base_field(name: str, model: type = SubmissionBase) -> tuple[str, str]:
    info = model.model_fields[name]  # type: ignore[attr-defined]
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    return str(info.description or ""), str(extra.get("label_zh", name))


def identity_rows() -> tuple[Row, ...]:
    """The identity sheet's rows (the submission's keys that are not sections), in the order shown."""
    rows = []
    specs: tuple[tuple[str, str, int | None, bool], ...] = (
        ("unit_id", "id", 64, True),
        ("name", "name", 100, True),
        ("org_type", "fixed", None, True),
        ("year", "fixed", None, True),
        ("parent_unit_id", "id", 64, False),
        ("appraisal_date", "date", None, True),
        ("self_score", "points", None, False),
    )
    for key, kind, length, required in specs:
        description, zh = _base_field(key)
        rows.append(Row(key, key, kind, human(key), zh, description, max_length=length, required=required))
    for key, length in (("responsible_person", 50), ("position", 80)):
        description, zh = _base_field(key, Rectification)
        rows.append(Row(f"rectification.{key}", key, "name", human(key), zh, description, max_length=length))
    return tuple(rows)


def field_row(section: str, field: FieldDef) -> Row:
    return Row(
        f"{section}.{field.id}",
        field.id,
        field.kind,
        human(field.id),
        field.zh,
        field.en,
        unit=field.unit.en if field.unit else "",
        unit_zh=field.unit.zh if field.unit else "",
        field=field,
        max_length=field.max_length,
        required=field.required,
    )


_BAD_SHEET_CHARS = re.compile(r"[\\/?*\[\]:]")


def _sheet_title(text: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name: at most 31 characters, none of \\ / ? * [ ] :, not starting with '."""
    base = _BAD_SHEET_CHARS.sub("_", text).strip("' ")[:31] or "Sheet"
    title, n = base, 2
    while title.casefold() in taken:
        suffix = f" {n}"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.casefold())
    return title


@cache
def section_sheets(indicators: Indicators, org_type: str, lang: str) -> dict[str, str]:
    """Section id -> sheet name, for the sections ``org_type`` reports, in the indicators' order."""
    taken = {word("identity", lang).casefold(), word("self_assessment", lang).casefold(), META_SHEET.casefold()}
    titles = {s.id: s.title for s in indicators.sections}
    found = {}
    for section in indicators.fields_for(org_type):
        text = titles[section].zh if lang == "zh" else human(section).capitalize()
        found[section] = _sheet_title(text, taken)
    return found


def sheet_names(indicators: Indicators, org_type: str, lang: str) -> list[str]:
    """Every visible sheet of the workbook, in order: identity, the sections, the self-assessment."""
    return [word("identity", lang), *section_sheets(indicators, org_type, lang).values(), word("self_assessment", lang)]


# --- bulk tables ---------------------------------------------------------------------------------------------


def is_bulk(name: str) -> bool:
    return name.lower().endswith(BULK_SUFFIXES)


def bulk_rows(indicators: Indicators, org_type: str | None) -> list[Row]:
    """The columns of a bulk table: the identity, then every field (of ``org_type``, or of any type)."""
    rows = list(identity_rows())
    for section in indicators.sections:
        for field in section.fields:
            if org_type is None or field.applies_to(org_type):
                rows.append(field_row(section.id, field))
    return rows


@cache
def bulk_headers(indicators: Indicators) -> dict[str, Row]:
    """Every header a bulk table may use -> its row: each dotted path, and each Chinese label that names one
    field only (a label two fields share must be given as the path)."""
    rows = bulk_rows(indicators, None)
    by_header: dict[str, Row] = {row.path: row for row in rows}
    labels: dict[str, list[Row]] = {}
    for row in rows:
        labels.setdefault(row.zh, []).append(row)
    for label, found in labels.items():
        if len(found) == 1 and label not in by_header:
            by_header[label] = found[0]
    return by_header

"""Round trip, for every org type of every bundled year: a submission -> the type's workbook, filled in by this
test with openpyxl as a unit would (by the ids in column A) -> loaded -> the same submission."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.worksheet.worksheet import Worksheet
from tests.builders import shipped

from appraisal import Rubric
from appraisal.intake import workbook
from appraisal.submission import FieldDef, SubmissionBase, bundled_years, load_submission, submission_adapter

CASES = [(year, org) for year in bundled_years() for org in shipped(year).indicators.org_type_ids]
NAME_CHARS = st.sampled_from(list("abcXYZ青山村妇代会联 ·-0123"))


@cache
def _template(year: int, org_type: str, lang: str) -> bytes:
    return workbook(shipped(year), org_type, lang)


def _name(max_size: int) -> st.SearchStrategy[str]:
    return st.text(NAME_CHARS, min_size=1, max_size=max_size).map(str.strip).filter(bool)


def _value(field: FieldDef, year: int) -> st.SearchStrategy[Any]:
    low = field.min
    high = field.max
    match field.kind:
        case "count":
            return st.integers(int(low or 0), int(high) if high is not None else 100_000)
        case "flag":
            return st.booleans()
        case "share":
            return st.decimals(low or 0, high if high is not None else 100, places=2).map(float)
        case "money":
            return st.decimals(0, 10**9, places=2)
        case "number":
            places = field.decimals if field.decimals is not None else 2
            return st.decimals(low if low is not None else -(10**6), high or 10**6, places=places).map(float)
        case "date":
            return st.dates(dt.date(year, 1, 1), dt.date(year, 12, 31))
        case "text":
            return _name(min(60, field.max_length or 60))
        case "choice":
            return st.sampled_from([c.id for c in field.choices])
    raise AssertionError(field.kind)


@st.composite
def submissions(draw: st.DrawFn, rubric: Rubric, org_type: str) -> SubmissionBase:
    indicators = rubric.indicators
    year = indicators.year
    data: dict[str, Any] = {
        "unit_id": draw(st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True)),
        "name": draw(_name(40)),
        "org_type": org_type,
        "year": year,
        "appraisal_date": draw(st.dates(dt.date(year, 1, 1), dt.date(year + 1, 12, 31))),
    }
    if draw(st.booleans()):
        data["parent_unit_id"] = draw(st.from_regex(r"[a-z][a-z0-9_.-]{0,20}", fullmatch=True))
        data["self_score"] = draw(st.decimals(0, 100, places=2))
        data["rectification"] = {"responsible_person": draw(_name(20))}
    for section, fields in indicators.fields_for(org_type).items():
        # a required field is always reported; any other may be left out
        values = {f.id: draw(_value(f, year) if f.required else st.none() | _value(f, year)) for f in fields}
        data[section] = {k: v for k, v in values.items() if v is not None}
    for derived in indicators.derived:  # a part never exceeds its whole
        if derived.share is None:
            continue
        (ps, pf), (ws, wf) = (p.split(".") for p in (derived.share.part, derived.share.whole))
        part, whole = data.get(ps, {}).get(pf), data.get(ws, {}).get(wf)
        if part is not None and whole is not None and part > whole:
            data[ps][pf] = whole
    items = rubric.items_for(org_type)
    chosen = draw(st.lists(st.sampled_from(items), max_size=5, unique_by=lambda i: i.id)) if items else []
    if chosen:
        data["self_assessment"] = {
            i.id: draw(st.decimals(0, i.max_for(org_type), places=2))
            for i in chosen  # type: ignore[arg-type]
        }
    return submission_adapter(indicators).validate_python(data)


def _as_typed(value: Any, field: FieldDef | None, lang: str, draw: st.DrawFn) -> Any:
    """A value as a unit would type it: yes/no in either language or as a boolean, dates as dates or text."""
    if isinstance(value, bool):
        return draw(
            st.sampled_from([value, "是" if value else "否", "yes" if value else "no", "TRUE" if value else "false"])
        )
    if isinstance(value, dt.date):
        return draw(st.sampled_from([value, value.isoformat()]))
    if field is not None and field.kind == "choice":
        choice = next(c for c in field.choices if c.id == value)
        return draw(st.sampled_from([choice.id, choice.en, choice.zh]))
    if field is not None and field.kind == "money":
        return draw(st.sampled_from([float(value), str(value)]))
    return float(value) if hasattr(value, "as_tuple") else value


def _rows(sheet: Worksheet) -> dict[str, int]:
    return {str(sheet.cell(r, 1).value): r for r in range(4, sheet.max_row + 1) if sheet.cell(r, 1).value}


def _fill(template: bytes, unit: SubmissionBase, rubric: Rubric, lang: str, draw: st.DrawFn) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(template))
    identity, *sections, own, record = book.worksheets
    assert record.sheet_state == "hidden" and record.title == "_appraisal"
    rows = _rows(identity)
    for key in ("unit_id", "name", "parent_unit_id", "appraisal_date", "self_score"):
        value = getattr(unit, key)
        if value is not None:
            identity.cell(rows[key], 3).value = _as_typed(value, None, lang, draw)
    if unit.rectification is not None:
        identity.cell(rows["responsible_person"], 3).value = unit.rectification.responsible_person
    reported = rubric.indicators.fields_for(unit.org_type)
    assert len(sections) == len(reported)
    for sheet, (section_id, fields) in zip(sections, reported.items(), strict=True):
        assert sheet["A1"].value == next(s.title for s in rubric.indicators.sections if s.id == section_id).get(lang)
        rows = _rows(sheet)
        for field in fields:
            value = unit.reported(f"{section_id}.{field.id}")
            if value is not None:
                sheet.cell(rows[field.id], 3).value = _as_typed(value, field, lang, draw)
    rows = _rows(own)
    for item_id, points in (unit.self_assessment or {}).items():
        own.cell(rows[item_id], 3).value = float(points)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(("year", "org_type"), CASES)
@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_a_submission_survives_its_workbook(year: int, org_type: str, data: st.DataObject) -> None:
    rubric = shipped(year)
    unit = data.draw(submissions(rubric, org_type))
    lang = data.draw(st.sampled_from(["en", "zh"]))
    expected = unit.model_dump()
    with tempfile.TemporaryDirectory() as folder:
        by_hand = Path(folder) / f"{unit.unit_id}.xlsx"
        by_hand.write_bytes(_fill(_template(year, org_type, lang), unit, rubric, lang, data.draw))
        assert load_submission(by_hand, rubric=rubric).model_dump() == expected
        exported = Path(folder) / "exported.xlsx"
        exported.write_bytes(workbook(rubric, org_type, lang, unit))
        assert load_submission(exported).model_dump() == expected

"""Differential tests over drawn years: random indicators and a random rubric over them, then random submissions.

Hypothesis draws a year's folder (an org type, sections of count, flag and share fields, perhaps a derived share,
and items of every way of earning points over those fields), writes it as YAML, loads it through the library,
and checks that ``appraise`` agrees with the independent evaluator (``evaluator.py``) on drawn submissions. So the
generated models, the facts and the engine are checked on indicators no one wrote by hand, not only on 2026's.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.differential.evaluator import evaluate_values
from tests.differential.test_differential import disagreements

from appraisal import appraise, load_rubric
from appraisal.submission.loading import validate_unit

ORG = "alpha"
TEXT = {"en": "drawn", "zh": "生成"}


def _item(item_id: str, maximum: int, **way: Any) -> dict[str, Any]:
    return {
        "id": item_id,
        "group": "organization",
        "title": {"en": f"Item {item_id}", "zh": f"项目{item_id}"},
        "max": maximum,
        **way,
        "requirement": TEXT,
        "citation": "drawn",
        "advice": TEXT,
    }


@st.composite
def drawn_year(draw: st.DrawFn) -> dict[str, Any]:
    """A year's folder as data: ``indicators``, ``items``, and the fields' kinds by path."""
    sections: list[dict[str, Any]] = []
    kinds: dict[str, str] = {}
    for s in range(draw(st.integers(1, 2))):
        fields = []
        for f in range(draw(st.integers(1, 3))):
            kind = draw(st.sampled_from(["count", "flag", "share"]))
            fields.append({"id": f"f{f}", "kind": kind, "en": f"field {f}", "zh": f"字段{f}"})
            kinds[f"s{s}.f{f}"] = kind
        sections.append({"id": f"s{s}", "title": {"en": f"section {s}", "zh": f"部分{s}"}, "fields": fields})
    derived = []
    if draw(st.booleans()):
        sections[0]["fields"] += [
            {"id": "whole", "kind": "count", "en": "whole", "zh": "总数"},
            {"id": "part", "kind": "count", "en": "part", "zh": "部分数"},
        ]
        kinds |= {"s0.whole": "count", "s0.part": "count"}
        derived.append({"id": "s0.ratio", "share": {"part": "s0.part", "whole": "s0.whole"}})
        kinds["s0.ratio"] = "ratio"
    items = []
    for index, (path, kind) in enumerate(kinds.items()):
        maximum = draw(st.integers(1, 6))
        item_id = f"I{index:02d}"
        if kind == "flag":
            when = path if draw(st.booleans()) else f"not {path}"
            items.append(_item(item_id, maximum, when=when))
        elif kind == "count" and (way := draw(st.sampled_from(["per", "shortfall", "awards", "tiers"]))) != "tiers":
            points = draw(st.sampled_from([0.25, 0.5, 1, 2]))
            if way == "per":
                counted: dict[str, Any] = {"value": path, "points": points}
                if draw(st.booleans()):
                    counted["per"] = draw(st.integers(2, 7))
                items.append(_item(item_id, maximum, per_occurrence=counted))
            elif way == "shortfall":
                rounding = draw(st.sampled_from(["started", "whole"]))
                short = {"value": path, "target": draw(st.integers(1, 20)), "step": draw(st.integers(1, 5))}
                items.append(_item(item_id, maximum, shortfall=short | {"points": points, "rounding": rounding}))
            else:
                items.append(_item(item_id, maximum, awards={"level": {"value": path, "points": points}}))
        else:
            top = 100 if kind in ("share", "ratio") else 20
            low, high = sorted(draw(st.lists(st.integers(1, top), min_size=2, max_size=2, unique=True)))
            tiers = [{"when": f"{path} >= {high}", "points": maximum}, {"when": f"{path} >= {low}", "share": 0.5}]
            items.append(_item(item_id, maximum, tiers=tiers))
    counts = [path for path, kind in kinds.items() if kind == "count"]
    flags = [path for path, kind in kinds.items() if kind == "flag"]
    if counts and draw(st.booleans()):  # a deduction item per occurrence, down to a floor
        floor = draw(st.sampled_from([{"group": 0}, {"group": 1}, {"total": 0}, {"total": 2}]))
        way: dict[str, Any] = {"value": draw(st.sampled_from(counts)), "points": draw(st.sampled_from([0.5, 1, 3]))}
        if draw(st.booleans()):
            way["cap"] = draw(st.integers(1, 5))
        items.append(_item("D01", 0, deduction=way, floor=floor))
    if flags and draw(st.booleans()):  # an incident deduction
        items.append(_item("D02", 0, when=draw(st.sampled_from(flags)), deduction={"points": 5}))
    for item in items:
        if "deduction" in item:
            del item["max"]
    weight = draw(st.sampled_from([None, "30%", 0.5]))
    plain = [item for item in items if "deduction" not in item]
    if weight is not None and len(plain) >= 2:
        for index, item in enumerate(items):
            item["group"] = "first" if index % 2 == 0 else "second"
        if not any(item["group"] == "second" for item in plain):
            weight = None
    else:
        weight = None
    indicators = {
        "sections": sections,
        "derived": derived,
        "verification": {"methods": [{"id": "records", "en": "records", "zh": "台账"}]},
    }
    return {
        "indicators": indicators,
        "items": items,
        "kinds": {p: k for p, k in kinds.items() if k != "ratio"},
        "weight": weight,
        "grade_on": draw(st.sampled_from(["before_bonus", "total"])),
    }


class _NoAliases(yaml.SafeDumper):
    """Writes a shared value out each time: the library refuses YAML aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_NoAliases, allow_unicode=True)


def _write(folder: Path, year: dict[str, Any]) -> None:
    base = sum(item.get("max", 0) for item in year["items"])
    manifest: dict[str, Any] = {
        "id": "drawn",
        "version": "1",
        "year": 2030,
        "title": TEXT,
        "base": base,
        "grades": {"excellent": "90%", "good": "80%", "qualified": "60%"},
        "grade_on": year["grade_on"],
        "org_types": [{"id": ORG, "en": "Alpha", "zh": "甲类", "level": "village"}],
    }
    if year["weight"] is not None:
        second = "70%" if year["weight"] == "30%" else 0.5
        manifest["groups"] = [
            {"id": "first", "en": "First", "zh": "第一", "weight": year["weight"]},
            {"id": "second", "en": "Second", "zh": "第二", "weight": second},
        ]
    folder.mkdir(parents=True)
    (folder / "rubric.yaml").write_text(_dump(manifest), encoding="utf-8")
    (folder / "indicators.yaml").write_text(_dump(year["indicators"]), encoding="utf-8")
    (folder / "items.yaml").write_text(_dump({"items": year["items"]}), encoding="utf-8")


def _values(kinds: dict[str, str], draw: st.DrawFn) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for path, kind in kinds.items():
        if draw(st.integers(0, 9)) == 0:
            continue  # left unreported
        if kind == "flag":
            values[path] = draw(st.booleans())
        elif kind == "count":
            values[path] = draw(st.integers(0, 25))
        else:
            values[path] = draw(st.sampled_from([0, 0.5, 29.99, 30, 50, 99.99, 100]) | st.integers(0, 100))
    if "s0.part" in values and "s0.whole" in values:
        values["s0.part"] = min(values["s0.part"], values["s0.whole"])
    return values


_folders = itertools.count()


@pytest.mark.parametrize("seed", range(3))
def test_appraise_agrees_with_the_evaluator_on_drawn_years(seed: int, tmp_path_factory: pytest.TempPathFactory) -> None:
    root = tmp_path_factory.mktemp(f"years-{seed}")

    @settings(max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(year=drawn_year(), data=st.data())
    def agrees(year: dict[str, Any], data: st.DataObject) -> None:
        folder = root / f"y{next(_folders)}"
        _write(folder, year)
        rubric = load_rubric(folder)
        for _ in range(4):
            values = data.draw(st.composite(lambda draw: _values(year["kinds"], draw))())
            sections: dict[str, dict[str, Any]] = {}
            for path, value in values.items():
                section, _, name = path.partition(".")
                sections.setdefault(section, {})[name] = value
            submission = {
                "unit_id": "u-1",
                "name": "Drawn unit",
                "org_type": ORG,
                "year": 2030,
                "appraisal_date": "2030-12-20",
                **sections,
            }
            unit = validate_unit(submission, "drawn.json", rubric)
            seen = {p: (Decimal(str(v)) if isinstance(v, float) else v) for p, v in values.items()}
            if seen.get("s0.whole") and "s0.part" in seen:
                seen["s0.ratio"] = Fraction(100 * seen["s0.part"], seen["s0.whole"])
            problems = disagreements(appraise(unit, rubric), evaluate_values(rubric, ORG, seen))
            assert not problems, f"{year['items']}\n{values}:\n" + "\n".join(problems)

    agrees()

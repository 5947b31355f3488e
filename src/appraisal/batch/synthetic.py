"""Realistic synthetic submissions over every org type and grade, for demos and benchmarks at scale.

In: a rubric, a count and a seed. Out: submission mappings (as a JSON file holds them). A unit of quality q meets
each threshold its rubric names with probability q (values chosen from the rubric's own constants, so the units
exercise the tiers), reports nearly everything, and names someone responsible for rectification. Seeded: the
same rubric, count and seed give the same units. ``scripts/make_examples.py`` makes the bundled examples with it.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..rubric import Rubric, expr

QUALITIES = (1.0, 0.97, 0.93, 0.9, 0.85, 0.78, 0.65, 0.45)
PLACES = [
    "青山",
    "白河",
    "临江",
    "东岭",
    "南湖",
    "西坪",
    "北塘",
    "石桥",
    "柳溪",
    "桃源",
    "金沙",
    "云台",
    "杏花",
    "龙泉",
]
NAMES = {
    "county": ("{p}县妇联", "county-{i:02d}"),
    "township": ("{p}镇妇联", "township-{i:02d}"),
    "village": ("{p}村妇代会", "village-{i:03d}"),
    "street": ("{p}街道妇联", "street-{i:02d}"),
    "community": ("{p}社区妇联", "community-{i:02d}"),
    "agency": ("{p}县教育局妇委会", "agency-{i:02d}"),
    "enterprise": ("{p}纺织有限公司妇女组织", "enterprise-{i:02d}"),
}
ENGLISH = {"county-01": "Qingshan County Women's Federation", "village-003": "Linjiang Village Women's Congress"}
PEOPLE = ["王丽", "李娟", "张敏", "刘芳", "陈静", "杨秀英", "赵霞", "黄梅"]


def _shares(rubric: Rubric) -> list[tuple[str, str, str]]:
    """(whole, part, derived share) of each share the year's indicators declare."""
    return [(d.share.whole, d.share.part, d.id) for d in rubric.indicators.derived if d.share is not None]


def thresholds(rubric: Rubric) -> dict[str, list[tuple[str, float]]]:
    """(direction, constant) pairs per value: "up" when more is better, "down" when less is."""
    found: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for item in rubric.items:
        for _, text in item.conditions():
            for c in expr.comparisons(expr.parse(text)):
                if not isinstance(c.value, bool):
                    found[c.path].append(("up" if c.op in (">", ">=") else "down", float(c.value)))
        if item.deduct:
            found[item.deduct.value].append(("down", 0.0))
        if item.per_occurrence:
            found[item.per_occurrence.value].append(("up", float(item.max_for("county") or 5)))
        if item.shortfall:
            found[item.shortfall.value].append(("up", float(item.shortfall.target)))
    return found


def value_for(kind: str, path: str, rules: list[tuple[str, float]], q: float, rng: random.Random) -> Any:
    good = rng.random() < q
    if kind == "choice":
        return None  # drawn by make_unit from the field's choices
    if kind == "flag":
        if path.startswith("inspection."):
            return path == "inspection.site_inspected"
        return good
    if not rules:
        return rng.randint(0, 30) if kind == "count" else round(rng.uniform(10, 90), 2)
    direction, constant = rules[0] if len(rules) == 1 else max(rules, key=lambda r: r[1])
    value: float
    if direction == "down":
        value = 0 if good else rng.randint(1, 4)
    else:
        top = max(c for _, c in rules)
        low = min(c for _, c in rules)
        value = top + rng.randint(0, 3) if good else rng.choice([low - 1, (low + top) / 2])
    value = max(0.0, value)
    return int(round(value)) if kind == "count" else min(100.0, round(float(value), 2))


def make_unit(
    org: str, index: int, q: float, rubric: Rubric, rng: random.Random, unit_id: str | None = None
) -> dict[str, Any]:
    """One unit of ``org`` of quality ``q``; its id from ``NAMES`` by ``index`` unless ``unit_id`` is given."""
    rules = _thresholds(rubric)
    sections: dict[str, dict[str, Any]] = defaultdict(dict)
    indicators = rubric.indicators
    derived_ids = {d.id for d in indicators.derived}
    for path, kind in indicators.attributes(org).items():
        if path in derived_ids:
            continue
        section, _, field = path.partition(".")
        value = value_for(kind, path, rules.get(path, []), q, rng)
        if kind == "choice":
            declared = indicators.field(path)
            value = rng.choice([c.id for c in declared.choices]) if declared is not None else None
        if value is not None:
            sections[section][field] = value
    for total, part, derived in _shares(rubric):
        t_section, _, t_field = total.partition(".")
        p_section, _, p_field = part.partition(".")
        if t_field not in sections[t_section] or p_field not in sections[p_section]:
            continue
        whole = max(int(sections[t_section][t_field]), 10)
        if any(d == "down" for d, _ in rules.get(part, [])):  # a count of failings (unsupported records): as drawn
            sections[t_section][t_field] = max(whole, int(sections[p_section][p_field]))
            continue
        wanted = [c for d, c in rules.get(derived, []) if d == "up"]
        share = (max(wanted) + 5 if rng.random() < q else max(0, min(wanted) - 20)) if wanted else rng.uniform(40, 100)
        sections[t_section][t_field] = whole
        sections[p_section][p_field] = min(whole, int(whole * min(share, 100) / 100 + 0.999))
    if "safeguard" in sections and "office_funds_yuan" in sections["safeguard"]:
        sections["safeguard"]["office_funds_yuan"] = str(
            Decimal(int(sections["safeguard"]["office_funds_yuan"] * 1000))
        )
    name_pattern, id_pattern = NAMES.get(org, ("{p}" + indicators.org_type(org).zh, org + "-{i:03d}"))
    org_types = indicators.org_type_ids
    unit_id = unit_id or id_pattern.format(i=index + 1)
    return {
        "unit_id": unit_id,
        "name": ENGLISH.get(unit_id, name_pattern.format(p=PLACES[(index * 5 + org_types.index(org)) % len(PLACES)])),
        "org_type": org,
        "parent_unit_id": "city-01" if org == "county" else "county-01",
        "year": rubric.year,
        "appraisal_date": f"{rubric.year}-12-18",
        "rectification": {"responsible_person": PEOPLE[index % len(PEOPLE)], "position": "主席"},
        **{k: v for k, v in sections.items() if v},
    }


_THRESHOLDS: dict[tuple[str, str], dict[str, list[tuple[str, float]]]] = {}


def _thresholds(rubric: Rubric) -> dict[str, list[tuple[str, float]]]:
    key = (rubric.path, rubric.sha256)
    if key not in _THRESHOLDS:
        _THRESHOLDS[key] = thresholds(rubric)
    return _THRESHOLDS[key]


def synthetic_units(count: int, rubric: Rubric, seed: int = 2026) -> Iterator[dict[str, Any]]:
    """``count`` units over every org type in turn, of qualities cycling through ``QUALITIES`` (so every grade
    appears), with ids ``<org>-<n:06d>``; about one in fifty has falsified data found on inspection (a veto)."""
    rng = random.Random(seed)
    org_types = rubric.indicators.org_type_ids
    for n in range(count):
        org = org_types[n % len(org_types)]
        index = n // len(org_types)
        unit = make_unit(org, index, QUALITIES[index % len(QUALITIES)], rubric, rng, f"{org}-{n + 1:06d}")
        if rng.random() < 0.02:
            unit["inspection"] = {**unit.get("inspection", {}), "falsified_data": True}
        yield unit


def write_synthetic(folder: Path, count: int, rubric: Rubric, seed: int = 2026) -> None:
    """``count`` synthetic units into ``folder``, one JSON file each (``<unit-id>.json``)."""
    folder.mkdir(parents=True, exist_ok=True)
    for unit in synthetic_units(count, rubric, seed):
        text = json.dumps(unit, ensure_ascii=False, indent=2) + "\n"
        (folder / f"{unit['unit_id']}.json").write_text(text, encoding="utf-8")


__all__ = ["QUALITIES", "make_unit", "synthetic_units", "thresholds", "write_synthetic"]

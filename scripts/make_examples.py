"""Regenerate the bundled example submissions in src/appraisal/examples/ (run: make examples).

The examples are committed; this script says how they were made. For each org type it writes units of falling
quality: a unit of quality q meets each threshold its rubric names with probability q (values chosen from the
rubric's own constants, so the examples exercise the tiers), reports nearly everything, and names someone
responsible for rectification. One unit is vetoed (falsified data found on inspection), a few leave values
unreported, and four files are invalid on purpose. Seeded: the same rubric gives the same files.
"""

from __future__ import annotations

import json
import random
import shutil
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from appraisal import appraise_many, load_rubric
from appraisal.facts import attributes
from appraisal.rubric import Rubric, expr
from appraisal.submission import ORG_TYPES, PART_OF_WHOLE, submission_adapter

OUT = Path(__file__).resolve().parents[1] / "src" / "appraisal" / "examples"
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
    "community": ("{p}街道妇联", "community-{i:02d}"),
    "agency": ("{p}县教育局妇委会", "agency-{i:02d}"),
    "enterprise": ("{p}纺织有限公司妇女组织", "enterprise-{i:02d}"),
}
ENGLISH = {"county-01": "Qingshan County Women's Federation", "village-003": "Linjiang Village Women's Congress"}
PEOPLE = ["王丽", "李娟", "张敏", "刘芳", "陈静", "杨秀英", "赵霞", "黄梅"]
DERIVED = {derived for _, _, derived in PART_OF_WHOLE}


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
    if kind == "flag":
        if path.startswith("inspection."):
            return path == "inspection.site_inspected"
        return good
    if not rules:
        return rng.randint(0, 30) if kind == "count" else round(rng.uniform(10, 90), 2)
    direction, constant = rules[0] if len(rules) == 1 else max(rules, key=lambda r: r[1])
    if direction == "down":
        value = 0 if good else rng.randint(1, 4)
    else:
        top = max(c for _, c in rules)
        low = min(c for _, c in rules)
        value = top + rng.randint(0, 3) if good else rng.choice([low - 1, (low + top) / 2])
    value = max(0.0, value)
    return int(round(value)) if kind == "count" else min(100.0, round(float(value), 2))


def make_unit(org: str, index: int, q: float, rubric: Rubric, rng: random.Random) -> dict[str, Any]:
    rules = thresholds(rubric)
    sections: dict[str, dict[str, Any]] = defaultdict(dict)
    for path, kind in attributes(org).items():
        if path in DERIVED:
            continue
        section, _, field = path.partition(".")
        sections[section][field] = value_for(kind, path, rules.get(path, []), q, rng)
    for total, part, derived in PART_OF_WHOLE:
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
    name_pattern, id_pattern = NAMES[org]
    unit_id = id_pattern.format(i=index + 1)
    return {
        "unit_id": unit_id,
        "name": ENGLISH.get(unit_id, name_pattern.format(p=PLACES[(index * 5 + ORG_TYPES.index(org)) % len(PLACES)])),
        "org_type": org,
        "parent_unit_id": "city-01" if org == "county" else "county-01",
        "year": rubric.year,
        "appraisal_date": f"{rubric.year}-12-18",
        "rectification": {"responsible_person": PEOPLE[index % len(PEOPLE)], "position": "主席"},
        **{k: v for k, v in sections.items() if v},
    }


INVALID = {
    "invalid-village-099.json": json.dumps(
        {
            "unit_id": "village-099",
            "name": "错填村妇代会",
            "org_type": "village",
            "year": 2026,
            "appraisal_date": "2026-12-18",
            "leadership": {"standing_committee_hearings": -1, "leader_in_chrge": True},
        },
        ensure_ascii=False,
        indent=2,
    ),
    "invalid-township-098.json": json.dumps(
        {
            "unit_id": "township-098",
            "name": "越界镇妇联",
            "org_type": "township",
            "year": 2026,
            "appraisal_date": "2026-12-18",
            "treatment": {"committee_head_treatment": True},
        },
        ensure_ascii=False,
        indent=2,
    ),
    "invalid-broken.yaml": "unit_id: community-097\nname: [未闭合\norg_type: community\n",
    "invalid-year-2019.json": json.dumps(
        {
            "unit_id": "agency-096",
            "name": "往年机关妇委会",
            "org_type": "agency",
            "year": 2019,
            "appraisal_date": "2019-12-18",
        },
        ensure_ascii=False,
        indent=2,
    ),
}


def main() -> int:
    rubric = load_rubric()
    rng = random.Random(2026)
    units = [make_unit(org, i, q, rubric, rng) for org in ORG_TYPES for i, q in enumerate(QUALITIES)]
    # one vetoed unit with otherwise strong work, and two that left values unreported
    units[1]["inspection"] = {**units[1].get("inspection", {}), "falsified_data": True}
    for unit in (units[10], units[27]):
        unit.get("leadership", {}).pop("working_meetings", None)
        unit.get("treatment", {}).pop("women_cadres_trained", None)
    cards = appraise_many([submission_adapter.validate_python(u) for u in units], rubric).scorecards
    grades = {g: sum(c.grade == g for c in cards) for g in ("excellent", "good", "qualified", "unqualified")}
    print(
        f"{len(cards)} units: {grades}; vetoed {sum(c.vetoed for c in cards)}; "
        f"commended {sum(c.commended for c in cards)}"
    )
    if not all(grades.values()):
        print("the examples do not cover every grade: adjust QUALITIES", file=sys.stderr)
        return 1
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    enterprises = [u for u in units if u["org_type"] == "enterprise"]
    for unit in units:
        if unit["org_type"] == "enterprise":
            continue
        if unit["org_type"] in ("village", "community"):
            text = yaml.safe_dump(unit, allow_unicode=True, sort_keys=False)
            (OUT / f"{unit['unit_id']}.yaml").write_text(text, encoding="utf-8")
        else:
            (OUT / f"{unit['unit_id']}.json").write_text(
                json.dumps(unit, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
    (OUT / "enterprises.yaml").write_text(
        yaml.safe_dump(enterprises, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    for name, text in INVALID.items():
        (OUT / name).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

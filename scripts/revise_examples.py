"""Carry the bundled 2026 examples from rubric 2026.1 to 2026.2 (run once, when 2026.2 came in; kept to say how).

The examples in src/appraisal/examples/ were drawn by make_examples.py under 2026.1. Rather than draw new units,
which would change every value and hide what the revision itself changed, this script keeps each unit's values
and makes only the changes 2026.2 needs (docs/rubric.md, "Revision 2026.2"), so the demo's scores move only
where the rubric moved them:

- the street is split from the community: the eight old "community" units (a street federation with
  communities below it, as their names say) become street-01 ... street-08; eight community units (village
  level) are drawn new with make_unit under 2026.2;
- the fields a type no longer reports dropped (the township's Working Committee, interest subsidies, reserve-cadre
  share, promotions, pre-job and recruitment systems; cadres' treatment of a village or agency);
- counts on a county's own scale (re-employment, micro-loans, women cadres trained), which 2026.1 drew on the
  township's scale, multiplied by ten, ten and four, as the county's thresholds grew;
- higher-level awards also reported per level (all as city awards), plus county awards;
- the new fields drawn as make_unit draws them: a unit of quality q meets each new threshold with probability
  q (the quality of a unit is that of its place in make_examples.QUALITIES, seeded).

Run: .venv/bin/python scripts/revise_examples.py, then scripts/make_example_workbooks.py. ``make examples``
(make_examples.py) draws every unit anew under the current rubric instead.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

import yaml

from appraisal import load_rubric
from appraisal.batch.synthetic import QUALITIES, make_unit

OUT = Path(__file__).resolve().parents[1] / "src" / "appraisal" / "examples"
SCALE = {"reemployment_placements": 10, "microloans": 10, "women_cadres_trained": 4}


def good(rng: random.Random, q: float) -> bool:
    return rng.random() < q


def revise(unit: dict[str, Any], q: float, rng: random.Random) -> dict[str, Any]:
    org = unit["org_type"]
    if org == "community":
        org = unit["org_type"] = "street"
        unit["unit_id"] = unit["unit_id"].replace("community-", "street-")
    sec = {
        name: unit.setdefault(name, {})
        for name in (
            "leadership",
            "appraisal",
            "safeguard",
            "meritorious_service",
            "five_good_families",
            "treatment",
            "organization",
            "bonus",
        )
    }
    lead, ms, fg, tr, org_ = (
        sec[k] for k in ("leadership", "meritorious_service", "five_good_families", "treatment", "organization")
    )
    if org == "township":
        for key in ("wcwc_member_units", "wcwc_member_units_active"):
            lead.pop(key, None)
        ms.pop("interest_subsidies_arranged", None)
        tr.pop("female_reserve_cadre_share", None)
        tr.pop("women_cadres_promoted", None)
        org_.pop("prejob_exercise_system", None)
        org_.pop("regular_recruitment_system", None)
    if org in ("village", "agency"):
        sec["safeguard"].pop("cadre_treatment_implemented", None)
    if org == "county":
        for key, factor in SCALE.items():
            for section in (ms, tr):
                if key in section:
                    section[key] = section[key] * factor
        ms["model_entrepreneurs_publicized"] = rng.randint(2, 4) if good(rng, q) else rng.randint(0, 1)
        tr["female_talent_pool_updated"] = good(rng, q)
        org_["entrepreneurs_association_form"] = good(rng, q)
    if org == "township":
        ms["model_entrepreneurs_publicized"] = rng.randint(2, 3) if good(rng, q) else rng.randint(0, 1)
        tr["women_recommended_as_reserve_cadres"] = rng.randint(5, 7) if good(rng, q) else rng.randint(0, 3)
        org_["women_recommended_village_heads"] = rng.randint(3, 4) if good(rng, q) else rng.randint(0, 1)
    if org in ("township", "street"):
        whole = int(sec["appraisal"].get("subordinate_units", 10))
        share = rng.uniform(0.9, 1.0) if good(rng, q) else rng.uniform(0.3, 0.7)
        org_["lower_units_with_womens_home"] = min(whole, int(whole * share + 0.999))
    if org == "village":
        org_["womens_home"] = good(rng, q)
        last = rng.randint(3, 7)
        org_["women_village_cadres_last_year"] = last
        org_["women_village_cadres"] = last + rng.randint(0, 1) if good(rng, q) else last - 1
    if org == "enterprise":
        org_["has_party_organization"] = unit["unit_id"] not in ("enterprise-05", "enterprise-08")
    if org in ("county", "township", "agency", "enterprise"):
        households = {"county": 120000, "township": 8000, "agency": 200, "enterprise": 300}[org]
        households += rng.randint(0, households // 10)
        share = rng.uniform(0.6, 0.9) if good(rng, q) else rng.uniform(0.1, 0.5)
        fg["households"] = households
        fg["families_created"] = int(households * share)
    if org in ("county", "township", "street", "village"):
        received = rng.randint(0, 12)
        fg["family_disputes_received"] = received
        fg["family_disputes_mediated"] = received if good(rng, q) else int(received * 0.6)
    fg["family_education_activities"] = rng.randint(4, 8) if good(rng, q) else rng.randint(0, 3)
    bonus = sec["bonus"]
    if "higher_level_awards" in bonus:
        city = bonus["higher_level_awards"]
        bonus.update(awards_national=0, awards_provincial=0, awards_city=city, awards_county=rng.randint(0, 2))
    for name in list(sec):
        if not unit[name]:
            del unit[name]
    return order(unit)


def order(unit: dict[str, Any]) -> dict[str, Any]:
    """Sections in the order of the year's indicators, each section's new fields after its old ones."""
    head = ["unit_id", "name", "org_type", "parent_unit_id", "year", "appraisal_date", "rectification"]
    sections = [s.id for s in RUBRIC.indicators.sections]
    keys = head + sections
    return {k: unit[k] for k in keys if k in unit} | {k: v for k, v in unit.items() if k not in keys}


def quality(unit_id: str) -> float:
    return QUALITIES[int(unit_id.rpartition("-")[2]) - 1]


def write(unit: dict[str, Any]) -> None:
    if unit["org_type"] in ("street", "village", "community"):
        text = yaml.safe_dump(unit, allow_unicode=True, sort_keys=False)
        (OUT / f"{unit['unit_id']}.yaml").write_text(text, encoding="utf-8")
    else:
        (OUT / f"{unit['unit_id']}.json").write_text(json.dumps(unit, ensure_ascii=False, indent=2) + "\n", "utf-8")


RUBRIC = load_rubric(2026)


def main() -> int:
    if not (OUT / "community-01.yaml").exists() or (OUT / "street-01.yaml").exists():
        print("the examples are not those of 2026.1: nothing to do", file=sys.stderr)
        return 1
    rng = random.Random(20262)
    for path in sorted(OUT.glob("*")):
        if path.name.startswith("invalid-") or path.suffix not in (".json", ".yaml"):
            continue
        if path.name == "enterprises.yaml":
            units = yaml.safe_load(path.read_text(encoding="utf-8"))
            revised = [revise(u, quality(u["unit_id"]), rng) for u in units]
            path.write_text(yaml.safe_dump(revised, allow_unicode=True, sort_keys=False), encoding="utf-8")
            continue
        text = path.read_text(encoding="utf-8")
        unit = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        path.unlink()
        write(revise(unit, quality(unit["unit_id"]), rng))
    for i, q in enumerate(QUALITIES):
        write(make_unit("community", i, q, RUBRIC, rng))
    return 0


if __name__ == "__main__":
    sys.exit(main())

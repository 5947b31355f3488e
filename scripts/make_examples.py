"""Regenerate the bundled example submissions in src/appraisal/examples/ (run: make examples).

The examples are committed; this script says how they were made. For each org type it writes units of falling
quality: a unit of quality q meets each threshold its rubric names with probability q (values chosen from the
rubric's own constants, so the examples exercise the tiers), reports nearly everything, and names someone
responsible for rectification. One unit is vetoed (falsified data found on inspection), a few leave values
unreported, and four files are invalid on purpose. Seeded: the same rubric gives the same files.

The committed 2026 examples were drawn by this script under rubric 2026.1 and carried to 2026.2 by
scripts/revise_examples.py, so that the demo's moves show the revision (docs/rubric.md); running this script
draws every unit anew under the current rubric instead.
"""

from __future__ import annotations

import json
import random
import shutil
import sys
from pathlib import Path

import yaml

from appraisal import appraise_many, load_rubric
from appraisal.batch.synthetic import QUALITIES, make_unit
from appraisal.submission import submission_adapter

OUT = Path(__file__).resolve().parents[1] / "src" / "appraisal" / "examples"
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
    org_types = rubric.indicators.org_type_ids
    units = [make_unit(org, i, q, rubric, rng) for org in org_types for i, q in enumerate(QUALITIES)]
    # one vetoed unit with otherwise strong work, and two that left values unreported
    units[1]["inspection"] = {**units[1].get("inspection", {}), "falsified_data": True}
    for unit in (units[10], units[27]):
        unit.get("leadership", {}).pop("working_meetings", None)
        unit.get("treatment", {}).pop("women_cadres_trained", None)
    adapter = submission_adapter(rubric.indicators)
    cards = appraise_many([adapter.validate_python(u) for u in units], rubric).scorecards
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
        if unit["org_type"] in ("street", "village", "community"):
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

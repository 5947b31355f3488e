"""Seeded synthetic units with everything a scorecard can show: unreported values, self-assessed points, values
the appraisers verified differently (with and without a note), site inspections and who answers for rectification.

For tests that compare scorecards built two ways over many units (``test_trusted``); the figures are random but
fixed by the seed.
"""

from __future__ import annotations

import random
from typing import Any

from pydantic import ValidationError

from appraisal.rubric import Rubric
from appraisal.submission import SubmissionBase, indicators_for_year, submission_adapter

METHODS = ("records", "site_visit", "interview")


def _value(rng: random.Random, kind: str, section: str) -> Any:
    if kind == "flag":
        return rng.random() < (0.3 if section == "inspection" else 0.8)
    if kind == "count":
        return rng.randint(0, 3) if section in ("inspection", "bonus") else rng.randint(0, 40)
    return round(rng.uniform(0, 100), 2)


def claims_unit(index: int, rubric: Rubric, seed: int = 7) -> SubmissionBase:
    """Unit ``index`` of the seeded set, scored by ``rubric``'s year (every org type in turn)."""
    rng = random.Random(seed * 1_000_003 + index)
    indicators = indicators_for_year(rubric.year)
    org = indicators.org_type_ids[index % len(indicators.org_type_ids)]
    derived = {d.id for d in indicators.derived}
    reportable = {path: kind for path, kind in indicators.attributes(org).items() if path not in derived}
    sections: dict[str, dict[str, Any]] = {}
    for path, kind in reportable.items():
        declared = indicators.field(path)
        required = declared is not None and declared.required
        if rng.random() < 0.08 and not required:
            continue
        section, _, field = path.partition(".")
        value = _value(rng, kind, section)
        if declared is not None and declared.min is not None and kind == "count":
            value = max(value, int(declared.min))  # a whole that may not be 0 (2026's min: 1)
        sections.setdefault(section, {})[field] = value
    for derived_value in indicators.derived:
        if derived_value.share is None:
            continue
        t_section, _, t_field = derived_value.share.whole.partition(".")
        p_section, _, p_field = derived_value.share.part.partition(".")
        if t_field in sections.get(t_section, {}) and p_field in sections.get(p_section, {}):
            sections[p_section][p_field] = min(sections[p_section][p_field], sections[t_section][t_field])
    data: dict[str, Any] = {
        "unit_id": f"{org}-c{index:05d}",
        "name": f"Claims {org} {index}",
        "org_type": org,
        "year": rubric.year,
        "appraisal_date": f"{rubric.year}-12-{rng.randint(1, 31):02d}",
        **sections,
    }
    items = [item for item in rubric.items if item.max_for(org) is not None]
    if rng.random() < 0.6:
        chosen = rng.sample(items, rng.randint(1, min(12, len(items))))
        data["self_assessment"] = {
            item.id: float(rng.choice([0, item.max_for(org), rng.randint(0, 8) / 2])) for item in chosen
        }
    if rng.random() < 0.3:
        data["self_score"] = round(rng.uniform(50, 100), 1)
    if rng.random() < 0.5:
        data["rectification"] = {"responsible_person": rng.choice(["李红", "Wang Fang", "张 伟"])}
    checks: dict[str, dict[str, Any]] = {}
    for path in rng.sample(sorted(reportable), rng.randint(0, 4)) if rng.random() < 0.5 else ():
        section, _, field = path.partition(".")
        check = {"value": _value(rng, reportable[path], section), "by": rng.choice(["李红", "Zhou Min"])}
        check["method"] = rng.choice(METHODS)
        if rng.random() < 0.5:
            check["note"] = "checked against the ledger"
        checks.setdefault(section, {})[field] = check
    adapter = submission_adapter(indicators)
    if checks:
        try:
            return adapter.validate_python({**data, "verification": checks})
        except ValidationError:
            pass  # a verified part larger than its whole: the unit without its checks
    return adapter.validate_python(data)

"""Seeded synthetic submissions for benchmarks: every reportable value of every org type, random but fixed."""

from __future__ import annotations

import random
from typing import Any

from appraisal.submission import SubmissionBase, indicators_for_year, submission_adapter


def synthetic_unit(index: int, year: int = 2026, seed: int = 0) -> SubmissionBase:
    rng = random.Random(seed * 1_000_003 + index)
    indicators = indicators_for_year(year)
    org = indicators.org_type_ids[index % len(indicators.org_type_ids)]
    derived = {d.id for d in indicators.derived}
    shares = [(d.share.whole, d.share.part) for d in indicators.derived if d.share is not None]
    sections: dict[str, dict[str, Any]] = {}
    for path, kind in indicators.attributes(org).items():
        declared = indicators.field(path)
        required = declared is not None and declared.required
        if path in derived or (rng.random() < 0.03 and not required):  # a few values left unreported
            continue
        section, _, field = path.partition(".")
        if kind == "flag":
            value: Any = rng.random() < (0.05 if section == "inspection" else 0.8)
        elif kind == "count":
            value = rng.randint(0, 3) if section in ("inspection", "bonus") else rng.randint(0, 40)
            if declared is not None and declared.min is not None:
                value = max(value, int(declared.min))  # a whole that may not be 0
        else:
            value = round(rng.uniform(0, 100), 2)
        sections.setdefault(section, {})[field] = value
    for total, part in shares:
        t_section, _, t_field = total.partition(".")
        p_section, _, p_field = part.partition(".")
        if t_field in sections.get(t_section, {}) and p_field in sections.get(p_section, {}):
            sections[p_section][p_field] = min(sections[p_section][p_field], sections[t_section][t_field])
    return submission_adapter(indicators).validate_python(
        {
            "unit_id": f"{org}-{index:06d}",
            "name": f"Synthetic {org} {index}",
            "org_type": org,
            "year": year,
            "appraisal_date": f"{year}-12-20",
            **sections,
        }
    )

"""The county-township fixture (every feature of the format at once: applies_when, weighted groups, whole steps,
award levels, deductions with floors, grades on the total) scored by ``appraise`` and by the independent
evaluator over seeded random units: both must agree on every item, deduction, total and grade."""

from __future__ import annotations

import random
from typing import Any

from tests.builders import FIXTURES
from tests.differential.evaluator import evaluate_values
from tests.differential.test_differential import disagreements

from appraisal import appraise, load_rubric
from appraisal.submission.loading import validate_unit

COUNTY = FIXTURES / "rubrics" / "county-township"
COUNTS = ("party_hearings", "management_hearings", "women_trained", "women_cadres", "homes_built")
COUNTS += ("disputes_mediated", "innovations")


def _unit(draw: random.Random, index: int) -> tuple[dict[str, Any], dict[str, Any]]:
    work: dict[str, Any] = {
        "has_party_organization": draw.random() < 0.5,
        "reports_late": draw.choice([0, 0, 1, 3, 12, 40]),
        "serious_incident": draw.random() < 0.3,
    }
    for name in COUNTS:
        if draw.random() < 0.9:  # else left unreported
            work[name] = draw.choice([0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 49, 50, 99, 100, 499, 500, 501])
    honours = {
        level: draw.choice([0, 0, 1, 2])
        for level in ("national", "provincial", "city", "county")
        if draw.random() < 0.8
    }
    data = {
        "unit_id": f"r-{index}",
        "name": f"Random {index}",
        "org_type": draw.choice(["township", "enterprise"]),
        "year": 2027,
        "appraisal_date": "2027-12-18",
        "work": work,
        "honours": honours,
    }
    values = {f"work.{k}": v for k, v in work.items()} | {f"honours.{k}": v for k, v in honours.items()}
    return data, values


def test_appraise_agrees_with_the_evaluator_on_random_county_units() -> None:
    rubric = load_rubric(COUNTY)
    draw = random.Random(2027)
    for index in range(300):
        data, values = _unit(draw, index)
        card = appraise(validate_unit(data, f"r-{index}.json", rubric), rubric)
        problems = disagreements(card, evaluate_values(rubric, data["org_type"], values))
        assert not problems, f"{data}:\n" + "\n".join(problems)

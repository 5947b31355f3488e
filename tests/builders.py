"""Builders of submissions and paths to test fixtures, shared by the tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from appraisal.submission import SubmissionBase, submission_adapter

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "rubrics" / "mini"


def unit(org_type: str = "village", unit_id: str = "u-1", **sections: Any) -> dict[str, Any]:
    """A submission mapping with identity filled in and the given sections."""
    return {
        "unit_id": unit_id,
        "name": f"Unit {unit_id}",
        "org_type": org_type,
        "year": 2026,
        "appraisal_date": "2026-12-20",
        **sections,
    }


def make(org_type: str = "village", unit_id: str = "u-1", **sections: Any) -> SubmissionBase:
    return submission_adapter.validate_python(unit(org_type, unit_id, **sections))

"""Stage 1, submissions: a year's indicators and JSON/YAML files in, validated per-org-type pydantic models out."""

from __future__ import annotations

from .indicators import (
    FieldDef,
    HasIndicators,
    Indicators,
    OrgTypeDef,
    Text,
    bundled_folder,
    bundled_years,
    indicators_for_year,
    load_indicators,
)
from .loading import expand, load_submission, load_submissions, unique_units, validate_unit
from .models import Section, SubmissionBase, Verified, json_schema, submission_adapter, submission_model

__all__ = [
    "FieldDef",
    "HasIndicators",
    "Indicators",
    "OrgTypeDef",
    "Section",
    "SubmissionBase",
    "Text",
    "Verified",
    "bundled_folder",
    "bundled_years",
    "expand",
    "indicators_for_year",
    "json_schema",
    "load_indicators",
    "load_submission",
    "load_submissions",
    "submission_adapter",
    "submission_model",
    "unique_units",
    "validate_unit",
]

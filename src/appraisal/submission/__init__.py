"""Stage 1, submissions: JSON/YAML files in, validated per-org-type pydantic models out."""

from __future__ import annotations

from .fields import ORG_TYPE_LABELS, ORG_TYPES, OrgType
from .loading import expand, load_submission, load_submissions, unique_units
from .models import PART_OF_WHOLE, SubmissionBase, submission_adapter, submission_model
from .sections import SECTIONS, Section

__all__ = [
    "ORG_TYPES",
    "ORG_TYPE_LABELS",
    "PART_OF_WHOLE",
    "SECTIONS",
    "OrgType",
    "Section",
    "SubmissionBase",
    "expand",
    "load_submission",
    "load_submissions",
    "submission_adapter",
    "submission_model",
    "unique_units",
]

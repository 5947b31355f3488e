"""Per-org-type submission models, cut from the sections' full field lists.

In: a mapping parsed from JSON or YAML. Out: a validated ``SubmissionBase`` subclass for the unit's org type
(``CountySubmission`` ... ``EnterpriseSubmission``), chosen by ``org_type``. A field that does not apply to a
type is not in that type's model, so giving it is an error, and it is never scored as zero.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, Literal, Union, cast

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    TypeAdapter,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)

from .fields import ORG_TYPES, OrgType
from .sections import SECTIONS, Rectification, Section

UNIT_ID_PATTERN = r"^[A-Za-z0-9._-]{1,64}$"
NAME_MAX = 100


def _not_only_dots(value: str) -> str:
    if not value.strip("."):
        raise ValueError("a unit id needs a letter or digit (it becomes a file name)")
    return value


def _plain_name(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in value):
        raise ValueError("must not contain control or format characters (line breaks, NUL, bidi controls)")
    return value


def _calendar_date(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("must be a date such as 2026-12-20, not a number")
    return value


UnitName = Annotated[str, Field(min_length=1, max_length=NAME_MAX), AfterValidator(_plain_name)]
AppraisalDate = Annotated[dt.date, BeforeValidator(_calendar_date)]

UnitId = Annotated[str, Field(pattern=UNIT_ID_PATTERN, min_length=1, max_length=64), AfterValidator(_not_only_dots)]

# (total field, part field, derived share) pairs checked for part <= total and turned into facts.
PART_OF_WHOLE: tuple[tuple[str, str, str], ...] = (
    ("appraisal.subordinate_units", "appraisal.subordinate_units_inspected", "appraisal.inspected_share"),
    ("leadership.wcwc_member_units", "leadership.wcwc_member_units_active", "leadership.wcwc_active_share"),
    (
        "double_learning.rights_cases_handled",
        "double_learning.rights_cases_resolved",
        "double_learning.rights_cases_resolved_share",
    ),
    (
        "five_good_families.households",
        "five_good_families.families_created",
        "five_good_families.created_share",
    ),
    (
        "treatment.villages",
        "treatment.villages_director_on_two_committees",
        "treatment.villages_director_on_two_committees_share",
    ),
    (
        "treatment.villages",
        "treatment.villages_director_deputy_treatment",
        "treatment.villages_director_deputy_treatment_share",
    ),
    (
        "organization.village_congresses",
        "organization.village_congresses_double_trained",
        "organization.double_trained_share",
    ),
    (
        "organization.neighborhood_congresses",
        "organization.neighborhood_congresses_established",
        "organization.neighborhood_congresses_share",
    ),
    ("inspection.records_sampled", "inspection.records_unsupported", "inspection.unsupported_share"),
)


class SubmissionBase(BaseModel):
    """What every submission has: identity, the appraising level's additions, and the scored sections."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    unit_id: UnitId = Field(
        description="Unit id, unique in a run; becomes a file name",
        json_schema_extra={"label_zh": "单位编号"},
    )
    org_type: OrgType = Field(description="Organization type", json_schema_extra={"label_zh": "组织类型"})
    name: UnitName = Field(description="Unit name", json_schema_extra={"label_zh": "单位名称"})
    parent_unit_id: UnitId | None = Field(
        default=None,
        description="Id of the appraising (parent) unit",
        json_schema_extra={"label_zh": "上级单位编号"},
    )
    year: int = Field(
        ge=2000,
        le=2100,
        strict=True,
        description="Year of work the submission reports",
        json_schema_extra={"label_zh": "考核年度"},
    )
    appraisal_date: AppraisalDate = Field(
        description="Date of the year-end appraisal", json_schema_extra={"label_zh": "考核日期"}
    )
    self_score: Decimal | None = Field(
        default=None,
        ge=0,
        le=1000,
        decimal_places=2,
        description="The unit's own score, shown beside the assessor's",
        json_schema_extra={"label_zh": "自评分"},
    )
    rectification: Rectification | None = Field(
        default=None, description="Who answers for rectification", json_schema_extra={"label_zh": "整改责任"}
    )

    _source: str = PrivateAttr(default="")

    @property
    def source(self) -> str:
        """The file (``name.json`` or ``name.yaml[3]``) the unit was read from; its id when built in code."""
        return self._source or self.unit_id

    @property
    def org(self) -> str:
        return self.org_type

    def section(self, name: str) -> Section:
        value = getattr(self, name)
        assert isinstance(value, Section)
        return value

    def value(self, path: str) -> Any:
        """The value at ``section.field`` (``None`` when not reported or not a field of this type)."""
        section, _, name = path.partition(".")
        return getattr(getattr(self, section, None), name, None)

    @field_validator("appraisal_date")
    @classmethod
    def _in_the_year_or_the_next(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        # The year-end appraisal falls in the year's last months or early in the next year.
        year = info.data.get("year")
        if isinstance(year, int) and not year <= value.year <= year + 1:
            raise ValueError(f"must fall in {year} or {year + 1} (got {value})")
        return value

    @model_validator(mode="after")
    def _parts_within_wholes(self) -> SubmissionBase:
        for total_path, part_path, _ in PART_OF_WHOLE:
            total, part = self.value(total_path), self.value(part_path)
            if total is not None and part is not None and part > total:
                raise ValueError(f"{part_path} ({part}) cannot exceed {total_path} ({total})")
        return self


@cache
def _section_for(section: type[Section], org_type: str) -> type[Section]:
    fields: dict[str, Any] = {}
    for name, info in section.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        types = extra.get("org_types")
        if types is None or org_type in types:  # type: ignore[operator]
            fields[name] = (info.annotation, info)
    base = section.__base__
    assert base is not None and issubclass(base, Section)
    model = create_model(f"{section.__name__}{org_type.title()}", __base__=base, __doc__=section.__doc__, **fields)
    return cast(type[Section], model)


@cache
def submission_model(org_type: str) -> type[SubmissionBase]:
    """The submission model of one org type."""
    sections: dict[str, Any] = {
        name: (
            _section_for(section, org_type),
            Field(default_factory=_section_for(section, org_type), description=(section.__doc__ or "").strip()),
        )
        for name, section in SECTIONS.items()
    }
    tag: Any = Literal[org_type]
    model: type[SubmissionBase] = create_model(
        f"{org_type.title()}Submission",
        __base__=SubmissionBase,
        __doc__=f"Yearly submission of a {org_type} unit.",
        org_type=(
            tag,
            Field(description="Organization type", json_schema_extra={"label_zh": "组织类型"}),
        ),
        **sections,
    )
    return model


def section_fields(section: str, org_type: str) -> dict[str, Any]:
    """The fields (name -> FieldInfo) of ``section`` for ``org_type``."""
    return dict(submission_model(org_type).model_fields[section].annotation.model_fields)  # type: ignore[union-attr]


def all_section_fields(section: str) -> dict[str, Any]:
    """Every field of ``section`` over all org types."""
    return dict(SECTIONS[section].model_fields)


SUBMISSION_MODELS: tuple[type[SubmissionBase], ...] = tuple(submission_model(t) for t in ORG_TYPES)

Submission = Annotated[Union[SUBMISSION_MODELS], Field(discriminator="org_type")]  # type: ignore[valid-type]  # noqa: UP007
submission_adapter: TypeAdapter[SubmissionBase] = TypeAdapter(Submission)

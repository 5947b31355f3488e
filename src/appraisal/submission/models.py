"""Submission models generated from a year's indicators, one per org type, cached.

In: an ``Indicators`` (``indicators.py``) and a mapping parsed from JSON or YAML. Out: a validated
``SubmissionBase`` subclass for the unit's org type, chosen by ``org_type``. A field that does not apply to a
type is not in that type's model, so giving it is an error, and it is never scored as zero. Beside the
sections, every model has the identity, the unit's own points per item (``self_assessment``), what the
appraisers verified (``verification``) and who answers for rectification.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Annotated, Any, ClassVar, Literal, Union, cast

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PrivateAttr,
    TypeAdapter,
    WithJsonSchema,
    create_model,
    model_validator,
)

from .fields import CalendarDate, Name50, Name80, Name100, Note500, annotation
from .indicators import FieldDef, Indicators

UNIT_ID_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$"
# Names Windows reserves for devices: a unit id becomes a file name, with or without an extension.
WINDOWS_RESERVED = ("CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10)))
# Case-insensitive by letter classes: ECMAScript patterns (JSON Schema's) have no (?i) flag.
RESERVED_ID_PATTERN = (
    "^("
    + "|".join("".join(f"[{c}{c.lower()}]" if c.isalpha() else c for c in n) for n in WINDOWS_RESERVED)
    + r")(\..*)?$"
)
SELF_POINTS_MAX = 1000


def _points_input(value: Any) -> Any:
    """Points are JSON numbers (a boolean is not 1)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError(f"must be a number of points (got {value!r})")
    return Decimal(str(value))


def _usable_as_file_name(value: str) -> str:
    stem = value.split(".")[0].upper()
    if stem in WINDOWS_RESERVED:
        raise ValueError(f"{value!r} is a device name on Windows and cannot be a file name")
    return value


UnitId = Annotated[
    str,
    Field(
        pattern=UNIT_ID_PATTERN,
        min_length=1,
        max_length=64,
        json_schema_extra={"not": {"pattern": RESERVED_ID_PATTERN}},
    ),
    AfterValidator(_usable_as_file_name),
]
Points = Annotated[
    Decimal,
    BeforeValidator(_points_input),
    Field(ge=0, le=SELF_POINTS_MAX, decimal_places=2),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": SELF_POINTS_MAX, "multipleOf": 0.01}),
    PlainSerializer(float, return_type=float, when_used="json"),
]
ITEM_KEY_PATTERN = r"^[A-Za-z][A-Za-z0-9_-]{0,31}$"
ItemKey = Annotated[str, Field(pattern=ITEM_KEY_PATTERN)]
SelfAssessment = Annotated[
    dict[ItemKey, Points],
    WithJsonSchema(
        {
            "type": "object",
            "patternProperties": {
                ITEM_KEY_PATTERN: {"type": "number", "minimum": 0, "maximum": SELF_POINTS_MAX, "multipleOf": 0.01}
            },
            "additionalProperties": False,
        }
    ),
]


class Section(BaseModel):
    """A part of the submission; unknown fields are errors (a typo must never silently score zero)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Rectification(Section):
    """Who answers for rectification (optional; shown on the improvement notice)."""

    responsible_person: Name50 = Field(
        description="Person responsible for rectification", json_schema_extra={"label_zh": "整改责任人"}
    )
    position: Name80 | None = Field(
        default=None, description="That person's position", json_schema_extra={"label_zh": "职务"}
    )


class SubmissionBase(BaseModel):
    """What every submission has: identity, the appraising level's additions, and the scored sections."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    indicators: ClassVar[Indicators]

    unit_id: UnitId = Field(
        description="Unit id, unique in a run ignoring case; becomes a file name",
        json_schema_extra={"label_zh": "单位编号"},
    )
    org_type: str = Field(description="Organization type", json_schema_extra={"label_zh": "组织类型"})
    name: Name100 = Field(description="Unit name", json_schema_extra={"label_zh": "单位名称"})
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
    appraisal_date: CalendarDate = Field(
        description="Date of the year-end appraisal, in the year or the next",
        json_schema_extra={"label_zh": "考核日期"},
    )
    self_score: Points | None = Field(
        default=None,
        description="The unit's own total score, shown beside the assessor's",
        json_schema_extra={"label_zh": "自评分"},
    )
    self_assessment: SelfAssessment | None = Field(
        default=None,
        description="The unit's own points per rubric item (any subset), shown beside the assessed points",
        json_schema_extra={"label_zh": "自评得分（按项目）"},
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

    def section(self, name: str) -> Section | None:
        value = getattr(self, name, None)
        return value if isinstance(value, Section) else None

    def reported(self, path: str) -> Any:
        """The value the unit reported at ``section.field`` (``None`` when not reported, or not asked of its
        org type)."""
        section, _, name = path.partition(".")
        return _field(_field(self, section), name)

    def verified(self, path: str) -> Verified | None:
        """What the appraisers verified at ``section.field``, if they did."""
        section, _, name = path.partition(".")
        found = _field(_field(_field(self, "verification"), section), name)
        return found if isinstance(found, Verified) else None

    def value(self, path: str) -> Any:
        """The value scored at ``section.field``: the verified one where the appraisers verified it."""
        check = self.verified(path)
        return check.value if check is not None else self.reported(path)

    @model_validator(mode="after")
    def _checks(self) -> SubmissionBase:
        year = self.indicators.year
        if self.year != year:
            raise ValueError(f"year: the submission is for {self.year}; these indicators are for {year}")
        if not year <= self.appraisal_date.year <= year + 1:
            raise ValueError(f"appraisal_date: must fall in {year} or {year + 1} (got {self.appraisal_date})")
        # without a verification, the values scored are those reported: one pass
        passes = (self.reported,) if self.__dict__.get("verification") is None else (self.reported, self.value)
        for derived in self.indicators.derived:
            if derived.share is None:
                continue
            for value in passes:
                whole, part = value(derived.share.whole), value(derived.share.part)
                if whole is not None and part is not None and part > whole:
                    raise ValueError(f"{derived.share.part} ({part}) cannot exceed {derived.share.whole} ({whole})")
        return self


def _field(model: object, name: str) -> Any:
    """The value of ``model``'s field ``name``; None when it has none (or ``model`` is None). Read from the
    model's ``__dict__``: a missing name through ``getattr`` goes through pydantic's ``__getattr__`` and an
    exception, and a unit's checks and scoring ask for fields its org type lacks tens of times (400 µs a unit)."""
    values = getattr(model, "__dict__", None)
    return values.get(name) if values is not None else None


class Verified(Section):
    """One value the appraising level checked: what it found, who checked it, how, and a note."""

    value: Any
    by: Name50 = Field(description="Who verified it", json_schema_extra={"label_zh": "核实人"})
    method: str = Field(description="How it was verified", json_schema_extra={"label_zh": "核实方式"})
    note: Note500 | None = Field(default=None, description="What was found", json_schema_extra={"label_zh": "核实说明"})


def _label(field: FieldDef) -> dict[str, Any]:
    extra: dict[str, Any] = {"label_zh": field.zh}
    if field.unit is not None:
        extra["unit"] = field.unit.en
        extra["unit_zh"] = field.unit.zh
    if field.org_types is not None:
        extra["org_types"] = list(field.org_types)
    return extra


@cache
def _verified_model(field: FieldDef, methods: tuple[str, ...]) -> type[Verified]:
    return create_model(
        f"Verified_{field.kind}_{abs(hash(field)) % 10**8}",
        __base__=Verified,
        value=(
            annotation(field),
            Field(description="The value the appraisers verified", json_schema_extra=_label(field)),
        ),
        method=cast(
            Any,
            (Literal[methods], Field(description="How it was verified", json_schema_extra={"label_zh": "核实方式"})),
        ),
    )


def _model_name(text: str) -> str:
    return "".join(part.title() for part in text.split("_"))


def _sections(indicators: Indicators, org_type: str) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    methods = tuple(m.id for m in indicators.verification.methods)
    checks: dict[str, Any] = {}
    for section in indicators.sections:
        own: dict[str, Any] = {
            f.id: (annotation(f) | None, Field(default=None, description=f.en, json_schema_extra=_label(f)))
            for f in section.fields
            if f.applies_to(org_type)
        }
        if not own:
            continue
        required = [f for f in section.fields if f.applies_to(org_type) and f.required]
        for f in required:
            own[f.id] = (annotation(f), Field(description=f.en, json_schema_extra=_label(f)))
        name = f"{_model_name(section.id)}{_model_name(org_type)}{indicators.year}"
        model = create_model(name, __base__=Section, __doc__=section.title.en, **own)
        fields[section.id] = (
            model,
            Field(description=section.title.en, json_schema_extra={"label_zh": section.title.zh})
            if required
            else Field(
                default_factory=model, description=section.title.en, json_schema_extra={"label_zh": section.title.zh}
            ),
        )
        verified: dict[str, Any] = {
            f.id: (
                _verified_model(f, methods) | None,
                Field(default=None, description=f.en, json_schema_extra=_label(f)),
            )
            for f in section.fields
            if f.applies_to(org_type)
        }
        checks[section.id] = (
            create_model(f"Verification{name}", __base__=Section, __doc__=section.title.en, **verified) | None,
            Field(default=None, description=section.title.en, json_schema_extra={"label_zh": section.title.zh}),
        )
    verification = create_model(f"Verification{_model_name(org_type)}{indicators.year}", __base__=Section, **checks)
    fields["verification"] = (
        verification | None,
        Field(
            default=None,
            description="Values the appraising level verified, by section and field",
            json_schema_extra={"label_zh": "核实情况"},
        ),
    )
    return fields


@cache
def submission_model(indicators: Indicators, org_type: str) -> type[SubmissionBase]:
    """The submission model of one org type of one year."""
    year = indicators.year
    model: type[SubmissionBase] = create_model(
        f"{_model_name(org_type)}Submission{year}",
        __base__=SubmissionBase,
        __doc__=f"Yearly submission of a {indicators.org_type(org_type).en} ({year}).",
        org_type=cast(
            Any, (Literal[org_type], Field(description="Organization type", json_schema_extra={"label_zh": "组织类型"}))
        ),
        year=(
            int,
            Field(
                ge=2000,
                le=2100,
                strict=True,
                description="Year of work the submission reports",
                json_schema_extra={"label_zh": "考核年度", "const": year},
            ),
        ),
        appraisal_date=(
            CalendarDate,
            Field(
                description=f"Date of the year-end appraisal, in {year} or {year + 1}",
                json_schema_extra={"label_zh": "考核日期", "pattern": f"^({year}|{year + 1})-"},
            ),
        ),
        **_sections(indicators, org_type),
    )
    model.indicators = indicators
    return model


@cache
def submission_adapter(indicators: Indicators) -> TypeAdapter[SubmissionBase]:
    """Validates a mapping of any org type of the year (chosen by ``org_type``)."""
    models = tuple(submission_model(indicators, t) for t in indicators.org_type_ids)
    union: Any = Annotated[Union[models], Field(discriminator="org_type")]  # noqa: UP007
    return cast(TypeAdapter[SubmissionBase], TypeAdapter(union))


def json_schema(indicators: Indicators) -> dict[str, Any]:
    """The JSON Schema of a submission of the year (a form built from it accepts what validation accepts)."""
    schema = submission_adapter(indicators).json_schema()
    schema["title"] = f"Submission {indicators.year}"
    return schema


def section_fields(indicators: Indicators, section: str, org_type: str) -> dict[str, Any]:
    """The fields (name -> FieldInfo) of ``section`` for ``org_type``."""
    annotation_ = submission_model(indicators, org_type).model_fields[section].annotation
    assert isinstance(annotation_, type)
    return dict(annotation_.model_fields)


__all__ = [
    "UNIT_ID_PATTERN",
    "Rectification",
    "Section",
    "SubmissionBase",
    "Verified",
    "json_schema",
    "section_fields",
    "submission_adapter",
    "submission_model",
]

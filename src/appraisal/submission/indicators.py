"""A year's indicators: what each org type reports, read from ``scoring_rules/<year>/``.

In: a year's folder: the org types declared in ``rubric.yaml`` (the manifest) and the sections, fields, derived
values, verification methods and requirements of ``indicators.yaml``. Out: a checked, frozen ``Indicators``, or a
``RubricError`` listing every problem with ``file:line``. The submission models (``models.py``), the facts, the
JSON Schema, the rubric checker, docs/facts.md and the reports' labels all come from it, so a field added next
year needs no Python.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from functools import cache, cached_property
from pathlib import Path
from typing import Annotated, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .._yaml import YamlFile
from ..errors import RubricError, RubricProblem, did_you_mean
from ..resources import bundled
from .fields import FACT_KINDS, KINDS, FactKind, Kind

MANIFEST = "rubric.yaml"
INDICATORS = "indicators.yaml"
Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
Path_ = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}\.[a-z][a-z0-9_]{0,63}$")]
Level = Literal["county", "township", "village"]
# Keys of a submission that are not sections: a section may not take these names.
RESERVED_KEYS = (
    "unit_id",
    "org_type",
    "name",
    "parent_unit_id",
    "year",
    "appraisal_date",
    "self_score",
    "self_assessment",
    "verification",
    "rectification",
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A text in English and Chinese. A Chinese rendering of the English source text is a translation."""

    en: str = Field(min_length=1, max_length=2000)
    zh: str = Field(min_length=1, max_length=2000)

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class OrgTypeDef(Strict):
    """An org type taking part in the year's appraisal (declared in the manifest's ``org_types``)."""

    id: Id
    en: str = Field(min_length=1, max_length=200)
    zh: str = Field(min_length=1, max_length=200)
    level: Level
    appraises_lower: bool = False

    def name(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class Choice(Strict):
    id: Id
    en: str = Field(min_length=1, max_length=200)
    zh: str = Field(min_length=1, max_length=200)


class FieldDef(Strict):
    """One reported field: its kind, words, unit of measure, bounds and the org types that report it."""

    id: Id
    kind: Kind
    en: str = Field(min_length=1, max_length=500, description="What the field means, in English")
    zh: str = Field(min_length=1, max_length=200, description="The field's Chinese label")
    unit: Text | None = None
    min: Decimal | None = None
    max: Decimal | None = None
    decimals: Annotated[int, Field(ge=0, le=6)] | None = None
    choices: tuple[Choice, ...] = ()
    max_length: Annotated[int, Field(ge=1, le=10_000)] | None = None
    org_types: tuple[str, ...] | None = Field(default=None, min_length=1)
    required: bool = False

    @model_validator(mode="after")
    def _shape(self) -> FieldDef:
        if (self.kind == "choice") != bool(self.choices):
            raise ValueError("a choice field lists its choices, and only a choice field has them")
        if len({c.id for c in self.choices}) != len(self.choices):
            raise ValueError("choices: each id once")
        bounded = ("count", "share", "number")
        if (self.min is not None or self.max is not None) and self.kind not in bounded:
            raise ValueError(f"min and max are for {', '.join(bounded)} fields")
        if self.decimals is not None and self.kind != "number":
            raise ValueError("decimals is for number fields")
        if self.max_length is not None and self.kind != "text":
            raise ValueError("max_length is for text fields")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is above max")
        if self.kind == "count" and any(b is not None and (b < 0 or b != int(b)) for b in (self.min, self.max)):
            raise ValueError("a count's bounds are whole numbers >= 0")
        if self.kind == "share" and any(b is not None and not 0 <= b <= 100 for b in (self.min, self.max)):
            raise ValueError("a share's bounds lie within 0-100")
        return self

    @property
    def fact_kind(self) -> FactKind | None:
        return FACT_KINDS.get(self.kind)

    def applies_to(self, org_type: str) -> bool:
        return self.org_types is None or org_type in self.org_types


class SectionDef(Strict):
    """A part of the submission: its fields, in the order forms show them."""

    id: Id
    title: Text
    fields: tuple[FieldDef, ...] = Field(min_length=1)


class ShareOf(Strict):
    part: Path_
    whole: Path_


class DerivedDef(Strict):
    """A value computed from reported ones when facts are built: a share (100 x part / whole, with part <= whole
    checked), a sum or a difference. A missing input makes it missing (the items using it are not evaluated)."""

    id: Path_
    share: ShareOf | None = None
    sum: tuple[Path_, ...] | None = Field(default=None, min_length=2)
    difference: tuple[Path_, Path_] | None = None
    en: str | None = Field(default=None, max_length=500)
    zh: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _one_way(self) -> DerivedDef:
        ways = [w for w in ("share", "sum", "difference") if getattr(self, w) is not None]
        if len(ways) != 1:
            raise ValueError("a derived value is one of share, sum or difference")
        return self

    @property
    def inputs(self) -> tuple[str, ...]:
        if self.share is not None:
            return (self.share.part, self.share.whole)
        return tuple(self.sum or self.difference or ())

    def describe(self) -> tuple[str, str]:
        """(English, Chinese) of how the value is computed, unless the file gives its own words."""
        if self.share is not None:
            en, zh = f"derived: 100 × `{self.share.part}` / `{self.share.whole}`", "派生比例（%）"
        elif self.sum is not None:
            en, zh = "derived: " + " + ".join(f"`{p}`" for p in self.sum), "派生合计"
        else:
            assert self.difference is not None
            en, zh = f"derived: `{self.difference[0]}` − `{self.difference[1]}`", "派生差额"
        return self.en or en, self.zh or zh


class Verification(Strict):
    """How the appraising level verifies a reported value: the methods it may name (a county may add its own)."""

    methods: tuple[Choice, ...] = Field(min_length=1)


class IndicatorsFile(Strict):
    """``indicators.yaml`` as written."""

    sections: tuple[SectionDef, ...] = Field(min_length=1)
    derived: tuple[DerivedDef, ...] = ()
    verification: Verification
    requirements: dict[Id, Path_] = Field(
        default_factory=dict, description="What an item may require (requires: NAME): the yes/no field that says so"
    )


class OrgTypesEntry(Strict):
    org_types: tuple[OrgTypeDef, ...] = Field(min_length=1)
    year: int = Field(ge=2000, le=2100)


class Indicators(Strict):
    """One year's org types and indicators, checked; ``sha256`` is over their content (``_fingerprint``)."""

    year: int
    org_types: tuple[OrgTypeDef, ...]
    sections: tuple[SectionDef, ...]
    derived: tuple[DerivedDef, ...]
    verification: Verification
    requirements: dict[str, str]
    folder: str
    sha256: str

    def __hash__(self) -> int:
        return hash((self.folder, self.sha256))

    def __repr__(self) -> str:
        return (
            f"<Indicators {self.year} from {self.folder}: {len(self.org_types)} org types, {self.field_count} fields>"
        )

    __str__ = __repr__

    @cached_property
    def org_type_ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.org_types)

    def org_type(self, org_type: str) -> OrgTypeDef:
        return next(t for t in self.org_types if t.id == org_type)

    @cached_property
    def field_count(self) -> int:
        return sum(len(s.fields) for s in self.sections)

    @cached_property
    def _fields(self) -> dict[str, FieldDef]:
        return {f"{s.id}.{f.id}": f for s in self.sections for f in s.fields}

    def field(self, path: str) -> FieldDef | None:
        """The field at ``section.field``, over all org types."""
        return self._fields.get(path)

    @cached_property
    def _derived(self) -> dict[str, DerivedDef]:
        return {d.id: d for d in self.derived}

    def derived_value(self, path: str) -> DerivedDef | None:
        return self._derived.get(path)

    def section_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.sections)

    @cached_property
    def _attributes(self) -> dict[str, dict[str, FactKind]]:
        by_type: dict[str, dict[str, FactKind]] = {}
        for org_type in self.org_type_ids:
            found: dict[str, FactKind] = {}
            for path, field in self._fields.items():
                if field.fact_kind is not None and field.applies_to(org_type):
                    found[path] = field.fact_kind
            for derived in self.derived:
                if all(path in found for path in derived.inputs):
                    found[derived.id] = "number"
            by_type[org_type] = found
        return by_type

    def attributes(self, org_type: str) -> dict[str, FactKind]:
        """Every fact attribute a unit of ``org_type`` can have, as ``section.field`` -> kind (derived included)."""
        return self._attributes.get(org_type, {})

    @cached_property
    def _fields_by_type(self) -> dict[str, dict[str, tuple[FieldDef, ...]]]:
        by_type: dict[str, dict[str, tuple[FieldDef, ...]]] = {}
        for org_type in self.org_type_ids:
            found = {}
            for section in self.sections:
                fields = tuple(f for f in section.fields if f.applies_to(org_type))
                if fields:
                    found[section.id] = fields
            by_type[org_type] = found
        return by_type

    def fields_for(self, org_type: str) -> dict[str, tuple[FieldDef, ...]]:
        """Each section's fields reported by ``org_type`` (sections it reports nothing of are left out)."""
        return self._fields_by_type.get(org_type, {})

    @cached_property
    def _fact_kinds(self) -> dict[str, dict[str, dict[str, str]]]:
        """Per org type, per section: each field's kind, for the fields that become facts."""
        return {
            org: {
                section: {f.id: f.kind for f in fields if f.fact_kind is not None} for section, fields in found.items()
            }
            for org, found in self._fields_by_type.items()
        }

    def fact_fields(self, org_type: str) -> dict[str, dict[str, str]]:
        """Per section reported by ``org_type``: field id -> kind, for the fields that become facts."""
        return self._fact_kinds.get(org_type, {})


class HasIndicators(Protocol):
    """Anything that carries a year's indicators (a ``Rubric`` does)."""

    @property
    def indicators(self) -> Indicators: ...


def _check(file: IndicatorsFile, org_types: tuple[OrgTypeDef, ...], found: YamlFile) -> list[RubricProblem]:
    problems: list[RubricProblem] = []
    known = {t.id for t in org_types}
    seen_sections: set[str] = set()
    paths: dict[str, FieldDef] = {}
    for s_index, section in enumerate(file.sections):
        where: tuple[int | str, ...] = ("sections", s_index)
        if section.id in seen_sections:
            problems.append(found.problem((*where, "id"), f"duplicate section {section.id}"))
        if section.id in RESERVED_KEYS:
            problems.append(found.problem((*where, "id"), f"{section.id} is a submission key, not a section name"))
        seen_sections.add(section.id)
        seen_fields: set[str] = set()
        for f_index, field in enumerate(section.fields):
            at = (*where, "fields", f_index)
            if field.id in seen_fields:
                problems.append(found.problem((*at, "id"), f"duplicate field {section.id}.{field.id}"))
            seen_fields.add(field.id)
            paths[f"{section.id}.{field.id}"] = field
            for t_index, org in enumerate(field.org_types or ()):
                if org not in known:
                    hint = did_you_mean(org, sorted(known)) or f"; the manifest declares {', '.join(sorted(known))}"
                    problems.append(found.problem((*at, "org_types", t_index), f"unknown org type {org!r}{hint}"))
    for d_index, derived in enumerate(file.derived):
        at = ("derived", d_index)
        if derived.id in paths:
            problems.append(found.problem((*at, "id"), f"{derived.id} is a reported field already"))
        if derived.id.partition(".")[0] not in seen_sections:
            problems.append(found.problem((*at, "id"), f"{derived.id}: no section {derived.id.partition('.')[0]}"))
        for path in derived.inputs:
            found_field = paths.get(path)
            if found_field is None:
                problems.append(found.problem(at, f"{derived.id}: unknown input {path}{did_you_mean(path, paths)}"))
            elif found_field.fact_kind not in ("count", "number"):
                problems.append(found.problem(at, f"{derived.id}: input {path} is not a number ({found_field.kind})"))
        paths_taken = [d.id for d in file.derived]
        if paths_taken.count(derived.id) > 1:
            problems.append(found.problem((*at, "id"), f"duplicate derived value {derived.id}"))
    for name, path in file.requirements.items():
        flag = paths.get(path)
        if flag is None or flag.kind != "flag":
            problems.append(found.problem(("requirements", name), f"requirements.{name}: {path} is not a yes/no field"))
    return problems


def _fingerprint(year: int, org_types: tuple[OrgTypeDef, ...], file: IndicatorsFile) -> str:
    """sha256 over what the indicators say (not how the files spell it): two folders with the same indicators
    validate the same submissions, so a unit loaded with one may be scored by the other."""
    content = {"year": year, "org_types": [t.model_dump(mode="json") for t in org_types]}
    content |= file.model_dump(mode="json")
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


_EMPTY = "empty (or comments only): "


@cache
def _load(folder: str, stamp: tuple[tuple[int, int], ...]) -> Indicators:
    root = Path(folder)
    problems: list[RubricProblem] = []
    manifest = YamlFile(root / MANIFEST, problems)
    indicators = YamlFile(root / INDICATORS, problems)
    declared: OrgTypesEntry | None = None
    parsed: IndicatorsFile | None = None
    if isinstance(manifest.data, dict):
        subset = {k: manifest.data[k] for k in ("org_types", "year") if k in manifest.data}
        declared = manifest.validate(OrgTypesEntry, subset, (), problems)
        if declared is not None:
            first: dict[str, int] = {}
            for index, org_type in enumerate(declared.org_types):  # each repeat at its own line
                if org_type.id in first:
                    line = manifest.line(("org_types", first[org_type.id]))[0]
                    message = f"org_types.{index}.id: {org_type.id} again (first at line {line}): each id once"
                    problems.append(manifest.problem(("org_types", index, "id"), message))
                first.setdefault(org_type.id, index)
            named = root.name
            if named.isascii() and named.isdigit() and len(named) == 4 and int(named) != declared.year:
                # a copy of last year's folder, its year left as it was: it would refuse every submission of its own
                message = (
                    f"year: {declared.year}, but the folder is named {named}: set year: {named} here, and the year"
                    " of each case's submission in cases/"
                )
                problems.append(manifest.problem(("year",), message))
    elif manifest.parsed:  # empty, or not a mapping
        empty = _EMPTY if manifest.data is None else ""
        problems.append(manifest.problem((), f"{empty}the manifest is a mapping of keys"))
    if isinstance(indicators.data, dict):
        parsed = indicators.validate(IndicatorsFile, indicators.data, (), problems)
    elif indicators.parsed:
        empty = _EMPTY if indicators.data is None else ""
        problems.append(
            indicators.problem((), f"{empty}the indicators file is a mapping with sections:, derived:, ...")
        )
    if declared is not None and parsed is not None:
        problems += _check(parsed, declared.org_types, indicators)
    if problems:
        raise RubricError(problems)
    assert declared is not None and parsed is not None
    return Indicators(
        year=declared.year,
        org_types=declared.org_types,
        sections=parsed.sections,
        derived=parsed.derived,
        verification=parsed.verification,
        requirements=parsed.requirements,
        folder=str(root.resolve()),
        sha256=_fingerprint(declared.year, declared.org_types, parsed),
    )


def load_indicators(folder: str | Path) -> Indicators:
    """The indicators of the year's folder ``folder`` (cached while its two files are unchanged)."""
    root = Path(folder)
    missing = [name for name in (MANIFEST, INDICATORS) if not (root / name).is_file()]
    if missing:
        raise RubricError([RubricProblem(str(root), 0, f"not a year's folder: no {' or '.join(missing)} in it")])
    stamp = tuple(((root / n).stat().st_mtime_ns, (root / n).stat().st_size) for n in (MANIFEST, INDICATORS))
    return _load(str(root.resolve()), stamp)


def bundled_years() -> list[int]:
    """Years with a folder in the bundled ``scoring_rules/``."""
    root = bundled("scoring_rules")
    return sorted(int(p.name) for p in root.iterdir() if p.name.isdigit() and (p / MANIFEST).is_file())


def bundled_folder(year: int) -> Path:
    """The bundled folder of ``year``; a ``RubricError`` naming the bundled years when there is none."""
    years = bundled_years()
    if year not in years:
        shown = ", ".join(map(str, years)) or "none"
        raise RubricError([RubricProblem("scoring_rules", 0, f"no bundled rubric for {year}; bundled: {shown}")])
    return bundled("scoring_rules") / str(year)


def indicators_for_year(year: int) -> Indicators:
    return load_indicators(bundled_folder(year))


__all__ = [
    "INDICATORS",
    "KINDS",
    "MANIFEST",
    "Choice",
    "DerivedDef",
    "FieldDef",
    "HasIndicators",
    "Indicators",
    "OrgTypeDef",
    "SectionDef",
    "Text",
    "bundled_folder",
    "bundled_years",
    "indicators_for_year",
    "load_indicators",
]

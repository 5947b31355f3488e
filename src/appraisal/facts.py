"""Stage 2, facts: a validated submission in, the flat typed facts durable-rules sees out.

One fact per section of the year's indicators (``{"sid": unit id, "id": section, "t": section, field: value,
...}``), holding only the fields the unit reported, each with the value scored (the appraisers' verified value
where they verified it), cast so the engine compares like with like: yes/no as JSON booleans, counts as integers,
shares, money and numbers as floats, choices as their ids (durable-rules compares a string with a number as text
and treats ``true`` as 1, so no number reaches it as a string). Text and dates are shown, never facts. Derived
values (a share, a sum, a difference, declared in the indicators) are computed here, so conditions only ever
compare a value with a constant. ``docs/facts.md`` is generated from this module (``make docs``) and a test
keeps it current.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from .submission import Indicators, SubmissionBase, bundled_years, indicators_for_year
from .submission.fields import fact_value

RESERVED = ("sid", "id", "t")
UNIT = "unit"


class _Derived(NamedTuple):
    """A derived value as the facts compute it: share, sum or difference of its inputs (section, field)."""

    way: str
    inputs: tuple[tuple[str, str], ...]
    section: str
    name: str


class _Plan(NamedTuple):
    """What building an org type's facts needs that depends only on the year's indicators, worked out once."""

    # per section reported: field -> kind, for the fields that become facts (``Indicators.fact_fields``)
    sections: tuple[tuple[str, dict[str, str]], ...]
    # sections holding only derived values, in the order the attributes name them
    derived_only: tuple[str, ...]
    derived: tuple[_Derived, ...]


_PLANS: dict[tuple[int, str], tuple[Indicators, _Plan]] = {}
_NONE: dict[str, Any] = {}


def _plan(indicators: Indicators, org_type: str) -> _Plan:
    key = (id(indicators), org_type)
    found = _PLANS.get(key)
    if found is not None and found[0] is indicators:
        return found[1]
    kinds = indicators.fact_fields(org_type)
    sections = tuple(kinds.items())
    derived_only = tuple(
        dict.fromkeys(
            section
            for section in (path.partition(".")[0] for path in indicators.attributes(org_type))
            if section not in kinds
        )
    )
    derived = []
    for value in indicators.derived:
        way = "share" if value.share is not None else "sum" if value.sum is not None else "difference"
        inputs = tuple((path.partition(".")[0], path.partition(".")[2]) for path in value.inputs)
        section, _, name = value.id.partition(".")
        derived.append(_Derived(way, inputs, section, name))
    plan = _Plan(sections, derived_only, tuple(derived))
    _PLANS[key] = (indicators, plan)
    return plan


def _derive(plan: _Plan, unit_id: str, facts: dict[str, dict[str, Any]]) -> None:
    for derived in plan.derived:
        inputs: list[Any] = [facts.get(section, _NONE).get(name) for section, name in derived.inputs]
        if None in inputs:
            continue  # a missing input makes the value missing, never zero: the items using it are not evaluated
        if derived.way == "share":
            part, whole = inputs
            if not whole:
                continue  # no share of nothing
            value = part * 100 / whole  # unrounded: 79.99998 must stay under 80
        elif derived.way == "sum":
            value = sum(inputs)
        else:
            value = inputs[0] - inputs[1]
        section = derived.section
        facts.setdefault(section, {"sid": unit_id, "id": section, "t": section})[derived.name] = float(value)


def build_facts(submission: SubmissionBase) -> list[dict[str, Any]]:
    """The unit's facts, one per section, in section order (the same submission gives the same facts)."""
    indicators = submission.indicators
    unit_id = submission.unit_id
    plan = _plan(indicators, submission.org)
    # The unit fact always matches the engine's sentinel rule: see engine.compile.SENTINEL.
    facts: dict[str, dict[str, Any]] = {
        UNIT: {"sid": unit_id, "id": UNIT, "t": UNIT, "org_type": submission.org, "year": submission.year}
    }
    data = submission.model_dump(include={section for section, _ in plan.sections}, exclude_none=True)
    verification = getattr(submission, "verification", None)
    if verification is not None:  # the value scored is the verified one where the appraisers verified it
        for section, checks in verification:
            for name, check in checks or ():
                if check is not None:
                    data.setdefault(section, {})[name] = check.value
    for section, fields in plan.sections:
        fact: dict[str, Any] = {"sid": unit_id, "id": section, "t": section}
        for name, value in data.get(section, _NONE).items():
            kind = fields.get(name)
            if kind is not None and (cast := fact_value(kind, value)) is not None:
                fact[name] = cast
        facts[section] = fact
    for section in plan.derived_only:
        facts[section] = {"sid": unit_id, "id": section, "t": section}
    _derive(plan, unit_id, facts)
    return list(facts.values())


def values_of(facts: list[dict[str, Any]]) -> dict[str, Any]:
    """Facts flattened to ``section.field`` -> value (what conditions and scorecards name)."""
    found: dict[str, Any] = {}
    for fact in facts:
        section = fact["t"]
        if section == UNIT:
            continue
        if (paths := _PATHS.get(section)) is None:
            paths = _PATHS[section] = {}
        for name, value in fact.items():
            if (path := paths.get(name)) is None:
                if name in RESERVED:
                    continue
                path = paths[name] = f"{section}.{name}"
            found[path] = value
    return found


# ``section.field`` by section and field, made once: flattening a unit's facts made a hundred strings anew
_PATHS: dict[str, dict[str, str]] = {}


def reference_markdown(indicators: Indicators) -> str:
    """docs/facts.md: each fact and attribute of the year, its kind, description and the org types that have it."""
    types = indicators.org_type_ids
    lines = [
        f"# Facts of {indicators.year}",
        "",
        "Generated by `make docs` from the year's `indicators.yaml` (`appraisal.facts.reference_markdown`); a test "
        "keeps it current.",
        "",
        'Each unit becomes one durable-rules fact per section: `{"sid": <unit id>, "id": <section>, '
        '"t": <section>, <field>: <value>, ...}`. Only reported fields are present (a missing field makes the '
        "items that use it `not_evaluated`), each with the value scored: the verified value where the appraisers "
        "verified it. Kinds: `flag` is a JSON boolean, `count` an integer, `number` a float (shares in percent, "
        "money in yuan), written in plain notation (durable-rules cannot read `1e-05`), `choice` the id of the "
        "choice. Text and dates are never facts. Derived values are computed from the reported ones, unrounded, "
        'absent when an input is missing (or a share\'s whole is 0). A further fact `{"t": "unit", "org_type": '
        '..., "year": ...}` is always asserted: the engine\'s sentinel rule matches it (see docs/design.md).',
        "",
        "Org types: " + ", ".join(f"`{t.id}` ({t.en}, {t.zh})" for t in indicators.org_types) + ".",
        "",
    ]
    for section in indicators.sections:
        lines += [
            f"## `{section.id}`",
            "",
            f"{section.title.en} ({section.title.zh})",
            "",
            "| attribute | kind | org types | description | 中文 |",
            "|---|---|---|---|---|",
        ]
        for field in section.fields:
            path = f"{section.id}.{field.id}"
            if field.fact_kind is None:
                continue
            reported = [t for t in types if field.applies_to(t)]
            shown = "all" if len(reported) == len(types) else ", ".join(reported)
            kind = field.fact_kind if field.kind != "choice" else "choice: " + ", ".join(c.id for c in field.choices)
            lines.append(f"| `{path}` | {kind} | {shown} | {field.en} | {field.zh} |")
        for derived in indicators.derived:
            if derived.id.partition(".")[0] != section.id:
                continue
            having = [t for t in types if derived.id in indicators.attributes(t)]
            shown = "all" if len(having) == len(types) else ", ".join(having)
            en, zh = derived.describe()
            lines.append(f"| `{derived.id}` | number | {shown} | {en} | {zh} |")
        lines.append("")
    return "\n".join(lines)


def reference_document() -> str:
    """docs/facts.md: the reference of every bundled year, newest first."""
    return "\n".join(reference_markdown(indicators_for_year(year)) for year in reversed(bundled_years()))

"""The JSON Schema says what validation accepts: inputs generated from ``appraisal schema`` pass validation.

The inputs are drawn from the schema alone by ``schema_strategy`` below, a small generator for the keywords the
schema uses (``$ref``, ``oneOf``/``anyOf``, ``const``/``enum``, ``type`` with bounds, ``multipleOf``,
``pattern``, ``not``, ``format: date``, ``properties``/``required``, ``patternProperties``). It reads nothing
but the schema. hypothesis-jsonschema 0.23.1, the usual tool, fails on current Hypothesis (``'many' object has
no attribute 'more'``), hence this generator.

What JSON Schema cannot state is listed in docs/rubric-format.md ("What the schema cannot say"): a part may not
exceed its whole (nor may a verified part exceed the verified whole). Every rejection of a generated input must
be one of those; all other generated inputs must pass.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appraisal import InputError
from appraisal.submission import bundled_years, indicators_for_year, json_schema
from appraisal.submission.loading import validate_unit

CROSS_FIELD = re.compile(r"^gen\.json: \S+ \(\d+\) cannot exceed \S+ \(\d+\)$")


def schema_strategy(schema: dict[str, Any], root: dict[str, Any]) -> st.SearchStrategy[Any]:
    if "$ref" in schema:
        return schema_strategy(root["$defs"][schema["$ref"].rsplit("/", 1)[1]], root)
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return st.one_of([schema_strategy(s, root) for s in schema[key]])
    kind = schema.get("type")
    if kind == "object":
        if "patternProperties" in schema:
            ((pattern, values),) = schema["patternProperties"].items()
            keys = st.from_regex(pattern, fullmatch=True)
            return st.dictionaries(keys, schema_strategy(values, root), max_size=3)
        properties = schema.get("properties", {})
        required = set(schema.get("required", ()))
        return st.fixed_dictionaries(
            {k: schema_strategy(v, root) for k, v in properties.items() if k in required},
            optional={k: schema_strategy(v, root) for k, v in properties.items() if k not in required},
        )
    if kind == "integer":
        return st.integers(schema.get("minimum"), schema.get("maximum"))
    if kind == "number":
        low, high = schema.get("minimum"), schema.get("maximum")
        if "multipleOf" in schema:
            step = Decimal(str(schema["multipleOf"]))
            first = math.ceil(Decimal(str(low)) / step) if low is not None else -(10**9)
            last = math.floor(Decimal(str(high)) / step) if high is not None else 10**9
            return st.integers(first, last).map(lambda k: float(k * step))
        return st.floats(low, high, allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "string":
        if schema.get("format") == "date":
            years = [int(y) for y in re.findall(r"\d{4}", schema.get("pattern", ""))] or [1900, 2200]
            dates = st.dates(dt.date(min(years), 1, 1), dt.date(max(years), 12, 31))
            return dates.map(dt.date.isoformat)
        low, high = schema.get("minLength", 0), min(schema.get("maxLength", 200), 200)
        pattern = schema.get("pattern")
        if pattern is not None and len(pattern) < 200:
            text = st.from_regex(pattern, fullmatch=True).filter(lambda s: low <= len(s) <= high)
        else:  # a class of thousands of ranges (the name pattern): draw text, keep what the pattern admits
            compiled = re.compile(pattern or "")
            text = st.text(min_size=low, max_size=high).filter(lambda s: bool(compiled.fullmatch(s)))
        if "not" in schema:
            refused = re.compile(schema["not"]["pattern"])
            text = text.filter(lambda s: not refused.search(s))
        return text
    raise AssertionError(f"the generator does not know {schema}")


@pytest.mark.parametrize("year", bundled_years())
def test_inputs_generated_from_the_schema_pass_validation(year: int) -> None:
    indicators = indicators_for_year(year)
    schema = json_schema(indicators)
    seen = {"accepted": 0, "cross_field": 0}

    @settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(schema_strategy(schema, schema))
    def check(data: dict[str, Any]) -> None:
        try:
            validate_unit(data, "gen.json", indicators)
        except InputError as exc:
            unexplained = [line for line in exc.lines() if not CROSS_FIELD.match(line)]
            assert not unexplained, f"the schema allowed what validation refuses: {unexplained}"
            seen["cross_field"] += 1
            return
        seen["accepted"] += 1

    check()
    assert seen["accepted"] > 0


def test_the_schema_states_the_constraints_validation_checks() -> None:
    schema = json_schema(indicators_for_year(2026))
    village = schema["$defs"]["VillageSubmission2026"]["properties"]
    assert village["year"]["const"] == 2026
    assert village["appraisal_date"]["pattern"] == "^(2026|2027)-"
    assert village["unit_id"]["not"]["pattern"].startswith("^([Cc][Oo][Nn]|")
    name = village["name"]
    assert "\\u2028" in name["pattern"] and "\\u202e" in name["pattern"] and "\u2800" in name["pattern"]
    money = schema["$defs"]["SafeguardVillage2026"]["properties"]["office_funds_yuan"]["anyOf"]
    assert money[0]["multipleOf"] == 0.01 and money[1]["pattern"] == "^[0-9]{1,12}(\\.[0-9]{1,2})?$"

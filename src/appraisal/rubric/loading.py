"""Loading a rubric folder: YAML files in, a checked ``Rubric`` out, or a ``RubricError`` listing every problem.

Each problem names ``file:line`` (and the column for condition errors). The checks: YAML syntax, the models'
shapes, unique ids, the condition language, every value a condition names existing (with the right kind) for
every org type the item applies to, tier points within the maximum, and per org type the maxima summing to
the base. A rubric with any problem is refused whole.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from .._yaml import MAX_FOLDER_FILE_BYTES, YamlFile, misnamed_yaml, read_regular
from ..errors import RubricError, RubricProblem, did_you_mean
from ..submission import Indicators, bundled_folder, bundled_years, load_indicators
from ..submission.indicators import INDICATORS, MANIFEST
from . import checks, expr
from .models import BONUS_GROUP, Item, Manifest, Rubric, Veto, grade_bound

# per org type, combinations of applies_when conditions tried when checking the sums; beyond, refused
MAX_APPLICABILITY_CASES = 256

Path_ = tuple[int | str, ...]


class _Checks:
    """What every check of one rubric needs: the year's indicators and where problems go."""

    def __init__(self, indicators: Indicators, problems: list[RubricProblem], groups: tuple[str, ...] | None) -> None:
        self.indicators = indicators
        self.problems = problems
        self.org_types = indicators.org_type_ids
        self.groups = groups  # None when the manifest did not load: its problems are reported already
        self.broken_applies_when = False  # the per-case sums would only repeat the problem

    def org_type(self, org: str, file: YamlFile, path: Path_) -> bool:
        if org in self.org_types:
            return True
        hint = did_you_mean(org, self.org_types) or f"; the manifest declares {', '.join(self.org_types)}"
        self.problems.append(file.problem(path, f"unknown org type {org!r}{hint}"))
        return False


def _check_condition(text: str, orgs: list[str], file: YamlFile, path: Path_, context: _Checks) -> None:
    try:
        node = expr.parse(text)
    except expr.ExprError as exc:
        context.problems.append(file.problem(path, f"condition: {exc.message}", exc.column))
        return
    for comparison in expr.comparisons(node):
        _check_value(comparison.path, orgs, file, path, context, comparison)


def _check_value(
    value_path: str,
    orgs: list[str],
    file: YamlFile,
    path: Path_,
    context: _Checks,
    comparison: expr.Compare | None = None,
) -> None:
    indicators, problems = context.indicators, context.problems
    lacking = [org for org in orgs if value_path not in indicators.attributes(org)]
    column = comparison.column if comparison else None
    if lacking:
        known = any(value_path in indicators.attributes(org) for org in context.org_types)
        field = indicators.field(value_path)
        if known:
            why = f"{value_path} is not reported by {', '.join(lacking)} units"
        elif field is not None:
            why = f"{value_path} is {field.kind}: shown, never scored"
        else:
            known_paths = {p for org in orgs or context.org_types for p in indicators.attributes(org)}
            why = f"unknown value {value_path} ({INDICATORS} lists them){did_you_mean(value_path, known_paths)}"
        problems.append(file.problem(path, why, column))
        return
    kind = indicators.attributes(orgs[0])[value_path] if orgs else None
    if comparison is None:
        if kind in ("flag", "choice"):
            word = "yes/no" if kind == "flag" else "a choice"
            problems.append(file.problem(path, f"{value_path} is {word}; a count or number is needed here"))
        return
    if kind == "flag" and not (isinstance(comparison.value, bool) and comparison.op in ("==", "!=")):
        problems.append(file.problem(path, f"{value_path} is yes/no: use it alone, with not, or == true/false", column))
    elif kind == "choice":
        field = indicators.field(value_path)
        ids = [c.id for c in field.choices] if field else []
        if not isinstance(comparison.value, str) or comparison.op not in ("==", "!="):
            problems.append(file.problem(path, f'{value_path} is a choice: compare it with == or != "id"', column))
        elif comparison.value not in ids:
            hint = did_you_mean(comparison.value, ids) or f"; one of {', '.join(ids)}"
            problems.append(file.problem(path, f"{value_path} has no choice {comparison.value!r}{hint}", column))
    elif kind in ("count", "number") and isinstance(comparison.value, bool | str):
        problems.append(file.problem(path, f"{value_path} is a number: compare it with a number", column))


def _check_applies_when(item: Item, orgs: list[str], file: YamlFile, path: Path_, context: _Checks) -> None:
    """``applies_when`` decides whether the item counts in a unit's maximum: it may name only values every unit
    of those types must report (``required: true``), so that no unit's maximum hangs on a value left out."""
    text = str(item.applies_when)
    before = len(context.problems)
    _check_condition(text, orgs, file, path, context)
    if len(context.problems) > before:
        context.broken_applies_when = True
        return
    for comparison in expr.comparisons(expr.parse(text)):
        field = context.indicators.field(comparison.path)
        if field is None or not field.required:
            context.broken_applies_when = True
            context.problems.append(
                file.problem(
                    path,
                    f"applies_when names {comparison.path}, which units may leave out: it decides the unit's "
                    f"maximum, so name only fields marked required: true in {INDICATORS}",
                    comparison.column,
                )
            )


def _check_item(item: Item, file: YamlFile, path: Path_, context: _Checks) -> None:
    problems = context.problems
    known_groups = (*(context.groups or ()), BONUS_GROUP)
    if context.groups is not None and item.group not in known_groups:
        hint = did_you_mean(item.group, known_groups) or f"; one of {', '.join(known_groups)}"
        problems.append(file.problem((*path, "group"), f"group: unknown group {item.group!r}{hint}"))
    if isinstance(item.max, dict):
        for org in item.max:
            context.org_type(org, file, (*path, "max", org))
    for index, org in enumerate(item.applies_to or ()):
        context.org_type(org, file, (*path, "applies_to", index))
    for index, need in enumerate(item.requires):
        if need not in context.indicators.requirements:
            known = ", ".join(context.indicators.requirements) or "none"
            problems.append(
                file.problem(
                    (*path, "requires", index),
                    f"unknown requirement {need!r}; declared: {known}"
                    + did_you_mean(need, context.indicators.requirements),
                )
            )
    orgs = [org for org in context.org_types if item.max_for(org) is not None]
    if not orgs:
        problems.append(file.problem((*path, "max"), f"item {item.id} applies to no org type"))
    if item.when:
        _check_condition(item.when, orgs, file, (*path, "when"), context)
    for index, tier in enumerate(item.tiers or ()):
        _check_condition(tier.when, orgs, file, (*path, "tiers", index, "when"), context)
        maxima = {item.max_for(org) for org in orgs}
        if tier.points is not None and isinstance(item.max, dict) and len(maxima) > 1:
            problems.append(
                file.problem(
                    (*path, "tiers", index),
                    "the maximum differs by org type: give this tier a share, not points",
                )
            )
        elif tier.points is not None and any(tier.points > m for m in maxima if m is not None):
            problems.append(
                file.problem((*path, "tiers", index, "points"), f"tier points {tier.points} exceed the item's maximum")
            )
    if item.applies_when is not None:
        _check_applies_when(item, orgs, file, (*path, "applies_when"), context)
    value = item.value_path()
    if value is not None:
        way = next(k for k in ("per_occurrence", "deduct", "shortfall", "deduction") if getattr(item, k))
        _check_value(value, orgs, file, (*path, way, "value"), context)
    for level, award in (item.awards or {}).items():
        _check_value(award.value, orgs, file, (*path, "awards", level, "value"), context)


def _sha256(files: list[Path], root: Path) -> str:
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.relative_to(root).as_posix().encode() + b"\0")
        digest.update(read_regular(file, MAX_FOLDER_FILE_BYTES) + b"\0")
    return digest.hexdigest()


def _entries(file: YamlFile, key: str, problems: list[RubricProblem]) -> Iterator[tuple[Path_, Any]]:
    entries = file.data.get(key) if isinstance(file.data, dict) else None
    if entries is None:
        return
    if not isinstance(entries, list):
        problems.append(file.problem((key,), f"{key} must be a list"))
        return
    for index, entry in enumerate(entries):
        yield (key, index), entry


def load_rubric_dir(folder: str | Path) -> Rubric:
    """Load and check the year's folder ``folder``; raises ``RubricError`` listing every problem."""
    root = Path(folder)
    if not (root / MANIFEST).is_file():
        raise RubricError([RubricProblem(str(root), 0, f"not a rubric folder: no {MANIFEST} in it")])
    problems: list[RubricProblem] = []
    indicators: Indicators | None = None
    try:
        indicators = load_indicators(root)
    except RubricError as exc:
        problems += exc.problems
    manifest_file = YamlFile(root / MANIFEST, [] if problems else problems)
    manifest: Manifest | None = None
    if isinstance(manifest_file.data, dict):
        manifest = manifest_file.validate(Manifest, manifest_file.data, (), problems)
    paths = sorted(p for p in root.glob("*.yaml") if p.name not in (MANIFEST, INDICATORS))
    problems += [RubricProblem(name, 0, message) for name, message in misnamed_yaml(root)]
    if indicators is None:  # nothing else can be checked against a year whose indicators are broken
        raise RubricError(problems)
    context = _Checks(indicators, problems, manifest.group_ids if manifest is not None else None)
    items: list[Item] = []
    vetoes: list[Veto] = []
    seen: dict[str, str] = {}
    invalid = False  # an item that failed to load would make the per-type sums misleading
    for path in paths:
        file = YamlFile(path, problems)
        if not file.parsed:  # not YAML (its problem is listed): its items are missing from every sum
            invalid = True
            continue
        if file.data is None:  # empty, or comments only: no items (a placeholder for items to come)
            continue
        if not isinstance(file.data, dict):
            problems.append(file.problem((), "an item file holds a mapping with items: and/or vetoes:"))
            invalid = True
            continue
        for key in file.data:
            if key not in ("items", "vetoes"):
                problems.append(
                    RubricProblem(
                        file.name,
                        file.keys.get((str(key),), 0),
                        f"unknown key {key!r} (an item file holds items: and vetoes:)"
                        + did_you_mean(str(key), ("items", "vetoes")),
                    )
                )
        models: tuple[tuple[str, type[Item] | type[Veto]], ...] = (("items", Item), ("vetoes", Veto))
        for kind, model in models:
            for where, entry in _entries(file, kind, problems):
                line = file.line(where)[0]
                if isinstance(entry, dict):
                    entry = {**entry, "source_file": path.name, "source_line": line}
                parsed: Item | Veto | None = file.validate(model, entry, where, problems)
                if parsed is None:
                    invalid = True
                    continue
                if parsed.id in seen:
                    problems.append(
                        file.problem((*where, "id"), f"duplicate id {parsed.id} (first in {seen[parsed.id]})")
                    )
                    invalid = True  # one of the two is left out: the sums would blame rubric.yaml for it
                    continue
                seen[parsed.id] = f"{path.name}:{line}"
                if isinstance(parsed, Item):
                    _check_item(parsed, file, where, context)
                    items.append(parsed)
                else:
                    for index, org in enumerate(parsed.applies_to or ()):
                        context.org_type(org, file, (*where, "applies_to", index))
                    orgs = [o for o in context.org_types if parsed.applies_to is None or o in parsed.applies_to]
                    _check_condition(parsed.when, orgs, file, (*where, "when"), context)
                    vetoes.append(parsed)
    if manifest is not None and not invalid and not context.broken_applies_when:
        problems += _check_totals(manifest, items, manifest_file, indicators)
        problems += _check_tie_break(manifest, items, manifest_file)
    if problems:
        raise RubricError(problems)
    assert manifest is not None
    # Scorecards list items in the groups' order (the three mechanisms first), bonus last; within a group in
    # the order the files give them.
    order = [*manifest.group_ids, BONUS_GROUP]
    items.sort(key=lambda item: order.index(item.group))
    rubric = Rubric(
        manifest=manifest,
        indicators=indicators,
        items=tuple(items),
        vetoes=tuple(vetoes),
        sha256=_sha256([root / MANIFEST, root / INDICATORS, *paths], root),
        path=str(root.resolve()),  # absolute: worker processes reload it from another working directory
    )
    if found := checks.errors(rubric):  # what loads but cannot be meant (rubric/checks.py)
        raise RubricError(found)
    return rubric


def _num(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _case_words(conditions: list[str], case: tuple[bool, ...]) -> str:
    if not conditions:
        return ""
    held = [c for c, holds in zip(conditions, case, strict=True) if holds]
    failed = [c for c, holds in zip(conditions, case, strict=True) if not holds]
    words = [f"{' and '.join(held)} holds" if held else "", f"not {' nor '.join(failed)}" if failed else ""]
    return " where " + ", ".join(w for w in words if w)


def _check_tie_break(manifest: Manifest, items: list[Item], file: YamlFile) -> list[RubricProblem]:
    problems = []
    item_ids = [item.id for item in items if item.deduction is None]
    for index, key in enumerate(manifest.commendation.tie_break):
        kind, _, name = key.partition(":")
        known = item_ids if kind == "item" else manifest.group_ids if kind == "group" else None
        if known is not None and name not in known:
            what = "item" if kind == "item" else "group"
            hint = did_you_mean(name, known) or f"; the rubric's {what}s: {', '.join(known)}"
            problems.append(
                file.problem(("commendation", "tie_break", index), f"tie_break {key}: no {what} {name!r}{hint}")
            )
    return problems


def _check_totals(manifest: Manifest, items: list[Item], file: YamlFile, indicators: Indicators) -> list[RubricProblem]:
    """Per org type the manifest declares, and per case of its items' ``applies_when`` conditions (each
    combination some unit can report), the maxima sum to the base; with group weights, every group has points
    to earn instead (its items' points are scaled to its weight)."""
    problems = []
    for org in (t.id for t in manifest.org_types):
        mine = [i for i in items if not i.bonus and i.deduction is None and i.max_for(org) is not None]
        conditions = list(dict.fromkeys(i.applies_when for i in mine if i.applies_when is not None))
        found = checks.applicability_cases(conditions, indicators.attributes(org), MAX_APPLICABILITY_CASES)
        if found is None:
            problems.append(
                file.problem(
                    ("base",),
                    f"the applies_when conditions of the items applying to {org} units make more than "
                    f"{MAX_APPLICABILITY_CASES} cases to check; use fewer conditions",
                )
            )
            continue
        group_maxima: dict[str, dict[Decimal, str]] = {}
        for case in found:
            holds = dict(zip(conditions, case, strict=True))
            chosen = [i for i in mine if i.applies_when is None or holds[i.applies_when]]
            where = _case_words(conditions, case)
            if manifest.weighted:
                for group in manifest.group_ids:
                    most = sum((i.max_for(org) or Decimal(0) for i in chosen if i.group == group), Decimal(0))
                    group_maxima.setdefault(group, {}).setdefault(most, where)
                continue
            total = sum((i.max_for(org) or Decimal(0) for i in chosen), Decimal(0))
            if items and total != manifest.base:
                problems.append(
                    file.problem(
                        ("base",),
                        f"the maxima of the items applying to {org} units{where} sum to {total}, "
                        f"not the base {manifest.base}",
                    )
                )
        for group, maxima in group_maxima.items():
            if Decimal(0) in maxima:
                problems.append(
                    file.problem(
                        ("groups",),
                        f"group {group} has no points to earn for {org} units{maxima[Decimal(0)]}: "
                        "its weight could never be earned",
                    )
                )
            elif len(maxima) > 1:
                sums = "; ".join(f"{_num(m)}{w}" for m, w in maxima.items())
                problems.append(
                    file.problem(
                        ("groups",),
                        f"group {group}'s maxima for {org} units differ by case ({sums}): give each case "
                        "the same points, so that its weight scales them alike",
                    )
                )
    top = manifest.base + (manifest.bonus_cap if manifest.grade_on == "total" else 0)
    bounds = []
    for grade, raw in manifest.grades.items():
        try:
            bound = grade_bound(raw, manifest.base)
        except ValueError:
            problems.append(file.problem(("grades", grade), f"grades.{grade}: not a number or a share like 90%"))
            continue
        if not 0 < bound <= top:
            within = "the base" if top == manifest.base else "the base plus the bonus cap (grade_on: total)"
            problems.append(file.problem(("grades", grade), f"grades.{grade}: must be within {within}"))
        bounds.append((grade, bound))
    order = dict(bounds)
    if len(order) == 3 and not order["excellent"] > order["good"] > order["qualified"]:
        problems.append(file.problem(("grades",), "grade bounds must fall: excellent > good > qualified"))
    return problems


def load_rubric(path_or_year: str | Path | int | None = None) -> Rubric:
    """A year's folder by path, or the bundled one of a year (default: the newest bundled year).

    A string of digits is a year unless a folder of that name exists (``--rubric 2027`` beside a copy)."""
    is_folder = isinstance(path_or_year, str | Path) and Path(path_or_year).is_dir()
    if path_or_year is None or isinstance(path_or_year, int) or (str(path_or_year).isdigit() and not is_folder):
        years = bundled_years()
        year = years[-1] if path_or_year is None and years else int(str(path_or_year or 0))
        return load_rubric_dir(bundled_folder(year))
    return load_rubric_dir(path_or_year)

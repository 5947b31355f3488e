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

import yaml
from pydantic import BaseModel, ValidationError

from ..errors import RubricError, RubricProblem
from ..facts import attributes
from ..resources import bundled
from ..submission import ORG_TYPES
from ..submission.loading import ParseError, parse_yaml_nodes
from . import checks, expr
from .files import read_regular
from .models import BONUS_GROUP, GROUPS, Item, Manifest, Rubric, Veto, grade_bound

MANIFEST = "rubric.yaml"
MAX_RUBRIC_FILE_BYTES = 2 * 1024 * 1024
Path_ = tuple[int | str, ...]


class _File:
    """One parsed YAML file and the line of each value in it."""

    def __init__(self, path: Path, problems: list[RubricProblem]) -> None:
        self.name = path.name
        self.data: Any = None
        self.lines: dict[Path_, tuple[int, int]] = {}
        self.keys: dict[Path_, int] = {}
        try:
            self.data, node = parse_yaml_nodes(read_regular(path, MAX_RUBRIC_FILE_BYTES).decode("utf-8"))
        except (ParseError, OSError, UnicodeDecodeError) as exc:
            message = str(exc)
            line = 0
            if message.startswith("line "):
                head, _, message = message.partition(": ")
                line = int(head.split()[1])
            problems.append(RubricProblem(self.name, line, message))
            return
        if node is not None:
            self._index(node, ())

    def _index(self, node: yaml.Node, path: Path_) -> None:
        # The column of a quoted scalar's text is one past its opening quote.
        quoted = isinstance(node, yaml.ScalarNode) and node.style in ("'", '"')
        self.lines[path] = (node.start_mark.line + 1, node.start_mark.column + 1 + quoted)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                self.keys[(*path, str(key.value))] = key.start_mark.line + 1
                self._index(value, (*path, str(key.value)))
        elif isinstance(node, yaml.SequenceNode):
            for index, value in enumerate(node.value):
                self._index(value, (*path, index))

    def line(self, path: Path_) -> tuple[int, int]:
        """Line and column of ``path``, or of its nearest ancestor that is in the file."""
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path, (0, 0))

    def problem(self, path: Path_, message: str, column_offset: int | None = None) -> RubricProblem:
        line, column = self.line(path)
        if column_offset is not None and column:
            return RubricProblem(self.name, line, message, column + column_offset)
        return RubricProblem(self.name, line, message)


def _validate(model: type[BaseModel], data: Any, file: _File, path: Path_, problems: list[RubricProblem]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("function-")))
            where = ".".join(str(p) for p in loc)
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":  # a misspelt key: name the one meant
                message += checks.suggest(str(loc[-1]), checks.keys_of(model, loc[:-1]))
            problems.append(file.problem((*path, *loc), f"{where + ': ' if where else ''}{message}"))
        return None


def _check_condition(text: str, orgs: list[str], file: _File, path: Path_, problems: list[RubricProblem]) -> None:
    try:
        node = expr.parse(text)
    except expr.ExprError as exc:
        problems.append(file.problem(path, f"condition: {exc.message}", exc.column))
        return
    for comparison in expr.comparisons(node):
        _check_value(comparison.path, orgs, file, path, problems, comparison)


def _check_value(
    value_path: str,
    orgs: list[str],
    file: _File,
    path: Path_,
    problems: list[RubricProblem],
    comparison: expr.Compare | None = None,
) -> None:
    lacking = [org for org in orgs if value_path not in attributes(org)]
    column = comparison.column if comparison else None
    if lacking:
        known = any(value_path in attributes(org) for org in ORG_TYPES)
        why = (
            f"{value_path} is not reported by {', '.join(lacking)} units"
            if known
            else f"unknown value {value_path} (docs/facts.md lists them)"
            + checks.suggest(value_path, {path for org in orgs or ORG_TYPES for path in attributes(org)})
        )
        problems.append(file.problem(path, why, column))
        return
    kind = attributes(orgs[0])[value_path] if orgs else None
    if comparison is None:
        if kind == "flag":
            problems.append(file.problem(path, f"{value_path} is yes/no; a count or number is needed here"))
        return
    if kind == "flag" and not (isinstance(comparison.value, bool) and comparison.op in ("==", "!=")):
        problems.append(file.problem(path, f"{value_path} is yes/no: use it alone, with not, or == true/false", column))
    elif kind != "flag" and isinstance(comparison.value, bool):
        problems.append(file.problem(path, f"{value_path} is a number: compare it with a number", column))


def _check_item(item: Item, file: _File, path: Path_, problems: list[RubricProblem]) -> None:
    orgs = [org for org in ORG_TYPES if item.max_for(org) is not None]
    if not orgs:
        problems.append(file.problem((*path, "max"), f"item {item.id} applies to no org type"))
    if item.when:
        _check_condition(item.when, orgs, file, (*path, "when"), problems)
    for index, tier in enumerate(item.tiers or ()):
        _check_condition(tier.when, orgs, file, (*path, "tiers", index, "when"), problems)
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
    value = item.value_path()
    if value is not None:
        way = next(k for k in ("per_occurrence", "deduct", "shortfall") if getattr(item, k))
        _check_value(value, orgs, file, (*path, way, "value"), problems)


def _sha256(files: list[Path], root: Path) -> str:
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.relative_to(root).as_posix().encode() + b"\0")
        digest.update(read_regular(file, MAX_RUBRIC_FILE_BYTES) + b"\0")
    return digest.hexdigest()


def _entries(file: _File, key: str, problems: list[RubricProblem]) -> Iterator[tuple[Path_, Any]]:
    entries = file.data.get(key) if isinstance(file.data, dict) else None
    if entries is None:
        return
    if not isinstance(entries, list):
        problems.append(file.problem((key,), f"{key} must be a list"))
        return
    for index, entry in enumerate(entries):
        yield (key, index), entry


def load_rubric_dir(folder: str | Path) -> Rubric:
    """Load and check the rubric in ``folder``; raises ``RubricError`` listing every problem."""
    root = Path(folder)
    if not (root / MANIFEST).is_file():
        raise RubricError([RubricProblem(str(root), 0, f"not a rubric folder: no {MANIFEST} in it")])
    problems: list[RubricProblem] = []
    manifest_file = _File(root / MANIFEST, problems)
    manifest: Manifest | None = None
    if manifest_file.data is not None:
        manifest = _validate(Manifest, manifest_file.data, manifest_file, (), problems)
    paths = sorted(p for p in root.glob("*.yaml") if p.name != MANIFEST)
    items: list[Item] = []
    vetoes: list[Veto] = []
    seen: dict[str, str] = {}
    invalid = False  # an item that failed to load would make the per-type sums misleading
    for path in paths:
        file = _File(path, problems)
        if file.data is None:
            continue
        if not isinstance(file.data, dict):
            problems.append(file.problem((), "an item file holds a mapping with items: and/or vetoes:"))
            continue
        for key in file.data:
            if key not in ("items", "vetoes"):
                problems.append(
                    RubricProblem(
                        file.name,
                        file.keys.get((str(key),), 0),
                        f"unknown key {key!r} (an item file holds items: and vetoes:)"
                        + checks.suggest(str(key), ("items", "vetoes")),
                    )
                )
        for kind, model in (("items", Item), ("vetoes", Veto)):
            for where, entry in _entries(file, kind, problems):
                line = file.line(where)[0]
                if isinstance(entry, dict):
                    entry = {**entry, "source_file": path.name, "source_line": line}
                parsed = _validate(model, entry, file, where, problems)
                if parsed is None:
                    invalid = True
                    continue
                if parsed.id in seen:
                    problems.append(
                        file.problem((*where, "id"), f"duplicate id {parsed.id} (first in {seen[parsed.id]})")
                    )
                    continue
                seen[parsed.id] = f"{path.name}:{line}"
                if isinstance(parsed, Item):
                    _check_item(parsed, file, where, problems)
                    items.append(parsed)
                else:
                    orgs = list(parsed.applies_to or ORG_TYPES)
                    _check_condition(parsed.when, orgs, file, (*where, "when"), problems)
                    vetoes.append(parsed)
    if manifest is not None and not invalid:
        problems += _check_totals(manifest, items, manifest_file)
    if problems:
        raise RubricError(problems)
    assert manifest is not None
    # Scorecards list items in the groups' order (the three mechanisms first), bonus last; within a group in
    # the order the files give them.
    order = [*GROUPS, BONUS_GROUP]
    items.sort(key=lambda item: order.index(item.group))
    rubric = Rubric(
        manifest=manifest,
        items=tuple(items),
        vetoes=tuple(vetoes),
        sha256=_sha256([root / MANIFEST, *paths], root),
        path=str(root.resolve()),  # absolute: worker processes reload it from another working directory
    )
    if problems := checks.errors(rubric, attributes):  # what loads but cannot be meant (rubric/checks.py)
        raise RubricError(problems)
    return rubric


def _check_totals(manifest: Manifest, items: list[Item], file: _File) -> list[RubricProblem]:
    problems = []
    for org in ORG_TYPES:
        total = sum((item.max_for(org) or Decimal(0) for item in items if not item.bonus), Decimal(0))
        if items and total != manifest.base:
            problems.append(
                file.problem(
                    ("base",),
                    f"the maxima of the items applying to {org} units sum to {total}, not the base {manifest.base}",
                )
            )
    bounds = []
    for grade, raw in manifest.grades.items():
        try:
            bound = grade_bound(raw, manifest.base)
        except ValueError:
            problems.append(file.problem(("grades", grade), f"grades.{grade}: not a number or a share like 90%"))
            continue
        if not 0 < bound <= manifest.base:
            problems.append(file.problem(("grades", grade), f"grades.{grade}: must be within the base"))
        bounds.append((grade, bound))
    order = dict(bounds)
    if len(order) == 3 and not order["excellent"] > order["good"] > order["qualified"]:
        problems.append(file.problem(("grades",), "grade bounds must fall: excellent > good > qualified"))
    return problems


def bundled_years() -> list[int]:
    """Years with a rubric in the bundled ``scoring_rules/``."""
    root = bundled("scoring_rules")
    return sorted(int(p.name) for p in root.iterdir() if p.name.isdigit() and (p / MANIFEST).is_file())


def load_rubric(path_or_year: str | Path | int | None = None) -> Rubric:
    """A rubric folder by path, or the bundled rubric of a year (default: the newest bundled year).

    A string of digits is a year unless a folder of that name exists (``--rubric 2027`` beside a copy)."""
    is_folder = isinstance(path_or_year, str | Path) and Path(path_or_year).is_dir()
    if path_or_year is None or isinstance(path_or_year, int) or (str(path_or_year).isdigit() and not is_folder):
        years = bundled_years()
        year = years[-1] if path_or_year is None and years else int(str(path_or_year or 0))
        if year not in years:
            raise RubricError(
                [
                    RubricProblem(
                        "scoring_rules",
                        0,
                        f"no bundled rubric for {year}; bundled: {', '.join(map(str, years)) or 'none'}",
                    )
                ]
            )
        return load_rubric_dir(bundled("scoring_rules") / str(year))
    return load_rubric_dir(path_or_year)

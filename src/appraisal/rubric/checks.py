"""Checks on a loaded rubric beyond its shape: a ``Rubric`` and each value's kind in, ``Finding``s out.

The loader refuses what cannot be scored (a condition that does not parse, a value a type does not report, maxima
that do not sum to the base). These checks find what scores but cannot be what its author meant:

- errors (the rubric is refused): an item that can never award (``x >= 5 and x < 3``), a tier that can never be
  met, a veto that fires for every unit, a veto whose reason is blank;
- warnings (listed by ``appraisal rules check``): an item that can never miss, a veto that can never fire, tiers
  on one value that overlap (``5 <= x <= 10`` and ``x >= 10``), leave a gap (``x >= 10`` and ``5 <= x < 9``), or
  hold a tier that never decides (a tier worth less than one that holds wherever it does); an item reading a
  derived share whose whole may be 0 (its bounds allow it) with nothing to award when it is: a share of nothing
  is not worked out (facts.py), so such a unit's item is not evaluated.

Whether a condition can hold is decided exactly, not guessed: a comparison with a constant only changes its truth
at that constant, so trying each value at every constant the condition names, between them and beyond them (whole
numbers for counts) tries every case there is. Values are taken as reported: an unreported value makes an item
``not_evaluated``, neither awarded nor missed.

Each finding names the file, line and column of the condition, found again in the item's YAML file from the line
the loader recorded.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from .._yaml import ParseError, parse_yaml_nodes, read_regular
from ..errors import RubricProblem, did_you_mean
from . import expr
from .models import Item, Rubric, Veto

Kinds = Callable[[str], Mapping[str, str]]
"""Each value path's kind (``flag``, ``count``, ``number``) for an org type."""

MAX_CASES = 50_000  # combinations of values tried per condition; beyond, the condition is not judged
_LOCATE_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Finding:
    """One problem found: an error refuses the rubric, a warning is shown by ``rules check``."""

    problem: RubricProblem
    error: bool

    def __str__(self) -> str:
        return str(self.problem)


suggest = did_you_mean


def check(rubric: Rubric, kinds: Kinds | None = None) -> list[Finding]:
    """Every finding on ``rubric``, errors and warnings, in file and line order (``kinds``: each org type's
    value kinds; by default the year's indicators')."""
    kinds = kinds or rubric.indicators.attributes
    org_types = rubric.indicators.org_type_ids
    locate = _Locator(Path(rubric.path))
    findings: list[Finding] = []
    for item in rubric.items:
        findings += _check_item(item, kinds, locate, org_types)
    for veto in rubric.vetoes:
        findings += _check_veto(veto, kinds, locate, org_types)
    findings += _check_zero_wholes(rubric, locate)
    return sorted(findings, key=lambda f: (f.problem.file, f.problem.line, f.problem.column))


def errors(rubric: Rubric, kinds: Kinds | None = None) -> list[RubricProblem]:
    """The findings that refuse the rubric."""
    return [f.problem for f in check(rubric, kinds) if f.error]


# --- where a condition is ----------------------------------------------------------------------------------


class _Locator:
    """Line and column of a key inside an item, found again in the item's file."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: dict[str, yaml.Node | None] = {}

    def node(self, file: str) -> yaml.Node | None:
        """The node tree of ``file`` in the folder, parsed once (None when it cannot be read)."""
        if file not in self.files:
            try:
                self.files[file] = parse_yaml_nodes(read_regular(self.root / file, _LOCATE_BYTES).decode("utf-8"))[1]
            except (OSError, ParseError, UnicodeDecodeError):
                self.files[file] = None
        return self.files[file]

    def __call__(
        self, entry: Item | Veto, path: tuple[str | int, ...], offset: int | None = None
    ) -> Callable[[str], RubricProblem]:
        """A maker of problems at ``path`` in ``entry`` (``offset``: give the column, shifted by it)."""

        def at(message: str) -> RubricProblem:  # the file is read only when there is something to say
            line, column = entry.source_line, 0
            root = self.node(entry.source_file)
            node = _entry_node(root, entry.source_line) if root is not None else None
            for key in path:
                node = _child(node, key) if node is not None else None
                if node is not None:
                    quoted = isinstance(node, yaml.ScalarNode) and node.style in ("'", '"')
                    line, column = node.start_mark.line + 1, node.start_mark.column + 1 + quoted
            return RubricProblem(entry.source_file, line, message, column + offset if offset is not None else 0)

        return at


def _entry_node(root: yaml.Node, line: int) -> yaml.Node | None:
    if not isinstance(root, yaml.MappingNode):
        return None
    for _, entries in root.value:
        if isinstance(entries, yaml.SequenceNode):
            for entry in entries.value:
                if entry.start_mark.line + 1 == line:
                    found: yaml.Node = entry
                    return found
    return None


def _child(node: yaml.Node, key: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode) and isinstance(key, str):
        found: yaml.Node | None = next((value for k, value in node.value if k.value == key), None)
        return found
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
        return node.value[key]  # type: ignore[no-any-return]
    return None


# --- what a condition can be -------------------------------------------------------------------------------


def _samples(kind: str, constants: list[Any]) -> list[Any]:
    """Values of one kind at which every comparison with ``constants`` takes each truth value it can."""
    if kind == "flag" or any(isinstance(c, bool) for c in constants):
        return [False, True]
    if kind == "choice" or any(isinstance(c, str) for c in constants):  # each id named, and one not named
        return sorted({str(c) for c in constants}) + ["\x00other"]
    numbers = sorted({Decimal(str(c)) for c in constants if not isinstance(c, bool)})
    if kind == "count":
        whole = {0}
        for c in numbers:
            whole |= {math.floor(c) - 1, math.floor(c), math.ceil(c), math.ceil(c) + 1}
        return sorted(v for v in whole if v >= 0)
    if not numbers:
        return [0]
    points = [numbers[0] - 1, *numbers, numbers[-1] + 1]
    points += [(a + b) / 2 for a, b in itertools.pairwise(numbers)]
    return [float(v) for v in sorted(points)]


def _paths(node: expr.Node) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for comparison in expr.comparisons(node):
        found.setdefault(comparison.path, []).append(comparison.value)
    return found


def _cases(node: expr.Node, kinds: Mapping[str, str]) -> list[dict[str, Any]] | None:
    """Every assignment of reported values that decides ``node``; ``None`` when too many to try."""
    axes = {path: _samples(kinds.get(path, "number"), constants) for path, constants in _paths(node).items()}
    if math.prod(len(v) for v in axes.values()) > MAX_CASES:
        return None
    return [dict(zip(axes, combo, strict=True)) for combo in itertools.product(*axes.values())]


def _outcomes(text: str, kinds: Mapping[str, str]) -> set[bool]:
    node = expr.parse(text)
    cases = _cases(node, kinds)
    return {True, False} if cases is None else {expr.evaluate(node, case) for case in cases}


def applicability_cases(conditions: list[str], kinds: Mapping[str, str], limit: int) -> list[tuple[bool, ...]] | None:
    """Each combination of truth values of ``conditions`` that some reported values give (``[()]`` for none),
    in a stable order; ``None`` when more than ``limit`` assignments would have to be tried."""
    if not conditions:
        return [()]
    nodes = [expr.parse(text) for text in conditions]
    constants: dict[str, list[Any]] = {}
    for node in nodes:
        for path, values in _paths(node).items():
            constants.setdefault(path, []).extend(values)
    axes = {path: _samples(kinds.get(path, "number"), values) for path, values in constants.items()}
    if math.prod(len(v) for v in axes.values()) > limit * 64:
        return None
    found: dict[tuple[bool, ...], None] = {}
    for combo in itertools.product(*axes.values()):
        case = dict(zip(axes, combo, strict=True))
        found[tuple(expr.evaluate(node, case) for node in nodes)] = None
        if len(found) > limit:
            return None
    return sorted(found, reverse=True)


def _shown(value: Any) -> str:
    return expr.literal_text(value) if isinstance(value, bool | int | float) else str(value)


# --- items and vetoes --------------------------------------------------------------------------------------


def _orgs(item: Item | Veto, org_types: tuple[str, ...]) -> list[str]:
    if isinstance(item, Veto):
        return list(item.applies_to or org_types)
    return [org for org in org_types if item.max_for(org) is not None]


def _check_item(item: Item, kinds: Kinds, locate: _Locator, org_types: tuple[str, ...]) -> list[Finding]:
    orgs = _orgs(item, org_types)
    if not orgs:
        return []
    known = kinds(orgs[0])
    findings = []
    if item.when is not None:
        outcomes = _outcomes(item.when, known)
        at = locate(item, ("when",), 0)
        if outcomes == {False}:
            findings.append(
                Finding(
                    at(
                        f"{item.id} can never award: no reported values make its condition hold ({item.when}); "
                        "check each comparison's direction and number"
                    ),
                    True,
                )
            )
        elif outcomes == {True}:
            findings.append(
                Finding(
                    at(
                        f"{item.id} can never miss: its condition holds whatever is reported ({item.when}); "
                        "a condition that cannot fail scores reporting, not work"
                    ),
                    False,
                )
            )
    if item.applies_when is not None:
        outcomes = _outcomes(item.applies_when, known)
        at = locate(item, ("applies_when",), 0)
        if outcomes == {False}:
            findings.append(
                Finding(at(f"{item.id} never applies: no unit's values make {item.applies_when} hold"), True)
            )
        elif outcomes == {True}:
            findings.append(
                Finding(at(f"{item.id}'s applies_when holds for every unit ({item.applies_when}): drop it"), False)
            )
    for index, tier in enumerate(item.tiers or ()):
        outcomes = _outcomes(tier.when, known)
        at = locate(item, ("tiers", index, "when"), 0)
        if outcomes == {False}:
            findings.append(
                Finding(
                    at(
                        f"{item.id} tier {index + 1} can never be met: no reported values make it hold "
                        f"({tier.when}); check each comparison's direction and number"
                    ),
                    True,
                )
            )
        elif outcomes == {True}:
            findings.append(
                Finding(
                    at(
                        f"{item.id} can never miss: tier {index + 1} holds whatever is reported ({tier.when}); "
                        "a tier that cannot fail scores reporting, not work"
                    ),
                    False,
                )
            )
    if item.tiers and len(item.tiers) > 1:
        findings += _check_tiers(item, orgs[0], known, locate)
    return findings


def _amount(item: Item, org: str, index: int) -> Decimal:
    tier = (item.tiers or [])[index]
    if tier.points is not None:
        return tier.points
    return (item.max_for(org) or Decimal(0)) * (tier.share or Decimal(0))


def _check_tiers(item: Item, org: str, kinds: Mapping[str, str], locate: _Locator) -> list[Finding]:
    """Overlaps, gaps and tiers that never decide, for tiers that all test the same one number."""
    tiers = item.tiers or []
    nodes = [expr.parse(tier.when) for tier in tiers]
    paths = {path for node in nodes for path in _paths(node)}
    if len(paths) != 1:
        return []
    (path,) = paths
    kind = kinds.get(path, "number")
    if kind == "flag":
        return []
    samples = _samples(kind, [c for node in nodes for c in _paths(node)[path]])
    holds = [frozenset(i for i, v in enumerate(samples) if expr.evaluate(node, {path: v})) for node in nodes]
    findings: list[Finding] = []
    covered = [any(i in held for held in holds) for i in range(len(samples))]
    for j, is_covered in enumerate(covered):
        below = [i for i in range(j) if covered[i]]
        if not is_covered and below and any(covered[j + 1 :]):
            lower = samples[below[-1]]
            best = max((_amount(item, org, t) for t, held in enumerate(holds) if below[-1] in held), default=0)
            findings.append(
                Finding(
                    locate(item, ("tiers",), 0)(
                        f"{item.id}'s tiers leave a gap: {path} = {_shown(samples[j])} earns nothing, though "
                        f"{_shown(lower)} earns {best}; make each tier start where the next one ends"
                    ),
                    False,
                )
            )
            break
    for a, b in itertools.combinations(range(len(tiers)), 2):
        both = holds[a] & holds[b]
        if not both:
            continue
        if holds[a] <= holds[b] or holds[b] <= holds[a]:
            inner, outer = (a, b) if holds[a] <= holds[b] else (b, a)
            if _amount(item, org, inner) <= _amount(item, org, outer) and holds[inner]:
                findings.append(
                    Finding(
                        locate(item, ("tiers", inner, "when"), 0)(
                            f"{item.id} tier {inner + 1} never decides: tier {outer + 1} holds wherever it does "
                            f"and gives as much or more ({_amount(item, org, outer)} against "
                            f"{_amount(item, org, inner)}); drop it or raise its points"
                        ),
                        False,
                    )
                )
            continue
        findings.append(
            Finding(
                locate(item, ("tiers", b, "when"), 0)(
                    f"{item.id} tiers {a + 1} and {b + 1} overlap at {path} = {_shown(samples[min(both)])}; "
                    "make the bands meet without overlapping (e.g. < 10 and >= 10)"
                ),
                False,
            )
        )
    return findings


def _check_veto(veto: Veto, kinds: Kinds, locate: _Locator, org_types: tuple[str, ...]) -> list[Finding]:
    findings = []
    for lang in ("en", "zh"):
        if not getattr(veto.reason, lang).strip():
            findings.append(
                Finding(
                    locate(veto, ("reason", lang), 0)(
                        f"veto {veto.id} has no reason ({lang}); say why it bars the unit: the notice quotes it"
                    ),
                    True,
                )
            )
    orgs = _orgs(veto, org_types)
    outcomes = _outcomes(veto.when, kinds(orgs[0])) if orgs else {True, False}
    at = locate(veto, ("when",), 0)
    if outcomes == {True}:
        findings.append(
            Finding(at(f"veto {veto.id} fires for every unit that reports {veto.when}; check its condition"), True)
        )
    elif outcomes == {False}:
        findings.append(Finding(at(f"veto {veto.id} can never fire ({veto.when}); check its condition"), False))
    return findings


# --- shares of a whole that may be 0 -----------------------------------------------------------------------


def _derived_line(locate: _Locator, derived_id: str) -> int:
    """The line of the derived value ``derived_id`` in the folder's indicators.yaml (0 when not found); the file
    is parsed once per check, by the locator, and only when a finding names the line (every load runs this)."""
    node = locate.node("indicators.yaml")
    entries = _child(node, "derived") if node is not None else None
    for entry in entries.value if isinstance(entries, yaml.SequenceNode) else ():
        found = _child(entry, "id")
        if isinstance(found, yaml.ScalarNode) and found.value == derived_id:
            return int(entry.start_mark.line) + 1
    return 0


def _awards_on_nothing(item: Item, share: str, whole: str, kinds: Mapping[str, str]) -> bool:
    """Whether some condition of ``item`` can hold when ``whole`` is 0 and so ``share`` has no value."""
    if item.value_path() == share:
        return False  # the share is what is counted: without it the item is not evaluated
    for _, text in item.conditions():
        node = expr.parse(text)
        others = {path: _samples(kinds.get(path, "number"), c) for path, c in _paths(node).items()}
        others.pop(share, None)
        others.pop(whole, None)
        if math.prod(len(v) for v in others.values()) > MAX_CASES:
            return True  # not judged
        for combo in itertools.product(*others.values()):
            values: dict[str, Any] = dict(zip(others, combo, strict=True)) | {whole: 0}
            if expr.evaluate(node, values):
                return True
    return False


def _check_zero_wholes(rubric: Rubric, locate: _Locator) -> list[Finding]:
    """Items reading a share (100 x part / whole) whose whole's bounds allow 0 and that award nothing then."""
    indicators = rubric.indicators
    findings: list[Finding] = []
    for derived in indicators.derived:
        if derived.share is None:
            continue
        whole = indicators.field(derived.share.whole)
        if whole is None or (whole.min is not None and whole.min > 0):
            continue
        users = [item for item in rubric.items if derived.id in _item_paths(item)]
        for item in users:
            orgs = [org for org in indicators.org_type_ids if item.max_for(org) is not None]
            kinds = indicators.attributes(orgs[0]) if orgs else {}
            if _awards_on_nothing(item, derived.id, derived.share.whole, kinds):
                continue
            where = _where_read(item, derived.id)
            line = _derived_line(locate, derived.id)
            findings.append(
                Finding(
                    locate(item, where, 0)(
                        f"{item.id} reads {derived.id} = 100 × {derived.share.part} / {derived.share.whole} "
                        f"(indicators.yaml:{line}), and {derived.share.whole} may be 0 (no min above 0): a unit "
                        f"reporting 0 has no share, so {item.id} is not evaluated and earns nothing; award that "
                        f'case in a tier ("{derived.share.whole} == 0 or ...") or give {derived.share.whole} '
                        "min: 1"
                    ),
                    False,
                )
            )
    return findings


def _item_paths(item: Item) -> set[str]:
    found = {c.path for _, text in item.conditions() for c in expr.comparisons(expr.parse(text))}
    value = item.value_path()
    return found | ({value} if value else set())


def _where_read(item: Item, path: str) -> tuple[str | int, ...]:
    """Where in the item ``path`` is first read: its value, ``when`` or a tier's condition."""
    if item.value_path() == path:
        return (item.kind, "value")
    if item.when is not None and path in {c.path for c in expr.comparisons(expr.parse(item.when))}:
        return ("when",)
    for index, tier in enumerate(item.tiers or ()):
        if path in {c.path for c in expr.comparisons(expr.parse(tier.when))}:
            return ("tiers", index, "when")
    return ()

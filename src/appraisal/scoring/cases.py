"""Golden cases: a rubric's own examples of what it must give, in ``<rubric>/cases/*.yaml``.

In: the rubric and its case files. Out: one ``CaseResult`` per case, each mismatch named with ``file:line``.
A case file holds one case (or a list)::

    name: A village that held no hearing
    submission: {unit_id: case-1, name: ..., org_type: village, year: 2026, ...}
    expect:
      total: 91          # any of: total, bonus, grade, vetoed
      grade: excellent
      items: {L01: 0, L06: 1.5}          # points per item id
      statuses: {L01: missed}            # status per item id

Policy staff editing next year's rubric run ``appraisal check-rubric``: a case that no longer holds shows which
expectation moved, so a change of score is always a decision, never an accident.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from .._yaml import ParseError, parse_yaml_nodes
from ..errors import InputError, RubricError, RubricProblem
from ..rubric import Rubric
from ..submission.loading import validate_unit
from .appraise import appraise


class Expectation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    total: float | None = None
    bonus: float | None = None
    grade: str | None = None
    vetoed: bool | None = None
    items: dict[str, float] = {}
    statuses: dict[str, str] = {}


@dataclass
class CaseResult:
    file: str
    line: int
    name: str
    mismatches: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.mismatches

    def __str__(self) -> str:
        head = f"cases/{self.file}:{self.line}: {self.name}"
        return head + (": ok" if self.passed else "".join(f"\n  {m}" for m in self.mismatches))


def _cases_in(path: Path) -> list[tuple[int, dict[str, Any]]]:
    try:
        data, node = parse_yaml_nodes(path.read_text(encoding="utf-8"))
    except (ParseError, OSError, UnicodeDecodeError) as exc:
        raise RubricError([RubricProblem(f"cases/{path.name}", 0, str(exc))]) from exc
    entries = data if isinstance(data, list) else [data]
    nodes = node.value if node is not None and isinstance(data, list) else [node]
    found = []
    for entry, entry_node in zip(entries, nodes, strict=True):
        line = entry_node.start_mark.line + 1 if entry_node is not None else 0
        if not isinstance(entry, dict) or not {"name", "submission", "expect"} <= set(entry):
            raise RubricError([RubricProblem(f"cases/{path.name}", line, "a case has name, submission and expect")])
        found.append((line, entry))
    return found


def _compare(rubric: Rubric, entry: dict[str, Any], source: str) -> list[str]:
    try:
        expect = Expectation.model_validate(entry["expect"])
    except ValidationError as exc:
        return [f"expect.{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors(include_url=False)]
    try:
        card = appraise(validate_unit(entry["submission"], source), rubric)
    except InputError as exc:
        return [f"the submission is invalid: {line}" for line in exc.lines()]
    mismatches = []
    for key in ("total", "bonus", "grade", "vetoed"):
        wanted = getattr(expect, key)
        if wanted is not None and getattr(card, key) != wanted:
            mismatches.append(f"{key}: expected {wanted}, got {getattr(card, key)}")
    for item_id, points in expect.items.items():
        got = next((i for i in card.items if i.id == item_id), None)
        if got is None:
            mismatches.append(f"{item_id}: no such item")
        elif got.points != points:
            mismatches.append(f"{item_id}: expected {points} points, got {got.points} ({got.reason})")
    for item_id, status in expect.statuses.items():
        got = next((i for i in card.items if i.id == item_id), None)
        if got is None or got.status != status:
            mismatches.append(f"{item_id}: expected {status}, got {got.status if got else 'no such item'}")
    return mismatches


def run_cases(rubric: Rubric) -> list[CaseResult]:
    """Run every golden case of ``rubric`` (none when it has no ``cases/`` folder)."""
    folder = Path(rubric.path) / "cases"
    results = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        for line, entry in _cases_in(path):
            result = CaseResult(path.name, line, str(entry["name"]))
            result.mismatches = _compare(rubric, entry, f"cases/{path.name}")
            results.append(result)
    return results

"""Golden cases: a rubric's own examples of what it must give, in ``<rubric>/cases/*.yaml``.

In: the rubric and its case files. Out: one ``CaseResult`` per case, each mismatch named with ``file:line``.
A case file holds one case (or a list)::

    name: A village that held no hearing
    submission: {unit_id: case-1, name: ..., org_type: village, year: 2026, ...}
    expect:
      total: 91          # any of: total, bonus, grade, vetoed
      grade: excellent
      items: {L01: 0, L06: 1.5, D01: -2}  # points per item id (a deduction item's are 0 or negative)
      statuses: {L01: missed}            # status per item id

Policy staff editing next year's rubric run ``appraisal rules test``: a case that no longer holds shows which
expectation moved, so a change of score is always a decision, never an accident. ``coverage`` says which
outcomes the passing cases have shown: every item awarding and not awarding (partial or missed), every
deduction item and every veto firing and not firing; an item no case scores at all is listed as without cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, ValidationError

from .._yaml import LineIndex, ParseError, misnamed_yaml, parse_yaml_nodes, read_regular
from ..errors import InputError, RubricError, RubricProblem, did_you_mean
from ..rubric import Rubric
from ..submission.loading import validate_unit
from .appraise import appraise
from .scorecard import Grade, Scorecard, Status

MAX_CASE_FILE_BYTES = 2 * 1024 * 1024


class Expectation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    total: float | None = None
    bonus: float | None = None
    grade: Grade | None = None  # a misspelt grade or status is one, not a scoring change ("expected partly")
    vetoed: bool | None = None
    items: dict[str, float] = {}
    statuses: dict[str, Status] = {}


@dataclass
class CaseResult:
    """One case's outcome: its file, line and name, and each expectation that did not hold (``mismatches``), at
    the line of the case file it is about (``lines``: the expectation's, or the submission field's)."""

    file: str
    line: int
    name: str
    mismatches: list[str] = field(default_factory=list)
    card: Scorecard | None = None
    lines: list[int] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.mismatches

    def __str__(self) -> str:
        head = f"cases/{self.file}{f':{self.line}' if self.line else ''}: {self.name}"
        if self.passed:
            return head + ": ok"
        lines = self.lines or [0] * len(self.mismatches)
        return head + "".join(
            f"\n  cases/{self.file}:{line}: {m}" if line else f"\n  {m}"
            for m, line in zip(self.mismatches, lines, strict=True)
        )


Place = tuple[int | str, ...]  # where in a case a mismatch is: ("expect", "total"), ("submission", "leadership", ...)


_CASE_KEYS = {"name", "submission", "expect"}


def _cases_in(path: Path) -> list[tuple[int, dict[str, Any], LineIndex]]:
    try:
        data, node = parse_yaml_nodes(read_regular(path, MAX_CASE_FILE_BYTES).decode("utf-8"))
    except (ParseError, OSError, UnicodeDecodeError) as exc:
        message, line = str(exc), 0
        if isinstance(exc, ParseError) and message.startswith("line "):  # placed as a rubric file's error is
            head, _, message = message.partition(": ")
            line = int(head.split()[1])
        raise RubricError([RubricProblem(f"cases/{path.name}", line, message)]) from exc
    entries = data if isinstance(data, list) else [data]
    nodes = node.value if node is not None and isinstance(data, list) else [node]
    found = []
    for entry, entry_node in zip(entries, nodes, strict=True):
        line = entry_node.start_mark.line + 1 if entry_node is not None else 0
        if not isinstance(entry, dict) or not _CASE_KEYS <= set(entry):
            message = "a case has name, submission and expect"
            if isinstance(entry, dict):  # which one is missing, and the misspelt key that was meant as it
                missing, unknown = sorted(_CASE_KEYS - set(entry)), [str(k) for k in entry if k not in _CASE_KEYS]
                message += f": {', '.join(missing)} missing"
                message += "".join(f"; unknown key {k!r}{did_you_mean(k, missing)}" for k in unknown)
            raise RubricError([RubricProblem(f"cases/{path.name}", line, message)])
        found.append((line, entry, LineIndex(entry_node)))
    return found


def _expectation_error(error: Any) -> tuple[Place, str]:
    where = ".".join(map(str, error["loc"]))
    hint = ""
    if error["type"] == "extra_forbidden":
        hint = did_you_mean(str(error["loc"][-1]), Expectation.model_fields)
    elif error["type"] == "literal_error":  # a grade or status: the one meant
        hint = did_you_mean(str(error["input"]), get_args(Grade if error["loc"][0] == "grade" else Status))
    return ("expect", *error["loc"]), f"expect.{where}: {error['msg']}{hint}"


def _submission_place(loc: str) -> Place:
    """A submission problem's dotted field path as a place in the case (list indexes as numbers)."""
    return ("submission", *(int(part) if part.isdigit() else part for part in loc.split(".") if part))


def _compare(rubric: Rubric, entry: dict[str, Any], source: str) -> tuple[list[tuple[Place, str]], Scorecard | None]:
    try:
        expect = Expectation.model_validate(entry["expect"])
    except ValidationError as exc:
        return [_expectation_error(e) for e in exc.errors(include_url=False)], None
    try:
        card = appraise(validate_unit(entry["submission"], source, rubric), rubric)
    except InputError as exc:
        return [
            (_submission_place(p.loc), f"the submission is invalid: {line.removeprefix(exc.source + ': ')}")
            for p, line in zip(exc.problems, exc.lines(), strict=True)
        ], None
    mismatches: list[tuple[Place, str]] = []
    for key in ("total", "bonus", "grade", "vetoed"):
        wanted = getattr(expect, key)
        if wanted is not None and getattr(card, key) != wanted:
            mismatches.append((("expect", key), f"{key}: expected {wanted}, got {getattr(card, key)}"))
    ids = [i.id for i in card.items]
    deductions = {d.id: d for d in card.deductions}
    for item_id, points in expect.items.items():
        got = next((i for i in card.items if i.id == item_id), None) or deductions.get(item_id)
        place: Place = ("expect", "items", item_id)
        if got is None:
            mismatches.append((place, f"{item_id}: no such item{did_you_mean(item_id, [*ids, *deductions])}"))
        elif got.points != points:
            mismatches.append((place, f"{item_id}: expected {points} points, got {got.points} ({got.reason})"))
    for item_id, status in expect.statuses.items():
        got = next((i for i in card.items if i.id == item_id), None)
        place = ("expect", "statuses", item_id)
        if got is None:
            mismatches.append((place, f"{item_id}: no such item{did_you_mean(item_id, ids)}"))
        elif got.status != status:
            mismatches.append((place, f"{item_id}: expected {status}, got {got.status} ({got.reason})"))
    return mismatches, card


def case_files(rubric: Rubric) -> list[Path]:
    folder = Path(rubric.path) / "cases"
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def run_cases(rubric: Rubric) -> list[CaseResult]:
    """Run every golden case of ``rubric`` (none when it has no ``cases/`` folder)."""
    results = []
    if (Path(rubric.path) / "cases").is_dir():
        for name, message in misnamed_yaml(Path(rubric.path) / "cases"):
            results.append(CaseResult(name, 0, "not read", [message.removeprefix("not read: ")], lines=[0]))
    for path in case_files(rubric):
        for line, entry, index in _cases_in(path):
            result = CaseResult(path.name, line, str(entry["name"]))
            found, result.card = _compare(rubric, entry, f"cases/{path.name}")
            result.mismatches = [message for _, message in found]
            result.lines = [index.line(place)[0] for place, _ in found]  # the place, or its nearest ancestor's
            results.append(result)
    return results


AWARDED, NOT_AWARDED, FIRED, NOT_FIRED = "awarding", "not awarding", "firing", "not firing"


@dataclass(frozen=True)
class Coverage:
    """Which outcomes the passing golden cases show: per item id (or veto id), the outcomes seen and wanted."""

    seen: dict[str, set[str]]
    wanted: dict[str, tuple[str, str]]

    @property
    def shown(self) -> int:
        return sum(len(self.seen[key] & set(outcomes)) for key, outcomes in self.wanted.items())

    @property
    def total(self) -> int:
        return 2 * len(self.wanted)

    @property
    def percent(self) -> float:
        return 100.0 * self.shown / self.total if self.total else 100.0

    @property
    def complete(self) -> bool:
        return self.shown == self.total

    def without_cases(self) -> list[str]:
        """Items and vetoes no passing case scores in any way (all applicable units left them unreported)."""
        return [key for key in self.wanted if not self.seen[key]]

    def unseen(self) -> list[tuple[str, str]]:
        """(id, outcome) of every outcome no passing case shows, for ids some case does score."""
        return [
            (key, outcome)
            for key, outcomes in self.wanted.items()
            if self.seen[key]
            for outcome in outcomes
            if outcome not in self.seen[key]
        ]


def coverage(rubric: Rubric, results: list[CaseResult]) -> Coverage:
    """Item and veto coverage of the passing cases. An item counts as awarding when awarded, as not awarding
    when partial or missed (``not_evaluated`` shows no rule at work); a veto as firing or not firing for a unit
    of a type it applies to."""
    wanted = {item.id: (AWARDED, NOT_AWARDED) for item in rubric.items if item.deduction is None}
    wanted |= {item.id: (FIRED, NOT_FIRED) for item in rubric.items if item.deduction is not None}
    wanted |= {veto.id: (FIRED, NOT_FIRED) for veto in rubric.vetoes}
    seen: dict[str, set[str]] = {key: set() for key in wanted}
    for result in results:
        card = result.card
        if card is None or not result.passed:
            continue
        for item in card.items:
            if item.status == "awarded":
                seen[item.id].add(AWARDED)
            elif item.status in ("partial", "missed"):
                seen[item.id].add(NOT_AWARDED)
        for deduction in card.deductions:
            seen[deduction.id].add(FIRED if deduction.points < 0 else NOT_FIRED)
        vetoed = {reason.partition(":")[0] for reason in card.veto_reasons}
        for veto in rubric.vetoes_for(card.org_type):
            seen[veto.id].add(FIRED if veto.id in vetoed else NOT_FIRED)
    return Coverage(seen, wanted)

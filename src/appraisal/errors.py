"""Errors raised by appraisal, each carrying where the problem is (file, and field path or line).

Every third-party failure (YAML, pydantic, durable-rules, weasyprint) is translated into one of these at the
call site, so callers catch ``AppraisalError`` and nothing else.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """``text`` with control, format (bidi overrides, zero-width) and line-separator characters shown as escapes
    (``\\n``, ``\\u202e``), so a file name cannot break or reverse the one-line error it appears in."""
    if text.isprintable():
        return text
    return "".join(
        _ESCAPES.get(c) or (f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}")
        if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")
        else c
        for c in text
    )


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """``"; did you mean X?"`` for the closest of ``known``, or ``""`` when none is close (rubric messages)."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.5)
    return f"; did you mean {close[0]}?" if close else ""


@dataclass(frozen=True)
class Problem:
    """One problem in an input: where (``loc``, a dotted field path or ``line N``) and what."""

    loc: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"loc": self.loc, "message": self.message}


class AppraisalError(Exception):
    """Base of every error appraisal raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(AppraisalError):
    """A submission file (or one unit in it) that cannot be scored.

    ``problems`` lists every problem found; ``str()`` gives one line per problem, each prefixed with the
    file name, e.g. ``village-017.json: leadership.standing_committee_hearings: must be >= 0 (got -1)``.
    """

    def __init__(self, source: str, problems: list[Problem], unit_id: str | None = None) -> None:
        self.source = source
        self.problems = list(problems)
        self.unit_id = unit_id
        super().__init__("\n".join(self.lines()))

    def __reduce__(self) -> tuple[type[InputError], tuple[str, list[Problem], str | None]]:
        return (InputError, (self.source, self.problems, self.unit_id))  # picklable across worker processes

    def lines(self) -> list[str]:
        """One line per problem, with control and bidi characters (in a file name, say) shown escaped."""
        return [
            printable(f"{self.source}: {p.loc}: {p.message}" if p.loc else f"{self.source}: {p.message}")
            for p in self.problems
        ]

    def as_dict(self) -> dict[str, object]:
        """The entry of ``errors.json``: source, unit id when known, and the problems."""
        entry: dict[str, object] = {"source": self.source}
        if self.unit_id is not None:
            entry["unit_id"] = self.unit_id
        entry["errors"] = [p.as_dict() for p in self.problems]
        return entry


@dataclass(frozen=True)
class RubricProblem:
    """One problem in a rubric file, with its position (1-based line and column; 0 when unknown)."""

    file: str
    line: int
    message: str
    column: int = 0

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class RubricError(AppraisalError):
    """A rubric that cannot be used. A rubric is refused as a whole, with every problem found."""

    def __init__(self, problems: list[RubricProblem]) -> None:
        self.problems = list(dict.fromkeys(problems))  # each once: two checks of one file may find the same
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type[RubricError], tuple[list[RubricProblem]]]:
        return (RubricError, (self.problems,))  # picklable across worker processes


class EngineError(AppraisalError):
    """durable-rules failed while scoring a unit. The facts it was given are valid, so the engine (or the rubric
    it runs) is at fault, not the unit: the run stops and writes nothing, as for a ``RubricError``."""

    def __init__(self, unit_id: str, message: str) -> None:
        self.unit_id = unit_id
        self.detail = message
        super().__init__(f"{unit_id}: {message}")

    def __reduce__(self) -> tuple[type[EngineError], tuple[str, str]]:
        return (EngineError, (self.unit_id, self.detail))


class ReportError(AppraisalError):
    """A report could not be rendered."""


class OutputError(AppraisalError):
    """The output folder cannot be used: another run holds it, or a path to write would leave it."""

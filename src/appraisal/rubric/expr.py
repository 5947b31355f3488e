"""The rubric's condition language: text in, a checked expression tree out, and from it durable-rules patterns.

Grammar (``and`` binds tighter than ``or``)::

    expr    := and_ ("or" and_)*
    and_    := not_ ("and" not_)*
    not_    := "not" not_ | atom
    atom    := "(" expr ")" | path (OP literal)?
    path    := NAME "." NAME
    literal := NUMBER | "true" | "false" | STRING     (STRING: a choice's id in double quotes, "crafts")
    OP      := "==" | "!=" | "<" | "<=" | ">" | ">="

Parsing is a hand-written recursive descent over a regex tokenizer: nothing is ever evaluated as Python.
A bare ``path`` means ``path == true``. ``not`` is pushed down to the comparisons (negation normal form)
before compiling, so the engine sees only comparisons joined by ``$and``/``$or``.

What durable-rules 2.0.28 can take is checked here, when the text is parsed, so a rubric that loads also
compiles: a number literal has at most ``MAX_DIGITS`` digits (a longer one is rounded by the float it
becomes, or written with an exponent durable-rules cannot read), and a condition expands to at most
``MAX_ALTERNATIVES`` alternatives (durable-rules turns every ``or`` into rules of its own: 16 groups
``(a or b)`` are 65,536 rules, which it refuses; far fewer already make every unit slow to score).
"""

from __future__ import annotations

import itertools
import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property, lru_cache
from typing import Any

Literal_ = bool | int | float | str

_TOKEN = re.compile(
    r"\s*(?:(?P<num>-?\d+(?:\.\d+)?)|(?P<op>==|!=|<=|>=|<|>)|(?P<paren>[()])|(?P<str>\"[a-z][a-z0-9_]{0,63}\")"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*))"
)
_NEGATED = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}
_DURABLE_OP = {"!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}
_KEYWORDS = {"and", "or", "not", "true", "false"}
MAX_LENGTH = 2000
MAX_DIGITS = 15  # a double holds 15 significant decimal digits exactly
MAX_ALTERNATIVES = 64
# Operators of other languages, and what this one writes instead.
_FOREIGN = {"=": "==", "=>": ">=", "=<": "<=", "<>": "!=", "&&": "and", "||": "or", "!": "not"}


class ExprError(Exception):
    """A problem in a condition, at 0-based ``column`` of its text."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


@dataclass(frozen=True)
class Compare:
    section: str
    field: str
    op: str
    value: Literal_
    column: int = 0

    @cached_property
    def path(self) -> str:
        """``section.field``, made once (evaluating and explaining conditions read it for every comparison)."""
        return f"{self.section}.{self.field}"

    def __str__(self) -> str:
        return f"{self.path} {self.op} {literal_text(self.value)}"


def literal_text(value: Literal_) -> str:
    """A literal as the rubric writes it: ``true``, ``3``, ``0.00001`` (never an exponent), ``"crafts"``."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


@dataclass(frozen=True)
class And:
    parts: tuple[Node, ...]

    def __str__(self) -> str:
        return " and ".join(f"({p})" if isinstance(p, Or) else str(p) for p in self.parts)


@dataclass(frozen=True)
class Or:
    parts: tuple[Node, ...]

    def __str__(self) -> str:
        return " or ".join(str(p) for p in self.parts)


@dataclass(frozen=True)
class Not:
    part: Node

    def __str__(self) -> str:
        return f"not ({self.part})"


Node = Compare | And | Or | Not


def _tokens(text: str) -> list[tuple[str, str, int]]:
    tokens: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            column = pos + len(text[pos:]) - len(text[pos:].lstrip())
            raise ExprError(_unexpected(text, column), column)
        kind = match.lastgroup or ""
        if kind == "op" and text[match.end() : match.end() + 1] in ("=", "<", ">"):
            column = match.start(kind)
            raise ExprError(_unexpected(text, column), column)
        tokens.append((kind, match.group(kind), match.start(kind)))
        pos = match.end()
    return tokens


def _unexpected(text: str, column: int) -> str:
    for foreign in sorted(_FOREIGN, key=len, reverse=True):
        if text.startswith(foreign, column):
            return f"unexpected {foreign!r}: write {_FOREIGN[foreign]!r}"
    return f"unexpected character {text[column]!r}"


def _number(text: str, column: int) -> int | float:
    digits = sum(ch.isdigit() for ch in text)
    if digits > MAX_DIGITS:
        raise ExprError(f"the number {text[:20]}... has {digits} digits; at most {MAX_DIGITS} are kept exactly", column)
    return float(text) if "." in text else int(text)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.pos = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str, int]:
        token = self.peek()
        if token is None:
            raise ExprError("the condition ends too early", len(self.text))
        self.pos += 1
        return token

    def at_word(self, word: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "name" and token[1] == word

    def parse(self) -> Node:
        if not self.tokens:
            raise ExprError("empty condition", 0)
        node = self.expr()
        extra = self.peek()
        if extra is not None:
            raise ExprError(f"unexpected {extra[1]!r}", extra[2])
        return node

    def expr(self) -> Node:
        parts = [self.and_()]
        while self.at_word("or"):
            self.take()
            parts.append(self.and_())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_(self) -> Node:
        parts = [self.not_()]
        while self.at_word("and"):
            self.take()
            parts.append(self.not_())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def not_(self) -> Node:
        if self.at_word("not"):
            self.take()
            return Not(self.not_())
        return self.atom()

    def atom(self) -> Node:
        kind, text, column = self.take()
        if kind == "paren" and text == "(":
            node = self.expr()
            closing = self.peek()
            if closing is None or closing[1] != ")":
                raise ExprError("missing ')'", closing[2] if closing else len(self.text))
            self.take()
            return node
        if kind != "name" or text in _KEYWORDS:
            raise ExprError(f"expected a value such as leadership.leader_in_charge, got {text!r}", column)
        if text.count(".") != 1:
            raise ExprError(f"a value is written section.field, got {text!r}", column)
        section, field = text.split(".")
        token = self.peek()
        if token is None or token[0] != "op":
            return Compare(section, field, "==", True, column)
        self.take()
        lit_kind, lit, lit_col = self.take()
        value: Literal_
        if lit_kind == "num":
            value = _number(lit, lit_col)
        elif lit_kind == "name" and lit in ("true", "false"):
            value = lit == "true"
        elif lit_kind == "str":
            value = lit[1:-1]
        else:
            raise ExprError(f'expected a number, true, false or a "choice" after {token[1]}, got {lit!r}', lit_col)
        return Compare(section, field, token[1], value, column)


@lru_cache(maxsize=8192)
def parse(text: str) -> Node:
    """Parse a condition; raises ``ExprError`` with the column of the problem. Trees are immutable, so the
    same text is parsed once per process."""
    if len(text) > MAX_LENGTH:
        raise ExprError(f"condition longer than {MAX_LENGTH} characters", 0)
    node = _Parser(text).parse()
    count = alternatives(node)
    if count > MAX_ALTERNATIVES:
        raise ExprError(
            f"the condition has {count:,} alternatives (each 'or' multiplies the ones around it), more than the "
            f"{MAX_ALTERNATIVES} the engine is given; split it into tiers or items, or compute a value in the "
            "submission's facts",
            0,
        )
    return node


def alternatives(node: Node) -> int:
    """How many and-only alternatives the condition's disjunctive form has, counted without expanding it:
    an ``or`` adds its parts' counts, an ``and`` multiplies them (after ``not`` is pushed in)."""
    return _alternatives(nnf(node))


def _alternatives(node: Node) -> int:
    if isinstance(node, Compare):
        return 1
    if isinstance(node, Not):  # pragma: no cover - nnf() removes them
        raise AssertionError("count an expression in negation normal form")
    counts = [_alternatives(part) for part in node.parts]
    return sum(counts) if isinstance(node, Or) else math.prod(counts)


def comparisons(node: Node) -> list[Compare]:
    """Every comparison in the tree, in source order."""
    if isinstance(node, Compare):
        return [node]
    if isinstance(node, Not):
        return comparisons(node.part)
    return [c for part in node.parts for c in comparisons(part)]


def nnf(node: Node, negate: bool = False) -> Node:
    """Negation normal form: ``not`` pushed into the comparisons."""
    if isinstance(node, Compare):
        if not negate:
            return node
        if isinstance(node.value, bool) and node.op in ("==", "!="):
            return Compare(node.section, node.field, "==", node.value != (node.op == "=="), node.column)
        return Compare(node.section, node.field, _NEGATED[node.op], node.value, node.column)
    if isinstance(node, Not):
        return nnf(node.part, not negate)
    parts = tuple(nnf(p, negate) for p in node.parts)
    if isinstance(node, And):
        return Or(parts) if negate else And(parts)
    return And(parts) if negate else Or(parts)


def evaluate(node: Node, values: dict[str, Any]) -> bool:
    """Evaluate in Python with the engine's semantics: ``not`` is pushed into the comparisons first, and a
    comparison on a value that was not reported is false (so ``not x`` is false, not true, when x is
    missing: unknown is never taken as met)."""
    return holds_nnf(nnf(node), values)


_ORDER: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def holds_nnf(node: Node, values: dict[str, Any]) -> bool:
    """``evaluate`` for a tree already in negation normal form (what ``nnf`` returns)."""
    if isinstance(node, Compare):
        value = values.get(node.path)
        if value is None:
            return False
        if node.op in ("==", "!="):
            return bool(value == node.value) == (node.op == "==")
        if isinstance(value, bool | str) or isinstance(node.value, str):
            return False
        return bool(_ORDER[node.op](value, node.value))
    if isinstance(node, Not):  # pragma: no cover - nnf() removes them
        raise AssertionError("evaluate an expression in negation normal form")
    results = (holds_nnf(p, values) for p in node.parts)
    return all(results) if isinstance(node, And) else any(results)


# --- compiling to durable-rules ----------------------------------------------------------------------------


def _sections(node: Node) -> set[str]:
    return {c.section for c in comparisons(node)}


def _durable(node: Node) -> dict[str, Any]:
    """One fact's test, in durable-rules' JSON form (node is in NNF and names one section)."""
    if isinstance(node, Compare):
        if node.op == "==":
            return {node.field: node.value}
        return {_DURABLE_OP[node.op]: {node.field: node.value}}
    if isinstance(node, Not):  # pragma: no cover - nnf() removes them
        raise AssertionError("compile an expression in negation normal form")
    key = "$and" if isinstance(node, And) else "$or"
    return {key: [_durable(p) for p in node.parts]}


def terms(node: Node) -> list[dict[str, list[Node]]]:
    """The terms ``compile_rules`` makes of ``node``, one durable-rules rule each (``X#when.0``, ``X#when.1``
    when there are several): each maps a section to the tests on its fact, all of which must hold."""
    return _terms(nnf(node))


def _terms(node: Node) -> list[dict[str, list[Node]]]:
    """Disjunctive form over single-section blocks: each term maps a section to the tests on its fact."""
    sections = _sections(node)
    if len(sections) == 1:
        return [{sections.pop(): [node]}]
    if isinstance(node, Or):
        return [term for part in node.parts for term in _terms(part)]
    assert isinstance(node, And)
    terms: list[dict[str, list[Node]]] = []
    for combo in itertools.product(*(_terms(p) for p in node.parts)):
        merged: dict[str, list[Node]] = {}
        for term in combo:
            for section, tests in term.items():
                merged.setdefault(section, []).extend(tests)
        terms.append(merged)
    return terms


def compile_rules(node: Node) -> list[dict[str, Any]]:
    """durable-rules rule bodies (``{"all": [...]}``) whose firing means ``node`` holds.

    A condition naming one section becomes one pattern on that section's fact; one spanning sections becomes
    a join of patterns on the unit's section facts, one rule per term of its disjunctive form.
    """
    rules = []
    for term in terms(node):
        patterns = []
        for index, section in enumerate(sorted(term)):
            tests = term[section]
            test = _durable(tests[0] if len(tests) == 1 else And(tuple(tests)))
            patterns.append({f"m{index}": {"$and": [{"t": section}, test]}})
        rules.append({"all": patterns})
    return rules

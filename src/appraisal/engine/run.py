"""Running one unit through durable-rules: facts in, the rules that fired (with their facts) out.

This drives the engine module's own functions (``create_ruleset``, ``assert_facts``,
``start_action_for_state``, ``complete_and_start_action``, ``delete_state``) rather than ``durable.lang``'s
Host: no timer threads, no Python closure or state round-trip per firing, nothing written per firing. What
durable-rules 2.0.28 does that shapes this code:

- ``assert_facts`` reports "not handled" (code 1) when any fact matches no rule, after storing all of them:
  that is normal here (a section no rule reads) and the queued actions are still taken.
- A ruleset holds at most 1,024 live sessions: each unit's session is deleted as soon as it is read.
- The engine is not thread-safe: every call goes through one process-wide lock.
"""

from __future__ import annotations

import itertools
import json
import operator
import threading
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import durable_rules_engine as dre

from ..errors import EngineError, RubricError, RubricProblem
from ..rubric import Rubric
from .compile import ruleset_for

_LOCK = threading.Lock()
_NAMES = itertools.count(1)
_OBSERVED = 2  # assert_facts: a fact was asserted twice
_RULE = operator.attrgetter("rule")


def _exponent(value: object) -> bool:
    return type(value) is float and value != 0 and not 1e-4 <= abs(value) < 1e16


def facts_json(facts: list[dict[str, Any]]) -> str:
    """The facts as JSON durable-rules reads correctly: floats in plain positional notation.

    durable-rules' parser does not read exponents: given ``1e-05`` it silently drops that fact and every fact
    after it. Python writes floats below 1e-4 (and from 1e16) with one; those are written through Decimal, which
    keeps every digit of the float's shortest representation.
    """
    text = json.dumps(facts, separators=(",", ":"))
    # Python writes a float with an exponent as 1e-05 or 1.5e+16: without e- or e+ in the text (a unit id may
    # hold one too: then each value is looked at), no value has one
    if ("e-" not in text and "e+" not in text) or not any(_exponent(v) for fact in facts for v in fact.values()):
        return text
    parts = []
    for fact in facts:
        fields = []
        for key, value in fact.items():
            shown = format(Decimal(repr(value)), "f") if isinstance(value, float) else json.dumps(value)
            fields.append(f"{json.dumps(key)}:{shown}")
        parts.append("{" + ",".join(fields) + "}")
    return "[" + ",".join(parts) + "]"


def plain_json(value: Any) -> str:
    """Any JSON document (a ruleset) with its floats in positional notation, as ``facts_json`` writes facts."""
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k))}:{plain_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(plain_json(v) for v in value) + "]"
    if type(value) is float and _exponent(value):
        return format(Decimal(repr(value)), "f")
    return json.dumps(value)


def _scalar(token: str) -> Any:
    """A JSON number, true, false or null, read as ``json.loads`` reads it (an integer stays an int)."""
    token = token.strip()
    if token in _WORDS:
        return _WORDS[token]
    digits = token[1:] if token.startswith("-") else token
    return int(token) if digits.isascii() and digits.isdigit() else float(token)


_WORDS: dict[str, Any] = {"true": True, "false": False, "null": None}


def _end(text: str, char: str, start: int) -> int:
    at = text.find(char, start)
    return at if at >= 0 else len(text)


class Firing:
    """One rule that fired, and the facts it matched (by pattern name: m0, m1, ...). Read-only.

    From the engine, the facts stay in durable-rules' message (``{"rule": {"m0": {...}}}``) until first asked
    for: scoring reads them only for counted values, and parsing every message cost a third of a unit's time
    in the engine.
    """

    __slots__ = ("_facts", "_message", "rule")

    def __init__(self, rule: str, facts: dict[str, dict[str, Any]] | None = None, *, message: str = "") -> None:
        self.rule = rule
        self._facts = facts
        self._message = message

    @classmethod
    def from_message(cls, message: str) -> Firing:
        """The firing of one action message: durable-rules gives one rule a message (its own host reads the
        first key only); a name holding anything JSON escapes is read by parsing the message."""
        end = message.find('"', 2)
        rule = message[2:end]
        if not message.startswith('{"') or end < 0 or "\\" in rule:
            ((rule, frame),) = json.loads(message).items()
            return cls(rule, frame)
        # made without __init__'s call: a unit gives fifty firings, and this was a fifth of its engine time
        firing = cls.__new__(cls)
        firing.rule, firing._facts, firing._message = rule, None, message
        return firing

    @property
    def facts(self) -> dict[str, dict[str, Any]]:
        if self._facts is None:
            self._facts = json.loads(self._message)[self.rule]
        return self._facts

    def value(self, name: str) -> Any:
        """The value of field ``name`` in the first fact matched (``m0``), from the message without parsing all
        of it where it holds a number or a yes/no: a quote in a JSON string is escaped, so ``,"name":`` or
        ``{"name":`` starts a key."""
        message = self._message
        if self._facts is None and '"m1":' not in message:
            key = f'"{name}":'
            at = message.find(key)
            while at > 0 and message[at - 1] not in ",{":
                at = message.find(key, at + 1)
            if at > 0:
                start = at + len(key)
                token = message[start : min(_end(message, ",", start), _end(message, "}", start))]
                if token and token[0] != '"':
                    return _scalar(token)
        return self.facts["m0"][name]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Firing):
            return NotImplemented
        return self.rule == other.rule and self.facts == other.facts

    def __hash__(self) -> int:
        return hash(self.rule)

    def __repr__(self) -> str:
        return f"Firing(rule={self.rule!r}, facts={self.facts!r})"


class Engine:
    """A rubric compiled into durable-rules, one ruleset per org type, created on first use."""

    def __init__(self, rubric: Rubric) -> None:
        self.rubric = rubric
        self._handles: dict[str, int] = {}
        self.definitions: dict[str, dict[str, dict[str, Any]]] = {}

    def _handle(self, org_type: str) -> int:
        if org_type not in self._handles:
            definition = ruleset_for(self.rubric, org_type)
            name = f"appraisal-{self.rubric.id}-{org_type}-{next(_NAMES)}"
            try:
                self._handles[org_type] = dre.create_ruleset(name, plain_json(definition))
            except dre.error as exc:
                # The rubric, not a unit, is at fault: nothing of the run may be written (exit 2).
                where = RubricProblem(self.rubric.path, 0, f"durable-rules refused the {org_type} ruleset: {exc}")
                raise RubricError([where]) from exc
            self.definitions[org_type] = definition
        return self._handles[org_type]

    def compile(self, org_types: Iterable[str]) -> None:
        """Create the rulesets of ``org_types`` now (``rules check``): a refusal is a ``RubricError``."""
        with _LOCK:
            for org_type in org_types:
                self._handle(org_type)

    def run(self, org_type: str, facts: list[dict[str, Any]]) -> list[Firing]:
        """Assert one unit's facts, take every action they trigger, delete the unit's state."""
        sid = str(facts[0]["sid"])
        firings: list[Firing] = []
        with _LOCK:
            handle = self._handle(org_type)
            try:
                code, state = dre.assert_facts(handle, facts_json(facts))
                if code == _OBSERVED:
                    raise EngineError(sid, "a fact was asserted twice")
                started = dre.start_action_for_state(handle, state)
                message = started[1] if started else None
                read, take = Firing.from_message, dre.complete_and_start_action
                while message:
                    firings.append(read(message))
                    message = take(handle, state)
            except dre.error as exc:
                raise EngineError(sid, f"durable-rules failed: {exc}") from exc
            finally:
                try:
                    dre.delete_state(handle, sid)
                except dre.error:
                    pass  # nothing was stored for this unit
        firings.sort(key=_RULE)
        return firings

    def close(self) -> None:
        with _LOCK:
            for handle in self._handles.values():
                dre.delete_ruleset(handle)
            self._handles.clear()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

"""Safe, line-aware YAML and JSON parsing, shared by submissions, indicators, rubrics and golden cases.

In: text. Out: plain data (and, for YAML, the node tree that knows each value's line), or a ``ParseError`` with a
one-line reason. YAML is read with the YAML 1.2 core schema's scalars, not PyYAML's YAML 1.1 ones: ``010`` is
ten (never octal eight), ``1:30``, ``1_0``, ``0x10`` and ``yes`` / ``on`` stay text (which validation then
refuses where a number or yes/no belongs), and only ASCII digits make a number. Aliases, deep nesting, huge
documents and duplicate keys are refused.
"""

from __future__ import annotations

import json
import os
import re
import stat
import typing
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import RubricProblem, did_you_mean

try:
    from yaml._yaml import CParser

    LIBYAML = True
except ImportError:  # PyYAML built without libyaml: the loader in Python alone
    LIBYAML = False

MAX_DEPTH = 32
MAX_NODES = 2_000_000
MAX_FOLDER_FILE_BYTES = 2 * 1024 * 1024  # one file of a year's folder (indicators, items, cases)
M = TypeVar("M", bound=BaseModel)


class ParseError(Exception):
    """A file that is not usable JSON or YAML; the message is one line, with the line number when known."""


class _CoreSchemaLoader(yaml.SafeLoader):
    """PyYAML's safe loader with the YAML 1.2 core schema's implicit types."""


# PyYAML keeps its resolvers in a class attribute shared by subclasses: build a new one without YAML 1.1's
# booleans (yes, on, ...), integers (010 as octal, 0x10, 1_0, 1:30) and floats, then add the core schema's.
_YAML11 = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}
_CoreSchemaLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _YAML11]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_CORE = {
    "tag:yaml.org,2002:bool": (r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    "tag:yaml.org,2002:int": (r"^[-+]?[0-9]+$", "-+0123456789"),
    "tag:yaml.org,2002:float": (
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+.0123456789",
    ),
}
for _tag, (_pattern, _first) in _CORE.items():
    _CoreSchemaLoader.add_implicit_resolver(_tag, re.compile(_pattern, re.ASCII), list(_first))


def _core_int(loader: yaml.SafeLoader, node: yaml.Node) -> int:
    return int(loader.construct_scalar(node))  # type: ignore[arg-type]  # decimal only: "010" is ten


def _core_bool(loader: yaml.SafeLoader, node: yaml.Node) -> bool:
    return str(loader.construct_scalar(node)).lower() == "true"  # type: ignore[arg-type]


_CoreSchemaLoader.add_constructor("tag:yaml.org,2002:int", _core_int)
_CoreSchemaLoader.add_constructor("tag:yaml.org,2002:bool", _core_bool)


class _Checks(yaml.composer.Composer, yaml.constructor.SafeConstructor):
    """What the loaders refuse beyond the core schema: aliases (no alias bombs), deep nesting, too many values and
    duplicate keys: PyYAML's composer and constructor, their methods wrapped (the parser comes after)."""

    _depth = 0
    _nodes = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        parser: Any = self  # the parser's methods come from the class this is mixed into
        if parser.check_event(yaml.AliasEvent):
            event = parser.peek_event()
            raise ParseError(f"line {event.start_mark.line + 1}: YAML aliases (*name) are not accepted")
        self._depth += 1
        self._nodes += 1
        if self._depth > MAX_DEPTH:
            mark = parser.peek_event().start_mark
            raise ParseError(f"line {mark.line + 1}: nested deeper than {MAX_DEPTH} levels")
        if self._nodes > MAX_NODES:
            raise ParseError(f"more than {MAX_NODES} values")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, OverflowError) as exc:  # a date like 2026-02-30, ...
            raise ParseError(f"line {node.start_mark.line + 1}: not valid: {exc}") from exc

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                if not isinstance(key, str | int | float | bool | None):  # e.g. ? [a]: not hashable, not a field
                    raise ParseError(
                        f"line {key_node.start_mark.line + 1}: not valid: a mapping key must be a plain value"
                    )
                if key in seen:
                    raise ParseError(f"line {key_node.start_mark.line + 1}: duplicate key {key!r}")
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


class _SafeLoader(_Checks, _CoreSchemaLoader):
    """The core-schema loader with the checks, all in Python."""


if LIBYAML:

    class _FastSafeLoader(_Checks, CParser, yaml.resolver.Resolver):
        """The same loader on libyaml's scanner and parser (PyYAML's C extension): the Python composer still
        builds each node, so every check and every line number is the same, at a fraction of the cost (a year's
        folder is some 14,000 values, read by every command)."""

        yaml_implicit_resolvers = _CoreSchemaLoader.yaml_implicit_resolvers
        yaml_constructors = _CoreSchemaLoader.yaml_constructors

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

    _LOADER: Any = _FastSafeLoader
else:
    _LOADER = _SafeLoader


def parse_yaml_nodes(text: str) -> tuple[Any, yaml.Node | None]:
    """Parse YAML safely, returning the data and its node tree (which knows each value's line). Text libyaml
    refuses is parsed again in Python, whose messages say what was found and where ("expected ',' or ']', but
    got '}'"): errors read the same with or without libyaml, and only a refused file pays twice."""
    if _LOADER is _SafeLoader:
        return _parse(text, _SafeLoader)
    try:
        return _parse(text, _LOADER)
    except ParseError:
        return _parse(text, _SafeLoader)


def _parse(text: str, kind: Any) -> tuple[Any, yaml.Node | None]:
    try:
        loader = kind(text)
    except yaml.YAMLError as exc:  # the Python reader checks the characters when it starts
        raise ParseError(f"not valid YAML: {' '.join(str(exc).split())}") from exc
    try:
        node = loader.get_single_node()
        return (loader.construct_document(node) if node is not None else None), node
    except yaml.MarkedYAMLError as exc:
        raise ParseError(_yaml_problem(exc, text)) from exc
    except yaml.YAMLError as exc:  # a reader's error names the position on a second line
        raise ParseError(f"not valid YAML: {' '.join(str(exc).split())}") from exc
    except RecursionError as exc:
        raise ParseError(f"nested deeper than {MAX_DEPTH} levels") from exc
    finally:
        loader.dispose()


# A construct opened on one line and found broken on a later one (a key with no ':' after it, a quotation or a
# bracket not closed): PyYAML's problem mark is where it noticed, its context mark the line to mend.
_OPENED = {
    "while scanning a quoted scalar": "the quoted text",
    "while parsing a flow mapping": "the { }",
    "while parsing a flow sequence": "the [ ]",
}


def _yaml_problem(exc: yaml.MarkedYAMLError, text: str) -> str:
    """PyYAML's error as one line, at the line to mend, with a hint for the slips of a Chinese keyboard."""
    problem, context, mark = exc.problem or exc.context or "", exc.context or "", exc.problem_mark
    opened = exc.context_mark if context == "while scanning a simple key" or context in _OPENED else None
    if opened is not None:
        if context == "while scanning a simple key":
            problem = "this line's key has no ':' after it"
        else:
            noticed = f" (line {mark.line + 1})" if mark is not None and mark.line != opened.line else ""
            problem = f"in {_OPENED[context]} opened on this line: {problem}{noticed}"
        mark = opened
    mark = mark or exc.context_mark
    if mark is None:
        return f"not valid YAML: {problem}"
    lines = text.splitlines()
    line = lines[mark.line] if mark.line < len(lines) else ""
    if "：" in line:
        problem += " (a full-width colon '：' is not YAML's ':')"
    elif "\u00a0" in line or "\u3000" in line:
        problem += " (the line holds a no-break or full-width space, which YAML does not read as a space)"
    elif "'\\t'" in problem:
        problem += " (indent with spaces, not tabs)"
    elif problem.startswith("expected <block end>"):
        problem += " (is this line indented as the lines above it?)"
    return f"line {mark.line + 1}: not valid YAML: {problem}"


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) < len(pairs):  # a key given twice: the first one met again
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ParseError(f"duplicate key {key!r}")
            seen.add(key)
    return result


def _depth(value: Any, level: int = 0) -> int:
    """How deeply ``value`` nests (a scalar 0, ``{}`` 1), counted no further than past ``MAX_DEPTH``; only the
    containers are visited (a unit's document is some 70 values in 15 of them)."""
    if not isinstance(value, dict | list):
        return level
    deepest = level = level + 1
    if level > MAX_DEPTH:
        return level
    for inner in value.values() if isinstance(value, dict) else value:
        if isinstance(inner, dict | list) and (depth := _depth(inner, level)) > deepest:
            deepest = depth
    return deepest


def parse_text(text: str, suffix: str) -> Any:
    """Parse JSON (``suffix`` ``.json``) or YAML text safely; raises ``ParseError`` with a one-line reason."""
    if suffix == ".json":
        try:
            value = json.loads(text, object_pairs_hook=_no_duplicates)
        except json.JSONDecodeError as exc:
            raise ParseError(f"line {exc.lineno}: not valid JSON: {exc.msg}") from exc
        except RecursionError as exc:
            raise ParseError(f"nested deeper than {MAX_DEPTH} levels") from exc
        except ValueError as exc:  # e.g. an integer of more than 4,300 digits
            raise ParseError(f"not valid JSON: {exc}") from exc
        if _depth(value) > MAX_DEPTH:
            raise ParseError(f"nested deeper than {MAX_DEPTH} levels")
        return value
    return parse_yaml_nodes(text)[0]


class LineIndex:
    """The line and column of each value of a parsed YAML document, by its path of keys and indexes."""

    def __init__(self, node: yaml.Node | None) -> None:
        self.lines: dict[tuple[int | str, ...], tuple[int, int]] = {}
        self.keys: dict[tuple[int | str, ...], int] = {}
        self.spanning: dict[tuple[int | str, ...], yaml.ScalarNode] = {}  # unquoted text over several lines
        if node is not None:
            self._index(node, ())

    def _index(self, node: yaml.Node, path: tuple[int | str, ...]) -> None:
        # The column of a quoted scalar's text is one past its opening quote.
        quoted = isinstance(node, yaml.ScalarNode) and node.style in ("'", '"')
        self.lines[path] = (node.start_mark.line + 1, node.start_mark.column + 1 + quoted)
        if isinstance(node, yaml.ScalarNode) and not quoted and node.end_mark.line > node.start_mark.line:
            self.spanning[path] = node
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                self.keys[(*path, str(key.value))] = key.start_mark.line + 1
                self._index(value, (*path, str(key.value)))
        elif isinstance(node, yaml.SequenceNode):
            for index, value in enumerate(node.value):
                self._index(value, (*path, index))

    def line(self, path: tuple[int | str, ...]) -> tuple[int, int]:
        """Line and column of ``path``, or of its nearest ancestor that is in the file."""
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path, (0, 0))


def _place_in(node: yaml.ScalarNode, lines: list[str], offset: int) -> tuple[int, int] | None:
    """The line and column (from 1) of character ``offset`` of a scalar's text written over several lines (a
    condition after ``when: >-``, or plain text running on), where its lines joined give the text: YAML joins
    folded and plain lines with a space, literal ones (``|``) with a line break. None for any other shape (blank
    lines, lines indented more): the caller keeps the scalar's own place."""
    first = node.start_mark.line
    last = min(node.end_mark.line - (node.end_mark.column == 0), len(lines) - 1)  # a block ends on the next line
    rows = range(first + 1, last + 1)
    if node.style in (">", "|"):
        pieces = [(row, len(lines[row]) - len(lines[row].lstrip(" "))) for row in rows if lines[row].strip()]
    else:  # plain: from its first character, then each line's text after its indentation
        pieces = [(first, node.start_mark.column)]
        pieces += [(row, len(lines[row]) - len(lines[row].lstrip(" "))) for row in rows]
    texts = [lines[row][start:].rstrip(" ") for row, start in pieces]
    if ("\n" if node.style == "|" else " ").join(texts) != node.value.rstrip("\n"):
        return None
    for (row, start), text in zip(pieces, texts, strict=True):
        if offset <= len(text):
            return row + 1, start + offset + 1
        offset -= len(text) + 1
    return None


def refused_kind(mode: int) -> str:
    """Why a path of this ``st_mode`` (not a regular file) is not read, in one line."""
    for test, kind in ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return f"{kind}, not a file: not read"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not a file: not read"
    return "not a regular file: not read"


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of ``path`` if it is a regular file (or a symlink to one) of at most ``limit`` bytes; a
    ``ParseError`` saying why not otherwise.

    A year's folder is data that may come from anywhere: a FIFO named ``items.yaml`` would block a reader
    forever, and a symlink to ``/dev/zero`` would be read until memory runs out. The file is opened without
    blocking and its kind checked on the open descriptor (not on the name, which could be swapped in between),
    then read up to one byte past the limit."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise ParseError(f"cannot read the file: {exc.strerror or exc}") from exc
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise ParseError(refused_kind(status.st_mode))
        if status.st_size > limit:
            raise ParseError(f"file too large ({status.st_size} bytes; the limit is {limit})")
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # it grew while being read, or claims a size it does not have
            raise ParseError(f"file too large (the limit is {limit} bytes)")
        return b"".join(chunks)
    except OSError as exc:
        raise ParseError(f"cannot read the file: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The models an annotation holds, however nested (``list[Tier] | None`` holds ``Tier``)."""
    if typing.get_origin(annotation) is None and isinstance(annotation, type):
        return [annotation] if issubclass(annotation, BaseModel) else []
    return [model for arg in typing.get_args(annotation) for model in _models_in(arg)]


def keys_of(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys a model accepts at ``loc`` inside it (for "did you mean")."""
    for part in loc:
        field = model.model_fields.get(str(part))
        nested = _models_in(field.annotation) if field else []
        if not nested:
            if isinstance(part, int):
                continue
            return []
        model = nested[0]
    return list(model.model_fields)


# What pydantic adds to an error's place that names no place in the data: a union's kinds (``decimal``,
# ``dict[str,decimal]``, a model's class name), a validator (``function-after[...]``).
_NO_PLACE = re.compile(
    r"function-[\w-]+\[.*\]|[a-z]+\[.*\]|constrained-[\w-]+|decimal|int|float|str|bool|none|list|dict|[A-Z]\w*"
)


def _in_data(data: Any, loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """An error's place in ``data``: ``loc`` without the parts that name no place (``_NO_PLACE``, unless ``data``
    holds such a key there)."""
    kept: list[int | str] = []
    here = data
    for part in loc:
        if isinstance(part, str) and _NO_PLACE.fullmatch(part) and not (isinstance(here, dict) and part in here):
            continue
        kept.append(part)
        if isinstance(here, dict):
            here = here.get(part)
        elif isinstance(here, list) and isinstance(part, int) and 0 <= part < len(here):
            here = here[part]
        else:
            here = None
    return tuple(kept)


_MISNAMED = re.compile(r"(?i)^(?!\.)(.+?)(?:\.yml|\.yaml(?:\.txt)?)$")


def misnamed_yaml(folder: Path) -> list[tuple[str, str]]:
    """The files in ``folder`` meant as YAML that a year's folder does not read, each with the line saying so: only
    names ending in ``.yaml`` are read, and ``x.yml``, ``x.YAML`` or ``x.yaml.txt`` (a system that hides
    extensions shows each as ``x``) would leave their items or cases out without a word. Hidden files (an
    editor's) and backups (``x.yaml.bak``) are left alone."""
    found = []
    for name in sorted(os.listdir(folder)):
        match = _MISNAMED.match(name)
        if match and not name.endswith(".yaml") and (folder / name).is_file():
            found.append(
                (name, f"not read: a year's folder reads the files ending in .yaml: rename it {match[1]}.yaml")
            )
    return found


class YamlFile:
    """One YAML file of a year's folder, parsed, with the line of each value; problems go to ``problems``."""

    def __init__(self, path: Path, problems: list[RubricProblem], name: str | None = None) -> None:
        self.name = name or path.name
        self.data: Any = None  # also for an empty file (or one of comments only), which parses
        self.parsed = False  # whether it parsed: if not, its problem is listed
        self.index = LineIndex(None)
        self._text = ""  # its text, once read: a condition over several lines is placed on it
        try:
            text = read_regular(path, MAX_FOLDER_FILE_BYTES).decode("utf-8")
            self.data, node = parse_yaml_nodes(text)
        except (ParseError, UnicodeDecodeError) as exc:
            message = str(exc) if isinstance(exc, ParseError) else f"not UTF-8 text (byte {exc.start})"
            line = 0
            if message.startswith("line "):
                head, _, message = message.partition(": ")
                line = int(head.split()[1])
            problems.append(RubricProblem(self.name, line, message))
            return
        self.parsed = True
        self.index = LineIndex(node)
        self._text = text

    @property
    def keys(self) -> dict[tuple[int | str, ...], int]:
        return self.index.keys

    def line(self, path: tuple[int | str, ...]) -> tuple[int, int]:
        return self.index.line(path)

    def problem(self, path: tuple[int | str, ...], message: str, column_offset: int | None = None) -> RubricProblem:
        """The problem at ``path``, or at the character ``column_offset`` of its text (a condition's)."""
        line, column = self.line(path)
        if column_offset is not None and column:
            node = self.index.spanning.get(path)
            if node is not None:
                line, column = _place_in(node, self._text.splitlines(), column_offset) or (line, column)
                return RubricProblem(self.name, line, message, column)
            return RubricProblem(self.name, line, message, column + column_offset)
        return RubricProblem(self.name, line, message)

    def validate(
        self, model: type[M], data: Any, path: tuple[int | str, ...], problems: list[RubricProblem]
    ) -> M | None:
        """``data`` (found at ``path`` in this file) validated as ``model``, or ``None`` with its problems added."""
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            for loc, message in validation_messages(model, data, exc):
                problems.append(self.problem((*path, *loc), message))
            return None


def validation_messages(
    model: type[BaseModel], data: Any, exc: ValidationError
) -> list[tuple[tuple[int | str, ...], str]]:
    """Each place of ``data`` that ``model`` refused, with one line saying why (``where: message``): the place as
    the data spells it (not pydantic's union branches, ``max.decimal``), a value of a union refused once for all
    its kinds, no "Value error, ", and the key or choice meant when one was misspelt."""
    found: dict[tuple[int | str, ...], list[str]] = {}  # messages by place, in pydantic's order
    for error in exc.errors(include_url=False):
        loc = _in_data(data, error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden" and loc:  # a misspelt key: name the one meant
            message += did_you_mean(str(loc[-1]), keys_of(model, loc[:-1]))
        elif error["type"] == "literal_error":  # a misspelt choice (a kind, a grade): name the one meant
            choices = re.findall(r"'([^']*)'", str(error.get("ctx", {}).get("expected", "")))
            message += did_you_mean(str(error.get("input")), choices)
        if message not in found.setdefault(loc, []):
            found[loc].append(message)
    shown = []
    for loc, messages in found.items():  # one line a place: a value of a union fails each of its kinds
        where = ".".join(str(p) for p in loc)
        message = messages[0] + "".join(f" or {m.removeprefix('Input should be ')}" for m in messages[1:])
        shown.append((loc, f"{where + ': ' if where else ''}{message}"))
    return shown

"""Reading submission files: JSON or YAML, one unit or a list of units per file.

In: paths to files or folders. Out: validated submissions, and an ``InputError`` for every file or unit that
cannot be scored (one bad unit in a list rejects only that unit). Nothing here raises a traceback at a user:
unreadable, empty, binary, huge, malformed and hostile files each give one clear line.
"""

from __future__ import annotations

import difflib
import json
import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path, PosixPath
from typing import Any

import yaml
from pydantic import ValidationError

from ..errors import InputError, Problem
from .fields import ORG_TYPES
from .models import SubmissionBase, all_section_fields, submission_adapter
from .sections import SECTIONS

SUFFIXES = (".json", ".yaml", ".yml")
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 32
MAX_NODES = 2_000_000


# --- parsing ---------------------------------------------------------------------------------------------


class _SafeLoader(yaml.SafeLoader):
    """PyYAML's safe loader, further refusing aliases (no alias bombs), deep nesting and duplicate keys."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise ParseError(f"line {event.start_mark.line + 1}: YAML aliases (*name) are not accepted")
        self._depth += 1
        self._nodes += 1
        if self._depth > MAX_DEPTH:
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
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


class ParseError(Exception):
    """A file that is not usable JSON or YAML; the message is one line, with the line number when known."""


def parse_yaml_nodes(text: str) -> tuple[Any, yaml.Node | None]:
    """Parse YAML safely, returning the data and its node tree (which knows each value's line)."""
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        return (loader.construct_document(node) if node is not None else None), node
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}: " if mark else ""
        raise ParseError(f"{where}not valid YAML: {exc.problem or exc.context}") from exc
    except yaml.YAMLError as exc:
        raise ParseError(f"not valid YAML: {exc}") from exc
    except RecursionError as exc:
        raise ParseError(f"nested deeper than {MAX_DEPTH} levels") from exc
    finally:
        loader.dispose()


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ParseError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


def parse_text(text: str, suffix: str) -> Any:
    """Parse JSON or YAML text safely; raises ``ParseError`` with a one-line reason."""
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


def read_document(path: Path, source: str | None = None) -> Any:
    """Read and parse one file; raises ``InputError`` (one problem) when it is not a usable document."""
    source = source or path.name
    return parse_document(read_bytes(path, source), path.suffix.lower(), source)


def read_bytes(path: Path, source: str) -> bytes:
    """The bytes of a submission file, once its name, kind and size are checked. A folder entry ``expand_named``
    refused (a symbolic link leaving the folder, a FIFO, a folder named ``x.json``) is reported here, unread."""
    suffix = path.suffix.lower()
    if isinstance(path, RefusedPath):
        raise InputError(source, [Problem("", path.reason)])
    if suffix not in SUFFIXES:
        raise InputError(source, [Problem("", f"not a .json, .yaml or .yml file ({suffix or 'no suffix'})")])
    try:
        # O_NONBLOCK: a FIFO put in the file's place after the check must not hang the run
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        message = "not a regular file" if not path.is_file() else f"cannot read the file: {exc.strerror or exc}"
        raise InputError(source, [Problem("", message)]) from exc
    with os.fdopen(handle, "rb") as file:
        try:
            status = os.fstat(file.fileno())
            if not stat.S_ISREG(status.st_mode):
                raise InputError(source, [Problem("", _kind(status.st_mode))])
            if status.st_size > MAX_FILE_BYTES:
                limit = f"file too large ({status.st_size} bytes; the limit is {MAX_FILE_BYTES})"
                raise InputError(source, [Problem("", limit)])
            return file.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise InputError(source, [Problem("", f"cannot read the file: {exc.strerror or exc}")]) from exc


def parse_document(data: bytes, suffix: str, source: str) -> Any:
    """A file's bytes parsed as JSON or YAML; raises ``InputError`` (one problem) when they are not usable."""
    if not data.strip():
        raise InputError(source, [Problem("", "the file is empty")])
    if len(data) > MAX_FILE_BYTES:
        raise InputError(source, [Problem("", f"file too large (the limit is {MAX_FILE_BYTES} bytes)")])
    if b"\x00" in data:
        raise InputError(source, [Problem("", "binary file, not JSON or YAML text")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(source, [Problem("", f"not UTF-8 text (byte {exc.start})")]) from exc
    try:
        return parse_text(text, suffix)
    except ParseError as exc:
        raise InputError(source, [Problem("", str(exc))]) from exc


# --- validation ------------------------------------------------------------------------------------------


def _loc(parts: Sequence[int | str]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _extra_message(org_type: str | None, loc: Sequence[int | str]) -> str:
    name = str(loc[-1])
    if len(loc) == 2 and str(loc[0]) in SECTIONS:
        fields = all_section_fields(str(loc[0]))
        if name in fields:
            extra = fields[name].json_schema_extra or {}
            types = extra.get("org_types", ORG_TYPES) if isinstance(extra, dict) else ORG_TYPES
            return f"does not apply to {org_type} units (only {', '.join(map(str, types))})"
        close = difflib.get_close_matches(name, list(fields), n=1)
        return f"unknown field{f' (did you mean {close[0]!r}?)' if close else ''}"
    if len(loc) == 1:
        close = difflib.get_close_matches(name, [*SECTIONS, "rectification", "self_score", "parent_unit_id"], n=1)
        return f"unknown field{f' (did you mean {close[0]!r}?)' if close else ''}"
    return "unknown field"


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _bound(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _message(error: Any, loc: tuple[int | str, ...], org_type: str | None) -> str:
    """A plain message for one pydantic error, showing the bound and the value given."""
    ctx, got = error.get("ctx") or {}, error.get("input")
    match error["type"]:
        case "greater_than_equal":
            return f"must be >= {_bound(ctx.get('ge'))} (got {_shown(got)})"
        case "less_than_equal":
            return f"must be <= {_bound(ctx.get('le'))} (got {_shown(got)})"
        case "int_type" | "int_parsing" | "int_from_float":
            return f"must be a whole number (got {_shown(got)})"
        case "bool_type" | "bool_parsing":
            return f"must be true or false (got {_shown(got)})"
        case "float_type" | "float_parsing":
            return f"must be a number (got {_shown(got)})"
        case "missing":
            return "required"
        case "extra_forbidden":
            return _extra_message(org_type, loc)
        case "string_too_long":
            return f"must be at most {ctx.get('max_length')} characters (got {len(str(got))})"
        case "string_too_short":
            return "must not be empty"
        case "string_pattern_mismatch":
            return f"must match {ctx.get('pattern')} (got {_shown(got)})"
        case "union_tag_invalid":
            return f"must be one of {', '.join(ORG_TYPES)} (got {_shown(ctx.get('tag'))})"
        case "union_tag_not_found":
            return f"required (one of {', '.join(ORG_TYPES)})"
        case "decimal_max_places":
            return f"at most {ctx.get('decimal_places')} decimals (got {_shown(got)})"
        case "value_error":
            return str(ctx.get("error", error["msg"]))
        case _:
            return f"{error['msg']} (got {_shown(got)})"


def problems_from(exc: ValidationError, org_type: str | None) -> list[Problem]:
    """pydantic's errors as problems with a dotted field path and a plain message."""
    problems = []
    for error in exc.errors(include_url=False):
        loc: tuple[int | str, ...] = tuple(error["loc"])
        if loc and loc[0] in ORG_TYPES:
            loc = loc[1:]  # the discriminated union's tag
        if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
            loc = ("org_type",)
        problems.append(Problem(_loc(loc), _message(error, loc, org_type)))
    return problems


def validate_unit(data: Any, source: str) -> SubmissionBase:
    """Validate one unit's mapping; raises ``InputError`` listing every problem in it."""
    unit_id = data.get("unit_id") if isinstance(data, dict) else None
    unit_id = unit_id if isinstance(unit_id, str) and len(unit_id) <= 64 else None
    if not isinstance(data, dict):
        raise InputError(source, [Problem("", f"a unit must be a mapping of fields (got {type(data).__name__})")])
    org_type = data.get("org_type") if isinstance(data.get("org_type"), str) else None
    try:
        unit = submission_adapter.validate_python(data)
    except ValidationError as exc:
        raise InputError(source, problems_from(exc, org_type), unit_id) from exc
    unit._source = source
    return unit


def units_in(path: Path, name: str | None = None) -> Iterator[tuple[str, SubmissionBase | InputError]]:
    """Each unit in one file with its source (``name`` or ``name[i]``; name defaults to the file's), validated,
    or the error rejecting it."""
    name = name or path.name
    try:
        document = read_document(path, name)
    except InputError as exc:
        yield name, exc
        return
    items = list(enumerate(document)) if isinstance(document, list) else [(None, document)]
    if not items:
        yield name, InputError(name, [Problem("", "the file holds an empty list")])
    for index, item in items:
        source = name if index is None else f"{name}[{index}]"
        try:
            yield source, validate_unit(item, source)
        except InputError as exc:
            yield source, exc


class RefusedPath(PosixPath):
    """A folder entry that is not read, with the reason ``read_bytes`` gives for it."""

    reason: str


def _refused(path: Path, reason: str) -> RefusedPath:
    refused = RefusedPath(path)
    refused.reason = reason
    return refused


def _kind(mode: int) -> str:
    for test, kind in ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return f"{kind}, not a file: not read"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not a file: not read"
    return "not a regular file: not read"


def _walk(folder: Path, root: Path) -> Iterator[tuple[Path, Path]]:
    """(what to read, the entry) for each entry below ``folder`` that is a submission or must be reported, sorted,
    symbolic links not followed out of ``root``. Hidden entries (a leading dot: temporary folders, editors'
    files, .git) are left out."""
    with os.scandir(folder) as scan:
        entries = sorted(scan, key=lambda e: e.name)
    for entry in entries:
        path = Path(entry.path)
        submission_name = path.suffix.lower() in SUFFIXES
        if entry.name.startswith("."):
            continue
        if entry.is_symlink():
            try:
                target = path.resolve(strict=True)
            except (OSError, RuntimeError):
                yield _refused(path, "a symbolic link in a loop or to nothing: not followed"), path
                continue
            if not target.is_relative_to(root):
                yield _refused(path, "a symbolic link to outside the folder: not followed"), path
            elif target.is_dir():  # its files are read where they are
                if submission_name:
                    yield _refused(path, "a symbolic link to a folder, not a file: not followed"), path
            elif not target.is_file():
                yield _refused(path, _kind(target.stat().st_mode)), path
            elif submission_name:
                yield target, path
        elif entry.is_dir(follow_symlinks=False):
            if submission_name:
                yield _refused(path, "a folder, not a file: not read"), path
            else:
                yield from _walk(path, root)
        elif not entry.is_file(follow_symlinks=False):
            yield _refused(path, _kind(entry.stat(follow_symlinks=False).st_mode)), path
        elif submission_name:
            yield path, path


def expand_named(paths: Iterable[str | Path], exclude: Sequence[Path] = ()) -> list[tuple[Path, str]]:
    """Files named, and the submission files under folders named (sorted), in the order given, each with the
    name errors show: a file's own name, or its path below the folder named (``2026/village-017.json``).

    Inside a folder, symbolic links are followed only to files inside it; a link leaving it or in a loop, a
    FIFO, socket or device, and a folder named like a submission file are listed as ``RefusedPath`` entries,
    which reading reports. Hidden entries are left out. Files at or under ``exclude`` (what a run writes, when
    its output folder is inside its input) are left out."""
    skip = {os.path.abspath(p) for p in exclude} | {os.path.realpath(p) for p in exclude}
    prefixes = tuple(s + os.sep for s in skip)

    def kept(*paths: Path) -> bool:  # strings, not Paths: this runs for every file of a large run
        absolute = [os.path.abspath(p) for p in paths]
        return not any(a in skip or a.startswith(prefixes) for a in absolute)

    files: list[tuple[Path, str]] = []
    for entry in map(Path, paths):
        if entry.is_dir():
            root = entry.resolve()
            found = ((read, shown) for read, shown in _walk(entry, root) if kept(read, shown))
            files.extend((read, shown.relative_to(entry).as_posix()) for read, shown in found)
        elif entry.is_symlink():
            try:
                target = entry.resolve(strict=True)
            except (OSError, RuntimeError):
                files.append((_refused(entry, "a symbolic link in a loop or to nothing: not followed"), entry.name))
            else:
                if kept(entry, target):
                    files.append((target, entry.name))
        elif kept(entry):
            files.append((entry, entry.name))
    return files


def expand(paths: Iterable[str | Path], exclude: Sequence[Path] = ()) -> list[Path]:
    """The files ``expand_named`` finds, without their names."""
    return [path for path, _ in expand_named(paths, exclude)]


def unique_units(units: Iterable[SubmissionBase]) -> tuple[list[SubmissionBase], list[InputError]]:
    """The units whose id is seen for the first time; each later one is rejected, naming the first source."""
    kept: list[SubmissionBase] = []
    rejected: list[InputError] = []
    first: dict[str, str] = {}
    for unit in units:
        if unit.unit_id in first:
            problem = Problem("unit_id", f"unit id {unit.unit_id!r} already seen in {first[unit.unit_id]}")
            rejected.append(InputError(unit.source, [problem], unit.unit_id))
        else:
            first[unit.unit_id] = unit.source
            kept.append(unit)
    return kept, rejected


def load_submissions(
    paths: Iterable[str | Path], exclude: Sequence[Path] = ()
) -> tuple[list[SubmissionBase], list[InputError]]:
    """Load every unit under ``paths`` (leaving out files under ``exclude``). A unit id seen twice rejects the
    later one, naming the first source."""
    loaded: list[SubmissionBase] = []
    rejected: list[InputError] = []
    for path, name in expand_named(paths, exclude):
        for _, result in units_in(path, name):
            if isinstance(result, InputError):
                rejected.append(result)
            else:
                loaded.append(result)
    accepted, duplicates = unique_units(loaded)
    return accepted, rejected + duplicates


def load_submission(path: str | Path) -> SubmissionBase:
    """Load a file holding exactly one unit; raises ``InputError`` otherwise."""
    results = [result for _, result in units_in(Path(path))]
    for result in results:
        if isinstance(result, InputError):
            raise result
    if len(results) != 1:
        raise InputError(Path(path).name, [Problem("", f"expected exactly one unit, found {len(results)}")])
    unit = results[0]
    assert isinstance(unit, SubmissionBase)
    return unit

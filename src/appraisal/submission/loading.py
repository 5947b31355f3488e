"""Reading submission files: JSON or YAML, one unit or a list of units per file.

In: paths to files or folders. Out: validated submissions, and an ``InputError`` for every file or unit that
cannot be scored (one bad unit in a list rejects only that unit). Nothing here raises a traceback at a user:
unreadable, empty, binary, huge, malformed and hostile files each give one clear line.
"""

from __future__ import annotations

import bisect
import collections
import difflib
import json
import os
import posixpath
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path, PosixPath
from typing import Any

from pydantic import ValidationError

from .._yaml import ParseError, parse_text, read_regular, refused_kind
from ..errors import InputError, Problem
from .indicators import HasIndicators, Indicators, bundled_years, indicators_for_year
from .models import UNIT_ID_PATTERN, SubmissionBase, submission_adapter, submission_model

SUFFIXES = (".json", ".yaml", ".yml")
# Read by appraisal.intake: fill-in workbooks and bulk tables (*.bulk.csv, *.bulk.xlsx); the other spreadsheet
# formats are listed so that a unit that sent one is told why it is refused rather than silently left out.
SPREADSHEET_SUFFIXES = (".xlsx", ".csv", ".xls", ".xlsm", ".xlsb", ".ods")
MAX_FILE_BYTES = 20 * 1024 * 1024


class BundledYears:
    """The bundled years and each one's indicators, found once: for the many units of a run, each validated by
    its own year's indicators (``indicators_of`` with ``None`` lists the bundled folders, checks their files and
    resolves the folder for every unit). Folders changed after they were found are not seen; a run's cache key
    is made of the bundled folders as they were at its start (``batch.run``), the same moment."""

    def __init__(self) -> None:
        self.years = bundled_years()
        self._found: dict[int, Indicators] = {}

    def of_year(self, year: int) -> Indicators:
        """``indicators_for_year(year)``, loaded the first time only (a broken folder raises each time)."""
        found = self._found.get(year)
        if found is None:
            found = self._found[year] = indicators_for_year(year)
        return found


IndicatorsSource = Indicators | HasIndicators | BundledYears | None
"""Which year's indicators validate a unit: these, a rubric's, or (``None``, or ``BundledYears`` found once)
those of the unit's own year."""


# --- reading ---------------------------------------------------------------------------------------------


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
    if not path.exists() and not path.is_symlink():
        raise InputError(source, [Problem("", "no such file or folder")])
    if suffix not in SUFFIXES and suffix not in SPREADSHEET_SUFFIXES:
        what = "not a .json, .yaml, .yml, .xlsx or .bulk.csv file"
        raise InputError(source, [Problem("", f"{what} ({suffix or 'no suffix'})")])
    try:  # opened without blocking and checked on the open file: a FIFO put in its place must not hang the run
        return read_regular(path, MAX_FILE_BYTES)
    except ParseError as exc:
        raise InputError(source, [Problem("", str(exc))]) from exc


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


def _extra_message(indicators: Indicators, org_type: str | None, loc: Sequence[int | str]) -> str:
    name = str(loc[-1])
    if loc and loc[0] == "verification":
        loc = loc[1:]  # verification.<section>.<field> names the same fields as the sections
    sections = {s.id: s for s in indicators.sections}
    if len(loc) == 2 and str(loc[0]) in sections:
        fields = {f.id: f for f in sections[str(loc[0])].fields}
        if name in fields:
            types = fields[name].org_types or indicators.org_type_ids
            return f"does not apply to {org_type} units (only {', '.join(types)})"
        close = difflib.get_close_matches(name, list(fields), n=1)
        return f"unknown field{f' (did you mean {close[0]!r}?)' if close else ''}"
    if len(loc) == 1:
        if name in sections:
            return f"does not apply to {org_type} units (they report nothing in {name})"
        keys = [*sections, *SubmissionBase.model_fields, "verification"]
        close = difflib.get_close_matches(name, keys, n=1)
        return f"unknown field{f' (did you mean {close[0]!r}?)' if close else ''}"
    return "unknown field"


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _bound(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _message(error: Any, loc: tuple[int | str, ...], org_type: str | None, indicators: Indicators) -> str:
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
            return _extra_message(indicators, org_type, loc)
        case "string_too_long":
            return f"must be at most {ctx.get('max_length')} characters (got {len(str(got))})"
        case "string_too_short":
            return "must not be empty"
        case "string_pattern_mismatch" if ctx.get("pattern") == UNIT_ID_PATTERN:
            return f"must start with a letter, digit or _ and hold only letters, digits, . _ - (got {_shown(got)})"
        case "string_pattern_mismatch":
            return f"must match {ctx.get('pattern')} (got {_shown(got)})"
        case "union_tag_invalid":
            types = ", ".join(indicators.org_type_ids)
            close = _close(ctx.get("tag"), indicators)
            if not close and isinstance(ctx.get("tag"), str):  # a type this year's rubric does not score
                scope = f"the {indicators.year} rubric in {Path(indicators.folder).name}/ scores only"
                return f"must be one of {types} (got {_shown(ctx.get('tag'))}: {scope} {types} units)"
            return f"must be one of {types} (got {_shown(ctx.get('tag'))}){close}"
        case "union_tag_not_found":
            return f"required (one of {', '.join(indicators.org_type_ids)})"
        case "literal_error":
            return f"must be one of {ctx.get('expected')} (got {_shown(got)})"
        case "date_from_datetime_parsing" | "date_parsing" | "date_type" | "date_from_datetime_inexact":
            return f"must be a date such as {indicators.year}-12-20 (got {_shown(got)})"
        case "decimal_max_places":
            return f"at most {ctx.get('decimal_places')} decimals (got {_shown(got)})"
        case "value_error":
            return str(ctx.get("error", error["msg"]))
        case _:
            return f"{error['msg']} (got {_shown(got)})"


def _close(value: Any, indicators: Indicators) -> str:
    close = difflib.get_close_matches(str(value), indicators.org_type_ids, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def problems_from(
    exc: ValidationError, org_type: str | None, indicators: Indicators, tagged: bool = True
) -> list[Problem]:
    """pydantic's errors as problems with a dotted field path and a plain message (``tagged``: the errors of the
    year's union of org types, whose paths start with the unit's type; a section may have a type's name)."""
    problems = []
    for error in exc.errors(include_url=False):
        loc: tuple[int | str, ...] = tuple(error["loc"])
        if tagged and loc and loc[0] in indicators.org_type_ids:
            loc = loc[1:]  # the discriminated union's tag
        if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
            loc = ("org_type",)
        message = _message(error, loc, org_type, indicators)
        if error["type"] == "value_error" and not loc and ": " in message and message.split(": ")[0].count(" ") == 0:
            head, _, message = message.partition(": ")  # a model check naming its field: "year: ..."
            loc = (head,)
        problems.append(Problem(_loc(loc), message))
    return problems


def _year_of(data: dict[str, Any]) -> int | None:
    year = data.get("year")
    return year if isinstance(year, int) and not isinstance(year, bool) else None


def indicators_of(source: IndicatorsSource, data: dict[str, Any], where: str) -> Indicators:
    """The indicators that validate ``data``: those given (or a rubric's), else those of the unit's own year
    (the newest bundled year when the unit gives no usable year, so that its other errors still show)."""
    if isinstance(source, Indicators):
        return source
    if source is not None and not isinstance(source, BundledYears):
        return source.indicators
    year = _year_of(data)
    years = source.years if source is not None else bundled_years()
    if year is None or year not in years:
        if year is not None:
            shown = ", ".join(map(str, years))
            raise InputError(
                where, [Problem("year", f"no bundled rubric for {year} (bundled: {shown}); give --rubric")]
            )
        year = years[-1]
    # a broken bundled folder is a RubricError: nothing of that year can be read
    return source.of_year(year) if source is not None else indicators_for_year(year)


def validate_unit(data: Any, source: str, indicators: IndicatorsSource = None) -> SubmissionBase:
    """Validate one unit's mapping; raises ``InputError`` listing every problem in it."""
    unit_id = data.get("unit_id") if isinstance(data, dict) else None
    unit_id = unit_id if isinstance(unit_id, str) and len(unit_id) <= 64 else None
    if not isinstance(data, dict):
        raise InputError(source, [Problem("", f"a unit must be a mapping of fields (got {type(data).__name__})")])
    org_type = data.get("org_type") if isinstance(data.get("org_type"), str) else None
    found = indicators_of(indicators, data, source)
    year = _year_of(data)
    if year is not None and year != found.year:
        rubric_id = getattr(indicators, "id", None)  # a Rubric's
        given = f"the rubric {rubric_id}" if isinstance(rubric_id, str) else "the appraisal given"
        problem = Problem("year", f"the submission is for {year}; {given} scores {found.year}")
        raise InputError(source, [problem], unit_id)
    # a unit of a known type by its own model: the year's union of every type's model is built only for a unit
    # whose type is missing or unknown (building all seven cost a re-run of one changed file 0.4 s); the errors
    # are the same, the union's tag taken off its paths
    known = org_type is not None and org_type in found.org_type_ids
    try:
        if known:
            unit = submission_model(found, str(org_type)).model_validate(data)
        else:
            unit = submission_adapter(found).validate_python(data)
    except ValidationError as exc:
        raise InputError(source, problems_from(exc, org_type, found, tagged=not known), unit_id) from exc
    unit._source = source
    return unit


def units_in(
    path: Path, name: str | None = None, indicators: IndicatorsSource = None
) -> Iterator[tuple[str, SubmissionBase | InputError]]:
    """Each unit in one file with its source (``name`` or ``name[i]``; name defaults to the file's), validated,
    or the error rejecting it."""
    name = name or path.name
    if path.suffix.lower() in SPREADSHEET_SUFFIXES:
        from ..intake.reading import spreadsheet_units  # lazy: intake is a later stage (STYLE.md)

        yield from spreadsheet_units(path, name, indicators)
        return
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
            yield source, validate_unit(item, source, indicators)
        except InputError as exc:
            yield source, exc


def is_submission_name(name: str) -> bool:
    """Whether a file found in a folder, by its name, is an input: JSON, YAML or a spreadsheet (a .csv that is not a
    bulk table, ``*.bulk.csv``, is refused with the reason when read, not left out unsaid); never Excel's lock
    files (``~$name.xlsx``). A string, not a Path: a run lists 100,000 names."""
    suffix = os.path.splitext(name)[1].lower()
    return (suffix in SUFFIXES or suffix in SPREADSHEET_SUFFIXES) and not name.startswith("~$")


OUTPUT_STATE = ".appraisal"  # the folder holding a run's lock, cache and runs, in every output folder


def is_output_folder(path: str | Path) -> bool:
    """Whether a folder is an appraisal run's output folder (it holds ``.appraisal/``): its files are a run's
    results, never submissions."""
    return os.path.isdir(os.path.join(path, OUTPUT_STATE))


class RefusedPath(PosixPath):
    """A folder entry that is not read, with the reason ``read_bytes`` gives for it (kept when pickled: a worker
    process reads what it is sent)."""

    reason: str

    def __reduce__(self) -> tuple[Any, tuple[str, str]]:
        return _refused, (str(self), self.reason)


def _refused(path: Path | str, reason: str) -> RefusedPath:
    refused = RefusedPath(path)
    refused.reason = reason
    return refused


Listed = str | RefusedPath  # a file to read (its path as a string), or an entry refused with its reason


def listed_path(listed: Listed) -> Path:
    """What ``list_named`` lists, as the path to read (a refused entry stays one)."""
    return listed if isinstance(listed, Path) else Path(listed)


_LINK, _DIR, _FILE, _OTHER = range(4)


def _kind(entry: os.DirEntry[str]) -> int:
    """A folder entry's kind, from the folder's own listing (no call to stat on most file systems)."""
    if entry.is_symlink():
        return _LINK
    if entry.is_dir(follow_symlinks=False):
        return _DIR
    return _FILE if entry.is_file(follow_symlinks=False) else _OTHER


def _walk(folder: str, below: str, root: Path) -> Iterator[tuple[Listed, str]]:
    """(what to read, its name below the folder named: ``below`` and the entry's name) for each entry below
    ``folder`` that is a submission or must be reported, sorted, symbolic links not followed out of ``root``.
    Hidden entries (a leading dot: temporary folders, editors' files, .git) are left out. Strings, not Paths, and
    each entry's name and kind kept, not its ``DirEntry``: a folder of 100,000 files listed as Paths raised a
    run's peak RSS by 76 MB."""
    with os.scandir(folder) as scan:
        entries = sorted((entry.name, _kind(entry)) for entry in scan if not entry.name.startswith("."))
    for name, kind in entries:
        path = os.path.join(folder, name)
        shown = below + name
        submission_name = is_submission_name(name)
        if kind == _LINK:
            try:
                target = Path(path).resolve(strict=True)
            except (OSError, RuntimeError):
                yield _refused(path, "a symbolic link in a loop or to nothing: not followed"), shown
                continue
            if not target.is_relative_to(root):
                yield _refused(path, "a symbolic link to outside the folder: not followed"), shown
            elif OUTPUT_STATE in target.relative_to(root).parts:
                continue  # a run's published result (errors.json, summary.csv: an output folder given as input)
            elif target.is_dir():  # its files are read where they are
                if submission_name:
                    yield _refused(path, "a symbolic link to a folder, not a file: not followed"), shown
            elif not target.is_file():
                yield _refused(path, refused_kind(target.stat().st_mode)), shown
            elif submission_name:
                yield str(target), shown
        elif kind == _DIR:
            if submission_name:
                yield _refused(path, "a folder, not a file: not read"), shown
            elif not is_output_folder(path):  # an earlier run's results (``--out`` inside the input)
                yield from _walk(path, shown + "/", root)
        elif kind == _OTHER:
            yield _refused(path, refused_kind(os.lstat(path).st_mode)), shown
        elif submission_name:
            yield path, shown


def list_named(paths: Iterable[str | Path], exclude: Sequence[Path] = ()) -> list[tuple[Listed, str]]:
    """Files named, and the submission files under folders named (sorted), in the order given, each with the
    name errors show: a file's own name, or its path below the folder named (``2026/village-017.json``); a name
    two files would share is the path as given instead (``townB/v.json``). Each file to read is its path as a
    string (a run lists 100,000 files: ``expand_named`` gives Paths).

    Inside a folder, symbolic links are followed only to files inside it; a link leaving it or in a loop, a
    FIFO, socket or device, and a folder named like a submission file are listed as ``RefusedPath`` entries,
    which reading reports. Hidden entries and output folders below a folder named (``is_output_folder``) are left
    out. Files at or under ``exclude`` (what a run writes, when its output folder is inside its input) are left
    out."""
    skip = {os.path.abspath(p) for p in exclude} | {os.path.realpath(p) for p in exclude}
    prefixes = tuple(s + os.sep for s in skip)

    def kept(*paths: str | Path) -> bool:
        absolute = [os.path.abspath(p) for p in paths]
        return not any(a in skip or a.startswith(prefixes) for a in absolute)

    def related(folder: Path) -> bool:  # whether anything excluded is at, under or above this folder
        places = {os.path.abspath(folder), os.path.realpath(folder)}
        return any(s == f or s.startswith(f + os.sep) or f.startswith(s + os.sep) for s in skip for f in places)

    files: list[tuple[Listed, str]] = []
    spans: list[tuple[int, str]] = []  # where each argument's files start, and the argument as given
    for entry in map(Path, paths):
        spans.append((len(files), entry.as_posix()))
        if entry.is_dir():
            folder = os.fspath(entry)
            found = _walk(folder, "", entry.resolve())
            if related(entry):  # checked file by file only where it can matter (100,000 files: 0.3 s)
                found = (f for f in found if kept(f[0], os.path.join(folder, f[1])))
            files.extend(found)
        elif entry.is_symlink():
            try:
                target = entry.resolve(strict=True)
            except (OSError, RuntimeError):
                files.append((_refused(entry, "a symbolic link in a loop or to nothing: not followed"), entry.name))
            else:
                if kept(entry, target):
                    files.append((str(target), entry.name))
        elif kept(entry):
            files.append((os.fspath(entry), entry.name))
    return _distinct(files, spans) if len(spans) > 1 else files  # one argument's names are its own


def expand_named(paths: Iterable[str | Path], exclude: Sequence[Path] = ()) -> list[tuple[Path, str]]:
    """``list_named``'s files as Paths."""
    return [(listed_path(listed), name) for listed, name in list_named(paths, exclude)]


def _distinct(files: list[tuple[Listed, str]], spans: list[tuple[int, str]]) -> list[tuple[Listed, str]]:
    """``files`` with each name that two files share (``townA/v.json`` and ``townB/v.json`` are both ``v.json``
    below their folders) made the path as given, so that an error names the one file it is about (``spans``:
    where each argument's files start, and the argument)."""
    counts = collections.Counter(name for _, name in files)
    if len(counts) == len(files):
        return files
    starts = [start for start, _ in spans]
    return [
        (read, name if counts[name] == 1 else _as_given(spans[bisect.bisect_right(starts, at) - 1][1], name))
        for at, (read, name) in enumerate(files)
    ]


def _as_given(base: str, name: str) -> str:
    """The path of a file as the user gave it: the folder named and the file's path below it, or the file."""
    return base if not os.path.isdir(base) else posixpath.join(base, name)


def expand(paths: Iterable[str | Path], exclude: Sequence[Path] = ()) -> list[Path]:
    """The files ``expand_named`` finds, without their names."""
    return [path for path, _ in expand_named(paths, exclude)]


class SeenIds:
    """The unit ids seen so far in a run, ignoring case (ids become file names, and some file systems ignore
    case): ``repeat`` says whether an id was seen before, as the rejection of the later unit."""

    def __init__(self) -> None:
        self._first: dict[str, tuple[str, str]] = {}

    def repeat(self, unit_id: str, source: str) -> InputError | None:
        """``None`` for an id seen the first time (now remembered with ``source``); else the later one's error,
        naming the first source."""
        key = unit_id.casefold()
        if key not in self._first:
            self._first[key] = (unit_id, source)
            return None
        return repeated_id(unit_id, source, *self._first[key])


def repeated_id(unit_id: str, source: str, seen_id: str, seen_in: str) -> InputError:
    """The rejection of a unit (``unit_id`` in ``source``) whose id, ignoring case, ``seen_id`` in ``seen_in``
    had before."""
    same = "" if seen_id == unit_id else f" as {seen_id!r} (ids are unique ignoring case)"
    problem = Problem("unit_id", f"unit id {unit_id!r} already seen{same} in {seen_in}")
    return InputError(source, [problem], unit_id)


def unique_units(units: Iterable[SubmissionBase]) -> tuple[list[SubmissionBase], list[InputError]]:
    """The units whose id is seen for the first time; each later one is rejected, naming the first source."""
    kept: list[SubmissionBase] = []
    rejected: list[InputError] = []
    seen = SeenIds()
    for unit in units:
        if (error := seen.repeat(unit.unit_id, unit.source)) is not None:
            rejected.append(error)
        else:
            kept.append(unit)
    return kept, rejected


def load_submissions(
    paths: Iterable[str | Path], exclude: Sequence[Path] = (), *, rubric: IndicatorsSource = None
) -> tuple[list[SubmissionBase], list[InputError]]:
    """Load every unit under ``paths`` (leaving out files under ``exclude``), each validated against the
    indicators of ``rubric`` (a ``Rubric`` or ``Indicators``; a unit of another year is rejected) or, by
    default, of its own year. A unit id seen twice (ignoring case) rejects the later one, naming the first."""
    loaded: list[SubmissionBase] = []
    rejected: list[InputError] = []
    for path, name in expand_named(paths, exclude):
        for _, result in units_in(path, name, rubric):
            if isinstance(result, InputError):
                rejected.append(result)
            else:
                loaded.append(result)
    accepted, duplicates = unique_units(loaded)
    return accepted, rejected + duplicates


def load_submission(path: str | Path, *, rubric: IndicatorsSource = None) -> SubmissionBase:
    """Load a file holding exactly one unit (validated as ``load_submissions`` does); raises ``InputError``
    otherwise."""
    results = [result for _, result in units_in(Path(path), None, rubric)]
    for result in results:
        if isinstance(result, InputError):
            raise result
    if len(results) != 1:
        raise InputError(Path(path).name, [Problem("", f"expected exactly one unit, found {len(results)}")])
    unit = results[0]
    assert isinstance(unit, SubmissionBase)
    return unit

"""The YAML loader on libyaml reads what the Python one reads, and refuses in the same words."""

from __future__ import annotations

from pathlib import Path

import pytest

from appraisal import _yaml
from appraisal._yaml import LIBYAML, ParseError, _parse, _SafeLoader, parse_yaml_nodes

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted(
    p
    for folder in ("scoring_rules", "src/appraisal/examples", "tests/fixtures")
    for p in (ROOT / folder).rglob("*.yaml")
)


def test_libyaml_is_used() -> None:
    assert LIBYAML and _yaml._LOADER is not _SafeLoader  # PyYAML's wheels carry libyaml; the fast path is taken


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_file_reads_the_same(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    try:
        expected = _parse(text, _SafeLoader)
    except ParseError as exc:  # a fixture that is bad on purpose
        with pytest.raises(ParseError) as fast:
            parse_yaml_nodes(text)
        assert str(fast.value) == str(exc)
        return
    data, node = parse_yaml_nodes(text)
    assert data == expected[0]
    assert (node is None) == (expected[1] is None)
    if node is not None:
        assert (node.start_mark.line, node.end_mark.line) == (expected[1].start_mark.line, expected[1].end_mark.line)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: 1\na: 2", "line 2: duplicate key 'a'"),
        ("a: &x 1\nb: *x", "line 2: YAML aliases (*name) are not accepted"),
        ("[" * 40 + "]" * 40, "line 1: nested deeper than 32 levels"),
        (
            "a: [1, 2\nb: 3",
            "line 1: not valid YAML: in the [ ] opened on this line: expected ',' or ']', but got ':' (line 2)",
        ),
        ("items: [", "line 1: not valid YAML: expected the node content, but found '<stream end>'"),
        ("a: b\x00", "not valid YAML: unacceptable character #x0000: special characters are not allowed in"),
    ],
)
def test_refusals_read_as_the_python_loader_words_them(text: str, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_yaml_nodes(text)
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)


def test_core_schema_scalars() -> None:
    data, _ = parse_yaml_nodes("a: 010\nb: 0x10\nc: yes\nd: 1_0\ne: 1:30\nf: true\ng: 1.5\nh: ٣")
    assert data == {"a": 10, "b": "0x10", "c": "yes", "d": "1_0", "e": "1:30", "f": True, "g": 1.5, "h": "٣"}


@pytest.mark.parametrize("levels", [31, 32, 33, 60])
@pytest.mark.parametrize("shape", ["lists", "objects", "mixed, the deep one last"])
def test_json_nested_32_levels_is_read_and_33_refused(levels: int, shape: str) -> None:
    """The depth counts containers (``[]`` is one level), whichever kind and wherever the deepest one is."""
    inner = "1"
    for level in range(levels):
        if shape == "lists" or (shape != "objects" and level % 2):
            inner = f"[{inner}]"
        else:
            inner = f'{{"a": {inner}}}'
    text = inner if shape != "mixed, the deep one last" else f'{{"x": [1, {{"y": []}}], "z": 2, "deep": {inner}}}'
    depth = levels + (shape == "mixed, the deep one last")
    if depth <= 32:
        assert _yaml.parse_text(text, ".json") is not None
    else:
        with pytest.raises(ParseError, match="^nested deeper than 32 levels$"):
            _yaml.parse_text(text, ".json")


def test_a_json_key_given_twice_is_refused_wherever_it_is() -> None:
    assert _yaml.parse_text('{"a": 1, "b": {"a": 2}}', ".json") == {"a": 1, "b": {"a": 2}}
    with pytest.raises(ParseError, match="^duplicate key 'c'$"):
        _yaml.parse_text('{"a": 1, "b": {"c": 2, "d": 3, "c": 4}}', ".json")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "items:\n  - id: L01\n    group：leadership\n    max: 4\n",
            "line 3: not valid YAML: this line's key has no ':' after it (a full-width colon '：' is not YAML's ':')",
        ),
        (
            "items:\n  - id: L01\n    max:\u00a04\n    group: x\n",
            "line 3: not valid YAML: this line's key has no ':' after it (the line holds a no-break or full-width "
            "space, which YAML does not read as a space)",
        ),
        (
            "tiers:\n  - {when: a, points: 1\n  - {when: b, points: 2}\n",
            "line 2: not valid YAML: in the { } opened on this line: expected ',' or '}', but got '{' (line 3)",
        ),
        (
            'items:\n  - title: "abc\n    max: 4\n',
            "line 2: not valid YAML: in the quoted text opened on this line: found unexpected end of stream (line 4)",
        ),
        (
            "items:\n  - id: L01\n\tmax: 4\n",
            "line 3: not valid YAML: found character '\\t' that cannot start any token (indent with spaces, not tabs)",
        ),
        (
            "items:\n  - id: L01\n    max: 4\n   group: x\n",
            "line 4: not valid YAML: expected <block end>, but found '<block mapping start>' (is this line indented "
            "as the lines above it?)",
        ),
    ],
)
def test_a_slip_is_placed_on_the_line_to_mend(text: str, message: str) -> None:
    """A key without its ':', a bracket or quotation left open: the line named is the one to mend (PyYAML notices
    the slip a line or more later), and a Chinese keyboard's full-width colon or space is named."""
    with pytest.raises(ParseError) as caught:
        parse_yaml_nodes(text)
    assert str(caught.value) == message

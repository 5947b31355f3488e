"""The command line's help, and the README's synopsis checked against the commands."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from appraisal.cli import main

ROOT = Path(__file__).resolve().parents[2]


def _leaves(group: click.Group, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], click.Command]:
    found: dict[tuple[str, ...], click.Command] = {}
    for name, command in group.commands.items():
        if command.hidden:
            continue
        if isinstance(command, click.Group):
            found |= _leaves(command, (*prefix, name))
        else:
            found[(*prefix, name)] = command
    return found


COMMANDS = _leaves(main)


def _synopsis() -> dict[tuple[str, ...], set[str]]:
    """README's "Command line" block: each command's words, and the options its lines name."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## Command line", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    found: dict[tuple[str, ...], set[str]] = {}
    current: tuple[str, ...] = ()
    for line in block.splitlines():
        line = line.split("  #", 1)[0]
        if line.startswith("appraisal "):
            words = line.split()[1:]
            current = tuple(_command_words(words))
            found[current] = set()
        found[current] |= set(re.findall(r"--[a-z][a-z-]*", line))
    return found


def _command_words(words: list[str]) -> list[str]:
    taken = []
    for word in words:
        if not re.fullmatch(r"[a-z-]+", word):
            break
        taken.append(word)
    return taken


def _options(command: click.Command) -> set[str]:
    return {
        name
        for param in command.params
        if isinstance(param, click.Option) and not param.hidden
        for name in param.opts
        if name.startswith("--") and name != "--help"
    }


def test_the_readme_synopsis_lists_every_command_and_option() -> None:
    synopsis = _synopsis()
    assert sorted(synopsis) == sorted(COMMANDS)
    for path, command in COMMANDS.items():
        assert synopsis[path] == _options(command), " ".join(path)


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_every_command_has_an_example_and_its_exit_codes(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0
    assert re.search(r"Example:\n +appraisal " + " ".join(path) + " ", result.stdout), result.stdout
    assert "Exit codes: 0" in result.stdout


def test_the_command_list_is_not_cut_short() -> None:
    result = CliRunner().invoke(main, ["--help"])
    listing = result.stdout.split("Commands:", 1)[1]
    assert "..." not in listing and "…" not in listing
    assert "check-rubric" not in result.stdout  # the hidden alias
    rules = CliRunner().invoke(main, ["rules", "--help"])
    assert "..." not in rules.stdout.split("Commands:", 1)[1] and re.search(r"check +Check a rubric", rules.stdout)


def test_one_spelling_per_option_with_the_old_one_hidden(tmp_path: Path) -> None:
    assert {"--out"} <= _options(COMMANDS[("run",)]) and {"--out"} <= _options(COMMANDS[("report",)])
    assert "--output" not in _options(COMMANDS[("report",)])
    missing = CliRunner().invoke(main, ["report", str(ROOT / "README.md")])
    assert missing.exit_code == 2 and "Missing option '--out'" in missing.stderr

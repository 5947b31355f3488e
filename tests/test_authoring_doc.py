"""docs/rubric-authoring.md runs as written: its files are written, its commands run, and each output it shows is
the program's (line by line, in order)."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from appraisal.cli import main
from appraisal.resources import bundled

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "rubric-authoring.md"
BLOCK = re.compile(r"(?:<!-- write: (?P<path>\S+) -->\n)?```(?P<lang>\w+)\n(?P<body>.*?)```", re.S)


def steps() -> list[tuple[str, str, str]]:
    """("write", path, text) and ("run", command, expected output), in the page's order."""
    found = []
    for block in BLOCK.finditer(DOC.read_text(encoding="utf-8")):
        if block["path"]:
            found.append(("write", block["path"], block["body"]))
        elif block["lang"] == "sh":
            for chunk in block["body"].split("$ ")[1:]:
                command, _, output = chunk.partition("\n")
                found.append(("run", command, output))
    return found


def test_the_tutorial_has_commands_and_files() -> None:
    kinds = [kind for kind, _, _ in steps()]
    assert kinds.count("write") == 3 and kinds.count("run") >= 10


def test_the_tutorial_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(bundled("scoring_rules"), tmp_path / "scoring_rules")
    monkeypatch.chdir(tmp_path)
    for kind, what, text in steps():
        if kind == "write":
            (tmp_path / what).write_text(text, encoding="utf-8")
            continue
        words = shlex.split(what)
        if words[0] == "appraisal":
            result = CliRunner().invoke(main, words[1:])
            output = result.output  # stdout and stderr, interleaved as printed
        else:
            output = subprocess.run(what, shell=True, cwd=tmp_path, capture_output=True, text=True, check=True).stdout
        lines = output.splitlines()
        position = 0
        for wanted in text.splitlines():
            assert wanted in lines[position:], f"$ {what}\nwanted: {wanted}\ngot:\n{output}"
            position = lines.index(wanted, position) + 1

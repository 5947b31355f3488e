"""Builders of submissions and paths to test fixtures, shared by the tests."""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from appraisal import Rubric, load_rubric
from appraisal.cli import main
from appraisal.errors import RubricError
from appraisal.submission import SubmissionBase, indicators_for_year, submission_adapter

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "rubrics" / "mini"
INDICATORS_2026 = indicators_for_year(2026)
ORG_TYPES = INDICATORS_2026.org_type_ids


@cache
def shipped(year: int | None = None) -> Rubric:
    """A bundled year's rubric (default: the newest), loaded once per test process: for the tests that read a
    shipped rubric rather than test its loading (a load parses every file of the year's folder again, and a
    ``Rubric`` is frozen, so sharing it is safe)."""
    return load_rubric(year)


def edited(source: Path, folder: Path, file: str, old: str, new: str) -> Path:
    """``folder``, a copy of the rubric folder ``source`` (made unless there already: edits add up), with the first
    ``old`` in ``file`` replaced by ``new``."""
    if not folder.exists():
        shutil.copytree(source, folder)
    text = (folder / file).read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {file}"
    (folder / file).write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def rubric_problems(folder: Path) -> list[str]:
    """The problems loading ``folder`` raises, each as its one line."""
    with pytest.raises(RubricError) as caught:
        load_rubric(folder)
    return [str(p) for p in caught.value.problems]


def invoke(*args: str | Path) -> tuple[int, str, str]:
    """``appraisal ARGS`` in this process: its exit code, standard output and standard error."""
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def year_folder(folder: Path, manifest: str, **files: str) -> Path:
    """A year's folder for tests: ``manifest`` with the mini rubric's org types added, the 2026 indicators, and
    the item files given (name -> YAML text)."""
    folder.mkdir(parents=True, exist_ok=True)
    org_types = (MINI / "rubric.yaml").read_text(encoding="utf-8").partition("org_types:")[2]
    (folder / "rubric.yaml").write_text(manifest.rstrip("\n") + "\norg_types:" + org_types, encoding="utf-8")
    (folder / "indicators.yaml").write_bytes((MINI / "indicators.yaml").read_bytes())
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def unit(org_type: str = "village", unit_id: str = "u-1", **sections: Any) -> dict[str, Any]:
    """A submission mapping with identity filled in and the given sections; an enterprise says it has a party
    organization unless told (every enterprise must report it: it decides which leadership items apply)."""
    if org_type == "enterprise":
        organization = sections.get("organization") or {}
        sections["organization"] = {"has_party_organization": True, **organization}
    return {
        "unit_id": unit_id,
        "name": f"Unit {unit_id}",
        "org_type": org_type,
        "year": 2026,
        "appraisal_date": "2026-12-20",
        **sections,
    }


def make(org_type: str = "village", unit_id: str = "u-1", **sections: Any) -> SubmissionBase:
    return submission_adapter(INDICATORS_2026).validate_python(unit(org_type, unit_id, **sections))

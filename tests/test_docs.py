"""Documentation generated from the code stays current."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from appraisal.facts import reference_document
from appraisal.resources import examples

ROOT = Path(__file__).resolve().parents[1]


def test_facts_reference_is_current() -> None:
    committed = (ROOT / "docs" / "facts.md").read_text(encoding="utf-8")
    assert committed == reference_document(), "regenerate with: make docs"


def test_facts_reference_lists_every_section_and_derived_share() -> None:
    text = reference_document()
    for heading in ("## `leadership`", "## `inspection`", "`appraisal.inspected_share` | number"):
        assert heading in text


def _python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_the_readme_library_example_runs_as_written_on_the_demo_files(tmp_path: Path) -> None:
    """Every Python block of the README runs as written, in a folder holding what ``make demo`` leaves."""
    blocks = _python_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    assert blocks, "the README has no Python example"
    shutil.copytree(examples(), tmp_path / "out" / "demo" / "submissions")
    for block in blocks:
        done = subprocess.run(
            [sys.executable, "-c", block], cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False
        )
        assert done.returncode == 0, done.stderr
        assert "<Rubric womens-federation-appraisal 2026.2" in done.stdout
        assert "rejected: invalid-broken.yaml" in done.stdout


def test_the_indicators_example_of_the_rubric_format_scores_as_the_page_says(tmp_path: Path) -> None:
    """docs/rubric-format.md's example year, built from the page's own blocks, loads and scores as it says."""
    from appraisal import appraise, load_rubric
    from appraisal.submission.loading import validate_unit

    text = (ROOT / "docs" / "rubric-format.md").read_text(encoding="utf-8")
    files = dict(re.findall(r"File `example/([\w.]+)`:\n\n```(?:yaml|json)\n(.*?)```", text, flags=re.S))
    assert sorted(files) == ["indicators.yaml", "items.yaml", "rubric.yaml", "unit.json"]
    folder = tmp_path / "example"
    folder.mkdir()
    for name, content in files.items():
        if name != "unit.json":
            (folder / name).write_text(content, encoding="utf-8")
    rubric = load_rubric(folder)
    card = appraise(validate_unit(json.loads(files["unit.json"]), "unit.json", rubric), rubric)
    assert (card.total, card.grade) == (7, "qualified")
    assert [(i.id, i.points, i.self_points) for i in card.items] == [("C01", 3, 6), ("C02", 3, 3), ("C03", 1, 1)]
    assert card.self_score == 10 and card.self_differences == ["C01"]
    (check,) = card.item("C01").verified
    assert (check.reported, check.verified, check.by, check.method) == (70, 48, "Li Hong", "records")
    uninspected = json.loads(files["unit.json"])
    uninspected["cooperative"]["site_inspected"] = False
    assert appraise(validate_unit(uninspected, "u.json", rubric), rubric).item("C02").status == "not_evaluated"

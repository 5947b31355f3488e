"""Documentation generated from the code stays current."""

from __future__ import annotations

from pathlib import Path

from appraisal.facts import reference_document

ROOT = Path(__file__).resolve().parents[1]


def test_facts_reference_is_current() -> None:
    committed = (ROOT / "docs" / "facts.md").read_text(encoding="utf-8")
    assert committed == reference_document(), "regenerate with: make docs"


def test_facts_reference_lists_every_section_and_derived_share() -> None:
    text = reference_document()
    for heading in ("## `leadership`", "## `inspection`", "`appraisal.inspected_share` | number"):
        assert heading in text

"""intake is a later stage than submission (STYLE.md): loading JSON never imports it, and it imports no later
stage."""

from __future__ import annotations

import subprocess
import sys


def _modules_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(m for m in sys.modules if m.startswith('appraisal')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_reading_json_does_not_import_intake() -> None:
    found = _modules_after("import appraisal; appraisal.load_submissions([])")
    assert "appraisal.submission.loading" in found
    assert not any(m.startswith("appraisal.intake") for m in found)


def test_intake_imports_no_later_stage() -> None:
    found = _modules_after("import appraisal.intake")
    assert "appraisal.intake.reading" in found
    assert not {"appraisal.batch", "appraisal.cli"} & found

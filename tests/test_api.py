"""The public API: a short sorted __all__ that names everything appraisal/__init__.py offers."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import appraisal


def test_all_is_sorted_and_complete() -> None:
    assert appraisal.__all__ == sorted(appraisal.__all__)
    public = {
        name
        for name in dir(appraisal)  # the lazily imported names too
        if not name.startswith("_")
        and not inspect.ismodule(getattr(appraisal, name))
        and name not in ("annotations", "TYPE_CHECKING", "Any")
    }
    assert public | {"__version__"} == set(appraisal.__all__)


def test_every_error_is_an_appraisal_error() -> None:
    for name in ("InputError", "RubricError", "EngineError", "ReportError", "OutputError"):
        assert issubclass(getattr(appraisal, name), appraisal.AppraisalError)


def test_one_unit_end_to_end_through_the_api() -> None:
    from appraisal.resources import examples

    card = appraisal.appraise(appraisal.load_submission(examples() / "county-01.json"))
    assert card.unit_id == "county-01" and card.rubric.id == "womens-federation-appraisal"
    assert card.rank is None and card.peers is None and card.commended is None
    assert sum(i.max for i in card.items if i.group != "bonus") == card.base


def test_importing_leaves_no_legacy_import_finder() -> None:
    """No sys.meta_path finder without find_spec (pygal, once used for the chart, installed one): with it,
    imports warn under -W error."""
    import sys

    assert not [f for f in sys.meta_path if not hasattr(f, "find_spec")]


def test_importing_and_scoring_never_load_the_report_stack(tmp_path: Path) -> None:
    """weasyprint takes about a second to import: only rendering pays for it."""
    script = (
        "import sys\n"
        "import appraisal, appraisal.cli, appraisal.batch\n"
        "from appraisal.resources import examples\n"
        "units, _ = appraisal.load_submissions([examples()])\n"
        "appraisal.appraise_many(units)\n"
        "appraisal.batch.run([examples()], sys.argv[1], appraisal.load_rubric())\n"
        "try:\n"
        "    appraisal.cli.main(['validate', str(examples())])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('weasyprint', 'pygal', 'pydyf')))\n"
        "appraisal.render_report\n"
        "print('weasyprint' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "out")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-2:] == ["[]", "True"], done.stdout


_CTRL_C_WHILE_IMPORTING = """
import sys

class Interrupting:  # a Ctrl-C arriving while the command line's modules are imported
    def find_spec(self, name, path=None, target=None):
        if name == "appraisal.rubric":
            raise KeyboardInterrupt

sys.meta_path.insert(0, Interrupting())
sys.argv = ["appraisal", "--version"]
from appraisal._start import main
main()
"""


def test_ctrl_c_while_the_command_line_is_imported_is_one_line_and_130() -> None:
    """The command starts in ``appraisal._start`` with only the light package imported, so a Ctrl-C during the
    half second of imports is the command's one line and 130, not Python's traceback (seen at 0.3 s)."""
    done = subprocess.run([sys.executable, "-c", _CTRL_C_WHILE_IMPORTING], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (130, "interrupted\n")
    light = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, appraisal; print(sorted(m for m in sys.modules if m.startswith('appraisal')))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert light.stdout.strip() == "['appraisal', 'appraisal.errors']"  # the names' modules come when first used

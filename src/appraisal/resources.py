"""Where the bundled rubric, templates and examples are: inside the wheel, or in the source checkout.

The wheel carries ``scoring_rules/`` and ``report_templates/`` as ``appraisal/_bundled/...``; an editable
install or a checkout finds them at the top of the repository.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def bundled(name: str) -> Path:
    """The folder ``name`` (``scoring_rules`` or ``report_templates``) that ships with the package."""
    for candidate in (_PACKAGE / "_bundled" / name, _PACKAGE.parent.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the bundled {name}/ folder is missing from this installation")


def examples() -> Path:
    """The bundled example submissions (``appraisal demo``)."""
    return _PACKAGE / "examples"

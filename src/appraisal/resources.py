"""Where the bundled rubric, templates and examples are: inside the wheel, or in the source checkout.

The wheel carries ``scoring_rules/`` and ``report_templates/`` as ``appraisal/_bundled/...``; an editable
install or a checkout finds them at the top of the repository.
"""

from __future__ import annotations

import functools
import hashlib
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


@functools.cache
def code_sha256() -> str:
    """sha256 over the package's Python source (each file's path in the package and its bytes). Caches and a
    cluster's workers key on it with the version, so a change of code that keeps the version number (a fix
    installed in place, an editable install) never meets results of the code before it."""
    digest = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*.py")):
        if "_bundled" not in path.relative_to(_PACKAGE).parts:
            digest.update(f"{path.relative_to(_PACKAGE).as_posix()}\0{path.stat().st_size}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()

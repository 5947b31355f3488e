"""The ``appraisal`` command's start: the command line imported under a Ctrl-C handler.

Importing the command line takes about half a second (pydantic's models, the rubric's loader); a Ctrl-C in that
time printed Python's traceback instead of the command's one line and exit status 130. ``import appraisal`` is
light (its names are imported when first used), so this module starts before any of it.
"""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from .cli import entry  # which answers a Ctrl-C itself from then on
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)  # cli.EXIT_INTERRUPTED (128 + SIGINT), which is not imported yet
    entry()

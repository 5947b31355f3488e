"""Stage 4, engine: a rubric compiled to durable-rules rulesets; one unit's facts in, the firings out."""

from __future__ import annotations

from .compile import MISSING, item_paths, ruleset_for
from .run import Engine, Firing

__all__ = ["MISSING", "Engine", "Firing", "item_paths", "ruleset_for"]

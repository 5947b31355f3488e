"""Stage 3, rubric: YAML files in, a checked ``Rubric`` out (models, loading, the condition language)."""

from __future__ import annotations

from . import expr
from .loading import load_rubric, load_rubric_dir
from .models import BONUS_GROUP, GRADES, GROUPS, Item, Manifest, Rubric, Text, Veto

__all__ = [
    "BONUS_GROUP",
    "GRADES",
    "GROUPS",
    "Item",
    "Manifest",
    "Rubric",
    "Text",
    "Veto",
    "expr",
    "load_rubric",
    "load_rubric_dir",
]

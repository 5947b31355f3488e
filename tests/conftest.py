"""Shared fixtures: the small test rubric."""

from __future__ import annotations

import pytest
from tests.builders import MINI

from appraisal import Rubric, load_rubric


@pytest.fixture(scope="session")
def mini() -> Rubric:
    return load_rubric(MINI)

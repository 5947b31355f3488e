"""Shared fixtures (the small test rubric), and the order tests are handed to xdist's workers in."""

from __future__ import annotations

import pytest
from tests.builders import MINI

from appraisal import Rubric, load_rubric


@pytest.fixture(scope="session")
def mini() -> Rubric:
    return load_rubric(MINI)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The modules marked ``slow`` first, each in its own order: ``make test`` gives whole files to its two
    workers (``--dist loadfile``, module fixtures made once) in this order, so the long files start at once
    and the many short ones fill in at the end instead of one long file running alone."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)

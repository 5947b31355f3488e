"""Shared fixtures (the small test rubric), the order tests are handed to xdist's workers in, and the collector's
threshold of the test processes."""

from __future__ import annotations

import gc

import pytest
from tests.builders import MINI

from appraisal import Rubric, load_rubric

# The young generation collected every 50,000 allocations, not 700, as ``appraisal.batch`` does during a run
# (run._few_collections): each process keeps rubrics, rendered PDFs and their texts alive for its whole session,
# and with the default threshold the collector rescans them so often that it took about a quarter of the suite's
# CPU (docs/speed.md). Nothing tested depends on when garbage is collected: a check of freed memory measures a
# run, which sets the same threshold itself.
gc.set_threshold(50_000, *gc.get_threshold()[1:])


@pytest.fixture(scope="session")
def mini() -> Rubric:
    return load_rubric(MINI)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The modules marked ``slow`` first, each in its own order: ``make test`` gives whole files to its two
    workers (``--dist loadfile``, module fixtures made once) in this order, so the long files start at once
    and the many short ones fill in at the end instead of one long file running alone."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)

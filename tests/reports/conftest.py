"""Fixtures of the reports tests: the sample rubric and scorecards, and weasyprint's log.

weasyprint reports a missing glyph (".notdef"), a refused fetch or bad CSS only through its logger; every
render here runs inside ``quiet`` or the ``weasy_log`` fixture and fails on any such record unless the test
expects it. Rendered PDFs are made once per module and read by several tests.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from tests.reports.report_pdfs import WeasyLog
from tests.reports.report_samples import RUBRIC, sample_cards

from appraisal.rubric.models import Rubric
from appraisal.scoring.scorecard import Scorecard


@pytest.fixture(scope="session")
def rubric() -> Rubric:
    return RUBRIC


@pytest.fixture(scope="session")
def cards() -> dict[str, Scorecard]:
    return sample_cards()


@pytest.fixture
def weasy_log() -> Iterator[WeasyLog]:
    """weasyprint's records during one test; the test fails on any it did not ``take``."""
    log = WeasyLog()
    logger = logging.getLogger("weasyprint")
    logger.setLevel(logging.WARNING)  # whatever level another test or tool left it at
    logger.addHandler(log)
    yield log
    logger.removeHandler(log)
    assert not log.records, f"weasyprint logged: {log.messages()[:10]}"

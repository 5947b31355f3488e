"""The ledger a streamed run keeps its files and units in: what goes in comes out the same, in the listing's order,
and a repeated unit id is rejected as ``unique_units`` rejects it."""

from __future__ import annotations

import hashlib
from array import array
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.builders import shipped

from appraisal.batch.cache import FileResult, Unit
from appraisal.batch.ledger import Ledger, Standings, Strings
from appraisal.batch.synthetic import synthetic_units
from appraisal.errors import InputError, Problem
from appraisal.scoring import Scorecard
from appraisal.scoring.appraise import score_or_reject
from appraisal.scoring.rank import Standing, standing
from appraisal.submission import SubmissionBase, unique_units
from appraisal.submission.loading import validate_unit


@given(st.lists(st.text()))
def test_strings_come_back_as_they_went_in(texts: list[str]) -> None:
    strings = Strings()
    for text in texts:
        strings.append(text)
    assert [strings[i] for i in range(len(strings))] == texts


def test_a_file_name_the_file_system_gave_as_bytes_comes_back() -> None:
    strings = Strings()
    strings.append("r\udcfcckstand.json")  # os.fsdecode(b"r\xfcckstand.json") on a UTF-8 system
    assert strings[0] == "r\udcfcckstand.json"


@pytest.fixture(scope="module")
def standings() -> list[Standing]:
    rubric = shipped()
    units = [validate_unit(data, f"u{i}.json") for i, data in enumerate(synthetic_units(24, rubric))]
    cards = [score_or_reject(unit, rubric) for unit in units if isinstance(unit, SubmissionBase)]
    return [standing(card) for card in cards if isinstance(card, Scorecard)]


def _file(name: str, units: list[Unit], rejected: list[InputError] | None = None, read: bool = True) -> FileResult:
    digest = hashlib.sha256(name.encode()).hexdigest()
    if not read:  # a file that could not be read: no sha256, size or cache key
        return FileResult(name, None, None, rejected or [], units)
    return FileResult(name, digest, len(name), rejected or [], units, key=digest[::-1])


def _own(s: Standing) -> FileResult:
    return _file(f"{s.unit_id}.json", [Unit(s.unit_id, f"{s.unit_id}.json", s)])


def test_each_standing_comes_back_from_its_row_ranked_or_not(standings: list[Standing]) -> None:
    ranked = [replace(s, rank=i + 1, commended=i % 3 == 0) for i, s in enumerate(standings)]
    tied = [replace(s, tie_keys=("item:K01", "group:routine"), ties=(1.5, -0.25)) for s in standings[:3]]
    ledger = Ledger()
    for place, s in enumerate([*standings, *ranked, *tied]):
        ledger.add(place, _own(s), f"{s.unit_id}.json")
    ledger.close()
    assert [ledger.standing(row) for f in ledger.files() for row in ledger.rows(f)] == [*standings, *ranked, *tied]


def test_files_added_out_of_order_are_read_in_the_listing_order(standings: list[Standing]) -> None:
    ledger = Ledger()
    for place in (3, 0, 2, 1):
        ledger.add(place, _own(standings[place]), f"{standings[place].unit_id}.json")
    unread = _file("gone.json", [], [InputError("gone.json", [Problem("file", "cannot read")])], read=False)
    ledger.add(4, unread, "gone.json")
    ledger.close()
    with pytest.raises(ValueError, match="closed"):
        ledger.add(5, unread, "again.json")
    order = list(ledger.files())
    names = [f"{s.unit_id}.json" for s in standings[:4]]
    assert [ledger.record(f) for f in order] == [
        *({"name": n, "sha256": hashlib.sha256(n.encode()).hexdigest(), "bytes": len(n)} for n in names),
        {"name": "gone.json", "sha256": None, "bytes": None},
    ]
    assert [ledger.key(f) for f in order] == [hashlib.sha256(n.encode()).hexdigest()[::-1] for n in names] + [None]
    assert [ledger.standing(row) for f in order for row in ledger.rows(f)] == standings[:4]
    assert [e.source for f in order for e in ledger.rejected(f)] == ["gone.json"]


def test_a_list_file_keeps_its_units_sources_and_rejections(standings: list[Standing]) -> None:
    error = InputError("list.json[1]", [Problem("year", "not a year")], "x")
    units = [
        Unit("a", "list.json[0]", standings[0]),
        Unit("x", "list.json[1]", error),
        Unit(standings[2].unit_id, "list.json", standings[2]),
    ]
    ledger = Ledger()
    ledger.add(0, _file("list.json", units), "list.json")
    ledger.close()
    (file,) = ledger.files()
    rows = ledger.rows(file)
    assert [ledger.unit_of(row, file) for row in rows] == [
        ("a", "list.json[0]"),
        ("x", "list.json[1]"),
        (standings[2].unit_id, "list.json"),
    ]
    assert [ledger.is_scored(row) for row in rows] == [True, False, True]
    assert [ledger.error(row) for row in rows] == [None, error, None]
    assert ledger.standing(rows[0]) == standings[0]
    with pytest.raises(TypeError, match="standings"):
        Ledger().add(0, _file("card.json", [Unit("c", "card.json", object())]), "card.json")  # type: ignore[arg-type]


def test_a_repeated_unit_id_is_rejected_as_unique_units_rejects_it(standings: list[Standing]) -> None:
    """Ids repeat ignoring case, across files and within one, and a rejected unit's id counts as seen."""
    base = standings[0]
    named = [("U-1", "a.json"), ("u-1", "b.json"), ("U-2", "c.json"), ("U-2", "c.json"), ("U-1", "d.json")]
    ledger = Ledger()
    places = [4, 2, 0, 1, 3]  # added out of order: the first in the listing is the one kept
    for place in places:
        unit_id, source = named[place]
        ledger.add(place, _file(source, [Unit(unit_id, source, replace(base, unit_id=unit_id))]), source)
    ledger.close()
    errors = ledger.unique_ids()

    class Named:
        def __init__(self, unit_id: str, source: str) -> None:
            self.unit_id, self.source = unit_id, source

    _, expected = unique_units([Named(*pair) for pair in named])  # type: ignore[misc]
    assert [(e.source, e.unit_id, e.problems) for e in errors] == [(e.source, e.unit_id, e.problems) for e in expected]
    listed = [row for f in ledger.files() for row in ledger.rows(f)]
    assert [ledger.dropped(row) for row in listed] == [False, True, False, True, True]


def test_the_digest_of_a_written_scorecard_is_found_by_its_unit_id(standings: list[Standing]) -> None:
    ledger = Ledger()
    for place, s in enumerate(standings[:5]):
        ledger.add(place, _own(s), f"{s.unit_id}.json")
    ledger.close()
    ledger.unique_ids()
    rows = [row for f in ledger.files() for row in ledger.rows(f)]
    for row, s in zip(rows[:4], standings, strict=False):
        ledger.record_card(row, hashlib.sha256(s.unit_id.encode()).digest())
    assert [ledger.get(s.unit_id) for s in standings[:5]] == [
        *(hashlib.sha256(s.unit_id.encode()).digest() for s in standings[:4]),
        None,  # not written
    ]
    assert ledger.get("no-such-unit") is None
    assert ledger.get(standings[0].unit_id.upper()) is None  # the same hash ignoring case, not the same file name


def test_standings_read_as_a_list_of_the_ranked_rows(standings: list[Standing]) -> None:
    ledger = Ledger()
    for place, s in enumerate(standings[:6]):
        ledger.add(place, _own(s), f"{s.unit_id}.json")
    ledger.close()
    view = Standings(ledger, array("I", [4, 1, 2]))
    expected = [standings[4], standings[1], standings[2]]
    assert len(view) == 3 and list(view) == expected and view == expected and view[1] == standings[1]
    assert view[1:] == expected[1:] and view != expected[:2]
    assert {shape.org_type for shape in view.shapes()} == {s.org_type for s in expected}

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.builders import MINI, edited
from tests.builders import rubric_problems as problems

from appraisal import RubricError, load_rubric


def broken(tmp_path: Path, file: str, old: str, new: str) -> Path:
    """A copy of the mini rubric with ``old`` replaced by ``new`` in ``file``."""
    return edited(MINI, tmp_path / "rubric", file, old, new)


def test_mini_rubric_loads() -> None:
    rubric = load_rubric(MINI)
    assert [i.id for i in rubric.items] == ["L01", "L02", "A01", "S01", "B01"]
    assert len(rubric.sha256) == 64


def test_sha256_follows_the_files(tmp_path: Path) -> None:
    folder = broken(tmp_path, "items.yaml", "Hold hearings.", "Hold more hearings.")
    assert load_rubric(folder).sha256 != load_rubric(MINI).sha256


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "items.yaml",
            "leadership.standing_committee_hearings >= 2",
            "leadership.standing_committee_hearings >=",
            "items.yaml:7:58: condition: the condition ends too early",
        ),
        (
            "items.yaml",
            "leadership.standing_committee_hearings >= 2",
            "leadership.hearings >= 2",
            "items.yaml:7:17: unknown value leadership.hearings",
        ),
        (
            "items.yaml",
            "leadership.standing_committee_hearings >= 2",
            "leadership.leader_in_charge >= 2",
            "items.yaml:7:17: leadership.leader_in_charge is yes/no: use it alone, with not, or == true/false",
        ),
        (
            "items.yaml",
            "leadership.standing_committee_hearings >= 2",
            "leadership.working_meetings == true",
            "items.yaml:7:17: leadership.working_meetings is a number: compare it with a number",
        ),
        (
            "items.yaml",
            "    max: 4\n",
            "    max: 4\n    applies_to: [village, county]\n",
            "rubric.yaml:5: the maxima of the items applying to township units sum to 6, not the base 10",
        ),
        (
            "items.yaml",
            '{when: "leadership.standing_committee_hearings >= 2", points: 4}',
            '{when: "leadership.standing_committee_hearings >= 2", points: 5}',
            "items.yaml:7: tier points 5 exceed the item's maximum",
        ),
        (
            "items.yaml",
            "  - id: A01",
            "  - id: L01",
            "items.yaml:20: duplicate id L01 (first in items.yaml:2)",
        ),
        (
            "items.yaml",
            "    citation: Part 3 (3)\n    advice: {en: Hold",
            "    citeation: Part 3 (3)\n    advice: {en: Hold",
            "items.yaml:2: citation: Field required",
        ),
        (
            "items.yaml",
            "group: appraisal",
            "group: apraisal",
            "items.yaml:21: group: unknown group 'apraisal'",
        ),
        (
            "items.yaml",
            "deduct: {value: appraisal.reports_late, points: 0.5}",
            "deduct: {value: appraisal.year_end_assessment, points: 0.5}",
            "items.yaml:24: appraisal.year_end_assessment is yes/no; a count or number is needed here",
        ),
        (
            "items.yaml",
            "    when: inspection.falsified_data",
            "    when: inspection.falsified_data or",
            "items.yaml:48:39: condition: the condition ends too early",
        ),
        (
            "rubric.yaml",
            "base: 10",
            "base: 12",
            "rubric.yaml:5: the maxima of the items applying to county units sum to 10, not the base 12",
        ),
        (
            "rubric.yaml",
            'good: "80%"',
            'good: "95%"',
            "rubric.yaml:7: grade bounds must fall: excellent > good > qualified",
        ),
        (
            "items.yaml",
            "title: {en: Late reports, zh: 逾期报送}",
            "title: {en: Late reports, zh: [逾期报送}",
            "items.yaml:22: not valid YAML: in the [ ] opened on this line: expected ',' or ']', but got '}'",
        ),
    ],
)
def test_problem_names_file_line_and_reason(tmp_path: Path, file: str, old: str, new: str, expected: str) -> None:
    found = problems(broken(tmp_path, file, old, new))
    assert any(p.startswith(expected) for p in found), found


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    folder = broken(tmp_path, "items.yaml", "leadership.working_meetings >= 4", "leadership.meetings >= 4")
    text = (folder / "items.yaml").read_text(encoding="utf-8").replace("points: 0.5}", "points: -1}")
    (folder / "items.yaml").write_text(text, encoding="utf-8")
    found = problems(folder)
    assert any("unknown value leadership.meetings" in p for p in found), found
    assert any("deduct.points: Input should be greater than or equal to 0" in p for p in found), found


def test_not_a_rubric_folder(tmp_path: Path) -> None:
    assert problems(tmp_path) == [f"{tmp_path}: not a rubric folder: no rubric.yaml in it"]


def test_unknown_top_level_key(tmp_path: Path) -> None:
    folder = broken(tmp_path, "items.yaml", "vetoes:", "vetos:")
    assert (
        "items.yaml:45: unknown key 'vetos' (an item file holds items: and vetoes:); did you mean vetoes?"
        in problems(folder)
    )


def test_bundled_year_not_found() -> None:
    with pytest.raises(RubricError, match="no bundled rubric for 1999"):
        load_rubric(1999)


def test_a_folder_named_like_a_year_is_a_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--rubric 2026`` beside a folder of that name is the folder, not the bundled year."""
    shutil.copytree(MINI, tmp_path / "2026")
    monkeypatch.chdir(tmp_path)
    rubric = load_rubric("2026")
    assert rubric.id == "mini" and rubric.path == str(tmp_path / "2026")


def test_a_year_folder_copied_with_last_years_year_is_refused_at_its_year(tmp_path: Path) -> None:
    """Last year's folder copied under next year's name, its ``year:`` left as it was, would refuse every
    submission of next year (and its cases would still pass): ``rules check`` says what to change."""
    folder = shutil.copytree(MINI, tmp_path / "2027")
    assert problems(folder) == [
        "rubric.yaml:3: year: 2026, but the folder is named 2027: set year: 2027 here, and the year of each "
        "case's submission in cases/"
    ]
    assert load_rubric(edited(MINI, tmp_path / "2025", "rubric.yaml", "year: 2026", "year: 2025")).year == 2025


def test_one_mistake_is_one_problem(tmp_path: Path) -> None:
    """A policy officer's typo is reported once: not twice (the org types are checked with the indicators and
    with the manifest), and a YAML error in one item file does not add the per-type sums its missing items
    break (one line per org type, each pointing at rubric.yaml, not at the typo)."""
    from tests.builders import shipped

    level = edited(Path(shipped().path), tmp_path / "level", "rubric.yaml", "level: county", "level: city")
    found = problems(level)
    assert len(found) == 1 and "org_types.0.level: Input should be 'county', 'township' or 'village'" in found[0]
    year = edited(Path(shipped().path), tmp_path / "year", "rubric.yaml", "year: 2026", "year: twenty")
    assert problems(year) == [
        "rubric.yaml:7: year: Input should be a valid integer, unable to parse string as an integer"
    ]
    folder = shutil.copytree(shipped().path, tmp_path / "yaml")
    with (folder / "bonus.yaml").open("a", encoding="utf-8") as file:
        file.write("items:\n  - id: [unclosed\n")
    (found,) = problems(folder)
    assert found.startswith("bonus.yaml:") and "not valid YAML" in found


def test_a_value_of_the_wrong_kind_is_one_line_without_pydantics_own_names(tmp_path: Path) -> None:
    """``max: four`` (a number, or a mapping of org type to number): one line at the place in the file, not one
    per kind with ``max.decimal`` and ``max.dict[str,decimal]``."""
    from tests.builders import shipped

    folder = edited(Path(shipped().path), tmp_path / "max", "leadership.yaml", "max: 4", "max: four")
    (found,) = problems(folder)
    assert found.endswith(": max: Input should be a valid decimal or a valid dictionary"), found
    assert found.startswith("leadership.yaml:") and "decimal]" not in found


def test_a_repeated_org_type_id_is_reported_at_the_repeat(tmp_path: Path) -> None:
    from tests.builders import shipped

    folder = edited(Path(shipped().path), tmp_path / "twice", "rubric.yaml", "id: street,", "id: township,")
    text = (folder / "rubric.yaml").read_text(encoding="utf-8").splitlines()
    first, repeat = (n for n, line in enumerate(text, 1) if "id: township," in line)
    assert f"rubric.yaml:{repeat}: org_types.2.id: township again (first at line {first}): each id once" in problems(
        folder
    )


@pytest.mark.parametrize("content", ["", "# to be written\n"])
def test_an_empty_item_file_holds_no_items_and_the_sums_are_still_checked(tmp_path: Path, content: str) -> None:
    """A placeholder file (empty, or comments only) adds no item; it used to count as a file that failed to load,
    which turned the per-type sums and tie-break checks off without a word, so a wrong maximum passed."""
    placeholder = shutil.copytree(MINI, tmp_path / "placeholder")
    (placeholder / "new_items.yaml").write_text(content, encoding="utf-8")
    assert [i.id for i in load_rubric(placeholder).items] == [i.id for i in load_rubric(MINI).items]
    wrong = broken(tmp_path, "items.yaml", "    max: 4\n", "    max: 5\n")
    (wrong / "new_items.yaml").write_text(content, encoding="utf-8")
    found = problems(wrong)
    assert found and all("sum to" in p and p.startswith("rubric.yaml:5:") for p in found), found


@pytest.mark.parametrize("file", ["rubric.yaml", "indicators.yaml"])
@pytest.mark.parametrize("content", ["", "# to be written\n"])
def test_an_empty_manifest_or_indicators_file_is_one_line_naming_it(tmp_path: Path, file: str, content: str) -> None:
    folder = shutil.copytree(MINI, tmp_path / "empty")
    (folder / file).write_text(content, encoding="utf-8")
    (found,) = problems(folder)
    assert found.startswith(f"{file}: empty (or comments only): the "), found


def test_a_file_meant_as_yaml_but_not_named_so_is_refused_not_left_out(tmp_path: Path) -> None:
    """Only ``*.yaml`` is read: ``x.yml``, ``x.YAML`` and ``x.yaml.txt`` would leave their items out without a word
    (the sums then pointing at rubric.yaml). An editor's hidden file and a backup are left alone."""
    folder = shutil.copytree(MINI, tmp_path / "named")
    for name in ("extra.yml", "Notes.YAML", "more.yaml.txt", "items.yaml.bak", ".items.yaml.swp"):
        (folder / name).write_text("items: []\n", encoding="utf-8")
    assert problems(folder) == [
        f"{name}: not read: a year's folder reads the files ending in .yaml: rename it {stem}.yaml"
        for name, stem in (("Notes.YAML", "Notes"), ("extra.yml", "extra"), ("more.yaml.txt", "more"))
    ]


@pytest.mark.parametrize("style", [">-", "|-", "plain"])
def test_a_slip_in_a_condition_over_several_lines_is_placed_at_its_line_and_column(tmp_path: Path, style: str) -> None:
    """A condition written over several lines (``when: >-``, as the shipped organization.yaml does, or running on
    unquoted) is placed at the line and column of the slip, not at a column of the first line past its end."""
    from tests.builders import shipped

    source = Path(shipped().path) / "organization.yaml"
    lines = source.read_text(encoding="utf-8").splitlines()
    at = next(n for n, line in enumerate(lines) if "(not treatment.director_on_two_committees" in line)
    assert lines[at - 2].endswith("when: >-")
    if style == "|-":
        lines[at - 2] = lines[at - 2].replace(">-", "|-")
    elif style == "plain":
        lines[at - 2 : at] = [lines[at - 2].replace(">-", lines[at - 1].strip())]
        at -= 1
    lines[at] = lines[at].replace("director_on_two_committees", "director_on_two_comittees")
    folder = shutil.copytree(source.parent, tmp_path / "2026")
    (folder / "organization.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    column = lines[at].index("treatment.director_on_two_comittees") + 1
    (found,) = problems(folder)
    assert found.startswith(f"organization.yaml:{at + 1}:{column}: unknown value treatment.director_on_two_comittees")


def test_a_duplicate_id_is_one_problem_without_the_sums_it_breaks(tmp_path: Path) -> None:
    """B01 renamed L01 in bonus.yaml: one line at the second L01, naming the first; not also the per-type sums
    that leaving one of them out breaks (blaming rubric.yaml's base for it)."""
    from tests.builders import shipped

    folder = edited(Path(shipped().path), tmp_path / "twice", "bonus.yaml", "id: B01", "id: L01")
    (found,) = problems(folder)
    assert found.startswith("leadership.yaml:") and "duplicate id L01 (first in bonus.yaml:" in found


@pytest.mark.parametrize(("written", "meant"), [('"60"', '0.6 or "60%"'), ("40", '0.4 or "40%"')])
def test_a_weight_written_as_a_percentage_number_says_how_to_write_a_share(
    tmp_path: Path, written: str, meant: str
) -> None:
    """``weight: 60`` meant as 60%: not pydantic's "less than or equal to 1", but how a share is written."""
    source = MINI.parent / "county-township"
    folder = edited(source, tmp_path / "weights", "rubric.yaml", 'weight: "60%"', f"weight: {written}")
    (found,) = problems(folder)
    assert found.endswith(f": groups.0.weight: a weight is a share of the base: write {meant}"), found
    assert found.startswith("rubric.yaml:")


@pytest.mark.parametrize("weight", ["nan", float("nan"), float("inf"), "-inf", True])
def test_a_weight_that_is_no_share_is_a_validation_error_not_an_arithmetic_one(weight: object) -> None:
    from pydantic import ValidationError

    from appraisal.rubric.models import GroupDef

    with pytest.raises(ValidationError):
        GroupDef(id="routine", en="Routine", zh="常规", weight=weight)  # type: ignore[arg-type]

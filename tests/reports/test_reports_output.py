"""Files: atomic writes, the run's report folder, options and scorecard files read back."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest
from pydantic import ValidationError
from tests.reports.report_pdfs import WeasyLog, attachments, says, text

from appraisal.errors import InputError, ReportError
from appraisal.reports import (
    ReportOptions,
    load_options,
    previous_scorecard,
    read_scorecard,
    report_path,
    write_atomic,
    write_reports,
)
from appraisal.rubric.models import Rubric
from appraisal.scoring.scorecard import Scorecard


def test_write_atomic_replaces_whole_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out" / "reports" / "a.pdf"
    write_atomic(target, b"first")
    write_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert sorted(p.name for p in target.parent.iterdir()) == ["a.pdf"]
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


def test_a_failed_write_keeps_the_old_file_and_cleans_up(tmp_path: Path) -> None:
    target = tmp_path / "a.pdf"
    target.write_bytes(b"old")
    (tmp_path / "blocker").write_text("a file, not a folder")
    with pytest.raises(ReportError, match="cannot write"):
        write_atomic(tmp_path / "blocker" / "b.pdf", b"new")
    # a target that is a folder: the rename fails after the temporary file was written
    (tmp_path / "folder.pdf").mkdir()
    (tmp_path / "folder.pdf" / "x").write_text("x")
    with pytest.raises(ReportError, match="folder.pdf: cannot write"):
        write_atomic(tmp_path / "folder.pdf", b"new")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pdf", "blocker", "folder.pdf"]


def test_report_paths_are_safe_file_names(tmp_path: Path) -> None:
    assert report_path(tmp_path, "town-07") == tmp_path / "reports" / "town-07.pdf"
    for unsafe in ("../etc/x", "a/b", "", "x" * 65):
        with pytest.raises(ReportError, match="not a safe file name"):
            report_path(tmp_path, unsafe)


def test_write_reports_writes_every_unit_and_the_summary(
    tmp_path: Path, cards: dict[str, Scorecard], rubric: Rubric, weasy_log: WeasyLog
) -> None:
    chosen = [cards["county-01"], cards["town-07"]]
    last = tmp_path / "last-year" / "scorecards"
    last.mkdir(parents=True)
    (last / "town-07.json").write_text(cards["town-07"].model_copy(update={"year": 2025, "total": 70.0}).to_json())
    written = write_reports(chosen, tmp_path / "run", "zh", previous_dir=tmp_path / "last-year", rubric=rubric)
    assert written == [
        tmp_path / "run" / "reports" / "county-01.pdf",
        tmp_path / "run" / "reports" / "town-07.pdf",
        tmp_path / "run" / "summary.pdf",
        tmp_path / "run" / "decision.pdf",
    ]
    assert "荣誉证书" in text(written[0].read_bytes())
    town = text(written[1].read_bytes())
    assert says(town, "整改的通知") and says(town, "+1.5（上年70分）")
    assert "+1.5" not in text(written[0].read_bytes())
    attached = attachments(written[2].read_bytes())["summary.csv"][0].decode("utf-8-sig").splitlines()
    assert attached[0].startswith("单位编号") and len(attached) == 3  # the header and two units, in Chinese
    decision = text(written[3].read_bytes())
    assert says(decision, "关于表彰2026年度妇联工作考核先进集体的决定") and "Riverside County" in decision
    # a run with no commended unit leaves no decision, not even an earlier run's
    write_reports([cards["town-07"]], tmp_path / "run", "zh", rubric=rubric)
    assert not (tmp_path / "run" / "decision.pdf").exists()


def test_a_bad_previous_scorecard_is_a_warning_and_that_unit_shows_no_change(
    tmp_path: Path, cards: dict[str, Scorecard], rubric: Rubric, weasy_log: WeasyLog, caplog: pytest.LogCaptureFixture
) -> None:
    last = tmp_path / "last-year" / "scorecards"
    last.mkdir(parents=True)
    (last / "town-07.json").write_text(cards["town-07"].model_copy(update={"year": 2025}).to_json()[:200])  # cut
    (last / "county-03.json").symlink_to("/etc/passwd")  # a link to a system file
    (last / "county-02.json").write_text(cards["county-02"].model_copy(update={"year": 2025, "total": 90.0}).to_json())
    chosen = [cards["town-07"], cards["county-03"], cards["county-02"]]
    with caplog.at_level(logging.WARNING, logger="appraisal.reports"):
        written = write_reports(chosen, tmp_path / "run", "en", previous_dir=tmp_path / "last-year", rubric=rubric)
    warnings = [record.getMessage() for record in caplog.records if record.name == "appraisal.reports"]
    assert len(warnings) == 2, warnings
    assert warnings[0].startswith(f"{last / 'town-07.json'}: ") and "Invalid JSON" in warnings[0]
    assert warnings[0].endswith("; the report of town-07 shows no change against last year")
    assert warnings[1].startswith(f"{last / 'county-03.json'}: a link to a file outside the previous folder")
    assert all("root:" not in warning for warning in warnings)  # nothing of the linked file is echoed
    assert "Change against last year" not in text(written[0].read_bytes())
    assert "Change against last year" not in text(written[1].read_bytes())
    assert "Change against last year: +5 (last year 90)" in text(written[2].read_bytes())


def test_the_reports_folder_is_replaced_whole_or_not_at_all(
    tmp_path: Path, cards: dict[str, Scorecard], rubric: Rubric, weasy_log: WeasyLog
) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "gone-unit.pdf").write_bytes(b"an earlier run's report")
    # a failure on the second unit (an item the rubric lacks) leaves the old folder as it was
    odd = cards["county-03"]
    odd = odd.model_copy(update={"items": [*odd.items, odd.items[0].model_copy(update={"id": "X99"})]})
    with pytest.raises(ReportError, match="county-03: the rubric .* has no item X99"):
        write_reports([cards["county-01"], odd], tmp_path, rubric=rubric)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]
    assert [p.name for p in reports.iterdir()] == ["gone-unit.pdf"]
    # a run that succeeds leaves only its own reports
    write_reports([cards["county-01"]], tmp_path, rubric=rubric)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["decision.pdf", "reports", "summary.pdf"]
    assert [p.name for p in reports.iterdir()] == ["county-01.pdf"]
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(reports.stat().st_mode) == 0o777 & ~umask


def test_previous_scorecards_are_found_by_unit_id(tmp_path: Path, cards: dict[str, Scorecard]) -> None:
    (tmp_path / "town-07.json").write_text(cards["town-07"].to_json())
    assert previous_scorecard(tmp_path, "town-07") == cards["town-07"]
    assert previous_scorecard(tmp_path, "county-01") is None
    assert previous_scorecard(tmp_path, "../town-07") is None


def test_an_invalid_scorecard_file_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"unit_id": "x"}')
    with pytest.raises(InputError, match=r"bad.json: name: Field required"):
        read_scorecard(bad)
    with pytest.raises(InputError, match="cannot read"):
        read_scorecard(tmp_path / "missing.json")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("o.toml", '[reports]\nissuing_body = "Hill County Women\'s Federation"\ndeadline_days = 60\nlang = "zh"\n'),
        ("o.json", '{"issuing_body": "Hill County Women\'s Federation", "deadline_days": 60, "lang": "zh"}'),
        ("o.yaml", "issuing_body: Hill County Women's Federation\ndeadline_days: 60\nlang: zh\n"),
    ],
)
def test_options_load_from_toml_json_and_yaml(tmp_path: Path, name: str, content: str) -> None:
    (tmp_path / name).write_text(content)
    assert load_options(tmp_path / name) == ReportOptions(
        issuing_body="Hill County Women's Federation", deadline_days=60, lang="zh"
    )


def test_bad_options_name_the_file_and_field(tmp_path: Path) -> None:
    path = tmp_path / "o.yaml"
    path.write_text("deadline_days: 0\nlang: fr\ncolour: red\n")
    with pytest.raises(ReportError) as caught:
        load_options(path)
    lines = str(caught.value).splitlines()
    assert f"{path}: deadline_days: Input should be greater than or equal to 1" in lines
    assert any(line.startswith(f"{path}: lang: Input should be 'en' or 'zh'") for line in lines)
    assert f"{path}: colour: Extra inputs are not permitted" in lines
    path.write_text("deadline_days: [")
    with pytest.raises(ReportError, match="not valid YAML"):
        load_options(path)
    with pytest.raises(ValidationError, match="recheck_days"):
        ReportOptions(deadline_days=90, recheck_days=30)
    # pydantic's own names stay out: a value of a union is one line, a failed check no "Value error, "; a bad date
    # in YAML names its line
    path.write_text("issuing_body: 5\nseal: nowhere.png\n")
    with pytest.raises(ReportError) as caught:
        load_options(path)
    assert str(caught.value).splitlines() == [
        f"{path}: issuing_body: Input should be a valid string or a valid dictionary",
        f"{path}: seal: cannot read the seal image {tmp_path / 'nowhere.png'}: No such file or directory",
    ]
    path.write_text("deadline_days: 30\nappraisal_date: 2026-13-01\n")
    with pytest.raises(ReportError, match=r"o\.yaml: line 2: not valid: month must be in 1\.\.12$"):
        load_options(path)
    with pytest.raises(ReportError, match=r"\.toml, \.json or \.yaml"):
        (tmp_path / "o.ini").write_text("x")
        load_options(tmp_path / "o.ini")


def test_a_seal_image_goes_over_the_issuer_of_the_chinese_letters(
    tmp_path: Path, cards: dict[str, Scorecard], rubric: Rubric
) -> None:
    from PIL import Image
    from tests.reports.report_pdfs import quiet, reader

    from appraisal.reports import render_report

    seal = tmp_path / "seal.png"
    Image.new("RGBA", (120, 120), (230, 0, 0, 160)).save(seal)
    (tmp_path / "o.toml").write_text('seal = "seal.png"\ndocument_number = "河妇字〔2026〕3号"\n', encoding="utf-8")
    options = load_options(tmp_path / "o.toml")  # a relative seal is beside the options file
    assert options.seal == seal

    def images(pdf: bytes) -> int:
        """Image XObjects drawn on any page, inside forms too (the chart is a form of paths, no image)."""
        found: set[int] = set()

        def walk(resources: object) -> None:
            xobjects = getattr(resources, "get", lambda *_: {})("/XObject", {})
            for ref in xobjects.values():
                obj = ref.get_object()
                if obj.get("/Subtype") == "/Image":
                    found.add(id(obj))
                elif "/Resources" in obj:
                    walk(obj["/Resources"].get_object())

        for page in reader(pdf).pages:
            walk(page.get("/Resources", {}))
        return len(found)

    assert images(quiet(render_report, cards["town-07"], lang="zh", options=options, rubric=rubric)) == 1
    assert images(quiet(render_report, cards["town-07"], lang="en", options=options, rubric=rubric)) == 0
    (tmp_path / "fake.png").write_text("not a png")
    with pytest.raises(ValidationError, match="is not a PNG file"):
        ReportOptions(seal=tmp_path / "fake.png")
    with pytest.raises(ValidationError, match="cannot read the seal image"):
        ReportOptions(seal=tmp_path / "missing.png")

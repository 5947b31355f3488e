"""The command line's own messages follow --lang: Chinese with --lang zh, today's English with --lang en; what
the library says about a file (its name, field and line) keeps its form in both."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.builders import invoke, unit

from appraisal.messages import CATALOGUE, say
from appraisal.resources import examples

FULL = {
    "leadership": {"standing_committee_hearings": 2, "leader_in_charge": True, "working_meetings": 4},
    "appraisal": {"reports_late": 0},
    "safeguard": {"office_equipment": True},
    "double_learning": {"technical_trainings": 3},
    "bonus": {"higher_level_awards": 0},
    "inspection": {"falsified_data": False},
}


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps(unit(unit_id="a", name="甲村妇代会", **FULL)), encoding="utf-8")
    (folder / "bad.json").write_text(json.dumps(unit(unit_id="bad", name="")), encoding="utf-8")
    return folder


def test_run_speaks_chinese_with_lang_zh(inputs: Path, tmp_path: Path) -> None:
    code, out, err = invoke("run", inputs, "--out", tmp_path / "out", "--no-reports", "--lang", "zh")
    assert code == 1, err
    assert "读取文件2个：评分单位1个，退回输入1个" in out
    assert "等次：优秀" in out and "表彰" in out and "一票否决" in out
    assert f"结果在{tmp_path / 'out'}/（scorecards/，summary.csv，errors.json）" in out
    assert not any(word in out for word in ("read ", "grades:", "results in"))
    # the rejected file's line keeps its structure: file, field, message
    (line,) = [line for line in err.splitlines() if line.startswith("bad.json")]
    assert line.startswith("bad.json: name: ")


def test_run_speaks_english_with_lang_en_and_by_default(inputs: Path, tmp_path: Path) -> None:
    for flags in (["--lang", "en"], []):
        code, out, err = invoke("run", inputs, "--out", tmp_path / "out", "--no-reports", *flags)
        assert code == 1, err
        assert "read 2 files: 1 units scored, 1 inputs rejected" in out
        assert "grades: excellent" in out and f"results in {tmp_path / 'out'}/ (scorecards/, summary.csv" in out
        assert "bad.json: name: " in err


def test_usage_errors_and_their_prefix_follow_the_language(tmp_path: Path) -> None:
    code, _, err = invoke("run", tmp_path / "missing", "--out", tmp_path / "out", "--lang", "zh")
    assert code == 2 and f"错误：没有这个文件或文件夹：{tmp_path / 'missing'}" in err
    assert "Error" not in err and "no such file" not in err
    code, _, err = invoke("run", tmp_path / "missing", "--out", tmp_path / "out", "--lang", "en")
    assert code == 2 and f"Error: no such file or folder: {tmp_path / 'missing'}" in err
    # a command without --lang after a Chinese one: English again (the language is per command)
    code, _, err = invoke("validate", tmp_path / "missing")
    assert code == 2 and "Error: no such file or folder" in err


def test_report_and_its_errors_follow_the_language(tmp_path: Path) -> None:
    out = tmp_path / "run"
    code, _, err = invoke("run", examples() / "county-02.json", "--out", out, "--no-reports")
    assert code == 0, err
    card = out / "scorecards" / "county-02.json"
    code, said, err = invoke("report", card, "--lang", "zh", "-o", tmp_path / "c.pdf")
    assert code == 0, err
    assert said.strip() == f"已写入{tmp_path / 'c.pdf'}"
    code, _, err = invoke("report", card, "--lang", "zh", "--kind", "commendation", "-o", tmp_path / "x.pdf")
    assert code == 2 and err.startswith("错误：county-02 ")  # the library's message, after the Chinese prefix
    code, _, err = invoke("report", card, "--lang", "en", "--kind", "commendation", "-o", tmp_path / "x.pdf")
    assert code == 2 and err.startswith("error: county-02 ")


def test_a_report_warning_follows_the_language(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    # Extension B: not in the bundled CJK font, which weasyprint warns of
    unit = {"unit_id": "g1", "name": "𠀀村妇代会", "org_type": "village", "year": 2026, "appraisal_date": "2026-12-01"}
    (folder / "g.json").write_text(json.dumps(unit, ensure_ascii=False), encoding="utf-8")
    code, _, err = invoke("run", folder, "--out", tmp_path / "out", "--lang", "zh", "--jobs", "1")
    assert code == 0, err
    assert '警告：报告：.notdef glyph rendered for Unicode string unsupported by fonts: "𠀀" (U+20000)' in err
    assert "warning: reports:" not in err


def test_every_message_has_its_fields_in_both_languages() -> None:
    import string

    for message, words in CATALOGUE["zh"].items():
        fields = {name for _, name, _, _ in string.Formatter().parse(message) if name}
        assert {name for _, name, _, _ in string.Formatter().parse(words) if name} == fields, message
        filled = {name: f"<{name}>" for name in fields}
        assert say(message, "en", **filled) == message.format(**filled)
        assert say(message, "zh", **filled) == words.format(**filled)


def test_validate_says_its_count_in_the_language_asked(inputs: Path) -> None:
    code, out, err = invoke("validate", inputs, "--lang", "zh")
    assert code == 1 and out.strip() == "有效单位1个；退回1个", out
    assert any(line.startswith("bad.json: name: ") for line in err.splitlines())
    code, out, _ = invoke("validate", inputs)
    assert code == 1 and out.strip() == "valid: 1 units; rejected: 1"

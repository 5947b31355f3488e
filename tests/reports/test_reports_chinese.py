"""Chinese throughout: summary.csv in Chinese with --lang zh (codes in English), scorecards carry both titles."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner
from tests.builders import shipped

import appraisal
from appraisal.batch import summary_csv
from appraisal.cli import main
from appraisal.resources import examples
from appraisal.scoring.scorecard import Scorecard


def _rows(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_summary_csv_in_chinese_and_in_codes(cards: dict[str, Scorecard]) -> None:
    zh = _rows(summary_csv(list(cards.values()), lang="zh"))
    assert zh[0] == ["单位编号", "单位名称", "单位类型", "年度", "总分", "等次", "一票否决", "表彰", "名次"]
    assert zh[1] == [
        "county-01",
        "Riverside County Women's Federation",
        "县妇联",
        "2026",
        "100",
        "优秀",
        "否",
        "是",
        "1",
    ]
    assert [
        "village-12",
        "Willow Creek Village Women's Congress",
        "村妇代会",
        "2026",
        "80",
        "不合格",
        "是",
        "否",
        "1",
    ] in zh
    en = _rows(summary_csv(list(cards.values())))
    assert en[0] == ["unit_id", "name", "org_type", "year", "total", "grade", "vetoed", "commended", "rank"]
    assert en[1] == [
        "county-01",
        "Riverside County Women's Federation",
        "county",
        "2026",
        "100",
        "excellent",
        "false",
        "true",
        "1",
    ]


def test_run_with_lang_zh_writes_the_csv_in_chinese(tmp_path: Path) -> None:
    chosen = sorted(examples().glob("village-00*.yaml"))[:2]
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", *map(str, chosen), "--out", str(out), "--lang", "zh", "--no-reports"])
    assert result.exit_code in (0, 1), result.output
    rows = _rows((out / "summary.csv").read_bytes())
    assert rows[0][0] == "单位编号" and rows[1][2] == "村妇代会"
    assert rows[1][5] in {"优秀", "良好", "合格", "不合格"} and rows[1][6] in {"是", "否"}


def test_scorecards_carry_item_titles_in_both_languages() -> None:
    rubric = shipped()
    submissions, _ = appraisal.load_submissions([sorted(examples().glob("county-*.json"))[0]])
    card = appraisal.appraise_many(submissions, rubric).scorecards[0]
    titles = {item.id: item.title for item in rubric.items}
    data = json.loads(card.to_json())
    for item in data["items"]:
        assert item["title"] == titles[item["id"]].en  # the existing key stays
        assert item["title_zh"] == titles[item["id"]].zh

"""Realistic test scorecards: a small rubric, and scorecards built from it the way the scorer builds them.

Groups are summed from items, the grade comes from the bands and shortfalls are ordered by points lost, so
the reports see what they would see in a run: a Chinese-named township federation, a vetoed village, an
excellent commended county federation and an excellent county federation outside the quota.
"""

from __future__ import annotations

import datetime as dt
import statistics
from decimal import Decimal

from tests.builders import INDICATORS_2026

from appraisal.rubric.models import Item, Manifest, Rubric, Text, Veto
from appraisal.scoring.scorecard import GroupScore, ItemScore, Peers, RubricRef, Scorecard

YEAR = 2026
DAY = dt.date(2026, 12, 20)


def _t(en: str, zh: str) -> Text:
    return Text(en=en, zh=zh)


# id, group, max, title, requirement, action, evidence (en, zh)
_ITEMS: list[tuple[str, str, int, tuple[str, str], tuple[str, str], tuple[str, str], tuple[str, str]]] = [
    (
        "L01",
        "leadership",
        8,
        ("Party standing committee hears the federation's work report", "党委常委会听取妇联工作汇报"),
        (
            "The Standing Committee of the Party Committee listens to the work report of the Women's Federation at "
            "least once a year",
            "党委常委会每年至少听取一次妇联工作汇报",
        ),
        (
            "Ask the party committee office in writing to schedule a standing committee hearing before June.",
            "向党委办公室书面申请，于六月前安排常委会听取妇联工作汇报。",
        ),
        ("The minutes of the standing committee meeting that heard the report.", "常委会听取汇报的会议纪要。"),
    ),
    (
        "L02",
        "leadership",
        7,
        ("A named party leader is in charge of women's work", "明确一名党委领导分管妇女工作"),
        ("A leader in charge of women's work is clearly designated", "明确分管妇女工作的领导"),
        (
            "Have the party committee name the leader in charge in its division of work.",
            "提请党委在领导分工中明确分管领导。",
        ),
        ("The party committee's division of work naming the leader.", "党委领导分工文件。"),
    ),
    (
        "A01",
        "appraisal",
        5,
        ("Year-end assessment carried out", "开展年终考核"),
        (
            "At the end of the year, women's federations at all levels should strictly assess the work",
            "年终各级妇联要严格考核",
        ),
        (
            "Hold the year-end assessment of subordinate units and record the results.",
            "组织对下级单位的年终考核并记录结果。",
        ),
        ("The assessment plan and the results table.", "考核方案和考核结果汇总表。"),
    ),
    (
        "A02",
        "appraisal",
        5,
        ("Higher level supervises and inspects lower levels", "上级督导检查下级工作"),
        (
            "Women's federations at higher levels are responsible for supervising and inspecting the work of "
            "women's federations at lower levels",
            "上级妇联负责督导检查下级妇联工作",
        ),
        (
            "Visit at least four in five subordinate units and write up each visit.",
            "实地督导五分之四以上下级单位，并逐一形成督导记录。",
        ),
        ("The inspection records with dates and findings.", "注明日期和发现问题的督导记录。"),
    ),
    (
        "S01",
        "safeguard",
        8,
        ("Office funds, equipment and transport provided", "落实办公经费、设备和交通"),
        ("Office expenses, office equipment and transport are provided", "保障办公经费、办公设备和交通工具"),
        ("Put the federation's office funds into next year's budget request.", "将妇联办公经费列入下年度预算申请。"),
        ("The approved budget line and the equipment register.", "批准的预算科目和设备登记簿。"),
    ),
    (
        "S02",
        "safeguard",
        7,
        ("Cadres' political and economic treatment implemented", "落实妇联干部政治经济待遇"),
        (
            "The political and economic treatment of women's federation cadres is implemented",
            "落实妇联干部的政治和经济待遇",
        ),
        ("Raise the cadres' treatment with the organization department.", "就干部待遇问题与组织部门协商解决。"),
        ("The document settling the treatment.", "落实待遇的文件。"),
    ),
    (
        "D01",
        "double_learning",
        5,
        ("Technical training for rural women", "开展农村妇女技术培训"),
        ("Carry out technical training for rural women", "开展农村妇女实用技术培训"),
        ("Hold at least four training sessions with an agricultural school.", "与农业学校合作举办至少四期培训班。"),
        ("Sign-in sheets and photographs of each session.", "每期培训的签到表和照片。"),
    ),
    (
        "D02",
        "double_learning",
        5,
        ("Women's demonstration villages", "建设妇女示范村"),
        ("Build women's demonstration villages", "建设妇女工作示范村"),
        (
            "Pick one village and agree a demonstration plan with its two committees.",
            "选定一个村，与村两委共同制定示范村建设方案。",
        ),
        ("The demonstration plan and its progress report.", "示范村建设方案和进展报告。"),
    ),
    (
        "M01",
        "meritorious_service",
        5,
        ("Women's civilization posts", "巾帼文明岗创建"),
        (
            "Creating a post, bringing a person, hanging a card and planting a flag",
            "建一个岗、带一批人、挂一块牌、树一面旗",
        ),
        ("Nominate two posts and hold the card-hanging ceremony.", "推荐两个岗位并举行挂牌仪式。"),
        ("The list of posts and the photographs of the cards.", "岗位名单和挂牌照片。"),
    ),
    (
        "M02",
        "meritorious_service",
        5,
        ("Re-employment and entrepreneurship placements", "再就业和创业安置"),
        ("Help women to re-employment and entrepreneurship", "帮助妇女再就业和创业"),
        ("Run a job fair for women with the labour bureau.", "与人社部门联合举办妇女专场招聘会。"),
        ("The placement list with employers.", "注明用人单位的安置名单。"),
    ),
    (
        "F01",
        "five_good_families",
        5,
        ("“Five good civilized families” created", "创建“五好文明家庭”"),
        ("Carry out the creation of five good civilized families", "开展五好文明家庭创建活动"),
        ("Launch the creation campaign and commend families at year end.", "启动创建活动并于年底表彰家庭。"),
        ("The list of families commended.", "受表彰家庭名单。"),
    ),
    (
        "F02",
        "five_good_families",
        5,
        ("Harmonious-family activities", "开展和谐家庭活动"),
        ("Hold harmonious family activities", "举办和谐家庭活动"),
        ("Hold one family activity a quarter.", "每季度举办一次家庭活动。"),
        ("Records of each activity.", "每次活动的记录。"),
    ),
    (
        "T01",
        "treatment",
        10,
        ("Women's congress director on the two village committees", "妇代会主任进村两委"),
        (
            "The director of the village women's congress is a member of the village two committees",
            "村妇代会主任进入村两委班子",
        ),
        ("Propose the director for the two committees at the next election.", "在下次换届时推荐妇代会主任进入村两委。"),
        ("The election result or appointment letter.", "选举结果或任命文件。"),
    ),
    (
        "T02",
        "treatment",
        10,
        ("Proportion of female reserve cadres kept", "保持女性后备干部比例"),
        ("Keep the proportion of female reserve cadres", "保持女性后备干部比例"),
        ("Put forward women candidates for the reserve cadre pool.", "向后备干部库推荐女性人选。"),
        ("The reserve cadre list.", "后备干部名单。"),
    ),
    (
        "O01",
        "organization",
        5,
        ("Organization and cadres in place", "组织健全、干部到位"),
        ("Organization exists, cadres are in place and activities are held", "有组织、有干部、有活动"),
        ("Fill the vacant posts of the executive committee.", "补齐执委会空缺职位。"),
        ("The executive committee list.", "执委会名单。"),
    ),
    (
        "O02",
        "organization",
        5,
        ("Training system for cadres", "建立干部培训制度"),
        ("Establish a training system for women cadres", "建立妇女干部培训制度"),
        ("Adopt a yearly training plan for the federation's cadres.", "制定妇联干部年度培训计划。"),
        ("The training plan and attendance records.", "培训计划和出勤记录。"),
    ),
    (
        "B01",
        "bonus",
        5,
        ("Innovation recognised by a higher level", "创新工作获上级推广"),
        (
            "Innovate in the main activities and establish the idea of keeping pace with the times",
            "在主要活动中勇于创新、与时俱进",
        ),
        ("Write up the innovation for the higher level.", "总结创新做法报上级妇联。"),
        ("The higher level's notice recognising it.", "上级推广通报。"),
    ),
]


def make_rubric() -> Rubric:
    items = tuple(
        Item(
            id=item_id,
            group=group,
            title=_t(*title),
            max=Decimal(maximum),
            bonus=group == "bonus",
            when="leadership.standing_committee_hearings >= 1",
            requirement=_t(*requirement),
            citation="Part 3 (3), first mechanism (organizational leadership)",
            advice=_t(*action),
            action=_t(*action),
            evidence=_t(*evidence),
        )
        for item_id, group, maximum, title, requirement, action, evidence in _ITEMS
    )
    vetoes = (
        Veto(
            id="V01",
            title=_t("Falsified data", "弄虚作假"),
            when="inspection.falsified_data",
            reason=_t("The site inspection found falsified data.", "实地核查发现弄虚作假。"),
            requirement=_t(
                "At the end of the year, women's federations at all levels should strictly assess the work",
                "年终各级妇联要严格考核",
            ),
            citation="Part 3 (3), second mechanism (performance appraisal)",
        ),
    )
    manifest = Manifest(
        id="womens-federation-appraisal",
        version="2026.test",
        year=YEAR,
        title=_t("Annual appraisal of women's federations", "妇联组织年度工作考核"),
        base=Decimal(100),
        bonus_cap=Decimal(5),
        grades={"excellent": Decimal(90), "good": Decimal(80), "qualified": Decimal(60)},
        org_types=INDICATORS_2026.org_types,
    )
    return Rubric(
        manifest=manifest, indicators=INDICATORS_2026, items=items, vetoes=vetoes, sha256="0" * 64, path="tests/reports"
    )


RUBRIC = make_rubric()
GROUPS = list(dict.fromkeys(group for _, group, *_ in _ITEMS))


def _grade(total_before_bonus: float, vetoed: bool) -> str:
    if vetoed:
        return "unqualified"
    for grade, bound in (("excellent", 90), ("good", 80), ("qualified", 60)):
        if total_before_bonus >= bound:
            return grade
    return "unqualified"


def make_card(
    unit_id: str,
    name: str,
    org_type: str,
    lost: dict[str, float],
    *,
    bonus: float = 0,
    vetoed: bool = False,
    commended: bool = False,
    not_reported: tuple[str, ...] = (),
    responsible: str | None = None,
    year: int = YEAR,
) -> Scorecard:
    """A scorecard losing ``lost[item]`` points on those items and earning ``bonus`` on B01."""
    items = []
    for item_id, group, maximum, title, *_ in _ITEMS:
        if group == "bonus":
            points = bonus
        else:
            points = 0.0 if item_id in not_reported else maximum - lost.get(item_id, 0)
        status = (
            "not_evaluated"
            if item_id in not_reported
            else "awarded"
            if points == maximum
            else "missed"
            if points == 0
            else "partial"
        )
        items.append(
            ItemScore(
                id=item_id,
                group=group,
                title=title[0],
                points=points,
                max=maximum,
                status=status,
                values={"leadership.standing_committee_hearings": 1},
                reason=f"rule {item_id} decided {points}",
                advice=None if status == "awarded" else "do better",
                citation="Part 3 (3)",
                rule=f"{item_id}.tier1",
            )
        )
    groups = [
        GroupScore(
            id=group,
            points=sum(i.points for i in items if i.group == group),
            max=sum(i.max for i in items if i.group == group),
        )
        for group in GROUPS
    ]
    base = sum(i.points for i in items if i.group != "bonus")
    shortfalls = sorted(
        (i for i in items if i.group != "bonus" and i.points < i.max), key=lambda i: (-(i.max - i.points), i.id)
    )
    return Scorecard(
        unit_id=unit_id,
        name=name,
        org_type=org_type,
        year=year,
        appraisal_date=DAY.replace(year=year),
        rubric=RubricRef(id=RUBRIC.id, version=RUBRIC.manifest.version, sha256=RUBRIC.sha256),
        base=100,
        total=base + bonus,
        bonus=bonus,
        grade=_grade(base, vetoed),
        vetoed=vetoed,
        veto_reasons=["V01: The site inspection found falsified data."] if vetoed else [],
        commended=commended,
        groups=groups,
        items=items,
        shortfalls=[i.id for i in shortfalls],
        responsible_person=responsible,
    )


def with_peers(cards: list[Scorecard]) -> list[Scorecard]:
    """Ranks and peer medians per org type, as the scorer decides them over a run."""
    ranked = []
    for org_type in dict.fromkeys(c.org_type for c in cards):
        same = [c for c in cards if c.org_type == org_type]
        order = sorted(same, key=lambda c: (c.vetoed, -c.total, c.unit_id))
        median = statistics.median(c.total for c in same)
        for card in same:
            groups = [
                g.model_copy(
                    update={
                        "peer_median": statistics.median(next(x for x in c.groups if x.id == g.id).points for c in same)
                    }
                )
                for g in card.groups
            ]
            ranked.append(
                card.model_copy(
                    update={
                        "rank": order.index(card) + 1,
                        "peers": Peers(count=len(same), median_total=median),
                        "groups": groups,
                    }
                )
            )
    return sorted(ranked, key=lambda c: c.unit_id)


def sample_cards() -> dict[str, Scorecard]:
    cards = [
        make_card(
            "county-01", "Riverside County Women's Federation", "county", {"A02": 2, "O02": 1}, bonus=3, commended=True
        ),
        make_card("county-02", "Hillview County Women's Federation", "county", {"S02": 3, "M02": 2, "F02": 1}, bonus=1),
        make_card(
            "county-03",
            "Lakeshore County Women's Federation",
            "county",
            {"L01": 8, "S01": 4, "D02": 5, "T02": 6, "O01": 2},
        ),
        make_card(
            "town-07",
            "城关镇妇联",
            "township",
            {"L02": 7, "A02": 3, "D01": 2.5, "T01": 10, "F02": 1},
            responsible="李秀英",
            not_reported=("M02",),
        ),
        make_card("town-08", "Eastgate Township Women's Federation", "township", {"S01": 2}, commended=True),
        make_card(
            "village-12",
            "Willow Creek Village Women's Congress",
            "village",
            {"T01": 10, "O01": 5, "D01": 5},
            vetoed=True,
            responsible="Wang Fang",
        ),
    ]
    return {card.unit_id: card for card in with_peers(cards)}

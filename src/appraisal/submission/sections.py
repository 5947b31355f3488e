"""The sections of a yearly submission, with every field any org type may report.

Each section lists all its fields once; ``models.py`` cuts per-org-type models out of these, keeping only the
fields whose ``types`` include that org type. Field names are the names the rubric's conditions use
(``leadership.standing_committee_hearings``), so renaming one is a breaking change for rubrics.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from .fields import (
    GRASSROOTS_OVERSEERS,
    WITH_SUBORDINATES,
    Count,
    Flag,
    Money,
    Share,
    field,
)


class Section(BaseModel):
    """A part of the submission; unknown fields are errors (a typo must never silently score zero)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Leadership(Section):
    """Organizational leadership mechanism (source text, part three (3), first mechanism)."""

    standing_committee_hearings: Count | None = field(
        "Times this year the party committee's standing committee heard the federation's work report",
        "党委常委会听取妇联工作汇报次数",
    )
    special_topic_studies: Count | None = field(
        "Times the party committee studied women's work on a special topic", "党委专题研究妇女工作次数"
    )
    difficulties_resolved: Count | None = field(
        "Practical difficulties of the federation the party committee helped solve", "党委帮助解决实际困难数"
    )
    leader_in_charge: Flag | None = field(
        "A named party committee leader is in charge of the federation's work", "明确一名领导分管妇联工作"
    )
    leadership_contact_system: Flag | None = field(
        "A leadership contact system for the federation is established", "建立领导联系制度"
    )
    working_meetings: Count | None = field(
        "Regular working meetings on women's work held this year", "召开妇女工作例会次数"
    )
    wcwc_member_units: Count | None = field(
        "Member units of the Working Committee on Women and Children",
        "妇儿工委成员单位数",
        types=GRASSROOTS_OVERSEERS,
    )
    wcwc_member_units_active: Count | None = field(
        "Member units of the Working Committee on Women and Children that reported work for women and "
        "children this year",
        "履职的妇儿工委成员单位数",
        types=GRASSROOTS_OVERSEERS,
    )


class Appraisal(Section):
    """Performance appraisal mechanism: assessing, inspecting and commending lower levels."""

    year_end_assessment: Flag | None = field(
        "A year-end assessment of the federation's own work and system was carried out", "开展年终考核"
    )
    subordinate_units: Count | None = field(
        "Women's organizations at the level below this unit", "下级妇女组织数", types=WITH_SUBORDINATES
    )
    subordinate_units_inspected: Count | None = field(
        "Lower-level organizations supervised and inspected on site this year",
        "督促检查的下级组织数",
        types=WITH_SUBORDINATES,
    )
    inspection_visits: Count | None = field(
        "Supervision and inspection visits to lower levels this year", "督查指导次数", types=WITH_SUBORDINATES
    )
    classified_guidance: Flag | None = field(
        "Classified guidance for different kinds of lower-level units is in place",
        "实行分类指导",
        types=WITH_SUBORDINATES,
    )
    advanced_collectives_commended: Count | None = field(
        "Advanced collectives commended this year", "表彰先进集体数", types=WITH_SUBORDINATES
    )
    advanced_individuals_commended: Count | None = field("Advanced individuals commended this year", "表彰先进个人数")
    experiences_promoted: Count | None = field(
        "New models or experiences of women's work written up and popularized", "总结推广新经验新典型数"
    )
    reports_late: Count | None = field(
        "Statistical reports and work summaries sent to the higher level after their deadline",
        "逾期报送材料次数",
    )


class Safeguard(Section):
    """Safeguard mechanism: treatment, funds, equipment, entities and policy support."""

    cadre_treatment_implemented: Flag | None = field(
        "The political and economic treatment of the federation's cadres is implemented",
        "妇联干部政治经济待遇落实",
    )
    office_funds_in_budget: Flag | None = field(
        "Office expenses are included in the budget of the party committee or the unit", "工作经费列入预算"
    )
    office_funds_yuan: Money | None = field("Office funds available this year, in yuan", "年度工作经费（元）")
    office_equipment: Flag | None = field("Office premises and equipment are provided", "办公场所和设备落实")
    transport: Flag | None = field(
        "Transport for the federation's work is provided", "工作用车落实", types=GRASSROOTS_OVERSEERS
    )
    public_welfare_entities: Count | None = field(
        "Public-welfare economic entities serving women and children set up with the federation's support",
        "服务妇女儿童的公益性经济实体数",
        types=WITH_SUBORDINATES,
    )
    policy_documents: Count | None = field(
        "Policy documents issued this year that give women's work the support it needs",
        "出台支持妇女工作的政策文件数",
        types=GRASSROOTS_OVERSEERS,
    )


class DoubleLearning(Section):
    """ "Double learning and double comparison": training, demonstration villages, rights protection."""

    technical_trainings: Count | None = field(
        "Technical or skills training sessions held for women", "举办妇女科技（技能）培训期数"
    )
    women_trained: Count | None = field("Women trained in those sessions", "培训妇女人次")
    demonstration_villages: Count | None = field(
        "Women's demonstration villages established", "创建妇女示范村数", types=("county", "township")
    )
    demonstration_village: Flag | None = field(
        "This village is a women's demonstration village", "本村为妇女示范村", types=("village",)
    )
    rights_protection_actions: Count | None = field(
        "Actions caring for and protecting women's rights carried out", "开展关爱妇女维权行动次数"
    )
    rights_cases_handled: Count | None = field(
        "Complaints about infringements of women's rights received this year", "受理妇女维权投诉件数"
    )
    rights_cases_resolved: Count | None = field(
        "Of those complaints, the ones resolved or properly referred", "办结（转办）维权投诉件数"
    )


class MeritoriousService(Section):
    """ "Women's meritorious service": civilization posts, re-employment, entrepreneurship, micro-loans."""

    civilization_posts: Count | None = field(
        'Women\'s civilization posts ("creating a post, bringing a person, hanging a card, planting a flag")',
        "巾帼文明岗数",
    )
    post_exchange_activities: Count | None = field(
        "Post exchange activities among civilization posts", "岗位交流活动次数"
    )
    reemployment_placements: Count | None = field(
        "Women helped into re-employment this year",
        "帮助妇女再就业人数",
        types=("county", "township", "community"),
    )
    entrepreneurs_supported: Count | None = field(
        "Women helped to start a business this year",
        "扶持妇女创业人数",
        types=("county", "township", "village", "community"),
    )
    entrepreneur_forums: Count | None = field(
        "Forums for women entrepreneurs held", "举办女企业家论坛次数", types=GRASSROOTS_OVERSEERS
    )
    microloans: Count | None = field(
        "Poverty-alleviation micro-loans to women facilitated this year",
        "协助发放妇女小额贷款笔数",
        types=("county", "township", "village", "community"),
    )
    microloan_yuan: Money | None = field(
        "Amount of those micro-loans, in yuan",
        "小额贷款金额（元）",
        types=("county", "township", "village", "community"),
    )
    interest_subsidies_arranged: Flag | None = field(
        "Loan interest subsidies for women's micro-loans were arranged",
        "落实贷款贴息",
        types=GRASSROOTS_OVERSEERS,
    )


class FiveGoodFamilies(Section):
    """ "Five good civilized families" creation and harmonious-family activities."""

    households: Count | None = field(
        "Households in the village or community", "辖区户数", types=("village", "community")
    )
    families_created: Count | None = field(
        'Families taking part in creating "five good civilized families" this year',
        "参与五好文明家庭创建户数",
    )
    families_commended: Count | None = field(
        '"Five good civilized families" commended this year', "表彰五好文明家庭户数"
    )
    harmonious_family_activities: Count | None = field(
        "Activities to create harmonious families held", "开展和谐家庭创建活动次数"
    )


class Treatment(Section):
    """Treatment implementation for women cadres (source text, part four)."""

    director_on_two_committees: Flag | None = field(
        'The village women\'s congress director sits on the village "two committees"',
        "妇代会主任进村两委",
        types=("village",),
    )
    director_deputy_treatment: Flag | None = field(
        "The director enjoys the treatment of a village deputy",
        "妇代会主任享受村副职待遇",
        types=("village",),
    )
    director_old_age_insurance: Flag | None = field(
        "The director is covered by old-age insurance", "妇代会主任参加养老保险", types=("village",)
    )
    family_planning_wages_by_transfer: Flag | None = field(
        "Wages and allowances of women cadres serving as family-planning experts are paid from transfer payments",
        "计生专干工资补贴由转移支付落实",
        types=("village",),
    )
    villages: Count | None = field("Villages under this unit", "所辖村数", types=GRASSROOTS_OVERSEERS)
    villages_director_on_two_committees: Count | None = field(
        "Villages whose women's congress director sits on the two committees",
        "妇代会主任进村两委的村数",
        types=GRASSROOTS_OVERSEERS,
    )
    villages_director_deputy_treatment: Count | None = field(
        "Villages whose director enjoys village-deputy treatment",
        "妇代会主任享受村副职待遇的村数",
        types=GRASSROOTS_OVERSEERS,
    )
    committee_head_treatment: Flag | None = field(
        "The head of the women's committee enjoys the treatment of the unit's principal person in charge of that work",
        "妇委会主任享受本单位相应负责人待遇",
        types=("agency",),
    )
    female_reserve_cadre_share: Share | None = field(
        "Share of women among reserve cadres (or reserve managers), in percent",
        "女性后备干部占比（%）",
        types=("county", "township", "agency", "enterprise"),
    )
    women_cadres_trained: Count | None = field("Women cadres trained this year", "培训女干部人次")
    women_cadres_promoted: Count | None = field(
        "Women cadres selected or promoted to leading posts this year",
        "选拔任用女干部人数",
        types=("county", "township", "agency", "enterprise"),
    )


class Organization(Section):
    """Organization and team building: the four projects and the "three systems"."""

    cadre_training_system: Flag | None = field(
        "Federation cadres are in the party committee's cadre training plan",
        "妇联干部纳入干部培训规划",
        types=GRASSROOTS_OVERSEERS,
    )
    prejob_exercise_system: Flag | None = field(
        "A pre-job exercise system places cadres in federations and higher-level posts",
        "建立岗前锻炼制度",
        types=GRASSROOTS_OVERSEERS,
    )
    regular_recruitment_system: Flag | None = field(
        "Women cadres are recruited regularly", "建立定期招录女干部制度", types=GRASSROOTS_OVERSEERS
    )
    full_time_vice_chair: Flag | None = field(
        "The township federation has a full-time vice-chair", "配备专职副主席", types=("township",)
    )
    chair_is_party_deputy: Flag | None = field(
        "The chair is a female deputy leader of the township party committee",
        "主席由党委女副职兼任",
        types=("township",),
    )
    village_congresses: Count | None = field(
        "Village women's congresses under this unit", "所辖村妇代会数", types=GRASSROOTS_OVERSEERS
    )
    village_congresses_double_trained: Count | None = field(
        'Village women\'s congresses whose directors took part in "double training" this year',
        "参加“双培双带”的村妇代会数",
        types=GRASSROOTS_OVERSEERS,
    )
    directors_trained: Count | None = field(
        'Congress directors and group leaders trained into rich-women experts ("double training")',
        "培养成致富能手的妇女骨干人数",
        types=("village",),
    )
    rich_women_trained_as_leaders: Count | None = field(
        'Rich-women experts trained into group leaders ("double training")',
        "培养成骨干的致富女能人数",
        types=("village",),
    )
    women_on_two_committees: Count | None = field(
        'Women on the village "two committees"', "村两委女性成员数", types=("village",)
    )
    federation_established: Flag | None = field(
        "A women's federation (committee, organization) is established for this unit",
        "妇女组织已建立",
        types=("community", "agency", "enterprise"),
    )
    chair_full_time: Flag | None = field("The chair works full time", "主席专职", types=("community",))
    double_service_activities: Count | None = field(
        '"Double service" activities serving women in the street or community',
        "开展“双服务”活动次数",
        types=("community",),
    )
    neighborhood_congresses: Count | None = field(
        "Neighborhood committees in the street or community", "辖区居委会数", types=("community",)
    )
    neighborhood_congresses_established: Count | None = field(
        "Neighborhood committees with a women's congress established",
        "已建妇代会的居委会数",
        types=("community",),
    )
    director_appointed_by_three_principles: Flag | None = field(
        'The committee\'s director was assessed and appointed by the "three principles"',
        "按“三化”原则考察任命妇委会主任",
        types=("agency",),
    )
    women_cadres: Count | None = field(
        'Women cadres serving in the organization ("three haves": women cadres)',
        "妇女干部人数",
        types=("agency", "enterprise"),
    )
    activities_held: Count | None = field(
        "Activities for women held by the organization this year",
        "开展妇女活动次数",
        types=("community", "agency", "enterprise"),
    )
    articles_based_rules: Flag | None = field(
        "The women's congress has rules and regulations under the Women's Federation's articles",
        "按妇联章程建立规章制度",
        types=("enterprise",),
    )


class Bonus(Section):
    """What earns a capped bonus: innovation, a "local fine work", awards from higher levels."""

    innovations_recognized: Count | None = field(
        "Work innovations recognized by the higher-level federation", "工作创新获上级认可数"
    )
    local_fine_works: Count | None = field('"Local fine works" created', "创建“地方精品”数")
    higher_level_awards: Count | None = field(
        "Awards from a higher level (city or above) this year", "获市级以上表彰奖励数"
    )


class Inspection(Section):
    """What the appraising level adds after its site inspection; feeds the vetoes and deductions."""

    site_inspected: Flag | None = field("The unit was inspected on site", "已实地核查")
    records_sampled: Count | None = field(
        "Records (ledgers, archives) sampled at the site inspection", "抽查台账档案份数"
    )
    records_unsupported: Count | None = field(
        "Sampled records whose figures the ledgers did not support", "台账不实份数"
    )
    falsified_data: Flag | None = field("The inspection found data falsified to obtain a better score", "发现弄虚作假")
    concealed_rights_case: Flag | None = field(
        "A serious case infringing women's or children's rights was concealed or not reported",
        "瞒报漏报侵害妇女儿童权益重大案件",
    )
    notes: str | None = Field(
        default=None,
        max_length=2000,
        description="The inspector's notes",
        json_schema_extra={"label_zh": "核查意见"},
    )


class Rectification(Section):
    """Who answers for rectification (optional; shown on the improvement notice)."""

    responsible_person: str = Field(
        min_length=1,
        max_length=50,
        description="Person responsible for rectification",
        json_schema_extra={"label_zh": "整改责任人"},
    )
    position: str | None = Field(
        default=None,
        max_length=80,
        description="That person's position",
        json_schema_extra={"label_zh": "职务"},
    )


SECTIONS: dict[str, type[Section]] = {
    "leadership": Leadership,
    "appraisal": Appraisal,
    "safeguard": Safeguard,
    "double_learning": DoubleLearning,
    "meritorious_service": MeritoriousService,
    "five_good_families": FiveGoodFamilies,
    "treatment": Treatment,
    "organization": Organization,
    "bonus": Bonus,
    "inspection": Inspection,
}
"""Sections that become facts, in fact order. ``rectification`` is shown, never scored."""

"""Demo data of the agency, expert and supervision libraries, written through the services (as jxk, the city's
绩效科) so the demo shows what the pages do: agencies engaged for ex-ante appraisals, reports scored and the
payment adjusted, a copy-paste report flagged, a fraud record that blacklists an agency, ~40 experts (some of
them working at demo units, so draws exclude them), logged draws, supervisors and their invitations.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from wenxiao.appraisal.models import Appraisal
from wenxiao.orgs.models import Organisation, User
from wenxiao.orgs.selectors import home_region
from wenxiao.partners import services
from wenxiao.partners.models import Agency, Engagement, Expert, ExpertEngagement, Supervisor
from wenxiao.partners.quality import DEFAULT_CHECKLIST
from wenxiao.seed import vocab

NEW_AGENCIES = [
    ("湖南衡信资产评估有限公司", "资产评估机构"),
    ("湖南湘衡律师事务所", "律师事务所"),
    ("衡阳市财经发展研究院", "科研院所"),
    ("湖南中衡联合会计师事务所", "会计师事务所"),
    ("湖南绩优项目管理咨询有限公司", "专业咨询机构"),
]
QUALIFICATIONS = {
    "会计师事务所": "会计师事务所执业证书；注册会计师12名",
    "专业咨询机构": "工程咨询单位甲级资信；预算绩效评价业务经验5年以上",
    "高等院校": "公共管理一级学科博士点；承担省级预算绩效评价课题",
    "资产评估机构": "资产评估机构备案；资产评估师8名",
    "律师事务所": "律师事务所执业许可证；专职律师10名",
    "科研院所": "市级重点智库；财政经济研究团队",
}
FIELDS = [
    "教育",
    "卫生健康",
    "财政财务",
    "农业农村",
    "交通运输",
    "水利",
    "社会保障",
    "文化旅游",
    "生态环境",
    "工程造价",
    "信息化",
    "审计",
    "法律",
    "科技",
]
TITLES = [
    "教授",
    "副教授",
    "研究员",
    "高级会计师",
    "正高级工程师",
    "高级经济师",
    "注册会计师",
    "高级审计师",
    "主任医师",
]
EMPLOYERS = [
    "南华大学",
    "衡阳师范学院",
    "湖南工学院",
    "衡阳市中心医院",
    "湖南环境生物职业技术学院",
    "衡阳市农业科学研究所",
    "湖南省交通规划勘察设计院有限公司",
    "衡阳市水利水电勘测设计院",
]

# Report sections: each agency writes in its own words; a report picks a few sentences of each section.
OPENINGS = [
    "受{client}委托，我们对{project}开展了绩效评价，评价范围覆盖资金投入、过程管理、产出和效益。",
    "根据委托合同约定，评价组于年内进驻{unit}，对{project}的决策、过程、产出和效益进行了全面评价。",
    "本次评价以{project}的绩效目标为基准，采取资料审核、现场核查和问卷调查相结合的方式进行。",
    "为客观反映{project}的实施效果，评价组制定了工作方案和指标体系，经委托方确认后组织实施。",
    "评价工作遵循独立、客观、公正的原则，履行了回避程序，按照工作方案完成了现场核查和访谈。",
]
FINDINGS = [
    "项目立项依据充分，与部门职责和年度重点工作相符，资金分配与任务量基本匹配。",
    "预算执行进度总体滞后于序时进度，下半年支付集中，部分子项目存在资金沉淀。",
    "产出数量指标基本完成，但质量指标缺少佐证资料，部分指标值设定偏低，挑战性不足。",
    "项目管理制度较为健全，但合同管理和验收环节不够规范，个别采购事项档案资料不全。",
    "服务对象满意度调查回收有效问卷若干份，总体满意度较高，对服务及时性意见较多。",
    "效益指标表述笼统，难以量化衡量，社会效益主要依靠定性描述，缺少可比较的基期数据。",
    "资金使用总体合规，未发现挤占挪用情况，但存在以拨代支和预付款比例偏高的问题。",
    "实施单位对绩效目标的认识不足，绩效运行监控流于形式，偏差原因分析不够深入。",
    "政府采购程序基本合规，但个别服务类采购需求论证不充分，履约验收由使用科室自行组织。",
    "固定资产登记入账不及时，形成的设备尚未纳入资产管理系统，存在账实不符的风险。",
    "项目实施方案变更未按规定报批，调整后的建设内容与原定绩效目标衔接不够。",
    "绩效信息公开不充分，项目实施情况和资金使用结果未向社会公开，社会监督渠道有限。",
    "部分配套资金未按计划到位，影响了项目整体推进，年度任务完成存在一定压力。",
]
SUGGESTIONS = [
    "建议细化绩效目标，设置可衡量的质量和时效指标，并与预算同步编报、同步审核。",
    "建议加快预算执行，建立资金支付台账，按月对照序时进度分析偏差并及时纠偏。",
    "建议完善项目验收和档案管理制度，做到资料齐全、责任明确、可追溯。",
    "建议将评价结果与下年度预算安排挂钩，对低效无效资金予以压减。",
    "建议加强绩效运行监控，对执行缓慢的子项目及时调整资金用途或收回统筹。",
    "建议开展服务对象满意度的常态化调查，将群众意见纳入项目改进措施。",
    "建议规范政府采购需求管理，由独立于使用科室的人员组织履约验收。",
    "建议及时办理资产登记入账，定期盘点，确保账实相符。",
    "建议严格执行实施方案变更报批程序，同步调整绩效目标并报财政备案。",
    "建议按规定公开绩效目标和评价结果，主动接受人大和社会监督。",
]


SCORE_RANGE = {"优": (90, 96), "良": (80, 89), "中": (70, 79)}


def _credit_code(region_code: str, serial: int) -> str:
    return services.with_check_char(f"91{region_code}MA4L{serial:05d}")


def _report(rng: random.Random, a: Appraisal, client: str, score_hint: str) -> str:
    project, unit = a.project.name, a.unit.name
    words = {"project": project, "unit": unit, "client": client}
    target = a.project.targets.order_by("-year").first()
    indicators = [i.name for i in target.indicators.order_by("order")[:8]] if target else []
    parts = ["一、评价工作概况", rng.choice(OPENINGS).format(**words)]
    parts += ["二、项目基本情况", f"{project}由{unit}组织实施。{a.project.description}", a.goals]
    if indicators:
        parts.append(f"项目设置了{len(indicators)}项主要绩效指标：{'、'.join(indicators)}。")
    parts += ["三、存在的主要问题", *rng.sample(FINDINGS, 3)]
    parts += [
        "四、评价结论和建议",
        f"综合评价，该项目得分{rng.randint(*SCORE_RANGE[score_hint])}分，等级为“{score_hint}”。",
    ]
    parts += rng.sample(SUGGESTIONS, 2)
    return "\n".join(parts)


def _marks(rng: random.Random, level: float) -> dict[str, str]:
    """Checklist marks around `level` (share of each item's points)."""
    out = {}
    for item in DEFAULT_CHECKLIST:
        share = min(1.0, max(0.0, rng.gauss(level, 0.06)))
        out[item.label] = str(round(float(item.points) * share, 1))
    return out


def _address(rng: random.Random, city: str) -> str:
    district = rng.choice(["蒸湘区", "雁峰区", "石鼓区", "珠晖区"])
    road = rng.choice(["解放大道", "华新大道", "船山大道", "蒸湘南路"])
    return f"{city}{district}{road}{rng.randint(1, 300)}号"


def _person(rng: random.Random) -> str:
    surname = rng.choice(vocab.SURNAMES[:40])
    return surname + "".join(rng.choice(vocab.GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2))))


def _backdate(e: Engagement, engaged: date, accepted: date | None) -> None:
    Engagement.objects.filter(pk=e.pk).update(engaged_on=engaged, **({"accepted_on": accepted} if accepted else {}))


def seed_partners(year, rng, system) -> dict:
    jxk = User.objects.filter(username="jxk").first()
    if jxk is None:
        return {}
    city = home_region(jxk, ("performance",))
    today = date.today()
    rng = random.Random(f"partners-{year}")  # its own stream: the steps after it do not shift when it changes

    # --- agencies: the three demo agency organisations, and five more -------------------------------------
    agencies: list[Agency] = []
    serial = 1
    demo_orgs = list(Organisation.objects.filter(kind="agency", region=city).order_by("code"))
    types = dict([("湖南明信会计师事务所有限公司", "会计师事务所"), ("南华大学公共管理研究中心", "高等院校")])
    specs = [(o.name, types.get(o.name, "专业咨询机构"), o) for o in demo_orgs]
    specs += [(name, kind, None) for name, kind in NEW_AGENCIES]
    for name, kind, org in specs:
        staff = rng.randint(8, 40)
        agencies.append(
            services.do_register_agency(
                actor=jxk,
                name=name,
                credit_code=_credit_code(city.code, serial),
                org=org,
                agency_type=kind,
                established=date(rng.randint(1998, 2016), rng.randint(1, 12), rng.randint(1, 28)),
                qualifications=QUALIFICATIONS.get(kind, ""),
                staff=staff,
                qualified_staff=rng.randint(4, staff),
                rules=["财务管理", "资产管理", "保密管理", "培训"],
                contact_person=_person(rng),
                contact_phone=f"0734-{rng.randint(8200000, 8899999)}",
                address=_address(rng, city.name),
            )
        )
        serial += 1

    # --- engagements for the city's concluded appraisals; reports scored at acceptance --------------------------
    subjects = list(
        Appraisal.objects.filter(region=city, state="concluded").select_related("project", "unit").order_by("id")[:14]
    )
    client = f"{city.name}财政局"
    levels = {0: 0.93, 1: 0.86, 2: 0.8, 3: 0.9, 4: 0.74, 5: 0.83, 6: 0.95, 7: 0.55}  # by agency: quality level
    engagements: list[Engagement] = []
    reports: dict[int, str] = {}
    for i, a in enumerate(subjects[:12]):
        idx = i % len(agencies) if i < 8 else (i * 3) % 7
        agency = agencies[idx]
        fee = rng.choice([48000, 60000, 75000, 86000, 120000])
        e = services.do_engage(
            agency=agency,
            subject=a,
            region=city,
            title=f"{a.project.name}事前绩效评估",
            fee=fee,
            actor=jxk,
            scope_text="对项目立项必要性、实施方案可行性、绩效目标合理性和筹资合规性开展评估，出具评估报告。",
        )
        engaged = date(year, rng.randint(3, 8), rng.randint(1, 28))
        if i in (10, 11):  # still working on it
            _backdate(e, engaged, None)
            engagements.append(e)
            continue
        level = levels[idx]
        hint = "优" if level > 0.88 else "良" if level > 0.78 else "中"
        text = _report(random.Random(f"{agency.pk}-{a.pk}"), a, client, hint)
        reports[e.pk] = text
        e = services.do_accept_report(e, scores=_marks(rng, level), report_text=text, actor=jxk)
        _backdate(e, engaged, min(today, engaged + timedelta(days=rng.randint(40, 90))))
        engagements.append(e)

    # A copy-paste report: the second agency hands in the first agency's report with the names changed.
    copied = 0
    if len(subjects) > 12 and engagements and engagements[0].pk in reports:
        src_e = engagements[0]
        src = Appraisal.objects.select_related("project", "unit").get(pk=src_e.object_id)
        a = subjects[12]
        e = services.do_engage(
            agency=agencies[1],
            subject=a,
            region=city,
            title=f"{a.project.name}事前绩效评估",
            fee=68000,
            actor=jxk,
        )
        text = reports[src_e.pk].replace(src.project.name, a.project.name).replace(src.unit.name, a.unit.name)
        text = text.replace("该项目得分", "项目得分") + "\n本报告仅供委托方使用。"
        e = services.do_accept_report(e, scores=_marks(rng, 0.72), report_text=text, actor=jxk)
        _backdate(e, date(year, 9, 12), min(today, date(year, 10, 20)))
        copied = len(e.new_flags)

    # Fraud: the weakest agency's false report puts it on the blacklist (it can no longer be selected).
    fraud = agencies[7] if len(agencies) > 7 else agencies[-1]
    services.do_record_violation(
        fraud,
        on=today,
        kind="false_report",
        description="评估报告中现场核查记录系编造，未实际开展现场核查",
        penalty="blacklist",
        major=True,
        actor=jxk,
    )
    services.do_record_violation(
        agencies[4],
        on=today - timedelta(days=60),
        kind="archive",
        description="工作底稿不完整，部分访谈记录未归档",
        penalty="correct",
        actor=jxk,
    )

    # --- experts -----------------------------------------------------------------------------------------------
    dw = User.objects.filter(username="dw").select_related("org").first()
    dw2 = User.objects.filter(username="dw2").select_related("org").first()
    demo_units = [u.org.name for u in (dw, dw2) if u is not None and u.org is not None]
    others = list(
        Organisation.objects.filter(region=city, kind="unit").exclude(name__in=demo_units).order_by("code")[:40]
    )
    employers = EMPLOYERS + demo_units + [o.name for o in rng.sample(others, min(6, len(others)))]
    experts: list[Expert] = []
    zj = User.objects.filter(username="zj").first()
    if zj is not None:
        experts.append(
            services.do_register_expert(
                actor=jxk,
                username="zj",
                name=zj.display_name or "周专家",
                title="教授",
                employer="衡阳师范学院",
                position="经济与管理学院副院长",
                fields=["教育", "财政财务"],
                phone="13907340001",
                email="zhou@example.cn",
            )
        )
    for i in range(39):
        employer = demo_units[i % len(demo_units)] if i < 6 and demo_units else rng.choice(employers)
        experts.append(
            services.do_register_expert(
                actor=jxk,
                name=_person(rng),
                title=rng.choice(TITLES),
                employer=employer,
                position=rng.choice(["", "", "科长", "主任", "副院长", "总会计师"]),
                fields=rng.sample(FIELDS, rng.choice((1, 2, 2, 3))) if i >= 6 else ["教育", rng.choice(FIELDS)],
                phone=f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
                relations=[rng.choice(demo_units)] if demo_units and rng.random() < 0.1 else [],
            )
        )
    services.do_edit_expert(experts[-1], actor=jxk, status="inactive")
    services.do_edit_expert(experts[-2], actor=jxk, status="blacklisted")
    for e in rng.sample(experts[6:], 5):
        unit = rng.choice(demo_units + [o.name for o in others[:5]])
        services.do_add_expert_engagement(
            e,
            unit_name=unit,
            on=today - timedelta(days=rng.randint(30, 700)),
            description="参与编制项目申报材料",
            actor=jxk,
        )
    for e in rng.sample(experts[1:], 8):
        services.do_add_expert_note(
            e,
            task=f"{year}年度部门预算项目事前评估评审",
            rating=rng.choice(["优", "良", "良", "中"]),
            note="按时参加评审，意见具体可行。",
            actor=jxk,
        )

    # --- draws for reviews of the demo unit's appraisals --------------------------------------------------------
    draws = 0
    dw_unit = dw.org if dw is not None else None
    if dw_unit is not None:
        appraisal = Appraisal.objects.filter(unit=dw_unit).order_by("id").first()
        for purpose, fields, count in [
            (f"{dw_unit.name}项目事前绩效评估专家评审", ["教育", "财政财务"], 5),
            (f"{dw_unit.name}部门整体绩效评价专家组", ["教育"], 3),
        ]:
            services.do_draw_experts(
                region=city,
                subject_org=dw_unit,
                count=count,
                fields=fields,
                purpose=purpose,
                actor=jxk,
                subject=appraisal,
                seed=f"demo-{year}-{draws}",
            )
            draws += 1

    # --- supervisors and invitations ---------------------------------------------------------------------------
    rd = User.objects.filter(username="rd").first()
    sup_specs = [
        (
            "吴代表" if rd is None else (rd.display_name or "吴代表"),
            "npc",
            f"{city.name}人大代表、财经委员会委员",
            "rd",
        ),
        (_person(rng), "cppcc", f"{city.name}政协委员", None),
        (_person(rng), "discipline", f"{city.name}纪委监委派驻财政局纪检监察组", None),
        (_person(rng), "auditor", f"{city.name}审计局财政审计科", None),
        (_person(rng), "finance_expert", "南华大学经济管理学院教授", None),
        (_person(rng), "npc", f"{city.name}人大代表", None),
    ]
    sups = [
        services.do_register_supervisor(
            actor=jxk,
            name=name,
            kind=kind,
            employer=employer,
            phone=f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
            username=username if username and rd is not None else None,
        )
        for name, kind, employer, username in sup_specs
    ]
    invited = 0
    accepted = [e for e in engagements if e.status == Engagement.Status.ACCEPTED]
    for sup, subject in [
        (sups[0], accepted[0] if accepted else None),
        (sups[2], accepted[1] if len(accepted) > 1 else None),
    ]:
        if subject is not None:
            services.do_invite_supervisor(supervisor=sup, subject=subject, actor=jxk, note="列席报告验收")
            invited += 1
    return {
        "agencies": Agency.objects.count(),
        "engagements": Engagement.objects.count(),
        "template_flags": copied,
        "experts": Expert.objects.count(),
        "expert_engagements": ExpertEngagement.objects.count(),
        "expert_draws": draws,
        "supervisors": Supervisor.objects.count(),
        "invitations": invited,
    }

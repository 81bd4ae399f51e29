"""Demo data of oversight: the city's 2025 财政运行综合绩效评价 of its counties (computed metrics plus values
imported through the real xlsx template, manual scores, published, one 约谈 of the last-ranked county) and a 2026
department assessment still being scored.

Everything goes through `oversight.services`, as the city's 绩效科 (jxk), so the demo exercises the same paths
a user does (the import validates every cell, scores come from the engine).
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from wenxiao.orgs.models import User
from wenxiao.oversight import excel, services
from wenxiao.oversight.models import AssessmentScore

# Imported fiscal figures of a county: (low, high) of a plausible value.
RANGES = {
    "税收收入占比": (60, 82),
    "民生支出占比": (72, 86),
    "“三保”支出保障率": (93, 100),
    "政府债务率": (85, 135),
    "库款保障水平": (0.25, 0.95),
    "暂付款占支出比重": (2, 9),
    "绩效目标申报率": (90, 100),
    "绩效监控覆盖率": (90, 100),
    "单位自评覆盖率": (85, 100),
}
MANUAL_NOTES = [
    "制度健全，结果应用和公开工作扎实",
    "结果应用机制基本建立，公开范围不够全面",
    "评价结果与预算安排挂钩不够紧密，公开不及时",
]


def _value(name: str, rng: random.Random) -> Decimal:
    lo, hi = RANGES.get(name, (60, 100))
    places = Decimal("0.01") if hi <= 2 else Decimal("0.1")
    return Decimal(str(rng.uniform(lo, hi))).quantize(places)


def _manual(rnd, rng: random.Random, jxk, share: float = 1.0) -> int:
    done = 0
    rows = AssessmentScore.objects.filter(subject__round=rnd, indicator__source="manual").select_related("indicator")
    for row in rows.order_by("subject__code", "indicator__order"):
        if rng.random() > share:
            continue
        w = row.indicator.weight
        k = rng.randrange(len(MANUAL_NOTES))
        score = (w * Decimal(str([0.95, 0.8, 0.65][k] + rng.uniform(-0.05, 0.05)))).quantize(Decimal("0.5"))
        services.do_score_manual(row.pk, actor=jxk, score=min(score, w), note=MANUAL_NOTES[k])
        done += 1
    return done


def seed_oversight(year, rng, system) -> dict:
    jxk = User.objects.filter(username="jxk").first()
    if jxk is None:
        return {}
    rng = random.Random(rng.random())  # a stream of its own: other seeders' draws do not shift it

    # 2025 财政运行综合绩效评价 of the counties: 2025 predates the system's target and monitoring data, so the
    # two 预算绩效管理 coverage items are imported from the counties' reports instead of computed.
    fiscal = services.do_create_scheme(actor=jxk, year=year - 1, kind="fiscal")
    rows = []
    for ind in fiscal.indicators.all():
        row = {f: getattr(ind, f) for f in services.SPEC_FIELDS}
        if ind.metric in ("target_rate", "monitoring_coverage"):
            row.update(source="import", metric="")
        rows.append(row)
    services.do_save_scheme(fiscal.pk, rows, actor=jxk, note="2025年度目标和监控覆盖率按各县上报数据导入。")
    rnd = services.do_open_round(
        actor=jxk,
        scheme_id=fiscal.pk,
        note="各县（区）财政局于3月31日前报送2025年度财政运行数据，市财政局汇总计算后通报。",
    )
    services.do_run_metrics(rnd.pk, actor=jxk)
    columns = services.import_columns(rnd)
    subjects = list(rnd.subjects.order_by("code").values_list("code", "name"))
    values = {(code, c.id): _value(c.name, rng) for code, _ in subjects for c in columns}
    book = excel.template_xlsx(rnd.name, subjects, columns, values)
    services.do_import_values(rnd.pk, book, "2025年度各县财政运行数据.xlsx", actor=jxk)
    manual = _manual(rnd, rng, jxk)
    services.do_publish_round(rnd.pk, actor=jxk)
    last = rnd.subjects.order_by("-rank", "code").first()
    services.do_record_interview(
        last.pk,
        actor=jxk,
        date=date(year, 4, 18),
        attendees=f"市财政局分管副局长、绩效科科长；{last.name}财政局局长、预算股股长",
        problems="库款保障水平偏低，暂付款占比高于控制线；预算绩效目标和监控覆盖不全。",
        requirements="制定暂付款消化计划，完善绩效目标申报和监控工作机制，按季度报送整改进展。",
        deadline=date(year, 9, 30),
    )

    # 2026 部门预算绩效管理考核 under way: metrics computed, part of the manual items scored.
    dept = services.do_create_scheme(actor=jxk, year=year, kind="department")
    drnd = services.do_open_round(actor=jxk, scheme_id=dept.pk, note="考核结果作为2027年部门预算安排的参考。")
    services.do_run_metrics(drnd.pk, actor=jxk)
    manual += _manual(drnd, rng, jxk, share=0.5)
    return {
        "assessment_rounds": 2,
        "assessment_subjects": rnd.subjects.count() + drnd.subjects.count(),
        "assessment_manual_scores": manual,
        "reform_tasks": _reform_tasks(year, jxk),
    }


REFORMS = [
    (
        "推进事前绩效评估与项目入库审核衔接",
        "将事前绩效评估结论作为项目入库和预算安排的前置条件，建立评估结果反馈机制。",
        "绩效",
    ),
    ("建立自评结果抽查复核机制", "对单位自评结果按不低于20%的比例抽查复核，对虚报高评的予以通报。", "绩效"),
    ("教育领域专项资金绩效目标标准化", "梳理教育类专项资金共性指标，形成分行业分领域绩效指标和标准体系。", "教科文"),
]


def _reform_tasks(year: int, jxk) -> int:
    """改革任务 (R46–R47): one completed, one under way, one still undeclared past its 8月15日 deadline."""
    from wenxiao.orgs.models import Organisation
    from wenxiao.oversight import reform_services as reform

    region = jxk.org.region
    sections = list(Organisation.objects.filter(kind="section", region=region))
    n = 0
    for i, (title, content, where) in enumerate(REFORMS):
        section = next((s for s in sections if where in s.name), sections[0])
        task = reform.do_assign(
            actor=jxk,
            year=year,
            title=title,
            content=content,
            lead_section_id=section.pk,
            leader=["王局长", "李副局长", "张副局长"][i],
            partners="预算科" if i < 2 else "绩效科",
            declare_by=date(year, 8, 15),
            complete_by=date(year, 11, 30) if i else date(year, 10, 31),
        )
        n += 1
        lead = section.assignments.select_related("user").first()
        if lead is None or i == 2:
            continue  # the 教科文 task waits for ywk to declare it (overdue in the demo)
        plan = {"goal": "按期完成改革任务", "measures": content, "milestones": "8月方案，10月试点，11月推开"}
        reform.do_fill(task.pk, plan, actor=lead.user)
        reform.do_transition(task.pk, "declare", actor=lead.user)
        reform.do_transition(task.pk, "approve", actor=jxk)
        if i == 0:
            reform.do_fill(task.pk, {"progress": "已完成", "results": "评估结论全部作为入库前置条件"}, actor=lead.user)
            reform.do_transition(task.pk, "report", actor=lead.user)
            reform.do_transition(task.pk, "accept", actor=jxk)
    return n

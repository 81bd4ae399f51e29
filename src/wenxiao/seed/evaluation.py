"""Seed 绩效评价: the year's self-evaluation task with most forms filled, reviewed and scored by the rules — some of
them inflated so the credibility checks have something to find — a few 复评, a key evaluation taken from the
candidate list to its final report with a third party and drawn experts, and a 部门整体评价 under way.

Forms are filled in bulk (the engine scores each one, exactly as a save would) and their workflow history is
replayed; the 复评 and the key evaluation go through the services a user's clicks go through.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from django.utils import timezone

from wenxiao.core import workflow
from wenxiao.core.models import Transition, WorkItem
from wenxiao.evaluation import key_services, selfeval_services
from wenxiao.evaluation.candidates import candidate_list
from wenxiao.evaluation.models import Evaluation, SelfEvalLine, SelfEvaluation
from wenxiao.evaluation.scoring import ACHIEVED, MISSED, PARTIAL, _number
from wenxiao.orgs.models import User

REASONS = [
    "受项目招标进度影响，部分任务顺延至次年一季度完成，将加快实施进度并加强跟踪。",
    "资金到位较晚，采购流程延长导致进度滞后，下一步将提前谋划、压实责任。",
    "服务对象实际需求低于预期，已调整实施方案并在下年度预算中核减。",
]
SUMMARY = "项目总体按计划实施，主要产出和效益目标基本实现；存在的问题主要是部分任务进度滞后，已制定整改措施。"


def _fmt(d: Decimal) -> str:
    d = d.quantize(Decimal("0.01")).normalize()
    return f"{d:f}"


def _actual(line: SelfEvalLine, ind, rng: random.Random, honest: bool, year: int) -> tuple[str, bool]:
    """(实际完成值, met) for one row: honest units mostly meet targets and sometimes miss; inflated ones copy the
    target (or far exceed it) whatever happened."""
    kind, comp, number = ind.value_kind, ind.comparator, ind.number
    if kind == "qualitative" or comp == "定性" or number is None and kind != "date":
        if not honest:
            return ACHIEVED, True
        return rng.choices([ACHIEVED, PARTIAL, MISSED], [0.8, 0.15, 0.05])[0], True
    if kind == "date":
        if honest and rng.random() < 0.15:
            return f"{year + 1}年1月15日", False
        return f"{year}年{rng.choice([9, 10, 11])}月{rng.randint(1, 28)}日", True
    target = Decimal(number)
    if not honest:
        return (_fmt(target * Decimal("1.5")) if rng.random() < 0.3 and comp in ("≥", ">") else _fmt(target)), True
    forecast, _, problem = _number(line.monitor_forecast) if line.monitor_forecast else (None, "", None)
    base = forecast if forecast is not None and not problem and forecast > 0 else target
    lower_is_better = comp in ("≤", "<")
    if rng.random() < 0.15:  # a shortfall, within a fifth of what monitoring foresaw
        value = base * Decimal(str(rng.uniform(1.05, 1.15) if lower_is_better else rng.uniform(0.82, 0.95)))
    else:
        value = base * Decimal(str(rng.uniform(0.9, 1.0) if lower_is_better else rng.uniform(1.0, 1.1)))
    if kind == "percent":
        value = min(value, Decimal(100))
    value = Decimal(_fmt(value))
    met = value <= target if lower_is_better else value >= target
    return _fmt(value), met


def seed_evaluation(year: int, rng: random.Random, system) -> dict:
    jxk = User.objects.get(username="jxk")
    task = selfeval_services.do_issue_task(
        actor=jxk,
        year=year,
        name=f"{year}年度项目支出及部门整体支出绩效自评",
        deadline=date(year + 1, 3, 31),
        note="全面开展绩效自评，实现项目自评全覆盖；如实填报实际完成值，未完成目标的须分析原因，不得虚高自评。",
    )
    dw_unit = User.objects.get(username="dw").assignments.get().org
    forms = list(task.forms.select_related("region", "project", "unit", "task").order_by("id"))
    lines_by_form: dict[int, list[SelfEvalLine]] = {}
    for ln in SelfEvalLine.objects.filter(form__task=task).select_related("indicator").order_by("form_id", "order"):
        lines_by_form.setdefault(ln.form_id, []).append(ln)
    filled, all_lines, transitions = [], [], []
    dept_user = User.objects.get(username="zgbm")
    now = timezone.now()
    inflated = 0
    surveyed: list[SelfEvaluation] = []
    for f in forms:
        if f.unit_id == dw_unit.id or rng.random() < 0.12:
            continue  # dw fills its own in the demo; a few units have not started
        honest = rng.random() > 0.14
        inflated += not honest
        lines = lines_by_form.get(f.pk, [])
        for ln in lines:
            ln.actual, met = _actual(ln, ln.indicator, rng, honest, year) if ln.indicator else (ACHIEVED, True)
            if not honest:
                ln.declared_score = ln.weight
            elif not met or ln.actual in (PARTIAL, MISSED):
                ln.deviation_reason = rng.choice(REASONS)
        if not honest:
            f.declared_total = Decimal(100)
            f.declared_rate = "100%"
        f.goal_actual = "已按计划完成年度主要任务。" if not honest else SUMMARY
        f.summary = SUMMARY
        f.with_final_accounts = True
        survey = honest and any(ln.level1.startswith("满意度") for ln in lines)
        if survey:
            surveyed.append(f)
        selfeval_services.score_form(f, lines, survey=survey)
        r = rng.random()
        actions = (
            ["submit", "dept_approve", "finance_approve"]
            if r < 0.55
            else (["submit", "dept_approve"] if r < 0.85 else ["submit"])
        )
        f.state = {1: "dept_review", 2: "finance_review", 3: "done"}[len(actions)]
        f.submitted_at = now
        transitions += workflow.replayed(f, actions, actor=dept_user if len(actions) > 1 else system)
        filled.append(f)
        all_lines += lines
    _attach_surveys(surveyed, system)
    fields = ["executed", "goal_actual", "summary", "with_final_accounts", "declared_total", "declared_rate", "state"]
    fields += ["score", "grade", "rate", "budget_score", "flags", "flag_count", "notes", "submitted_at"]
    SelfEvaluation.objects.bulk_update(filled, fields, batch_size=500)
    SelfEvalLine.objects.bulk_update(
        all_lines,
        ["actual", "declared_score", "deviation_reason", "score", "rule_weight", "rule", "detail", "flags"],
        batch_size=1000,
    )
    Transition.objects.bulk_create(transitions, batch_size=1000)
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(SelfEvaluation)
    WorkItem.objects.filter(content_type=ct, object_id__in=[f.pk for f in filled]).update(closed_at=now)
    WorkItem.objects.bulk_create([i for f in filled if (i := workflow.pending_item(f))], batch_size=1000)

    # 复评: jxk samples the reviewed forms and re-evaluates the worst-flagged ones.
    selfeval_services.do_sample(task.pk, actor=jxk, share=0.2, seed=7)
    reviewed = 0
    for f in SelfEvaluation.objects.filter(task=task, state="done", flag_count__gt=0).order_by("-flag_count")[:12]:
        rows = []
        for ln in f.lines.all():
            if ln.score is not None and ({"S01", "S07"} & set(ln.flags or []) or ln.declared_score is not None):
                rows.append(
                    {
                        "id": ln.pk,
                        "review_score": str((ln.score * Decimal("0.8")).quantize(Decimal("0.01"))),
                        "review_reason": "佐证材料不足，实际完成值无法核实，按80%计分",
                    }
                )
        selfeval_services.do_review(
            f.pk,
            {"lines": rows, "review_opinion": "自评得分偏高，部分指标缺少佐证材料，已按复评结果调整。"},
            actor=jxk,
        )
        reviewed += 1
    evaluations = _key_evaluations(year, jxk, rng)
    return {"selfevals": len(forms), "selfevals_filled": len(filled), "selfevals_inflated": inflated,
            "selfevals_reviewed": reviewed, "evaluations": evaluations}  # fmt: skip


def _attach_surveys(forms: list[SelfEvaluation], system) -> None:
    """Honest units upload their satisfaction survey: one stored file, an attachment row per form."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from wenxiao.core.crypto import sm3_hex
    from wenxiao.core.models import Attachment
    from wenxiao.evaluation.models import SURVEY_NOTE

    body = "服务对象满意度调查报告（演示）：发放问卷400份，回收有效问卷362份，综合满意度92.4%。\n".encode()
    name = default_storage.save("attachments/demo/satisfaction-survey.txt", ContentFile(body))
    ct = ContentType.objects.get_for_model(SelfEvaluation)
    Attachment.objects.bulk_create(
        [
            Attachment(
                content_type=ct,
                object_id=f.pk,
                region_id=f.region_id,
                file=name,
                name="满意度调查报告.txt",
                size=len(body),
                sm3=sm3_hex(body),
                note=f"{SURVEY_NOTE}报告",
                uploaded_by=system,
            )
            for f in forms
        ],
        batch_size=1000,
    )


def _key_evaluations(year: int, jxk, rng: random.Random) -> int:
    """A key evaluation from the candidate list to its final report, and a 部门整体评价 in progress."""
    from wenxiao.partners.selectors import selectable_agencies

    cands = [c for c in candidate_list(jxk, year) if c["project"].unit.region_id == jxk.org.region_id]
    if not cands:
        return 0
    pick = cands[0]
    ev = key_services.do_create_evaluation(
        actor=jxk, year=year, kind="project", project_id=pick["project"].pk, reasons=pick["reasons"]
    )
    agency = selectable_agencies(jxk, ev.region, year).filter(org__assignments__user__username="dsf").first()
    if agency is not None:
        key_services.do_engage_agency(ev.pk, agency_org_id=agency.org_id, fee="180000", actor=jxk)
    key_services.do_draw_experts(ev.pk, count=3, fields=[], actor=jxk)
    key_services.do_save_plan(
        ev.pk,
        {"schedule": f"{year}年9月方案，10月现场核查和问卷调查，11月形成报告", "deadline": date(year, 12, 15)},
        actor=jxk,
    )
    key_services.do_transition(ev.pk, "start", actor=jxk)
    dsf = User.objects.get(username="dsf")
    actor = dsf if agency is not None else jxk
    rows = []
    for i in Evaluation.objects.get(pk=ev.pk).indicators.all():
        share = Decimal(str(rng.uniform(0.72, 0.95)))
        score = i.score if i.score is not None else (i.weight * share).quantize(Decimal("0.01"))
        rows.append(
            {"id": i.pk, "score": str(score), "finding": "" if i.score is not None else "基本达到要求，有改进空间"}
        )
    key_services.do_save_indicators(ev.pk, rows, actor=actor)
    ev = Evaluation.objects.get(pk=ev.pk)
    key_services.do_save_report(
        ev.pk,
        {
            "work": "评价组采取资料核查、现场勘查、问卷调查（回收有效问卷326份）和座谈访谈相结合的方式开展评价。",
            "conclusion": f"经综合评价，该项目得分{ev.score}分，评价等级为“{ev.grade}”。",
            "analysis": "决策方面立项依据充分；过程方面资金拨付进度偏慢；产出数量基本完成，质量达标；效益初步显现。",
            "experience": "主要问题：一是绩效目标设置偏低，部分指标完成值远超目标；二是资金支付进度滞后于序时进度；"
            "三是项目验收资料不完整。原因在于前期论证不充分、采购周期长、过程管理不到位。",
            "suggestions": "一是科学设置绩效目标，合理确定指标值；二是加快预算执行，建立月度调度机制；"
            "三是完善项目验收和档案管理；四是建议下年度预算按评价结果压减10%。",
        },
        actor=actor,
    )
    key_services.do_transition(ev.pk, "submit_draft", actor=actor)
    scores = {"completion": "18", "problems": "16", "suggestions": "19", "writing": "19"}
    key_services.do_internal_review(
        ev.pk, scores=scores, comment="问题分析不够深入，建议补充原因分析和数据支撑。", actor=jxk
    )
    key_services.do_save_report(
        ev.pk,
        {"experience": Evaluation.objects.get(pk=ev.pk).report["experience"] + "（已补充问卷和支付数据分析。）"},
        actor=actor,
    )
    key_services.do_transition(ev.pk, "submit_draft", actor=actor)
    scores = {"completion": "22", "problems": "21", "suggestions": "22", "writing": "22"}
    key_services.do_internal_review(ev.pk, scores=scores, comment="修改到位，同意定稿。", actor=jxk)
    zgbm_dept = User.objects.get(username="zgbm").assignments.get().org
    key_services.do_create_evaluation(actor=jxk, year=year, kind="whole", org_id=zgbm_dept.pk)
    return 2

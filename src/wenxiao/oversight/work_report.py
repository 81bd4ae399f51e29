"""The annual work report on 预算绩效管理 (R53): a Word document like the work reports of seeds 003 and 004, every
figure computed from the year's data of a region and everything below it, with charts.

`figures(region, year)` gathers the statistics with aggregate queries (one dict, also shown on the page and tested);
`render_docx(region, year)` lays them out: 一、制度与基础 → 二、事前绩效评估 → 三、绩效目标管理 → 四、绩效运行监控
→ 五、绩效评价 → 六、结果应用与信息公开 → 七、下一步工作.
"""

from __future__ import annotations

import io
from decimal import Decimal

from django.db.models import Count, F, Max, Q, Sum

from wenxiao.core.docx_doc import OfficialDocument

WAN = Decimal(10000)


def _wan(v) -> str:
    return f"{Decimal(v or 0) / WAN:,.2f}"


def _pct(part, whole) -> str:
    return f"{Decimal(part or 0) * 100 / Decimal(whole):.1f}%" if whole else "—"


def figures(region, year: int) -> dict:
    from wenxiao.appraisal.models import Appraisal
    from wenxiao.core.models import Setting
    from wenxiao.evaluation.models import Evaluation, SelfEvaluation
    from wenxiao.monitoring.models import MonitoringForm, NegativeListEntry, Warning, WarningAction
    from wenxiao.partners.models import Engagement
    from wenxiao.targets.models import Target, TargetComment

    inside = Q(region__path__startswith=region.path)
    ap = Appraisal.objects.filter(inside, year=year).aggregate(
        n=Count("id"),
        done=Count("id", filter=Q(state="concluded")),
        amount=Sum("amount_requested"),
        recommended=Sum("amount_recommended", filter=Q(state="concluded")),
        requested_done=Sum("amount_requested", filter=Q(state="concluded")),
        rejected=Count("id", filter=Q(conclusion="reject")),
    )
    ap["cut"] = (ap["requested_done"] or 0) - (ap["recommended"] or 0)
    targets = Target.objects.filter(inside, year=year)
    tg = targets.aggregate(
        n=Count("id"),
        projects=Count("id", filter=Q(kind="project")),
        whole=Count("id", filter=Q(kind="whole")),
        approved=Count("id", filter=Q(state="approved")),
        amount=Sum("amount", filter=Q(state="approved")),
        reviewed=Count("id", filter=~Q(grade="")),
        good=Count("id", filter=Q(grade__in=("优", "良"))),
        published=Count("id", filter=Q(published=True)),
    )
    tg["comments"] = TargetComment.objects.filter(target__in=targets).count()
    forms = MonitoringForm.objects.filter(inside, round__year=year).exclude(state__in=("draft", "returned"))
    mon = forms.aggregate(units=Count("unit", distinct=True), projects=Count("project", distinct=True))
    per_project = forms.order_by().values("project").annotate(b=Max("budget_annual")).values_list("b", flat=True)
    mon["amount"] = sum(per_project, Decimal(0))  # each project once, whichever rounds it was in
    warns = Warning.objects.filter(inside, year=year)
    mon["warnings"] = warns.count()
    mon["red"] = warns.filter(level="red").count()
    actions = WarningAction.objects.filter(inside, year=year).exclude(kind="feedback")
    mon["actions"] = actions.count()
    mon["suspended"] = actions.filter(kind__in=("suspend", "stop")).count()
    mon["cut"] = actions.filter(kind="cut").aggregate(s=Sum("amount"))["s"] or 0
    mon["negative"] = NegativeListEntry.objects.filter(inside, year=year, removed_at__isnull=True).count()
    selfevals = SelfEvaluation.objects.filter(inside, year=year)
    submitted = selfevals.exclude(state__in=("draft", "returned"))
    grades = {g: 0 for g in ("优", "良", "中", "差")}
    for review_grade, grade in submitted.values_list("review_grade", "grade"):
        if review_grade or grade:
            grades[review_grade or grade] += 1
    se = {
        "n": selfevals.count(),
        "submitted": submitted.count(),
        "amount": submitted.aggregate(s=Sum("budget_annual"))["s"] or 0,
        "grades": grades,
        "good": grades["优"] + grades["良"],
        "flagged": submitted.filter(flag_count__gt=0).count(),
        "reviewed": submitted.filter(review_score__isnull=False).count(),
        "lowered": submitted.filter(review_score__isnull=False, review_score__lt=F("score")).count(),
    }
    evs = Evaluation.objects.filter(inside, year=year)
    ke = evs.aggregate(
        n=Count("id"),
        amount=Sum("amount"),
        final=Count("id", filter=Q(state__in=("final", "archived"))),
        third=Count("id", filter=Q(agency__isnull=False)),
        whole=Count("id", filter=Q(kind="whole")),
    )
    ke["reviews"] = sum(evs.annotate(r=Count("reviews")).values_list("r", flat=True))
    ke["engagements"] = Engagement.objects.filter(region__path__startswith=region.path).count()
    rect = _rectification(region, year)
    return {
        "region": region,
        "year": year,
        "settings": Setting.objects.filter(Q(region__isnull=True) | Q(region__path__startswith=region.path)).count(),
        "appraisal": ap,
        "targets": tg,
        "monitoring": mon,
        "selfeval": se,
        "evaluations": ke,
        "rectification": rect,
    }


def _rectification(region, year: int) -> dict | None:
    """整改 figures once the results app records them (None before it exists)."""
    try:
        from wenxiao.results.metrics import ledger_figures
    except ImportError:
        return None
    return ledger_figures(region, year)


def _chart(grades: dict[str, int], title: str) -> bytes | None:
    if not any(grades.values()):
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    cjk = [f.name for f in font_manager.fontManager.ttflist if "CJK" in f.name or "Noto Sans SC" in f.name]
    if cjk:
        plt.rcParams["font.family"] = cjk[0]
    fig, ax = plt.subplots(figsize=(6, 3), dpi=150)
    bars = ax.bar(list(grades), list(grades.values()), color=["#1f6f43", "#2f5597", "#c9a227", "#b03a2e"])
    ax.bar_label(bars)
    ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def render_docx(region, year: int) -> bytes:
    f = figures(region, year)
    ap, tg, mon, se, ke = f["appraisal"], f["targets"], f["monitoring"], f["selfeval"], f["evaluations"]
    doc = OfficialDocument()
    doc.title(f"{region.name}{year}年度预算绩效管理工作情况报告")
    doc.para(
        f"{year}年，{region.name}按照“花钱必问效、无效必问责”的要求，全面实施预算绩效管理，推动绩效管理覆盖事前评估、"
        "目标管理、运行监控、绩效评价和结果应用全过程。现将有关情况报告如下。"
    )
    doc.heading("一、夯实管理基础")
    doc.para(
        f"依托预算绩效管理信息系统开展全过程管理，按辖区和年度设置绩效管理参数{f['settings']}项（事前评估门槛、"
        "预警阈值、评分规则、考核指标等），审核、监控、评价规则统一由系统执行，各环节全程留痕。"
    )
    doc.heading("二、开展事前绩效评估")
    doc.para(
        f"对新增重大政策和项目开展事前绩效评估{ap['n']}个，涉及申请资金{_wan(ap['amount'])}万元；已出具结论{ap['done']}个，"
        f"其中不予支持{ap['rejected']}个，经评估核减资金{_wan(ap['cut'])}万元，评估结果作为项目入库和安排预算的必要条件。"
    )
    doc.heading("三、严格绩效目标管理")
    doc.para(
        f"编审项目支出绩效目标{tg['projects']}个、部门（单位）整体绩效目标{tg['whole']}个，随预算批复{tg['approved']}个，"
        f"涉及资金{_wan(tg['amount'])}万元。绩效科终审{tg['reviewed']}个，优良率{_pct(tg['good'], tg['reviewed'])}；"
        f"提出逐项审核意见{tg['comments']}条。已公开绩效目标{tg['published']}个。"
    )
    doc.heading("四、开展绩效运行监控")
    doc.para(
        f"按照“双监控”要求，对{mon['units']}家单位{mon['projects']}个项目开展绩效运行监控，监控资金{_wan(mon['amount'])}万元。"
        f"系统预警{mon['warnings']}条（其中红灯{mon['red']}条），财政处置{mon['actions']}次，暂缓或停止拨款{mon['suspended']}次，"
        f"调减预算{_wan(mon['cut'])}万元，列入负面清单{mon['negative']}个。"
    )
    doc.heading("五、推进绩效评价")
    g = se["grades"]
    doc.para(
        f"组织单位自评{se['n']}个，已提交{se['submitted']}个，涉及资金{_wan(se['amount'])}万元。自评结果优{g['优']}个、良{g['良']}个、"
        f"中{g['中']}个、差{g['差']}个，优良率{_pct(se['good'], se['submitted'])}。"
        f"系统对{se['flagged']}个自评结果提示得分缺乏佐证，"
        f"财政复评{se['reviewed']}个，调减{se['lowered']}个。"
    )
    if png := _chart(g, f"{year}年度单位自评结果等级分布"):
        doc.picture(png, 13)
    doc.para(
        f"开展重点绩效评价{ke['n']}个（其中部门整体评价{ke['whole']}个），涉及资金{_wan(ke['amount'])}万元，委托第三方机构参与"
        f"{ke['third']}个，已定稿{ke['final']}个，组织报告内部点评{ke['reviews']}轮次。"
    )
    doc.heading("六、强化结果应用与信息公开")
    rect = f["rectification"]
    if rect:
        doc.para(
            f"评价和监控发现的问题纳入整改台账{rect['items']}项，已核验销号{rect['closed']}项，整改完成率"
            f"{_pct(rect['closed'], rect['items'])}，逾期未整改{rect['overdue']}项。"
        )
    else:
        doc.para("评价和监控发现的问题已反馈相关部门和单位限期整改，整改情况纳入下年度预算安排的重要依据。")
    doc.para(f"绩效目标随预算公开{tg['published']}个，评价结果按规定向本级人大报告并向社会公开。")
    doc.heading("七、下一步工作")
    doc.para(
        "一是提高绩效目标质量，对目标偏低、指标不清的项目严格审核；二是加强运行监控，对执行进度滞后的项目及时预警处置；"
        "三是提高自评质量，对自评得分缺乏佐证的加大复评力度；四是强化结果应用，将评价结果与预算安排和政策调整挂钩。"
    )
    return doc.to_bytes()

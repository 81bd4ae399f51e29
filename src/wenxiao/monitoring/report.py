"""A monitoring round's report for the leading group: Excel workbook and Word document, with R23 coverage figures.

`round_context` computes every figure once (scoped to the reader); the xlsx and docx writers only lay it out.
Word: 一、基本情况 → 二、预算执行情况 → 三、绩效目标实现情况 → 四、存在的主要问题 → 五、处理意见及下一步工作.
"""

from __future__ import annotations

import io
from collections import Counter
from decimal import Decimal
from urllib.parse import quote

from django.db.models import Count, Q

from wenxiao.core.docx_doc import OfficialDocument
from wenxiao.monitoring import selectors
from wenxiao.monitoring.models import DEVIATIONS, MonitoringLine, MonitoringRound, Warning, WarningAction

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def filename(rnd: MonitoringRound, fmt: str) -> str:
    return quote(f"{rnd.name}-监控报告.{fmt}")


def _wan(v) -> str:
    return f"{Decimal(v or 0) / 10000:,.2f}"


def _pct(v) -> str:
    return "—" if v is None else f"{v:.2f}%"


def round_context(user, rnd: MonitoringRound) -> dict:
    forms = selectors.round_forms(user, rnd)
    cov = selectors.coverage(user, rnd)
    time_progress = round(rnd.period_end.month / 12 * 100, 2)
    lines = MonitoringLine.objects.filter(form__in=forms.exclude(state__in=("draft", "returned")))
    likelihood = dict(lines.values_list("likelihood").annotate(n=Count("id")).values_list("likelihood", "n"))
    kinds = Counter(k for ks in lines.exclude(deviation_kinds=[]).values_list("deviation_kinds", flat=True) for k in ks)
    at_risk = list(
        lines.filter(likelihood__in=(2, 3))
        .select_related("form__project", "form__unit")
        .order_by("-likelihood", "form__project__code")[:50]
    )
    projects = forms.values("project_id")
    warns = Warning.objects.filter(project_id__in=projects, year=rnd.year).exclude(status=Warning.Status.CLEARED)
    actions = WarningAction.objects.filter(project_id__in=projects, year=rnd.year).exclude(kind="feedback")
    low = [
        f
        for f in forms.select_related("project", "unit", "department").order_by("department__code")
        if f.rate is not None and f.rate < time_progress - 20
    ]
    return {
        "round": rnd,
        "coverage": cov,
        "time_progress": time_progress,
        "completion": selectors.completion(user, rnd),
        "departments": _by_department(forms),
        "likelihood": {k: likelihood.get(k, 0) for k in (1, 2, 3)},
        "lines": sum(likelihood.values()),
        "deviation_kinds": [(k, kinds.get(k, 0)) for k in DEVIATIONS],
        "at_risk": at_risk,
        "warnings": list(
            warns.values("code", "title")
            .annotate(n=Count("id"), red=Count("id", filter=Q(level="red")))
            .order_by("code")
        ),
        "actions": list(actions.values("kind").annotate(n=Count("id")).order_by("kind")),
        "action_labels": dict(WarningAction.Kind.choices),
        "low": low,
        "forms": forms,
    }


def _by_department(forms) -> list[dict]:
    from django.db.models import Sum

    rows = (
        forms.values("department__name")
        .annotate(n=Count("id"), budget=Sum("budget_annual"), executed=Sum("executed"), forecast=Sum("forecast_amount"))
        .order_by("department__name")
    )
    out = []
    for r in rows:
        rate = round(float(r["executed"] or 0) / float(r["budget"]) * 100, 2) if r["budget"] else None
        fr = round(float(r["forecast"] or 0) / float(r["budget"]) * 100, 2) if r["budget"] else None
        out.append({**r, "rate": rate, "forecast_rate": fr})
    return out


# --- Excel -------------------------------------------------------------------------------------------


def round_xlsx(user, rnd: MonitoringRound) -> bytes:
    from wenxiao.core import xlsx

    ctx = round_context(user, rnd)
    buf = io.BytesIO()
    wb = xlsx.workbook(buf, {"in_memory": True})
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    money = wb.add_format({"num_format": "#,##0.00"})
    title = wb.add_format({"bold": True, "font_size": 14})

    ws = wb.add_worksheet("概况")
    ws.write(0, 0, f"{rnd.name} 监控情况", title)
    ws.write(1, 0, f"数据截止：{rnd.period_end:%Y年%m月%d日}　序时进度：{ctx['time_progress']:.2f}%")
    cov = ctx["coverage"]
    ws.write_row(3, 0, ["", "纳入监控", "已报送"], head)
    for i, (label, key) in enumerate(
        [
            ("单位（个）", "units"),
            ("项目（个）", "projects"),
            ("预算金额（元）", "amount"),
            ("执行数（元）", "executed"),
        ]
    ):
        ws.write(4 + i, 0, label, bold)
        ws.write_number(4 + i, 1, float(cov["all"][key] or 0), money)
        ws.write_number(4 + i, 2, float(cov["submitted"][key] or 0), money)
    ws.write(8, 0, "执行率", bold)
    ws.write(8, 1, _pct(cov["all"]["rate"]))
    ws.write(8, 2, _pct(cov["submitted"]["rate"]))
    ws.write_row(
        10,
        0,
        ["主管部门", "监控表", "已报送", "报送率%", "预算（元）", "执行数（元）", "执行率%", "预计年底执行率%"],
        head,
    )
    deps = {d["department__name"]: d for d in ctx["departments"]}
    for i, c in enumerate(ctx["completion"]):
        d = deps.get(c["department__name"], {})
        ws.write_row(11 + i, 0, [c["department__name"], c["n"], c["submitted"], c["pct"]])
        ws.write_number(11 + i, 4, float(d.get("budget") or 0), money)
        ws.write_number(11 + i, 5, float(d.get("executed") or 0), money)
        ws.write(11 + i, 6, d.get("rate"))
        ws.write(11 + i, 7, d.get("forecast_rate"))
    ws.set_column(0, 0, 30)
    ws.set_column(1, 7, 16)

    ws = wb.add_worksheet("监控明细")
    cols = [
        "主管部门",
        "实施单位",
        "项目代码",
        "项目名称",
        "全年预算数",
        "执行数",
        "执行率%",
        "全年预计执行数",
        "预计执行率%",
        "状态",
    ]
    ws.write_row(0, 0, cols, head)
    for i, f in enumerate(ctx["forms"].select_related("project", "unit", "department").order_by("department__code")):
        ws.write_row(i + 1, 0, [f.department.name, f.unit.name, f.project.code, f.project.name])
        ws.write_number(i + 1, 4, float(f.budget_annual), money)
        ws.write_number(i + 1, 5, float(f.executed), money)
        ws.write(i + 1, 6, f.rate)
        if f.forecast_amount is not None:
            ws.write_number(i + 1, 7, float(f.forecast_amount), money)
        ws.write(i + 1, 8, f.forecast_rate)
        ws.write(i + 1, 9, f.state_label)
    ws.set_column(0, 1, 24)
    ws.set_column(2, 2, 24)
    ws.set_column(3, 3, 36)
    ws.set_column(4, 9, 14)

    ws = wb.add_worksheet("预计难以完成的指标")
    ws.write_row(
        0, 0, ["实施单位", "项目名称", "三级指标", "年度指标值", "截至目前", "全年预计", "完成可能性", "偏差原因"], head
    )
    for i, ln in enumerate(ctx["at_risk"]):
        ws.write_row(
            i + 1,
            0,
            [
                ln.form.unit.name,
                ln.form.project.name,
                ln.name,
                ln.value,
                ln.to_date,
                ln.forecast,
                ln.get_likelihood_display(),
                "、".join(ln.deviation_kinds) + ("：" + ln.deviation_text if ln.deviation_text else ""),
            ],
        )
    ws.set_column(0, 7, 20)
    wb.close()
    return buf.getvalue()


# --- Word --------------------------------------------------------------------------------------------


def round_docx(user, rnd: MonitoringRound) -> bytes:
    ctx = round_context(user, rnd)
    cov, tp = ctx["coverage"], ctx["time_progress"]
    d = OfficialDocument()
    d.title(f"{rnd.name}情况报告", f"（数据截至{rnd.period_end:%Y年%m月%d日}）")

    d.heading("一、基本情况")
    a, s = cov["all"], cov["submitted"]
    d.para(
        f"本轮监控覆盖{a['units']}个预算单位、{a['projects']}个项目，涉及预算资金{_wan(a['amount'])}万元。"
        f"截至报告生成时，{s['units']}个单位报送了{s['projects']}个项目的监控表，监控资金{_wan(s['amount'])}万元，"
        f"项目报送率{(s['projects'] * 100 / a['projects']) if a['projects'] else 0:.1f}%。"
    )
    d.table(
        ["主管部门", "监控表", "已报送", "报送率"],
        [[c["department__name"], c["n"], c["submitted"], f"{c['pct']}%"] for c in ctx["completion"]],
        [7, 2.5, 2.5, 2.5],
    )

    d.heading("二、预算执行情况")
    d.para(
        f"纳入监控项目全年预算{_wan(a['amount'])}万元，截至{rnd.period_end:%m月%d日}执行{_wan(a['executed'])}万元，"
        f"预算执行率{_pct(a['rate'])}，序时进度{tp:.2f}%。执行率低于序时进度20个百分点以上的项目{len(ctx['low'])}个。"
    )
    d.table(
        ["主管部门", "项目数", "预算（万元）", "执行（万元）", "执行率", "预计年底执行率"],
        [
            [
                r["department__name"],
                r["n"],
                _wan(r["budget"]),
                _wan(r["executed"]),
                _pct(r["rate"]),
                _pct(r["forecast_rate"]),
            ]
            for r in ctx["departments"]
        ],
        [5, 1.6, 2.6, 2.6, 2, 2.6],
    )

    d.heading("三、绩效目标实现情况")
    lk, n = ctx["likelihood"], ctx["lines"] or 1
    d.para(
        f"已报送监控表共涉及绩效指标{ctx['lines']}个，其中预计确定能完成{lk[1]}个（{lk[1] * 100 / n:.1f}%），"
        f"有可能完成{lk[2]}个（{lk[2] * 100 / n:.1f}%），完全不可能完成{lk[3]}个（{lk[3] * 100 / n:.1f}%）。"
    )
    if ctx["at_risk"]:
        d.table(
            ["项目", "指标", "年度指标值", "全年预计", "可能性"],
            [
                [ln.form.project.name, ln.name, ln.value, ln.forecast, ln.get_likelihood_display()]
                for ln in ctx["at_risk"][:20]
            ],
            [5, 4, 2.4, 2.4, 2],
        )

    d.heading("四、存在的主要问题")
    kinds = "，".join(f"{k}{v}项" for k, v in ctx["deviation_kinds"] if v) or "无"
    d.para(f"单位报告的偏差原因：{kinds}。")
    if ctx["warnings"]:
        d.para(
            "系统预警情况：" + "；".join(f"{w['title']}{w['n']}条（红灯{w['red']}条）" for w in ctx["warnings"]) + "。"
        )
    for f in ctx["low"][:10]:
        d.para(f"{f.unit.name}“{f.project.name}”执行率{_pct(f.rate)}，落后序时进度{tp - f.rate:.2f}个百分点。")

    d.heading("五、处理意见及下一步工作")
    if ctx["actions"]:
        labels = ctx["action_labels"]
        d.para(
            "已采取的处置措施："
            + "；".join(f"{labels.get(x['kind'], x['kind'])}{x['n']}项" for x in ctx["actions"])
            + "。"
        )
    d.para(
        "对执行进度滞后、预计难以完成绩效目标的项目，督促主管部门和单位分析原因、制定整改措施；对客观原因导致无法完成的，"
        "按程序调整绩效目标和预算；对问题严重的，暂缓或停止拨款，并将监控结果作为下年度预算安排的重要参考。"
    )
    return d.to_bytes()

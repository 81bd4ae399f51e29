"""Documents of 结果应用: the 反馈意见函 (Word), the budget suggestion sheet with its closed loop (xlsx), the annual
report to the government and the special report to 人大 (Word with charts), and the key results for leaders.

Every figure is read through `visible_to(user)`, so a report covers exactly what its reader may see.
"""

from __future__ import annotations

import io
from decimal import Decimal
from urllib.parse import quote

from django.db.models import Count, Q, Sum

from wenxiao.core.docx_doc import OfficialDocument
from wenxiao.core.xlsx import workbook
from wenxiao.results import selectors
from wenxiao.results.models import BudgetSuggestionSheet, FeedbackLetter

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GRADE_ORDER = ["优", "良", "中", "差"]


def disposition(name: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(name)}"


def _wan(d) -> str:
    return "—" if d is None else f"{Decimal(d) / 10000:,.2f}"


# --- 反馈意见函 ---------------------------------------------------------------------------------------------------


def letter_docx(letter: FeedbackLetter) -> bytes:
    doc = OfficialDocument()
    doc.title(letter.title, letter.number)
    doc.para(f"{letter.unit.name}：", indent=False)
    basis = f"根据{letter.evaluation.title}结果" if letter.evaluation_id else f"根据{letter.monitoring_round}发现的问题"
    doc.para(
        f"{basis}，现将有关情况反馈如下，请认真研究，逐条整改，并于{letter.deadline:%Y年%m月%d日}前将整改情况书面反馈我局。"
    )
    if letter.summary:
        doc.heading("一、评价结论")
        doc.para(letter.summary)
    doc.heading("二、发现的主要问题" if letter.summary else "一、发现的主要问题")
    for i, f in enumerate(letter.findings, 1):
        doc.para(f"（{i}）{f}")
    doc.heading("三、整改要求" if letter.summary else "二、整改要求")
    doc.para(letter.requirements or "针对上述问题，制定整改方案，明确责任人和整改时限，列条挂账、逐项销号。")
    doc.para("整改情况将作为以后年度预算安排和政策调整的重要依据；整改不到位的，将视情况调整项目、压减预算直至取消。")
    items = list(letter.items.order_by("id"))
    if items:
        doc.heading("附：整改事项清单")
        doc.table(
            ["序号", "问题", "整改期限", "状态"],
            [[i + 1, it.problem, f"{it.deadline:%Y-%m-%d}", it.state_label] for i, it in enumerate(items)],
            [1.5, 10, 2.5, 2],
        )
    doc.para(f"{letter.created_at:%Y年%m月%d日}", indent=False)
    return doc.to_bytes()


# --- 预算安排建议表 and 闭环 ---------------------------------------------------------------------------------------


def sheet_xlsx(sheet: BudgetSuggestionSheet) -> bytes:
    t = selectors.sheet_totals(sheet)
    buf = io.BytesIO()
    wb = workbook(buf, {"in_memory": True})
    title = wb.add_format({"bold": True, "font_size": 14})
    head = wb.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1, "text_wrap": True, "valign": "vcenter"})
    cell = wb.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    money = wb.add_format({"border": 1, "num_format": "#,##0.00", "valign": "top"})
    bold_money = wb.add_format({"border": 1, "num_format": "#,##0.00", "bold": True})

    ws = wb.add_worksheet("预算安排建议")
    ws.write(0, 0, f"{sheet}（依据{sheet.basis_year}年度绩效结果）", title)
    headers = ["序号", "项目代码", "项目名称", "评价依据", "建议措施", "本年预算（元）", "建议安排（元）", "建议理由",
               "实际安排（元）", "差额（元）", "差异说明"]  # fmt: skip
    widths = [6, 24, 30, 28, 10, 16, 16, 40, 16, 14, 30]
    for c, (h, w) in enumerate(zip(headers, widths, strict=True)):
        ws.write(2, c, h, head)
        ws.set_column(c, c, w)
    r = 3
    for i, x in enumerate(t["lines"], 1):
        ws.write(r, 0, i, cell)
        ws.write_string(r, 1, x.project.code, cell)
        ws.write_string(r, 2, x.project.name, cell)
        ws.write_string(r, 3, x.basis, cell)
        ws.write_string(r, 4, x.action_label, cell)
        ws.write_number(r, 5, float(x.current_amount), money)
        ws.write_number(r, 6, float(x.suggested_amount), money)
        ws.write_string(r, 7, x.reason, cell)
        if x.actual_amount is not None:
            ws.write_number(r, 8, float(x.actual_amount), money)
            ws.write_number(r, 9, float(x.gap), money)
        else:
            ws.write_string(r, 8, "", cell)
            ws.write_string(r, 9, "", cell)
        ws.write_string(r, 10, x.gap_reason, cell)
        r += 1
    ws.write(r, 2, "合计", head)
    ws.write_number(r, 5, float(t["current"]), bold_money)
    ws.write_number(r, 6, float(t["suggested"]), bold_money)
    ws.write_number(r, 8, float(t["actual"]), bold_money)
    ws.freeze_panes(3, 3)

    ws2 = wb.add_worksheet("闭环情况")
    ws2.write(0, 0, "结果应用闭环：建议与实际安排对照", title)
    rows = [
        ["项目数", len(t["lines"])],
        ["已登记实际安排的项目数", t["recorded"]],
        ["其中按建议安排", t["followed"]],
        ["已登记项目建议金额（元）", float(t["recorded_suggested"])],
        ["已登记项目实际金额（元）", float(t["actual"])],
        ["差额（元）", float(t["actual"] - t["recorded_suggested"])],
    ]
    for i, (k, v) in enumerate(rows, 2):
        ws2.write_string(i, 0, k, cell)
        ws2.write(i, 1, v, money if isinstance(v, float) else cell)
    ws2.set_column(0, 0, 28)
    ws2.set_column(1, 1, 18)
    wb.close()
    return buf.getvalue()


# --- statistics for the reports -----------------------------------------------------------------------------------


def key_results(user, year: int) -> dict:
    """The year's figures for leaders and for the reports (each one query over the user's visible rows)."""
    from wenxiao.evaluation.models import Evaluation, SelfEvaluation
    from wenxiao.monitoring.models import NegativeListEntry, ProjectStatus, Warning, WarningAction
    from wenxiao.targets.models import Target

    targets = (
        Target.objects.visible_to(user)
        .filter(year=year)
        .aggregate(n=Count("id"), approved=Count("id", filter=Q(state="approved")), amount=Sum("amount"))
    )
    lights = dict(ProjectStatus.objects.visible_to(user).filter(year=year).values_list("light").annotate(n=Count("id")))
    warnings = Warning.objects.visible_to(user).filter(year=year).count()
    actions = dict(WarningAction.objects.visible_to(user).filter(year=year).values_list("kind").annotate(n=Count("id")))
    selfevals = SelfEvaluation.objects.visible_to(user).filter(year=year)
    se = selfevals.aggregate(n=Count("id"), done=Count("id", filter=Q(state="done")), reviewed=Count(
        "id", filter=~Q(review_grade="")))  # fmt: skip
    grades = {g: 0 for g in GRADE_ORDER}
    for row in selfevals.filter(state="done").values("grade", "review_grade"):
        g = row["review_grade"] or row["grade"]
        if g in grades:
            grades[g] += 1
    evals = list(
        Evaluation.objects.visible_to(user).filter(year=year).select_related("subject_org").order_by("kind", "id")
    )
    finished = [e for e in evals if e.state in ("final", "archived")]
    rect = selectors.figures(user, year)
    sheets = list(selectors.sheets(user, year + 1))
    sheet_sum = {"n": len(sheets), "current": Decimal(0), "suggested": Decimal(0), "actual": Decimal(0)}
    for s in sheets:
        t = selectors.sheet_totals(s)
        sheet_sum["current"] += t["current"]
        sheet_sum["suggested"] += t["suggested"]
        sheet_sum["actual"] += t["actual"]
    negative = NegativeListEntry.objects.visible_to(user).filter(year=year)
    return {
        "year": year,
        "targets": targets,
        "lights": {k: lights.get(k, 0) for k in ("red", "yellow", "green")},
        "warnings": warnings,
        "actions": actions,
        "selfeval": se,
        "grades": grades,
        "evaluations": evals,
        "finished": finished,
        "eval_amount": sum((e.amount for e in finished), Decimal(0)),
        "rectification": rect,
        "sheets": sheet_sum,
        "negative": negative.filter(removed_at__isnull=True).count(),
        "negative_removed": negative.filter(removed_at__isnull=False).count(),
    }


# --- charts --------------------------------------------------------------------------------------------------------


def _cjk_font():
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    for name in ("Noto Sans CJK SC", "Noto Serif CJK SC", "Noto Sans CJK JP", "WenQuanYi Zen Hei"):
        if name in names:
            return name
    return None


def _figure():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = _cjk_font()
    if font:
        plt.rcParams["font.family"] = [font]
    plt.rcParams["axes.unicode_minus"] = False
    return plt


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return buf.getvalue()


def chart_grades(grades: dict) -> bytes:
    plt = _figure()
    fig, ax = plt.subplots(figsize=(6, 3))
    bars = ax.bar(list(grades), list(grades.values()), color=["#2e7d32", "#1976d2", "#f9a825", "#c62828"])
    ax.bar_label(bars)
    ax.set_title("单位自评等级分布（含财政复评调整）")
    ax.set_ylabel("项目数")
    return _png(fig)


def chart_lights(lights: dict) -> bytes:
    plt = _figure()
    fig, ax = plt.subplots(figsize=(6, 3))
    labels = {"green": "绿灯（正常）", "yellow": "黄灯（关注）", "red": "红灯（预警）"}
    keys = [k for k in ("green", "yellow", "red") if lights.get(k)]
    if keys:
        ax.pie([lights[k] for k in keys], labels=[labels[k] for k in keys], autopct="%1.1f%%",
               colors=[{"green": "#66bb6a", "yellow": "#ffca28", "red": "#ef5350"}[k] for k in keys])  # fmt: skip
    else:
        ax.text(0.5, 0.5, "暂无监控数据", ha="center", va="center")
        ax.axis("off")
    ax.set_title("项目运行监控预警灯分布")
    return _png(fig)


def chart_rectification(by_source: list[dict]) -> bytes:
    plt = _figure()
    fig, ax = plt.subplots(figsize=(6, 3))
    labels = [r["label"] for r in by_source] or ["—"]
    done = [r["verified"] for r in by_source] or [0]
    open_ = [r["total"] - r["verified"] for r in by_source] or [0]
    ax.bar(labels, done, label="已核验销号", color="#2e7d32")
    ax.bar(labels, open_, bottom=done, label="未销号", color="#ef6c00")
    ax.legend()
    ax.set_title("整改事项按来源的销号情况")
    ax.set_ylabel("事项数")
    return _png(fig)


# --- reports -----------------------------------------------------------------------------------------------------


def _body(doc: OfficialDocument, k: dict, region_name: str, *, npc: bool) -> None:
    y = k["year"]
    t, se, rect = k["targets"], k["selfeval"], k["rectification"]["total"]
    n = 1

    def h(text):
        nonlocal n
        doc.heading(f"{'一二三四五六七八九十'[n - 1]}、{text}")
        n += 1

    h("绩效目标管理")
    doc.para(
        f"{y}年度共编报绩效目标{t['n']}个，已批复{t['approved']}个，涉及资金{_wan(t['amount'])}万元，"
        "做到“无目标不安排预算”。"
    )
    h("绩效运行监控")
    lights = k["lights"]
    doc.para(
        f"对{sum(lights.values())}个项目开展预算执行和绩效目标“双监控”，红灯{lights['red']}个、黄灯{lights['yellow']}个、"
        f"绿灯{lights['green']}个，发出预警{k['warnings']}条；督促整改{k['actions'].get('urge', 0)}次，"
        f"暂缓或停止拨款{k['actions'].get('suspend', 0) + k['actions'].get('stop', 0)}次，"
        f"调减预算{k['actions'].get('cut', 0)}次。"
    )
    doc.picture(chart_lights(lights), 12)
    h("绩效评价")
    g = k["grades"]
    doc.para(
        f"单位自评下达{se['n']}个，审核完成{se['done']}个，财政复评{se['reviewed']}个。"
        f"自评结果：优{g['优']}个、良{g['良']}个、中{g['中']}个、差{g['差']}个。"
    )
    doc.picture(chart_grades(g), 12)
    doc.para(
        f"财政重点评价{len(k['evaluations'])}项，已完成{len(k['finished'])}项，涉及资金{_wan(k['eval_amount'])}万元。"
    )
    if k["finished"]:
        doc.table(
            ["评价项目", "被评价单位", "得分", "等级"],
            [
                [e.title, e.subject_org.name, e.score if e.score is not None else "—", e.grade or "—"]
                for e in k["finished"]
            ],  # fmt: skip
            [7.5, 5, 1.8, 1.5],
        )
    h("结果应用和问题整改")
    doc.para(
        f"对评价和监控发现的问题列条挂账，共{rect['total']}项（同一问题多渠道发现的只计一次，关联{rect['linked']}项），"
        f"已核验销号{rect['verified']}项，销号率{rect['rate'] if rect['rate'] is not None else '—'}%；"
        f"逾期未完成{rect['overdue']}项。"
    )
    doc.picture(chart_rectification(k["rectification"]["by_source"]), 12)
    if k["rectification"]["by_department"]:
        doc.table(
            ["部门", "事项", "已销号", "逾期", "销号率%"],
            [
                [
                    r["department__name"],
                    r["total"],
                    r["verified"],
                    r["overdue"],
                    "—" if r["rate"] is None else r["rate"],
                ]
                for r in k["rectification"]["by_department"]
            ],  # fmt: skip
            [6.5, 2, 2, 2, 2.5],
        )
    s = k["sheets"]
    doc.para(
        f"将评价结果与{y + 1}年度预算安排挂钩，形成{s['n']}个部门的预算安排建议，涉及本年预算{_wan(s['current'])}万元，"
        f"建议安排{_wan(s['suggested'])}万元；负面清单在列{k['negative']}项，整改到位移出{k['negative_removed']}项。"
    )
    h("下一步工作" if not npc else "存在的问题和下一步工作")
    doc.para(
        "一是进一步提高绩效目标质量；二是强化运行监控结果运用；三是扩大重点评价覆盖面，提升评价报告质量；"
        "四是压实整改责任，做到问题清零销号；五是推动绩效结果与预算安排、政策调整深度挂钩。"
    )


def government_docx(user, year: int, region_name: str) -> bytes:
    """年度预算绩效管理工作情况报告 to the government (November)."""
    k = key_results(user, year)
    doc = OfficialDocument()
    doc.title(f"关于{region_name}{year}年度预算绩效管理工作情况的报告", f"报{region_name}人民政府 · {year}年11月")
    doc.para(f"{region_name}人民政府：", indent=False)
    doc.para(f"现将{year}年度全面实施预算绩效管理工作情况和绩效评价结果应用情况报告如下。")
    _body(doc, k, region_name, npc=False)
    return doc.to_bytes()


def npc_docx(user, year: int, region_name: str) -> bytes:
    """预算绩效管理专题报告 to the 人大常委会 (R37)."""
    k = key_results(user, year)
    doc = OfficialDocument()
    doc.title(f"关于{region_name}{year}年度预算绩效管理情况的专题报告", f"向{region_name}人大常委会报告")
    doc.para(f"{region_name}人大常委会：", indent=False)
    doc.para(
        f"根据预算法和人大预算审查监督的有关要求，现将{year}年度预算绩效管理情况、重点绩效评价结果和整改情况专题报告如下。"
    )
    _body(doc, k, region_name, npc=True)
    return doc.to_bytes()

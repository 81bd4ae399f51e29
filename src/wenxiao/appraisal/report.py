"""事前绩效评估报告: the report of one assessment as Word (python-docx) and PDF (WeasyPrint), REFERENCE §2.2 outline.

一、评估对象基本情况 → 二、评估工作开展情况 → 三、综合评估情况与评估结论 → 四、相关建议 → 五、其他需要说明的问题.
`report_context` gathers everything once; the Word builder and `templates/appraisal/report_print.html` only lay it out.
Rendering is synchronous and loads python-docx / WeasyPrint lazily, so importing this module at start-up is cheap.
"""

from __future__ import annotations

import io
import logging
from decimal import ROUND_HALF_UP, Decimal

from wenxiao.appraisal import scoring, services
from wenxiao.core.config import setting
from wenxiao.core.docx_doc import add_table, new_document, set_fonts, shade
from wenxiao.core.pdf import ReportUnavailable, html_to_pdf  # noqa: F401  (ReportUnavailable: re-exported)

log = logging.getLogger(__name__)

TITLE = "事前绩效评估报告"
NUMBERS = "一二三四五六七八九十"
SECTIONS = (
    "一、评估对象基本情况",
    "二、评估工作开展情况",
    "三、综合评估情况与评估结论",
    "四、相关建议",
    "五、其他需要说明的问题",
)
EMPTY = "（未填写）"
SELF_COLOUR, FINAL_COLOUR, TRACK_COLOUR = "8EA9DB", "1F4E79", "EDEDED"


# --- the content -------------------------------------------------------------------------------------------


def _wan(value) -> str:
    return f"{Decimal(value or 0) / Decimal(10000):,.2f}"


def _num(value) -> str:
    return "—" if value is None else f"{Decimal(value):.2f}"


def _rate(score, points) -> Decimal | None:
    if score is None or not points:
        return None
    return (Decimal(score) * 100 / Decimal(points)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _pct(rate) -> str:
    return "—" if rate is None else f"{rate}%"


def _ordinal(i: int) -> str:
    return f"（{NUMBERS[i]}）" if i < len(NUMBERS) else f"（{i + 1}）"


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").replace("\r\n", "\n").split("\n") if line.strip()]


def _chart(dimensions: list[dict], has_self: bool, has_final: bool) -> dict:
    """Geometry of a horizontal bar chart of score rates (0–100 %), precomputed for the SVG in the template."""
    label_w, bar_w, bar_h, gap, top = 150, 330, 12, 10, 22
    stages = [s for s, on in (("self", has_self), ("final", has_final)) if on]
    rows, y = [], top
    for d in dimensions:
        bars = []
        for i, stage in enumerate(stages):
            rate = d[f"{stage}_rate"]
            width = 0 if rate is None else round(float(rate) / 100 * bar_w, 1)
            bars.append(
                {
                    "y": y + i * (bar_h + 2),
                    "width": width,
                    "fill": "#" + (SELF_COLOUR if stage == "self" else FINAL_COLOUR),
                    "text": _pct(rate),
                    "text_x": label_w + width + 4,
                    "text_y": y + i * (bar_h + 2) + bar_h - 2,
                }
            )
        block = max(len(stages), 1) * (bar_h + 2)
        rows.append({"label": d["name"], "label_y": y + block / 2 + 4, "bars": bars})
        y += block + gap
    ticks = [{"x": label_w + bar_w * p / 100, "text": f"{p}%"} for p in (0, 25, 50, 75, 100)]
    legend = [
        {
            "fill": "#" + (SELF_COLOUR if s == "self" else FINAL_COLOUR),
            "text": "部门自评" if s == "self" else "财政评估",
        }
        for s in stages
    ]
    return {
        "width": label_w + bar_w + 50,
        "height": y + 6,
        "label_x": label_w - 6,
        "bar_x": label_w,
        "bar_w": bar_w,
        "bar_h": bar_h,
        "axis_y": top - 6,
        "rows": rows,
        "ticks": ticks,
        "legend": legend,
        "stages": stages,
    }


def report_context(appraisal) -> dict:
    """Everything the report shows, as plain values (strings, numbers, lists) for Word, HTML and tests."""
    from django.utils import timezone

    from wenxiao.core import workflow

    a = appraisal
    p = a.project
    template = services.template_for(a)
    results = {stage: services.result_of(a, stage) for stage in ("self", "final")}
    given = {(s.stage, s.dimension, s.item): s for s in a.scores.all()}
    has = {stage: any(k[0] == stage for k in given) for stage in ("self", "final")}

    dimensions: list[dict] = []
    by_name: dict[str, dict] = {}
    for item in template:
        d = by_name.get(item.dimension)
        if d is None:
            d = by_name[item.dimension] = {"name": item.dimension, "items": []}
            dimensions.append(d)
        row = {"name": item.name, "points": _num(item.points)}
        for stage in ("self", "final"):
            s = given.get((stage, item.dimension, item.name))
            row[f"{stage}_rating"] = s.rating if s else ""
            row[f"{stage}_score"] = _num(s.score) if s else "—"
            row[f"{stage}_note"] = s.note if s else ""
        notes = [
            f"{label}：{row[f'{st}_note']}" for st, label in (("self", "自评"), ("final", "评估")) if row[f"{st}_note"]
        ]
        row["note"] = "；".join(notes)
        d["items"].append(row)
    for i, d in enumerate(dimensions):
        d["no"] = _ordinal(i)
        score_self, points = results["self"].by_dimension.get(d["name"], (Decimal(0), Decimal(0)))
        score_final, _ = results["final"].by_dimension.get(d["name"], (Decimal(0), Decimal(0)))
        d["points"] = _num(points)
        d["self_score"] = _num(score_self) if has["self"] else "—"
        d["final_score"] = _num(score_final) if has["final"] else "—"
        d["self_rate"] = _rate(score_self, points) if has["self"] else None
        d["final_rate"] = _rate(score_final, points) if has["final"] else None
        d["self_pct"], d["final_pct"] = _pct(d["self_rate"]), _pct(d["final_rate"])

    basis = "final" if has["final"] else "self"
    by_rule = results[basis].conclusion if has[basis] else ""
    requested = Decimal(a.amount_requested or 0)
    recommended = None if a.amount_recommended is None else Decimal(a.amount_recommended)
    saved = None if recommended is None else requested - recommended
    kind = "政策" if a.policy else "项目"
    subject = f"{p.name}{'（政策）' if a.policy else ''}"

    history = [
        {
            "at": timezone.localtime(t.at).strftime("%Y-%m-%d"),
            "action": t.action_label,
            "actor": str(t.actor),
            "to": t.to_label,
            "comment": t.comment,
        }
        for t in workflow.history(a)
    ]
    scheme = "、".join(f"{d['name']}（{d['points']}分）" for d in dimensions)
    ratings = "、".join(setting("appraisal.ratings", a.region, a.year) or scoring.RATINGS)
    purpose = (
        f"根据预算绩效管理有关规定，新增重大政策和项目须开展事前绩效评估，评估结果作为申请预算的必备要件。"
        f"本次评估对象为{a.unit.name}申报的{a.year}年度{kind}“{p.name}”（{kind}代码 {p.code}），"
        f"主管部门为{a.department.name}，申请财政资金 {_wan(requested)} 万元。"
    )
    if a.triggers:
        purpose += "纳入评估的原因：" + "；".join(a.triggers) + "。"
    support, adjust = _cut(a, "support"), _cut(a, "adjust")
    approach = (
        f"评估围绕{scheme}等维度展开，满分 {_num(results['self'].full)} 分；每个评估要点按{ratings}评定等级并折算得分。"
        f"总分 ≥{support} 分为“予以支持”，{adjust}–{support} 分为“调整完善后予以支持”，低于 {adjust} 分为“不予支持”。"
    )
    procedure = "评估按“部门评估 → 财政审核 →（必要时）财政评估 → 评估结论”的程序开展" + (
        "，本项目达到财政评估标准，由财政部门组织专家或第三方机构开展评估。" if a.finance_required else "。"
    )

    basics = [
        (f"{kind}名称", p.name),
        (f"{kind}代码", p.code),
        ("预算单位", a.unit.name),
        ("主管部门", a.department.name),
        ("预算年度", f"{a.year}年"),
        (f"{kind}属性", p.get_attribute_display()),
        ("申请财政资金", f"{_wan(requested)} 万元"),
        ("建议安排", "—" if recommended is None else f"{_wan(recommended)} 万元"),
        ("评估状态", a.state_label),
        ("须财政评估", "是" if a.finance_required else "否"),
    ]
    n = len(dimensions)
    has_findings = bool(_paragraphs(a.findings))
    numbering = {
        "summary": _ordinal(n),
        "findings": _ordinal(n + 1) if has_findings else "",
        "conclusion": _ordinal(n + 2 if has_findings else n + 1),
    }

    return {
        "a": a,
        "numbering": numbering,
        "title": TITLE,
        "subject": subject,
        "kind": kind,
        "sections": SECTIONS,
        "project": {
            "name": p.name,
            "code": p.code,
            "unit": a.unit.name,
            "department": a.department.name,
            "year": a.year,
            "kind": kind,
            "attribute": p.get_attribute_display(),
            "project_class": p.get_project_class_display(),
            "period": f"{p.start_year}—{p.end_year}年",
        },
        "basics": basics,
        "basics_rows": _pairs(basics),
        "triggers": list(a.triggers or []),
        "finance_required": a.finance_required,
        "state_label": a.state_label,
        "texts": {
            "background": a.background,
            "content": a.content,
            "goals": a.goals,
            "funding": a.funding,
            "method": a.method,
            "findings": a.findings,
            "suggestions": a.suggestions,
            "other_notes": a.other_notes,
        },
        "paras": {key: _paragraphs(getattr(a, key)) for key in services.TEXT_FIELDS},
        "purpose": purpose,
        "approach": approach,
        "procedure": procedure,
        "history": history,
        "dimensions": dimensions,
        "has_self": has["self"],
        "has_final": has["final"],
        "full": _num(results["self"].full),
        "self_total": _num(results["self"].total) if has["self"] else "—",
        "final_total": _num(results["final"].total) if has["final"] else "—",
        "self_rate": _pct(_rate(results["self"].total, results["self"].full)) if has["self"] else "—",
        "final_rate": _pct(_rate(results["final"].total, results["final"].full)) if has["final"] else "—",
        "score_basis": "财政评估" if basis == "final" else "部门自评",
        "total": _num(results[basis].total) if has[basis] else "—",
        "missing": {stage: len(results[stage].missing) for stage in ("self", "final")},
        "incomplete": "；".join(
            f"{label}尚有 {len(results[stage].missing)} 个评估要点未评分，得分不完整"
            for stage, label in (("self", "部门自评"), ("final", "财政评估"))
            if has[stage] and results[stage].missing
        ),
        "conclusion": a.conclusion,
        "conclusion_label": scoring.CONCLUSIONS.get(a.conclusion, "尚未作出评估结论"),
        "conclusion_by_rule": scoring.CONCLUSIONS.get(by_rule, ""),
        "concluded_by": str(a.concluded_by) if a.concluded_by_id else "",
        "concluded_at": timezone.localtime(a.concluded_at).strftime("%Y-%m-%d") if a.concluded_at else "",
        "amount_requested": _wan(requested),
        "amount_recommended": "—" if recommended is None else _wan(recommended),
        "funds_saved": "—" if saved is None else _wan(saved),
        "saved_rate": "—" if saved is None or not requested else _pct(_rate(saved, requested)),
        "adjustment_required": a.adjustment_required,
        "adjustment_note": a.adjustment_note,
        "adjustment_done": a.adjustment_done,
        "adjustment_label": (
            ("已完成调整" if a.adjustment_done else "尚未登记调整完善情况") if a.conclusion == "adjust" else ""
        ),
        "chart": _chart(dimensions, has["self"], has["final"]),
    }


def _cut(appraisal, key: str):
    cut = {**scoring.CUTOFFS, **(setting("appraisal.cutoffs", appraisal.region, appraisal.year) or {})}
    return cut[key]


# --- Word -------------------------------------------------------------------------------------------------


def _build_docx(ctx: dict):
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    doc = new_document()

    def para(text: str, *, indent=True, bold=False, size=None, align=None):
        p = doc.add_paragraph()
        if indent:
            p.paragraph_format.first_line_indent = Pt(28)
        p.paragraph_format.line_spacing = 1.5
        if align is not None:
            p.alignment = align
        run = p.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        return p

    def body(text: str) -> None:
        lines = _paragraphs(text)
        for line in lines or [EMPTY]:
            para(line)

    def table(headers: list[str], rows: list[list[str]], widths: list[float], bold_last=False):
        return add_table(doc, headers, rows, widths, bold_last=bold_last)

    title = para(ctx["title"], indent=False, bold=True, size=22, align=WD_ALIGN_PARAGRAPH.CENTER)
    set_fonts(title.runs[0]._r, "宋体")
    para(f"（{ctx['subject']}）", indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    p = ctx["project"]
    para(
        f"{ctx['kind']}代码：{p['code']}　预算年度：{p['year']}年　评估状态：{ctx['state_label']}",
        indent=False,
        size=10.5,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )

    texts = ctx["texts"]
    doc.add_heading(SECTIONS[0], level=1)
    basics = doc.add_table(rows=len(ctx["basics_rows"]), cols=4)
    basics.style = "Table Grid"
    basics.alignment = WD_TABLE_ALIGNMENT.CENTER
    for r, values in enumerate(ctx["basics_rows"]):
        for c, value in enumerate(values):
            cell = basics.cell(r, c)
            cell.width = Cm(2.8 if c % 2 == 0 else 5.0)
            run = cell.paragraphs[0].add_run(str(value))
            run.font.size, run.bold = Pt(10.5), c % 2 == 0
            set_fonts(run._r, "宋体")
            if c % 2 == 0:
                shade(cell, "F7F7F7")
    doc.add_paragraph()
    if ctx["triggers"]:
        para("纳入事前评估的原因：" + "；".join(ctx["triggers"]) + "。")
    for i, (key, label) in enumerate(
        (("background", "立项背景"), ("content", "主要内容"), ("goals", "绩效目标"), ("funding", "资金构成"))
    ):
        doc.add_heading(f"{_ordinal(i)}{label}", level=2)
        body(texts[key])

    doc.add_heading(SECTIONS[1], level=1)
    doc.add_heading("（一）评估目的及对象", level=2)
    para(ctx["purpose"])
    doc.add_heading("（二）评估思路及方法", level=2)
    para(ctx["approach"])
    for line in _paragraphs(texts["method"]):
        para(line)
    doc.add_heading("（三）评估工作程序", level=2)
    para(ctx["procedure"])
    if ctx["history"]:
        table(
            ["日期", "环节", "办理人", "意见"],
            [[h["at"], h["action"], h["actor"], h["comment"]] for h in ctx["history"]],
            [2.6, 3.6, 2.8, 6.6],
        )

    doc.add_heading(SECTIONS[2], level=1)
    para(
        f"按评估模板（满分 {ctx['full']} 分），部门自评得分 {ctx['self_total']} 分，"
        f"财政评估得分 {ctx['final_total']} 分。"
        + (f"（{ctx['incomplete']}。）" if ctx["incomplete"] else "")
        + "各维度评估情况如下。"
    )
    for d in ctx["dimensions"]:
        doc.add_heading(f"{d['no']}{d['name']}", level=2)
        para(
            f"本维度分值 {d['points']} 分，部门自评得分 {d['self_score']} 分（得分率 {d['self_pct']}），"
            f"财政评估得分 {d['final_score']} 分（得分率 {d['final_pct']}）。"
        )
        rows = [
            [
                it["name"],
                it["points"],
                f"{it['self_rating']} {it['self_score']}".strip(),
                f"{it['final_rating']} {it['final_score']}".strip(),
                it["note"],
            ]
            for it in d["items"]
        ]
        rows.append(["小计", d["points"], d["self_score"], d["final_score"], ""])
        table(["评估要点", "分值", "部门自评", "财政评估", "说明"], rows, [4, 1.6, 2.2, 2.2, 5.6], bold_last=True)
    numbering = ctx["numbering"]
    doc.add_heading(f"{numbering['summary']}评分汇总", level=2)
    summary = [
        [d["name"], d["points"], d["self_score"], d["final_score"], d["self_pct"], d["final_pct"]]
        for d in ctx["dimensions"]
    ]
    summary.append(["合计", ctx["full"], ctx["self_total"], ctx["final_total"], ctx["self_rate"], ctx["final_rate"]])
    table(
        ["维度", "分值", "自评得分", "评估得分", "自评得分率", "评估得分率"],
        summary,
        [4.2, 1.8, 2.2, 2.2, 2.6, 2.6],
        bold_last=True,
    )
    if ctx["chart"]["stages"]:
        para("各维度得分率（" + "、".join(x["text"] for x in ctx["chart"]["legend"]) + "）：", indent=False, size=10.5)
        _bar_table(doc, ctx)
    if numbering["findings"]:
        doc.add_heading(f"{numbering['findings']}评估发现的问题", level=2)
        body(texts["findings"])
    doc.add_heading(f"{numbering['conclusion']}总体结论", level=2)
    for line in _conclusion_lines(ctx):
        para(line)

    doc.add_heading(SECTIONS[3], level=1)
    body(texts["suggestions"])
    doc.add_heading(SECTIONS[4], level=1)
    body(texts["other_notes"])
    if ctx["concluded_at"]:
        para(
            f"评估结论作出：{ctx['concluded_by']}　{ctx['concluded_at']}",
            indent=False,
            size=10.5,
            align=WD_ALIGN_PARAGRAPH.RIGHT,
        )
    return doc


def _pairs(items: list[tuple[str, str]]) -> list[list[str]]:
    rows = []
    for i in range(0, len(items), 2):
        left, right = items[i], items[i + 1] if i + 1 < len(items) else ("", "")
        rows.append([left[0], left[1], right[0], right[1]])
    return rows


def _conclusion_lines(ctx: dict) -> list[str]:
    lines = []
    if ctx["conclusion"]:
        lines.append(
            f"综合评估得分 {ctx['total']} 分（{ctx['score_basis']}），评估结论为“{ctx['conclusion_label']}”。"
            + (
                f"按评分规则应为“{ctx['conclusion_by_rule']}”，结论已由财政部门说明理由调整。"
                if ctx["conclusion_by_rule"] and ctx["conclusion_by_rule"] != ctx["conclusion_label"]
                else ""
            )
        )
        lines.append(
            f"申请财政资金 {ctx['amount_requested']} 万元，建议安排 {ctx['amount_recommended']} 万元，"
            f"核减（节约）资金 {ctx['funds_saved']} 万元（{ctx['saved_rate']}）。"
        )
    else:
        lines.append(
            f"评估尚未作出结论（当前：{ctx['state_label']}）。目前{ctx['score_basis']}得分 {ctx['total']} 分"
            + (f"，按评分规则为“{ctx['conclusion_by_rule']}”（仅供参考）。" if ctx["conclusion_by_rule"] else "。")
        )
        lines.append(f"申请财政资金 {ctx['amount_requested']} 万元。")
    if ctx["conclusion"] == "adjust":
        lines.append("须调整完善的内容：" + (ctx["adjustment_required"] or EMPTY))
        lines.append(
            "调整完善情况："
            + (ctx["adjustment_note"] if ctx["adjustment_done"] else "尚未登记，完成调整前不能入库或安排预算。")
        )
    return lines


def _bar_table(doc, ctx: dict, cells: int = 20) -> None:
    """Score rates as proportional bars of shaded table cells (one cell = 100 / cells per cent): no image needed."""
    from docx.enum.table import WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
    from docx.shared import Cm, Pt

    chart = ctx["chart"]
    rows = [(d, stage) for d in ctx["dimensions"] for stage in chart["stages"]]
    t = doc.add_table(rows=len(rows), cols=cells + 2)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    widths = [Cm(3.6)] + [Cm(0.45)] * cells + [Cm(1.6)]
    for column, width in zip(t.columns, widths, strict=True):
        column.width = width  # the grid (LibreOffice reads it) as well as each cell (Word reads those)
    for r, (d, stage) in enumerate(rows):
        rate = d[f"{stage}_rate"] or Decimal(0)
        filled = int((rate * cells / 100).quantize(Decimal(1), ROUND_HALF_UP))
        row = t.rows[r]
        row.height, row.height_rule = Cm(0.5), WD_ROW_HEIGHT_RULE.EXACTLY
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
        label = row.cells[0].paragraphs[0].add_run(d["name"] if stage == chart["stages"][0] else "")
        value = row.cells[cells + 1].paragraphs[0].add_run(d[f"{stage}_pct"])
        for run in (label, value):
            run.font.size = Pt(9)
            set_fonts(run._r, "宋体")
        colour = SELF_COLOUR if stage == "self" else FINAL_COLOUR
        for c in range(cells):
            shade(row.cells[c + 1], colour if c < filled else TRACK_COLOUR)
    doc.add_paragraph()


def render_docx(appraisal) -> bytes:
    """The report as a .docx file (bytes)."""
    buf = io.BytesIO()
    _build_docx(report_context(appraisal)).save(buf)
    return buf.getvalue()


# --- HTML and PDF -----------------------------------------------------------------------------------------


def _back_url(appraisal) -> str:
    from django.urls import NoReverseMatch

    try:
        return appraisal.get_absolute_url()
    except NoReverseMatch:
        return ""


def render_html(appraisal, *, for_pdf: bool = False, pdf_unavailable: bool = False, request=None) -> str:
    """The printable report as standalone HTML (also the browser's own print version)."""
    from django.template.loader import render_to_string

    ctx = report_context(appraisal)
    ctx |= {
        "for_pdf": for_pdf,
        "pdf_unavailable": pdf_unavailable,
        "back_url": "" if for_pdf else _back_url(appraisal),
        "conclusion_lines": _conclusion_lines(ctx),
    }
    return render_to_string("appraisal/report_print.html", ctx, request=request)


def render_pdf(appraisal) -> bytes:
    """The report as PDF via WeasyPrint; ReportUnavailable (status 503) when it cannot be produced here."""
    return html_to_pdf(render_html(appraisal, for_pdf=True), f"appraisal {appraisal.pk}")

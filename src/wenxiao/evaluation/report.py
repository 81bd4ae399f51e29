"""An evaluation's report in the 10号 附件3 outline, as Word (python-docx) and PDF (WeasyPrint), with the scoring
table (评分表), the team and — for 成本绩效评价 — the unit-cost comparison. `context()` computes everything once."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import quote

from django.template.loader import render_to_string

from wenxiao.core.docx_doc import OfficialDocument
from wenxiao.core.pdf import html_to_pdf
from wenxiao.evaluation import unit_cost
from wenxiao.evaluation.key_services import REPORT_SECTIONS
from wenxiao.evaluation.models import Evaluation

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"


def filename(ev: Evaluation, fmt: str) -> str:
    return quote(f"{ev.title}-绩效评价报告.{fmt}")


def context(ev: Evaluation) -> dict:
    indicators = list(ev.indicators.all())
    levels: dict[str, dict] = {}
    for i in indicators:
        lv = levels.setdefault(i.level1, {"name": i.level1, "weight": Decimal(0), "score": Decimal(0)})
        lv["weight"] += i.weight
        lv["score"] += i.score or Decimal(0)
    return {
        "ev": ev,
        "sections": [(label, (ev.report or {}).get(key, "")) for key, label in REPORT_SECTIONS],
        "indicators": indicators,
        "levels": list(levels.values()),
        "members": list(ev.members.all()),
        "reviews": list(ev.reviews.all()),
        "costs": unit_cost.comparison(ev.project, ev.year) if ev.kind == "cost" and ev.project_id else [],
    }


def _n(d) -> str:
    return "—" if d is None else f"{d:.2f}"


def _pos(c: dict) -> str:
    return f"{c['position']}%" if "position" in c else "—"


def render_docx(ev: Evaluation) -> bytes:
    ctx = context(ev)
    doc = OfficialDocument()
    doc.title(ev.title, f"{ev.get_level_display()} · {ev.get_kind_display()} · {ev.year}年度")
    doc.para(
        f"评价对象：{ev.subject_org.name}；主管部门：{ev.department.name}；评价资金：{ev.amount / 10000:,.2f}万元。"
        + (f"综合得分{ev.score}分，评价等级为“{ev.grade}”。" if ev.grade else ""),
        indent=False,
    )
    for label, text in ctx["sections"]:
        doc.heading(label)
        for para in (text or "（未填写）").splitlines():
            if para.strip():
                doc.para(para.strip())
        if label.startswith("三、"):
            doc.para("附：绩效评价评分表", indent=False, bold=True)
            doc.table(
                ["一级指标", "二级指标", "三级指标", "分值", "得分", "评价意见"],
                [
                    [i.level1, i.level2, i.name, _n(i.weight), _n(i.score), i.finding or i.value]
                    for i in ctx["indicators"]
                ]
                + [["合计", "", "", "100.00", _n(ev.score), ev.grade]],
                [2.0, 2.2, 3.2, 1.4, 1.4, 5.3],
                bold_last=True,
            )
        if label.startswith("四、") and ctx["costs"]:
            doc.para("成本效益分析：单位成本与同类项目比较", indent=False, bold=True)
            doc.table(
                ["数量指标", "单位成本（元）", "同类项目数", "中位数", "所处位置", "结论"],
                [
                    [c["name"], _n(c["cost"]), str(c["peers"]), _n(c.get("median")), _pos(c), c["verdict"]]
                    for c in ctx["costs"]
                ],
                [3.2, 2.4, 1.8, 2.2, 1.8, 4.1],
            )
    doc.heading("评价工作组")
    doc.table(
        ["角色", "姓名", "单位", "分工"],
        [[m.get_role_display(), m.name, m.affiliation, m.duty] for m in ctx["members"]],
        [3.0, 2.5, 6.0, 4.0],
    )
    return doc.to_bytes()


def render_pdf(ev: Evaluation) -> bytes:
    html = render_to_string("evaluation/report_print.html", context(ev))
    return html_to_pdf(html, f"evaluation {ev.pk}")

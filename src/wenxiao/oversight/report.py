"""The 通报 of an assessment round (Word, official layout via core/docx_doc) and its xlsx export.

Figures come from `selectors.table(user, rnd)`, so a reader on the subject side gets only its own rows.
Word: 一、基本情况 → 二、考核结果 → 三、等次分布 → 四、存在的主要问题 → 五、下一步工作要求 → 附表 分项得分.
"""

from __future__ import annotations

import io
from decimal import Decimal
from urllib.parse import quote

from wenxiao.core.docx_doc import OfficialDocument
from wenxiao.oversight import selectors
from wenxiao.oversight.models import AssessmentRound

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CN = "一二三四五六七八九十"


def filename(rnd: AssessmentRound, fmt: str) -> str:
    suffix = "通报" if fmt == "docx" else "考核结果"
    return quote(f"{rnd.name}-{suffix}.{fmt}")


def _n(v) -> str:
    if v is None:
        return "—"
    return f"{Decimal(v).quantize(Decimal('0.01')):f}"


def round_docx(user, rnd: AssessmentRound) -> bytes:
    t = selectors.table(user, rnd)
    subs, inds = t["subjects"], t["indicators"]
    doc = OfficialDocument()
    doc.title(f"关于{rnd.name}结果的通报", f"{rnd.region.name}财政局　{rnd.year}年度")
    doc.heading("一、基本情况")
    groups = list(dict.fromkeys(i.group for i in inds))
    by_source = {k: sum(1 for i in inds if i.source == k) for k in ("metric", "import", "manual")}
    state = "已公布" if rnd.state == "published" else "评分中（本文为征求意见稿）"
    doc.para(
        f"按照《{rnd.scheme.name}》，{rnd.region.name}财政局对{len(subs)}个{rnd.subject_label}开展{rnd.get_kind_display()}。"
        f"考核设{len(groups)}类{len(inds)}项指标（{'、'.join(groups)}），满分100分，"
        f"其中系统计算指标{by_source['metric']}项、导入数据指标{by_source['import']}项、"
        f"人工评分指标{by_source['manual']}项。"
        f"考核结果状态：{state}。"
    )
    doc.heading("二、考核结果")
    scored = [s for s in subs if s.total is not None]
    if scored:
        avg = sum((s.total for s in scored), Decimal(0)) / len(scored)
        doc.para(
            f"平均得分{_n(avg)}分，最高{scored[0].name}{_n(scored[0].total)}分，"
            f"最低{scored[-1].name}{_n(scored[-1].total)}分。排名如下："
        )
    doc.table(
        ["排名", rnd.subject_label, "总分", "等级"],
        [[s.rank or "—", s.name, _n(s.total), s.grade or "—"] for s in subs],
        [2.0, 8.5, 2.5, 2.5],
    )
    doc.heading("三、等次分布")
    doc.para("；".join(f"{g}{n}个" for g, n in t["mix"]) + "。")
    doc.table(
        ["等级", "个数", "占比"],
        [[g, n, f"{n * 100 / len(subs):.1f}%" if subs else "—"] for g, n in t["mix"]],
        [4, 4, 4],
    )
    doc.heading("四、存在的主要问题")
    if t["weak"]:
        for k, w in enumerate(t["weak"], start=1):
            b = next(b for b in t["breakdown"] if b["ind"].name == w["name"])
            worst = min(
                (r for r in t["rows"] if r["cells"][t["indicators"].index(b["ind"])] is not None),
                key=lambda r: r["cells"][t["indicators"].index(b["ind"])].score or 0,
                default=None,
            )
            text = (
                f"（{CN[k - 1] if k <= 10 else k}）{w['name']}（{b['ind'].group}，{_n(w['weight'])}分）："
                f"平均得分率{w['rate']}%，"
                f"{w['lost']}个{rnd.subject_label}未得满分"
            )
            if b["avg_value"] is not None:
                text += f"，平均指标值{_n(b['avg_value'])}{b['ind'].unit}"
            if worst is not None:
                cell = worst["cells"][t["indicators"].index(b["ind"])]
                text += f"；得分最低的是{worst['s'].name}（{_n(cell.score)}分）"
            doc.para(text + "。")
    else:
        doc.para("各项指标均得满分，未发现明显薄弱环节。")
    doc.heading("五、下一步工作要求")
    low = [s.name for s in subs if s.grade == "差"]
    doc.para(
        "各地各部门要对照考核结果，针对失分指标逐项分析原因、制定整改措施，切实提升预算绩效管理水平。"
        + (f"对考核等级为“差”的{'、'.join(low)}，将进行约谈，并限期整改。" if low else "")
        + "考核结果将作为预算安排、转移支付分配和干部考核的重要参考。"
    )
    if inds and subs:
        doc.heading("附表：分项得分")
        headers = [rnd.subject_label, *[i.name for i in inds], "总分"]
        width = 16.0 / len(headers)
        doc.table(
            headers,
            [[r["s"].name, *[_n(c.score) if c else "—" for c in r["cells"]], _n(r["s"].total)] for r in t["rows"]],
            [width * 2, *[width * (len(headers) - 2) / (len(headers) - 1)] * (len(headers) - 1)],
        )
    return doc.to_bytes()


def round_xlsx(user, rnd: AssessmentRound) -> bytes:
    from wenxiao.core import xlsx

    t = selectors.table(user, rnd)
    inds = t["indicators"]
    buf = io.BytesIO()
    wb = xlsx.workbook(buf, {"in_memory": True})
    head = wb.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1, "text_wrap": True})
    num = wb.add_format({"num_format": "0.00"})

    ws = wb.add_worksheet("考核结果")
    ws.write_row(
        0, 0, ["排名", "代码", rnd.subject_label, "总分", "等级", *[f"{i.name}（{i.weight:g}分）" for i in inds]], head
    )
    for r, row in enumerate(t["rows"], start=1):
        s = row["s"]
        ws.write(r, 0, s.rank)
        ws.write_string(r, 1, s.code)
        ws.write_string(r, 2, s.name)
        ws.write(r, 3, float(s.total) if s.total is not None else None, num)
        ws.write_string(r, 4, s.grade)
        for c, cell in enumerate(row["cells"], start=5):
            if cell is not None and cell.score is not None:
                ws.write_number(r, c, float(cell.score), num)
    ws.set_column(1, 2, 22)
    ws.freeze_panes(1, 3)

    ws = wb.add_worksheet("指标值")
    ws.write_row(
        0, 0, ["代码", rnd.subject_label, *[f"{i.name}（{i.unit}）" if i.unit else i.name for i in inds]], head
    )
    for r, row in enumerate(t["rows"], start=1):
        ws.write_string(r, 0, row["s"].code)
        ws.write_string(r, 1, row["s"].name)
        for c, cell in enumerate(row["cells"], start=2):
            if cell is not None and cell.value is not None:
                ws.write_number(r, c, float(cell.value))
            elif cell is not None and cell.note:
                ws.write_string(r, c, cell.note)
    ws.set_column(0, 1, 22)

    ws = wb.add_worksheet("指标分析")
    ws.write_row(
        0, 0, ["类别", "指标", "来源", "评分规则", "分值", "平均得分", "得分率%", "最低", "最高", "失分对象数"], head
    )
    for r, b in enumerate(t["breakdown"], start=1):
        i = b["ind"]
        ws.write_row(r, 0, [i.group, i.name, i.get_source_display(), i.rule_text, float(i.weight)])
        for c, key in enumerate(("avg", "rate", "min", "max"), start=5):
            if b[key] is not None:
                ws.write_number(r, c, float(b[key]), num)
        ws.write_number(r, 9, b["lost"])
    ws.set_column(0, 3, 20)
    wb.close()
    return buf.getvalue()

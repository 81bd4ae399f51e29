"""A self-evaluation as the 项目支出绩效自评表 workbook (10号 附件1, REFERENCE §6.3), one sheet per form.

The layout is the one `selfeval_file.read_xlsx` reads, so `wenxiao score selfeval` on a downloaded table gives the
product's total, and a unit can fill the table offline and upload it again (`import_selfeval`). Amounts are in
万元 with every digit kept (yuan ÷ 10000), so the execution rate is the same as the product's.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal

from wenxiao.core import xlsx
from wenxiao.evaluation.models import SelfEvaluation

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WAN = Decimal(10000)
BUDGET_HEADER = ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
SOURCES = ["其中：当年财政拨款", "上年结转资金", "其他资金"]
INDICATOR_HEADER = [
    "绩效指标",
    "一级指标",
    "二级指标",
    "三级指标",
    "年度指标值",
    "计量单位",
    "实际完成值",
    "分值",
    "得分",
    "偏差原因分析及改进措施",
]


def _wan(yuan) -> float:
    return float((Decimal(yuan or 0) / WAN).normalize())


def _num(d) -> float | str:
    return "" if d is None else float(d)


def sheet_name(form: SelfEvaluation, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "", form.subject_name)[:25] or f"自评表{form.pk}"
    name, i = base, 2
    while name in taken:
        name, i = f"{base[:22]}({i})", i + 1
    taken.add(name)
    return name


def workbook(forms: list[SelfEvaluation], exec_points: Decimal = Decimal(10)) -> bytes:
    buf = io.BytesIO()
    wb = xlsx.workbook(buf, {"in_memory": True})
    title = wb.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
    head = wb.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter", "bg_color": "#EEF2F7"})
    cell = wb.add_format({"border": 1, "valign": "vcenter", "text_wrap": True})
    money = wb.add_format({"border": 1, "num_format": "0.00####"})
    note = wb.add_format({"italic": True, "font_color": "#666666", "text_wrap": True})
    taken: set[str] = set()
    for f in forms:
        ws = wb.add_worksheet(sheet_name(f, taken))
        ws.set_column(0, 0, 14)
        ws.set_column(1, 3, 14)
        ws.set_column(4, 7, 13)
        ws.set_column(8, 9, 30)
        ws.merge_range(0, 0, 0, 9, f"项目支出绩效自评表（{f.year}年度）", title)
        ws.write(1, 0, "项目名称", head)
        ws.merge_range(1, 1, 1, 9, f.subject_name, cell)
        ws.write(2, 0, "主管部门", head)
        ws.merge_range(2, 1, 2, 4, f.department.name, cell)
        ws.write(2, 5, "实施单位", head)
        ws.merge_range(2, 6, 2, 9, f.unit.name, cell)
        ws.write_row(3, 0, ["项目资金（万元）", "", *BUDGET_HEADER], head)
        rate = f"{f.rate:.2f}%" if f.rate is not None else ""
        ws.write_row(
            4,
            0,
            [
                "年度资金总额",
                "",
                _wan(f.budget_initial),
                _wan(f.budget_annual),
                _wan(f.executed),
                float(exec_points),
                rate,
                _num(f.budget_score),
            ],
            money,
        )
        for r, (label, value) in enumerate(
            zip(SOURCES, (f.budget_fiscal, f.budget_carryover, f.budget_other), strict=True),
            start=5,
        ):
            ws.write_row(r, 0, [label, "", "", _wan(value), "", "—", "", "—"], money)
        ws.write(8, 0, "年度总体目标", head)
        ws.merge_range(8, 1, 8, 4, "预期目标", head)
        ws.merge_range(8, 5, 8, 9, "实际完成情况", head)
        ws.set_row(9, 60)
        ws.write(9, 0, "", cell)
        ws.merge_range(9, 1, 9, 4, f.goal, cell)
        ws.merge_range(9, 5, 9, 9, f.goal_actual, cell)
        ws.write_row(10, 0, INDICATOR_HEADER, head)
        row = 11
        for ln in f.lines.all():
            weight = ln.weight if ln.weight is not None else ln.rule_weight
            ws.write_row(
                row,
                0,
                [
                    "",
                    ln.level1,
                    ln.level2,
                    ln.name,
                    ln.value,
                    ln.unit,
                    ln.actual,
                    _num(weight),
                    _num(ln.score),
                    ln.deviation_reason,
                ],
                cell,
            )
            row += 1
        ws.write_row(row, 0, ["总分", "", "", "", "", "", "", _num(_full(f, exec_points)), _num(f.score), ""], head)
        ws.merge_range(
            row + 2,
            0,
            row + 2,
            9,
            "注：得分由系统按财预〔2020〕10号规则计算；全年执行数可按部门决算修正。本表可离线填写“实际完成值”“偏差原因分析"
            "及改进措施”后通过“导入自评表”上传。",
            note,
        )
    wb.close()
    return buf.getvalue()


def _full(f: SelfEvaluation, exec_points: Decimal) -> Decimal:
    weights = [ln.rule_weight or Decimal(0) for ln in f.lines.all()]
    return sum(weights, Decimal(0)) + exec_points

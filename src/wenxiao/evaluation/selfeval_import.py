"""Upload of filled-in 项目支出绩效自评表 workbooks (`wenxiao import selfeval`, the form page's upload).

Every sheet is matched to one of the uploader's open self-evaluations by project name and year, every indicator
row to the form's row at the same position with the same name; all sheets are checked first and then written in
one transaction, or nothing is written and the errors say sheet, row and column in Chinese.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction

from wenxiao.core.errors import ValidationError
from wenxiao.evaluation import selfeval_file
from wenxiao.evaluation.models import SelfEvaluation
from wenxiao.evaluation.scoring import _clean, _number
from wenxiao.evaluation.selfeval_services import UNIT_ROLES, do_save_form

MAX_BYTES = 10 * 1024 * 1024


@dataclass
class ImportResult:
    forms: list[SelfEvaluation]

    @property
    def message(self) -> str:
        names = "、".join(f.subject_name for f in self.forms[:5])
        more = f"等{len(self.forms)}张" if len(self.forms) > 5 else ""
        return f"已导入{names}{more}自评表，得分已按规则重新计算。"


def _wan_to_yuan(text, errors: list[str], where: str) -> str | None:
    d, unit, problem = _number(text)
    if problem or d is None:
        if problem:
            errors.append(f"{where}：全年执行数无法读取（{problem}）")
        return None
    try:
        factor = Decimal(1) if unit == "元" else Decimal(10000)
        return str((d * factor).quantize(Decimal("0.01")))
    except InvalidOperation:
        errors.append(f"{where}：全年执行数超出范围")
        return None


def import_selfeval(user, data: bytes, filename: str = "") -> ImportResult:
    if len(data) > MAX_BYTES:
        raise ValidationError("文件超过10MB，请拆分后上传。")
    try:
        sheets = selfeval_file.read_xlsx(data)
    except selfeval_file.SelfEvalFileError as e:
        raise ValidationError(e.message)
    open_forms = SelfEvaluation.objects.visible_to(user, UNIT_ROLES).filter(state__in=("draft", "returned"))
    errors: dict[str, list[str]] = {}
    plan: list[tuple[SelfEvaluation, dict]] = []
    seen: set[int] = set()
    for n, ev in enumerate(sheets, start=1):
        where = f"第{n}张自评表（{ev.project_name or '未填写项目名称'}）"
        problems: list[str] = []
        name = _clean(ev.project_name)
        candidates = [f for f in open_forms.filter(year=ev.year) if _clean(f.subject_name) == name] if ev.year else []
        if not ev.year:
            problems.append("未能读取年度（标题应含“（2026年度）”）")
        elif not candidates:
            problems.append(f"在您可填报的{ev.year}年度自评表中找不到项目“{ev.project_name}”（已提交的不能再导入）")
        elif len(candidates) > 1:
            problems.append(f"项目名称“{ev.project_name}”对应多张自评表，请在系统中逐张填写")
        elif candidates[0].pk in seen:
            problems.append("与前面的工作表是同一张自评表")
        if problems:
            errors[where] = problems
            continue
        form = candidates[0]
        seen.add(form.pk)
        lines = list(form.lines.all())
        rows = list(ev.indicators)
        if len(rows) != len(lines):
            problems.append(f"指标有{len(rows)}行，系统中该自评表有{len(lines)}行：请勿增删指标行")
        changes: dict = {"lines": []}
        for i, (row, ln) in enumerate(zip(rows, lines, strict=False), start=1):
            if _clean(row.name) != _clean(ln.name):
                problems.append(f"第{i}行“三级指标”列为“{row.name}”，应为“{ln.name}”")
                continue
            actual = "" if row.actual is None else str(row.actual)
            if len(actual) > 100:
                problems.append(f"第{i}行“实际完成值”超过100字")
            reason = "" if row.deviation_reason is None else str(row.deviation_reason)
            if len(reason) > 500:
                problems.append(f"第{i}行“偏差原因分析及改进措施”超过500字")
            line = {"id": ln.pk, "actual": actual[:100], "deviation_reason": reason[:500]}
            if row.declared_score not in (None, ""):
                d, _, problem = _number(row.declared_score)
                if problem or d is None or d < 0 or (ln.weight is not None and d > ln.weight):
                    problems.append(f"第{i}行“得分”列“{row.declared_score}”应为0到该行分值之间的数")
                else:
                    line["declared_score"] = str(d)
            changes["lines"].append(line)
        executed = None
        if ev.budget.executed not in (None, ""):
            executed = _wan_to_yuan(ev.budget.executed, problems, "项目资金")
        if executed is not None:
            changes["executed"] = executed
        if ev.budget.declared_rate not in (None, ""):
            changes["declared_rate"] = str(ev.budget.declared_rate)
        for key, value in (("declared_total", ev.declared_total), ("declared_budget_score", ev.budget.declared_score)):
            d, _, problem = _number(value)
            if d is not None and not problem:
                changes[key] = str(d)
        if problems:
            errors[where] = problems
        else:
            plan.append((form, changes))
    if errors:
        raise ValidationError("自评表未导入（整个文件均未写入），请修改后重新上传。", errors)
    with transaction.atomic():
        saved = [do_save_form(form.pk, changes, actor=user, expected_version=None) for form, changes in plan]
    return ImportResult(saved)

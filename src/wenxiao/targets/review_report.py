"""批量审核报告: every finding of the review engine for a year's targets (optionally one department), as xlsx."""

from __future__ import annotations

from wenxiao.core import xlsx
from wenxiao.core.jobs import job_dir, job_handler
from wenxiao.targets.review import findings_for
from wenxiao.targets.selectors import target_list

SEVERITY = {"error": "错误", "warning": "警示", "info": "提示"}
COLUMNS = [
    ("主管部门", 22),
    ("申报单位", 24),
    ("项目（目标）", 36),
    ("状态", 14),
    ("指标", 28),
    ("代码", 6),
    ("问题类型", 10),
    ("程度", 6),
    ("问题说明", 60),
    ("修改建议", 50),
]


@job_handler("targets.review_report")
def review_report(job, progress):
    year = int(job.params["year"])
    department = job.params.get("department", "")
    targets = list(target_list(job.user, year=year, department=department).prefetch_related("indicators"))
    path = job_dir() / f"job-{job.pk}.xlsx"
    wb = xlsx.workbook(str(path))
    ws = wb.add_worksheet("审核发现")
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    for col, (title, width) in enumerate(COLUMNS):
        ws.write(0, col, title, head)
        ws.set_column(col, col, width, wrap)
    ws.freeze_panes(1, 0)
    row = 1
    summary: dict[str, int] = {}
    for n, target in enumerate(targets, start=1):
        rows = list(target.indicators.all())
        for f in findings_for(target):
            label = rows[f.indicator].name if f.indicator is not None and f.indicator < len(rows) else "（整体）"
            subject = target.project.name if target.project_id else f"{target.unit.name}整体支出"
            values = [
                target.department.name,
                target.unit.name,
                subject,
                target.state_label,
                label,
                f.code,
                f.title,
                SEVERITY.get(f.severity, f.severity),
                f.message,
                f.suggestion,
            ]
            for col, value in enumerate(values):
                ws.write(row, col, value)
            summary[f"{f.code} {f.title}"] = summary.get(f"{f.code} {f.title}", 0) + 1
            row += 1
        if n % 20 == 0:
            progress(n * 100 // max(len(targets), 1))
    ws.autofilter(0, 0, max(row - 1, 1), len(COLUMNS) - 1)
    sheet = wb.add_worksheet("汇总")
    sheet.write_row(0, 0, ["问题类型", "条数"], head)
    for i, (k, v) in enumerate(sorted(summary.items()), start=1):
        sheet.write_row(i, 0, [k, v])
    sheet.write_row(len(summary) + 2, 0, ["审核目标数", len(targets)])
    sheet.set_column(0, 0, 24)
    wb.close()
    return path, f"绩效目标智能审核报告-{year}{('-' + department) if department else ''}.xlsx"

"""Export of the (scoped, filtered) project list to xlsx, run as a background job."""

from __future__ import annotations

from wenxiao.core import xlsx
from wenxiao.core.jobs import job_dir, job_handler
from wenxiao.projects.selectors import ProjectFilter, project_list

COLUMNS = [
    ("项目代码", "code", 24),
    ("项目名称", "name", 40),
    ("类型", "get_kind_display", 8),
    ("主管部门", "department.name", 24),
    ("预算单位", "unit.name", 28),
    ("区划代码", "region.code", 10),
    ("预算年度", "year", 9),
    ("预算类型", "get_budget_kind_display", 16),
    ("资金类型", "get_fund_type_display", 14),
    ("功能分类", "function_class_id", 10),
    ("项目类别", "get_project_class_display", 14),
    ("项目属性", "get_attribute_display", 10),
    ("年初预算（元）", "amount_initial", 16),
    ("调整后预算（元）", "amount_adjusted", 16),
    ("状态", "state_label", 14),
]


def _value(obj, path: str):
    for part in path.split("."):
        obj = getattr(obj, part)
        if callable(obj):
            obj = obj()
    return obj


@job_handler("projects.export")
def export_projects(job, progress):
    f = ProjectFilter(**job.params.get("filter", {}))
    qs = project_list(job.user, f)
    total = qs.count() or 1
    path = job_dir() / f"job-{job.pk}.xlsx"
    wb = xlsx.workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("项目库")
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    money = wb.add_format({"num_format": "#,##0.00"})
    for col, (title, _, width) in enumerate(COLUMNS):
        ws.write(0, col, title, head)
        ws.set_column(col, col, width)
    for row, p in enumerate(qs.iterator(chunk_size=2000), start=1):
        for col, (_, attr, _) in enumerate(COLUMNS):
            value = _value(p, attr)
            if attr.startswith("amount"):
                ws.write_number(row, col, float(value or 0), money)
            else:
                ws.write(row, col, value if value is not None else "")
        if row % 2000 == 0:
            progress(row * 100 // total)
    wb.close()
    return path, f"项目库导出-{f.year or '全部年度'}.xlsx"

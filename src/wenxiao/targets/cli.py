"""`wenxiao export targets` and `wenxiao import targets`: the xlsx forms from the command line.

The command runs as a named account (`--user`, default "admin") whose scope applies, exactly as on the web:
export writes the targets that account can see, import changes only the targets it may edit. Django must be set
up before these functions are called (wenxiao.cli does that).
"""

from __future__ import annotations

import sys
from pathlib import Path

MAX_EXPORT = 5000


def export_targets(year: int, department_code: str | None, output: str, *, username: str = "admin") -> int:
    """Write the year's targets (of one department, or all) visible to the user into one workbook."""
    from wenxiao.orgs.selectors import cli_user
    from wenxiao.targets import excel
    from wenxiao.targets.models import Target

    user = cli_user(username)
    if user is None:
        return 2
    qs = Target.objects.visible_to(user).filter(year=year)
    if department_code:
        qs = qs.filter(department__code=department_code)
    count = qs.count()
    if not count:
        print(
            f"没有可导出的 {year} 年度绩效目标" + (f"（主管部门 {department_code}）" if department_code else "") + "。",
            file=sys.stderr,
        )
        return 1
    if count > MAX_EXPORT:
        print(
            f"共 {count} 个绩效目标，一个文件最多 {MAX_EXPORT} 个，请用 --department 按主管部门分别导出。",
            file=sys.stderr,
        )
        return 1
    if not output.lower().endswith(".xlsx"):
        print("输出文件名应以 .xlsx 结尾。", file=sys.stderr)
        return 2
    targets = (
        qs.select_related("project", "unit", "department")
        .prefetch_related("indicators", "tasks")
        .order_by("department__code", "unit__code", "id")
    )
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    excel.write_targets(targets, output)
    print(f"已导出 {count} 个绩效目标：{output}")
    return 0


def import_targets(path: str, dry_run: bool = False, *, username: str = "admin") -> int:
    """Check the workbook, then (unless dry_run) save every changed sheet in one transaction. Exit code 1 on errors."""
    from wenxiao.orgs.selectors import cli_user
    from wenxiao.targets import excel

    user = cli_user(username)
    if user is None:
        return 2
    if not Path(path).is_file():
        print(f"文件不存在：{path}", file=sys.stderr)
        return 2
    try:
        sheets = excel.read_targets(path)
    except excel.ImportFileError as e:
        print(e.message, file=sys.stderr)
        return 1
    result = excel.validate(sheets, user)
    for plan in result.plans:
        print(f"{plan.sheet}：{plan.status_label}" + (f"（{plan.note}）" if plan.note else ""))
        for line in plan.change_lines:
            print(f"    {line}")
    if not result.ok:
        print(f"\n发现 {len(result.errors)} 处错误，未导入任何内容：", file=sys.stderr)
        print(excel.error_table(result.errors), file=sys.stderr)
        return 1
    if dry_run:
        print(f"\n检查通过（试运行，未写入）：将更新 {len(result.changed)} 个绩效目标。")
        return 0
    outcome = excel.commit(result, user, file_name=Path(path).name)
    if not outcome.ok:
        print("\n写入时发现问题，已全部撤销：", file=sys.stderr)
        print(excel.error_table(outcome.errors), file=sys.stderr)
        return 1
    print(f"\n已导入：更新 {len(outcome.saved)} 个绩效目标。")
    return 0

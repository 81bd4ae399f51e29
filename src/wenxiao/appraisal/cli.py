"""`wenxiao appraisal list --year Y` and `wenxiao appraisal report ID -o FILE`: 事前绩效评估 from the command line.

The command runs as a named account (`--user`, default "admin") whose scope applies exactly as on the web: the list
shows the appraisals that account can see, and a report is written only for an appraisal it can see. Django must be
set up before these functions are called (wenxiao.cli does that).
"""

from __future__ import annotations

import sys
import unicodedata
from decimal import Decimal
from pathlib import Path

HEADERS = ("项目代码", "项目名称", "主管部门", "申请金额（万元）", "状态", "得分", "结论")
RIGHT = {3, 5}  # right-aligned columns (amounts and scores)
NAME_WIDTH = 40  # display columns a long project name is cut to


def _width(text: str) -> int:
    """Display width in a terminal: CJK (wide and full-width) characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cut(text: str, width: int) -> str:
    if _width(text) <= width:
        return text
    out, used = "", 0
    for ch in text:
        w = _width(ch)
        if used + w > width - 1:
            break
        out, used = out + ch, used + w
    return out + "…"


def _pad(text: str, width: int, right: bool = False) -> str:
    fill = " " * max(width - _width(text), 0)
    return fill + text if right else text + fill


def _score(a) -> str:
    if a.final_total is not None:
        return f"{a.final_total:.2f}"
    if a.self_total is not None:
        return f"{a.self_total:.2f}（自评）"
    return "—"


def list_appraisals(year: int, username: str = "admin", out=sys.stdout) -> int:
    """Print the year's appraisals visible to the user as a table; exit code 0 (2 for an unknown user)."""
    from wenxiao.appraisal.models import Appraisal
    from wenxiao.appraisal.scoring import CONCLUSIONS
    from wenxiao.orgs.selectors import cli_user

    user = cli_user(username)
    if user is None:
        return 2
    items = list(
        Appraisal.objects.visible_to(user)
        .filter(year=year)
        .select_related("project", "department")
        .order_by("department__code", "project__code", "id")
    )
    rows = [
        (
            a.project.code,
            _cut(a.project.name, NAME_WIDTH),
            a.department.name,
            f"{Decimal(a.amount_requested or 0) / 10000:,.2f}",
            a.state_label,
            _score(a),
            CONCLUSIONS.get(a.conclusion, "—")
            + ("（已调整）" if a.conclusion == "adjust" and a.adjustment_done else ""),
        )
        for a in items
    ]
    if not rows:
        print(f"没有可查看的 {year} 年度事前绩效评估。", file=out)
        return 0
    widths = [max(_width(str(r[c])) for r in [HEADERS, *rows]) for c in range(len(HEADERS))]
    for i, row in enumerate([HEADERS, *rows]):
        print("  ".join(_pad(str(v), widths[c], c in RIGHT and i > 0) for c, v in enumerate(row)).rstrip(), file=out)
        if i == 0:
            print("  ".join("-" * w for w in widths), file=out)
    total = sum((Decimal(a.amount_requested or 0) for a in items), Decimal(0))
    print(f"\n共 {len(rows)} 个评估，申请财政资金合计 {total / 10000:,.2f} 万元。", file=out)
    return 0


def write_report(appraisal_id: int, output: str, username: str = "admin") -> int:
    """Write the 事前绩效评估报告 as .docx or .pdf (by the file's extension). Exit code 1 when it cannot."""
    from wenxiao.appraisal import report
    from wenxiao.appraisal.models import Appraisal
    from wenxiao.orgs.selectors import cli_user

    user = cli_user(username)
    if user is None:
        return 2
    suffix = Path(output).suffix.lower()
    if suffix not in (".docx", ".pdf"):
        print("输出文件名应以 .docx（Word）或 .pdf 结尾。", file=sys.stderr)
        return 1
    a = (
        Appraisal.objects.visible_to(user)
        .select_related("project", "unit", "department", "concluded_by")
        .filter(pk=appraisal_id)
        .first()
    )
    if a is None:
        print(f"事前绩效评估 {appraisal_id} 不存在，或不在用户 {username} 的查看范围内。", file=sys.stderr)
        return 1
    try:
        data = report.render_docx(a) if suffix == ".docx" else report.render_pdf(a)
    except report.ReportUnavailable as e:
        print(e.message, file=sys.stderr)
        return 1
    path = Path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    print(f"已生成事前绩效评估报告（{a.project.name}）：{output}")
    return 0

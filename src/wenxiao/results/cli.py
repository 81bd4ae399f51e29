"""`wenxiao report government|npc` and `wenxiao rectification list|remind`: 结果应用 from the command line."""

from __future__ import annotations

import sys
from pathlib import Path


def report(args) -> int:
    from wenxiao.cli import _setup

    _setup()
    from wenxiao.orgs.selectors import cli_user, home_region
    from wenxiao.results import report as rep

    user = cli_user(args.user)
    if user is None:
        return 2
    region = home_region(user, ("performance", "viewer", "sysadmin"))
    if region is None:
        print("该账号不是绩效科、监督查看或系统管理员，不能生成报告。", file=sys.stderr)
        return 2
    out = Path(args.output)
    if out.suffix.lower() != ".docx":
        print("输出文件应为 .docx", file=sys.stderr)
        return 2
    build = rep.government_docx if args.report_command == "government" else rep.npc_docx
    out.write_bytes(build(user, args.year, region.name))
    print(f"已生成 {out}")
    return 0


def rectification(args) -> int:
    from wenxiao.cli import _setup

    _setup()
    from wenxiao.orgs.selectors import cli_user
    from wenxiao.results import selectors, services

    user = cli_user(args.user)
    if user is None:
        return 2
    if args.rectification_command == "remind":
        n = services.refresh_overdue_todos()
        print(f"已在待办中标注逾期整改事项{n}项。")
        return 0
    qs = selectors.items(user, args.year, overdue=args.overdue, state=args.state, source=args.source).order_by(
        "deadline", "id"
    )
    n = 0
    for it in qs:
        late = "逾期" if it.is_overdue else ""
        print(
            f"{it.pk}\t{it.get_source_display()}\t{it.unit.name}\t{it.deadline:%Y-%m-%d}{late}\t{it.state_label}\t"
            f"{it.problem[:60]}"
        )
        n += 1
    print(f"共{n}项。", file=sys.stderr)
    return 0


def add_parsers(sub, imsub) -> None:
    """Add this app's subcommands to the `wenxiao` parser (`sub`) and to `wenxiao import` (`imsub`)."""
    rp = sub.add_parser("report", help="报告（Word）")
    rsub = rp.add_subparsers(dest="report_command", required=True)
    kinds = (("government", "向政府报告年度预算绩效管理工作（11月）"), ("npc", "向人大的预算绩效管理专题报告"))
    for kind, text in kinds:
        p = rsub.add_parser(kind, help=text)
        p.add_argument("--year", type=int, required=True)
        p.add_argument("-o", "--output", required=True, help="输出文件 .docx")
        p.add_argument("--user", default="jxk", help="按该账号的数据范围生成（绩效科、人大或审计查看账号）")
        p.set_defaults(func=report)
    from wenxiao.oversight.cli import work_report  # the annual work report (R53) lives with 考核

    w = rsub.add_parser("work", help="年度预算绩效管理工作情况报告（各项统计由系统数据计算）")
    w.add_argument("--year", type=int, required=True)
    w.add_argument("--region", default="", help="区划代码，默认为该账号所在区划（含下级）")
    w.add_argument("-o", "--output", required=True, help="输出文件 .docx")
    w.add_argument("--user", default="jxk", help="按该账号的区划生成（绩效科、人大或系统管理员）")
    w.set_defaults(func=work_report)

    rc = sub.add_parser("rectification", help="整改台账")
    csub = rc.add_subparsers(dest="rectification_command", required=True)
    ls = csub.add_parser("list", help="列出整改事项")
    ls.add_argument("--overdue", action="store_true", help="只列逾期未销号的事项")
    ls.add_argument("--year", type=int, default=None)
    ls.add_argument("--state", default="", help="draft/rectifying/fed_back/verified/returned")
    ls.add_argument("--source", default="", help="monitoring/target_review/selfeval_review/key_eval/audit/npc/…")
    ls.add_argument("--user", default="jxk", help="按该账号的数据范围列出")
    ls.set_defaults(func=rectification)
    rm = csub.add_parser("remind", help="在待办中标注逾期整改事项（可每日定时运行）")
    rm.add_argument("--user", default="admin")
    rm.set_defaults(func=rectification)

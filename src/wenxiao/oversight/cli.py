"""`wenxiao oversight …`: compute an assessment round's metrics and write its 通报 from the command line."""

from __future__ import annotations

import sys
from pathlib import Path


def oversight(args) -> int:
    from wenxiao.cli import _setup

    _setup()
    from wenxiao.core.errors import ServiceError, error_text
    from wenxiao.orgs.selectors import cli_user
    from wenxiao.oversight import report, services
    from wenxiao.oversight.models import AssessmentRound

    user = cli_user(args.user)
    if user is None:
        return 2
    try:
        if args.oversight_command == "run":
            s = services.do_run_metrics(args.round_id, actor=user)
            rnd = AssessmentRound.objects.get(pk=args.round_id)
            print(f"“{rnd.name}”：计算系统指标{s.metrics}项，取得数值{s.computed}个，无相关业务{s.empty}个。")
            for sub in rnd.subjects.order_by("rank", "code"):
                missing = f"（缺{sub.missing}项）" if sub.missing else ""
                total = sub.total if sub.total is not None else "—"
                print(f"  {sub.rank or '—':>3}  {sub.name}  {total}  {sub.grade}{missing}")
            return 0
        rnd = (
            AssessmentRound.objects.visible_to(user).select_related("region", "scheme").filter(pk=args.round_id).first()
        )
        if rnd is None:
            print(f"考核轮次 {args.round_id} 不存在或无权查看。", file=sys.stderr)
            return 1
        out = Path(args.output)
        body = report.round_xlsx(user, rnd) if out.suffix.lower() == ".xlsx" else report.round_docx(user, rnd)
        out.write_bytes(body)
        print(f"已写入 {out}（{len(body):,} 字节）。")
        return 0
    except ServiceError as e:
        print(error_text(e), file=sys.stderr)
        return 1


def work_report(args) -> int:
    """`wenxiao report work --year Y [--region CODE] -o FILE.docx` (the parser sits with the other reports)."""
    from wenxiao.cli import _setup

    _setup()
    from wenxiao.orgs.models import Region
    from wenxiao.orgs.selectors import cli_user, home_region
    from wenxiao.oversight import work_report as wr

    user = cli_user(args.user)
    if user is None:
        return 2
    home = home_region(user, ("performance", "viewer", "sysadmin"))
    region = Region.objects.filter(code=args.region).first() if args.region else home
    if home is None or region is None or not region.path.startswith(home.path):
        print("该账号不能生成这个区划的工作报告（区划不存在或不在其范围内）。", file=sys.stderr)
        return 2
    Path(args.output).write_bytes(wr.render_docx(region, args.year))
    print(f"已生成 {args.output}（{region.name}{args.year}年度）")
    return 0


def add_parsers(sub, imsub) -> None:
    """Add this app's subcommands to the `wenxiao` parser (`sub`) and to `wenxiao import` (`imsub`)."""
    p = sub.add_parser("oversight", help="考核与综合评价")
    osub = p.add_subparsers(dest="oversight_command", required=True)
    run = osub.add_parser("run", help="计算考核轮次的系统指标并重新评分、排名")
    run.add_argument("round_id", type=int)
    run.add_argument("--user", default="jxk", help="以该账号（组织考核的绩效科）办理")
    run.set_defaults(func=oversight)
    rep = osub.add_parser("report", help="生成考核通报（.docx）或结果表（.xlsx）")
    rep.add_argument("round_id", type=int)
    rep.add_argument("-o", "--output", required=True, help="输出文件，如 通报.docx 或 结果.xlsx")
    rep.add_argument("--user", default="jxk", help="以该账号的查看范围生成")
    rep.set_defaults(func=oversight)

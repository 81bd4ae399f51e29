"""`wenxiao import payments` and `wenxiao monitor …`: the payments ingest and monitoring from the command line."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path


def import_payments(args) -> int:
    from wenxiao.cli import _setup

    _setup()
    from wenxiao.core.errors import ServiceError, error_text
    from wenxiao.orgs.selectors import cli_user
    from wenxiao.projects import ingest, payments_file

    user = cli_user(args.user)
    if user is None:
        return 2
    path = Path(args.file)
    if not path.is_file():
        print(f"文件不存在：{path}", file=sys.stderr)
        return 2
    try:
        result = ingest.import_payments(path.read_bytes(), path.name, actor=user, dry_run=args.dry_run, year=args.year)
    except ServiceError as e:
        print(error_text(e), file=sys.stderr)
        return 1
    if result.errors:
        for e in result.errors[:50]:
            where = f"第{e.row}行" if e.row else ""
            print(f"{where} {e.column}：{e.message}（{e.value}）".strip(), file=sys.stderr)
        if len(result.errors) > 50:
            print(f"……共{len(result.errors)}处错误", file=sys.stderr)
        if args.errors:
            Path(args.errors).write_bytes(payments_file.error_report_xlsx(result.errors, path.name))
            print(f"错误报告已写入 {args.errors}", file=sys.stderr)
        print(result.summary(), file=sys.stderr)
        return 1
    print(result.summary())
    return 0


def _region(user, code: str):
    from wenxiao.orgs.models import Region
    from wenxiao.orgs.selectors import home_region

    if code:
        return Region.objects.filter(code=code).first()
    return home_region(user, ("performance", "sysadmin"))


def monitor(args) -> int:
    from wenxiao.cli import _setup

    _setup()
    from wenxiao.core.errors import ServiceError, error_text
    from wenxiao.monitoring import services
    from wenxiao.orgs.selectors import cli_user

    user = cli_user(args.user)
    if user is None:
        return 2
    try:
        if args.monitor_command == "run":
            region = _region(user, args.region)
            if region is None:
                print("找不到区划：请用 --region 指定区划代码。", file=sys.stderr)
                return 2
            as_of = date.fromisoformat(args.as_of) if args.as_of else date.today()
            s = services.run_warnings(region, args.year, as_of, actor=user)
            print(
                f"{region.name}{s.year}年度预警（截至{s.as_of}）：{s.projects}个项目，红灯{s.red}条，黄灯{s.yellow}条，"
                f"消除{s.cleared}条，用时{s.seconds:.1f}秒。"
            )
            return 0
        rnd = services.do_open_round(
            actor=user,
            year=args.year,
            name=args.name or f"{args.year}年1—{date.fromisoformat(args.period_end).month}月预算绩效运行监控",
            period_end=date.fromisoformat(args.period_end),
            deadline=date.fromisoformat(args.deadline),
            kind=args.kind,
            department_id=_department_id(args.department),
        )
        print(f"已发起“{rnd.name}”（编号{rnd.pk}），下发监控表{rnd.forms.count()}张。")
        return 0
    except ServiceError as e:
        print(error_text(e), file=sys.stderr)
        return 1
    except ValueError as e:
        print(f"日期格式应为 YYYY-MM-DD：{e}", file=sys.stderr)
        return 2


def _department_id(code: str) -> int | None:
    from wenxiao.orgs.models import Organisation

    if not code:
        return None
    org = Organisation.objects.filter(code=code, kind="department").first()
    return org.pk if org else -1


def add_parsers(sub, import_sub) -> None:
    ip = import_sub.add_parser("payments", help="导入国库集中支付数据（CSV/XLSX/JSON；全部无误才写入）")
    ip.add_argument("file")
    ip.add_argument("--dry-run", action="store_true", help="只校验，不写入")
    ip.add_argument("--year", type=int, help="只接受该年度的支付")
    ip.add_argument("--errors", help="有错误时把逐行错误报告写入该 .xlsx 文件")
    ip.add_argument("--user", default="admin", help="以该账号的身份和权限导入")
    ip.set_defaults(func=import_payments)

    mon = sub.add_parser("monitor", help="绩效运行监控")
    msub = mon.add_subparsers(dest="monitor_command", required=True)
    run = msub.add_parser("run", help="运行监控预警")
    run.add_argument("--year", type=int, required=True)
    run.add_argument("--as-of", help="截至日期 YYYY-MM-DD，默认今天")
    run.add_argument("--region", default="", help="区划代码，默认为该账号所在区划")
    run.add_argument("--user", default="admin")
    run.set_defaults(func=monitor)
    rnd = msub.add_parser("round", help="监控轮次")
    rsub = rnd.add_subparsers(dest="round_command", required=True)
    rc = rsub.add_parser("create", help="发起监控轮次，为范围内已批复绩效目标的项目生成监控表")
    rc.add_argument("--year", type=int, required=True)
    rc.add_argument("--period-end", required=True, help="数据截止日期（月末），如 2026-07-31")
    rc.add_argument("--deadline", required=True, help="报送截止日期")
    rc.add_argument("--name", default="")
    rc.add_argument("--kind", default="concentrated", choices=["concentrated", "checkpoint", "key"])
    rc.add_argument("--department", default="", help="只监控该主管部门（代码）")
    rc.add_argument("--user", default="jxk", help="发起人账号（绩效科或主管部门）")
    rc.set_defaults(func=monitor, monitor_command="round")

"""`wenxiao publish`: publish items on the disclosure site in bulk (as a 绩效科 account)."""

from __future__ import annotations

import sys

KINDS = ("target", "monitoring_summary", "selfeval", "evaluation_report")  # Publication.Kind, Django not set up yet


def publish(args) -> int:
    from wenxiao.cli import _setup

    _setup()
    from wenxiao.core.errors import ServiceError, error_text
    from wenxiao.disclosure import services
    from wenxiao.orgs.models import Organisation
    from wenxiao.orgs.selectors import cli_user

    user = cli_user(args.user)
    if user is None:
        return 2
    department_id = None
    if args.department:
        org = Organisation.objects.filter(code=args.department, kind="department").first()
        if org is None:
            print(f"找不到主管部门：{args.department}", file=sys.stderr)
            return 2
        department_id = org.pk
    try:
        result = services.do_publish(
            actor=user, kind=args.kind, year=args.year, department_id=department_id, with_pdf=not args.no_pdf
        )
    except ServiceError as e:
        print(error_text(e), file=sys.stderr)
        return 1
    print(result.summary())
    for p in result.publications[:20]:
        print(f"  {p.pk}\t{p.department_name}\t{p.title}")
    if len(result.publications) > 20:
        print(f"  ……共{len(result.publications)}项")
    return 0


def add_parsers(sub, imsub) -> None:
    """Add this app's subcommands to the `wenxiao` parser (`sub`) and to `wenxiao import` (`imsub`)."""
    p = sub.add_parser("publish", help="信息公开：批量公开已批复目标、监控情况、自评结果或评价报告")
    p.add_argument("--kind", required=True, choices=KINDS)
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--department", default="", help="只公开该主管部门（代码）的事项")
    p.add_argument("--user", default="jxk", help="以该绩效科账号公开")
    p.add_argument("--no-pdf", action="store_true", help="评价报告不生成 PDF")
    p.set_defaults(func=publish)

"""`wenxiao partners draw …` and `wenxiao partners ranking …`: expert draws and the agency ranking from the shell."""

from __future__ import annotations

import sys


def draw(args) -> int:
    from wenxiao.cli import _setup

    _setup()
    from wenxiao.core.errors import ServiceError, error_text
    from wenxiao.orgs.models import Organisation
    from wenxiao.orgs.selectors import cli_user, home_region
    from wenxiao.partners import selectors, services

    user = cli_user(args.user)
    if user is None:
        return 2
    unit = Organisation.objects.visible_to(user).filter(code=args.unit, kind__in=["unit", "department"]).first()
    if unit is None:
        print(f"找不到单位 {args.unit}（或无权对其抽取专家）。", file=sys.stderr)
        return 2
    try:
        d = services.do_draw_experts(
            region=unit.region if selectors.is_writer(user, unit.region) else home_region(user, ("performance",)),
            subject_org=unit,
            count=args.count,
            fields=args.field or [],
            purpose=args.purpose or f"{unit.name}评审专家抽取",
            actor=user,
        )
    except ServiceError as e:
        print(error_text(e), file=sys.stderr)
        return 1
    print(f"抽取记录 {d.pk}：{unit.name}，抽取{d.count}名（符合条件{d.pool_size}名，回避或不可用{len(d.excluded)}名）")
    for m in d.members.select_related("expert").order_by("order"):
        e = m.expert
        print(f"{m.order}\t{e.name}\t{e.title}\t{e.employer}\t{'、'.join(e.fields)}")
    return 0


def ranking(args) -> int:
    from wenxiao.cli import _setup

    _setup()
    from wenxiao.orgs.models import Region
    from wenxiao.orgs.selectors import cli_user, home_region
    from wenxiao.partners import quality, selectors

    user = cli_user(args.user)
    if user is None:
        return 2
    region = (
        Region.objects.filter(code=args.region).first()
        if args.region
        else home_region(user, ("performance", "business", "sysadmin"))
    )
    if region is None or not selectors.is_reader(user):
        print("找不到区划或无权查看机构排名：请用 --region 指定区划代码。", file=sys.stderr)
        return 2
    rows = selectors.ranking(user, region, args.year)
    if not rows:
        print(f"{region.name}{args.year}年度没有可排名的机构。")
        return 0
    print(f"{region.name}{args.year}年度第三方机构质量考核排名")
    print("名次\t机构\t报告数\t平均分\t结果")
    for row in rows:
        r = row["r"]
        result = ("末位淘汰：" if r.eliminated else "") + "；".join(r.reasons)
        mean = quality.fmt(r.mean) if r.mean is not None else "—"
        print(f"{r.rank or '—'}\t{row['agency'].name}\t{r.n}\t{mean}\t{result}")
    return 0


def add_parsers(sub, imsub) -> None:
    """Add this app's subcommands to the `wenxiao` parser (`sub`) and to `wenxiao import` (`imsub`)."""
    p = sub.add_parser("partners", help="第三方机构与专家：专家抽取、机构排名")
    psub = p.add_subparsers(dest="partners_command", required=True)
    d = psub.add_parser("draw", help="为被评价单位随机抽取专家（自动回避）")
    d.add_argument("--unit", required=True, help="被评价单位代码")
    d.add_argument("--count", type=int, required=True, help="抽取人数")
    d.add_argument("--field", action="append", help="专业领域，可重复")
    d.add_argument("--purpose", default="", help="抽取事由")
    d.add_argument("--user", default="admin", help="以该账号（绩效科）的身份抽取")
    d.set_defaults(func=draw)
    r = psub.add_parser("ranking", help="第三方机构年度质量考核排名")
    r.add_argument("--year", type=int, required=True)
    r.add_argument("--region", default="", help="区划代码，默认为该账号所在区划")
    r.add_argument("--user", default="admin", help="以该账号的身份查看")
    r.set_defaults(func=ranking)

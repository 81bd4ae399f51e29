"""`wenxiao cockpit refresh [--year Y] [--region CODE]`: recompute the cockpit snapshots (e.g. nightly from cron)."""

from __future__ import annotations

import sys


def refresh(args) -> int:
    from wenxiao.cli import _setup

    _setup()
    from django.conf import settings

    from wenxiao.cockpit.services import refresh_all
    from wenxiao.core import audit
    from wenxiao.orgs.models import Region

    year = args.year or settings.FISCAL_YEAR
    region = None
    if args.region:
        region = Region.objects.filter(code=args.region).first()
        if region is None:
            print(f"区划代码 {args.region} 不存在。", file=sys.stderr)
            return 2
    result = refresh_all(year, region)
    audit.record(
        None,
        "cockpit.refresh",
        object_type="cockpit",
        object_repr=f"命令行刷新{region.name if region else '全部区划'}{year}年度驾驶舱",
        region_id=region.pk if region else None,
    )
    print(
        f"已刷新{year}年度驾驶舱：区划{result['regions']}个、主管部门{result['departments']}个，"
        f"用时{result['seconds']:.1f}秒。"
    )
    return 0


def add_parsers(sub, imsub) -> None:
    p = sub.add_parser("cockpit", help="领导驾驶舱")
    csub = p.add_subparsers(dest="cockpit_command", required=True)
    r = csub.add_parser("refresh", help="重新计算驾驶舱数据（区划含下级及其主管部门）")
    r.add_argument("--year", type=int, default=None, help="年度，默认为当前预算年度")
    r.add_argument("--region", default="", help="区划代码，默认全部区划")
    r.set_defaults(func=refresh)

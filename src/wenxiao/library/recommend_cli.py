"""`wenxiao recommend --name TEXT [--function-code C] [--amount YUAN] [--top K] [--json] [--with-db]`.

Without --with-db it uses the built-in library (no database, no Django); with it, the published library and
the approved targets in the database (Django is set up here if the caller has not done it).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from decimal import Decimal, InvalidOperation

from wenxiao.library.recommend import Recommender, builtin, fmt


def _db_recommender() -> Recommender:
    from django.apps import apps

    if not apps.ready:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenxiao.settings")
        import django

        django.setup()
    from wenxiao.library.recommend_db import recommender_for

    return recommender_for()


def recommend_command(
    name: str,
    function_code: str = "",
    amount=None,
    top: int = 10,
    as_json: bool = False,
    with_db: bool = False,
    out=sys.stdout,
    description: str = "",
) -> int:
    """Print the suggestions for a project; 0 on success, 2 on bad input."""
    name = (name or "").strip()
    if not name:
        print("请用 --name 给出项目名称。", file=sys.stderr)
        return 2
    if amount not in (None, ""):
        try:
            amount = float(Decimal(str(amount).replace(",", "")))
        except InvalidOperation:
            print(f"金额“{amount}”无法识别，请以元为单位填写数字。", file=sys.stderr)
            return 2
    else:
        amount = None
    rec = _db_recommender() if with_db else builtin()
    suggestions = rec.recommend(name, description, function_code or "", amount=amount, top=top)
    if as_json:
        payload = {
            "query": {"name": name, "function_code": function_code or "", "amount": amount, "top": top},
            "source": "database" if with_db else "builtin",
            "suggestions": [s.to_dict() for s in suggestions],
        }
        json.dump(payload, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    where = "指标库及已批复目标" if with_db else "内置指标库"
    print(f"“{name}”的推荐指标（{where}，前{len(suggestions)}个）：", file=out)
    for i, s in enumerate(suggestions, 1):
        value = s.suggested_value or "—"
        unit = f" {s.unit}" if s.unit and s.unit != "%" else ""
        print(f"{i:>2}. [{s.level1}/{s.level2}] {s.name}  建议值 {value}{unit}  （得分 {fmt(s.score)}）", file=out)
        for reason in s.why:
            print(f"      · {reason}", file=out)
    if not suggestions:
        print("  （没有可推荐的指标）", file=out)
    return 0


def add_parser(sub) -> argparse.ArgumentParser:
    """Register `recommend` on the `wenxiao` subparsers; the handler is `run`."""
    p = sub.add_parser("recommend", help="按项目名称、功能分类推荐绩效指标（默认只用内置指标库）")
    p.add_argument("--name", required=True, help="项目名称")
    p.add_argument("--description", default="", help="立项依据及主要内容（可选）")
    p.add_argument("--function-code", default="", help="支出功能分类科目编码，如 2050202")
    p.add_argument("--amount", default=None, help="年度资金总额（元）")
    p.add_argument("--top", type=int, default=10)
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.add_argument("--with-db", action="store_true", help="加入数据库中的指标库及已批复目标")
    p.set_defaults(func=run)
    return p


def run(args) -> int:
    return recommend_command(
        args.name,
        args.function_code,
        args.amount,
        args.top,
        args.json,
        args.with_db,
        description=args.description,
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="wenxiao")
    add_parser(p.add_subparsers(dest="command", required=True))
    args = p.parse_args(["recommend", *(sys.argv[1:] if argv is None else argv)])
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())

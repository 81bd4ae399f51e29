"""`wenxiao import selfeval` and `wenxiao evaluation report`: 绩效评价 from the command line.

(`wenxiao score selfeval FILE` scores a table without any database: evaluation/score_cli.py.)
"""

from __future__ import annotations

import sys
from pathlib import Path


def import_selfeval(args) -> int:
    from wenxiao.cli import _setup

    _setup()
    from django.db import transaction

    from wenxiao.core.errors import ServiceError
    from wenxiao.evaluation.selfeval_import import import_selfeval as run
    from wenxiao.orgs.selectors import cli_user

    user = cli_user(args.user)
    if user is None:
        return 2
    path = Path(args.file)
    if not path.is_file():
        print(f"文件不存在：{path}", file=sys.stderr)
        return 2
    try:
        with transaction.atomic():
            result = run(user, path.read_bytes(), path.name)
            if args.dry_run:
                transaction.set_rollback(True)
    except ServiceError as e:
        print(e.message, file=sys.stderr)
        for where, problems in e.errors.items():
            for p in problems:
                print(f"  {where}：{p}", file=sys.stderr)
        return 1
    for f in result.forms:
        flags = "、".join(f.flag_codes) or "无"
        print(f"{f.subject_name}：规则得分 {f.score}（{f.grade}），可信度提示 {flags}")
    print(("校验通过（未写入）：" if args.dry_run else "") + result.message)
    return 0


def report(args) -> int:
    from wenxiao.cli import _setup

    _setup()
    from wenxiao.core.errors import ServiceError
    from wenxiao.evaluation import report as reports
    from wenxiao.evaluation.models import Evaluation
    from wenxiao.orgs.selectors import cli_user

    user = cli_user(args.user)
    if user is None:
        return 2
    ev = Evaluation.objects.visible_to(user).filter(pk=args.id).first()
    if ev is None:
        print(f"评价 {args.id} 不存在或账号 {args.user} 无权查看。", file=sys.stderr)
        return 1
    out = Path(args.output)
    try:
        data = reports.render_pdf(ev) if out.suffix.lower() == ".pdf" else reports.render_docx(ev)
    except ServiceError as e:
        print(e.message, file=sys.stderr)
        return 1
    out.write_bytes(data)
    print(f"已生成 {out}（{ev.title}，{ev.state_label}）")
    return 0


def add_parsers(sub, imsub) -> None:
    """Add this app's subcommands to the `wenxiao` parser (`sub`) and to `wenxiao import` (`imsub`)."""
    ip = imsub.add_parser("selfeval", help="导入离线填写的项目支出绩效自评表（xlsx；全部无误才写入）")
    ip.add_argument("file")
    ip.add_argument("--user", default="dw", help="以该账号（预算单位或主管部门）的身份导入")
    ip.add_argument("--dry-run", action="store_true", help="只校验，不写入")
    ip.set_defaults(func=import_selfeval)

    ev = sub.add_parser("evaluation", help="绩效评价")
    esub = ev.add_subparsers(dest="evaluation_command", required=True)
    er = esub.add_parser("report", help="生成评价报告（.docx 或 .pdf，按10号附件3提纲）")
    er.add_argument("id", type=int, help="评价编号")
    er.add_argument("-o", "--output", required=True)
    er.add_argument("--user", default="jxk", help="按该账号的数据范围生成")
    er.set_defaults(func=report)

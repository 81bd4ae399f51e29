"""`wenxiao exchange push KIND FILE` and `wenxiao exchange drop [--once]`: the 一体化 interface for operators.

The file-drop directory is `WENXIAO_DATA_DIR/exchange/`:

    inbox/<kind>/   files put here by the 一体化 side (kind: projects, budgets, payments)
    done/<kind>/    processed files (written, or nothing new), each with `<file>.result.json` beside it
    failed/<kind>/  refused files (row errors; nothing written), each with `<file>.result.json` beside it
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

KINDS = ("projects", "budgets", "payments")  # fields.KINDS; Django is not set up when the parser is built
PARTIAL_SUFFIXES = (".tmp", ".part", ".partial", ".swp")  # files still being written by the sender


def exchange_dir() -> Path:
    from django.conf import settings

    return Path(settings.DATA_DIR) / "exchange"


def _print_report(report: dict) -> None:
    out = sys.stderr if report["errors"] else sys.stdout
    for e in report["errors"][:50]:
        where = f"第{e['row']}行" if e["row"] else ""
        field = f"{e['label']}（{e['field']}）" if e["field"] else e["label"]
        print(f"{where} {field}：{e['message']}（{e['value']}）".strip(), file=out)
    if len(report["errors"]) > 50:
        print(f"……共{len(report['errors'])}处错误", file=out)
    print(report["summary"], file=out)


def push(args) -> int:
    from wenxiao.cli import _setup

    _setup()
    from wenxiao.core.errors import ServiceError, error_text
    from wenxiao.exchange import services
    from wenxiao.orgs.selectors import cli_user

    user = cli_user(args.user)
    if user is None:
        return 2
    path = Path(args.file)
    if not path.is_file():
        print(f"文件不存在：{path}", file=sys.stderr)
        return 2
    try:
        report, batch = services.do_push(
            args.kind, actor=user, source="cli", data=path.read_bytes(), file_name=path.name, dry_run=args.dry_run
        )
    except ServiceError as e:
        print(error_text(e), file=sys.stderr)
        return 1
    result = report.as_dict(batch)
    if args.report:
        Path(args.report).write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    _print_report(result)
    return 1 if report.errors else 0


def process_inbox(user, root: Path | None = None) -> list[tuple[Path, dict]]:
    """Process every file waiting in inbox/<kind>/ (oldest first); move each to done/ or failed/ with its report."""
    from wenxiao.core.errors import ServiceError, error_text
    from wenxiao.exchange import services

    root = root or exchange_dir()
    handled = []
    for kind in KINDS:
        inbox = root / "inbox" / kind
        inbox.mkdir(parents=True, exist_ok=True)
        files = [
            p
            for p in inbox.iterdir()
            if p.is_file() and not p.name.startswith(".") and not p.name.endswith(PARTIAL_SUFFIXES)
        ]
        for path in sorted(files, key=lambda p: (p.stat().st_mtime, p.name)):
            data = path.read_bytes()
            try:
                report, batch = services.do_push(kind, actor=user, source="file", data=data, file_name=path.name)
                result = report.as_dict(batch)
            except ServiceError as e:  # the account may not push: leave the file for a run with the right account
                print(f"{path.name}：{error_text(e)}", file=sys.stderr)
                return handled
            target = root / ("failed" if result["errors"] else "done") / kind
            target.mkdir(parents=True, exist_ok=True)
            dest = target / path.name
            if dest.exists():  # the same name was delivered before: keep both
                dest = target / f"{path.stem}.{time.strftime('%Y%m%d%H%M%S')}{path.suffix}"
            path.replace(dest)
            dest.with_name(dest.name + ".result.json").write_text(
                json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8"
            )
            handled.append((dest, result))
    return handled


def drop(args) -> int:
    from wenxiao.cli import _setup

    _setup()
    from wenxiao.orgs.selectors import cli_user

    user = cli_user(args.user)
    if user is None:
        return 2
    root = exchange_dir()
    print(f"文件交换目录：{root}/inbox/<{'|'.join(KINDS)}>/")
    while True:
        for dest, result in process_inbox(user, root):
            print(f"{dest.parent.parent.name}/{dest.parent.name}/{dest.name}：{result['summary']}")
        if args.once:
            return 0
        time.sleep(args.interval)


def add_parsers(sub, imsub) -> None:
    ex = sub.add_parser("exchange", help="预算管理一体化数据交换：推送批次文件、处理文件交换目录")
    exsub = ex.add_subparsers(dest="exchange_command", required=True)
    p = exsub.add_parser("push", help="推送一个批次文件（JSON、CSV 或 XLSX），全部校验通过才写入")
    p.add_argument("kind", choices=KINDS)
    p.add_argument("file")
    p.add_argument("--user", default="admin", help="以该账号（绩效科或系统管理员）的身份和辖区推送")
    p.add_argument("--dry-run", action="store_true", help="只校验，不写入")
    p.add_argument("--report", default="", help="把结果报告（JSON）写入该文件")
    p.set_defaults(func=push)
    d = exsub.add_parser("drop", help="处理文件交换目录 WENXIAO_DATA_DIR/exchange/inbox/<类别>/ 中的文件")
    d.add_argument("--once", action="store_true", help="处理一遍后退出（默认持续监视）")
    d.add_argument("--interval", type=float, default=10.0, help="监视间隔（秒）")
    d.add_argument("--user", default="admin", help="以该账号（绩效科或系统管理员）的身份和辖区处理")
    d.set_defaults(func=drop)

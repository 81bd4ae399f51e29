"""The `wenxiao` command for operators: demo, serve, worker, seed, accounts, tokens, audit, bench."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenxiao.settings")
    import django

    django.setup()


def _migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


DEFAULT_PASSWORD = "wenxiao2026"


def cmd_demo(args) -> int:
    _setup()
    from django.conf import settings

    from wenxiao.projects.models import Project
    from wenxiao.seed.generate import DEMO_USERS, seed, set_demo_passwords

    print(f"数据库：{settings.DATABASES['default']['NAME']}")
    print("迁移数据库 …")
    _migrate()
    if not Project.objects.exists():
        print("生成演示数据 …")
        started = time.perf_counter()
        counts = seed("demo", year=settings.FISCAL_YEAR, seed=1, password=args.password)
        print(f"完成（{time.perf_counter() - started:.1f} 秒）：{counts}")
    else:
        set_demo_passwords(args.password)
        print("已有数据，跳过生成；演示账号密码已重置。")
    print(f"\n演示账号（密码均为 {args.password}）：")
    for username, display, role, _ in DEMO_USERS:
        print(f"  {username:<11} {display}（{role.label}）")
    if args.no_serve:
        return 0
    print(f"\n网站地址：http://127.0.0.1:{args.port}/  （Ctrl-C 停止）")
    return _serve_with_worker(args.port, workers=2)


def _serve_with_worker(port: int, workers: int) -> int:
    env = dict(os.environ)
    worker = subprocess.Popen([sys.executable, "-m", "wenxiao.cli", "worker"], env=env)
    try:
        return _gunicorn(port, workers)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()


def _gunicorn(port: int, workers: int, host: str = "127.0.0.1") -> int:
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "wenxiao.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        "--timeout",
        "120",
    ]
    return subprocess.call(cmd)


def cmd_serve(args) -> int:
    _setup()
    _migrate()
    return _gunicorn(args.port, args.workers, args.host)


def cmd_worker(args) -> int:
    _setup()
    from django.core.management import call_command

    opts = ["--queue-name", "*", "--no-reload"]
    if args.batch:
        opts += ["--batch", "--no-startup-delay"]
    call_command("db_worker", *opts)
    return 0


def cmd_seed(args) -> int:
    _setup()
    from wenxiao.seed.generate import seed

    _migrate()
    started = time.perf_counter()
    counts = seed(args.scale, year=args.year, seed=args.seed, password=args.password)
    print(f"完成：{counts}，用时 {time.perf_counter() - started:.1f} 秒")
    return 0


def cmd_createadmin(args) -> int:
    _setup()
    import getpass

    from wenxiao.core import audit
    from wenxiao.orgs.models import User

    _migrate()
    password = args.password or getpass.getpass("密码：")
    user, created = User.objects.get_or_create(username=args.username, defaults={"display_name": "系统管理员"})
    user.is_superuser = user.is_staff = True
    user.set_password(password)
    user.save()
    audit.record(None, "user.createadmin", user, after={"username": user.username, "created": created})
    print(f"管理员 {user.username} 已{'创建' if created else '更新'}。")
    return 0


def cmd_token(args) -> int:
    _setup()
    from wenxiao.core.tokens import create_token
    from wenxiao.orgs.models import User

    user = User.objects.filter(username=args.username, is_active=True).first()
    if user is None:
        print(f"用户 {args.username} 不存在或已停用。", file=sys.stderr)
        return 2
    print(create_token(user, name=args.name, days=args.days, read_only=args.read_only))
    return 0


def cmd_audit(args) -> int:
    _setup()
    from wenxiao.core.audit import verify_chain

    result = verify_chain()
    if result.ok:
        print(f"审计日志完整：已校验 {result.checked} 条记录。")
        return 0
    print(
        f"审计日志被篡改：第 {result.broken_seq} 条记录（id={result.broken_id}）— {result.reason}",
        file=sys.stderr,
    )
    return 1


def _date_arg(text: str):
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}")


def cmd_audit_purge(args) -> int:
    _setup()
    from wenxiao.core import audit
    from wenxiao.core.errors import ServiceError

    try:
        result = audit.purge(args.before)
    except ServiceError as e:
        print(e.message, file=sys.stderr)
        return 2
    if not result.deleted:
        print(f"没有 {args.before:%Y-%m-%d} 之前的审计日志可清理。")
        return 0
    print(
        f"已清理 {result.deleted} 条审计日志（至第 {result.through_seq} 条）；"
        f"链首锚点 {result.anchor_hash[:16]}… 已记入清理事件，哈希链仍可校验。"
    )
    return 0


def cmd_audit_export(args) -> int:
    _setup()
    from wenxiao.core import audit

    fmt = "xlsx" if args.output.lower().endswith(".xlsx") else "csv"
    qs = audit.filtered(args.date_from, args.date_to, actor=args.actor, action=args.action)
    n = audit.write_export(qs, args.output, fmt)
    audit.record(
        None,
        "audit.export",
        object_type="audit",
        object_repr=f"导出审计日志 {n} 条（命令行）",
        after={
            "from": args.date_from.isoformat() if args.date_from else None,
            "to": args.date_to.isoformat() if args.date_to else None,
            "actor": args.actor,
            "action": args.action,
            "rows": n,
            "format": fmt,
        },
    )
    print(f"已导出 {n} 条审计日志到 {args.output}（每条含前序哈希、本条哈希和规范化内容，可独立复核）。")
    return 0


def cmd_export(args) -> int:
    _setup()
    from wenxiao.targets.cli import export_targets

    return export_targets(args.year, args.department, args.output, username=args.user)


def cmd_import(args) -> int:
    _setup()
    from wenxiao.targets.cli import import_targets

    return import_targets(args.file, args.dry_run, username=args.user)


def cmd_library(args) -> int:
    _setup()
    from wenxiao.library.stats import refresh

    print(f"已更新 {refresh()} 个指标的参考值区间（来自已批复目标）。")
    return 0


def cmd_review(args) -> int:
    from wenxiao.targets.review_cli import review_file  # pure engine: no database needed

    return review_file(args.file, args.json)


def cmd_score(args) -> int:
    from wenxiao.evaluation.score_cli import main as score_main  # pure engine: no database needed

    return score_main(args.rest)


def cmd_appraisal(args) -> int:
    _setup()
    from wenxiao.appraisal.cli import list_appraisals, write_report

    if args.appraisal_command == "list":
        return list_appraisals(args.year, username=args.user)
    return write_report(args.id, args.output, username=args.user)


def cmd_keys(args) -> int:
    _setup()
    from wenxiao.core import audit
    from wenxiao.core.fields import rotate

    n = rotate()
    audit.record(None, "keys.rotate", object_type="keys", object_repr="字段加密密钥轮换", after={"values": n})
    print(f"已用当前密钥重新加密 {n} 个字段值。")
    return 0


def cmd_manage(args) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenxiao.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["wenxiao manage", *args.rest])
    return 0


def cmd_bench(args) -> int:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]  # bench/ lives beside src/ in the checkout
    if not (root / "bench").is_dir():
        print("找不到 bench/ 目录：请在源码目录中以可编辑方式安装（make install）。", file=sys.stderr)
        return 2
    sys.path.insert(0, str(root))
    from bench import run as bench_run

    return bench_run.main(args.rest)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="wenxiao", description="问效 预算绩效管理信息系统")
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("demo", help="迁移、生成演示数据并启动网站和后台进程")
    d.add_argument("--no-serve", action="store_true", help="只准备数据，不启动网站")
    d.add_argument("--port", type=int, default=8000)
    d.add_argument("--password", default=DEFAULT_PASSWORD, help="演示账号的密码")
    d.set_defaults(func=cmd_demo)

    s = sub.add_parser("serve", help="用 gunicorn 启动网站")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--workers", type=int, default=2)
    s.set_defaults(func=cmd_serve)

    w = sub.add_parser("worker", help="运行后台任务进程（django.tasks 数据库后端）")
    w.add_argument("--batch", action="store_true", help="处理完队列中的任务后退出")
    w.set_defaults(func=cmd_worker)

    sd = sub.add_parser("seed", help="在空库中生成确定性的模拟数据")
    sd.add_argument("--scale", choices=["demo", "city", "province"], default="demo")
    sd.add_argument("--year", type=int, default=2026)
    sd.add_argument("--seed", type=int, default=1)
    sd.add_argument("--password", default=DEFAULT_PASSWORD)
    sd.set_defaults(func=cmd_seed)

    c = sub.add_parser("createadmin", help="创建或重置超级管理员")
    c.add_argument("--username", default="admin")
    c.add_argument("--password")
    c.set_defaults(func=cmd_createadmin)

    t = sub.add_parser("token", help="接口令牌")
    tsub = t.add_subparsers(dest="token_command", required=True)
    tc = tsub.add_parser("create", help="为用户生成接口令牌并打印")
    tc.add_argument("username")
    tc.add_argument("--name", default="命令行生成")
    tc.add_argument("--days", type=int, default=365)
    tc.add_argument("--read-only", action="store_true", help="只读令牌：只能查询，不能修改")
    tc.set_defaults(func=cmd_token)

    a = sub.add_parser("audit", help="审计日志")
    asub = a.add_subparsers(dest="audit_command", required=True)
    av = asub.add_parser("verify", help="校验审计日志哈希链")
    av.set_defaults(func=cmd_audit)
    ap_ = asub.add_parser("purge", help="清理保留期（security.audit_retention_days，不少于180天）以前的审计日志")
    ap_.add_argument("--before", type=_date_arg, required=True, help="清理该日期（YYYY-MM-DD）之前的记录")
    ap_.set_defaults(func=cmd_audit_purge)
    ae = asub.add_parser("export", help="导出审计日志（.csv 或 .xlsx，含每条的哈希，供审计人员复核）")
    ae.add_argument("--from", dest="date_from", type=_date_arg, help="起始日期 YYYY-MM-DD")
    ae.add_argument("--to", dest="date_to", type=_date_arg, help="截止日期 YYYY-MM-DD（含当日）")
    ae.add_argument("--actor", default="", help="操作人用户名")
    ae.add_argument("--action", default="", help="操作（前缀，如 project.）")
    ae.add_argument("-o", "--output", required=True, help="输出文件（.csv 或 .xlsx）")
    ae.set_defaults(func=cmd_audit_export)

    ex = sub.add_parser("export", help="导出数据")
    exsub = ex.add_subparsers(dest="export_command", required=True)
    et = exsub.add_parser("targets", help="导出绩效目标申报表（xlsx，每个目标一张工作表）")
    et.add_argument("--year", type=int, required=True)
    et.add_argument("--department", default="", help="主管部门代码；不填则导出可见的全部目标")
    et.add_argument("-o", "--output", required=True, help="输出文件（.xlsx）")
    et.add_argument("--user", default="admin", help="按该账号的数据范围导出")
    et.set_defaults(func=cmd_export)

    im = sub.add_parser("import", help="导入数据")
    imsub = im.add_subparsers(dest="import_command", required=True)
    it = imsub.add_parser("targets", help="导入绩效目标申报表（全部无误才写入）")
    it.add_argument("file")
    it.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    it.add_argument("--user", default="admin", help="以该账号的身份和权限导入")
    it.set_defaults(func=cmd_import)

    from wenxiao.core.backup_cli import add_parsers as add_backup

    add_backup(sub)  # `wenxiao backup FILE`, `wenxiao restore FILE [--force] [--verify-only]`

    from wenxiao.monitoring.cli import add_parsers as add_monitoring

    add_monitoring(sub, imsub)  # `wenxiao import payments …`, `wenxiao monitor run|round create …`

    from wenxiao.cockpit.cli import add_parsers as add_cockpit
    from wenxiao.disclosure.cli import add_parsers as add_disclosure
    from wenxiao.evaluation.cli import add_parsers as add_evaluation
    from wenxiao.exchange.cli import add_parsers as add_exchange
    from wenxiao.oversight.cli import add_parsers as add_oversight
    from wenxiao.partners.cli import add_parsers as add_partners
    from wenxiao.results.cli import add_parsers as add_results

    add_evaluation(sub, imsub)
    add_partners(sub, imsub)
    add_oversight(sub, imsub)
    add_results(sub, imsub)
    add_disclosure(sub, imsub)
    add_cockpit(sub, imsub)
    add_exchange(sub, imsub)

    ap = sub.add_parser("appraisal", help="事前绩效评估")
    apsub = ap.add_subparsers(dest="appraisal_command", required=True)
    al = apsub.add_parser("list", help="列出某年度的事前绩效评估")
    al.add_argument("--year", type=int, required=True)
    al.add_argument("--user", default="admin", help="按该账号的数据范围列出")
    al.set_defaults(func=cmd_appraisal)
    ar = apsub.add_parser("report", help="生成事前绩效评估报告（.docx 或 .pdf）")
    ar.add_argument("id", type=int, help="评估编号")
    ar.add_argument("-o", "--output", required=True, help="输出文件（.docx 或 .pdf）")
    ar.add_argument("--user", default="admin", help="按该账号的数据范围生成")
    ar.set_defaults(func=cmd_appraisal)

    ks = sub.add_parser("keys", help="字段加密密钥")
    kssub = ks.add_subparsers(dest="keys_command", required=True)
    kr = kssub.add_parser(
        "rotate", help="用 WENXIAO_FIELD_KEY 重新加密全部加密字段（旧密钥放在 WENXIAO_FIELD_OLD_KEYS）"
    )
    kr.set_defaults(func=cmd_keys)

    lib = sub.add_parser("library", help="指标库")
    libsub = lib.add_subparsers(dest="library_command", required=True)
    lr = libsub.add_parser("refresh-stats", help="按已批复目标重新计算指标参考值区间（P10/P50/P90）")
    lr.set_defaults(func=cmd_library)

    rv = sub.add_parser("review", help="智能审核（不需要数据库）")
    rvsub = rv.add_subparsers(dest="review_command", required=True)
    rt = rvsub.add_parser("targets", help="审核 JSON 文件中的绩效目标（单个对象或列表），列出问题和修改建议")
    rt.add_argument("file", help="JSON 文件；- 表示标准输入")
    rt.add_argument("--json", action="store_true", help='以 JSON 输出 {"findings": [...]}')
    rt.set_defaults(func=cmd_review)

    from wenxiao.library.recommend_cli import add_parser as add_recommend

    add_recommend(sub)  # `wenxiao recommend …`: works without a database unless --with-db

    sc = sub.add_parser("score", help="单位自评评分（不需要数据库）：score selfeval FILE [--json]", add_help=False)
    sc.add_argument("rest", nargs=argparse.REMAINDER)
    sc.set_defaults(func=cmd_score)

    m = sub.add_parser("manage", help="Django 管理命令", add_help=False)
    m.add_argument("rest", nargs=argparse.REMAINDER)
    m.set_defaults(func=cmd_manage)

    b = sub.add_parser("bench", help="性能基准（bench/）", add_help=False)
    b.add_argument("rest", nargs=argparse.REMAINDER)
    b.set_defaults(func=cmd_bench)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())

"""`wenxiao backup FILE` and `wenxiao restore FILE [--force] [--verify-only]` (see core/backup.py for the rules)."""

from __future__ import annotations

import sys
from pathlib import Path


def _needs_migrate() -> bool:
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(connection)
    return not recorder.has_table() or not recorder.applied_migrations()


def cmd_backup(args) -> int:
    from wenxiao.cli import _setup

    _setup()
    from wenxiao.core.backup import BackupError, backup

    path = Path(args.file)
    if path.exists() and not args.overwrite:
        print(f"文件已存在：{path}（如需覆盖请加 --overwrite）", file=sys.stderr)
        return 2
    if _needs_migrate():
        print("数据库尚未迁移，没有可备份的数据。", file=sys.stderr)
        return 2
    try:
        m = backup(path)
    except (BackupError, OSError) as e:
        print(f"备份失败：{e}", file=sys.stderr)
        return 1
    size = path.stat().st_size / 1048576
    print(
        f"备份完成：{path}（{len(m.tables)} 张表 {m.rows} 行，{len(m.media)} 个文件，{size:.1f} MB，"
        f"用时 {m.seconds:.1f} 秒）"
    )
    print(f"清单 SM3：{m.sm3}（已记入审计日志，可据此核对备份文件未被替换）")
    for w in m.warnings:
        print(f"注意：{w}", file=sys.stderr)
    return 0


def _print_problems(message: str, problems: list[str]) -> None:
    print(message, file=sys.stderr)
    for p in problems[:50]:
        print(f"  - {p}", file=sys.stderr)
    if len(problems) > 50:
        print(f"  ……共 {len(problems)} 个问题", file=sys.stderr)


def cmd_restore(args) -> int:
    from wenxiao.cli import _migrate, _setup

    _setup()
    from wenxiao.core.backup import BackupError, check, restore

    path = Path(args.file)
    if not path.is_file():
        print(f"备份文件不存在：{path}", file=sys.stderr)
        return 2
    fresh = _needs_migrate()
    if args.verify_only or fresh:
        # An unmigrated database can only be checked against the archive itself.
        m, problems = check(path, check_target=not fresh)
        if problems:
            _print_problems("备份校验未通过" + ("。" if args.verify_only else "，未写入任何数据。"), problems)
            return 1
        if args.verify_only:
            print(
                f"{m.created_at} 的备份（{m.vendor}，程序版本 {m.app_version}）：{len(m.tables)} 张表 {m.rows} 行，"
                f"{len(m.media)} 个文件，清单 SM3：{m.sm3}"
            )
            scope = "（数据库尚未迁移，只校验了备份文件本身）" if fresh else "，与本系统的数据库版本一致"
            print(f"备份校验通过：全部文件的 SM3 校验值一致{scope}。")
            return 0
        print("迁移数据库 …")
        _migrate()
    try:
        r = restore(path, force=args.force)
    except BackupError as e:
        _print_problems(e.message + "。", e.problems)
        return 1
    m = r.manifest
    print(f"已恢复 {m.created_at} 的备份（{m.vendor}，程序版本 {m.app_version}，清单 SM3：{m.sm3}）")
    kept = f"，保留已有审计日志 {r.kept_audit_rows} 条" if r.kept_audit_rows else ""
    print(f"恢复完成：{r.tables} 张表 {r.rows} 行，{r.files} 个文件{kept}，用时 {r.seconds:.1f} 秒")
    for w in r.warnings:
        print(f"注意：{w}", file=sys.stderr)
    if r.chain_ok:
        print(r.chain_message)
        return 0
    print(r.chain_message, file=sys.stderr)
    return 1


def add_parsers(sub) -> None:
    b = sub.add_parser("backup", help="备份数据库和附件到一个归档文件（附 SM3 校验清单）")
    b.add_argument("file", help="输出文件：.tar，或 .tar.gz（压缩）")
    b.add_argument("--overwrite", action="store_true", help="文件已存在时覆盖")
    b.set_defaults(func=cmd_backup)

    r = sub.add_parser("restore", help="校验备份文件并恢复到新建的空数据库")
    r.add_argument("file", help="wenxiao backup 生成的归档文件")
    r.add_argument(
        "--force",
        action="store_true",
        help="目标数据库已有数据时，清空除审计日志外的全部表后恢复（审计日志不能删除，须为备份中审计日志的前段）",
    )
    r.add_argument("--verify-only", action="store_true", help="只校验备份文件和数据库版本，不写入")
    r.set_defaults(func=cmd_restore)

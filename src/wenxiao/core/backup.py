"""Backups (备份与恢复): one archive holding a consistent snapshot of the database and the uploaded files.

Archive layout (a plain .tar, or gzip-compressed when the name ends in .gz/.tgz):

    db/<table>.jsonl    one JSON array per row, columns as listed in the manifest, in primary-key order
    media/<path>        every file under MEDIA_ROOT (attachments, job results, uploaded imports)
    manifest.json       written last: format version, time, program version, database vendor, applied
                        migrations per app, field-encryption key ids in use, and per file its SM3 and size
                        (per table also the columns, their types and the row count)

Backup reads every table with plain SQL inside one read transaction (REPEATABLE READ on PostgreSQL, a WAL
read snapshot on SQLite), so the snapshot is consistent while the system keeps running. Values are written
in a vendor-neutral form (timestamps as ISO-8601 UTC, decimals as strings, JSON columns as their JSON text),
so a backup taken on SQLite restores on PostgreSQL and the other way round. Sessions are not backed up.

Restore first checks everything and writes nothing if anything is off: every file's SM3, the row counts, the
columns, the applied migrations (they must equal the target's — restore with the same program version, then
upgrade) and that the field-encryption keys the data needs are configured. Then, in one transaction, it
empties every table except the audit log, inserts the rows table by table in dependency order (executemany
on SQLite, COPY on PostgreSQL), resets the PostgreSQL sequences, writes the files and commits; finally it
verifies the audit chain and records the restore in it.

The audit log is append-only in the database itself (triggers refuse UPDATE and DELETE), so restore never
deletes audit rows. The rule: **restore into a fresh database** — a new WENXIAO_DATA_DIR or a newly created
PostgreSQL database (the `restore` command migrates an empty database itself). A database that already holds
users or audit events is refused; with `force=True` its other tables are emptied and replaced, which works
only if its audit log is an exact beginning of the archive's (the same rows, seq and hash): the missing
events are appended, never rolled back. Files already in MEDIA_ROOT that the archive does not hold are kept.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import io
import json
import os
import shutil
import tarfile
import tempfile
import time
import uuid
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

from cryptography.hazmat.primitives import hashes
from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder

from wenxiao.core.errors import ServiceError

FORMAT = "wenxiao-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
AUDIT_TABLE = "core_auditevent"
SKIPPED_TABLES = {"django_session"}  # logins are not data: after a restore everyone signs in again
BATCH = 5000
CHUNK = 1 << 20


class BackupError(ServiceError):
    """A backup or restore refused; `problems` lists every reason (in Chinese, for the operator)."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message, {"problems": list(problems or [])})
        self.problems = list(problems or [])


@dataclass
class TableEntry:
    name: str
    model: str
    file: str
    columns: list[str]
    types: list[str]
    rows: int
    bytes: int
    sm3: str


@dataclass
class FileEntry:
    path: str  # inside the archive: "media/<path under MEDIA_ROOT>"
    bytes: int
    sm3: str


@dataclass
class Manifest:
    format: str
    format_version: int
    created_at: str
    app_version: str
    django_version: str
    vendor: str
    migrations: dict[str, list[str]]
    field_key_ids: list[str]
    tables: list[TableEntry]
    media: list[FileEntry]
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    # SM3 of manifest.json as stored in the archive (not part of it); the backup's audit event records it.
    sm3: str = field(default="", compare=False)

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    def table(self, name: str) -> TableEntry | None:
        return next((t for t in self.tables if t.name == name), None)

    def to_json(self) -> str:
        data = asdict(self)
        del data["sm3"]
        return json.dumps(data, ensure_ascii=False, indent=1)

    @classmethod
    def from_dict(cls, data: dict) -> Manifest:
        data = {k: v for k, v in data.items() if k != "sm3"}
        data["tables"] = [TableEntry(**t) for t in data.get("tables", [])]
        data["media"] = [FileEntry(**f) for f in data.get("media", [])]
        return cls(**data)


@dataclass
class RestoreResult:
    manifest: Manifest
    tables: int
    rows: int
    files: int
    kept_audit_rows: int  # audit events already in the target (force): not inserted again
    seconds: float
    chain_ok: bool
    chain_checked: int
    chain_message: str
    warnings: list[str] = field(default_factory=list)


# --- tables and values ---------------------------------------------------------------------------------------


def _sm3():
    return hashes.Hash(hashes.SM3())


def _field_type(f: models.Field) -> str:
    while f.is_relation:  # a foreign key stores its target's value
        f = f.target_field
    return f.get_internal_type()


@dataclass
class _Table:
    model: type[models.Model]
    name: str
    columns: list[str]
    types: list[str]
    fields: list[models.Field]


def _tables() -> list[_Table]:
    """Every table the installed models own, parents before children (foreign keys are deferred anyway)."""
    existing = set(connection.introspection.table_names())
    by_name: dict[str, _Table] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.managed or meta.proxy or meta.db_table in by_name or meta.db_table not in existing:
            continue
        if meta.db_table in SKIPPED_TABLES:
            continue
        fields = [f for f in meta.concrete_fields if not getattr(f, "generated", False)]  # computed: not stored
        by_name[meta.db_table] = _Table(
            model, meta.db_table, [f.column for f in fields], [_field_type(f) for f in fields], fields
        )
    deps = {
        name: {
            f.related_model._meta.db_table
            for f in t.fields
            if f.is_relation and f.related_model._meta.db_table in by_name and f.related_model._meta.db_table != name
        }
        for name, t in by_name.items()
    }
    ordered: list[str] = []
    pending = dict(sorted(deps.items()))
    while pending:
        ready = [n for n, d in pending.items() if not d - set(ordered)]
        if not ready:  # a cycle: the deferred constraints take care of it
            ready = [next(iter(pending))]
        for n in ready:
            ordered.append(n)
            del pending[n]
    return [by_name[n] for n in ordered]


def _dec_places(f: models.Field) -> int | None:
    return getattr(f, "decimal_places", None)


def _to_canonical(type_: str, f: models.Field) -> Callable | None:
    """Database value → vendor-neutral JSON value (None: keep as it is)."""
    if type_ == "DateTimeField":

        def conv(v):
            if isinstance(v, str):
                v = dt.datetime.fromisoformat(v)
            if v.tzinfo is None:  # SQLite keeps UTC without an offset
                v = v.replace(tzinfo=dt.UTC)
            return v.astimezone(dt.UTC).isoformat(timespec="microseconds")

        return conv
    if type_ in ("DateField", "TimeField"):
        return lambda v: v if isinstance(v, str) else v.isoformat()
    if type_ == "DecimalField":
        places = _dec_places(f)
        quantum = decimal.Decimal(1).scaleb(-places) if places is not None else None
        ctx = decimal.Context(prec=15)

        def conv(v):
            d = ctx.create_decimal_from_float(v) if isinstance(v, float) else decimal.Decimal(v)
            if quantum is not None:
                d = d.quantize(quantum)
            return format(d, "f")

        return conv
    if type_ == "UUIDField":
        return lambda v: v.hex if isinstance(v, uuid.UUID) else uuid.UUID(v).hex
    if type_ == "BooleanField":
        return bool
    if type_ == "DurationField":
        return lambda v: v if isinstance(v, int) else (v // dt.timedelta(microseconds=1))
    if type_ == "BinaryField":
        return lambda v: base64.b64encode(bytes(v)).decode()
    return None


def _from_canonical(type_: str, vendor: str) -> Callable | None:
    """Vendor-neutral JSON value → insert parameter (SQLite: executemany; PostgreSQL: COPY text format)."""
    if vendor == "sqlite":
        if type_ == "DateTimeField":
            return lambda v: str(dt.datetime.fromisoformat(v).astimezone(dt.UTC).replace(tzinfo=None))
        if type_ == "BinaryField":
            return base64.b64decode
        return None  # Django stores decimals, dates and JSON as text, UUIDs as 32 hex digits, booleans as 0/1
    if type_ == "DurationField":
        return lambda v: dt.timedelta(microseconds=v)
    if type_ == "BinaryField":
        return base64.b64decode
    return None  # COPY parses the text of timestamps, decimals, dates, UUIDs and JSON itself


def _applied_migrations() -> dict[str, list[str]]:
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return {}
    out: dict[str, list[str]] = {}
    for app, name in recorder.applied_migrations():
        out.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(out.items())}


def _app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("wenxiao")
    except PackageNotFoundError:
        return "unknown"


def _encrypted_columns(t: _Table) -> list[int]:
    from wenxiao.core.fields import EncryptedCharField

    return [i for i, f in enumerate(t.fields) if isinstance(f, EncryptedCharField)]


# --- backup --------------------------------------------------------------------------------------------------


class _HashingReader:
    """Read a file for tarfile while hashing exactly the bytes that go into the archive."""

    def __init__(self, fh):
        self.fh = fh
        self.hash = _sm3()

    def read(self, n=-1):
        data = self.fh.read(n)
        self.hash.update(data)
        return data


@contextmanager
def _read_snapshot() -> Iterator[None]:
    """One consistent read view of the whole database for the duration of the dump."""
    connection.ensure_connection()
    if connection.in_atomic_block:  # the caller's transaction is the snapshot
        yield
        return
    if connection.vendor == "sqlite":
        # Django's SQLite transactions are BEGIN IMMEDIATE (they take the write lock); a deferred read
        # transaction only pins a WAL snapshot, so writers carry on while the backup runs.
        with connection.cursor() as c:
            c.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as c:
                c.execute("ROLLBACK")
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as c:
                c.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _dump_table(t: _Table, dest: Path, key_ids: set[str]) -> TableEntry:
    from wenxiao.core.fields import key_id_of

    qn = connection.ops.quote_name
    convs = [(i, fn) for i, (ty, f) in enumerate(zip(t.types, t.fields, strict=True)) if (fn := _to_canonical(ty, f))]
    encrypted = _encrypted_columns(t)
    h = _sm3()
    rows = size = 0
    sql = f"SELECT {', '.join(qn(c) for c in t.columns)} FROM {qn(t.name)} ORDER BY {qn(t.model._meta.pk.column)}"
    # PostgreSQL: a server-side cursor, so a large table is not held in memory at once.
    cursor = connection.chunked_cursor() if connection.vendor == "postgresql" else connection.cursor()
    with cursor as c, open(dest, "wb") as out:
        c.execute(sql)
        while batch := c.fetchmany(BATCH):
            lines = []
            for row in batch:
                row = list(row)
                for i, fn in convs:
                    if row[i] is not None:
                        row[i] = fn(row[i])
                for i in encrypted:
                    if row[i] and (key_id := key_id_of(row[i])):
                        key_ids.add(key_id)
                lines.append(json.dumps(row, ensure_ascii=False, separators=(",", ":")))
            data = ("\n".join(lines) + "\n").encode()
            h.update(data)
            out.write(data)
            rows += len(batch)
            size += len(data)
    return TableEntry(
        t.name, t.model._meta.label, f"db/{t.name}.jsonl", t.columns, t.types, rows, size, h.finalize().hex()
    )


def _media_files(skip: set[Path]) -> Iterator[tuple[str, Path]]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if here / d not in skip and not (here / d).is_symlink())
        for name in sorted(filenames):
            p = here / name
            if p in skip or p.is_symlink() or not p.is_file():
                continue
            yield p.relative_to(root).as_posix(), p


def _add_file(tar: tarfile.TarFile, src: Path, arcname: str) -> FileEntry:
    info = tar.gettarinfo(str(src), arcname)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    with open(src, "rb") as fh:
        reader = _HashingReader(fh)
        tar.addfile(info, reader)
    return FileEntry(arcname, info.size, reader.hash.finalize().hex())


def _attachment_problems(read_rows: Callable[[], Iterator[dict]], media: dict[str, str]) -> list[str]:
    """Attachment rows whose file is missing from the archive or differs from the fingerprint on record."""
    out = []
    for row in read_rows():
        name = f"media/{row['file']}"
        if name not in media:
            out.append(f"附件“{row['name']}”的文件缺失：{row['file']}")
        elif row.get("sm3") and media[name] != row["sm3"]:
            out.append(f"附件“{row['name']}”的文件与登记的 SM3 摘要不符：{row['file']}")
    return out


def _jsonl_dicts(path: Path, columns: list[str], limit: int | None = None) -> Iterator[dict]:
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if limit is not None and n >= limit:
                return
            yield dict(zip(columns, json.loads(line), strict=True))


def backup(path: str | os.PathLike, *, record: bool = True) -> Manifest:
    """Write the archive to `path` (replaced atomically when complete) and return its manifest."""
    started = time.perf_counter()
    path = Path(path).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    gz = path.name.endswith((".gz", ".tgz"))
    part = path.with_name(path.name + ".part")
    tables = _tables()
    key_ids: set[str] = set()
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".wenxiao-backup-") as tmpname:
        tmp = Path(tmpname)
        (tmp / "db").mkdir()
        created_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with _read_snapshot():
            migrations = _applied_migrations()
            entries = [_dump_table(t, tmp / "db" / f"{t.name}.jsonl", key_ids) for t in tables]
        media: list[FileEntry] = []
        try:
            with tarfile.open(part, "w:gz", compresslevel=6) if gz else tarfile.open(part, "w") as tar:
                for e in entries:
                    tar.add(str(tmp / e.file), arcname=e.file)
                # Files after the rows: an attachment committed before the snapshot has its file on disk.
                for rel, src in _media_files({part, tmp}):
                    media.append(_add_file(tar, src, f"media/{rel}"))
                att = next((e for e in entries if e.name == "core_attachment"), None)
                warnings = []
                if att:
                    warnings = _attachment_problems(
                        lambda: _jsonl_dicts(tmp / att.file, att.columns), {m.path: m.sm3 for m in media}
                    )
                manifest = Manifest(
                    format=FORMAT,
                    format_version=FORMAT_VERSION,
                    created_at=created_at,
                    app_version=_app_version(),
                    django_version=_django_version(),
                    vendor=connection.vendor,
                    migrations=migrations,
                    field_key_ids=sorted(key_ids),
                    tables=entries,
                    media=media,
                    warnings=warnings,
                    seconds=round(time.perf_counter() - started, 2),
                )
                data = manifest.to_json().encode()
                manifest.sm3 = _sm3_of(data)
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(time.time()), 0o644
                tar.addfile(info, io.BytesIO(data))
            os.replace(part, path)
        finally:
            part.unlink(missing_ok=True)
    if record:
        from wenxiao.core import audit

        audit.record(
            None,
            "system.backup",
            object_type="backup",
            object_repr=path.name[:200],
            after={"tables": len(entries), "rows": manifest.rows, "files": len(media), "manifest_sm3": manifest.sm3},
        )
    return manifest


def _django_version() -> str:
    import django

    return django.get_version()


def _sm3_of(data: bytes) -> str:
    h = _sm3()
    h.update(data)
    return h.finalize().hex()


# --- verify --------------------------------------------------------------------------------------------------


def _file_digest(path: Path) -> tuple[str, int, int]:
    """(SM3, bytes, lines) of a file."""
    h = _sm3()
    size = lines = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
            size += len(chunk)
            lines += chunk.count(b"\n")
    return h.finalize().hex(), size, lines


def _extract(path: Path, workdir: Path) -> tuple[Manifest | None, list[str]]:
    """Unpack the archive into `workdir` and check it against its manifest (nothing about the target)."""
    if not path.is_file():
        return None, [f"备份文件不存在：{path}"]
    problems: list[str] = []
    try:
        with tarfile.open(path, "r:*") as tar:
            members = tar.getmembers()
            files = []
            for m in members:
                if m.isdir():
                    continue
                p = PurePosixPath(m.name)
                if not m.isfile() or p.is_absolute() or ".." in p.parts:
                    problems.append(f"归档中有不允许的条目：{m.name}")
                elif m.name == MANIFEST or (len(p.parts) > 1 and p.parts[0] in ("db", "media")):
                    files.append(m)
                else:
                    problems.append(f"归档中有不应出现的文件：{m.name}")
            if problems:
                return None, problems
            tar.extractall(workdir, members=files, filter="data")
    except (tarfile.TarError, OSError, EOFError, ValueError, zlib.error) as e:
        return None, [f"无法读取备份文件（不是完整的备份归档）：{e}"]
    try:
        text = (workdir / MANIFEST).read_bytes()
        raw = json.loads(text)
    except FileNotFoundError:
        return None, ["归档中没有 manifest.json，不是问效系统的备份文件"]
    except ValueError as e:
        return None, [f"manifest.json 无法解析：{e}"]
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        return None, ["manifest.json 不是问效系统的备份清单"]
    if raw.get("format_version") != FORMAT_VERSION:
        return None, [f"不支持的备份格式版本 {raw.get('format_version')}（本程序支持 {FORMAT_VERSION}）"]
    try:
        manifest = Manifest.from_dict(raw)
    except (TypeError, KeyError) as e:
        return None, [f"manifest.json 内容不完整：{e}"]
    manifest.sm3 = _sm3_of(text)
    problems += [f"清单中的表文件名不正确：{t.file}" for t in manifest.tables if t.file != f"db/{t.name}.jsonl"]
    problems += [f"清单中的附件路径不正确：{f.path}" for f in manifest.media if not f.path.startswith("media/")]
    if problems:
        return None, problems

    listed = {t.file for t in manifest.tables} | {f.path for f in manifest.media}
    present = {m.name for m in files if m.name != MANIFEST}
    problems += [f"备份中缺少文件：{n}" for n in sorted(listed - present)]
    problems += [f"备份中有清单未列出的文件：{n}" for n in sorted(present - listed)]
    for t in manifest.tables:
        if t.file not in present:
            continue
        digest, size, lines = _file_digest(workdir / t.file)
        if digest != t.sm3 or size != t.bytes:
            problems.append(f"{t.file} 的 SM3 校验值不符（备份已损坏或被篡改）")
        elif lines != t.rows:
            problems.append(f"表 {t.name} 的行数不符：清单记 {t.rows} 行，文件有 {lines} 行")
        if len(t.columns) != len(t.types):
            problems.append(f"表 {t.name} 的列清单不完整")
    for f in manifest.media:
        if f.path in present:
            digest, size, _ = _file_digest(workdir / f.path)
            if digest != f.sm3 or size != f.bytes:
                problems.append(f"{f.path} 的 SM3 校验值不符（备份已损坏或被篡改）")
    return manifest, problems


def _target_problems(manifest: Manifest) -> list[str]:
    """Can this database take the archive? Same migrations, same columns, the encryption keys it needs."""
    from wenxiao.core.fields import _keys

    problems = []
    ours = _applied_migrations()
    if not ours:
        return ["目标数据库尚未迁移：请先执行 wenxiao manage migrate（wenxiao restore 会自动迁移空数据库）"]
    theirs = {(a, n) for a, names in manifest.migrations.items() for n in names}
    here = {(a, n) for a, names in ours.items() for n in names}
    if missing := sorted(theirs - here):
        listed = "、".join(f"{a}.{n}" for a, n in missing[:5]) + ("等" if len(missing) > 5 else "")
        problems.append(
            f"备份中的数据库比本系统多 {len(missing)} 个迁移（{listed}）：请先把程序升级到 {manifest.app_version} "
            "或更高版本并执行迁移"
        )
    if extra := sorted(here - theirs):
        listed = "、".join(f"{a}.{n}" for a, n in extra[:5]) + ("等" if len(extra) > 5 else "")
        problems.append(
            f"本系统的数据库比备份多 {len(extra)} 个迁移（{listed}）：请用与备份相同版本（{manifest.app_version}）"
            "的程序恢复到新建的数据库，再升级程序并执行迁移"
        )
    if problems:
        return problems
    tables = {t.name: t for t in _tables()}
    for entry in manifest.tables:
        t = tables.get(entry.name)
        if t is None:
            problems.append(f"本系统没有表 {entry.name}")
        elif t.columns != entry.columns:
            problems.append(f"表 {entry.name} 的列与本系统不一致")
    problems += [f"备份中没有表 {n}" for n in sorted(set(tables) - {t.name for t in manifest.tables})]
    if missing_keys := sorted(set(manifest.field_key_ids) - set(_keys()[1])):
        problems.append(
            f"备份中的加密字段使用了本系统未配置的密钥（{'、'.join(missing_keys)}）：请在 WENXIAO_FIELD_KEY "
            "或 WENXIAO_FIELD_OLD_KEYS 中提供备份所在系统的字段加密密钥"
        )
    return problems


def check(path: str | os.PathLike, *, check_target: bool = True) -> tuple[Manifest | None, list[str]]:
    """(the archive's manifest if readable, every reason it cannot be restored here). Writes nothing."""
    with tempfile.TemporaryDirectory(prefix="wenxiao-verify-") as tmp:
        manifest, problems = _extract(Path(path), Path(tmp))
        if manifest is not None and not problems and check_target:
            problems = _target_problems(manifest)
        return manifest, problems


def verify(path: str | os.PathLike, *, check_target: bool = True) -> list[str]:
    """Every reason the archive cannot be restored here (empty: it can). Writes nothing to the database."""
    return check(path, check_target=check_target)[1]


# --- restore -------------------------------------------------------------------------------------------------


def _audit_rows_to_keep(manifest: Manifest, workdir: Path, force: bool) -> int:
    """How many audit events the target already holds; refuse unless the target is fresh (or force + prefix)."""
    from django.contrib.auth import get_user_model

    from wenxiao.core.models import AuditEvent

    users = get_user_model().objects.count()
    existing = list(AuditEvent.objects.order_by("id").values_list("id", "seq", "hash"))
    if not users and not existing:
        return 0
    if not force:
        raise BackupError(
            "目标数据库不是空的，未写入任何数据",
            [
                f"目标数据库已有 {users} 个用户、{len(existing)} 条审计日志。请恢复到新建的空数据库（新的 "
                "WENXIAO_DATA_DIR 或新建的 PostgreSQL 数据库）；确需覆盖时使用 --force（审计日志不能删除，"
                "只有当它是备份中审计日志的前段时才能覆盖）"
            ],
        )
    entry = manifest.table(AUDIT_TABLE)
    archived = (
        [(r["id"], r["seq"], r["hash"]) for r in _jsonl_dicts(workdir / entry.file, entry.columns, len(existing))]
        if entry
        else []
    )
    if archived != existing:
        raise BackupError(
            "目标数据库的审计日志与备份不一致，未写入任何数据",
            [
                f"目标数据库中的 {len(existing)} 条审计日志不是备份中审计日志的前段。审计日志只能追加，不能删除或"
                "回退：请恢复到新建的空数据库"
            ],
        )
    return len(existing)


def _load_table(c, t: _Table, entry: TableEntry, file: Path, skip: int) -> int:
    vendor = connection.vendor
    qn = connection.ops.quote_name
    convs = [(i, fn) for i, ty in enumerate(entry.types) if (fn := _from_canonical(ty, vendor))]
    cols = ", ".join(qn(col) for col in entry.columns)
    n = 0

    def rows() -> Iterator[list]:
        nonlocal n
        with open(file, encoding="utf-8") as fh:
            for i, line in enumerate(fh):
                if i < skip:
                    continue
                row = json.loads(line)
                for j, fn in convs:
                    if row[j] is not None:
                        row[j] = fn(row[j])
                n += 1
                yield row

    if vendor == "postgresql":
        with c.cursor.copy(f"COPY {qn(t.name)} ({cols}) FROM STDIN") as copy:
            for row in rows():
                copy.write_row(row)
    else:
        sql = f"INSERT INTO {qn(t.name)} ({cols}) VALUES ({', '.join(['%s'] * len(entry.columns))})"
        batch = []
        for row in rows():
            batch.append(row)
            if len(batch) >= BATCH:
                c.executemany(sql, batch)
                batch = []
        if batch:
            c.executemany(sql, batch)
    return n


def _restore_media(manifest: Manifest, workdir: Path) -> int:
    root = Path(settings.MEDIA_ROOT)
    for f in manifest.media:
        rel = PurePosixPath(f.path).relative_to("media")
        dest = root.joinpath(*rel.parts)
        dest.parent.mkdir(parents=True, exist_ok=True)
        part = dest.with_name(dest.name + ".restoring")
        shutil.copyfile(workdir / f.path, part)
        os.replace(part, dest)
    return len(manifest.media)


def restore(path: str | os.PathLike, *, force: bool = False) -> RestoreResult:
    """Check the archive and the target, then load it (all or nothing); see the module docstring for the rules."""
    from django.contrib.contenttypes.models import ContentType

    from wenxiao.core import audit

    started = time.perf_counter()
    path = Path(path)
    Path(settings.DATA_DIR).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.DATA_DIR, prefix=".wenxiao-restore-") as tmpname:
        workdir = Path(tmpname)
        manifest, problems = _extract(path, workdir)
        if manifest is not None and not problems:
            problems = _target_problems(manifest)
        if problems or manifest is None:
            raise BackupError("备份校验未通过，未写入任何数据", problems)
        kept = _audit_rows_to_keep(manifest, workdir, force)
        tables = _tables()
        entries = {e.name: e for e in manifest.tables}
        qn = connection.ops.quote_name
        rows = 0
        with transaction.atomic():
            with connection.cursor() as c:
                if connection.vendor == "postgresql":
                    c.execute("SET CONSTRAINTS ALL DEFERRED")
                for t in reversed(tables):
                    if t.name != AUDIT_TABLE:
                        c.execute(f"DELETE FROM {qn(t.name)}")
                for name in SKIPPED_TABLES & set(connection.introspection.table_names()):
                    c.execute(f"DELETE FROM {qn(name)}")
                for t in tables:
                    e = entries[t.name]
                    rows += _load_table(c, t, e, workdir / e.file, kept if t.name == AUDIT_TABLE else 0)
                if connection.vendor == "postgresql":
                    for sql in connection.ops.sequence_reset_sql(no_style(), [t.model for t in tables]):
                        c.execute(sql)
            files = _restore_media(manifest, workdir)
        warnings = []
        if att := entries.get("core_attachment"):
            warnings = _attachment_problems(
                lambda: _jsonl_dicts(workdir / att.file, att.columns), {m.path: m.sm3 for m in manifest.media}
            )
    ContentType.objects.clear_cache()
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("ANALYZE")
    chain = audit.verify_chain()
    if chain.ok:
        chain_message = f"审计日志完整：已校验 {chain.checked} 条记录。"
    else:
        chain_message = f"审计日志校验未通过：第 {chain.broken_seq} 条记录（id={chain.broken_id}）— {chain.reason}"
    seconds = time.perf_counter() - started
    audit.record(
        None,
        "system.restore",
        object_type="backup",
        object_repr=path.name[:200],
        after={
            "created_at": manifest.created_at,
            "manifest_sm3": manifest.sm3,
            "vendor": manifest.vendor,
            "rows": rows,
            "files": files,
            "chain_ok": chain.ok,
        },
    )
    return RestoreResult(
        manifest=manifest,
        tables=len(tables),
        rows=rows,
        files=files,
        kept_audit_rows=kept,
        seconds=round(seconds, 2),
        chain_ok=chain.ok,
        chain_checked=chain.checked,
        chain_message=chain_message,
        warnings=warnings,
    )

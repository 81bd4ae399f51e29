"""The audit log (审计日志): every service write records who, when, what, before and after.

Rows are chained: hash(n) = SM3(hash(n-1) + canonical JSON of row n). Changing, deleting or reordering any
row breaks the chain from that row on, and `verify_chain()` names the first broken row.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from wenxiao.core.crypto import sm3_hex
from wenxiao.core.models import AuditEvent, AuditHead

GENESIS = "0" * 64
# While demo data is being generated, events are the seed's, not the demo accounts': they are recorded with no
# actor and the account named in `actor_name` ("演示数据:jxk"), so a demo database can be wiped and re-seeded.
_seeding: ContextVar[bool] = ContextVar("audit_seeding", default=False)


@contextmanager
def seeding():
    token = _seeding.set(True)
    try:
        yield
    finally:
        _seeding.reset(token)


def to_jsonable(value):
    """Plain JSON values (Decimal and dates as strings) so a row hashes the same after a database round trip."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict:
    """The concrete field values of a model instance, foreign keys as ids."""
    data = {}
    for f in obj._meta.concrete_fields:
        if fields is not None and f.name not in fields:
            continue
        if f.name == "search_text" or getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            continue  # derived values; the event carries its own time
        value = getattr(obj, f.attname)
        if isinstance(value, Decimal):
            value = f"{value:.2f}"
        data[f.attname] = value
    return to_jsonable(data)


def diff(before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    """Keep only the keys that changed (both sides), so the log shows what an edit did."""
    if not before or not after:
        return before, after
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def _payload(e: AuditEvent) -> str:
    body = {
        "seq": e.seq,
        "at": e.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": e.actor_id,
        "actor_name": e.actor_name,
        "action": e.action,
        "object_type": e.object_type,
        "object_id": e.object_id,
        "object_repr": e.object_repr,
        "region_id": e.region_id,
        "before": e.before,
        "after": e.after,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def row_hash(prev_hash: str, e: AuditEvent) -> str:
    return sm3_hex(prev_hash + _payload(e))


def record(
    actor,
    action: str,
    obj: models.Model | None = None,
    *,
    before: dict | None = None,
    after: dict | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    region_id: int | None = None,
) -> AuditEvent:
    """Append one event to the chain. Call inside the transaction of the write it records."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
        if region_id is None:
            region_id = getattr(obj, "region_id", None)
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head = AuditHead.objects.create(pk=1, last_seq=0, last_hash=GENESIS)
            head = AuditHead.objects.select_for_update().get(pk=1)
        event = AuditEvent(
            seq=head.last_seq + 1,
            at=datetime.now(UTC),
            actor=actor if getattr(actor, "pk", None) and not _seeding.get() else None,
            actor_name=(("演示数据:" if _seeding.get() else "") + (getattr(actor, "username", "") or "system"))[:150],
            action=action[:60],
            object_type=object_type[:60],
            object_id=str(object_id)[:40],  # the column widths: PostgreSQL refuses longer values, SQLite would not
            object_repr=object_repr[:200],
            region_id=region_id,
            before=to_jsonable(before) if before is not None else None,
            after=to_jsonable(after) if after is not None else None,
            prev_hash=head.last_hash,
        )
        event.hash = row_hash(head.last_hash, event)
        event.save()
        AuditHead.objects.filter(pk=1).update(last_seq=event.seq, last_hash=event.hash)
    return event


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str = ""


def chain_start() -> tuple[int, str, str]:
    """Where the chain as stored begins: (first seq, the hash it links to, problem or "").

    After `purge()` the oldest rows are gone; the last purged row's hash was recorded as the anchor in the
    `audit.purge` event (itself a link of the chain), so a stored chain that starts later than seq 1 must match
    the latest purge event exactly. Anything else means rows were removed outside of `purge()`.
    """
    first = AuditEvent.objects.order_by("seq").values("seq", "prev_hash").first()
    if first is None or first["seq"] == 1:
        return 1, GENESIS, ""
    purge = AuditEvent.objects.filter(action="audit.purge").order_by("-seq").values("after").first()
    anchor = (purge or {}).get("after") or {}
    if anchor.get("through_seq") != first["seq"] - 1 or anchor.get("anchor_hash") != first["prev_hash"]:
        return first["seq"], first["prev_hash"], "链首记录缺失：开头的记录被删除，且不是按保留期清理的"
    return first["seq"], anchor["anchor_hash"], ""


def verify_chain(batch: int = 5000) -> VerifyResult:
    """Walk the whole chain in order; stop at the first row whose link or hash does not hold."""
    expected_seq, prev, problem = chain_start()
    if problem:
        first = AuditEvent.objects.order_by("seq").values("id").first()
        return VerifyResult(False, 0, expected_seq, first["id"] if first else None, problem)
    checked = 0
    last_seq = expected_seq - 1
    qs = AuditEvent.objects.order_by("seq")
    for e in qs.iterator(chunk_size=batch):
        if e.seq != expected_seq:
            return VerifyResult(
                False, checked, e.seq, e.id, f"序号不连续：应为 {expected_seq}，实为 {e.seq}（有记录被删除）"
            )
        if e.prev_hash != prev:
            return VerifyResult(False, checked, e.seq, e.id, "前序哈希与上一条记录不符")
        if row_hash(prev, e) != e.hash:
            return VerifyResult(False, checked, e.seq, e.id, "记录内容与其哈希不符（记录被修改）")
        prev = e.hash
        expected_seq += 1
        checked += 1
        last_seq = e.seq
    head = AuditHead.objects.filter(pk=1).first()
    if head and (head.last_seq != last_seq or head.last_hash != prev):
        return VerifyResult(False, checked, head.last_seq, None, "链尾与最后一条记录不符（末尾记录被删除）")
    return VerifyResult(True, checked)


# --- retention (保留期) -----------------------------------------------------------------------------------------

MIN_RETENTION_DAYS = 180  # 等保三级: audit records are kept at least six months


def retention_days() -> int:
    from wenxiao.core.config import setting

    return max(MIN_RETENTION_DAYS, int(setting("security.audit_retention_days") or 0))


def _guard_statements(vendor: str) -> tuple[list[str], list[str]]:
    """(drop, create) SQL of the append-only triggers of migration core/0006."""
    import importlib

    m = importlib.import_module("wenxiao.core.migrations.0006_audit_append_only")
    if vendor == "sqlite":
        return [
            "DROP TRIGGER IF EXISTS core_auditevent_no_update",
            "DROP TRIGGER IF EXISTS core_auditevent_no_delete",
        ], m.SQLITE
    if vendor == "postgresql":
        return ["DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent"], m.POSTGRES
    return [], []


@dataclass
class PurgeResult:
    deleted: int
    through_seq: int
    anchor_hash: str


def purge(before, *, actor=None, today=None) -> PurgeResult:
    """Delete the oldest events, those recorded before the date `before`, keeping the chain verifiable.

    Refused when `before` is inside the retention period (security.audit_retention_days, never under 180 days).
    Only a prefix of the chain is removed; the hash of the last removed row is written into a new
    `audit.purge` event, the anchor `verify_chain()` starts from. The append-only guard is lifted only inside
    this transaction.
    """
    from datetime import date, time, timedelta
    from zoneinfo import ZoneInfo

    from django.conf import settings
    from django.db import connection

    from wenxiao.core.errors import ValidationError

    if not isinstance(before, date):
        raise ValidationError("请给出清理截止日期（YYYY-MM-DD）。")
    tz = ZoneInfo(settings.TIME_ZONE)
    today = today or datetime.now(tz).date()
    days = retention_days()
    latest = today - timedelta(days=days)
    if before > latest:
        raise ValidationError(
            f"审计日志须保留至少 {days} 天：只能清理 {latest:%Y-%m-%d} 之前的记录，不能清理 {before:%Y-%m-%d} 之前的。"
        )
    cutoff = datetime.combine(before, time.min, tzinfo=tz)
    with transaction.atomic():
        AuditHead.objects.select_for_update().filter(pk=1).first()  # no event is appended meanwhile
        newer = AuditEvent.objects.filter(at__gte=cutoff).order_by("seq").values_list("seq", flat=True).first()
        last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        through = (newer - 1) if newer is not None else last
        doomed = AuditEvent.objects.filter(seq__lte=through)
        anchor_row = doomed.order_by("-seq").values("seq", "hash").first()
        if anchor_row is None:
            return PurgeResult(0, 0, "")
        drop, create = _guard_statements(connection.vendor)
        with connection.cursor() as c:
            for sql in drop:
                c.execute(sql)
            try:
                deleted = doomed.delete()[0]
            finally:
                for sql in create:
                    c.execute(sql)
        record(
            actor,
            "audit.purge",
            object_type="audit",
            object_repr=f"清理 {before:%Y-%m-%d} 之前的审计日志",
            after={
                "before": before.isoformat(),
                "deleted": deleted,
                "through_seq": anchor_row["seq"],
                "anchor_hash": anchor_row["hash"],
                "retention_days": days,
            },
        )
    return PurgeResult(deleted, anchor_row["seq"], anchor_row["hash"])


# --- export for auditors --------------------------------------------------------------------------------------

EXPORT_COLUMNS = [
    ("seq", "序号"),
    ("at", "时间"),
    ("actor_name", "操作人"),
    ("action", "操作"),
    ("object_type", "对象类型"),
    ("object_id", "对象编号"),
    ("object_repr", "对象"),
    ("before", "修改前"),
    ("after", "修改后"),
    ("prev_hash", "前序哈希"),
    ("hash", "本条哈希"),
    ("payload", "规范化内容（SM3(前序哈希+本内容)=本条哈希）"),
]


def filtered(date_from=None, date_to=None, actor: str = "", action: str = "", obj: str = ""):
    """Events in a date range (inclusive, local dates) and matching actor / action prefix / object text."""
    from datetime import time, timedelta
    from zoneinfo import ZoneInfo

    from django.conf import settings

    tz = ZoneInfo(settings.TIME_ZONE)
    qs = AuditEvent.objects.all()
    if date_from:
        qs = qs.filter(at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        qs = qs.filter(at__lt=datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz))
    if actor:
        qs = qs.filter(actor_name=actor)
    if action:
        qs = qs.filter(action__startswith=action)
    if obj:
        qs = qs.filter(object_repr__contains=obj)
    return qs


def export_rows(qs):
    """Rows for an auditor, oldest first, each with its chain hashes and the exact text that was hashed."""
    from zoneinfo import ZoneInfo

    from django.conf import settings

    tz = ZoneInfo(settings.TIME_ZONE)
    for e in qs.order_by("seq").iterator(chunk_size=2000):
        yield [
            e.seq,
            e.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"),
            e.actor_name,
            e.action,
            e.object_type,
            e.object_id,
            e.object_repr,
            "" if e.before is None else json.dumps(e.before, ensure_ascii=False, sort_keys=True),
            "" if e.after is None else json.dumps(e.after, ensure_ascii=False, sort_keys=True),
            e.prev_hash,
            e.hash,
            _payload(e),
        ]


def write_export(qs, out, fmt: str) -> int:
    """Write CSV (UTF-8 with BOM, opens in Excel) or XLSX to `out` (a file path, or a binary stream);
    returns the row count."""
    import csv
    import io

    header = [label for _, label in EXPORT_COLUMNS]
    n = 0
    if fmt == "csv":
        stream = open(out, "wb") if isinstance(out, str | os.PathLike) else out  # noqa: SIM115
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        w = csv.writer(text)
        w.writerow(header)
        for row in export_rows(qs):
            w.writerow(row)
            n += 1
        text.flush()
        text.detach()
        if stream is not out:
            stream.close()
        return n
    import xlsxwriter

    on_disk = isinstance(out, str | os.PathLike)  # rows go to disk as they come; a stream is built in memory
    book = xlsxwriter.Workbook(str(out) if on_disk else out, {"constant_memory": on_disk, "in_memory": not on_disk})
    sheet = book.add_worksheet("审计日志")
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, header, bold)
    for width, col in ((8, 0), (20, 1), (12, 2), (22, 3), (30, 6), (66, 9), (66, 10)):
        sheet.set_column(col, col, width)
    for n, row in enumerate(export_rows(qs), start=1):
        sheet.write_row(n, 0, [str(v) if not isinstance(v, int) else v for v in row])
    book.close()
    return n

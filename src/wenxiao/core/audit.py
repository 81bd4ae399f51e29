"""The audit log (审计日志): every service write records who, when, what, before and after.

Rows are chained: hash(n) = SM3(hash(n-1) + canonical JSON of row n). Changing, deleting or reordering any
row breaks the chain from that row on, and `verify_chain()` names the first broken row.
"""

from __future__ import annotations

import json
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
            action=action,
            object_type=object_type,
            object_id=object_id,
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


def verify_chain(batch: int = 5000) -> VerifyResult:
    """Walk the whole chain in order; stop at the first row whose link or hash does not hold."""
    prev = GENESIS
    expected_seq = 1
    checked = 0
    last_seq = 0
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

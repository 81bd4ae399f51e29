"""Figures cached per process, keyed by the data version they were computed from.

Aggregates over a whole city's projects (the monitoring overview, for one) cost tens of milliseconds of SQL and
template work, yet the rows behind them change only when a known writer rewrites them. That writer calls
`bump(key)` in its transaction; readers call `cached(key, name, user, year, compute)`, whose cache key holds the
current version and the caller's scope, so a rewrite is seen by every process on its next request and two
users with the same scope share one computation. No time-based expiry is needed for correctness; the TTL only
frees memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

TTL_SECONDS = 600


def bump(key: str) -> None:
    """Mark the data named `key` as rewritten (call inside the writing transaction).

    The new version is random, not the old one plus one: a bump rolled back with its transaction must never be
    reissued by a later one, or figures cached while the first was uncommitted would be served for the second.
    """
    import secrets

    from django.db import connection

    from wenxiao.core.models import DataStamp

    q = connection.ops.quote_name
    table = q(DataStamp._meta.db_table)
    new = secrets.randbits(62)
    with connection.cursor() as c:
        c.execute(
            f"INSERT INTO {table} ({q('key')}, {q('version')}) VALUES (%s, %s) "
            f"ON CONFLICT ({q('key')}) DO UPDATE SET {q('version')} = %s",
            [key, new, new],
        )


def version(key: str) -> int:
    from wenxiao.core.models import DataStamp

    return DataStamp.objects.filter(key=key).values_list("version", flat=True).first() or 0


def scope_signature(user) -> str:
    """Users whose data scope is the same get the same signature (and share cached figures)."""
    from wenxiao.core.scoping import scope_for

    s = scope_for(user)
    raw = f"{s.everything}|{sorted(s.region_ids)}|{sorted(s.org_paths)}"
    return hashlib.sha1(raw.encode()).hexdigest()[:16]


def cached(key: str, name: str, user, year: int, compute: Callable[[], Any]) -> tuple[Any, str]:
    """(value, cache key): `compute()` once per data version, scope and year in this process."""
    from django.core.cache import cache

    ck = f"fig:{name}:{key}.{version(key)}:{scope_signature(user)}:{year}"
    value = cache.get(ck)
    if value is None:
        value = compute()
        cache.set(ck, value, TTL_SECONDS)
    return value, ck

"""API tokens: `wx_<prefix>_<secret>`; the database keeps the prefix and an SM3 hash of the whole token."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

from django.utils import timezone

from wenxiao.core import audit
from wenxiao.core.crypto import sm3_hex
from wenxiao.core.models import ApiToken


def create_token(user, *, name: str = "", days: int | None = 365, actor=None, read_only: bool = False) -> str:
    prefix = secrets.token_hex(4)
    token = f"wx_{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=prefix,
        key_hash=sm3_hex(token),
        expires_at=timezone.now() + timedelta(days=days) if days else None,
        read_only=read_only,
    )
    audit.record(
        actor or user,
        "token.create",
        row,
        object_repr=f"{user.username} 的接口令牌 {prefix}",
        after={"user": user.username, "name": name, "expires_at": row.expires_at},
    )
    return token


def authenticate(token: str):
    """The active user owning `token` (with `.token_read_only` set), or None."""
    parts = (token or "").split("_", 2)
    if len(parts) != 3 or parts[0] != "wx":
        return None
    row = ApiToken.objects.select_related("user").filter(prefix=parts[1], revoked=False).first()
    if row is None or not hmac.compare_digest(row.key_hash, sm3_hex(token)):
        return None
    now = timezone.now()
    if row.expires_at and row.expires_at < now or not row.user.is_active:
        return None
    if not row.last_used_at or now - row.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    row.user.token_read_only = row.read_only
    return row.user

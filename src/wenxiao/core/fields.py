"""SM4-encrypted text fields for personal data (phone and ID numbers): encrypted at rest, plain in Python.

Stored as "sm4:<key id>:<base64 nonce+ciphertext+tag>" (SM4-GCM). Keys come from WENXIAO_FIELD_KEY (32 hex
characters) or a key file in the data directory; older keys listed in WENXIAO_FIELD_OLD_KEYS still decrypt, so
`wenxiao keys rotate` can re-encrypt every row with the current key.
"""

from __future__ import annotations

import base64
import os
import secrets
from functools import cache

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.db import models

from wenxiao.core.crypto import sm3_hex

PREFIX = "sm4:"


@cache
def _keys() -> tuple[str, dict[str, bytes]]:
    """(current key id, {key id: key}) — the id is a short SM3 fingerprint of the key."""
    current = os.environ.get("WENXIAO_FIELD_KEY", "")
    if not current:
        path = settings.DATA_DIR / "field.key"
        if not path.exists():
            path.write_text(secrets.token_hex(16))
            path.chmod(0o600)
        current = path.read_text().strip()
    keys = {}
    for hexkey in [current, *filter(None, os.environ.get("WENXIAO_FIELD_OLD_KEYS", "").split(","))]:
        key = bytes.fromhex(hexkey.strip())
        keys[sm3_hex(key)[:8]] = key
    return sm3_hex(bytes.fromhex(current))[:8], keys


def reset_keys() -> None:
    _keys.cache_clear()


def encrypt(plain: str) -> str:
    if not plain:
        return ""
    key_id, keys = _keys()
    nonce = os.urandom(12)
    enc = Cipher(algorithms.SM4(keys[key_id]), modes.GCM(nonce)).encryptor()
    data = enc.update(plain.encode()) + enc.finalize()
    return f"{PREFIX}{key_id}:{base64.b64encode(nonce + data + enc.tag).decode()}"


def decrypt(stored: str) -> str:
    if not stored or not stored.startswith(PREFIX):
        return stored or ""  # rows written before encryption was switched on
    key_id, payload = stored[len(PREFIX) :].split(":", 1)
    raw = base64.b64decode(payload)
    nonce, data, tag = raw[:12], raw[12:-16], raw[-16:]
    key = _keys()[1].get(key_id)
    if key is None:
        raise ValueError(f"缺少密钥 {key_id}，无法解密（请在 WENXIAO_FIELD_OLD_KEYS 中提供旧密钥）")
    dec = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    return (dec.update(data) + dec.finalize()).decode()


def key_id_of(stored: str) -> str:
    return stored[len(PREFIX) :].split(":", 1)[0] if stored and stored.startswith(PREFIX) else ""


class EncryptedCharField(models.TextField):
    """Plain text in Python, SM4-GCM ciphertext in the database; not searchable by design."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value is not None else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value


def rotate() -> int:
    """Re-encrypt every encrypted field with the current key; returns how many values were rewritten."""
    from django.apps import apps
    from django.db import transaction

    done = 0
    with transaction.atomic():
        for model in apps.get_models():
            names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]
            for name in names:
                for obj in model._base_manager.exclude(**{name: ""}).iterator():
                    obj.save(update_fields=[name])
                    done += 1
    return done

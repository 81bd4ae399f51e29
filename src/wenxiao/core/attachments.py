"""Attachments: checked uploads (type, size), SM3 fingerprints, downloads only for those who see the document."""

from __future__ import annotations

from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction

from wenxiao.core import audit
from wenxiao.core.crypto import sm3_hex
from wenxiao.core.errors import ValidationError
from wenxiao.core.models import Attachment

ALLOWED = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png", ".ofd", ".txt", ".csv"}
MAX_BYTES = 20 * 1024 * 1024


def attach(doc, upload, *, actor, note: str = "") -> Attachment:
    name = Path(upload.name or "").name[:200]
    if Path(name).suffix.lower() not in ALLOWED:
        raise ValidationError(
            f"不支持的文件类型“{Path(name).suffix or '无扩展名'}”，可上传：{'、'.join(sorted(ALLOWED))}"
        )
    if upload.size > MAX_BYTES:
        raise ValidationError(f"文件过大（{upload.size / 1048576:.1f}MB），单个附件不超过 20MB")
    data = upload.read()
    with transaction.atomic():
        a = Attachment(
            content_type=ContentType.objects.get_for_model(doc),
            object_id=doc.pk,
            region_id=getattr(doc, "region_id", None),
            name=name,
            size=len(data),
            sm3=sm3_hex(data),
            note=note[:200],
            uploaded_by=actor,
        )
        a.file.save(f"{a.sm3[:16]}{Path(name).suffix.lower()}", ContentFile(data), save=False)
        a.save()
        audit.record(actor, "attachment.add", doc, after={"file": name, "sm3": a.sm3, "size": a.size})
    return a


def attachments_of(doc):
    return Attachment.objects.filter(content_type=ContentType.objects.get_for_model(doc), object_id=doc.pk)

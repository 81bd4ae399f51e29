"""Writes of 信息公开: publish items (a sanitised snapshot each) and withdraw them; the sources' `published` flags."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from wenxiao.core import audit
from wenxiao.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from wenxiao.core.scoping import can_write
from wenxiao.core.text import search_text
from wenxiao.disclosure import selectors, snapshots
from wenxiao.disclosure.models import Publication

log = logging.getLogger(__name__)
KIND = Publication.Kind
FLAGGED = {KIND.TARGET, KIND.SELFEVAL, KIND.EVALUATION}  # sources with their own `published` flag


@dataclass
class PublishResult:
    kind: str
    year: int
    publications: list[Publication] = field(default_factory=list)
    pdfs: int = 0

    def summary(self) -> str:
        label = dict(KIND.choices)[self.kind]
        pdf = f"，其中{self.pdfs}份附PDF报告" if self.kind == KIND.EVALUATION else ""
        return f"已公开{self.year}年度{label}{len(self.publications)}项{pdf}。"


def _check_publisher(actor) -> None:
    if not can_write(actor) or not (actor.is_superuser or actor.has_role(*selectors.PUBLISHER_ROLES)):
        raise PermissionDenied("信息公开由财政绩效科发布。")


def _build(kind: str, obj, department_id: int | None) -> dict:
    """The public fields of one item: region, department, title and snapshot (allow-lists in `snapshots`)."""
    if kind == KIND.TARGET:
        return {"department": obj.department, "title": snapshots.target_title(obj), "snapshot": snapshots.target(obj)}
    if kind == KIND.SELFEVAL:
        return {"department": obj.department, "title": obj.subject_name, "snapshot": snapshots.selfeval(obj)}
    if kind == KIND.EVALUATION:
        return {"department": obj.department, "title": obj.title, "snapshot": snapshots.evaluation(obj)}
    forms = obj.forms.all()
    department = None
    if department_id:
        from wenxiao.orgs.models import Organisation

        department = Organisation.objects.get(pk=department_id)
        forms = forms.filter(department_id=department_id)
    title = f"{obj.name}情况" + (f"（{department.name}）" if department else "")
    return {
        "department": department,
        "department_name": department.name if department else (obj.department.name if obj.department_id else ""),
        "title": title,
        "snapshot": snapshots.monitoring_summary(obj, forms),
    }


def report_pdf(pub: Publication) -> bytes | None:
    """The public PDF of an evaluation report, laid out from the published snapshot only (no team, no reviews)."""
    from wenxiao.core.pdf import ReportUnavailable, html_to_pdf

    html = render_to_string("disclosure/report_print.html", {"p": pub, "s": pub.snapshot})
    try:
        return html_to_pdf(html, f"disclosure {pub.title}")
    except ReportUnavailable:
        log.warning("publication without PDF: %s", pub.title)
        return None


def do_publish(
    *,
    actor,
    kind: str,
    year: int,
    department_id: int | None = None,
    object_ids: list[int] | None = None,
    with_pdf: bool = True,
) -> PublishResult:
    """Publish the chosen items of `kind` and `year` (all eligible ones, or those of `object_ids`)."""
    _check_publisher(actor)
    if kind not in selectors.KINDS:
        raise ValidationError("未知的公开类型。", {"kind": [f"应为 {' / '.join(selectors.KINDS)}"]})
    qs = selectors.candidates(actor, kind, year, department_id)
    items = list(qs.filter(pk__in=object_ids) if object_ids is not None else qs)
    if object_ids is not None:
        missing = sorted(set(object_ids) - {o.pk for o in items})
        if missing:
            raise ValidationError(
                "所选事项中有不能公开的。",
                {"ids": [f"编号{i}：不存在、不属本区划、未到可公开状态或已公开" for i in missing[:20]]},
            )
    if not items:
        raise ValidationError(f"没有可公开的{year}年度{dict(KIND.choices)[kind]}（或已全部公开）。")
    ct = ContentType.objects.get_for_model(type(items[0]))
    result = PublishResult(kind=kind, year=year)
    now = timezone.now()
    with transaction.atomic():
        for obj in items:
            data = _build(kind, obj, department_id)
            dept = data["department"]
            pub = Publication(
                region=obj.region,
                kind=kind,
                year=year,
                department=dept,
                department_name=data.get("department_name", dept.name if dept else ""),
                region_name=obj.region.name,
                title=data["title"][:200],
                snapshot=data["snapshot"],
                content_type=ct,
                object_id=obj.pk,
                published_by=actor,
                published_at=now,
                changed_at=now,
            )
            pub.search_text = search_text(
                pub.title, pub.department_name, pub.region_name, snapshots.text_of(pub.snapshot)
            )
            if kind == KIND.EVALUATION and with_pdf:
                body = report_pdf(pub)
                if body:
                    pub.pdf.save(f"评价报告-{obj.pk}.pdf", ContentFile(body), save=False)
                    result.pdfs += 1
            pub.save()
            result.publications.append(pub)
        if kind in FLAGGED:
            type(items[0]).objects.filter(pk__in=[o.pk for o in items]).update(published=True)
        audit.record(
            actor,
            "disclosure.publish",
            object_type="disclosure.publication",
            object_id=str(result.publications[0].pk),  # the first; all of them are in `after`
            object_repr=result.summary(),
            region_id=items[0].region_id,
            after={
                "kind": kind,
                "year": year,
                "department_id": department_id,
                "publications": [p.pk for p in result.publications],
                "sources": [o.pk for o in items],
            },
        )
    return result


def do_withdraw(pub_id: int, *, actor, reason: str) -> Publication:
    """Take an item off the public site; the row stays (history), the source's flag is cleared."""
    _check_publisher(actor)
    regions = selectors.publisher_region_ids(actor)
    with transaction.atomic():
        pub = Publication.objects.visible_to(actor, selectors.PUBLISHER_ROLES).select_for_update().filter(pk=pub_id)
        pub = pub.first()
        if pub is None or (regions is not None and pub.region_id not in regions):
            raise NotFound("公开事项不存在或无权操作。")
        if pub.withdrawn_at is not None:
            raise Conflict("该事项已撤回。")
        if not reason.strip():
            raise ValidationError("请填写撤回原因。", {"reason": ["必填"]})
        now = timezone.now()
        before = {"withdrawn_at": None}
        pub.withdrawn_at = now
        pub.withdrawn_by = actor
        pub.withdraw_reason = reason.strip()[:300]
        pub.changed_at = now
        pub.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason", "changed_at"])
        if pub.kind in FLAGGED:
            still = Publication.objects.live().filter(content_type_id=pub.content_type_id, object_id=pub.object_id)
            if not still.exists():
                pub.content_type.model_class().objects.filter(pk=pub.object_id).update(published=False)
        audit.record(
            actor,
            "disclosure.withdraw",
            pub,
            before=before,
            after={"withdrawn_at": now, "reason": pub.withdraw_reason},
        )
    return pub

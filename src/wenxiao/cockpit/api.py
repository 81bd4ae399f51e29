"""/api/v1/cockpit — the cockpit's figures (from the stored snapshot, scoped) and the refresh request."""

from datetime import datetime

from django.conf import settings
from django.http import Http404
from ninja import Router, Schema, Status

from wenxiao.cockpit import selectors, services
from wenxiao.core.errors import ValidationError
from wenxiao.orgs.models import Region

router = Router(tags=["领导驾驶舱"])


class SnapshotOut(Schema):
    scope: str
    year: int
    computed_at: datetime
    figures: dict


class RefreshIn(Schema):
    year: int = settings.FISCAL_YEAR
    region: str = ""  # 行政区划代码; the user's own region when empty


class RefreshOut(Schema):
    job_id: int
    title: str


def _subject(user, region: str, department: int | None):
    if department is not None:
        key = f"d{department}"
    elif region:
        r = Region.objects.filter(code=region).only("id").first()
        key = f"r{r.pk}" if r else "x"
    else:
        key = ""
    subject = selectors.subject_for(user, key)
    if subject is None:
        raise Http404("无权查看该范围的驾驶舱")
    return subject


@router.get("", response=SnapshotOut, summary="驾驶舱数据（区划含下级，或一个主管部门；取最近一次计算的快照）")
def cockpit(request, year: int = settings.FISCAL_YEAR, region: str = "", department: int | None = None):
    from wenxiao.cockpit.views import _snapshot

    if not 2000 <= year <= 2100:
        raise ValidationError("年度不正确。")
    subject = _subject(request.user, region, department)
    snap = _snapshot(subject, year)
    if snap is None:
        raise ValidationError("该范围的驾驶舱数据尚未计算，请先刷新（POST /api/v1/cockpit/refresh）。")
    return {
        "scope": selectors.scope_key(subject),
        "year": year,
        "computed_at": snap.computed_at,
        "figures": snap.payload,
    }


@router.post("/refresh", response={202: RefreshOut}, summary="刷新驾驶舱数据（绩效科；后台任务，区划含下级）")
def refresh(request, payload: RefreshIn):
    subject = _subject(request.user, payload.region, None)
    region = subject if isinstance(subject, Region) else subject.region
    job = services.do_request_refresh(actor=request.user, year=payload.year, region=region)
    return Status(202, {"job_id": job.pk, "title": job.title})

"""/api/v1/disclosure: publication management (the public site itself is /public/, no login)."""

from datetime import datetime

from django.conf import settings
from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wenxiao.api.pagination import LimitOffsetPagination
from wenxiao.disclosure import selectors, services
from wenxiao.disclosure.models import Publication

router = Router(tags=["信息公开"])
KINDS = " / ".join(f"{k} {v}" for k, v in Publication.Kind.choices)


class PublicationOut(Schema):
    id: int
    kind: str
    year: int
    region: str = Field(alias="region_name")
    department: str = Field(alias="department_name")
    title: str
    public_url: str
    has_pdf: bool
    published_by: str
    published_at: datetime
    withdrawn_at: datetime | None
    withdraw_reason: str
    source_type: str
    source_id: int = Field(alias="object_id")

    @staticmethod
    def resolve_public_url(obj):
        return obj.get_absolute_url()

    @staticmethod
    def resolve_has_pdf(obj):
        return bool(obj.pdf)

    @staticmethod
    def resolve_published_by(obj):
        return obj.published_by.username

    @staticmethod
    def resolve_source_type(obj):
        return f"{obj.content_type.app_label}.{obj.content_type.model}"


class PublicationFilter(Schema):
    kind: str = ""
    year: int | None = None
    state: str = Field("", description="live 公开中 / withdrawn 已撤回 / 空为全部")


class CandidateOut(Schema):
    id: int
    title: str
    department: str | None
    region: str


class PublishIn(Schema):
    kind: str = Field(description=KINDS)
    year: int = settings.FISCAL_YEAR
    department_id: int | None = Field(None, description="只公开该主管部门的事项")
    ids: list[int] | None = Field(None, description="所选事项编号（来源表的 id）；不填则公开全部可公开事项")


class WithdrawIn(Schema):
    reason: str


@router.get("/publications", response=list[PublicationOut], summary="公开事项（含已撤回）")
@paginate(LimitOffsetPagination)
def publication_list(request, filters: Query[PublicationFilter]):
    qs = selectors.publications(request.user, kind=filters.kind, year=filters.year, state=filters.state)
    return qs.select_related("content_type")


@router.get("/candidates", response=list[CandidateOut], summary="可公开而尚未公开的事项")
def candidate_list(request, kind: str, year: int = settings.FISCAL_YEAR, department_id: int | None = None):
    qs = selectors.candidates(request.user, kind, year, department_id)
    if qs is None:
        raise Http404("未知的公开类型")
    return [
        {
            "id": o.pk,
            "title": str(o),
            "department": o.department.name if o.department_id else None,
            "region": o.region.name,
        }
        for o in qs.select_related("region")[:2000]
    ]


@router.post("/publications", response={201: list[PublicationOut]}, summary="公开事项（绩效科）")
def publish(request, payload: PublishIn):
    result = services.do_publish(
        actor=request.user,
        kind=payload.kind,
        year=payload.year,
        department_id=payload.department_id,
        object_ids=payload.ids,
    )
    return Status(201, result.publications)


@router.post("/publications/{int:publication_id}/withdraw", response=PublicationOut, summary="撤回公开事项")
def withdraw(request, publication_id: int, payload: WithdrawIn):
    if not selectors.publications(request.user).filter(pk=publication_id).exists():
        raise Http404("公开事项不存在或无权查看")
    return services.do_withdraw(publication_id, actor=request.user, reason=payload.reason)

"""/api/v1/partners — the agency and expert libraries over REST: lists and details scoped like the pages; status
changes, report acceptance and expert draws as POST (the 绩效科 of the library's region)."""

from datetime import date
from decimal import Decimal
from typing import Annotated

from django.http import Http404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from wenxiao.api.pagination import LimitOffsetPagination
from wenxiao.core.errors import PermissionDenied
from wenxiao.orgs.models import Organisation
from wenxiao.orgs.selectors import home_region
from wenxiao.partners import selectors, services
from wenxiao.partners.models import Agency, Engagement, Expert, ExpertDraw

YEAR = Annotated[int, Field(ge=2000, le=2100, description="年度")]  # a date must exist for the year

router = Router(tags=["第三方机构与专家"])
STATUSES = " / ".join(f"{k} {v}" for k, v in Agency.Status.choices)


class AgencyOut(Schema):
    id: int
    name: str
    credit_code: str
    agency_type: str
    region_code: str
    staff: int
    qualified_staff: int
    qualifications: str
    status: str = Field(description=STATUSES)
    status_since: date
    status_reason: str
    blacklisted_until: date | None
    version: int

    @staticmethod
    def resolve_name(obj):
        return obj.org.name

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code


class AgencyIn(Schema):
    name: str
    credit_code: str = Field(description="统一社会信用代码（18位，含校验位）")
    agency_type: str = "专业咨询机构"
    established: date | None = None
    qualifications: str = ""
    staff: int = 0
    qualified_staff: int = 0
    independent_liability: bool = True
    facilities: bool = True
    governance: bool = True
    quality_control: bool = True
    rules: list[str] = Field(["财务管理", "资产管理", "保密管理", "培训"], description="已建立的管理制度")
    contact_person: str = ""
    contact_phone: str = ""
    address: str = ""


class StatusIn(Schema):
    status: str = Field(description=STATUSES)
    reason: str
    start: date | None = None
    years: int | None = Field(None, description="黑名单年限，默认按参数设置")


class EngagementOut(Schema):
    id: int
    agency_id: int
    agency_name: str
    title: str
    subject_type: str
    subject_id: int
    subject: str
    unit_code: str | None
    fee: Decimal
    status: str = Field(description="engaged 委托中 / accepted 已验收")
    engaged_on: date
    accepted_on: date | None
    quality_total: Decimal | None
    grade: str
    payment_ratio: Decimal | None
    payment: Decimal | None
    flagged: bool

    @staticmethod
    def resolve_agency_name(obj):
        return obj.agency.org.name

    @staticmethod
    def resolve_subject_type(obj):
        return f"{obj.content_type.app_label}.{obj.content_type.model}"

    @staticmethod
    def resolve_subject_id(obj):
        return obj.object_id

    @staticmethod
    def resolve_subject(obj):
        return obj.subject_repr

    @staticmethod
    def resolve_unit_code(obj):
        return obj.unit.code if obj.unit_id else None


class EngagementDetail(EngagementOut):
    scores: dict
    quality_notes: list[str]
    report_text: str


class AcceptIn(Schema):
    scores: dict[str, Decimal] = Field(description="质量考核清单各项得分，键为考核项目名称")
    report_text: str


class ExpertOut(Schema):
    id: int
    name: str
    title: str
    employer: str
    position: str
    fields: list[str]
    status: str = Field(description="active 正常 / inactive 停用 / blacklisted 黑名单")
    region_code: str

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code


class ExpertDetail(ExpertOut):
    relations: list[str]
    phone: str | None = Field(None, description="仅绩效科和专家本人可见")
    email: str | None = None


class DrawIn(Schema):
    unit_code: str = Field(description="被评价单位代码")
    count: int
    fields: list[str] = []
    purpose: str


class DrawnExpert(Schema):
    id: int
    name: str
    title: str
    employer: str
    fields: list[str]


class DrawOut(Schema):
    id: int
    purpose: str
    unit_code: str
    unit_name: str
    fields: list[str]
    count: int
    seed: str
    pool_size: int
    drawn_at: str
    experts: list[DrawnExpert]

    @staticmethod
    def resolve_unit_code(obj):
        return obj.subject_org.code

    @staticmethod
    def resolve_unit_name(obj):
        return obj.subject_org.name

    @staticmethod
    def resolve_drawn_at(obj):
        return obj.drawn_at.isoformat()

    @staticmethod
    def resolve_experts(obj):
        return obj.experts


class RankedOut(Schema):
    agency_id: int
    name: str
    rank: int | None
    mean: Decimal | None
    reports: int
    eliminated: bool
    reasons: list[str]


def _get(qs, pk: int):
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


@router.get("/agencies", response=list[AgencyOut], summary="第三方机构列表")
@paginate(LimitOffsetPagination)
def agency_list(request, status: str = "", q: str = ""):
    return selectors.agency_list(request.user, status=status, q=q)


@router.post("/agencies", response={201: AgencyOut}, summary="登记入库（核验信用代码和入库条件）")
def agency_register(request, payload: AgencyIn):
    data = payload.dict()
    agency = services.do_register_agency(actor=request.user, **data)
    return Status(201, Agency.objects.select_related("org", "region").get(pk=agency.pk))


@router.get("/agencies/{int:agency_id}", response=AgencyOut, summary="机构详情")
def agency_detail(request, agency_id: int):
    return _get(Agency.objects.visible_to(request.user).select_related("org", "region"), agency_id)


@router.post("/agencies/{int:agency_id}/status", response=AgencyOut, summary="变更状态：正常/暂停/清退/黑名单")
def agency_status(request, agency_id: int, payload: StatusIn):
    a = _get(Agency.objects.visible_to(request.user), agency_id)
    services.do_change_status(
        a, status=payload.status, reason=payload.reason, start=payload.start, years=payload.years, actor=request.user
    )
    return Agency.objects.select_related("org", "region").get(pk=a.pk)


@router.get("/selectable", response=list[AgencyOut], summary="可委托的机构（状态正常且不在黑名单期内）")
def selectable(request, year: YEAR | None = None):
    region = home_region(request.user, ("performance", "business", "sysadmin"))
    if region is None:
        return []
    return list(selectors.selectable_agencies(request.user, region, year).select_related("region"))


@router.get("/engagements", response=list[EngagementOut], summary="委托列表")
@paginate(LimitOffsetPagination)
def engagement_list(request, status: str = "", year: YEAR | None = None, agency_id: int | None = None):
    qs = selectors.engagements(request.user, status=status, year=year).select_related("content_type")
    return qs.filter(agency_id=agency_id) if agency_id else qs


@router.get("/engagements/{int:engagement_id}", response=EngagementDetail, summary="委托详情（含报告和质量考核）")
def engagement_detail(request, engagement_id: int):
    return _get(
        Engagement.objects.visible_to(request.user).select_related("agency__org", "unit", "content_type"),
        engagement_id,
    )


@router.post(
    "/engagements/{int:engagement_id}/acceptance", response=EngagementDetail, summary="验收报告：质量评分、付费、查重"
)
def engagement_accept(request, engagement_id: int, payload: AcceptIn):
    e = _get(Engagement.objects.visible_to(request.user), engagement_id)
    services.do_accept_report(e, scores=payload.scores, report_text=payload.report_text, actor=request.user)
    return Engagement.objects.select_related("agency__org", "unit", "content_type").get(pk=e.pk)


@router.get("/ranking", response=list[RankedOut], summary="年度质量考核排名")
def ranking(request, year: YEAR):
    region = home_region(request.user, ("performance", "business", "sysadmin"))
    if region is None or not selectors.is_reader(request.user):
        raise PermissionDenied("无权查看机构排名。")
    return [
        {
            "agency_id": row["agency"].pk,
            "name": row["agency"].name,
            "rank": row["r"].rank,
            "mean": row["r"].mean,
            "reports": row["r"].n,
            "eliminated": row["r"].eliminated,
            "reasons": list(row["r"].reasons),
        }
        for row in selectors.ranking(request.user, region, year)
    ]


@router.get("/experts", response=list[ExpertOut], summary="专家列表")
@paginate(LimitOffsetPagination)
def expert_list(request, field: str = "", status: str = "", q: str = ""):
    return selectors.expert_list(request.user, field=field, status=status, q=q)


@router.get("/experts/{int:expert_id}", response=ExpertDetail, summary="专家详情")
def expert_detail(request, expert_id: int):
    e = _get(Expert.objects.visible_to(request.user).select_related("region"), expert_id)
    if not selectors.can_see_contact(request.user, e):
        e.phone = e.email = None
    return e


@router.get("/draws", response=list[DrawOut], summary="专家抽取记录")
@paginate(LimitOffsetPagination)
def draw_list(request):
    return selectors.draws(request.user)


@router.get("/draws/{int:draw_id}", response=DrawOut, summary="抽取结果")
def draw_detail(request, draw_id: int):
    return _get(selectors.draws(request.user), draw_id)


@router.post("/draws", response={201: DrawOut}, summary="随机抽取专家（回避同一单位、近期往来和关联关系）")
def draw(request, payload: DrawIn):
    region = home_region(request.user, ("performance",))
    if region is None or not selectors.is_writer(request.user, region):
        raise PermissionDenied("专家抽取由财政绩效科进行。")
    unit = (
        Organisation.objects.visible_to(request.user)
        .filter(code=payload.unit_code, kind__in=["unit", "department"])
        .first()
    )
    d = services.do_draw_experts(
        region=region,
        subject_org=unit,
        count=payload.count,
        fields=payload.fields,
        purpose=payload.purpose,
        actor=request.user,
    )
    return Status(201, ExpertDraw.objects.select_related("subject_org").get(pk=d.pk))

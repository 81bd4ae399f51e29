"""/api/v1/library — the indicator library: browse, propose, publish."""

from decimal import Decimal

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wenxiao.api.pagination import LimitOffsetPagination
from wenxiao.library import selectors, services
from wenxiao.library.models import IndicatorTemplate

router = Router(tags=["指标库"])


class IndicatorOut(Schema):
    id: int
    code: str
    name: str
    level1: str
    level2: str
    unit: str
    comparator: str
    value_kind: str
    definition: str
    formula: str
    scoring: str
    source: str
    is_common: bool
    state: str
    revision: int
    usage_count: int
    p10: Decimal | None
    p50: Decimal | None
    p90: Decimal | None
    sectors: list[str]

    @staticmethod
    def resolve_sectors(obj):
        return [s.code for s in obj.sectors.all()]


class FilterIn(Schema):
    q: str = ""
    level1: str = ""
    level2: str = ""
    function_code: str = Field("", description="功能分类编码前缀")
    state: str = ""
    common: str = Field("", description="1 共性 / 0 个性")


class ProposeIn(Schema):
    name: str
    level1: str
    level2: str
    comparator: str
    value_kind: str
    unit: str = ""
    definition: str = ""
    formula: str = ""
    scoring: str = ""
    source: str = "计划标准"
    sectors: list[str] = []
    ref_p10: Decimal | None = None
    ref_p50: Decimal | None = None
    ref_p90: Decimal | None = None
    reason: str = ""


class ActionIn(Schema):
    action: str = Field(description="publish / reject / disable / enable")
    comment: str = ""


@router.get("", response=list[IndicatorOut], summary="库内指标")
@paginate(LimitOffsetPagination)
def list_indicators(request, filters: Query[FilterIn]):
    return selectors.indicator_list(
        request.user,
        q=filters.q,
        level1=filters.level1,
        level2=filters.level2,
        function=filters.function_code,
        state=filters.state,
        common=filters.common,
    ).prefetch_related("sectors")


@router.get("/{int:indicator_id}", response=IndicatorOut, summary="库内指标详情")
def get_indicator(request, indicator_id: int):
    t = IndicatorTemplate.objects.visible_to(request.user).filter(pk=indicator_id).first()
    if t is None:
        raise Http404
    return t


@router.post("", response={201: IndicatorOut}, summary="提议新指标（待绩效科发布）")
def propose(request, payload: ProposeIn):
    return Status(201, services.do_propose(payload.dict(), actor=request.user))


@router.post("/{int:indicator_id}/actions", response=IndicatorOut, summary="发布、退回、停用、启用")
def act(request, indicator_id: int, payload: ActionIn):
    get_indicator(request, indicator_id)
    return services.do_transition(indicator_id, payload.action, actor=request.user, comment=payload.comment)

"""/api/v1/oversight — 考核与综合评价 over REST: schemes, rounds, computed metrics, publication, results."""

from datetime import datetime
from decimal import Decimal

from django.http import Http404
from ninja import Field, Router, Schema, Status

from wenxiao.oversight import metrics, selectors, services
from wenxiao.oversight.models import AssessmentRound, AssessmentScheme

router = Router(tags=["考核与综合评价"])
KINDS = "fiscal 财政运行综合绩效评价 / bureau 下级财政预算绩效管理工作考核 / department 部门预算绩效管理考核"


class IndicatorOut(Schema):
    id: int
    order: int
    group: str
    name: str
    weight: Decimal
    source: str = Field(description="metric 系统计算 / import 导入 / manual 人工评分")
    metric: str
    rule: str = Field(description="positive 正向 / reverse 反向 / range 区间 / manual 人工评分")
    full_mark: Decimal | None
    zero_mark: Decimal | None
    full_mark_high: Decimal | None
    zero_mark_high: Decimal | None
    unit: str
    standard: str


class SchemeOut(Schema):
    id: int
    region_code: str
    year: int
    kind: str = Field(description=KINDS)
    name: str
    note: str
    version: int
    indicators: list[IndicatorOut]

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code

    @staticmethod
    def resolve_indicators(obj):
        return list(obj.indicators.all())


class SchemeIn(Schema):
    year: int
    kind: str = Field(description=KINDS)
    name: str = ""
    note: str = ""


class RoundIn(Schema):
    scheme_id: int
    name: str = ""
    note: str = ""


class RoundOut(Schema):
    id: int
    region_code: str
    year: int
    kind: str = Field(description=KINDS)
    scheme_id: int
    name: str
    state: str = Field(description="open 评分中 / published 已公布")
    version: int
    computed_at: datetime | None
    published_at: datetime | None

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code


class ScoreOut(Schema):
    indicator_id: int
    indicator: str
    weight: Decimal
    value: Decimal | None
    score: Decimal | None
    note: str


class ResultOut(Schema):
    id: int
    code: str
    name: str
    total: Decimal | None
    rank: int | None
    grade: str
    missing: int
    scores: list[ScoreOut]


class PublishIn(Schema):
    version: int | None = None


class MetricOut(Schema):
    key: str
    label: str
    unit: str
    doc: str


def _round(request, pk: int) -> AssessmentRound:
    rnd = AssessmentRound.objects.visible_to(request.user).select_related("region").filter(pk=pk).first()
    if rnd is None:
        raise Http404
    return rnd


@router.get("/metrics", response=list[MetricOut], summary="可用的系统计算指标（指标登记表）")
def metric_list(request):
    return [{"key": m.key, "label": m.label, "unit": m.unit, "doc": m.doc} for m in metrics.registry().values()]


@router.get("/schemes", response=list[SchemeOut], summary="考核方案")
def scheme_list(request, year: int | None = None):
    return list(selectors.schemes(request.user, year).prefetch_related("indicators"))


@router.post("/schemes", response={201: SchemeOut}, summary="新建考核方案（按默认模板，绩效科）")
def scheme_create(request, payload: SchemeIn):
    s = services.do_create_scheme(
        actor=request.user, year=payload.year, kind=payload.kind, name=payload.name, note=payload.note
    )
    return Status(201, AssessmentScheme.objects.select_related("region").get(pk=s.pk))


@router.get("/schemes/{int:scheme_id}", response=SchemeOut, summary="考核方案详情")
def scheme_detail(request, scheme_id: int):
    s = AssessmentScheme.objects.visible_to(request.user).select_related("region").filter(pk=scheme_id).first()
    if s is None:
        raise Http404
    return s


@router.get("/rounds", response=list[RoundOut], summary="考核轮次（被考核单位只见已公布且含本单位的轮次）")
def round_list(request, year: int | None = None):
    return list(selectors.rounds(request.user, year))


@router.post("/rounds", response={201: RoundOut}, summary="发起考核轮次（绩效科）")
def round_create(request, payload: RoundIn):
    r = services.do_open_round(actor=request.user, scheme_id=payload.scheme_id, name=payload.name, note=payload.note)
    return Status(201, _round(request, r.pk))


@router.get("/rounds/{int:round_id}", response=RoundOut, summary="考核轮次详情")
def round_detail(request, round_id: int):
    return _round(request, round_id)


@router.post("/rounds/{int:round_id}/run", summary="计算系统指标并重新评分")
def round_run(request, round_id: int):
    _round(request, round_id)
    s = services.do_run_metrics(round_id, actor=request.user)
    return {"metrics": s.metrics, "computed": s.computed, "empty": s.empty}


@router.post("/rounds/{int:round_id}/publish", response=RoundOut, summary="公布考核结果")
def round_publish(request, round_id: int, payload: PublishIn):
    _round(request, round_id)
    services.do_publish_round(round_id, actor=request.user, expected_version=payload.version)
    return _round(request, round_id)


@router.get("/rounds/{int:round_id}/results", response=list[ResultOut], summary="考核结果：总分、排名、等级和分项得分")
def round_results(request, round_id: int):
    rnd = _round(request, round_id)
    subs = list(selectors.subjects(request.user, rnd))
    cells = selectors.scores(request.user, [s.pk for s in subs])
    out = []
    for s in subs:
        rows = sorted((c for (sid, _), c in cells.items() if sid == s.pk), key=lambda c: (c.indicator.order, c.pk))
        out.append(
            {
                "id": s.pk,
                "code": s.code,
                "name": s.name,
                "total": s.total,
                "rank": s.rank,
                "grade": s.grade,
                "missing": s.missing,
                "scores": [
                    {
                        "indicator_id": c.indicator_id,
                        "indicator": c.indicator.name,
                        "weight": c.indicator.weight,
                        "value": c.value,
                        "score": c.score,
                        "note": c.note,
                    }
                    for c in rows
                ],
            }
        )
    return out

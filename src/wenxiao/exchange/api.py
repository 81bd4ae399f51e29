"""/api/v1/exchange — the 预算管理一体化 interface (docs/exchange.md).

Pushes (POST projects / budgets / payments) take `{"data": [records]}` in the 一体化 field names, validate every row
and write all or nothing; the answer is the batch report (200 written or unchanged, 422 refused with row errors).
Reads (GET targets / monitoring / selfevals / evaluations) return results in the same field names, scoped to the
caller.
"""

from datetime import datetime
from typing import Any

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wenxiao.api.pagination import LimitOffsetPagination
from wenxiao.exchange import selectors, services

router = Router(tags=["一体化数据交换"])


class PushIn(Schema):
    data: list[dict[str, Any]] = Field(..., description="记录列表，字段名见 docs/exchange.md 的字段表")
    file_name: str = Field("", max_length=200, description="批次名称（可选，显示在批次列表中）")


class RowError(Schema):
    row: int
    field: str
    label: str
    value: str
    message: str


class RowResult(Schema):
    row: int
    key: str
    result: str


class ReportOut(Schema):
    batch_id: int | None
    kind: str
    kind_label: str
    source: str
    file_name: str
    status: str
    written: bool
    total: int
    added: int
    updated: int
    unchanged: int
    rejected: int
    summary: str
    errors: list[RowError]
    rows: list[RowResult]
    create_time: str


class BatchOut(Schema):
    id: int
    kind: str
    source: str
    file_name: str
    status: str
    total: int
    added: int
    updated: int
    unchanged: int
    rejected: int
    actor: str
    created_at: datetime

    @staticmethod
    def resolve_actor(obj):
        return obj.actor.username if obj.actor else ""


class ReadFilter(Schema):
    fiscal_year: int | None = Field(None, ge=2000, le=2100)
    pro_code: str = Field("", max_length=40)
    update_since: datetime | None = None


def _push(request, kind: str, body: PushIn, dry_run: bool):
    report, batch = services.do_push(
        kind, actor=request.user, source="api", rows=body.data, file_name=body.file_name, dry_run=dry_run
    )
    return Status(422 if report.errors else 200, report.as_dict(batch))


PUSH = {200: ReportOut, 422: ReportOut}


@router.post("/projects", response=PUSH, summary="推送项目（按 pro_code 幂等，全部校验通过才写入）")
def push_projects(request, body: PushIn, dry_run: bool = False):
    return _push(request, "projects", body, dry_run)


@router.post("/budgets", response=PUSH, summary="推送年度预算和预算调整（按 pro_code+fiscal_year、adj_code 幂等）")
def push_budgets(request, body: PushIn, dry_run: bool = False):
    return _push(request, "budgets", body, dry_run)


@router.post("/payments", response=PUSH, summary="推送国库集中支付（按 pay_cert_no 幂等，经支付数据导入校验）")
def push_payments(request, body: PushIn, dry_run: bool = False):
    return _push(request, "payments", body, dry_run)


@router.get("/batches", response=list[BatchOut], summary="交换批次列表（绩效科、系统管理员）")
@paginate(LimitOffsetPagination)
def batch_list(request, kind: str = "", status: str = ""):
    return selectors.batches(request.user, kind=kind, status=status)


@router.get("/batches/{batch_id}", response=ReportOut, summary="一个批次的结果报告")
def batch_detail(request, batch_id: int):
    batch = selectors.batches(request.user).filter(pk=batch_id).first()
    if batch is None:
        raise Http404
    return {**batch.report, "batch_id": batch.pk}


@router.get(
    "/targets", response=list[dict[str, Any]], summary="已批复的绩效目标及指标（kpi_target、kpi_lv1/2/3、kpi_val）"
)
@paginate(LimitOffsetPagination)
def targets(request, filters: Query[ReadFilter]):
    return selectors.approved_targets(request.user, **filters.dict())


@router.get("/monitoring", response=list[dict[str, Any]], summary="绩效监控结果（监控表、指标行、预警灯和预警）")
@paginate(LimitOffsetPagination)
def monitoring(request, filters: Query[ReadFilter]):
    return selectors.monitoring_results(request.user, **filters.dict())


@router.get("/selfevals", response=list[dict[str, Any]], summary="绩效自评结果（自评分、规则得分、等级、复评）")
@paginate(LimitOffsetPagination)
def selfevals(request, filters: Query[ReadFilter]):
    return selectors.selfeval_results(request.user, **filters.dict())


@router.get("/evaluations", response=list[dict[str, Any]], summary="重点绩效评价结果（得分、等级、报告结论）")
@paginate(LimitOffsetPagination)
def evaluations(request, filters: Query[ReadFilter]):
    return selectors.evaluation_results(request.user, **filters.dict())

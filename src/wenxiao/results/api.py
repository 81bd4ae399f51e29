"""/api/v1/results — 结果应用 over REST: the rectification ledger and its figures, budget suggestion sheets."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.http import Http404
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from wenxiao.api.pagination import LimitOffsetPagination
from wenxiao.results import selectors, services

router = Router(tags=["结果应用"])


class ItemOut(Schema):
    id: int
    year: int
    source: str
    source_ref: str
    letter_id: int | None
    project_id: int | None
    unit_id: int
    unit_name: str
    department_id: int
    problem: str
    requirement: str
    owner: str
    deadline: date
    measures: str
    evidence: str
    state: str
    state_label: str
    overdue: bool
    duplicate_of_id: int | None
    version: int

    @staticmethod
    def resolve_unit_name(obj):
        return obj.unit.name

    @staticmethod
    def resolve_overdue(obj):
        return obj.is_overdue


class ItemFilter(Schema):
    year: int | None = None
    state: str = ""
    source: str = ""
    overdue: bool = False
    q: str = ""


class ActionIn(Schema):
    action: str  # issue / feedback / verify / return
    comment: str = ""
    version: int | None = None
    measures: str | None = None
    evidence: str | None = None
    owner: str | None = None


class FigureRow(Schema):
    total: int
    verified: int
    overdue: int
    fed_back: int
    rate: Decimal | None
    overdue_rate: Decimal | None


class LineOut(Schema):
    id: int
    project_id: int
    project_code: str
    project_name: str
    basis: str
    grade: str
    action: str
    action_label: str
    current_amount: Decimal
    suggested_amount: Decimal
    reason: str
    actual_amount: Decimal | None
    gap_reason: str

    @staticmethod
    def resolve_project_code(obj):
        return obj.project.code

    @staticmethod
    def resolve_project_name(obj):
        return obj.project.name


class SheetOut(Schema):
    id: int
    year: int
    basis_year: int
    department_id: int
    department_name: str
    lines: list[LineOut]

    @staticmethod
    def resolve_department_name(obj):
        return obj.department.name

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.select_related("project"))


class ActualIn(Schema):
    actual_amount: Decimal
    gap_reason: str = ""


@router.get("/items", response=list[ItemOut], summary="整改台账")
@paginate(LimitOffsetPagination)
def items(request, filters: ItemFilter = Query(...)):  # noqa: B008
    return selectors.items(
        request.user, filters.year, state=filters.state, source=filters.source, overdue=filters.overdue, q=filters.q
    ).order_by("deadline", "id")


@router.get("/items/{int:item_id}", response=ItemOut, summary="整改事项")
def item(request, item_id: int):
    return services.visible_item(request.user, item_id)


@router.post("/items/{int:item_id}/actions", response=ItemOut, summary="下发 / 整改反馈 / 核验销号 / 退回")
def item_action(request, item_id: int, payload: ActionIn):
    return services.do_transition(
        item_id,
        payload.action,
        actor=request.user,
        comment=payload.comment,
        expected_version=payload.version,
        measures=payload.measures,
        evidence=payload.evidence,
        owner=payload.owner,
    )


@router.get("/figures", response=FigureRow, summary="清零销号统计（同一问题只计一次）")
def figures(request, year: int = settings.FISCAL_YEAR):
    return selectors.figures(request.user, year)["total"]


@router.get("/sheets/{int:sheet_id}", response=SheetOut, summary="下年度预算安排建议表及实际安排")
def sheet(request, sheet_id: int):
    s = selectors.sheet_or_none(request.user, sheet_id)
    if s is None:
        raise Http404("预算安排建议表不存在")
    return s


@router.post("/sheets/{int:sheet_id}/lines/{int:line_id}/actual", response=LineOut, summary="登记实际预算安排")
def record_actual(request, sheet_id: int, line_id: int, payload: ActualIn):
    s = selectors.sheet_or_none(request.user, sheet_id)
    if s is None or not s.lines.filter(pk=line_id).exists():
        raise Http404("建议条目不存在")
    return services.do_record_actual(
        line_id, actor=request.user, amount=payload.actual_amount, gap_reason=payload.gap_reason
    )

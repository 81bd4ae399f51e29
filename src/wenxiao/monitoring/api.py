"""/api/v1/monitoring — 绩效运行监控 over REST: statuses, warnings, actions, rounds, forms, payments import."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.http import Http404
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from wenxiao.api.pagination import LimitOffsetPagination
from wenxiao.monitoring import selectors, services
from wenxiao.monitoring.models import MonitoringForm, MonitoringRound, ProjectStatus, WarningAction
from wenxiao.projects import ingest

router = Router(tags=["绩效运行监控"])
KINDS = " / ".join(f"{k} {v}" for k, v in WarningAction.Kind.choices)


class StatusOut(Schema):
    project_id: int
    project_code: str
    project_name: str
    year: int
    as_of: date
    budget: Decimal
    spent: Decimal
    rate: float | None
    time_progress: float
    forecast_rate: float | None
    completion: float | None
    light: str = Field(description="red 红灯 / yellow 黄灯 / green 绿灯")
    warnings: int

    @staticmethod
    def resolve_project_code(obj):
        return obj.project.code

    @staticmethod
    def resolve_project_name(obj):
        return obj.project.name


class WarningOut(Schema):
    id: int
    project_id: int
    project_code: str
    indicator_id: int | None
    year: int
    code: str
    level: str
    title: str
    detail: str
    numbers: dict
    action: str
    action_text: str
    status: str
    first_seen: date
    last_seen: date

    @staticmethod
    def resolve_project_code(obj):
        return obj.project.code


class WarningFilter(Schema):
    year: int = settings.FISCAL_YEAR
    level: str = ""
    code: str = ""
    status: str = ""
    q: str = ""


class ActionIn(Schema):
    year: int
    kind: str = Field(description=KINDS)
    note: str
    warning_id: int | None = None
    amount: Decimal | None = Field(None, description="调减金额（元），仅 cut")
    due: date | None = None


class ActionOut(Schema):
    id: int
    project_id: int
    year: int
    kind: str
    note: str
    amount: Decimal | None
    due: date | None
    warning_id: int | None


class RoundIn(Schema):
    year: int
    name: str
    period_end: date = Field(description="数据截止日期，须为月末")
    deadline: date
    kind: str = "concentrated"
    department_id: int | None = None
    note: str = ""


class RoundOut(Schema):
    id: int
    year: int
    name: str
    kind: str
    period_end: date
    deadline: date
    department_id: int | None
    closed: bool
    forms: int

    @staticmethod
    def resolve_closed(obj):
        return obj.closed_at is not None

    @staticmethod
    def resolve_forms(obj):
        return getattr(obj, "forms_n", None) or obj.forms.count()


class LineOut(Schema):
    id: int
    level1: str
    level2: str
    name: str
    value: str
    unit: str
    to_date: str
    forecast: str
    likelihood: int | None = Field(description="1 确定能 / 2 有可能 / 3 完全不可能")
    deviation_kinds: list[str]
    deviation_text: str
    measures: str
    note: str


class FormOut(Schema):
    id: int
    round_id: int
    project_id: int
    project_code: str
    state: str
    version: int
    budget_initial: Decimal
    budget_annual: Decimal
    budget_fiscal: Decimal
    executed: Decimal
    rate: float | None
    forecast_amount: Decimal | None
    progress_text: str
    problems: str
    measures: str
    lines: list[LineOut]

    @staticmethod
    def resolve_project_code(obj):
        return obj.project.code

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.all())


class LineIn(Schema):
    id: int
    to_date: str | None = None
    forecast: str | None = None
    likelihood: int | None = None
    deviation_kinds: list[str] | None = None
    deviation_text: str | None = None
    measures: str | None = None
    note: str | None = None


class FormIn(Schema):
    version: int | None = None
    forecast_amount: Decimal | None = None
    progress_text: str | None = None
    problems: str | None = None
    measures: str | None = None
    lines: list[LineIn] = []


class TransitionIn(Schema):
    action: str = Field(description="submit / dept_approve / dept_return / finance_approve / finance_return")
    comment: str = ""
    version: int | None = None


class RunIn(Schema):
    year: int
    as_of: date


class ImportOut(Schema):
    total: int
    added: int
    skipped: int
    amount: Decimal
    after_stop: int
    written: bool
    summary: str
    errors: list[dict]


@router.get("/status", response=list[StatusOut], summary="项目执行与预警灯（最近一次预警运行）")
@paginate(LimitOffsetPagination)
def statuses(request, year: int = settings.FISCAL_YEAR, light: str = ""):
    qs = ProjectStatus.objects.visible_to(request.user).filter(year=year).select_related("project")
    return qs.filter(light=light) if light else qs.order_by("project__code")


@router.get("/overview", summary="执行进度汇总：按主管部门、区划、预算类型")
def overview(request, year: int = settings.FISCAL_YEAR):
    u = request.user

    def plain(rows):
        return [{k: (float(v) if isinstance(v, Decimal) else v) for k, v in r.items()} for r in rows]

    f, _ = selectors.execution_figures(u, year)
    return {
        "total": {k: (float(v) if isinstance(v, Decimal) else v) for k, v in f["o"].items()},
        "departments": plain(f["departments"]),
        "regions": plain(f["regions"]),
        "budget_kinds": plain(f["kinds"]),
    }


@router.get("/warnings", response=list[WarningOut], summary="预警列表")
@paginate(LimitOffsetPagination)
def warning_list(request, filters: Query[WarningFilter]):
    return selectors.warning_list(
        request.user, filters.year, level=filters.level, code=filters.code, status=filters.status, q=filters.q
    )


@router.post("/run", summary="运行预警（本区划，截至指定日期）")
def run(request, payload: RunIn):
    from wenxiao.core.errors import PermissionDenied
    from wenxiao.core.scoping import can_write
    from wenxiao.orgs.selectors import home_region

    region = home_region(request.user, ("performance",))
    if region is None or not can_write(request.user):
        raise PermissionDenied("预警由财政绩效科运行。")
    s = services.run_warnings(region, payload.year, payload.as_of, actor=request.user)
    return {"projects": s.projects, "warnings": s.warnings, "red": s.red, "yellow": s.yellow, "cleared": s.cleared}


@router.post(
    "/projects/{int:project_id}/actions", response={201: ActionOut}, summary="处置预警（财政）或整改反馈（单位）"
)
def act(request, project_id: int, payload: ActionIn):
    a = services.do_action(
        project_id,
        actor=request.user,
        year=payload.year,
        kind=payload.kind,
        note=payload.note,
        warning_id=payload.warning_id,
        amount=payload.amount,
        due=payload.due,
    )
    return Status(201, a)


@router.get("/rounds", response=list[RoundOut], summary="监控轮次")
def rounds(request, year: int | None = None):
    return list(selectors.rounds(request.user, year))


@router.post("/rounds", response={201: RoundOut}, summary="发起监控轮次（生成并下发监控表）")
def open_round(request, payload: RoundIn):
    r = services.do_open_round(
        actor=request.user,
        year=payload.year,
        name=payload.name,
        period_end=payload.period_end,
        deadline=payload.deadline,
        kind=payload.kind,
        department_id=payload.department_id,
        note=payload.note,
    )
    return Status(201, r)


@router.get("/rounds/{int:round_id}/coverage", summary="监控覆盖情况：单位、项目、金额（R23）")
def coverage(request, round_id: int):
    rnd = MonitoringRound.objects.visible_to(request.user).filter(pk=round_id).first()
    if rnd is None:
        raise Http404
    c = selectors.coverage(request.user, rnd)
    return {k: {x: (float(y) if isinstance(y, Decimal) else y) for x, y in v.items()} for k, v in c.items()}


def _form(request, pk: int) -> MonitoringForm:
    f = MonitoringForm.objects.visible_to(request.user).select_related("project").filter(pk=pk).first()
    if f is None:
        raise Http404
    return f


@router.get("/forms", response=list[FormOut], summary="监控表列表")
@paginate(LimitOffsetPagination)
def forms(request, round_id: int | None = None, state: str = ""):
    qs = MonitoringForm.objects.visible_to(request.user).select_related("project").prefetch_related("lines")
    if round_id:
        qs = qs.filter(round_id=round_id)
    return qs.filter(state=state) if state else qs.order_by("id")


@router.get("/forms/{int:form_id}", response=FormOut, summary="监控表详情")
def get_form(request, form_id: int):
    return _form(request, form_id)


@router.put("/forms/{int:form_id}", response=FormOut, summary="填报监控表（可部分保存）")
def save_form(request, form_id: int, payload: FormIn):
    _form(request, form_id)
    changes = {k: v for k, v in payload.dict(exclude={"version", "lines"}).items() if v is not None}
    changes["lines"] = [{k: v for k, v in ln.dict().items() if v is not None} for ln in payload.lines]
    services.do_save_form(form_id, changes, actor=request.user, expected_version=payload.version)
    return _form(request, form_id)


@router.post("/forms/{int:form_id}/transition", response=FormOut, summary="提交、审核、退回监控表")
def transition(request, form_id: int, payload: TransitionIn):
    _form(request, form_id)
    services.do_transition(
        form_id, payload.action, actor=request.user, comment=payload.comment, expected_version=payload.version
    )
    return _form(request, form_id)


@router.post(
    "/payments/import", response=ImportOut, summary="导入国库集中支付数据（CSV/XLSX/JSON，全部校验通过才写入）"
)
def import_payments(request, file: File[UploadedFile], dry_run: Form[bool] = False):
    r = ingest.import_payments(file.read(), file.name or "payments.csv", actor=request.user, dry_run=dry_run)
    return {
        "total": r.total,
        "added": r.added if r.ok and r.duplicate_of is None else 0,
        "skipped": r.skipped,
        "amount": r.amount if r.ok else Decimal("0"),
        "after_stop": r.after_stop,
        "written": r.batch is not None,
        "summary": r.summary(),
        "errors": [{"row": e.row, "column": e.column, "value": e.value, "message": e.message} for e in r.errors],
    }

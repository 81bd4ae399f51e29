"""/api/v1/evaluation — 绩效评价 over REST: self-evaluation tasks and forms (scored by the rules), 复评, grade
distribution, key evaluations and their candidates, and the scoring engine on a posted table."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.http import Http404
from ninja import Body, Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wenxiao.api.pagination import LimitOffsetPagination
from wenxiao.evaluation import key_services, selectors, selfeval_file
from wenxiao.evaluation import selfeval_services as services
from wenxiao.evaluation.candidates import candidate_list
from wenxiao.evaluation.models import Evaluation, SelfEvalTask, SelfEvaluation
from wenxiao.evaluation.scoring import ConfigError, score

router = Router(tags=["绩效评价"])


class TaskIn(Schema):
    year: int
    name: str
    deadline: date
    department_id: int | None = None
    note: str = ""
    with_final_accounts: bool = True


class TaskOut(Schema):
    id: int
    year: int
    name: str
    deadline: date
    department_id: int | None
    with_final_accounts: bool


class LineOut(Schema):
    id: int
    level1: str
    level2: str
    name: str
    value: str = Field(description="年度指标值")
    unit: str
    weight: Decimal | None
    actual: str = Field(description="实际完成值")
    declared_score: Decimal | None
    deviation_reason: str
    explanation: str
    monitor_forecast: str = Field(description="最近一次监控的全年预计完成值")
    score: Decimal | None = Field(description="规则得分")
    rule_weight: Decimal | None
    rule: str
    detail: str
    flags: list[str]
    review_score: Decimal | None
    review_reason: str


class FlagOut(Schema):
    code: str
    indicator: int | None = Field(description="指标行序号（从0开始），为空表示整表")
    message: str


class SelfEvalOut(Schema):
    id: int
    task_id: int
    year: int
    kind: str
    state: str
    version: int
    project_id: int | None
    project_code: str | None
    subject: str
    unit_id: int
    department_id: int
    budget_initial: Decimal
    budget_annual: Decimal
    executed: Decimal
    paid: Decimal = Field(description="国库支付数（系统数据）")
    goal: str
    goal_actual: str
    score: Decimal | None = Field(description="规则得分")
    grade: str
    rate: Decimal | None = Field(description="预算执行率（%）")
    budget_score: Decimal | None
    declared_total: Decimal | None
    flags: list[FlagOut]
    review_score: Decimal | None
    review_grade: str
    review_opinion: str
    sampled: bool

    @staticmethod
    def resolve_project_code(obj):
        return obj.project.code if obj.project_id else None

    @staticmethod
    def resolve_subject(obj):
        return obj.subject_name


class SelfEvalDetail(SelfEvalOut):
    lines: list[LineOut]

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.all())


class LineIn(Schema):
    id: int
    actual: str | None = None
    declared_score: str | None = None
    deviation_reason: str | None = None
    explanation: str | None = None


class SelfEvalIn(Schema):
    version: int = Field(description="读取时的版本号；他人已修改时返回 409")
    executed: str | None = Field(None, description="全年执行数（元），可按决算修正")
    goal_actual: str | None = None
    summary: str | None = None
    with_final_accounts: bool | None = None
    lines: list[LineIn] = []


class TransitionIn(Schema):
    action: str = Field(description="submit / dept_approve / dept_return / finance_approve / finance_return")
    comment: str = ""
    version: int | None = None


class ReviewLineIn(Schema):
    id: int
    review_score: str | None = None
    review_reason: str = ""


class ReviewIn(Schema):
    lines: list[ReviewLineIn] = []
    review_budget_score: str | None = None
    review_opinion: str


class SelfEvalFilter(Schema):
    year: int = settings.FISCAL_YEAR
    task_id: int | None = None
    state: str = ""
    flagged: bool | None = None


class EvaluationOut(Schema):
    id: int
    year: int
    kind: str
    level: str
    title: str
    state: str
    project_id: int | None
    subject_org_id: int
    department_id: int
    amount: Decimal
    agency_id: int | None
    score: Decimal | None
    grade: str
    reasons: list[str]


class IndicatorOut(Schema):
    id: int
    level1: str
    level2: str
    name: str
    weight: Decimal
    standard: str
    value: str
    source: str
    score: Decimal | None
    finding: str


class EvaluationDetail(EvaluationOut):
    indicators: list[IndicatorOut]
    report: dict

    @staticmethod
    def resolve_indicators(obj):
        return list(obj.indicators.all())


class CandidateOut(Schema):
    project_id: int
    project_code: str
    project_name: str
    amount: Decimal
    reasons: list[str]
    evaluating: bool


def _form(request, pk: int) -> SelfEvaluation:
    f = (
        SelfEvaluation.objects.visible_to(request.user)
        .select_related("project", "unit", "region", "task")
        .filter(pk=pk)
        .first()
    )
    if f is None:
        raise Http404
    return f


@router.get("/tasks", response=list[TaskOut], summary="自评任务")
def tasks(request, year: int = settings.FISCAL_YEAR):
    return list(selectors.tasks(request.user, year))


@router.post("/tasks", response={201: TaskOut}, summary="下达自评任务（为已批复目标生成自评表）")
def issue_task(request, payload: TaskIn):
    t = services.do_issue_task(actor=request.user, **payload.dict())
    return Status(201, SelfEvalTask.objects.get(pk=t.pk))


@router.get("/selfevals", response=list[SelfEvalOut], summary="自评表列表")
@paginate(LimitOffsetPagination)
def selfevals(request, filters: Query[SelfEvalFilter]):
    qs = selectors.forms(request.user, filters.year)
    if filters.task_id:
        qs = qs.filter(task_id=filters.task_id)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.flagged is not None:
        qs = qs.filter(flag_count__gt=0) if filters.flagged else qs.filter(flag_count=0)
    return qs.order_by("id")


@router.get("/selfevals/{int:form_id}", response=SelfEvalDetail, summary="自评表详情（含规则得分和可信度提示）")
def get_selfeval(request, form_id: int):
    return _form(request, form_id)


@router.put("/selfevals/{int:form_id}", response=SelfEvalDetail, summary="填报自评表（保存后按规则计分）")
def save_selfeval(request, form_id: int, payload: SelfEvalIn):
    _form(request, form_id)
    changes = {k: v for k, v in payload.dict(exclude={"version", "lines"}).items() if v is not None}
    changes["lines"] = [{k: v for k, v in ln.dict().items() if v is not None} for ln in payload.lines]
    services.do_save_form(form_id, changes, actor=request.user, expected_version=payload.version)
    return _form(request, form_id)


@router.post("/selfevals/{int:form_id}/transition", response=SelfEvalDetail, summary="提交、审核、退回自评表")
def transition(request, form_id: int, payload: TransitionIn):
    _form(request, form_id)
    services.do_transition(
        form_id, payload.action, actor=request.user, comment=payload.comment, expected_version=payload.version
    )
    return _form(request, form_id)


@router.post("/selfevals/{int:form_id}/review", response=SelfEvalDetail, summary="财政复评（调整得分须说明理由）")
def review(request, form_id: int, payload: ReviewIn):
    _form(request, form_id)
    services.do_review(form_id, payload.dict(), actor=request.user)
    return _form(request, form_id)


@router.get("/distribution", summary="自评结果等级分布（规则得分与复评后），按主管部门")
def distribution(request, year: int = settings.FISCAL_YEAR):
    d = selectors.distribution(request.user, year)
    d["mean_change"] = float(d["mean_change"]) if d["mean_change"] is not None else None
    return d


@router.post(
    "/score",
    response={200: dict, 400: dict},
    summary="按规则为一张自评表计分（不写数据库；输入格式同 wenxiao score selfeval）",
)
def score_table(request, payload: Body[dict]):
    try:
        ev = selfeval_file.from_dict(payload)
        return 200, score(ev).to_dict()
    except (selfeval_file.SelfEvalFileError, ConfigError) as e:
        return Status(400, {"detail": e.message})


@router.get("/candidates", response=list[CandidateOut], summary="重点评价候选项目及入选理由")
def candidates(request, year: int = settings.FISCAL_YEAR):
    return [
        {
            "project_id": c["project"].pk,
            "project_code": c["project"].code,
            "project_name": c["project"].name,
            "amount": c["amount"],
            "reasons": c["reasons"],
            "evaluating": c["evaluating"],
        }
        for c in candidate_list(request.user, year)
    ]


@router.get("/evaluations", response=list[EvaluationOut], summary="重点评价、部门整体评价")
@paginate(LimitOffsetPagination)
def evaluations(request, year: int | None = None):
    return selectors.evaluations(request.user, year).order_by("id")


@router.get("/evaluations/{int:evaluation_id}", response=EvaluationDetail, summary="评价详情（指标、得分、报告）")
def get_evaluation(request, evaluation_id: int):
    ev = Evaluation.objects.visible_to(request.user).filter(pk=evaluation_id).first()
    if ev is None:
        raise Http404
    return ev


@router.post("/evaluations/{int:evaluation_id}/transition", response=EvaluationOut, summary="推进评价流程")
def evaluation_transition(request, evaluation_id: int, payload: TransitionIn):
    key_services.visible_evaluation(request.user, evaluation_id)
    return key_services.do_transition(
        evaluation_id, payload.action, actor=request.user, comment=payload.comment, expected_version=payload.version
    )

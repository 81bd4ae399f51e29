"""/api/v1/appraisals — 事前绩效评估 over REST."""

from datetime import datetime
from decimal import Decimal

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wenxiao.api.pagination import LimitOffsetPagination
from wenxiao.appraisal import selectors, services
from wenxiao.appraisal.models import Appraisal

router = Router(tags=["事前绩效评估"])


class ScoreOut(Schema):
    stage: str
    dimension: str
    item: str
    points: Decimal
    rating: str
    score: Decimal
    note: str


class AppraisalOut(Schema):
    id: int
    year: int
    state: str
    version: int
    project_code: str
    project_name: str
    unit_code: str
    policy: bool
    triggers: list[str]
    finance_required: bool
    amount_requested: Decimal
    amount_recommended: Decimal | None
    self_total: Decimal | None
    final_total: Decimal | None
    conclusion: str = Field(description="support 予以支持 / adjust 调整完善后予以支持 / reject 不予支持")
    adjustment_done: bool
    concluded_at: datetime | None

    @staticmethod
    def resolve_project_code(obj):
        return obj.project.code

    @staticmethod
    def resolve_project_name(obj):
        return obj.project.name

    @staticmethod
    def resolve_unit_code(obj):
        return obj.unit.code


class AppraisalDetailOut(AppraisalOut):
    background: str
    content: str
    goals: str
    funding: str
    method: str
    findings: str
    suggestions: str
    other_notes: str
    adjustment_required: str
    adjustment_note: str
    scores: list[ScoreOut]

    @staticmethod
    def resolve_scores(obj):
        return list(obj.scores.all())


class FilterIn(Schema):
    year: int | None = None
    state: str = ""
    conclusion: str = ""
    department_code: str = ""


class ScoresIn(Schema):
    stage: str = Field(description="self 部门自评 / final 财政评估")
    ratings: dict[str, str] = Field(description="“维度/要点” → 优/良/中/差（空串表示清除）")
    notes: dict[str, str] = {}
    texts: dict[str, str] = Field({}, description="报告内容：background content goals funding method findings …")
    version: int | None = None


class ActionIn(Schema):
    action: str = Field(description="submit / return / experts_done")
    comment: str = ""
    version: int | None = None


class AssignIn(Schema):
    usernames: list[str]
    comment: str = ""


class ConcludeIn(Schema):
    amount_recommended: Decimal | None = None
    adjustment_required: str = ""
    override: str = Field("", description="不按得分确定结论时填写（须同时写明理由）")
    reason: str = ""


class AdjustmentIn(Schema):
    note: str


class FlagIn(Schema):
    project_id: int
    year: int
    major_change: bool = False
    renewal: bool = False


def _get(request, pk: int) -> Appraisal:
    a = Appraisal.objects.visible_to(request.user).select_related("project", "unit").filter(pk=pk).first()
    if a is None:
        raise Http404
    return a


@router.get("", response=list[AppraisalOut], summary="事前绩效评估列表")
@paginate(LimitOffsetPagination)
def list_appraisals(request, filters: Query[FilterIn]):
    return selectors.appraisal_list(
        request.user,
        year=filters.year,
        state=filters.state,
        conclusion=filters.conclusion,
        department=filters.department_code,
    )


@router.get("/stats", summary="评估统计：数量、金额、结论构成、核减资金")
def stats(request, year: int):
    return selectors.stats(request.user, year)


@router.post("/flags", response={201: AppraisalOut}, summary="项目发生重大调整或到期延续：发起评估")
def flag(request, payload: FlagIn):
    a = services.do_flag(
        payload.project_id, payload.year, actor=request.user, major_change=payload.major_change, renewal=payload.renewal
    )
    return Status(201, a)


@router.get("/{int:appraisal_id}", response=AppraisalDetailOut, summary="评估详情")
def get_appraisal(request, appraisal_id: int):
    return _get(request, appraisal_id)


@router.post("/{int:appraisal_id}/scores", response=AppraisalDetailOut, summary="保存评分和报告内容")
def save_scores(request, appraisal_id: int, payload: ScoresIn):
    _get(request, appraisal_id)
    services.do_save(
        appraisal_id,
        actor=request.user,
        stage=payload.stage,
        ratings=payload.ratings,
        notes=payload.notes,
        texts=payload.texts,
        expected_version=payload.version,
    )
    return _get(request, appraisal_id)


@router.post("/{int:appraisal_id}/actions", response=AppraisalDetailOut, summary="提交、退回、提交评估意见")
def act(request, appraisal_id: int, payload: ActionIn):
    _get(request, appraisal_id)
    services.do_transition(
        appraisal_id, payload.action, actor=request.user, comment=payload.comment, expected_version=payload.version
    )
    return _get(request, appraisal_id)


@router.post("/{int:appraisal_id}/assign", response=AppraisalDetailOut, summary="委托专家或第三方评估")
def assign(request, appraisal_id: int, payload: AssignIn):
    _get(request, appraisal_id)
    services.do_assign(appraisal_id, payload.usernames, actor=request.user, comment=payload.comment)
    return _get(request, appraisal_id)


@router.post("/{int:appraisal_id}/conclude", response=AppraisalDetailOut, summary="作出评估结论")
def conclude(request, appraisal_id: int, payload: ConcludeIn):
    _get(request, appraisal_id)
    services.do_conclude(
        appraisal_id,
        actor=request.user,
        amount_recommended=payload.amount_recommended,
        adjustment_required=payload.adjustment_required,
        override=payload.override,
        reason=payload.reason,
    )
    return _get(request, appraisal_id)


@router.post("/{int:appraisal_id}/adjustment", response=AppraisalDetailOut, summary="登记调整完善情况")
def adjustment(request, appraisal_id: int, payload: AdjustmentIn):
    _get(request, appraisal_id)
    services.do_record_adjustment(appraisal_id, payload.note, actor=request.user)
    return _get(request, appraisal_id)

"""/api/v1/targets — declare, edit, review and approve performance targets over REST."""

from datetime import datetime
from decimal import Decimal

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wenxiao.api.pagination import LimitOffsetPagination
from wenxiao.targets import selectors, services

router = Router(tags=["绩效目标"])


class IndicatorOut(Schema):
    id: int
    level1: str
    level2: str
    name: str
    value: str
    unit: str
    weight: Decimal | None
    mid_value: str
    source: str
    comparator: str = Field(description="解析后的计算符号：≥ > = ≤ < 定性 区间")
    value_kind: str
    number: Decimal | None
    template_id: int | None
    template_changed: bool


class TaskOut(Schema):
    name: str
    content: str
    amount: Decimal
    amount_fiscal: Decimal


class ProblemOut(Schema):
    row: int | None = Field(description="指标行序号（从0开始）；为空表示整个目标")
    field: str
    message: str


class TargetOut(Schema):
    id: int
    kind: str
    year: int
    state: str
    version: int = Field(description="修改时原样带回，防止覆盖他人的修改")
    project_code: str | None
    unit_code: str
    department_code: str
    framework: str
    goal: str
    goal_midterm: str
    amount: Decimal
    amount_fiscal: Decimal
    grade: str
    current_version: int = Field(description="已批复的版本号，0 表示尚未批复")
    adjusting: bool
    published: bool

    @staticmethod
    def resolve_project_code(obj):
        return obj.project.code if obj.project_id else None

    @staticmethod
    def resolve_unit_code(obj):
        return obj.unit.code

    @staticmethod
    def resolve_department_code(obj):
        return obj.department.code


class TargetDetailOut(TargetOut):
    indicators: list[IndicatorOut]
    tasks: list[TaskOut]
    problems: list[ProblemOut]

    @staticmethod
    def resolve_indicators(obj):
        return list(obj.indicators.all())

    @staticmethod
    def resolve_tasks(obj):
        return list(obj.tasks.all())

    @staticmethod
    def resolve_problems(obj):
        return [{"row": p.row, "field": p.field, "message": p.message} for p in services.problems_of(obj)]


class CreateIn(Schema):
    year: int
    project_id: int | None = Field(None, description="项目支出目标：项目 id")
    unit_id: int | None = Field(None, description="部门整体目标：单位或部门 id")


class RowIn(Schema):
    level1: str
    level2: str
    name: str
    value: str
    unit: str = ""
    weight: Decimal | None = None
    mid_value: str = ""
    source: str = "计划标准"
    note: str = ""
    id: int | None = Field(None, description="已有行的 id（保留与指标库的关联）")
    template_id: int | None = None


class TaskIn(Schema):
    name: str
    content: str = ""
    amount: Decimal = Decimal("0")
    amount_fiscal: Decimal = Decimal("0")


class SaveIn(Schema):
    version: int
    goal: str | None = None
    goal_midterm: str | None = None
    serves_public: bool | None = None
    special_fund: bool | None = None
    indicators: list[RowIn]
    tasks: list[TaskIn] | None = None


class LibraryIn(Schema):
    version: int
    template_ids: list[int]


class ActionIn(Schema):
    action: str = Field(description="submit / dept_approve / dept_return / business_approve / business_return / adjust")
    comment: str = ""
    version: int | None = None


class FinalReviewIn(Schema):
    grade: str = Field(description="优 / 良 / 中 / 差")
    dimensions: dict[str, str] = Field(
        description="内容相关性、指标科学性、规范完整性、绩效合理性、预算匹配性 各自的结论"
    )
    opinion: str = ""
    version: int | None = None


class CommentIn(Schema):
    text: str
    indicator_id: int | None = None


class CommentOut(Schema):
    id: int
    indicator_id: int | None
    row_label: str
    stage: str
    text: str
    created_at: datetime


class ApproveIn(Schema):
    department_id: int
    year: int
    document_no: str
    title: str = ""
    target_ids: list[int] | None = None
    publish: bool = True


class ApprovalOut(Schema):
    id: int
    document_no: str
    title: str
    year: int
    target_ids: list[int]

    @staticmethod
    def resolve_target_ids(obj):
        return list(obj.targets.values_list("id", flat=True))


class FilterIn(Schema):
    year: int | None = None
    state: str = ""
    department_code: str = ""
    kind: str = ""
    q: str = ""


def _detail(request, pk: int):
    target = selectors.target_detail(request.user, pk)
    if target is None:
        raise Http404
    return target


@router.get("", response=list[TargetOut], summary="绩效目标列表")
@paginate(LimitOffsetPagination)
def list_targets(request, filters: Query[FilterIn]):
    return selectors.target_list(
        request.user,
        year=filters.year,
        state=filters.state,
        department=filters.department_code,
        kind=filters.kind,
        q=filters.q,
    )


@router.post("", response={201: TargetDetailOut}, summary="新建绩效目标（按上年已批复目标预填）")
def create_target(request, payload: CreateIn):
    if payload.project_id:
        target = services.do_create_project_target(payload.project_id, payload.year, actor=request.user)
    else:
        target = services.do_create_whole_target(payload.unit_id or 0, payload.year, actor=request.user)
    return Status(201, _detail(request, target.pk))


@router.get("/stats", summary="申报与审核统计（R13）")
def stats(request, year: int):
    return selectors.review_stats(request.user, year)


@router.get("/{int:target_id}", response=TargetDetailOut, summary="绩效目标详情（含结构检查问题）")
def get_target(request, target_id: int):
    return _detail(request, target_id)


@router.put("/{int:target_id}", response=TargetDetailOut, summary="保存绩效目标（整表替换指标）")
def save_target(request, target_id: int, payload: SaveIn):
    _detail(request, target_id)
    services.do_save_target(
        target_id,
        actor=request.user,
        expected_version=payload.version,
        rows=[services.RowInput(**r.dict()) for r in payload.indicators],
        goal=payload.goal,
        goal_midterm=payload.goal_midterm,
        serves_public=payload.serves_public,
        special_fund=payload.special_fund,
        tasks=[t.dict() for t in payload.tasks] if payload.tasks is not None else None,
    )
    return _detail(request, target_id)


@router.post("/{int:target_id}/library", response=TargetDetailOut, summary="从指标库加入指标")
def add_from_library(request, target_id: int, payload: LibraryIn):
    _detail(request, target_id)
    services.do_add_from_library(target_id, payload.template_ids, actor=request.user, expected_version=payload.version)
    return _detail(request, target_id)


@router.post("/{int:target_id}/actions", response=TargetDetailOut, summary="流转操作（提交、审核、退回、申请调整）")
def act(request, target_id: int, payload: ActionIn):
    _detail(request, target_id)
    services.do_transition(
        target_id, payload.action, actor=request.user, comment=payload.comment, expected_version=payload.version
    )
    return _detail(request, target_id)


@router.post("/{int:target_id}/final-review", response=TargetDetailOut, summary="绩效科终审（五个维度和等级）")
def final_review(request, target_id: int, payload: FinalReviewIn):
    _detail(request, target_id)
    services.do_final_review(
        target_id,
        actor=request.user,
        grade=payload.grade,
        dimensions=payload.dimensions,
        opinion=payload.opinion,
        expected_version=payload.version,
    )
    return _detail(request, target_id)


@router.get("/{int:target_id}/comments", response=list[CommentOut], summary="审核意见")
def comments(request, target_id: int):
    return list(_detail(request, target_id).comments.all())


@router.post("/{int:target_id}/comments", response={201: CommentOut}, summary="提出审核意见（可针对某一行）")
def add_comment(request, target_id: int, payload: CommentIn):
    _detail(request, target_id)
    return Status(
        201, services.do_comment(target_id, actor=request.user, text=payload.text, indicator_id=payload.indicator_id)
    )


@router.get("/{int:target_id}/versions", summary="已批复的各版本（不可修改）")
def versions(request, target_id: int):
    target = _detail(request, target_id)
    return [
        {"number": v.number, "created_at": v.created_at, "reason": v.reason, "snapshot": v.snapshot}
        for v in target.versions.all()
    ]


@router.post("/approvals", response={201: ApprovalOut}, summary="随预算批复一个部门的绩效目标")
def approve(request, payload: ApproveIn):
    approval = services.do_approve(
        payload.department_id,
        payload.year,
        actor=request.user,
        document_no=payload.document_no,
        title=payload.title,
        target_ids=payload.target_ids,
        publish=payload.publish,
    )
    return Status(201, approval)

"""/api/v1/projects — the project library over REST, on the same selectors and services as the pages."""

from datetime import date
from decimal import Decimal

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wenxiao.api.pagination import LimitOffsetPagination
from wenxiao.projects import selectors, services
from wenxiao.projects.models import Project

router = Router(tags=["项目库"])


class ResponsibleOut(Schema):
    name: str
    position: str
    start_date: date
    end_date: date | None
    change_reason: str


class ProjectOut(Schema):
    id: int
    code: str = Field(description="项目代码（21位，终身不变）")
    name: str
    kind: str = Field(description="project 项目 / policy 政策")
    state: str = Field(description="入库流程状态")
    version: int = Field(description="版本号；PATCH 时原样带回，防止覆盖他人修改")
    unit_code: str = Field(alias="unit.code")
    unit_name: str = Field(alias="unit.name")
    department_code: str = Field(alias="department.code")
    department_name: str = Field(alias="department.name")
    region_code: str = Field(alias="region.code")
    year: int | None = Field(description="预算年度（所列金额的年度）")
    start_year: int
    end_year: int
    budget_kind: str = Field(description="1 一般公共 / 2 政府性基金 / 3 国有资本经营 / 4 社会保险基金")
    fund_type: str
    function_code: str = Field(alias="function_class_id")
    economic_code: str | None = Field(alias="economic_class_id")
    project_class: str = Field(description="1 人员类 / 2 运转类 / 3 特定目标类")
    attribute: str = Field(description="new 新增 / continuing 延续")
    amount_initial: Decimal | None = Field(description="年初预算（元）")
    amount_adjusted: Decimal | None = Field(description="调整后预算（元）")


class ProjectDetailOut(ProjectOut):
    description: str
    amount_fiscal: Decimal | None = None
    amount_carryover: Decimal | None = None
    amount_other: Decimal | None = None
    responsible: list[ResponsibleOut] = []


class ProjectIn(Schema):
    name: str
    unit_code: str
    year: int
    function_code: str
    amount_initial: Decimal
    kind: str = "project"
    description: str = ""
    start_year: int | None = None
    end_year: int | None = None
    budget_kind: str = "1"
    fund_type: str = ""
    economic_code: str = ""
    project_class: str = "3"
    attribute: str = "new"
    amount_fiscal: Decimal | None = None
    amount_carryover: Decimal = Decimal("0")
    amount_other: Decimal = Decimal("0")
    responsible_name: str = ""
    responsible_position: str = ""
    responsible_phone: str = ""


class ProjectPatch(Schema):
    version: int = Field(description="读取时的版本号")
    name: str | None = None
    kind: str | None = None
    description: str | None = None
    start_year: int | None = None
    end_year: int | None = None
    budget_kind: str | None = None
    fund_type: str | None = None
    function_code: str | None = None
    economic_code: str | None = None
    project_class: str | None = None
    attribute: str | None = None
    year: int | None = Field(None, description="修改金额时，金额所属的预算年度")
    amount_initial: Decimal | None = None
    amount_fiscal: Decimal | None = None
    amount_carryover: Decimal | None = None
    amount_other: Decimal | None = None


class ProjectFilterIn(Schema):
    q: str = Field("", description="全文检索（名称、代码、单位、内容）")
    year: int | None = None
    budget_kind: str = ""
    function_code: str = Field("", description="支出功能分类 类/款/项 编码前缀")
    department_code: str = ""
    unit_code: str = ""
    region_code: str = ""
    state: str = ""
    project_class: str = ""
    fund_type: str = ""
    kind: str = ""


class ActionIn(Schema):
    action: str = Field(description="submit / dept_approve / dept_return / finance_approve / finance_return")
    comment: str = ""
    version: int | None = None


def _detail(request, pk: int, year: int | None = None) -> dict:
    project = selectors.project_detail(request.user, pk)
    if project is None:
        raise Http404
    annotated = selectors.with_year_amounts(Project.objects.filter(pk=pk), year).first()
    budget = project.budgets.filter(year=annotated.year).first()
    project.year, project.amount_initial, project.amount_adjusted = (
        annotated.year,
        annotated.amount_initial,
        annotated.amount_adjusted,
    )
    if budget:
        project.amount_fiscal = budget.amount_fiscal
        project.amount_carryover = budget.amount_carryover
        project.amount_other = budget.amount_other
    project.responsible = list(project.responsible_persons.all())
    return project


@router.get("", response=list[ProjectOut], summary="项目列表")
@paginate(LimitOffsetPagination)
def list_projects(request, filters: Query[ProjectFilterIn]):
    f = selectors.ProjectFilter(
        q=filters.q,
        year=filters.year,
        budget_kind=filters.budget_kind,
        function=filters.function_code,
        department=filters.department_code,
        unit=filters.unit_code,
        region=filters.region_code,
        state=filters.state,
        project_class=filters.project_class,
        fund_type=filters.fund_type,
        kind=filters.kind,
    )
    return selectors.project_list(request.user, f)


@router.post("", response={201: ProjectDetailOut}, summary="登记项目")
def create_project(request, payload: ProjectIn):
    project = services.do_create_project(services.ProjectInput(**payload.dict()), actor=request.user)
    return Status(201, _detail(request, project.pk, payload.year))


@router.get("/{int:project_id}", response=ProjectDetailOut, summary="项目详情")
def get_project(request, project_id: int, year: int | None = None):
    return _detail(request, project_id, year)


@router.patch("/{int:project_id}", response=ProjectDetailOut, summary="修改项目（带版本号）")
def patch_project(request, project_id: int, payload: ProjectPatch):
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    services.do_update_project(project_id, changes, actor=request.user, expected_version=version)
    return _detail(request, project_id, payload.year)


@router.post("/{int:project_id}/actions", response=ProjectDetailOut, summary="入库流程操作（提交、审核、退回）")
def act_on_project(request, project_id: int, payload: ActionIn):
    services.do_transition(
        project_id,
        payload.action,
        actor=request.user,
        comment=payload.comment,
        expected_version=payload.version,
    )
    return _detail(request, project_id)

"""/api/v1/todos and /api/v1/me."""

from datetime import datetime

from ninja import Router, Schema
from ninja.pagination import paginate

from wenxiao.api.pagination import LimitOffsetPagination
from wenxiao.core.workflow import todos_for

router = Router(tags=["待办"])


class TodoOut(Schema):
    id: int
    workflow: str
    state: str
    state_label: str
    role: str
    title: str
    url: str
    object_id: int
    created_at: datetime


class MeOut(Schema):
    username: str
    display_name: str
    roles: list[dict]


@router.get("/todos", response=list[TodoOut], summary="我的待办")
@paginate(LimitOffsetPagination)
def todos(request):
    return todos_for(request.user)


@router.get("/me", response=MeOut, summary="当前用户及其角色")
def me(request):
    u = request.user
    roles = [
        {"role": a.role, "role_name": a.get_role_display(), "org_code": a.org.code, "org_name": a.org.name}
        for a in u.assignments.select_related("org")
    ]
    return {"username": u.username, "display_name": u.display_name, "roles": roles}

"""The REST API at /api/v1/: one NinjaAPI, each app mounts its router. OpenAPI docs are served locally."""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer

from wenxiao.core.errors import ServiceError
from wenxiao.core.tokens import authenticate


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = authenticate(token)
        if user is not None:
            if user.token_read_only and request.method not in ("GET", "HEAD", "OPTIONS"):
                raise HttpError(403, "只读令牌不能修改数据。")
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The logged-in browser session (CSRF checked for unsafe methods)."""

    param_name = "sessionid"

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None


api = NinjaAPI(
    title="问效 预算绩效管理信息系统 API",
    version="1",
    description="所有接口需要登录会话或 `Authorization: Bearer <令牌>`（`wenxiao token create 用户名` 生成）。"
    "列表只返回调用者权限范围内的数据；范围外的详情返回 404。",
    auth=[BearerToken(), SessionAuth(csrf=True)],
    urls_namespace="api",
)


@api.exception_handler(ServiceError)
def service_error(request, exc: ServiceError):
    return api.create_response(request, {"detail": exc.message, "errors": exc.errors}, status=exc.status)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "不存在或无权查看。"}, status=404)


def _mount() -> None:
    from wenxiao.appraisal.api import router as appraisal_router
    from wenxiao.cockpit.api import router as cockpit_router
    from wenxiao.core.api import router as core_router
    from wenxiao.disclosure.api import router as disclosure_router
    from wenxiao.evaluation.api import router as evaluation_router
    from wenxiao.exchange.api import router as exchange_router
    from wenxiao.library.api import router as library_router
    from wenxiao.monitoring.api import router as monitoring_router
    from wenxiao.orgs.api import router as orgs_router
    from wenxiao.oversight.api import router as oversight_router
    from wenxiao.partners.api import router as partners_router
    from wenxiao.projects.api import router as projects_router
    from wenxiao.results.api import router as results_router
    from wenxiao.targets.api import router as targets_router

    api.add_router("/projects", projects_router)
    api.add_router("/targets", targets_router)
    api.add_router("/library", library_router)
    api.add_router("/appraisals", appraisal_router)
    api.add_router("/monitoring", monitoring_router)
    api.add_router("/evaluation", evaluation_router)
    api.add_router("/partners", partners_router)
    api.add_router("/oversight", oversight_router)
    api.add_router("/results", results_router)
    api.add_router("/disclosure", disclosure_router)
    api.add_router("/cockpit", cockpit_router)
    api.add_router("/exchange", exchange_router)
    api.add_router("/", core_router)
    api.add_router("/", orgs_router)


_mount()

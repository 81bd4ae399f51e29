"""Home page, to-do list, audit log, background jobs."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordChangeView
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from wenxiao.core.audit import verify_chain
from wenxiao.core.models import AuditEvent, Job
from wenxiao.core.scoping import scope_for
from wenxiao.core.workflow import todos_for


def scope_description(user) -> str:
    from wenxiao.orgs.models import Region

    scope = scope_for(user)
    if scope.everything:
        return "全部区划和机构"
    parts = []
    if scope.region_ids:
        tops = Region.objects.filter(id__in=scope.region_ids).order_by("level", "code")
        top = tops.first()
        parts.append(f"{top.name}及下辖 {len(scope.region_ids) - 1} 个区划" if top else "")
    if scope.org_paths:
        parts.append(f"{len(scope.org_paths)} 个机构及其下属单位")
    return "；".join(p for p in parts if p) or "暂无数据范围（仅能查看分配给您的事项）"


@login_required
def home(request):
    from wenxiao.projects.selectors import summary

    year = settings.FISCAL_YEAR
    data = summary(request.user, year)
    chart = {
        "kinds": [{"name": k["name"], "value": float(k["amount"] or 0) / 10000} for k in data["kinds"]],
        "functions": [
            {"name": f["name"], "value": round(float(f["amount"] or 0) / 10000, 2)} for f in data["functions"][:12]
        ],
    }
    return render(
        request,
        "core/home.html",
        {
            "year": year,
            "summary": data,
            "chart": chart,
            "todos": todos_for(request.user)[:10],
            "scope_text": scope_description(request.user),
        },
    )


@login_required
def todos(request):
    page = Paginator(todos_for(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "core/todos.html", {"page": page})


@login_required
def audit_log(request):
    if "auditadmin" not in request.user.role_codes:  # 三员分立: not even a superuser
        raise Http404
    qs = AuditEvent.objects.all()
    if action := request.GET.get("action"):
        qs = qs.filter(action__startswith=action)
    if actor := request.GET.get("actor"):
        qs = qs.filter(actor_name=actor)
    if obj := request.GET.get("object"):
        qs = qs.filter(object_repr__contains=obj)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    result = verify_chain() if request.GET.get("verify") else None
    return render(request, "core/audit.html", {"page": page, "verify": result})


@login_required
def jobs(request):
    return render(request, "core/jobs.html", {"jobs": Job.objects.filter(user=request.user)[:100]})


@login_required
def job_status(request, pk: int):
    job = get_object_or_404(Job, pk=pk, user=request.user)
    return render(request, "core/job_row.html", {"job": job})


@login_required
def job_download(request, pk: int):
    job = get_object_or_404(Job, pk=pk, user=request.user, status=Job.Status.DONE)
    path = Path(job.result_file)
    if not path.is_file() or Path(settings.MEDIA_ROOT).resolve() not in path.resolve().parents:
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.result_name or path.name)


@login_required
def settings_page(request):
    """参数设置: the rules a 绩效科 configures for its region (and optionally one year)."""
    import json

    from django.contrib import messages
    from django.shortcuts import redirect

    from wenxiao.core.config import DEFAULTS, do_set_setting, parse_value, setting
    from wenxiao.core.errors import ServiceError
    from wenxiao.core.models import Setting

    assignment = request.user.assignments.filter(role="performance").select_related("org__region").first()
    if assignment is None and not request.user.is_superuser:
        raise Http404
    region = assignment.org.region if assignment else None
    year_text = request.GET.get("year") or request.POST.get("year") or ""
    year = int(year_text) if year_text.isdigit() else None
    if request.method == "POST" and region is not None:
        key = request.POST.get("key", "")
        try:
            value = parse_value(key, request.POST.get("value", ""))
            do_set_setting(
                key, region=region, year=year, value=value, actor=request.user, note=request.POST.get("note", "")
            )
        except (ServiceError, KeyError) as e:
            messages.error(request, getattr(e, "message", "未知的参数"))
        else:
            messages.success(request, f"已设置 {DEFAULTS[key][1]}。")
        return redirect(f"{request.path}?year={year or ''}")
    rows = []
    for key, (default, label) in DEFAULTS.items():
        rows.append(
            {
                "key": key,
                "label": label,
                "default": json.dumps(default, ensure_ascii=False),
                "effective": json.dumps(setting(key, region, year), ensure_ascii=False),
            }
        )
    own = Setting.objects.filter(region=region).select_related("region") if region else Setting.objects.none()
    return render(request, "core/settings.html", {"rows": rows, "region": region, "year": year, "own": own})


@login_required
def my_logins(request):
    """A user's own login history (等保: users see when and from where their account was used)."""
    from wenxiao.orgs.models import LoginEvent

    events = LoginEvent.objects.filter(user=request.user)[:100]
    return render(request, "core/logins.html", {"events": events, "all_users": False})


@login_required
def all_logins(request):
    """Every login attempt, for the 审计管理员 only."""
    from wenxiao.orgs.models import LoginEvent

    if "auditadmin" not in request.user.role_codes:
        raise Http404
    qs = LoginEvent.objects.select_related("user")
    if username := request.GET.get("username"):
        qs = qs.filter(username=username)
    if request.GET.get("failed"):
        qs = qs.filter(success=False)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    return render(request, "core/logins.html", {"events": page, "page": page, "all_users": True})


class PasswordChange(PasswordChangeView):
    """Change one's own password (the validators enforce length, character classes and no reuse)."""

    template_name = "core/password.html"

    def get_success_url(self):
        return reverse("home")

    def form_valid(self, form):
        from django.contrib import messages

        from wenxiao.core import audit

        response = super().form_valid(form)
        audit.record(self.request.user, "user.password_change", self.request.user, after={"changed": True})
        messages.success(self.request, "密码已修改。")
        return response

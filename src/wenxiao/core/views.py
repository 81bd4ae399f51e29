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
    """参数设置: the rules a 绩效科 configures for its region (and optionally one year); the 安全管理员 sets the
    login and audit rules (security.*) for the whole system (三员分立: neither sees the other's)."""
    import json

    from django.contrib import messages
    from django.shortcuts import redirect

    from wenxiao.core.config import DEFAULTS, do_set_setting, is_security_key, parse_value, setting
    from wenxiao.core.errors import ServiceError
    from wenxiao.core.models import Setting

    security = "secadmin" in request.user.role_codes
    assignment = request.user.assignments.filter(role="performance").select_related("org__region").first()
    if assignment is None and not request.user.is_superuser and not security:
        raise Http404
    region = assignment.org.region if assignment else None
    year_text = request.GET.get("year") or request.POST.get("year") or ""
    year = int(year_text) if year_text.isdigit() and not security else None
    if request.method == "POST" and (region is not None or security):
        key = request.POST.get("key", "")
        if key in DEFAULTS and is_security_key(key) != security:
            raise Http404
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
        if is_security_key(key) != security:
            continue
        rows.append(
            {
                "key": key,
                "label": label,
                "default": json.dumps(default, ensure_ascii=False),
                "effective": json.dumps(setting(key, region, year), ensure_ascii=False),
            }
        )
    if security:
        own = Setting.objects.filter(region=None, key__startswith="security.")
    elif region:
        own = Setting.objects.filter(region=region).exclude(key__startswith="security.").select_related("region")
    else:
        own = Setting.objects.none()
    context = {"rows": rows, "region": region, "year": year, "own": own, "security": security}
    return render(request, "core/settings.html", context)


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


def healthz(request):
    """Liveness probe for load balancers (no login, no database): the floor of `wenxiao bench web`."""
    from django.http import HttpResponse

    return HttpResponse("ok", content_type="text/plain")


# --- 动态口令 (TOTP) pages -----------------------------------------------------------------------------------


def _next_url(request, default: str = "/") -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


@login_required
def totp_status(request):
    """My second factor: whether it is on, how many recovery codes are left; regenerate the codes."""
    from django.contrib import messages

    from wenxiao.core import security
    from wenxiao.core.errors import ServiceError

    user = request.user
    if request.method == "POST":
        try:
            codes = security.do_regenerate_recovery_codes(user, actor=user)
        except ServiceError as e:
            messages.error(request, e.message)
        else:
            return render(request, "core/totp_codes.html", {"codes": codes, "next": "/account/totp/"})
    left = user.recovery_codes.filter(used_at__isnull=True).count()
    return render(
        request,
        "core/totp.html",
        {"enabled": bool(user.totp_enabled_at), "required": security.totp_required(user), "left": left},
    )


@login_required
def totp_enrol(request):
    """Bind an authenticator: the secret and its QR code (drawn here), then one code to confirm."""
    from django.shortcuts import redirect

    from wenxiao.core import security
    from wenxiao.core.errors import ServiceError

    user = request.user
    verified = request.session.get(security.SESSION_2FA) in ("ok", "none")
    if user.totp_enabled_at and not verified:  # re-binding needs the current factor first
        return redirect(f"{reverse('core:totp_verify')}?next={reverse('core:totp_enrol')}")
    secret = request.session.get("wx_totp_pending")
    error = ""
    if request.method == "POST" and secret:
        try:
            codes = security.do_enrol_totp(user, secret, request.POST.get("code", ""), actor=user)
        except ServiceError as e:
            error = e.message
        else:
            request.session.pop("wx_totp_pending", None)
            request.session[security.SESSION_2FA] = "ok"
            return render(request, "core/totp_codes.html", {"codes": codes, "next": _next_url(request)})
    if not secret or request.method == "GET":
        secret = security.new_totp_secret()
        request.session["wx_totp_pending"] = secret
    uri = security.provisioning_uri(user, secret)
    return render(
        request,
        "core/totp_enrol.html",
        {
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "qr": security.qr_svg(uri),
            "error": error,
            "next": _next_url(request),
            "required": security.totp_required(user),
        },
    )


@login_required
def totp_verify(request):
    """The second step of a login: a 6-digit code from the authenticator, or one recovery code."""
    from django.contrib.auth import logout
    from django.shortcuts import redirect

    from wenxiao.core import security
    from wenxiao.core.errors import PermissionDenied, ServiceError

    user = request.user
    if not user.totp_enabled_at:
        return redirect(f"{reverse('core:totp_enrol')}?next={_next_url(request)}")
    error = ""
    if request.method == "POST":
        try:
            security.do_verify_second_factor(user, request.POST.get("code", ""), ip=security.client_ip(request))
        except PermissionDenied as e:
            logout(request)
            from django.contrib import messages

            messages.error(request, e.message)
            return redirect("login")
        except ServiceError as e:
            error = e.message
        else:
            request.session[security.SESSION_2FA] = "ok"
            return redirect(_next_url(request))
    return render(request, "core/totp_verify.html", {"error": error, "next": _next_url(request)})


@login_required
def totp_admin(request):
    """安全管理员: who has a second factor, and resetting it for someone who lost the authenticator."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from wenxiao.core import security
    from wenxiao.core.errors import ServiceError

    if "secadmin" not in request.user.role_codes:
        raise Http404
    if request.method == "POST":
        try:
            user = security.do_reset_totp(int(request.POST.get("user") or 0), actor=request.user)
        except ServiceError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, f"已重置 {user} 的动态口令；其下次登录时须重新绑定。")
        return redirect(request.get_full_path())
    qs = security.totp_manageable_users(request.user).select_related("org").order_by("username")
    if q := request.GET.get("q", "").strip():
        qs = qs.filter(username__icontains=q) | qs.filter(display_name__icontains=q)
    if request.GET.get("enabled"):
        qs = qs.filter(totp_enabled_at__isnull=False)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "core/totp_admin.html", {"page": page})


# --- 审计日志导出 (audit export, 审计管理员 only) ---------------------------------------------------------------


def _audit_filters(request):
    from datetime import date

    def day(name):
        try:
            return date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return None

    return {
        "date_from": day("from"),
        "date_to": day("to"),
        "actor": request.GET.get("actor", "").strip(),
        "action": request.GET.get("action", "").strip(),
        "obj": request.GET.get("object", "").strip(),
    }


@login_required
def audit_export(request):
    """The filtered audit log as CSV or XLSX, each row with its chain hashes so an auditor can re-verify it."""
    import io

    from django.http import HttpResponse
    from django.utils import timezone

    from wenxiao.core import audit

    if "auditadmin" not in request.user.role_codes:
        raise Http404
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    filters = _audit_filters(request)
    buffer = io.BytesIO()
    n = audit.write_export(audit.filtered(**filters), buffer, fmt)
    audit.record(
        request.user,
        "audit.export",
        object_type="audit",
        object_repr=f"导出审计日志 {n} 条",
        after={k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in filters.items()}
        | {"rows": n, "format": fmt},
    )
    content_type = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }[fmt]
    response = HttpResponse(buffer.getvalue(), content_type=content_type)
    name = f"audit-{timezone.localdate():%Y%m%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

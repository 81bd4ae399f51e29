"""Login protection (等保 level 3): lockout after repeated failures, idle timeout, password rules, login history.

Thresholds are settings (core/config.py): security.lockout_threshold, security.lockout_minutes,
security.idle_minutes, security.password_history.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.contrib.auth import logout
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import timezone

from wenxiao.core.config import setting


def client_ip(request) -> str:
    return (request.META.get("REMOTE_ADDR") or "")[:45]


class LoginForm(AuthenticationForm):
    """Django's login form, refusing locked accounts and counting failures."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "用户名或密码不正确，请重新输入。",
        "inactive": "该账号已停用，请联系系统管理员。",
    }

    def clean(self):
        from wenxiao.orgs.models import LoginEvent, User

        username = (self.cleaned_data.get("username") or "").strip()
        user = User.objects.filter(username=username).first()
        ip = client_ip(self.request) if self.request else ""
        now = timezone.now()
        if user and user.locked_until and user.locked_until > now:
            LoginEvent.objects.create(user=user, username=username, ip=ip, success=False, reason="账号已锁定")
            minutes = int((user.locked_until - now).total_seconds() // 60) + 1
            raise ValidationError(
                f"连续登录失败次数过多，账号已锁定，请 {minutes} 分钟后再试或联系安全管理员。", code="locked"
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            reason = "密码错误" if user else "用户名不存在"
            if user:
                user.failed_logins += 1
                if user.failed_logins >= int(setting("security.lockout_threshold")):
                    user.locked_until = now + timedelta(minutes=int(setting("security.lockout_minutes")))
                    reason = "密码错误，账号被锁定"
                User.objects.filter(pk=user.pk).update(failed_logins=user.failed_logins, locked_until=user.locked_until)
            LoginEvent.objects.create(user=user, username=username[:150], ip=ip, success=False, reason=reason)
            raise
        User.objects.filter(pk=self.user_cache.pk).update(failed_logins=0, locked_until=None)
        LoginEvent.objects.create(user=self.user_cache, username=username, ip=ip, success=True)
        return cleaned


class IdleTimeoutMiddleware:
    """Log a browser session out after `security.idle_minutes` without a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            last = request.session.get("last_seen")
            idle = int(setting("security.idle_minutes")) * 60
            if last and now - last > idle:
                logout(request)
                return redirect(f"/login/?next={request.path}&timeout=1")
            if not last or now - last > 60:  # a session write per minute at most, not per request
                request.session["last_seen"] = now
        return self.get_response(request)


class PasswordExpiryMiddleware:
    """After `security.password_max_age_days`, a browser user is sent to change the password first."""

    ALLOWED = ("/account/password/", "/logout/", "/static/", "/login/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.password_changed_at
            and not request.path.startswith(self.ALLOWED)
            and hasattr(request, "session")
        ):
            days = int(setting("security.password_max_age_days"))
            if days and timezone.now() - user.password_changed_at > timedelta(days=days):
                return redirect("/account/password/?expired=1")
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """A strict Content-Security-Policy: everything from this server, nothing inline but styles."""

    POLICY = (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/api/v1/docs"):  # the bundled Swagger UI has inline bootstrap code
            response.setdefault("Content-Security-Policy", self.POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class CharacterClassesValidator:
    """At least three of: lower case, upper case, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        classes = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError("密码须包含大写字母、小写字母、数字、符号中的至少三类", code="password_classes")

    def get_help_text(self):
        return "密码须包含大写字母、小写字母、数字、符号中的至少三类。"


class HistoryValidator:
    """Not one of the user's last N passwords."""

    def validate(self, password, user=None):
        if user is None or not user.pk:
            return
        n = int(setting("security.password_history"))
        for old in user.password_history.all()[:n]:
            if check_password(password, old.password):
                raise ValidationError(f"不能使用最近 {n} 次用过的密码", code="password_reused")

    def get_help_text(self):
        return "不能使用最近用过的密码。"

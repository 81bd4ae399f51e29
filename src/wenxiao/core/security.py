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


# --- 动态口令 (TOTP, RFC 6238) second factor ----------------------------------------------------------------

TOTP_PERIOD = 30
TOTP_DIGITS = 6
ISSUER = "问效"
RECOVERY_CODES = 10
SESSION_2FA = "wx_2fa"  # "ok" after the second factor, "none" when the account needs none


def new_totp_secret() -> str:
    """160 random bits in base32, the form authenticator apps read."""
    import base64
    import secrets

    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def totp_code(secret: str, step: int) -> str:
    """The code for one 30-second time step (RFC 4226 HOTP over the step counter, HMAC-SHA1, 6 digits)."""
    import base64
    import hashlib
    import hmac
    import struct

    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**TOTP_DIGITS).zfill(TOTP_DIGITS)


def totp_step(at: float | None = None) -> int:
    return int((time.time() if at is None else at) // TOTP_PERIOD)


def totp_match(secret: str, code: str, at: float | None = None, window: int = 1) -> int | None:
    """The time step `code` belongs to, within ±`window` steps of now (clock drift), or None."""
    import hmac

    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if not secret or len(code) != TOTP_DIGITS:
        return None
    now = totp_step(at)
    for step in (now, now - window, now + window) if window else (now,):
        if hmac.compare_digest(totp_code(secret, step), code):
            return step
    return None


def provisioning_uri(user, secret: str) -> str:
    from urllib.parse import quote, urlencode

    label = quote(f"{ISSUER}:{user.username}")
    query = urlencode({"secret": secret, "issuer": ISSUER, "digits": TOTP_DIGITS, "period": TOTP_PERIOD})
    return f"otpauth://totp/{label}?{query}"


def qr_svg(text: str) -> str:
    """The QR code of `text` as an inline SVG element, drawn here (no external service)."""
    import segno

    return segno.make(text, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff")


def totp_required(user) -> bool:
    """Must this account give a code at login? Its roles are named in security.totp_roles, or it enrolled."""
    if user.totp_enabled_at:
        return True
    roles = setting("security.totp_roles") or []
    return bool(roles) and bool(user.role_codes.intersection(roles))


def _hash_recovery(salt: str, code: str) -> str:
    from wenxiao.core.crypto import sm3_hex

    return sm3_hex(f"{salt}:{code.replace('-', '').strip().lower()}")


def _new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with fresh ones; returns them in clear (shown once)."""
    import secrets

    from wenxiao.orgs.models import RecoveryCode

    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    codes = []
    RecoveryCode.objects.filter(user=user).delete()
    rows = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(alphabet) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        salt = secrets.token_hex(8)
        rows.append(RecoveryCode(user=user, salt=salt, code_hash=_hash_recovery(salt, raw)))
    RecoveryCode.objects.bulk_create(rows)
    return codes


def do_enrol_totp(user, secret: str, code: str, *, actor) -> list[str]:
    """Switch the second factor on after the user proved the authenticator shows the right codes.

    Returns the recovery codes (shown once). Re-enrolling replaces the secret and the codes.
    """
    from django.db import transaction

    from wenxiao.core import audit
    from wenxiao.core.errors import PermissionDenied, ValidationError

    if actor.pk != user.pk:
        raise PermissionDenied("只能为自己的账号绑定动态口令。")
    step = totp_match(secret, code)
    if step is None:
        raise ValidationError("动态口令不正确：请核对手机时间后，输入验证器当前显示的 6 位数字。")
    with transaction.atomic():
        now = timezone.now()
        user.totp_secret, user.totp_enabled_at, user.totp_last_step = secret, now, step
        user.save(update_fields=["totp_secret", "totp_enabled_at", "totp_last_step"])  # the field encrypts
        codes = _new_recovery_codes(user)
        audit.record(
            actor,
            "totp.enrol",
            user,
            object_repr=f"{user.username} 绑定动态口令",
            after={"enabled": True, "recovery_codes": len(codes)},
        )
    return codes


def do_regenerate_recovery_codes(user, *, actor) -> list[str]:
    from django.db import transaction

    from wenxiao.core import audit
    from wenxiao.core.errors import PermissionDenied, ValidationError

    if actor.pk != user.pk:
        raise PermissionDenied("只能为自己的账号生成恢复码。")
    if not user.totp_enabled_at:
        raise ValidationError("尚未绑定动态口令。")
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        audit.record(actor, "totp.recovery_codes", user, object_repr=f"{user.username} 重新生成恢复码")
    return codes


def do_verify_second_factor(user, code: str, *, ip: str = "") -> str:
    """Check a login's second factor: a TOTP code (not used before) or one unused recovery code.

    Returns "totp" or "recovery". A wrong code counts as a failed login (and can lock the account).
    """
    from django.db import transaction

    from wenxiao.core import audit
    from wenxiao.core.errors import PermissionDenied, ValidationError
    from wenxiao.orgs.models import LoginEvent, RecoveryCode, User

    now = timezone.now()
    if user.locked_until and user.locked_until > now:
        raise PermissionDenied("连续登录失败次数过多，账号已锁定，请稍后再试或联系安全管理员。")
    code = (code or "").strip()
    step = totp_match(user.totp_secret, code)
    with transaction.atomic():
        if step is not None:
            # atomic compare-and-set: the same code (or an older one) is refused even by a parallel request
            if User.objects.filter(pk=user.pk, totp_last_step__lt=step).update(totp_last_step=step, failed_logins=0):
                LoginEvent.objects.create(user=user, username=user.username, ip=ip, success=True, reason="动态口令")
                return "totp"
            reason = "动态口令已使用过"
        else:
            reason = "动态口令错误"
            if len(code.replace("-", "")) == 10:
                for row in RecoveryCode.objects.select_for_update().filter(user=user, used_at__isnull=True):
                    if _hash_recovery(row.salt, code) == row.code_hash:
                        RecoveryCode.objects.filter(pk=row.pk).update(used_at=now)
                        User.objects.filter(pk=user.pk).update(failed_logins=0)
                        left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
                        LoginEvent.objects.create(
                            user=user, username=user.username, ip=ip, success=True, reason="恢复码"
                        )
                        audit.record(
                            user,
                            "totp.recovery_used",
                            user,
                            object_repr=f"{user.username} 使用恢复码登录",
                            after={"remaining": left},
                        )
                        return "recovery"
                reason = "恢复码错误"
    # the failure is kept even though the caller shows an error
    failures = user.failed_logins + 1
    locked = None
    if failures >= int(setting("security.lockout_threshold")):
        locked = now + timedelta(minutes=int(setting("security.lockout_minutes")))
        reason += "，账号被锁定"
    User.objects.filter(pk=user.pk).update(failed_logins=failures, locked_until=locked)
    user.failed_logins, user.locked_until = failures, locked
    LoginEvent.objects.create(user=user, username=user.username, ip=ip, success=False, reason=reason)
    audit.record(user, "totp.fail", user, object_repr=f"{user.username} 动态口令验证失败", after={"reason": reason})
    if locked:
        raise PermissionDenied("连续验证失败次数过多，账号已锁定，请稍后再试或联系安全管理员。")
    raise ValidationError(f"{reason}，请重新输入。")


def totp_manageable_users(actor):
    """The accounts whose second factor this 安全管理员 may reset: those in the regions of its assignments."""
    from functools import reduce
    from operator import or_

    from django.db.models import Q

    from wenxiao.orgs.models import User

    paths = [a.org.region.path for a in actor.assignments.filter(role="secadmin").select_related("org__region")]
    if not paths:
        return User.objects.none()
    return User.objects.filter(reduce(or_, (Q(org__region__path__startswith=p) for p in paths)))


def do_reset_totp(user_id: int, *, actor):
    """安全管理员 removes an account's authenticator and recovery codes; it must enrol again at next login."""
    from django.db import transaction

    from wenxiao.core import audit
    from wenxiao.core.errors import NotFound, PermissionDenied
    from wenxiao.orgs.models import RecoveryCode, User

    if "secadmin" not in actor.role_codes:  # 三员分立: the security administrator, not the system administrator
        raise PermissionDenied("只有安全管理员可以重置动态口令。")
    user = totp_manageable_users(actor).filter(pk=user_id).first()
    if user is None:
        raise NotFound("账号不存在或不在您的管理范围内。")
    with transaction.atomic():
        before = {"enabled": bool(user.totp_enabled_at)}
        User.objects.filter(pk=user.pk).update(totp_secret="", totp_enabled_at=None, totp_last_step=0)
        RecoveryCode.objects.filter(user=user).delete()
        audit.record(
            actor,
            "totp.reset",
            user,
            object_repr=f"重置 {user.username} 的动态口令",
            before=before,
            after={"enabled": False},
        )
    return user


class SecondFactorMiddleware:
    """After the password, accounts that need a second factor see only the enrol/verify pages until they give one.

    The need is worked out once per session (the first request after login), so other requests cost nothing.
    """

    OPEN = ("/account/totp/enrol/", "/account/totp/verify/", "/logout/", "/static/", "/login/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and hasattr(request, "session")
            and not request.path.startswith(self.OPEN)
        ):
            state = request.session.get(SESSION_2FA)
            if state is None:
                state = "pending" if totp_required(user) else "none"
                if state == "none":
                    request.session[SESSION_2FA] = state
            if state == "pending":
                if request.path.startswith("/api/"):
                    from django.http import JsonResponse

                    return JsonResponse({"detail": "请先在网页上完成动态口令验证。"}, status=401)
                from urllib.parse import urlencode

                target = "/account/totp/verify/" if user.totp_enabled_at else "/account/totp/enrol/"
                return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


# --- 频率限制 (rate limits) -------------------------------------------------------------------------------------


def hit(key: str, limit: int, window: int, now: float | None = None) -> int:
    """Count one request for `key` in the current window; returns 0 if allowed, else seconds until it is.

    One atomic upsert on a shared table (RateCounter), so the count holds across gunicorn processes.
    """
    import random

    from django.db import connection, transaction

    from wenxiao.orgs.models import RateCounter

    if limit <= 0 or window <= 0:
        return 0
    now = time.time() if now is None else now
    bucket = int(now // window) * window
    q = connection.ops.quote_name
    table, k, b, e, n = q(RateCounter._meta.db_table), q("key"), q("bucket"), q("expires"), q("count")
    with transaction.atomic(), connection.cursor() as c:
        c.execute(
            f"INSERT INTO {table} ({k}, {b}, {e}, {n}) VALUES (%s, %s, %s, 1) "
            f"ON CONFLICT ({k}, {b}) DO UPDATE SET {n} = {table}.{n} + 1 RETURNING {n}",
            [key[:160], bucket, bucket + window],
        )
        count = c.fetchone()[0]
        if count == 1 and random.random() < 0.05:  # now and then, forget windows that are over
            RateCounter.objects.filter(expires__lt=int(now)).delete()
    if count > limit:
        return max(1, int(bucket + window - now + 0.999))
    return 0


def too_many(request, retry_after: int, api: bool):
    from django.http import JsonResponse
    from django.shortcuts import render

    message = f"请求过于频繁，请 {retry_after} 秒后再试。"
    if api:
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = render(request, "core/rate_limited.html", {"message": message}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


class RateLimitMiddleware:
    """Login attempts per source address and per user name; API calls per token (or user, or address).

    Limits are settings: security.rate_login_ip, security.rate_login_user, security.rate_login_window,
    security.rate_api, security.rate_api_window. Over a limit the answer is 429 with Retry-After.
    """

    LOGIN_PATHS = ("/login/", "/account/totp/verify/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        if request.method == "POST" and path in self.LOGIN_PATHS:
            window = int(setting("security.rate_login_window"))
            username = (request.POST.get("username") or "").strip()
            user = getattr(request, "user", None)
            if not username and user is not None and user.is_authenticated:
                username = user.username
            checks = [(f"login:ip:{client_ip(request)}", int(setting("security.rate_login_ip")))]
            if username:
                checks.append((f"login:user:{username.lower()}", int(setting("security.rate_login_user"))))
            wait = max(hit(key, limit, window) for key, limit in checks)
            if wait:
                return too_many(request, wait, api=False)
        elif path.startswith("/api/") and not path.startswith(("/api/v1/docs", "/api/v1/openapi.json")):
            limit = int(setting("security.rate_api"))
            if limit > 0:
                auth = request.META.get("HTTP_AUTHORIZATION", "")
                parts = auth.split()[-1].split("_", 2) if auth.lower().startswith("bearer ") else []
                user = getattr(request, "user", None)
                if len(parts) == 3 and parts[0] == "wx":
                    key = f"api:token:{parts[1]}"
                elif user is not None and user.is_authenticated:
                    key = f"api:user:{user.pk}"
                else:
                    key = f"api:ip:{client_ip(request)}"
                wait = hit(key, limit, int(setting("security.rate_api_window")))
                if wait:
                    return too_many(request, wait, api=True)
        return self.get_response(request)

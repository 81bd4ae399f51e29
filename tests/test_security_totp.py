"""动态口令 (TOTP second factor, 等保 level 3): enrolment with a local QR code, codes at login, no reuse,
recovery codes, reset by the 安全管理员 — every step in the audit log."""

import re

import pytest
from django.db import connection
from django.test import Client

from wenxiao.core import security
from wenxiao.core.models import AuditEvent, Setting
from wenxiao.orgs.models import LoginEvent, RecoveryCode, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def totp_for_performance(db):
    Setting.objects.create(key="security.totp_roles", region=None, year=None, value=["performance"])


def _password_login(username: str) -> Client:
    c = Client()
    assert c.post("/login/", {"username": username, "password": "test-pass-1"}).status_code == 302
    return c


def _enrol(username: str) -> tuple[Client, str, list[str]]:
    """Log in, get sent to enrolment, bind with the current code; returns (client, secret, recovery codes)."""
    c = _password_login(username)
    r = c.get("/projects/")
    assert r.status_code == 302 and r["Location"].startswith("/account/totp/enrol/")
    page = c.get(r["Location"])
    html = page.content.decode()
    secret = c.session["wx_totp_pending"]
    assert "<svg" in html and secret[:4] in html  # the QR code is drawn here, and the secret is shown
    assert "http" not in re.sub(r'xmlns="[^"]+"', "", html.split('id="totp-qr"')[1].split("</div>")[0])
    r = c.post(r["Location"], {"code": security.totp_code(secret, security.totp_step()), "next": "/projects/"})
    assert r.status_code == 200
    codes = re.findall(r"<li class=\"col-6\">([a-z0-9]{5}-[a-z0-9]{5})</li>", r.content.decode())
    assert len(codes) == 10
    return c, secret, codes


def test_rfc6238_reference_codes():
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # the ASCII key "12345678901234567890" of RFC 6238 appendix B
    assert security.totp_code(secret, 59 // 30) == "287082"
    assert security.totp_code(secret, 1111111109 // 30) == "081804"
    assert security.totp_match(secret, "081804", at=1111111109 + 30) == 1111111109 // 30  # one step late: taken
    assert security.totp_match(secret, "081804", at=1111111109 + 61) is None  # two steps late: refused


def test_a_required_role_must_enrol_and_then_give_a_code_at_every_login(totp_for_performance, users):
    c, secret, codes = _enrol("jxk")
    assert c.get("/projects/").status_code == 200  # enrolled in this session: in
    jxk = User.objects.get(username="jxk")
    assert jxk.totp_enabled_at and jxk.totp_secret == secret
    with connection.cursor() as cur:
        cur.execute("SELECT totp_secret FROM orgs_user WHERE id = %s", [jxk.pk])
        stored = cur.fetchone()[0]
    assert stored.startswith("sm4:") and secret not in stored  # SM4-encrypted at rest
    assert RecoveryCode.objects.filter(user=jxk).count() == 10
    assert not RecoveryCode.objects.filter(code_hash__in=[c.replace("-", "") for c in codes]).exists()
    assert AuditEvent.objects.filter(action="totp.enrol", object_id=str(jxk.pk)).exists()

    # the next login stops after the password
    c2 = _password_login("jxk")
    r = c2.get("/projects/")
    assert r.status_code == 302 and r["Location"].startswith("/account/totp/verify/")
    assert c2.get("/api/v1/me").status_code == 401  # nor does the API answer the half-logged-in session
    assert c2.get("/account/totp/").status_code == 302  # recovery codes cannot be regenerated before the code
    enrol = c2.get("/account/totp/enrol/")  # nor can the authenticator be re-bound without the current one
    assert enrol.status_code == 302 and enrol["Location"].startswith("/account/totp/verify/")
    # the code used at enrolment is spent
    used = security.totp_code(secret, User.objects.get(pk=jxk.pk).totp_last_step)
    r = c2.post("/account/totp/verify/", {"code": used, "next": "/projects/"})
    assert "已使用过" in r.content.decode()
    assert c2.get("/projects/").status_code == 302
    # the next step's code (clock drift of one step) is taken, once
    nxt = security.totp_code(secret, security.totp_step() + 1)
    r = c2.post("/account/totp/verify/", {"code": nxt, "next": "/projects/"})
    assert r.status_code == 302 and r["Location"] == "/projects/"
    assert c2.get("/projects/").status_code == 200
    c3 = _password_login("jxk")
    assert "已使用过" in c3.post("/account/totp/verify/", {"code": nxt}).content.decode()
    events = list(LoginEvent.objects.filter(username="jxk").values_list("success", "reason")[:2])
    assert events == [(False, "动态口令已使用过"), (True, "")]


def test_roles_not_named_log_in_with_the_password_only(totp_for_performance, users):
    c = _password_login("dw")
    assert c.get("/projects/").status_code == 200
    assert "未启用" in c.get("/account/totp/").content.decode()


def test_a_recovery_code_works_once(totp_for_performance, users):
    _, _, codes = _enrol("jxk")
    c = _password_login("jxk")
    r = c.post("/account/totp/verify/", {"code": codes[3].upper()})
    assert r.status_code == 302 and c.get("/projects/").status_code == 200
    assert "恢复码：<strong>9</strong>" in c.get("/account/totp/").content.decode().replace(" 个", "")
    assert AuditEvent.objects.filter(action="totp.recovery_used", after__remaining=9).exists()
    again = _password_login("jxk").post("/account/totp/verify/", {"code": codes[3]})
    assert "恢复码错误" in again.content.decode()


def test_wrong_codes_count_as_failed_logins_and_lock_the_account(totp_for_performance, users):
    _enrol("jxk")
    c = _password_login("jxk")
    for _ in range(4):
        assert "动态口令错误" in c.post("/account/totp/verify/", {"code": "000000"}).content.decode()
    r = c.post("/account/totp/verify/", {"code": "000000"})
    assert r.status_code == 302 and r["Location"] == "/login/"  # locked and logged out
    assert User.objects.get(username="jxk").locked_until is not None
    assert AuditEvent.objects.filter(action="totp.fail", object_id=str(users["jxk"].pk)).count() == 5


def test_voluntary_enrolment_then_codes_are_asked_too(users):
    c = _password_login("dw")
    assert c.get("/projects/").status_code == 200  # nobody is required by default
    page = c.get("/account/totp/enrol/")
    secret = c.session["wx_totp_pending"]
    assert "<svg" in page.content.decode()
    c.post("/account/totp/enrol/", {"code": security.totp_code(secret, security.totp_step())})
    assert User.objects.get(username="dw").totp_enabled_at is not None
    r = _password_login("dw").get("/")
    assert r.status_code == 302 and r["Location"].startswith("/account/totp/verify/")


def test_the_security_administrator_resets_a_lost_authenticator(totp_for_performance, users):
    _enrol("jxk")
    jxk = User.objects.get(username="jxk")
    sec = users["secadmin"]  # the demo's 安全管理员
    for other in ("admin", "jxk", "auditadmin"):  # 三员分立: not the system administrator, not anyone else
        assert Client().get("/security/totp/").status_code == 302
        c = Client()
        c.force_login(users[other])
        if other != "jxk":
            assert c.get("/security/totp/").status_code == 404
    c = Client()
    c.force_login(sec)
    html = c.get("/security/totp/", {"enabled": "1"}).content.decode()
    assert "jxk" in html and "已启用" in html
    r = c.post("/security/totp/?enabled=1", {"user": jxk.pk})
    assert r.status_code == 302
    jxk.refresh_from_db()
    assert jxk.totp_enabled_at is None and jxk.totp_secret == "" and not RecoveryCode.objects.filter(user=jxk)
    e = AuditEvent.objects.filter(action="totp.reset").latest("seq")
    assert e.actor == sec and e.object_id == str(jxk.pk) and e.before == {"enabled": True}
    r = _password_login("jxk").get("/")  # the role still requires it: enrol again
    assert r["Location"].startswith("/account/totp/enrol/")

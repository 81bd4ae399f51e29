"""Login protection and page hardening (等保 level 3, first part): lockout, idle timeout, passwords, CSP."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from wenxiao.orgs.models import LoginEvent, User

pytestmark = pytest.mark.django_db


def _login(username, password):
    return Client().post("/login/", {"username": username, "password": password})


def test_five_failures_lock_the_account_even_for_the_right_password(users):
    for _ in range(5):
        r = _login("dw", "wrong-password")
        assert "用户名或密码不正确" in r.content.decode()
    r = _login("dw", "test-pass-1")
    assert r.status_code == 200 and "账号已锁定" in r.content.decode()
    events = list(LoginEvent.objects.filter(username="dw").values_list("success", "reason"))
    assert events[0] == (False, "账号已锁定") and (False, "密码错误，账号被锁定") in events
    User.objects.filter(username="dw").update(locked_until=timezone.now() - timedelta(minutes=1))
    assert _login("dw", "test-pass-1").status_code == 302  # the lock expires; success resets the count
    assert User.objects.get(username="dw").failed_logins == 0


def test_unknown_user_name_is_recorded_without_telling_which_part_was_wrong():
    r = _login("nobody-here", "whatever")
    assert "用户名或密码不正确" in r.content.decode()
    assert LoginEvent.objects.filter(username="nobody-here", success=False, reason="用户名不存在").exists()


def test_idle_session_is_logged_out(users):
    c = Client()
    assert c.post("/login/", {"username": "dw", "password": "test-pass-1"}).status_code == 302
    assert c.get("/projects/").status_code == 200
    session = c.session
    session["last_seen"] = session["last_seen"] - 31 * 60
    session.save()
    r = c.get("/projects/")
    assert r.status_code == 302 and "timeout=1" in r["Location"]
    assert "长时间未操作" in c.get(r["Location"]).content.decode()


def test_password_rules(users):
    with pytest.raises(ValidationError) as e:
        validate_password("wenxiao2026", users["dw"])  # two classes only
    assert any("至少三类" in m for m in e.value.messages)
    user = users["dw"]
    user.set_password("Old-Pass-2026")
    user.save()
    user.set_password("New-Pass-2026")
    user.save()
    with pytest.raises(ValidationError) as e:
        validate_password("Old-Pass-2026", user)
    assert any("最近 5 次" in m for m in e.value.messages)
    validate_password("Fresh-Pass-2027", user)


def test_pages_send_a_strict_csp_and_carry_no_inline_script(client_as, users):
    from wenxiao.projects.models import Project

    project = Project.objects.visible_to(users["jxk"]).first()
    for path in [
        "/",
        "/projects/",
        f"/projects/{project.pk}/",
        "/targets/",
        "/targets/stats/?year=2026",
        "/library/",
        "/appraisal/",
        "/catalog/",
        "/settings/",
    ]:
        r = client_as("jxk").get(path)
        assert "script-src 'self'" in r["Content-Security-Policy"], path
        html = r.content.decode()
        inline = [s for s in re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html) if "application/json" not in s]
        assert not inline, (path, inline)
        assert not re.search(r"\son(click|change|submit|load)=", html), path


def test_users_change_their_password_and_expired_ones_must(users):
    c = Client()
    c.post("/login/", {"username": "dw", "password": "test-pass-1"})
    r = c.post(
        "/account/password/",
        {"old_password": "test-pass-1", "new_password1": "weakpassword", "new_password2": "weakpassword"},
    )
    assert "至少三类" in r.content.decode()
    r = c.post(
        "/account/password/",
        {"old_password": "test-pass-1", "new_password1": "Better-Pass-2026", "new_password2": "Better-Pass-2026"},
    )
    assert r.status_code == 302
    dw = User.objects.get(username="dw")
    assert dw.check_password("Better-Pass-2026") and dw.password_history.count() == 1
    assert c.get("/projects/").status_code == 200  # still logged in after the change
    User.objects.filter(pk=dw.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    r = c.get("/projects/")
    assert r.status_code == 302 and r["Location"].startswith("/account/password/")
    assert "密码已到期" in c.get(r["Location"]).content.decode()

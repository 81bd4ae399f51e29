"""Accounts: the 系统管理员 creates users and grants roles inside its jurisdiction; everything is audited."""

import pytest
from django.test import Client

from wenxiao.core.errors import NotFound, PermissionDenied, ValidationError
from wenxiao.core.models import AuditEvent
from wenxiao.orgs import services
from wenxiao.orgs.models import Organisation, User

pytestmark = pytest.mark.django_db


def _county_bureau(users):
    return users["xian_jxk"].assignments.get().org.parent


def _county_admin(users):
    return services.do_create_user(
        actor=users["admin"],
        username="xian_admin",
        display_name="县系统管理员",
        org_code=_county_bureau(users).code,
        password="Xian-admin-2026",
        roles=[("sysadmin", _county_bureau(users).code)],
    )


def test_new_account_logs_in_and_sees_its_scope(users):
    unit = Organisation.objects.filter(kind="unit", region=_county_bureau(users).region).first()
    user = services.do_create_user(
        actor=users["admin"],
        username="xian_dw",
        display_name="县单位会计",
        org_code=unit.code,
        password="Unit-pass-2026",
        roles=[("unit", unit.code)],
    )
    c = Client()
    assert c.post("/login/", {"username": "xian_dw", "password": "Unit-pass-2026"}).status_code == 302
    html = c.get("/projects/", {"year": "all"}).content.decode()
    assert unit.name in html
    assert AuditEvent.objects.filter(action="user.create", object_id=str(user.pk)).exists()


def test_bad_account_data_gets_chinese_errors_and_creates_nothing(users):
    with pytest.raises(ValidationError) as e:
        services.do_create_user(
            actor=users["admin"],
            username="dw",
            display_name="",
            org_code="nope",
            password="123",
            roles=[("boss", "nope")],
        )
    errors = e.value.errors
    assert "用户名已存在" in errors["username"] and "未知的角色：boss" in errors["roles"]
    assert any("密码" in m for m in errors["password"])
    assert User.objects.filter(username="dw").count() == 1


def test_a_county_administrator_manages_only_its_county(users):
    admin = _county_admin(users)
    assert not admin.is_superuser
    with pytest.raises(ValidationError):  # the city's units are out of reach
        services.do_create_user(
            actor=admin,
            username="x1",
            display_name="",
            org_code=users["dw"].org.code,
            password="Some-pass-2026",
            roles=[("unit", users["dw"].org.code)],
        )
    with pytest.raises(NotFound):
        services.do_grant(actor=admin, user_id=users["dw"].pk, role="viewer", org_code=_county_bureau(users).code)
    services.do_grant(actor=admin, user_id=users["xian_jxk"].pk, role="viewer", org_code=_county_bureau(users).code)
    assert users["xian_jxk"].assignments.filter(role="viewer").exists()


def test_only_managers_manage(users, client_as):
    with pytest.raises(PermissionDenied):
        services.do_set_active(actor=users["jxk"], user_id=users["dw"].pk, active=False)
    client_as("jxk").post(
        "/orgs/users/",
        {"username": "sneaky", "org": users["dw"].org.code, "role": "unit", "password": "Sneaky-pass-2026"},
    )
    assert not User.objects.filter(username="sneaky").exists()


def test_deactivate_revoke_and_grant_through_the_page(users, client_as):
    admin = client_as("admin")
    dw = users["dw"]
    assignment = dw.assignments.get()
    admin.post(f"/orgs/users/{dw.pk}/change/", {"op": "revoke", "assignment": assignment.pk})
    assert not dw.assignments.exists()
    admin.post(f"/orgs/users/{dw.pk}/change/", {"op": "grant", "role": "unit", "org": assignment.org.code})
    assert dw.assignments.filter(role="unit", org=assignment.org).exists()
    admin.post(f"/orgs/users/{dw.pk}/change/", {"op": "deactivate"})
    dw.refresh_from_db()
    assert not dw.is_active
    assert Client().post("/login/", {"username": "dw", "password": "test-pass-1"}).status_code == 200  # refused


def test_three_administrators_stay_separate(users):
    bureau = _county_bureau(users).code
    with pytest.raises(ValidationError) as e:
        services.do_create_user(
            actor=users["admin"],
            username="all_powers",
            display_name="",
            org_code=bureau,
            password="All-powers-2026",
            roles=[("sysadmin", bureau), ("auditadmin", bureau)],
        )
    assert "三员分立" in e.value.errors["roles"][0]
    with pytest.raises(ValidationError):  # an administrator takes no business role either
        services.do_grant(actor=users["admin"], user_id=users["auditadmin"].pk, role="performance", org_code=bureau)
    assert not users["auditadmin"].assignments.filter(role="performance").exists()

"""Scope checks of security pages and API operations, merged into tests/test_scope_walk.py."""


def _secadmin(users, region_of: str):
    """A 安全管理员 at the finance bureau of the region `region_of`'s account works in."""
    from wenxiao.orgs.models import Organisation, RoleAssignment, User

    org = users[region_of].assignments.select_related("org__region").first().org
    bureau = Organisation.objects.filter(region=org.region, kind="finance").first()
    user = User.objects.create_user(f"sec_{region_of}", password="test-pass-1", org=bureau)
    RoleAssignment.objects.create(user=user, role="secadmin", org=bureau)
    return user


def check_healthz(client_as, users, dw_project):
    from django.test import Client

    r = Client().get("/healthz")
    assert r.status_code == 200 and r.content == b"ok"  # says nothing about any data


def check_totp_own(client_as, users, dw_project):
    """Each account sees and binds only its own authenticator; a secret never shows on someone else's page."""
    from wenxiao.core import security

    dw = client_as("dw")
    dw.get("/account/totp/enrol/")
    secret = dw.session["wx_totp_pending"]
    dw.post("/account/totp/enrol/", {"code": security.totp_code(secret, security.totp_step())})
    users["dw"].refresh_from_db()
    assert users["dw"].totp_enabled_at
    for other in ("dw2", "jxk", "auditadmin"):
        c = client_as(other)
        assert "未启用" in c.get("/account/totp/").content.decode()
        assert secret[:8] not in c.get("/account/totp/enrol/").content.decode()
        c.post("/account/totp/", {})  # regenerating codes touches only one's own (none: not enrolled)
    assert users["dw"].recovery_codes.filter(used_at__isnull=True).count() == 10
    # verifying is for the logged-in account only: someone else's code does nothing for dw
    r = client_as("dw2").post("/account/totp/verify/", {"code": security.totp_code(secret, security.totp_step())})
    assert r.status_code == 302 and r["Location"].startswith("/account/totp/enrol/")


def check_totp_admin(client_as, users, dw_project):
    from django.test import Client

    from wenxiao.orgs.models import User

    for u in ("admin", "jxk", "dw", "auditadmin", "xian_jxk"):
        assert client_as(u).get("/security/totp/").status_code == 404
        assert client_as(u).post("/security/totp/", {"user": users["dw"].pk}).status_code == 404
    User.objects.filter(username__in=["dw", "xian_jxk"]).update(totp_enabled_at="2026-01-01T00:00:00Z")
    county = Client()
    county.force_login(_secadmin(users, "xian_jxk"))
    html = county.get("/security/totp/").content.decode()
    assert ">xian_jxk<" in html and ">dw<" not in html  # a county's 安全管理员 sees the county's accounts only
    county.post("/security/totp/", {"user": users["dw"].pk})
    assert User.objects.get(username="dw").totp_enabled_at is not None  # and cannot reset the city's
    city = Client()
    city.force_login(_secadmin(users, "jxk"))
    assert ">dw<" in city.get("/security/totp/").content.decode()


def check_audit_export(client_as, users, dw_project):
    for u in ("admin", "jxk", "dw", "xian_jxk", "rd", "dsf", "zj"):
        assert client_as(u).get("/audit/export/", {"format": "csv"}).status_code == 404
    assert client_as("auditadmin").get("/audit/export/", {"format": "csv", "to": "2000-01-01"}).status_code == 200


PAGES: dict = {
    "core:healthz": check_healthz,
    "core:totp": check_totp_own,
    "core:totp_enrol": check_totp_own,
    "core:totp_verify": check_totp_own,
    "core:totp_admin": check_totp_admin,
    "core:audit_export": check_audit_export,
}
API: dict = {}

"""What every page's shell needs: navigation by lifecycle stage, the user's roles and to-do count."""

from django.conf import settings
from django.urls import reverse

# (key, label, url name or None while the stage is still being built)
STAGES = [
    ("cockpit", "驾驶舱", "cockpit:home"),
    ("appraisal", "事前评估", "appraisal:list"),
    ("targets", "目标管理", "targets:list"),
    ("monitoring", "运行监控", "monitoring:overview"),
    ("evaluation", "绩效评价", "evaluation:home"),
    ("results", "结果应用", "results:home"),
    ("library", "指标库", "library:list"),
    ("projects", "项目库", "projects:list"),
    ("partners", "机构专家", "partners:home"),
    ("oversight", "考核", "oversight:home"),
]

# Stages only some roles have pages in (others would get 404 from the menu).
STAGE_ROLES = {
    "partners": ("performance", "business", "sysadmin", "agency", "expert"),
    "cockpit": ("performance", "viewer", "sysadmin", "department", "business"),
}


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"FISCAL_YEAR": settings.FISCAL_YEAR}
    from wenxiao.core.workflow import todos_for

    match = getattr(request, "resolver_match", None)
    namespace = match.namespace if match else ""
    nav = [
        {"key": key, "label": label, "url": reverse(name) if name else None, "active": namespace == key}
        for key, label, name in STAGES
        if key not in STAGE_ROLES or user.is_superuser or user.has_role(*STAGE_ROLES[key])
    ]
    admin_links = []
    if user.has_role("sysadmin", "secadmin", "performance"):
        admin_links += [("组织机构", reverse("orgs:list")), ("用户与角色", reverse("orgs:users"))]
    admin_links.append(("基础代码", reverse("catalog:functions")))
    if user.has_role("performance", "viewer", "sysadmin"):
        admin_links.append(("信息公开", reverse("disclosure:manage")))
    if user.has_role("performance", "sysadmin"):
        admin_links.append(("一体化数据交换", reverse("exchange:home")))
    if "performance" in user.role_codes:
        admin_links.append(("参数设置", reverse("core:settings")))
    if "secadmin" in user.role_codes:
        admin_links.append(("安全参数", reverse("core:settings")))
    if "auditadmin" in user.role_codes:
        admin_links.append(("审计日志", reverse("core:audit")))
        admin_links.append(("全部登录记录", reverse("core:all_logins")))
    admin_links.append(("我的登录记录", reverse("core:my_logins")))
    admin_links.append(("动态口令", reverse("core:totp")))
    if "secadmin" in user.role_codes:
        admin_links.append(("动态口令管理", reverse("core:totp_admin")))
    admin_links.append(("修改密码", reverse("password_change")))
    admin_links.append(("我的后台任务", reverse("core:jobs")))
    return {
        "FISCAL_YEAR": settings.FISCAL_YEAR,
        "nav": nav,
        "admin_links": admin_links,
        "admin_active": namespace in {"orgs", "catalog", "exchange"} or (match and match.url_name in {"audit", "jobs"}),
        "todo_count": todos_for(user).count(),
        "my_roles": [f"{a.get_role_display()}（{a.org.name}）" for a in user.assignment_rows],
    }

"""The generic scope walk: every page and API operation, as users inside and outside the data's scope.

`PAGES` and `API` must name every URL pattern and every API operation of the project: a new endpoint
without a scope check here fails `test_every_endpoint_is_walked`.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from wenxiao.api.main import api
from wenxiao.core.jobs import execute, start_job
from wenxiao.core.models import Job, WorkItem
from wenxiao.orgs.models import Organisation
from wenxiao.projects.models import Project

pytestmark = pytest.mark.django_db

# The project of one unit (dw's) and the users who must not see it.
OUTSIDERS = ["dw2", "xian_jxk", "dsf", "zj"]


@pytest.fixture
def dw_project(users):
    return Project.objects.filter(unit=users["dw"].assignments.get().org).order_by("code").first()


def _table(html: str) -> str:
    """The result table of a list page (the filter form echoes the query, so search only the rows)."""
    return html.split('id="project-table"', 1)[1]


def _codes_in(html: str) -> set[str]:
    return set(re.findall(r"\b\d{21}\b", _table(html)))


def _all_url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "api" or "api/v1" in str(p.pattern):
                continue
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _all_url_names(p, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield namespace + p.name


# --- pages -------------------------------------------------------------------------------------------


def check_home(client_as, users, dw_project):
    html = client_as("dw").get("/").content.decode()
    visible = Project.objects.visible_to(users["dw"]).filter(budgets__year=2026).count()
    assert f">{visible}<" in html.replace(",", "")


def check_public(client_as, users, dw_project):
    from django.test import Client

    assert Client().get("/login/").status_code == 200
    assert Client().get("/").status_code == 302  # everything else needs a login


def check_project_list(client_as, users, dw_project):
    own = client_as("dw").get("/projects/", {"year": "all"}).content.decode()
    assert _codes_in(own) <= set(Project.objects.filter(unit=dw_project.unit).values_list("code", flat=True))
    for outsider in OUTSIDERS:
        html = client_as(outsider).get("/projects/", {"q": dw_project.code, "year": "all"}).content.decode()
        assert dw_project.code not in _table(html)
    assert dw_project.code in _table(
        client_as("dw").get("/projects/", {"q": dw_project.code, "year": "all"}).content.decode()
    )


def check_project_create(client_as, users, dw_project):
    html = client_as("dw2").get("/projects/new/").content.decode()
    assert dw_project.unit.code not in html  # the unit cannot be chosen by someone outside it
    r = client_as("dw2").post("/projects/new/", {"name": "越权项目", "unit_code": dw_project.unit.code})
    assert not Project.objects.filter(name="越权项目").exists()
    assert r.status_code == 200


def check_project_export(client_as, users, dw_project):
    client_as("dw2").post("/projects/export/?year=all")
    job = Job.objects.filter(user=users["dw2"]).latest("created_at")
    execute(job.pk)
    import python_calamine

    rows = python_calamine.CalamineWorkbook.from_path(Job.objects.get(pk=job.pk).result_file).get_sheet_by_index(0)
    codes = {r[0] for r in rows.to_python()[1:]}
    assert codes and dw_project.code not in codes
    assert codes <= set(Project.objects.visible_to(users["dw2"]).values_list("code", flat=True))


def _detail_404(path_template: str, method: str = "get"):
    def check(client_as, users, dw_project):
        path = path_template.format(pk=dw_project.pk)
        for outsider in OUTSIDERS:
            r = getattr(client_as(outsider), method)(path)
            assert r.status_code == 404, (outsider, path, r.status_code)
        assert client_as("dw").get(f"/projects/{dw_project.pk}/").status_code == 200

    return check


def check_org_list(client_as, users, dw_project):
    county = users["xian_jxk"].assignments.get().org.region
    html = client_as("xian_jxk").get("/orgs/", {"kind": "unit"}).content.decode()
    city_unit = Organisation.objects.filter(kind="unit", region=county.parent).first()
    assert city_unit.code not in html
    assert client_as("dw").get("/orgs/").status_code == 404


def check_user_list(client_as, users, dw_project):
    html = client_as("xian_jxk").get("/orgs/users/").content.decode()
    assert ">dw<" not in html and ">jxk<" not in html
    assert client_as("dw").get("/orgs/users/").status_code == 404


def check_catalog(client_as, users, dw_project):
    # National reference codes: the same for everyone who is logged in, and nothing scoped on the page.
    html = client_as("dw2").get("/catalog/", {"class": "205"}).content.decode()
    assert "2050202" in html and "小学教育" in html
    assert dw_project.unit.name not in html


def check_todos(client_as, users, dw_project):
    html = client_as("zgbm").get("/todos/").content.decode()
    dept = users["zgbm"].assignments.get().org
    own = WorkItem.objects.filter(closed_at__isnull=True, role="department", org=dept).count()
    assert f"{own} 项" in html
    other = WorkItem.objects.filter(closed_at__isnull=True).exclude(org=dept).first()
    assert other.url not in html


def check_audit(client_as, users, dw_project):
    assert client_as("auditadmin").get("/audit/").status_code == 200
    for u in ["dw", "jxk", "rd", "admin"]:
        assert client_as(u).get("/audit/").status_code == 404


def check_jobs(client_as, users, dw_project):
    job = start_job("projects.export", "导出", user=users["dw"], params={"filter": {}})
    execute(job.pk)
    assert client_as("dw").get(f"/jobs/{job.pk}/").status_code == 200
    assert client_as("dw").get(f"/jobs/{job.pk}/download/").status_code == 200
    for outsider in ["dw2", "jxk"]:
        assert client_as(outsider).get(f"/jobs/{job.pk}/").status_code == 404
        assert client_as(outsider).get(f"/jobs/{job.pk}/download/").status_code == 404
        assert f'id="job-{job.pk}"' not in client_as(outsider).get("/jobs/").content.decode()


# --- targets and library ----------------------------------------------------------------------------


def _dw_target(users):
    from wenxiao.targets.models import Target

    return Target.objects.filter(unit=users["dw"].assignments.get().org).order_by("id").first()


def _dw_proposal(users):
    from wenxiao.library import services as library_services

    return library_services.do_propose(
        {
            "name": "校园安保巡查覆盖率",
            "level1": "产出指标",
            "level2": "质量指标",
            "comparator": "≥",
            "value_kind": "percent",
            "unit": "%",
            "sectors": ["20502"],
        },
        actor=users["dw"],
    )


def _target_404(suffix: str, method: str = "get"):
    def check(client_as, users, dw_project):
        target = _dw_target(users)
        assert target is not None
        path = f"/targets/{target.pk}/{suffix}".replace("{v}", str(max(target.current_version, 1)))
        for outsider in OUTSIDERS:
            r = getattr(client_as(outsider), method)(path)
            assert r.status_code == 404, (outsider, path, r.status_code)
        assert client_as("dw").get(f"/targets/{target.pk}/").status_code == 200

    return check


def check_target_list(client_as, users, dw_project):
    target = _dw_target(users)
    label = target.project.name if target.project_id else target.unit.name
    for outsider in OUTSIDERS:
        html = client_as(outsider).get("/targets/", {"year": "all", "q": label}).content.decode()
        assert f"/targets/{target.pk}/" not in html
    assert f"/targets/{target.pk}/" in client_as("dw").get("/targets/", {"year": "all", "q": label}).content.decode()


def check_target_create(client_as, users, dw_project):
    from wenxiao.targets.models import Target

    before = Target.objects.count()
    client_as("dw2").post("/targets/new/", {"project": dw_project.pk, "year": dw_project.budgets.first().year})
    client_as("dw2").post("/targets/new/", {"unit": dw_project.unit.pk, "year": 2030})
    assert Target.objects.count() == before


def check_target_approve(client_as, users, dw_project):
    assert client_as("dw").get("/targets/approve/").status_code == 404
    html = client_as("xian_jxk").get("/targets/approve/").content.decode()
    assert dw_project.department.name not in html


def check_target_stats(client_as, users, dw_project):
    for year in (2026, 2027):
        html = client_as("xian_jxk").get("/targets/stats/", {"year": year}).content.decode()
        assert dw_project.department.name not in html
        assert dw_project.department.name in client_as("jxk").get("/targets/stats/", {"year": year}).content.decode()


def check_review_report(client_as, users, dw_project):
    import python_calamine

    assert client_as("dw").post("/targets/review-report/?year=2026").status_code == 404
    client_as("xian_jxk").post("/targets/review-report/?year=2026")
    job = Job.objects.filter(user=users["xian_jxk"], kind="targets.review_report").latest("created_at")
    execute(job.pk)
    book = python_calamine.CalamineWorkbook.from_path(Job.objects.get(pk=job.pk).result_file)
    rows = book.get_sheet_by_name("审核发现").to_python()
    assert len(rows) > 1  # the county's own targets are reviewed …
    assert all(not r[0].startswith("衡阳市") for r in rows[1:])  # … and no city department appears
    assert dw_project.department.name not in repr(rows)


def check_target_export_batch(client_as, users, dw_project):
    import io

    import python_calamine

    r = client_as("dw2").get("/targets/export/", {"year": 2026, "department": dw_project.department.code})
    if r.status_code == 200:
        book = python_calamine.CalamineWorkbook.from_filelike(
            io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content)
        )
        text = repr([book.get_sheet_by_name(n).to_python() for n in book.sheet_names])
        assert dw_project.name not in text
    else:  # refused: sent back to the list with a message, or not found
        assert r.status_code in (302, 403, 404)


def check_target_import(client_as, users, dw_project):
    import io

    from wenxiao.targets import excel, services

    target = _dw_target(users)
    buf = io.BytesIO()
    excel.write_targets([target], buf)
    before = (target.version, services.snapshot(target))
    for outsider in OUTSIDERS:
        f = io.BytesIO(buf.getvalue())
        f.name = "t.xlsx"
        r = client_as(outsider).post("/targets/import/", {"file": f})
        assert not r.context["result"].ok and f"/targets/{target.pk}/" not in r.content.decode()
    target.refresh_from_db()
    assert (target.version, services.snapshot(target)) == before


def check_library_list(client_as, users, dw_project):
    t = _dw_proposal(users)
    assert t.name in client_as("dw").get("/library/", {"state": "proposed"}).content.decode()
    for outsider in ["dw2", "xian_jxk"]:
        assert t.name not in client_as(outsider).get("/library/", {"state": "proposed"}).content.decode()


def check_library_new(client_as, users, dw_project):
    from wenxiao.library.models import IndicatorTemplate

    assert client_as("rd").get("/library/new/").status_code == 200
    client_as("rd").post(
        "/library/new/",
        {
            "name": "只读账号的提议",
            "level1": "产出指标",
            "level2": "数量指标",
            "comparator": "≥",
            "value_kind": "number",
            "unit": "个",
        },
    )
    assert not IndicatorTemplate.objects.filter(name="只读账号的提议").exists()


def check_library_detail(client_as, users, dw_project):
    t = _dw_proposal(users)
    assert client_as("dw").get(f"/library/{t.pk}/").status_code == 200
    for outsider in ["dw2", "xian_jxk"]:
        assert client_as(outsider).get(f"/library/{t.pk}/").status_code == 404
        assert client_as(outsider).post(f"/library/{t.pk}/action/", {"action": "publish"}).status_code == 404
    assert client_as("jxk").get(f"/library/{t.pk}/").status_code == 200  # the 绩效科 who publishes it


def check_library_revise(client_as, users, dw_project):
    from wenxiao.library import services as library_services
    from wenxiao.library.models import IndicatorTemplate

    t = _dw_proposal(users)
    library_services.do_transition(t.pk, "publish", actor=users["jxk"])
    for outsider in ["dw", "zgbm", "xian_jxk", "rd"]:
        client_as(outsider).post(f"/library/{t.pk}/revise/", {"name": "越权改名"})
    assert IndicatorTemplate.objects.get(pk=t.pk).revision == 1
    client_as("jxk").post(f"/library/{t.pk}/revise/", {"name": "校园安保巡查覆盖比例"})
    assert IndicatorTemplate.objects.get(pk=t.pk).revision == 2


def check_library_pick(client_as, users, dw_project):
    target = _dw_target(users)
    assert client_as("dw").get("/library/pick/", {"target": target.pk}).status_code == 200
    for outsider in OUTSIDERS:
        assert client_as(outsider).get("/library/pick/", {"target": target.pk}).status_code == 404


def check_settings(client_as, users, dw_project):
    from wenxiao.core.config import setting

    assert client_as("dw").get("/settings/").status_code == 404
    assert client_as("rd").get("/settings/").status_code == 404
    city = users["jxk"].assignments.get().org.region
    client_as("xian_jxk").post("/settings/", {"key": "targets.special_fund_min_quantitative", "value": "3"})
    assert setting("targets.special_fund_min_quantitative", city, 2027) == 10  # the county's rule stays in the county
    assert "430421" not in client_as("jxk").get("/settings/").content.decode().split("本辖区已有的设置")[-1]


def _dw_appraisal(users):
    from wenxiao.appraisal.models import Appraisal

    return Appraisal.objects.filter(unit=users["dw"].assignments.get().org).order_by("id").first()


def _appraisal_404(suffix: str, method: str = "get"):
    def check(client_as, users, dw_project):
        a = _dw_appraisal(users)
        assert a is not None, "the demo flags dw's new 320万元 project"
        for outsider in OUTSIDERS:
            r = getattr(client_as(outsider), method)(f"/appraisal/{a.pk}/{suffix}")
            assert r.status_code == 404, (outsider, suffix, r.status_code)
        assert client_as("dw").get(f"/appraisal/{a.pk}/").status_code == 200

    return check


def check_appraisal_list(client_as, users, dw_project):
    a = _dw_appraisal(users)
    for outsider in OUTSIDERS:
        html = client_as(outsider).get("/appraisal/", {"year": "all"}).content.decode()
        assert f"/appraisal/{a.pk}/" not in html and a.project.name not in html
    assert f"/appraisal/{a.pk}/" in client_as("dw").get("/appraisal/", {"year": "all"}).content.decode()


def check_appraisal_attachment(client_as, users, dw_project):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from wenxiao.core.attachments import attach

    a = _dw_appraisal(users)
    f = attach(a, SimpleUploadedFile("可行性研究报告.pdf", b"%PDF-1.4 test"), actor=users["dw"])
    assert client_as("dw").get(f"/appraisal/{a.pk}/files/{f.pk}/").status_code == 200
    for outsider in OUTSIDERS:
        assert client_as(outsider).get(f"/appraisal/{a.pk}/files/{f.pk}/").status_code == 404
    bad = SimpleUploadedFile("脚本.exe", b"MZ")
    client_as("dw").post(f"/appraisal/{a.pk}/attach/", {"file": bad})
    from wenxiao.core.attachments import attachments_of

    assert [x.name for x in attachments_of(a)] == ["可行性研究报告.pdf"]


def check_user_pages(client_as, users, dw_project):
    dw = users["dw"]
    for outsider in ["dw", "zgbm", "jxk", "rd"]:
        assert client_as(outsider).get(f"/orgs/users/{dw.pk}/").status_code == 404
        assert client_as(outsider).post(f"/orgs/users/{dw.pk}/change/", {"op": "deactivate"}).status_code == 404
    dw.refresh_from_db()
    assert dw.is_active
    assert client_as("admin").get(f"/orgs/users/{dw.pk}/").status_code == 200


def check_password_change(client_as, users, dw_project):
    from django.test import Client

    assert Client().get("/account/password/").status_code == 302  # login first
    client_as("dw2").post(
        "/account/password/",
        {"old_password": "test-pass-1", "new_password1": "Other-Pass-2026", "new_password2": "Other-Pass-2026"},
    )
    users["dw"].refresh_from_db()
    assert users["dw"].check_password("test-pass-1")  # only one's own password changes


def check_logins(client_as, users, dw_project):
    from django.test import Client

    Client().post("/login/", {"username": "dw", "password": "wrong-password"})
    Client().post("/login/", {"username": "dw2", "password": "wrong-password"})
    mine = client_as("dw2").get("/account/logins/").content.decode()
    assert mine.count("失败</span>") == 1  # dw2 sees its own attempt only
    for u in ["dw", "jxk", "admin"]:
        assert client_as(u).get("/audit/logins/").status_code == 404
    everything = client_as("auditadmin").get("/audit/logins/", {"failed": "1"}).content.decode()
    assert ">dw<" in everything and ">dw2<" in everything


PAGES = {
    "home": check_home,
    "login": check_public,
    "logout": check_public,
    "projects:list": check_project_list,
    "projects:create": check_project_create,
    "projects:export": check_project_export,
    "projects:detail": _detail_404("/projects/{pk}/"),
    "projects:edit": _detail_404("/projects/{pk}/edit/"),
    "projects:action": _detail_404("/projects/{pk}/action/", "post"),
    "projects:adjust": _detail_404("/projects/{pk}/adjust/", "post"),
    "projects:responsible": _detail_404("/projects/{pk}/responsible/", "post"),
    "orgs:list": check_org_list,
    "orgs:users": check_user_list,
    "orgs:user": check_user_pages,
    "orgs:user_change": check_user_pages,
    "catalog:functions": check_catalog,
    "core:todos": check_todos,
    "core:audit": check_audit,
    "core:settings": check_settings,
    "core:my_logins": check_logins,
    "password_change": check_password_change,
    "core:all_logins": check_logins,
    "core:jobs": check_jobs,
    "core:job_status": check_jobs,
    "core:job_download": check_jobs,
    "targets:list": check_target_list,
    "targets:create": check_target_create,
    "targets:approve": check_target_approve,
    "targets:stats": check_target_stats,
    "targets:review_report": check_review_report,
    "targets:export": check_target_export_batch,
    "targets:import": check_target_import,
    "targets:detail": _target_404(""),
    "targets:edit": _target_404("edit/"),
    "targets:blank_row": _target_404("row/"),
    "targets:add_from_library": _target_404("library/", "post"),
    "targets:distribute": _target_404("distribute/", "post"),
    "targets:add_suggestions": _target_404("suggestions/", "post"),
    "targets:action": _target_404("action/", "post"),
    "targets:comment": _target_404("comment/", "post"),
    "targets:final_review": _target_404("final-review/", "post"),
    "targets:diff": _target_404("versions/{v}/{v}/"),
    "targets:export_one": _target_404("form.xlsx"),
    "targets:word": _target_404("form.docx"),
    "targets:pdf": _target_404("form.pdf"),
    "library:list": check_library_list,
    "appraisal:list": check_appraisal_list,
    "appraisal:detail": _appraisal_404(""),
    "appraisal:save": _appraisal_404("save/", "post"),
    "appraisal:action": _appraisal_404("action/", "post"),
    "appraisal:assign": _appraisal_404("assign/", "post"),
    "appraisal:conclude": _appraisal_404("conclude/", "post"),
    "appraisal:adjustment": _appraisal_404("adjustment/", "post"),
    "appraisal:attach": _appraisal_404("attach/", "post"),
    "appraisal:attachment": check_appraisal_attachment,
    "appraisal:report": _appraisal_404("report.docx"),
    "library:new": check_library_new,
    "library:detail": check_library_detail,
    "library:action": check_library_detail,
    "library:revise": check_library_revise,
    "library:pick": check_library_pick,
}


# --- API ---------------------------------------------------------------------------------------------


def api_project_list(api_as, users, dw_project):
    for outsider in OUTSIDERS:
        r = api_as(outsider).get("/api/v1/projects", {"q": dw_project.code, "limit": 1000})
        assert dw_project.code not in {p["code"] for p in r.json()["items"]}


def api_project_create(api_as, users, dw_project):
    body = {
        "name": "越权登记",
        "unit_code": dw_project.unit.code,
        "year": 2026,
        "function_code": "2050202",
        "amount_initial": "100000",
    }
    for outsider in OUTSIDERS:
        r = api_as(outsider).post("/api/v1/projects", body, content_type="application/json")
        assert r.status_code == 403, outsider
    assert not Project.objects.filter(name="越权登记").exists()


def api_project_detail(api_as, users, dw_project):
    for outsider in OUTSIDERS:
        client = api_as(outsider)
        assert client.get(f"/api/v1/projects/{dw_project.pk}").status_code == 404
        r = client.patch(
            f"/api/v1/projects/{dw_project.pk}",
            {"version": dw_project.version, "name": "x"},
            content_type="application/json",
        )
        assert r.status_code == 404
        r = client.post(
            f"/api/v1/projects/{dw_project.pk}/actions", {"action": "submit"}, content_type="application/json"
        )
        assert r.status_code == 404


def api_todos(api_as, users, dw_project):
    items = api_as("zgbm").get("/api/v1/todos", {"limit": 1000}).json()["items"]
    dept = users["zgbm"].assignments.get().org
    ids = set(WorkItem.objects.filter(org=dept, role="department", closed_at__isnull=True).values_list("id", flat=True))
    assert {i["id"] for i in items} == ids


def api_me(api_as, users, dw_project):
    assert api_as("dw").get("/api/v1/me").json()["username"] == "dw"


def api_regions(api_as, users, dw_project):
    county = users["xian_jxk"].assignments.get().org.region
    codes = {r["code"] for r in api_as("xian_jxk").get("/api/v1/regions", {"limit": 1000}).json()["items"]}
    assert county.code in codes and county.parent.code not in codes


def api_organisations(api_as, users, dw_project):
    codes = {o["code"] for o in api_as("dw2").get("/api/v1/organisations", {"limit": 1000}).json()["items"]}
    assert dw_project.unit.code not in codes


def api_targets_list(api_as, users, dw_project):
    target = _dw_target(users)
    for outsider in OUTSIDERS:
        ids = {t["id"] for t in api_as(outsider).get("/api/v1/targets", {"limit": 1000}).json()["items"]}
        assert target.pk not in ids
    assert target.pk in {t["id"] for t in api_as("dw").get("/api/v1/targets", {"limit": 1000}).json()["items"]}


def api_targets_create(api_as, users, dw_project):
    from wenxiao.targets.models import Target

    before = Target.objects.count()
    r = api_as("dw2").post(
        "/api/v1/targets", {"year": 2027, "project_id": dw_project.pk}, content_type="application/json"
    )
    assert r.status_code == 404 and Target.objects.count() == before


def api_targets_stats(api_as, users, dw_project):
    data = api_as("xian_jxk").get("/api/v1/targets/stats", {"year": 2026}).json()
    assert dw_project.department.code not in {d["code"] for d in data["departments"]}


def api_target_detail(api_as, users, dw_project):
    target = _dw_target(users)
    for outsider in OUTSIDERS:
        c = api_as(outsider)
        assert c.get(f"/api/v1/targets/{target.pk}").status_code == 404
        assert c.get(f"/api/v1/targets/{target.pk}/comments").status_code == 404
        assert c.get(f"/api/v1/targets/{target.pk}/versions").status_code == 404
        for path, body in [
            ("", {"version": target.version, "indicators": []}),
            ("/library", {"version": target.version, "template_ids": [1]}),
            ("/actions", {"action": "submit"}),
            ("/final-review", {"grade": "优", "dimensions": {}}),
            ("/comments", {"text": "越权意见"}),
        ]:
            method = c.put if path == "" else c.post
            r = method(f"/api/v1/targets/{target.pk}{path}", body, content_type="application/json")
            assert r.status_code == 404, (outsider, path, r.status_code)


def api_target_approvals(api_as, users, dw_project):
    r = api_as("xian_jxk").post(
        "/api/v1/targets/approvals",
        {"department_id": dw_project.department_id, "year": 2027, "document_no": "越权1号"},
        content_type="application/json",
    )
    assert r.status_code == 403


def api_library(api_as, users, dw_project):
    t = _dw_proposal(users)
    assert api_as("dw").get(f"/api/v1/library/{t.pk}").status_code == 200
    for outsider in ["dw2", "xian_jxk"]:
        c = api_as(outsider)
        assert c.get(f"/api/v1/library/{t.pk}").status_code == 404
        assert t.pk not in {x["id"] for x in c.get("/api/v1/library", {"state": "proposed"}).json()["items"]}
        r = c.post(f"/api/v1/library/{t.pk}/actions", {"action": "publish"}, content_type="application/json")
        assert r.status_code == 404
    r = api_as("rd").post(
        "/api/v1/library",
        {
            "name": "x",
            "level1": "产出指标",
            "level2": "数量指标",
            "comparator": "≥",
            "value_kind": "number",
            "unit": "个",
        },
        content_type="application/json",
    )
    assert r.status_code == 403


def api_appraisals(api_as, users, dw_project):
    a = _dw_appraisal(users)
    for outsider in OUTSIDERS:
        c = api_as(outsider)
        assert a.pk not in {x["id"] for x in c.get("/api/v1/appraisals", {"limit": 1000}).json()["items"]}
        assert c.get(f"/api/v1/appraisals/{a.pk}").status_code == 404
        for path, body in [
            ("/scores", {"stage": "self", "ratings": {}}),
            ("/actions", {"action": "submit"}),
            ("/assign", {"usernames": ["zj"]}),
            ("/conclude", {}),
            ("/adjustment", {"note": "x"}),
        ]:
            r = c.post(f"/api/v1/appraisals/{a.pk}{path}", body, content_type="application/json")
            assert r.status_code == 404, (outsider, path, r.status_code)
    data = api_as("xian_jxk").get("/api/v1/appraisals/stats", {"year": a.year}).json()
    assert a.department.code not in {d["code"] for d in data["departments"]}
    r = api_as("dw2").post(
        "/api/v1/appraisals/flags",
        {"project_id": dw_project.pk, "year": 2026, "major_change": True},
        content_type="application/json",
    )
    assert r.status_code == 404


API = {
    ("GET", "/api/v1/projects"): api_project_list,
    ("POST", "/api/v1/projects"): api_project_create,
    ("GET", "/api/v1/projects/{project_id}"): api_project_detail,
    ("PATCH", "/api/v1/projects/{project_id}"): api_project_detail,
    ("POST", "/api/v1/projects/{project_id}/actions"): api_project_detail,
    ("GET", "/api/v1/todos"): api_todos,
    ("GET", "/api/v1/me"): api_me,
    ("GET", "/api/v1/regions"): api_regions,
    ("GET", "/api/v1/organisations"): api_organisations,
    ("GET", "/api/v1/targets"): api_targets_list,
    ("POST", "/api/v1/targets"): api_targets_create,
    ("GET", "/api/v1/targets/stats"): api_targets_stats,
    ("GET", "/api/v1/targets/{target_id}"): api_target_detail,
    ("PUT", "/api/v1/targets/{target_id}"): api_target_detail,
    ("POST", "/api/v1/targets/{target_id}/library"): api_target_detail,
    ("POST", "/api/v1/targets/{target_id}/actions"): api_target_detail,
    ("POST", "/api/v1/targets/{target_id}/final-review"): api_target_detail,
    ("GET", "/api/v1/targets/{target_id}/comments"): api_target_detail,
    ("POST", "/api/v1/targets/{target_id}/comments"): api_target_detail,
    ("GET", "/api/v1/targets/{target_id}/versions"): api_target_detail,
    ("POST", "/api/v1/targets/approvals"): api_target_approvals,
    ("GET", "/api/v1/library"): api_library,
    ("GET", "/api/v1/appraisals"): api_appraisals,
    ("GET", "/api/v1/appraisals/stats"): api_appraisals,
    ("POST", "/api/v1/appraisals/flags"): api_appraisals,
    ("GET", "/api/v1/appraisals/{appraisal_id}"): api_appraisals,
    ("POST", "/api/v1/appraisals/{appraisal_id}/scores"): api_appraisals,
    ("POST", "/api/v1/appraisals/{appraisal_id}/actions"): api_appraisals,
    ("POST", "/api/v1/appraisals/{appraisal_id}/assign"): api_appraisals,
    ("POST", "/api/v1/appraisals/{appraisal_id}/conclude"): api_appraisals,
    ("POST", "/api/v1/appraisals/{appraisal_id}/adjustment"): api_appraisals,
    ("POST", "/api/v1/library"): api_library,
    ("GET", "/api/v1/library/{indicator_id}"): api_library,
    ("POST", "/api/v1/library/{indicator_id}/actions"): api_library,
}


# Each app's checks live beside this file (tests/scope_<app>.py) and are merged here.
SCOPE_MODULES = (
    "scope_monitoring",
    "scope_evaluation",
    "scope_partners",
    "scope_oversight",
    "scope_results",
    "scope_disclosure",
    "scope_security",
    "scope_cockpit",
    "scope_exchange",
)
for _module in SCOPE_MODULES:
    _checks = __import__(f"tests.{_module}", fromlist=["PAGES", "API"])
    PAGES.update(_checks.PAGES)
    API.update(_checks.API)


def _api_operations():
    schema = api.get_openapi_schema()
    for path, ops in schema["paths"].items():
        for method in ops:
            yield method.upper(), path


def test_every_endpoint_is_walked():
    missing_pages = set(_all_url_names()) - set(PAGES)
    missing_api = set(_api_operations()) - set(API)
    assert not missing_pages, f"pages without a scope check: {sorted(missing_pages)}"
    assert not missing_api, f"API operations without a scope check: {sorted(missing_api)}"


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_scope(name, client_as, users, dw_project):
    PAGES[name](client_as, users, dw_project)


@pytest.mark.parametrize("op", sorted(API), ids=lambda op: f"{op[0]} {op[1]}")
def test_api_scope(op, api_as, users, dw_project):
    API[op](api_as, users, dw_project)

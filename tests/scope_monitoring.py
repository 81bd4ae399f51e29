"""Scope checks of 绩效运行监控 pages and API operations, merged into tests/test_scope_walk.py."""

import io

from wenxiao.monitoring.models import MonitoringForm, MonitoringRound, NegativeListEntry, ProjectStatus, Warning
from wenxiao.projects.models import PaymentImport, ProjectBudget

OUTSIDERS = ["dw2", "xian_jxk", "dsf", "zj"]
YEAR = 2026


def _dw_status(users):
    unit = users["dw"].assignments.get().org
    return (
        ProjectStatus.objects.select_related("project").filter(unit=unit, year=YEAR).order_by("project__code").first()
    )


def _dw_form(users, state=None):
    unit = users["dw"].assignments.get().org
    qs = MonitoringForm.objects.filter(unit=unit).order_by("id")
    return (qs.filter(state=state) if state else qs).first()


def check_overview(client_as, users, dw_project):
    dept = _dw_status(users).project.department.name
    assert dept in client_as("jxk").get("/monitoring/").content.decode()
    assert dept not in client_as("xian_jxk").get("/monitoring/").content.decode()
    html = client_as("dw").get("/monitoring/").content.decode()
    n = ProjectStatus.objects.visible_to(users["dw"]).filter(year=YEAR).count()
    assert f'<div class="stat">{n}</div>' in html


def check_run(client_as, users, dw_project):
    before = ProjectStatus.objects.filter(project__unit__region=_dw_status(users).region).count()
    assert client_as("dw").post("/monitoring/run/", {"year": YEAR}).status_code == 404
    client_as("xian_jxk").post("/monitoring/run/", {"year": YEAR, "as_of": f"{YEAR}-11-20"})
    assert ProjectStatus.objects.filter(project__unit__region=_dw_status(users).region).count() == before


def check_warnings(client_as, users, dw_project):
    s = _dw_status(users)
    name = Warning.objects.filter(project__unit=s.unit).select_related("project").first().project.name
    assert name in client_as("dw").get("/monitoring/warnings/", {"q": name}).content.decode()
    for outsider in OUTSIDERS:
        html = client_as(outsider).get("/monitoring/warnings/", {"q": name}).content.decode()
        assert name not in html.split('id="warning-table"', 1)[1], outsider


def _project_404(suffix: str, method: str = "get"):
    def check(client_as, users, dw_project):
        s = _dw_status(users)
        path = f"/monitoring/projects/{s.project_id}/{suffix}"
        for outsider in OUTSIDERS:
            r = getattr(client_as(outsider), method)(path, {"year": YEAR, "kind": "suspend", "note": "x"})
            assert r.status_code == 404, (outsider, path)
        assert client_as("dw").get(f"/monitoring/projects/{s.project_id}/").status_code == 200
        assert ProjectBudget.objects.get(project_id=s.project_id, year=YEAR).appropriation == "normal"

    return check


def check_rounds(client_as, users, dw_project):
    dept_round = MonitoringRound.objects.get(department__isnull=False)
    assert dept_round.name in client_as("dw").get("/monitoring/rounds/").content.decode()
    assert dept_round.name not in client_as("dw2").get("/monitoring/rounds/").content.decode()
    client_as("dw").post("/monitoring/rounds/", {"year": YEAR, "name": "越权轮次", "period_end": f"{YEAR}-09-30"})
    assert not MonitoringRound.objects.filter(name="越权轮次").exists()


def check_round(client_as, users, dw_project):
    form = _dw_form(users, "done")
    for outsider in ["dw2", "xian_jxk"]:
        html = client_as(outsider).get(f"/monitoring/rounds/{form.round_id}/", {"department": form.department_id})
        html = html.content.decode()
        assert form.project.name not in html, outsider
    for outsider in ["dsf", "zj"]:
        assert client_as(outsider).get(f"/monitoring/rounds/{form.round_id}/").status_code == 404
    own = client_as("jxk").get(f"/monitoring/rounds/{form.round_id}/", {"department": form.department_id})
    assert form.project.name in own.content.decode()


def check_round_close(client_as, users, dw_project):
    rnd = MonitoringRound.objects.get(department__isnull=False)
    for who in ["dw", "dw2", "xian_jxk"]:
        client_as(who).post(f"/monitoring/rounds/{rnd.pk}/close/")
    assert MonitoringRound.objects.get(pk=rnd.pk).closed_at is None


def check_round_report(client_as, users, dw_project):
    import python_calamine

    form = _dw_form(users, "done")
    r = client_as("xian_jxk").get(f"/monitoring/rounds/{form.round_id}/report.xlsx")
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(r.content))
    codes = {row[2] for row in book.get_sheet_by_name("监控明细").to_python()[1:]}
    assert form.project.code not in codes
    assert client_as("dsf").get(f"/monitoring/rounds/{form.round_id}/report.docx").status_code == 404


def _form_404(suffix: str, method: str = "get"):
    def check(client_as, users, dw_project):
        form = _dw_form(users, "draft")
        for outsider in OUTSIDERS:
            r = getattr(client_as(outsider), method)(f"/monitoring/forms/{form.pk}/{suffix}")
            assert r.status_code == 404, outsider
        assert client_as("dw").get(f"/monitoring/forms/{form.pk}/").status_code == 200

    return check


def check_payments(client_as, users, dw_project):
    batch = PaymentImport.objects.first()
    assert batch.filename in client_as("jxk").get("/monitoring/payments/").content.decode()
    assert batch.filename not in client_as("xian_jxk").get("/monitoring/payments/").content.decode()
    f = io.BytesIO("支付凭证号,支付日期,项目代码,支付金额\nX-1,2026-11-01,x,1\n".encode())
    f.name = "x.csv"
    html = client_as("dw").post("/monitoring/payments/", {"file": f}).content.decode()
    assert "绩效科或系统管理员导入" in html


def check_negative(client_as, users, dw_project):
    from wenxiao.monitoring.services import do_action

    s = _dw_status(users)
    do_action(s.project_id, actor=users["jxk"], year=YEAR, kind="negative", note="范围检查：列入负面清单")
    entry = NegativeListEntry.objects.get(reason="范围检查：列入负面清单")
    assert entry.reason in client_as("jxk").get("/monitoring/negative/").content.decode()
    for outsider in OUTSIDERS:
        assert entry.reason not in client_as(outsider).get("/monitoring/negative/").content.decode(), outsider
        client_as(outsider).post(f"/monitoring/negative/{entry.pk}/remove/", {"reason": "越权"})
    assert NegativeListEntry.objects.get(pk=entry.pk).removed_at is None


PAGES = {
    "monitoring:overview": check_overview,
    "monitoring:run": check_run,
    "monitoring:warnings": check_warnings,
    "monitoring:project": _project_404(""),
    "monitoring:project_action": _project_404("action/", "post"),
    "monitoring:rounds": check_rounds,
    "monitoring:round": check_round,
    "monitoring:round_close": check_round_close,
    "monitoring:round_report": check_round_report,
    "monitoring:form": _form_404(""),
    "monitoring:form_save": _form_404("save/", "post"),
    "monitoring:form_action": _form_404("action/", "post"),
    "monitoring:payments": check_payments,
    "monitoring:negative": check_negative,
    "monitoring:negative_remove": check_negative,
}


# --- API ---------------------------------------------------------------------------------------------


def api_status(api_as, users, dw_project):
    s = _dw_status(users)
    for outsider in OUTSIDERS:
        items = api_as(outsider).get("/api/v1/monitoring/status", {"limit": 1000}).json()["items"]
        assert s.project_id not in {i["project_id"] for i in items}
    items = api_as("dw").get("/api/v1/monitoring/status", {"limit": 1000}).json()["items"]
    assert s.project_id in {i["project_id"] for i in items}


def api_overview(api_as, users, dw_project):
    dept = _dw_status(users).project.department.name
    assert dept not in {d["name"] for d in api_as("xian_jxk").get("/api/v1/monitoring/overview").json()["departments"]}
    assert dept in {d["name"] for d in api_as("jxk").get("/api/v1/monitoring/overview").json()["departments"]}


def api_warnings(api_as, users, dw_project):
    s = _dw_status(users)
    for outsider in OUTSIDERS:
        items = api_as(outsider).get("/api/v1/monitoring/warnings", {"limit": 1000}).json()["items"]
        assert s.project.code not in {i["project_code"] for i in items}


def api_run(api_as, users, dw_project):
    r = api_as("dw").post(
        "/api/v1/monitoring/run", {"year": YEAR, "as_of": "2026-11-20"}, content_type="application/json"
    )
    assert r.status_code == 403


def api_actions(api_as, users, dw_project):
    s = _dw_status(users)
    for outsider in OUTSIDERS:
        r = api_as(outsider).post(
            f"/api/v1/monitoring/projects/{s.project_id}/actions",
            {"year": YEAR, "kind": "suspend", "note": "越权"},
            content_type="application/json",
        )
        assert r.status_code == 404, outsider
    assert ProjectBudget.objects.get(project_id=s.project_id, year=YEAR).appropriation == "normal"


def api_rounds(api_as, users, dw_project):
    dept_round = MonitoringRound.objects.get(department__isnull=False)
    for outsider in OUTSIDERS:
        ids = {r["id"] for r in api_as(outsider).get("/api/v1/monitoring/rounds").json()}
        assert dept_round.pk not in ids, outsider
    body = {"year": YEAR, "name": "越权", "period_end": "2026-09-30", "deadline": "2026-10-10"}
    assert api_as("dw").post("/api/v1/monitoring/rounds", body, content_type="application/json").status_code == 403
    rid = _dw_form(users, "done").round_id
    assert api_as("dsf").get(f"/api/v1/monitoring/rounds/{rid}/coverage").status_code == 404


def api_forms(api_as, users, dw_project):
    form = _dw_form(users, "draft")
    for outsider in OUTSIDERS:
        c = api_as(outsider)
        assert form.pk not in {f["id"] for f in c.get("/api/v1/monitoring/forms", {"limit": 1000}).json()["items"]}
        assert c.get(f"/api/v1/monitoring/forms/{form.pk}").status_code == 404
        r = c.put(f"/api/v1/monitoring/forms/{form.pk}", {"progress_text": "越权"}, content_type="application/json")
        assert r.status_code == 404
        r = c.post(
            f"/api/v1/monitoring/forms/{form.pk}/transition", {"action": "submit"}, content_type="application/json"
        )
        assert r.status_code == 404
    assert api_as("dw").get(f"/api/v1/monitoring/forms/{form.pk}").status_code == 200


def api_payments(api_as, users, dw_project):
    from django.core.files.uploadedfile import SimpleUploadedFile

    f = SimpleUploadedFile("x.csv", "支付凭证号,支付日期,项目代码,支付金额\nX-1,2026-11-01,x,1\n".encode())
    assert api_as("dw").post("/api/v1/monitoring/payments/import", {"file": f}).status_code == 403


API = {
    ("GET", "/api/v1/monitoring/status"): api_status,
    ("GET", "/api/v1/monitoring/overview"): api_overview,
    ("GET", "/api/v1/monitoring/warnings"): api_warnings,
    ("POST", "/api/v1/monitoring/run"): api_run,
    ("POST", "/api/v1/monitoring/projects/{project_id}/actions"): api_actions,
    ("GET", "/api/v1/monitoring/rounds"): api_rounds,
    ("POST", "/api/v1/monitoring/rounds"): api_rounds,
    ("GET", "/api/v1/monitoring/rounds/{round_id}/coverage"): api_rounds,
    ("GET", "/api/v1/monitoring/forms"): api_forms,
    ("GET", "/api/v1/monitoring/forms/{form_id}"): api_forms,
    ("PUT", "/api/v1/monitoring/forms/{form_id}"): api_forms,
    ("POST", "/api/v1/monitoring/forms/{form_id}/transition"): api_forms,
    ("POST", "/api/v1/monitoring/payments/import"): api_payments,
}

"""Scope checks of 绩效评价 pages and API operations, merged into tests/test_scope_walk.py."""

import re

from wenxiao.evaluation.models import Evaluation, SelfEvalTask, SelfEvaluation

OUTSIDERS = ["dw2", "xian_jxk", "dsf", "zj"]
YEAR = 2026


def _dw_form(users, state=None):
    unit = users["dw"].assignments.get().org
    qs = SelfEvaluation.objects.filter(unit=unit).select_related("project").order_by("id")
    return (qs.filter(state=state) if state else qs).first()


def _key_eval():
    return Evaluation.objects.filter(kind="project").select_related("subject_org").order_by("id").first()


def check_home(client_as, users, dw_project):
    form = _dw_form(users)
    assert form.project.name in client_as("dw").get("/evaluation/").content.decode()
    assert form.project.name not in client_as("dw2").get("/evaluation/").content.decode()
    assert "已提交自评" in client_as("xian_jxk").get("/evaluation/").content.decode()


def check_tasks(client_as, users, dw_project):
    task = SelfEvalTask.objects.first()
    link = f'href="/evaluation/tasks/{task.pk}/"'
    assert link in client_as("dw").get("/evaluation/tasks/").content.decode()
    assert link not in client_as("xian_jxk").get("/evaluation/tasks/").content.decode()
    assert link not in client_as("dw2").get("/evaluation/tasks/", {"year": YEAR - 1}).content.decode()
    n = SelfEvalTask.objects.count()
    client_as("dw").post("/evaluation/tasks/", {"year": YEAR, "name": "越权任务", "deadline": f"{YEAR + 1}-03-31"})
    client_as("xian_jxk").post("/evaluation/tasks/", {"year": YEAR - 1, "name": "县任务", "deadline": f"{YEAR}-03-31"})
    assert SelfEvalTask.objects.count() == n


def check_task(client_as, users, dw_project):
    task = SelfEvalTask.objects.first()
    form = _dw_form(users)
    assert form.project.name in client_as("dw").get(f"/evaluation/tasks/{task.pk}/").content.decode()
    assert form.project.name not in client_as("dw2").get(f"/evaluation/tasks/{task.pk}/").content.decode()
    for outsider in ["xian_jxk", "dsf", "zj"]:
        assert client_as(outsider).get(f"/evaluation/tasks/{task.pk}/").status_code == 404


def check_task_sample(client_as, users, dw_project):
    task = SelfEvalTask.objects.first()
    before = set(SelfEvaluation.objects.filter(sampled=True).values_list("id", flat=True))
    for who in ["dw", "zgbm", "xian_jxk"]:
        client_as(who).post(f"/evaluation/tasks/{task.pk}/sample/", {"share": "100"})
    assert set(SelfEvaluation.objects.filter(sampled=True).values_list("id", flat=True)) == before


def check_task_export(client_as, users, dw_project):
    import io

    import python_calamine

    task = SelfEvalTask.objects.first()
    form = _dw_form(users)
    own = python_calamine.CalamineWorkbook.from_filelike(
        io.BytesIO(client_as("dw").get(f"/evaluation/tasks/{task.pk}/export.xlsx").content)
    )
    assert any(form.project.name in str(r) for s in own.sheet_names for r in own.get_sheet_by_name(s).to_python()[:3])
    other = client_as("dw2").get(f"/evaluation/tasks/{task.pk}/export.xlsx")
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(other.content))
    assert not any(form.project.name in str(book.get_sheet_by_name(s).to_python()[:3]) for s in book.sheet_names)
    assert client_as("xian_jxk").get(f"/evaluation/tasks/{task.pk}/export.xlsx").status_code == 404


def check_upload(client_as, users, dw_project):
    from wenxiao.evaluation import selfeval_xlsx

    form = SelfEvaluation.objects.prefetch_related("lines").get(pk=_dw_form(users, "draft").pk)
    for ln in form.lines.all():  # the prefetched rows: the workbook is written from these
        ln.actual = "越权填写"
    body = selfeval_xlsx.workbook([form])
    import io

    f = io.BytesIO(body)
    f.name = "selfeval.xlsx"
    client_as("dw2").post("/evaluation/upload/", {"file": f})
    assert not form.lines.filter(actual="越权填写").exists()


def _form_404(suffix: str, method: str = "get", state: str = "draft"):
    def check(client_as, users, dw_project):
        form = _dw_form(users, state)
        version = form.version
        for outsider in OUTSIDERS:
            r = getattr(client_as(outsider), method)(f"/evaluation/forms/{form.pk}/{suffix}")
            assert r.status_code == 404, (outsider, suffix)
        assert client_as("dw").get(f"/evaluation/forms/{form.pk}/").status_code == 200
        assert SelfEvaluation.objects.get(pk=form.pk).version == version

    return check


def check_attachment(client_as, users, dw_project):
    from wenxiao.core.attachments import attachments_of

    form = next(f for f in SelfEvaluation.objects.filter(department=users["zgbm"].assignments.get().org)
                if attachments_of(f).exists())  # fmt: skip
    att = attachments_of(form).first()
    url = f"/evaluation/forms/{form.pk}/attachments/{att.pk}/"
    assert client_as("zgbm").get(url).status_code == 200
    for outsider in OUTSIDERS:
        assert client_as(outsider).get(url).status_code == 404


def check_distribution(client_as, users, dw_project):
    dept = users["zgbm"].assignments.get().org.name
    assert dept in client_as("jxk").get("/evaluation/distribution/").content.decode()
    assert dept not in client_as("xian_jxk").get("/evaluation/distribution/").content.decode()
    assert dept not in client_as("dw2").get("/evaluation/distribution/").content.decode()


def _candidate_names(html: str) -> set[str]:
    return set(re.findall(r'<a href="/projects/\d+/">([^<]+)</a>', html))


def check_candidates(client_as, users, dw_project):
    from wenxiao.projects.models import Project

    city = _candidate_names(client_as("jxk").get("/evaluation/candidates/").content.decode())
    county = _candidate_names(client_as("xian_jxk").get("/evaluation/candidates/").content.decode())
    theirs = _candidate_names(client_as("dw2").get("/evaluation/candidates/").content.decode())
    assert city - county  # the city's own projects are not the county's candidates
    assert county <= set(Project.objects.visible_to(users["xian_jxk"]).values_list("name", flat=True))
    assert theirs <= set(Project.objects.visible_to(users["dw2"]).values_list("name", flat=True))


def check_evaluations(client_as, users, dw_project):
    ev = _key_eval()
    assert ev.title in client_as("jxk").get("/evaluation/evaluations/").content.decode()
    assert ev.title in client_as("dsf").get("/evaluation/evaluations/").content.decode()  # the engaged agency
    for outsider in ["xian_jxk", "dw2"]:
        assert ev.title not in client_as(outsider).get("/evaluation/evaluations/").content.decode()
    n = Evaluation.objects.count()
    client_as("dw").post("/evaluation/evaluations/", {"year": YEAR, "kind": "project", "project": dw_project.pk})
    client_as("xian_jxk").post("/evaluation/evaluations/", {"year": YEAR, "kind": "project", "project": dw_project.pk})
    assert Evaluation.objects.count() == n


def _eval_404(suffix: str, method: str = "get"):
    def check(client_as, users, dw_project):
        ev = _key_eval()
        version = ev.version
        outsiders = ["dw2", "xian_jxk"] + ([] if ev.members.filter(user=users["zj"]).exists() else ["zj"])
        for outsider in outsiders:
            r = getattr(client_as(outsider), method)(f"/evaluation/evaluations/{ev.pk}/{suffix}")
            assert r.status_code == 404, (outsider, suffix)
        assert client_as("dsf").get(f"/evaluation/evaluations/{ev.pk}/").status_code == 200
        assert Evaluation.objects.get(pk=ev.pk).version == version

    return check


PAGES = {
    "evaluation:home": check_home,
    "evaluation:tasks": check_tasks,
    "evaluation:task": check_task,
    "evaluation:task_sample": check_task_sample,
    "evaluation:task_export": check_task_export,
    "evaluation:upload": check_upload,
    "evaluation:form": _form_404(""),
    "evaluation:form_preview": _form_404("preview/", "post"),
    "evaluation:form_save": _form_404("save/", "post"),
    "evaluation:form_action": _form_404("action/", "post"),
    "evaluation:form_review": _form_404("review/", "post"),
    "evaluation:form_export": _form_404("export.xlsx"),
    "evaluation:form_attach": _form_404("attach/", "post"),
    "evaluation:attachment": check_attachment,
    "evaluation:distribution": check_distribution,
    "evaluation:candidates": check_candidates,
    "evaluation:evaluations": check_evaluations,
    "evaluation:evaluation": _eval_404(""),
    "evaluation:evaluation_plan": _eval_404("plan/", "post"),
    "evaluation:evaluation_team": _eval_404("team/", "post"),
    "evaluation:evaluation_scores": _eval_404("scores/", "post"),
    "evaluation:evaluation_report": _eval_404("report/", "post"),
    "evaluation:evaluation_action": _eval_404("action/", "post"),
    "evaluation:evaluation_review": _eval_404("review/", "post"),
    "evaluation:evaluation_download": _eval_404("report.docx"),
}


# --- API ---------------------------------------------------------------------------------------------


def api_tasks(api_as, users, dw_project):
    task = SelfEvalTask.objects.first()
    assert task.pk in {t["id"] for t in api_as("dw").get("/api/v1/evaluation/tasks").json()}
    assert task.pk not in {t["id"] for t in api_as("xian_jxk").get("/api/v1/evaluation/tasks").json()}
    r = api_as("dw").post(
        "/api/v1/evaluation/tasks",
        {"year": YEAR, "name": "x", "deadline": f"{YEAR + 1}-03-31"},
        content_type="application/json",
    )
    assert r.status_code == 403


def api_selfevals(api_as, users, dw_project):
    form = _dw_form(users, "draft")
    for outsider in OUTSIDERS:
        ids = {i["id"] for i in api_as(outsider).get("/api/v1/evaluation/selfevals", {"limit": 1000}).json()["items"]}
        assert form.pk not in ids, outsider
        assert api_as(outsider).get(f"/api/v1/evaluation/selfevals/{form.pk}").status_code == 404
        r = api_as(outsider).put(
            f"/api/v1/evaluation/selfevals/{form.pk}", {"version": form.version}, content_type="application/json"
        )
        assert r.status_code == 404
        for op in ("transition", "review"):
            r = api_as(outsider).post(
                f"/api/v1/evaluation/selfevals/{form.pk}/{op}",
                {"action": "submit", "review_opinion": "x"},
                content_type="application/json",
            )
            assert r.status_code == 404, (outsider, op)
    assert api_as("dw").get(f"/api/v1/evaluation/selfevals/{form.pk}").json()["subject"] == form.subject_name


def api_distribution(api_as, users, dw_project):
    dept = users["zgbm"].assignments.get().org.name
    assert dept in {d["name"] for d in api_as("jxk").get("/api/v1/evaluation/distribution").json()["departments"]}
    assert dept not in {
        d["name"] for d in api_as("xian_jxk").get("/api/v1/evaluation/distribution").json()["departments"]
    }


def api_score(api_as, users, dw_project):
    body = {"indicators": [{"level1": "产出指标", "name": "培训人次", "target": "≥100人次", "actual": "80"}]}
    r = api_as("dsf").post("/api/v1/evaluation/score", body, content_type="application/json")
    assert r.status_code == 200 and r.json()["indicators"][0]["score"] is not None  # the engine reads no data


def api_candidates(api_as, users, dw_project):
    from wenxiao.projects.models import Project

    mine = {c["project_id"] for c in api_as("jxk").get("/api/v1/evaluation/candidates").json()}
    county = {c["project_id"] for c in api_as("xian_jxk").get("/api/v1/evaluation/candidates").json()}
    assert mine - county
    assert county <= set(Project.objects.visible_to(users["xian_jxk"]).values_list("id", flat=True))


def api_evaluations(api_as, users, dw_project):
    ev = _key_eval()
    assert ev.pk in {e["id"] for e in api_as("dsf").get("/api/v1/evaluation/evaluations").json()["items"]}
    for outsider in ["dw2", "xian_jxk"]:
        assert ev.pk not in {e["id"] for e in api_as(outsider).get("/api/v1/evaluation/evaluations").json()["items"]}
        assert api_as(outsider).get(f"/api/v1/evaluation/evaluations/{ev.pk}").status_code == 404
        r = api_as(outsider).post(
            f"/api/v1/evaluation/evaluations/{ev.pk}/transition", {"action": "archive"}, content_type="application/json"
        )
        assert r.status_code == 404
    assert Evaluation.objects.get(pk=ev.pk).state == ev.state


API = {
    ("GET", "/api/v1/evaluation/tasks"): api_tasks,
    ("POST", "/api/v1/evaluation/tasks"): api_tasks,
    ("GET", "/api/v1/evaluation/selfevals"): api_selfevals,
    ("GET", "/api/v1/evaluation/selfevals/{form_id}"): api_selfevals,
    ("PUT", "/api/v1/evaluation/selfevals/{form_id}"): api_selfevals,
    ("POST", "/api/v1/evaluation/selfevals/{form_id}/transition"): api_selfevals,
    ("POST", "/api/v1/evaluation/selfevals/{form_id}/review"): api_selfevals,
    ("GET", "/api/v1/evaluation/distribution"): api_distribution,
    ("POST", "/api/v1/evaluation/score"): api_score,
    ("GET", "/api/v1/evaluation/candidates"): api_candidates,
    ("GET", "/api/v1/evaluation/evaluations"): api_evaluations,
    ("GET", "/api/v1/evaluation/evaluations/{evaluation_id}"): api_evaluations,
    ("POST", "/api/v1/evaluation/evaluations/{evaluation_id}/transition"): api_evaluations,
}

"""Scope checks of 考核与综合评价 pages and API operations, merged into tests/test_scope_walk.py.

The seeded world: the city's 2025 county round (published) and its 2026 department round (being scored), both
owned by the city's 绩效科 (jxk). A county's 绩效科 (xian_jxk) sees only its own county's published result; the
教育局 (zgbm) nothing until the department round is published; units, agencies and experts nothing at all.
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from wenxiao.oversight import services
from wenxiao.oversight.models import (
    AssessmentRound,
    AssessmentScheme,
    AssessmentScore,
    AssessmentSubject,
    Interview,
    Referral,
)

NOBODY = ["dw", "dw2", "dsf", "zj"]  # see nothing of oversight
OUTSIDERS = ["xian_jxk", "zgbm", *NOBODY]  # of the unpublished department round


def _fiscal():
    return AssessmentRound.objects.get(kind="fiscal", year=2025)


def _dept():
    return AssessmentRound.objects.get(kind="department", year=2026)


def _own_county(users):
    return _fiscal().subjects.get(subject_region=users["xian_jxk"].assignments.get().org.region)


def _other_county(users):
    return _fiscal().subjects.exclude(pk=_own_county(users).pk).order_by("code").first()


def _table(html: str) -> str:
    return html.split('id="ranking-table"', 1)[1].split("</table>", 1)[0]


def check_home(client_as, users, dw_project):
    fiscal, dept = _fiscal(), _dept()
    html = client_as("jxk").get("/oversight/").content.decode()
    assert fiscal.name in html and dept.name in html
    html = client_as("xian_jxk").get("/oversight/").content.decode()
    assert fiscal.name in html and dept.name not in html
    for who in ["zgbm", *NOBODY]:
        html = client_as(who).get("/oversight/").content.decode()
        assert dept.name not in html and fiscal.name not in html, who
    before = AssessmentScheme.objects.count()
    client_as("dw").post("/oversight/", {"op": "scheme", "kind": "fiscal", "year": "2026"})
    client_as("xian_jxk").post("/oversight/", {"op": "round", "scheme": dept.scheme_id})
    assert AssessmentScheme.objects.count() == before and AssessmentRound.objects.count() == 2


def check_scheme(client_as, users, dw_project):
    scheme = _dept().scheme
    assert client_as("jxk").get(f"/oversight/schemes/{scheme.pk}/").status_code == 200
    for who in OUTSIDERS:
        assert client_as(who).get(f"/oversight/schemes/{scheme.pk}/").status_code == 404, who
        client_as(who).post(f"/oversight/schemes/{scheme.pk}/", {"rows": "0"})
    assert AssessmentScheme.objects.get(pk=scheme.pk).version == scheme.version


def _round_404(suffix: str, method: str = "get"):
    def check(client_as, users, dw_project):
        rnd = _dept()
        for who in OUTSIDERS:
            r = getattr(client_as(who), method)(f"/oversight/rounds/{rnd.pk}/{suffix}")
            assert r.status_code == 404, (who, suffix)
        assert client_as("jxk").get(f"/oversight/rounds/{rnd.pk}/").status_code == 200
        after = AssessmentRound.objects.get(pk=rnd.pk)
        assert (after.state, after.version, after.computed_at) == (rnd.state, rnd.version, rnd.computed_at)

    return check


def check_round(client_as, users, dw_project):
    _round_404("")(client_as, users, dw_project)
    fiscal = _fiscal()
    table = _table(client_as("xian_jxk").get(f"/oversight/rounds/{fiscal.pk}/").content.decode())
    assert _own_county(users).name in table and _other_county(users).name not in table
    assert _other_county(users).name in _table(client_as("rd").get(f"/oversight/rounds/{fiscal.pk}/").content.decode())


def check_owner_only(suffix: str, method: str = "get"):
    """Pages only the owning 绩效科 may open: a county that sees the published round still gets 404."""

    def check(client_as, users, dw_project):
        _round_404(suffix, method)(client_as, users, dw_project)
        fiscal = _fiscal()
        for who in ["xian_jxk", "rd", "ywk"]:
            assert getattr(client_as(who), method)(f"/oversight/rounds/{fiscal.pk}/{suffix}").status_code == 404, who
        if method == "get":
            assert client_as("jxk").get(f"/oversight/rounds/{fiscal.pk}/{suffix}").status_code == 200

    return check


def check_manual(client_as, users, dw_project):
    _round_404("manual/")(client_as, users, dw_project)
    fiscal = _fiscal()
    html = client_as("xian_jxk").get(f"/oversight/rounds/{fiscal.pk}/manual/").content.decode()
    assert _own_county(users).name in html and _other_county(users).name not in html
    row = AssessmentScore.objects.filter(subject__round=_dept(), indicator__source="manual").first()
    for who in OUTSIDERS:
        client_as(who).post(f"/oversight/rounds/{_dept().pk}/manual/", {"score_id": row.pk, "score": "0", "note": "x"})
    assert AssessmentScore.objects.get(pk=row.pk).score == row.score


def check_report(client_as, users, dw_project):
    import io

    import python_calamine

    for fmt in ("docx", "xlsx"):
        for who in OUTSIDERS:
            assert client_as(who).get(f"/oversight/rounds/{_dept().pk}/report.{fmt}").status_code == 404, who
    r = client_as("xian_jxk").get(f"/oversight/rounds/{_fiscal().pk}/report.xlsx")
    rows = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(r.content)).get_sheet_by_name("考核结果")
    names = {row[2] for row in rows.to_python()[1:]}
    assert names == {_own_county(users).name}


def check_subject(client_as, users, dw_project):
    other = _other_county(users)
    for who in ["xian_jxk", "zgbm", *NOBODY]:
        assert client_as(who).get(f"/oversight/subjects/{other.pk}/").status_code == 404, who
    dept_subject = _dept().subjects.get(subject_org=users["zgbm"].assignments.get().org)
    assert client_as("zgbm").get(f"/oversight/subjects/{dept_subject.pk}/").status_code == 404  # not yet published
    assert client_as("xian_jxk").get(f"/oversight/subjects/{_own_county(users).pk}/").status_code == 200


def check_records_add(kind: str):
    model = Interview if kind == "interview" else Referral

    def check(client_as, users, dw_project):
        body = {"date": "2026-05-01", "deadline": "2026-09-01", "attendees": "x", "problems": "越权", "matter": "越权",
                "reason": "x", "recipient": "x"}  # fmt: skip
        before = model.objects.count()
        other = _other_county(users)
        for who in ["xian_jxk", "zgbm", *NOBODY]:
            assert client_as(who).post(f"/oversight/subjects/{other.pk}/{kind}/", body).status_code == 404, who
        client_as("xian_jxk").post(f"/oversight/subjects/{_own_county(users).pk}/{kind}/", body)  # reader only
        assert model.objects.count() == before

    return check


def _records(users):
    own = _own_county(users)
    iv = services.do_record_interview(
        _other_county(users).pk,
        actor=users["jxk"],
        date="2026-05-01",
        attendees="x",
        problems="范围检查",
        deadline="2026-09-01",
    )
    ref = services.do_refer(
        own.pk, actor=users["jxk"], date="2026-06-01", matter="范围检查", reason="x", recipient="纪委监委"
    )
    return iv, ref


def check_interview_update(client_as, users, dw_project):
    iv, _ = _records(users)
    for who in ["xian_jxk", "zgbm", *NOBODY]:
        r = client_as(who).post(f"/oversight/interviews/{iv.pk}/", {"status": "done", "result": "越权销号"})
        assert r.status_code == 404, who
    seeded = Interview.objects.filter(subject=_own_county(users)).first() or iv
    client_as("xian_jxk").post(f"/oversight/interviews/{seeded.pk}/", {"status": "done", "result": "自行销号"})
    assert set(Interview.objects.values_list("status", flat=True)) == {"rectifying"}


def check_referral_update(client_as, users, dw_project):
    _, ref = _records(users)
    for who in ["xian_jxk", "zgbm", *NOBODY]:  # the county never sees finance's referral about it
        r = client_as(who).post(f"/oversight/referrals/{ref.pk}/", {"status": "concluded", "result": "越权"})
        assert r.status_code == 404, who
    assert ref.matter not in client_as("xian_jxk").get(f"/oversight/subjects/{ref.subject_id}/").content.decode()
    assert Referral.objects.get(pk=ref.pk).status == "referred"


def check_evidence(client_as, users, dw_project):
    row = AssessmentScore.objects.filter(subject__round=_dept(), indicator__source="manual", score__isnull=True).first()
    services.do_score_manual(
        row.pk, actor=users["jxk"], score="5", note="依据", evidence=SimpleUploadedFile("台账.pdf", b"%PDF-1.4")
    )
    from wenxiao.core.attachments import attachments_of

    att = attachments_of(row).get()
    assert client_as("jxk").get(f"/oversight/scores/{row.pk}/files/{att.pk}/").status_code == 200
    for who in OUTSIDERS:
        assert client_as(who).get(f"/oversight/scores/{row.pk}/files/{att.pk}/").status_code == 404, who


def check_work_report(client_as, users, dw_project):
    from wenxiao.evaluation.models import SelfEvaluation

    city = client_as("jxk").get("/oversight/work-report/").content.decode()
    county = client_as("xian_jxk").get("/oversight/work-report/").content.decode()
    n_city = (
        SelfEvaluation.objects.filter(region__path__startswith=users["jxk"].org.region.path)
        .exclude(state__in=("draft", "returned"))
        .count()
    )
    assert f'<div class="stat">{n_city}</div>' in city
    assert "衡阳县" in county and f'<div class="stat">{n_city}</div>' not in county  # the county's own figures
    for outsider in ("dw", "zgbm", "dsf", "zj"):
        assert client_as(outsider).get("/oversight/work-report/", {"download": 1}).status_code == 404


def _reform_404(suffix: str, method: str = "get"):
    def check(client_as, users, dw_project):
        from wenxiao.oversight.reform_models import ReformTask

        task = ReformTask.objects.get(lead_section__name__contains="教科文")
        for outsider in ("dw", "zgbm", "xian_jxk", "dsf", "zj"):
            r = getattr(client_as(outsider), method)(f"/oversight/reform/{task.pk}/{suffix}", {"action": "approve"})
            assert r.status_code == 404, (outsider, suffix)
        assert client_as("ywk").get(f"/oversight/reform/{task.pk}/").status_code == 200
        assert ReformTask.objects.get(pk=task.pk).version == task.version

    return check


def check_reforms(client_as, users, dw_project):
    from wenxiao.oversight.reform_models import ReformTask

    title = ReformTask.objects.get(lead_section__name__contains="教科文").title
    assert title in client_as("ywk").get("/oversight/reform/").content.decode()
    assert title not in client_as("xian_jxk").get("/oversight/reform/").content.decode()
    n = ReformTask.objects.count()
    client_as("ywk").post("/oversight/reform/", {"title": "越权", "content": "x", "leader": "x"})
    client_as("xian_jxk").post("/oversight/reform/", {"title": "县", "content": "x", "leader": "x"})
    assert ReformTask.objects.count() == n


PAGES = {
    "oversight:reforms": check_reforms,
    "oversight:reform": _reform_404(""),
    "oversight:reform_fill": _reform_404("fill/", "post"),
    "oversight:reform_action": _reform_404("action/", "post"),
    "oversight:work_report": check_work_report,
    "oversight:home": check_home,
    "oversight:scheme": check_scheme,
    "oversight:round": check_round,
    "oversight:round_run": _round_404("run/", "post"),
    "oversight:round_publish": _round_404("publish/", "post"),
    "oversight:round_template": check_owner_only("template.xlsx"),
    "oversight:round_import": check_owner_only("import/"),
    "oversight:round_manual": check_manual,
    "oversight:round_report": check_report,
    "oversight:subject": check_subject,
    "oversight:interview_add": check_records_add("interview"),
    "oversight:referral_add": check_records_add("referral"),
    "oversight:interview_update": check_interview_update,
    "oversight:referral_update": check_referral_update,
    "oversight:evidence": check_evidence,
}


# --- API ---------------------------------------------------------------------------------------------


def api_metrics(api_as, users, dw_project):
    # The registry is the same for everyone and names no one's data.
    keys = [m["key"] for m in api_as("dw").get("/api/v1/oversight/metrics").json()]
    assert keys == [m["key"] for m in api_as("jxk").get("/api/v1/oversight/metrics").json()]
    assert "execution_rate" in keys


def api_schemes(api_as, users, dw_project):
    scheme = _dept().scheme
    assert scheme.pk in {s["id"] for s in api_as("jxk").get("/api/v1/oversight/schemes").json()}
    for who in OUTSIDERS:
        c = api_as(who)
        assert scheme.pk not in {s["id"] for s in c.get("/api/v1/oversight/schemes").json()}, who
        assert c.get(f"/api/v1/oversight/schemes/{scheme.pk}").status_code == 404
    r = api_as("dw").post(
        "/api/v1/oversight/schemes", {"year": 2026, "kind": "fiscal"}, content_type="application/json"
    )
    assert r.status_code == 403


def api_rounds(api_as, users, dw_project):
    dept, fiscal = _dept(), _fiscal()
    for who in OUTSIDERS:
        c = api_as(who)
        ids = {r["id"] for r in c.get("/api/v1/oversight/rounds").json()}
        assert dept.pk not in ids, who
        assert c.get(f"/api/v1/oversight/rounds/{dept.pk}").status_code == 404
        assert c.post(f"/api/v1/oversight/rounds/{dept.pk}/run").status_code == 404
        r = c.post(f"/api/v1/oversight/rounds/{dept.pk}/publish", {}, content_type="application/json")
        assert r.status_code == 404
        assert c.get(f"/api/v1/oversight/rounds/{dept.pk}/results").status_code == 404
        r = c.post("/api/v1/oversight/rounds", {"scheme_id": dept.scheme_id}, content_type="application/json")
        assert r.status_code in (403, 404), who
    assert AssessmentRound.objects.count() == 2 and AssessmentRound.objects.get(pk=dept.pk).state == "open"
    results = api_as("xian_jxk").get(f"/api/v1/oversight/rounds/{fiscal.pk}/results").json()
    assert [r["id"] for r in results] == [_own_county(users).pk]
    assert api_as("xian_jxk").post(f"/api/v1/oversight/rounds/{fiscal.pk}/run").status_code == 403
    assert len(api_as("jxk").get(f"/api/v1/oversight/rounds/{fiscal.pk}/results").json()) == 3
    assert AssessmentSubject.objects.filter(round=fiscal).count() == 3


API = {
    ("GET", "/api/v1/oversight/metrics"): api_metrics,
    ("GET", "/api/v1/oversight/schemes"): api_schemes,
    ("POST", "/api/v1/oversight/schemes"): api_schemes,
    ("GET", "/api/v1/oversight/schemes/{scheme_id}"): api_schemes,
    ("GET", "/api/v1/oversight/rounds"): api_rounds,
    ("POST", "/api/v1/oversight/rounds"): api_rounds,
    ("GET", "/api/v1/oversight/rounds/{round_id}"): api_rounds,
    ("POST", "/api/v1/oversight/rounds/{round_id}/run"): api_rounds,
    ("POST", "/api/v1/oversight/rounds/{round_id}/publish"): api_rounds,
    ("GET", "/api/v1/oversight/rounds/{round_id}/results"): api_rounds,
}

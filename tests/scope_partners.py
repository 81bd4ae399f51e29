"""Scope checks of 第三方机构与专家 pages and API operations, merged into tests/test_scope_walk.py.

The libraries belong to the city (kept by jxk). Outsiders: the county's 绩效科 (xian_jxk), units and departments
(dw, dw2, zgbm), the agency user (dsf, who sees its own agency only), the expert (zj, their own profile only).
"""

from wenxiao.partners.models import (
    Agency,
    AgencyStatusChange,
    Engagement,
    Expert,
    ExpertDraw,
    ExpertEngagement,
    ExpertNote,
    SupervisionInvitation,
    Supervisor,
    TemplateFlag,
    Violation,
)

NO_ACCESS = ["dw", "dw2", "zgbm"]  # 404 on every page of the libraries
OUTSIDERS = ["xian_jxk", "dw", "dw2", "zgbm", "dsf", "zj"]


def _other_agency(users) -> Agency:
    """A city agency that is not dsf's, still selectable."""
    own = users["dsf"].assignments.get().org
    return Agency.objects.select_related("org").exclude(org=own).filter(status="normal").order_by("id").first()


def _engagement(users, status="accepted") -> Engagement:
    own = users["dsf"].assignments.get().org
    return Engagement.objects.exclude(agency__org=own).filter(status=status).order_by("id").first()


def _expert(users) -> Expert:
    return Expert.objects.exclude(user=users["zj"]).order_by("id").first()


def _draw_without_zj(users) -> ExpertDraw:
    return ExpertDraw.objects.exclude(members__expert__user=users["zj"]).order_by("id").first()


def _get_404(path_fn, who=OUTSIDERS, insider="jxk"):
    def check(client_as, users, dw_project):
        path = path_fn(users)
        for outsider in who:
            assert client_as(outsider).get(path).status_code == 404, (outsider, path)
        assert client_as(insider).get(path).status_code == 200

    return check


def check_home(client_as, users, dw_project):
    a = _other_agency(users)
    assert a.name in client_as("jxk").get("/partners/").content.decode().split('id="agency-table"', 1)[1]
    assert a.name in client_as("ywk").get("/partners/", {"q": a.name}).content.decode()
    html = client_as("xian_jxk").get("/partners/", {"q": a.name}).content.decode()
    assert a.name not in html.split('id="agency-table"', 1)[1]
    for who in NO_ACCESS:
        assert client_as(who).get("/partners/").status_code == 404, who
    own = Agency.objects.get(org=users["dsf"].assignments.get().org)
    assert client_as("dsf").get("/partners/").url == f"/partners/agencies/{own.pk}/"


def check_agency_new(client_as, users, dw_project):
    for who in [*NO_ACCESS, "ywk", "dsf", "zj", "rd"]:
        c = client_as(who)
        assert c.get("/partners/agencies/new/").status_code == 404, who
        c.post("/partners/agencies/new/", {"name": "越权登记机构", "credit_code": "91430400MA4L09999X"})
    assert not Agency.objects.filter(org__name="越权登记机构").exists()


def check_agency(client_as, users, dw_project):
    a = _other_agency(users)
    _get_404(lambda u: f"/partners/agencies/{a.pk}/")(client_as, users, dw_project)
    own = Agency.objects.get(org=users["dsf"].assignments.get().org)
    assert client_as("dsf").get(f"/partners/agencies/{own.pk}/").status_code == 200


def check_agency_edit(client_as, users, dw_project):
    a = _other_agency(users)
    for who in [*OUTSIDERS, "ywk"]:
        c = client_as(who)
        assert c.get(f"/partners/agencies/{a.pk}/edit/").status_code == 404, who
        c.post(f"/partners/agencies/{a.pk}/edit/", {"name": "越权改名", "staff": "99", "qualified_staff": "9"})
    assert Agency.objects.get(pk=a.pk).staff != 99 and not Agency.objects.filter(org__name="越权改名").exists()


def check_agency_status(client_as, users, dw_project):
    a = _other_agency(users)
    n = AgencyStatusChange.objects.filter(agency=a).count()
    for who in [*OUTSIDERS, "ywk", "rd"]:
        r = client_as(who).post(f"/partners/agencies/{a.pk}/status/", {"status": "blacklisted", "reason": "越权"})
        assert r.status_code in (302, 404), who
    assert Agency.objects.get(pk=a.pk).status == "normal"
    assert AgencyStatusChange.objects.filter(agency=a).count() == n
    assert client_as("xian_jxk").post(f"/partners/agencies/{a.pk}/status/", {"status": "removed"}).status_code == 404


def check_agency_violation(client_as, users, dw_project):
    a = _other_agency(users)
    n = Violation.objects.filter(agency=a).count()
    body = {"on": "2026-01-05", "kind": "false_report", "description": "越权", "penalty": "blacklist", "major": "on"}
    for who in [*OUTSIDERS, "ywk"]:
        assert client_as(who).post(f"/partners/agencies/{a.pk}/violation/", body).status_code in (302, 404)
    assert client_as("dw").post(f"/partners/agencies/{a.pk}/violation/", body).status_code == 404
    assert Violation.objects.filter(agency=a).count() == n and Agency.objects.get(pk=a.pk).status == "normal"


def check_engagement(client_as, users, dw_project):
    e = _engagement(users)
    _get_404(
        lambda u: f"/partners/engagements/{e.pk}/", who=[*OUTSIDERS, "rd"] if not _invited(users, e) else OUTSIDERS
    )(client_as, users, dw_project)
    own = Engagement.objects.filter(agency__org=users["dsf"].assignments.get().org).first()
    assert client_as("dsf").get(f"/partners/engagements/{own.pk}/").status_code == 200


def _invited(users, e) -> bool:
    return SupervisionInvitation.objects.filter(supervisor__user=users["rd"], object_id=e.pk).exists()


def check_engagement_accept(client_as, users, dw_project):
    e = _engagement(users, "engaged")
    for who in [*OUTSIDERS, "ywk", "rd"]:
        client_as(who).post(f"/partners/engagements/{e.pk}/accept/", {"report_text": "越权验收" * 10})
    assert client_as("xian_jxk").post(f"/partners/engagements/{e.pk}/accept/", {}).status_code == 404
    assert Engagement.objects.get(pk=e.pk).status == "engaged"


def check_ranking(client_as, users, dw_project):
    a = _other_agency(users)
    assert a.name in client_as("jxk").get("/partners/ranking/", {"year": 2026}).content.decode()
    assert a.name not in client_as("xian_jxk").get("/partners/ranking/", {"year": 2026}).content.decode()
    for who in [*NO_ACCESS, "dsf", "zj", "rd"]:
        assert client_as(who).get("/partners/ranking/").status_code == 404, who


def check_ranking_eliminate(client_as, users, dw_project):
    before = dict(Agency.objects.values_list("pk", "status"))
    for who in NO_ACCESS + ["dsf", "zj"]:
        assert client_as(who).post("/partners/ranking/eliminate/", {"year": 2026}).status_code == 404
    client_as("xian_jxk").post("/partners/ranking/eliminate/", {"year": 2026})
    client_as("ywk").post("/partners/ranking/eliminate/", {"year": 2026})
    assert dict(Agency.objects.values_list("pk", "status")) == before


def check_templates(client_as, users, dw_project):
    flag = TemplateFlag.objects.get()
    assert f'id="flag-{flag.pk}"' in client_as("jxk").get("/partners/templates/").content.decode()
    assert f'id="flag-{flag.pk}"' not in client_as("xian_jxk").get("/partners/templates/").content.decode()
    for who in [*NO_ACCESS, "dsf", "zj", "rd"]:
        assert client_as(who).get("/partners/templates/").status_code == 404, who


def check_template_scan(client_as, users, dw_project):
    n = TemplateFlag.objects.count()
    for who in [*NO_ACCESS, "dsf", "zj"]:
        assert client_as(who).post("/partners/templates/scan/").status_code == 404
    client_as("xian_jxk").post("/partners/templates/scan/")
    assert TemplateFlag.objects.count() == n


def check_template_flag(client_as, users, dw_project):
    flag = TemplateFlag.objects.get()
    for who in OUTSIDERS:
        r = client_as(who).post(f"/partners/templates/{flag.pk}/status/", {"status": "dismissed"})
        assert r.status_code == 404, who
    assert TemplateFlag.objects.get(pk=flag.pk).status == "open"


def check_experts(client_as, users, dw_project):
    e = _expert(users)
    assert e.name in client_as("jxk").get("/partners/experts/", {"q": e.name}).content.decode()
    html = client_as("xian_jxk").get("/partners/experts/", {"q": e.name}).content.decode()
    assert e.name not in html.split('id="expert-table"', 1)[1]
    for who in [*NO_ACCESS, "dsf", "rd"]:
        assert client_as(who).get("/partners/experts/").status_code == 404, who
    assert (
        client_as("zj").get("/partners/experts/").url == f"/partners/experts/{Expert.objects.get(user=users['zj']).pk}/"
    )


def check_expert_new(client_as, users, dw_project):
    for who in [*NO_ACCESS, "ywk", "dsf", "zj", "rd"]:
        c = client_as(who)
        assert c.get("/partners/experts/new/").status_code == 404, who
        c.post("/partners/experts/new/", {"name": "越权专家", "employer": "x", "fields": "教育"})
    assert not Expert.objects.filter(name="越权专家").exists()


def check_expert(client_as, users, dw_project):
    e = _expert(users)
    _get_404(lambda u: f"/partners/experts/{e.pk}/")(client_as, users, dw_project)


def check_expert_edit(client_as, users, dw_project):
    e = _expert(users)
    for who in [*OUTSIDERS, "ywk"]:
        c = client_as(who)
        assert c.get(f"/partners/experts/{e.pk}/edit/").status_code == 404, who
        c.post(f"/partners/experts/{e.pk}/edit/", {"name": "越权改名", "employer": "x", "fields": "教育"})
    assert Expert.objects.get(pk=e.pk).name != "越权改名"


def check_expert_note(client_as, users, dw_project):
    e = _expert(users)
    n = ExpertNote.objects.filter(expert=e).count()
    for who in [*OUTSIDERS, "ywk"]:
        client_as(who).post(f"/partners/experts/{e.pk}/note/", {"task": "越权", "rating": "差"})
    assert client_as("xian_jxk").post(f"/partners/experts/{e.pk}/note/", {}).status_code == 404
    assert ExpertNote.objects.filter(expert=e).count() == n


def check_expert_engagement(client_as, users, dw_project):
    e = _expert(users)
    n = ExpertEngagement.objects.filter(expert=e).count()
    for who in [*OUTSIDERS, "ywk"]:
        client_as(who).post(f"/partners/experts/{e.pk}/engagement/", {"unit_name": "越权", "on": "2026-01-01"})
    assert client_as("dw").post(f"/partners/experts/{e.pk}/engagement/", {}).status_code == 404
    assert ExpertEngagement.objects.filter(expert=e).count() == n


def check_draw(client_as, users, dw_project):
    unit = dw_project.unit
    for who in [*NO_ACCESS, "ywk", "dsf", "zj", "rd"]:
        assert client_as(who).get("/partners/draw/").status_code == 404, who
    html = client_as("xian_jxk").get("/partners/draw/").content.decode()
    assert unit.code not in html  # the county cannot pick a city unit
    n = ExpertDraw.objects.count()
    client_as("xian_jxk").post("/partners/draw/", {"unit": unit.code, "count": "2", "purpose": "越权抽取"})
    assert ExpertDraw.objects.count() == n
    assert unit.code in client_as("jxk").get("/partners/draw/").content.decode()


def check_draws(client_as, users, dw_project):
    d = _draw_without_zj(users)
    assert d.purpose in client_as("jxk").get("/partners/draws/").content.decode()
    assert d.purpose not in client_as("xian_jxk").get("/partners/draws/").content.decode()
    assert d.purpose not in client_as("zj").get("/partners/draws/").content.decode()
    for who in [*NO_ACCESS, "dsf", "rd"]:
        assert client_as(who).get("/partners/draws/").status_code == 404, who


def check_draw_detail(client_as, users, dw_project):
    d = _draw_without_zj(users)
    _get_404(lambda u: f"/partners/draws/{d.pk}/", who=[*OUTSIDERS, "rd"])(client_as, users, dw_project)
    mine = ExpertDraw.objects.filter(members__expert__user=users["zj"]).first()
    if mine is not None:  # an expert sees the draws they were drawn in, without the exclusions
        html = client_as("zj").get(f"/partners/draws/{mine.pk}/").content.decode()
        assert "回避和不可用" not in html


def check_supervisors(client_as, users, dw_project):
    s = Supervisor.objects.exclude(user=users["rd"]).first()
    assert s.name in client_as("jxk").get("/partners/supervision/").content.decode()
    assert s.name not in client_as("xian_jxk").get("/partners/supervision/").content.decode()
    rd_html = client_as("rd").get("/partners/supervision/").content.decode()
    assert s.name not in rd_html and 'id="supervisor-table"' not in rd_html
    other = SupervisionInvitation.objects.exclude(supervisor__user=users["rd"]).first()
    assert other.subject_repr not in rd_html
    for who in [*NO_ACCESS, "dsf", "zj"]:
        assert client_as(who).get("/partners/supervision/").status_code == 404, who


def check_supervisor_new(client_as, users, dw_project):
    for who in [*NO_ACCESS, "ywk", "dsf", "zj", "rd"]:
        assert client_as(who).post("/partners/supervision/new/", {"name": "越权", "kind": "npc"}).status_code == 404
    assert not Supervisor.objects.filter(name="越权").exists()


def check_invite(client_as, users, dw_project):
    e = _engagement(users)
    sup = Supervisor.objects.exclude(user=users["rd"]).order_by("id").first()
    n = SupervisionInvitation.objects.count()
    body = {"subject_type": "engagement", "subject_id": e.pk, "supervisor": sup.pk}
    for who in OUTSIDERS:
        assert client_as(who).post("/partners/supervision/invite/", body).status_code == 404, who
    client_as("ywk").post("/partners/supervision/invite/", body)
    assert SupervisionInvitation.objects.count() == n


PAGES = {
    "partners:home": check_home,
    "partners:agency_new": check_agency_new,
    "partners:agency": check_agency,
    "partners:agency_edit": check_agency_edit,
    "partners:agency_status": check_agency_status,
    "partners:agency_violation": check_agency_violation,
    "partners:engagement": check_engagement,
    "partners:engagement_accept": check_engagement_accept,
    "partners:ranking": check_ranking,
    "partners:ranking_eliminate": check_ranking_eliminate,
    "partners:templates": check_templates,
    "partners:template_scan": check_template_scan,
    "partners:template_flag": check_template_flag,
    "partners:experts": check_experts,
    "partners:expert_new": check_expert_new,
    "partners:expert": check_expert,
    "partners:expert_edit": check_expert_edit,
    "partners:expert_note": check_expert_note,
    "partners:expert_engagement": check_expert_engagement,
    "partners:draw": check_draw,
    "partners:draws": check_draws,
    "partners:draw_detail": check_draw_detail,
    "partners:supervisors": check_supervisors,
    "partners:supervisor_new": check_supervisor_new,
    "partners:invite": check_invite,
}


# --- API ---------------------------------------------------------------------------------------------


def _ids(api_as, who, path, **params):
    return {x["id"] for x in api_as(who).get(path, {"limit": 1000, **params}).json()["items"]}


def api_agencies(api_as, users, dw_project):
    a = _other_agency(users)
    assert a.pk in _ids(api_as, "jxk", "/api/v1/partners/agencies")
    for who in OUTSIDERS:
        assert a.pk not in _ids(api_as, who, "/api/v1/partners/agencies"), who
        assert api_as(who).get(f"/api/v1/partners/agencies/{a.pk}").status_code == 404, who
    own = Agency.objects.get(org=users["dsf"].assignments.get().org)
    assert _ids(api_as, "dsf", "/api/v1/partners/agencies") == {own.pk}


def api_agency_register(api_as, users, dw_project):
    from wenxiao.partners.services import with_check_char

    code = with_check_char("91430400MA4L09999")
    body = {"name": "接口越权机构", "credit_code": code, "staff": 10, "qualified_staff": 5}
    r = api_as("xian_jxk").post("/api/v1/partners/agencies", body, content_type="application/json")
    assert r.status_code == 201 and r.json()["region_code"] == users["xian_jxk"].assignments.get().org.region.code
    body["credit_code"] = code[:17] + ("0" if code[17] != "0" else "1")  # a wrong check character
    for who in [*OUTSIDERS, "ywk", "rd"]:
        r = api_as(who).post("/api/v1/partners/agencies", body, content_type="application/json")
        assert r.status_code in (400, 403), (who, r.status_code)
    assert Agency.objects.filter(org__name="接口越权机构").count() == 1  # the county's own, nobody else's


def api_agency_status(api_as, users, dw_project):
    a = _other_agency(users)
    for who in OUTSIDERS:
        r = api_as(who).post(
            f"/api/v1/partners/agencies/{a.pk}/status",
            {"status": "blacklisted", "reason": "越权"},
            content_type="application/json",
        )
        assert r.status_code == 404, who
    r = api_as("ywk").post(
        f"/api/v1/partners/agencies/{a.pk}/status",
        {"status": "removed", "reason": "越权"},
        content_type="application/json",
    )
    assert r.status_code == 403 and Agency.objects.get(pk=a.pk).status == "normal"


def api_selectable(api_as, users, dw_project):
    a = _other_agency(users)
    names = {x["name"] for x in api_as("jxk").get("/api/v1/partners/selectable").json()}
    blacklisted = set(Agency.objects.filter(status="blacklisted").values_list("org__name", flat=True))
    assert a.name in names and not names & blacklisted
    # the city's library serves the counties below it (a county may engage a city agency), never units
    county = {x["name"] for x in api_as("xian_jxk").get("/api/v1/partners/selectable").json()}
    assert a.name in county and not county & blacklisted
    assert api_as("dw").get("/api/v1/partners/selectable").json() == []


def api_engagements(api_as, users, dw_project):
    e = _engagement(users)
    assert e.pk in _ids(api_as, "jxk", "/api/v1/partners/engagements")
    for who in OUTSIDERS:
        assert e.pk not in _ids(api_as, who, "/api/v1/partners/engagements"), who
        assert api_as(who).get(f"/api/v1/partners/engagements/{e.pk}").status_code == 404, who
    own = set(Engagement.objects.filter(agency__org=users["dsf"].assignments.get().org).values_list("pk", flat=True))
    assert _ids(api_as, "dsf", "/api/v1/partners/engagements") == own


def api_engagement_accept(api_as, users, dw_project):
    e = _engagement(users, "engaged")
    body = {"scores": {}, "report_text": "越权验收" * 10}
    for who in OUTSIDERS:
        r = api_as(who).post(f"/api/v1/partners/engagements/{e.pk}/acceptance", body, content_type="application/json")
        assert r.status_code == 404, who
    r = api_as("ywk").post(f"/api/v1/partners/engagements/{e.pk}/acceptance", body, content_type="application/json")
    assert r.status_code == 403 and Engagement.objects.get(pk=e.pk).status == "engaged"


def api_ranking(api_as, users, dw_project):
    a = _other_agency(users)
    assert a.pk in {x["agency_id"] for x in api_as("jxk").get("/api/v1/partners/ranking", {"year": 2026}).json()}
    assert a.pk not in {
        x["agency_id"] for x in api_as("xian_jxk").get("/api/v1/partners/ranking", {"year": 2026}).json()
    }
    for who in NO_ACCESS + ["dsf", "zj"]:
        assert api_as(who).get("/api/v1/partners/ranking", {"year": 2026}).status_code == 403, who


def api_experts(api_as, users, dw_project):
    e = _expert(users)
    assert e.pk in _ids(api_as, "jxk", "/api/v1/partners/experts")
    for who in OUTSIDERS:
        assert e.pk not in _ids(api_as, who, "/api/v1/partners/experts"), who
        assert api_as(who).get(f"/api/v1/partners/experts/{e.pk}").status_code == 404, who
    zj = Expert.objects.get(user=users["zj"])
    assert api_as("zj").get(f"/api/v1/partners/experts/{zj.pk}").json()["phone"] == zj.phone
    assert api_as("ywk").get(f"/api/v1/partners/experts/{zj.pk}").json()["phone"] is None


def api_draws(api_as, users, dw_project):
    d = _draw_without_zj(users)
    assert d.pk in _ids(api_as, "jxk", "/api/v1/partners/draws")
    for who in OUTSIDERS:
        assert d.pk not in _ids(api_as, who, "/api/v1/partners/draws"), who
        assert api_as(who).get(f"/api/v1/partners/draws/{d.pk}").status_code == 404, who


def api_draw(api_as, users, dw_project):
    n = ExpertDraw.objects.count()
    body = {"unit_code": dw_project.unit.code, "count": 2, "purpose": "越权抽取"}
    for who in [*OUTSIDERS, "ywk", "rd"]:
        r = api_as(who).post("/api/v1/partners/draws", body, content_type="application/json")
        assert r.status_code in (400, 403), (who, r.status_code)
    assert ExpertDraw.objects.count() == n


API = {
    ("GET", "/api/v1/partners/agencies"): api_agencies,
    ("POST", "/api/v1/partners/agencies"): api_agency_register,
    ("GET", "/api/v1/partners/agencies/{agency_id}"): api_agencies,
    ("POST", "/api/v1/partners/agencies/{agency_id}/status"): api_agency_status,
    ("GET", "/api/v1/partners/selectable"): api_selectable,
    ("GET", "/api/v1/partners/engagements"): api_engagements,
    ("GET", "/api/v1/partners/engagements/{engagement_id}"): api_engagements,
    ("POST", "/api/v1/partners/engagements/{engagement_id}/acceptance"): api_engagement_accept,
    ("GET", "/api/v1/partners/ranking"): api_ranking,
    ("GET", "/api/v1/partners/experts"): api_experts,
    ("GET", "/api/v1/partners/experts/{expert_id}"): api_experts,
    ("GET", "/api/v1/partners/draws"): api_draws,
    ("GET", "/api/v1/partners/draws/{draw_id}"): api_draws,
    ("POST", "/api/v1/partners/draws"): api_draw,
}

"""Scope checks of the cockpit pages and API operations, merged into tests/test_scope_walk.py."""

from wenxiao.core.models import Job

YEAR = 2026
NO_COCKPIT = ["dw", "dw2", "dsf", "zj"]


def _city():
    """The city of the demo accounts (jxk's region)."""
    from wenxiao.orgs.models import User

    return User.objects.get(username="jxk").assignments.get().org.region


def _deny_city(client_as, url):
    """Outside roles get 404; a county's 绩效科 and a department cannot open the city's scope."""
    city = f"r{_city().pk}"
    for u in NO_COCKPIT:
        assert client_as(u).get(url, {"year": YEAR}).status_code == 404, u
    for u in ("xian_jxk", "zgbm"):
        assert client_as(u).get(url, {"year": YEAR, "scope": city}).status_code == 404, u
    assert client_as("jxk").get(url, {"year": YEAR, "scope": city}).status_code == 200


def check_home(client_as, users, dw_project):
    _deny_city(client_as, "/cockpit/")
    assert _city().name in client_as("rd").get("/cockpit/", {"year": YEAR}).content.decode()


def check_screen(client_as, users, dw_project):
    _deny_city(client_as, "/cockpit/screen/")


def check_drill(client_as, users, dw_project):
    _deny_city(client_as, "/cockpit/drill/warnings/")
    # The county sees only its own rows behind its figures, never a city project's warning.
    from wenxiao.monitoring.models import Warning

    city_warning = Warning.objects.filter(year=YEAR, region=_city()).exclude(status="cleared").first()
    html = client_as("xian_jxk").get("/cockpit/drill/warnings/", {"year": YEAR}).content.decode()
    assert 'id="drill-count"' in html and city_warning.project.name not in html


def check_refresh(client_as, users, dw_project):
    before = Job.objects.count()
    for u in NO_COCKPIT + ["rd", "zgbm", "ywk"]:
        client_as(u).post("/cockpit/refresh/", {"year": YEAR})
    assert client_as("xian_jxk").post("/cockpit/refresh/", {"year": YEAR, "scope": f"r{_city().pk}"}).status_code == 404
    assert Job.objects.count() == before
    client_as("jxk").post("/cockpit/refresh/", {"year": YEAR})
    assert Job.objects.count() == before + 1


def check_pdf(client_as, users, dw_project):
    for u in NO_COCKPIT:
        assert client_as(u).get("/cockpit/report.pdf", {"year": YEAR}).status_code == 404, u
    assert client_as("zgbm").get("/cockpit/report.pdf", {"year": YEAR, "scope": f"r{_city().pk}"}).status_code == 404


def api_cockpit(api_as, users, dw_project):
    city = _city()
    for u in NO_COCKPIT:
        assert api_as(u).get("/api/v1/cockpit", {"year": YEAR}).status_code == 404, u
    for u in ("xian_jxk", "zgbm"):
        assert api_as(u).get("/api/v1/cockpit", {"year": YEAR, "region": city.code}).status_code == 404, u
    assert api_as("jxk").get("/api/v1/cockpit", {"year": YEAR}).json()["figures"]["subject"]["id"] == city.pk


def api_refresh(api_as, users, dw_project):
    before = Job.objects.count()
    for u in ["dw", "rd", "zgbm"]:
        r = api_as(u).post("/api/v1/cockpit/refresh", {"year": YEAR}, content_type="application/json")
        assert r.status_code in (403, 404), u
    r = api_as("xian_jxk").post(
        "/api/v1/cockpit/refresh", {"year": YEAR, "region": _city().code}, content_type="application/json"
    )
    assert r.status_code == 404
    assert Job.objects.count() == before


PAGES = {
    "cockpit:home": check_home,
    "cockpit:screen": check_screen,
    "cockpit:drill": check_drill,
    "cockpit:refresh": check_refresh,
    "cockpit:pdf": check_pdf,
}
API = {
    ("GET", "/api/v1/cockpit"): api_cockpit,
    ("POST", "/api/v1/cockpit/refresh"): api_refresh,
}

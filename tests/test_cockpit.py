"""领导驾驶舱: snapshots from the seed, figures equal to the lists they drill into, scope, refresh, exports."""

import json
import re

import pytest

from tests.conftest import DEMO_YEAR
from wenxiao.cockpit import figures
from wenxiao.cockpit.models import CockpitSnapshot
from wenxiao.core.models import AuditEvent, Job
from wenxiao.orgs.models import Organisation, Region

Y = DEMO_YEAR


def _city():
    """The city of the demo accounts (jxk's region)."""
    from wenxiao.orgs.models import User

    return User.objects.get(username="jxk").assignments.get().org.region


def _payload(client, **params) -> dict:
    html = client.get("/cockpit/", {"year": Y, **params}).content.decode()
    m = re.search(r'<script id="cockpit-data" type="application/json">(.*?)</script>', html, re.S)
    assert m, "the cockpit page carries its figures"
    return json.loads(m.group(1))


def _drill_count(client, kind, **params) -> int:
    r = client.get(f"/cockpit/drill/{kind}/", {"year": Y, **params})
    assert r.status_code == 200
    return int(re.search(r'id="drill-count">(\d+)<', r.content.decode()).group(1))


def _api_count(client, path, **params) -> int:
    return client.get(path, {"year": Y, "limit": 1, **params}).json()["count"]


def test_seed_stores_a_snapshot_of_every_region_and_department(db):
    regions = Region.objects.count()
    departments = Organisation.objects.filter(kind="department").count()
    assert CockpitSnapshot.objects.filter(year=Y, org__isnull=True).count() == regions
    assert CockpitSnapshot.objects.filter(year=Y, org__isnull=False).count() == departments
    city = CockpitSnapshot.objects.get(region=_city(), org__isnull=True, year=Y).payload
    assert city["execution"]["projects"] > 0 and city["warnings"]["red"] > 0  # the demo has monitoring data
    assert len(city["rankings"]["regions"]) == _city().children.count()


def test_page_reads_the_snapshot_and_never_recomputes_it(client_as):
    snap = CockpitSnapshot.objects.get(region=_city(), org__isnull=True, year=Y)
    r = client_as("jxk").get("/cockpit/", {"year": Y})
    html = r.content.decode()
    assert r.status_code == 200
    assert f"数据截至 {snap.computed_at.astimezone().strftime('%Y-%m-%d %H:%M')}" in html
    assert CockpitSnapshot.objects.get(pk=snap.pk).computed_at == snap.computed_at
    assert "驾驶舱" in html and "大屏模式" in html and "导出 PDF" in html and 'id="region-ranking"' in html


def test_warning_figures_match_the_warning_list_and_the_drill(client_as, api_as):
    p = _payload(client_as("jxk"))
    api = api_as("jxk")
    for level in ("red", "yellow"):
        listed = _api_count(api, "/api/v1/monitoring/warnings", level=level)
        assert p["warnings"][level] == listed > 0
        assert _drill_count(client_as("jxk"), "warnings", level=level) == listed
    rule = p["warnings"]["by_rule"][0]
    assert _drill_count(client_as("jxk"), "warnings", code=rule["code"]) == rule["n"]


def test_department_cockpit_matches_what_the_department_lists(client_as, api_as, users):
    dept = users["zgbm"].assignments.get().org
    p = _payload(client_as("zgbm"))
    assert p["subject"] == {"kind": "department", "id": dept.pk, "name": dept.name}
    assert p["warnings"]["red"] == _api_count(api_as("zgbm"), "/api/v1/monitoring/warnings", level="red")
    overview = api_as("zgbm").get("/api/v1/monitoring/overview", {"year": Y}).json()["total"]
    assert p["execution"]["projects"] == overview["n"]
    assert p["execution"]["rate"] == pytest.approx(overview["rate"], abs=0.01)
    assert sum(g["projects"] for g in p["execution"]["groups"]) == overview["n"]  # by unit inside a department


def test_execution_by_department_matches_the_monitoring_overview(client_as, api_as):
    p = _payload(client_as("jxk"))
    overview = api_as("jxk").get("/api/v1/monitoring/overview", {"year": Y}).json()
    assert p["execution"]["rate"] == pytest.approx(overview["total"]["rate"], abs=0.01)
    assert p["execution"]["time_progress"] == overview["total"]["time_progress"]
    by_dept = {d["key"]: d for d in overview["departments"]}
    for g in p["execution"]["groups"]:
        assert g["projects"] == by_dept[g["id"]]["n"]
        assert g["rate"] == by_dept[g["id"]]["rate"]
    g = p["execution"]["groups"][0]
    assert _drill_count(client_as("jxk"), "execution", department=g["id"]) == g["projects"]
    lights = p["execution"]["lights"]
    assert _drill_count(client_as("jxk"), "execution", light="red") == lights["red"] == overview["total"]["red"]


def test_grades_match_the_distribution_page_and_the_drill(client_as, users):
    from wenxiao.evaluation.selectors import distribution

    p = _payload(client_as("jxk"))
    d = distribution(users["jxk"], Y)  # what /evaluation/distribution/ shows
    assert p["grades"]["selfeval"] == d["counts"]
    assert p["grades"]["selfeval_n"] == d["n"] > 0
    for grade, n in p["grades"]["selfeval"].items():
        assert _drill_count(client_as("jxk"), "selfeval", grade=grade) == n
    html = client_as("jxk").get("/evaluation/distribution/", {"year": Y}).content.decode()
    assert f"{d['n']}" in html


def test_rectification_and_funds_match_the_results_pages(client_as, api_as):
    p = _payload(client_as("jxk"))
    fig = api_as("jxk").get("/api/v1/results/figures", {"year": Y}).json()
    assert p["rectify"]["closed"] == fig["verified"]
    assert p["rectify"]["overdue"] == fig["overdue"]
    c = client_as("jxk")
    assert _drill_count(c, "rectify", state="verified") == p["rectify"]["closed"]
    assert _drill_count(c, "rectify", state="overdue") == p["rectify"]["overdue"]
    assert _drill_count(c, "rectify") == p["rectify"]["items"]
    open_ = p["rectify"]["items"] - p["rectify"]["closed"] - p["rectify"]["overdue"]
    assert _drill_count(c, "rectify", state="open") == open_ > 0  # the third segment of the pie
    assert _drill_count(c, "funds") == p["funds"]["lines"]
    for a in p["funds"]["actions"]:
        assert _drill_count(c, "funds", label=a["label"]) == a["n"]


def test_coverage_comes_from_the_metric_registry(client_as):
    from wenxiao.oversight.metrics import compute

    p = _payload(client_as("jxk"))
    city = _city()
    values = {c["key"]: c["value"] for c in p["coverage"]}
    for key in ("appraisal_coverage", "target_rate", "monitoring_coverage", "selfeval_coverage"):
        v = compute(key, city, Y)
        assert values[key] == (None if v is None else float(v)), key
    assert values["key_evaluation_amount"] == float(figures.key_evaluation_amount(city, Y))


def test_who_sees_which_cockpit(client_as, users):
    city, county = _city(), Region.objects.get(pk=users["xian_jxk"].assignments.get().org.region_id)
    dept = users["zgbm"].assignments.get().org
    other = Organisation.objects.filter(kind="department").exclude(pk=dept.pk).first()
    # 预算单位 and the outside roles: no cockpit, and no menu entry.
    for u in ("dw", "dsf", "zj"):
        r = client_as(u).get("/cockpit/")
        assert r.status_code == 404, u
    assert 'href="/cockpit/"' not in client_as("dw").get("/").content.decode()
    assert 'href="/cockpit/"' in client_as("zgbm").get("/").content.decode()
    # A lower region is in the city's selector; the county cannot look up.
    assert _payload(client_as("jxk"), scope=f"r{county.pk}")["subject"]["name"] == county.name
    assert client_as("xian_jxk").get("/cockpit/", {"scope": f"r{city.pk}"}).status_code == 404
    assert _payload(client_as("xian_jxk"))["subject"]["id"] == county.pk
    # A department sees itself only; 人大 reads the region but has no refresh button.
    assert client_as("zgbm").get("/cockpit/", {"scope": f"d{other.pk}"}).status_code == 404
    assert client_as("zgbm").get("/cockpit/", {"scope": f"r{city.pk}"}).status_code == 404
    assert client_as("zgbm").get("/cockpit/drill/warnings/", {"scope": f"r{city.pk}"}).status_code == 404
    html = client_as("rd").get("/cockpit/").content.decode()
    assert "数据截至" in html and "cockpit/refresh" not in html
    assert "cockpit/refresh" in client_as("jxk").get("/cockpit/").content.decode()
    # 业务科室: the departments it manages.
    managed = set(
        Organisation.objects.filter(managing_section__in=users["ywk"].assignments.values("org")).values_list(
            "pk", flat=True
        )
    )
    assert managed and _payload(client_as("ywk"))["subject"]["id"] in managed


def test_refresh_queues_a_job_that_rewrites_the_snapshots(client_as, users):
    from wenxiao.core.jobs import execute

    city = _city()
    before = CockpitSnapshot.objects.get(region=city, org__isnull=True, year=Y).computed_at
    jobs = Job.objects.count()
    client_as("rd").post("/cockpit/refresh/", {"year": Y})
    client_as("zgbm").post("/cockpit/refresh/", {"year": Y})
    assert Job.objects.count() == jobs  # read-only viewer and departments cannot refresh
    r = client_as("jxk").post("/cockpit/refresh/", {"year": Y})
    assert r.status_code == 302
    job = Job.objects.latest("id")
    assert job.kind == "cockpit.refresh" and job.params == {"region_id": city.pk, "year": Y}
    assert AuditEvent.objects.filter(action="cockpit.refresh").exists()
    execute(job.pk)
    assert Job.objects.get(pk=job.pk).status == "done"
    assert CockpitSnapshot.objects.get(region=city, org__isnull=True, year=Y).computed_at > before


def test_a_missing_department_snapshot_is_computed_once_on_first_view(client_as, users):
    dept = users["zgbm"].assignments.get().org
    CockpitSnapshot.objects.filter(org=dept).delete()
    assert _payload(client_as("zgbm"), year=Y - 3)["year"] == Y - 3  # a year never refreshed: computed now
    assert CockpitSnapshot.objects.filter(org=dept, year=Y - 3).count() == 1
    client_as("zgbm").get("/cockpit/", {"year": Y - 3})
    assert CockpitSnapshot.objects.filter(org=dept, year=Y - 3).count() == 1


def test_api_returns_the_scoped_snapshot_and_refresh_is_for_the_performance_section(api_as, users):
    city = _city()
    r = api_as("jxk").get("/api/v1/cockpit", {"year": Y})
    assert r.status_code == 200
    body = r.json()
    assert body["scope"] == f"r{city.pk}" and body["figures"]["subject"]["name"] == city.name
    assert api_as("dw").get("/api/v1/cockpit", {"year": Y}).status_code == 404
    assert api_as("zgbm").get("/api/v1/cockpit", {"year": Y, "region": city.code}).status_code == 404
    dept = users["zgbm"].assignments.get().org
    assert api_as("zgbm").get("/api/v1/cockpit", {"year": Y}).json()["figures"]["subject"]["id"] == dept.pk
    assert api_as("rd").post("/api/v1/cockpit/refresh", {"year": Y}, content_type="application/json").status_code == 403
    r = api_as("jxk").post("/api/v1/cockpit/refresh", {"year": Y}, content_type="application/json")
    assert r.status_code == 202 and Job.objects.get(pk=r.json()["job_id"]).kind == "cockpit.refresh"


def test_cli_refresh(db, capsys):
    from wenxiao.cli import main

    county = _city().children.order_by("code").first()
    before = CockpitSnapshot.objects.get(region=county, org__isnull=True, year=Y).computed_at
    assert main(["cockpit", "refresh", "--year", str(Y), "--region", county.code]) == 0
    assert "已刷新" in capsys.readouterr().out
    assert CockpitSnapshot.objects.get(region=county, org__isnull=True, year=Y).computed_at > before
    assert main(["cockpit", "refresh", "--region", "999999"]) == 2
    assert "不存在" in capsys.readouterr().err


def test_screen_and_pdf_exports(client_as):
    c = client_as("jxk")
    html = c.get("/cockpit/screen/", {"year": Y}).content.decode()
    assert "cockpit-screen" in html and 'http-equiv="refresh"' in html and "cockpit-data" in html
    r = c.get("/cockpit/report.pdf", {"year": Y})
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content[:4] == b"%PDF"
    assert c.get("/cockpit/drill/nothing/").status_code == 404


def test_a_warning_run_queues_the_cockpit_refresh_of_its_region(client_as, users):
    from wenxiao.core.jobs import execute
    from wenxiao.orgs.selectors import home_region

    county = home_region(users["xian_jxk"], ("performance",))
    before = CockpitSnapshot.objects.get(region=county, org__isnull=True, year=Y).computed_at
    r = client_as("xian_jxk").post("/monitoring/run/", {"year": Y, "as_of": f"{Y}-06-30"})
    assert r.status_code == 302
    job = Job.objects.filter(kind="cockpit.refresh").latest("id")
    assert job.params == {"region_id": county.pk, "year": Y} and job.user == users["xian_jxk"]
    execute(job.pk)
    snap = CockpitSnapshot.objects.get(region=county, org__isnull=True, year=Y)
    assert snap.computed_at > before
    html = client_as("xian_jxk").get("/cockpit/", {"year": Y}).content.decode()
    assert f"截至{Y}-06-30" in html  # the figures of the new warning run

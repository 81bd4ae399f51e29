"""Who sees what, on the demo jurisdiction: the statements of the foundation issue, one by one."""

import pytest

from wenxiao.core.scoping import scope_for
from wenxiao.orgs.models import Organisation, Region
from wenxiao.projects.models import Project

pytestmark = pytest.mark.django_db


def _unit_of(user):
    return user.assignments.get().org


def test_unit_sees_only_its_own_projects_through_the_api(api_as, users):
    dw_unit = _unit_of(users["dw"])
    expected = set(Project.objects.filter(unit=dw_unit).values_list("code", flat=True))
    assert expected, "the demo unit of dw should own projects"
    r = api_as("dw").get("/api/v1/projects", {"limit": 1000})
    assert r.status_code == 200
    codes = {p["code"] for p in r.json()["items"]}
    assert codes == expected
    assert {p["unit_code"] for p in r.json()["items"]} == {dw_unit.code}


def test_unit_gets_404_for_another_departments_project(api_as, users):
    other = Project.objects.filter(unit=_unit_of(users["dw2"])).first()
    r = api_as("dw").get(f"/api/v1/projects/{other.pk}")
    assert r.status_code == 404
    r = api_as("dw").patch(
        f"/api/v1/projects/{other.pk}",
        {"version": other.version, "name": "x"},
        content_type="application/json",
    )
    assert r.status_code == 404
    assert Project.objects.get(pk=other.pk).name == other.name


def test_department_sees_all_its_units_and_nothing_else(api_as, users):
    dept = _unit_of(users["zgbm"])
    r = api_as("zgbm").get("/api/v1/projects", {"limit": 1000})
    items = r.json()["items"]
    assert {p["department_code"] for p in items} == {dept.code}
    assert r.json()["count"] == Project.objects.filter(department=dept).count()
    assert len({p["unit_code"] for p in items}) > 1  # several units, not just the 机关


def test_business_section_sees_the_departments_it_manages(client_as, users):
    section = _unit_of(users["ywk"])
    managed = set(Organisation.objects.filter(managing_section=section).values_list("id", flat=True))
    assert len(managed) >= 2
    visible_departments = set(Project.objects.visible_to(users["ywk"]).values_list("department_id", flat=True))
    assert visible_departments == managed


def test_county_performance_section_never_sees_the_city_level(api_as, users):
    county = _unit_of(users["xian_jxk"]).region
    city = county.parent
    r = api_as("xian_jxk").get("/api/v1/organisations", {"kind": "unit", "limit": 1000})
    assert r.status_code == 200
    regions = {o["region_code"] for o in r.json()["items"]}
    assert regions and city.code not in regions
    assert all(code.startswith(county.code) for code in regions)
    projects = api_as("xian_jxk").get("/api/v1/projects", {"limit": 1000}).json()
    assert projects["count"] == Project.objects.filter(region__path__startswith=county.path).count()
    assert all(p["region_code"].startswith(county.code) for p in projects["items"])
    city_project = Project.objects.filter(region=city).first()
    assert api_as("xian_jxk").get(f"/api/v1/projects/{city_project.pk}").status_code == 404


def test_sibling_counties_do_not_see_each_other(users):
    county = _unit_of(users["xian_jxk"]).region
    sibling = Region.objects.filter(parent=county.parent, level=Region.Level.COUNTY).exclude(pk=county.pk).first()
    assert not Project.objects.visible_to(users["xian_jxk"]).filter(region=sibling).exists()
    assert Project.objects.filter(region=sibling).exists()


def test_city_performance_section_sees_its_jurisdiction(users):
    city = _unit_of(users["jxk"]).region
    visible = Project.objects.visible_to(users["jxk"])
    assert visible.count() == Project.objects.filter(region__path__startswith=city.path).count()
    province = city.parent
    assert scope_for(users["jxk"]).region_ids.isdisjoint({province.id})


def test_npc_viewer_reads_but_cannot_write(api_as, users):
    project = Project.objects.filter(region=_unit_of(users["rd"]).region).first()
    client = api_as("rd")
    assert client.get(f"/api/v1/projects/{project.pk}").status_code == 200
    r = client.patch(
        f"/api/v1/projects/{project.pk}",
        {"version": project.version, "name": "改名"},
        content_type="application/json",
    )
    assert r.status_code == 403
    r = client.post(
        f"/api/v1/projects/{project.pk}/actions",
        {"action": "finance_approve"},
        content_type="application/json",
    )
    assert r.status_code == 403
    assert Project.objects.get(pk=project.pk).name == project.name


def test_agency_and_expert_see_no_projects_by_default(users):
    assert not Project.objects.visible_to(users["dsf"]).exists()
    assert not Project.objects.visible_to(users["zj"]).exists()


def test_anonymous_api_is_refused():
    from django.test import Client

    assert Client().get("/api/v1/projects").status_code == 401
    assert Client().get("/api/v1/projects", HTTP_AUTHORIZATION="Bearer wx_bad_token").status_code == 401

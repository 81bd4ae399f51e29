"""Scope checks of 信息公开 pages and API operations, merged into tests/test_scope_walk.py.

Public pages pass when anonymous visitors see published items only; staff pages and the API when the city's
绩效科 sees and manages its publications and nobody else (the county, units, other roles) does.
"""

import json

from django.test import Client

from wenxiao.disclosure.models import Publication
from wenxiao.targets.models import Target

YEAR = 2026
OUTSIDERS = ["dw", "dw2", "xian_jxk", "dsf", "zj"]


def _pub(kind="target") -> Publication:
    return Publication.objects.live().filter(kind=kind).order_by("id").first()


def _hidden_target() -> Target:
    """An approved city target that is not published (its title must never show)."""
    live = Publication.objects.live().filter(kind="target")
    titles = set(live.values_list("title", flat=True))
    for t in (
        Target.objects.filter(year=YEAR, state="approved", kind="project", region__level=2)
        .exclude(pk__in=live.values("object_id"))
        .select_related("project")
        .order_by("id")
    ):
        if t.project.name not in titles:
            return t
    raise AssertionError("no unpublished target")


def check_public_home(client_as, users, dw_project):
    html = Client().get("/public/").content.decode()
    assert _pub("evaluation_report").title in html
    assert _hidden_target().project.name not in html


def check_public_items(client_as, users, dw_project):
    hidden = _hidden_target()
    html = Client().get("/public/items/", {"q": hidden.project.name}).content.decode()
    assert hidden.project.name not in html.split('id="items"', 1)[1]
    pub = _pub()
    assert pub.get_absolute_url() in Client().get("/public/items/", {"q": pub.title}).content.decode()


def check_public_item(client_as, users, dw_project):
    pub = _pub()
    assert Client().get(pub.get_absolute_url()).status_code == 200
    withdrawn = Publication.objects.order_by("-id").first().pk + 1000
    assert Client().get(f"/public/items/{withdrawn}/").status_code == 404


def check_public_pdf(client_as, users, dw_project):
    assert Client().get(f"/public/items/{_pub('evaluation_report').pk}/report.pdf").status_code == 200
    assert Client().get(f"/public/items/{_pub('target').pk}/report.pdf").status_code == 404


def check_public_data(client_as, users, dw_project):
    data = json.loads(Client().get("/public/data/target.json").content)
    assert {i["id"] for i in data["items"]} == set(
        Publication.objects.live().filter(kind="target").values_list("id", flat=True)
    )
    assert _hidden_target().project.name not in Client().get("/public/data/target.csv").content.decode("utf-8-sig")


def check_manage(client_as, users, dw_project):
    pub = Publication.objects.live().order_by("-published_at", "-id").first()  # the first row of the list
    assert pub.get_absolute_url() in client_as("jxk").get("/public/manage/").content.decode()
    county = client_as("xian_jxk").get("/public/manage/").content.decode()
    assert pub.get_absolute_url() not in county and 'id="publications"' in county
    for outsider in ["dw", "dw2", "dsf", "zj", "zgbm"]:
        assert client_as(outsider).get("/public/manage/").status_code == 404, outsider
    assert Client().get("/public/manage/").status_code == 302


def check_publish(client_as, users, dw_project):
    hidden = _hidden_target()
    for outsider in OUTSIDERS:
        client_as(outsider).post(
            "/public/manage/publish/", {"kind": "target", "year": YEAR, "selected": "1", "ids": [hidden.pk]}
        )
    assert not Publication.objects.filter(kind="target", object_id=hidden.pk).exists()


def check_withdraw(client_as, users, dw_project):
    pub = _pub()
    for outsider in OUTSIDERS:
        r = client_as(outsider).post(f"/public/manage/{pub.pk}/withdraw/", {"reason": "越权撤回"})
        assert r.status_code == 404, outsider
    assert Publication.objects.get(pk=pub.pk).is_live


PAGES = {
    "disclosure:home": check_public_home,
    "disclosure:items": check_public_items,
    "disclosure:item": check_public_item,
    "disclosure:item_pdf": check_public_pdf,
    "disclosure:data": check_public_data,
    "disclosure:manage": check_manage,
    "disclosure:publish": check_publish,
    "disclosure:withdraw": check_withdraw,
}


def api_publications(api_as, users, dw_project):
    pub = _pub()
    ids = {i["id"] for i in api_as("jxk").get("/api/v1/disclosure/publications?limit=1000").json()["items"]}
    assert pub.pk in ids
    for outsider in OUTSIDERS:
        items = api_as(outsider).get("/api/v1/disclosure/publications?limit=1000").json()["items"]
        assert pub.pk not in {i["id"] for i in items}, outsider


def api_candidates(api_as, users, dw_project):
    hidden = _hidden_target()
    own = api_as("jxk").get(f"/api/v1/disclosure/candidates?kind=target&year={YEAR}").json()
    assert hidden.pk in {c["id"] for c in own}
    for outsider in OUTSIDERS:
        rows = api_as(outsider).get(f"/api/v1/disclosure/candidates?kind=target&year={YEAR}").json()
        assert hidden.pk not in {c["id"] for c in rows}, outsider


def api_publish(api_as, users, dw_project):
    hidden = _hidden_target()
    for outsider in OUTSIDERS:
        r = api_as(outsider).post(
            "/api/v1/disclosure/publications",
            {"kind": "target", "year": YEAR, "ids": [hidden.pk]},
            content_type="application/json",
        )
        assert r.status_code in (400, 403), (outsider, r.status_code)
    assert not Publication.objects.filter(kind="target", object_id=hidden.pk).exists()
    r = api_as("jxk").post(
        "/api/v1/disclosure/publications", {"kind": "target", "year": YEAR, "ids": [hidden.pk]}, "application/json"
    )
    assert r.status_code == 201 and r.json()[0]["source_id"] == hidden.pk


def api_withdraw(api_as, users, dw_project):
    pub = _pub()
    for outsider in OUTSIDERS:
        r = api_as(outsider).post(
            f"/api/v1/disclosure/publications/{pub.pk}/withdraw", {"reason": "越权"}, "application/json"
        )
        assert r.status_code == 404, (outsider, r.status_code)
    assert Publication.objects.get(pk=pub.pk).is_live
    r = api_as("jxk").post(f"/api/v1/disclosure/publications/{pub.pk}/withdraw", {"reason": "更正"}, "application/json")
    assert r.status_code == 200 and r.json()["withdrawn_at"]


API = {
    ("GET", "/api/v1/disclosure/publications"): api_publications,
    ("GET", "/api/v1/disclosure/candidates"): api_candidates,
    ("POST", "/api/v1/disclosure/publications"): api_publish,
    ("POST", "/api/v1/disclosure/publications/{publication_id}/withdraw"): api_withdraw,
}

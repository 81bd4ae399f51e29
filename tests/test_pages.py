"""Every page renders for every demo account, in Chinese, with nothing loaded from outside the server."""

import re

import pytest

from wenxiao.projects.models import Project

pytestmark = pytest.mark.django_db

ACCOUNTS = ["admin", "jxk", "ywk", "zgbm", "dw", "dw2", "xian_jxk", "dsf", "zj", "rd", "auditadmin", "secadmin"]
EXTERNAL = re.compile(r"""(src|href)=["']https?://|url\(["']?https?://|//cdn""")


@pytest.mark.parametrize("username", ACCOUNTS)
def test_pages_render_for_each_role(client_as, users, username):
    client = client_as(username)
    project = Project.objects.visible_to(users[username]).first()
    paths = ["/", "/projects/", "/projects/?year=all&q=教育", "/todos/", "/jobs/", "/catalog/"]
    if project:
        paths.append(f"/projects/{project.pk}/")
    for path in paths:
        r = client.get(path)
        assert r.status_code == 200, (username, path)
        html = r.content.decode()
        assert '<html lang="zh-hans">' in html
        assert not EXTERNAL.search(html), (username, path)


def test_login_page_and_wrong_password():
    from django.test import Client

    c = Client()
    assert "问效" in c.get("/login/").content.decode()
    r = c.post("/login/", {"username": "dw", "password": "wrong"})
    assert "用户名或密码不正确" in r.content.decode()
    r = c.post("/login/", {"username": "dw", "password": "test-pass-1"})
    assert r.status_code == 302


def test_project_detail_shows_the_whole_story(client_as, users):
    p = Project.objects.filter(unit=users["dw"].assignments.get().org, state="in_library").first()
    html = client_as("dw").get(f"/projects/{p.pk}/").content.decode()
    for text in [p.code, "年度预算", "项目责任人", "流转记录", "财政审核通过（入库）"]:
        assert text in html


def test_static_vendor_assets_are_served_locally(client):
    for path in [
        "/static/vendor/htmx/htmx.min.js",
        "/static/vendor/echarts/echarts.min.js",
        "/static/vendor/bootstrap/bootstrap.min.css",
    ]:
        r = client.get(path)
        assert r.status_code == 200, path


def test_edit_form_conflict_is_shown_not_overwritten(client_as, users):
    p = Project.objects.filter(unit=users["dw"].assignments.get().org).first()
    Project.objects.filter(pk=p.pk).update(state="draft")
    form = client_as("dw").get(f"/projects/{p.pk}/edit/")
    assert form.status_code == 200
    Project.objects.filter(pk=p.pk).update(version=p.version + 1, name="别人刚改的名字")
    data = {
        "name": "我的名字",
        "kind": p.kind,
        "start_year": p.start_year,
        "end_year": p.end_year,
        "budget_kind": p.budget_kind,
        "fund_type": p.fund_type,
        "function_code": p.function_class_id,
        "economic_code": p.economic_class_id or "",
        "project_class": p.project_class,
        "attribute": p.attribute,
        "description": "",
        "version": p.version,
        "year": 2026,
        "amount_initial": "1",
        "amount_carryover": "0",
        "amount_other": "0",
    }
    r = client_as("dw").post(f"/projects/{p.pk}/edit/", data)
    assert "已被他人修改" in r.content.decode()
    assert Project.objects.get(pk=p.pk).name == "别人刚改的名字"

"""Hostile text typed into user-entered fields is shown as text, never as markup or template code."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType

from wenxiao.core.models import Transition
from wenxiao.projects.models import Project
from wenxiao.targets.models import Target, TargetComment

pytestmark = pytest.mark.django_db

HOSTILE = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "{{7*7}}"]
RAW_MARKUP = re.compile(r"<script>alert|<img src=x|onerror=alert\(1\)>")


def _plant(users):
    """Put hostile strings into a project and its target that jxk and the unit both see."""
    target = (
        Target.objects.visible_to(users["dw"])
        .filter(kind="project", project__isnull=False, indicators__isnull=False)
        .select_related("project")
        .first()
    )
    project = target.project
    Project.objects.filter(pk=project.pk).update(name=f"项目{HOSTILE[0]}{HOSTILE[1]}{HOSTILE[2]}")
    Target.objects.filter(pk=target.pk).update(goal=f"目标{HOSTILE[1]}{HOSTILE[0]}{HOSTILE[2]}")
    row = target.indicators.order_by("order", "id").first()
    type(row).objects.filter(pk=row.pk).update(name=f"指标{HOSTILE[2]}{HOSTILE[1]}", value="≥95%")
    TargetComment.objects.create(
        region_id=target.region_id,
        target=target,
        indicator=row,
        stage="审核",
        text=f"意见{HOSTILE[0]}{HOSTILE[1]}{HOSTILE[2]}",
        author=users["jxk"],
    )
    Transition.objects.create(
        content_type=ContentType.objects.get_for_model(Target),
        object_id=target.pk,
        workflow="target",
        action="return",
        action_label="退回",
        from_state=target.state,
        to_state=target.state,
        actor=users["jxk"],
        comment=f"流转意见{HOSTILE[0]}{HOSTILE[1]}",
    )
    return project, target


def test_hostile_strings_are_escaped_on_every_page_that_shows_them(client_as, users):
    project, target = _plant(users)
    pages = [
        ("jxk", "/projects/", {"q": project.code, "year": "all"}),
        ("jxk", f"/projects/{project.pk}/", {}),
        ("jxk", "/targets/", {"q": project.code}),
        ("jxk", f"/targets/{target.pk}/", {}),
        ("dw", f"/targets/{target.pk}/", {}),
        ("dw", f"/projects/{project.pk}/", {}),
        ("jxk", "/", {}),
        ("jxk", "/todos/", {}),
    ]
    shown = {h: 0 for h in HOSTILE}
    escaped = {
        HOSTILE[0]: "&lt;script&gt;alert(1)&lt;/script&gt;",
        HOSTILE[1]: "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;",
        HOSTILE[2]: "{{7*7}}",
    }
    for username, path, params in pages:
        r = client_as(username).get(path, params)
        assert r.status_code == 200, path
        html = r.content.decode()
        assert not RAW_MARKUP.search(html), (username, path, RAW_MARKUP.search(html).group(0))
        for h in HOSTILE:
            shown[h] += html.count(escaped[h])
    # every string was really rendered somewhere (as text), so the pages above did show the fields
    assert all(shown.values()), shown
    detail = client_as("jxk").get(f"/targets/{target.pk}/").content.decode()
    for text in ("目标&quot;&gt;&lt;img", "指标{{7*7}}", "意见&lt;script&gt;", "流转意见&lt;script&gt;"):
        assert text in detail, text
    assert (
        "项目&lt;script&gt;alert(1)&lt;/script&gt;" in client_as("jxk").get(f"/projects/{project.pk}/").content.decode()
    )


def test_hostile_strings_in_api_answers_stay_plain_json(api_as, users):
    project, target = _plant(users)
    r = api_as("jxk").get(f"/api/v1/projects/{project.pk}")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/json")
    assert r.json()["name"] == f"项目{HOSTILE[0]}{HOSTILE[1]}{HOSTILE[2]}"  # data, returned as sent

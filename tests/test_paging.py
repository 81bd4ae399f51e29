"""The ids-first paginator of wide lists gives the same pages, in the same order, as Django's Paginator."""

import pytest
from django.core.paginator import Paginator

from wenxiao.core.paging import IdsFirstPaginator
from wenxiao.projects.selectors import ProjectFilter, project_list


@pytest.mark.parametrize("order", ["code", "-amount", "name"])
def test_pages_match_the_plain_paginator(users, order):
    qs = project_list(users["jxk"], ProjectFilter(year=2026, order=order))
    plain, fast = Paginator(qs, 30, orphans=3), IdsFirstPaginator(qs, 30, orphans=3)
    assert fast.num_pages == plain.num_pages > 2
    for n in (1, 2, plain.num_pages):
        expected = [(p.pk, p.amount_adjusted) for p in plain.page(n)]
        assert [(p.pk, p.amount_adjusted) for p in fast.page(n)] == expected


def test_the_project_list_pages_through_every_project_once(client_as, users):
    qs = project_list(users["zgbm"], ProjectFilter(year=2026))
    seen = []
    for n in range(1, Paginator(qs, 30).num_pages + 1):
        html = client_as("zgbm").get("/projects/", {"year": 2026, "page": n}).content.decode()
        seen += [code for code in qs.values_list("code", flat=True) if f">{code}<" in html]
    assert sorted(seen) == sorted(qs.values_list("code", flat=True))


@pytest.mark.parametrize(
    "path", ["/api/v1/projects", "/api/v1/targets", "/api/v1/monitoring/warnings", "/api/v1/library"]
)
def test_api_pages_are_the_slices_of_the_whole_list(api_as, path):
    api = api_as("jxk")
    whole = api.get(path, {"limit": 200}).json()
    assert whole["count"] > 60
    parts = api.get(path, {"limit": 25, "offset": 25}).json()["items"]
    assert parts == whole["items"][25:50]

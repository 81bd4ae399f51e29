"""信息公开 (R38): the public site at /public/ shows published items only, and never an internal field."""

import json
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.cache import cache
from django.test import Client

from wenxiao.core.errors import NotFound, PermissionDenied, ValidationError
from wenxiao.disclosure import services
from wenxiao.disclosure.models import Publication
from wenxiao.evaluation.models import EvalMember, Evaluation, InternalReview, SelfEvalLine, SelfEvaluation
from wenxiao.monitoring.models import MonitoringRound
from wenxiao.orgs.models import User
from wenxiao.projects.models import ResponsiblePerson
from wenxiao.targets.models import Target, TargetComment, TargetReview

pytestmark = pytest.mark.django_db
YEAR = 2026
COMMENT = "指标值明显偏低请重新测算（内部审核意见甲）"
REVIEW = "终审意见：产出指标不够具体（内部终审意见乙）"


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)


def crawl(start: str = "/public/") -> dict[str, str]:
    """Breadth-first over every same-site link under /public/ as an anonymous visitor: {url: text}."""
    client = Client()
    seen: dict[str, str] = {}
    queue = deque([start])
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)
        ctype = r["Content-Type"]
        if ctype.startswith("application/pdf"):
            body = b"".join(r.streaming_content)
            assert body.startswith(b"%PDF"), url
            seen[url] = ""
            continue
        text = r.content.decode("utf-8-sig")
        seen[url] = text
        if not ctype.startswith("text/html"):
            continue
        parser = _Links()
        parser.feed(text)
        for href in parser.links:
            target = urljoin(url, href.replace("&amp;", "&"))
            parts = urlsplit(target)
            if parts.scheme or parts.netloc:
                raise AssertionError(f"external link on the public site: {href} ({url})")
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            assert path.startswith("/public/") and not path.startswith("/public/manage"), (url, href)
            if path not in seen:
                queue.append(path)
    return seen


@pytest.fixture
def world(users):
    """The seeded publications plus one target with reviewer comments and one re-evaluated self-evaluation."""
    cache.clear()
    jxk = users["jxk"]
    city = jxk.assignments.get(role="performance").org.region
    commented = (
        not_public(Target, "target")
        .filter(region=city, year=YEAR, state="approved", kind="project")
        .exclude(department__in=Publication.objects.filter(department__isnull=False).values("department_id"))
        .order_by("id")
        .first()
    )
    TargetComment.objects.create(
        region=city, target=commented, stage="主管部门审核", text=COMMENT, author=users["zgbm"]
    )
    TargetReview.objects.create(region=city, target=commented, dimensions={}, grade="良", opinion=REVIEW, reviewer=jxk)
    services.do_publish(actor=jxk, kind="target", year=YEAR, object_ids=[commented.pk])
    reviewed = SelfEvaluation.objects.filter(state="done").exclude(review_opinion="").order_by("id")
    if not reviewed.filter(published=True).exists():
        services.do_publish(actor=jxk, kind="selfeval", year=YEAR, object_ids=[reviewed.first().pk])
    return {"commented": commented}


def not_public(model, kind: str):
    """Source rows with no live publication (Target.published is also set by the targets app's approval)."""
    return model.objects.exclude(pk__in=Publication.objects.live().filter(kind=kind).values("object_id"))


def test_the_crawl_finds_no_unpublished_item_and_no_internal_field(world, users):
    pages = crawl()
    live = Publication.objects.live()
    # every published item and the data downloads were reached
    for p in live:
        assert p.get_absolute_url() in pages
    for kind in Publication.Kind.values:
        assert f"/public/data/{kind}.csv" in pages and f"/public/data/{kind}.json" in pages
    assert any(u.endswith("/report.pdf") for u in pages), "the evaluation report's PDF is linked"
    text = "\n".join(pages.values())

    # (a) no title of an unpublished target / self-evaluation / evaluation
    published_titles = list(live.values_list("title", flat=True))

    def unpublished(titles):
        return [t for t in set(titles) if t and not any(t in p for p in published_titles)]

    hidden = unpublished(not_public(Target, "target").filter(kind="project").values_list("project__name", flat=True))
    hidden += unpublished(
        not_public(SelfEvaluation, "selfeval").filter(kind="project").values_list("project__name", flat=True)
    )
    hidden += unpublished(not_public(Evaluation, "evaluation_report").values_list("title", flat=True))
    assert len(hidden) > 100
    leaked = [t for t in hidden if t in text]
    assert not leaked, leaked[:5]

    # (b) no internal marker: credibility flags, reviewer comments, review opinions, persons, staff accounts, states
    reviewed = SelfEvaluation.objects.filter(published=True).exclude(review_opinion="")
    assert reviewed.exists()
    markers = ["可信度", "复评意见", "审核意见", "jxk", "zgbm", "演示数据", "填报中", "待主管部门审核", COMMENT, REVIEW]
    markers += list(reviewed.values_list("review_opinion", flat=True).distinct())
    markers += list(
        SelfEvalLine.objects.filter(form__published=True)
        .exclude(review_reason="")
        .values_list("review_reason", flat=True)
    )
    markers += list(InternalReview.objects.values_list("comment", flat=True))
    markers += list(EvalMember.objects.filter(evaluation__published=True).values_list("name", flat=True))
    projects = live.filter(kind__in=("target", "selfeval", "evaluation_report")).values_list("snapshot", flat=True)
    codes = {s.get("project_code") for s in projects if s.get("project_code")}
    persons = list(ResponsiblePerson.objects.filter(project__code__in=codes).values_list("name", flat=True))
    assert persons
    markers += persons
    markers += [u.display_name for u in User.objects.exclude(display_name="").exclude(username="system")]
    found = sorted({m for m in markers if m and m in text})
    assert not found, found
    assert not re.search(r"\bS0[1-9]\b", text), "a credibility code (S01–S09) is on the public site"

    # (c) a withdrawn item disappears
    victim = live.filter(kind="target").order_by("id").first()
    services.do_withdraw(victim.pk, actor=users["jxk"], reason="信息有误，更正后重新公开")
    again = crawl()
    assert victim.get_absolute_url() not in again
    assert Client().get(victim.get_absolute_url()).status_code == 404
    data = json.loads(again["/public/data/target.json"])
    assert victim.pk not in {i["id"] for i in data["items"]}
    assert data["count"] == Publication.objects.live().filter(kind="target").count()


def test_anonymous_visitors_get_nothing_else(world):
    anon = Client()
    for path in ["/", "/targets/", "/monitoring/", "/evaluation/", "/projects/", "/public/manage/"]:
        r = anon.get(path)
        assert r.status_code == 302 and r["Location"].startswith("/login/"), path
    assert anon.get("/api/v1/disclosure/publications").status_code == 401
    withdrawn_or_draft = [
        "/public/items/999999/",
        "/public/items/999999/report.pdf",
        "/public/data/projects.csv",
        "/public/data/target.xml",
        "/public/items/?kind=projects",
        "/public/items/?year=abc",
        "/public/whatever/",
    ]
    for path in withdrawn_or_draft:
        assert anon.get(path).status_code == 404, path
    assert anon.post("/public/").status_code in (403, 404)  # no writes on the public site
    target_pub = Publication.objects.live().filter(kind="target").first()
    assert anon.get(f"/public/items/{target_pub.pk}/report.pdf").status_code == 404  # a target has no PDF


def test_only_the_regions_performance_section_publishes(users):
    city_target = not_public(Target, "target").filter(year=YEAR, state="approved", region__level=2).first()
    before = Publication.objects.count()
    for name in ["dw", "zgbm", "ywk", "rd", "dsf"]:
        with pytest.raises(PermissionDenied):
            services.do_publish(actor=users[name], kind="target", year=YEAR, object_ids=[city_target.pk])
    with pytest.raises(ValidationError):  # the county's 绩效科 cannot publish the city's items
        services.do_publish(actor=users["xian_jxk"], kind="target", year=YEAR, object_ids=[city_target.pk])
    draft = Target.objects.filter(region=city_target.region, year=YEAR + 1).exclude(state="approved").first()
    with pytest.raises(ValidationError):  # a target under review is never published
        services.do_publish(actor=users["jxk"], kind="target", year=YEAR + 1, object_ids=[draft.pk])
    with pytest.raises(ValidationError):  # one wrong id in a batch: nothing of the batch is published
        services.do_publish(actor=users["jxk"], kind="target", year=YEAR, object_ids=[city_target.pk, draft.pk])
    open_round = MonitoringRound.objects.filter(closed_at__isnull=True).first()
    with pytest.raises(ValidationError):
        services.do_publish(actor=users["jxk"], kind="monitoring_summary", year=YEAR, object_ids=[open_round.pk])
    assert Publication.objects.count() == before
    assert not_public(Target, "target").filter(pk=city_target.pk).exists()


def test_publish_withdraw_and_publish_again_keeps_history(users):
    cache.clear()
    jxk = users["jxk"]
    t = not_public(Target, "target").filter(year=YEAR, state="approved", region__level=2).order_by("id").first()
    home = Client().get("/public/").content.decode()
    result = services.do_publish(actor=jxk, kind="target", year=YEAR, object_ids=[t.pk])
    pub = result.publications[0]
    assert Target.objects.get(pk=t.pk).published
    assert pub.snapshot["indicators"] and set(pub.snapshot["indicators"][0]) == {
        "level1",
        "level2",
        "name",
        "value",
        "unit",
    }
    assert "grade" not in pub.snapshot  # the 终审等级 is internal
    page = Client().get(f"/public/items/{pub.pk}/").content.decode()
    assert t.project.name in page and pub.snapshot["indicators"][0]["name"] in page
    assert Client().get("/public/").content.decode() != home  # the cached home page changed at once
    with pytest.raises(ValidationError):  # already public
        services.do_publish(actor=jxk, kind="target", year=YEAR, object_ids=[t.pk])
    with pytest.raises(ValidationError):
        services.do_withdraw(pub.pk, actor=jxk, reason=" ")
    with pytest.raises(NotFound):
        services.do_withdraw(pub.pk, actor=users["xian_jxk"], reason="越权")
    services.do_withdraw(pub.pk, actor=jxk, reason="更正")
    assert not Target.objects.get(pk=t.pk).published
    assert Client().get(f"/public/items/{pub.pk}/").status_code == 404
    again = services.do_publish(actor=jxk, kind="target", year=YEAR, object_ids=[t.pk]).publications[0]
    rows = Publication.objects.filter(object_id=t.pk, kind="target").order_by("id")
    assert [r.is_live for r in rows] == [False, True] and rows[1].pk == again.pk
    assert Target.objects.get(pk=t.pk).published


def test_a_self_evaluation_shows_the_score_that_counts_and_no_flags(users):
    f = not_public(SelfEvaluation, "selfeval").filter(state="done", flag_count__gt=0).exclude(review_score=None).first()
    pub = services.do_publish(actor=users["jxk"], kind="selfeval", year=YEAR, object_ids=[f.pk]).publications[0]
    s = pub.snapshot
    assert s["score"] == f"{f.review_score:.2f}" and s["grade"] == (f.review_grade or f.grade)
    assert set(s) == {
        "kind_label", "project_code", "subject", "unit", "department", "year", "budget", "executed", "rate", "score",
        "grade", "reviewed", "indicators",
    }  # fmt: skip
    assert set(s["indicators"][0]) == {"level1", "level2", "name", "value", "unit", "actual"}
    html = Client().get(pub.get_absolute_url()).content.decode()
    assert f.review_opinion not in html and s["score"] in html
    assert s["reviewed"] and "得分（经财政复评）" in html and "自评得分" not in html  # the 复评 score is not the unit's


def test_the_evaluation_report_pdf_leaves_out_the_team(users):
    from django.template.loader import render_to_string

    pub = Publication.objects.live().get(kind="evaluation_report")
    ev = Evaluation.objects.get(pk=pub.object_id)
    assert ev.published and ev.state in ("final", "archived")
    r = Client().get(f"/public/items/{pub.pk}/report.pdf")
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    html = render_to_string("disclosure/report_print.html", {"p": pub, "s": pub.snapshot})
    members = list(ev.members.values_list("name", flat=True))
    assert members and not [m for m in members if m in html]
    assert ev.report["suggestions"][:20] in html


def test_open_data_is_exactly_the_published_snapshots(world):
    import csv
    import io

    live = Publication.objects.live().filter(kind="selfeval")
    data = json.loads(Client().get("/public/data/selfeval.json").content)
    assert data["count"] == live.count()
    assert {i["id"]: i["data"] for i in data["items"]} == {p.pk: p.snapshot for p in live}
    rows = list(csv.reader(io.StringIO(Client().get("/public/data/selfeval.csv").content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["公开编号", "年度", "区划", "部门", "标题"] and "实际完成值" in rows[0]
    assert len(rows) - 1 == sum(max(1, len(p.snapshot["indicators"])) for p in live)
    assert json.loads(Client().get(f"/public/data/selfeval.json?year={YEAR - 1}").content)["count"] == 0


def test_filters_and_search(world):
    pub = Publication.objects.live().filter(kind="target").order_by("id").first()
    html = Client().get("/public/items/", {"q": pub.title}).content.decode()
    assert pub.get_absolute_url() in html
    table = Client().get("/public/items/", {"kind": "target", "department": pub.department_id}).content.decode()
    rows = table.split('id="items"', 1)[1]
    n = Publication.objects.live().filter(kind="target", department_id=pub.department_id).count()
    assert rows.count("/public/items/") >= min(n, 30)
    other = Publication.objects.live().filter(kind="target").exclude(department_id=pub.department_id).first()
    assert other.get_absolute_url() not in rows
    r = Client().get("/public/")
    assert "public" in r["Cache-Control"] and "max-age" in r["Cache-Control"]


def test_manage_page_and_cli(client_as, users, capsys):
    from wenxiao.cli import main

    assert client_as("dw").get("/public/manage/").status_code == 404
    html = client_as("jxk").get("/public/manage/", {"kind": "target", "year": YEAR, "preview": 1}).content.decode()
    assert 'id="publish-form"' in html
    t = not_public(Target, "target").filter(year=YEAR, state="approved", region__level=2).order_by("id").first()
    assert f'value="{t.pk}"' in html
    client_as("jxk").post("/public/manage/publish/", {"kind": "target", "year": YEAR, "selected": "1", "ids": [t.pk]})
    assert Publication.objects.live().filter(kind="target", object_id=t.pk, published_by=users["jxk"]).exists()
    client_as("dw").post("/public/manage/publish/", {"kind": "selfeval", "year": YEAR})
    assert not Publication.objects.filter(kind="selfeval", published_by=users["dw"]).exists()

    dept = not_public(Target, "target").filter(year=YEAR, state="approved", region__level=2).first().department
    n = not_public(Target, "target").filter(year=YEAR, state="approved", department=dept).count()
    assert main(["publish", "--kind", "target", "--year", str(YEAR), "--department", dept.code, "--user", "jxk"]) == 0
    assert f"{n}项" in capsys.readouterr().out
    assert not not_public(Target, "target").filter(year=YEAR, state="approved", department=dept).exists()
    assert main(["publish", "--kind", "target", "--year", str(YEAR), "--user", "dw"]) == 1

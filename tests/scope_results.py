"""Scope checks of 结果应用 pages and API operations, merged into tests/test_scope_walk.py."""

from datetime import timedelta

from django.utils import timezone

from wenxiao.monitoring.models import NegativeListEntry
from wenxiao.results import services
from wenxiao.results.models import BudgetSuggestionSheet, FeedbackLetter, RectificationItem

OUTSIDERS = ["dw2", "xian_jxk", "dsf", "zj"]
YEAR = 2026


def dw_item(users, *, issue=True, problem="范围检查：资金支付进度滞后", days=30) -> RectificationItem:
    unit = users["dw"].assignments.get().org
    item = services.do_create_item(
        actor=users["jxk"],
        unit_id=unit.pk,
        source="audit",
        problem=problem,
        deadline=timezone.localdate() + timedelta(days=days),
        year=YEAR,
    )
    if issue:
        services.do_transition(item.pk, "issue", actor=users["jxk"])
    return RectificationItem.objects.get(pk=item.pk)


def _edu_sheet():
    return BudgetSuggestionSheet.objects.select_related("department").order_by("id").first()


def _seeded_letter():
    return FeedbackLetter.objects.select_related("unit").order_by("id").first()


def check_home(client_as, users, dw_project):
    dw_item(users, days=-3, problem="范围检查逾期事项")
    assert "范围检查逾期事项" in client_as("dw").get("/results/", {"year": YEAR}).content.decode()
    assert "范围检查逾期事项" in client_as("zgbm").get("/results/", {"year": YEAR}).content.decode()
    for outsider in OUTSIDERS:
        assert "范围检查逾期事项" not in client_as(outsider).get("/results/", {"year": YEAR}).content.decode()


def check_items(client_as, users, dw_project):
    dw_item(users)
    assert "范围检查：资金支付进度滞后" in client_as("dw").get("/results/items/", {"year": YEAR}).content.decode()
    for outsider in OUTSIDERS:
        html = client_as(outsider).get("/results/items/", {"year": YEAR, "q": "范围检查"}).content.decode()
        assert "范围检查：资金支付进度滞后" not in html.split('id="item-table"', 1)[1], outsider
    # Creating an item: only the 绩效科 of the unit's region.
    before = RectificationItem.objects.count()
    body = {"unit": users["dw"].assignments.get().org.pk, "source": "audit", "problem": "x", "deadline": "2027-01-01"}
    for u in ("dw", "xian_jxk", "dsf"):
        client_as(u).post("/results/items/", body)
    assert RectificationItem.objects.count() == before


def check_item(client_as, users, dw_project):
    item = dw_item(users)
    for u in ("dw", "zgbm", "jxk"):
        assert client_as(u).get(f"/results/items/{item.pk}/").status_code == 200, u
    for outsider in OUTSIDERS:
        assert client_as(outsider).get(f"/results/items/{item.pk}/").status_code == 404, outsider


def check_item_action(client_as, users, dw_project):
    item = dw_item(users)
    body = {"action": "feedback", "measures": "m", "evidence": "e"}
    for outsider in OUTSIDERS:
        assert client_as(outsider).post(f"/results/items/{item.pk}/action/", body).status_code == 404, outsider
    assert RectificationItem.objects.get(pk=item.pk).state == "rectifying"
    client_as("dw").post(f"/results/items/{item.pk}/action/", body)
    assert RectificationItem.objects.get(pk=item.pk).state == "fed_back"


def check_item_link(client_as, users, dw_project):
    a, b = dw_item(users), dw_item(users, problem="同一问题")
    for u in OUTSIDERS + ["dw"]:
        client_as(u).post(f"/results/items/{b.pk}/link/", {"primary": a.pk})
    assert RectificationItem.objects.get(pk=b.pk).duplicate_of_id is None
    client_as("jxk").post(f"/results/items/{b.pk}/link/", {"primary": a.pk})
    assert RectificationItem.objects.get(pk=b.pk).duplicate_of_id == a.pk


def check_letters(client_as, users, dw_project):
    letter = _seeded_letter()
    assert letter.number in client_as("jxk").get("/results/letters/", {"year": YEAR}).content.decode()
    for outsider in ["dw", "dw2", "xian_jxk", "dsf", "zj"]:  # the evaluated unit is none of these
        assert letter.number not in client_as(outsider).get("/results/letters/", {"year": YEAR}).content.decode()
    before = FeedbackLetter.objects.count()
    client_as("xian_jxk").post("/results/letters/", {"evaluation": letter.evaluation_id})
    client_as("dw").post("/results/letters/", {"evaluation": letter.evaluation_id})
    assert FeedbackLetter.objects.count() == before


def _letter_404(suffix: str, method: str = "get"):
    def check(client_as, users, dw_project):
        letter = _seeded_letter()
        for outsider in ["dw", "dw2", "xian_jxk", "dsf", "zj"]:
            r = getattr(client_as(outsider), method)(f"/results/letters/{letter.pk}/{suffix}")
            assert r.status_code == 404, (outsider, suffix)
        if method == "get":
            assert client_as("jxk").get(f"/results/letters/{letter.pk}/{suffix}").status_code == 200

    return check


def check_sheets(client_as, users, dw_project):
    sheet = _edu_sheet()
    assert sheet.department.name in client_as("zgbm").get("/results/budget/").content.decode()
    for outsider in ["dw2", "xian_jxk", "dsf", "zj"]:
        html = client_as(outsider).get("/results/budget/").content.decode()
        assert f'href="/results/budget/{sheet.pk}/"' not in html, outsider
    before = BudgetSuggestionSheet.objects.count()
    client_as("zgbm").post("/results/budget/", {"department": sheet.department_id, "year": YEAR + 2})
    client_as("xian_jxk").post("/results/budget/", {"department": sheet.department_id, "year": YEAR + 2})
    assert BudgetSuggestionSheet.objects.count() == before


def _sheet_404(suffix: str):
    def check(client_as, users, dw_project):
        sheet = _edu_sheet()
        for outsider in ["dw2", "xian_jxk", "dsf", "zj"]:
            assert client_as(outsider).get(f"/results/budget/{sheet.pk}/{suffix}").status_code == 404, outsider
        assert client_as("zgbm").get(f"/results/budget/{sheet.pk}/{suffix}").status_code == 200

    return check


def check_sheet_actual(client_as, users, dw_project):
    sheet = _edu_sheet()
    line = sheet.lines.filter(actual_amount__isnull=True).first()
    body = {"actual_amount": line.suggested_amount}
    for u in ["dw2", "xian_jxk", "dsf", "zj"]:
        assert client_as(u).post(f"/results/budget/{sheet.pk}/lines/{line.pk}/", body).status_code == 404, u
    client_as("zgbm").post(f"/results/budget/{sheet.pk}/lines/{line.pk}/", body)  # sees it, may not write
    line.refresh_from_db()
    assert line.actual_amount is None


def check_reports(client_as, users, dw_project):
    assert client_as("jxk").get("/results/reports/").status_code == 200
    assert client_as("rd").get("/results/reports/").status_code == 200
    for u in ["dw", "dw2", "dsf", "zj", "zgbm"]:
        assert client_as(u).get("/results/reports/").status_code == 404, u


def check_report_docx(client_as, users, dw_project):
    for u in ["dw", "dw2", "dsf", "zj"]:
        assert client_as(u).get("/results/reports/government.docx").status_code == 404, u
    # The county's report does not count the city's items.
    from wenxiao.results.report import key_results

    dw_item(users)
    city = key_results(users["jxk"], YEAR)["rectification"]["total"]["total"]
    county = key_results(users["xian_jxk"], YEAR)["rectification"]["total"]["total"]
    assert city > county


def check_negative(client_as, users, dw_project):
    unit = users["dw"].assignments.get().org
    e = NegativeListEntry.objects.create(
        region_id=unit.region_id, year=YEAR, unit=unit, reason="范围检查负面清单", added_by=users["jxk"]
    )
    assert "范围检查负面清单" in client_as("dw").get("/results/negative/", {"year": YEAR}).content.decode()
    for outsider in OUTSIDERS:
        assert "范围检查负面清单" not in client_as(outsider).get("/results/negative/", {"year": YEAR}).content.decode()
        r = client_as(outsider).post(f"/results/negative/{e.pk}/exit/", {"reason": "x"})
        assert r.status_code == 404, outsider
    before = NegativeListEntry.objects.count()
    client_as("dw").post("/results/negative/", {"year": YEAR})
    assert NegativeListEntry.objects.count() == before


PAGES = {
    "results:home": check_home,
    "results:items": check_items,
    "results:item": check_item,
    "results:item_action": check_item_action,
    "results:item_link": check_item_link,
    "results:letters": check_letters,
    "results:letter": _letter_404(""),
    "results:letter_docx": _letter_404("letter.docx"),
    "results:letter_issue": _letter_404("issue/", "post"),
    "results:sheets": check_sheets,
    "results:sheet": _sheet_404(""),
    "results:sheet_xlsx": _sheet_404("sheet.xlsx"),
    "results:sheet_actual": check_sheet_actual,
    "results:reports": check_reports,
    "results:report_docx": check_report_docx,
    "results:negative": check_negative,
    "results:negative_exit": check_negative,
}


def api_items(api_as, users, dw_project):
    item = dw_item(users)
    ids = {r["id"] for r in api_as("dw").get("/api/v1/results/items", {"year": YEAR}).json()["items"]}
    assert item.pk in ids
    for outsider in OUTSIDERS:
        ids = {r["id"] for r in api_as(outsider).get("/api/v1/results/items", {"year": YEAR}).json()["items"]}
        assert item.pk not in ids, outsider
        assert api_as(outsider).get(f"/api/v1/results/items/{item.pk}").status_code == 404, outsider
    assert api_as("zgbm").get(f"/api/v1/results/items/{item.pk}").status_code == 200


def api_item_action(api_as, users, dw_project):
    item = dw_item(users)
    body = {"action": "feedback", "measures": "m", "evidence": "e"}
    for outsider in OUTSIDERS:
        r = api_as(outsider).post(f"/api/v1/results/items/{item.pk}/actions", body, content_type="application/json")
        assert r.status_code == 404, outsider
    r = api_as("dw").post(f"/api/v1/results/items/{item.pk}/actions", body, content_type="application/json")
    assert r.status_code == 200 and r.json()["state"] == "fed_back"


def api_figures(api_as, users, dw_project):
    def total(u):
        return api_as(u).get("/api/v1/results/figures", {"year": YEAR}).json()["total"]

    before = {u: total(u) for u in ["dw", *OUTSIDERS]}
    dw_item(users)
    assert total("dw") == before["dw"] + 1
    for outsider in OUTSIDERS:
        assert total(outsider) == before[outsider], outsider


def api_sheet(api_as, users, dw_project):
    sheet = _edu_sheet()
    line = sheet.lines.filter(actual_amount__isnull=True).first()
    assert api_as("zgbm").get(f"/api/v1/results/sheets/{sheet.pk}").status_code == 200
    for outsider in ["dw2", "xian_jxk", "dsf", "zj"]:
        assert api_as(outsider).get(f"/api/v1/results/sheets/{sheet.pk}").status_code == 404, outsider
        r = api_as(outsider).post(
            f"/api/v1/results/sheets/{sheet.pk}/lines/{line.pk}/actual",
            {"actual_amount": "1"},
            content_type="application/json",
        )
        assert r.status_code == 404, outsider
    line.refresh_from_db()
    assert line.actual_amount is None


API = {
    ("GET", "/api/v1/results/items"): api_items,
    ("GET", "/api/v1/results/items/{item_id}"): api_items,
    ("POST", "/api/v1/results/items/{item_id}/actions"): api_item_action,
    ("GET", "/api/v1/results/figures"): api_figures,
    ("GET", "/api/v1/results/sheets/{sheet_id}"): api_sheet,
    ("POST", "/api/v1/results/sheets/{sheet_id}/lines/{line_id}/actual"): api_sheet,
}

"""结果应用: the rectification ledger, feedback letters, budget linkage with its closed loop, reports, negative list."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.scope_results import YEAR, dw_item
from wenxiao.core import workflow
from wenxiao.core.errors import Conflict, PermissionDenied, ValidationError
from wenxiao.evaluation.models import Evaluation
from wenxiao.monitoring.models import NegativeListEntry
from wenxiao.results import linkage, selectors, services
from wenxiao.results.models import BudgetSuggestionSheet, FeedbackLetter, RectificationItem

pytestmark = pytest.mark.django_db

RULES = {
    "优": ["priority", "优先保障", 0],
    "良": ["keep", "保障", 0],
    "中": ["cut", "压缩", 10],
    "差": ["cancel", "取消", 100],
    "idle": ["recover", "收回", 0],
    "duplicated": ["merge", "整合", 20],
    "negative": ["cancel", "取消", 100],
}


def _todo(user, item):
    return [w for w in workflow.todos_for(user) if w.workflow == "rectification" and w.object_id == item.pk]


def _docx_text(body: bytes) -> str:
    from docx import Document

    d = Document(io.BytesIO(body))
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in d.paragraphs] + cells)


# --- pure engine ----------------------------------------------------------------------------------------------


def test_budget_rules_map_results_to_suggested_amounts():
    amount = Decimal("1000000.00")
    assert linkage.suggest(linkage.ProjectResult(amount, "优", "重点评价"), RULES, 50).label == "优先保障"
    mid = linkage.suggest(linkage.ProjectResult(amount, "中", "单位自评"), RULES, 50)
    assert (mid.action, mid.amount) == ("cut", Decimal("900000.00")) and "压减10%" in mid.reason
    assert linkage.suggest(linkage.ProjectResult(amount, "差", "复评"), RULES, 50).amount == 0
    idle = linkage.suggest(linkage.ProjectResult(amount, "良", "自评", rate=40.0), RULES, 50)
    assert (idle.label, idle.amount) == ("收回", Decimal("400000.00")) and "40.0%" in idle.reason
    # The negative list outranks a good grade; duplicated spending is merged.
    assert linkage.suggest(linkage.ProjectResult(amount, "优", "自评", negative=True), RULES, 50).amount == 0
    assert linkage.suggest(linkage.ProjectResult(amount, "良", "自评", duplicated=True), RULES, 50).label == "整合"
    assert linkage.suggest(linkage.ProjectResult(amount), RULES, 50).amount == amount


def test_findings_are_split_item_by_item():
    text = "主要问题：一是目标偏低；二是支付滞后；三是验收资料不完整。原因在于论证不充分。"
    assert linkage.split_findings(text) == ["目标偏低", "支付滞后", "验收资料不完整"]
    assert linkage.split_findings("资金闲置。制度不健全") == ["资金闲置", "制度不健全"]
    assert linkage.split_findings("") == []


# --- ledger ---------------------------------------------------------------------------------------------------


def test_item_goes_through_issue_feedback_verify_and_the_todo_list_follows(users):
    jxk, dw, zgbm = users["jxk"], users["dw"], users["zgbm"]
    item = dw_item(users, issue=False)
    assert item.state == "draft"
    assert _todo(jxk, item)
    services.do_transition(item.pk, "issue", actor=jxk)
    assert [w.role for w in _todo(dw, item)] == ["unit"]

    # Feedback needs measures and evidence; refused feedback writes nothing.
    with pytest.raises(ValidationError):
        services.do_transition(item.pk, "feedback", actor=dw, measures="", evidence="x")
    assert RectificationItem.objects.get(pk=item.pk).state == "rectifying"
    # The unit may not verify its own rectification; a stale version is a conflict.
    with pytest.raises(PermissionDenied):
        services.do_transition(item.pk, "verify", actor=dw)
    with pytest.raises(Conflict):
        services.do_transition(item.pk, "feedback", actor=dw, measures="m", evidence="e", expected_version=1)
    assert RectificationItem.objects.get(pk=item.pk).measures == ""

    # The 主管部门 may feed back for its unit.
    services.do_transition(item.pk, "feedback", actor=zgbm, measures="建立月度调度机制", evidence="调度台账")
    assert _todo(jxk, item)
    with pytest.raises(ValidationError):
        services.do_transition(item.pk, "return", actor=jxk, comment="")
    services.do_transition(item.pk, "return", actor=jxk, comment="佐证不足")
    services.do_transition(item.pk, "feedback", actor=dw, evidence="调度台账及支付凭证")
    before = selectors.figures(jxk, YEAR)["total"]
    done = services.do_transition(item.pk, "verify", actor=jxk, comment="同意销号")
    assert done.state == "verified" and done.verified_at is not None
    after = selectors.figures(jxk, YEAR)["total"]
    assert after["verified"] == before["verified"] + 1
    assert not _todo(dw, item) and not _todo(jxk, item)
    assert [t.action for t in workflow.history(done)] == ["issue", "feedback", "return", "feedback", "verify"]


def test_overdue_items_are_flagged_listed_and_reminded(users, capsys):
    item = dw_item(users, problem="逾期测试事项", days=3)
    assert not item.is_overdue and not _todo(users["dw"], item)[0].title.startswith("【已逾期】")
    RectificationItem.objects.filter(pk=item.pk).update(
        deadline=timezone.localdate() - timedelta(days=1)
    )  # time passes
    item.refresh_from_db()
    assert item.is_overdue
    assert item in selectors.items(users["dw"], YEAR, overdue=True)
    assert services.refresh_overdue_todos() >= 1
    assert _todo(users["dw"], item)[0].title.startswith("【已逾期】")
    from wenxiao.cli import main

    assert main(["rectification", "list", "--overdue", "--user", "dw"]) == 0
    out = capsys.readouterr().out
    assert "逾期测试事项" in out and "逾期" in out
    # A verified item is no longer overdue.
    services.do_transition(item.pk, "feedback", actor=users["dw"], measures="m", evidence="e")
    services.do_transition(item.pk, "verify", actor=users["jxk"])
    assert item not in selectors.items(users["dw"], YEAR, overdue=True)


def test_same_problem_from_two_sources_is_counted_once_and_closed_together(users, client_as):
    jxk = users["jxk"]
    before = selectors.figures(jxk, YEAR)["total"]["total"]
    a = dw_item(users, problem="验收资料不完整")
    b = dw_item(users, problem="验收资料不完整（审计）")
    assert selectors.figures(jxk, YEAR)["total"]["total"] == before + 2
    services.do_link_duplicate(b.pk, a.pk, actor=jxk)
    assert selectors.figures(jxk, YEAR)["total"]["total"] == before + 1
    with pytest.raises(ValidationError):  # the duplicate is handled on its primary
        services.do_transition(b.pk, "feedback", actor=users["dw"], measures="m", evidence="e")
    services.do_transition(a.pk, "feedback", actor=users["dw"], measures="m", evidence="e")
    services.do_transition(a.pk, "verify", actor=jxk)
    assert RectificationItem.objects.get(pk=b.pk).state == "verified"
    html = client_as("dw").get(f"/results/items/{b.pk}/").content.decode()
    assert f"整改事项{a.pk}</a> 为同一问题" in html
    other = users["dw2"].assignments.get().org
    c = services.do_create_item(
        actor=jxk, unit_id=other.pk, source="npc", problem="x", deadline=timezone.localdate(), year=YEAR
    )
    with pytest.raises(ValidationError):
        services.do_link_duplicate(c.pk, a.pk, actor=jxk)


def test_feedback_page_round_trip(users, client_as):
    item = dw_item(users)
    page = client_as("dw").get(f"/results/items/{item.pk}/").content.decode()
    assert "提交整改反馈" in page and "核验通过" not in page
    r = client_as("dw").post(
        f"/results/items/{item.pk}/action/",
        {"action": "feedback", "version": item.version, "measures": "已完善验收资料", "evidence": "验收报告"},
    )
    assert r.status_code == 302
    page = client_as("jxk").get(f"/results/items/{item.pk}/").content.decode()
    assert "已完善验收资料" in page and "核验通过，销号" in page


def test_manual_item_needs_problem_and_deadline(users, client_as):
    before = RectificationItem.objects.count()
    unit = users["dw"].assignments.get().org
    c = client_as("jxk")
    r = c.post("/results/items/", {"unit": unit.pk, "source": "audit", "problem": "", "year": YEAR})
    assert RectificationItem.objects.count() == before
    assert "请填写问题" in c.get(r["Location"]).content.decode()


# --- the demo: key evaluation → letter → ledger → closed; suggestion sheet with actual budget ------------------


def test_demo_letter_from_key_evaluation_with_closed_and_overdue_items(users, client_as):
    ev = Evaluation.objects.get(kind="project", state="final")
    letter = FeedbackLetter.objects.get(evaluation=ev)
    states = sorted(i.state for i in letter.items.all())
    assert len(states) == 3 and states.count("verified") == 1
    assert sum(1 for i in letter.items.all() if i.is_overdue) == 1
    body = client_as("jxk").get(f"/results/letters/{letter.pk}/letter.docx").content
    text = _docx_text(body)
    assert letter.number in text and letter.unit.name in text
    for f in letter.findings:
        assert f in text
    # The audit office raised one of the same problems: linked, not counted twice.
    assert RectificationItem.objects.filter(duplicate_of__letter=letter).count() == 1


def test_letter_from_unfinished_evaluation_is_refused(users):
    ev = Evaluation.objects.exclude(state__in=("final", "archived")).first()
    with pytest.raises(ValidationError):
        services.do_create_letter(actor=users["jxk"], evaluation_id=ev.pk)


def test_letter_creates_draft_items_that_issue_together(users, client_as):
    ev = Evaluation.objects.get(kind="project", state="final")
    r = client_as("jxk").post("/results/letters/", {"evaluation": ev.pk, "findings": "问题甲\n问题乙\n"})
    letter = FeedbackLetter.objects.filter(evaluation=ev).order_by("-id").first()
    assert r["Location"] == f"/results/letters/{letter.pk}/"
    assert [i.problem for i in letter.items.order_by("id")] == ["问题甲", "问题乙"]
    assert set(letter.items.values_list("state", flat=True)) == {"draft"}
    client_as("jxk").post(f"/results/letters/{letter.pk}/issue/")
    assert set(letter.items.values_list("state", flat=True)) == {"rectifying"}


def test_demo_suggestion_sheet_and_closed_loop(users, client_as):
    sheet = BudgetSuggestionSheet.objects.get(department=users["zgbm"].assignments.get().org, year=YEAR + 1)
    t = selectors.sheet_totals(sheet)
    assert t["recorded"] >= 5 and t["followed"] < t["recorded"]
    html = client_as("zgbm").get(f"/results/budget/{sheet.pk}/").content.decode()
    explained = sheet.lines.exclude(gap_reason="").first()
    assert explained.gap_reason in html and "按建议安排" in html
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_filelike(
        io.BytesIO(client_as("jxk").get(f"/results/budget/{sheet.pk}/sheet.xlsx").content)
    )
    rows = wb.get_sheet_by_name("预算安排建议").to_python()
    names = {r[2] for r in rows[3:]}
    assert explained.project.name in names
    assert any(r[10] == explained.gap_reason for r in rows[3:])


def test_record_actual_needs_a_reason_for_a_gap(users):
    sheet = BudgetSuggestionSheet.objects.order_by("id").first()
    line = sheet.lines.filter(actual_amount__isnull=True).first()
    with pytest.raises(ValidationError):
        services.do_record_actual(line.pk, actor=users["jxk"], amount=line.suggested_amount + 1)
    with pytest.raises(ValidationError):
        services.do_record_actual(line.pk, actor=users["jxk"], amount="abc")
    line.refresh_from_db()
    assert line.actual_amount is None
    services.do_record_actual(line.pk, actor=users["jxk"], amount=line.suggested_amount + 1, gap_reason="追加")
    line.refresh_from_db()
    assert line.gap == Decimal("1.00")


def test_sheet_follows_the_rules_and_is_generated_once(users):
    from wenxiao.orgs.models import Organisation

    dept = Organisation.objects.get(pk=users["zgbm"].assignments.get().org.pk)
    with pytest.raises(ValidationError):
        services.do_create_sheet(dept.pk, YEAR + 1, actor=users["jxk"])
    with pytest.raises(PermissionDenied):
        services.do_create_sheet(dept.pk, YEAR + 2, actor=users["zgbm"])
    health = users["dw2"].assignments.get().org.parent
    sheet = services.do_create_sheet(health.pk, YEAR + 1, actor=users["jxk"])
    for line in sheet.lines.all():
        if line.grade == "中" and line.action == "cut":
            assert line.suggested_amount == (line.current_amount * Decimal("0.9")).quantize(Decimal("0.01"))
        if line.action == "keep" and line.grade == "":
            assert line.suggested_amount == line.current_amount


# --- negative list ------------------------------------------------------------------------------------------------


def test_negative_list_exit_only_after_verified_rectification(users, client_as):
    unit = users["dw"].assignments.get().org
    entry = NegativeListEntry.objects.create(
        region_id=unit.region_id, year=YEAR, unit=unit, reason="评价差且未整改", added_by=users["jxk"]
    )
    item = dw_item(users)
    with pytest.raises(ValidationError, match="未核验销号"):
        services.do_exit_negative(entry.pk, actor=users["jxk"], reason="已整改")
    services.do_transition(item.pk, "feedback", actor=users["dw"], measures="m", evidence="e")
    for other in RectificationItem.objects.filter(unit=unit).exclude(state="verified").exclude(pk=item.pk):
        RectificationItem.objects.filter(pk=other.pk).update(state="verified")
    services.do_transition(item.pk, "verify", actor=users["jxk"])
    services.do_exit_negative(entry.pk, actor=users["jxk"], reason="整改到位")
    entry.refresh_from_db()
    assert entry.removed_at is not None
    html = client_as("dw").get("/results/negative/", {"year": YEAR}).content.decode()
    assert "已移出（整改已核验：整改到位）" in html  # history kept


def test_negative_rules_list_low_execution_projects(users):
    from wenxiao.monitoring.models import ProjectStatus
    from wenxiao.orgs.selectors import home_region

    region = home_region(users["jxk"])
    low = ProjectStatus.objects.filter(region__path__startswith=region.path, year=YEAR, rate__lt=30).count()
    assert low > 0
    found = services.negative_candidates(region, YEAR)
    assert any("执行率低" in r for c in found for r in c["reasons"])
    n = services.do_apply_negative_rules(actor=users["jxk"], year=YEAR)
    assert n == len(found)
    assert NegativeListEntry.objects.filter(source="结果应用", year=YEAR).count() == n
    assert services.negative_candidates(region, YEAR) == []  # already listed
    with pytest.raises(PermissionDenied):
        services.do_apply_negative_rules(actor=users["dw"], year=YEAR)


# --- reports, metrics, CLI -------------------------------------------------------------------------------------


def test_government_report_has_figures_and_charts(users, client_as):
    r = client_as("jxk").get("/results/reports/government.docx", {"year": YEAR})
    assert r.status_code == 200
    from docx import Document

    doc = Document(io.BytesIO(r.content))
    assert len(doc.inline_shapes) == 3
    text = _docx_text(r.content)
    figs = selectors.figures(users["jxk"], YEAR)["total"]
    assert "人民政府" in text and f"共{figs['total']}项" in text and f"已核验销号{figs['verified']}项" in text


def test_npc_report_from_the_command_line(users, tmp_path):
    from wenxiao.cli import main

    out = tmp_path / "npc.docx"
    assert main(["report", "npc", "--year", str(YEAR), "-o", str(out), "--user", "rd"]) == 0
    text = _docx_text(out.read_bytes())
    assert "人大常委会" in text and "专题报告" in text
    assert main(["report", "government", "--year", str(YEAR), "-o", str(tmp_path / "g.docx"), "--user", "dw"]) == 2


def test_rectification_metrics(users):
    from wenxiao.oversight.metrics import compute, pct

    dept = users["zgbm"].assignments.get().org
    issued = RectificationItem.objects.filter(department=dept, year=YEAR, duplicate_of__isnull=True).exclude(
        state="draft"
    )
    n, done = issued.count(), issued.filter(state="verified").count()
    late = sum(1 for i in issued if i.is_overdue)
    item = dw_item(users, days=-1)
    assert compute("rectify_overdue_rate", dept, YEAR) == pct(late + 1, n + 1)
    assert compute("rectify_done_rate", dept, YEAR) == pct(done, n + 1)
    services.do_transition(item.pk, "feedback", actor=users["dw"], measures="m", evidence="e")
    services.do_transition(item.pk, "verify", actor=users["jxk"])
    assert compute("rectify_done_rate", dept, YEAR) == pct(done + 1, n + 1)
    assert compute("rectify_overdue_rate", dept, YEAR) == pct(late, n + 1)
    county = users["xian_jxk"].assignments.get().org.region
    assert compute("rectify_done_rate", county, YEAR) is None  # nothing issued there


def test_home_shows_figures_by_department_and_source(users, client_as):
    dw_item(users, days=-2, problem="首页逾期事项")
    html = client_as("jxk").get("/results/", {"year": YEAR}).content.decode()
    dept = users["zgbm"].assignments.get().org.name
    assert dept in html.split('id="by-department"', 1)[1]
    assert "审计" in html.split('id="by-source"', 1)[1]
    assert "首页逾期事项" in html and "重点结果（领导参阅）" in html
    assert "重点结果（领导参阅）" not in client_as("dw").get("/results/").content.decode()


def test_letter_from_a_monitoring_round_lists_the_units_warnings(users):
    from wenxiao.monitoring.models import MonitoringRound, Warning

    rnd = MonitoringRound.objects.filter(region=users["jxk"].assignments.get().org.region).order_by("id").first()
    w = Warning.objects.filter(year=rnd.year, region=rnd.region).select_related("project", "unit").first()
    letter = services.do_create_letter(actor=users["jxk"], round_id=rnd.pk, unit_id=w.unit_id)
    assert letter.source == "monitoring" and letter.unit_id == w.unit_id
    assert any(w.title in f and w.project.name in f for f in letter.findings)
    assert letter.items.count() == len(letter.findings)
    assert set(letter.items.values_list("source", flat=True)) == {"monitoring"}
    with pytest.raises(PermissionDenied):
        services.do_create_letter(actor=users["zgbm"], round_id=rnd.pk, unit_id=w.unit_id)


def test_negative_listing_of_a_unit_covers_its_projects(users):
    unit = users["dw"].assignments.get().org
    assert selectors.negative_listed(unit.pk) == []
    e = NegativeListEntry.objects.create(
        region_id=unit.region_id, year=YEAR, unit=unit, reason="制度不健全", added_by=users["jxk"]
    )
    project = unit.projects.order_by("code").first()
    assert selectors.negative_listed(unit.pk, project.pk) == [e]
    assert selectors.negative_listed(users["dw2"].assignments.get().org.pk) == []


def test_the_negative_list_shows_where_the_project_appears_and_flags_new_projects(users, client_as):
    """R40: the mark on the project's pages; a listed unit's new project needs finance's ex-ante assessment."""
    from datetime import date
    from decimal import Decimal

    from wenxiao.appraisal.services import flag_if_needed
    from wenxiao.monitoring.models import NegativeListEntry
    from wenxiao.projects.models import Project, ProjectBudget

    entry = NegativeListEntry.objects.filter(removed_at__isnull=True, project__isnull=False).first()
    for path in (f"/projects/{entry.project_id}/", f"/monitoring/projects/{entry.project_id}/"):
        assert "负面清单" in client_as("jxk").get(path).content.decode(), path
    unit = entry.unit
    small = Project.objects.filter(unit=unit).first()
    new = Project.objects.create(
        region=small.region, code=f"{small.region.code}2027{unit.code[-6:]}99999", name="负面清单单位新增项目",
        department=small.department, unit=unit, start_year=2027, end_year=2027, project_class="3",
        attribute="new", state="draft", budget_kind="1", function_class_id=small.function_class_id,
        economic_class_id=small.economic_class_id,
    )  # fmt: skip
    ProjectBudget.objects.create(region=new.region, project=new, year=2027, amount_initial=Decimal("100000"),
                                 amount_adjusted=Decimal("100000"), amount_fiscal=Decimal("100000"))  # fmt: skip
    NegativeListEntry.objects.create(region=unit.region, year=2026, unit=unit, reason="评价为差且整改逾期",
                                     added_by=users["jxk"], added_at=date(2026, 11, 1))  # fmt: skip
    a = flag_if_needed(new, 2027, actor=users["jxk"])  # 10万元: far below the 200万元 threshold
    assert a is not None and a.finance_required
    assert any("负面清单" in r for r in a.triggers)

"""考核与综合评价 through the database: schemes, metrics, rounds, import, manual scores, publication and who sees
what, 约谈 and 移送纪检监察, the 通报 and the exports, the pages, the API and the CLI."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum

from wenxiao.core.attachments import attachments_of
from wenxiao.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from wenxiao.core.models import AuditEvent
from wenxiao.orgs.models import Organisation, Region
from wenxiao.oversight import excel, metrics, services
from wenxiao.oversight.models import (
    AssessmentRound,
    AssessmentScheme,
    AssessmentScore,
    AssessmentSubject,
    Interview,
    Referral,
)
from wenxiao.projects.models import MonthlyExecution, ProjectBudget

pytestmark = pytest.mark.django_db


def fiscal_round() -> AssessmentRound:
    return AssessmentRound.objects.get(kind="fiscal", year=2025)


def dept_round() -> AssessmentRound:
    return AssessmentRound.objects.get(kind="department", year=2026)


def county_of(users) -> Region:
    return users["xian_jxk"].assignments.get().org.region


def zgbm_dept(users) -> Organisation:
    return users["zgbm"].assignments.get().org


def _table(html: str) -> str:
    return html.split('id="ranking-table"', 1)[1].split("</table>", 1)[0]


def _book(rnd, values: dict) -> bytes:
    """An import template of `rnd` with {(subject code, indicator name): value}."""
    columns = services.import_columns(rnd)
    subjects = list(rnd.subjects.order_by("code").values_list("code", "name"))
    by_name = {c.name: c.id for c in columns}
    return excel.template_xlsx("t", subjects, columns, {(code, by_name[n]): v for (code, n), v in values.items()})


def _fresh_fiscal(users) -> AssessmentRound:
    scheme = services.do_create_scheme(actor=users["jxk"], year=2026, kind="fiscal", name="测试方案")
    return services.do_open_round(actor=users["jxk"], scheme_id=scheme.pk, name="测试轮次")


# --- the seeded demo -----------------------------------------------------------------------------------------


def test_the_demo_has_a_published_county_round_with_an_interview_and_a_department_round_under_way(users):
    rnd = fiscal_round()
    assert rnd.state == "published" and rnd.region == users["jxk"].assignments.get().org.region
    subjects = list(rnd.subjects.order_by("rank"))
    assert len(subjects) == 3 and [s.rank for s in subjects] == [1, 2, 3]
    assert all(s.missing == 0 and s.grade for s in subjects)
    assert subjects[0].total >= subjects[1].total >= subjects[2].total
    assert Interview.objects.get().subject == subjects[-1]  # the last-ranked county was interviewed
    d = dept_round()
    assert (
        d.state == "open"
        and d.subjects.count() == Organisation.objects.filter(region=rnd.region, kind="department").count()
    )


# --- metrics ---------------------------------------------------------------------------------------------------


def test_execution_rate_of_a_county_is_payments_over_adjusted_budget(users):
    county = county_of(users)
    paid = MonthlyExecution.objects.filter(project__region__path__startswith=county.path, year=2025).aggregate(
        s=Sum("amount")
    )["s"]
    budget = ProjectBudget.objects.filter(project__region__path__startswith=county.path, year=2025).aggregate(
        s=Sum("amount_adjusted")
    )["s"]
    expected = (paid * 100 / budget).quantize(Decimal("0.01"))
    assert metrics.compute("execution_rate", county, 2025) == expected
    row = AssessmentScore.objects.get(
        subject__round=fiscal_round(), subject__subject_region=county, indicator__metric="execution_rate"
    )
    assert row.value == expected  # the seeded round stored exactly that


def test_department_metrics_count_only_that_department(users):
    dept = zgbm_dept(users)
    from wenxiao.targets.models import Target

    approved = Target.objects.filter(department=dept, year=2026, state="approved")
    published = approved.filter(published=True).count()
    assert metrics.compute("disclosure_rate", dept, 2026) == (Decimal(published * 100) / approved.count()).quantize(
        Decimal("0.01")
    )
    approved.filter(pk=approved.first().pk).update(published=False)
    assert metrics.compute("disclosure_rate", dept, 2026) == (
        Decimal((published - 1) * 100) / approved.count()
    ).quantize(Decimal("0.01"))
    assert metrics.compute("target_rate", dept, 2031) is None  # no budgets: nothing to measure


def test_another_app_can_register_a_metric_and_a_scheme_can_use_it(users):
    @metrics.metric("test_selfeval_rate", "单位自评覆盖率（测试）")
    def selfeval(subject, year):
        return Decimal("88") if getattr(subject, "code", "") == county_of(users).code else Decimal("100")

    try:
        rnd = _fresh_fiscal(users)
        scheme = rnd.scheme
        rows = [{f: getattr(i, f) for f in services.SPEC_FIELDS} for i in scheme.indicators.all()]
        rows[0].update(source="metric", metric="test_selfeval_rate", name="单位自评覆盖率", full_mark=100, zero_mark=80)
        services.do_save_scheme(scheme.pk, rows, actor=users["jxk"])
        rnd = services.do_open_round(actor=users["jxk"], scheme_id=scheme.pk)
        services.do_run_metrics(rnd.pk, actor=users["jxk"])
        own = AssessmentScore.objects.get(
            subject__round=rnd, subject__code=county_of(users).code, indicator__name="单位自评覆盖率"
        )
        assert own.value == Decimal("88") and own.score == Decimal("4.00")  # (88-80)/(100-80) × 10
    finally:
        metrics.REGISTRY.pop("test_selfeval_rate", None)


# --- schemes ----------------------------------------------------------------------------------------------------


def test_a_new_scheme_copies_the_configured_template(users):
    from wenxiao.core.config import do_set_setting

    city = users["jxk"].assignments.get().org.region
    do_set_setting(
        "oversight.template.department",
        region=city,
        year=2027,
        value=[
            ["履职", "绩效目标申报率", 60, "metric", "positive", 100, 80, "%", "target_rate"],
            ["履职", "工作态度", 40, "manual", "manual", None, None, "", ""],
        ],
        actor=users["jxk"],
    )
    s = services.do_create_scheme(actor=users["jxk"], year=2027, kind="department")
    assert [(i.name, i.weight) for i in s.indicators.all()] == [("绩效目标申报率", 60), ("工作态度", 40)]
    s2026 = services.do_create_scheme(actor=users["jxk"], year=2026, kind="fiscal")
    lib = s2026.indicators.get(name="库款保障水平")
    assert (lib.rule, lib.full_mark, lib.full_mark_high) == ("range", Decimal("0.3"), Decimal("0.8"))


def test_a_scheme_whose_weights_do_not_add_up_is_refused_and_left_unchanged(users):
    s = services.do_create_scheme(actor=users["jxk"], year=2026, kind="bureau")
    rows = [{f: getattr(i, f) for f in services.SPEC_FIELDS} for i in s.indicators.all()]
    rows[0]["weight"] = 25
    rows[1].update(source="metric", metric="no_such_metric")
    rows[2].update(rule="positive", full_mark=60, zero_mark=90)
    with pytest.raises(ValidationError) as e:
        services.do_save_scheme(s.pk, rows, actor=users["jxk"], expected_version=s.version)
    text = repr(e.value.errors)
    assert "各指标分值合计应为100，现为115" in text
    assert "未知的计算指标“no_such_metric”" in text
    assert "零分值应低于满分值" in text
    assert s.indicators.get(order=0).weight == 10
    unchanged = [{f: getattr(i, f) for f in services.SPEC_FIELDS} for i in s.indicators.all()]
    with pytest.raises(Conflict):
        services.do_save_scheme(s.pk, unchanged, actor=users["jxk"], expected_version=s.version + 5)


def test_only_the_owning_performance_section_writes(users):
    s = AssessmentScheme.objects.get(kind="fiscal", year=2025)
    for who in ("xian_jxk", "ywk", "zgbm", "rd", "dw"):
        with pytest.raises((PermissionDenied, NotFound)):
            services.do_open_round(actor=users[who], scheme_id=s.pk)
        with pytest.raises((PermissionDenied, NotFound)):
            services.do_run_metrics(dept_round().pk, actor=users[who])
    assert AssessmentRound.objects.count() == 2


# --- import -----------------------------------------------------------------------------------------------------


def test_import_is_all_or_nothing_with_a_chinese_error_report(users):
    rnd = _fresh_fiscal(users)
    codes = list(rnd.subjects.order_by("code").values_list("code", flat=True))
    good = _book(rnd, {(codes[0], "税收收入占比"): Decimal("70"), (codes[1], "税收收入占比"): Decimal("55")})
    import python_calamine

    wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(good))
    rows = wb.get_sheet_by_name(excel.SHEET).to_python()
    rows[2][rows[0].index("政府债务率（%）")] = "很高"
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = book.add_worksheet(excel.SHEET)
    for r, row in enumerate(rows):
        ws.write_row(r, 0, row)
    book.close()
    before = AuditEvent.objects.count()
    parsed = services.do_import_values(rnd.pk, buf.getvalue(), "bad.xlsx", actor=users["jxk"])
    assert not parsed.ok
    assert [str(e) for e in parsed.errors] == ["第3行“政府债务率（%）”列：“很高”不是数字"]
    assert not AssessmentScore.objects.filter(subject__round=rnd, value__isnull=False, indicator__source="import")
    assert AuditEvent.objects.count() == before

    assert services.do_import_values(rnd.pk, good, "good.xlsx", actor=users["jxk"], dry_run=True).ok
    assert not AssessmentScore.objects.filter(subject__round=rnd, indicator__source="import", value__isnull=False)
    services.do_import_values(rnd.pk, good, "good.xlsx", actor=users["jxk"])
    first = AssessmentScore.objects.get(subject__round=rnd, subject__code=codes[0], indicator__name="税收收入占比")
    second = AssessmentScore.objects.get(subject__round=rnd, subject__code=codes[1], indicator__name="税收收入占比")
    assert (first.value, first.score) == (Decimal("70"), Decimal("8.00"))  # (70-50)/(75-50) × 10
    assert (second.value, second.score) == (Decimal("55"), Decimal("2.00"))
    assert AuditEvent.objects.filter(action="oversight.round_import", object_id=str(rnd.pk)).exists()


# --- manual scores, publication, visibility ------------------------------------------------------------------------


def test_a_manual_score_is_checked_and_keeps_its_evidence(users):
    rnd = dept_round()
    row = AssessmentScore.objects.filter(subject__round=rnd, indicator__source="manual", score__isnull=True).first()
    with pytest.raises(ValidationError) as e:
        services.do_score_manual(row.pk, actor=users["jxk"], score="12", note="x")
    assert "得分应在0到10分之间" in repr(e.value.errors)
    with pytest.raises(ValidationError) as e:
        services.do_score_manual(row.pk, actor=users["jxk"], score="8", note=" ")
    assert "请填写评分说明" in repr(e.value.errors)
    for outsider in ("xian_jxk", "ywk", "rd"):  # out of scope, or a reader: refused either way
        with pytest.raises((PermissionDenied, NotFound)):
            services.do_score_manual(row.pk, actor=users[outsider], score="8", note="越权")
    before = row.subject.total
    evidence = SimpleUploadedFile("自评与整改台账.pdf", b"%PDF-1.4 evidence")
    services.do_score_manual(row.pk, actor=users["jxk"], score="8.5", note="整改台账完整", evidence=evidence)
    row.refresh_from_db()
    assert row.score == Decimal("8.50") and [a.name for a in attachments_of(row)] == ["自评与整改台账.pdf"]
    assert AssessmentSubject.objects.get(pk=row.subject_id).total == before + Decimal("8.50")
    with pytest.raises(Conflict):
        services.do_score_manual(row.pk, actor=users["jxk"], score="9", note="再评", expected_version=1)
    computed = AssessmentScore.objects.filter(subject__round=rnd, indicator__source="metric").first()
    with pytest.raises(ValidationError):
        services.do_score_manual(computed.pk, actor=users["jxk"], score="1", note="改分")


def _finish(rnd, jxk):
    for row in AssessmentScore.objects.filter(subject__round=rnd, score__isnull=True, indicator__source="manual"):
        services.do_score_manual(row.pk, actor=jxk, score="7", note="基本完成")


def test_publication_needs_every_item_and_then_departments_see_their_own_result(users, client_as):
    rnd = dept_round()
    own = rnd.subjects.get(subject_org=zgbm_dept(users))
    with pytest.raises(ValidationError) as e:
        services.do_publish_round(rnd.pk, actor=users["jxk"])
    assert "未评分" in e.value.message
    assert client_as("zgbm").get(f"/oversight/subjects/{own.pk}/").status_code == 404  # not published yet
    assert rnd.name not in client_as("zgbm").get("/oversight/").content.decode()
    _finish(rnd, users["jxk"])
    services.do_publish_round(rnd.pk, actor=users["jxk"])
    html = client_as("zgbm").get(f"/oversight/rounds/{rnd.pk}/").content.decode()
    table = html.split('id="ranking-table"', 1)[1].split("</table>", 1)[0]
    assert own.name in table
    other = rnd.subjects.exclude(pk=own.pk).first()
    assert other.name not in table
    assert client_as("zgbm").get(f"/oversight/subjects/{other.pk}/").status_code == 404
    assert client_as("dw").get(f"/oversight/rounds/{rnd.pk}/").status_code == 404  # units see nothing
    row = AssessmentScore.objects.filter(subject__round=rnd, indicator__source="manual").first()
    with pytest.raises(Conflict):
        services.do_score_manual(row.pk, actor=users["jxk"], score="1", note="公布后改分")
    with pytest.raises(Conflict):
        services.do_run_metrics(rnd.pk, actor=users["jxk"])


def test_a_county_sees_only_its_own_published_result(users, client_as):
    rnd = fiscal_round()
    county = county_of(users)
    own = rnd.subjects.get(subject_region=county)
    html = client_as("xian_jxk").get(f"/oversight/rounds/{rnd.pk}/").content.decode()
    table = html.split('id="ranking-table"', 1)[1].split("</table>", 1)[0]
    assert own.name in table
    for other in rnd.subjects.exclude(pk=own.pk):
        assert other.name not in table
        assert client_as("xian_jxk").get(f"/oversight/subjects/{other.pk}/").status_code == 404
    assert client_as("xian_jxk").get(f"/oversight/subjects/{own.pk}/").status_code == 200
    assert client_as("xian_jxk").get(f"/oversight/rounds/{dept_round().pk}/").status_code == 404
    for reader in ("jxk", "ywk", "rd"):  # the city's finance sections and its 人大 read every county's result
        html = client_as(reader).get(f"/oversight/rounds/{rnd.pk}/").content.decode()
        assert all(s.name in _table(html) for s in rnd.subjects.all()), reader


# --- 约谈 and 移送 -------------------------------------------------------------------------------------------------


def test_interview_and_referral_records(users, client_as):
    rnd = fiscal_round()
    own = rnd.subjects.get(subject_region=county_of(users))
    with pytest.raises(ValidationError) as e:
        services.do_record_interview(
            own.pk, actor=users["jxk"], date="2026-05-01", attendees="", problems="x", deadline="2026-04-01"
        )
    assert "整改期限应晚于约谈日期" in repr(e.value.errors) and "请填写参加人员" in repr(e.value.errors)
    iv = services.do_record_interview(
        own.pk, actor=users["jxk"], date="2026-05-01", attendees="县财政局局长", problems="库款保障不足",
        deadline="2026-08-31",
    )  # fmt: skip
    with pytest.raises(ValidationError):
        services.do_update_interview(iv.pk, actor=users["jxk"], status="done", result="")
    services.do_update_interview(iv.pk, actor=users["jxk"], status="done", result="暂付款已消化30%", expected_version=1)
    with pytest.raises(Conflict):
        services.do_update_interview(iv.pk, actor=users["jxk"], status="overdue", result="x", expected_version=1)
    with pytest.raises(PermissionDenied):
        services.do_update_interview(iv.pk, actor=users["xian_jxk"], status="done", result="自己销号")
    ref = services.do_refer(
        own.pk,
        actor=users["jxk"],
        date=date(2026, 6, 1),
        matter="违规将专项资金用于平衡预算",
        reason="考核中发现挪用专项资金",
        recipient="衡阳市纪委监委",
    )
    assert Referral.objects.get(pk=ref.pk).status == "referred"
    with pytest.raises(PermissionDenied):
        services.do_refer(own.pk, actor=users["xian_jxk"], date="2026-06-01", matter="x", reason="x", recipient="x")
    # the county sees its own 约谈 and how it was closed, never finance's referral
    html = client_as("xian_jxk").get(f"/oversight/subjects/{own.pk}/").content.decode()
    assert "暂付款已消化30%" in html and "违规将专项资金用于平衡预算" not in html
    html = client_as("jxk").get(f"/oversight/subjects/{own.pk}/").content.decode()
    assert "违规将专项资金用于平衡预算" in html and "暂付款已消化30%" in html


# --- 通报, exports, pages, API, CLI -----------------------------------------------------------------------------------


def _docx_text(data: bytes) -> str:
    from docx import Document

    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_the_notice_has_the_ranking_grade_mix_and_weak_points(users, client_as):
    rnd = fiscal_round()
    r = client_as("jxk").get(f"/oversight/rounds/{rnd.pk}/report.docx")
    text = _docx_text(r.content)
    assert f"关于{rnd.name}结果的通报" in text
    for s in rnd.subjects.all():
        assert s.name in text and f"{s.total:.2f}" in text
    assert "三、等次分布" in text and "四、存在的主要问题" in text and "平均得分率" in text
    county_text = _docx_text(client_as("xian_jxk").get(f"/oversight/rounds/{rnd.pk}/report.docx").content)
    others = rnd.subjects.exclude(subject_region=county_of(users))
    assert all(o.name not in county_text for o in others)


def test_the_xlsx_export_lists_every_subject_with_its_scores(client_as):
    import python_calamine

    rnd = fiscal_round()
    r = client_as("jxk").get(f"/oversight/rounds/{rnd.pk}/report.xlsx")
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(r.content))
    rows = book.get_sheet_by_name("考核结果").to_python()
    assert [row[2] for row in rows[1:]] == list(rnd.subjects.order_by("rank", "code").values_list("name", flat=True))
    assert {round(float(row[3]), 2) for row in rows[1:]} == {
        float(t) for t in rnd.subjects.values_list("total", flat=True)
    }


def test_the_pages_work_for_the_performance_section(users, client_as):
    c = client_as("jxk")
    r = c.post("/oversight/", {"op": "scheme", "kind": "bureau", "year": "2026", "name": "下级财政考核方案"})
    scheme = AssessmentScheme.objects.get(name="下级财政考核方案")
    assert r.status_code == 302 and r["Location"] == f"/oversight/schemes/{scheme.pk}/"
    assert "预算绩效管理制度建设" in c.get(f"/oversight/schemes/{scheme.pk}/").content.decode()
    r = c.post("/oversight/", {"op": "round", "scheme": scheme.pk, "name": "2026年度下级财政考核"})
    rnd = AssessmentRound.objects.get(name="2026年度下级财政考核")
    assert rnd.subjects.count() == 3
    c.post(f"/oversight/rounds/{rnd.pk}/run/")
    assert AssessmentRound.objects.get(pk=rnd.pk).computed_at is not None
    tpl = c.get(f"/oversight/rounds/{rnd.pk}/template.xlsx")
    parsed = excel.read_values(
        tpl.content, dict(rnd.subjects.values_list("code", "name")), services.import_columns(rnd)
    )
    assert parsed.errors and "没有可导入的数值" in str(parsed.errors[0])  # an empty template, but well-formed
    bad = SimpleUploadedFile("x.xlsx", b"nope")
    html = c.post(f"/oversight/rounds/{rnd.pk}/import/", {"file": bad}).content.decode()
    assert "校验未通过" in html and "无法读取" in html
    item = AssessmentScore.objects.filter(subject__round=rnd, indicator__source="manual").first()
    c.post(f"/oversight/rounds/{rnd.pk}/manual/", {"score_id": item.pk, "score": "9", "note": "制度健全"})
    assert AssessmentScore.objects.get(pk=item.pk).score == Decimal("9.00")
    html = c.get(f"/oversight/rounds/{rnd.pk}/").content.decode()
    assert 'id="chart-ranking"' in html and "ranking-data" in html
    html = c.post(f"/oversight/rounds/{rnd.pk}/publish/", follow=True).content.decode()
    assert "未评分" in html and AssessmentRound.objects.get(pk=rnd.pk).state == "open"
    one = {
        "rows": "1",
        "name-0": "唯一指标",
        "group-0": "x",
        "weight-0": "50",
        "source-0": "manual",
        "rule-0": "manual",
    }
    schemes_html = c.post(f"/oversight/schemes/{scheme.pk}/", one, follow=True).content.decode()
    assert "各指标分值合计应为100，现为50" in schemes_html


def test_api_round_trip(api_as, users):
    c = api_as("jxk")
    r = c.post("/api/v1/oversight/schemes", {"year": 2026, "kind": "department"}, content_type="application/json")
    assert r.status_code == 201 and len(r.json()["indicators"]) == 8
    r = c.post("/api/v1/oversight/rounds", {"scheme_id": r.json()["id"]}, content_type="application/json")
    rid = r.json()["id"]
    assert c.post(f"/api/v1/oversight/rounds/{rid}/run").json()["metrics"] == 7
    results = c.get(f"/api/v1/oversight/rounds/{rid}/results").json()
    assert len(results) == 22 and all(len(x["scores"]) == 8 for x in results)
    assert results[0]["rank"] == 1
    r = c.post(f"/api/v1/oversight/rounds/{rid}/publish", {}, content_type="application/json")
    assert r.status_code == 400 and "未评分" in r.json()["detail"]
    assert "execution_rate" in {m["key"] for m in c.get("/api/v1/oversight/metrics").json()}


def test_cli_run_and_report(users, capsys, tmp_path):
    from wenxiao.cli import main

    rnd = dept_round()
    assert main(["oversight", "run", str(rnd.pk)]) == 0
    out = capsys.readouterr().out
    assert "计算系统指标7项" in out and rnd.subjects.order_by("rank").first().name in out
    target = tmp_path / "通报.docx"
    assert main(["oversight", "report", str(fiscal_round().pk), "-o", str(target)]) == 0
    assert "考核结果" in _docx_text(target.read_bytes())
    assert main(["oversight", "run", str(rnd.pk), "--user", "xian_jxk"]) == 1
    assert main(["oversight", "report", str(rnd.pk), "-o", str(target), "--user", "dw"]) == 1

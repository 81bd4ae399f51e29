"""The official target forms as files: xlsx export → import round trips, cell-by-cell rejection, stale and foreign
files, all-or-nothing writes, the Word and PDF forms, and the command-line export/import."""

import io
import re
import zipfile
from decimal import Decimal
from xml.sax.saxutils import escape

import pytest
from django.conf import settings

from wenxiao.core.models import AuditEvent
from wenxiao.projects.models import Project, ProjectBudget
from wenxiao.targets import excel, services
from wenxiao.targets.cli import export_targets, import_targets
from wenxiao.targets.models import Target

pytestmark = pytest.mark.django_db

NEXT = settings.FISCAL_YEAR + 1


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# --- helpers -----------------------------------------------------------------------------------------------


def _unit(users, name="dw"):
    return users[name].assignments.get().org


def _new_draft(users, exclude=()) -> Target:
    """A draft project target of dw's unit for next year, with indicator rows (prefilled from this year's).

    The demo leaves dw's unit without next-year budget requests, so one of its projects with an approved target
    this year asks for money again first (a continuing project), as the budget module would record it.
    """
    unit = _unit(users)
    projects = (
        Project.objects.filter(unit=unit, targets__year=settings.FISCAL_YEAR, targets__state="approved")
        .exclude(targets__year=NEXT)
        .exclude(pk__in=exclude)
        .order_by("code")
    )
    project = projects.filter(budgets__year=NEXT).first() or projects.first()
    assert project is not None, "the demo seed should give dw's unit approved targets this year"
    this_year = ProjectBudget.objects.get(project=project, year=settings.FISCAL_YEAR)
    Project.objects.filter(pk=project.pk, end_year__lt=NEXT).update(end_year=NEXT)
    ProjectBudget.objects.get_or_create(
        project=project,
        year=NEXT,
        defaults={
            "region_id": project.region_id,
            "amount_initial": this_year.amount_initial,
            "amount_adjusted": this_year.amount_initial,
            "amount_fiscal": this_year.amount_fiscal,
        },
    )
    target = services.do_create_project_target(project.pk, NEXT, actor=users["dw"])
    assert target.indicators.count() >= 3
    return target


@pytest.fixture
def draft(users) -> Target:
    existing = (
        Target.objects.filter(state="draft", year=NEXT, unit=_unit(users), kind="project")
        .filter(indicators__isnull=False)
        .distinct()
        .order_by("id")
        .first()
    )
    return existing or _new_draft(users)


def _snapshots(qs) -> dict:
    return {t.pk: (t.version, services.snapshot(t)) for t in qs}


def _sheet_xml_name(data: bytes, sheet_name: str) -> str:
    """The zip member holding a sheet (xlsxwriter numbers them in workbook order)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        book = z.read("xl/workbook.xml").decode()
    names = re.findall(r'<sheet name="([^"]*)"', book)
    unescaped = [n.replace("&amp;", "&").replace("&quot;", '"') for n in names]
    return f"xl/worksheets/sheet{unescaped.index(sheet_name) + 1}.xml"


def set_cell(data: bytes, sheet_name: str, ref: str, text: str) -> bytes:
    """The workbook with one cell replaced by an inline string — what a user typing into Excel produces."""
    member = _sheet_xml_name(data, sheet_name)
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == member:
                xml = body.decode()
                pattern = re.compile(rf'<c r="{ref}"(?P<attrs>[^>]*?)(?:/>|>.*?</c>)', re.S)
                m = pattern.search(xml)
                assert m, f"cell {ref} not in sheet"
                style = re.search(r'\ss="\d+"', m["attrs"])
                cell = f'<c r="{ref}"{style[0] if style else ""} t="inlineStr"><is><t>{escape(text)}</t></is></c>'
                body = (xml[: m.start()] + cell + xml[m.end() :]).encode()
            dst.writestr(item, body)
    return out.getvalue()


def _export_one(client, target) -> bytes:
    r = client.get(f"/targets/{target.pk}/form.xlsx")
    assert r.status_code == 200
    assert r["Content-Type"] == excel_views_xlsx()
    return b"".join(r.streaming_content)


def excel_views_xlsx():
    from wenxiao.targets.excel_views import XLSX

    return XLSX


def _sheet_of(data: bytes, target) -> excel.SheetData:
    return next(s for s in excel.read_targets(data) if s.target_id == target.pk)


def _upload(client, data: bytes, name="绩效目标.xlsx"):
    f = io.BytesIO(data)
    f.name = name
    return client.post("/targets/import/", {"file": f})


# --- (a) round trip ----------------------------------------------------------------------------------------


def test_department_export_imported_back_changes_nothing(client_as, users, draft):
    dept = draft.department
    visible = Target.objects.visible_to(users["dw"]).filter(year=NEXT, department=dept)
    before = _snapshots(visible)
    events = AuditEvent.objects.count()
    client = client_as("dw")

    r = client.get("/targets/export/", {"year": NEXT, "department": dept.code})
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    data = b"".join(r.streaming_content)
    sheets = excel.read_targets(data)
    assert {s.target_id for s in sheets} == set(before)  # one sheet per visible target, the 说明 sheet skipped
    own = _sheet_of(data, draft)
    rows = list(draft.indicators.all())
    assert [(x.name, x.value) for x in own.rows] == [(x.name, x.value) for x in rows]
    assert [x.id for x in own.rows] == [x.pk for x in rows]

    page = _upload(client, data)
    assert page.status_code == 200
    html = page.content.decode()
    assert "没有需要更新的内容" in html and 'name="confirm"' not in html
    result = page.context["result"]
    assert result.ok and not result.changed
    assert {p.status for p in result.plans} == {"untouched"}

    # Even read as if the user had retyped every cell, the rows come out as what is stored: nothing to write.
    own.exported_fingerprint = ""
    plan = excel.validate([own], users["dw"]).plans[0]
    assert plan.status == "same", plan.note
    assert excel.commit(excel.validate(sheets, users["dw"]), users["dw"]).saved == []

    assert _snapshots(visible) == before
    assert AuditEvent.objects.count() == events  # no target.update, no target.import


def test_prospective_snapshot_matches_what_do_save_target_stores(users, draft):
    """The preview's "无变化" is only true if saving the same rows really leaves the snapshot as it was."""
    buf = io.BytesIO()
    excel.write_targets([draft], buf)
    sheet = _sheet_of(buf.getvalue(), draft)
    sheet.exported_fingerprint = ""
    plan = excel.validate([sheet], users["dw"]).plans[0]
    before = services.snapshot(draft)
    services.do_save_target(
        draft.pk,
        actor=users["dw"],
        expected_version=plan.version,
        rows=plan.rows,
        goal=plan.goal,
        goal_midterm=plan.goal_midterm,
    )
    assert services.snapshot(Target.objects.get(pk=draft.pk)) == before


def test_edited_file_previews_then_commits(client_as, users, draft, media):
    client = client_as("dw")
    data = _export_one(client, draft)
    sheet = _sheet_of(data, draft)
    first = sheet.rows[0]
    edited = set_cell(data, sheet.name, f"D{first.excel_row}", "≥99%" if first.value != "≥99%" else "≥98%")
    edited = set_cell(edited, sheet.name, f"E{first.excel_row}", "%")
    edited = set_cell(edited, sheet.name, f"I{first.excel_row}", "导入修改")
    version = draft.version

    page = _upload(client, edited)
    assert page.status_code == 200
    assert Target.objects.get(pk=draft.pk).version == version  # the preview writes nothing
    result = page.context["result"]
    assert result.ok, result.errors
    assert [p.status for p in result.plans] == ["change"]
    assert "修改 1 行" in result.plans[0].note
    [line] = result.plans[0].change_lines
    assert "备注 （空） → 导入修改" in line and "年度指标值" in line
    assert "导入修改" in page.content.decode()
    token = page.context["token"]
    assert token and (media / "imports" / f"{token}.xlsx").exists()

    done = client.post("/targets/import/", {"confirm": "1", "token": token})
    assert done.status_code == 302
    target = Target.objects.get(pk=draft.pk)
    assert target.version == version + 1
    row = target.indicators.get(pk=first.id)  # same row, library link kept
    assert (
        row.note == "导入修改"
        and row.value in ("≥99%", "≥98%")
        and row.template_id == draft.indicators.get(pk=first.id).template_id
    )
    assert AuditEvent.objects.filter(action="target.update", object_id=str(draft.pk)).exists()
    assert AuditEvent.objects.filter(action="target.import").exists()
    assert not (media / "imports" / f"{token}.xlsx").exists()
    # The token is spent: confirming again writes nothing.
    again = client.post("/targets/import/", {"confirm": "1", "token": token})
    assert again.status_code == 302 and Target.objects.get(pk=draft.pk).version == version + 1


# --- (b) one broken cell -----------------------------------------------------------------------------------


def test_one_broken_cell_rejects_the_file_naming_sheet_row_and_column(client_as, users, draft):
    client = client_as("dw")
    data = _export_one(client, draft)
    sheet = _sheet_of(data, draft)
    row = sheet.rows[1]
    broken = set_cell(data, sheet.name, f"D{row.excel_row}", "≥abc%")
    broken = set_cell(broken, sheet.name, f"F{sheet.rows[0].excel_row}", "十分")  # and a weight that is no number
    before = _snapshots(Target.objects.filter(pk=draft.pk))

    page = _upload(client, broken)
    html = page.content.decode()
    result = page.context["result"]
    assert not result.ok and not page.context["token"]
    by_cell = {(e.sheet, e.row, e.column): e.message for e in result.errors}
    assert by_cell[(sheet.name, row.excel_row, "D（年度指标值）")] == "指标值“≥abc%”中比较符号后缺少数值"
    assert "不是有效的数字" in by_cell[(sheet.name, sheet.rows[0].excel_row, "F（分值）")]
    assert f"第{row.excel_row}行" in html and "D（年度指标值）" in html and "比较符号后缺少数值" in html
    assert 'name="confirm"' not in html
    assert excel.commit(result, users["dw"]).ok is False
    assert _snapshots(Target.objects.filter(pk=draft.pk)) == before


def test_framework_names_empty_names_and_duplicates_are_cell_errors(users, draft):
    buf = io.BytesIO()
    excel.write_targets([draft], buf)
    data = buf.getvalue()
    sheet = _sheet_of(data, draft)
    r0, r1, r2 = (x.excel_row for x in sheet.rows[:3])
    data = set_cell(data, sheet.name, f"A{r0}", "产出")
    data = set_cell(data, sheet.name, f"C{r1}", "")
    data = set_cell(data, sheet.name, f"B{r2}", sheet.rows[0].level2)
    data = set_cell(data, sheet.name, f"C{r2}", sheet.rows[0].name)
    data = set_cell(data, sheet.name, f"A{r2}", sheet.rows[0].level1)
    errors = {(e.row, e.column): e.message for e in excel.validate(excel.read_targets(data), users["dw"]).errors}
    assert "不属于" in errors[(r0, "A（一级指标）")]
    assert errors[(r1, "C（三级指标）")] == "三级指标名称不能为空"
    assert errors[(r2, "C（三级指标）")].startswith(f"与第{r0}行重复")


# --- (c) stale file ----------------------------------------------------------------------------------------


def test_stale_file_is_rejected(client_as, users, draft):
    client = client_as("dw")
    data = _export_one(client, draft)
    sheet = _sheet_of(data, draft)
    # Someone edits the target in the system after the export …
    services.do_save_target(
        draft.pk,
        actor=users["dw"],
        expected_version=draft.version,
        rows=[
            services.RowInput(r.level1, r.level2, r.name, r.value, r.unit, r.weight, id=r.pk)
            for r in draft.indicators.all()
        ],
        goal="系统中修改后的年度总体目标，按期完成各项任务。",
    )
    current = _snapshots(Target.objects.filter(pk=draft.pk))
    # … and the user edits the old file.
    edited = set_cell(data, sheet.name, f"I{sheet.rows[0].excel_row}", "旧文件上的修改")
    page = _upload(client, edited)
    result = page.context["result"]
    assert not result.ok
    [e] = result.errors
    assert e.sheet == sheet.name and "导出后该绩效目标已被修改" in e.message
    assert sheet.name in page.content.decode()
    assert _snapshots(Target.objects.filter(pk=draft.pk)) == current

    # The same old file, not edited, overwrites nothing either: it is skipped with a note.
    plan = excel.validate(excel.read_targets(data), users["dw"]).plans[0]
    assert plan.status == "untouched" and "已在系统中被修改" in plan.note
    assert _snapshots(Target.objects.filter(pk=draft.pk)) == current


# --- (d) foreign and locked targets ------------------------------------------------------------------------


def test_another_unit_cannot_import_dws_target(client_as, users, draft):
    data = _export_one(client_as("dw"), draft)
    sheet = _sheet_of(data, draft)
    edited = set_cell(data, sheet.name, f"I{sheet.rows[0].excel_row}", "越权修改")
    before = _snapshots(Target.objects.filter(pk=draft.pk))
    for file in (data, edited):
        page = _upload(client_as("dw2"), file)
        result = page.context["result"]
        assert not result.ok
        assert [e.message for e in result.errors] == ["该表对应的绩效目标不存在，或不在您的数据范围内。"]
        html = page.content.decode()
        assert f"/targets/{draft.pk}/" not in html and draft.state_label not in html  # nothing from the database
    # dw's own pending upload cannot be confirmed from dw2's session.
    page = _upload(client_as("dw"), edited)
    token = page.context["token"]
    assert token
    r = client_as("dw2").post("/targets/import/", {"confirm": "1", "token": token})
    assert r.status_code == 302
    assert _snapshots(Target.objects.filter(pk=draft.pk)) == before


def test_target_in_a_state_the_user_cannot_edit_is_rejected(client_as, users):
    approved = Target.objects.filter(unit=_unit(users), year=settings.FISCAL_YEAR, state="approved").first()
    data = _export_one(client_as("dw"), approved)
    sheet = _sheet_of(data, approved)
    edited = set_cell(data, sheet.name, f"I{sheet.rows[0].excel_row}", "批复后修改")
    result = _upload(client_as("dw"), edited).context["result"]
    assert [e.message for e in result.errors] == ["绩效目标处于“已批复”状态，您无权修改。"]


def test_all_or_nothing_when_a_save_fails(users, draft):
    other = _new_draft(users, exclude=[draft.project_id])
    buf = io.BytesIO()
    excel.write_targets([draft, other], buf)
    data = buf.getvalue()
    sheets = excel.read_targets(data)
    for s in sheets:
        data = set_cell(data, s.name, f"I{s.rows[0].excel_row}", "批量修改")
    result = excel.validate(excel.read_targets(data), users["dw"])
    assert result.ok and len(result.changed) == 2
    # Between the preview and the confirmation someone saves the second target.
    services.do_distribute_weights(other.pk, actor=users["zgbm"], expected_version=other.version)
    before = _snapshots(Target.objects.filter(pk__in=[draft.pk, other.pk]))
    events = AuditEvent.objects.count()
    outcome = excel.commit(result, users["dw"])
    assert not outcome.ok and "已被他人修改" in outcome.errors[0].message
    assert outcome.errors[0].sheet == sheets[1].name
    assert _snapshots(Target.objects.filter(pk__in=[draft.pk, other.pk])) == before  # the first save rolled back
    assert AuditEvent.objects.count() == events


# --- whole-unit targets ------------------------------------------------------------------------------------


def test_whole_target_form_round_trip_and_task_edit(users):
    unit = _unit(users)
    _new_draft(users)  # gives the unit a next-year budget: the whole target's tasks come from its budgets
    target = Target.objects.filter(unit=unit, year=NEXT, kind="whole").first() or services.do_create_whole_target(
        unit.pk, NEXT, actor=users["dw"]
    )
    assert target.tasks.exists()
    buf = io.BytesIO()
    excel.write_targets([target], buf)
    data = buf.getvalue()
    sheet = _sheet_of(data, target)
    assert sheet.kind == "whole" and len(sheet.tasks) == target.tasks.count()
    assert excel.validate([sheet], users["dw"]).plans[0].status == "untouched"
    sheet.exported_fingerprint = ""
    assert excel.validate([sheet], users["dw"]).plans[0].status == "same"

    task = sheet.tasks[0]
    bad = set_cell(data, sheet.name, f"G{task.excel_row}", "一百万")
    errors = excel.validate(excel.read_targets(bad), users["dw"]).errors
    assert [(e.row, e.column) for e in errors] == [(task.excel_row, "G（总额（万元））")]

    edited = set_cell(data, sheet.name, f"G{task.excel_row}", "12.5")
    edited = set_cell(edited, sheet.name, f"H{task.excel_row}", "10")
    result = excel.validate(excel.read_targets(edited), users["dw"])
    assert result.ok and result.plans[0].status == "change"
    assert excel.commit(result, users["dw"]).ok
    first = Target.objects.get(pk=target.pk).tasks.order_by("order").first()
    assert (first.amount, first.amount_fiscal) == (Decimal("125000.00"), Decimal("100000.00"))
    # The old file is now stale: edited again, it is refused.
    errors = excel.validate(excel.read_targets(bad), users["dw"]).errors
    assert [e.row for e in errors] == [None] and "导出后该绩效目标已被修改" in errors[0].message


# --- (e) scope of the downloads ----------------------------------------------------------------------------


def test_downloads_of_an_out_of_scope_target_are_404(client_as, users, draft):
    for outsider in ("dw2", "xian_jxk", "dsf"):
        client = client_as(outsider)
        for suffix in ("form.xlsx", "form.docx", "form.pdf"):
            assert client.get(f"/targets/{draft.pk}/{suffix}").status_code == 404, (outsider, suffix)
    r = client_as("dw2").get("/targets/export/", {"year": NEXT, "department": draft.department.code})
    if r.status_code == 200:
        assert draft.pk not in {s.target_id for s in excel.read_targets(b"".join(r.streaming_content))}
    else:
        assert r.status_code == 302  # nothing of that department visible to dw2


def test_batch_export_holds_only_visible_targets(client_as, users):
    r = client_as("zgbm").get("/targets/export/", {"year": settings.FISCAL_YEAR})
    ids = {s.target_id for s in excel.read_targets(b"".join(r.streaming_content))}
    visible = set(
        Target.objects.visible_to(users["zgbm"]).filter(year=settings.FISCAL_YEAR).values_list("id", flat=True)
    )
    assert ids and ids == visible


# --- (f) Word and PDF --------------------------------------------------------------------------------------


def test_word_form_holds_the_project_and_its_indicators(client_as, draft):
    from docx import Document

    r = client_as("dw").get(f"/targets/{draft.pk}/form.docx")
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    doc = Document(io.BytesIO(b"".join(r.streaming_content)))
    text = "\n".join(
        [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for row in t.rows for c in row.cells]
    )
    assert "项目支出绩效目标申报表" in text
    assert draft.project.name in text
    assert draft.indicators.first().name in text


def test_pdf_form(client_as, draft):
    import weasyprint  # noqa: F401  — the PDF must really be produced here, not skipped

    r = client_as("dw").get(f"/targets/{draft.pk}/form.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert b"".join(r.streaming_content).startswith(b"%PDF")
    html = client_as("dw").get(f"/targets/{draft.pk}/form.pdf", {"format": "html"}).content.decode()
    assert draft.project.name in html and "http://" not in html and "https://" not in html


def test_pdf_without_weasyprint_is_a_clear_503(client_as, draft, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import fails as it does without libpango
    r = client_as("dw").get(f"/targets/{draft.pk}/form.pdf")
    assert r.status_code == 503
    html = r.content.decode()
    assert "暂时无法生成 PDF" in html and "Pango" in html and draft.project.name in html


# --- command line ------------------------------------------------------------------------------------------


def test_cli_export_and_import(tmp_path, capsys, users, draft):
    path = tmp_path / "targets.xlsx"
    assert export_targets(NEXT, draft.department.code, str(path), username="dw") == 0
    assert import_targets(str(path), dry_run=True, username="dw") == 0
    assert import_targets(str(path), dry_run=False, username="dw") == 0
    capsys.readouterr()
    data = path.read_bytes()
    sheet = _sheet_of(data, draft)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(set_cell(data, sheet.name, f"D{sheet.rows[0].excel_row}", "≥abc%"))
    version = Target.objects.get(pk=draft.pk).version
    assert import_targets(str(bad), dry_run=False, username="dw") == 1
    err = capsys.readouterr().err
    assert sheet.name in err and f"第{sheet.rows[0].excel_row}行" in err and "D（年度指标值）" in err
    assert Target.objects.get(pk=draft.pk).version == version
    good = tmp_path / "good.xlsx"
    good.write_bytes(set_cell(data, sheet.name, f"I{sheet.rows[0].excel_row}", "命令行导入"))
    assert import_targets(str(good), dry_run=True, username="admin") == 0
    assert Target.objects.get(pk=draft.pk).version == version
    assert import_targets(str(good), dry_run=False, username="admin") == 0
    assert Target.objects.get(pk=draft.pk).version == version + 1
    assert import_targets(str(good), dry_run=False, username="nobody") == 2

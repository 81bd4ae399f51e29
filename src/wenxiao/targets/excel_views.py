"""Target forms as files: xlsx export (one target or a department's), xlsx import with a preview, Word and PDF."""

from __future__ import annotations

import io
import logging
import re
import secrets
import time
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string

from wenxiao.orgs.models import Organisation
from wenxiao.targets import excel, selectors
from wenxiao.targets.models import Target

log = logging.getLogger(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_BATCH = 500
MAX_UPLOAD = 10 * 1024 * 1024
SESSION_KEY = "targets_import"
KEEP_UPLOADS = 24 * 3600  # seconds an unconfirmed upload is kept


def _target_year() -> int:
    return settings.FISCAL_YEAR + 1


def _visible_or_404(request, pk: int) -> Target:
    target = selectors.target_detail(request.user, pk)
    if target is None:
        raise Http404("绩效目标不存在或无权查看")
    return target


def _subject(target: Target) -> str:
    return target.project.name if target.project_id else f"{target.unit.name}整体支出"


def _safe(name: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "", name)[:60]


def _download(buf: io.BytesIO, name: str, content_type: str) -> FileResponse:
    buf.seek(0)
    return FileResponse(buf, as_attachment=True, filename=name, content_type=content_type)


# --- xlsx export -------------------------------------------------------------------------------------------


@login_required
def export_one(request, pk: int):
    target = _visible_or_404(request, pk)
    buf = io.BytesIO()
    excel.write_targets([target], buf)
    return _download(buf, f"{target.year}年度绩效目标-{_safe(_subject(target))}.xlsx", XLSX)


@login_required
def export_batch(request):
    year = request.GET.get("year", str(_target_year()))
    if not year.isdigit():
        raise Http404("年度有误")
    code = request.GET.get("department", "").strip()
    qs = Target.objects.visible_to(request.user).filter(year=int(year))
    title = "全部"
    if code:
        dept = Organisation.objects.visible_to(request.user).filter(code=code, kind="department").first()
        qs = qs.filter(department__code=code)
        title = dept.name if dept else code
    count = qs.count()
    back = f"/targets/?year={year}" + (f"&department={code}" if code else "")
    if not count:
        messages.info(request, "没有可导出的绩效目标。")
        return redirect(back)
    if count > MAX_BATCH:
        messages.error(request, f"共 {count} 个绩效目标，一次最多导出 {MAX_BATCH} 个，请按主管部门分别导出。")
        return redirect(back)
    targets = (
        qs.select_related("project", "unit", "department")
        .prefetch_related("indicators", "tasks")
        .order_by("department__code", "unit__code", "id")
    )
    buf = io.BytesIO()
    excel.write_targets(targets, buf)
    return _download(buf, f"{year}年度绩效目标-{_safe(title)}.xlsx", XLSX)


# --- xlsx import -------------------------------------------------------------------------------------------


def _upload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _clean_old_uploads() -> None:
    cutoff = time.time() - KEEP_UPLOADS
    for f in _upload_dir().glob("*.xlsx"):
        try:
            if f.stat().st_mtime < cutoff:
                f.unlink()
        except OSError:
            pass


def _kept_upload(request) -> tuple[Path, str] | None:
    """The upload this session previewed, if the posted token is the session's own."""
    kept = request.session.get(SESSION_KEY) or {}
    token = request.POST.get("token", "")
    if not token or token != kept.get("token") or not re.fullmatch(r"[0-9a-f]{32}", token):
        return None
    path = _upload_dir() / f"{token}.xlsx"
    return (path, kept.get("name", "")) if path.exists() else None


def _forget_upload(request, path: Path | None) -> None:
    request.session.pop(SESSION_KEY, None)
    if path is not None:
        path.unlink(missing_ok=True)


@login_required
def import_file(request):
    if request.method != "POST":
        return render(request, "targets/import.html", {"year": _target_year()})
    if request.POST.get("confirm") == "1":
        return _confirm(request)
    upload = request.FILES.get("file")
    error = None
    if upload is None:
        error = "请选择要导入的 .xlsx 文件。"
    elif not upload.name.lower().endswith(".xlsx"):
        error = "只能导入 .xlsx 文件（请使用本系统导出的申报表）。"
    elif upload.size > MAX_UPLOAD:
        error = f"文件超过 {MAX_UPLOAD // 1024 // 1024}MB，请分批导入。"
    if error:
        return render(request, "targets/import.html", {"year": _target_year(), "error": error}, status=400)
    content = upload.read()
    try:
        sheets = excel.read_targets(content)
    except excel.ImportFileError as e:
        return render(request, "targets/import.html", {"year": _target_year(), "error": e.message}, status=400)
    result = excel.validate(sheets, request.user)
    token = ""
    if result.ok and result.changed:
        _clean_old_uploads()
        previous = (request.session.get(SESSION_KEY) or {}).get("token", "")
        if re.fullmatch(r"[0-9a-f]{32}", previous):
            (_upload_dir() / f"{previous}.xlsx").unlink(missing_ok=True)
        token = secrets.token_hex(16)
        (_upload_dir() / f"{token}.xlsx").write_bytes(content)
        request.session[SESSION_KEY] = {"token": token, "name": upload.name[:200]}
    return render(request, "targets/import_preview.html", {"result": result, "token": token, "file_name": upload.name})


def _confirm(request):
    kept = _kept_upload(request)
    if kept is None:
        messages.error(request, "导入已失效（可能已导入或超时），请重新上传文件。")
        return redirect("targets:import")
    path, name = kept
    try:
        result = excel.validate(excel.read_targets(path), request.user)
    except excel.ImportFileError as e:
        _forget_upload(request, path)
        messages.error(request, e.message)
        return redirect("targets:import")
    outcome = excel.commit(result, request.user, file_name=name)
    if not outcome.ok:  # something changed since the preview: nothing was written
        result.errors = outcome.errors
        _forget_upload(request, path)
        return render(
            request,
            "targets/import_preview.html",
            {"result": result, "token": "", "file_name": name, "failed": True},
            status=409,
        )
    _forget_upload(request, path)
    messages.success(request, f"已导入 {len(outcome.saved)} 个绩效目标。" if outcome.saved else "没有需要更新的内容。")
    years = sorted({t.year for t in outcome.saved})
    return redirect(f"/targets/?year={years[0]}" if len(years) == 1 else "/targets/")


# --- the printable form (Word, PDF, HTML) ------------------------------------------------------------------


def _wan(value) -> str:
    return f"{Decimal(value or 0) / Decimal(10000):,.2f}"


def _grid(rows) -> list[dict]:
    """Rows with rowspans for the merged 一级/二级 cells of the official form (0 = covered by the row above)."""
    out = [{"r": r, "span1": 0, "span2": 0} for r in rows]
    i = 0
    while i < len(rows):
        j = i
        while j + 1 < len(rows) and rows[j + 1].level1 == rows[i].level1:
            j += 1
        out[i]["span1"] = j - i + 1
        k = i
        while k <= j:
            m = k
            while m + 1 <= j and rows[m + 1].level2 == rows[k].level2:
                m += 1
            out[k]["span2"] = m - k + 1
            k = m + 1
        i = j + 1
    return out


def _form_context(target: Target) -> dict:
    rows = list(target.indicators.all())
    tasks = list(target.tasks.all()) if target.kind == Target.Kind.WHOLE else []
    ctx = {
        "t": target,
        "p": target.project,
        "grid": _grid(rows),
        "rows": rows,
        "title": ("项目支出绩效目标申报表" if target.kind == Target.Kind.PROJECT else "部门（单位）整体支出绩效目标表"),
        "amount": _wan(target.amount),
        "amount_fiscal": _wan(target.amount_fiscal),
        "amount_other": _wan(Decimal(target.amount) - Decimal(target.amount_fiscal)),
        "amount_midterm": _wan(target.amount_midterm),
        "tasks": [
            {
                "name": k.name,
                "content": k.content,
                "amount": _wan(k.amount),
                "fiscal": _wan(k.amount_fiscal),
                "other": _wan(k.amount - k.amount_fiscal),
            }
            for k in tasks
        ],
        "tasks_total": _wan(sum((k.amount for k in tasks), Decimal(0))),
        "tasks_fiscal": _wan(sum((k.amount_fiscal for k in tasks), Decimal(0))),
        "tasks_other": _wan(sum((k.amount - k.amount_fiscal for k in tasks), Decimal(0))),
    }
    return ctx


@login_required
def word_form(request, pk: int):
    target = _visible_or_404(request, pk)
    buf = io.BytesIO()
    _docx(_form_context(target)).save(buf)
    return _download(buf, f"{target.year}年度绩效目标-{_safe(_subject(target))}.docx", DOCX)


def _docx(ctx: dict):
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    t = ctx["t"]
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.8))
    style = doc.styles["Normal"]
    style.font.name = "宋体"
    style.font.size = Pt(10.5)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(f"{ctx['title']}（{t.year}年度）")
    run.bold, run.font.size = True, Pt(16)
    sub = doc.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    sub.add_run(
        f"状态：{t.state_label}" + (f"　已批复第{t.current_version}版" if t.current_version else "")
    ).font.size = Pt(9)

    def cell(table, r, c, text, bold=False, merge_to=None):
        target_cell = table.cell(r, c)
        if merge_to is not None:
            target_cell = target_cell.merge(table.cell(*merge_to))
        target_cell.text = ""
        run = target_cell.paragraphs[0].add_run(str(text).replace("\r\n", "\n"))
        run.bold = bold
        return target_cell

    if t.kind == Target.Kind.PROJECT:
        p = ctx["p"]
        head = doc.add_table(rows=8, cols=6)
        head.style = "Table Grid"
        head.alignment = WD_TABLE_ALIGNMENT.CENTER
        info = [
            ("项目名称", p.name, "项目代码", p.code),
            ("主管部门及代码", f"{t.department.name}（{t.department.code}）", "实施单位", t.unit.name),
            ("项目属性", p.get_attribute_display(), "项目期", p.period),
        ]
        for r, (a, av, b, bv) in enumerate(info):
            cell(head, r, 0, a, True)
            cell(head, r, 1, av, merge_to=(r, 2))
            cell(head, r, 3, b, True)
            cell(head, r, 4, bv, merge_to=(r, 5))
        cell(head, 3, 0, "项目资金（万元）", True, merge_to=(5, 0))
        for i, (label, value) in enumerate(
            [
                ("年度资金总额", ctx["amount"]),
                ("其中：财政拨款", ctx["amount_fiscal"]),
                ("其他资金", ctx["amount_other"]),
            ]
        ):
            cell(head, 3 + i, 1, label, True)
            cell(head, 3 + i, 2, value)
        cell(head, 3, 3, "中期资金总额", True, merge_to=(5, 3))
        cell(head, 3, 4, ctx["amount_midterm"], merge_to=(5, 5))
        cell(head, 6, 0, "年度总体目标", True)
        cell(head, 6, 1, t.goal, merge_to=(6, 5))
        cell(head, 7, 0, "中长期目标", True)
        cell(head, 7, 1, t.goal_midterm, merge_to=(7, 5))
    else:
        head = doc.add_table(rows=1, cols=6)
        head.style = "Table Grid"
        cell(head, 0, 0, "部门（单位）名称", True)
        cell(head, 0, 1, f"{t.unit.name}（{t.unit.code}）", merge_to=(0, 5))
        doc.add_paragraph().add_run("年度主要任务").bold = True
        tasks = doc.add_table(rows=len(ctx["tasks"]) + 2, cols=5)
        tasks.style = "Table Grid"
        for c, h in enumerate(["任务名称", "主要内容", "总额（万元）", "财政拨款（万元）", "其他资金（万元）"]):
            cell(tasks, 0, c, h, True)
        for r, k in enumerate(ctx["tasks"], start=1):
            for c, v in enumerate([k["name"], k["content"], k["amount"], k["fiscal"], k["other"]]):
                cell(tasks, r, c, v)
        last = len(ctx["tasks"]) + 1
        cell(tasks, last, 0, "金额合计", True, merge_to=(last, 1))
        for c, v in enumerate([ctx["tasks_total"], ctx["tasks_fiscal"], ctx["tasks_other"]], start=2):
            cell(tasks, last, c, v)
        goal = doc.add_table(rows=1, cols=6)
        goal.style = "Table Grid"
        cell(goal, 0, 0, "年度总体目标", True)
        cell(goal, 0, 1, t.goal, merge_to=(0, 5))

    doc.add_paragraph().add_run("年度绩效指标").bold = True
    headers = ["一级指标", "二级指标", "三级指标", "年度指标值", "计量单位", "分值", "中期指标值", "指标值来源", "备注"]
    grid = doc.add_table(rows=len(ctx["grid"]) + 1, cols=len(headers))
    grid.style = "Table Grid"
    for c, h in enumerate(headers):
        cell(grid, 0, c, h, True)
    for i, g in enumerate(ctx["grid"], start=1):
        r = g["r"]
        if g["span1"]:
            cell(grid, i, 0, r.level1, merge_to=(i + g["span1"] - 1, 0))
        if g["span2"]:
            cell(grid, i, 1, r.level2, merge_to=(i + g["span2"] - 1, 1))
        weight = "" if r.weight is None else f"{r.weight:f}"
        for c, v in enumerate([r.name, r.value, r.unit, weight, r.mid_value, r.source, r.note], start=2):
            cell(grid, i, c, v)
    if not ctx["grid"]:
        doc.add_paragraph("（尚未设置绩效指标）")
    return doc


def _no_fetch(url):
    raise ValueError(f"不加载外部资源：{url}")


@login_required
def pdf_form(request, pk: int):
    target = _visible_or_404(request, pk)
    ctx = _form_context(target)
    if request.GET.get("format") == "html":  # the same form for the browser's own printing
        return render(request, "targets/form_print.html", ctx)
    try:
        import weasyprint
    except (ImportError, OSError):  # the Python package, or Debian's libpango it loads, is missing
        log.warning("WeasyPrint cannot be loaded; PDF export unavailable", exc_info=True)
        return render(request, "targets/form_print.html", ctx | {"pdf_unavailable": True}, status=503)
    try:
        from weasyprint.urls import URLFetcher

        fetcher = URLFetcher(allowed_protocols={"data"})
    except (ImportError, TypeError):  # older WeasyPrint: a plain function
        fetcher = _no_fetch
    html = render_to_string("targets/form_print.html", ctx | {"for_pdf": True}, request=request)
    try:
        pdf = weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()
    except Exception:  # a broken font or library must not take the page down
        log.exception("PDF rendering failed for target %s", target.pk)
        return render(request, "targets/form_print.html", ctx | {"pdf_unavailable": True}, status=503)
    return _download(io.BytesIO(pdf), f"{target.year}年度绩效目标-{_safe(_subject(target))}.pdf", "application/pdf")

"""事前绩效评估报告: Word and PDF with the REFERENCE §2.2 outline, and `wenxiao appraisal list/report` (cli module)."""

import io
import re
import sys
from decimal import Decimal

import pytest
from django.conf import settings

from wenxiao.appraisal import cli, report, services
from wenxiao.appraisal.models import Appraisal
from wenxiao.projects.services import ProjectInput, do_create_project

pytestmark = pytest.mark.django_db

YEAR = settings.FISCAL_YEAR
NAME = "城区义务教育学校智慧教室建设"
TEXTS = {
    "background": "落实教育数字化战略行动，城区学校多媒体设备老化。\n部分教室仍使用十年前的投影设备。",
    "content": "为 120 间教室配置交互式智慧黑板及配套网络。",
    "goals": "年内完成 120 间教室改造，设备完好率不低于 98%。",
    "funding": "申请财政资金 300 万元，全部为当年财政拨款。",
    "method": "采用资料审核、现场调研和专家论证相结合的方式。",
    "findings": "部分学校需求测算依据不足。",
    "suggestions": "细化分校需求测算，分批实施。",
    "other_notes": "无。",
}


def _docx_text(data: bytes) -> str:
    from docx import Document

    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


@pytest.fixture
def appraisal(users):
    """A new 300万 project of dw's unit, flagged for assessment, with the unit's self-assessment (all 良)."""
    unit = users["dw"].assignments.get().org
    project = do_create_project(
        ProjectInput(
            name=NAME,
            unit_code=unit.code,
            year=YEAR,
            function_code="2050202",
            amount_initial=Decimal("3000000"),
            attribute="new",
            project_class="3",
            description=TEXTS["content"],
        ),
        actor=users["dw"],
    )
    a = Appraisal.objects.filter(project=project).first()
    if a is None:  # the project hook not wired: flag it directly
        a = services.flag_if_needed(project, YEAR, actor=users["dw"])
    assert a is not None, "a new 300万 project must need an ex-ante assessment"
    ratings = {f"{i.dimension}/{i.name}": "良" for i in services.template_for(a)}
    first = next(iter(ratings))
    return services.do_save(
        a.pk, actor=users["dw"], stage="self", ratings=ratings, notes={first: "有文件依据"}, texts=TEXTS
    )


def test_word_report_follows_the_reference_outline(appraisal):
    text = _docx_text(report.render_docx(appraisal))
    result = services.result_of(appraisal, "self")
    assert NAME in text and appraisal.project.code in text
    positions = [text.find(heading) for heading in report.SECTIONS]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), positions
    for sub in ("立项背景", "主要内容", "绩效目标", "资金构成", "目的及对象", "思路及方法", "工作程序", "总体结论"):
        assert sub in text, sub
    assert f"{result.total:.2f}" in text and f"{result.full:.2f}" in text
    for dimension, (score, _points) in result.by_dimension.items():
        assert dimension in text and f"{score:.2f}" in text
    assert "部分教室仍使用十年前的投影设备" in text and "有文件依据" in text
    assert "300.00" in text  # amount requested in 万元
    assert "评估尚未作出结论" in text and "按评分规则为“予以支持”（仅供参考）" in text


def test_word_report_sets_east_asian_fonts(appraisal):
    from docx import Document
    from docx.oxml.ns import qn

    doc = Document(io.BytesIO(report.render_docx(appraisal)))
    fonts = doc.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "仿宋"
    assert doc.styles["Heading 1"].element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"
    assert doc.styles["Heading 1"].element.rPr.rFonts.get(qn("w:eastAsiaTheme")) is None


def test_concluded_report_shows_final_scores_conclusion_and_recommended_amount(appraisal, users):
    a = services.do_transition(appraisal.pk, "submit", actor=users["dw"])
    ratings = {f"{i.dimension}/{i.name}": "优" for i in services.template_for(a)}
    services.do_save(a.pk, actor=users["ywk"], stage="final", ratings=ratings)
    a = services.do_conclude(a.pk, actor=users["ywk"], amount_recommended="2500000")
    ctx = report.report_context(a)
    assert ctx["conclusion_label"] == "予以支持" and ctx["final_total"] == "100.00" and ctx["self_total"] == "80.00"
    assert ctx["amount_recommended"] == "250.00" and ctx["funds_saved"] == "50.00"
    assert [h["action"] for h in ctx["history"]][-1] == "作出评估结论"
    text = _docx_text(report.render_docx(a))
    assert "予以支持" in text and "250.00" in text and "50.00" in text and "100.00" in text
    html = report.render_html(a)
    assert "予以支持" in html and "<svg" in html and 'fill="#1F4E79"' in html


def test_pdf_report(appraisal):
    import weasyprint  # noqa: F401  — the PDF must really be produced here, not skipped

    assert report.render_pdf(appraisal).startswith(b"%PDF")


def test_printable_html_is_standalone(appraisal):
    html = report.render_html(appraisal, for_pdf=True)
    assert NAME in html and all(h in html for h in report.SECTIONS)
    assert "<svg" in html and "<script" not in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html) and "@import" not in html and "url(" not in html
    assert "{%" not in html and "{{" not in html


def test_pdf_without_weasyprint_raises_a_clear_error(appraisal, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import fails as it does without libpango
    with pytest.raises(report.ReportUnavailable) as e:
        report.render_pdf(appraisal)
    assert e.value.status == 503 and "Pango" in e.value.message


def test_cli_lists_the_year_for_the_user(appraisal):
    out = io.StringIO()
    assert cli.list_appraisals(YEAR, username="zgbm", out=out) == 0
    text = out.getvalue()
    assert appraisal.project.code in text and NAME in text and "300.00" in text and "80.00（自评）" in text
    assert "项目代码" in text and "待部门评估" in text
    out = io.StringIO()
    assert cli.list_appraisals(YEAR, username="dw2", out=out) == 0
    assert appraisal.project.code not in out.getvalue()
    assert cli.list_appraisals(YEAR, username="nobody", out=io.StringIO()) == 2


def test_cli_writes_both_formats_and_respects_scope(appraisal, tmp_path, capsys):
    docx_path, pdf_path = tmp_path / "out" / "报告.docx", tmp_path / "报告.pdf"
    assert cli.write_report(appraisal.pk, str(docx_path), username="dw") == 0
    assert NAME in _docx_text(docx_path.read_bytes())
    assert cli.write_report(appraisal.pk, str(pdf_path)) == 0
    assert pdf_path.read_bytes().startswith(b"%PDF")
    capsys.readouterr()
    assert cli.write_report(appraisal.pk, str(tmp_path / "x.docx"), username="dw2") == 1
    assert "查看范围" in capsys.readouterr().err and not (tmp_path / "x.docx").exists()
    assert cli.write_report(appraisal.pk, str(tmp_path / "x.txt")) == 1
    assert ".docx" in capsys.readouterr().err
    assert cli.write_report(10**9, str(tmp_path / "x.pdf")) == 1

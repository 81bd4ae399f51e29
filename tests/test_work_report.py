"""The annual work report (R53): every figure computed from the year's data, the same on the page and in Word."""

import io

import pytest
from docx import Document

from wenxiao.oversight import work_report

pytestmark = pytest.mark.django_db
YEAR = 2026


def test_the_report_quotes_the_year_s_figures(users, client_as):
    from wenxiao.evaluation.models import SelfEvaluation

    region = users["jxk"].org.region
    f = work_report.figures(region, YEAR)
    submitted = SelfEvaluation.objects.filter(region__path__startswith=region.path, year=YEAR).exclude(
        state__in=("draft", "returned")
    )
    assert f["selfeval"]["submitted"] == submitted.count()
    assert f["selfeval"]["grades"]["优"] == sum(1 for s in submitted if (s.review_grade or s.grade) == "优")
    assert f["evaluations"]["n"] == 2 and f["evaluations"]["third"] == 1
    body = client_as("jxk").get("/oversight/work-report/", {"year": YEAR, "download": 1}).content
    doc = Document(io.BytesIO(body))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert f"已提交{f['selfeval']['submitted']}个" in text
    assert f"对{f['monitoring']['units']}家单位{f['monitoring']['projects']}个项目开展绩效运行监控" in text
    for heading in ("二、开展事前绩效评估", "四、开展绩效运行监控", "六、强化结果应用与信息公开"):
        assert heading in text
    assert doc.inline_shapes, "the grade chart is in the document"


def test_a_year_without_data_says_so_with_zeros(users):
    f = work_report.figures(users["jxk"].org.region, 2019)
    assert f["selfeval"]["submitted"] == 0 and f["targets"]["approved"] == 0
    text = "\n".join(
        p.text for p in Document(io.BytesIO(work_report.render_docx(users["jxk"].org.region, 2019))).paragraphs
    )
    assert "组织单位自评0个" in text


def test_report_work_on_the_command_line(users, tmp_path, capsys):
    from wenxiao.cli import main

    out = tmp_path / "work.docx"
    assert main(["report", "work", "--year", str(YEAR), "-o", str(out), "--user", "xian_jxk"]) == 0
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert text.startswith("衡阳县") or "衡阳县2026年度预算绩效管理工作情况报告" in text
    city = users["jxk"].org.region.code
    assert main(["report", "work", "--year", str(YEAR), "--region", city, "-o", str(out), "--user", "xian_jxk"]) == 2


def test_the_report_counts_the_rectification_ledger(users):
    from wenxiao.results.models import RectificationItem

    region = users["jxk"].org.region
    rect = work_report.figures(region, YEAR)["rectification"]
    issued = RectificationItem.objects.filter(region__path__startswith=region.path, year=YEAR).counted()
    assert rect["items"] == issued.exclude(state="draft").count() > 0
    assert rect["closed"] == issued.filter(state="verified").count() >= 1
    text = "\n".join(p.text for p in Document(io.BytesIO(work_report.render_docx(region, YEAR))).paragraphs)
    assert f"纳入整改台账{rect['items']}项，已核验销号{rect['closed']}项" in text

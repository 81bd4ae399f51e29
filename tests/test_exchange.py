"""一体化数据交换 (issue #11 part 2): pushes of projects, budgets and payments, reads, the file drop and the page."""

import importlib.util
import json
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db.models import Sum

from tests.conftest import DEMO_YEAR
from wenxiao.core.audit import verify_chain
from wenxiao.core.models import AuditEvent
from wenxiao.exchange.models import ExchangeBatch, ExternalProject
from wenxiao.projects.models import MonthlyExecution, Payment, Project, ProjectBudget, ResponsiblePerson

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def client_module():
    spec = importlib.util.spec_from_file_location("exchange_client", ROOT / "docs" / "exchange_client.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def django_send(client):
    """The example client's `send`, answered by Django's test client inside the test transaction."""

    def send(method, url, headers, body):
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        auth = {"HTTP_AUTHORIZATION": headers["Authorization"]}
        if method == "POST":
            r = client.post(path, data=body, content_type="application/json", **auth)
        else:
            r = client.get(path, **auth)
        return r.status_code, r.content

    return send


def _unit(users, name="dw"):
    return users[name].assignments.get().org


def _project_row(users, code="430400202610200399001", **extra):
    unit = _unit(users)
    return {
        "pro_code": code,
        "pro_name": "一体化推送的校园安全改造项目",
        "mof_div_code": f"{unit.region.code}000",
        "dept_code": unit.parent.code,
        "agency_code": unit.code,
        "fiscal_year": DEMO_YEAR,
        "exp_func_code": "2050203",
        "pro_cat_code": "3",
        "pro_leader": "王建国",
        "pro_leader_post": "副校长",
        "update_time": f"{DEMO_YEAR}0301120000000",
        "is_deleted": 2,
        **extra,
    }


def _push(api, kind, rows, **query):
    qs = "?dry_run=true" if query.get("dry_run") else ""
    r = api.post(f"/api/v1/exchange/{kind}{qs}", {"data": rows}, content_type="application/json")
    return r.status_code, r.json()


def test_example_client_pushes_a_day_of_payments_twice_and_the_totals_do_not_change(client_module, api_as, users):
    from wenxiao.core.tokens import create_token

    jxk = users["jxk"]
    projects = list(
        Project.objects.visible_to(jxk)
        .filter(region=_unit(users).region, budgets__year=DEMO_YEAR, state="in_library")
        .select_related("unit")
        .order_by("code")[:6]
    )
    assert len(projects) == 6
    rows = [
        {
            "pay_cert_no": f"YTH{DEMO_YEAR}0615{i:05d}",
            "pay_date": f"{DEMO_YEAR}0615",
            "pro_code": p.code,
            "agency_code": p.unit.code,
            "pay_amt": f"{1000 + i * 37}.{i % 100:02d}",
            "exp_eco_code": "30201",
        }
        for i, p in enumerate(projects * 5)
    ]
    expected = sum(Decimal(r["pay_amt"]) for r in rows)
    ids = [p.pk for p in projects]

    def totals():
        m = MonthlyExecution.objects.filter(project_id__in=ids, year=DEMO_YEAR)
        return m.aggregate(a=Sum("amount"), n=Sum("payments")), list(m.order_by("id").values_list("amount", "payments"))

    before = totals()
    token = create_token(jxk, name="一体化")
    from django.test import Client

    send = django_send(Client())
    first = client_module.push_day_of_payments("http://testserver", token, rows, name="支付0615", send=send)
    assert (first["total"], first["added"], first["rejected"], first["errors"]) == (30, 30, 0, [])
    after_first = totals()
    assert after_first[0]["a"] - before[0]["a"] == expected
    assert after_first[0]["n"] - before[0]["n"] == 30

    second = client_module.push_day_of_payments("http://testserver", token, rows, name="支付0615", send=send)
    assert (second["added"], second["unchanged"], second["rejected"]) == (0, 30, 0)
    assert totals() == after_first
    assert Payment.objects.filter(payment_id__startswith=f"YTH{DEMO_YEAR}0615").count() == 30
    batches = ExchangeBatch.objects.filter(pk__in=first["batches"] + second["batches"]).order_by("id")
    assert [b.status for b in batches] == ["done", "duplicate"]
    assert AuditEvent.objects.filter(action="exchange.batch", object_id__in=[str(b.pk) for b in batches]).count() == 2


def test_a_project_is_added_once_then_unchanged_then_updated_with_an_audit(api_as, users):
    api = api_as("jxk")
    rows = [_project_row(users), _project_row(users, code="YTH-SHORT-1", pro_name="短代码项目", is_policy=1)]
    status, report = _push(api, "projects", rows)
    assert status == 200, report
    assert (report["added"], report["updated"], report["unchanged"], report["status"]) == (2, 0, 0, "done")
    kept = Project.objects.get(code="430400202610200399001")
    assert kept.state == "in_library" and kept.unit == _unit(users)
    issued = ExternalProject.objects.get(pro_code="YTH-SHORT-1").project
    assert len(issued.code) == 21 and issued.code != "YTH-SHORT-1" and issued.kind == "policy"
    count = Project.objects.count()

    status, report = _push(api, "projects", rows)
    assert (report["added"], report["updated"], report["unchanged"]) == (0, 0, 2)
    assert Project.objects.count() == count

    rows[0]["pro_name"] = "一体化推送的校园安全改造项目（二期）"
    rows[0]["pro_leader"] = "李四"
    status, report = _push(api, "projects", rows)
    assert (report["added"], report["updated"], report["unchanged"]) == (0, 1, 1)
    assert [r["result"] for r in report["rows"]] == ["updated", "unchanged"]
    event = AuditEvent.objects.filter(action="exchange.project_update", object_id=str(kept.pk)).latest("seq")
    assert event.before["name"] == "一体化推送的校园安全改造项目"
    assert event.after["name"] == "一体化推送的校园安全改造项目（二期）"
    people = list(ResponsiblePerson.objects.filter(project=kept).order_by("id").values_list("name", "end_date"))
    assert people[0][0] == "王建国" and people[0][1] is not None and people[1] == ("李四", None)  # R04: kept
    assert verify_chain().ok


def test_a_batch_with_one_bad_row_writes_nothing_and_says_why_in_chinese(api_as, users):
    api = api_as("jxk")
    rows = [
        _project_row(users),
        _project_row(users, code="430400202610200399002", agency_code="999999999"),
        _project_row(users, code="430400202610200399003", exp_func_code="9999999", update_time="2026-03-01"),
        _project_row(users, code="430400202610200399001"),
        _project_row(users, code="430400202610200399005", is_deleted=1),
    ]
    projects, batches = Project.objects.count(), ExchangeBatch.objects.count()
    status, report = _push(api, "projects", rows)
    assert status == 422 and report["status"] == "rejected" and not report["written"]
    found = {(e["row"], e["field"]): e["message"] for e in report["errors"]}
    assert found[(2, "agency_code")] == "单位代码不存在"
    assert "支出功能分类科目“9999999”不存在" in found[(3, "exp_func_code")]
    assert "yyyyMMddHHmmssSSS" in found[(3, "update_time")]
    assert found[(4, "pro_code")] == "与第1行的项目代码重复"
    assert "不接收删除" in found[(5, "is_deleted")]
    assert (report["rejected"], report["added"]) == (4, 0)
    assert "整批未写入" in report["summary"]
    assert Project.objects.count() == projects
    assert ExchangeBatch.objects.count() == batches + 1  # the refused batch and its report are kept


def test_pushes_are_scoped_to_the_pushing_account_region(api_as, users):
    row = _project_row(users)
    status, report = _push(api_as("xian_jxk"), "projects", [row])  # the county 绩效科, a city project
    assert status == 422 and "不属于您的辖区" in report["errors"][0]["message"]
    for name in ("dw", "zgbm", "rd", "dsf"):
        r = api_as(name).post("/api/v1/exchange/projects", {"data": [row]}, content_type="application/json")
        assert r.status_code == 403, name
    assert not Project.objects.filter(code=row["pro_code"]).exists()


def test_budgets_and_adjustments_are_idempotent_and_adjustments_never_edited(api_as, users):
    api = api_as("jxk")
    assert _push(api, "projects", [_project_row(users)])[0] == 200
    y = DEMO_YEAR
    rows = [
        {"pro_code": "430400202610200399001", "fiscal_year": y, "bgt_amt": "500000.00", "carry_amt": "50000"},
        {"pro_code": "430400202610200399001", "fiscal_year": y, "adj_code": "TZ001", "adj_amt": "-20000",
         "adj_date": f"{y}0601", "adj_reason": "年中调减"},
    ]  # fmt: skip
    status, report = _push(api, "budgets", rows)
    assert status == 200 and report["added"] == 2, report
    budget = ProjectBudget.objects.get(project__code="430400202610200399001", year=y)
    assert (budget.amount_initial, budget.amount_fiscal, budget.amount_adjusted) == (500000, 450000, 480000)
    status, report = _push(api, "budgets", rows)
    assert (report["added"], report["unchanged"]) == (0, 2)
    assert budget.adjustments.count() == 1
    rows[1]["adj_amt"] = "-30000"
    rows[0]["bgt_amt"] = "600000"
    status, report = _push(api, "budgets", rows)
    assert status == 422
    messages = {e["field"]: e["message"] for e in report["errors"]}
    assert "预算调整记录不可修改" in messages["adj_code"]
    budget.refresh_from_db()
    assert budget.amount_adjusted == 480000


def test_dry_run_reports_without_writing(api_as, users):
    status, report = _push(api_as("jxk"), "projects", [_project_row(users)], dry_run=True)
    assert status == 200 and report["added"] == 1 and report["status"] == "checked" and not report["written"]
    assert not Project.objects.filter(code="430400202610200399001").exists()


def test_read_endpoints_use_the_exchange_field_names_and_the_callers_scope(api_as, users):
    jxk, dw = api_as("jxk"), api_as("dw")
    data = jxk.get("/api/v1/exchange/targets", {"fiscal_year": DEMO_YEAR, "limit": 5}).json()
    assert data["count"] > 0
    t = data["items"][0]
    assert {"pro_code", "agency_code", "dept_code", "mof_div_code", "kpi_target", "version", "update_time"} <= set(t)
    assert {"kpi_lv1", "kpi_lv2", "kpi_lv3", "kpi_val"} <= set(t["indicators"][0])
    assert len(t["update_time"]) == 17
    one = jxk.get("/api/v1/exchange/targets", {"pro_code": t["pro_code"]}).json()
    assert one["count"] >= 1 and {i["pro_code"] for i in one["items"]} == {t["pro_code"]}
    own = dw.get("/api/v1/exchange/targets", {"limit": 100}).json()
    assert own["count"] > 0 and {i["agency_code"] for i in own["items"]} == {_unit(users).code}
    assert own["count"] < data["count"]
    mon = jxk.get("/api/v1/exchange/monitoring", {"limit": 3}).json()
    assert mon["count"] > 0 and "lines" in mon["items"][0] and "light" in mon["items"][0]
    assert api_as("dsf").get("/api/v1/exchange/monitoring").json()["count"] == 0
    this_year = jxk.get("/api/v1/exchange/monitoring", {"fiscal_year": DEMO_YEAR, "limit": 1}).json()["count"]
    assert this_year == mon["count"]  # the demo's rounds are all this year's
    assert jxk.get("/api/v1/exchange/monitoring", {"fiscal_year": DEMO_YEAR - 1}).json()["count"] == 0
    future = {"update_since": f"{DEMO_YEAR + 5}-01-01T00:00:00+08:00"}
    assert jxk.get("/api/v1/exchange/selfevals", future).json()["count"] == 0
    se = jxk.get("/api/v1/exchange/selfevals", {"limit": 3}).json()
    assert se["count"] > 0 and {"score", "grade", "review_score"} <= set(se["items"][0])
    ev = jxk.get("/api/v1/exchange/evaluations").json()
    assert ev["count"] >= 1 and all(i["status"] in ("final", "archived") for i in ev["items"])
    assert ev["items"][0]["score"] is not None


def test_file_drop_moves_files_to_done_or_failed_with_a_report(tmp_path, users):
    from wenxiao.exchange.cli import process_inbox

    inbox = tmp_path / "inbox" / "projects"
    inbox.mkdir(parents=True)
    good = _project_row(users)
    (inbox / "p1.json").write_text(json.dumps({"data": [good]}, ensure_ascii=False), encoding="utf-8")
    header = "pro_code,pro_name,mof_div_code,dept_code,agency_code,fiscal_year,exp_func_code\n"
    bad = header + "430400202610200399009,坏行,430400,430400102,000,2026,2050203\n"
    (inbox / "p2.csv").write_bytes(bad.encode("gbk"))
    (inbox / "p3.csv.part").write_text("still arriving")
    handled = process_inbox(users["jxk"], tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p, _ in handled) == [
        "done/projects/p1.json",
        "failed/projects/p2.csv",
    ]
    report = json.loads((tmp_path / "failed/projects/p2.csv.result.json").read_text(encoding="utf-8"))
    assert report["errors"][0]["row"] == 2 and report["errors"][0]["field"] == "agency_code"
    assert json.loads((tmp_path / "done/projects/p1.json.result.json").read_text(encoding="utf-8"))["added"] == 1
    assert (inbox / "p3.csv.part").exists() and not (inbox / "p1.json").exists()
    assert ExchangeBatch.objects.filter(source="file").count() == 2


def test_cli_push_and_exit_codes(tmp_path, capsys, users):
    from wenxiao.cli import main

    path = tmp_path / "projects.json"
    path.write_text(json.dumps([_project_row(users)], ensure_ascii=False), encoding="utf-8")
    assert main(["exchange", "push", "projects", str(path), "--user", "jxk"]) == 0
    assert "新增1行" in capsys.readouterr().out
    assert main(["exchange", "push", "projects", str(path), "--user", "xian_jxk"]) == 1
    assert "不属于您的辖区" in capsys.readouterr().err
    assert main(["exchange", "push", "projects", str(path), "--user", "dw"]) == 1


def test_exchange_page_lists_batches_and_takes_an_upload(client_as, users):
    c = client_as("jxk")
    html = c.get("/exchange/").content.decode()
    assert "项目库同步（演示）" in html and "未通过校验" in html  # the seeded batches
    csv_text = "pro_code,fiscal_year,bgt_amt\n430400209999999999998,2026,1000\n"
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = c.post("/exchange/upload/", {"kind": "budgets", "file": SimpleUploadedFile("b.csv", csv_text.encode())})
    batch = ExchangeBatch.objects.latest("id")
    assert r.status_code == 302 and r["Location"] == f"/exchange/batches/{batch.pk}/"
    page = c.get(r["Location"]).content.decode()
    assert "项目代码不存在或不在您的辖区" in page and "第2行" in page
    batches = ExchangeBatch.objects.count()
    code = Project.objects.filter(unit=_unit(users)).values_list("code", flat=True).first()
    f = SimpleUploadedFile("b.csv", f"pro_code,fiscal_year,bgt_amt\n{code},2030,5\n".encode())
    page = c.post("/exchange/upload/", {"kind": "budgets", "file": f, "dry_run": "1"}).content.decode()
    assert "校验结果（未写入）" in page and "新增1行" in page and ExchangeBatch.objects.count() == batches
    assert not ProjectBudget.objects.filter(project__code=code, year=2030).exists()
    assert client_as("dw").get("/exchange/").status_code == 404
    assert client_as("xian_jxk").get(f"/exchange/batches/{batch.pk}/").status_code == 404


def test_a_pushed_new_major_project_needs_its_ex_ante_assessment(api_as, users):
    from wenxiao.appraisal.models import Appraisal

    api = api_as("jxk")
    small, large = "430400202610200399002", "430400202610200399003"
    rows = [_project_row(users, code, pro_attr_code="new") for code in (small, large)]
    assert _push(api, "projects", rows)[0] == 200
    budgets = [
        {"pro_code": small, "fiscal_year": DEMO_YEAR, "bgt_amt": "300000.00"},
        {"pro_code": large, "fiscal_year": DEMO_YEAR, "bgt_amt": "8000000.00"},  # above the 500万 finance threshold
    ]
    status, report = _push(api, "budgets", budgets)
    assert status == 200, report
    assert not Appraisal.objects.filter(project__code=small).exists()
    appraisal = Appraisal.objects.get(project__code=large, year=DEMO_YEAR)
    assert appraisal.triggers and appraisal.finance_required

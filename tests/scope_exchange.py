"""Scope checks of the exchange pages and API operations, merged into tests/test_scope_walk.py.

Batches belong to the region of the 绩效科 / system administrator who pushed them; pushes write only into the
pusher's region; reads return only what the caller sees.
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from wenxiao.exchange import services
from wenxiao.exchange.models import ExchangeBatch
from wenxiao.projects.models import Project

NON_STAFF = ["dw", "dw2", "zgbm", "ywk", "dsf", "zj", "rd"]


def _city_batch(users) -> ExchangeBatch:
    """A refused budgets batch of the city 绩效科 (writes no business data)."""
    rows = [{"pro_code": "430400209999999999997", "fiscal_year": "2026", "bgt_amt": "1"}]
    _, batch = services.do_push("budgets", actor=users["jxk"], source="api", rows=rows, file_name="范围检查批次")
    return batch


def _project_row(users, dw_project) -> dict:
    unit = dw_project.unit
    return {
        "pro_code": "430400202610200398001",
        "pro_name": "范围检查项目",
        "mof_div_code": unit.region.code,
        "dept_code": unit.parent.code,
        "agency_code": unit.code,
        "fiscal_year": "2026",
        "exp_func_code": dw_project.function_class_id,
    }


def check_home(client_as, users, dw_project):
    _city_batch(users)
    assert "范围检查批次" in client_as("jxk").get("/exchange/").content.decode()
    assert "范围检查批次" not in client_as("xian_jxk").get("/exchange/").content.decode()
    for u in NON_STAFF:
        assert client_as(u).get("/exchange/").status_code == 404, u


def check_batch(client_as, users, dw_project):
    batch = _city_batch(users)
    assert client_as("jxk").get(f"/exchange/batches/{batch.pk}/").status_code == 200
    for u in NON_STAFF + ["xian_jxk"]:
        assert client_as(u).get(f"/exchange/batches/{batch.pk}/").status_code == 404, u


def check_upload(client_as, users, dw_project):
    before = ExchangeBatch.objects.count()
    for u in NON_STAFF:
        f = SimpleUploadedFile("b.csv", b"pro_code,fiscal_year,bgt_amt\nX,2026,1\n")
        assert client_as(u).post("/exchange/upload/", {"kind": "budgets", "file": f}).status_code == 404, u
    assert ExchangeBatch.objects.count() == before
    # The county 绩效科 cannot write a city project: the batch is refused, nothing written.
    row = _project_row(users, dw_project)
    body = ",".join(row) + "\n" + ",".join(row.values()) + "\n"
    f = SimpleUploadedFile("p.csv", body.encode())
    client_as("xian_jxk").post("/exchange/upload/", {"kind": "projects", "file": f})
    assert ExchangeBatch.objects.latest("id").status == "rejected"
    assert not Project.objects.filter(code=row["pro_code"]).exists()


def _push_check(kind):
    def check(api_as, users, dw_project):
        if kind == "projects":
            rows = [_project_row(users, dw_project)]
        elif kind == "budgets":
            rows = [{"pro_code": dw_project.code, "fiscal_year": "2030", "bgt_amt": "1000"}]
        else:
            rows = [{"pay_cert_no": "SCOPE-1", "pay_date": "20260615", "pro_code": dw_project.code, "pay_amt": "10"}]
        for u in ("dw", "zgbm", "ywk", "dsf", "zj", "rd"):
            r = api_as(u).post(f"/api/v1/exchange/{kind}", {"data": rows}, content_type="application/json")
            assert r.status_code == 403, (u, r.content)
        r = api_as("xian_jxk").post(f"/api/v1/exchange/{kind}", {"data": rows}, content_type="application/json")
        assert r.status_code == 422, r.content  # a city project is outside the county's region
        r = api_as("jxk").post(f"/api/v1/exchange/{kind}?dry_run=true", {"data": rows}, content_type="application/json")
        assert r.status_code == 200 and r.json()["errors"] == [], r.content

    return check


def check_api_batches(api_as, users, dw_project):
    batch = _city_batch(users)
    ids = [b["id"] for b in api_as("jxk").get("/api/v1/exchange/batches", {"limit": 100}).json()["items"]]
    assert batch.pk in ids
    for u in NON_STAFF + ["xian_jxk"]:
        ids = [b["id"] for b in api_as(u).get("/api/v1/exchange/batches", {"limit": 100}).json()["items"]]
        assert batch.pk not in ids, u


def check_api_batch(api_as, users, dw_project):
    batch = _city_batch(users)
    r = api_as("jxk").get(f"/api/v1/exchange/batches/{batch.pk}")
    assert r.status_code == 200 and r.json()["errors"][0]["field"] == "pro_code"
    for u in NON_STAFF + ["xian_jxk"]:
        assert api_as(u).get(f"/api/v1/exchange/batches/{batch.pk}").status_code == 404, u


def _read_check(what):
    def check(api_as, users, dw_project):
        codes = {
            u: {i["agency_code"] for i in api_as(u).get(f"/api/v1/exchange/{what}", {"limit": 1000}).json()["items"]}
            for u in ("jxk", "dw", "dw2", "xian_jxk", "dsf")
        }
        dw_unit, dw2_unit = dw_project.unit.code, users["dw2"].assignments.get().org.code
        assert codes["dw"] <= {dw_unit} and codes["dw2"] <= {dw2_unit}
        assert dw_unit not in codes["xian_jxk"]
        assert not codes["dsf"] or what == "evaluations"  # a third party sees the evaluations it is engaged on
        if what in ("targets", "monitoring"):  # the demo unit has approved targets and monitoring forms
            assert codes["dw"] == {dw_unit}
            assert codes["xian_jxk"] and not codes["xian_jxk"] & {dw_unit, dw2_unit}

    return check


PAGES = {
    "exchange:home": check_home,
    "exchange:batch": check_batch,
    "exchange:upload": check_upload,
}
API = {
    ("POST", "/api/v1/exchange/projects"): _push_check("projects"),
    ("POST", "/api/v1/exchange/budgets"): _push_check("budgets"),
    ("POST", "/api/v1/exchange/payments"): _push_check("payments"),
    ("GET", "/api/v1/exchange/batches"): check_api_batches,
    ("GET", "/api/v1/exchange/batches/{batch_id}"): check_api_batch,
    ("GET", "/api/v1/exchange/targets"): _read_check("targets"),
    ("GET", "/api/v1/exchange/monitoring"): _read_check("monitoring"),
    ("GET", "/api/v1/exchange/selfevals"): _read_check("selfevals"),
    ("GET", "/api/v1/exchange/evaluations"): _read_check("evaluations"),
}

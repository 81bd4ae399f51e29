"""The project library: registering, editing without lost updates, budgets, responsible persons, search."""

from decimal import Decimal

import pytest

from wenxiao.core.errors import PermissionDenied, ValidationError
from wenxiao.projects import services
from wenxiao.projects.models import Project, ProjectBudget

pytestmark = pytest.mark.django_db


def _unit(users, name="dw"):
    return users[name].assignments.get().org


def _body(unit, **extra):
    return {
        "name": "农村义务教育学校校舍维修改造",
        "unit_code": unit.code,
        "year": 2026,
        "function_code": "2050202",
        "amount_initial": "2500000.00",
        "amount_carryover": "300000",
        "responsible_name": "陈明",
        "start_year": 2026,
        "end_year": 2027,
        **extra,
    }


def test_create_through_the_api_issues_a_21_character_code(api_as, users):
    unit = _unit(users)
    r = api_as("dw").post("/api/v1/projects", _body(unit), content_type="application/json")
    assert r.status_code == 201, r.content
    data = r.json()
    assert len(data["code"]) == 21 and data["code"].startswith(unit.region.code + "2026")
    assert data["unit_code"] == unit.code and data["department_code"] == unit.parent.code
    assert Decimal(data["amount_initial"]) == Decimal("2500000.00")
    assert Decimal(data["amount_fiscal"]) == Decimal("2200000.00")  # 年初预算 − 上年结转 − 其他资金
    assert data["state"] == "draft" and data["responsible"][0]["name"] == "陈明"


def test_code_never_changes_when_the_project_is_edited(api_as, users):
    unit = _unit(users)
    created = api_as("dw").post("/api/v1/projects", _body(unit), content_type="application/json").json()
    r = api_as("dw").patch(
        f"/api/v1/projects/{created['id']}",
        {"version": created["version"], "name": "新名称", "function_code": "2050203"},
        content_type="application/json",
    )
    assert r.status_code == 200
    assert r.json()["code"] == created["code"] and r.json()["name"] == "新名称"


def test_second_project_of_the_unit_gets_the_next_sequence(users):
    unit = _unit(users)
    a = services.do_create_project(services.ProjectInput(**_body(unit)), actor=users["dw"])
    b = services.do_create_project(services.ProjectInput(**_body(unit, name="另一个项目")), actor=users["dw"])
    assert a.code[:-5] == b.code[:-5] and int(b.code[-5:]) == int(a.code[-5:]) + 1


def test_bad_input_gets_chinese_errors_per_field_and_writes_nothing(api_as, users):
    before = Project.objects.count()
    body = _body(
        _unit(users),
        name="",
        function_code="9999999",
        amount_initial="-5",
        budget_kind="9",
        start_year=2027,
        end_year=2025,
    )
    r = api_as("dw").post("/api/v1/projects", body, content_type="application/json")
    assert r.status_code == 400
    errors = r.json()["errors"]
    assert "项目名称不能为空" in errors["name"]
    assert "支出功能分类科目“9999999”不存在" in errors["function_code"]
    assert "金额不能为负数" in errors["amount_initial"]
    assert "预算类型“9”不在可选范围内" in errors["budget_kind"]
    assert "结束年度不能早于起始年度" in errors["end_year"]
    assert Project.objects.count() == before


def test_sources_must_add_up_to_the_initial_budget(users):
    with pytest.raises(ValidationError) as e:
        services.do_create_project(
            services.ProjectInput(**_body(_unit(users), amount_fiscal="100", amount_carryover="0")),
            actor=users["dw"],
        )
    assert "资金来源合计" in e.value.errors["amount_initial"][0]


def test_concurrent_edits_never_silently_overwrite(api_as, users):
    unit = _unit(users)
    created = api_as("dw").post("/api/v1/projects", _body(unit), content_type="application/json").json()
    v = created["version"]
    first = api_as("dw").patch(
        f"/api/v1/projects/{created['id']}",
        {"version": v, "name": "甲的修改"},
        content_type="application/json",
    )
    second = api_as("zgbm").patch(
        f"/api/v1/projects/{created['id']}",
        {"version": v, "name": "乙的修改"},
        content_type="application/json",
    )
    assert first.status_code == 200 and second.status_code == 409
    assert "已被他人修改" in second.json()["detail"]
    assert Project.objects.get(pk=created["id"]).name == "甲的修改"


def test_patch_without_version_is_refused(api_as, users):
    p = services.do_create_project(services.ProjectInput(**_body(_unit(users))), actor=users["dw"])
    r = api_as("dw").patch(f"/api/v1/projects/{p.pk}", {"name": "x"}, content_type="application/json")
    assert r.status_code == 422
    assert Project.objects.get(pk=p.pk).name == p.name


def test_unit_cannot_edit_a_project_in_the_library(users):
    p = Project.objects.filter(unit=_unit(users), state="in_library").first()
    with pytest.raises(PermissionDenied):
        services.do_update_project(p.pk, {"name": "偷改"}, actor=users["dw"], expected_version=p.version)


def test_budget_adjustments_are_records_and_move_the_adjusted_amount(users):
    p = Project.objects.filter(unit=_unit(users), state="in_library").first()
    budget = ProjectBudget.objects.get(project=p, year=2026)
    start = budget.amount_adjusted
    services.do_adjust_budget(p.pk, year=2026, amount="-50000", reason="压减一般性支出", actor=users["ywk"])
    services.do_adjust_budget(p.pk, year=2026, amount="20000.50", reason="追加任务", actor=users["jxk"])
    budget.refresh_from_db()
    assert budget.amount_adjusted == start - Decimal("50000") + Decimal("20000.50")
    assert budget.adjustments.count() >= 2
    with pytest.raises(PermissionDenied):
        services.do_adjust_budget(p.pk, year=2026, amount="1", reason="单位不能调", actor=users["dw"])
    with pytest.raises(ValidationError):
        services.do_adjust_budget(
            p.pk, year=2026, amount=-(budget.amount_adjusted + 1), reason="减成负数", actor=users["ywk"]
        )


def test_responsible_person_history_is_never_lost(users):
    p = services.do_create_project(services.ProjectInput(**_body(_unit(users))), actor=users["dw"])
    services.do_change_responsible(p.pk, name="王强", position="副校长", reason="工作调动", actor=users["dw"])
    services.do_change_responsible(p.pk, name="李娜", position="校长", reason="机构调整", actor=users["zgbm"])
    people = list(p.responsible_persons.order_by("id").values_list("name", "end_date"))
    assert [n for n, _ in people] == ["陈明", "王强", "李娜"]
    assert people[0][1] is not None and people[1][1] is not None and people[2][1] is None


@pytest.mark.parametrize(
    ("query", "wanted"),
    [
        ("义务教育", "农村义务教育学生营养改善计划"),
        ("教育", "农村义务教育学生营养改善计划"),
        ("营养改善", "农村义务教育学生营养改善计划"),
        ("校舍维修", "中小学校舍维修改造"),
    ],
)
def test_chinese_full_text_search_finds_projects_by_words(api_as, users, query, wanted):
    from wenxiao.core.text import tokenize

    unit = _unit(users)
    services.do_create_project(
        services.ProjectInput(**_body(unit, name="农村义务教育学生营养改善计划")), actor=users["dw"]
    )
    services.do_create_project(services.ProjectInput(**_body(unit, name="中小学校舍维修改造")), actor=users["dw"])
    items = api_as("dw").get("/api/v1/projects", {"q": query, "limit": 1000}).json()["items"]
    assert wanted in [p["name"] for p in items]
    for p in items:  # nothing comes back that lacks a word of the query
        text = Project.objects.get(pk=p["id"]).search_text.split()
        assert all(t in text for t in tokenize(query, for_query=True)), p["name"]


def test_search_index_follows_renames(api_as, users):
    unit = _unit(users)
    p = services.do_create_project(services.ProjectInput(**_body(unit, name="城乡学校供水设施改造")), actor=users["dw"])
    services.do_update_project(p.pk, {"name": "校园食堂设备更新"}, actor=users["dw"], expected_version=p.version)
    assert api_as("dw").get("/api/v1/projects", {"q": "供水设施"}).json()["count"] == 0
    found = api_as("dw").get("/api/v1/projects", {"q": "食堂设备"}).json()["items"]
    assert [x["id"] for x in found] == [p.pk]


def test_year_filter_shows_that_years_amounts(api_as, users):
    p = Project.objects.filter(unit__parent=_unit(users, "zgbm"), budgets__year=2025).first()
    b25 = ProjectBudget.objects.get(project=p, year=2025)
    r = api_as("zgbm").get("/api/v1/projects", {"year": 2025, "q": p.code}).json()
    assert r["count"] == 1
    assert Decimal(r["items"][0]["amount_initial"]) == b25.amount_initial and r["items"][0]["year"] == 2025

"""Reads of the project library; every one starts from `visible_to(user)`."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, DecimalField, IntegerField, OuterRef, Subquery, Sum

from wenxiao.core.search import search
from wenxiao.projects.models import Project, ProjectBudget


@dataclass
class ProjectFilter:
    q: str = ""
    year: int | None = None
    budget_kind: str = ""
    function: str = ""  # any level of 支出功能分类: 类, 款 or 项 code prefix
    department: str = ""  # department code
    unit: str = ""  # unit code
    region: str = ""  # region code: that region and below
    state: str = ""
    project_class: str = ""
    fund_type: str = ""
    kind: str = ""
    attribute: str = ""
    order: str = "code"

    ORDERS = {
        "code": "code",
        "-code": "-code",
        "name": "name",
        "amount": "amount_adjusted",
        "-amount": "-amount_adjusted",
        "-updated": "-updated_at",
    }


def with_year_amounts(qs, year: int | None):
    """Annotate year, amount_initial and amount_adjusted from the budget of `year` (or the latest one)."""
    budgets = ProjectBudget.objects.filter(project=OuterRef("pk"))
    if year:
        budgets = budgets.filter(year=year)
    budgets = budgets.order_by("-year")
    money = DecimalField(max_digits=16, decimal_places=2)
    return qs.annotate(
        year=Subquery(budgets.values("year")[:1], output_field=IntegerField()),
        amount_initial=Subquery(budgets.values("amount_initial")[:1], output_field=money),
        amount_adjusted=Subquery(budgets.values("amount_adjusted")[:1], output_field=money),
    )


def project_list(user, f: ProjectFilter | None = None):
    f = f or ProjectFilter()
    qs = Project.objects.visible_to(user)
    if f.year:
        qs = qs.filter(budgets__year=f.year)
    if f.q:
        qs = search(qs, f.q)
    exact = {
        "budget_kind": f.budget_kind,
        "state": f.state,
        "project_class": f.project_class,
        "fund_type": f.fund_type,
        "kind": f.kind,
        "attribute": f.attribute,
        "department__code": f.department,
        "unit__code": f.unit,
    }
    qs = qs.filter(**{k: v for k, v in exact.items() if v})
    if f.function:
        qs = qs.filter(function_class_id__startswith=f.function)
    if f.region:
        qs = qs.filter(region__path__contains=f"{f.region}/")
    qs = with_year_amounts(qs, f.year)
    order = f.ORDERS.get(f.order, "code")
    return qs.select_related("unit", "department", "region", "function_class").order_by(order, "id")


def project_detail(user, pk: int) -> Project | None:
    return (
        Project.objects.visible_to(user)
        .select_related("unit", "department", "region", "function_class", "economic_class", "created_by")
        .filter(pk=pk)
        .first()
    )


def project_by_code(user, code: str) -> Project | None:
    return Project.objects.visible_to(user).filter(code=code).first()


def budgets_of(project: Project):
    return project.budgets.prefetch_related("adjustments__created_by").order_by("-year")


def current_responsible(project: Project):
    return project.responsible_persons.filter(end_date__isnull=True).first()


def summary(user, year: int) -> dict:
    """Counts and amounts by budget kind and by 功能分类 类 for the home page and its charts."""
    from django.db.models.functions import Substr

    from wenxiao.catalog.choices import BudgetKind
    from wenxiao.catalog.models import FunctionClass

    # One pass over the year's budgets grouped by (budget kind, 功能分类 类); both charts are sums of its rows.
    rows = (
        ProjectBudget.objects.visible_to(user)
        .filter(year=year)
        .annotate(cls=Substr("project__function_class_id", 1, 3))
        .values("project__budget_kind", "cls")
        .annotate(n=Count("id"), amount=Sum("amount_adjusted"))
        .order_by()
    )
    by_kind: dict[str, dict] = {}
    by_function: dict[str, dict] = {}
    for r in rows:
        for bucket, key in ((by_kind, r["project__budget_kind"]), (by_function, r["cls"])):
            acc = bucket.setdefault(key, {"n": 0, "amount": 0})
            acc["n"] += r["n"]
            acc["amount"] += r["amount"] or 0
    kinds = [
        {
            "code": k.value,
            "name": k.label,
            "count": by_kind.get(k.value, {}).get("n", 0),
            "amount": by_kind.get(k.value, {}).get("amount") or 0,
        }
        for k in BudgetKind
    ]
    names = dict(FunctionClass.objects.filter(level=1).values_list("code", "name"))
    functions = sorted(
        (
            {"code": cls, "name": names.get(cls, cls), "amount": v["amount"], "count": v["n"]}
            for cls, v in by_function.items()
        ),
        key=lambda f: -f["amount"],
    )
    states = dict(
        Project.objects.visible_to(user).values_list("state").annotate(n=Count("id")).values_list("state", "n")
    )
    return {
        "kinds": kinds,
        "functions": functions,
        "states": states,
        "count": sum(k["count"] for k in kinds),
        "amount": sum((k["amount"] for k in kinds), 0),
        "pending": sum(n for state, n in states.items() if state != "in_library"),
    }

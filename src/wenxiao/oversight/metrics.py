"""The metric registry: indicators of an assessment that the system computes from its own data.

A metric is a function `(subject, year) -> Decimal | None` registered with `@metric("key", "中文名", unit="%")`.
The subject is a lower region (a county, for the 财政运行综合绩效评价 and the assessment of lower finance bureaus:
its whole subtree counts) or a 主管部门 (the department assessment: the department and its units). Each metric
is one or two aggregate queries; None means there is nothing to measure (no denominator).

Other apps register their own metrics by importing this module:

    from wenxiao.oversight.metrics import metric

    @metric("selfeval_rate", "单位自评覆盖率")
    def selfeval_rate(subject, year): ...

and `oversight.apps` imports the modules listed in `METRIC_MODULES` so they are registered before use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum

from wenxiao.core.config import setting


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str
    fn: Callable
    doc: str = ""


REGISTRY: dict[str, Metric] = {}
# Modules of other apps that register metrics here (imported lazily by `registry()`); missing ones are skipped.
METRIC_MODULES = ["wenxiao.evaluation.metrics", "wenxiao.results.metrics"]


def metric(key: str, label: str, unit: str = "%"):
    """Register `fn(subject, year) -> Decimal | None` as the metric `key`."""

    def register(fn):
        REGISTRY[key] = Metric(key, label, unit, fn, (fn.__doc__ or "").strip())
        return fn

    return register


def registry() -> dict[str, Metric]:
    import importlib

    for name in METRIC_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError:
            continue
    return REGISTRY


def choices() -> list[tuple[str, str]]:
    return [(k, f"{m.label}（{k}）") for k, m in sorted(registry().items())]


def compute(key: str, subject, year: int) -> Decimal | None:
    m = registry().get(key)
    if m is None:
        raise KeyError(key)
    return m.fn(subject, year)


def pct(numerator, denominator) -> Decimal | None:
    """numerator ÷ denominator × 100, two decimals; None when there is nothing to divide by."""
    if not denominator:
        return None
    return (Decimal(numerator or 0) * 100 / Decimal(denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def is_region(subject) -> bool:
    return subject._meta.label_lower == "orgs.region"


def within(subject, region_field: str = "region", department_field: str = "department") -> Q:
    """Rows of the subject: for a region, rows whose region lies in its subtree; for a 主管部门, its rows."""
    if is_region(subject):
        return Q(**{f"{region_field}__path__startswith": subject.path})
    return Q(**{f"{department_field}__path__startswith": subject.path})


def _home_region(subject):
    return subject if is_region(subject) else subject.region


# --- metrics from the system's own data --------------------------------------------------------------------


@metric("target_rate", "绩效目标申报率")
def target_rate(subject, year):
    """有预算且须申报目标的项目中，已申报（提交过）绩效目标的比例。"""
    from wenxiao.projects.models import ProjectBudget
    from wenxiao.targets.models import Target

    required = setting("targets.required_classes", _home_region(subject), year)
    declared = Target.objects.filter(project_id=OuterRef("project_id"), year=year, kind="project").exclude(
        state="draft"
    )
    agg = (
        ProjectBudget.objects.filter(within(subject, "project__region", "project__department"), year=year)
        .filter(project__project_class__in=required)
        .annotate(has=Exists(declared))
        .aggregate(n=Count("id"), done=Count("id", filter=Q(has=True)))
    )
    return pct(agg["done"], agg["n"])


@metric("target_good_rate", "绩效目标审核优良率")
def target_good_rate(subject, year):
    """经绩效科终审的绩效目标中，等级为优、良的比例。"""
    from wenxiao.targets.models import Target

    agg = (
        Target.objects.filter(within(subject), year=year)
        .exclude(grade="")
        .aggregate(n=Count("id"), good=Count("id", filter=Q(grade__in=("优", "良"))))
    )
    return pct(agg["good"], agg["n"])


@metric("appraisal_coverage", "事前绩效评估完成率")
def appraisal_coverage(subject, year):
    """须开展事前绩效评估的项目中，已作出评估结论的比例。"""
    from wenxiao.appraisal.models import Appraisal

    agg = Appraisal.objects.filter(within(subject), year=year).aggregate(
        n=Count("id"), done=Count("id", filter=Q(state="concluded"))
    )
    return pct(agg["done"], agg["n"])


def _monitored(subject, year):
    from wenxiao.monitoring.models import MonitoringForm

    return MonitoringForm.objects.filter(within(subject), round__year=year).exclude(state__in=("draft", "returned"))


@metric("monitoring_coverage", "绩效监控覆盖率")
def monitoring_coverage(subject, year):
    """已批复绩效目标的项目中，本年度报送了监控表的项目比例（按项目个数）。"""
    from wenxiao.targets.models import Target

    approved = Target.objects.filter(within(subject), year=year, kind="project", state="approved")
    monitored = _monitored(subject, year).filter(project_id=OuterRef("project_id"))
    agg = approved.annotate(m=Exists(monitored)).aggregate(n=Count("id"), done=Count("id", filter=Q(m=True)))
    return pct(agg["done"], agg["n"])


@metric("monitoring_coverage_amount", "绩效监控覆盖率（按金额）")
def monitoring_coverage_amount(subject, year):
    """已批复绩效目标的项目资金中，本年度报送了监控表的项目资金比例。"""
    from wenxiao.targets.models import Target

    approved = Target.objects.filter(within(subject), year=year, kind="project", state="approved")
    monitored = _monitored(subject, year).filter(project_id=OuterRef("project_id"))
    agg = approved.annotate(m=Exists(monitored)).aggregate(total=Sum("amount"), done=Sum("amount", filter=Q(m=True)))
    return pct(agg["done"], agg["total"])


@metric("execution_rate", "预算执行率")
def execution_rate(subject, year):
    """国库集中支付数 ÷ 调整后预算（当年全部有预算的项目）。"""
    from wenxiao.projects.models import MonthlyExecution, ProjectBudget

    budget = ProjectBudget.objects.filter(
        within(subject, "project__region", "project__department"), year=year
    ).aggregate(s=Sum("amount_adjusted"))["s"]
    paid = MonthlyExecution.objects.filter(
        within(subject, "project__region", "project__department"), year=year
    ).aggregate(s=Sum("amount"))["s"]
    return pct(paid, budget)


@metric("warning_handled_rate", "预警处置率")
def warning_handled_rate(subject, year):
    """本年度监控预警中已有处置措施的比例（自行消除且未处置的预警不计）。"""
    from wenxiao.monitoring.models import Warning, WarningAction

    acted = WarningAction.objects.filter(warning_id=OuterRef("pk")).exclude(kind="feedback")
    agg = (
        Warning.objects.filter(within(subject), year=year)
        .annotate(a=Exists(acted))
        .exclude(Q(status="cleared") & Q(a=False))
        .aggregate(n=Count("id"), done=Count("id", filter=Q(a=True)))
    )
    return pct(agg["done"], agg["n"])


@metric("disclosure_rate", "绩效信息公开率")
def disclosure_rate(subject, year):
    """已批复的绩效目标中，已随预算公开的比例。"""
    from wenxiao.targets.models import Target

    agg = Target.objects.filter(within(subject), year=year, state="approved").aggregate(
        n=Count("id"), done=Count("id", filter=Q(published=True))
    )
    return pct(agg["done"], agg["n"])

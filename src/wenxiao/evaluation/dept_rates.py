"""Rates an evaluation takes from the system's own data instead of asking for them (R32, REFERENCE §6.4, §7.1).

`rates(org, year, project=None)` returns metric key → Rate(value in percent or None, how it was computed). Every
figure is an aggregate query over budgets, adjustments, payments, targets and self-evaluations of the year.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Q, Sum
from django.db.models.functions import Abs

from wenxiao.evaluation.models import SelfEvalLine, SelfEvaluation
from wenxiao.projects.models import BudgetAdjustment, MonthlyExecution, Payment, ProjectBudget
from wenxiao.targets.models import Target

THREE_PUBLIC = ("30211", "30217", "30231", "31013")  # 因公出国（境）、公务接待、公务用车运行维护、公务用车购置
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Rate:
    value: Decimal | None
    source: str

    @property
    def text(self) -> str:
        return "—" if self.value is None else f"{self.value:.2f}%"


def _pct(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part or 0) / Decimal(whole) * HUNDRED).quantize(Decimal("0.01"))


def _met_share(lines, level2_word: str) -> Decimal | None:
    rows = list(lines.filter(level2__contains=level2_word).values_list("score", "rule_weight"))
    scored = [(s, w) for s, w in rows if s is not None and w]
    if not scored:
        return None
    return _pct(sum(1 for s, w in scored if s >= w), len(scored))


def rates(org, year: int, project=None) -> dict[str, Rate]:
    """The computable rates of a project (when given) or of an organisation's projects as a whole."""
    if project is not None:
        projects = Q(project=project)
        budget_rows = ProjectBudget.objects.filter(project=project, year=year)
    else:
        projects = Q(project__unit__path__startswith=org.path)
        budget_rows = ProjectBudget.objects.filter(projects, year=year)
    b = budget_rows.aggregate(initial=Sum("amount_initial"), adjusted=Sum("amount_adjusted"))
    paid = MonthlyExecution.objects.filter(projects, year=year).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    paid_oct = MonthlyExecution.objects.filter(projects, year=year, month__lte=10).aggregate(s=Sum("amount"))[
        "s"
    ] or Decimal(0)
    adjusted = b["adjusted"] or Decimal(0)
    adjustments = BudgetAdjustment.objects.filter(
        Q(budget__project=project) if project is not None else Q(budget__project__unit__path__startswith=org.path),
        budget__year=year,
    ).aggregate(s=Sum(Abs("amount")))["s"]
    procurement = budget_rows.filter(project__fund_type="procurement").aggregate(s=Sum("amount_adjusted"))["s"]
    procurement_paid = MonthlyExecution.objects.filter(projects, year=year, project__fund_type="procurement").aggregate(
        s=Sum("amount")
    )["s"]
    three = Payment.objects.filter(projects, economic_code__in=THREE_PUBLIC)
    three_now = three.filter(year=year).aggregate(s=Sum("amount"))["s"]
    three_before = three.filter(year=year - 1).aggregate(s=Sum("amount"))["s"]
    forms = SelfEvaluation.objects.filter(year=year, kind="project").filter(
        Q(project=project) if project is not None else Q(unit__path__startswith=org.path)
    )
    lines = SelfEvalLine.objects.filter(form__in=forms.exclude(state__in=("draft", "returned")))
    targets = Target.objects.filter(year=year, kind="project").filter(
        Q(project=project) if project is not None else Q(unit__path__startswith=org.path)
    )
    mean = forms.exclude(state__in=("draft", "returned")).aggregate(a=Avg("score"))["a"]
    out = {
        "execution_rate": Rate(_pct(paid, adjusted), "国库支付数÷调整后预算数"),
        "arrival_rate": Rate(None, "资金到位数据需评价组核实（一体化系统指标到位数）"),
        "adjustment_rate": Rate(_pct(adjustments, b["initial"]), "预算调整（调剂）金额绝对值÷年初预算数"),
        "carryover_rate": Rate(_pct(max(adjusted - paid, Decimal(0)), adjusted), "(调整后预算-支付数)÷调整后预算数"),
        "payment_progress": Rate(
            _pct(_pct(paid_oct, adjusted), 60) if adjusted else None, "10月底支付进度÷既定进度60%"
        ),
        "procurement_rate": Rate(_pct(procurement_paid, procurement), "政府采购类项目支付数÷预算数"),
        "three_public_change": Rate(
            _pct((three_now or 0) - (three_before or 0), three_before) if three_before else None,
            "按经济分类30211/30217/30231/31013统计的支付数，本年与上年比较",
        ),
        "three_public_share": Rate(_pct(three_now, paid), "三公经费支付数÷全部支付数"),
        "disclosure_rate": Rate(
            _pct(targets.filter(published=True).count(), targets.count()), "已公开的项目绩效目标÷全部项目绩效目标"
        ),
        "quantity_met": Rate(_met_share(lines, "数量"), "自评中数量指标达到目标值的比例"),
        "quality_met": Rate(_met_share(lines, "质量"), "自评中质量指标达到目标值的比例"),
        "timeliness_met": Rate(_met_share(lines, "时效"), "自评中时效指标按期完成的比例"),
        "selfeval_mean": Rate(
            Decimal(mean).quantize(Decimal("0.01")) if mean is not None else None, "已提交项目自评的平均规则得分"
        ),
    }
    return out

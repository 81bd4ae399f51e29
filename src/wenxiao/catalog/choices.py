"""National enumerations used to tag projects (预算管理一体化规范; REFERENCE §1.1, §11.2)."""

from django.db import models


class BudgetKind(models.TextChoices):
    """The four budgets (四本预算)."""

    GENERAL = "1", "一般公共预算"
    FUND = "2", "政府性基金预算"
    SOE = "3", "国有资本经营预算"
    SOCIAL = "4", "社会保险基金预算"


class FundType(models.TextChoices):
    """Fund-like arrangements that performance management also covers (R02)."""

    NONE = "", "一般项目"
    INVESTMENT_FUND = "investment_fund", "政府投资基金"
    PPP = "ppp", "PPP项目"
    PROCUREMENT = "procurement", "政府采购"
    PURCHASED_SERVICE = "purchased_service", "政府购买服务"
    DEBT = "debt", "政府债务项目"


class ProjectClass(models.TextChoices):
    """项目类别 in 一体化: personnel, running costs, specific-purpose."""

    PERSONNEL = "1", "人员类项目"
    OPERATION = "2", "运转类项目"
    SPECIAL = "3", "特定目标类项目"


class ProjectAttribute(models.TextChoices):
    """项目属性."""

    NEW = "new", "新增项目"
    CONTINUING = "continuing", "延续项目"


ENUMERATIONS = [
    ("四本预算", BudgetKind),
    ("资金类型（全覆盖）", FundType),
    ("项目类别", ProjectClass),
    ("项目属性", ProjectAttribute),
]

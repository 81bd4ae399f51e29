"""Reference codes (政府收支分类科目), loaded by data migrations from the CSV files in `data/`."""

from django.db import models


class FunctionClass(models.Model):
    """支出功能分类科目: 类 (3 digits), 款 (5), 项 (7)."""

    LEVELS = {3: "类", 5: "款", 7: "项"}

    code = models.CharField("科目编码", max_length=7, primary_key=True)
    name = models.CharField("科目名称", max_length=80)
    level = models.PositiveSmallIntegerField("级次")  # 1 类, 2 款, 3 项
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="children")

    class Meta:
        verbose_name = "支出功能分类科目"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class EconomicClass(models.Model):
    """支出经济分类科目, in the 部门预算 (3xx) and the 政府预算 (5xx) schemes: 类 (3 digits), 款 (5)."""

    class Scheme(models.TextChoices):
        DEPARTMENT = "dept", "部门预算支出经济分类"
        GOVERNMENT = "gov", "政府预算支出经济分类"

    code = models.CharField("科目编码", max_length=5, primary_key=True)
    scheme = models.CharField("分类", max_length=4, choices=Scheme.choices)
    name = models.CharField("科目名称", max_length=80)
    level = models.PositiveSmallIntegerField("级次")
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="children")

    class Meta:
        verbose_name = "支出经济分类科目"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

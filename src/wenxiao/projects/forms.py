"""Forms of the project pages. They only shape input; the services validate and write."""

from django import forms
from django.conf import settings

from wenxiao.catalog.choices import BudgetKind, FundType, ProjectAttribute, ProjectClass
from wenxiao.catalog.models import EconomicClass, FunctionClass
from wenxiao.orgs.models import Organisation
from wenxiao.projects.models import Project


def function_choices():
    return [("", "请选择")] + [
        (c, f"{c} {n}") for c, n in FunctionClass.objects.filter(level__gte=2).values_list("code", "name")
    ]


def economic_choices():
    return [("", "（不填）")] + [
        (c, f"{c} {n}") for c, n in EconomicClass.objects.filter(scheme="dept", level=2).values_list("code", "name")
    ]


def style_fields(form: forms.Form) -> None:
    """Bootstrap classes on every visible widget."""
    for field in form.fields.values():
        if not isinstance(field.widget, forms.HiddenInput):
            field.widget.attrs["class"] = "form-select" if isinstance(field.widget, forms.Select) else "form-control"


class ProjectFieldsForm(forms.Form):
    name = forms.CharField(label="项目名称", max_length=180)
    kind = forms.ChoiceField(label="类型", choices=Project.Kind.choices)
    start_year = forms.IntegerField(label="起始年度", min_value=2000, max_value=2100)
    end_year = forms.IntegerField(label="结束年度", min_value=2000, max_value=2100)
    budget_kind = forms.ChoiceField(label="预算类型", choices=BudgetKind.choices)
    fund_type = forms.ChoiceField(label="资金类型", choices=FundType.choices, required=False)
    function_code = forms.ChoiceField(label="支出功能分类", choices=())
    economic_code = forms.ChoiceField(label="部门预算经济分类", choices=(), required=False)
    project_class = forms.ChoiceField(label="项目类别", choices=ProjectClass.choices)
    attribute = forms.ChoiceField(label="项目属性", choices=ProjectAttribute.choices)
    description = forms.CharField(label="立项依据及主要内容", widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["function_code"].choices = function_choices()
        self.fields["economic_code"].choices = economic_choices()
        style_fields(self)


class AmountsMixin(forms.Form):
    year = forms.IntegerField(label="预算年度", min_value=2000, max_value=2100, initial=settings.FISCAL_YEAR)
    amount_initial = forms.DecimalField(label="年初预算（元）", min_value=0, decimal_places=2, max_digits=16)
    amount_carryover = forms.DecimalField(
        label="其中：上年结转（元）", min_value=0, decimal_places=2, max_digits=16, initial=0
    )
    amount_other = forms.DecimalField(
        label="其中：其他资金（元）", min_value=0, decimal_places=2, max_digits=16, initial=0
    )


class ProjectCreateForm(ProjectFieldsForm, AmountsMixin):
    unit_code = forms.ChoiceField(label="预算单位", choices=())
    responsible_name = forms.CharField(label="项目责任人", max_length=40, required=False)
    responsible_position = forms.CharField(label="责任人职务", max_length=60, required=False)
    responsible_phone = forms.CharField(label="联系电话", max_length=30, required=False)

    field_order = ["name", "kind", "unit_code", "year", "start_year", "end_year"]

    def __init__(self, *args, user=None, **kwargs):
        kwargs.setdefault("initial", {}).update(
            {"start_year": settings.FISCAL_YEAR, "end_year": settings.FISCAL_YEAR, "project_class": "3"}
        )
        super().__init__(*args, **kwargs)
        units = Organisation.objects.visible_to(user, roles=("unit", "department", "business", "performance"))
        self.fields["unit_code"].choices = [
            (u.code, f"{u.name}（{u.code}）") for u in units.filter(kind="unit").order_by("path")[:2000]
        ]
        style_fields(self)


class ProjectEditForm(ProjectFieldsForm, AmountsMixin):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].widget = forms.HiddenInput()
        style_fields(self)


class AdjustmentForm(forms.Form):
    year = forms.IntegerField(label="预算年度", widget=forms.HiddenInput)
    amount = forms.DecimalField(
        label="调整金额（元，调减填负数）",
        decimal_places=2,
        max_digits=16,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.01"}),
    )
    reason = forms.CharField(label="调整原因", max_length=200, widget=forms.TextInput(attrs={"class": "form-control"}))
    document_no = forms.CharField(
        label="文号", max_length=60, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )


class ResponsibleForm(forms.Form):
    name = forms.CharField(label="新责任人", max_length=40, widget=forms.TextInput(attrs={"class": "form-control"}))
    position = forms.CharField(
        label="职务", max_length=60, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    phone = forms.CharField(
        label="联系电话",
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    reason = forms.CharField(label="变更原因", max_length=200, widget=forms.TextInput(attrs={"class": "form-control"}))

"""Reference code pages (基础代码): 功能分类, 经济分类, national enumerations."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from wenxiao.catalog.choices import ENUMERATIONS
from wenxiao.catalog.models import EconomicClass, FunctionClass


@login_required
def functions(request):
    top = request.GET.get("class", "")
    qs = FunctionClass.objects.all()
    if top:
        qs = qs.filter(code__startswith=top)
    return render(
        request,
        "catalog/functions.html",
        {
            "codes": qs,
            "classes": FunctionClass.objects.filter(level=1),
            "top": top,
            "economic": EconomicClass.objects.all(),
            "enumerations": [(t, e.choices) for t, e in ENUMERATIONS],
        },
    )

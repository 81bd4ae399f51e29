"""Pages of the indicator library: browse, detail, propose, the picker used by the target editor."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from wenxiao.catalog.models import FunctionClass
from wenxiao.core import workflow
from wenxiao.core.errors import ServiceError, error_text
from wenxiao.core.scoping import can_write
from wenxiao.library import selectors, services
from wenxiao.library.frameworks import FRAMEWORKS
from wenxiao.library.models import COMPARATORS, LIBRARY_FLOW, SOURCES, VALUE_KINDS, IndicatorTemplate
from wenxiao.targets.models import Target

LEVELS = {l1: l2s for spec in FRAMEWORKS.values() for l1, l2s in spec["tree"].items()}


@login_required
def indicator_list(request):
    g = request.GET
    qs = selectors.indicator_list(
        request.user,
        q=g.get("q", "").strip(),
        level1=g.get("level1", ""),
        level2=g.get("level2", ""),
        function=g.get("function", ""),
        state=g.get("state", ""),
        common=g.get("common", ""),
    )
    page = Paginator(qs.prefetch_related("sectors"), 40).get_page(g.get("page"))
    return render(
        request,
        "library/list.html",
        {
            "page": page,
            "levels": LEVELS,
            "functions": FunctionClass.objects.filter(level=1),
            "states": LIBRARY_FLOW.states.items(),
            "can_propose": can_write(request.user) and request.user.has_role(*services.PROPOSER_ROLES),
        },
    )


@login_required
def indicator_detail(request, pk: int):
    t = IndicatorTemplate.objects.visible_to(request.user).prefetch_related("sectors").filter(pk=pk).first()
    if t is None:
        raise Http404("指标不存在")
    steps = workflow.available_steps(t, request.user) if can_write(request.user) and t.region_id else []
    return render(
        request,
        "library/detail.html",
        {"t": t, "steps": steps, "history": workflow.history(t), "uses": t.uses.select_related("target__project")[:20]},
    )


@login_required
def indicator_new(request):
    data = request.POST
    if request.method == "POST":
        try:
            t = services.do_propose(
                {**data.dict(), "sectors": data.get("sectors", "").replace("，", ",").split(",")}, actor=request.user
            )
        except ServiceError as e:
            messages.error(request, error_text(e))
        else:
            messages.success(request, f"指标“{t.name}”已提交入库申请，待绩效科审核发布。")
            return redirect("library:detail", pk=t.pk)
    return render(
        request,
        "library/new.html",
        {"levels": LEVELS, "comparators": COMPARATORS, "kinds": VALUE_KINDS, "sources": SOURCES, "data": data},
    )


@login_required
@require_POST
def indicator_revise(request, pk: int):
    if not IndicatorTemplate.objects.visible_to(request.user).filter(pk=pk).exists():
        raise Http404("指标不存在")
    fields = ("name", "definition", "formula", "scoring", "unit")
    try:
        t = services.do_revise(pk, {f: request.POST[f] for f in fields if f in request.POST}, actor=request.user)
    except ServiceError as e:
        messages.error(request, error_text(e))
    else:
        messages.success(request, f"已保存为第{t.revision}版。")
    return redirect("library:detail", pk=pk)


@login_required
@require_POST
def indicator_action(request, pk: int):
    if not IndicatorTemplate.objects.visible_to(request.user).filter(pk=pk).exists():
        raise Http404("指标不存在")
    try:
        t = services.do_transition(
            pk, request.POST.get("action", ""), actor=request.user, comment=request.POST.get("comment", "")
        )
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"已办理，当前状态：{t.state_label}。")
    return redirect("library:detail", pk=pk)


@login_required
def pick(request):
    """The picker beside the target editor: indicators for the target's project, searchable (htmx partial)."""
    target = (
        Target.objects.visible_to(request.user)
        .select_related("project")
        .filter(pk=request.GET.get("target") or 0)
        .first()
    )
    if target is None:
        raise Http404
    function = target.project.function_class_id if target.project_id else ""
    chosen = set(target.indicators.exclude(template=None).values_list("template_id", flat=True))
    q = request.GET.get("q", "").strip()
    qs = selectors.for_project_function(request.user, function, q=q)
    groups: dict[tuple[str, str], list] = {}
    per_group = 20 if q else 6  # browsing: a few of each 二级指标 so every block is in reach
    for t in qs[:600]:
        items = groups.setdefault((t.level1, t.level2), [])
        if len(items) < per_group:
            items.append(t)
    order = {l2: i for i, l2 in enumerate(l2 for l2s in LEVELS.values() for l2 in l2s)}
    grouped = sorted(groups.items(), key=lambda kv: order.get(kv[0][1], 99))
    return render(request, "library/_pick.html", {"groups": grouped, "chosen": chosen})

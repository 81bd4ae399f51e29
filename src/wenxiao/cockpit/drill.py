"""The rows behind each cockpit figure (the drill page). Every row set starts from the same function the figure was
computed with (`figures.*_rows`), narrowed by the clicked segment, and is also scoped to the reader."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import F
from django.urls import reverse

from wenxiao.cockpit import figures
from wenxiao.core.templatetags.wx import wan
from wenxiao.core.years import posted_int

LIGHTS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯"}
RECTIFY_STATES = {"verified": "已核验销号", "overdue": "逾期未销号", "open": "整改中（未逾期）"}


def _pct(v) -> str:
    return "—" if v is None else f"{v:.2f}%"


@dataclass(frozen=True)
class Drill:
    title: Callable[[dict], str]
    params: tuple[str, ...]
    columns: tuple[str, ...]
    rows: Callable  # (user, subject, year, **params) -> queryset
    row: Callable  # obj -> (url, cells)
    source_url: Callable[[int, dict], str]


def _execution_rows(user, subject, year, department="", unit="", light=""):
    qs = figures.status_rows(subject, year).visible_to(user)
    if posted_int(department):
        qs = qs.filter(department_id=posted_int(department))
    if posted_int(unit):
        qs = qs.filter(unit_id=posted_int(unit))
    if light in LIGHTS:
        qs = qs.filter(light=light)
    return (
        qs.select_related("project", "department", "unit")
        .annotate(gap=F("time_progress") - F("rate"))
        .order_by(F("gap").desc(nulls_last=True), "project__code")
    )


def _execution_title(p):
    parts = ["项目执行进度"]
    if p.get("light") in LIGHTS:
        parts.append(LIGHTS[p["light"]])
    return " · ".join(parts)


def _warning_rows(user, subject, year, level="", code="", department=""):
    qs = figures.warning_rows(subject, year).visible_to(user)
    if level in ("red", "yellow"):
        qs = qs.filter(level=level)
    if code:
        qs = qs.filter(code=code)
    if posted_int(department):
        qs = qs.filter(department_id=posted_int(department))
    return qs.select_related("project", "department", "unit").order_by("level", "-last_seen", "project__code", "code")


def _selfeval_rows(user, subject, year, grade="", department="", unit=""):
    qs = figures.selfeval_rows(subject, year).visible_to(user)
    if grade in figures.GRADE_ORDER:
        qs = figures.selfeval_by_grade(qs, grade)
    if posted_int(department):
        qs = qs.filter(department_id=posted_int(department))
    if posted_int(unit):
        qs = qs.filter(unit_id=posted_int(unit))
    return qs.select_related("project", "department", "unit").order_by("department__code", "id")


def _evaluation_rows(user, subject, year, grade=""):
    qs = figures.evaluation_rows(subject, year).filter(pk__in=_visible_evaluations(user))
    if grade in figures.GRADE_ORDER:
        qs = qs.filter(grade=grade)
    return qs.select_related("department", "subject_org").order_by("-score", "id")


def _visible_evaluations(user):
    from wenxiao.evaluation.models import Evaluation

    return Evaluation.objects.visible_to(user).values("pk")


def _rectify_rows(user, subject, year, state=""):
    return (
        figures.rectify_rows(subject, year, state if state in RECTIFY_STATES else "")
        .visible_to(user)
        .select_related("unit", "department", "project")
        .order_by("deadline", "id")
    )


def _fund_rows(user, subject, year, label=""):
    from wenxiao.results.models import BudgetSuggestionSheet

    qs = figures.suggestion_rows(subject, year).filter(sheet__in=BudgetSuggestionSheet.objects.visible_to(user))
    if label:
        qs = qs.filter(action_label=label)
    return qs.select_related("project", "sheet__department").order_by("sheet__department__code", "project__code")


def is_number_column(heading: str) -> bool:
    """Money, rates and scores are right-aligned."""
    return "万元" in heading or heading.endswith(("率", "进度", "得分"))


KINDS: dict[str, Drill] = {
    "execution": Drill(
        title=_execution_title,
        params=("department", "unit", "light"),
        columns=("项目", "主管部门", "实施单位", "预算（万元）", "执行（万元）", "执行率", "序时进度", "预警灯"),
        rows=_execution_rows,
        row=lambda s: (
            reverse("monitoring:project", args=[s.project_id]) + f"?year={s.year}",
            (
                s.project.name,
                s.department.name,
                s.unit.name,
                wan(s.budget),
                wan(s.spent),
                _pct(s.rate),
                _pct(s.time_progress),
                LIGHTS.get(s.light, s.light),
            ),
        ),
        source_url=lambda y, p: f"{reverse('monitoring:overview')}?year={y}",
    ),
    "warnings": Drill(
        title=lambda p: "监控预警" + {"red": " · 红灯", "yellow": " · 黄灯"}.get(p.get("level", ""), ""),
        params=("level", "code", "department"),
        columns=("项目", "主管部门", "规则", "预警", "等级", "状态", "最近发现"),
        rows=_warning_rows,
        row=lambda w: (
            reverse("monitoring:project", args=[w.project_id]) + f"?year={w.year}",
            (
                w.project.name,
                w.department.name,
                w.code,
                w.title,
                {"red": "红灯", "yellow": "黄灯"}.get(w.level, w.level),
                w.get_status_display(),
                f"{w.last_seen:%Y-%m-%d}" if w.last_seen else "",
            ),
        ),
        source_url=lambda y, p: (
            f"{reverse('monitoring:warnings')}?year={y}"
            + (f"&level={p['level']}" if p.get("level") in ("red", "yellow") else "")
        ),
    ),
    "selfeval": Drill(
        title=lambda p: "单位自评" + (f" · 等级“{p['grade']}”" if p.get("grade") in figures.GRADE_ORDER else ""),
        params=("grade", "department", "unit"),
        columns=("自评对象", "主管部门", "实施单位", "规则得分", "复评得分", "等级", "状态"),
        rows=_selfeval_rows,
        row=lambda f: (
            reverse("evaluation:form", args=[f.pk]),
            (
                f.project.name if f.project_id else f"{f.unit.name}（部门整体）",
                f.department.name,
                f.unit.name,
                "—" if f.score is None else f"{f.score}",
                "—" if f.review_score is None else f"{f.review_score}",
                f.review_grade or f.grade,
                f.state_label,
            ),
        ),
        source_url=lambda y, p: f"{reverse('evaluation:distribution')}?year={y}",
    ),
    "evaluations": Drill(
        title=lambda p: "绩效评价" + (f" · 等级“{p['grade']}”" if p.get("grade") in figures.GRADE_ORDER else ""),
        params=("grade",),
        columns=("评价名称", "类型", "被评价单位", "评价资金（万元）", "得分", "等级"),
        rows=_evaluation_rows,
        row=lambda e: (
            e.get_absolute_url(),
            (e.title, e.get_kind_display(), e.subject_org.name, wan(e.amount), f"{e.score}", e.grade),
        ),
        source_url=lambda y, p: f"{reverse('evaluation:evaluations')}?year={y}",
    ),
    "rectify": Drill(
        title=lambda p: "整改事项" + (f" · {RECTIFY_STATES[p['state']]}" if p.get("state") in RECTIFY_STATES else ""),
        params=("state",),
        columns=("问题", "来源", "责任单位", "主管部门", "整改期限", "状态"),
        rows=_rectify_rows,
        row=lambda it: (
            it.get_absolute_url(),
            (
                it.problem[:60],
                it.get_source_display(),
                it.unit.name,
                it.department.name,
                f"{it.deadline:%Y-%m-%d}",
                it.state_label,
            ),
        ),
        source_url=lambda y, p: (
            f"{reverse('results:items')}?year={y}"
            + {"verified": "&state=verified", "overdue": "&overdue=1"}.get(p.get("state", ""), "")
        ),
    ),
    "funds": Drill(
        title=lambda p: "结果应用预算建议" + (f" · {p['label']}" if p.get("label") else ""),
        params=("label",),
        columns=("项目", "主管部门", "评价等级", "建议措施", "本年预算（万元）", "建议安排（万元）", "压减（万元）"),
        rows=_fund_rows,
        row=lambda x: (
            reverse("results:sheet", args=[x.sheet_id]),
            (
                x.project.name,
                x.sheet.department.name,
                x.grade or "—",
                x.action_label,
                wan(x.current_amount),
                wan(x.suggested_amount),
                wan(max(x.current_amount - x.suggested_amount, 0)),
            ),
        ),
        source_url=lambda y, p: f"{reverse('results:sheets')}?year={y}",
    ),
}

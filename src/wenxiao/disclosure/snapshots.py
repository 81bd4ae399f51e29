"""The allow-lists: what of each kind of item may be published. Nothing reaches the public site that is not named here.

Never copied: reviewer comments and review opinions (TargetComment, TargetReview, 复评意见, 内部点评), credibility
flags (S01–S09), personal data (responsible persons, phone numbers, evaluation team members, staff accounts),
workflow states and drafts, the 终审等级 of targets.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Sum

from wenxiao.core.audit import to_jsonable


def _money(v) -> str:
    return f"{Decimal(v or 0):.2f}"


def _rate(part, whole) -> str | None:
    return f"{Decimal(part or 0) / Decimal(whole) * 100:.2f}" if whole else None


# --- 绩效目标 -----------------------------------------------------------------------------------------------------

TARGET_ROW_FIELDS = ("level1", "level2", "name", "value", "unit")


def target(t) -> dict:
    """An approved target as approved: the latest frozen version (an adjustment under way is not public)."""
    version = t.versions.order_by("-number").first()
    snap = version.snapshot if version else {}
    return to_jsonable(
        {
            "kind_label": t.get_kind_display(),
            "project_code": t.project.code if t.project_id else "",
            "subject": t.project.name if t.project_id else f"{t.unit.name}（部门整体）",
            "unit": t.unit.name,
            "department": t.department.name,
            "year": t.year,
            "amount": snap.get("amount", _money(t.amount)),
            "amount_fiscal": snap.get("amount_fiscal", _money(t.amount_fiscal)),
            "goal": snap.get("goal", t.goal),
            "version": version.number if version else None,
            "indicators": [{f: r.get(f, "") for f in TARGET_ROW_FIELDS} for r in snap.get("rows", [])],
            "tasks": [{"name": x.get("name", ""), "amount": x.get("amount", "")} for x in snap.get("tasks", [])],
        }
    )


def target_title(t) -> str:
    return t.project.name if t.project_id else f"{t.unit.name}（部门整体）"


# --- 绩效运行监控 (a round's summary: counts, execution and coverage figures only) -------------------------------


def monitoring_summary(rnd, forms) -> dict:
    """Figures of a round over `forms` (the whole round, or one department's part): no project, no person."""
    submitted = forms.exclude(state__in=("draft", "returned"))

    def figures(qs) -> dict:
        a = qs.aggregate(
            units=Count("unit", distinct=True),
            projects=Count("id"),
            amount=Sum("budget_annual"),
            executed=Sum("executed"),
        )
        return {
            "units": a["units"],
            "projects": a["projects"],
            "amount": _money(a["amount"]),
            "executed": _money(a["executed"]),
            "rate": _rate(a["executed"], a["amount"]),
        }

    from wenxiao.monitoring.models import LIKELIHOOD, MonitoringLine

    lines = MonitoringLine.objects.filter(form__in=submitted)
    counts = dict(lines.values_list("likelihood").annotate(n=Count("id")).values_list("likelihood", "n"))
    departments = []
    rows = (
        forms.values("department__name")
        .annotate(n=Count("id"), budget=Sum("budget_annual"), executed=Sum("executed"), forecast=Sum("forecast_amount"))
        .order_by("department__name")
    )
    for r in rows:
        departments.append(
            {
                "name": r["department__name"],
                "projects": r["n"],
                "budget": _money(r["budget"]),
                "executed": _money(r["executed"]),
                "rate": _rate(r["executed"], r["budget"]),
                "forecast_rate": _rate(r["forecast"], r["budget"]),
            }
        )
    return to_jsonable(
        {
            "round": rnd.name,
            "year": rnd.year,
            "period_end": rnd.period_end,
            "time_progress": f"{Decimal(rnd.period_end.month) / 12 * 100:.2f}",
            "all": figures(forms),
            "submitted": figures(submitted),
            "likelihood": [{"label": label, "lines": counts.get(k, 0)} for k, label in LIKELIHOOD],
            "departments": departments,
        }
    )


# --- 绩效自评结果 --------------------------------------------------------------------------------------------------

SELFEVAL_ROW_FIELDS = ("level1", "level2", "name", "value", "unit", "actual")


def selfeval(f) -> dict:
    """Project, unit, department, the score and grade that count (finance's 复评 when there is one), execution."""
    return to_jsonable(
        {
            "kind_label": f.get_kind_display(),
            "project_code": f.project.code if f.project_id else "",
            "subject": f.subject_name,
            "unit": f.unit.name,
            "department": f.department.name,
            "year": f.year,
            "budget": _money(f.budget_annual),
            "executed": _money(f.executed),
            "rate": None if f.rate is None else f"{f.rate:.2f}",
            "score": None if f.final_score is None else f"{f.final_score:.2f}",
            "grade": f.final_grade,
            "reviewed": f.review_score is not None,  # the score is finance's 复评, not the unit's own
            "indicators": [{k: getattr(ln, k) for k in SELFEVAL_ROW_FIELDS} for ln in f.lines.all()],
        }
    )


# --- 财政评价报告 --------------------------------------------------------------------------------------------------


def evaluation(ev) -> dict:
    """The report as finalised: title, subject, score and grade, the 10号 sections and the scoring table."""
    from wenxiao.evaluation.key_services import REPORT_SECTIONS

    report = ev.report or {}
    return to_jsonable(
        {
            "kind_label": ev.get_kind_display(),
            "level_label": ev.get_level_display(),
            "project_code": ev.project.code if ev.project_id else "",
            "unit": ev.subject_org.name,
            "department": ev.department.name,
            "year": ev.year,
            "amount": _money(ev.amount),
            "score": None if ev.score is None else f"{ev.score:.2f}",
            "grade": ev.grade,
            "sections": [{"label": label, "text": report.get(key, "")} for key, label in REPORT_SECTIONS],
            "indicators": [
                {
                    "level1": i.level1,
                    "level2": i.level2,
                    "name": i.name,
                    "weight": _money(i.weight),
                    "score": None if i.score is None else _money(i.score),
                }
                for i in ev.indicators.all()
            ],
        }
    )


def text_of(snapshot: dict) -> str:
    """Every string of a snapshot, for the search index."""
    out: list[str] = []

    def walk(v):
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk(snapshot)
    return " ".join(out)

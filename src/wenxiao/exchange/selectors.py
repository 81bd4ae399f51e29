"""Reads for 一体化: batches, and approved targets, monitoring results and evaluation results in the exchange format.

Every read is scoped with `visible_to(user)`; the rows are plain dicts with the 一体化 field names (docs/exchange.md).
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Max, Q

from wenxiao.exchange.fields import format_time
from wenxiao.exchange.models import ExchangeBatch

STAFF_ROLES = ("performance", "sysadmin")


def is_staff(user) -> bool:
    return user.is_superuser or user.has_role(*STAFF_ROLES)


def batches(user, *, kind: str = "", status: str = ""):
    qs = ExchangeBatch.objects.visible_to(user, STAFF_ROLES).select_related("actor", "region")
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs


def _amount(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def _org_codes(obj, unit_attr: str = "unit", dept_attr: str = "department") -> dict:
    unit, dept = getattr(obj, unit_attr), getattr(obj, dept_attr)
    return {
        "mof_div_code": obj.region.code,
        "dept_code": dept.code if dept else "",
        "dept_name": dept.name if dept else "",
        "agency_code": unit.code,
        "agency_name": unit.name,
    }


def _pro(project) -> dict:
    if project is None:
        return {"pro_code": "", "pro_name": ""}
    ext = getattr(project, "external", None) if hasattr(project, "external") else None
    return {"pro_code": ext.pro_code if ext else project.code, "pro_name": project.name}


def _filtered(qs, fiscal_year, pro_code: str, update_since, year_field: str = "year"):
    """The read endpoints' common filters: year, project (问效 code or the mapped 一体化 code), changed since."""
    if fiscal_year:
        qs = qs.filter(**{year_field: fiscal_year})
    if pro_code:
        qs = qs.filter(Q(project__code=pro_code) | Q(project__external__pro_code=pro_code))
    return qs.filter(updated_at__gte=update_since) if update_since else qs


def approved_targets(user, *, fiscal_year: int | None = None, pro_code: str = "", update_since=None):
    """Approved targets (their approved version in force) with indicators: one dict per target."""
    from wenxiao.targets.models import Target, TargetVersion

    qs = (
        Target.objects.visible_to(user)
        .filter(current_version__gt=0)
        .select_related("region", "unit", "department", "project__external")
        .order_by("id")
    )
    qs = _filtered(qs, fiscal_year, pro_code, update_since)
    return _TargetRows(qs, TargetVersion)


class _TargetRows:
    """A lazily sliced list: the pagination slices the targets, then one query fetches their versions."""

    def __init__(self, qs, version_model):
        self.qs, self.version_model = qs, version_model

    def __len__(self):
        return self.qs.count()

    def count(self):
        return self.qs.count()

    def __getitem__(self, sl):
        targets = list(self.qs[sl])
        versions = {}
        for v in self.version_model.objects.filter(target__in=targets).order_by("target_id", "number"):
            versions[v.target_id] = v  # the last (highest number) wins
        return [_target_row(t, versions.get(t.pk)) for t in targets]


def _target_row(t, version) -> dict:
    snap = version.snapshot if version else {}
    return {
        **_pro(t.project),
        **_org_codes(t),
        "fiscal_year": str(t.year),
        "kpi_kind": t.kind,
        "kpi_target": snap.get("goal", ""),
        "kpi_target_mid": snap.get("goal_midterm", ""),
        "bgt_amt": snap.get("amount"),
        "cur_amt": snap.get("amount_fiscal"),
        "version": version.number if version else 0,
        "version_name": ("批复" if version.number == 1 else "调整") if version else "",
        "grade": t.grade,
        "is_adjusting": 1 if t.adjusting else 2,
        "approve_time": format_time(version.created_at) if version else "",
        "update_time": format_time(t.updated_at),
        "indicators": [
            {
                "kpi_lv1": r.get("level1", ""),
                "kpi_lv2": r.get("level2", ""),
                "kpi_lv3": r.get("name", ""),
                "kpi_val": r.get("value", ""),
                "kpi_mid_val": r.get("mid_value", ""),
                "kpi_unit": r.get("unit", ""),
                "kpi_weight": r.get("weight"),
                "kpi_source": r.get("source", ""),
                "kpi_remark": r.get("note", ""),
            }
            for r in snap.get("rows", [])
        ],
    }


class _Rows:
    """Sliced queryset → rows via `build(objects)` (one batch of related reads per page)."""

    def __init__(self, qs, build):
        self.qs, self.build = qs, build

    def __len__(self):
        return self.qs.count()

    def count(self):
        return self.qs.count()

    def __getitem__(self, sl):
        return self.build(list(self.qs[sl]))


LIKELIHOOD = {1: "确定能", 2: "有可能", 3: "完全不可能"}


def monitoring_results(user, *, fiscal_year: int | None = None, pro_code: str = "", update_since=None):
    """Monitoring forms with their lines, plus each project's light and open warnings (from the latest run)."""
    from wenxiao.monitoring.models import MonitoringForm

    qs = (
        MonitoringForm.objects.visible_to(user)
        .select_related("region", "unit", "department", "project__external", "round")
        .prefetch_related("lines")
        .order_by("id")
    )
    qs = _filtered(qs, fiscal_year, pro_code, update_since, year_field="round__year")
    return _Rows(qs, _monitoring_rows)


def _monitoring_rows(forms) -> list[dict]:
    from wenxiao.monitoring.models import ProjectStatus, Warning

    keys = {(f.project_id, f.round.year) for f in forms}
    pids = {p for p, _ in keys}
    status = {(s.project_id, s.year): s for s in ProjectStatus.objects.filter(project_id__in=pids)}
    warnings = defaultdict(list)
    for w in Warning.objects.filter(project_id__in=pids).order_by("code", "id"):
        warnings[(w.project_id, w.year)].append(w)
    out = []
    for f in forms:
        key = (f.project_id, f.round.year)
        s = status.get(key)
        out.append(
            {
                **_pro(f.project),
                **_org_codes(f),
                "fiscal_year": str(f.round.year),
                "monitor_task": f.round.name,
                "monitor_end_date": f.round.period_end.strftime("%Y%m%d"),
                "status": f.state,
                "status_name": f.state_label,
                "bgt_amt": _amount(f.budget_annual),
                "pay_amt": _amount(f.executed),
                "pay_rate": f.rate,
                "forecast_amt": _amount(f.forecast_amount),
                "progress": f.progress_text,
                "problems": f.problems,
                "measures": f.measures,
                "submit_time": format_time(f.submitted_at),
                "update_time": format_time(f.updated_at),
                "light": s.light if s else "",
                "warnings": [
                    {
                        "warn_code": w.code,
                        "warn_level": w.level,
                        "warn_title": w.title,
                        "warn_detail": w.detail,
                        "warn_status": w.status,
                        "first_date": w.first_seen.strftime("%Y%m%d"),
                    }
                    for w in warnings.get(key, [])
                ],
                "lines": [
                    {
                        "kpi_lv1": li.level1,
                        "kpi_lv2": li.level2,
                        "kpi_lv3": li.name,
                        "kpi_val": li.value,
                        "kpi_unit": li.unit,
                        "kpi_cur_val": li.to_date,
                        "kpi_forecast_val": li.forecast,
                        "likelihood": LIKELIHOOD.get(li.likelihood, ""),
                        "deviation_kinds": li.deviation_kinds,
                        "deviation_reason": li.deviation_text,
                        "measures": li.measures,
                    }
                    for li in f.lines.all()
                ],
            }
        )
    return out


def selfeval_results(user, *, fiscal_year: int | None = None, pro_code: str = "", update_since=None):
    """Self-evaluations: rule score and grade, finance's review score and grade, indicator lines."""
    from wenxiao.evaluation.models import SelfEvaluation

    qs = (
        SelfEvaluation.objects.visible_to(user)
        .select_related("region", "unit", "department", "project__external")
        .prefetch_related("lines")
        .order_by("id")
    )
    qs = _filtered(qs, fiscal_year, pro_code, update_since)
    return _Rows(
        qs,
        lambda forms: [
            {
                **_pro(f.project),
                **_org_codes(f),
                "fiscal_year": str(f.year),
                "eval_kind": f.kind,
                "status": f.state,
                "status_name": f.state_label,
                "bgt_amt": _amount(f.budget_annual),
                "pay_amt": _amount(f.executed),
                "pay_rate": _amount(f.rate),
                "self_score": _amount(f.declared_total),
                "score": _amount(f.score),
                "grade": f.grade,
                "review_score": _amount(f.review_score),
                "review_grade": f.review_grade,
                "flag_count": f.flag_count,
                "update_time": format_time(f.updated_at),
                "lines": [
                    {
                        "kpi_lv1": li.level1,
                        "kpi_lv2": li.level2,
                        "kpi_lv3": li.name,
                        "kpi_val": li.value,
                        "kpi_actual_val": li.actual,
                        "kpi_weight": _amount(li.weight),
                        "kpi_score": _amount(li.score),
                        "review_score": _amount(li.review_score),
                        "deviation_reason": li.deviation_reason,
                    }
                    for li in f.lines.all()
                ],
            }
            for f in forms
        ],
    )


EVAL_DONE = ("final", "archived")


def evaluation_results(user, *, fiscal_year: int | None = None, pro_code: str = "", update_since=None):
    """Finished key evaluations (报告已定稿/已归档): score, grade and the report's conclusions."""
    from wenxiao.evaluation.models import Evaluation

    qs = (
        Evaluation.objects.visible_to(user)
        .filter(state__in=EVAL_DONE)
        .select_related("region", "subject_org", "department", "project__external")
        .order_by("id")
    )
    qs = _filtered(qs, fiscal_year, pro_code, update_since)
    return _Rows(
        qs,
        lambda evals: [
            {
                **_pro(e.project),
                **_org_codes(e, "subject_org"),
                "fiscal_year": str(e.year),
                "eval_name": e.title,
                "eval_kind": e.kind,
                "eval_kind_name": e.get_kind_display(),
                "eval_level": e.level,
                "eval_amt": _amount(e.amount),
                "score": _amount(e.score),
                "grade": e.grade,
                "status": e.state,
                "status_name": e.state_label,
                "conclusion": {k: v for k, v in (e.report or {}).items() if isinstance(v, str)},
                "update_time": format_time(e.updated_at),
            }
            for e in evals
        ],
    )


def latest_batch_time(user):
    return batches(user).aggregate(m=Max("created_at"))["m"]

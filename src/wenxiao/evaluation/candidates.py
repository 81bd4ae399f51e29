"""重点评价候选 (R26): which projects to evaluate this year, and the rule that put each one on the list.

`reasons(p, year, cfg)` is pure: it takes one project's facts as a mapping and returns the reasons in Chinese.
`candidate_list(user, year)` gathers the facts for every visible project with a budget in one pass of aggregate
queries and ranks the candidates by the number of reasons, then by amount.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

DEFAULTS = {"amount": 5_000_000, "cycle_years": 5, "low_rate": 70}


def reasons(p: Mapping[str, Any], year: int, cfg: Mapping[str, Any] | None = None) -> list[str]:
    cfg = {**DEFAULTS, **(cfg or {})}
    out = []
    amount = Decimal(str(p.get("amount") or 0))
    threshold = Decimal(str(cfg["amount"]))
    if amount >= threshold:
        out.append(f"资金规模大（{amount / 10000:,.0f}万元，达到{threshold / 10000:,.0f}万元）")
    if p.get("kind") == "policy" and p.get("end_year") and p["end_year"] <= year:
        out.append(f"政策于{p['end_year']}年到期，需评价是否延续")
    elif p.get("end_year") and p["end_year"] <= year and p.get("start_year") and p["end_year"] - p["start_year"] >= 4:
        out.append("五年以上项目实施期满，应开展实施期后评价")
    if p.get("low_two_years"):
        out.append(f"连续两年预算执行率低于{cfg['low_rate']}%")
    if p.get("negative"):
        out.append("已列入负面清单")
    if p.get("key_mark"):
        out.append("绩效监控中列入重点评价")
    if p.get("self_grade") in ("中", "差"):
        out.append(f"上年自评结果为“{p['self_grade']}”")
    if p.get("flagged"):
        out.append("自评得分缺乏佐证（可信度提示）")
    last = p.get("last_evaluated")
    if amount >= threshold / 2 and (last is None or last <= year - int(cfg["cycle_years"])):
        out.append(f"{cfg['cycle_years']}年内未开展重点评价")
    return out


def candidate_list(user, year: int, limit: int = 200) -> list[dict]:
    from django.db.models import Max, Q

    from wenxiao.core.config import setting
    from wenxiao.evaluation.models import Evaluation, SelfEvaluation
    from wenxiao.monitoring.models import NegativeListEntry, Warning, WarningAction
    from wenxiao.orgs.selectors import home_region
    from wenxiao.projects.models import ProjectBudget

    cfg = setting("evaluation.candidates", home_region(user, ("performance", "department")), year)
    budgets = (
        ProjectBudget.objects.visible_to(user)
        .filter(year=year)
        .select_related("project__unit", "project__department")
        .only(
            "amount_adjusted",
            "project__id",
            "project__name",
            "project__code",
            "project__kind",
            "project__start_year",
            "project__end_year",
            "project__unit__name",
            "project__department__name",
        )
    )
    ids = set(budgets.values_list("project_id", flat=True))
    low = set(Warning.objects.filter(project_id__in=ids, year=year, code="M08").values_list("project_id", flat=True))
    listed = NegativeListEntry.objects.filter(removed_at__isnull=True, project_id__in=ids)
    negative = set(listed.values_list("project_id", flat=True))
    marked = set(WarningAction.objects.filter(project_id__in=ids, kind="key_eval").values_list("project_id", flat=True))
    self_eval = {
        pid: (grade, flags)
        for pid, grade, flags in SelfEvaluation.objects.filter(project_id__in=ids, year=year - 1)
        .exclude(state__in=("draft", "returned"))
        .values_list("project_id", "grade", "flag_count")
    }
    last = dict(
        Evaluation.objects.filter(project_id__in=ids)
        .values("project_id")
        .annotate(y=Max("year"))
        .values_list("project_id", "y")
    )
    open_now = set(
        Evaluation.objects.filter(Q(year=year) & ~Q(state="archived"), project_id__in=ids).values_list(
            "project_id", flat=True
        )
    )
    out = []
    for b in budgets.iterator(chunk_size=2000):
        p = b.project
        grade, flags = self_eval.get(p.id, ("", 0))
        facts = {
            "amount": b.amount_adjusted,
            "kind": p.kind,
            "start_year": p.start_year,
            "end_year": p.end_year,
            "low_two_years": p.id in low,
            "negative": p.id in negative,
            "key_mark": p.id in marked,
            "self_grade": grade,
            "flagged": bool(flags),
            "last_evaluated": last.get(p.id),
        }
        why = reasons(facts, year, cfg)
        strong = [r for r in why if not r.endswith("内未开展重点评价")]
        if strong:
            out.append({"project": p, "amount": b.amount_adjusted, "reasons": why, "evaluating": p.id in open_now})
    out.sort(key=lambda c: (-len(c["reasons"]), -c["amount"]))
    return out[:limit]

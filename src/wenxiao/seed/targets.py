"""Seed performance targets: last year's (the execution year's) approved targets with their budgets approved,
and next year's budget requests, some of whose targets are somewhere in review.

Rows are picked from the library by the project's 功能分类 (项, then 款, then 共性), values around the library's
typical value, points shared per the weight scheme — what a unit choosing from the library would produce.
"""

from __future__ import annotations

import random
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from wenxiao.core import workflow
from wenxiao.core.models import Transition, WorkItem
from wenxiao.library.models import IndicatorTemplate, WeightScheme
from wenxiao.projects.models import Project, ProjectBudget
from wenxiao.targets import checks
from wenxiao.targets.models import Approval, Target, TargetIndicator, TargetVersion
from wenxiao.targets.services import parse_into, snapshot_of, suggested_value

# Rows a unit typically sets, by 二级指标 (how many).
SHAPE = [
    ("数量指标", 3),
    ("质量指标", 2),
    ("时效指标", 1),
    ("成本指标", 1),
    ("社会效益指标", 2),
    ("经济效益指标", 1),
    ("可持续影响指标", 1),
    ("服务对象满意度指标", 1),
]
NEXT_YEAR_STATES = [
    ("draft", 0.45),
    ("dept_review", 0.2),
    ("business_review", 0.15),
    ("performance_review", 0.12),
    ("passed", 0.08),
]
PATHS = {
    "dept_review": ["submit"],
    "business_review": ["submit", "dept_approve"],
    "performance_review": ["submit", "dept_approve", "business_approve"],
    "passed": ["submit", "dept_approve", "business_approve", "final_pass"],
}
GOALS = [
    "{year}年内按期完成{name}各项任务，资金使用规范高效，服务对象满意度保持在90%以上。",
    "围绕{name}，{year}年底前全面完成年度建设和服务任务，验收合格率100%，群众满意度达到90%以上。",
    "保障{name}顺利实施，产出数量、质量和时效均达到计划要求，{year}年11月底前完成全部资金拨付。",
]


class Library:
    """Published templates indexed by 功能分类 code (项 and 款) and by 二级指标."""

    def __init__(self) -> None:
        self.by_code: dict[str, dict[str, list[IndicatorTemplate]]] = defaultdict(lambda: defaultdict(list))
        self.common: dict[str, list[IndicatorTemplate]] = defaultdict(list)
        through = IndicatorTemplate.sectors.through.objects.values_list("indicatortemplate_id", "functionclass_id")
        templates = {t.pk: t for t in IndicatorTemplate.objects.filter(state="published")}
        for tid, code in through:
            t = templates[tid]
            self.by_code[code][t.level2].append(t)
        for t in templates.values():
            if t.is_common:
                self.common[t.level2].append(t)

    def pick(self, function_code: str, rng: random.Random, minimum_quantitative: int = 0) -> list[IndicatorTemplate]:
        out: list[IndicatorTemplate] = []
        shape = (
            SHAPE
            if not minimum_quantitative
            else [(l2, n * 2 if l2 in ("数量指标", "质量指标") else n) for l2, n in SHAPE]
        )
        for level2, n in shape:
            pool = (
                self.by_code.get(function_code, {}).get(level2)
                or self.by_code.get(function_code[:5], {}).get(level2)
                or self.common.get(level2)
                or []
            )
            pool = sorted(pool, key=lambda t: t.code)
            out += rng.sample(pool, min(n, len(pool)))
        if minimum_quantitative:  # special funds: top up with more measurable outputs (R11)
            extra = [
                t
                for l2 in ("数量指标", "质量指标", "时效指标", "成本指标")
                for src in (self.by_code.get(function_code, {}), self.by_code.get(function_code[:5], {}), self.common)
                for t in sorted(src.get(l2, []), key=lambda t: t.code)
            ]
            have = {t.pk for t in out}
            for t in extra:
                if sum(x.value_kind != "qualitative" for x in out) >= minimum_quantitative:
                    break
                if t.pk not in have and t.value_kind != "qualitative":
                    out.append(t)
                    have.add(t.pk)
        return out


def _value(t: IndicatorTemplate, rng: random.Random, year: int) -> str:
    if t.value_kind == "date":
        return f"{year}年{rng.choice([6, 9, 10, 11, 12])}月底前"
    if t.comparator == "定性":
        if t.level2 in ("质量指标", "数量指标", "时效指标", "成本指标"):  # outputs state a standard, not a trend
            return rng.choice(["验收合格", "符合国家相关标准", "符合《政府采购法》等规定"])
        return rng.choice(["明显提升", "持续改善", "有效保障", "逐步提高"])
    if t.p50 is None:
        return suggested_value(t) or "达到预期"
    pick = rng.choice([t.ref_p10, t.ref_p50, t.ref_p50, t.ref_p90]) or t.ref_p50
    number = f"{pick.normalize():f}"
    return f"{t.comparator}{number}{'%' if t.unit == '%' else ''}"


def seed_targets(year: int, rng: random.Random, system) -> dict:
    """Approved targets for `year` (special-purpose projects) and next year's requests and declarations."""
    library = Library()
    scheme = WeightScheme.objects.get(key="self_10")
    tree = scheme.framework.tree()
    projects = list(
        Project.objects.filter(state="in_library", project_class="3", budgets__year=year)
        .select_related("unit", "department", "region")
        .order_by("id")
    )
    budgets = {b.project_id: b for b in ProjectBudget.objects.filter(year=year, project__in=projects)}
    counts = {"targets": 0, "indicators": 0, "approvals": 0}

    def build(project, budget, target_year, state):
        target = Target(
            region_id=project.region_id,
            kind="project",
            year=target_year,
            project=project,
            unit=project.unit,
            department=project.department,
            framework="10号",
            scheme=scheme,
            goal=rng.choice(GOALS).format(name=project.name, year=target_year),
            amount=budget.amount_initial,
            amount_fiscal=budget.amount_fiscal,
            state=state,
            special_fund=project.kind == "policy",
            created_by=system,
        )
        rows = []
        special = project.kind == "policy"
        for i, t in enumerate(library.pick(project.function_class_id, rng, 10 if special else 0)):
            row = TargetIndicator(
                region_id=project.region_id,
                order=i,
                level1=t.level1,
                level2=t.level2,
                name=t.name,
                unit=t.unit,
                source=t.source,
                template=t,
                value=_value(t, rng, target_year),
            )
            parse_into(row, target_year)
            rows.append(row)
        data = checks.TargetData(
            kind="project",
            goal=target.goal,
            rows=[checks.Row(r.level1, r.level2, r.name, r.value, r.unit) for r in rows],
            tree=tree,
            scheme=scheme.weights,
            fallback=scheme.fallback,
        )
        for row, w in zip(rows, checks.distribute(data.rows, data) if rows else [], strict=True):
            row.weight = w
        return target, rows

    # This year's targets: approved with the budget, one approval document per department.
    built = [build(p, budgets[p.pk], year, "approved") for p in projects]
    _save(built)
    approvals: dict[int, Approval] = {}
    versions, transitions = [], []
    now = timezone.now()
    for target, rows in built:
        dept = target.department
        if dept.pk not in approvals:
            approvals[dept.pk] = Approval.objects.create(
                region_id=dept.region_id,
                department=dept,
                year=year,
                document_no=f"{dept.region.name[:2]}财预〔{year}〕{len(approvals) + 1}号",
                title=f"关于批复{dept.name}{year}年度部门预算及绩效目标的通知",
                approved_by=system,
            )
        versions.append(
            TargetVersion(
                region_id=target.region_id,
                target=target,
                number=1,
                snapshot=snapshot_of(target, rows, []),
                approval=approvals[dept.pk],
            )
        )
        transitions += workflow.replayed(
            target, PATHS["passed"] + ["approve"], actor=system, comments={"final_pass": "等级：优。"}
        )
        target.current_version, target.approval, target.published, target.grade = 1, approvals[dept.pk], True, "优"
    Target.objects.bulk_update(
        [t for t, _ in built], ["current_version", "approval", "published", "grade"], batch_size=1000
    )
    TargetVersion.objects.bulk_create(versions, batch_size=1000)
    ProjectBudget.objects.filter(year=year, project__state="in_library").update(approved_at=now)

    # Next year's budget requests: continuing projects ask again; some units have started their targets.
    nxt = year + 1
    continuing = [p for p in projects if p.end_year >= nxt]
    requests = []
    for p in continuing:
        b = budgets[p.pk]
        amount = (b.amount_initial * Decimal(rng.choice(["0.9", "1", "1", "1.05", "1.1"]))).quantize(Decimal("0.01"))
        requests.append(
            ProjectBudget(
                region_id=p.region_id,
                project=p,
                year=nxt,
                amount_initial=amount,
                amount_adjusted=amount,
                amount_fiscal=amount,
            )
        )
    ProjectBudget.objects.bulk_create(requests, batch_size=1000)
    request_of = {r.project_id: r for r in requests}
    started = [p for p in continuing if rng.random() < 0.2]
    next_built = []
    for p in started:
        state = _pick(rng)
        next_built.append(build(p, request_of[p.pk], nxt, state))
    _save(next_built)
    items = []
    for target, _ in next_built:
        transitions += workflow.replayed(target, PATHS.get(target.state, []), actor=system)
        if item := workflow.pending_item(target):
            items.append(item)
    Transition.objects.bulk_create(transitions, batch_size=2000)
    WorkItem.objects.bulk_create(items, batch_size=2000)
    counts["targets"] = len(built) + len(next_built)
    counts["indicators"] = sum(len(r) for _, r in built) + sum(len(r) for _, r in next_built)
    counts["approvals"] = len(approvals)
    counts["next_year_requests"] = len(requests)
    return counts


def _pick(rng: random.Random) -> str:
    x = rng.random()
    for state, share in NEXT_YEAR_STATES:
        x -= share
        if x < 0:
            return state
    return "draft"


def _save(built) -> None:
    targets = Target.objects.bulk_create([t for t, _ in built], batch_size=1000)
    rows = []
    for target, target_rows in zip(targets, (r for _, r in built), strict=True):
        for row in target_rows:
            row.target = target
            rows.append(row)
    TargetIndicator.objects.bulk_create(rows, batch_size=2000)

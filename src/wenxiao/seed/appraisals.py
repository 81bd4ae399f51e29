"""Seed 事前绩效评估: every new special-purpose project above the threshold has one.

Projects already in the library were assessed and supported (so the gate holds); projects still in intake are
somewhere in the assessment — a few were not supported, and cannot enter the library.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from wenxiao.appraisal import scoring
from wenxiao.appraisal.models import Appraisal, AppraisalScore
from wenxiao.appraisal.triggers import DEFAULTS, Facts, reasons
from wenxiao.core import workflow
from wenxiao.core.models import Transition, WorkItem
from wenxiao.projects.models import Project, ProjectBudget

PATHS = {
    "required": [],
    "finance_review": ["submit"],
    "returned": ["submit", "return"],
    "concluded": ["submit", "conclude"],
}
GOOD = ["优", "优", "良", "良", "良", "中"]
WEAK = ["中", "差", "差", "良", "中"]


def _ratings(rng: random.Random, items, pool) -> dict[str, str]:
    return {i.key: rng.choice(pool) for i in items}


def seed_appraisals(year: int, rng: random.Random, system) -> dict:
    budgets = {
        b.project_id: b
        for b in ProjectBudget.objects.filter(year=year, project__attribute="new", project__project_class="3")
    }
    projects = list(Project.objects.filter(pk__in=list(budgets)).select_related("unit", "department").order_by("id"))
    appraisals, scores, transitions, items = [], [], [], []
    now = timezone.now()
    for p in projects:
        b = budgets[p.pk]
        fired, finance = reasons(Facts(new=True, fiscal_amount=b.amount_fiscal, project_class="3"), DEFAULTS)
        if not fired:
            continue
        if p.state == "in_library":
            state, pool = "concluded", GOOD
        else:
            state = rng.choice(["required", "finance_review", "concluded", "returned"])
            pool = GOOD if state != "concluded" or rng.random() < 0.6 else WEAK
        tpl = scoring.template_items(policy=p.kind == "policy")
        self_given = _ratings(rng, tpl, GOOD) if state != "required" else {}  # not yet self-assessed
        final_given = _ratings(rng, tpl, pool) if state == "concluded" else {}
        for _ in range(30):  # a project in the library passed: draw ratings that support it
            if p.state != "in_library" or scoring.score(tpl, final_given).conclusion == "support":
                break
            final_given = _ratings(rng, tpl, ["优", "良"])
        self_result = scoring.score(tpl, self_given) if self_given else None
        final_result = scoring.score(tpl, final_given) if final_given else None
        conclusion = final_result.conclusion if final_result else ""
        recommended = None
        if conclusion:
            share = {"support": Decimal("1"), "adjust": Decimal("0.85"), "reject": Decimal("0")}[conclusion]
            recommended = (b.amount_fiscal * share).quantize(Decimal("0.01"))
        a = Appraisal(
            region_id=p.region_id,
            project=p,
            unit=p.unit,
            department=p.department,
            year=year,
            policy=p.kind == "policy",
            triggers=fired,
            finance_required=finance,
            state=state,
            amount_requested=b.amount_fiscal,
            amount_recommended=recommended,
            conclusion=conclusion,
            background=f"落实上级决策部署和本地发展规划，{p.name}列入{year}年度重点工作。",
            content=p.description,
            goals=f"{year}年内完成{p.name}主要建设（实施）内容，资金使用合规，效益按期显现。",
            funding=f"申请财政资金{b.amount_fiscal / 10000:,.2f}万元。",
            method="资料审核、现场调研、专家论证相结合。",
            self_total=self_result.total if self_result else None,
            final_total=final_result.total if final_result else None,
            adjustment_required="细化绩效指标，压减非必要支出" if conclusion == "adjust" else "",
            concluded_by=system if conclusion else None,
            concluded_at=now - timedelta(days=rng.randint(30, 300)) if conclusion else None,
        )
        appraisals.append((a, tpl, self_given, final_given))
    Appraisal.objects.bulk_create([a for a, *_ in appraisals], batch_size=500)
    for a, tpl, self_given, final_given in appraisals:
        for stage, given in (("self", self_given), ("final", final_given)):
            for i in tpl:
                rating = given.get(i.key)
                if rating:
                    scores.append(
                        AppraisalScore(
                            region_id=a.region_id,
                            appraisal=a,
                            stage=stage,
                            dimension=i.dimension,
                            item=i.name,
                            points=i.points,
                            rating=rating,
                            score=scoring.item_score(i.points, rating),
                        )
                    )
        transitions += workflow.replayed(a, PATHS[a.state], actor=system)
        if item := workflow.pending_item(a):
            items.append(item)
    AppraisalScore.objects.bulk_create(scores, batch_size=2000)
    Transition.objects.bulk_create(transitions, batch_size=2000)
    WorkItem.objects.bulk_create(items, batch_size=2000)
    return {"appraisals": len(appraisals)}

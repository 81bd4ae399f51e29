"""Pure engine of 结果应用: from a project's results to a suggested next-year budget (R34), and findings text split
into items. No Django here.

Rules (setting `results.budget_rules`, per region and year): result key → [action code, label, cut percent].
The strongest signal wins, in this order: on the negative list → `negative`; evaluation grade 差 → `差`;
duplicated → `duplicated`; idle funds (execution rate below `results.idle_rate`) → `idle` (recover the unspent
part); otherwise the grade's own rule (优/良/中); no grade and nothing else → keep the amount.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


@dataclass(frozen=True)
class ProjectResult:
    amount: Decimal  # this year's adjusted budget
    grade: str = ""  # 优/良/中/差, from the key evaluation, the 复评 or the self-evaluation
    grade_source: str = ""  # e.g. "重点评价", "自评复评", "单位自评"
    rate: float | None = None  # execution rate in %
    negative: bool = False
    duplicated: bool = False


@dataclass(frozen=True)
class Suggestion:
    action: str
    label: str
    amount: Decimal
    reason: str


def suggest(r: ProjectResult, rules: dict, idle_rate: float) -> Suggestion:
    def rule(key):
        code, label, pct = rules[key]
        return code, label, Decimal(str(pct))

    def cut(pct: Decimal) -> Decimal:
        return (r.amount * (100 - pct) / 100).quantize(CENT, rounding=ROUND_HALF_UP)

    graded = f"{r.grade_source}等级为“{r.grade}”" if r.grade else "暂无评价结果"
    if r.negative and "negative" in rules:
        code, label, pct = rule("negative")
        return Suggestion(code, label, cut(pct), f"项目或单位列入负面清单，{label}（压减{pct}%）")
    if r.grade == "差":
        code, label, pct = rule("差")
        return Suggestion(code, label, cut(pct), f"{graded}，{label}（压减{pct}%）")
    if r.duplicated and "duplicated" in rules:
        code, label, pct = rule("duplicated")
        return Suggestion(code, label, cut(pct), f"与其他项目重复交叉，{label}（压减{pct}%）")
    if r.rate is not None and r.rate < idle_rate and "idle" in rules:
        code, label, _ = rule("idle")
        spent = (r.amount * Decimal(str(r.rate)) / 100).quantize(CENT, rounding=ROUND_HALF_UP)
        return Suggestion(
            code, label, spent, f"执行率{r.rate:.1f}%低于{idle_rate:g}%，资金闲置，{label}未执行部分；{graded}"
        )
    if r.grade in rules:
        code, label, pct = rule(r.grade)
        tail = f"（压减{pct}%）" if pct else ""
        return Suggestion(code, label, cut(pct), f"{graded}，{label}{tail}")
    return Suggestion("keep", "维持", r.amount, f"{graded}，维持本年规模")


_ORDINALS = "一二三四五六七八九十"


def split_findings(text: str) -> list[str]:
    """'主要问题：一是……；二是……。原因在于……' → ['……', '……'] (one item per 一是/二是…, else per sentence)."""
    text = (text or "").strip()
    if not text:
        return []
    parts = re.split(rf"[{_ORDINALS}]是", text)
    if len(parts) > 1:
        items = []
        for p in parts[1:]:
            p = re.split(r"[。]", p, maxsplit=1)[0]
            items.append(p.strip(" ；;，,、"))
        return [i for i in items if i]
    return [s.strip() for s in re.split(r"[。；;\n]", text) if s.strip()]

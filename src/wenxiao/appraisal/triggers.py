"""Which policies and projects need an ex-ante assessment (pure Python; thresholds are per region and year).

R05: new major policies and projects (fiscal funds ≥ threshold, default 200万元), major changes of content or
standard, and renewals after expiry. Above the finance threshold (e.g. 500万元) finance assesses in principle.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

DEFAULTS = {"threshold": 2_000_000, "finance_threshold": 5_000_000}


@dataclass(frozen=True)
class Facts:
    new: bool  # 新增 (not 延续)
    fiscal_amount: Decimal  # 财政资金 of the year, yuan
    project_class: str = "3"  # only 特定目标类 (and policies) are in scope
    major_change: bool = False  # 内容或标准发生重大调整
    renewal: bool = False  # 到期后申请延续


def reasons(f: Facts, rules: dict | None = None) -> tuple[list[str], bool]:
    """The rules that fire (Chinese), and whether finance should run its own assessment."""
    r = {**DEFAULTS, **(rules or {})}
    if f.project_class != "3":
        return [], False
    out = []
    wan = f"{f.fiscal_amount / 10000:,.2f}万元"
    big = f.fiscal_amount >= Decimal(str(r["threshold"]))
    if f.new and big:
        out.append(f"新增项目（政策）财政资金{wan}，达到{r['threshold'] / 10000:g}万元的评估标准")
    if f.major_change and big:
        out.append(f"项目内容或标准发生重大调整，财政资金{wan}")
    if f.renewal and big:
        out.append(f"到期后申请延续，财政资金{wan}")
    return out, bool(out) and f.fiscal_amount >= Decimal(str(r["finance_threshold"]))

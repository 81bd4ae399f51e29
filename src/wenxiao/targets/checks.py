"""Structural checks that block a target's submission (pure Python: plain data in, problems out).

A target is a `TargetData` with its indicator rows; each problem names the row (index in the grid) it belongs
to, or None for the target as a whole, and says in Chinese what to fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from wenxiao.core.values import Kind, ValueParseError, parse


@dataclass
class Row:
    level1: str
    level2: str
    name: str
    value: str
    unit: str = ""
    weight: Decimal | None = None


@dataclass
class TargetData:
    kind: str  # "project" | "whole"
    goal: str
    rows: list[Row]
    tree: dict[str, list[str]]  # the framework: {一级: [二级, …]}
    scheme: dict[str, float]  # 一级 → points
    fallback: dict[str, str] = field(default_factory=dict)
    framework: str = "10号"
    serves_public: bool = True
    special_fund: bool = False
    min_quantitative: int = 10
    year: int | None = None
    amount: Decimal | None = None  # the money the form declares (部门整体: the tasks' total)
    budget_amount: Decimal | None = None  # what the budget says (相应匹配)


@dataclass(frozen=True)
class Problem:
    row: int | None
    field: str
    message: str


def expected_points(data: TargetData, present: set[str]) -> dict[str, float]:
    """Points each present 一级 block must carry, after moving an absent block's points (e.g. 满意度 → 效益)."""
    out = {k: float(v) for k, v in data.scheme.items() if k in present}
    for absent, to in data.fallback.items():
        if absent not in present and absent in data.scheme and to in out:
            out[to] += float(data.scheme[absent])
    return out


def _row_problems(i: int, r: Row, data: TargetData, seen: set) -> tuple[list[Problem], bool]:
    """Problems of one row, and whether it counts as a quantitative indicator."""
    out: list[Problem] = []
    if r.level1 not in data.tree:
        out.append(Problem(i, "level1", f"一级指标“{r.level1}”不属于{data.framework}指标体系"))
    elif r.level2 not in data.tree[r.level1]:
        out.append(Problem(i, "level2", f"二级指标“{r.level2}”不属于一级指标“{r.level1}”"))
    name = r.name.strip()
    if not name:
        out.append(Problem(i, "name", "请填写三级指标名称"))
    elif (r.level2, name) in seen:
        out.append(Problem(i, "name", "与前面的指标重复"))
    seen.add((r.level2, name))
    if r.weight is None:
        out.append(Problem(i, "weight", "请填写分值"))
    elif r.weight <= 0:
        out.append(Problem(i, "weight", "分值须大于0"))
    try:
        v = parse(r.value, r.unit, year=data.year)
    except ValueParseError as e:
        out.append(Problem(i, "value", e.message))
        return out, False
    quantitative = v.kind != Kind.QUALITATIVE  # numbers, percentages and deadlines are all measurable
    if quantitative and v.kind != Kind.DATE and not v.unit:
        out.append(Problem(i, "unit", "量化指标须填写计量单位"))
    return out, quantitative


def check(data: TargetData) -> list[Problem]:
    problems: list[Problem] = []
    if not data.goal.strip():
        problems.append(Problem(None, "goal", "请填写年度总体目标"))
    elif len(data.goal.strip()) < 10:
        problems.append(Problem(None, "goal", "年度总体目标过于简单，请写明要做什么、做到什么程度"))
    if not data.rows:
        problems.append(Problem(None, "rows", "尚未设置绩效指标"))
        return problems
    quantitative = 0
    seen: set[tuple[str, str]] = set()
    for i, r in enumerate(data.rows):
        row_problems, is_quantitative = _row_problems(i, r, data, seen)
        problems += row_problems
        quantitative += is_quantitative
    present = {r.level1 for r in data.rows}
    for block in ("产出指标", "效益指标"):
        if block in data.tree and block not in present:
            problems.append(Problem(None, "rows", f"缺少{block}"))
    if data.serves_public and "满意度指标" in data.tree and "满意度指标" not in present:
        problems.append(Problem(None, "rows", "面向社会公众提供服务的项目须设置满意度指标"))
    if data.framework == "101号" and "成本指标" not in present:
        problems.append(Problem(None, "rows", "按101号指标体系须设置成本指标"))
    if data.special_fund and quantitative < data.min_quantitative:
        problems.append(
            Problem(None, "rows", f"专项资金至少设置{data.min_quantitative}个量化指标，目前{quantitative}个")
        )
    if all(r.weight is not None for r in data.rows):
        for block, points in expected_points(data, present).items():
            got = sum((r.weight for r in data.rows if r.level1 == block), Decimal("0"))
            if abs(float(got) - points) > 0.001:
                problems.append(Problem(None, "weight", f"{block}分值合计应为{points:g}，目前为{float(got):g}"))
    if data.budget_amount is not None and data.amount is not None and data.amount != data.budget_amount:
        what = "年度主要任务金额合计" if data.kind == "whole" else "目标表中的年度资金总额"
        problems.append(Problem(None, "amount", f"{what}{data.amount:,.2f}元与预算{data.budget_amount:,.2f}元不一致"))
    return problems


def distribute(rows: list[Row], data: TargetData) -> list[Decimal]:
    """Suggested points: each 一级 block's points shared equally by its rows (2 decimals, remainder on the last)."""
    present = {r.level1 for r in rows}
    out: list[Decimal] = [Decimal("0")] * len(rows)
    for block, points in expected_points(data, present).items():
        idx = [i for i, r in enumerate(rows) if r.level1 == block]
        share = (Decimal(str(points)) / len(idx)).quantize(Decimal("0.01"))
        for i in idx:
            out[i] = share
        out[idx[-1]] = Decimal(str(points)) - share * (len(idx) - 1)
    return out

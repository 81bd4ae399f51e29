"""事前绩效评估 scoring (pure Python): a template of dimensions and sub-items, ratings → points → conclusion.

The default template is REFERENCE §2.2: 立项必要性, 投入经济性, 绩效目标合理性 20 points each (sub-items of 5),
实施方案可行性 and 筹资合规性 15 each, 执行风险 10 — 100 in all; each sub-item is rated 优/良/中/差 and earns
that share of its points. Cut-offs: ≥ 80 予以支持, 60–80 调整完善后予以支持, < 60 不予支持. All of it is
configuration per region and year (settings "appraisal.template", "appraisal.ratings", "appraisal.cutoffs").
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

PROJECT_TEMPLATE = {
    "立项必要性": [("政策依据充分性", 5), ("需求紧迫性", 5), ("职能相关性", 5), ("财政投入必要性", 5)],
    "投入经济性": [("投入成本合理性", 5), ("支出标准合规性", 5), ("成本控制措施", 5), ("同类项目成本比较", 5)],
    "绩效目标合理性": [("目标明确性", 5), ("指标细化量化", 5), ("目标与资金匹配", 5), ("目标可实现性", 5)],
    "实施方案可行性": [("实施内容完整性", 5), ("组织管理与进度安排", 5), ("技术与保障条件", 5)],
    "筹资合规性": [("资金来源合规性", 5), ("财政承受能力", 5), ("其他资金落实情况", 5)],
    "执行风险": [("风险识别与评估", 5), ("风险应对措施", 5)],
}
POLICY_DIMENSIONS = {  # REFERENCE §2.2 policy variant of the five dimensions (执行风险 unchanged)
    "立项必要性": "政策设立必要性",
    "投入经济性": "政策保障充分性",
    "绩效目标合理性": "政策目标合理性",
    "实施方案可行性": "政策实施可持续性",
    "筹资合规性": "政策资金合规性",
}
RATINGS = {"优": Decimal("1"), "良": Decimal("0.8"), "中": Decimal("0.6"), "差": Decimal("0.3")}
CUTOFFS = {"support": 80, "adjust": 60}
CONCLUSIONS = {"support": "予以支持", "adjust": "调整完善后予以支持", "reject": "不予支持"}


@dataclass(frozen=True)
class Item:
    dimension: str
    name: str
    points: Decimal

    @property
    def key(self) -> str:
        """How ratings are keyed: "维度/要点"."""
        return f"{self.dimension}/{self.name}"


def template_items(template: dict | None = None, policy: bool = False) -> list[Item]:
    tpl = template or PROJECT_TEMPLATE
    out = []
    for dim, items in tpl.items():
        label = POLICY_DIMENSIONS.get(dim, dim) if policy else dim
        out += [Item(label, name, Decimal(str(points))) for name, points in items]
    return out


def total_points(items: list[Item]) -> Decimal:
    return sum((i.points for i in items), Decimal("0"))


def item_score(points: Decimal, rating: str, ratings: dict | None = None) -> Decimal:
    share = Decimal(str((ratings or RATINGS)[rating]))
    return (points * share).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass
class Result:
    total: Decimal
    full: Decimal
    by_dimension: dict[str, tuple[Decimal, Decimal]]  # dimension → (score, points)
    conclusion: str  # support | adjust | reject
    missing: list[str]


def score(
    items: list[Item], ratings_given: dict[str, str], *, ratings: dict | None = None, cutoffs: dict | None = None
) -> Result:
    """Sum the rated sub-items (key "dimension/item"); the conclusion follows the cut-offs on a 100 scale."""
    cut = {**CUTOFFS, **(cutoffs or {})}
    by_dim: dict[str, list[Decimal]] = {}
    missing = []
    total = Decimal("0")
    for item in items:
        key = item.key
        rating = ratings_given.get(key)
        got = item_score(item.points, rating, ratings) if rating else Decimal("0")
        if not rating:
            missing.append(key)
        d = by_dim.setdefault(item.dimension, [Decimal("0"), Decimal("0")])
        d[0] += got
        d[1] += item.points
        total += got
    full = total_points(items)
    scaled = total * 100 / full if full else Decimal("0")
    conclusion = "support" if scaled >= cut["support"] else "adjust" if scaled >= cut["adjust"] else "reject"
    return Result(
        total.quantize(Decimal("0.01")), full, {k: (v[0], v[1]) for k, v in by_dim.items()}, conclusion, missing
    )

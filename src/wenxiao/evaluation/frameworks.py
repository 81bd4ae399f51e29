"""Indicator frameworks of 部门评价 / 财政评价 (10号 附件2, REFERENCE §6.4) and 部门整体评价 (53号 附件2 regrouped
under R32's six dimensions, REFERENCE §7.1), and the weight checks. Pure Python: no Django.

A framework row is (一级, 二级, 三级, 评分标准, metric) where `metric` names a rate `dept_rates` computes from the
system's data (None: evaluators judge it). Weights come per 一级 from configuration and are split evenly over the
一级's rows, 2 decimals, the remainder on the last row, so every 一级 adds up exactly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_DOWN, Decimal

KEY = [  # 10号 附件2 共性指标框架
    ("决策", "项目立项", "立项依据充分性", "符合法律法规、发展规划和部门职责，属于公共财政支持范围，无重复", None),
    ("决策", "项目立项", "立项程序规范性", "按规定程序申请设立，审批文件、材料符合要求，事前评估、集体决策", None),
    ("决策", "绩效目标", "绩效目标合理性", "有绩效目标，与实际工作内容相关，符合正常业绩水平，与预算匹配", None),
    ("决策", "绩效目标", "绩效指标明确性", "目标细化分解为清晰、可衡量的指标，与计划任务数相对应", None),
    ("决策", "资金投入", "预算编制科学性", "经过科学论证，内容与项目匹配，额度测算依据充分", None),
    ("决策", "资金投入", "资金分配合理性", "分配依据充分，额度与项目单位或地方实际相适应", None),
    ("过程", "资金管理", "资金到位率", "实际到位资金÷预算资金×100%，按比例得分", "arrival_rate"),
    ("过程", "资金管理", "预算执行率", "实际支出资金÷实际到位资金×100%，按比例得分", "execution_rate"),
    ("过程", "资金管理", "资金使用合规性", "符合财务管理制度，审批程序完整，无截留、挤占、挪用、虚列支出", None),
    ("过程", "组织实施", "管理制度健全性", "业务和财务管理制度健全、合法合规", None),
    ("过程", "组织实施", "制度执行有效性", "遵守制度，调整履行审批，合同和验收资料齐全，保障条件落实", None),
    ("产出", "产出数量", "实际完成率", "实际产出数÷计划产出数×100%（数量指标达标情况）", "quantity_met"),
    ("产出", "产出质量", "质量达标率", "质量达标产出数÷实际产出数×100%", "quality_met"),
    ("产出", "产出时效", "完成及时性", "实际完成时间与计划完成时间比较", "timeliness_met"),
    ("产出", "产出成本", "成本节约率", "(计划成本-实际成本)÷计划成本×100%；结合同类项目单位成本比较", None),
    ("效益", "项目效益", "实施效益", "经济、社会、生态效益及可持续影响，结合项目细化", None),
    ("效益", "项目效益", "满意度", "服务对象满意度，一般通过问卷调查取得", None),
]

# 部门整体支出绩效评价: 53号 附件2 指标 under R32's 运行成本/管理效率/履职效能/社会效应/可持续发展能力/满意度
WHOLE = [
    ("运行成本", "成本控制", "公用经费控制率", "实际公用经费÷预算公用经费×100%，≤100%得满分", None),
    ("运行成本", "成本控制", "“三公经费”变动率", "(本年-上年)÷上年×100%，下降或持平得满分", "three_public_change"),
    ("运行成本", "成本控制", "“三公经费”占比", "三公经费支出占部门支出比重", "three_public_share"),
    ("管理效率", "预算执行", "预算完成率", "预算完成数÷预算数×100%，按比例得分", "execution_rate"),
    ("管理效率", "预算执行", "预算调整率", "预算调整数÷预算数×100%，调整越少得分越高", "adjustment_rate"),
    ("管理效率", "预算执行", "结转结余率", "结转结余总额÷支出预算数×100%，越低越好", "carryover_rate"),
    ("管理效率", "预算执行", "支付进度率", "10月底实际支付进度÷既定进度(60%)×100%", "payment_progress"),
    ("管理效率", "预算执行", "政府采购执行率", "实际政府采购金额÷政府采购预算×100%", "procurement_rate"),
    ("管理效率", "预算管理", "管理制度健全性", "预算、财务、资产管理制度健全并有效执行", None),
    ("管理效率", "预算管理", "预决算信息公开性", "按规定公开预决算和绩效信息", "disclosure_rate"),
    ("履职效能", "职责履行", "绩效目标实现率", "项目数量指标达到目标值的比例（取自单位自评）", "quantity_met"),
    ("履职效能", "职责履行", "自评结果", "部门所属项目自评平均得分÷100", "selfeval_mean"),
    ("履职效能", "职责履行", "重点工作办结率", "重点工作完成数÷交办或下达数", None),
    ("社会效应", "履职效益", "经济社会生态效益", "履职带来的经济、社会、生态效益", None),
    ("可持续发展能力", "能力建设", "人才队伍和信息化建设", "人员结构、培训、信息化支撑能力", None),
    ("可持续发展能力", "资产管理", "固定资产利用率", "在用固定资产÷全部固定资产×100%", None),
    ("服务对象满意度", "满意度", "社会公众或服务对象满意度", "问卷调查结果", None),
]

FRAMEWORKS = {"key": KEY, "whole": WHOLE}
WHOLE_WEIGHTS = {
    "运行成本": 15,
    "管理效率": 25,
    "履职效能": 30,
    "社会效应": 10,
    "可持续发展能力": 10,
    "服务对象满意度": 10,
}
OUTPUT_BENEFIT = ("产出", "效益")
CENT = Decimal("0.01")


def rows_for(framework: str, level_weights: Mapping[str, int | float | Decimal]) -> list[dict]:
    """The framework's rows with weights: each 一级's points split evenly over its rows (2 decimals)."""
    rows = FRAMEWORKS[framework]
    out: list[dict] = []
    for level1 in dict.fromkeys(r[0] for r in rows):
        members = [r for r in rows if r[0] == level1]
        total = Decimal(str(level_weights.get(level1, 0)))
        share = (total / len(members)).quantize(CENT, ROUND_DOWN)
        for i, (l1, l2, name, standard, metric) in enumerate(members):
            weight = total - share * (len(members) - 1) if i == len(members) - 1 else share
            out.append(
                {"level1": l1, "level2": l2, "name": name, "standard": standard, "metric": metric, "weight": weight}
            )
    return out


def weight_problems(rows: Sequence[Mapping], *, output_benefit_rule: bool) -> list[str]:
    """Weights must add up to 100; for 项目/政策 evaluations 产出 + 效益 must carry at least 60 (REFERENCE §13)."""
    problems = []
    total = sum((Decimal(str(r["weight"])) for r in rows), Decimal(0))
    if total != 100:
        problems.append(f"指标分值合计为{total.normalize():f}分，应为100分")
    if output_benefit_rule:
        ob = sum((Decimal(str(r["weight"])) for r in rows if str(r["level1"]).startswith(OUTPUT_BENEFIT)), Decimal(0))
        if ob < 60:
            problems.append(f"产出和效益指标分值合计为{ob.normalize():f}分，不得低于60分")
    for r in rows:
        if Decimal(str(r["weight"])) < 0:
            problems.append(f"“{r['name']}”的分值不能为负")
    return problems


def suggested_score(metric: str | None, value: Decimal | None, weight: Decimal) -> Decimal | None:
    """A starting score for a rate the system computed (evaluators may change it): ratio rates score in proportion
    up to 100%; rates where less is better (adjustment, carry-over, 三公 change) lose points as they grow."""
    if metric is None or value is None:
        return None
    v = Decimal(value)
    if metric in ("adjustment_rate", "carryover_rate"):
        share = max(Decimal(0), 1 - v / 100 * 2)  # 50% adjusted or carried over: no points
    elif metric == "three_public_change":
        share = Decimal(1) if v <= 0 else max(Decimal(0), 1 - v / 100)
    elif metric == "three_public_share":
        return None
    elif metric == "selfeval_mean":
        share = min(v / 100, Decimal(1))
    else:
        share = min(max(v, Decimal(0)) / 100, Decimal(1))
    return (share * weight).quantize(CENT)

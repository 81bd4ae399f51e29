"""Third-party report quality, annual ranking, selection conditions and blacklist periods (no database)."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wenxiao.partners.quality import (
    DEFAULT_CHECKLIST,
    DEFAULT_PAYMENT_RULE,
    AgencyFacts,
    CheckItem,
    PaymentRule,
    QualityError,
    SelectionRules,
    Violation,
    annual_ranking,
    blacklist_until,
    check_selection,
    on_blacklist,
    payment_amount,
    score_report,
    valid_credit_code,
)

D = Decimal

# --- report quality ------------------------------------------------------------------------------------------


def full_marks() -> dict[str, Decimal]:
    return {i.label: i.points for i in DEFAULT_CHECKLIST}


def marks_for(total: str) -> dict[str, Decimal]:
    """Marks adding up to `total`: deductions taken from the items in order."""
    marks, short = full_marks(), D(100) - D(total)
    for item in DEFAULT_CHECKLIST:
        cut = min(short, item.points)
        marks[item.label] -= cut
        short -= cut
    return marks


def test_default_checklist():
    assert sum(i.points for i in DEFAULT_CHECKLIST) == 100
    labels = [i.label for i in DEFAULT_CHECKLIST]
    for label in ["评价依据充分", "指标体系科学", "数据真实可靠", "问题分析深入", "建议可行", "报告规范", "按时提交"]:
        assert label in labels
    assert len(set(labels)) == len(labels)
    assert all(i.guidance for i in DEFAULT_CHECKLIST)


@pytest.mark.parametrize(
    "total, grade, ratio, flagged",
    [
        ("100", "优", "1.00", False),
        ("90", "优", "1.00", False),  # each band includes its lower bound
        ("89.99", "良", "0.95", False),
        ("80", "良", "0.95", False),
        ("79.99", "中", "0.85", False),
        ("60", "中", "0.85", False),
        ("59.99", "差", "0.70", True),
        ("0", "差", "0.70", True),
    ],
)
def test_payment_bands_at_the_boundaries(total, grade, ratio, flagged):
    result = score_report(marks_for(total))
    assert result.total == D(total)
    assert (result.grade, result.payment_ratio, result.flagged) == (grade, D(ratio), flagged)
    assert any("不合格" in n for n in result.notes) == flagged


def test_notes_and_payment():
    marks = full_marks() | {"数据真实可靠": 15, "问题分析深入": 10.0, "按时提交": "2.5"}
    result = score_report(marks)
    assert (result.total, result.grade, result.payment_ratio) == (D("87.5"), "良", D("0.95"))
    assert result.notes == [
        "数据真实可靠：扣5分（15/20）",
        "问题分析深入：扣5分（10/15）",
        "按时提交：扣2.5分（2.5/5）",
    ]
    assert result.payment(D("150000")) == D("142500.00")
    assert payment_amount("33333.33", "0.95") == D("31666.66")  # rounded to the fen, half up
    assert payment_amount(1, "0.005") == D("0.01")
    assert score_report(full_marks()).notes == []


def test_flagged_note():
    result = score_report(marks_for("55"))
    assert result.notes[-1] == "报告质量不合格（55分，低于60分）：按委托费用的70%支付，计入机构年度质量考核"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"未知项目": 3}, "清单中没有“未知项目”"),
        ({"数据真实可靠": 21}, "“数据真实可靠”的得分应在0到20分之间，实际为21"),
        ({"建议可行": -1}, "“建议可行”的得分应在0到10分之间，实际为-1"),
        ({"报告规范": "好"}, "“报告规范”的得分不是有效的数值"),
        ({"报告规范": float("nan")}, "“报告规范”的得分不是有效的数值"),
    ],
)
def test_bad_marks(change, message):
    with pytest.raises(QualityError, match=message):
        score_report(full_marks() | change)


def test_missing_marks_are_all_listed():
    marks = full_marks()
    del marks["按时提交"], marks["报告规范"]
    with pytest.raises(QualityError) as info:
        score_report(marks)
    assert str(info.value) == "“报告规范”未评分；“按时提交”未评分"


def test_custom_checklist_must_add_up_to_100():
    with pytest.raises(QualityError, match="合计应为100分"):
        score_report({"a": 1}, checklist=[CheckItem("a", D(50), "")])
    checklist = [CheckItem("质量", D(70), ""), CheckItem("时效", D(30), "")]
    assert score_report({"质量": 70, "时效": 20}, checklist=checklist).total == 90


def test_payment_rule_from_setting():
    rule = PaymentRule.from_setting({"bands": [[60, "合格", 1], [0, "不合格", 0.5]], "flag_below": 50})
    assert [b.grade for b in rule.bands] == ["合格", "不合格"]
    result = score_report(marks_for("55"), rule=rule)
    assert (result.grade, result.payment_ratio, result.flagged) == ("不合格", D("0.5"), False)
    assert PaymentRule.from_setting(DEFAULT_PAYMENT_RULE.as_setting()) == DEFAULT_PAYMENT_RULE


@pytest.mark.parametrize(
    "value, message",
    [
        ({}, "付费规则应为"),
        ({"bands": []}, "至少应有一个分数段"),
        ({"bands": [[90, "优", 1.2]]}, "支付比例应在0到1之间"),
        ({"bands": [[90, "优", 0.8], [0, "差", 0.9]]}, "支付比例不应越低"),
        ({"bands": [[120, "优", 1]]}, "分数线应在0到100之间"),
        ({"bands": [[90, "优", "x"]]}, "支付比例不是有效的数值"),
    ],
)
def test_bad_payment_rule(value, message):
    with pytest.raises(QualityError, match=message):
        PaymentRule.from_setting(value)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 10_000), min_size=len(DEFAULT_CHECKLIST), max_size=len(DEFAULT_CHECKLIST)))
def test_any_valid_marks_score_between_0_and_100_and_pay_more_for_more(per_mille):
    marks = {i.label: i.points * D(p) / 10_000 for i, p in zip(DEFAULT_CHECKLIST, per_mille, strict=True)}
    result = score_report(marks)
    assert 0 <= result.total <= 100
    better = score_report(full_marks())
    assert result.payment_ratio <= better.payment_ratio == 1


# --- annual ranking ------------------------------------------------------------------------------------------


def by_id(rows):
    return {r.agency_id: r for r in rows}


def test_ties_share_a_rank():
    rows = annual_ranking({"甲": [90, 80], "乙": [85], "丙": [85, 85], "丁": [70]}, eliminate_share=0)
    assert [(r.agency_id, r.mean, r.n, r.rank) for r in rows] == [
        ("丙", D("85.00"), 2, 1),
        ("乙", D("85.00"), 1, 1),
        ("甲", D("85.00"), 2, 1),
        ("丁", D("70.00"), 1, 4),
    ]
    assert not any(r.eliminated for r in rows)


def test_means_tie_when_they_round_alike():
    rows = by_id(annual_ranking({"a": [80, 80, 81], "b": [80.33], "c": [80.34]}, eliminate_share=0))
    assert rows["a"].mean == D("80.33")
    assert (rows["c"].rank, rows["a"].rank, rows["b"].rank) == (1, 2, 2)


@pytest.mark.parametrize(
    "means, share, eliminated",
    [
        ([95, 90, 88, 86, 84, 82, 80, 78, 76, 74], 0.1, {"A10"}),  # 10 agencies, 10%: one
        ([95, 90, 88, 86, 84, 82, 80, 78, 76, 74], 0.2, {"A09", "A10"}),
        ([95, 90, 88, 86, 84, 82, 80, 78, 76], 0.1, set()),  # 9 × 10% rounds down to none
        ([95, 90, 88, 86, 84, 82, 80, 78, 74, 74], 0.1, set()),  # a tie across the cut is not split
        ([95, 90, 88, 86, 84, 82, 80, 78, 74, 74], 0.2, {"A09", "A10"}),
        ([95, 90, 88, 86, 84, 82, 80, 78, 76, 74], 0, set()),
        ([95, 90, 59.99], 0, {"A03"}),  # below the pass mark: eliminated whatever the share
        ([95, 55, 50], 0.1, {"A02", "A03"}),
        ([40], 0.1, {"A01"}),
    ],
)
def test_elimination(means, share, eliminated):
    scores = {f"A{i:02d}": [m] for i, m in enumerate(means, start=1)}
    rows = annual_ranking(scores, eliminate_share=share)
    assert {r.agency_id for r in rows if r.eliminated} == eliminated
    assert all(r.reasons for r in rows if r.eliminated)


def test_elimination_reasons_and_pass_mark_off():
    rows = by_id(annual_ranking({f"A{i}": [100 - i * 5] for i in range(10)} | {"Z": [50]}))
    assert rows["Z"].reasons == ("排名处于末位10%", "年度平均分低于60分")
    rows = by_id(annual_ranking({"a": [50], "b": [40]}, eliminate_share=0, pass_mark=None))
    assert not rows["a"].eliminated and not rows["b"].eliminated


def test_too_few_reports_are_not_ranked():
    rows = annual_ranking({"a": [90, 88], "b": [40], "c": [], "d": [70, 72]}, eliminate_share=0.5, min_reports=2)
    assert [(r.agency_id, r.rank, r.eliminated) for r in rows] == [
        ("a", 1, False),
        ("d", 2, True),
        ("b", None, False),
        ("c", None, False),
    ]
    assert rows[2].reasons == ("报告少于2份，不参与排名",)
    assert rows[3].mean is None and rows[3].n == 0


def test_bad_share():
    with pytest.raises(QualityError, match="末位淘汰比例"):
        annual_ranking({"a": [90]}, eliminate_share=1.5)


# --- selection conditions ------------------------------------------------------------------------------------

TODAY = date(2025, 6, 30)
GOOD = AgencyFacts(
    name="湖北楚天工程咨询有限公司",
    credit_code="9144030071526726XG",
    agency_type="专业咨询机构",
    established=date(2015, 3, 1),
    staff=12,
    qualified_staff=6,
)


@pytest.mark.parametrize(
    "code, ok",
    [
        ("9144030071526726XG", True),
        ("91330100716105852F", True),
        ("914403001922038216", True),
        ("91110000802100433B", True),
        ("91110000802100433b", True),  # case and spaces are forgiven
        ("9144030071526726XA", False),  # wrong check character
        ("9144030071526726X", False),  # 17 characters
        ("9144030071526726IG", False),  # I is not used
        ("", False),
    ],
)
def test_credit_code(code, ok):
    assert valid_credit_code(code) is ok


def test_a_qualified_agency_passes():
    assert check_selection(GOOD, today=TODAY) == []


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"credit_code": ""}, "未填写统一社会信用代码"),
        ({"credit_code": "9144030071526726XA"}, "统一社会信用代码“9144030071526726XA”格式或校验位不正确"),
        ({"independent_liability": False}, "不能独立承担民事责任"),
        ({"agency_type": "个人"}, "机构类型“个人”不在可入库的类型内"),
        ({"staff": 4}, "专职从业人员4人，少于5人"),
        ({"qualified_staff": 2}, "具有执业资格或中级以上职称的人员2人，少于3人"),
        ({"facilities": False}, "缺少开展业务所需的场所和设备"),
        ({"governance": False}, "法人治理结构不健全"),
        ({"quality_control": False}, "内部质量控制制度不健全"),
        ({"rules": frozenset({"财务管理", "资产管理"})}, "缺少保密管理、培训制度"),
        (
            {"violations": (Violation(date(2023, 5, 1), "出具不实报告"),)},
            "近3年内有预算绩效评价业务重大违规记录（2023-05-01：出具不实报告）",
        ),
        ({"blacklisted_until": date(2025, 6, 30)}, "处于黑名单期内（至2025-06-30）"),
    ],
)
def test_selection_reasons(change, reason):
    reasons = check_selection(replace(GOOD, **change), today=TODAY)
    assert len(reasons) == 1 and reasons[0].startswith(reason)


@pytest.mark.parametrize(
    "violation, counts",
    [
        (Violation(date(2022, 6, 30), "转包"), True),  # exactly three years before: still within
        (Violation(date(2022, 6, 29), "转包"), False),
        (Violation(date(2024, 1, 1), "报告格式不规范", major=False), False),  # not major
        (Violation(date(2024, 1, 1), "工程造价咨询违规", budget_evaluation=False), False),  # other business
        (Violation(date(2025, 7, 1), "登记错误的未来日期"), False),
    ],
)
def test_violation_window(violation, counts):
    assert bool(check_selection(replace(GOOD, violations=(violation,)), today=TODAY)) is counts


def test_blacklist_over_and_all_reasons_together():
    assert check_selection(replace(GOOD, blacklisted_until=date(2025, 6, 29)), today=TODAY) == []
    bad = replace(GOOD, credit_code="123", staff=0, qualified_staff=0, governance=False)
    assert len(check_selection(bad, today=TODAY)) == 4


def test_selection_rules_are_configurable():
    rules = SelectionRules.from_setting({"min_years": 3, "min_staff": 20, "agency_types": ["会计师事务所"]})
    reasons = check_selection(replace(GOOD, established=date(2023, 1, 1)), today=TODAY, rules=rules)
    assert reasons == [
        "机构类型“专业咨询机构”不在可入库的类型内（会计师事务所）",
        "成立未满3年（2023-01-01成立）",
        "专职从业人员12人，少于20人",
    ]
    assert check_selection(replace(GOOD, established=date(2022, 6, 30)), today=TODAY, rules=rules)[-1].startswith(
        "专职"
    )  # three years to the day: old enough
    assert "未填写成立日期" in check_selection(replace(GOOD, established=None), today=TODAY, rules=rules)
    with pytest.raises(QualityError, match="未知的入库条件设置：min_age"):
        SelectionRules.from_setting({"min_age": 3})
    with pytest.raises(QualityError, match="“min_staff”应为非负整数"):
        SelectionRules.from_setting({"min_staff": "10"})
    with pytest.raises(QualityError, match="“agency_types”应为文字列表"):
        SelectionRules.from_setting({"agency_types": "会计师事务所"})


# --- blacklist -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, years, until",
    [
        (date(2025, 6, 1), 3, date(2028, 6, 1)),
        (date(2024, 2, 29), 3, date(2027, 2, 28)),  # no 29 February: the end of the month
        (date(2024, 2, 29), 4, date(2028, 2, 29)),
        (date(2025, 12, 31), 1, date(2026, 12, 31)),
    ],
)
def test_blacklist_until(start, years, until):
    assert blacklist_until(start, years) == until


def test_blacklist_period_boundaries():
    until = blacklist_until(date(2025, 6, 1))
    assert on_blacklist(until, date(2028, 6, 1))
    assert not on_blacklist(until, date(2028, 6, 2))
    with pytest.raises(QualityError, match="至少为1年"):
        blacklist_until(date(2025, 6, 1), 0)

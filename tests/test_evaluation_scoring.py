"""evaluation.scoring: the 单位自评 rules of REFERENCE §6.2 / §13, table by table. No database."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wenxiao.evaluation.scoring import (
    BENEFIT,
    COST,
    OUTPUT,
    SATISFACTION,
    Budget,
    ConfigError,
    IndicatorRow,
    ScoringConfig,
    SelfEvaluation,
    grade,
    level1_group,
    qualitative_answer,
    score,
)

D = Decimal


def ev_of(*rows, budget=None, **kw):
    return SelfEvaluation(project_name="测试项目", year=2024, budget=budget or Budget(), indicators=list(rows), **kw)


def one(target, actual, weight=10, cfg=None, **row):
    """The scored row of a one-row evaluation."""
    row.setdefault("level1", "产出指标")
    row.setdefault("level2", "数量指标")
    row.setdefault("name", "指标")
    scored = score(ev_of(IndicatorRow(target=target, actual=actual, weight=weight, **row)), cfg)
    return scored.rows[0]


# --- (a) 预算执行率 ------------------------------------------------------------------------------------------

EXEC_ROWS = [
    # (initial, annual, executed, rounding, rate %, score)
    (120, 118.5, 102.3, "exact", "86.33", "8.63"),
    (120, 118.5, 102.3, "whole", "86.33", "9"),
    (120, 118.5, 102.3, "floor", "86.33", "8"),
    (None, 100, 100, "exact", "100", "10"),
    (None, 100, 120, "exact", "120", "10"),  # > 100% is capped at the full 10 points
    (None, 100, 120, "whole", "120", "10"),
    (None, 100, 84.5, "whole", "84.5", "8"),  # 8.45 → 8 (half-up to whole points)
    (None, 100, 85, "whole", "85", "9"),  # 8.5 → 9
    (None, 100, 85, "exact", "85", "8.5"),
    (None, 3, 1, "exact", "33.33", "3.33"),
    (None, 3, 2, "exact", "66.67", "6.67"),
    (None, 100, 0, "exact", "0", "0"),
    (None, "118.5万元", "1,023,000元", "exact", "86.33", "8.63"),  # units inside the cells, 元 → 万元
    (100, None, 50, "exact", "50", "5"),  # no 全年预算数: falls back to 年初预算数, with a note
    (100, 200, 150, "exact", "75", "7.5"),  # 全年预算数, not 年初预算数, is the denominator
]


@pytest.mark.parametrize(("initial", "annual", "executed", "rounding", "rate", "points"), EXEC_ROWS)
def test_execution_score(initial, annual, executed, rounding, rate, points):
    b = Budget(initial=initial, annual=annual, executed=executed)
    scored = score(ev_of(budget=b), ScoringConfig(exec_rounding=rounding))
    assert scored.budget.rate == D(rate)
    assert scored.budget.score == D(points)


@pytest.mark.parametrize(
    ("budget", "note"),
    [
        (Budget(annual=0, executed=10), "全年预算数未填写或为0"),
        (Budget(annual=None, executed=10), "全年预算数未填写或为0"),
        (Budget(annual=100, executed=None), "全年执行数未填写"),
        (Budget(annual="约一百", executed=10), "未能读取全年预算数"),
        (Budget(initial=100, annual=None, executed=50), "按年初预算数计算"),
    ],
)
def test_execution_problems_are_noted(budget, note):
    scored = score(ev_of(budget=budget))
    assert any(note in n for n in scored.notes), scored.notes


# --- (b) quantitative rules ----------------------------------------------------------------------------------

QUANT_ROWS = [
    # (target, actual, weight, expected score, rule prefix)
    ("≥100", "100", 10, "10", "正向指标"),
    ("≥100", "120", 10, "10", "正向指标"),
    ("≥100", "80", 10, "8", "正向指标"),
    ("≥3", "1", 10, "3.33", "正向指标"),
    ("≥3", "2", 10, "6.67", "正向指标"),
    ("≥8", "1", 1, "0.13", "正向指标"),  # 0.125 → 0.13: ROUND_HALF_UP, not banker's rounding
    (">100", "100", 10, "10", "正向指标"),  # ">" is scored like "≥"
    ("≥100", "-5", 10, "0", "正向指标"),  # negative actual counts as 0
    ("≥0", "-5", 10, "10", "正向指标"),
    ("≥95%", "98.5%", 10, "10", "正向指标"),
    ("≧９５％", "90%", 10, "9.47", "正向指标"),  # full-width symbols
    ("≥95%", "0.9", 10, "9.47", "正向指标"),  # a bare fraction against a percent target
    ("≥8000人次", "1.2万人次", 10, "10", "正向指标"),  # 万 converted
    ("≥735人次", "700", 10, "9.52", "正向指标"),
    ("95%以上", "95%", 10, "10", "正向指标"),
    ("≤5%", "5%", 10, "10", "反向指标"),
    ("≤5%", "4%", 10, "10", "反向指标"),
    ("≤5%", "6%", 10, "8", "反向指标"),
    ("≤5%", "7.5%", 10, "5", "反向指标"),
    ("≤5%", "9.99%", 10, "0.02", "反向指标"),
    ("≤5%", "10%", 10, "0", "反向指标"),  # a = 2t → 0
    ("≤5%", "12%", 10, "0", "反向指标"),  # a > 2t → 0
    ("<10天", "12天", 10, "8", "反向指标"),
    ("≤10", "-3", 10, "10", "反向指标"),
    ("≤0起", "1起", 10, "0", "反向指标"),
    ("=0起", "0起", 10, "10", "等于指标（目标为0）"),
    ("0起", "1起", 10, "0", "等于指标（目标为0）"),
    ("=0", "-1", 10, "10", "等于指标（目标为0）"),
    ("=12个", "12个", 10, "10", "等于指标"),
    ("=12个", "9个", 10, "7.5", "等于指标"),
    ("12个", "15个", 10, "10", "等于指标"),
    ("80-90%", "85%", 10, "10", "区间指标"),
    ("80-90%", "72%", 10, "9", "区间指标"),
    ("80-90%", "99%", 10, "9", "区间指标"),
    ("80-90%", "180%", 10, "0", "区间指标"),
]


@pytest.mark.parametrize(("target", "actual", "weight", "expected", "rule"), QUANT_ROWS)
def test_quantitative_rules(target, actual, weight, expected, rule):
    r = one(target, actual, weight)
    assert r.score == D(expected), r.detail
    assert r.rule.startswith(rule), r.rule


@pytest.mark.parametrize(
    ("target", "actual", "met"),
    [("≥100", "100", True), ("≥100", "99", False), ("≤5%", "6%", False), ("≤5%", "5%", True), ("=0", "1", False)],
)
def test_met(target, actual, met):
    assert one(target, actual).met is met


# --- dates -----------------------------------------------------------------------------------------------------

DATE_ROWS = [
    ("2024年11月30日前", "2024年11月20日", "10", "时效指标：按期完成"),
    ("2024年11月30日前", "2024年11月30日", "10", "时效指标：按期完成"),
    ("2024年11月30日前", "2024年12月5日", "0", "时效指标：未按期完成"),
    ("年底前", "2024年12月31日", "10", "时效指标：按期完成"),  # the year comes from the evaluation
    ("2024年11月30日前", "按时完成", "10", "时效指标按定性表述评分：达成"),
    ("2024年11月30日前", "延期至2025年完成", "0", "时效指标按定性表述评分：未达成"),
]


@pytest.mark.parametrize(("target", "actual", "expected", "rule"), DATE_ROWS)
def test_date_rules(target, actual, expected, rule):
    r = one(target, actual, 10, level2="时效指标")
    assert r.score == D(expected)
    assert r.rule == rule


# --- (c) qualitative bands -------------------------------------------------------------------------------------

QUAL_ROWS = [
    # (actual, declared, expected score, answer)
    ("达成年度指标", None, "10", "达成"),
    ("达成年度指标", "8", "8", "达成"),  # inside [0.8w, w]: the unit's score is kept
    ("达成年度指标", "10", "10", "达成"),
    ("达成年度指标", "7.9", "10", "达成"),  # outside the band: the band's default (S02 flags it)
    ("明显提升", None, "10", "达成"),  # actual = target wording
    ("部分达成年度指标并具有一定效果", None, "6", "部分达成"),
    ("部分达成年度指标并具有一定效果", "7", "7", "部分达成"),
    ("部分达成年度指标并具有一定效果", "6", "6", "部分达成"),
    ("部分达成年度指标并具有一定效果", "8", "6", "部分达成"),  # 0.8w is outside [0.6w, 0.8w)
    ("基本完成", None, "6", "部分达成"),
    ("未达成年度指标且效果较差", None, "0", "未达成"),
    ("未达成年度指标且效果较差", "5.9", "5.9", "未达成"),
    ("未达成年度指标且效果较差", "6", "0", "未达成"),
]


@pytest.mark.parametrize(("actual", "declared", "expected", "answer"), QUAL_ROWS)
def test_qualitative_bands(actual, declared, expected, answer):
    r = one("明显提升", actual, 10, declared_score=declared, level1="效益指标", level2="社会效益指标")
    assert r.score == D(expected)
    assert r.answer == answer
    assert r.rule == f"定性指标：{answer}"


def test_qualitative_bands_are_configurable():
    cfg = ScoringConfig.from_mapping({"qual_bands": {"部分达成": [0.5, 0.8, 0.7]}})
    assert one("明显提升", "部分完成", 10, cfg).score == D(7)


@pytest.mark.parametrize(
    ("actual", "answer"),
    [
        ("达成预期指标", "达成"),
        ("未发生安全事故", "达成"),
        ("无重大安全事故", "达成"),
        ("有所提升", "部分达成"),
        ("未完成", "未达成"),
        ("项目延期", "未达成"),
        ("是", "达成"),
        ("否", "未达成"),
        ("主要是宣传工作", None),
        ("见附件", None),
        ("", None),
    ],
)
def test_qualitative_answer(actual, answer):
    assert qualitative_answer(actual, "显著提升") == answer


# --- unreadable rows -------------------------------------------------------------------------------------------

UNREAD_ROWS = [
    ("", "100", "未能读取年度指标值"),
    ("≥95%以下", "98%", "未能读取年度指标值"),
    ("≥95%", "", "未填写实际完成值"),
    ("≥95%", "/", "未填写实际完成值"),
    ("≥95%", "达成预期指标", "未能读取实际完成值"),
    ("≥95%", "2024年12月1日", "未能读取实际完成值"),
    ("明显提升", "见附件", "定性指标：未能判断"),
    ("2024年11月30日前", "100%", "未能读取实际完成值"),
]


@pytest.mark.parametrize(("target", "actual", "rule"), UNREAD_ROWS)
def test_unreadable_rows_score_zero_and_say_why(target, actual, rule):
    scored = score(ev_of(IndicatorRow("产出指标", "数量指标", "某指标", target, actual, 10)))
    r = scored.rows[0]
    assert r.score == 0
    assert r.rule.startswith(rule), r.rule
    assert any("某指标" in n and rule in n for n in scored.notes), scored.notes


def test_worded_actual_can_be_read_as_qualitative():
    cfg = ScoringConfig(text_actual="qualitative")
    r = one("≥95%", "达成预期指标", 10, cfg)
    assert r.score == 10
    assert r.rule == "定量指标按定性表述评分：达成"


def test_unit_in_row_conflicting_with_value_is_tolerated():
    r = one("≥95%", "98%", 10, unit="人次")
    assert r.score == 10


def test_mismatched_units_are_compared_as_numbers_with_a_note():
    r = one("≥100人次", "90人", 10)
    assert r.score == 9
    assert "不一致" in r.detail


# --- over-target rule ------------------------------------------------------------------------------------------

OVER_ROWS = [
    # (actual, config, explanation, over?, score)
    ("130", {}, None, True, "10"),
    ("129", {}, None, False, "10"),
    ("130", {"over_deduction": 2}, None, True, "8"),
    ("200", {"over_deduction": 2}, "上级追加任务", True, "10"),  # explained: no deduction
    ("200", {"over_deduction": 2, "over_deduct_when": "always"}, "上级追加任务", True, "8"),
    ("150", {"over_ratio": 1.5}, None, True, "10"),
    ("149", {"over_ratio": 1.5, "over_deduction": 2}, None, False, "10"),
    ("500", {"over_ratio": None, "over_deduction": 2}, None, False, "10"),
    ("130", {"over_deduction": 20}, None, True, "0"),  # never below 0
]


@pytest.mark.parametrize(("actual", "config", "explanation", "over", "expected"), OVER_ROWS)
def test_over_target(actual, config, explanation, over, expected):
    r = one("≥100", actual, 10, ScoringConfig.from_mapping(config), deviation_reason=explanation)
    assert r.over_target is over
    assert r.score == D(expected)


def test_over_target_does_not_apply_to_reverse_rows():
    assert one("≤100", "10", 10).over_target is False


# --- weights ---------------------------------------------------------------------------------------------------


def rows_without_weights(*levels):
    return [IndicatorRow(level1=lv, level2="", name=f"指标{i}", target="≥1", actual="1") for i, lv in enumerate(levels)]


WEIGHT_ROWS = [
    # (一级 of each row, config, expected weights)
    (["产出指标", "产出指标", "效益指标", "满意度指标"], {}, ["25", "25", "30", "10"]),
    (["产出指标", "效益指标"], {}, ["50", "40"]),  # no 满意度 → 效益 40
    (["产出指标", "效益指标", "效益指标"], {}, ["50", "20", "20"]),
    (["产出指标", "产出指标", "产出指标", "效益指标", "满意度指标"], {}, ["16.67", "16.67", "16.66", "30", "10"]),
    (["成本指标", "产出指标", "效益指标", "满意度指标"], {}, ["20", "40", "20", "10"]),  # 101号 variant
    (["成本指标", "产出指标", "效益指标"], {}, ["20", "40", "30"]),  # variant without 满意度
    (["成本指标", "产出指标", "效益指标", "满意度指标"], {"scheme": "default"}, ["25", "25", "30", "10"]),
    (["产出指标", "效益指标", "满意度指标"], {"scheme": "cost"}, ["40", "20", "10"]),
    (["产出", "效益", "服务对象满意度指标"], {}, ["50", "30", "10"]),  # messy 一级 wording
    (["产出指标", "效益指标", "满意度指标"], {"weights": {"产出": 60, "效益": 20, "满意度": 10}}, ["60", "20", "10"]),
    (["产出指标", "其他指标"], {}, ["50", "0"]),  # outside the scheme
]


@pytest.mark.parametrize(("levels", "config", "expected"), WEIGHT_ROWS)
def test_default_weights(levels, config, expected):
    scored = score(ev_of(*rows_without_weights(*levels)), ScoringConfig.from_mapping(config))
    assert [r.weight for r in scored.rows] == [D(x) for x in expected]
    assert all(r.weight_shared for r in scored.rows)


def test_missing_weights_share_what_is_left_in_their_group():
    rows = [
        IndicatorRow("产出指标", "数量指标", "a", "≥1", "1", weight=20),
        IndicatorRow("产出指标", "数量指标", "b", "≥1", "1"),
        IndicatorRow("产出指标", "质量指标", "c", "≥1", "1", weight="分值"),  # unreadable → shared, noted
        IndicatorRow("效益指标", "社会效益指标", "d", "≥1", "1", weight=40),
    ]
    scored = score(ev_of(*rows))
    assert [r.weight for r in scored.rows] == [20, 15, 15, 40]
    assert [r.weight_shared for r in scored.rows] == [False, True, True, False]
    assert any("未能读取分值" in n for n in scored.notes)


def test_weights_given_above_the_group_leave_nothing_to_share():
    rows = [IndicatorRow("产出指标", "", "a", "≥1", "1", weight=60), IndicatorRow("产出指标", "", "b", "≥1", "1")]
    assert [r.weight for r in score(ev_of(*rows)).rows] == [60, 0]


@pytest.mark.parametrize(
    ("level1", "level2", "group"),
    [
        ("产出指标", "数量指标", OUTPUT),
        ("", "质量指标", OUTPUT),
        ("", "成本指标", OUTPUT),
        ("", "经济成本指标", COST),
        ("成本指标", "", COST),
        ("效益", "", BENEFIT),
        ("", "可持续影响指标", BENEFIT),
        ("服务对象满意度指标", "", SATISFACTION),
        ("", "", "（未填写一级指标）"),
    ],
)
def test_level1_group(level1, level2, group):
    assert level1_group(level1, level2) == group


# --- rounding and aggregation ----------------------------------------------------------------------------------


def test_rounding_at_every_level():
    # three rows of 10 at 1/3 each round to 3.33 before they are added: 9.99, not 10
    rows = [IndicatorRow("产出指标", "数量指标", f"r{i}", "≥3", "1", weight=10) for i in range(3)]
    rows += [IndicatorRow("效益指标", "社会效益指标", "e", "≥3", "2", weight=10)]  # 6.67
    scored = score(ev_of(*rows, budget=Budget(annual=3, executed=1)))  # 3.33
    assert [r.score for r in scored.rows] == [D("3.33")] * 3 + [D("6.67")]
    output, benefit = scored.levels
    assert (output.name, output.score, output.weight) == (OUTPUT, D("9.99"), 30)
    assert output.children[0].score == D("9.99")
    assert benefit.score == D("6.67")
    assert scored.total == D("9.99") + D("6.67") + D("3.33")


def test_levels_group_rows_by_level2_in_order():
    rows = [
        IndicatorRow("产出指标", "数量指标", "a", "≥1", "1", weight=20),
        IndicatorRow("产出指标", "质量指标", "b", "≥1", "0.5", weight=20),
        IndicatorRow("产出指标", "数量指标", "c", "≥1", "1", weight=10),
    ]
    (output,) = score(ev_of(*rows)).levels
    assert [(c.name, c.weight, c.score) for c in output.children] == [("数量指标", 30, 30), ("质量指标", 20, 10)]


def test_full_example_total_and_grade():
    rows = [
        IndicatorRow("产出指标", "数量指标", "培训人次", "≥735人次", "735", 20, 20),
        IndicatorRow("产出指标", "质量指标", "合格率", "≥95%", "90%", 20, 18.95),  # 18.95
        IndicatorRow("产出指标", "时效指标", "完成时间", "2024年11月30日前", "2024年11月20日", 10, 10),
        IndicatorRow("效益指标", "社会效益指标", "受益群众", "明显提升", "达成年度指标", 30, 28),
        IndicatorRow("满意度指标", "服务对象满意度指标", "满意度", "≥90%", "92%", 10, 10),
    ]
    b = Budget(120, 118.5, 102.3, "86.33%", 8.63)
    scored = score(ev_of(*rows, budget=b))
    assert [r.score for r in scored.rows] == [20, D("18.95"), 10, 28, 10]
    assert scored.total == D("95.58")
    assert scored.grade == "优"
    assert scored.full_marks == 100


def test_total_is_capped_at_full_marks():
    rows = [IndicatorRow("产出指标", "", f"r{i}", "≥1", "1", weight=30) for i in range(4)]  # 120 points
    scored = score(ev_of(*rows, budget=Budget(annual=1, executed=1)))
    assert scored.total == 100
    assert any("超过满分" in n for n in scored.notes)


# --- (e) grades ------------------------------------------------------------------------------------------------

GRADE_ROWS = [
    (100, "优"),
    (90, "优"),
    ("89.99", "良"),
    (80, "良"),
    ("79.99", "中"),
    (60, "中"),
    ("59.99", "差"),
    (0, "差"),
]


@pytest.mark.parametrize(("total", "expected"), GRADE_ROWS)
def test_grade_boundaries(total, expected):
    assert grade(D(str(total))) == expected


@pytest.mark.parametrize(("total", "expected"), [(90, "良"), (95, "优"), (85, "良"), (84.99, "中")])
def test_grade_cutoffs_are_configurable(total, expected):
    cfg = ScoringConfig.from_mapping({"grade_cutoffs": {"优": 95, "良": 85, "中": 60}})
    assert grade(D(str(total)), cfg.grade_cutoffs) == expected


@pytest.mark.parametrize(("actual", "expected"), [("90", "优"), ("89.99", "良"), ("80", "良"), ("60", "中")])
def test_grade_of_a_scored_total(actual, expected):
    # one row of 90 points scored actual/100 × 90 = the wanted total; no budget, so 执行率 scores 0
    row = IndicatorRow("产出指标", "", "x", "≥100", str(D(actual) / 90 * 100), weight=90)
    scored = score(ev_of(row))
    assert scored.total == D(actual)
    assert scored.grade == expected


# --- configuration ---------------------------------------------------------------------------------------------


def test_config_from_mapping_ignores_unknown_keys():
    cfg = ScoringConfig.from_mapping({"exec_rounding": "whole", "over_ratio": "1.5", "province": "湖南", "x": 1})
    assert cfg.exec_rounding == "whole"
    assert cfg.over_ratio == D("1.5")
    assert ScoringConfig.from_mapping(None) == ScoringConfig()


@pytest.mark.parametrize(
    "mapping",
    [
        {"exec_rounding": "round"},
        {"scheme": "101"},
        {"over_ratio": "abc"},
        {"weights": []},
        {"qual_bands": {"达成": [0.9, 0.8, 1]}},
        {"grade_cutoffs": [60, 80, 90]},
        {"over_deduction": -1},
    ],
)
def test_bad_config_is_a_chinese_error(mapping):
    with pytest.raises(ConfigError) as e:
        ScoringConfig.from_mapping(mapping)
    assert "配置项" in e.value.message


# --- the messy real-world table --------------------------------------------------------------------------------


def test_messy_published_table():
    rows = [
        IndicatorRow("产出指标", "数量指标", "培训人次", "≥735人次", "735人次", "20分", "20"),
        IndicatorRow("产出指标", "质量指标", "培训合格率", "≧９５％", "98.5%", "20", "20"),
        IndicatorRow("产出指标", "时效指标", "完成时间", "2024年11月30日前", "按时完成", "20", "20"),
        IndicatorRow("效益指标", "社会效益指标", "群众健康意识", "≥90%", "达成预期指标", "30", "30"),
        IndicatorRow("满意度指标", "服务对象满意度指标", "受训人员满意度", "≥90％", "96%", "10", "10"),
    ]
    budget = Budget("120", "118.5", "102.3", "86.33%", "8.63")
    scored = score(ev_of(*rows, budget=budget, declared_total="108.63"))
    assert [r.score for r in scored.rows] == [20, 20, 20, 0, 10]
    assert scored.rows[3].rule.startswith("未能读取实际完成值“达成预期指标”")
    assert any("达成预期指标" in n for n in scored.notes)
    codes = [f.code for f in scored.flags]
    assert "S06" in codes  # weights add up to 100 + 10 = 110
    assert any("共110分" in f.message for f in scored.flags if f.code == "S06")
    assert "S01" in scored.rows[3].flags  # 30 declared on a row the rules cannot score
    assert scored.total == D("78.63")
    assert scored.grade == "中"
    d = scored.to_dict()
    assert set(d) >= {"total", "grade", "budget", "indicators", "flags"}
    assert d["budget"] == {"rate": 86.33, "score": 8.63, "points": 10.0, "rule": scored.budget.rule}
    assert {"name", "score", "rule", "flags"} <= set(d["indicators"][0])
    assert {"code", "indicator", "message"} == set(d["flags"][0])


# --- properties: no crash, total within the full marks ---------------------------------------------------------

MESSY = st.sampled_from(
    [
        "≥95%",
        "≧９５％",
        "98.5%",
        "达成预期指标",
        "735人次",
        "1e999999",
        "9" * 40,
        "-1",
        "0",
        "0.0000000001",
        "2024年2月30日",
        "2024年11月30日前",
        "80-90%",
        "≤5%",
        "/",
        "无",
        "部分达成年度指标并具有一定效果",
        "NaN",
        "Infinity",
        "1.2万人次",
        "10分",
    ]
)
FIELD = st.one_of(
    st.none(),
    st.text(max_size=20),
    MESSY,
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
)
ROW = st.builds(
    IndicatorRow,
    level1=st.one_of(FIELD, st.sampled_from(["产出指标", "效益指标", "满意度指标", "成本指标"])),
    level2=FIELD,
    name=FIELD,
    target=FIELD,
    actual=FIELD,
    weight=FIELD,
    declared_score=FIELD,
    deviation_reason=FIELD,
    unit=FIELD,
    explanation=FIELD,
    has_survey=st.one_of(st.none(), st.booleans()),
)
BUDGET = st.builds(
    Budget, initial=FIELD, annual=FIELD, executed=FIELD, declared_rate=FIELD, declared_score=FIELD, unit=st.text()
)
EVALUATION = st.builds(
    SelfEvaluation,
    project_name=st.text(max_size=10),
    year=st.one_of(st.none(), st.integers(), st.text(max_size=6)),
    budget=BUDGET,
    indicators=st.lists(ROW, max_size=8),
    declared_total=FIELD,
)
CONFIG = st.builds(
    ScoringConfig,
    exec_rounding=st.sampled_from(["exact", "whole", "floor"]),
    scheme=st.sampled_from(["auto", "default", "cost"]),
    over_deduction=st.sampled_from([0, 1, 5]),
    text_actual=st.sampled_from(["unread", "qualitative"]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EVALUATION, CONFIG)
def test_score_never_raises_and_stays_within_full_marks(ev, cfg):
    scored = score(ev, cfg)
    assert D(0) <= scored.total <= scored.full_marks + D("0.01")
    assert scored.total <= 100 + D("0.01")
    assert scored.grade in ("优", "良", "中", "差")
    for r in scored.rows:
        assert D(0) <= r.score <= r.weight
        assert r.rule
    assert D(0) <= scored.budget.score <= scored.budget.points
    d = scored.to_dict()
    assert len(d["indicators"]) == len(ev.indicators)


def test_a_weight_with_more_than_two_decimals_is_rounded_so_no_score_tops_it():
    """Found by hypothesis: a weight of 881067.167 let the row's rounded score (…17) exceed it."""
    row = IndicatorRow(
        level1="产出指标", level2="数量指标", name="培训人次", target="≥100人次", actual="100", weight="10.005"
    )
    scored = score(SelfEvaluation(project_name="x", year=2025, budget=None, indicators=[row], declared_total=None))
    assert scored.rows[0].weight == D("10.01") and scored.rows[0].score <= scored.rows[0].weight
    assert any("按两位小数计为10.01" in n for n in scored.notes)

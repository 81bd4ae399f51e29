"""evaluation.credibility: each flag S01–S09 fires on a case built for it and stays quiet on a near miss."""

from decimal import Decimal

import pytest

from wenxiao.evaluation.credibility import CODES, Flag, SystemData, check
from wenxiao.evaluation.scoring import Budget, IndicatorRow, ScoringConfig, SelfEvaluation, score

FULL_BUDGET = Budget(initial=100, annual=100, executed=100, declared_rate="100%", declared_score=10)


def good_rows():
    """A consistent 90-point table: every row met, declared = rule score, reasons where needed."""
    return [
        IndicatorRow("产出指标", "数量指标", "培训人次", "≥735人次", "760人次", 30, 30),
        IndicatorRow("产出指标", "质量指标", "合格率", "≥95%", "96%", 20, 20),
        IndicatorRow("效益指标", "社会效益指标", "群众健康意识", "明显提升", "达成年度指标", 30, 30),
        IndicatorRow("满意度指标", "服务对象满意度指标", "满意度", "≥90%", "93%", 10, 10, has_survey=True),
    ]


def evaluation(rows=None, budget=FULL_BUDGET, declared_total=100, **kw):
    return SelfEvaluation("测试项目", 2024, budget, good_rows() if rows is None else rows, declared_total, **kw)


def flags_of(ev, cfg=None, system=None, code=None):
    flags = score(ev, cfg, system=system).flags
    return [f for f in flags if code is None or f.code == code]


def with_row(index, **changes):
    rows = good_rows()
    fields = rows[index].__dict__ | changes
    rows[index] = IndicatorRow(**fields)
    return rows


def test_a_consistent_table_has_no_flags():
    assert flags_of(evaluation()) == []


def test_every_code_has_a_title():
    assert sorted(CODES) == [f"S0{i}" for i in range(1, 10)]


# --- S01 declared score above the rule score -------------------------------------------------------------------


def test_s01_fires():
    rows = with_row(1, actual="90%")  # 90/95 × 20 = 18.95, declared 20
    (flag,) = flags_of(evaluation(rows, declared_total="98.95"), code="S01")
    assert flag.indicator == 1
    assert "20分" in flag.message and "18.95分" in flag.message


def test_s01_near_miss():
    rows = with_row(1, actual="90%", declared_score="18.95", deviation_reason="受疫情影响")
    assert flags_of(evaluation(rows, declared_total="98.95"), code="S01") == []


def test_s01_on_the_execution_score():
    budget = Budget(100, 100, 86.33, "86.33%", 9)
    (flag,) = flags_of(evaluation(budget=budget, declared_total=99), code="S01")
    assert flag.indicator is None
    assert "9分" in flag.message and "8.63分" in flag.message


def test_s01_execution_near_miss():
    budget = Budget(100, 100, 86.33, "86.33%", "8.63")
    assert flags_of(evaluation(budget=budget, declared_total="98.63"), code="S01") == []


# --- S02 qualitative score outside its band ---------------------------------------------------------------------


def test_s02_fires():
    rows = with_row(2, actual="部分达成年度指标并具有一定效果", declared_score=27, deviation_reason="进度滞后")
    (flag,) = flags_of(evaluation(rows, declared_total=97), code="S02")
    assert flag.indicator == 2
    assert "部分达成" in flag.message and "18～24分（不含24分）" in flag.message and "27分" in flag.message


def test_s02_near_miss():
    rows = with_row(2, actual="部分达成年度指标并具有一定效果", declared_score="23.9", deviation_reason="进度滞后")
    assert flags_of(evaluation(rows, declared_total="93.9"), code="S02") == []


# --- S03 missed without 偏差原因 ---------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", [None, "", "无", "/"])
def test_s03_fires(reason):
    rows = with_row(0, actual="700人次", declared_score="28.57", deviation_reason=reason)
    (flag,) = flags_of(evaluation(rows, declared_total="98.57"), code="S03")
    assert flag.indicator == 0
    assert "≥735人次" in flag.message and "700人次" in flag.message and "偏差原因" in flag.message


def test_s03_near_miss():
    rows = with_row(0, actual="700人次", declared_score="28.57", deviation_reason="部分学员因病缺席，下年补训")
    assert flags_of(evaluation(rows, declared_total="98.57"), code="S03") == []


# --- S04 ≥ 130% of target without explanation -------------------------------------------------------------------


def test_s04_fires():
    rows = with_row(0, actual="1000人次")
    (flag,) = flags_of(evaluation(rows), code="S04")
    assert flag.indicator == 0
    assert "136.05%" in flag.message and "≥130%" in flag.message


@pytest.mark.parametrize(
    ("actual", "changes"),
    [
        ("950人次", {}),
        ("1000人次", {"explanation": "上级追加培训任务"}),
        ("1000人次", {"deviation_reason": "追加任务"}),
    ],
)
def test_s04_near_miss(actual, changes):
    rows = with_row(0, actual=actual, **changes)  # 950/735 = 129.3%
    assert flags_of(evaluation(rows), code="S04") == []


def test_s04_threshold_is_configurable():
    rows = with_row(0, actual="950人次")
    assert [f.code for f in flags_of(evaluation(rows), ScoringConfig(over_ratio=Decimal("1.2")), code="S04")]


# --- S05 declared execution rate ≠ 执行数 ÷ 预算数 ----------------------------------------------------------------


def test_s05_fires():
    budget = Budget(120, 118.5, 102.3, "90%", "8.63")
    (flag,) = flags_of(evaluation(budget=budget, declared_total="98.63"), code="S05")
    assert flag.indicator is None
    assert "90%" in flag.message and "86.33%" in flag.message


def test_s05_names_the_wrong_denominator():
    budget = Budget(120, 118.5, 102.3, "85.25%", "8.63")  # 102.3 / 120
    (flag,) = flags_of(evaluation(budget=budget, declared_total="98.63"), code="S05")
    assert "年初预算数" in flag.message


@pytest.mark.parametrize("declared", ["86.33%", "86.3%", "86%", "0.8633", 0.86329, "86.33", "８６．３３％"])
def test_s05_near_miss(declared):
    budget = Budget(120, 118.5, 102.3, declared, "8.63")
    assert flags_of(evaluation(budget=budget, declared_total="98.63"), code="S05") == []


# --- S06 total ≠ sum of rows, weights ≠ scheme ------------------------------------------------------------------


def test_s06_declared_total_fires():
    (flag,) = flags_of(evaluation(declared_total="98.6"), code="S06")
    assert "98.6分" in flag.message and "100分" in flag.message


def test_s06_weights_fire():
    rows = with_row(0, weight=40, declared_score=40)  # 100 + 10 = 110
    (flag,) = flags_of(evaluation(rows, declared_total=110), code="S06")
    assert "共110分" in flag.message and "满分100分" in flag.message


@pytest.mark.parametrize("declared_total", [100, "100.00", "100分"])
def test_s06_near_miss(declared_total):
    assert flags_of(evaluation(declared_total=declared_total), code="S06") == []


def test_s06_total_without_a_declared_execution_score():
    budget = Budget(100, 100, 100, "100%", None)
    assert flags_of(evaluation(budget=budget, declared_total=100), code="S06") == []  # rows 90 + computed 10


# --- S07 too good to be true ------------------------------------------------------------------------------------


def equal_rows(n):
    return [IndicatorRow("产出指标", "数量指标", f"指标{i}", "≥100", "100", 90 / n, 90 / n) for i in range(n)]


def test_s07_all_equal_fires():
    flags = flags_of(evaluation(equal_rows(3)), code="S07")
    assert [f.message for f in flags if "完全相同" in f.message]


@pytest.mark.parametrize("rows", [equal_rows(2), equal_rows(2) + good_rows()[1:2]])
def test_s07_all_equal_near_miss(rows):
    flags = flags_of(evaluation(rows, declared_total=None), code="S07")
    assert not [f for f in flags if "完全相同" in f.message]


def test_s07_full_marks_with_low_execution_fires():
    budget = Budget(100, 100, 80, "80%", 8)
    (flag,) = flags_of(evaluation(budget=budget, declared_total=98), code="S07")
    assert "80%" in flag.message and "满分" in flag.message


def test_s07_full_marks_near_miss():
    assert flags_of(evaluation(), code="S07") == []  # 100% executed
    rows = with_row(1, actual="90%", declared_score="18.95", deviation_reason="受疫情影响")
    budget = Budget(100, 100, 80, "80%", 8)
    assert flags_of(evaluation(rows, budget=budget, declared_total="96.95"), code="S07") == []


# --- S08 contradicts the system's data --------------------------------------------------------------------------


def test_s08_payments_fire():
    (flag,) = flags_of(evaluation(), system=SystemData(executed="95.5"), code="S08")
    assert flag.indicator is None
    assert "100万元" in flag.message and "95.5万元" in flag.message


def test_s08_forecast_value_fires():
    (flag,) = flags_of(evaluation(), system=SystemData(monitoring_forecasts={0: "500人次"}), code="S08")
    assert flag.indicator == 0
    assert "500人次" in flag.message and "52%" in flag.message


def test_s08_forecast_cannot_complete_fires():
    system = SystemData(monitoring_forecasts={"1": "完全不可能"})
    (flag,) = flags_of(evaluation(), system=system, code="S08")
    assert flag.indicator == 1


@pytest.mark.parametrize(
    "system",
    [
        None,
        SystemData(executed=100),
        SystemData(executed="100.00万元"),
        SystemData(monitoring_forecasts={0: "700人次"}),  # 8.6% apart
        SystemData(monitoring_forecasts={0: "0.07万人次"}),
        SystemData(monitoring_forecasts={1: "确定能完成", 9: "500", "x": "1"}),
    ],
)
def test_s08_near_miss(system):
    assert flags_of(evaluation(), system=system, code="S08") == []


def test_s08_forecast_cannot_complete_near_miss_when_actually_missed():
    rows = with_row(1, actual="90%", declared_score="18.95", deviation_reason="受疫情影响")
    system = SystemData(monitoring_forecasts={1: "完全不可能"})
    assert flags_of(evaluation(rows, declared_total="98.95"), system=system, code="S08") == []


def test_s08_uses_the_system_data_carried_by_the_evaluation():
    ev = evaluation(system=SystemData(executed=90))
    assert [f.code for f in flags_of(ev, code="S08")] == ["S08"]


# --- S09 satisfaction without a survey --------------------------------------------------------------------------


def test_s09_fires():
    (flag,) = flags_of(evaluation(with_row(3, has_survey=False)), code="S09")
    assert flag.indicator == 3
    assert "调查" in flag.message and "93%" in flag.message


@pytest.mark.parametrize("has_survey", [True, None])
def test_s09_near_miss(has_survey):
    assert flags_of(evaluation(with_row(3, has_survey=has_survey)), code="S09") == []


def test_s09_needs_a_reported_value():
    rows = with_row(3, has_survey=False, actual="")
    assert flags_of(evaluation(rows, declared_total=None), code="S09") == []


# --- wiring -----------------------------------------------------------------------------------------------------


def test_row_flags_and_check_agree():
    rows = with_row(0, actual="700人次")  # S01 (30 > 28.57) and S03
    ev = evaluation(rows)
    scored = score(ev)
    assert scored.rows[0].flags == ["S01", "S03"]
    assert check(ev, scored) == scored.flags
    assert all(isinstance(f, Flag) for f in scored.flags)
    assert scored.to_dict()["indicators"][0]["flags"] == ["S01", "S03"]

"""monitoring.warnings: the 双监控 warning engine, rule by rule, on tiny plain frames (no database)."""

import json
from datetime import date

import polars as pl
import pytest

from wenxiao.monitoring.warnings import (
    ACTIONS,
    DEFAULT_CURVE,
    RULE_TITLES,
    Rules,
    peer_curves,
    run,
    time_progress,
)

WARNING_COLUMNS = ["project_id", "indicator_id", "code", "level", "title", "detail", "action", "action_text", "numbers"]
PROJECT_COLUMNS = ["project_id", "budget", "spent", "rate", "time_progress", "forecast_rate", "completion", "light"]
PROJECT_COLUMNS += ["warnings"]


# --- helpers ------------------------------------------------------------------------------------------------------


def projects(*rows):
    """projects((1, 100.0), (2, 0.0, "peer-a", 5.0)) → project_id, budget, peer, paid_after_stop."""
    full = [tuple(r) + (None,) * (4 - len(r)) for r in rows]
    return pl.DataFrame(
        full,
        schema={"project_id": pl.Int64, "budget": pl.Float64, "peer": pl.Utf8, "paid_after_stop": pl.Float64},
        orient="row",
    )


def monthly(amounts, project_id=1):
    """monthly({3: 20.0, 10: 22.1}) → one project's payments by month."""
    return pl.DataFrame(
        [(project_id, m, a) for m, a in amounts.items()],
        schema={"project_id": pl.Int64, "month": pl.Int8, "amount": pl.Float64},
        orient="row",
    )


def indicators(*rows):
    """indicators(dict(kind="quant", target=100, forecast=90, likelihood=2), ...) → one row each for project 1."""
    schema = {
        "project_id": pl.Int64,
        "indicator_id": pl.Int64,
        "name": pl.Utf8,
        "kind": pl.Utf8,
        "direction": pl.Utf8,
        "target": pl.Float64,
        "to_date": pl.Float64,
        "forecast": pl.Float64,
        "likelihood": pl.Int8,
        "answer": pl.Utf8,
    }
    base = {"project_id": 1, "name": "培训人数", "kind": "quant", "direction": "up"}
    full = []
    for i, row in enumerate(rows, start=1):
        merged = {**{k: None for k in schema}, **base, "indicator_id": 100 + i, **row}
        full.append(tuple(merged[k] for k in schema))
    return pl.DataFrame(full, schema=schema, orient="row")


def history(rates, project_id=1):
    """history({2023: 60.0, 2024: 65.0}) → final execution rates of past years."""
    return pl.DataFrame(
        [(project_id, y, r) for y, r in rates.items()],
        schema={"project_id": pl.Int64, "year": pl.Int64, "rate": pl.Float64},
        orient="row",
    )


def only(result, code):
    """The warnings of one rule, as dicts with `numbers` decoded."""
    rows = result.warnings.filter(pl.col("code") == code).to_dicts()
    for row in rows:
        row["numbers"] = json.loads(row["numbers"])
    return rows


def levels(result, code):
    return [w["level"] for w in only(result, code)]


def project(result, project_id=1):
    return result.projects.filter(pl.col("project_id") == project_id).to_dicts()[0]


# --- time progress ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2025, 7, 31), 58.33),
        (date(2026, 7, 31), 58.33),
        (date(2025, 1, 31), 8.33),
        (date(2025, 2, 14), 12.5),
        (date(2024, 2, 29), 16.67),
        (date(2025, 4, 15), 29.17),
        (date(2025, 10, 31), 83.33),
        (date(2025, 12, 31), 100.0),
    ],
)
def test_time_progress(as_of, expected):
    assert round(time_progress(as_of), 2) == expected


# --- M01 spending behind time progress ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("budget", "spent", "expected", "behind"),
    [
        (100.0, 48.33, ("yellow", "urge"), 10.0),  # exactly 10 points behind 58.33
        (100.0, 48.34, None, None),  # 9.99 points
        (100.0, 38.34, ("yellow", "urge"), 19.99),
        (100.0, 38.33, ("red", "suspend"), 20.0),  # exactly 20 points
        (100.0, 5.0, ("red", "suspend"), 53.33),
        (100.0, 70.0, None, None),  # ahead of time
        (200.0, 96.66, ("yellow", "urge"), 10.0),  # 48.33%
        (0.0, 0.0, None, None),  # zero budget: rate undefined, no money rule
        (0.0, 50.0, None, None),
    ],
)
def test_m01_behind_time_progress(budget, spent, expected, behind):
    result = run(date(2025, 7, 31), projects((1, budget)), monthly({7: spent}))
    found = only(result, "M01")
    if expected is None:
        assert found == []
        return
    (w,) = found
    assert (w["level"], w["action"]) == expected
    assert w["action_text"] == ACTIONS[expected[1]]
    assert w["indicator_id"] is None
    assert w["numbers"]["behind"] == behind
    assert w["numbers"]["time_progress"] == 58.33
    assert "截至7月31日预算执行率" in w["detail"]
    assert f"低于序时进度58.33%共{behind:.2f}个百分点" in w["detail"]


def test_m01_detail_reads_like_the_example():
    result = run(date(2025, 10, 31), projects((1, 100.0)), monthly({3: 20.0, 10: 22.1}))
    (w,) = only(result, "M01")
    assert w["detail"] == "截至10月31日预算执行率42.10%，低于序时进度83.33%共41.23个百分点"
    assert w["title"] == RULE_TITLES["M01"] == "执行进度滞后"


def test_m01_thresholds_are_configurable():
    result = run(date(2025, 7, 31), projects((1, 100.0)), monthly({7: 53.33}), rules=Rules(yellow_behind=5.0))
    assert levels(result, "M01") == ["yellow"]


def test_zero_budget_has_no_rate():
    result = run(date(2025, 12, 31), projects((1, 0.0), (2, None)), monthly({12: 10.0}))
    assert project(result)["rate"] is None
    assert project(result)["forecast_rate"] is None
    assert project(result)["spent"] == 10.0
    assert project(result, 2)["rate"] is None
    assert result.warnings.is_empty()
    assert project(result)["light"] == "green"


# --- M02 checkpoints ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "amounts", "expected"),
    [
        (date(2025, 10, 31), {10: 59.99}, [("red", "urge", 10, 59.99)]),  # checkpoint on the exact day
        (date(2025, 10, 31), {10: 60.0}, []),  # exactly on the line
        (date(2025, 10, 30), {10: 10.0}, []),  # October not over yet
        (date(2025, 11, 15), {10: 55.0, 11: 30.0}, [("red", "urge", 10, 55.0)]),  # cumulative at the end of October
        (date(2025, 12, 31), {10: 50.0, 12: 30.0}, [("red", "cut", 12, 80.0)]),  # only the latest missed
        (date(2025, 12, 31), {10: 50.0, 12: 40.0}, [("red", "urge", 10, 50.0)]),  # December met, October missed
        (date(2025, 12, 31), {10: 60.0, 12: 25.0}, []),
        (date(2025, 12, 30), {10: 50.0, 12: 30.0}, [("red", "urge", 10, 50.0)]),  # December not over yet
    ],
)
def test_m02_checkpoints(as_of, amounts, expected):
    result = run(as_of, projects((1, 100.0)), monthly(amounts))
    found = [
        (w["level"], w["action"], w["numbers"]["checkpoint_month"], w["numbers"]["cum_rate"])
        for w in only(result, "M02")
    ]
    assert found == expected


def test_m02_detail_and_numbers():
    result = run(date(2025, 10, 31), projects((1, 1000.0)), monthly({5: 300.0, 9: 250.0}))
    (w,) = only(result, "M02")
    assert w["detail"] == "截至10月底累计预算执行率55.00%，未达到10月底60.00%的节点要求，相差5.00个百分点"
    assert w["numbers"] == {
        "checkpoint_month": 10,
        "line": 60.0,
        "cum_rate": 55.0,
        "gap": 5.0,
        "cum_spent": 550.0,
        "budget": 1000.0,
    }


def test_m02_custom_checkpoints_and_zero_budget():
    rules = Rules.from_mapping({"checkpoints": "6:30"})
    result = run(date(2025, 6, 30), projects((1, 100.0), (2, 0.0)), monthly({6: 20.0}), rules=rules)
    assert [(w["project_id"], w["action"]) for w in only(result, "M02")] == [(1, "cut")]


# --- M03 year-end forecast ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "amounts", "budget", "expected", "forecast_rate"),
    [
        (date(2025, 3, 30), {1: 1.0}, 100.0, None, None),  # before the end of March: too early
        (date(2025, 3, 31), {3: 12.0}, 100.0, "yellow", 75.0),  # 12 / 0.16
        (date(2025, 3, 31), {3: 13.6}, 100.0, None, 85.0),  # exactly the line
        (date(2025, 3, 31), {3: 11.0}, 100.0, "red", 68.75),
        (date(2025, 3, 31), {3: 16.0}, 100.0, None, 100.0),
        (date(2025, 3, 31), {3: 50.0}, 100.0, None, 300.0),  # capped at 3x budget, never flagged
        (date(2025, 4, 15), {4: 40.0}, 100.0, "red", 40.0),  # partial month: not scaled, only a floor
        (date(2025, 10, 31), {10: 33.0}, 100.0, "red", 50.0),  # 33 / 0.66
        (date(2025, 12, 31), {12: 84.99}, 100.0, "yellow", 84.99),  # year end: the forecast is what was paid
        (date(2025, 10, 31), {10: 10.0}, 0.0, None, None),  # zero budget
    ],
)
def test_m03_forecast(as_of, amounts, budget, expected, forecast_rate):
    result = run(as_of, projects((1, budget)), monthly(amounts))
    assert project(result)["forecast_rate"] == forecast_rate
    found = only(result, "M03")
    assert [w["level"] for w in found] == ([expected] if expected else [])
    for w in found:
        assert w["action"] == "cut"
        assert w["numbers"]["curve"] == "default"
        assert f"预计年底预算执行率{forecast_rate:.2f}%，低于85.00%" in w["detail"]


def curve(peer, shares):
    return pl.DataFrame(
        {"peer": [peer] * 12, "month": list(range(1, 13)), "share": shares},
        schema={"peer": pl.Utf8, "month": pl.Int8, "share": pl.Float64},
    )


@pytest.mark.parametrize(
    ("peer", "march_share", "expected_curve", "forecast_rate"),
    [
        ("会议培训", 0.5, "peer", 80.0),  # 40 / 0.5
        ("其他", 0.5, "default", 250.0),  # no curve for this group: 40 / 0.16
        (None, 0.5, "default", 250.0),
        ("会议培训", 0.0, "default", 250.0),  # a curve with nothing paid by March says nothing
    ],
)
def test_m03_peer_curve(peer, march_share, expected_curve, forecast_rate):
    shares = [0.1, 0.2, march_share, 0.6, 0.6, 0.6, 0.7, 0.7, 0.8, 0.9, 0.95, 1.0]
    result = run(date(2025, 3, 31), projects((1, 100.0, peer)), monthly({3: 40.0}), curves=curve("会议培训", shares))
    assert project(result)["forecast_rate"] == forecast_rate
    found = only(result, "M03")
    if expected_curve == "peer":
        (w,) = found
        assert w["level"] == "yellow"
        assert w["numbers"]["curve"] == "peer"
        assert w["numbers"]["share"] == 0.5
        assert w["detail"].startswith("按同类项目（会议培训）上年支出进度测算")
    else:
        assert found == []


# --- M04 quantitative indicators ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "target", "forecast", "likelihood", "expected", "deviation"),
    [
        ("up", 100.0, 95.0, 2, "yellow", 5.0),
        ("up", 100.0, 95.0, None, "yellow", 5.0),  # blank likelihood counts as 有可能
        ("up", 100.0, 95.0, 1, None, None),  # the unit says 确定能
        ("up", 100.0, 100.0, 2, None, None),
        ("up", 100.0, 120.0, 3, "red", 20.0),  # 完全不可能 whatever the numbers
        ("up", 100.0, None, 3, "red", None),
        ("up", 100.0, None, 2, None, None),
        ("up", None, 50.0, 2, None, None),
        ("down", 5.0, 6.0, 2, "yellow", 20.0),  # reverse indicator above its ceiling
        ("down", 5.0, 4.0, 2, None, None),
        ("down", 5.0, 5.0, None, None, None),
        ("eq", 10.0, 10.0, None, None, None),
        ("eq", 10.0, 9.0, None, "yellow", 10.0),
        ("eq", 10.0, 11.0, 2, "yellow", 10.0),
        ("up", 0.0, -1.0, 2, "yellow", None),  # no 偏离度 against a zero target
        (None, 100.0, 90.0, 2, "yellow", 10.0),  # missing direction counts as "up"
    ],
)
def test_m04_quantitative(direction, target, forecast, likelihood, expected, deviation):
    ind = indicators(dict(direction=direction, target=target, forecast=forecast, likelihood=likelihood))
    result = run(date(2025, 7, 31), projects((1, 100.0)), monthly({7: 60.0}), indicators=ind)
    found = only(result, "M04")
    assert [w["level"] for w in found] == ([expected] if expected else [])
    for w in found:
        assert (w["indicator_id"], w["action"], w["action_text"]) == (101, "adjust_target", "调整目标")
        assert w["numbers"]["deviation"] == deviation
        assert w["detail"].startswith("指标“培训人数”")
        if deviation is not None and expected == "yellow":
            assert f"偏离度{deviation:.2f}%" in w["detail"]


def test_m04_detail():
    ind = indicators(
        dict(target=100.0, forecast=95.0, likelihood=2),
        dict(name="投诉率", direction="down", target=5.0, forecast=6.5),
        dict(name="满意度", target=90.0, forecast=92.0, likelihood=3),
    )
    result = run(date(2025, 7, 31), projects((1, 100.0)), monthly({7: 60.0}), indicators=ind)
    details = {w["indicator_id"]: w["detail"] for w in only(result, "M04")}
    assert details == {
        101: "指标“培训人数”全年预计完成95，低于年度指标值100，偏离度5.00%，完成目标可能性：有可能",
        102: "指标“投诉率”全年预计完成6.5，高于年度指标值5，偏离度30.00%，完成目标可能性：未填报",
        103: "指标“满意度”完成目标可能性填报为“完全不可能”，全年预计完成92，年度指标值90",
    }


def test_codes_are_trimmed_and_case_insensitive():
    ind = indicators(
        dict(kind=" Quant ", direction="DOWN", target=5.0, forecast=6.0, likelihood=2),
        dict(kind="QUAL", answer="未达成"),
        dict(kind="other", target=100.0, forecast=1.0, likelihood=3),
        dict(direction="sideways", target=100.0, forecast=90.0, likelihood=2),
    )
    result = run(date(2025, 7, 31), projects((1, 100.0)), monthly({7: 60.0}), indicators=ind)
    found = [(w["code"], w["indicator_id"], w["level"]) for w in only(result, "M04") + only(result, "M05")]
    assert found == [("M04", 101, "yellow"), ("M04", 104, "yellow"), ("M05", 102, "red")]


def test_m04_ignores_qualitative_rows_and_unknown_projects():
    ind = indicators(
        dict(kind="qual", target=100.0, forecast=10.0, likelihood=2),
        dict(project_id=99, target=100.0, forecast=10.0, likelihood=2),
    )
    result = run(date(2025, 7, 31), projects((1, 100.0)), monthly({7: 60.0}), indicators=ind)
    assert result.warnings.is_empty()


# --- M05 qualitative indicators -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "likelihood", "expected"),
    [
        ("达成年度指标", None, None),
        ("部分达成年度指标并具有一定效果", None, "yellow"),
        ("未达成年度指标且效果较差", None, "red"),
        (" 部分 达成\n", 2, "yellow"),  # whitespace and the short form
        ("未达成", None, "red"),
        ("部分达到", None, "yellow"),
        ("达成年度指标", 3, "red"),  # 完全不可能 on a qualitative row
        ("部分达成", 3, "red"),
        (None, 3, "red"),
        (None, None, None),
        ("", 2, None),
    ],
)
def test_m05_qualitative(answer, likelihood, expected):
    ind = indicators(dict(kind="qual", name="群众获得感", answer=answer, likelihood=likelihood, direction=None))
    result = run(date(2025, 7, 31), projects((1, 100.0)), monthly({7: 60.0}), indicators=ind)
    found = only(result, "M05")
    assert [w["level"] for w in found] == ([expected] if expected else [])
    for w in found:
        assert (w["indicator_id"], w["action"]) == (101, "urge")
        assert w["detail"].startswith("定性指标“群众获得感”")
    assert result.warnings.filter(pl.col("code") == "M04").is_empty()


def test_m05_detail():
    ind = indicators(dict(kind="qual", name="群众获得感", answer="部分达成年度指标并具有一定效果", likelihood=3))
    (w,) = only(run(date(2025, 7, 31), projects((1, 0.0)), monthly({}), indicators=ind), "M05")
    assert (
        w["detail"]
        == "定性指标“群众获得感”完成情况为“部分达成年度指标并具有一定效果”，完成目标可能性填报为“完全不可能”"
    )


def test_answer_on_a_quantitative_row_is_not_m05():
    ind = indicators(dict(answer="未达成", target=1.0, forecast=1.0, likelihood=1))
    assert run(date(2025, 7, 31), projects((1, 100.0)), monthly({7: 60.0}), indicators=ind).warnings.is_empty()


# --- M06 / M07 target completion against spending -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("budget", "rows", "completion", "expected"),
    [
        (100.0, [dict(target=100.0, to_date=60.0)], 60.0, None),  # exactly 10 points ahead
        (100.0, [dict(target=100.0, to_date=60.01)], 60.01, ("M07", "verify")),
        (100.0, [dict(target=100.0, to_date=40.0)], 40.0, None),  # exactly 10 points behind
        (100.0, [dict(target=100.0, to_date=39.99)], 39.99, ("M06", "urge")),
        (100.0, [dict(target=100.0, to_date=100.0), dict(target=10.0, to_date=15.0)], 100.0, ("M07", "verify")),
        (100.0, [dict(target=100.0, to_date=20.0), dict(target=10.0, to_date=4.0)], 30.0, ("M06", "urge")),
        (100.0, [dict(target=100.0, to_date=20.0), dict(target=10.0, to_date=None)], 20.0, ("M06", "urge")),
        (100.0, [dict(direction="down", target=5.0, to_date=1.0)], None, None),  # only "up" indicators count
        (100.0, [dict(target=0.0, to_date=1.0)], None, None),
        (100.0, [dict(kind="qual", answer="达成年度指标")], None, None),
        (100.0, [], None, None),  # no indicators
        (0.0, [dict(target=100.0, to_date=100.0)], 100.0, None),  # no rate to compare with
    ],
)
def test_m06_m07_divergence(budget, rows, completion, expected):
    ind = indicators(*rows) if rows else None
    result = run(date(2025, 12, 31), projects((1, budget)), monthly({12: budget / 2}), indicators=ind)
    assert project(result)["completion"] == completion
    found = [(w["code"], w["action"]) for w in only(result, "M06") + only(result, "M07")]
    assert found == ([expected] if expected else [])


def test_m06_detail():
    ind = indicators(dict(target=100.0, to_date=35.0))
    (w,) = only(run(date(2025, 12, 31), projects((1, 100.0)), monthly({12: 60.0}), indicators=ind), "M06")
    assert w["detail"] == "目标完成进度35.00%，低于预算执行率60.00%共25.00个百分点，资金支出快于目标完成"
    assert w["numbers"] == {"completion": 35.0, "rate": 60.0, "gap": -25.0}
    assert w["level"] == "yellow"


# --- M08 low execution years running ------------------------------------------------------------------------------

# At 31 October the default curve share is 0.66: 33 paid of 100 → forecast 50%, 66 paid → forecast 100%.


@pytest.mark.parametrize(
    ("rates", "paid", "expected"),
    [
        ({2023: 60.0, 2024: 65.0}, 66.0, "red"),
        ({2023: 69.99, 2024: 69.99}, 66.0, "red"),
        ({2023: 60.0, 2024: 70.0}, 33.0, None),  # 70 is not below 70
        ({2023: 70.0, 2024: 65.0}, 66.0, None),
        ({2023: 70.0, 2024: 65.0}, 33.0, "yellow"),  # may become two years running
        ({2024: 65.0}, 33.0, "yellow"),
        ({2024: 65.0}, 66.0, None),
        ({2022: 60.0, 2024: 65.0}, 66.0, None),  # gap year 2023: not consecutive
        ({2022: 60.0, 2024: 65.0}, 33.0, "yellow"),
        ({2022: 60.0, 2023: 65.0}, 33.0, None),  # last year missing
        ({2025: 10.0, 2024: 90.0}, 33.0, None),  # the current year's rate is not history
        ({}, 33.0, None),
    ],
)
def test_m08_low_rate_years_running(rates, paid, expected):
    result = run(
        date(2025, 10, 31), projects((1, 100.0)), monthly({10: paid}), history=history(rates) if rates else None
    )
    found = only(result, "M08")
    assert [w["level"] for w in found] == ([expected] if expected else [])
    for w in found:
        assert (w["action"], w["action_text"], w["title"]) == ("key_eval", "列入重点评价", "连续两年执行率低于70%")


def test_m08_details():
    h = pl.concat([history({2023: 60.0, 2024: 65.0}), history({2024: 50.0}, project_id=2)])
    result = run(
        date(2025, 10, 31),
        projects((1, 100.0), (2, 100.0)),
        pl.concat([monthly({10: 66.0}), monthly({10: 33.0}, 2)]),
        history=h,
    )
    red, yellow = only(result, "M08")
    assert red["detail"] == "2023年、2024年预算执行率分别为60.00%、65.00%，连续2年低于70.00%，应列入重点评价"
    assert red["numbers"]["rates"] == {"2023": 60.0, "2024": 65.0}
    assert yellow["detail"] == "2024年预算执行率为50.00%，预计2025年执行率为50.00%，可能连续2年低于70.00%"
    assert yellow["numbers"]["forecast_rate"] == 50.0


def test_m08_history_applies_without_budget_and_with_three_years():
    result = run(date(2025, 10, 31), projects((1, 0.0)), monthly({}), history=history({2023: 60.0, 2024: 65.0}))
    assert levels(result, "M08") == ["red"]
    three = Rules(low_years=3)
    result = run(
        date(2025, 10, 31), projects((1, 0.0)), monthly({}), history=history({2023: 60.0, 2024: 65.0}), rules=three
    )
    assert levels(result, "M08") == []
    result = run(
        date(2025, 10, 31),
        projects((1, 0.0)),
        monthly({}),
        history=history({2022: 1.0, 2023: 60.0, 2024: 65.0}),
        rules=three,
    )
    (w,) = only(result, "M08")
    assert w["title"] == "连续三年执行率低于70%"


# --- M09 payments after a stop ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("paid", "expected"),
    [(0.0, None), (None, None), (0.01, "0.01元"), (9999.99, "9999.99元"), (123456.0, "12.35万元")],
)
def test_m09_paid_after_stop(paid, expected):
    result = run(date(2025, 7, 31), projects((1, 0.0, None, paid)), monthly({}))
    found = only(result, "M09")
    if expected is None:
        assert found == []
        return
    (w,) = found
    assert (w["level"], w["action"], w["action_text"]) == ("red", "verify", "核实支付")
    assert w["detail"] == f"已作出暂缓或停止拨款决定后仍支付{expected}"
    assert w["numbers"] == {"paid_after_stop": paid}


# --- lights, shapes, empty input ----------------------------------------------------------------------------------


def test_project_light_is_the_worst_warning_and_order_is_kept():
    result = run(
        date(2025, 7, 31),
        projects((3, 100.0), (1, 100.0), (2, 100.0, None, 5.0)),
        pl.concat([monthly({7: 45.0}, 3), monthly({7: 60.0}, 1), monthly({7: 45.0}, 2)]),
    )
    assert result.projects.columns == PROJECT_COLUMNS
    assert result.projects.select("project_id", "light", "warnings").rows() == [
        (3, "yellow", 1),
        (1, "green", 0),
        (2, "red", 2),
    ]
    # Warnings: by project, red first.
    assert result.warnings.select("project_id", "code", "level").rows() == [
        (2, "M09", "red"),
        (2, "M01", "yellow"),
        (3, "M01", "yellow"),
    ]


def test_output_schema_and_numbers_are_json():
    ind = indicators(dict(target=100.0, forecast=10.0, likelihood=3), dict(kind="qual", answer="未达成"))
    result = run(
        date(2025, 12, 31),
        projects((1, 100.0, "x", 1.0)),
        monthly({1: 1.0}),
        indicators=ind,
        history=history({2023: 1.0, 2024: 2.0}),
    )
    assert result.warnings.columns == WARNING_COLUMNS
    assert result.warnings.schema["project_id"] == pl.Int64
    assert result.warnings.schema["indicator_id"] == pl.Int64
    assert set(result.warnings["code"]) == {"M01", "M02", "M03", "M04", "M05", "M08", "M09"}
    for row in result.warnings.iter_rows(named=True):
        assert isinstance(json.loads(row["numbers"]), dict)
        assert row["level"] in ("red", "yellow")
        assert row["action_text"] == ACTIONS[row["action"]]
        assert row["title"] == RULE_TITLES[row["code"]]
        assert row["detail"]


@pytest.mark.parametrize(
    "frames",
    [
        dict(projects=pl.DataFrame(), monthly=pl.DataFrame()),
        dict(
            projects=projects(),
            monthly=monthly({}),
            curves=pl.DataFrame(),
            indicators=pl.DataFrame(),
            history=pl.DataFrame(),
        ),
        dict(projects=projects((1, 100.0)), monthly=pl.DataFrame(), indicators=indicators(), history=history({})),
    ],
)
def test_empty_frames(frames):
    result = run(date(2025, 10, 31), **frames)
    assert result.projects.columns == PROJECT_COLUMNS
    assert result.warnings.columns == WARNING_COLUMNS
    assert result.warnings.is_empty() or set(result.warnings["code"]) <= {"M01", "M02", "M03"}
    assert peer_curves(pl.DataFrame(), pl.DataFrame()).columns == ["peer", "month", "share"]


def test_january_before_any_month_end():
    result = run(date(2025, 1, 15), projects((1, 100.0)), monthly({1: 0.0}))
    assert project(result)["time_progress"] == 4.03
    assert project(result)["forecast_rate"] is None
    assert result.warnings.is_empty()


# --- peer curves --------------------------------------------------------------------------------------------------


def last_year(group_sizes, pattern=None):
    """Payments of last year: each project of a group pays `pattern` (month → amount), scaled by its id."""
    pattern = pattern or {3: 10.0, 6: 20.0, 12: 70.0}
    rows, peer_rows, pid = [], [], 0
    for peer, size in group_sizes.items():
        for _ in range(size):
            pid += 1
            peer_rows.append((pid, peer))
            rows += [(pid, m, a * pid) for m, a in pattern.items()]
    m = pl.DataFrame(rows, schema={"project_id": pl.Int64, "month": pl.Int64, "amount": pl.Float64}, orient="row")
    p = pl.DataFrame(peer_rows, schema={"project_id": pl.Int64, "peer": pl.Utf8}, orient="row")
    return m, p


@pytest.mark.parametrize(
    ("sizes", "min_peers", "groups"),
    [
        ({"a": 5, "b": 4}, 5, ["a"]),  # too few peers: left out
        ({"a": 5, "b": 4}, 4, ["a", "b"]),
        ({"a": 1}, 5, []),
        ({"a": 1}, 1, ["a"]),
    ],
)
def test_peer_curves_minimum_group(sizes, min_peers, groups):
    m, p = last_year(sizes)
    curves = peer_curves(m, p, min_peers=min_peers)
    assert sorted(set(curves["peer"])) == groups
    assert curves.schema == pl.Schema({"peer": pl.Utf8, "month": pl.Int8, "share": pl.Float64})
    assert curves.height == 12 * len(groups)


def test_peer_curves_median_monotone_and_ending_at_one():
    m, p = last_year({"a": 5})
    # One more project of group a with a very different (front-loaded) pattern and a refund in May.
    m = pl.concat([m, pl.DataFrame({"project_id": [6, 6, 6], "month": [1, 5, 12], "amount": [100.0, -90.0, 10.0]})])
    p = pl.concat([p, pl.DataFrame({"project_id": [6, 7], "peer": ["a", "a"]})])  # 7 has no payments: ignored
    curves = peer_curves(m, p)
    shares = dict(curves.filter(pl.col("peer") == "a").select("month", "share").rows())
    assert shares[1] == 0.0  # median of five 0s and one 1.0
    assert shares[3] == pytest.approx(0.1)
    assert shares[6] == pytest.approx(0.3)
    assert shares[12] == 1.0
    assert all(shares[k] <= shares[k + 1] for k in range(1, 12))


def test_peer_curves_zero_total_projects_do_not_count():
    m, p = last_year({"a": 5})
    m = m.with_columns(pl.when(pl.col("project_id") == 1).then(0.0).otherwise(pl.col("amount")).alias("amount"))
    assert peer_curves(m, p).is_empty()


def test_peer_curves_feed_run():
    m, p = last_year({"会议培训": 6}, pattern={3: 50.0, 12: 50.0})
    curves = peer_curves(m, p)
    result = run(date(2025, 3, 31), projects((1, 100.0, "会议培训")), monthly({3: 40.0}), curves=curves)
    assert project(result)["forecast_rate"] == 80.0  # 40 / 0.5
    (w,) = only(result, "M03")
    assert w["numbers"]["curve"] == "peer"


def test_default_curve_is_plausible():
    assert sorted(DEFAULT_CURVE) == list(range(1, 13))
    assert DEFAULT_CURVE[12] == 1.0
    assert all(DEFAULT_CURVE[k] < DEFAULT_CURVE[k + 1] for k in range(1, 12))
    assert DEFAULT_CURVE[12] - DEFAULT_CURVE[11] > DEFAULT_CURVE[11] - DEFAULT_CURVE[10]  # back-loaded December
    assert DEFAULT_CURVE[6] < 0.5


# --- rules from settings ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mapping", "checkpoints"),
    [
        ({"checkpoints": "10:60,12:85"}, ((10, 60.0), (12, 85.0))),
        ({"checkpoints": "12：85%， 10：60"}, ((10, 60.0), (12, 85.0))),
        ({"checkpoints": [[10, 60], [12, "85"]]}, ((10, 60.0), (12, 85.0))),
        ({"checkpoints": ["6:30", "9:50"]}, ((6, 30.0), (9, 50.0))),
        ({"checkpoints": ""}, ((10, 60.0), (12, 85.0))),
        ({"checkpoints": None}, ((10, 60.0), (12, 85.0))),
        ({"checkpoints": []}, ()),
        ({}, ((10, 60.0), (12, 85.0))),
    ],
)
def test_rules_checkpoints(mapping, checkpoints):
    assert Rules.from_mapping(mapping).checkpoints == checkpoints


def test_rules_from_mapping_converts_and_ignores_unknown_keys():
    rules = Rules.from_mapping({"yellow_behind": "5", "low_years": "3", "colour": "blue", "red_behind": None})
    assert rules == Rules(yellow_behind=5.0, low_years=3)
    assert Rules.from_mapping(None) == Rules()


@pytest.mark.parametrize(
    "mapping",
    [{"checkpoints": "10-60"}, {"checkpoints": "13:60"}, {"checkpoints": [(10,)]}, {"yellow_behind": "十"}],
)
def test_rules_from_mapping_rejects_bad_values(mapping):
    with pytest.raises(ValueError):
        Rules.from_mapping(mapping)


def test_divergence_compares_with_the_rate_at_report_time():
    """July's outputs are set against July's spending, not against what was paid by November."""
    from datetime import date

    import polars as pl

    from wenxiao.monitoring.warnings import run

    projects = pl.DataFrame({"project_id": [1, 2], "budget": [100.0, 100.0], "report_rate": [50.0, None]})
    monthly = pl.DataFrame({"project_id": [1, 2], "month": [10, 10], "amount": [85.0, 85.0]})
    indicators = pl.DataFrame(
        {
            "project_id": [1, 2],
            "indicator_id": [11, 21],
            "name": ["培训人次", "培训人次"],
            "kind": ["quant", "quant"],
            "direction": ["up", "up"],
            "target": [100.0, 100.0],
            "to_date": [50.0, 50.0],
        }
    )
    result = run(date(2026, 11, 20), projects, monthly, indicators=indicators)
    m06 = result.warnings.filter(pl.col("code") == "M06")["project_id"].to_list()
    assert m06 == [2]  # project 1 reported 50% done when 50% was spent: no divergence

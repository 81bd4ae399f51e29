"""targets.rules: the target review engine (智能审核), its labelled benchmark and `wenxiao review targets`.

No database: every test here works on plain dicts.
"""

import copy
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wenxiao.targets.review_cli import review_file
from wenxiao.targets.rules import CODES, Finding, ReviewConfig, load_library, review

ROOT = Path(__file__).resolve().parents[1]
SET = ROOT / "bench" / "review_set.json"


def row(level1, level2, name, target, unit="", weight=None):
    r = {"level1": level1, "level2": level2, "name": name, "target": target, "unit": unit}
    if weight is not None:
        r["weight"] = weight
    return r


# A complete, correct target: every test changes one thing in a copy of it.
BASE = {
    "project_name": "2025年农村户厕改造项目",
    "year": 2025,
    "function_code": "2130126",
    "amount": 4800000,
    "project_class": "特定目标类",
    "special_fund": False,
    "public_service": True,
    "overall_goal": "完成3000户农村户厕改造，每户补助1600元，10月底前完工，农村卫生厕所普及率达到90%。",
    "indicators": [
        row("产出指标", "数量指标", "农村户厕改造户数", "≥3000", "户"),
        row("产出指标", "质量指标", "改厕验收合格率", "≥98%"),
        row("产出指标", "时效指标", "改造任务完工时间", "2025年10月31日前"),
        row("产出指标", "成本指标", "户厕改造户均补助标准", "=1600", "元/户"),
        row("效益指标", "社会效益指标", "农村卫生厕所普及率", "≥90%"),
        row("效益指标", "可持续影响指标", "改厕后续管护机制", "建立村级管护队伍，落实管护责任"),
        row("满意度指标", "服务对象满意度指标", "改厕农户满意度", "≥90%"),
    ],
}


def target(**changes):
    t = copy.deepcopy(BASE)
    t.update(copy.deepcopy(changes))
    return t


def with_row(i, **fields):
    t = target()
    t["indicators"][i].update(fields)
    return t


def add_row(*rows, **changes):
    t = target(**changes)
    t["indicators"].extend(copy.deepcopy(list(rows)))
    return t


def without(*names, **changes):
    t = target(**changes)
    t["indicators"] = [r for r in t["indicators"] if r["name"] not in names]
    return t


def codes(t, config=None):
    return {f.code for f in review(t, config=config)}


def findings(t, code, config=None):
    return [f for f in review(t, config=config) if f.code == code]


def only(t, code, config=None) -> Finding:
    got = findings(t, code, config)
    assert len(got) == 1, [f.message for f in review(t, config=config)]
    return got[0]


# --- the clean target ------------------------------------------------------------------------------------------


def test_clean_target_has_no_findings():
    assert review(target()) == []


def test_finding_shape():
    f = only(with_row(0, target="按计划完成", unit=""), "Q01")
    assert f.severity in ("error", "warning", "info")
    assert f.indicator == 0
    assert f.as_dict()["title"] == "未量化"
    assert set(f.as_dict()) >= {"code", "severity", "indicator", "message", "suggestion"}


# --- Q01 未量化 --------------------------------------------------------------------------------------------------


def test_q01_vague_quantity():
    f = only(with_row(0, target="按计划完成", unit=""), "Q01")
    assert "第1行“农村户厕改造户数”" in f.message and "按计划完成" in f.message
    assert "≥" in f.suggestion


def test_q01_vague_quality_and_cost_and_satisfaction():
    assert "Q01" in codes(with_row(1, target="符合要求"))
    assert "Q01" in codes(with_row(3, target="控制在预算范围内", unit=""))
    f = only(with_row(6, target="满意"), "Q01")
    assert "第7行“改厕农户满意度”" in f.message


def test_q01_unreadable_value():
    f = only(with_row(4, target="较上年提高5%"), "Q01")
    assert "第5行“农村卫生厕所普及率”" in f.message


def test_q01_negative_standards_and_benefits():
    assert "Q01" not in codes(with_row(1, target="达到国家二级标准"))
    assert "Q01" not in codes(with_row(1, target="验收合格"))
    assert "Q01" not in codes(with_row(4, target="明显提升"))  # qualitative benefits are acceptable
    assert "Q01" not in codes(with_row(4, name="改厕农户覆盖率", target="全覆盖", level1="产出指标", level2="数量指标"))


# --- Q02 单位问题 ------------------------------------------------------------------------------------------------


def test_q02_missing_unit():
    f = only(with_row(6, target="≥90"), "Q02")
    assert "第7行“改厕农户满意度”" in f.message and "计量单位" in f.message


def test_q02_rate_above_100_and_wrong_units():
    f = only(with_row(1, target="≥105%"), "Q02")
    assert "105%" in f.message and "第2行" in f.message
    assert "Q02" in codes(with_row(4, target="≥90", unit="户"))  # a rate counted in 户
    assert "Q02" in codes(with_row(0, unit="万元"))  # a count in money
    assert "Q02" in codes(with_row(3, unit="户"))  # a subsidy standard without 元
    assert "Q02" in codes(with_row(1, target="≥98%", unit="个"))  # value and unit column disagree


def test_q02_negative():
    assert "Q02" not in codes(target())
    assert "Q02" not in codes(add_row(row("效益指标", "社会效益指标", "企业群众平均跑动次数", "≤0.5", "次")))
    assert "Q02" not in codes(add_row(row("效益指标", "可持续影响指标", "偿债资金覆盖率", "≥120%")))


# --- Q03 方向错误 ------------------------------------------------------------------------------------------------


def test_q03_reverse_indicator_with_ge():
    t = add_row(row("效益指标", "社会效益指标", "改厕施工扰民投诉次数", "≥2", "次"))
    f = only(t, "Q03")
    assert "第8行“改厕施工扰民投诉次数”" in f.message
    assert "≤2次" in f.suggestion


def test_q03_cost_and_time_with_ge_rate_with_le():
    assert "Q03" in codes(add_row(row("产出指标", "成本指标", "户均改造成本", "≥1600", "元/户")))
    assert "Q03" in codes(add_row(row("产出指标", "时效指标", "问题户厕整改时限", "≥30", "天")))
    f = only(with_row(1, target="≤98%"), "Q03")
    assert "≥98%" in f.suggestion


def test_q03_negative():
    assert "Q03" not in codes(add_row(row("效益指标", "经济效益指标", "改厕成本节约率", "≥5%")))
    assert "Q03" not in codes(add_row(row("产出指标", "时效指标", "公厕每日开放时长", "≥12", "小时")))
    assert "Q03" not in codes(add_row(row("效益指标", "经济效益指标", "为农户挽回经济损失", "≥20", "万元")))


# --- Q04 层级错配 ------------------------------------------------------------------------------------------------


def test_q04_satisfaction_outside_satisfaction_block():
    t = with_row(6, level1="效益指标", level2="社会效益指标")
    f = only(t, "Q04")
    assert "第7行“改厕农户满意度”" in f.message
    assert "满意度指标" in f.suggestion
    assert "Q05" in codes(t)  # and the public-service target now lacks its 满意度 block


def test_q04_process_measure_benefit_as_output_quality_as_quantity():
    f = only(add_row(row("产出指标", "质量指标", "项目资金到位率", "=100%")), "Q04")
    assert "过程" in f.message
    assert "Q04" in codes(add_row(row("产出指标", "数量指标", "带动农户增收", "≥200", "元")))
    assert "Q04" in codes(with_row(1, level2="数量指标"))  # 合格率 under 数量指标
    assert "Q04" in codes(with_row(3, level2="数量指标"))  # a subsidy standard under 数量指标
    assert "Q04" in codes(with_row(4, level2="数量指标"))  # level2 outside its level1 (checks)


def test_q04_negative():
    assert "Q04" not in codes(target())
    assert "Q04" not in codes(add_row(row("产出指标", "时效指标", "补助资金发放及时率", "≥95%")))


# --- Q05 结构缺失 ------------------------------------------------------------------------------------------------


def test_q05_missing_blocks():
    f = only(without("改造任务完工时间"), "Q05")
    assert f.indicator is None and "时效指标" in f.message
    assert "Q05" in codes(without("改厕农户满意度"))  # public service without satisfaction
    assert "Q05" in codes(without("农村卫生厕所普及率", "改厕后续管护机制"))  # no 效益
    assert "Q05" in codes(target(framework="101号"))  # 101号 without 成本指标


def test_q05_negative():
    assert "Q05" not in codes(without("改厕农户满意度", public_service=False))
    assert "Q05" not in codes(without("户厕改造户均补助标准"))  # 成本 is optional under 10号


# --- Q06 权重问题 ------------------------------------------------------------------------------------------------

WEIGHTS = [15, 15, 10, 10, 15, 15, 10]  # 产出50 效益30 满意度10


def weighted(weights=WEIGHTS, **changes):
    t = target(**changes)
    for r, w in zip(t["indicators"], weights, strict=True):
        if w is not None:
            r["weight"] = w
    return t


def test_q06_sums_zero_missing_and_share():
    f = only(weighted([20, 15, 10, 10, 15, 15, 10]), "Q06")
    assert "产出指标分值合计应为50" in f.message
    assert "Q06" in codes(weighted([15, 15, 10, 10, 15, 15, 0]))
    assert "Q06" in codes(weighted([15, 15, 10, 10, 15, None, 10]))
    t = weighted([15, 15, 10, 10, 30, 0.0001, 10])
    t["indicators"][4]["weight"] = 35  # one row above the 30-point share (sums also off)
    assert any("超过单个指标最高30分" in f.message for f in findings(t, "Q06"))


def test_q06_negative():
    assert "Q06" not in codes(weighted())
    assert "Q06" not in codes(target())  # no weights at all: nothing to check


# --- Q07 目标偏低 ------------------------------------------------------------------------------------------------


def test_q07_satisfaction_extremes():
    f = only(with_row(6, target="=100%"), "Q07")
    assert "第7行“改厕农户满意度”" in f.message and "不切实际" in f.message
    assert "Q07" in codes(with_row(6, target="≥75%"))


def test_q07_below_last_year_actual():
    t = target(last_year={"indicators": [{"name": "农村卫生厕所普及率", "target": "≥85%", "actual": "93.5%"}]})
    f = only(t, "Q07")
    assert "第5行“农村卫生厕所普及率”" in f.message and "93.5%" in f.message


def test_q07_below_library_p10():
    t = add_row(row("产出指标", "质量指标", "改厕问题整改销号率", "≥80%"))
    f = only(t, "Q07")
    assert "p10=95%" in f.message


def test_q07_negative():
    t = target(last_year={"indicators": [{"name": "农村卫生厕所普及率", "target": "≥85%", "actual": "88%"}]})
    assert "Q07" not in codes(t)
    assert "Q07" not in codes(with_row(6, target="≥95%"))


# --- Q08 预算不匹配 ----------------------------------------------------------------------------------------------


def test_q08_standard_times_quantity():
    f = only(with_row(0, target="≥6000"), "Q08")
    assert "第4行“户厕改造户均补助标准”" in f.message
    assert "960万元" in f.message and "480万元" in f.message


def test_q08_total_cost_against_budget():
    t = add_row(row("产出指标", "成本指标", "项目总成本", "≤400", "万元"))
    f = only(t, "Q08")
    assert "400万元" in f.message and "480万元" in f.message


def test_q08_implied_unit_cost_and_cost_range():
    t = {
        "project_name": "2025年高标准农田建设项目",
        "year": 2025,
        "function_code": "2130153",
        "amount": 30000000,
        "overall_goal": "建设高标准农田5万亩，年底前完工。",
        "indicators": [
            row("产出指标", "数量指标", "高标准农田建设面积", "≥5", "万亩"),
            row("产出指标", "时效指标", "项目完工时间", "2025年12月31日前"),
            row("产出指标", "成本指标", "高标准农田亩均建设成本", "≤30000", "元/亩"),
            row("效益指标", "经济效益指标", "项目区粮食亩产提高", "≥50", "公斤"),
        ],
    }
    found = findings(t, "Q08")
    implied = [f for f in found if f.indicator == 0]
    assert implied and "600元/亩" in implied[0].message and "2,500–3,500元/亩" in implied[0].message
    assert any(f.indicator == 2 for f in found)  # 30000 元/亩 is far above the library's cost


def test_q08_negative():
    assert "Q08" not in codes(target())
    assert "Q08" not in codes(add_row(row("产出指标", "成本指标", "项目总成本", "≤480", "万元")))


# --- Q09 重复雷同 ------------------------------------------------------------------------------------------------


def test_q09_duplicate_rows():
    f = only(add_row(row("产出指标", "数量指标", "农村户厕改造户数", "≥3000", "户")), "Q09")
    assert f.indicator == 7
    t = add_row(row("效益指标", "社会效益指标", "农村户厕 改造户数", "≥3000", "户"))
    assert "Q09" in codes(t)


def test_q09_same_as_last_year_and_other_unit():
    same = [{"name": r["name"], "target": r["target"] + r["unit"]} for r in BASE["indicators"]]
    f = only(target(last_year={"indicators": same}), "Q09")
    assert f.indicator is None and "上年" in f.message
    f = only(target(others=[{"unit": "邻镇", "indicators": BASE["indicators"]}]), "Q09")
    assert "邻镇" in f.message


def test_q09_negative():
    other = copy.deepcopy(BASE["indicators"])
    for r in other[:3]:
        r["target"] = "≥1"
    assert "Q09" not in codes(target(others=[other]))


# --- Q10 表述不清 ------------------------------------------------------------------------------------------------


def test_q10_goal_missing_or_unmeasurable():
    t = target()
    del t["overall_goal"]
    assert only(t, "Q10").indicator is None
    assert "Q10" in codes(target(overall_goal="改善农村人居环境，提升群众生活质量。"))
    assert "Q10" in codes(target(overall_goal="2025年，持续改善农村人居环境。"))  # a year is not a measure
    assert "Q10" in codes(target(overall_goal="改厕"))  # too short (checks)


def test_q10_value_in_name_and_time_without_date():
    f = only(with_row(4, name="农村卫生厕所普及率达到90%以上"), "Q10")
    assert "第5行" in f.message and "名称" in f.message
    f = only(with_row(2, target="按时完成"), "Q10")
    assert "第3行“改造任务完工时间”" in f.message and "日期" in f.message
    assert "Q10" in codes(with_row(2, target="100%"))


def test_q10_negative():
    assert "Q10" not in codes(with_row(2, target="10月底前"))
    assert "Q10" not in codes(add_row(row("产出指标", "时效指标", "补贴发放时间", "次月15日前")))
    assert "Q10" not in codes(add_row(row("产出指标", "质量指标", "12345热线工单办结率", "≥95%")))


# --- Q11 数量不足 ------------------------------------------------------------------------------------------------


def test_q11_special_fund_needs_ten_quantitative():
    f = only(target(special_fund=True), "Q11")
    assert "10" in f.message and "6" in f.message


def test_q11_negative():
    extra = [row("产出指标", "数量指标", f"改厕示范村{i}号建设户数", "≥100", "户") for i in range(4)]
    assert "Q11" not in codes(add_row(*extra, special_fund=True))
    assert "Q11" not in codes(target())


# --- configuration ---------------------------------------------------------------------------------------------


def test_config_from_dict_changes_thresholds():
    config = ReviewConfig.from_dict(
        {"satisfaction_min": 95, "special_fund_min_quantitative": "3", "max_row_weight": 12, "unknown": 1}
    )
    assert config.satisfaction_min == 95.0 and config.special_fund_min_quantitative == 3
    assert "Q07" in codes(target(), config)  # ≥90% is now too low
    assert "Q11" not in codes(target(special_fund=True), config)
    assert "Q06" in codes(weighted(), config)  # 15-point rows above a 12-point share
    assert ReviewConfig.from_dict(None) == ReviewConfig()


def test_config_required_blocks_and_scheme():
    config = ReviewConfig.from_dict({"required_level2": ["数量指标", "时效指标", "质量指标"]})
    assert "Q05" in codes(without("改厕验收合格率"), config)
    config = ReviewConfig.from_dict({"scheme": {"产出指标": 60, "效益指标": 30, "满意度指标": 10}})
    assert "Q06" in codes(weighted(), config)


def test_library_is_plain_data():
    lib = load_library()
    assert len(lib.indicators) == 1815
    ind = lib.find("高标准农田亩均建设成本")
    assert ind.p10 == 2500 and ind.unit == "元/亩" and ind.comparator == "≤"
    assert lib.cost_range("21301", "亩") is not None
    monthly = [c for c in lib.costs if c.name == "公益性岗位月补贴标准"][0]
    assert monthly.period == "month" and monthly.low == 1300 * 12


def test_rules_import_no_django():
    code = (
        "import sys, wenxiao.targets.rules, wenxiao.targets.review_cli;"
        "print(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


# --- robustness ------------------------------------------------------------------------------------------------

_TEXT = st.text(
    alphabet=st.sampled_from(list("≥≤=<>%‰0123456789.,-~/·年月日前内以上下约人次个万元亩率度数量质时效成本满意按要求")),
    max_size=20,
)
_ANY = st.one_of(st.none(), _TEXT, st.text(max_size=15), st.integers(), st.floats(allow_nan=True), st.booleans())
_ROW = st.fixed_dictionaries(
    {},
    optional={
        "level1": st.one_of(st.sampled_from(["产出指标", "效益指标", "满意度指标", "成本指标", "产出"]), _ANY),
        "level2": st.one_of(st.sampled_from(["数量指标", "质量指标", "时效指标", "成本指标", "满意度"]), _ANY),
        "name": _ANY,
        "target": _ANY,
        "unit": _ANY,
        "weight": _ANY,
    },
)


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(st.one_of(_ROW, _ANY), max_size=8),
    amount=_ANY,
    year=_ANY,
    code=_ANY,
    goal=_ANY,
    last=st.lists(st.fixed_dictionaries({}, optional={"name": _ANY, "target": _ANY, "actual": _ANY}), max_size=3),
)
def test_review_never_raises(rows, amount, year, code, goal, last):
    t = {
        "project_name": "随机",
        "indicators": rows,
        "amount": amount,
        "year": year,
        "function_code": code,
        "overall_goal": goal,
        "special_fund": True,
        "last_year": {"indicators": last},
        "others": [rows, {"indicators": rows}, "x"],
    }
    for f in review(t):
        assert f.code in CODES and f.severity in ("error", "warning", "info") and f.message


def test_review_tolerates_odd_inputs():
    assert {f.code for f in review({})} == {"Q05", "Q10"}
    assert review({"project_name": "x", "indicators": "none"})  # not a list: no indicators
    assert review("not a dict")  # type: ignore[arg-type]


# --- the labelled set (issue 4's Done-when numbers) ------------------------------------------------------------


def test_labelled_set_precision_and_recall():
    from bench.review_eval import evaluate

    items = json.loads(SET.read_text(encoding="utf-8"))
    assert len(items) >= 150
    assert sum(1 for it in items if not it["expected"]) >= 40
    for code in CODES:
        assert sum(1 for it in items if code in it["expected"]) >= 8, code
    r = evaluate(SET)
    assert r["precision"] >= 0.90, r["precision"]
    assert r["recall"] >= 0.80, r["recall"]
    assert all(c["recall"] >= 0.70 for c in r["per_code"].values()), r["per_code"]


def test_bench_main_prints_result_line(capsys):
    from bench.review_eval import main

    assert main([]) == 0
    out = capsys.readouterr().out
    assert "RESULT review precision=" in out and "min_code_recall=" in out


# --- wenxiao review targets ------------------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path):
    bad = with_row(0, target="按计划完成", unit="")
    paths = {
        "one": tmp_path / "one.json",
        "many": tmp_path / "many.json",
        "broken": tmp_path / "broken.json",
        "scalar": tmp_path / "scalar.json",
    }
    paths["one"].write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    paths["many"].write_text(json.dumps([bad, target()], ensure_ascii=False), encoding="utf-8")
    paths["broken"].write_text('{"project_name": "x", ', encoding="utf-8")
    paths["scalar"].write_text("42", encoding="utf-8")
    return paths


def test_cli_json_single_and_list(files):
    out = io.StringIO()
    assert review_file(str(files["one"]), True, out) == 0
    data = json.loads(out.getvalue())
    assert [f["code"] for f in data["findings"]] == ["Q01"]
    assert data["findings"][0]["indicator"] == 0
    out = io.StringIO()
    assert review_file(str(files["many"]), True, out) == 0
    data = json.loads(out.getvalue())
    assert isinstance(data, list) and len(data) == 2 and data[1] == {"findings": []}


def test_cli_text_report(files):
    out = io.StringIO()
    assert review_file(str(files["many"]), False, out) == 0
    text = out.getvalue()
    assert "【1/2】2025年农村户厕改造项目" in text and "Q01 未量化（错误）" in text
    assert "建议：" in text and "未发现问题" in text and "共审核 2 个绩效目标" in text


def test_cli_errors_exit_2(files, tmp_path):
    for name, expected in (("broken", "不是有效的 JSON"), ("scalar", "JSON 对象")):
        out, err = io.StringIO(), io.StringIO()
        assert review_file(str(files[name]), True, out, err=err) == 2
        assert expected in err.getvalue() and out.getvalue() == ""
    err = io.StringIO()
    assert review_file(str(tmp_path / "missing.json"), False, io.StringIO(), err=err) == 2
    assert "文件不存在" in err.getvalue()

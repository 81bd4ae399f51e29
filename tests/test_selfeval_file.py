"""evaluation.selfeval_file and score_cli: JSON and 项目支出绩效自评表 XLSX in, scores out. No database."""

import io
import json
from decimal import Decimal

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wenxiao.evaluation.score_cli import main
from wenxiao.evaluation.scoring import score
from wenxiao.evaluation.selfeval_file import SelfEvalFileError, from_dict, load_json, read_file, read_xlsx

EXAMPLE = {
    "project_name": "农村妇女两癌筛查",
    "year": 2024,
    "region_code": "430400",
    "budget": {
        "initial": 120.0,
        "annual": 118.5,
        "executed": 102.3,
        "unit": "万元",
        "declared_rate": "86.33%",
        "declared_score": 8.63,
    },
    "indicators": [
        {
            "level1": "产出指标",
            "level2": "数量指标",
            "name": "筛查人次",
            "target": "≥735人次",
            "actual": "735",
            "weight": 20,
            "declared_score": 20,
            "deviation_reason": None,
        },
        {
            "level1": "产出指标",
            "level2": "质量指标",
            "name": "筛查覆盖率",
            "target": "≧９５％",
            "actual": "98.5%",
            "weight": 20,
            "declared_score": 20,
        },
        {
            "level1": "产出指标",
            "level2": "时效指标",
            "name": "完成时间",
            "target": "2024年11月30日前",
            "actual": "2024年11月20日",
            "weight": 10,
            "declared_score": 10,
        },
        {
            "level1": "效益指标",
            "level2": "社会效益指标",
            "name": "早诊早治率",
            "target": "≥90%",
            "actual": "达成预期指标",
            "weight": 30,
            "declared_score": 30,
        },
        {
            "level1": "满意度指标",
            "level2": "服务对象满意度指标",
            "name": "受检妇女满意度",
            "target": "≥90%",
            "actual": "96%",
            "weight": 10,
            "declared_score": 10,
            "has_survey": False,
        },
    ],
    "declared_total": 98.63,
}


# --- JSON ------------------------------------------------------------------------------------------------------


def test_json_object():
    (ev,), single = load_json(json.dumps(EXAMPLE, ensure_ascii=False))
    assert single
    assert ev.project_name == "农村妇女两癌筛查"
    assert ev.year == 2024 and ev.region_code == "430400"
    assert ev.budget.annual == 118.5 and ev.budget.unit == "万元"
    assert [r.name for r in ev.indicators][:2] == ["筛查人次", "筛查覆盖率"]
    assert ev.indicators[4].has_survey is False
    assert ev.indicators[0].has_survey is None
    assert ev.notes == []


def test_json_list():
    evs, single = load_json(json.dumps([EXAMPLE, {"indicators": []}], ensure_ascii=False))
    assert not single
    assert len(evs) == 2


def test_json_only_indicators_are_required():
    ev = from_dict({"indicators": [{"name": "x", "target": "≥1"}]})
    assert ev.budget.annual is None
    assert ev.notes == ["第1项指标缺少字段：level1、actual"]
    assert score(ev).total == 0


def test_json_system_block():
    ev = from_dict({**EXAMPLE, "system": {"executed": 95, "monitoring_forecasts": {"0": "500人次"}}})
    assert ev.system.executed == 95
    codes = [(f.code, f.indicator) for f in score(ev).flags]
    assert ("S08", None) in codes and ("S08", 0) in codes


@pytest.mark.parametrize(
    ("has_survey", "expected"), [(True, True), ("是", True), ("否", False), (0, False), ("不知道", None), (None, None)]
)
def test_json_has_survey(has_survey, expected):
    ev = from_dict({"indicators": [{"name": "x", "has_survey": has_survey}]})
    assert ev.indicators[0].has_survey is expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "不是有效的 JSON"),
        ("[]", "列表为空"),
        ("42", "应为 JSON 对象"),
        ('{"project_name": "x"}', "缺少 indicators"),
        ('{"indicators": {"a": 1}}', "缺少 indicators"),
        ('{"indicators": ["x"]}', "第1项指标应为 JSON 对象"),
        ('[{"indicators": []}, 3]', "第2个自评表应为 JSON 对象"),
    ],
)
def test_json_structure_errors(text, message):
    with pytest.raises(SelfEvalFileError) as e:
        load_json(text)
    assert message in e.value.message
    assert isinstance(e.value, ValueError)


ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=15),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=6,
)
ROW_KEYS = ["level1", "level2", "name", "target", "actual", "weight", "declared_score", "deviation_reason", "unit"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.fixed_dictionaries({}, optional={k: ANY_JSON for k in [*ROW_KEYS, "has_survey"]}), max_size=5),
    st.fixed_dictionaries(
        {},
        optional={
            "project_name": ANY_JSON,
            "year": ANY_JSON,
            "budget": ANY_JSON,
            "declared_total": ANY_JSON,
            "system": ANY_JSON,
        },
    ),
)
def test_json_reader_never_raises_on_any_field_value(rows, top):
    ev = from_dict({**top, "indicators": rows})
    scored = score(ev)
    assert scored.total <= 100
    json.dumps(scored.to_dict(), ensure_ascii=False)


# --- XLSX ------------------------------------------------------------------------------------------------------


def write_selfeval(target, evaluations, *, percent_rate=True):
    """Workbook sheets laid out like the 项目支出绩效自评表 (10号 附件1), merged cells and all."""
    wb = xlsxwriter.Workbook(target, {"in_memory": True})
    pct = wb.add_format({"num_format": "0.00%"})
    for n, d in enumerate(evaluations, start=1):
        ws = wb.add_worksheet(f"自评表{n}")
        b = d.get("budget", {})
        ws.merge_range(0, 0, 0, 8, f"项目支出绩效自评表（{d.get('year', 2024)}年度）")
        ws.write(1, 0, "项目名称")
        ws.merge_range(1, 1, 1, 8, d.get("project_name", ""))
        ws.write_row(2, 0, ["主管部门", "县卫生健康局", "", "", "实施单位", "县妇幼保健院"])
        ws.merge_range(3, 0, 7, 0, "项目资金（万元）")
        ws.write_row(3, 1, ["", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"])
        ws.write_row(4, 1, ["年度资金总额", b.get("initial"), b.get("annual"), b.get("executed"), 10])
        rate = b.get("declared_rate")
        if percent_rate and isinstance(rate, str) and rate.endswith("%"):
            ws.write_number(4, 6, float(rate[:-1]) / 100, pct)
        else:
            ws.write(4, 6, rate)
        ws.write(4, 7, b.get("declared_score"))
        ws.write_row(5, 1, ["其中：当年财政拨款", b.get("initial"), b.get("annual"), b.get("executed"), "—"])
        ws.write_row(6, 1, ["上年结转资金", "", "", "", "—"])
        ws.write_row(7, 1, ["其他资金", "", "", "", "—"])
        ws.write_row(8, 0, ["年度总体目标", "预期目标", "", "", "", "实际完成情况"])
        ws.write_row(9, 0, ["", "完成筛查任务", "", "", "", "已完成"])
        header = [
            "一级指标",
            "二级指标",
            "三级指标",
            "年度指标值",
            "实际完成值",
            "分值",
            "得分",
            "偏差原因分析及改进措施",
        ]
        ws.write(10, 0, "绩效指标")
        ws.write_row(10, 1, header)
        rows = d["indicators"]
        first = 11
        r = first
        i = 0
        while i < len(rows):  # merge each run of the same 一级 (and 二级) downwards, as published tables do
            j = i
            while j < len(rows) and rows[j].get("level1") == rows[i].get("level1"):
                j += 1
            if j - i > 1:
                ws.merge_range(r, 1, r + j - i - 1, 1, rows[i].get("level1"))
            else:
                ws.write(r, 1, rows[i].get("level1"))
            for k in range(i, j):
                row = rows[k]
                ws.write(r, 2, row.get("level2"))
                ws.write(r, 3, row.get("name"))
                ws.write(r, 4, row.get("target"))
                ws.write(r, 5, row.get("actual"))
                ws.write(r, 6, row.get("weight"))
                ws.write(r, 7, row.get("declared_score"))
                ws.write(r, 8, row.get("deviation_reason"))
                r += 1
            i = j
        if r - 1 > first:
            ws.merge_range(first, 0, r - 1, 0, "")
        ws.write_row(r, 0, ["总分", "", "", "", "", "", 100, d.get("declared_total")])
        ws.write(r + 2, 0, "注：偏差原因分析及改进措施应说明原因。")
    wb.close()
    return target


def xlsx_bytes(evaluations, **kw):
    buf = io.BytesIO()
    write_selfeval(buf, evaluations, **kw)
    return buf.getvalue()


def test_xlsx_reads_the_official_layout():
    (ev,) = read_xlsx(xlsx_bytes([EXAMPLE]))
    assert ev.project_name == "农村妇女两癌筛查"
    assert ev.year == 2024
    assert (ev.budget.initial, ev.budget.annual, ev.budget.executed) == ("120", "118.5", "102.3")
    assert ev.budget.declared_rate == "0.8633"
    assert ev.budget.unit == "万元"
    assert ev.declared_total == "98.63"
    assert [r.level1 for r in ev.indicators] == ["产出指标"] * 3 + ["效益指标", "满意度指标"]  # merged cells carried
    assert [r.name for r in ev.indicators] == [r["name"] for r in EXAMPLE["indicators"]]
    assert ev.indicators[1].target == "≧９５％"
    assert ev.indicators[0].weight == "20"
    assert ev.notes == []


def test_xlsx_and_json_score_the_same():
    (from_json,), _ = load_json(json.dumps(EXAMPLE, ensure_ascii=False))
    (from_xlsx,) = read_xlsx(xlsx_bytes([EXAMPLE]))
    a, b = score(from_json), score(from_xlsx)
    assert a.total == b.total == Decimal("68.63")
    assert [r.score for r in a.rows] == [r.score for r in b.rows]
    assert [f.code for f in a.flags if f.code != "S09"] == [f.code for f in b.flags]


def test_xlsx_several_sheets(tmp_path):
    second = {**EXAMPLE, "project_name": "第二个项目", "year": 2023}
    path = write_selfeval(str(tmp_path / "两个.xlsx"), [EXAMPLE, second])
    evs, single = read_file(path)
    assert not single
    assert [(e.project_name, e.year) for e in evs] == [("农村妇女两癌筛查", 2024), ("第二个项目", 2023)]


def test_xlsx_without_budget_is_noted():
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("表")
    ws.write_row(0, 0, ["一级指标", "二级指标", "指标名称", "指标值", "实际值", "权重", "得分"])
    ws.write_row(1, 0, ["产出指标", "数量指标", "人次", "≥10人次", "12", 50, 50])
    wb.close()
    (ev,) = read_xlsx(buf.getvalue())
    assert ev.indicators[0].target == "≥10人次" and ev.indicators[0].weight == "50"
    assert any("未找到项目资金" in n for n in ev.notes)
    assert ev.project_name == "表"


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"not a workbook", "不是有效的 xlsx"), (b"PK\x03\x04garbage", "不是有效的 xlsx")],
)
def test_xlsx_unreadable(content, message):
    with pytest.raises(SelfEvalFileError) as e:
        read_xlsx(content)
    assert message in e.value.message


def test_xlsx_without_a_form():
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.add_worksheet("Sheet1").write(0, 0, "随便写点什么")
    wb.close()
    with pytest.raises(SelfEvalFileError) as e:
        read_xlsx(buf.getvalue())
    assert "没有找到项目支出绩效自评表" in e.value.message


CELL = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=15),
    st.sampled_from(["≥95%", "达成预期指标", "一级指标", "总分", "年度资金总额", "1e999999", "-", "2024年2月30日"]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(min_value=-(10**15), max_value=10**15),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.fixed_dictionaries({k: CELL for k in ROW_KEYS}), min_size=1, max_size=4),
    st.fixed_dictionaries({"initial": CELL, "annual": CELL, "executed": CELL, "declared_rate": CELL}),
    CELL,
    CELL,
)
def test_xlsx_reader_never_raises_on_any_cell_text(rows, budget, total, name):
    d = {"project_name": name, "budget": budget, "indicators": rows, "declared_total": total}
    evs = read_xlsx(xlsx_bytes([d], percent_rate=False))
    for ev in evs:
        assert score(ev).total <= 100


# --- CLI -------------------------------------------------------------------------------------------------------


@pytest.fixture
def json_file(tmp_path):
    path = tmp_path / "selfeval.json"
    path.write_text(json.dumps(EXAMPLE, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_cli_json_output(json_file, capsys):
    assert main(["selfeval", json_file, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["total"] == 68.63
    assert out["grade"] == "中"
    assert out["budget"]["rate"] == 86.33 and out["budget"]["score"] == 8.63
    assert [i["name"] for i in out["indicators"]][0] == "筛查人次"
    assert out["indicators"][3]["rule"].startswith("未能读取实际完成值")
    assert {"code": "S09", "indicator": 4} in [{"code": f["code"], "indicator": f["indicator"]} for f in out["flags"]]


def test_cli_list_gives_a_list(tmp_path, capsys):
    path = tmp_path / "list.json"
    path.write_text(json.dumps([EXAMPLE, EXAMPLE], ensure_ascii=False), encoding="utf-8")
    assert main(["score", "selfeval", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert isinstance(out, list) and len(out) == 2


def test_cli_readable_report(json_file, capsys):
    assert main(["selfeval", json_file]) == 0
    out = capsys.readouterr().out
    assert "总分 68.63 分（中）" in out
    assert "预算执行率 86.33%" in out
    assert "S01" in out and "S09" in out
    assert "未能读取实际完成值“达成预期指标”" in out


def test_cli_xlsx(tmp_path, capsys):
    path = write_selfeval(str(tmp_path / "自评表.xlsx"), [EXAMPLE])
    assert main(["selfeval", path, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["total"] == 68.63
    assert out["budget"]["rate"] == 86.33
    assert main(["selfeval", path]) == 0
    assert "农村妇女两癌筛查（2024年度）" in capsys.readouterr().out


def test_cli_config(json_file, tmp_path, capsys):
    cfg = tmp_path / "cfg.json"
    cfg.write_text(json.dumps({"exec_rounding": "whole", "text_actual": "qualitative", "other": 1}), encoding="utf-8")
    assert main(["selfeval", json_file, "--json", "--config", str(cfg)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["budget"]["score"] == 9
    assert out["total"] == 99  # 90 indicator points ("达成预期指标" read as 达成) + 9 for 86.33% in whole points


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing.json", "文件不存在"),
        (lambda p: (p / "bad.json").write_text("{oops", encoding="utf-8") and p / "bad.json", "不是有效的 JSON"),
        (lambda p: (p / "bad.xlsx").write_bytes(b"PK\x03\x04xx") and p / "bad.xlsx", "不是有效的 xlsx"),
        (lambda p: (p / "a.xls").write_bytes(b"\xd0\xcf\x11\xe0") and p / "a.xls", "不支持旧版 .xls"),
        (lambda p: (p / "gbk.json").write_bytes("项目".encode("gbk")) and p / "gbk.json", "UTF-8"),
    ],
)
def test_cli_unreadable_file_exits_2(tmp_path, capsys, make, message):
    path = make(tmp_path)
    assert main(["selfeval", str(path)]) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.out == ""


@pytest.mark.parametrize("argv", [[], ["selfeval"], ["other", "x"], ["selfeval", "a.json", "--bogus"]])
def test_cli_usage_errors(argv, capsys):
    assert main(argv) == 2
    assert "用法" in capsys.readouterr().err


def test_cli_bad_config(json_file, tmp_path, capsys):
    cfg = tmp_path / "cfg.json"
    cfg.write_text(json.dumps({"exec_rounding": "banker"}), encoding="utf-8")
    assert main(["selfeval", json_file, "--config", str(cfg)]) == 2
    assert "exec_rounding" in capsys.readouterr().err

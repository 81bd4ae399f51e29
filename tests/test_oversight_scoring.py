"""The pure scoring engine of 考核 (oversight/scoring.py) and the import reader (oversight/excel.py), on plain data."""

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wenxiao.oversight import excel, scoring
from wenxiao.oversight.scoring import Rule

POS = Rule("positive", D(10), full=D(100), zero=D(80))
REV = Rule("reverse", D(10), full=D(100), zero=D(150))
RANGE = Rule("range", D(10), full=D("0.3"), zero=D("0.1"), full_high=D("0.8"), zero_high=D("1.5"))


@pytest.mark.parametrize(
    ("rule", "value", "expected"),
    [
        (POS, 100, "10.00"),  # at the full-mark line
        (POS, 120, "10.00"),  # above it: still full marks, never more
        (POS, 90, "5.00"),  # half way
        (POS, D("92.31"), "6.16"),  # 12.31 / 20 × 10 = 6.155 → 6.16 (half up)
        (POS, 80, "0.00"),
        (POS, 3, "0.00"),
        (REV, 100, "10.00"),  # 债务率 at 100%: full marks
        (REV, 125, "5.00"),
        (REV, 150, "0.00"),
        (REV, 60, "10.00"),
        (RANGE, D("0.3"), "10.00"),  # 库款保障水平 inside 0.3–0.8
        (RANGE, D("0.55"), "10.00"),
        (RANGE, D("0.8"), "10.00"),
        (RANGE, D("0.2"), "5.00"),  # half way down to 0.1
        (RANGE, D("0.1"), "0.00"),
        (RANGE, D("1.15"), "5.00"),  # half way up to 1.5
        (RANGE, D("2"), "0.00"),
        (Rule("manual", D(10)), D("7.5"), "7.50"),  # a manual score is its own value …
        (Rule("manual", D(10)), 12, "10.00"),  # … clamped to the weight
        (Rule("manual", D(10)), -3, "0.00"),
        (POS, None, "0.00"),  # no value, no marks
        (POS, "abc", "0.00"),
        (POS, D("NaN"), "0.00"),
        (POS, float("inf"), "0.00"),
        (Rule("positive", D(10), full=D(100), zero=D(100)), 99, "0.00"),  # no line: a step at the full mark
        (Rule("positive", D(10), full=D(100), zero=D(100)), 100, "10.00"),
        (Rule("range", D(10), full=D("0.3"), full_high=D("0.8")), D("0.29"), "0.00"),  # no zero lines: a step
        (Rule("positive", D(-5), full=D(100), zero=D(80)), 100, "0.00"),  # a negative weight earns nothing
    ],
)
def test_score_table(rule, value, expected):
    assert scoring.score(rule, value) == D(expected)


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        (Rule("positive", D(10), full=D(80), zero=D(100)), "零分值应低于满分值"),
        (Rule("reverse", D(10), full=D(150), zero=D(100)), "零分值应高于满分值"),
        (Rule("positive", D(10), full=D(100)), "须填写满分值和零分值"),
        (Rule("range", D(10), full=D("0.8"), full_high=D("0.3")), "下限不能高于上限"),
        (Rule("range", D(10), full=D("0.3"), zero=D("0.5"), full_high=D("0.8")), "下限零分值应低于合理区间下限"),
        (Rule("positive", D(0), full=D(100), zero=D(80)), "分值须为正数"),
        (Rule("median", D(10)), "未知的评分规则"),
    ],
)
def test_check_rule_names_the_problem(rule, problem):
    assert any(problem in p for p in scoring.check_rule(rule))


def test_sound_rules_have_no_problems():
    for rule in (POS, REV, RANGE, Rule("manual", D(5))):
        assert scoring.check_rule(rule) == []


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        (D("90"), "优"),
        (D("89.99"), "良"),
        (D("80"), "良"),
        (D("79.99"), "中"),
        (D("60"), "中"),
        (D("59.99"), "差"),
        (None, ""),
    ],
)
def test_grades_use_inclusive_lower_bounds(total, grade):
    assert scoring.grade(total) == grade


def test_grade_bands_are_configurable():
    bands = {"优秀": 95, "合格": 70}
    assert scoring.grade(D(94), bands) == "合格"
    assert scoring.grade(D(69), bands) == "差"


def test_rank_shares_places_on_ties_and_skips_after():
    ranks = scoring.rank({"a": D("88"), "b": D("91.5"), "c": D("88"), "d": D("70"), "e": None})
    assert ranks == {"b": 1, "a": 2, "c": 2, "d": 4, "e": None}


def test_weak_points_list_the_indicators_with_the_lowest_score_rate():
    weak = scoring.weak_points(
        [("税收收入占比", D(10), [D(10), D(10)]), ("暂付款", D(5), [D(1), D(4)]), ("债务率", D(10), [D(6), None])]
    )
    assert [w["name"] for w in weak] == ["暂付款", "债务率"]  # full marks everywhere is not a weak point
    assert weak[0]["rate"] == D("50.00") and weak[0]["lost"] == 2


finite = st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**9), max_value=10**9, places=4)
anything = st.one_of(
    st.none(), st.decimals(allow_nan=True, allow_infinity=True), st.floats(), st.integers(), st.text(max_size=5)
)


@settings(max_examples=400, deadline=None)
@given(
    kind=st.sampled_from(["positive", "reverse", "range", "manual", "other"]),
    weight=st.one_of(st.decimals(min_value=-5, max_value=100, places=2, allow_nan=False), st.none()),
    full=st.one_of(st.none(), finite),
    zero=st.one_of(st.none(), finite),
    full_high=st.one_of(st.none(), finite),
    zero_high=st.one_of(st.none(), finite),
    value=anything,
)
def test_score_never_crashes_and_stays_within_the_weight(kind, weight, full, zero, full_high, zero_high, value):
    s = scoring.score(Rule(kind, weight, full, zero, full_high, zero_high), value)
    top = weight if weight is not None and weight > 0 else D(0)
    assert D(0) <= s <= top
    assert s == s.quantize(D("0.01"))


@settings(max_examples=200, deadline=None)
@given(
    full=st.decimals(min_value=1, max_value=1000, places=2),
    gap=st.decimals(min_value=D("0.01"), max_value=500, places=2),
    a=finite,
    b=finite,
)
def test_positive_scores_never_fall_as_the_value_rises(full, gap, a, b):
    rule = Rule("positive", D(10), full=full, zero=full - gap)
    lo, hi = sorted((a, b))
    assert scoring.score(rule, lo) <= scoring.score(rule, hi)


# --- import reader --------------------------------------------------------------------------------------------

COLUMNS = [excel.Column(1, "税收收入占比", "%"), excel.Column(2, "库款保障水平")]
SUBJECTS = {"430421": "衡阳县", "430422": "衡南县"}


def _book(rows):
    import io

    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet(excel.SHEET)
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is not None:
                ws.write(r, c, v)
    wb.close()
    return buf.getvalue()


def test_the_template_reads_back_unchanged():
    book = excel.template_xlsx(
        "t", list(SUBJECTS.items()), COLUMNS, {("430421", 1): D("66.5"), ("430422", 2): D("0.4")}
    )
    parsed = excel.read_values(book, SUBJECTS, COLUMNS)
    assert parsed.ok and parsed.rows == 2
    assert parsed.values == {"430421": {1: D("66.5")}, "430422": {2: D("0.4")}}


def test_every_bad_cell_is_reported_with_its_row_and_column():
    book = _book(
        [
            ["对象代码", "考核对象", "税收收入占比（%）", "库款保障水平"],
            ["430421", "衡阳县", "七十", "0.5"],
            ["999999", "某县", 60, 0.5],
            ["430421", "衡阳县", 60, 0.5],
            ["430422", "衡南县", "65.5%", "1e20"],
        ]
    )
    parsed = excel.read_values(book, SUBJECTS, COLUMNS)
    text = [str(e) for e in parsed.errors]
    assert "第2行“税收收入占比（%）”列：“七十”不是数字" in text
    assert "第3行“对象代码”列：“999999”不是本轮的考核对象" in text
    assert any(t.startswith("第4行“对象代码”列") and "与第2行重复" in t for t in text)
    assert any(t.startswith("第5行“库款保障水平”列") for t in text)
    assert not any(t.startswith("第5行“税收收入占比") for t in text)  # “65.5%” is a number


def test_an_unknown_column_or_a_foreign_file_is_refused():
    wrong = _book([["对象代码", "考核对象", "GDP增速"], ["430421", "衡阳县", 5]])
    assert "不是本轮考核的导入指标" in str(excel.read_values(wrong, SUBJECTS, COLUMNS).errors[0])
    assert not excel.read_values(b"not a workbook", SUBJECTS, COLUMNS).ok
    other = _book([["项目代码", "金额"], ["1", 2]])
    assert "第一列应为“对象代码”" in str(excel.read_values(other, SUBJECTS, COLUMNS).errors[0])

"""core.values: the one parser for 指标值, checked against strings as they appear in 绩效目标申报表."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from wenxiao.core.values import Comparator, Kind, Value, ValueParseError, normalise_unit, parse

GE, GT, EQ, LE, LT = Comparator.GE, Comparator.GT, Comparator.EQ, Comparator.LE, Comparator.LT
QUAL, RANGE = Comparator.QUAL, Comparator.RANGE
N, P, D, Q = Kind.NUMBER, Kind.PERCENT, Kind.DATE, Kind.QUALITATIVE


def num(comparator, number, unit=""):
    return (comparator, P if unit == "%" else N, number, None, unit, None, "")


def rng(lower, upper, unit=""):
    return (RANGE, P if unit == "%" else N, lower, upper, unit, None, "")


def day(comparator, iso):
    return (comparator, D, None, None, "", iso, "")


def qual(text):
    return (QUAL, Q, None, None, "", None, text)


# (指标值, 计量单位 argument, year argument, expected (comparator, kind, number, upper, unit, date, text))
ROWS = [
    # ≥ and its variants
    ("≥95%", "", None, num(GE, "95", "%")),
    ("≥95％", "", None, num(GE, "95", "%")),
    ("＞＝90％", "", None, num(GE, "90", "%")),
    (">=80%", "", None, num(GE, "80", "%")),
    ("≧85%", "", None, num(GE, "85", "%")),
    ("⩾99.5%", "", None, num(GE, "99.5", "%")),
    ("≥９５％", "", None, num(GE, "95", "%")),
    ("大于等于90%", "", None, num(GE, "90", "%")),
    ("大于或等于90%", "", None, num(GE, "90", "%")),
    ("不低于98%", "", None, num(GE, "98", "%")),
    ("不少于100人次", "", None, num(GE, "100", "人次")),
    ("不小于0.8", "", None, num(GE, "0.8")),
    ("至少3次", "", None, num(GE, "3", "次")),
    ("95%以上", "", None, num(GE, "95", "%")),
    ("90%及以上", "", None, num(GE, "90", "%")),
    ("95%（含）以上", "", None, num(GE, "95", "%")),
    ("不低于95%以上", "", None, num(GE, "95", "%")),
    ("≥95", "百分比", None, num(GE, "95", "%")),
    ("≥ 95 %", "%", None, num(GE, "95", "%")),
    ("≥120%", "", None, num(GE, "120", "%")),
    # = and bare numbers
    ("100%", "", None, num(EQ, "100", "%")),
    ("=100%", "", None, num(EQ, "100", "%")),
    ("＝100％", "", None, num(EQ, "100", "%")),
    ("═100%", "", None, num(EQ, "100", "%")),
    ("==1", "", None, num(EQ, "1")),
    ("等于100%", "", None, num(EQ, "100", "%")),
    ("达到100%", "", None, num(EQ, "100", "%")),
    ("１００％", "", None, num(EQ, "100", "%")),
    ("95", "%", None, num(EQ, "95", "%")),
    ("=12个", "", None, num(EQ, "12", "个")),
    ("12个", "", None, num(EQ, "12", "个")),
    ("12", "个", None, num(EQ, "12", "个")),
    ("12", "（个）", None, num(EQ, "12", "个")),
    ("12个", "个", None, num(EQ, "12", "个")),
    ("12", "无", None, num(EQ, "12")),
    ("100人左右", "", None, num(EQ, "100", "人")),
    ("0起", "", None, num(EQ, "0", "起")),
    # >
    (">90%", "", None, num(GT, "90", "%")),
    ("＞90％", "", None, num(GT, "90", "%")),
    ("大于90%", "", None, num(GT, "90", "%")),
    ("高于80%", "", None, num(GT, "80", "%")),
    ("超过1000人次", "", None, num(GT, "1000", "人次")),
    # ≤ and its variants
    ("≤5%", "", None, num(LE, "5", "%")),
    ("≤0.5%", "", None, num(LE, "0.5", "%")),
    ("≦3%", "", None, num(LE, "3", "%")),
    ("⩽3%", "", None, num(LE, "3", "%")),
    ("<=10%", "", None, num(LE, "10", "%")),
    ("＜＝10％", "", None, num(LE, "10", "%")),
    ("不高于5%", "", None, num(LE, "5", "%")),
    ("不超过500万元", "", None, num(LE, "500", "万元")),
    ("≤500万元", "", None, num(LE, "500", "万元")),
    ("≤500", "万元", None, num(LE, "500", "万元")),
    ("控制在500万元以内", "", None, num(LE, "500", "万元")),
    ("500万元以内", "", None, num(LE, "500", "万元")),
    ("3%以下", "", None, num(LE, "3", "%")),
    ("≤ 3 天", "", None, num(LE, "3", "天")),
    ("≤3", "天", None, num(LE, "3", "天")),
    ("≤3日", "", None, num(LE, "3", "天")),
    ("5个工作日内", "", None, num(LE, "5", "个工作日")),
    ("≤1.5万元", "", None, num(LE, "1.5", "万元")),
    ("≤800元/人", "", None, num(LE, "800", "元/人")),
    ("≤800元／人", "", None, num(LE, "800", "元/人")),
    ("≤800", "元／人", None, num(LE, "800", "元/人")),
    ("≤0起", "", None, num(LE, "0", "起")),
    ("≤3‰", "", None, num(LE, "3", "‰")),
    ("≤26℃", "", None, num(LE, "26", "°C")),
    # <
    ("<1%", "", None, num(LT, "1", "%")),
    ("＜1％", "", None, num(LT, "1", "%")),
    ("小于1%", "", None, num(LT, "1", "%")),
    ("低于2%", "", None, num(LT, "2", "%")),
    # units: thousands separators, 万/亿 kept, variant spellings
    ("≥1200人次", "", None, num(GE, "1200", "人次")),
    ("≥1,200人次", "", None, num(GE, "1200", "人次")),
    ("≥1200", "人/次", None, num(GE, "1200", "人次")),
    ("≥10000亩", "", None, num(GE, "10000", "亩")),
    ("≥10000", "亩", None, num(GE, "10000", "亩")),
    ("≥1,000,000元", "", None, num(GE, "1000000", "元")),
    ("≥2亿元", "", None, num(GE, "2", "亿元")),
    ("≥50公里", "", None, num(GE, "50", "公里")),
    ("≥50km", "", None, num(GE, "50", "公里")),
    ("≥50", "千米", None, num(GE, "50", "公里")),
    ("≥2000平方米", "", None, num(GE, "2000", "平方米")),
    ("≥2000㎡", "", None, num(GE, "2000", "平方米")),
    ("≥2000m²", "", None, num(GE, "2000", "平方米")),
    ("≥300户", "", None, num(GE, "300", "户")),
    ("≥90分", "", None, num(GE, "90", "分")),
    ("≥4.5分", "", None, num(GE, "4.5", "分")),
    ("≥0.85", "", None, num(GE, "0.85")),
    # negatives
    ("-5%", "", None, num(EQ, "-5", "%")),
    ("≥-3%", "", None, num(GE, "-3", "%")),
    ("≤-10", "%", None, num(LE, "-10", "%")),
    ("－2.5％", "", None, num(EQ, "-2.5", "%")),
    ("−1", "个", None, num(EQ, "-1", "个")),
    # Chinese numerals
    ("十二个", "", None, num(EQ, "12", "个")),
    ("二十人", "", None, num(EQ, "20", "人")),
    ("不少于十个", "", None, num(GE, "10", "个")),
    ("至少一次", "", None, num(GE, "1", "次")),
    ("一千二百人次", "", None, num(EQ, "1200", "人次")),
    ("一百零五人", "", None, num(EQ, "105", "人")),
    ("三", "项", None, num(EQ, "3", "项")),
    ("百分之九十五", "", None, num(EQ, "95", "%")),
    ("不低于百分之九十", "", None, num(GE, "90", "%")),
    ("百分之百", "", None, num(EQ, "100", "%")),
    # ranges
    ("80%-90%", "", None, rng("80", "90", "%")),
    ("80-90%", "", None, rng("80", "90", "%")),
    ("80~90%", "", None, rng("80", "90", "%")),
    ("80～90%", "", None, rng("80", "90", "%")),
    ("80至90%", "", None, rng("80", "90", "%")),
    ("80%到90%", "", None, rng("80", "90", "%")),
    ("80%—90%", "", None, rng("80", "90", "%")),
    ("80-90", "%", None, rng("80", "90", "%")),
    ("3-5个工作日", "", None, rng("3", "5", "个工作日")),
    ("1,000-1,500", "人次", None, rng("1000", "1500", "人次")),
    ("控制在95%-105%之间", "", None, rng("95", "105", "%")),
    ("-5-5%", "", None, rng("-5", "5", "%")),
    ("90-90%", "", None, rng("90", "90", "%")),
    # dates and deadlines
    ("2025年11月30日前", "", None, day(LE, "2025-11-30")),
    ("2025年11月30日之前", "", None, day(LE, "2025-11-30")),
    ("2025年11月30日以前", "", None, day(LE, "2025-11-30")),
    ("２０２５年１１月３０日前", "", None, day(LE, "2025-11-30")),
    ("2025-11-30前", "", None, day(LE, "2025-11-30")),
    ("2025/6/30前", "", None, day(LE, "2025-06-30")),
    ("2025.11.30", "", None, day(EQ, "2025-11-30")),
    ("2025年12月31日", "", None, day(EQ, "2025-12-31")),
    ("2025年底前", "", None, day(LE, "2025-12-31")),
    ("2025年年底前", "", None, day(LE, "2025-12-31")),
    ("2025年6月底前", "", None, day(LE, "2025-06-30")),
    ("2024年2月底前", "", None, day(LE, "2024-02-29")),
    ("2025年内", "", None, day(LE, "2025-12-31")),
    ("于2025年10月31日前完成", "", None, day(LE, "2025-10-31")),
    ("2025年9月30日前完成", "", None, day(LE, "2025-09-30")),
    ("≤2025年11月30日", "", None, day(LE, "2025-11-30")),
    ("不晚于2025年9月30日", "", None, day(LE, "2025-09-30")),
    ("2025年12月31日前", "天", None, day(LE, "2025-12-31")),
    ("11月底前", "", 2025, day(LE, "2025-11-30")),
    ("年底前", "", 2025, day(LE, "2025-12-31")),
    ("当年年底前", "", 2025, day(LE, "2025-12-31")),
    ("6月30日前", "", 2025, day(LE, "2025-06-30")),
    ("6月底前", "", 2026, day(LE, "2026-06-30")),
    ("12月31日", "", 2025, day(EQ, "2025-12-31")),
    ("年内完成", "", 2025, day(LE, "2025-12-31")),
    ("2024年底前", "", 2025, day(LE, "2024-12-31")),
    # qualitative
    ("明显提升", "", None, qual("明显提升")),
    ("有效", "", None, qual("有效")),
    ("达成", "", None, qual("达成")),
    ("逐步提高", "", None, qual("逐步提高")),
    ("较上年有所提高", "", None, qual("较上年有所提高")),
    ("持续改善", "", None, qual("持续改善")),
    ("好", "", None, qual("好")),
    ("良好", "", None, qual("良好")),
    ("优", "", None, qual("优")),
    ("显著", "", None, qual("显著")),
    ("合格", "", None, qual("合格")),
    ("符合要求", "", None, qual("符合要求")),
    ("基本满意", "", None, qual("基本满意")),
    ("十分满意", "", None, qual("十分满意")),
    ("一流", "", None, qual("一流")),
    ("达到国家二级标准", "", None, qual("达到国家二级标准")),
    ("不低于上年水平", "", None, qual("不低于上年水平")),
    ("良好以上", "", None, qual("良好以上")),
    ("按时", "", None, qual("按时")),
    ("按期完成", "", None, qual("按期完成")),
    ("及时", "", None, qual("及时")),
    ("定性：有效改善", "", None, qual("有效改善")),
    ("定性:有效改善", "", None, qual("有效改善")),
    ("定性指标：群众满意", "", None, qual("群众满意")),
    ("定性：较2024年提升", "", None, qual("较2024年提升")),
    ("定性：≥95%", "", None, qual("≥95%")),
    ("明显提升。", "", None, qual("明显提升")),
    (" 明显 提升 ", "", None, qual("明显提升")),
    ("“明显改善”", "", None, qual("明显改善")),
    ("有所提高", "%", None, qual("有所提高")),
]

BAD = [
    ("", "", None, "指标值为空"),
    ("   ", "", None, "指标值为空"),
    ("\u3000", "", None, "指标值为空"),
    ("≥", "", None, "缺少数值"),
    ("不低于", "", None, "缺少数值"),
    ("以上", "", None, "缺少数值"),
    ("≥abc%", "", None, "缺少数值"),
    ("≥%", "", None, "缺少数值"),
    ("≥上年", "", None, "缺少数值"),
    ("12个", "人次", None, "指标值中的单位“个”与计量单位“人次”不一致"),
    ("≥95%", "个", None, "不一致"),
    ("500万元", "元", None, "不一致"),
    ("80-90%", "个", None, "不一致"),
    ("80%-90个", "", None, "不一致"),
    ("80-70%", "", None, "下限80大于上限70"),
    ("年底前", "", None, "年份"),
    ("6月底前", "", None, "年份"),
    ("11月30日前", "", None, "年份"),
    ("2025年2月30日前", "", None, "日期无效"),
    ("2025年13月1日前", "", None, "日期无效"),
    ("≥95%以下", "", None, "矛盾"),
    ("=3个以内", "", None, "矛盾"),
    (">2025年11月30日前", "", None, "矛盾"),
    ("较2024年提升", "", None, "定性：…"),
    ("完成率≥95%", "", None, "无法识别"),
    ("95%%", "", None, "无法识别"),
    ("1,20个", "", None, "无法识别"),
    ("1e5", "", None, "无法识别"),
    ("5天前", "", None, "无法识别"),
    ("12", "10人", None, "计量单位“10人”无法识别"),
    ("≥80-90%", "", None, "无法识别"),
    ("定性：", "", None, "缺少文字描述"),
    ("定性", "", None, "缺少文字描述"),
    ("???", "", None, "无法识别"),
    ("——", "", None, "无法识别"),
]


def as_tuple(v: Value):
    return (v.comparator, v.kind, v.number, v.upper, v.unit, v.date, v.text)


def expected_tuple(row):
    comparator, kind, number, upper, unit, iso, text = row
    return (
        comparator,
        kind,
        None if number is None else Decimal(number),
        None if upper is None else Decimal(upper),
        unit,
        None if iso is None else datetime.date.fromisoformat(iso),
        text,
    )


def test_the_table_is_large_enough():
    assert len(ROWS) >= 100
    assert len({(text, unit, year) for text, unit, year, _ in ROWS}) == len(ROWS)


@pytest.mark.parametrize(("text", "unit", "year", "expected"), ROWS)
def test_parses_real_values(text, unit, year, expected):
    v = parse(text, unit, year=year)
    assert as_tuple(v) == expected_tuple(expected)
    assert parse(v.display()) == v
    assert parse(parse(v.display()).display()) == v


@pytest.mark.parametrize(("text", "unit", "year", "fragment"), BAD)
def test_rejects_bad_values_with_a_chinese_message(text, unit, year, fragment):
    with pytest.raises(ValueParseError) as caught:
        parse(text, unit, year=year)
    message = caught.value.message
    assert fragment in message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)
    assert str(caught.value) == message
    assert isinstance(caught.value, ValueError)


def test_unparseable_text_is_quoted_in_the_message():
    with pytest.raises(ValueParseError, match="“≥abc%”"):
        parse("≥abc%")
    with pytest.raises(ValueParseError, match="“较2024年提升”"):
        parse("较2024年提升")


@pytest.mark.parametrize(
    ("text", "year", "shown"),
    [
        ("≥ 95 ％", None, "≥95%"),
        ("12个", None, "=12个"),
        ("不超过500万元", None, "≤500万元"),
        ("80%～90%", None, "80-90%"),
        ("2025年11月30日之前", None, "2025年11月30日前"),
        ("6月底前", 2025, "2025年6月30日前"),
        ("2025.12.31", None, "2025年12月31日"),
        ("≥2025年12月31日", None, "≥2025年12月31日"),
        ("明显提升", None, "明显提升"),
        ("定性：较2024年提升", None, "定性：较2024年提升"),
        ("定性：一", None, "定性：一"),
        ("定性：年底前", None, "定性：年底前"),
        ("≥1,200.50人次", None, "≥1200.50人次"),
    ],
)
def test_display_is_canonical(text, year, shown):
    v = parse(text, year=year)
    assert v.display() == shown
    assert str(v) == shown


def test_comparator_codes_and_directions():
    assert [c.code for c in Comparator] == [1, 2, 3, 4, 5, 6, 9]
    assert [c.direction for c in Comparator] == [
        "positive",
        "positive",
        "equal",
        "reverse",
        "reverse",
        "qualitative",
        "range",
    ]
    assert Comparator("≥") is GE and GE == "≥"
    assert all(Comparator.from_code(c.code) is c for c in Comparator)
    with pytest.raises(ValueParseError):
        Comparator.from_code(10)


def test_is_quantitative():
    assert parse("≥95%").is_quantitative
    assert parse("80-90%").is_quantitative
    assert parse("=12个").is_quantitative
    assert not parse("2025年11月30日前").is_quantitative
    assert not parse("明显提升").is_quantitative


@pytest.mark.parametrize(
    ("raw", "unit"),
    [
        ("人/次", "人次"),
        ("人·次", "人次"),
        ("％", "%"),
        ("百分比", "%"),
        ("元／人", "元/人"),
        ("km", "公里"),
        ("KM", "公里"),
        ("千米", "公里"),
        ("平方米", "平方米"),
        ("㎡", "平方米"),
        ("m²", "平方米"),
        ("（个）", "个"),
        ("(人次)", "人次"),
        ("【户】", "户"),
        (" 万元 ", "万元"),
        ("无", ""),
        ("/", ""),
        ("", ""),
        (None, ""),
        ("个", "个"),
    ],
)
def test_normalise_unit(raw, unit):
    assert normalise_unit(raw) == unit


def test_year_in_the_text_wins_over_the_year_argument():
    assert parse("2026年6月底前", year=2025).date == datetime.date(2026, 6, 30)


def test_non_string_input():
    assert parse(95, "%") == parse("95%")
    with pytest.raises(ValueParseError, match="指标值为空"):
        parse(None)


# --- properties ------------------------------------------------------------------------------------------------

# Characters that steer the parser into its interesting branches.
VALUE_ALPHABET = list("0123456789.,-+%％≥≤<>=＞＜＝~～至到年月日底前内以上下及含()（）")
VALUE_ALPHABET += list("定性:：个人次万元亩天百分之十二一两零 ")


@settings(max_examples=1000, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet=VALUE_ALPHABET, max_size=16)), st.sampled_from(["", "%", "个", "天"]))
@example("≥", "")
@example("1-", "")
@example("2025-11", "")
def test_any_text_parses_or_raises_value_parse_error(text, unit):
    try:
        v = parse(text, unit, year=2025)
    except ValueParseError as e:
        assert e.message
        return
    assert isinstance(v, Value)
    assert parse(v.display()) == v


UNITS = ["", "%", "人次", "个", "万元", "元/人", "天", "公里", "亩", "户", "平方米", "分", "项", "次", "吨", "个工作日"]
UNITS += ["‰", "°C", "亿元"]
NUMBERS = st.integers(0, 4).flatmap(
    lambda places: st.decimals(min_value=-(10**9), max_value=10**9, places=places, allow_nan=False)
)
CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
QUAL_WORDS = ["明显提升", "有效", "达成", "逐步提高", "较上年有所提高", "良好", "按时", "一", "十分满意"]
QUAL_WORDS += ["年底前", "定性好", "不低于上年水平", "≥上年"]


@st.composite
def quantities(draw):
    unit = draw(st.sampled_from(UNITS))
    comparator = draw(st.sampled_from([GE, GT, EQ, LE, LT]))
    return Value(comparator, P if unit == "%" else N, number=draw(NUMBERS), unit=unit)


@st.composite
def ranges(draw):
    unit = draw(st.sampled_from(UNITS))
    lower, upper = sorted([draw(NUMBERS), draw(NUMBERS)])
    return Value(RANGE, P if unit == "%" else N, number=lower, upper=upper, unit=unit)


dates = st.builds(
    lambda comparator, d: Value(comparator, D, date=d),
    st.sampled_from([GE, GT, EQ, LE, LT]),
    st.dates(datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)),
)
qualitatives = st.builds(
    lambda text: Value(QUAL, Q, text=text),
    st.one_of(
        st.sampled_from(QUAL_WORDS),
        st.text(alphabet=st.one_of(CJK, st.sampled_from(list("0123456789%≥<=-"))), min_size=1, max_size=12),
    ),
)


@settings(max_examples=1000, deadline=None)
@given(st.one_of(quantities(), ranges(), dates, qualitatives))
def test_display_parses_back_to_the_same_value(v):
    assert parse(v.display()) == v


@pytest.mark.parametrize(("text", "unit", "year"), [row[:3] for row in ROWS])
def test_normalisation_is_idempotent_on_the_table(text, unit, year):
    v = parse(text, unit, year=year)
    assert parse(v.display()) == v
    assert parse(parse(v.display()).display()) == parse(v.display())


FULL_WIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}


@st.composite
def written_variants(draw):
    """A table string as someone else might type it: stray spaces, full-width characters."""
    text, unit, year, _ = draw(st.sampled_from(ROWS))
    out = []
    for ch in text:
        if draw(st.booleans()) and ch in FULL_WIDTH:
            ch = FULL_WIDTH[ch]
        out.append(ch + draw(st.sampled_from(["", "", " ", "\u3000"])))
    return text, "".join(out), unit, year


@settings(max_examples=500, deadline=None)
@given(written_variants())
def test_spacing_and_width_do_not_change_the_value(variant):
    text, written, unit, year = variant
    v = parse(written, unit, year=year)
    assert v == parse(text, unit, year=year)
    assert parse(parse(v.display()).display()) == parse(v.display()) == v


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=8), st.sampled_from(["（个）", "人/次", "％", "㎡", "KM", "(无)", "【人次】"])))
def test_normalise_unit_is_idempotent(unit):
    assert normalise_unit(normalise_unit(unit)) == normalise_unit(unit)

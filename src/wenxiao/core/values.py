"""Indicator values (指标值): one parser and one canonical text for every 绩效指标 value.

Target review, monitoring and scoring all read a value through `parse()` and write it back with
`Value.display()`; `parse(v.display()) == v` for every value `parse` produces. Standard library only.

What `parse(text, unit, year=...)` accepts, in the order it tries:

1. 定性 marker: a leading "定性", "定性指标" or "定性描述", optionally followed by "：", forces a qualitative
   value whatever follows (one marker is removed: "定性：较2024年提升" → text "较2024年提升").
2. Dates: "2025年11月30日", "2025-11-30", "2025.11.30", "2025/11/30", "2025年6月底", "2025年底",
   "2025年内", and without a year (taken from `year=`) "11月30日", "11月底", "年底", "当年年底", "年内".
   A trailing 前 / 之前 / 以前 or 内 makes it a deadline (LE); a trailing 完成 / 完工 / 竣工 and a leading
   于 / 在 are ignored. Without 前 the date is EQ. A comparator prefix (≤, 不晚于, 不迟于, 截至 …) also works.
3. Ranges: "80%-90%", "80-90%", "80~90%", "80至90%", "80%到90%", optionally wrapped as
   "控制在…", "保持在…", "介于…", "在…" and "…之间" / "…范围内".
4. Quantities: an optional comparator prefix (symbols ≥ ≧ ⩾ >= ＞＝ ≮ > = ═ == ≤ ≦ ⩽ <= ≯ < and the words
   in `_PREFIX_WORDS`), a number (Arabic with optional sign, decimals and thousands separators; a simple Chinese
   numeral such as 十二 or 一千二百 followed by a common unit; 百分之九十五), the unit as written, then an
   optional suffix: 以上 / 及以上 / (含)以上 → GE; 以下 / 及以下 / 以内 / 之内 / 内 → LE; 左右 → EQ.
   A bare number is EQ. 万 / 亿 stay in the unit ("500万元" → 500 万元).
5. Qualitative: text with no Arabic digit that is not one of the above (达成, 明显提升, 不低于上年水平,
   达到国家二级标准 …) → QUAL with the normalised wording (按时 / 按期 / 及时 are plain qualitative wording).

Text with a digit that fits none of these, a comparator symbol with no number, conflicting comparators
("≤95%以上") or units, and impossible dates raise `ValueParseError`, never another exception.
The `unit` argument (计量单位) is only used by number and percent values; dates and qualitative values
ignore it. Placeholders such as "无", "/" or "-" in it count as no unit.
"""

from __future__ import annotations

import calendar
import datetime
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

# --- comparator words and symbols -------------------------------------------------------------------------------

_PREFIX_WORDS = {
    "GE": ["大于或等于", "大于等于", "不低于", "不少于", "不小于", "至少", "最少"],
    "GT": ["大于", "高于", "超过", "多于"],
    "EQ": ["等于", "达到"],
    "LE": [
        "小于或等于",
        "小于等于",
        "不高于",
        "不超过",
        "不多于",
        "不大于",
        "至多",
        "最多",
        "控制在",
        "不晚于",
        "不迟于",
        "截至",
        "截止",
    ],
    "LT": ["小于", "低于", "少于", "不足"],
}
_PREFIX_SYMBOLS = {
    "GE": ["≥", "≧", "⩾", ">=", "=>", "≮"],
    "GT": [">"],
    "EQ": ["==", "=", "═"],
    "LE": ["≤", "≦", "⩽", "<=", "=<", "≯"],
    "LT": ["<"],
}
_SUFFIXES = {
    "GE": ["及以上", "(含)以上", "以上(含)", "以上"],
    "LE": ["及以下", "(含)以下", "以下(含)", "以下", "(含)以内", "以内", "之内", "内"],
    "EQ": ["左右"],
}
_QUAL_MARKER = re.compile(r"^定性(?:指标|描述)?:?")

# --- numbers, units, ranges, dates -----------------------------------------------------------------------------

_NUM = r"[+-]?(?:(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+)"
# A unit: letters (Chinese or Latin) with / · ( ) ° inside; 2 or 3 only right after a Latin letter (m2, km2, m3).
_UNIT = r"(?:%|‰|°C?|[^\W\d_(](?:[^\W\d_]|[/·()°]|(?<=[A-Za-z])[23])*)"
_QUANTITY = re.compile(rf"(?P<num>{_NUM})(?P<unit>{_UNIT})?")
_RANGE = re.compile(rf"(?P<lo>{_NUM})(?P<lo_unit>{_UNIT})?(?:-|~|〜|—|–|―|至|到)(?P<hi>{_NUM})(?P<hi_unit>{_UNIT})?")
_RANGE_WRAPPERS = (("控制在", "保持在", "介于", "在"), ("之间", "范围内"))
_CN_NUMERAL = re.compile(r"(?P<num>[零〇一二两三四五六七八九十百千]+)(?P<unit>.*)")
_CN_PERCENT = re.compile(rf"百分之(?P<num>{_NUM}|[零〇一二两三四五六七八九十百千]+)")
_ASCII_DIGIT = re.compile(r"[0-9]")
_DATE_TAIL = re.compile(r"(?P<core>.+?)(?P<before>(?:之|以)?前)?(?:完成|完工|竣工)?")
_DATE_PATTERNS = [
    re.compile(r"(?P<y>[0-9]{4})年(?P<m>[0-9]{1,2})月(?P<d>[0-9]{1,2})[日号]?"),
    re.compile(r"(?P<y>[0-9]{4})(?P<sep>[-./])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})"),
    re.compile(r"(?P<y>[0-9]{4})年(?P<m>[0-9]{1,2})月份?[底末]"),
    re.compile(r"(?P<y>[0-9]{4})年度?年?[底末]"),
    re.compile(r"(?P<y>[0-9]{4})年度?(?P<inside>内)"),
    re.compile(r"(?P<m>[0-9]{1,2})月(?P<d>[0-9]{1,2})[日号]"),
    re.compile(r"(?P<m>[0-9]{1,2})月份?[底末]"),
    re.compile(r"(?:当|本|今)?年度?年?[底末]"),
    re.compile(r"(?:当|本|今)?年度?(?P<inside>内)"),
]
# Units that would change meaning if written after a number ("12" + "月底" reads as a date).
_UNSAFE_UNIT = re.compile(r"^[年月]份?[底末内]|(?:以上|以下|以内|之内|内|左右|之间|范围内|前|完成|完工|竣工)$")

_CN_DIGITS = {"零": 0, "〇": 0, "两": 2} | {ch: i for i, ch in enumerate("一二三四五六七八九", start=1)}
_CN_MULTIPLIERS = {"十": 10, "百": 100, "千": 1000}
# Units a Chinese numeral may carry ("十二个"); anything else ("十分满意", "一流") stays qualitative.
_CN_NUMERAL_UNITS = {
    *"个人次户家所项件天月年周场期批座条台套处篇份本名位间栋辆部种类门册张块亩元吨分轮届支班%",
    *("人次", "家次", "小时", "批次", "公里", "万元", "亿元", "万人", "万人次", "万亩", "个月", "个工作日", "工作日"),
    "平方米",
}

_UNIT_ALIASES = {
    "%": "%",
    "百分比": "%",
    "百分率": "%",
    "百分数": "%",
    "人/次": "人次",
    "人·次": "人次",
    "人.次": "人次",
    "km": "公里",
    "千米": "公里",
    "km2": "平方公里",
    "平方千米": "平方公里",
    "m2": "平方米",
    "m^2": "平方米",
    "平米": "平方米",
    "m3": "立方米",
    "m^3": "立方米",
    "kg": "公斤",
    "千克": "公斤",
    "t": "吨",
    "h": "小时",
    "日": "天",
    "无": "",
    "空": "",
    "/": "",
    "-": "",
    "--": "",
    "—": "",
    "——": "",
    "n/a": "",
}
_BRACKETS = {"(": ")", "[": "]", "【": "】", "〔": "〕", "〈": "〉", "《": "》"}
_CHAR_MAP = str.maketrans({"−": "-", "‐": "-", "‑": "-", "・": "·", "•": "·", "‧": "·", "∕": "/", "⁄": "/"})
_INVISIBLE = re.compile(r"[\s\u200b-\u200d\u2060\ufeff]+")
_QUOTES = "\"'“”‘’「」『』"
_TRAILING_PUNCT = "。.,，;；、!！"


class ValueParseError(ValueError):
    """An indicator value that cannot be understood; `.message` says why, in Chinese."""

    def __init__(self, message: str, text: str = ""):
        super().__init__(message)
        self.message = message
        self.text = text


class Comparator(StrEnum):
    GE = "≥"
    GT = ">"
    EQ = "="
    LE = "≤"
    LT = "<"
    QUAL = "定性"
    RANGE = "区间"

    @property
    def code(self) -> int:
        """The 一体化 computesign code (C-fasp PMKPIZBXS); 9 is 定量（其他）."""
        return _CODES[self]

    @property
    def direction(self) -> str:
        """The scoring family: positive, equal, reverse, qualitative or range."""
        return _DIRECTIONS[self]

    @classmethod
    def from_code(cls, code: int | str) -> Comparator:
        for comparator, c in _CODES.items():
            if str(c) == str(code).strip():
                return comparator
        raise ValueParseError(f"计算符号代码“{code}”无法识别")


_CODES = {
    Comparator.GE: 1,
    Comparator.GT: 2,
    Comparator.EQ: 3,
    Comparator.LE: 4,
    Comparator.LT: 5,
    Comparator.QUAL: 6,
    Comparator.RANGE: 9,
}
_DIRECTIONS = {
    Comparator.GE: "positive",
    Comparator.GT: "positive",
    Comparator.EQ: "equal",
    Comparator.LE: "reverse",
    Comparator.LT: "reverse",
    Comparator.QUAL: "qualitative",
    Comparator.RANGE: "range",
}
_PREFIXES = sorted(
    [(p, Comparator[name], False) for name, words in _PREFIX_WORDS.items() for p in words]
    + [(p, Comparator[name], True) for name, symbols in _PREFIX_SYMBOLS.items() for p in symbols],
    key=lambda item: -len(item[0]),
)
_SUFFIX_LIST = sorted(
    [(s, Comparator[name]) for name, words in _SUFFIXES.items() for s in words], key=lambda item: -len(item[0])
)


class Kind(StrEnum):
    NUMBER = "number"
    PERCENT = "percent"
    DATE = "date"
    QUALITATIVE = "qualitative"


@dataclass(frozen=True)
class Value:
    comparator: Comparator
    kind: Kind
    number: Decimal | None = None  # the target number (for RANGE: the lower bound)
    upper: Decimal | None = None  # RANGE only
    unit: str = ""  # normalised unit
    date: datetime.date | None = None  # DATE kind: the deadline
    text: str = ""  # QUALITATIVE: the normalised wording

    @property
    def is_quantitative(self) -> bool:
        """True for number and percent values (the ones a ratio can score); dates and 定性 are not."""
        return self.kind in (Kind.NUMBER, Kind.PERCENT)

    def display(self) -> str:
        """The canonical text: "≥95%", "=12个", "80-90%", "2025年11月30日前", "明显提升"."""
        if self.kind == Kind.QUALITATIVE:
            return self._display_text()
        if self.kind == Kind.DATE and self.date is not None:
            d = f"{self.date.year}年{self.date.month}月{self.date.day}日"
            if self.comparator == Comparator.LE:
                return d + "前"
            return d if self.comparator == Comparator.EQ else self.comparator.value + d
        if self.comparator == Comparator.RANGE:
            return f"{_format_number(self.number)}-{_format_number(self.upper)}{self.unit}"
        return f"{self.comparator.value}{_format_number(self.number)}{self.unit}"

    def _display_text(self) -> str:
        # Wording that would read as something else ("一个", "≥上年", "定性好") gets the 定性 marker.
        try:
            if parse(self.text) == self:
                return self.text
        except ValueParseError:
            pass
        return "定性：" + self.text

    def __str__(self) -> str:
        return self.display()


def normalise_unit(unit: str | None) -> str:
    """The canonical spelling of a 计量单位: "人/次" → "人次", "％" → "%", "（个）" → "个", "无" → ""."""
    s = _clean(unit or "")
    while len(s) >= 2 and _BRACKETS.get(s[0]) == s[-1] and not any(c in s[1:-1] for c in "()[]【】〔〕〈〉《》"):
        s = s[1:-1]
    return _UNIT_ALIASES.get(s.lower(), s)


def parse(text: str, unit: str | None = "", *, year: int | None = None) -> Value:
    """Read one 指标值; `unit` is the 计量单位 column, `year` the target's year for dates written without one."""
    raw = "" if text is None else str(text)
    s = _normalise_text(raw)
    if not s:
        raise ValueParseError("指标值为空", raw)
    quoted = _quote(raw)

    marker = _QUAL_MARKER.match(s)
    if marker:
        wording = s[marker.end() :]
        if not wording:
            raise ValueParseError(f"定性指标值{quoted}缺少文字描述", raw)
        return Value(Comparator.QUAL, Kind.QUALITATIVE, text=wording)

    prefix, body, symbol = _split_prefix(s)
    date_value = _parse_date(body, prefix, year, raw)
    if date_value is not None:
        return date_value

    arg_unit = normalise_unit(unit)
    range_match = _RANGE.fullmatch(_unwrap_range(s))
    if range_match:
        return _range_value(range_match, arg_unit, raw)

    suffix, core = _split_suffix(body)
    comparator = _merge(prefix, suffix, raw) or Comparator.EQ
    if not core:
        raise ValueParseError(f"指标值{quoted}缺少数值", raw)
    quantity = _parse_quantity(core)
    if quantity is not None:
        number, value_unit = quantity
        final_unit = _resolve_unit(value_unit, arg_unit, raw)
        kind = Kind.PERCENT if final_unit == "%" else Kind.NUMBER
        return Value(comparator, kind, number=number, unit=final_unit)

    if _ASCII_DIGIT.search(s):
        raise ValueParseError(
            f"无法识别指标值{quoted}：量化指标应写作“比较符号＋数值＋单位”（如“≥95%”），"
            "完成时限写作“2025年11月30日前”，定性指标请写作“定性：…”",
            raw,
        )
    if symbol or s[0] in "%‰~":
        raise ValueParseError(f"指标值{quoted}中比较符号后缺少数值", raw)
    if not any(ch.isalpha() for ch in s):
        raise ValueParseError(f"无法识别指标值{quoted}", raw)
    return Value(Comparator.QUAL, Kind.QUALITATIVE, text=s)


# --- helpers ---------------------------------------------------------------------------------------------------


def _clean(text: str) -> str:
    """NFKC, variant dashes and dots unified, whitespace removed; repeated because removing a space ("¯" → " ̄")
    can leave a sequence that NFKC composes further."""
    for _ in range(4):
        cleaned = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text).translate(_CHAR_MAP))
        if cleaned == text:
            break
        text = cleaned
    return text


def _normalise_text(text: str) -> str:
    s = _clean(text)
    while s and (s[0] in _QUOTES or s[-1] in _QUOTES + _TRAILING_PUNCT):
        s = s[1:] if s[0] in _QUOTES else s[:-1]
    return s


def _quote(raw: str) -> str:
    shown = raw.strip()
    return f"“{shown[:40]}…”" if len(shown) > 40 else f"“{shown}”"


def _split_prefix(s: str) -> tuple[Comparator | None, str, bool]:
    for word, comparator, symbol in _PREFIXES:
        if s.startswith(word):
            return comparator, s[len(word) :], symbol
    return None, s, False


def _split_suffix(s: str) -> tuple[Comparator | None, str]:
    for word, comparator in _SUFFIX_LIST:
        if s.endswith(word):
            return comparator, s[: -len(word)]
    return None, s


def _merge(prefix: Comparator | None, suffix: Comparator | None, raw: str) -> Comparator | None:
    if prefix and suffix and prefix != suffix:
        raise ValueParseError(f"指标值{_quote(raw)}前后的比较符号矛盾", raw)
    return prefix or suffix


def _format_number(number: Decimal | None) -> str:
    return "" if number is None else format(number, "f")


def _chinese_int(s: str) -> int | None:
    """一…九千九百九十九 ("十二" → 12, "一百零五" → 105); None when it is not a plain numeral."""
    if s in ("零", "〇"):
        return 0
    total, current, last, zero = 0, None, 10**4, False
    for ch in s:
        if ch in ("零", "〇"):
            if current is not None or total == 0 or zero:
                return None
            zero = True
        elif ch in _CN_DIGITS:
            if current is not None:
                return None
            current = _CN_DIGITS[ch]
        else:
            multiplier = _CN_MULTIPLIERS[ch]
            if multiplier >= last or (current is None and ch != "十") or (current == 0):
                return None
            total += (1 if current is None else current) * multiplier
            current, last, zero = None, multiplier, False
    if zero and current is None:
        return None
    return total + (current or 0)


def _parse_number(text: str) -> Decimal | None:
    if re.fullmatch(_NUM, text):
        return Decimal(text.replace(",", ""))
    n = _chinese_int(text)
    return None if n is None else Decimal(n)


def _parse_quantity(core: str) -> tuple[Decimal, str] | None:
    """(number, unit as written) of "1,200人次", "-5%", "十二个", "百分之九十五"; None if it is not one."""
    m = _CN_PERCENT.fullmatch(core)
    if m:
        number = Decimal(100) if m["num"] == "百" else _parse_number(m["num"])  # 百分之百
        return None if number is None else (number, "%")
    m = _QUANTITY.fullmatch(core)
    if m:
        return Decimal(m["num"].replace(",", "")), normalise_unit(m["unit"] or "")
    m = _CN_NUMERAL.fullmatch(core)
    if m:
        unit = normalise_unit(m["unit"])
        number = _chinese_int(m["num"])
        if number is not None and (not unit or unit in _CN_NUMERAL_UNITS):
            return Decimal(number), unit
    return None


def _resolve_unit(value_unit: str, arg_unit: str, raw: str) -> str:
    if value_unit and arg_unit and value_unit != arg_unit:
        raise ValueParseError(f"指标值中的单位“{value_unit}”与计量单位“{arg_unit}”不一致", raw)
    unit = value_unit or arg_unit
    if unit and (not re.fullmatch(_UNIT, unit) or _UNSAFE_UNIT.search(unit)):
        where = "指标值中的单位" if value_unit else "计量单位"
        raise ValueParseError(f"{where}“{unit}”无法识别", raw)
    return unit


def _unwrap_range(s: str) -> str:
    """ "控制在80-90%之间" → "80-90%"."""
    starts, ends = _RANGE_WRAPPERS
    s = next((s[len(w) :] for w in starts if s.startswith(w)), s)
    return next((s[: -len(w)] for w in ends if s.endswith(w)), s)


def _range_value(m: re.Match[str], arg_unit: str, raw: str) -> Value:
    lower, upper = Decimal(m["lo"].replace(",", "")), Decimal(m["hi"].replace(",", ""))
    lo_unit, hi_unit = normalise_unit(m["lo_unit"] or ""), normalise_unit(m["hi_unit"] or "")
    if lo_unit and hi_unit and lo_unit != hi_unit:
        raise ValueParseError(f"区间指标值{_quote(raw)}两端的单位“{lo_unit}”与“{hi_unit}”不一致", raw)
    if lower > upper:
        raise ValueParseError(
            f"区间指标值{_quote(raw)}的下限{_format_number(lower)}大于上限{_format_number(upper)}", raw
        )
    unit = _resolve_unit(hi_unit or lo_unit, arg_unit, raw)
    kind = Kind.PERCENT if unit == "%" else Kind.NUMBER
    return Value(Comparator.RANGE, kind, number=lower, upper=upper, unit=unit)


def _parse_date(body: str, prefix: Comparator | None, year: int | None, raw: str) -> Value | None:
    """A date or deadline ("2025年11月30日前", "6月底前", "年底前"); None if `body` is not a date."""
    body = body[1:] if body[:1] in ("于", "在") else body
    tail = _DATE_TAIL.fullmatch(body)
    if not tail:
        return None
    for pattern in _DATE_PATTERNS:
        m = pattern.fullmatch(tail["core"])
        if m:
            break
    else:
        return None
    groups = m.groupdict()
    if groups.get("y"):
        y = int(groups["y"])
    elif year is not None:
        y = int(year)
    else:
        raise ValueParseError(f"指标值{_quote(raw)}未写年份，且未提供年度，无法确定日期", raw)
    month = int(groups["m"]) if groups.get("m") else 12
    try:
        day = int(groups["d"]) if groups.get("d") else calendar.monthrange(y, month)[1]
        when = datetime.date(y, month, day)
    except (ValueError, OverflowError):
        raise ValueParseError(f"指标值{_quote(raw)}中的日期无效", raw)
    deadline = Comparator.LE if (tail["before"] or groups.get("inside")) else None
    comparator = _merge(prefix, deadline, raw) or Comparator.EQ
    return Value(comparator, Kind.DATE, date=when)

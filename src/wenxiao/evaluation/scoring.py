"""单位自评 scoring engine (pure Python): REFERENCE §6.2, §6.5, §3.4 and §13, configuration per region and year.

`score(ev, cfg)` takes a `SelfEvaluation` (the 项目支出绩效自评表 as plain text values, exactly as a unit filled
it in) and returns a `Scored`: the total, the grade, the 预算执行率 part, one `RowScore` per indicator row with
the rule that produced it, subtotals per 一级/二级 indicator, notes on everything that could not be read, and the
credibility flags S01–S09 of `wenxiao.evaluation.credibility` (score() runs `credibility.check`; pass
`system=SystemData(...)` for S08). Every 指标值 and 实际完成值 is read with `wenxiao.core.values.parse`.
Nothing here raises on messy input: what cannot be read scores 0 for that row and is named in `notes`.

Rules (REFERENCE §13):

    EXEC_SCORE  min(全年执行数 / 全年预算数, 1) × 10; rounded to 0.01 ("exact"), to whole points half-up
                ("whole") or down ("floor"), per `ScoringConfig.exec_rounding`. The rate is computed exactly and
                shown in percent to 2 decimals.
    POSITIVE    ≥ / >: a ≥ t → w, else w × a / t (a < 0 counts as 0).  ">" is scored like "≥" (REFERENCE gives
                one formula for codes 1 and 2).
    EQUAL       =: t = 0 → (a ≤ 0 → w, else 0); otherwise as POSITIVE.
    REVERSE     ≤ / <: a ≤ t → w; t < a < 2t → w × (1 − (a − t) / t); a ≥ 2t → 0.
    QUALITATIVE the 实际完成值 is read as one of three answers, each with a score band (share of w):
                达成 [0.8, 1], 部分达成 [0.6, 0.8), 未达成 [0, 0.6). A declared score inside the band is
                accepted (the band is the unit's room for judgement); otherwise the band's default share is
                used (达成 1, 部分达成 0.6, 未达成 0 — configurable). An actual equal to the 指标值 wording is 达成.
    OVER_TARGET positive / equal rows with t > 0 and a / t ≥ over_ratio (1.30) need an explanation (S04);
                `over_deduction` points are taken off such a row (default 0), only when it has no explanation
                unless `over_deduct_when="always"`.
    ROUNDING    2 decimals, ROUND_HALF_UP, at every level: row → 二级 → 一级 → total.
    GRADE       ≥ 90 优, ≥ 80 良, ≥ 60 中, else 差 (lower bounds inclusive; cut-offs configurable).

Decisions where REFERENCE is silent (documented here so the product and the CLI agree):

* Ranges ("80%-90%", code 9 in 一体化, no national formula): inside the range → w; below it → POSITIVE against
  the lower bound; above it → REVERSE against the upper bound.
* Dates (时效指标 "2024年11月30日前"): an actual date on or before the deadline → w, later → 0; an actual written
  in words ("按时完成", "延期") is read like a qualitative answer.
* A quantitative 指标值 with an actual in words ("达成预期指标") cannot be scored by the ratio rules: the row scores
  0 with rule "未能读取实际完成值…" (so a declared score above it is flagged S01). `text_actual="qualitative"`
  reads such wording with the qualitative bands instead.
* Units: a percent 指标值 with a bare actual ≤ 1 ("0.985" against "≥95%") is read as a fraction; 万/亿 prefixes are
  converted ("1.2万人次" against "≥8000人次"); other unit mismatches are compared as numbers and noted.
* Missing weights (分值): per 一级 group, the scheme's points minus the weights given in that group are split
  equally among the rows without one — 2 decimals ROUND_HALF_UP, the remainder to the last row so the group adds
  up exactly (ROUND_DOWN if half-up would leave the last row negative). Rows in a 一级 outside the scheme get 0.
  A weight that is not a non-negative number counts as missing (and is noted).
* The weight scheme: 10号 产出50/效益30/满意度10 + 执行率10; no 满意度 rows → 满意度's points go to 效益. With
  `scheme="auto"` (default) the 101号 variant 成本20/产出40/效益20/满意度10 + 执行率10 applies when a row's 一级
  is 成本指标; "default" / "cost" force one scheme. Under a scheme without 成本, 成本 rows count as 产出.
* The total never exceeds the full marks (100): weights that add up to more are flagged S06 and the total is
  capped, with a note.
* No 全年预算数 but a 年初预算数: the rate uses 年初预算数, with a note. Declared rates written without "%" are
  fractions when ≤ 1 (0.8633), percentages otherwise (86.33).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from wenxiao.core.values import Comparator, Kind, Value, ValueParseError, normalise_unit, parse

if TYPE_CHECKING:
    from wenxiao.evaluation.credibility import Flag

CENT = Decimal("0.01")
ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
_MICRO = Decimal("0.000001")
_LIMIT = Decimal(10) ** 12  # larger numbers are not amounts, weights or indicator values: unreadable

OUTPUT = "产出指标"
BENEFIT = "效益指标"
SATISFACTION = "满意度指标"
COST = "成本指标"
GROUP_ORDER = (COST, OUTPUT, BENEFIT, SATISFACTION)

ACHIEVED, PARTIAL, MISSED = "达成", "部分达成", "未达成"
ANSWERS = (ACHIEVED, PARTIAL, MISSED)

RULE_POSITIVE = "正向指标：实际/目标×分值"
RULE_EQUAL = "等于指标：实际/目标×分值"
RULE_EQUAL_ZERO = "等于指标（目标为0）：实际≤0得满分，否则不得分"
RULE_REVERSE = "反向指标：超出目标按(1-(实际-目标)/目标)×分值，达到2倍目标不得分"
RULE_RANGE = "区间指标：区间内得满分，低于下限按正向、高于上限按反向计分"
RULE_DATE_MET = "时效指标：按期完成"
RULE_DATE_LATE = "时效指标：未按期完成"

DEFAULT_WEIGHTS = {OUTPUT: 50, BENEFIT: 30, SATISFACTION: 10}
COST_WEIGHTS = {COST: 20, OUTPUT: 40, BENEFIT: 20, SATISFACTION: 10}
DEFAULT_QUAL_BANDS = {ACHIEVED: ("0.8", "1", "1"), PARTIAL: ("0.6", "0.8", "0.6"), MISSED: ("0", "0.6", "0")}

Text = str | int | float | Decimal | None


class ConfigError(ValueError):
    """A scoring configuration that cannot be used; `.message` says why, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- configuration ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoringConfig:
    """Scoring rules for one region and year; `from_mapping()` reads the stored form (unknown keys ignored).

    weights / cost_weights   一级 → points for the 10号 scheme and the 101号 成本 variant (执行率 apart)
    scheme                   "auto" (101号 variant when 成本指标 rows exist), "default" or "cost"
    exec_points              points of 预算执行率 (10)
    no_satisfaction_to       the 一级 that takes 满意度's points when no 满意度 row exists (效益指标)
    exec_rounding            "exact" (0.01), "whole" (whole points, half-up) or "floor" (whole points, down)
    over_ratio               a / t at which a row is "far above target" (1.30); None switches the rule off
    over_deduction           points deducted from such a row (0)
    over_deduct_when         "unexplained" (only rows without an explanation) or "always"
    qual_bands               answer → (low, high, default) shares of w; the band with high = 1 includes w
    grade_cutoffs            lower bounds of 优, 良, 中 (90, 80, 60)
    text_actual              "unread" (a worded actual on a quantitative row scores 0) or "qualitative"
    forecast_tolerance       S08: relative gap between actual and the last monitoring forecast (0.2)
    all_equal_min_rows       S07: rows needed before "actual = target on every row" is suspicious (3)
    """

    weights: Mapping[str, Decimal] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    cost_weights: Mapping[str, Decimal] = field(default_factory=lambda: dict(COST_WEIGHTS))
    scheme: str = "auto"
    exec_points: Decimal = Decimal(10)
    no_satisfaction_to: str = BENEFIT
    exec_rounding: str = "exact"
    over_ratio: Decimal | None = Decimal("1.30")
    over_deduction: Decimal = ZERO
    over_deduct_when: str = "unexplained"
    qual_bands: Mapping[str, tuple[Decimal, Decimal, Decimal]] = field(default_factory=lambda: dict(DEFAULT_QUAL_BANDS))
    grade_cutoffs: tuple[Decimal, Decimal, Decimal] = (Decimal(90), Decimal(80), Decimal(60))
    text_actual: str = "unread"
    forecast_tolerance: Decimal = Decimal("0.2")
    all_equal_min_rows: int = 3

    def __post_init__(self) -> None:
        def put(name: str, value: Any) -> None:
            object.__setattr__(self, name, value)

        put("weights", _weights_mapping(self.weights, "weights"))
        put("cost_weights", _weights_mapping(self.cost_weights, "cost_weights"))
        _choice("scheme", self.scheme, ("auto", "default", "cost"))
        _choice("exec_rounding", self.exec_rounding, ("exact", "whole", "floor"))
        _choice("over_deduct_when", self.over_deduct_when, ("unexplained", "always"))
        _choice("text_actual", self.text_actual, ("unread", "qualitative"))
        put("no_satisfaction_to", level1_group(self.no_satisfaction_to))
        put("exec_points", _config_number(self.exec_points, "exec_points"))
        put("over_deduction", _config_number(self.over_deduction, "over_deduction"))
        put("forecast_tolerance", _config_number(self.forecast_tolerance, "forecast_tolerance"))
        if self.over_ratio is not None:
            ratio = _config_number(self.over_ratio, "over_ratio")
            put("over_ratio", ratio if ratio > 0 else None)
        try:
            put("all_equal_min_rows", max(1, int(self.all_equal_min_rows)))
        except (TypeError, ValueError):
            raise ConfigError("配置项 all_equal_min_rows 应为整数")
        put("qual_bands", _bands(self.qual_bands))
        put("grade_cutoffs", _cutoffs(self.grade_cutoffs))

    @classmethod
    def from_mapping(cls, d: Mapping[str, Any] | None) -> ScoringConfig:
        """The configuration stored per region/year (a dict from JSON); unknown keys are ignored."""
        if d is None:
            return cls()
        if not isinstance(d, Mapping):
            raise ConfigError("评分配置应为 JSON 对象")
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})

    def scheme_for(self, groups: Sequence[str]) -> dict[str, Decimal]:
        """The 一级 → points in force for rows in these (normalised) groups, 满意度 moved when absent."""
        use_cost = self.scheme == "cost" or (self.scheme == "auto" and COST in groups)
        scheme = dict(self.cost_weights if use_cost else self.weights)
        target = self.no_satisfaction_to
        if SATISFACTION in scheme and SATISFACTION not in groups and target in scheme and target != SATISFACTION:
            scheme[target] += scheme.pop(SATISFACTION)
        return scheme


def _choice(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"配置项 {name} 应为 {' / '.join(allowed)} 之一，而不是“{value}”")


def _config_number(value: Any, name: str) -> Decimal:
    d = _plain_decimal(value)
    if d is None or d < 0:
        raise ConfigError(f"配置项 {name} 应为非负数，而不是“{value}”")
    return d


def _weights_mapping(value: Any, name: str) -> dict[str, Decimal]:
    if not isinstance(value, Mapping) or not value:
        raise ConfigError(f"配置项 {name} 应为“一级指标: 分值”的对象")
    return {level1_group(k): _config_number(v, f"{name}.{k}") for k, v in value.items()}


def _bands(value: Any) -> dict[str, tuple[Decimal, Decimal, Decimal]]:
    if not isinstance(value, Mapping):
        raise ConfigError('配置项 qual_bands 应为对象，如 {"达成": [0.8, 1, 1], …}')
    out = {}
    for answer in ANSWERS:
        raw = value.get(answer, DEFAULT_QUAL_BANDS[answer])
        if isinstance(raw, Mapping):
            raw = (raw.get("low"), raw.get("high"), raw.get("default", raw.get("low")))
        if not isinstance(raw, Sequence) or isinstance(raw, str) or len(raw) not in (2, 3):
            raise ConfigError(f"配置项 qual_bands.{answer} 应为 [下限, 上限, 默认] 三个比例")
        parts = [_plain_decimal(x) for x in raw]
        if len(parts) == 2:
            parts.append(parts[0])
        low, high, default = parts
        if low is None or high is None or default is None or not (0 <= low <= default <= high <= 1):
            raise ConfigError(f"配置项 qual_bands.{answer} 的比例应满足 0 ≤ 下限 ≤ 默认 ≤ 上限 ≤ 1")
        out[answer] = (low, high, default)
    return out


def _cutoffs(value: Any) -> tuple[Decimal, Decimal, Decimal]:
    if isinstance(value, Mapping):
        value = (value.get("优"), value.get("良"), value.get("中"))
    if not isinstance(value, Sequence) or isinstance(value, str) or len(value) != 3:
        raise ConfigError("配置项 grade_cutoffs 应为 [优, 良, 中] 三个分数线")
    parts = tuple(_plain_decimal(x) for x in value)
    if any(p is None for p in parts) or not (parts[0] >= parts[1] >= parts[2] >= 0):
        raise ConfigError("配置项 grade_cutoffs 应满足 优 ≥ 良 ≥ 中 ≥ 0")
    return parts  # type: ignore[return-value]


def grade(total: Decimal | float | int, cutoffs: Sequence[Decimal | int] = (90, 80, 60)) -> str:
    """优 / 良 / 中 / 差 by REFERENCE §6.5 (lower bounds inclusive)."""
    s = Decimal(str(total))
    excellent, good, fair = (Decimal(str(c)) for c in cutoffs)
    if s >= excellent:
        return "优"
    if s >= good:
        return "良"
    if s >= fair:
        return "中"
    return "差"


# --- input -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Budget:
    """The 项目资金 block of the 自评表: amounts in `unit` (万元), values as text or numbers."""

    initial: Text = None  # 年初预算数
    annual: Text = None  # 全年预算数 (the adjusted budget: the denominator)
    executed: Text = None  # 全年执行数
    declared_rate: Text = None  # 执行率 as the unit wrote it ("86.33%" or 0.8633)
    declared_score: Text = None  # 得分 the unit gave itself
    unit: str = "万元"


@dataclass(frozen=True)
class IndicatorRow:
    """One third-level indicator row as filled in; every value is the text of the cell."""

    level1: Text = ""
    level2: Text = ""
    name: Text = ""
    target: Text = ""  # 年度指标值
    actual: Text = ""  # 实际完成值
    weight: Text = None  # 分值 (None: shared by the scheme)
    declared_score: Text = None  # 得分 as declared
    deviation_reason: Text = None  # 偏差原因分析及改进措施
    unit: Text = ""  # 计量单位
    explanation: Text = None  # other explanation (e.g. why far above target)
    has_survey: bool | None = None  # a satisfaction survey is attached (None: not known)


@dataclass(frozen=True)
class SystemData:
    """The system's own data for S08: payments (全年执行数, same unit as the budget) and, per row index
    (0-based, as in `indicators`), the last monitoring forecast of the year-end value as text."""

    executed: Text = None
    monitoring_forecasts: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SelfEvaluation:
    project_name: str = ""
    year: int | str | None = None
    budget: Budget = field(default_factory=Budget)
    indicators: Sequence[IndicatorRow] = ()
    declared_total: Text = None  # 总分 as declared
    region_code: str = ""
    notes: Sequence[str] = ()  # what a reader could not read (copied into Scored.notes)
    system: SystemData | None = None  # used when score() gets no system=


# --- output ----------------------------------------------------------------------------------------------------


@dataclass
class BudgetScore:
    rate: Decimal | None  # 执行率 in percent, 2 decimals (None: could not be computed)
    score: Decimal
    points: Decimal
    rule: str
    ratio: Decimal | None = None  # executed / denominator, unrounded
    initial: Decimal | None = None
    annual: Decimal | None = None
    executed: Decimal | None = None
    denominator: str = "全年预算数"
    declared_rate: Decimal | None = None  # in percent
    declared_score: Decimal | None = None
    unit: str = "万元"

    def to_dict(self) -> dict[str, Any]:
        return {"rate": _out(self.rate), "score": _out(self.score), "points": _out(self.points), "rule": self.rule}


@dataclass
class RowScore:
    index: int  # 0-based position in SelfEvaluation.indicators
    name: str
    level1: str  # the normalised 一级 group
    level2: str
    weight: Decimal
    weight_shared: bool
    score: Decimal = ZERO
    rule: str = ""
    detail: str = ""
    family: str = "unread"  # positive | equal | reverse | range | qualitative | date | unread
    met: bool | None = None  # target reached (None: could not be judged)
    answer: str | None = None  # qualitative answer 达成 / 部分达成 / 未达成
    declared: Decimal | None = None
    target_text: str = ""
    actual_text: str = ""
    unit: str = ""  # the target's unit
    target_number: Decimal | None = None
    actual_number: Decimal | None = None  # in the target's unit
    ratio: Decimal | None = None  # actual / target (positive and equal rows with t > 0)
    over_target: bool = False
    equal_to_target: bool | None = None
    has_reason: bool = False  # 偏差原因 filled in
    explained: bool = False  # 偏差原因 or another explanation filled in
    has_survey: bool | None = None
    flags: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "name": self.name,
            "level1": self.level1,
            "level2": self.level2,
            "weight": _out(self.weight),
            "score": _out(self.score),
            "rule": self.rule,
            "detail": self.detail,
            "flags": list(self.flags),
        }


@dataclass
class LevelScore:
    name: str
    weight: Decimal
    score: Decimal
    children: list[LevelScore] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "weight": _out(self.weight), "score": _out(self.score)}
        if self.children:
            d["children"] = [c.to_dict() for c in self.children]
        return d


@dataclass
class Scored:
    project_name: str
    year: int | None
    total: Decimal
    grade: str
    budget: BudgetScore
    rows: list[RowScore]
    levels: list[LevelScore]
    scheme: dict[str, Decimal]
    full_marks: Decimal
    declared_total: Decimal | None = None
    notes: list[str] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The `wenxiao score selfeval --json` object (issue 7), plus project, levels, notes and weights."""
        return {
            "project_name": self.project_name,
            "year": self.year,
            "total": _out(self.total),
            "grade": self.grade,
            "budget": self.budget.to_dict(),
            "indicators": [r.to_dict() for r in self.rows],
            "flags": [f.to_dict() for f in self.flags],
            "notes": list(self.notes),
            "levels": [lv.to_dict() for lv in self.levels],
            "full_marks": _out(self.full_marks),
            "declared_total": _out(self.declared_total),
        }


# --- small helpers ---------------------------------------------------------------------------------------------


def _out(d: Decimal | None) -> float | None:
    return None if d is None else float(d)


def fmt(d: Decimal | None) -> str:
    """A number for a Chinese sentence: 2 decimals at most, no trailing zeros ("7.5", "10", "86.33")."""
    if d is None:
        return "—"
    if d.is_finite() and d.adjusted() < 16:
        d = d.quantize(CENT, ROUND_HALF_UP)
    s = format(d, "f")
    return s.rstrip("0").rstrip(".") if "." in s else s


def round2(d: Decimal) -> Decimal:
    return d.quantize(CENT, ROUND_HALF_UP)


def _clean(s: Any) -> str:
    return re.sub(r"[\s\u200b-\u200d\u2060\ufeff]+", "", unicodedata.normalize("NFKC", _text(s)))


def _text(v: Any) -> str:
    """A field value as text: numbers without a trailing ".0", None as ""."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            return str(v)
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if isinstance(v, Decimal):
        return format(v, "f") if v.is_finite() and -20 < v.adjusted() < 16 else str(v)
    return str(v).strip()


_PLACEHOLDERS = {"", "/", "-", "--", "—", "——", "\\", "／", "null", "None", "nan", "NaN"}


def _filled(v: Any) -> bool:
    """A text cell that says something (not empty, not "/", "-", "无")."""
    s = _clean(v)
    return s not in _PLACEHOLDERS and s not in ("无", "暂无", "空")


def _bounded(d: Decimal | None) -> Decimal | None:
    """A finite number of at most 12 integer digits, to 6 decimals; None otherwise (never overflows)."""
    if d is None or not d.is_finite() or d.adjusted() > 12:
        return None
    if d.adjusted() < -7:
        return ZERO
    d = d.quantize(_MICRO, ROUND_HALF_UP)
    return d if abs(d) <= _LIMIT else None


def _plain_decimal(v: Any) -> Decimal | None:
    """int / float / Decimal / plain numeric text → Decimal; anything else None."""
    if v is None or isinstance(v, bool):
        return None
    try:
        if isinstance(v, float):
            d = Decimal(repr(v))
        elif isinstance(v, int | Decimal):
            d = Decimal(v)
        else:
            d = Decimal(_clean(v).replace(",", ""))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return _bounded(d)


def _number(v: Any) -> tuple[Decimal | None, str, str | None]:
    """(number, unit, problem) of an amount, weight or score cell: 120, "120.5", "120.5万元", "10分", "86.33%".

    (None, "", None) means empty; (None, "", why) unreadable."""
    if v is None or (isinstance(v, str) and _clean(v) in _PLACEHOLDERS):
        return None, "", None
    if isinstance(v, bool):
        return None, "", f"“{v}”不是数值"
    if isinstance(v, int | float | Decimal):
        d = _plain_decimal(v)
        return (d, "", None) if d is not None else (None, "", f"“{_text(v)}”不是有效数值")
    text = _text(v)
    d = _plain_decimal(text)
    if d is not None:
        return d, "", None
    try:
        value = parse(text)
    except (ValueParseError, ArithmeticError, ValueError) as e:
        return None, "", getattr(e, "message", None) or f"“{_short(text)}”不是数值"
    if not value.is_quantitative or value.comparator == Comparator.RANGE:
        return None, "", f"“{_short(text)}”不是数值"
    d = _bounded(value.number)
    if d is None:
        return None, "", f"“{_short(text)}”超出可计算范围"
    return d, value.unit, None


def _short(text: str, n: int = 30) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= n else text[:n] + "…"


def _year(v: Any) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v if 1900 <= v <= 2200 else None
    m = re.search(r"(19|20|21)\d{2}", _clean(v))
    return int(m.group(0)) if m else None


def level1_group(level1: Any, level2: Any = "") -> str:
    """The 一级 group a row belongs to: 产出指标 / 效益指标 / 满意度指标 / 成本指标, or the 一级 text as written.

    Messy wording ("产出", "服务对象满意度指标", "效益") is recognised; an empty 一级 is taken from the 二级
    (数量/质量/时效 → 产出, 经济/社会/生态成本 → 成本 (101号), 成本指标 → 产出 (10号), …)."""
    l1, l2 = _clean(level1), _clean(level2)
    if l1:
        if "满意" in l1:
            return SATISFACTION
        if "产出" in l1:
            return OUTPUT
        if "成本" in l1:
            return COST
        if "效益" in l1 or "效果" in l1:
            return BENEFIT
    if l2:
        if "满意" in l2:
            return SATISFACTION
        if re.search(r"(经济|社会|生态环境|生态|环境)成本", l2):
            return COST
        if any(k in l2 for k in ("数量", "质量", "时效", "成本")):
            return OUTPUT
        if "效益" in l2 or "可持续" in l2:
            return BENEFIT
    return l1 or "（未填写一级指标）"


# --- qualitative answers ---------------------------------------------------------------------------------------

_NO_WORDS = (
    "未达成",
    "未完成",
    "未达到",
    "未实现",
    "未能",
    "未按时",
    "未按期",
    "未如期",
    "未通过",
    "未启动",
    "未开展",
    "未落实",
    "没有完成",
    "没有达到",
    "没有实现",
    "无法完成",
    "无法达到",
    "无法实现",
    "不能完成",
    "难以完成",
    "效果较差",
    "较差",
    "很差",
    "不达标",
    "不合格",
    "不满意",
    "滞后",
    "逾期",
    "延期",
    "推迟",
    "不可能",
)
_PARTIAL_WORDS = ("部分", "基本", "一定效果", "有所", "初步", "大部分", "大部")
_YES_WORDS = (
    "达成",
    "达到",
    "完成",
    "实现",
    "按时",
    "按期",
    "如期",
    "及时",
    "提升",
    "提高",
    "改善",
    "增强",
    "增加",
    "满意",
    "良好",
    "较好",
    "优秀",
    "优良",
    "明显",
    "显著",
    "有效",
    "符合",
    "合格",
    "达标",
    "通过",
    "落实",
    "保障",
    "稳定",
    "规范",
    "正常",
    "未发生",
    "已",
)
_NONE_HAPPENED = re.compile(r"^(无|零|没有|未出现)\w*(事故|投诉|案件|问题|违规|违纪|事件|纠纷)")


def qualitative_answer(actual: Any, target: Any = "") -> str | None:
    """Which of 达成 / 部分达成 / 未达成 the 实际完成值 says; None when it cannot be told."""
    a = _clean(actual).strip("。.;；")
    if not a or a in _PLACEHOLDERS:
        return None
    t = _clean(target).strip("。.;；")
    if t.startswith("定性"):
        t = re.sub(r"^定性(指标|描述)?[:：]?", "", t)
    if (t and a == t) or a in ("是", "达成", "已完成"):
        return ACHIEVED
    if a == "否" or any(w in a for w in _NO_WORDS):
        return MISSED
    if any(w in a for w in _PARTIAL_WORDS):
        return PARTIAL
    if _NONE_HAPPENED.match(a) or any(w in a for w in _YES_WORDS):
        return ACHIEVED
    return None


def in_band(declared: Decimal, weight: Decimal, band: tuple[Decimal, Decimal, Decimal]) -> bool:
    """declared within [low·w, high·w) — or [low·w, w] for the band that reaches w."""
    low, high, _ = band
    lo, hi = low * weight, high * weight
    if declared < lo or declared > weight:
        return False
    return declared <= hi if high >= 1 else declared < hi


def band_text(weight: Decimal, band: tuple[Decimal, Decimal, Decimal]) -> str:
    low, high, _ = band
    lo, hi = fmt(low * weight), fmt(high * weight)
    return f"{lo}～{hi}分" if high >= 1 else f"{lo}～{hi}分（不含{hi}分）"


# --- weights ---------------------------------------------------------------------------------------------------


@dataclass
class _WeightPlan:
    weights: list[Decimal]
    shared: list[bool]
    groups: list[str]
    scheme: dict[str, Decimal]


def _assign_weights(rows: list[IndicatorRow], cfg: ScoringConfig, notes: list[str]) -> _WeightPlan:
    groups = [level1_group(r.level1, r.level2) for r in rows]
    scheme = cfg.scheme_for(groups)
    if COST not in scheme:
        groups = [OUTPUT if g == COST else g for g in groups]
    given: list[Decimal | None] = []
    for i, r in enumerate(rows):
        w, _, problem = _number(r.weight)
        if w is not None and w < 0:
            w, problem = None, f"分值{fmt(w)}为负数"
        if w is not None and round2(w) != w:  # 分值 carry two decimals like every score, or a rounded score tops them
            notes.append(f"第{i + 1}项指标“{_name(r, i)}”：分值{fmt(w)}按两位小数计为{fmt(round2(w))}")
            w = round2(w)
        if problem:
            notes.append(f"第{i + 1}项指标“{_name(r, i)}”：未能读取分值（{problem}），按权重方案分配")
        given.append(w)
    weights = [w if w is not None else ZERO for w in given]
    shared = [w is None for w in given]
    for group in dict.fromkeys(groups):
        members = [i for i, g in enumerate(groups) if g == group]
        missing = [i for i in members if given[i] is None]
        if not missing:
            continue
        if group not in scheme:
            notes.append(f"一级指标“{group}”不在权重方案中，其中{len(missing)}项未填分值的指标按0分计")
            continue
        remaining = max(ZERO, scheme[group] - sum((given[i] for i in members if given[i] is not None), ZERO))
        parts = _split(remaining, len(missing))
        for i, part in zip(missing, parts, strict=True):
            weights[i] = part
        shown = "、".join(fmt(p) for p in parts[:6]) + ("…" if len(parts) > 6 else "")
        notes.append(f"“{group}”中{len(missing)}项指标未填分值，按权重方案将{fmt(remaining)}分平均分配（{shown}）")
    return _WeightPlan(weights, shared, groups, scheme)


def _split(total: Decimal, n: int) -> list[Decimal]:
    """n equal parts to 2 decimals (half-up), the remainder on the last so they add up to `total` exactly."""
    for rounding in (ROUND_HALF_UP, ROUND_DOWN):
        share = (total / n).quantize(CENT, rounding)
        last = total - share * (n - 1)
        if last >= 0:
            return [share] * (n - 1) + [round2(last)]
    return [ZERO] * (n - 1) + [total]  # pragma: no cover - ROUND_DOWN never leaves a negative remainder


def _name(row: IndicatorRow, index: int) -> str:
    return _short(_text(row.name), 40) or f"第{index + 1}项指标"


# --- rows ------------------------------------------------------------------------------------------------------


def _read_value(text: str, unit: str, year: int | None) -> tuple[Value | None, str | None]:
    """parse() with the 计量单位, then without it when the unit is what does not fit; (None, why) if unreadable."""
    try:
        return parse(text, unit, year=year), None
    except (ValueParseError, ArithmeticError, ValueError) as e:
        first = getattr(e, "message", None) or str(e)
    if unit:
        try:
            return parse(text, "", year=year), None
        except (ValueParseError, ArithmeticError, ValueError):
            pass
    return None, first


_UNIT_SCALES = {"万": Decimal(10**4), "亿": Decimal(10**8), "千": Decimal(10**3)}


def _harmonise(a: Decimal, a_unit: str, target: Value) -> tuple[Decimal, str | None]:
    """The actual in the target's unit; a note when a conversion or a guess was made."""
    t_unit = target.unit
    if a_unit == t_unit or not t_unit:
        return a, None
    if not a_unit:
        t_num = target.upper if target.comparator == Comparator.RANGE else target.number
        if t_unit == "%" and ZERO <= a <= ONE and t_num is not None and t_num > ONE:
            return a * HUNDRED, f"实际完成值{fmt(a)}按比例读作{fmt(a * HUNDRED)}%"
        return a, None
    if _scale(a_unit, t_unit) is not None:
        return scale_to(a, a_unit, t_unit), f"实际完成值单位“{a_unit}”已换算为“{t_unit}”"
    return a, f"实际完成值单位“{a_unit}”与指标值单位“{t_unit}”不一致，按数值比较"


def _scale(from_unit: str, to_unit: str) -> Decimal | None:
    """The factor from one unit to the other when they differ by 万 / 亿 / 千 ("万人次" → "人次": 10000)."""
    if from_unit == to_unit:
        return ONE
    for prefix, factor in _UNIT_SCALES.items():
        if from_unit and from_unit == prefix + to_unit:
            return factor
        if to_unit and to_unit == prefix + from_unit:
            return ONE / factor
    return None


def scale_to(number: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """`number` in `from_unit` expressed in `to_unit` (万/亿/千 prefixes); unchanged when not convertible."""
    factor = _scale(from_unit, to_unit) if from_unit and to_unit else None
    return number * factor if factor is not None else number


def _family(target: Value) -> str:
    if target.kind == Kind.QUALITATIVE:
        return "qualitative"
    if target.kind == Kind.DATE:
        return "date"
    return target.comparator.direction  # positive | equal | reverse | range


def _score_row(
    index: int,
    row: IndicatorRow,
    group: str,
    weight: Decimal,
    shared: bool,
    cfg: ScoringConfig,
    year: int | None,
    notes: list[str],
) -> RowScore:
    r = RowScore(
        index=index,
        name=_name(row, index),
        level1=group,
        level2=_clean(row.level2) or "（未填写二级指标）",
        weight=weight,
        weight_shared=shared,
        target_text=_text(row.target),
        actual_text=_text(row.actual),
        has_reason=_filled(row.deviation_reason),
        has_survey=row.has_survey if isinstance(row.has_survey, bool) else None,
    )
    r.explained = r.has_reason or _filled(row.explanation)
    declared, _, problem = _number(row.declared_score)
    r.declared = round2(declared) if declared is not None else None
    if problem:
        notes.append(f"第{index + 1}项指标“{r.name}”：未能读取自评得分（{problem}）")
    where = f"第{index + 1}项指标“{r.name}”"

    def unread(rule: str, why: str | None = None) -> RowScore:
        r.rule, r.family, r.score = rule, "unread", ZERO
        notes.append(f"{where}：{rule}" + (f"（{why}）" if why else "") + "，本项按0分计")
        return r

    unit = _text(row.unit)
    if not _filled(row.target):
        return unread("未能读取年度指标值：未填写")
    target, why = _read_value(r.target_text, unit, year)
    if target is None:
        return unread(f"未能读取年度指标值“{_short(r.target_text)}”", why)
    family = _family(target)
    r.unit = target.unit
    if _clean(row.actual) in _PLACEHOLDERS:
        return unread("未填写实际完成值")

    if family == "qualitative":
        answer = qualitative_answer(r.actual_text, target.text)
        r.equal_to_target = _same_text(r.actual_text, target.text, r.target_text)
        if answer is None:
            return unread(f"定性指标：未能判断实际完成值“{_short(r.actual_text)}”属于达成、部分达成还是未达成")
        return _qualitative(r, answer, cfg, "定性指标")

    actual, why = _read_value(r.actual_text, unit, year)
    if family == "date":
        if actual is not None and actual.kind == Kind.DATE and target.date and actual.date:
            r.family = "date"
            r.equal_to_target = actual.date == target.date
            if target.comparator in (Comparator.GE, Comparator.GT):  # "不早于…": on or after the date
                late = actual.date < target.date
            else:  # a deadline (前 / ≤) or a completion date: on or before it
                late = actual.date > target.date
            r.met = not late
            r.score = ZERO if late else round2(weight)
            r.rule = RULE_DATE_LATE if late else RULE_DATE_MET
            r.detail = f"实际{actual.display()}，年度指标值{target.display()}"
            return r
        answer = qualitative_answer(r.actual_text, r.target_text)
        if answer is None:
            return unread(f"未能读取实际完成值“{_short(r.actual_text)}”", why or "时效指标应填写完成日期")
        r.equal_to_target = _same_text(r.actual_text, r.target_text, r.target_text)
        return _qualitative(r, answer, cfg, "时效指标按定性表述评分")

    if actual is None or not actual.is_quantitative:
        if cfg.text_actual == "qualitative":
            answer = qualitative_answer(r.actual_text, r.target_text)
            if answer is not None:
                return _qualitative(r, answer, cfg, "定量指标按定性表述评分")
        return unread(
            f"未能读取实际完成值“{_short(r.actual_text)}”",
            why or f"应填写数值，才能与年度指标值“{_short(target.display())}”比较",
        )
    if actual.comparator == Comparator.RANGE:
        raw = actual.upper if family == "reverse" else actual.number
    else:
        raw = actual.number
    raw = _bounded(raw)
    if raw is None:
        return unread(f"未能读取实际完成值“{_short(r.actual_text)}”", "数值超出可计算范围")
    converted, note = _harmonise(raw, actual.unit, target)
    a = _bounded(converted)
    if a is None:
        return unread(f"未能读取实际完成值“{_short(r.actual_text)}”", "换算单位后数值超出可计算范围")
    details = [note] if note else []
    if actual.comparator == Comparator.RANGE:
        details.append("实际完成值为区间，取" + ("上限" if family == "reverse" else "下限"))
    if a < 0:
        details.append(f"实际值{fmt(a)}为负，按0计")
        a = ZERO
    r.actual_number = a
    t = _bounded(target.number)
    upper = _bounded(target.upper)
    if t is None or (family == "range" and upper is None):
        return unread(f"未能读取年度指标值“{_short(r.target_text)}”", "数值超出可计算范围")
    r.target_number = t
    w = weight
    u = target.unit if target.unit != "%" else "%"

    if family == "range":
        assert upper is not None
        r.equal_to_target = a in (t, upper)
        r.rule = RULE_RANGE
        if a < t:
            r.met, score = False, (a * w / t if t > 0 else ZERO)
            details.append(f"实际{fmt(a)}{u}低于下限{fmt(t)}{u}：{fmt(a)}÷{fmt(t)}×{fmt(w)}")
        elif a > upper:
            r.met = False
            score = w * (2 * upper - a) / upper if a < 2 * upper and upper > 0 else ZERO
            details.append(f"实际{fmt(a)}{u}高于上限{fmt(upper)}{u}")
        else:
            r.met, score = True, w
            details.append(f"实际{fmt(a)}{u}在区间{fmt(t)}-{fmt(upper)}{u}内")
    elif family == "reverse":
        r.equal_to_target = a == t
        r.rule = RULE_REVERSE
        if a <= t:
            r.met, score = True, w
            details.append(f"实际{fmt(a)}{u}≤目标{fmt(t)}{u}，得满分")
        elif a < 2 * t:
            r.met, score = False, w * (2 * t - a) / t
            details.append(f"(1-({fmt(a)}-{fmt(t)})÷{fmt(t)})×{fmt(w)}")
        else:
            r.met, score = False, ZERO
            details.append(f"实际{fmt(a)}{u}达到目标{fmt(t)}{u}的2倍及以上，不得分")
    else:  # positive | equal
        r.equal_to_target = a == t
        if family == "equal" and t == 0:
            r.rule = RULE_EQUAL_ZERO
            r.met = a <= 0
            score = w if r.met else ZERO
            details.append(f"目标为0，实际{fmt(a)}{u}")
        else:
            r.rule = RULE_EQUAL if family == "equal" else RULE_POSITIVE
            if a >= t:
                r.met, score = True, w
                details.append(f"实际{fmt(a)}{u}≥目标{fmt(t)}{u}，得满分")
            else:
                r.met, score = False, a * w / t
                details.append(f"{fmt(a)}÷{fmt(t)}×{fmt(w)}")
            if t > 0:
                r.ratio = a / t
                if cfg.over_ratio is not None and r.ratio >= cfg.over_ratio:
                    r.over_target = True
                    if cfg.over_deduction > 0 and (cfg.over_deduct_when == "always" or not r.explained):
                        score = max(ZERO, score - cfg.over_deduction)
                        details.append(
                            f"实际达到目标的{fmt(r.ratio * HUNDRED)}%（≥{fmt(cfg.over_ratio * HUNDRED)}%），"
                            f"扣{fmt(cfg.over_deduction)}分"
                        )
    r.family = family
    r.score = round2(min(max(score, ZERO), w))
    r.detail = "；".join(details)
    return r


def _same_text(actual: str, *targets: str) -> bool:
    a = _clean(actual).strip("。.;；")
    return bool(a) and any(a == _clean(t).strip("。.;；") for t in targets if t)


def _qualitative(r: RowScore, answer: str, cfg: ScoringConfig, prefix: str) -> RowScore:
    band = cfg.qual_bands[answer]
    w = r.weight
    r.family, r.answer, r.met = "qualitative", answer, answer == ACHIEVED
    r.rule = f"{prefix}：{answer}"
    if r.declared is not None and in_band(r.declared, w, band):
        r.score = r.declared
        r.detail = f"自评得分{fmt(r.declared)}分在“{answer}”的得分区间{band_text(w, band)}内，予以采用"
    else:
        r.score = round2(band[2] * w)
        r.detail = f"按“{answer}”计{fmt(band[2])}×{fmt(w)}分"
    return r


# --- budget ----------------------------------------------------------------------------------------------------


def _amount(v: Any, unit: str, label: str, notes: list[str]) -> Decimal | None:
    d, value_unit, problem = _number(v)
    if problem:
        notes.append(f"未能读取{label}（{problem}）")
        return None
    if d is None:
        return None
    if value_unit and value_unit != unit:
        if _scale(value_unit, unit) is not None:
            return _bounded(scale_to(d, value_unit, unit))
        notes.append(f"{label}的单位“{value_unit}”与预算单位“{unit}”不一致，按数值计算")
    return d


def _rate_percent(v: Any) -> tuple[Decimal | None, str | None]:
    d, unit, problem = _number(v)
    if d is None:
        return None, problem
    if unit == "%":
        return d, None
    if unit:
        return None, f"执行率“{_text(v)}”的单位无法识别"
    return (d * HUNDRED if d <= ONE else d), None


def _score_budget(b: Budget, cfg: ScoringConfig, notes: list[str]) -> BudgetScore:
    if not isinstance(b, Budget):
        b = Budget()
    unit = normalise_unit(_text(b.unit)) or "万元"
    points = cfg.exec_points
    initial = _amount(b.initial, unit, "年初预算数", notes)
    annual = _amount(b.annual, unit, "全年预算数", notes)
    executed = _amount(b.executed, unit, "全年执行数", notes)
    declared_rate, problem = _rate_percent(b.declared_rate)
    if problem:
        notes.append(f"未能读取填报的执行率（{problem}）")
    declared_score, _, problem = _number(b.declared_score)
    if problem:
        notes.append(f"未能读取预算执行率得分（{problem}）")
    out = BudgetScore(
        rate=None,
        score=ZERO,
        points=points,
        rule="预算执行率：min(全年执行数/全年预算数, 100%)×" + fmt(points),
        initial=initial,
        annual=annual,
        executed=executed,
        declared_rate=declared_rate,
        declared_score=round2(declared_score) if declared_score is not None else None,
        unit=unit,
    )
    denominator = annual
    if denominator is None or denominator <= 0:
        if initial is not None and initial > 0:
            denominator, out.denominator = initial, "年初预算数"
            out.rule = "预算执行率：min(全年执行数/年初预算数, 100%)×" + fmt(points)
            notes.append("全年预算数未填写或为0，执行率按年初预算数计算")
        else:
            notes.append("全年预算数未填写或为0，无法计算预算执行率，该项按0分计")
            return out
    if executed is None:
        notes.append("全年执行数未填写，无法计算预算执行率，该项按0分计")
        return out
    if executed < 0:
        notes.append(f"全年执行数{fmt(executed)}为负，按0计")
        executed = ZERO
    ratio = executed / denominator
    out.ratio = ratio
    out.rate = round2(ratio * HUNDRED)
    raw = min(ratio, ONE) * points
    if cfg.exec_rounding == "whole":
        out.score = raw.quantize(ONE, ROUND_HALF_UP).quantize(CENT)
        out.rule += "（取整数分）"
    elif cfg.exec_rounding == "floor":
        out.score = raw.quantize(ONE, ROUND_FLOOR).quantize(CENT)
        out.rule += "（向下取整数分）"
    else:
        out.score = round2(raw)
    return out


# --- the engine ------------------------------------------------------------------------------------------------


def _as_row(x: Any) -> IndicatorRow:
    if isinstance(x, IndicatorRow):
        return x
    if isinstance(x, Mapping):
        known = {f.name for f in fields(IndicatorRow)}
        return IndicatorRow(**{k: v for k, v in x.items() if k in known})
    return IndicatorRow(name=_text(x))


def score(ev: SelfEvaluation, cfg: ScoringConfig | None = None, *, system: SystemData | None = None) -> Scored:
    """Score one self-evaluation by the rules and run the credibility checks (S08 uses `system`, else ev.system)."""
    from wenxiao.evaluation.credibility import check

    cfg = cfg or ScoringConfig()
    notes = [str(n) for n in (ev.notes or ())]
    year = _year(ev.year)
    try:
        rows_in = [_as_row(x) for x in (ev.indicators or ())]
    except TypeError:
        rows_in = []
        notes.append("指标列表无法读取")
    if not rows_in:
        notes.append("没有可评分的绩效指标")
    plan = _assign_weights(rows_in, cfg, notes)
    rows = [
        _score_row(i, row, plan.groups[i], plan.weights[i], plan.shared[i], cfg, year, notes)
        for i, row in enumerate(rows_in)
    ]
    budget = _score_budget(ev.budget, cfg, notes)
    levels = _aggregate(rows, plan.scheme)
    total = round2(sum((lv.score for lv in levels), ZERO) + budget.score)
    full = round2(sum(plan.scheme.values(), ZERO) + cfg.exec_points)
    if total > full:
        notes.append(f"各项得分合计{fmt(total)}分，超过满分{fmt(full)}分（分值设置有误），总分按{fmt(full)}分计")
        total = full
    declared_total, _, problem = _number(ev.declared_total)
    if problem:
        notes.append(f"未能读取填报的总分（{problem}）")
    scored = Scored(
        project_name=_text(ev.project_name),
        year=year,
        total=total,
        grade=grade(total, cfg.grade_cutoffs),
        budget=budget,
        rows=rows,
        levels=levels,
        scheme=plan.scheme,
        full_marks=full,
        declared_total=round2(declared_total) if declared_total is not None else None,
        notes=notes,
    )
    scored.flags = check(ev, scored, cfg, system if system is not None else ev.system)
    for f in scored.flags:
        if f.indicator is not None and 0 <= f.indicator < len(rows) and f.code not in rows[f.indicator].flags:
            rows[f.indicator].flags.append(f.code)
    return scored


def _aggregate(rows: list[RowScore], scheme: Mapping[str, Decimal]) -> list[LevelScore]:
    """Row scores → 二级 → 一级, each rounded to 2 decimals; 一级 in scheme order, others as they appear."""
    order = [g for g in GROUP_ORDER if g in scheme] + [g for g in scheme if g not in GROUP_ORDER]
    order += [r.level1 for r in rows if r.level1 not in order]
    levels = []
    for group in dict.fromkeys(order):
        members = [r for r in rows if r.level1 == group]
        if not members:
            continue
        children = []
        for level2 in dict.fromkeys(r.level2 for r in members):
            sub = [r for r in members if r.level2 == level2]
            children.append(
                LevelScore(
                    level2,
                    round2(sum((r.weight for r in sub), ZERO)),
                    round2(sum((r.score for r in sub), ZERO)),
                )
            )
        levels.append(
            LevelScore(
                group,
                round2(sum((c.weight for c in children), ZERO)),
                round2(sum((c.score for c in children), ZERO)),
                children,
            )
        )
    return levels

"""Credibility checks on a 单位自评 (R33, issue 7 §2): where the self-score is not supported by the evidence.

Pure Python. `check(ev, scored, cfg=None, system=None)` returns `Flag`s; `scoring.score()` calls it, so
`Scored.flags` already holds them (and each `RowScore.flags` the codes of its row). `indicator` is the 0-based
index of the row in `SelfEvaluation.indicators`, or None for the evaluation as a whole.

    S01 a declared score above the rule score (indicator rows scored by a formula; also the 预算执行率 score)
    S02 a qualitative row whose declared score lies outside the band of its answer (达成/部分达成/未达成)
    S03 a row that missed its target with no 偏差原因分析及改进措施
    S04 a row at ≥ over_ratio (130%) of its target with no explanation (偏差原因 or 说明): target set too low?
    S05 the declared 执行率 differs from 全年执行数 ÷ 全年预算数
    S06 the declared total differs from the sum of the declared scores; or the weights do not add up to the
        scheme (indicator weights + 执行率 ≠ full marks, e.g. 100 + 10 = 110)
    S07 actual = target on every row (at least `all_equal_min_rows`); or every row at full marks while the
        execution rate is below 100%
    S08 the system's own data contradicts the form: 全年执行数 ≠ payments; an actual far from (more than
        `forecast_tolerance` of) the last monitoring forecast, or reported as met when the forecast said it
        could not be
    S09 a satisfaction row with an actual value but no survey attached (IndicatorRow.has_survey is False;
        None means "not known" and is not flagged)

Tolerances: a declared rate or total is compared to one unit of its last written decimal, at least 0.01
("86.3%" may differ by 0.1 point, "86.33%" by 0.01); scores and amounts to 0.01.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from wenxiao.core.values import ValueParseError, parse
from wenxiao.evaluation.scoring import (
    CENT,
    HUNDRED,
    SATISFACTION,
    ZERO,
    RowScore,
    Scored,
    ScoringConfig,
    SelfEvaluation,
    SystemData,
    _clean,
    _number,
    _text,
    band_text,
    fmt,
    in_band,
    round2,
    scale_to,
)

__all__ = ["CODES", "Flag", "SystemData", "check"]

CODES = {
    "S01": "自评得分高于规则得分",
    "S02": "定性指标得分超出档次区间",
    "S03": "未完成指标未说明偏差原因",
    "S04": "超目标完成未说明（指标值可能偏低）",
    "S05": "执行率与执行数不符",
    "S06": "总分或分值合计不符",
    "S07": "自评结果过于理想",
    "S08": "与系统数据不符",
    "S09": "满意度无调查佐证",
}

_CANNOT = ("完全不可能", "不可能", "无法完成", "不能完成", "难以完成", "无法实现", "无法达到", "未达成", "不能实现")


@dataclass(frozen=True)
class Flag:
    code: str
    indicator: int | None
    message: str

    @property
    def title(self) -> str:
        return CODES.get(self.code, self.code)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "indicator": self.indicator, "message": self.message}


def check(
    ev: SelfEvaluation, scored: Scored, cfg: ScoringConfig | None = None, system: SystemData | None = None
) -> list[Flag]:
    """All credibility flags of a scored self-evaluation, in code order then row order."""
    cfg = cfg or ScoringConfig()
    flags: list[Flag] = []
    flags += _s01(scored)
    flags += _s02(scored, cfg)
    flags += _s03(scored)
    flags += _s04(scored, cfg)
    flags += _s05(scored)
    flags += _s06(scored)
    flags += _s07(scored, cfg)
    flags += _s08(scored, cfg, system)
    flags += _s09(scored)
    return flags


def _tolerance(d: Decimal) -> Decimal:
    """One unit of the last written decimal of a declared figure, at least 0.01."""
    exponent = d.normalize().as_tuple().exponent
    if not isinstance(exponent, int):
        return CENT
    return max(CENT, Decimal(1).scaleb(min(exponent, 0)))


def _pct(d: Decimal | None) -> str:
    return fmt(d) + "%"


def _s01(scored: Scored) -> list[Flag]:
    out = []
    for r in scored.rows:
        if r.family == "qualitative" or r.declared is None or r.declared <= r.score:
            continue
        out.append(
            Flag(
                "S01",
                r.index,
                f"“{r.name}”自评得分{fmt(r.declared)}分，高于按规则计算的{fmt(r.score)}分（{r.rule}"
                + (f"：{r.detail}" if r.detail else "")
                + "）",
            )
        )
    b = scored.budget
    if b.declared_score is not None and b.declared_score > b.score:
        rate = f"执行率{_pct(b.rate)}" if b.rate is not None else "执行率无法计算"
        msg = f"预算执行率自评得分{fmt(b.declared_score)}分，高于按规则计算的{fmt(b.score)}分（{rate}）"
        out.append(Flag("S01", None, msg))
    return out


def _s02(scored: Scored, cfg: ScoringConfig) -> list[Flag]:
    out = []
    for r in scored.rows:
        if r.family != "qualitative" or r.answer is None or r.declared is None or r.weight <= 0:
            continue
        band = cfg.qual_bands[r.answer]
        if not in_band(r.declared, r.weight, band):
            out.append(
                Flag(
                    "S02",
                    r.index,
                    f"“{r.name}”实际完成情况为“{r.answer}”（{r.actual_text}），"
                    f"该档得分区间为{band_text(r.weight, band)}，自评得分{fmt(r.declared)}分超出区间",
                )
            )
    return out


def _s03(scored: Scored) -> list[Flag]:
    out = []
    for r in scored.rows:
        if r.met is False and not r.has_reason:
            out.append(
                Flag(
                    "S03",
                    r.index,
                    f"“{r.name}”未完成年度指标（指标值{r.target_text}，实际完成{r.actual_text}，"
                    f"得{fmt(r.score)}分/{fmt(r.weight)}分），未填写偏差原因分析及改进措施",
                )
            )
    return out


def _s04(scored: Scored, cfg: ScoringConfig) -> list[Flag]:
    out = []
    for r in scored.rows:
        if r.over_target and not r.explained and r.ratio is not None and cfg.over_ratio is not None:
            out.append(
                Flag(
                    "S04",
                    r.index,
                    f"“{r.name}”实际完成{r.actual_text}，为年度指标值{r.target_text}的{_pct(r.ratio * HUNDRED)}"
                    f"（≥{_pct(cfg.over_ratio * HUNDRED)}），未说明原因，年度指标值可能设置偏低",
                )
            )
    return out


def _s05(scored: Scored) -> list[Flag]:
    b = scored.budget
    if b.declared_rate is None or b.ratio is None or b.executed is None:
        return []
    computed = b.ratio * HUNDRED
    if abs(b.declared_rate - computed) <= _tolerance(b.declared_rate):
        return []
    denominator = b.annual if b.denominator == "全年预算数" else b.initial
    msg = (
        f"填报执行率{_pct(b.declared_rate)}，按全年执行数{fmt(b.executed)}{b.unit}÷{b.denominator}"
        f"{fmt(denominator)}{b.unit}计算应为{_pct(round2(computed))}"
    )
    if b.denominator == "全年预算数" and b.initial and b.initial > 0:
        by_initial = b.executed / b.initial * HUNDRED
        if abs(b.declared_rate - by_initial) <= _tolerance(b.declared_rate):
            msg += "（填报值系按年初预算数计算，应使用全年预算数）"
    return [Flag("S05", None, msg)]


def _s06(scored: Scored) -> list[Flag]:
    out = []
    rows, b = scored.rows, scored.budget
    if scored.declared_total is not None and rows and all(r.declared is not None for r in rows):
        rows_sum = sum((r.declared for r in rows if r.declared is not None), ZERO)
        tol = _tolerance(scored.declared_total)
        if b.declared_score is not None:
            candidates = [(rows_sum + b.declared_score, b.declared_score)]
        else:
            candidates = [(rows_sum, ZERO), (rows_sum + b.score, b.score)]
        if all(abs(scored.declared_total - total) > tol for total, _ in candidates):
            total, exec_part = candidates[-1]
            parts = f"指标{fmt(rows_sum)}分＋预算执行率{fmt(exec_part)}分＝{fmt(total)}分"
            msg = f"填报总分{fmt(scored.declared_total)}分，与各项自评得分合计（{parts}）不一致"
            out.append(Flag("S06", None, msg))
    weights = sum((r.weight for r in rows), ZERO)
    expected = sum(scored.scheme.values(), ZERO)
    if rows and abs(weights - expected) > CENT / 2:
        shared = sum(1 for r in rows if r.weight_shared)
        how = f"（其中{shared}项未填分值，按权重方案分配）" if shared else ""
        points = b.points
        out.append(
            Flag(
                "S06",
                None,
                f"各指标分值合计{fmt(weights)}分{how}，加预算执行率{fmt(points)}分共{fmt(weights + points)}分，"
                f"与权重方案满分{fmt(expected + points)}分不一致（指标应合计{fmt(expected)}分）",
            )
        )
    return out


def _s07(scored: Scored, cfg: ScoringConfig) -> list[Flag]:
    out = []
    rows = scored.rows
    if len(rows) >= cfg.all_equal_min_rows and all(r.equal_to_target for r in rows):
        out.append(
            Flag("S07", None, f"全部{len(rows)}项指标的实际完成值均与年度指标值完全相同，请核实实际完成数据是否真实")
        )
    b = scored.budget
    scored_rows = [r for r in rows if r.weight > 0]
    full = all((r.declared if r.declared is not None else r.score) >= r.weight for r in scored_rows)
    if b.ratio is not None and b.ratio < 1 and scored_rows and full:
        msg = (
            f"全部{len(scored_rows)}项指标自评均为满分，但预算执行率仅{_pct(b.rate)}，"
            "资金未全部执行而产出效益全部达成，请核实"
        )
        out.append(Flag("S07", None, msg))
    return out


def _s08(scored: Scored, cfg: ScoringConfig, system: SystemData | None) -> list[Flag]:
    if system is None:
        return []
    out = []
    b = scored.budget
    paid, _, _ = _number(system.executed)
    if paid is not None and b.executed is not None and round2(paid) != round2(b.executed):
        out.append(
            Flag(
                "S08",
                None,
                f"填报全年执行数{fmt(b.executed)}{b.unit}，与系统支付数据{fmt(paid)}{b.unit}不一致"
                f"（相差{fmt(abs(b.executed - paid))}{b.unit}）",
            )
        )
    forecasts = system.monitoring_forecasts if isinstance(system.monitoring_forecasts, dict) else {}
    for key, text in sorted(forecasts.items(), key=lambda kv: str(kv[0])):
        index = _index(key)
        if index is None or not 0 <= index < len(scored.rows):
            continue
        flag = _forecast_flag(scored.rows[index], _text(text), cfg)
        if flag:
            out.append(flag)
    return sorted(out, key=lambda f: -1 if f.indicator is None else f.indicator)


def _index(key: Any) -> int | None:
    if isinstance(key, bool):
        return None
    if isinstance(key, int):
        return key
    s = _clean(key)
    return int(s) if s.isdigit() and len(s) < 7 else None


def _forecast_flag(r: RowScore, text: str, cfg: ScoringConfig) -> Flag | None:
    clean = _clean(text)
    if not clean:
        return None
    if r.met and any(w in clean for w in _CANNOT):
        return Flag(
            "S08",
            r.index,
            f"“{r.name}”最近一次监控预计“{text}”，自评却为已完成（实际完成{r.actual_text}），请核实",
        )
    if r.actual_number is None:
        return None
    try:
        forecast = parse(text, r.unit)
    except (ValueParseError, ArithmeticError, ValueError):
        try:
            forecast = parse(text)
        except (ValueParseError, ArithmeticError, ValueError):
            return None
    if not forecast.is_quantitative or forecast.number is None or not forecast.number.is_finite():
        return None
    if forecast.number.adjusted() > 12 or forecast.number == 0:
        return None
    f = scale_to(forecast.number, forecast.unit, r.unit)
    gap = abs(r.actual_number - f) / abs(f)
    if gap <= cfg.forecast_tolerance:
        return None
    return Flag(
        "S08",
        r.index,
        f"“{r.name}”实际完成{r.actual_text}，与最近一次监控预计的全年完成值{text}相差{_pct(round2(gap * HUNDRED))}"
        f"（超过{_pct(cfg.forecast_tolerance * HUNDRED)}），请核实",
    )


def _s09(scored: Scored) -> list[Flag]:
    out = []
    for r in scored.rows:
        satisfaction = r.level1 == SATISFACTION or "满意" in r.name
        if satisfaction and r.actual_text.strip() and r.has_survey is False:
            out.append(
                Flag(
                    "S09",
                    r.index,
                    f"“{r.name}”填报了满意度实际完成值{r.actual_text}，但未上传满意度调查问卷或调查报告等佐证材料",
                )
            )
    return out

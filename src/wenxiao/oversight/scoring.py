"""The scoring engine of 考核 and 财政运行综合绩效评价: a value against an indicator's rule, totals, grades, ranks.

Pure Python (no Django): services and the CLI hand it plain numbers. Rules (REFERENCE §8; thresholds are the
scheme's, from the `oversight.template.*` settings):

- positive (正向): value ≥ full → full marks, value ≤ zero → 0, linear in between (e.g. 目标申报率 100 / 80);
- reverse (反向): value ≤ full → full marks, value ≥ zero → 0, linear in between (e.g. 债务率 100 / 150);
- range (区间): full marks inside [full, full_high] (e.g. 库款保障水平 0.3–0.8), falling linearly to 0 at `zero`
  below and at `zero_high` above; a missing zero-mark threshold makes that side a step;
- manual (人工评分): the value is the score the assessor gave.

Whatever the input, `score()` returns a Decimal in [0, weight] with two decimals; a missing or non-finite
value scores 0. A rule whose thresholds contradict each other degrades to a step at the full-mark threshold;
`check_rule()` names such problems in Chinese so a scheme cannot be saved with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

RULES = {
    "positive": "正向（越高越好）",
    "reverse": "反向（越低越好）",
    "range": "区间（在合理区间内满分）",
    "manual": "人工评分",
}
TWO = Decimal("0.01")
ZERO = Decimal("0")
DEFAULT_BANDS = {"优": 90, "良": 80, "中": 60}


@dataclass(frozen=True)
class Rule:
    kind: str
    weight: Decimal
    full: Decimal | None = None
    zero: Decimal | None = None
    full_high: Decimal | None = None
    zero_high: Decimal | None = None


def _num(v) -> Decimal | None:
    """A finite Decimal, or None for anything else (None, NaN, infinities, text that is not a number)."""
    if v is None or isinstance(v, bool):
        return None
    try:
        d = v if isinstance(v, Decimal) else Decimal(str(v))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return d if d.is_finite() else None


def _ratio_between(v: Decimal, at_zero: Decimal | None, at_full: Decimal) -> Decimal:
    """Share of the marks for `v` on the line from `at_zero` (0) to `at_full` (1); a step when there is no line."""
    if at_zero is None or at_zero == at_full:
        return Decimal(1) if v == at_full else ZERO
    ratio = (v - at_zero) / (at_full - at_zero)
    return min(Decimal(1), max(ZERO, ratio))


def _ratio(rule: Rule, v: Decimal) -> Decimal:
    full, zero = _num(rule.full), _num(rule.zero)
    if rule.kind == "positive":
        if full is None:
            return ZERO
        if zero is None or zero >= full:
            return Decimal(1) if v >= full else ZERO
        return _ratio_between(v, zero, full)
    if rule.kind == "reverse":
        if full is None:
            return ZERO
        if zero is None or zero <= full:
            return Decimal(1) if v <= full else ZERO
        return _ratio_between(v, zero, full)
    if rule.kind == "range":
        high = _num(rule.full_high)
        low = full
        if low is None and high is None:
            return ZERO
        low = high if low is None else low
        high = low if high is None else high
        if low > high:
            low, high = high, low
        if low <= v <= high:
            return Decimal(1)
        if v < low:
            z = zero if zero is not None and zero < low else None
            return ZERO if z is None or v <= z else _ratio_between(v, z, low)
        zh = _num(rule.zero_high)
        z = zh if zh is not None and zh > high else None
        return ZERO if z is None or v >= z else _ratio_between(v, z, high)
    return ZERO


def score(rule: Rule, value) -> Decimal:
    """The marks `value` earns under `rule`: always within [0, weight], two decimals."""
    weight = _num(rule.weight)
    if weight is None or weight <= 0:
        return ZERO.quantize(TWO)
    v = _num(value)
    if v is None:
        return ZERO.quantize(TWO)
    with localcontext() as ctx:
        ctx.prec = 60
        ctx.traps[InvalidOperation] = False
        try:
            if rule.kind == "manual":
                raw = min(weight, max(ZERO, v))
            else:
                raw = weight * _ratio(rule, v)
            out = raw.quantize(TWO, rounding=ROUND_HALF_UP)
        except ArithmeticError:
            out = ZERO
        if not out.is_finite():
            out = ZERO
        out = min(max(out, ZERO), weight)
        return out.quantize(TWO, rounding=ROUND_HALF_UP) if out.is_finite() else ZERO.quantize(TWO)


def check_rule(rule: Rule) -> list[str]:
    """What is wrong with a rule's configuration, in Chinese (empty when it is sound)."""
    problems = []
    weight = _num(rule.weight)
    if weight is None or weight <= 0:
        problems.append("分值须为正数")
    if rule.kind not in RULES:
        return [*problems, f"未知的评分规则“{rule.kind}”"]
    full, zero, fh, zh = (_num(x) for x in (rule.full, rule.zero, rule.full_high, rule.zero_high))
    if rule.kind == "positive":
        if full is None or zero is None:
            problems.append("正向指标须填写满分值和零分值")
        elif zero >= full:
            problems.append("正向指标的零分值应低于满分值")
    elif rule.kind == "reverse":
        if full is None or zero is None:
            problems.append("反向指标须填写满分值和零分值")
        elif zero <= full:
            problems.append("反向指标的零分值应高于满分值")
    elif rule.kind == "range":
        if full is None or fh is None:
            problems.append("区间指标须填写合理区间的下限和上限")
        elif full > fh:
            problems.append("合理区间的下限不能高于上限")
        else:
            if zero is not None and zero >= full:
                problems.append("下限零分值应低于合理区间下限")
            if zh is not None and zh <= fh:
                problems.append("上限零分值应高于合理区间上限")
    return problems


def total(scores) -> Decimal:
    """Sum of the scores given (None counts as 0), two decimals."""
    return sum((_num(s) or ZERO for s in scores), ZERO).quantize(TWO, rounding=ROUND_HALF_UP)


def grade(total_score, bands: dict | None = None) -> str:
    """优/良/中/差 by the configured lower bounds (inclusive); the lowest band (差) below every bound."""
    v = _num(total_score)
    if v is None:
        return ""
    ordered = sorted(((_num(b) or ZERO, name) for name, b in (bands or DEFAULT_BANDS).items()), reverse=True)
    for bound, name in ordered:
        if v >= bound:
            return name
    return "差"


def rank(totals: dict) -> dict:
    """Competition ranking (1, 2, 2, 4) by total, highest first; subjects without a total get None."""
    scored = sorted(((v, k) for k, v in totals.items() if _num(v) is not None), key=lambda x: -_num(x[0]))
    out: dict = {k: None for k in totals}
    position, previous = 0, None
    for i, (v, k) in enumerate(scored, start=1):
        if previous is None or _num(v) != previous:
            position, previous = i, _num(v)
        out[k] = position
    return out


def weak_points(rows: list[tuple[str, Decimal, list]], limit: int = 5) -> list[dict]:
    """Indicators where subjects lost the most marks: (name, weight, [scores]) → worst average score rate first."""
    out = []
    for name, weight, scores in rows:
        w = _num(weight)
        vals = [_num(s) for s in scores if _num(s) is not None]
        if not w or not vals:
            continue
        rate = sum(vals, ZERO) / (w * len(vals)) * 100
        lost = sum(1 for s in vals if s < w)
        out.append({"name": name, "weight": w, "rate": rate.quantize(TWO), "lost": lost, "subjects": len(vals)})
    out.sort(key=lambda r: (r["rate"], r["name"]))
    return [r for r in out if r["rate"] < 100][:limit]

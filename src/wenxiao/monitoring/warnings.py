"""The warning engine of 绩效运行监控 ("双监控"): pure, vectorised, Polars only (no Django, no database).

`run(as_of, projects, monthly, ...)` looks at every project's spending against 序时进度, at its indicators'
to-date and forecast values, and at its past execution rates, and returns one row per project (figures and light)
plus one row per warning (code, level, a Chinese sentence with the numbers, a suggested action and the numbers as
JSON). The Django layer gathers the frames, calls `run()` and stores the result; it is the only caller.

Conventions
-----------
* All rates are percentages rounded to 2 decimals (half away from zero) and every decision is taken on the rounded
  figures, so what a user reads in a warning is what the rule compared: 48.33% against 58.33% is exactly 10.00
  points behind and lights yellow; 48.34% (9.99 points) does not.
* 执行率 (rate) = payments this year up to `as_of` ÷ adjusted annual budget × 100. A budget of 0 (or null, or
  negative) leaves the rate undefined and skips every money rule (M01, M02, M03, M06, M07 and the forecast part of
  M08) for that project; the indicator rules, M08's history part and M09 still apply.
* 序时进度 (`time_progress`) counts elapsed months including the elapsed fraction of the current month:
  (month − 1 + day ÷ days_in_month) ÷ 12 × 100, so the end of July is 58.33 and 15 April is 29.17.
* An indicator's direction may be "up" (bigger is better), "down" (smaller is better) or "eq"; a missing or unknown
  direction counts as "up". Indicators and history rows whose project is not in `projects` are ignored.

Year-end forecast (预计年底执行率, used by M03 and M08)
------------------------------------------------------
Let c be the last complete month at `as_of` (the current month when `as_of` is its last day, otherwise the month
before). The project's own pace is what it paid in months 1..c; the typical pace is the share s(c) of a whole
year's spending that similar projects had paid by the end of month c — the project's peer curve from last year
(`peer_curves()`), or `DEFAULT_CURVE` when the project has no peer group, its group is too small, or the curve's
share at c is not positive. Then

    forecast = max(spent_to_date, min(paid_in_months_1..c ÷ s(c), 3 × budget))
    forecast_rate = forecast ÷ budget × 100

i.e. the project's own payments are scaled up by the peers' remaining seasonal share; the partial current month is
not extrapolated (its payments only count through the floor `spent_to_date`), and the scale-up is capped at three
times the budget so a single early payment cannot produce an absurd figure. The rate is kept uncapped in the
output (a forecast of 130% is shown as 130.00), and nothing above 100 is ever flagged. Before the end of March
(c < 3) two or fewer months of payments say too little about the year, so `forecast_rate` is null, M03 is skipped
and M08 has no forecast part. At year end (c = 12, s = 1) the forecast is simply the year's payments.

Rules (codes are stable; the Django layer and the UI filter on them)
---------------------------------------------------------------------
M01 执行进度滞后          序时进度 − 执行率 ≥ yellow_behind → yellow (urge); ≥ red_behind → red (suspend).
M02 未达节点要求          for each checkpoint (month, line) whose month end is ≤ as_of, the cumulative rate at that
                          month end < line → red; only the latest missed checkpoint is reported; action urge, or
                          cut when the missed checkpoint is the last one of the year (by default December).
M03 预计年底执行率偏低    forecast_rate < forecast_min → yellow, < low_rate → red; action cut (see above).
M04 指标预计无法完成      quantitative indicator whose forecast misses its target (up: forecast < target; down:
                          forecast > target; eq: forecast ≠ target) with likelihood 2 or blank → yellow; likelihood
                          3 (完全不可能) → red whatever the numbers; likelihood 1 (确定能), or a missing forecast
                          or target, → nothing unless likelihood is 3. Action adjust_target. numbers carry
                          偏离度 = |forecast − target| ÷ target × 100 (null when the target is 0).
M05 定性指标预警          qualitative answer 部分达成… → yellow, 未达成… → red (whitespace ignored; the short forms
                          and 达到 for 达成 accepted), 达成年度指标 → nothing; likelihood 3 → red. Action urge.
M06 资金支出快于目标完成  completion − rate < −divergence → yellow (urge).
M07 目标完成快于资金支出  completion − rate > divergence → yellow (verify).
                          completion (目标完成进度) = mean, over the project's quantitative "up" indicators with a
                          target > 0 and a to-date value, of clip(to_date ÷ target, 0, 1) × 100; null when none.
                          When `projects` carries `report_rate` (the execution rate at the period end of the report
                          the to-date values come from), M06/M07 compare completion with it instead of today's rate.
M08 连续两年执行率低于70% the final rates of the last `low_years` years before as_of.year (consecutive, all present)
                          are all < low_rate → red; when low_years ≥ 2 and only the last low_years − 1 of them are
                          (the earliest one is ≥ low_rate or missing) and forecast_rate < low_rate → yellow
                          ("可能连续…"). A gap year breaks the run. Action key_eval. The title follows the
                          configured numbers ("连续三年执行率低于70%" when low_years = 3).
M09 暂缓/停止拨款后仍有支付 paid_after_stop > 0 → red (verify).

A project's light is the worst level among its warnings, green when it has none.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

import polars as pl

__all__ = [
    "ACTIONS",
    "DEFAULT_CURVE",
    "FORECAST_CAP",
    "FORECAST_FROM_MONTH",
    "RULE_TITLES",
    "Result",
    "Rules",
    "WARNING_SCHEMA",
    "peer_curves",
    "run",
    "time_progress",
]

# --- constants ----------------------------------------------------------------------------------------------------

ACTIONS: dict[str, str] = {
    "urge": "督促整改",
    "adjust_target": "调整目标",
    "suspend": "暂缓拨款",
    "stop": "停止拨款",
    "cut": "调减预算",
    "key_eval": "列入重点评价",
    "verify": "核实支付",
}

RULE_TITLES: dict[str, str] = {
    "M01": "执行进度滞后",
    "M02": "未达节点要求",
    "M03": "预计年底执行率偏低",
    "M04": "指标预计无法完成",
    "M05": "定性指标预警",
    "M06": "资金支出快于目标完成",
    "M07": "目标完成快于资金支出",
    "M08": "连续两年执行率低于70%",
    "M09": "暂缓/停止拨款后仍有支付",
}

# Typical cumulative share of a project's annual spending paid by each month end, used until a year of the
# jurisdiction's own payments gives peer curves. Shape: the national 一般公共预算 monthly expenditure pattern
# (about half of the year spent by June, a quarter or more in December) shifted later, because project spending
# lags basic spending (salaries, running costs), with small pushes at quarter ends. Monthly increments
# 4 5 7 7 7 9 6 6 8 7 9 25 (%): a project on this curve that spends its whole budget is at 66% at the end of
# October and so meets the default 60% checkpoint, while one that ends the year at 85% is at 56% and does not.
DEFAULT_CURVE: dict[int, float] = {
    1: 0.04,
    2: 0.09,
    3: 0.16,
    4: 0.23,
    5: 0.30,
    6: 0.39,
    7: 0.45,
    8: 0.51,
    9: 0.59,
    10: 0.66,
    11: 0.75,
    12: 1.00,
}

# The forecast (M03, the forecast part of M08) needs at least this many complete months of payments.
FORECAST_FROM_MONTH = 3
# The curve-based forecast never exceeds this multiple of the budget.
FORECAST_CAP = 3.0

_LEVEL_RANK = {"red": 2, "yellow": 1}
_CN_DIGITS = "零一二三四五六七八九十"

# --- rules --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    """Configurable thresholds (percent points and percentages). Defaults follow REFERENCE §5.3 and R18/R21."""

    yellow_behind: float = 10.0  # execution rate this many points behind time progress → yellow
    red_behind: float = 20.0  # → red
    checkpoints: tuple[tuple[int, float], ...] = ((10, 60.0), (12, 85.0))  # (month, minimum cumulative rate %)
    forecast_min: float = 85.0  # forecast year-end execution rate below this → warning
    divergence: float = 10.0  # |target completion % − execution rate %| above this → warning, both ways
    low_rate: float = 70.0  # R21: final execution rate below this …
    low_years: int = 2  # … this many years running → key-evaluation candidate
    min_peers: int = 5  # peer groups with fewer projects use DEFAULT_CURVE

    def __post_init__(self) -> None:
        object.__setattr__(self, "checkpoints", _parse_checkpoints(self.checkpoints))
        if int(self.low_years) < 1:
            raise ValueError("连续年数至少为1")
        object.__setattr__(self, "low_years", int(self.low_years))
        object.__setattr__(self, "min_peers", max(1, int(self.min_peers)))

    @classmethod
    def from_mapping(cls, d: Mapping[str, Any] | None) -> Rules:
        """Rules from settings: unknown keys and None values are ignored; numbers may be strings.

        `checkpoints` may be "10:60,12:85" (also with ：，； or spaces) or a list of pairs.
        Raises ValueError (with a Chinese message) on a value that is not a number or a malformed checkpoint.
        """
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            if d is None or f.name not in d or d[f.name] is None or d[f.name] == "":
                continue
            value = d[f.name]
            if f.name == "checkpoints":
                kwargs[f.name] = _parse_checkpoints(value)
                continue
            try:
                kwargs[f.name] = int(float(value)) if f.name in ("low_years", "min_peers") else float(value)
            except (TypeError, ValueError):
                raise ValueError(f"预警参数 {f.name} 不是有效数字：{value!r}") from None
        return cls(**kwargs)


def _parse_checkpoints(value: Any) -> tuple[tuple[int, float], ...]:
    """ "10:60,12:85", [(10, 60), (12, 85)], ["10:60"] or {10: 60} → ((10, 60.0), (12, 85.0)), sorted by month."""
    pairs: list[tuple[Any, Any]] = []
    if isinstance(value, str):
        text = value.strip()
        for part in re.split(r"[,，;；\s]+", text) if text else []:
            bits = re.split(r"[:：=]", part)
            if len(bits) != 2:
                raise ValueError(f"节点要求格式应为“月份:执行率”，如“10:60,12:85”，无法识别：{part}")
            pairs.append((bits[0], bits[1].rstrip("%％")))
    elif isinstance(value, Mapping):
        pairs = list(value.items())
    elif isinstance(value, Iterable):
        for item in value:
            if isinstance(item, str):
                pairs.extend(_parse_checkpoints(item))
            else:
                try:
                    month, line = item
                except (TypeError, ValueError):
                    raise ValueError(f"节点要求应为（月份, 执行率）对：{item!r}") from None
                pairs.append((month, line))
    else:
        raise ValueError(f"节点要求格式错误：{value!r}")
    out: dict[int, float] = {}
    for month, line in pairs:
        try:
            m, v = int(float(month)), float(line)
        except (TypeError, ValueError):
            raise ValueError(f"节点要求中的月份或执行率不是数字：{month!r}:{line!r}") from None
        if not 1 <= m <= 12:
            raise ValueError(f"节点要求的月份应在1至12之间：{m}")
        out[m] = v
    return tuple(sorted(out.items()))


# --- time ---------------------------------------------------------------------------------------------------------


def time_progress(as_of: date) -> float:
    """序时进度 in %, 2 decimals: elapsed months including the elapsed fraction of the current month, ÷ 12."""
    days = calendar.monthrange(as_of.year, as_of.month)[1]
    return round((as_of.month - 1 + as_of.day / days) / 12 * 100 + 1e-9, 2)


def _last_complete_month(as_of: date) -> int:
    """The last month whose end is ≤ as_of (0 in January before the 31st)."""
    days = calendar.monthrange(as_of.year, as_of.month)[1]
    return as_of.month if as_of.day == days else as_of.month - 1


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


# --- frame helpers ------------------------------------------------------------------------------------------------

_PROJECTS = {
    "project_id": pl.Int64,
    "budget": pl.Float64,
    "peer": pl.Utf8,
    "paid_after_stop": pl.Float64,
    # Optional: the execution rate (%) at the period end of the monitoring report the indicators' to-date values
    # come from. M06/M07 compare like with like: July's outputs against July's spending, not November's.
    "report_rate": pl.Float64,
}
_MONTHLY = {"project_id": pl.Int64, "month": pl.Int64, "amount": pl.Float64}
_PEERS = {"project_id": pl.Int64, "peer": pl.Utf8}
_CURVES = {"peer": pl.Utf8, "month": pl.Int64, "share": pl.Float64}
_INDICATORS = {
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
_HISTORY = {"project_id": pl.Int64, "year": pl.Int64, "rate": pl.Float64}
WARNING_SCHEMA = {
    "project_id": pl.Int64,
    "indicator_id": pl.Int64,
    "code": pl.Utf8,
    "level": pl.Utf8,
    "title": pl.Utf8,
    "detail": pl.Utf8,
    "action": pl.Utf8,
    "action_text": pl.Utf8,
    "numbers": pl.Utf8,
}


def _conform(df: pl.DataFrame | None, schema: dict[str, Any]) -> pl.DataFrame:
    """The frame with exactly `schema`'s columns: cast (non-strict), NaN → null, missing columns null."""
    if df is None:
        return pl.DataFrame(schema=schema)
    exprs = []
    for name, dtype in schema.items():
        if name in df.columns:
            e = pl.col(name).cast(dtype, strict=False)
            if dtype == pl.Float64:
                e = e.fill_nan(None)
        else:
            e = pl.lit(None, dtype=dtype)
        exprs.append(e.alias(name))
    return df.select(exprs).filter(pl.col("project_id").is_not_null())


def _r2(e: pl.Expr) -> pl.Expr:
    return e.round(2, mode="half_away_from_zero")


def _fixed(e: pl.Expr, decimals: int = 2) -> pl.Expr:
    """A float as fixed-point text ("42.10"); null stays null."""
    scale = 10**decimals
    scaled = (e * scale).round(0, mode="half_away_from_zero").cast(pl.Int64, strict=False)
    absolute = scaled.abs()
    sign = pl.when(scaled < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    return pl.concat_str(
        [sign, (absolute // scale).cast(pl.Utf8), pl.lit("."), (absolute % scale).cast(pl.Utf8).str.zfill(decimals)]
    )


def _pct(e: pl.Expr) -> pl.Expr:
    """A percentage as text with 2 decimals and %: 42.1 → "42.10%"."""
    return pl.concat_str([_fixed(e, 2), pl.lit("%")])


def _num(e: pl.Expr) -> pl.Expr:
    """An indicator value as short text: up to 4 decimals, trailing zeros removed (100.0 → "100", 12.5 → "12.5")."""
    return _fixed(e, 4).str.strip_chars_end("0").str.strip_chars_end(".")


def _money(e: pl.Expr) -> pl.Expr:
    """An amount in yuan as text: "3500.00元" below 10,000, else "12.35万元"."""
    return (
        pl.when(e.abs() < 10_000)
        .then(pl.concat_str([_fixed(e, 2), pl.lit("元")]))
        .otherwise(pl.concat_str([_fixed(e / 10_000, 2), pl.lit("万元")]))
    )


def _lit_pct(x: float) -> str:
    return f"{x:.2f}%"


def _cn_count(n: int) -> str:
    return _CN_DIGITS[n] if 0 <= n <= 10 and n != 2 else ("两" if n == 2 else str(n))


def _emit(
    df: pl.DataFrame,
    code: str,
    level: pl.Expr,
    detail: pl.Expr,
    action: pl.Expr,
    numbers: dict[str, pl.Expr],
    *,
    indicator: bool = False,
    title: str | None = None,
) -> pl.DataFrame:
    """Warning rows in WARNING_SCHEMA (action_text is filled in once at the end)."""
    return df.select(
        pl.col("project_id"),
        (pl.col("indicator_id") if indicator else pl.lit(None, dtype=pl.Int64)).alias("indicator_id"),
        pl.lit(code, dtype=pl.Utf8).alias("code"),
        level.cast(pl.Utf8).alias("level"),
        pl.lit(title or RULE_TITLES[code], dtype=pl.Utf8).alias("title"),
        detail.cast(pl.Utf8).alias("detail"),
        action.cast(pl.Utf8).alias("action"),
        pl.lit(None, dtype=pl.Utf8).alias("action_text"),
        pl.struct(**numbers).struct.json_encode().alias("numbers"),
    )


# --- peer curves --------------------------------------------------------------------------------------------------


def peer_curves(monthly: pl.DataFrame, peers: pl.DataFrame, min_peers: int = 5) -> pl.DataFrame:
    """Typical spending curves per peer group from a past complete year's payments.

    For every project with a positive year total: its cumulative share of the year's payments at each month end
    (clipped to 0..1, refunds can push it outside); per peer group, the median over projects of that share at each
    month, made monotone (running maximum) and forced to 1 at December. Groups with fewer than `min_peers` such
    projects are left out, so `run()` uses DEFAULT_CURVE for them. → peer Utf8, month Int8, share Float64.
    """
    out_schema = {"peer": pl.Utf8, "month": pl.Int8, "share": pl.Float64}
    m = _conform(monthly, _MONTHLY).filter(pl.col("month").is_between(1, 12))
    p = _conform(peers, _PEERS).filter(pl.col("peer").is_not_null()).unique("project_id", keep="first")
    if m.is_empty() or p.is_empty():
        return pl.DataFrame(schema=out_schema)
    amount = pl.col("amount").fill_null(0.0)
    cum = m.group_by("project_id").agg([amount.filter(pl.col("month") <= k).sum().alias(f"c{k}") for k in range(1, 13)])
    shares = (
        cum.filter(pl.col("c12") > 0)
        .join(p, on="project_id", how="inner")
        .select(
            "peer",
            *[(pl.col(f"c{k}") / pl.col("c12")).clip(0.0, 1.0).alias(f"s{k}") for k in range(1, 13)],
        )
    )
    medians = (
        shares.group_by("peer")
        .agg(pl.len().alias("n"), *[pl.col(f"s{k}").median() for k in range(1, 13)])
        .filter(pl.col("n") >= max(1, int(min_peers)))
        .drop("n")
    )
    if medians.is_empty():
        return pl.DataFrame(schema=out_schema)
    return (
        medians.unpivot(index="peer", variable_name="month", value_name="share")
        .with_columns(pl.col("month").str.slice(1).cast(pl.Int8))
        .sort("peer", "month")
        .with_columns(
            pl.when(pl.col("month") == 12)
            .then(pl.lit(1.0))
            .otherwise(pl.col("share").cum_max().over("peer"))
            .alias("share")
        )
        .select("peer", "month", "share")
    )


# --- the run ------------------------------------------------------------------------------------------------------


@dataclass
class Result:
    projects: pl.DataFrame  # project_id, budget, spent, rate, time_progress, forecast_rate, completion, light, warnings
    warnings: pl.DataFrame  # WARNING_SCHEMA, sorted by project, red first, then code and indicator


def run(
    as_of: date,
    projects: pl.DataFrame,
    monthly: pl.DataFrame,
    *,
    curves: pl.DataFrame | None = None,
    indicators: pl.DataFrame | None = None,
    history: pl.DataFrame | None = None,
    rules: Rules = Rules(),
) -> Result:
    """Evaluate every rule for every project as of `as_of` (see the module docstring)."""
    year = as_of.year
    tp = time_progress(as_of)
    c = _last_complete_month(as_of)
    day_text = f"{as_of.month}月{as_of.day}日"

    p = _conform(projects, _PROJECTS).unique("project_id", keep="first", maintain_order=True)
    m = _conform(monthly, _MONTHLY).filter(pl.col("month").is_between(1, as_of.month))
    checkpoints = [(k, line) for k, line in rules.checkpoints if _month_end(year, k) <= as_of]

    # Money: spent to date, through the last complete month, and at each checkpoint month that has passed.
    amount = pl.col("amount").fill_null(0.0)
    money_cols = ["spent", "spent_c", *[f"cp{k}" for k, _ in checkpoints]]
    money = m.group_by("project_id").agg(
        amount.sum().alias("spent"),
        amount.filter(pl.col("month") <= c).sum().alias("spent_c"),
        *[amount.filter(pl.col("month") <= k).sum().alias(f"cp{k}") for k, _ in checkpoints],
    )
    p = p.join(money, on="project_id", how="left", maintain_order="left").with_columns(
        [pl.col(col).fill_null(0.0) for col in money_cols]
        + [pl.col("budget").fill_null(0.0), pl.col("paid_after_stop").fill_null(0.0)]
    )
    has_budget = pl.col("budget") > 0

    # Curve share at the last complete month: the peer curve if there is one, else DEFAULT_CURVE.
    default_share = DEFAULT_CURVE.get(c, 0.0)
    cv = _conform_curves(curves).filter(pl.col("month") == c).unique("peer", keep="first").select("peer", "share")
    p = p.join(cv, on="peer", how="left", maintain_order="left").with_columns(
        pl.when(pl.col("share") > 0).then(pl.lit("peer")).otherwise(pl.lit("default")).alias("curve"),
        pl.when(pl.col("share") > 0).then(pl.col("share")).otherwise(pl.lit(default_share)).alias("share"),
    )

    forecasting = c >= FORECAST_FROM_MONTH
    forecast = pl.max_horizontal(
        pl.col("spent"), pl.min_horizontal(pl.col("spent_c") / pl.col("share"), FORECAST_CAP * pl.col("budget"))
    )
    p = p.with_columns(
        pl.when(has_budget).then(_r2(pl.col("spent") / pl.col("budget") * 100)).alias("rate"),
        pl.lit(tp, dtype=pl.Float64).alias("time_progress"),
        (pl.when(has_budget).then(forecast) if forecasting else pl.lit(None, dtype=pl.Float64)).alias("forecast"),
    ).with_columns(_r2(pl.col("forecast") / pl.col("budget") * 100).alias("forecast_rate"))

    ind = _conform(indicators, _INDICATORS).join(p.select("project_id"), on="project_id", how="semi")
    ind = ind.with_columns(
        _tidy_code(ind, "kind", ("quant", "qual"), None),
        _tidy_code(ind, "direction", ("up", "down", "eq"), "up"),
    )
    completion = (
        ind.filter(
            (pl.col("kind") == "quant")
            & (pl.col("direction") == "up")
            & (pl.col("target") > 0)
            & pl.col("to_date").is_not_null()
        )
        .group_by("project_id")
        .agg(((pl.col("to_date") / pl.col("target")).clip(0.0, 1.0) * 100).mean().alias("completion"))
    )
    p = p.join(completion, on="project_id", how="left", maintain_order="left").with_columns(_r2(pl.col("completion")))

    frames = [
        _m01(p, rules, tp, day_text),
        _m02(p, rules, checkpoints),
        _m03(p, rules, c, forecasting),
        _m04(ind),
        _m05(ind),
        *_m06_m07(p, rules),
        _m08(p, history, rules, year),
        _m09(p),
    ]
    warnings = pl.concat(frames, how="vertical")
    warnings = (
        warnings.with_columns(
            pl.col("action").replace_strict(ACTIONS, default=None, return_dtype=pl.Utf8).alias("action_text")
        )
        .with_columns(pl.col("level").replace_strict(_LEVEL_RANK, default=0, return_dtype=pl.Int8).alias("_rank"))
        .sort(["project_id", "_rank", "code", "indicator_id"], descending=[False, True, False, False], nulls_last=False)
        .drop("_rank")
    )

    per_project = warnings.group_by("project_id").agg(
        pl.col("level").replace_strict(_LEVEL_RANK, default=0, return_dtype=pl.Int8).max().alias("_worst"),
        pl.len().cast(pl.Int64).alias("warnings"),
    )
    out = (
        p.join(per_project, on="project_id", how="left", maintain_order="left")
        .with_columns(
            pl.when(pl.col("_worst") == 2)
            .then(pl.lit("red"))
            .when(pl.col("_worst") == 1)
            .then(pl.lit("yellow"))
            .otherwise(pl.lit("green"))
            .alias("light"),
            pl.col("warnings").fill_null(0),
            _r2(pl.col("spent")),
        )
        .select(
            "project_id", "budget", "spent", "rate", "time_progress", "forecast_rate", "completion", "light", "warnings"
        )
    )
    return Result(projects=out, warnings=warnings)


def _tidy_code(df: pl.DataFrame, name: str, allowed: tuple[str, ...], default: str | None) -> pl.Expr:
    """A code column trimmed and lower-cased, anything else (and null) → default, mapped over its distinct values."""
    mapping = {}
    for value in df.get_column(name).unique().to_list():
        if value is not None:
            tidy = value.strip().lower()
            mapping[value] = tidy if tidy in allowed else default
    if all(k == v for k, v in mapping.items()) and (default is None or df.get_column(name).null_count() == 0):
        return pl.col(name)
    return pl.col(name).replace_strict(mapping, default=default, return_dtype=pl.Utf8)


def _conform_curves(curves: pl.DataFrame | None) -> pl.DataFrame:
    if curves is None:
        return pl.DataFrame(schema=_CURVES)
    exprs = []
    for name, dtype in _CURVES.items():
        e = pl.col(name).cast(dtype, strict=False) if name in curves.columns else pl.lit(None, dtype=dtype)
        exprs.append((e.fill_nan(None) if dtype == pl.Float64 else e).alias(name))
    return curves.select(exprs).filter(pl.col("peer").is_not_null())


# --- the rules ----------------------------------------------------------------------------------------------------


def _m01(p: pl.DataFrame, rules: Rules, tp: float, day_text: str) -> pl.DataFrame:
    behind = _r2(pl.lit(tp) - pl.col("rate"))
    df = p.with_columns(behind.alias("behind")).filter(pl.col("behind") >= rules.yellow_behind)
    red = pl.col("behind") >= rules.red_behind
    return _emit(
        df,
        "M01",
        pl.when(red).then(pl.lit("red")).otherwise(pl.lit("yellow")),
        pl.concat_str(
            [
                pl.lit(f"截至{day_text}预算执行率"),
                _pct(pl.col("rate")),
                pl.lit(f"，低于序时进度{_lit_pct(tp)}共"),
                _fixed(pl.col("behind")),
                pl.lit("个百分点"),
            ]
        ),
        pl.when(red).then(pl.lit("suspend")).otherwise(pl.lit("urge")),
        {
            "rate": pl.col("rate"),
            "time_progress": pl.col("time_progress"),
            "behind": pl.col("behind"),
            "spent": _r2(pl.col("spent")),
            "budget": pl.col("budget"),
        },
    )


def _m02(p: pl.DataFrame, rules: Rules, checkpoints: list[tuple[int, float]]) -> pl.DataFrame:
    out = []
    last_month = rules.checkpoints[-1][0] if rules.checkpoints else None
    later_missed = pl.lit(False)
    budgeted = p.filter(pl.col("budget") > 0)
    for k, line in sorted(checkpoints, reverse=True):
        cum_rate = _r2(pl.col(f"cp{k}") / pl.col("budget") * 100)
        missed = cum_rate < line
        df = budgeted.with_columns(cum_rate.alias("cum_rate")).filter(missed & ~later_missed)
        later_missed = later_missed | missed
        gap = _r2(pl.lit(line) - pl.col("cum_rate"))
        out.append(
            _emit(
                df,
                "M02",
                pl.lit("red"),
                pl.concat_str(
                    [
                        pl.lit(f"截至{k}月底累计预算执行率"),
                        _pct(pl.col("cum_rate")),
                        pl.lit(f"，未达到{k}月底{_lit_pct(line)}的节点要求，相差"),
                        _fixed(gap),
                        pl.lit("个百分点"),
                    ]
                ),
                pl.lit("cut" if k == last_month else "urge"),
                {
                    "checkpoint_month": pl.lit(k),
                    "line": pl.lit(float(line)),
                    "cum_rate": pl.col("cum_rate"),
                    "gap": gap,
                    "cum_spent": _r2(pl.col(f"cp{k}")),
                    "budget": pl.col("budget"),
                },
            )
        )
    return pl.concat(out, how="vertical") if out else pl.DataFrame(schema=WARNING_SCHEMA)


def _m03(p: pl.DataFrame, rules: Rules, c: int, forecasting: bool) -> pl.DataFrame:
    if not forecasting:
        return pl.DataFrame(schema=WARNING_SCHEMA)
    df = p.filter(pl.col("forecast_rate") < min(rules.forecast_min, 100.0))  # a forecast above 100% is never flagged
    red = pl.col("forecast_rate") < rules.low_rate
    basis = (
        pl.when(pl.col("curve") == "peer")
        .then(pl.concat_str([pl.lit("按同类项目（"), pl.col("peer"), pl.lit("）上年支出进度测算")]))
        .otherwise(pl.lit("按一般项目支出进度测算"))
    )
    return _emit(
        df,
        "M03",
        pl.when(red).then(pl.lit("red")).otherwise(pl.lit("yellow")),
        pl.concat_str(
            [
                basis,
                pl.lit(f"，截至{c}月底已支付"),
                _money(pl.col("spent_c")),
                pl.lit("，预计全年支出"),
                _money(pl.col("forecast")),
                pl.lit("，预计年底预算执行率"),
                _pct(pl.col("forecast_rate")),
                pl.lit(f"，低于{_lit_pct(rules.forecast_min)}"),
            ]
        ),
        pl.lit("cut"),
        {
            "forecast_rate": pl.col("forecast_rate"),
            "forecast": _r2(pl.col("forecast")),
            "spent": _r2(pl.col("spent")),
            "spent_through_month": _r2(pl.col("spent_c")),
            "month": pl.lit(c),
            "share": pl.col("share").round(4),
            "curve": pl.col("curve"),
            "budget": pl.col("budget"),
            "threshold": pl.lit(rules.forecast_min),
        },
    )


_LIKELIHOOD_TEXT = {1: "确定能", 2: "有可能", 3: "完全不可能"}


def _name() -> pl.Expr:
    return pl.concat_str([pl.lit("“"), pl.col("name").fill_null("（未命名指标）"), pl.lit("”")])


def _m04(ind: pl.DataFrame) -> pl.DataFrame:
    f, t, d = pl.col("forecast"), pl.col("target"), pl.col("direction")
    misses = (
        pl.when(d == "down")
        .then(f > t)
        .when(d == "eq")
        .then((f - t).abs() > 1e-9 * pl.max_horizontal(t.abs(), pl.lit(1.0)))
        .otherwise(f < t)
        .fill_null(False)
    )
    impossible = (pl.col("likelihood") == 3).fill_null(False)
    df = (
        ind.filter(pl.col("kind") == "quant")
        .with_columns(misses.alias("_misses"), impossible.alias("_impossible"))
        .filter(pl.col("_impossible") | (pl.col("_misses") & (pl.col("likelihood").fill_null(2) != 1)))
    )
    # Text pieces, computed once on the (few) flagged rows.
    relation = (
        pl.when(~pl.col("_misses"))
        .then(pl.lit("，年度指标值"))
        .when(d == "down")
        .then(pl.lit("，高于年度指标值"))
        .when(d == "eq")
        .then(pl.lit("，不等于年度指标值"))
        .otherwise(pl.lit("，低于年度指标值"))
    )
    df = df.with_columns(
        pl.when(t != 0).then(_r2((f - t).abs() / t.abs() * 100)).alias("_deviation"),
        _name().alias("_name"),
        pl.concat_str([pl.lit("全年预计完成"), _num(f), relation, _num(t)]).alias("_figures"),
    ).with_columns(
        pl.concat_str(
            [
                pl.col("_figures"),
                pl.when(pl.col("_misses") & pl.col("_deviation").is_not_null())
                .then(pl.concat_str([pl.lit("，偏离度"), _pct(pl.col("_deviation"))]))
                .otherwise(pl.lit("")),
            ]
        ).fill_null("")
    )
    likelihood_text = pl.col("likelihood").replace_strict(_LIKELIHOOD_TEXT, default="未填报", return_dtype=pl.Utf8)
    separator = pl.when(pl.col("_figures") != "").then(pl.lit("，")).otherwise(pl.lit(""))
    detail = pl.concat_str(
        [
            pl.lit("指标"),
            pl.col("_name"),
            pl.when(pl.col("_impossible"))
            .then(pl.concat_str([pl.lit("完成目标可能性填报为“完全不可能”"), separator, pl.col("_figures")]))
            .otherwise(pl.concat_str([pl.col("_figures"), pl.lit("，完成目标可能性："), likelihood_text])),
        ]
    )
    return _emit(
        df,
        "M04",
        pl.when(pl.col("_impossible")).then(pl.lit("red")).otherwise(pl.lit("yellow")),
        detail,
        pl.lit("adjust_target"),
        {
            "target": t,
            "to_date": pl.col("to_date"),
            "forecast": f,
            "direction": d,
            "likelihood": pl.col("likelihood"),
            "deviation": pl.col("_deviation"),
        },
        indicator=True,
    )


def _m05(ind: pl.DataFrame) -> pl.DataFrame:
    answer = pl.col("answer")
    red_answer = pl.any_horizontal(answer.str.contains(w, literal=True) for w in ("未达成", "未达到")).fill_null(False)
    yellow_answer = pl.any_horizontal(answer.str.contains(w, literal=True) for w in ("部分达成", "部分达到"))
    yellow_answer = yellow_answer.fill_null(False) & ~red_answer
    impossible = (pl.col("likelihood") == 3).fill_null(False)
    df = (
        ind.filter(pl.col("kind") == "qual")
        .with_columns(answer.str.replace_all(r"\s+", ""))
        .filter(red_answer | yellow_answer | impossible)
    )
    shown = pl.when(answer.str.len_chars() > 60).then(answer.str.slice(0, 60) + "…").otherwise(answer)
    detail = pl.concat_str(
        [
            pl.lit("定性指标"),
            _name(),
            pl.when(answer.is_not_null() & (answer != ""))
            .then(pl.concat_str([pl.lit("完成情况为“"), shown, pl.lit("”")]))
            .otherwise(pl.lit("")),
            pl.when(impossible & answer.is_not_null() & (answer != "")).then(pl.lit("，")).otherwise(pl.lit("")),
            pl.when(impossible).then(pl.lit("完成目标可能性填报为“完全不可能”")).otherwise(pl.lit("")),
        ]
    )
    return _emit(
        df,
        "M05",
        pl.when(red_answer | impossible).then(pl.lit("red")).otherwise(pl.lit("yellow")),
        detail,
        pl.lit("urge"),
        {"answer": answer, "likelihood": pl.col("likelihood")},
        indicator=True,
    )


def _m06_m07(p: pl.DataFrame, rules: Rules) -> list[pl.DataFrame]:
    """Target completion against execution; with `report_rate`, against execution at the report's period end."""
    base = (
        p.filter(pl.col("rate").is_not_null() & pl.col("completion").is_not_null())
        .with_columns(pl.when(pl.col("budget") > 0).then(pl.coalesce("report_rate", "rate")).alias("rate"))
        .with_columns(_r2(pl.col("completion") - pl.col("rate")).alias("gap"))
    )
    numbers = {"completion": pl.col("completion"), "rate": pl.col("rate"), "gap": pl.col("gap")}
    slow = _emit(
        base.filter(pl.col("gap") < -rules.divergence),
        "M06",
        pl.lit("yellow"),
        pl.concat_str(
            [
                pl.lit("目标完成进度"),
                _pct(pl.col("completion")),
                pl.lit("，低于预算执行率"),
                _pct(pl.col("rate")),
                pl.lit("共"),
                _fixed(-pl.col("gap")),
                pl.lit("个百分点，资金支出快于目标完成"),
            ]
        ),
        pl.lit("urge"),
        numbers,
    )
    fast = _emit(
        base.filter(pl.col("gap") > rules.divergence),
        "M07",
        pl.lit("yellow"),
        pl.concat_str(
            [
                pl.lit("目标完成进度"),
                _pct(pl.col("completion")),
                pl.lit("，高于预算执行率"),
                _pct(pl.col("rate")),
                pl.lit("共"),
                _fixed(pl.col("gap")),
                pl.lit("个百分点，请核实是否存在已发生未支付或未入账的支出"),
            ]
        ),
        pl.lit("verify"),
        numbers,
    )
    return [slow, fast]


def _m08(p: pl.DataFrame, history: pl.DataFrame | None, rules: Rules, year: int) -> pl.DataFrame:
    n = rules.low_years
    years = [year - k for k in range(n, 0, -1)]  # oldest first, ending at year − 1
    h = (
        _conform(history, _HISTORY)
        .filter(pl.col("year").is_in(years) & pl.col("rate").is_not_null())
        .unique(["project_id", "year"], keep="last", maintain_order=True)
    )
    wide = h.group_by("project_id").agg(
        [_r2(pl.col("rate").filter(pl.col("year") == y).first()).alias(f"y{y}") for y in years]
    )
    df = p.select("project_id", "forecast_rate").join(wide, on="project_id", how="inner")
    if df.is_empty():
        return pl.DataFrame(schema=WARNING_SCHEMA)
    low = {y: (pl.col(f"y{y}") < rules.low_rate).fill_null(False) for y in years}
    all_low = pl.all_horizontal([low[y] for y in years])
    recent_low = pl.all_horizontal([low[y] for y in years[1:]]) if n >= 2 else pl.lit(False)
    maybe = ~all_low & recent_low & (pl.col("forecast_rate") < rules.low_rate).fill_null(False)
    title = (
        RULE_TITLES["M08"] if (n, rules.low_rate) == (2, 70.0) else f"连续{_cn_count(n)}年执行率低于{rules.low_rate:g}%"
    )

    def list_years(ys: list[int]) -> str:
        return "、".join(f"{y}年" for y in ys)

    def list_rates(ys: list[int]) -> pl.Expr:
        return pl.concat_str([_pct(pl.col(f"y{y}")) for y in ys], separator="、")

    red_detail = pl.concat_str(
        [
            pl.lit(list_years(years) + ("预算执行率分别为" if n > 1 else "预算执行率为")),
            list_rates(years),
            pl.lit(f"，连续{n}年低于{_lit_pct(rules.low_rate)}，应列入重点评价"),
        ]
    )
    recent = years[1:]
    yellow_detail = pl.concat_str(
        [
            pl.lit(list_years(recent) + ("预算执行率分别为" if len(recent) > 1 else "预算执行率为")),
            list_rates(recent) if recent else pl.lit(""),
            pl.lit(f"，预计{year}年执行率为"),
            _pct(pl.col("forecast_rate")),
            pl.lit(f"，可能连续{n}年低于{_lit_pct(rules.low_rate)}"),
        ]
    )
    return _emit(
        df.filter(all_low | maybe),
        "M08",
        pl.when(all_low).then(pl.lit("red")).otherwise(pl.lit("yellow")),
        pl.when(all_low).then(red_detail).otherwise(yellow_detail),
        pl.lit("key_eval"),
        {
            "rates": pl.struct(**{str(y): pl.col(f"y{y}") for y in years}),
            "forecast_rate": pl.col("forecast_rate"),
            "low_rate": pl.lit(rules.low_rate),
            "years": pl.lit(n),
        },
        title=title,
    )


def _m09(p: pl.DataFrame) -> pl.DataFrame:
    df = p.filter(pl.col("paid_after_stop") > 0)
    return _emit(
        df,
        "M09",
        pl.lit("red"),
        pl.concat_str([pl.lit("已作出暂缓或停止拨款决定后仍支付"), _money(pl.col("paid_after_stop"))]),
        pl.lit("verify"),
        {"paid_after_stop": _r2(pl.col("paid_after_stop"))},
    )

"""`wenxiao bench monitor`: the warning run of 绩效运行监控 (monitoring/services.run_warnings) against DuckDB SQL.

    wenxiao bench monitor [--projects 200000] [--year 2026] [--as-of 2026-11-20] [--rerun]

Data (child process, fresh SQLite database in a temporary data dir, not timed): one city (bench/ingest.py's
`make_jurisdiction`), `--projects` projects in the library with budgets for the year and the two before, an
approved target per project with 10 indicator rows (comparator, value_kind and number as
`targets.services.parse_into` sets them: 9 quantitative ≥/≤/= rows in numbers and percentages, 1 qualitative), a
1–7月 monitoring round whose forms 90% of the units have submitted (to-date value, year-end forecast and
likelihood per line, the qualitative line answered from QUAL_ANSWERS), and the monthly totals of 50 payments per
project this year (up to the as-of date) and last year, plus one total for the year before (history, M08).
Spending profiles follow seed/monitoring.py (on track, slow, stalled, early); 8% of the projects spent under 70%
last year, half of them the year before too; 0.5% are under 暂缓拨款 since June and their payments of this year
are stored as Payment rows (M09). Randomness is a hash of row ids (deterministic for a given Polars version).
Rows are written with plain sqlite3 executemany (secondary indexes and triggers dropped during the load and made
again from their own SQL, foreign keys checked afterwards); the connection is closed afterwards so the run starts
on a fresh one with the default settings.

Timed: `services.run_warnings(region, year, as_of)` — load the frames from SQLite (data.load), the engine
(warnings.run), replace ProjectStatus and write the Warning rows, audit event and commit. The breakdown wraps the
module functions involved (no change to the code under test).

Reference, same run, same data: the tables the load reads are copied to a DuckDB file database (via Parquet; not
timed). Timed: one SQL script that does what data.load and warnings.run do — the same joins and filters, peer
curves (median share per 支出功能分类 类 of last year's spending, monotone), spent/rate/forecast/completion per
project, the rules M01–M09 with the Chinese detail text and the numbers as JSON — and materialises the
per-project status and the warning rows as tables. ratio_vs_duckdb = our seconds ÷ DuckDB's seconds.

Checks: warnings per rule and level, the (project, rule, indicator, level) sets, and the per-project figures
(rate, forecast rate, completion, light) agree between the two. The one accepted difference: a project whose
unrounded figure lies exactly on a x.xx5 tie may come out one rounding step apart (and with it a warning), because
both sides sum REAL amounts in different orders and the last bit of the sum decides the rounding; such projects
are counted and listed, any other difference fails the bench.
"""

from __future__ import annotations

import argparse
import calendar
import time
from datetime import date
from pathlib import Path

from bench.ingest import YEAR, Phases, make_jurisdiction, run_child, setup_django

# Cumulative share of a year's spending at each month end (seed/monitoring.py CURVE).
CURVE = [0.04, 0.10, 0.18, 0.27, 0.36, 0.45, 0.54, 0.62, 0.71, 0.80, 0.88, 1.0]
# (profile, share of projects, range of the year's final execution rate), as seed/monitoring.py PROFILES.
PROFILES = [
    ("normal", 0.78, 0.93, 1.0),
    ("slow", 0.12, 0.6, 0.85),
    ("stalled", 0.05, 0.05, 0.3),
    ("early", 0.05, 0.98, 1.0),
]
PAYMENTS = 50  # per project and year
# The 10 indicator rows of every target: (一级, 二级, 三级, 计量单位, the year's values a project may have).
INDICATORS = [
    ("产出指标", "数量指标", "完成建设任务数", "个", ["≥10", "≥20", "≥50", "≥80", "≥120", "≥200"]),
    ("产出指标", "数量指标", "覆盖服务人次", "人次", ["≥500", "≥1000", "≥3000", "≥5000", "≥10000"]),
    ("产出指标", "质量指标", "验收合格率", "%", ["≥95%", "≥98%", "=100%"]),
    ("产出指标", "质量指标", "设施完好率", "%", ["≥90%", "≥95%"]),
    ("产出指标", "时效指标", "按时完成率", "%", ["=100%", "≥95%"]),
    ("产出指标", "成本指标", "单位建设成本", "万元", ["≤50", "≤120", "≤300"]),
    ("效益指标", "社会效益指标", "受益群众人数", "人", ["≥1000", "≥5000", "≥20000"]),
    ("效益指标", "经济效益指标", "带动农户增收", "万元", ["≥10", "≥50", "≥100"]),
    ("效益指标", "可持续影响指标", "长效管护机制", "", ["健全", "逐步完善"]),
    ("满意度指标", "服务对象满意度指标", "服务对象满意度", "%", ["≥90%", "≥95%"]),
]
STAMP = "2026-01-15 09:00:00"


def _yuan(fen: str):
    """Fen (Int64) → yuan as the REAL SQLite stores for the ingest's text "1234.56" (the nearest double; Polars'
    `fen / 100` is not always that one)."""
    import polars as pl

    text = pl.concat_str(
        (pl.col(fen) // 100).cast(pl.Utf8), pl.lit("."), (pl.col(fen) % 100).cast(pl.Utf8).str.zfill(2)
    )
    return text.cast(pl.Float64)


def _u(col: str, salt: int):
    """A deterministic uniform [0, 1) per row: a seeded hash of an id column."""
    import polars as pl

    return (pl.col(col).hash(seed=salt) % 1_000_003).cast(pl.Float64) / 1_000_003


# --- data --------------------------------------------------------------------------------------------------------


def _projects_frame(j, n: int, year: int):
    import polars as pl

    units = pl.DataFrame(
        {
            "unit_idx": list(range(len(j.units))),
            "unit_id": [u.id for u in j.units],
            "department_id": [u.parent_id for u in j.units],
            "unit_code": [u.code for u in j.units],
        },
        schema={"unit_idx": pl.Int64, "unit_id": pl.Int64, "department_id": pl.Int64, "unit_code": pl.Utf8},
    )
    fcs = pl.DataFrame({"fc_idx": list(range(len(j.function_codes))), "function_class_id": j.function_codes})
    fcs = fcs.with_columns(pl.col("fc_idx").cast(pl.Int64))
    profile = pl.when(pl.col("chronic") & (pl.col("u_prof") < 0.5)).then(pl.lit("slow"))
    acc = 0.0
    for name, share, _, _ in PROFILES[:-1]:
        acc += share
        profile = profile.when(pl.col("u_prof") < acc).then(pl.lit(name))
    profile = profile.otherwise(pl.lit(PROFILES[-1][0]))
    rate = pl.when(pl.lit(False)).then(pl.lit(0.0))
    for name, _, lo, hi in PROFILES:
        rate = rate.when(pl.col("profile") == name).then(lo + (hi - lo) * pl.col("u_rate"))
    n_units = len(j.units)
    return (
        pl.DataFrame({"id": pl.int_range(1, n + 1, eager=True, dtype=pl.Int64)})
        .with_columns(
            ((pl.col("id") - 1) % n_units).alias("unit_idx"),
            ((pl.col("id") - 1) // n_units + 1).alias("seq"),
            (pl.col("id").hash(seed=3) % len(j.function_codes)).cast(pl.Int64).alias("fc_idx"),
            _u("id", 1).alias("u_budget"),
            _u("id", 2).alias("u_prof"),
            _u("id", 3).alias("u_rate"),
            (_u("id", 4) < 0.08).alias("chronic"),
            (_u("id", 5) < 0.005).alias("suspended"),
            _u("id", 6).alias("u_hist"),
            (_u("id", 7) < 0.9).alias("reported"),
            _u("id", 8).alias("u_prev"),
            _u("id", 9).alias("u_b1"),
            _u("id", 10).alias("u_b2"),
        )
        .join(units, on="unit_idx")
        .join(fcs, on="fc_idx")
        .sort("id")
        .with_columns(
            (((10 ** (4.5 + 2.5 * pl.col("u_budget"))) / 100).round(0) * 100).alias("budget"),
            profile.alias("profile"),
            pl.concat_str(
                pl.lit(f"{j.region.code[:6]}{year:04d}"),
                pl.col("unit_code").str.slice(-6),
                pl.col("seq").cast(pl.Utf8).str.zfill(5),
            ).alias("code"),
        )
        .with_columns(
            rate.alias("rate_now"),
            pl.when(pl.col("chronic"))
            .then(0.40 + 0.29 * pl.col("u_prev"))
            .otherwise(0.88 + 0.12 * pl.col("u_prev"))
            .alias("rate_prev"),
            pl.when(pl.col("chronic") & (pl.col("u_hist") < 0.6))
            .then(0.45 + 0.2 * pl.col("u_hist"))
            .otherwise(0.88 + 0.12 * pl.col("u_hist"))
            .alias("rate_prev2"),
            ((pl.col("budget") * (0.9 + 0.2 * pl.col("u_b1")) / 100).round(0) * 100).alias("budget_prev"),
            ((pl.col("budget") * (0.9 + 0.2 * pl.col("u_b2")) / 100).round(0) * 100).alias("budget_prev2"),
        )
    )


def _payments(projects, salt: int, budget: str, rate: str, early: bool, until: date):
    """PAYMENTS payments per project in months 1..12 along CURVE (early projects: ×1.9), dropped after `until`."""
    import polars as pl

    n = projects.height
    v = pl.col("v")
    months = []
    for share in CURVE[:-1]:
        threshold = pl.lit(share)
        if early:
            threshold = pl.when(pl.col("profile") == "early").then(pl.lit(min(1.0, share * 1.9))).otherwise(threshold)
        months.append((v > threshold).cast(pl.Int64))
    lookup = projects.select(
        pl.col("id").alias("project_id"), "unit_id", "profile", pl.col(budget).alias("_b"), pl.col(rate).alias("_r")
    )
    frame = (
        pl.DataFrame({"i": pl.int_range(0, n * PAYMENTS, eager=True, dtype=pl.Int64)})
        .with_columns((pl.col("i") // PAYMENTS + 1).alias("project_id"))
        .join(lookup, on="project_id", how="left")
        .with_columns(
            _u("i", salt).alias("v"),
            ((_u("i", salt + 1) * 28).floor().cast(pl.Int64) + 1).alias("day"),
            _u("i", salt + 2).alias("w"),
        )
        .with_columns(
            (1 + pl.sum_horizontal(months)).alias("month"),
            pl.max_horizontal(pl.lit(100), (pl.col("_b") * 100 * pl.col("_r") / PAYMENTS * (0.5 + pl.col("w"))).floor())
            .cast(pl.Int64)
            .alias("fen"),
        )
    )
    return frame.filter(
        (pl.col("month") < until.month) | ((pl.col("month") == until.month) & (pl.col("day") <= until.day))
    ).select("i", "project_id", "unit_id", "month", "day", "fen")


def _monthly(payments, region_id: int, year: int):
    import polars as pl

    return (
        payments.group_by("project_id", "month")
        .agg(pl.col("fen").sum(), pl.len().cast(pl.Int64).alias("payments"))
        .sort("project_id", "month")
        .select(
            pl.lit(region_id, pl.Int64).alias("region_id"),
            "project_id",
            pl.lit(year, pl.Int64).alias("year"),
            "month",
            _yuan("fen").alias("amount"),
            "payments",
        )
    )


def _indicator_values(year: int):
    """(k, j) → the parsed value of template k's j-th value text, as targets.services.parse_into sets it."""
    import polars as pl

    from wenxiao.core.values import parse

    rows = []
    for k, (level1, level2, name, unit, values) in enumerate(INDICATORS):
        for jdx, text in enumerate(values):
            v = parse(text, unit, year=year)
            number = float(v.number) if v.number is not None else None
            rows.append(
                (k, jdx, len(values), level1, level2, name, unit, text, v.comparator.value, v.kind.value, number)
            )
    schema = {
        "k": pl.Int64,
        "j": pl.Int64,
        "choices": pl.Int64,
        "level1": pl.Utf8,
        "level2": pl.Utf8,
        "name": pl.Utf8,
        "unit": pl.Utf8,
        "value": pl.Utf8,
        "comparator": pl.Utf8,
        "value_kind": pl.Utf8,
        "number": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def _indicators(projects, year: int):
    """Targets' indicator rows and the monitoring lines reported against them (one line per indicator)."""
    import polars as pl

    from wenxiao.monitoring.models import QUAL_ANSWERS

    values = _indicator_values(year)
    choices = values.select("k", "choices").unique("k")
    rows = (
        projects.select(pl.col("id").alias("target_id"), "reported")
        .join(pl.DataFrame({"k": list(range(len(INDICATORS)))}, schema={"k": pl.Int64}), how="cross")
        .with_columns(((pl.col("target_id") - 1) * len(INDICATORS) + pl.col("k") + 1).alias("id"))
        .join(choices, on="k")
        .with_columns((_u("id", 31) * pl.col("choices")).floor().cast(pl.Int64).alias("j"))
        .join(values.drop("choices"), on=["k", "j"])
        .sort("id")
        .with_columns(
            _u("id", 32).alias("u1"), _u("id", 33).alias("u2"), _u("id", 34).alias("u3"), _u("id", 35).alias("u4")
        )
    )
    t, u1, u2, u3, u4 = (pl.col(c) for c in ("number", "u1", "u2", "u3", "u4"))
    comparator = pl.col("comparator")
    quant = pl.col("value_kind").is_in(["number", "percent"])
    hit = u2 < 0.85
    to_date = (
        pl.when(comparator == "≤")
        .then(t * (0.3 + 0.4 * u1))
        .when(comparator == "=")
        .then(t * (0.5 + 0.5 * u1))
        .otherwise(t * (0.3 + 0.6 * u1))
    )
    forecast = (
        pl.when(comparator == "≤")
        .then(pl.when(hit).then(t * (0.85 + 0.15 * u3)).otherwise(t * (1.01 + 0.15 * u3)))
        .when(comparator == "=")
        .then(pl.when(hit).then(t).otherwise(t * (0.95 + 0.04 * u3)))
        .otherwise(pl.when(hit).then(t * (1.0 + 0.1 * u3)).otherwise(t * (0.8 + 0.19 * u3)))
    )
    answer = (
        pl.when(u2 < 0.8)
        .then(pl.lit(QUAL_ANSWERS[0]))
        .when(u2 < 0.95)
        .then(pl.lit(QUAL_ANSWERS[1]))
        .otherwise(pl.lit(QUAL_ANSWERS[2]))
    )
    likelihood = (
        pl.when(u4 < 0.7)
        .then(pl.lit(1, pl.Int64))
        .when(u4 < 0.93)
        .then(pl.lit(2, pl.Int64))
        .when(u4 < 0.97)
        .then(pl.lit(3, pl.Int64))
        .otherwise(pl.lit(None, pl.Int64))
    )
    rows = rows.with_columns(
        pl.when(quant).then(to_date.round(2)).alias("to_date_number"),
        pl.when(quant).then(forecast.round(2)).alias("forecast_number"),
        likelihood.alias("likelihood"),
        pl.when(~quant).then(answer).alias("answer"),
    )
    text = pl.col("forecast_number").round(2).cast(pl.Utf8).str.replace(r"\.0$", "")
    return rows.with_columns(
        pl.col("to_date_number").round(2).cast(pl.Utf8).str.replace(r"\.0$", "").fill_null("").alias("to_date"),
        pl.coalesce(text, pl.col("answer")).fill_null("").alias("forecast"),
    )


def build(j, n: int, year: int, as_of: date) -> dict[str, int]:
    """Write the data set (see the module docstring) with sqlite3 executemany; returns row counts."""
    import polars as pl
    from django.db import connection, transaction

    projects = _projects_frame(j, n, year)
    region_id, user_id = j.region.id, j.user.id
    now = _payments(projects, 21, "budget", "rate_now", True, as_of)
    last = _payments(projects, 41, "budget_prev", "rate_prev", False, date(year - 1, 12, 31))
    monthly = pl.concat(
        [
            _monthly(now, region_id, year),
            _monthly(last, region_id, year - 1),
            projects.with_columns(
                (pl.col("budget_prev2") * pl.col("rate_prev2") * 100).floor().cast(pl.Int64).alias("fen2")
            ).select(
                pl.lit(region_id, pl.Int64).alias("region_id"),
                pl.col("id").alias("project_id"),
                pl.lit(year - 2, pl.Int64).alias("year"),
                pl.lit(12, pl.Int64).alias("month"),
                _yuan("fen2").alias("amount"),
                pl.lit(PAYMENTS, pl.Int64).alias("payments"),
            ),
        ]
    ).sort("project_id", "year", "month")
    stopped = now.join(projects.filter("suspended").select(pl.col("id").alias("project_id")), on="project_id")
    indicators = _indicators(projects, year)

    tables: list[tuple[str, pl.DataFrame]] = []
    reg = pl.lit(region_id, pl.Int64).alias("region_id")
    tables.append(
        (
            "projects_project",
            projects.select(
                "id",
                pl.lit("in_library").alias("state"),
                pl.lit(1).alias("version"),
                "code",
                pl.concat_str(pl.lit("专项项目"), pl.col("id").cast(pl.Utf8)).alias("name"),
                pl.lit("project").alias("kind"),
                pl.lit("").alias("description"),
                pl.lit(year - 2).alias("start_year"),
                pl.lit(year + 1).alias("end_year"),
                pl.lit("1").alias("budget_kind"),
                pl.lit("").alias("fund_type"),
                pl.lit("3").alias("project_class"),
                pl.lit("continuing").alias("attribute"),
                pl.lit("").alias("search_text"),
                pl.lit(STAMP).alias("created_at"),
                pl.lit(STAMP).alias("updated_at"),
                "department_id",
                "function_class_id",
                reg,
                "unit_id",
            ),
        )
    )
    budgets = []
    for y, col in ((year, "budget"), (year - 1, "budget_prev"), (year - 2, "budget_prev2")):
        held = pl.col("suspended") & (y == year)
        budgets.append(
            projects.select(
                pl.lit(y).alias("year"),
                *(pl.col(col).alias(c) for c in ("amount_initial", "amount_adjusted", "amount_fiscal")),
                pl.lit(0.0).alias("amount_carryover"),
                pl.lit(0.0).alias("amount_other"),
                pl.col("id").alias("project_id"),
                reg,
                pl.when(held).then(pl.lit("suspended")).otherwise(pl.lit("normal")).alias("appropriation"),
                pl.when(held)
                .then(pl.lit("绩效监控预警：执行进度严重滞后"))
                .otherwise(pl.lit(""))
                .alias("appropriation_reason"),
                pl.when(held).then(pl.lit(f"{year}-06-01")).alias("appropriation_since"),
            )
        )
    tables.append(("projects_projectbudget", pl.concat(budgets)))
    tables.append(("projects_monthlyexecution", monthly))
    tables.append(
        (
            "projects_paymentimport",
            pl.DataFrame(
                {
                    "id": [1],
                    "fingerprint": ["bench"],
                    "filename": ["bench.csv"],
                    "rows": [stopped.height],
                    "added": [stopped.height],
                    "skipped": [0],
                    "amount": [0.0],
                    "after_stop": [0],
                    "imported_at": [STAMP],
                    "imported_by_id": [user_id],
                    "region_id": [region_id],
                }
            ),
        )
    )
    tables.append(
        (
            "projects_payment",
            stopped.select(
                pl.concat_str(pl.lit(f"ZF{year}"), pl.col("i").cast(pl.Utf8).str.zfill(10)).alias("payment_id"),
                pl.concat_str(
                    pl.lit(f"{year}-"),
                    pl.col("month").cast(pl.Utf8).str.zfill(2),
                    pl.lit("-"),
                    pl.col("day").cast(pl.Utf8).str.zfill(2),
                ).alias("date"),
                pl.lit(year).alias("year"),
                _yuan("fen").alias("amount"),
                pl.lit("30201").alias("economic_code"),
                pl.lit("一般公共预算").alias("fund_source"),
                "project_id",
                reg,
                "unit_id",
                pl.lit(1).alias("batch_id"),
            ),
        )
    )
    tables.append(
        (
            "targets_target",
            projects.select(
                "id",
                pl.lit("approved").alias("state"),
                pl.lit(1).alias("version"),
                pl.lit("project").alias("kind"),
                pl.lit(year).alias("year"),
                pl.lit("10号").alias("framework"),
                pl.lit("").alias("goal"),
                pl.lit("").alias("goal_midterm"),
                pl.col("budget").alias("amount"),
                pl.col("budget").alias("amount_fiscal"),
                pl.lit(0.0).alias("amount_midterm"),
                pl.lit(1).alias("serves_public"),
                pl.lit(0).alias("special_fund"),
                pl.lit(0).alias("adjusting"),
                pl.lit("").alias("adjust_reason"),
                pl.lit(1).alias("current_version"),
                pl.lit("优").alias("grade"),
                pl.lit(0).alias("published"),
                pl.lit(STAMP).alias("created_at"),
                pl.lit(STAMP).alias("updated_at"),
                "department_id",
                pl.col("id").alias("project_id"),
                reg,
                pl.lit(1).alias("scheme_id"),
                "unit_id",
            ),
        )
    )
    tables.append(
        (
            "targets_targetindicator",
            indicators.select(
                "id",
                pl.col("k").alias("order"),
                "level1",
                "level2",
                "name",
                "value",
                pl.lit("").alias("mid_value"),
                "unit",
                pl.lit("计划标准").alias("source"),
                pl.lit("").alias("note"),
                "comparator",
                "value_kind",
                "number",
                pl.lit(0).alias("template_changed"),
                reg,
                "target_id",
            ),
        )
    )
    tables.append(
        (
            "monitoring_monitoringround",
            pl.DataFrame(
                {
                    "id": [1],
                    "year": [year],
                    "name": [f"{year}年1—7月绩效运行监控"],
                    "kind": ["concentrated"],
                    "period_end": [f"{year}-07-31"],
                    "deadline": [f"{year}-08-31"],
                    "note": [""],
                    "opened_at": [STAMP],
                    "opened_by_id": [user_id],
                    "region_id": [region_id],
                }
            ),
        )
    )
    tables.append(
        (
            "monitoring_monitoringform",
            projects.select(
                "id",
                pl.when("reported").then(pl.lit("done")).otherwise(pl.lit("draft")).alias("state"),
                pl.lit(1).alias("version"),
                *(pl.col("budget").alias(c) for c in ("budget_initial", "budget_annual", "budget_fiscal")),
                pl.lit(0.0).alias("executed"),
                pl.lit("").alias("progress_text"),
                pl.lit("").alias("problems"),
                pl.lit("").alias("measures"),
                pl.lit(STAMP).alias("updated_at"),
                "department_id",
                pl.col("id").alias("project_id"),
                reg,
                pl.col("id").alias("target_id"),
                "unit_id",
                pl.lit(1).alias("round_id"),
            ),
        )
    )
    tables.append(
        (
            "monitoring_monitoringline",
            indicators.select(
                "id",
                pl.col("k").alias("order"),
                "level1",
                "level2",
                "name",
                "value",
                "unit",
                "to_date",
                "forecast",
                "likelihood",
                pl.lit("[]").alias("deviation_kinds"),
                pl.lit("").alias("deviation_text"),
                pl.lit("").alias("measures"),
                pl.lit("").alias("note"),
                "to_date_number",
                "forecast_number",
                pl.col("target_id").alias("form_id"),
                pl.col("id").alias("indicator_id"),
            ),
        )
    )
    counts = {}
    names = [table for table, _ in tables]
    connection.ensure_connection()
    raw = connection.connection
    # Bulk-load settings for this connection only: no foreign-key lookups per row (the ids are made consistent
    # above and checked below), a big page cache, no journal; secondary indexes and triggers are dropped and
    # made again afterwards from their own SQL, so the schema ends up exactly as migrate left it.
    marks_sql = ", ".join("?" * len(names))
    extras = raw.execute(
        f"SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL"
        f" AND tbl_name IN ({marks_sql})",
        names,
    ).fetchall()
    for pragma in ("foreign_keys = OFF", "cache_size = -1048576", "journal_mode = OFF", "synchronous = OFF"):
        raw.execute(f"PRAGMA {pragma}")
    for kind, name, _ in extras:
        raw.execute(f'DROP {kind.upper()} "{name}"')
    with transaction.atomic():
        for table, frame in tables:
            cols = ", ".join(f'"{c}"' for c in frame.columns)
            marks = ", ".join("?" * frame.width)
            raw.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', frame.iter_rows())
            counts[table] = frame.height
        for _, _, sql in extras:
            raw.execute(sql)
        raw.execute("INSERT INTO projects_project_fts(projects_project_fts) VALUES ('rebuild')")
    problems = raw.execute("PRAGMA foreign_key_check").fetchmany(5)
    if problems:
        raise RuntimeError(f"bench data breaks foreign keys: {problems}")
    raw.execute("PRAGMA journal_mode = WAL")
    connection.close()  # the timed run starts on a fresh connection with the default settings
    counts["payments_generated"] = now.height + last.height
    return counts


# --- DuckDB reference --------------------------------------------------------------------------------------------

EXPORT = {  # DuckDB table → the SQLite query (decimals as REAL), dates converted
    "regions": ("SELECT id, path FROM orgs_region", ()),
    "projects": (
        "SELECT id, unit_id, department_id, region_id, state, function_class_id FROM projects_project",
        (),
    ),
    "budgets": (
        "SELECT project_id, region_id, year, CAST(amount_adjusted AS REAL) AS amount_adjusted, appropriation,"
        " appropriation_since FROM projects_projectbudget",
        ("appropriation_since",),
    ),
    "monthly": (
        "SELECT project_id, region_id, year, month, CAST(amount AS REAL) AS amount FROM projects_monthlyexecution",
        (),
    ),
    "payments": ("SELECT project_id, year, date, CAST(amount AS REAL) AS amount FROM projects_payment", ("date",)),
    "targets": ("SELECT id, project_id, kind, year, state, region_id FROM targets_target", ()),
    "indicators": (
        "SELECT id, target_id, name, value_kind, comparator, CAST(number AS REAL) AS number"
        " FROM targets_targetindicator",
        (),
    ),
    "rounds": ("SELECT id, year, period_end FROM monitoring_monitoringround", ("period_end",)),
    "forms": ("SELECT id, round_id, state, region_id FROM monitoring_monitoringform", ()),
    "lines": (
        "SELECT form_id, indicator_id, CAST(to_date_number AS REAL) AS to_date_number,"
        " CAST(forecast_number AS REAL) AS forecast_number, likelihood, forecast FROM monitoring_monitoringline",
        (),
    ),
}


def export_to_duckdb(db_path: Path, work: Path):
    """Copy the tables the warning run reads from SQLite to a DuckDB file database (via Parquet)."""
    import duckdb
    import polars as pl
    from django.db import connection

    con = duckdb.connect(str(db_path))
    con.execute("SET enable_progress_bar = false")
    for name, (sql, dates) in EXPORT.items():
        with connection.cursor() as cursor:
            cursor.execute(sql)
            cols = [d[0] for d in cursor.description]
            frame = pl.DataFrame(cursor.fetchall(), schema=cols, orient="row", infer_schema_length=None)
        frame = frame.with_columns(pl.col(c).cast(pl.Utf8).str.to_date("%Y-%m-%d") for c in dates)
        parquet = work / f"{name}.parquet"
        frame.write_parquet(parquet)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_parquet('{parquet}')")
        parquet.unlink()
    con.execute("CHECKPOINT")
    return con


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def reference_sql(region_path: str, year: int, as_of: date, rules) -> list[str]:
    """The statements that compute what data.load + warnings.run compute, as DuckDB SQL (the module docstring of
    monitoring/warnings.py is the spec). Ends with the tables r_status and r_warnings."""
    from wenxiao.monitoring import warnings as w

    tp = w.time_progress(as_of)
    days = calendar.monthrange(as_of.year, as_of.month)[1]
    c = as_of.month if as_of.day == days else as_of.month - 1
    forecasting = c >= w.FORECAST_FROM_MONTH
    default_share = w.DEFAULT_CURVE.get(c, 0.0)
    passed = [(k, line) for k, line in rules.checkpoints if date(year, k, calendar.monthrange(year, k)[1]) <= as_of]
    last_checkpoint = rules.checkpoints[-1][0] if rules.checkpoints else None
    in_region = f"region_id IN (SELECT id FROM regions WHERE path LIKE {_q(region_path + '%')})"
    day_text = f"{as_of.month}月{as_of.day}日"
    low = rules.low_rate

    def pct(e: str) -> str:
        return f"printf('%.2f%%', {e})"

    def money(e: str) -> str:
        return f"CASE WHEN abs({e}) < 10000 THEN printf('%.2f元', {e}) ELSE printf('%.2f万元', ({e}) / 10000) END"

    def num(e: str) -> str:
        return f"rtrim(rtrim(printf('%.4f', {e}), '0'), '.')"

    def emit(code: str, level: str, detail: str, action: str, numbers: str, source: str, indicator: bool = False):
        title = w.RULE_TITLES[code]
        if code == "M08" and (rules.low_years, low) != (2, 70.0):
            title = f"连续{rules.low_years}年执行率低于{low:g}%"
        return (
            f"SELECT project_id, {'indicator_id' if indicator else 'NULL::BIGINT'} AS indicator_id, '{code}' AS code,"
            f" {level} AS level, {_q(title)} AS title, {detail} AS detail, {action} AS action,"
            f" json_object({numbers}) AS numbers FROM {source}"
        )

    stmts = [
        f"CREATE OR REPLACE TEMP TABLE r_meta AS SELECT b.project_id, p.unit_id, p.department_id, p.region_id,"
        f" b.amount_adjusted AS budget, substr(p.function_class_id, 1, 3) AS peer"
        f" FROM budgets b JOIN projects p ON p.id = b.project_id"
        f" WHERE b.year = {year} AND p.state = 'in_library' AND b.{in_region}",
        f"CREATE OR REPLACE TEMP TABLE r_monthly AS SELECT project_id, month, amount FROM monthly"
        f" WHERE year = {year} AND month <= {as_of.month} AND {in_region}",
        f"CREATE OR REPLACE TEMP TABLE r_stopped AS SELECT b.project_id, sum(py.amount) AS paid_after_stop"
        f" FROM budgets b JOIN payments py ON py.project_id = b.project_id AND py.year = b.year"
        f" WHERE b.year = {year} AND b.appropriation <> 'normal' AND b.{in_region}"
        f" AND (b.appropriation_since IS NULL OR py.date >= b.appropriation_since) GROUP BY b.project_id",
    ]
    # Peer curves: per project the cumulative share of last year's spending at each month end; per 类 the median
    # over projects, made monotone (running max), 1 in December; only groups of at least min_peers projects.
    cum = ", ".join(f"coalesce(sum(amount) FILTER (WHERE month <= {k}), 0) AS c{k}" for k in range(1, 13))
    shares = ", ".join(f"greatest(0.0, least(1.0, c{k} / c12)) AS s{k}" for k in range(1, 13))
    if 1 <= c <= 12:
        medians = ", ".join(f"median(s{k}) AS m{k}" for k in range(1, c + 1))
        share = "1.0" if c == 12 else f"greatest({', '.join(f'm{k}' for k in range(1, c + 1))})"
        stmts.append(
            f"CREATE OR REPLACE TEMP TABLE r_curve AS WITH cum AS (SELECT project_id, {cum} FROM monthly"
            f" WHERE year = {year - 1} AND month BETWEEN 1 AND 12 AND {in_region} GROUP BY project_id),"
            f" shares AS (SELECT m.peer, {shares} FROM cum JOIN (SELECT DISTINCT project_id, peer FROM r_meta"
            f" WHERE peer IS NOT NULL) m USING (project_id) WHERE c12 > 0),"
            f" med AS (SELECT peer, {medians} FROM shares GROUP BY peer HAVING count(*) >= {rules.min_peers})"
            f" SELECT peer, {share} AS share FROM med"
        )
    else:
        stmts.append("CREATE OR REPLACE TEMP TABLE r_curve AS SELECT ''::VARCHAR AS peer, 0.0 AS share WHERE false")
    # Indicators with the latest reported (non-draft) values; quantitative = number/percent with a comparator.
    stmts.append(
        f"CREATE OR REPLACE TEMP TABLE r_ind AS WITH rows AS (SELECT tg.project_id, ti.id AS indicator_id, ti.name,"
        f" ti.value_kind, ti.comparator, ti.number FROM indicators ti JOIN targets tg ON tg.id = ti.target_id"
        f" WHERE tg.kind = 'project' AND tg.year = {year} AND tg.state = 'approved' AND tg.{in_region}),"
        f" reported AS (SELECT ml.indicator_id, ml.to_date_number AS to_date, ml.forecast_number AS forecast,"
        f" ml.likelihood, ml.forecast AS answer, mr.period_end FROM lines ml JOIN forms mf ON mf.id = ml.form_id"
        f" JOIN rounds mr ON mr.id = mf.round_id WHERE mr.year = {year} AND mr.period_end <= DATE '{as_of}'"
        f" AND mf.state <> 'draft' AND ml.indicator_id IS NOT NULL AND mf.{in_region}"
        f" QUALIFY row_number() OVER (PARTITION BY ml.indicator_id ORDER BY mr.period_end DESC) = 1)"
        f" SELECT r.project_id, r.indicator_id, r.name,"
        f" CASE WHEN r.value_kind IN ('number', 'percent') AND r.comparator IN ('≥', '>', '≤', '<', '=')"
        f" THEN 'quant' ELSE 'qual' END AS kind,"
        f" CASE WHEN r.comparator IN ('≥', '>') THEN 'up' WHEN r.comparator IN ('≤', '<') THEN 'down' ELSE 'eq' END"
        f" AS direction,"
        f" CASE WHEN r.value_kind IN ('number', 'percent') AND r.comparator IN ('≥', '>', '≤', '<', '=')"
        f" THEN r.number END AS target, x.to_date, x.forecast, x.likelihood, x.answer, x.period_end"
        f" FROM rows r LEFT JOIN reported x USING (indicator_id)"
    )
    # Execution rate at the period end of the report the indicator values come from (M06/M07 compare with it).
    stmts.append(
        "CREATE OR REPLACE TEMP TABLE r_report AS WITH months AS (SELECT project_id, month(max(period_end))"
        " AS report_month FROM r_ind WHERE period_end IS NOT NULL GROUP BY project_id),"
        " spent AS (SELECT m.project_id, sum(mo.amount) AS report_spent FROM r_monthly mo JOIN months m"
        " USING (project_id) WHERE mo.month <= m.report_month GROUP BY m.project_id)"
        " SELECT m.project_id, CASE WHEN me.budget > 0 THEN coalesce(s.report_spent, 0) / me.budget * 100 END"
        " AS report_rate FROM months m LEFT JOIN spent s USING (project_id) JOIN r_meta me USING (project_id)"
    )
    cps = "".join(f", coalesce(sum(amount) FILTER (WHERE month <= {k}), 0) AS cp{k}" for k, _ in passed)
    cp_cols = "".join(f", coalesce(mo.cp{k}, 0) AS cp{k}" for k, _ in passed)
    forecast = "greatest(spent, least(spent_c / share, 3.0 * budget))" if forecasting else "NULL::DOUBLE"
    stmts.append(
        f"CREATE OR REPLACE TEMP TABLE r_p AS WITH money AS (SELECT project_id, coalesce(sum(amount), 0) AS spent,"
        f" coalesce(sum(amount) FILTER (WHERE month <= {c}), 0) AS spent_c{cps} FROM r_monthly"
        f" WHERE month BETWEEN 1 AND {as_of.month} GROUP BY project_id),"
        f" base AS (SELECT me.project_id, coalesce(me.budget, 0.0) AS budget, me.peer,"
        f" coalesce(st.paid_after_stop, 0.0) AS paid_after_stop, rr.report_rate, coalesce(mo.spent, 0.0) AS spent,"
        f" coalesce(mo.spent_c, 0.0) AS spent_c{cp_cols},"
        f" CASE WHEN cv.share > 0 THEN 'peer' ELSE 'default' END AS curve,"
        f" CASE WHEN cv.share > 0 THEN cv.share ELSE {default_share} END AS share"
        f" FROM r_meta me LEFT JOIN r_stopped st USING (project_id) LEFT JOIN r_report rr USING (project_id)"
        f" LEFT JOIN money mo USING (project_id) LEFT JOIN r_curve cv ON cv.peer = me.peer),"
        f" completion AS (SELECT project_id, round(avg(greatest(0.0, least(1.0, to_date / target)) * 100), 2)"
        f" AS completion FROM r_ind WHERE kind = 'quant' AND direction = 'up' AND target > 0 AND to_date IS NOT NULL"
        f" GROUP BY project_id),"
        f" figures AS (SELECT b.*, CASE WHEN budget > 0 THEN round(spent / budget * 100, 2) END AS rate,"
        f" {tp}::DOUBLE AS time_progress, CASE WHEN budget > 0 THEN {forecast} END AS forecast, c.completion"
        f" FROM base b LEFT JOIN completion c USING (project_id))"
        f" SELECT *, round(forecast / budget * 100, 2) AS forecast_rate FROM figures"
    )
    stmts.append(
        f"CREATE OR REPLACE TEMP TABLE r_hist AS SELECT bu.project_id, bu.year,"
        f" coalesce(sum(me.amount), 0) * 100.0 / bu.amount_adjusted AS rate"
        f" FROM budgets bu LEFT JOIN monthly me ON me.project_id = bu.project_id AND me.year = bu.year"
        f" WHERE bu.year < {year} AND bu.year >= {year - 5} AND bu.amount_adjusted > 0 AND bu.{in_region}"
        f" GROUP BY bu.project_id, bu.year, bu.amount_adjusted"
    )

    rules_sql = []
    # M01 执行进度滞后
    rules_sql.append(
        emit(
            "M01",
            f"CASE WHEN behind >= {rules.red_behind} THEN 'red' ELSE 'yellow' END",
            f"'截至{day_text}预算执行率' || {pct('rate')} || '，低于序时进度{tp:.2f}%共' || printf('%.2f', behind)"
            f" || '个百分点'",
            f"CASE WHEN behind >= {rules.red_behind} THEN 'suspend' ELSE 'urge' END",
            "'rate', rate, 'time_progress', time_progress, 'behind', behind, 'spent', round(spent, 2),"
            " 'budget', budget",
            f"(SELECT *, round({tp} - rate, 2) AS behind FROM r_p) WHERE behind >= {rules.yellow_behind}",
        )
    )
    # M02 未达节点要求: the latest missed checkpoint that has passed.
    later: list[str] = []
    for k, line in sorted(passed, reverse=True):
        missed = f"round(cp{k} / budget * 100, 2) < {line}"
        cond = " AND ".join([f"budget > 0 AND {missed}", *(f"NOT ({m})" for m in later)])
        later.append(missed)
        rules_sql.append(
            emit(
                "M02",
                "'red'",
                f"'截至{k}月底累计预算执行率' || {pct('cum_rate')} || '，未达到{k}月底{line:.2f}%的节点要求，相差'"
                f" || printf('%.2f', round({line} - cum_rate, 2)) || '个百分点'",
                f"'{'cut' if k == last_checkpoint else 'urge'}'",
                f"'checkpoint_month', {k}, 'line', {float(line)}, 'cum_rate', cum_rate, 'gap',"
                f" round({line} - cum_rate, 2), 'cum_spent', round(cp{k}, 2), 'budget', budget",
                f"(SELECT *, round(cp{k} / budget * 100, 2) AS cum_rate FROM r_p WHERE {cond})",
            )
        )
    # M03 预计年底执行率偏低
    if forecasting:
        basis = (
            "CASE WHEN curve = 'peer' THEN '按同类项目（' || peer || '）上年支出进度测算'"
            " ELSE '按一般项目支出进度测算' END"
        )
        rules_sql.append(
            emit(
                "M03",
                f"CASE WHEN forecast_rate < {low} THEN 'red' ELSE 'yellow' END",
                f"{basis} || '，截至{c}月底已支付' || {money('spent_c')} || '，预计全年支出' || {money('forecast')}"
                f" || '，预计年底预算执行率' || {pct('forecast_rate')} || '，低于{rules.forecast_min:.2f}%'",
                "'cut'",
                f"'forecast_rate', forecast_rate, 'forecast', round(forecast, 2), 'spent', round(spent, 2),"
                f" 'spent_through_month', round(spent_c, 2), 'month', {c}, 'share', round(share, 4), 'curve', curve,"
                f" 'budget', budget, 'threshold', {rules.forecast_min}",
                f"r_p WHERE forecast_rate < {min(rules.forecast_min, 100.0)}",
            )
        )
    # M04 指标预计无法完成
    misses = (
        "coalesce(CASE WHEN direction = 'down' THEN forecast > target WHEN direction = 'eq'"
        " THEN abs(forecast - target) > 1e-9 * greatest(abs(target), 1.0) ELSE forecast < target END, false)"
    )
    likelihood_text = (
        "CASE likelihood WHEN 1 THEN '确定能' WHEN 2 THEN '有可能' WHEN 3 THEN '完全不可能' ELSE '未填报' END"
    )
    relation = (
        "CASE WHEN NOT misses THEN '，年度指标值' WHEN direction = 'down' THEN '，高于年度指标值'"
        " WHEN direction = 'eq' THEN '，不等于年度指标值' ELSE '，低于年度指标值' END"
    )
    figures = (
        f"coalesce('全年预计完成' || {num('forecast')} || {relation} || {num('target')} || CASE WHEN misses AND"
        f" deviation IS NOT NULL THEN '，偏离度' || {pct('deviation')} ELSE '' END, '')"
    )
    rules_sql.append(
        emit(
            "M04",
            "CASE WHEN impossible THEN 'red' ELSE 'yellow' END",
            f"'指标“' || coalesce(name, '（未命名指标）') || '”' || CASE WHEN impossible THEN"
            f" '完成目标可能性填报为“完全不可能”' || CASE WHEN {figures} <> '' THEN '，' ELSE '' END || {figures}"
            f" ELSE {figures} || '，完成目标可能性：' || {likelihood_text} END",
            "'adjust_target'",
            "'target', target, 'to_date', to_date, 'forecast', forecast, 'direction', direction,"
            " 'likelihood', likelihood, 'deviation', deviation",
            f"(SELECT *, CASE WHEN target <> 0 THEN round(abs(forecast - target) / abs(target) * 100, 2) END"
            f" AS deviation FROM (SELECT *, {misses} AS misses, coalesce(likelihood = 3, false) AS impossible"
            f" FROM r_ind WHERE kind = 'quant' AND project_id IN (SELECT project_id FROM r_p)))"
            f" WHERE impossible OR (misses AND coalesce(likelihood, 2) <> 1)",
            indicator=True,
        )
    )
    # M05 定性指标预警
    red_answer = "coalesce(contains(ans, '未达成') OR contains(ans, '未达到'), false)"
    yellow_answer = f"(coalesce(contains(ans, '部分达成') OR contains(ans, '部分达到'), false) AND NOT {red_answer})"
    impossible = "coalesce(likelihood = 3, false)"
    shown = "CASE WHEN length(ans) > 60 THEN left(ans, 60) || '…' ELSE ans END"
    rules_sql.append(
        emit(
            "M05",
            f"CASE WHEN {red_answer} OR {impossible} THEN 'red' ELSE 'yellow' END",
            f"'定性指标“' || coalesce(name, '（未命名指标）') || '”' || CASE WHEN coalesce(ans, '') <> '' THEN"
            f" '完成情况为“' || {shown} || '”' ELSE '' END || CASE WHEN {impossible} AND coalesce(ans, '') <> ''"
            f" THEN '，' ELSE '' END || CASE WHEN {impossible} THEN '完成目标可能性填报为“完全不可能”' ELSE '' END",
            "'urge'",
            "'answer', ans, 'likelihood', likelihood",
            f"(SELECT *, regexp_replace(answer, '\\s+', '', 'g') AS ans FROM r_ind WHERE kind = 'qual'"
            f" AND project_id IN (SELECT project_id FROM r_p)) WHERE {red_answer} OR {yellow_answer} OR {impossible}",
            indicator=True,
        )
    )
    # M06 / M07 目标完成进度 against the execution rate at the report's period end (today's when there is none).
    gap_source = (
        "(SELECT *, round(completion - rate2, 2) AS gap FROM (SELECT *, CASE WHEN budget > 0 THEN"
        " coalesce(report_rate, rate) END AS rate2 FROM r_p WHERE rate IS NOT NULL AND completion IS NOT NULL))"
    )
    rules_sql.append(
        emit(
            "M06",
            "'yellow'",
            f"'目标完成进度' || {pct('completion')} || '，低于预算执行率' || {pct('rate2')} || '共'"
            f" || printf('%.2f', -gap) || '个百分点，资金支出快于目标完成'",
            "'urge'",
            "'completion', completion, 'rate', rate2, 'gap', gap",
            f"{gap_source} WHERE gap < {-rules.divergence}",
        )
    )
    rules_sql.append(
        emit(
            "M07",
            "'yellow'",
            f"'目标完成进度' || {pct('completion')} || '，高于预算执行率' || {pct('rate2')} || '共'"
            f" || printf('%.2f', gap) || '个百分点，请核实是否存在已发生未支付或未入账的支出'",
            "'verify'",
            "'completion', completion, 'rate', rate2, 'gap', gap",
            f"{gap_source} WHERE gap > {rules.divergence}",
        )
    )
    # M08 连续两年执行率低于70%
    n = rules.low_years
    years = [year - k for k in range(n, 0, -1)]
    wide = ", ".join(f"round(max(rate) FILTER (WHERE year = {y}), 2) AS y{y}" for y in years)
    lows = [f"coalesce(y{y} < {low}, false)" for y in years]
    all_low = " AND ".join(lows)
    recent_low = " AND ".join(lows[1:]) if n >= 2 else "false"
    rates_text = " || '、' || ".join(pct(f"y{y}") for y in years)
    recent_text = " || '、' || ".join(pct(f"y{y}") for y in years[1:]) or "''"
    list_years = "、".join(f"{y}年" for y in years)
    recent_years = "、".join(f"{y}年" for y in years[1:])
    red_detail = (
        f"'{list_years}{'预算执行率分别为' if n > 1 else '预算执行率为'}' || {rates_text}"
        f" || '，连续{n}年低于{low:.2f}%，应列入重点评价'"
    )
    yellow_detail = (
        f"'{recent_years}{'预算执行率分别为' if len(years[1:]) > 1 else '预算执行率为'}' || {recent_text}"
        f" || '，预计{year}年执行率为' || {pct('forecast_rate')} || '，可能连续{n}年低于{low:.2f}%'"
    )
    rules_sql.append(
        emit(
            "M08",
            "CASE WHEN all_low THEN 'red' ELSE 'yellow' END",
            f"CASE WHEN all_low THEN {red_detail} ELSE {yellow_detail} END",
            "'key_eval'",
            f"'rates', json_object({', '.join(f'{_q(str(y))}, y{y}' for y in years)}),"
            f" 'forecast_rate', forecast_rate, 'low_rate', {low}, 'years', {n}",
            f"(SELECT *, {all_low} AS all_low, {recent_low} AS recent_low FROM (SELECT p.project_id, p.forecast_rate,"
            f" w.* EXCLUDE (project_id) FROM r_p p JOIN (SELECT project_id, {wide} FROM r_hist WHERE year IN"
            f" ({', '.join(map(str, years))}) AND rate IS NOT NULL GROUP BY project_id) w USING (project_id)))"
            f" WHERE all_low OR (recent_low AND coalesce(forecast_rate < {low}, false))",
        )
    )
    # M09 暂缓/停止拨款后仍有支付
    rules_sql.append(
        emit(
            "M09",
            "'red'",
            f"'已作出暂缓或停止拨款决定后仍支付' || {money('paid_after_stop')}",
            "'verify'",
            "'paid_after_stop', round(paid_after_stop, 2)",
            "r_p WHERE paid_after_stop > 0",
        )
    )
    action_text = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in w.ACTIONS.items())
    stmts.append(
        f"CREATE OR REPLACE TABLE r_warnings AS SELECT u.*, CASE action {action_text} END AS action_text,"
        f" me.unit_id, me.department_id, me.region_id FROM ({' UNION ALL '.join(rules_sql)}) u"
        f" LEFT JOIN r_meta me USING (project_id)"
        f" ORDER BY project_id, CASE level WHEN 'red' THEN 2 WHEN 'yellow' THEN 1 ELSE 0 END DESC, code,"
        f" indicator_id NULLS FIRST"
    )
    stmts.append(
        "CREATE OR REPLACE TABLE r_status AS SELECT p.project_id, me.unit_id, me.department_id, me.region_id,"
        " p.budget, round(p.spent, 2) AS spent, p.rate, p.time_progress, p.forecast_rate, p.completion,"
        " CASE coalesce(x.worst, 0) WHEN 2 THEN 'red' WHEN 1 THEN 'yellow' ELSE 'green' END AS light,"
        " coalesce(x.warnings, 0) AS warnings FROM r_p p JOIN r_meta me USING (project_id)"
        " LEFT JOIN (SELECT project_id, max(CASE level WHEN 'red' THEN 2 WHEN 'yellow' THEN 1 ELSE 0 END) AS worst,"
        " count(*) AS warnings FROM r_warnings GROUP BY project_id) x USING (project_id)"
    )
    return stmts


# --- comparison --------------------------------------------------------------------------------------------------


def _near_tie(expr: str) -> str:
    """SQL: the unrounded percentage `expr` lies within 1e-6 of a rounding tie (x.xx5)."""
    return f"coalesce(abs(({expr}) * 100 - floor(({expr}) * 100) - 0.5) < 1e-6, false)"


def _ties(con) -> set[int]:
    """Projects where a figure the rules round sits on an exact x.xx5 tie (in DuckDB's unrounded value): there
    the last bit of a float sum, which depends on the order of summation, decides the rounding."""
    cps = [r[0] for r in con.execute("DESCRIBE r_p").fetchall() if r[0].startswith("cp")]
    checks = [
        _near_tie("spent / budget * 100"),
        _near_tie("forecast / budget * 100"),
        _near_tie("completion_raw"),
        _near_tie("completion - CASE WHEN budget > 0 THEN coalesce(report_rate, rate) END"),
        *(_near_tie(f"{cp} / budget * 100") for cp in cps),
        f"project_id IN (SELECT project_id FROM r_hist WHERE {_near_tie('rate')})",
    ]
    rows = con.execute(
        "SELECT project_id FROM r_p LEFT JOIN (SELECT project_id, avg(greatest(0.0, least(1.0, to_date / target)))"
        " * 100 AS completion_raw FROM r_ind WHERE kind = 'quant' AND direction = 'up' AND target > 0"
        f" AND to_date IS NOT NULL GROUP BY project_id) USING (project_id) WHERE budget > 0 AND ({' OR '.join(checks)})"
    ).fetchall()
    return {r[0] for r in rows}


def _compare(con, year: int) -> bool:
    """Print warnings per rule and level for both, and which rows / project figures differ. Differences are
    accepted only on projects with a figure on an exact rounding tie (see `_ties`), within one rounding step."""
    import polars as pl
    from django.db import connection

    from wenxiao.monitoring.models import ProjectStatus, Warning

    wschema = {"project_id": pl.Int64, "code": pl.Utf8, "level": pl.Utf8, "indicator": pl.Int64}
    sschema = {
        "project_id": pl.Int64,
        "rate": pl.Float64,
        "forecast_rate": pl.Float64,
        "completion": pl.Float64,
        "light": pl.Utf8,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT project_id, code, level, COALESCE(indicator_id, 0) FROM {Warning._meta.db_table} WHERE year = %s",
            [year],
        )
        ours = pl.DataFrame(cursor.fetchall(), schema=wschema, orient="row")
        cursor.execute(
            f"SELECT project_id, rate, forecast_rate, completion, light FROM {ProjectStatus._meta.db_table}"
            f" WHERE year = %s",
            [year],
        )
        our_status = pl.DataFrame(cursor.fetchall(), schema=sschema, orient="row")
    duck = pl.DataFrame(
        con.execute("SELECT project_id, code, level, coalesce(indicator_id, 0) FROM r_warnings").fetchall(),
        schema=wschema,
        orient="row",
    )
    duck_status = pl.DataFrame(
        con.execute("SELECT project_id, rate, forecast_rate, completion, light FROM r_status").fetchall(),
        schema=sschema,
        orient="row",
    )
    keys = ["project_id", "code", "indicator", "level"]
    only_ours = ours.join(duck, on=keys, how="anti")
    only_duck = duck.join(ours, on=keys, how="anti")
    counts = (
        ours.group_by("code", "level")
        .len("ours")
        .join(duck.group_by("code", "level").len("duckdb"), on=["code", "level"], how="full", coalesce=True)
        .join(only_ours.group_by("code", "level").len("only_ours"), on=["code", "level"], how="left")
        .join(only_duck.group_by("code", "level").len("only_duckdb"), on=["code", "level"], how="left")
        .fill_null(0)
        .sort("code", "level")
    )
    print("warnings per rule and level (ours vs DuckDB; rows found by one side only):")
    for r in counts.iter_rows(named=True):
        mark = "" if r["ours"] == r["duckdb"] and not r["only_ours"] else "  <-- differs"
        print(
            f"  {r['code']} {r['level']:<6} ours {r['ours']:>8}  duckdb {r['duckdb']:>8}"
            f"  (only ours {r['only_ours']}, only duckdb {r['only_duckdb']}){mark}"
        )
    print(f"  total     ours {ours.height:>8}  duckdb {duck.height:>8}")

    both = our_status.join(duck_status, on="project_id", how="full", suffix="_d")
    missing = both.filter(pl.col("project_id").is_null() | pl.col("project_id_d").is_null()).height

    def differs(col: str) -> pl.Expr:
        a, b = pl.col(col), pl.col(f"{col}_d")
        if col == "light":
            return a.ne_missing(b)
        return (a.is_null() != b.is_null()) | ((a - b).abs() > 1e-9).fill_null(False)

    columns = ("rate", "forecast_rate", "completion", "light")
    figures = {col: both.filter(differs(col)).height for col in columns}
    beyond_step = both.filter(
        pl.any_horizontal(((pl.col(c) - pl.col(f"{c}_d")).abs() > 0.01 + 1e-9).fill_null(False) for c in columns[:3])
        | pl.any_horizontal(pl.col(c).is_null() != pl.col(f"{c}_d").is_null() for c in columns[:3])
    ).height
    lights = dict(our_status.group_by("light").len().sort("light").iter_rows())
    print(
        f"project figures: {our_status.height} projects (ours) / {duck_status.height} (duckdb), lights {lights};"
        f" differing: {figures}, missing on one side: {missing}"
    )
    differing = set(both.filter(pl.any_horizontal(differs(c) for c in columns))["project_id"].to_list())
    differing |= set(only_ours["project_id"].to_list()) | set(only_duck["project_id"].to_list())
    if not differing and not missing:
        return True
    ties = _ties(con)
    unexplained = differing - ties
    print(
        f"  {len(differing)} project(s) differ; {len(differing & ties)} of them have a figure on an exact x.xx5"
        f" rounding tie, where the order of a float summation decides the rounding (ours: Polars/SQLite sums of"
        f" REAL amounts; DuckDB: parallel sums) — accepted; unexplained: {len(unexplained)}, beyond one rounding step:"
        f" {beyond_step}. Tied projects in this data set: {len(ties)}."
    )
    for pid in sorted(differing)[:5]:
        row = both.filter(pl.col("project_id") == pid).row(0, named=True)
        codes = sorted(
            {f"{r['code']}/ours" for r in only_ours.filter(pl.col("project_id") == pid).iter_rows(named=True)}
            | {f"{r['code']}/duckdb" for r in only_duck.filter(pl.col("project_id") == pid).iter_rows(named=True)}
        )
        print(
            f"    project {pid}: rate {row['rate']} / {row['rate_d']}, forecast {row['forecast_rate']} /"
            f" {row['forecast_rate_d']}, completion {row['completion']} / {row['completion_d']};"
            f" one-sided warnings {codes or '-'}; tie: {pid in ties}"
        )
    return not unexplained and not missing and not beyond_step


# --- the bench ---------------------------------------------------------------------------------------------------


def _timed_run(region, year: int, as_of: date, label: str):
    """Time services.run_warnings with its phases; print the breakdown. → (seconds, RunSummary)."""
    from django.db.models.query import QuerySet

    from wenxiao.monitoring import data, services, warnings

    phases = Phases()
    phases.wrap(data, "load")
    phases.wrap(data, "frame", "sql")
    phases.wrap(data, "_indicators", "indicators")
    phases.wrap(warnings, "peer_curves", "peer curves")
    phases.wrap(warnings, "run", "engine")
    phases.wrap(services, "_write_status", "write status")
    phases.wrap(services, "_write_warnings", "write warnings")
    phases.wrap(QuerySet, "bulk_create", "bulk_create")
    phases.wrap(QuerySet, "delete", "delete")
    t = time.perf_counter()
    summary = services.run_warnings(region, year, as_of)
    seconds = time.perf_counter() - t
    phases.restore()
    s = phases.seconds
    rest = seconds - s["load"] - s["engine"] - s["write status"] - s["write warnings"]
    print(
        f"{label}: {seconds:.2f} s, {summary.projects} projects, {summary.warnings} warnings "
        f"({summary.red} red, {summary.yellow} yellow, {summary.cleared} cleared)"
    )
    print(
        f"  load {s['load']:.2f} (SQL queries {s['sql']:.2f}; indicators {s['indicators']:.2f} incl. its 2 queries;"
        f" peer curves {s['peer curves']:.2f}) | engine {s['engine']:.2f} | write status {s['write status']:.2f}"
        f" | write warnings {s['write warnings']:.2f} (in the writes: Django bulk_create {s['bulk_create']:.2f},"
        f" ORM delete {s['delete']:.2f}) | other (audit, commit) {rest:.2f}"
    )
    return seconds, summary


def child(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="wenxiao bench monitor (child)")
    p.add_argument("data_dir")
    p.add_argument("--projects", type=int, default=200_000)
    p.add_argument("--year", type=int, default=YEAR)
    p.add_argument("--as-of", default="")
    p.add_argument("--rerun", action="store_true")
    args = p.parse_args(argv)
    as_of = date.fromisoformat(args.as_of) if args.as_of else date(args.year, 11, 20)
    migrate_s = setup_django()

    from wenxiao.monitoring import services

    t = time.perf_counter()
    j = make_jurisdiction(departments=40, units_per_department=10)
    counts = build(j, args.projects, args.year, as_of)
    build_s = time.perf_counter() - t
    print(
        f"monitor: projects={args.projects} as_of={as_of} indicators={counts['targets_targetindicator']} "
        f"monthly rows={counts['projects_monthlyexecution']} (from {counts['payments_generated']} payments) "
        f"payment rows={counts['projects_payment']} (migrate {migrate_s:.1f} s, build {build_s:.1f} s; not timed)"
    )

    region = j.region
    ours, summary = _timed_run(region, args.year, as_of, "ours")

    t = time.perf_counter()
    con = export_to_duckdb(Path(args.data_dir) / "reference.duckdb", Path(args.data_dir))
    rules = services.rules_for(region, args.year)
    stmts = reference_sql(region.path, args.year, as_of, rules)
    export_s = time.perf_counter() - t
    t = time.perf_counter()
    for sql in stmts:
        con.execute(sql)
    duck_s = time.perf_counter() - t
    duck_warnings = con.execute("SELECT count(*) FROM r_warnings").fetchone()[0]
    print(
        f"duckdb: {duck_s:.2f} s for the same figures and {duck_warnings} warning rows"
        f" (export {export_s:.1f} s, not timed)"
    )
    ok = _compare(con, args.year)
    con.close()
    if args.rerun:
        _timed_run(region, args.year, as_of, "ours, second run over the stored warnings (information)")
    if not ok:
        print("CHECK FAILED: ours and DuckDB's differ (see above)")
        return 1
    print(
        f"RESULT monitor projects={args.projects} seconds={ours:.2f} duckdb_s={duck_s:.2f} "
        f"warnings={summary.warnings} ratio_vs_duckdb={ours / duck_s:.1f}"
    )
    return 0


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="wenxiao bench monitor")
    p.add_argument("--projects", type=int, default=200_000, help="projects (default 200,000; 20,000 for a quick run)")
    p.add_argument("--year", type=int, default=YEAR)
    p.add_argument("--as-of", default="", help="the run's date (default: 20 November of the year)")
    p.add_argument("--rerun", action="store_true", help="also time a second run over the stored warnings")
    args = p.parse_args(argv)
    rest = ["--projects", str(args.projects), "--year", str(args.year)]
    if args.as_of:
        rest += ["--as-of", args.as_of]
    if args.rerun:
        rest.append("--rerun")
    return run_child("monitor", rest)

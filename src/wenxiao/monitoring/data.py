"""The warning run's input, read from the database into Polars frames with plain SQL (one query per frame).

Everything is for one region (and the regions below it) and one budget year:
- projects: every project in the library (入库) with a budget for the year — adjusted budget, peer group
  (支出功能分类 类), the amount paid on or after a 暂缓/停止拨款 decision;
- monthly: this year's payments by month up to the as-of month, from `MonthlyExecution`;
- curves: last year's spending pattern per peer group (`warnings.peer_curves`);
- indicators: the approved target's rows with the latest reported (non-draft) monitoring values;
- history: past years' final execution rates.
"""

from __future__ import annotations

from datetime import date

import polars as pl
from django.db import connection

from wenxiao.monitoring import warnings
from wenxiao.monitoring.models import MonitoringForm, MonitoringLine, MonitoringRound
from wenxiao.orgs.models import Region
from wenxiao.projects.models import MonthlyExecution, Payment, Project, ProjectBudget
from wenxiao.targets.models import Target, TargetIndicator

QUANT_KINDS = ("number", "percent")
DIRECTIONS = {"≥": "up", ">": "up", "≤": "down", "<": "down", "=": "eq"}


def frame(sql: str, params: list, schema: dict) -> pl.DataFrame:
    """Rows of one SQL query as a Polars frame with `schema` (column names and types, in select order)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return pl.DataFrame(rows, schema=schema, orient="row")


# The ids of a region and the regions below it; its one parameter is `region.path + "%"`.
REGIONS = f"SELECT id FROM {Region._meta.db_table} WHERE path LIKE %s"


def load(region: Region, year: int, as_of: date) -> dict[str, pl.DataFrame]:
    """Frames for `warnings.run`, plus `meta` (project_id → unit_id, department_id, region_id)."""
    b, p, m = ProjectBudget._meta.db_table, Project._meta.db_table, MonthlyExecution._meta.db_table
    pay = Payment._meta.db_table
    like = [region.path + "%"]
    meta = frame(
        f"SELECT bu.project_id, pr.unit_id, pr.department_id, pr.region_id,"
        f" CAST(bu.amount_adjusted AS DOUBLE PRECISION),"
        f" SUBSTR(pr.function_class_id, 1, 3) FROM {b} bu JOIN {p} pr ON pr.id = bu.project_id"
        f" WHERE bu.year = %s AND pr.state = 'in_library' AND bu.region_id IN ({REGIONS})",
        [year, *like],
        {
            "project_id": pl.Int64,
            "unit_id": pl.Int64,
            "department_id": pl.Int64,
            "region_id": pl.Int64,
            "budget": pl.Float64,
            "peer": pl.Utf8,
        },
    )
    stopped = frame(
        f"SELECT bu.project_id, CAST(SUM(py.amount) AS DOUBLE PRECISION)"
        f" FROM {b} bu JOIN {pay} py ON py.project_id = bu.project_id"
        f" AND py.year = bu.year WHERE bu.year = %s AND bu.appropriation <> 'normal'"
        f" AND bu.region_id IN ({REGIONS})"
        f" AND (bu.appropriation_since IS NULL OR py.date >= bu.appropriation_since) GROUP BY bu.project_id",
        [year, *like],
        {"project_id": pl.Int64, "paid_after_stop": pl.Float64},
    )
    projects = meta.select("project_id", "budget", "peer").join(stopped, on="project_id", how="left")
    monthly_sql = (
        f"SELECT project_id, month, CAST(amount AS DOUBLE PRECISION) FROM {m}"
        f" WHERE year = %s AND month <= %s AND region_id IN ({REGIONS})"
    )
    mschema = {"project_id": pl.Int64, "month": pl.Int64, "amount": pl.Float64}
    monthly = frame(monthly_sql, [year, as_of.month, *like], mschema)
    last_year = frame(monthly_sql, [year - 1, 12, *like], mschema)
    peers = meta.select("project_id", "peer")
    curves = warnings.peer_curves(last_year, peers) if last_year.height else None
    history = frame(
        f"SELECT bu.project_id, bu.year,"
        f" CAST(COALESCE(SUM(me.amount), 0) * 100.0 / bu.amount_adjusted AS DOUBLE PRECISION)"
        f" FROM {b} bu LEFT JOIN {m} me ON me.project_id = bu.project_id AND me.year = bu.year"
        f" WHERE bu.year < %s AND bu.year >= %s AND bu.amount_adjusted > 0 AND bu.region_id IN ({REGIONS})"
        f" GROUP BY bu.project_id, bu.year, bu.amount_adjusted",
        [year, year - 5, *like],
        {"project_id": pl.Int64, "year": pl.Int64, "rate": pl.Float64},
    )
    indicators = _indicators(region, year, as_of)
    projects = projects.join(_report_rates(indicators, monthly, meta), on="project_id", how="left")
    return {
        "projects": projects,
        "monthly": monthly,
        "curves": curves,
        "indicators": indicators.drop("period_end"),
        "history": history,
        "meta": meta,
    }


def _report_rates(indicators: pl.DataFrame, monthly: pl.DataFrame, meta: pl.DataFrame) -> pl.DataFrame:
    """Execution rate at the period end of the report each project's indicator values come from."""
    months = (
        indicators.filter(pl.col("period_end").is_not_null())
        .group_by("project_id")
        .agg(pl.col("period_end").max().str.slice(5, 2).cast(pl.Int64).alias("report_month"))
    )
    spent = (
        monthly.join(months, on="project_id")
        .filter(pl.col("month") <= pl.col("report_month"))
        .group_by("project_id")
        .agg(pl.col("amount").sum().alias("report_spent"))
    )
    return (
        months.join(spent, on="project_id", how="left")
        .join(meta.select("project_id", "budget"), on="project_id")
        .select(
            "project_id",
            pl.when(pl.col("budget") > 0)
            .then(pl.col("report_spent").fill_null(0.0) / pl.col("budget") * 100)
            .alias("report_rate"),
        )
    )


def _indicators(region: Region, year: int, as_of: date) -> pl.DataFrame:
    t, i = Target._meta.db_table, TargetIndicator._meta.db_table
    f, line = MonitoringForm._meta.db_table, MonitoringLine._meta.db_table
    r = MonitoringRound._meta.db_table
    rows = frame(
        f"SELECT tg.project_id, ti.id, ti.name, ti.value_kind, ti.comparator, CAST(ti.number AS DOUBLE PRECISION)"
        f" FROM {i} ti JOIN {t} tg ON tg.id = ti.target_id"
        f" WHERE tg.kind = 'project' AND tg.year = %s AND tg.state = 'approved'"
        f" AND tg.region_id IN ({REGIONS})",
        [year, region.path + "%"],
        {
            "project_id": pl.Int64,
            "indicator_id": pl.Int64,
            "name": pl.Utf8,
            "value_kind": pl.Utf8,
            "comparator": pl.Utf8,
            "target": pl.Float64,
        },
    )
    # The latest reported value per indicator: from the most recent round (by period end) whose form left draft.
    reported = frame(
        f"SELECT ml.indicator_id, CAST(ml.to_date_number AS DOUBLE PRECISION),"
        f" CAST(ml.forecast_number AS DOUBLE PRECISION), ml.likelihood,"
        f" ml.forecast, CAST(mr.period_end AS VARCHAR(10)) FROM {line} ml JOIN {f} mf ON mf.id = ml.form_id"
        f" JOIN {r} mr ON mr.id = mf.round_id WHERE mr.year = %s AND mr.period_end <= %s"
        f" AND mf.state <> 'draft' AND ml.indicator_id IS NOT NULL AND mf.region_id IN ({REGIONS})",
        [year, as_of, region.path + "%"],
        {
            "indicator_id": pl.Int64,
            "to_date": pl.Float64,
            "forecast": pl.Float64,
            "likelihood": pl.Int64,
            "answer": pl.Utf8,
            "period_end": pl.Utf8,
        },
    )
    latest = reported.sort("period_end").unique("indicator_id", keep="last")
    return (
        rows.join(latest, on="indicator_id", how="left")
        .with_columns(
            pl.when(pl.col("value_kind").is_in(QUANT_KINDS) & pl.col("comparator").is_in(list(DIRECTIONS)))
            .then(pl.lit("quant"))
            .otherwise(pl.lit("qual"))
            .alias("kind"),
            pl.col("comparator").replace_strict(DIRECTIONS, default="eq").alias("direction"),
            pl.col("likelihood").cast(pl.Int8),
        )
        .with_columns(pl.when(pl.col("kind") == "quant").then(pl.col("target")).alias("target"))
        .select(
            "project_id",
            "indicator_id",
            "name",
            "kind",
            "direction",
            "target",
            "to_date",
            "forecast",
            "likelihood",
            "answer",
            "period_end",
        )
    )

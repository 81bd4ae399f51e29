"""Payments ingest: 国库集中支付 records from the 预算管理一体化 system into `Payment` and `MonthlyExecution`.

`import_payments(data, filename, actor=…)` reads the file (CSV, XLSX or JSON; `payments_file.read`), validates
every row against the projects the importer may write to and the payments already stored (`payments_file.validate`)
and writes all or nothing: one `PaymentImport` row, the new payments (bulk `executemany` on SQLite, `COPY` on
PostgreSQL) and the monthly totals, in one transaction. A file seen before (same fingerprint) writes nothing;
rows already stored with the same content are skipped, so overlapping exports add nothing either.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal

import polars as pl
from django.db import connection, transaction
from django.utils import timezone

from wenxiao.core import audit
from wenxiao.core.errors import PermissionDenied, ValidationError
from wenxiao.core.scoping import can_write, scope_for
from wenxiao.orgs.selectors import home_region
from wenxiao.projects import payments_file
from wenxiao.projects.models import MonthlyExecution, Payment, PaymentImport, Project

IMPORT_ROLES = ("performance", "sysadmin")
CHUNK = 20_000


@dataclass
class IngestResult:
    filename: str
    total: int = 0
    added: int = 0
    skipped: int = 0
    amount: Decimal = Decimal("0")
    after_stop: int = 0
    errors: list[payments_file.RowError] = field(default_factory=list)
    duplicate_of: PaymentImport | None = None
    batch: PaymentImport | None = None
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.duplicate_of is not None:
            d = self.duplicate_of
            at = timezone.localtime(d.imported_at)
            return f"该文件已于{at:%Y-%m-%d %H:%M}导入（新增{d.added}笔），本次未写入任何数据。"
        if self.errors:
            return f"文件共{self.total}行，发现{len(self.errors)}处错误，未写入任何数据。请按错误报告修改后重新导入。"
        verb = "校验通过，可导入" if self.dry_run else "已导入"
        text = f"文件共{self.total}行，{verb}{self.added}笔，金额{self.amount:,.2f}元；"
        text += f"已存在相同记录{self.skipped}笔（跳过）。"
        if self.after_stop:
            text += f"其中{self.after_stop}笔支付发生在暂缓/停止拨款之后，已列入预警。"
        return text


def import_payments(data: bytes, filename: str, *, actor, dry_run: bool = False, year: int | None = None):
    """Validate and (unless `dry_run`) write a payments file. Raises PermissionDenied or ValidationError."""
    if not can_write(actor) or not (actor.is_superuser or actor.has_role(*IMPORT_ROLES)):
        raise PermissionDenied("支付数据由财政绩效科或系统管理员导入。")
    region = home_region(actor, IMPORT_ROLES)
    if region is None:
        raise PermissionDenied("您的账号未分配区划，不能导入支付数据。")
    result = IngestResult(filename=filename, dry_run=dry_run)
    fingerprint = payments_file.fingerprint(data)
    seen = PaymentImport.objects.filter(region=region, fingerprint=fingerprint).first()
    if seen is not None:
        result.duplicate_of = seen
        result.total = seen.rows
        return result
    try:
        frame = payments_file.read(data, filename)
    except payments_file.FileError as e:
        raise ValidationError(str(e))
    result.total = frame.height
    projects = _projects_frame(actor, frame["project_code"].unique().to_list())
    existing = _existing_frame(region.path, frame["payment_id"].unique().to_list())
    checked = payments_file.validate(frame, projects, existing, year=year)
    result.errors, result.skipped = checked.errors, checked.skipped
    rows = checked.rows
    result.added = rows.height
    result.amount = Decimal(int(rows["amount"].sum() or 0)) / 100
    if result.errors or dry_run:
        return result
    rows = rows.join(projects.select("project_id", "unit_id", "region_id"), on="project_id", how="left")
    result.after_stop = _after_stop(rows)
    with transaction.atomic():
        batch = PaymentImport.objects.create(
            region=region,
            fingerprint=fingerprint,
            filename=filename[:200],
            rows=result.total,
            added=result.added,
            skipped=result.skipped,
            amount=result.amount,
            after_stop=result.after_stop,
            imported_by=actor,
        )
        if rows.height:
            _write_payments(rows, batch.pk)
            _add_monthly(rows)
        audit.record(
            actor,
            "payments.import",
            batch,
            after={
                "filename": batch.filename,
                "fingerprint": fingerprint,
                "rows": result.total,
                "added": result.added,
                "skipped": result.skipped,
                "amount": f"{result.amount:.2f}",
            },
        )
    result.batch = batch
    return result


def _projects_frame(actor, codes: list[str]) -> pl.DataFrame:
    """The projects of the file the importer may write to: code, project_id, unit_code, unit_id, region_id."""
    visible = Project.objects.all() if scope_for(actor).everything else Project.objects.visible_to(actor, IMPORT_ROLES)
    rows: list[tuple] = []
    codes = [c for c in codes if c]
    for i in range(0, len(codes), CHUNK):
        rows += visible.filter(code__in=codes[i : i + CHUNK]).values_list(
            "code", "id", "unit__code", "unit_id", "region_id"
        )
    schema = {"code": pl.Utf8, "project_id": pl.Int64, "unit_code": pl.Utf8, "unit_id": pl.Int64, "region_id": pl.Int64}
    return pl.DataFrame(rows, schema=schema, orient="row")


def _existing_frame(region_path: str, ids: list[str]) -> pl.DataFrame:
    """Stored payments (of this region and below) whose ids occur in the file."""
    rows: list[tuple] = []
    ids = [i for i in ids if i]
    base = Payment.objects.filter(region__path__startswith=region_path)
    if not base.exists():  # a first import: nothing to look up (saves seconds on a million ids)
        ids = []
    for i in range(0, len(ids), CHUNK):
        rows += base.filter(payment_id__in=ids[i : i + CHUNK]).values_list("payment_id", "project_id", "date", "amount")
    schema = {"payment_id": pl.Utf8, "project_id": pl.Int64, "date": pl.Date, "amount": pl.Int64}
    return pl.DataFrame([(p, pr, d, int(a * 100)) for p, pr, d, a in rows], schema=schema, orient="row")


def _after_stop(rows: pl.DataFrame) -> int:
    """Payments dated on or after a 暂缓/停止拨款 decision for that project's budget year."""
    from wenxiao.projects.models import ProjectBudget

    held = list(
        ProjectBudget.objects.filter(project_id__in=rows["project_id"].unique().to_list())
        .exclude(appropriation="normal")
        .values_list("project_id", "year", "appropriation_since")
    )
    if not held:
        return 0
    stops = pl.DataFrame(held, schema={"project_id": pl.Int64, "year": pl.Int64, "since": pl.Date}, orient="row")
    joined = rows.with_columns(pl.col("date").dt.year().cast(pl.Int64).alias("year")).join(
        stops, on=["project_id", "year"]
    )
    return joined.filter(pl.col("since").is_null() | (pl.col("date") >= pl.col("since"))).height


def _amount_text(col: str = "amount") -> pl.Expr:
    """Fen (Int64) → exact yuan text with two decimals."""
    fen = pl.col(col)
    return pl.format(
        "{}{}.{}",
        pl.when(fen < 0).then(pl.lit("-")).otherwise(pl.lit("")),
        (fen.abs() // 100).cast(pl.Utf8),
        (fen.abs() % 100).cast(pl.Utf8).str.zfill(2),
    )


COLUMNS = (
    "region_id",
    "payment_id",
    "date",
    "year",
    "project_id",
    "unit_id",
    "amount",
    "economic_code",
    "fund_source",
    "batch_id",
)


def _write_payments(rows: pl.DataFrame, batch_id: int) -> None:
    table = Payment._meta.db_table
    out = rows.select(
        pl.col("region_id"),
        pl.col("payment_id"),
        pl.col("date").dt.strftime("%Y-%m-%d"),
        pl.col("date").dt.year().cast(pl.Int64).alias("year"),
        pl.col("project_id"),
        pl.col("unit_id"),
        _amount_text().alias("amount"),
        pl.col("economic_code").fill_null(""),
        pl.col("fund_source").fill_null("").str.slice(0, 40),
        pl.lit(batch_id, pl.Int64).alias("batch_id"),
    )
    cols = ", ".join(COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buf = io.BytesIO()
            out.write_csv(buf, include_header=False)
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv)") as copy:
                copy.write(buf.getvalue())
        else:
            marks = ", ".join(["%s"] * len(COLUMNS))
            cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", out.iter_rows())


def _add_monthly(rows: pl.DataFrame) -> None:
    """Add the new payments to the monthly totals (insert, or add to an existing project-month)."""
    table = MonthlyExecution._meta.db_table
    monthly = (
        rows.group_by(
            "region_id",
            "project_id",
            pl.col("date").dt.year().cast(pl.Int64).alias("year"),
            pl.col("date").dt.month().cast(pl.Int64).alias("month"),
        )
        .agg(pl.col("amount").sum(), pl.len().cast(pl.Int64).alias("payments"))
        .select("region_id", "project_id", "year", "month", _amount_text().alias("amount"), "payments")
    )
    sql = (
        f"INSERT INTO {table} (region_id, project_id, year, month, amount, payments) VALUES (%s, %s, %s, %s, %s, %s) "
        f"ON CONFLICT (project_id, year, month) DO UPDATE SET amount = {table}.amount + excluded.amount, "
        f"payments = {table}.payments + excluded.payments"
    )
    if connection.vendor == "postgresql":
        sql = sql.replace("VALUES (%s, %s, %s, %s, %s, %s)", "VALUES (%s, %s, %s, %s, %s::numeric, %s)")
    with connection.cursor() as cursor:
        cursor.executemany(sql, monthly.iter_rows())

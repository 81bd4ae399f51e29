"""`wenxiao bench ingest`: throughput of the payments import (projects/ingest.py) against DuckDB on the same file.

    wenxiao bench ingest [--rows 1000000] [--projects 20000] [--year 2026]

In a child process with a fresh SQLite database in a temporary data dir (as bench/run.py's seed bench): migrate,
create one city with a 绩效科 user and 20 departments × 10 units, bulk-create `--projects` projects in the library
with a budget for the year (ORM bulk_create, the fields seed/generate.py fills), then write a deterministic
payments export of `--rows` rows (`payments_file.generate_csv(rows, projects, year, seed=1)`) to a file. None of
that is timed.

Timed: `ingest.import_payments(data, name, actor=jxk)` end to end — read and decode the CSV, look up the projects
and the already stored payment ids, validate every row, write `Payment` rows (executemany) and add the monthly
totals (`MonthlyExecution`), one transaction, audit event included. rows_per_s = rows ÷ seconds. The phases are
timed by wrapping the module functions import_payments calls (no change to the code under test).

Reference, same run, same file: DuckDB (file database in the same temp dir) `read_csv` of the file with the column
types given, GROUP BY project code and month into a table — the monthly totals, which is what the import exists
to produce. For information only, DuckDB loading every row into a table with a primary key on the payment id.
ratio_vs_duckdb = our seconds ÷ DuckDB's monthly-totals seconds.

Checks: the Payment table holds `rows` rows, and the monthly totals agree with DuckDB's to the cent for every
(project, month) pair.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
YEAR = 2026


# --- shared with bench/monitor.py ------------------------------------------------------------------------------


def run_child(module: str, argv: list[str]) -> int:
    """Run `bench.<module>.child(argv)` in a child process on a fresh SQLite database in a temporary data dir.

    The child's output goes straight to ours (it prints the RESULT line); returns its exit code."""
    with tempfile.TemporaryDirectory(prefix="wenxiao-bench-") as d:
        env = {k: v for k, v in os.environ.items() if k != "WENXIAO_DATABASE_URL"}
        env["WENXIAO_DATA_DIR"] = d
        env["DJANGO_SETTINGS_MODULE"] = "wenxiao.settings"
        env["PYTHONUNBUFFERED"] = "1"
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
        code = f"import sys; from bench import {module} as m; sys.exit(m.child(sys.argv[1:]))"
        return subprocess.run([sys.executable, "-c", code, d, *argv], env=env, check=False).returncode


def setup_django() -> float:
    """django.setup() and migrate the fresh database; returns the migrate seconds."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenxiao.settings")
    import django

    django.setup()
    from django.core.management import call_command

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    return time.perf_counter() - t


class Phases:
    """Wall time spent in named functions, measured by wrapping module attributes (restored by `restore`)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._undo: list[tuple[object, str, object]] = []

    def wrap(self, owner: object, name: str, label: str | None = None) -> None:
        original = getattr(owner, name)
        key = label or name

        def timed(*args, **kwargs):
            t = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[key] += time.perf_counter() - t
                self.calls[key] += 1

        setattr(owner, name, timed)
        self._undo.append((owner, name, original))

    def restore(self) -> None:
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)
        self._undo.clear()

    def line(self, keys: list[str], total: float) -> str:
        parts = [f"{k} {self.seconds.get(k, 0.0):.2f}" for k in keys]
        rest = total - sum(self.seconds.get(k, 0.0) for k in keys)
        return ", ".join([*parts, f"other {rest:.2f}"])


@dataclass
class Jurisdiction:
    region: object  # orgs.Region
    user: object  # orgs.User, 绩效科
    units: list  # orgs.Organisation (kind unit), parent = its department
    function_codes: list[str]  # 支出功能分类 项 codes, a few per 类 (the peer groups)


def make_jurisdiction(departments: int = 20, units_per_department: int = 10) -> Jurisdiction:
    """One city: its finance bureau and 绩效科 (user `jxk`, role performance), departments and their units."""
    from wenxiao.catalog.models import FunctionClass
    from wenxiao.orgs.models import Organisation, Region, Role, RoleAssignment, User

    K = Organisation.Kind
    region = Region(code="430400", name="衡阳市", level=Region.Level.CITY)
    region.save()
    bureau = Organisation(code="430400900", name="衡阳市财政局", kind=K.FINANCE_BUREAU, region=region)
    bureau.save()
    perf = Organisation(
        code="43040090001",
        name="预算绩效管理科",
        kind=K.FINANCE_SECTION,
        section_kind="performance",
        region=region,
        parent=bureau,
    )
    perf.save()
    units = []
    for i in range(departments):
        dept = Organisation(code=f"430400{101 + i:03d}", name=f"衡阳市第{i + 1}部门", kind=K.DEPARTMENT, region=region)
        dept.save()
        for k in range(units_per_department):
            unit = Organisation(
                code=f"{dept.code}{k + 1:03d}",
                name=f"{dept.name}第{k + 1}单位",
                kind=K.UNIT,
                region=region,
                parent=dept,
            )
            unit.save()
            units.append(unit)
    user = User.objects.create(username="jxk", display_name="李绩效", org=perf, password="!")
    RoleAssignment.objects.create(user=user, role=Role.PERFORMANCE, org=perf)
    by_class: dict[str, list[str]] = defaultdict(list)
    for code in FunctionClass.objects.filter(level=3).order_by("code").values_list("code", flat=True):
        if len(by_class[code[:3]]) < 3:
            by_class[code[:3]].append(code)
    codes = [c for group in by_class.values() for c in group]
    return Jurisdiction(region=region, user=user, units=units, function_codes=codes)


def project_code(region_code: str, year: int, unit_code: str, seq: int) -> str:
    """21 digits as seed/generate.py issues them: region, start year, unit, sequence within the unit."""
    return f"{region_code[:6]}{year:04d}{unit_code[-6:]}{seq:05d}"


# --- ingest ----------------------------------------------------------------------------------------------------


def _make_projects(j: Jurisdiction, n: int, year: int) -> list[tuple[str, str]]:
    """`n` projects in the library with a budget for `year` (ORM bulk_create); → [(project code, unit code)]."""
    import random
    from decimal import Decimal

    from wenxiao.projects.models import Project, ProjectBudget

    rng = random.Random(1)
    pairs: list[tuple[str, str]] = []
    for start in range(0, n, 5000):
        batch = []
        for i in range(start, min(n, start + 5000)):
            unit = j.units[i % len(j.units)]
            code = project_code(j.region.code, year, unit.code, i // len(j.units) + 1)
            name = f"{unit.name}专项项目{i + 1}"
            batch.append(
                Project(
                    region_id=j.region.id,
                    code=code,
                    name=name,
                    kind="project",
                    department_id=unit.parent_id,
                    unit=unit,
                    start_year=year,
                    end_year=year + 1,
                    budget_kind="1",
                    fund_type="",
                    function_class_id=j.function_codes[i % len(j.function_codes)],
                    project_class="3",
                    attribute="new",
                    state="in_library",
                    description=f"{name}。实施单位：{unit.name}。",
                    search_text=f"{name} {code}",
                )
            )
            pairs.append((code, unit.code))
        projects = Project.objects.bulk_create(batch, batch_size=1000)
        budgets = []
        for p in projects:
            amount = Decimal(max(20_000, round(10 ** rng.uniform(4.5, 7.5), -2))).quantize(Decimal("0.01"))
            budgets.append(
                ProjectBudget(
                    region_id=p.region_id,
                    project=p,
                    year=year,
                    amount_initial=amount,
                    amount_adjusted=amount,
                    amount_fiscal=amount,
                )
            )
        ProjectBudget.objects.bulk_create(budgets, batch_size=2000)
    return pairs


CSV_COLUMNS = (
    "{'支付凭证号': 'VARCHAR', '支付日期': 'DATE', '项目代码': 'VARCHAR', '单位代码': 'VARCHAR',"
    " '支付金额': 'DECIMAL(15,2)', '经济分类代码': 'VARCHAR', '资金来源': 'VARCHAR'}"
)


def _duckdb_reference(path: Path, db: Path):
    """→ (monthly seconds, insert seconds, monthly frame: code, month, fen, payments)."""
    import duckdb
    import polars as pl

    con = duckdb.connect(str(db))
    con.execute("SET enable_progress_bar = false")
    source = f"read_csv('{path}', header = true, columns = {CSV_COLUMNS})"
    t = time.perf_counter()
    con.execute(
        "CREATE TABLE monthly AS SELECT 项目代码 AS project_code, month(支付日期) AS month,"
        f" sum(支付金额) AS amount, count(*) AS payments FROM {source} GROUP BY ALL"
    )
    monthly_s = time.perf_counter() - t
    t = time.perf_counter()
    con.execute(
        "CREATE TABLE payments (payment_id VARCHAR PRIMARY KEY, date DATE, project_code VARCHAR, unit_code VARCHAR,"
        " amount DECIMAL(15,2), economic_code VARCHAR, fund_source VARCHAR)"
    )
    con.execute(f"INSERT INTO payments SELECT * FROM {source}")
    insert_s = time.perf_counter() - t
    rows = con.execute(
        "SELECT project_code, month::BIGINT, CAST(amount * 100 AS BIGINT), payments::BIGINT FROM monthly"
    ).fetchall()
    con.close()
    schema = {"code": pl.Utf8, "month": pl.Int64, "fen": pl.Int64, "payments": pl.Int64}
    return monthly_s, insert_s, pl.DataFrame(rows, schema=schema, orient="row")


def child(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="wenxiao bench ingest (child)")
    p.add_argument("data_dir")
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--projects", type=int, default=20_000)
    p.add_argument("--year", type=int, default=YEAR)
    args = p.parse_args(argv)
    migrate_s = setup_django()

    import polars as pl
    from django.db import connection

    from wenxiao.projects import ingest, payments_file
    from wenxiao.projects.models import MonthlyExecution, Payment, Project

    t = time.perf_counter()
    j = make_jurisdiction()
    pairs = _make_projects(j, args.projects, args.year)
    setup_s = time.perf_counter() - t
    t = time.perf_counter()
    data = payments_file.generate_csv(args.rows, pairs, args.year, seed=1)
    path = Path(args.data_dir) / "payments.csv"
    path.write_bytes(data)
    gen_s = time.perf_counter() - t
    print(
        f"ingest: rows={args.rows} projects={len(pairs)} file={len(data) / 1e6:.1f} MB "
        f"(migrate {migrate_s:.1f} s, projects {setup_s:.1f} s, generate {gen_s:.1f} s; not timed)"
    )

    phases = Phases()
    for owner, name in (
        (payments_file, "read"),
        (ingest, "_projects_frame"),
        (ingest, "_existing_frame"),
        (payments_file, "validate"),
        (ingest, "_after_stop"),
        (ingest, "_write_payments"),
        (ingest, "_add_monthly"),
    ):
        phases.wrap(owner, name)
    t = time.perf_counter()
    result = ingest.import_payments(data, path.name, actor=j.user)
    ours = time.perf_counter() - t
    phases.restore()
    if not result.ok:
        print(f"CHECK FAILED: the import reported {len(result.errors)} errors, e.g. {result.errors[0].as_line()}")
        return 1
    keys = ["read", "_projects_frame", "_existing_frame", "validate", "_after_stop", "_write_payments", "_add_monthly"]
    print(f"ours: {ours:.2f} s = {phases.line(keys, ours)} (other: fingerprint, frame joins, commit, audit)")

    duck_s, insert_s, duck = _duckdb_reference(path, Path(args.data_dir) / "reference.duckdb")
    print(f"duckdb: read_csv + GROUP BY project, month → table {duck_s:.2f} s")
    print(f"duckdb (information): read_csv → table with PRIMARY KEY (payment_id), all rows {insert_s:.2f} s")

    stored = Payment.objects.count()
    me, pr = MonthlyExecution._meta.db_table, Project._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT pr.code, me.month, CAST(ROUND(me.amount * 100) AS INTEGER), me.payments"
            f" FROM {me} me JOIN {pr} pr ON pr.id = me.project_id"
        )
        ours_rows = cursor.fetchall()
    mine = pl.DataFrame(ours_rows, schema=duck.schema, orient="row")
    both = mine.join(duck, on=["code", "month"], how="full", suffix="_duck")
    differ = both.filter(
        pl.col("code").is_null()
        | pl.col("code_duck").is_null()
        | (pl.col("fen") != pl.col("fen_duck"))
        | (pl.col("payments") != pl.col("payments_duck"))
    ).height
    ok = stored == args.rows and differ == 0 and mine["fen"].sum() == duck["fen"].sum()
    print(
        f"check: payments stored {stored} (expected {args.rows}); monthly rows ours {mine.height}"
        f" duckdb {duck.height}, "
        f"sum ours {mine['fen'].sum() / 100:,.2f} duckdb {duck['fen'].sum() / 100:,.2f}, "
        f"(project, month) pairs differing: {differ} → {'ok' if ok else 'FAILED'}"
    )
    if not ok:
        print("CHECK FAILED")
        return 1
    print(
        f"RESULT ingest rows={args.rows} rows_per_s={args.rows / ours:.0f} seconds={ours:.2f} duckdb_s={duck_s:.2f} "
        f"ratio_vs_duckdb={ours / duck_s:.1f}"
    )
    return 0


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="wenxiao bench ingest")
    p.add_argument("--rows", type=int, default=1_000_000, help="payments in the file (default 1,000,000)")
    p.add_argument("--projects", type=int, default=20_000, help="projects the payments go to (default 20,000)")
    p.add_argument("--year", type=int, default=YEAR)
    args = p.parse_args(argv)
    return run_child("ingest", ["--rows", str(args.rows), "--projects", str(args.projects), "--year", str(args.year)])

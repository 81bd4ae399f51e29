"""`wenxiao bench cockpit`: the cockpit at scale — refreshing the snapshots, and rendering the page from one.

    wenxiao bench cockpit [--scale city] [--year 2026] [--repeat 20] [--data-dir DIR]

Seeds the scale into a temporary SQLite database (child process, as `bench seed`; the seed already computes the
first snapshots), then in a second child:

- refresh: `cockpit.services.refresh` of the top region (all of its figures over the whole city) and
  `refresh_all` (every region and 主管部门); reference: one plain SQL aggregate over the same execution table
  (`SUM(budget), SUM(spent)` of `monitoring_projectstatus` for the year), so `refresh_vs_sql` says how many plain
  aggregates one snapshot costs;
- page: the cockpit page as 绩效科 (jxk) through the Django test client, `--repeat` times (median), against the
  median of a trivial logged-in page (`/todos/`) in the same process: `page_vs_trivial`.

Prints `RESULT cockpit …`. The target of issue #11 is a page under one second on the city scale; timings are never
asserted in tests.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

CHILD = r"""
import os, statistics, sys, time, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenxiao.settings")
django.setup()
from django.db import connection
from django.test import Client
from wenxiao.cockpit import selectors, services
from wenxiao.orgs.models import User

year, repeat = int(sys.argv[1]), int(sys.argv[2])
jxk = User.objects.get(username="jxk")
region = selectors.subject_for(jxk)

def timed(fn, n=1):
    out = []
    for _ in range(n):
        t = time.perf_counter(); fn(); out.append(time.perf_counter() - t)
    return statistics.median(out)

def sql():
    with connection.cursor() as c:
        c.execute("SELECT COUNT(*), SUM(budget), SUM(spent) FROM monitoring_projectstatus WHERE year = %s", [year])
        c.fetchall()

sql_s = timed(sql, 5)
one_s = timed(lambda: services.refresh(region, year), 3)
t = time.perf_counter(); r = services.refresh_all(year); all_s = time.perf_counter() - t
c = Client(); c.force_login(jxk)
assert c.get("/cockpit/", {"year": year}).status_code == 200  # warm: templates, url resolvers
page_s = timed(lambda: c.get("/cockpit/", {"year": year}), repeat)
trivial_s = timed(lambda: c.get("/todos/"), repeat)
projects = selectors.snapshot(region, year).payload["execution"]["projects"]
print("CHILD", one_s, all_s, r["regions"] + r["departments"], sql_s, page_s, trivial_s, projects)
"""


def main(argv: list[str]) -> int:
    from bench.run import _seed_child

    p = argparse.ArgumentParser(prog="wenxiao bench cockpit")
    p.add_argument("--scale", choices=["demo", "city"], default="city")
    p.add_argument("--year", type=int, default=2026)
    p.add_argument("--repeat", type=int, default=20)
    p.add_argument("--data-dir", help="use this (already seeded) data directory instead of seeding a new one")
    args = p.parse_args(argv)
    if not 1 <= args.repeat <= 1000:
        print("--repeat 须在 1–1000 之间", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir or tmp
        if not args.data_dir:
            seconds, projects, _, _ = _seed_child(data_dir, args.scale, args.year)
            print(f"seeded {args.scale}: {projects} projects in {seconds:.0f} s", file=sys.stderr)
        env = {k: v for k, v in os.environ.items() if k != "WENXIAO_DATABASE_URL"}
        env["WENXIAO_DATA_DIR"] = data_dir
        env["WENXIAO_FISCAL_YEAR"] = str(args.year)
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(args.year), str(args.repeat)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    line = [x for x in out.splitlines() if x.startswith("CHILD")][-1].split()
    one_s, all_s, snapshots, sql_s, page_s, trivial_s = map(float, line[1:7])
    projects = int(line[7])
    print(
        f"RESULT cockpit scale={args.scale} projects_monitored={projects} refresh_region_s={one_s:.2f} "
        f"refresh_all_s={all_s:.1f} snapshots={int(snapshots)} sql_ref_ms={sql_s * 1000:.1f} "
        f"refresh_vs_sql={one_s / sql_s:.0f} page_ms={page_s * 1000:.1f} trivial_page_ms={trivial_s * 1000:.1f} "
        f"page_vs_trivial={page_s / trivial_s:.1f}"
    )
    return 0

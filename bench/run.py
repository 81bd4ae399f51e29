"""`wenxiao bench …`: benchmarks that print ratios against a reference computed in the same run.

    wenxiao bench seed --scale province [--year 2026] [--keep]
    wenxiao bench ingest [--rows 1000000] [--projects 20000]      (bench/ingest.py)
    wenxiao bench monitor [--projects 200000]                     (bench/monitor.py)
    wenxiao bench web [--scale city] [--clients 20] [--seconds 20]  (bench/web.py)
    wenxiao bench cockpit [--scale city] [--repeat 20]            (bench/cockpit.py)
    wenxiao bench exchange [--rows 50000] [--projects 20000]      (bench/exchange.py)

seed: time `seed(scale)` into a fresh SQLite database (migrations excluded), then, as the reference, insert
the same number of project, budget and responsible-person rows with plain sqlite3 `executemany` into a
table of the same width. The ratio says how far the full generator (names, codes, tokenizing for search,
ORM bulk inserts, FTS triggers, workflow rows) is from the bare cost of writing that many rows.

ingest: time `projects.ingest.import_payments` on a generated payments CSV; reference: DuckDB reading the same
file into monthly totals. monitor: time `monitoring.services.run_warnings` over N projects with 10 indicators
and 50 payments each; reference: the same rules as DuckDB SQL over the same inputs. Both print ratio_vs_duckdb.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _seed_child(data_dir: str, scale: str, year: int) -> tuple[float, int, int, int]:
    """Migrate and seed in a child process (its own settings and database); return the seed seconds."""
    code = (
        "import os, time, django;"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'wenxiao.settings');"
        "django.setup();"
        "from django.core.management import call_command;"
        "call_command('migrate', verbosity=0);"
        "from wenxiao.seed.generate import seed;"
        "t = time.perf_counter();"
        f"c = seed({scale!r}, year={year}, progress=lambda *a: None);"
        "print('SEED', time.perf_counter() - t, c['projects'], c['budgets'], c['transitions'])"
    )
    env = {k: v for k, v in os.environ.items() if k != "WENXIAO_DATABASE_URL"}
    env["WENXIAO_DATA_DIR"] = data_dir
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    line = [x for x in out.splitlines() if x.startswith("SEED")][-1].split()
    return float(line[1]), int(line[2]), int(line[3]), int(line[4])


def _reference(rows: int, budgets: int, transitions: int) -> float:
    """Plain sqlite3 inserts of the same row counts, full-text index included (same journal settings)."""
    with tempfile.TemporaryDirectory() as d:
        db = sqlite3.connect(Path(d) / "ref.sqlite3")
        db.executescript(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
            "CREATE TABLE p (id INTEGER PRIMARY KEY, code TEXT UNIQUE, name TEXT, unit_id INT, state TEXT,"
            " search_text TEXT, region_id INT, amount TEXT);"
            "CREATE TABLE b (id INTEGER PRIMARY KEY, project_id INT, year INT, amount TEXT);"
            "CREATE TABLE r (id INTEGER PRIMARY KEY, project_id INT, name TEXT);"
            "CREATE TABLE t (id INTEGER PRIMARY KEY, object_id INT, action TEXT, actor_id INT);"
            "CREATE VIRTUAL TABLE p_fts USING fts5(search_text, content='p', content_rowid='id');"
        )
        t = time.perf_counter()
        with db:
            db.executemany(
                "INSERT INTO p VALUES (?,?,?,?,?,?,?,?)",
                ((i, f"{i:021d}", f"项目{i}", i % 500, "in_library", f"项目 {i}", 1, "1000.00") for i in range(rows)),
            )
            db.executemany("INSERT INTO b VALUES (?,?,?,?)", ((i, i % rows, 2026, "1000.00") for i in range(budgets)))
            db.executemany("INSERT INTO r VALUES (?,?,?)", ((i, i, "张三") for i in range(rows)))
            db.executemany("INSERT INTO t VALUES (?,?,?,?)", ((i, i % rows, "submit", 1) for i in range(transitions)))
            db.execute("INSERT INTO p_fts(p_fts) VALUES ('rebuild')")
        return time.perf_counter() - t


def bench_seed(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="wenxiao bench seed")
    p.add_argument("--scale", choices=["demo", "city", "province"], default="demo")
    p.add_argument("--year", type=int, default=2026)
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as d:
        seconds, projects, budgets, transitions = _seed_child(d, args.scale, args.year)
        size_mb = (Path(d) / "wenxiao.sqlite3").stat().st_size / 1e6
    ref = _reference(projects, budgets, transitions)
    print(
        f"RESULT seed scale={args.scale} projects={projects} budgets={budgets} seconds={seconds:.1f} "
        f"rows_per_s={projects / seconds:.0f} db_mb={size_mb:.0f} reference_s={ref:.2f} "
        f"ratio_vs_sqlite={seconds / ref:.1f}"
    )
    return 0


def bench_recommend(argv: list[str]) -> int:
    from bench import recommend_bench

    return recommend_bench.main(argv)


def bench_review(argv: list[str]) -> int:
    from bench import review_eval

    return review_eval.main(argv)


def bench_ingest(argv: list[str]) -> int:
    from bench import ingest

    return ingest.main(argv)


def bench_monitor(argv: list[str]) -> int:
    from bench import monitor

    return monitor.main(argv)


def bench_web(argv: list[str]) -> int:
    from bench import web

    return web.main(argv)


def bench_cockpit(argv: list[str]) -> int:
    from bench import cockpit

    return cockpit.main(argv)


def bench_exchange(argv: list[str]) -> int:
    from bench import exchange

    return exchange.main(argv)


BENCHES = {
    "seed": bench_seed,
    "recommend": bench_recommend,
    "review": bench_review,
    "ingest": bench_ingest,
    "monitor": bench_monitor,
    "web": bench_web,
    "cockpit": bench_cockpit,
    "exchange": bench_exchange,
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in BENCHES:
        print(f"用法：wenxiao bench {{{'|'.join(BENCHES)}}} …", file=sys.stderr)
        return 2
    return BENCHES[argv[0]](argv[1:])

"""`wenxiao bench exchange`: a day of a city's payments pushed through the 一体化 API, against the payments import.

    wenxiao bench exchange [--rows 50000] [--projects 20000] [--year 2026]

In a child process on a fresh SQLite database (bench/ingest.py's helpers): one city with a 绩效科 user, `--projects`
projects with budgets, and `--rows` payments of one day (payments_file.generate_csv, every date set to 10 November).
None of that is timed.

Reference (timed): `ingest.import_payments` of the day as a CSV file (ids A…), as `wenxiao bench ingest` does.
Ours (timed): the same day with other ids (B…) pushed by docs/exchange_client.py `push_day_of_payments` — JSON
batches of 5,000 rows through the whole API stack (token authentication, ninja, exchange.services, the ingest) —
with Django's test client as the transport. Then the same day pushed again (timed): nothing may be added.

Checks: the first push adds every row, the second adds none, and the monthly totals are the same after both.
ratio_vs_ingest = API seconds ÷ ingest seconds.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import io
import sys
import time
from urllib.parse import urlsplit

from bench.ingest import ROOT, YEAR, _make_projects, make_jurisdiction, run_child, setup_django


def child(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="wenxiao bench exchange (child)")
    p.add_argument("data_dir")
    p.add_argument("--rows", type=int, default=50_000)
    p.add_argument("--projects", type=int, default=20_000)
    p.add_argument("--year", type=int, default=YEAR)
    args = p.parse_args(argv)
    setup_django()
    from django.db.models import Sum
    from django.test import Client
    from django.test.utils import setup_test_environment

    from wenxiao.core.tokens import create_token
    from wenxiao.projects import ingest, payments_file
    from wenxiao.projects.models import MonthlyExecution

    setup_test_environment()  # the test client's host name
    j = make_jurisdiction()
    pairs = _make_projects(j, args.projects, args.year)
    day = f"{args.year}-11-10"
    records = list(csv.DictReader(io.StringIO(payments_file.generate_csv(args.rows, pairs, args.year).decode())))
    out = io.StringIO()
    w = csv.writer(out)
    columns = ["支付凭证号", "支付日期", "项目代码", "单位代码", "支付金额", "经济分类代码", "资金来源"]
    w.writerow(columns)
    for r in records:
        w.writerow(["A" + r["支付凭证号"], day, *(r[c] for c in columns[2:])])
    rows = [
        {
            "pay_cert_no": "B" + r["支付凭证号"],
            "pay_date": day.replace("-", ""),
            "pro_code": r["项目代码"],
            "agency_code": r["单位代码"],
            "pay_amt": r["支付金额"],
            "exp_eco_code": r["经济分类代码"],
            "fund_type_code": r["资金来源"],
        }
        for r in records
    ]
    print(f"exchange: rows={args.rows} projects={len(pairs)} day={day} (setup not timed)")

    t = time.perf_counter()
    result = ingest.import_payments(out.getvalue().encode(), "day.csv", actor=j.user)
    ref = time.perf_counter() - t
    if not result.ok or result.added != args.rows:
        print(f"CHECK FAILED: the reference import added {result.added}, errors {len(result.errors)}")
        return 1
    print(f"ingest (reference): CSV file {ref:.2f} s, {args.rows / ref:,.0f} rows/s")

    spec = importlib.util.spec_from_file_location("exchange_client", ROOT / "docs" / "exchange_client.py")
    client_module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(client_module)
    client = Client()

    def send(method, url, headers, body):
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        r = client.post(path, data=body, content_type="application/json", HTTP_AUTHORIZATION=headers["Authorization"])
        return r.status_code, r.content

    token = create_token(j.user, name="bench")

    def totals():
        return MonthlyExecution.objects.aggregate(a=Sum("amount"), n=Sum("payments"))

    t = time.perf_counter()
    first = client_module.push_day_of_payments("http://testserver", token, rows, name="bench", send=send)
    ours = time.perf_counter() - t
    after_first = totals()
    t = time.perf_counter()
    second = client_module.push_day_of_payments("http://testserver", token, rows, name="bench", send=send)
    again = time.perf_counter() - t
    ok = first["added"] == args.rows and second["added"] == 0 and totals() == after_first and not first["errors"]
    print(
        f"api: {len(first['batches'])} batches {ours:.2f} s, {args.rows / ours:,.0f} rows/s; "
        f"second push {again:.2f} s (added {second['added']}, unchanged {second['unchanged']})"
    )
    print(f"check: added {first['added']} then {second['added']}, totals unchanged → {'ok' if ok else 'FAILED'}")
    print(
        f"RESULT exchange rows={args.rows} api_s={ours:.2f} second_s={again:.2f} ingest_s={ref:.2f} "
        f"ratio_vs_ingest={ours / ref:.2f} ok={ok}"
    )
    return 0 if ok else 1


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="wenxiao bench exchange")
    p.add_argument("--rows", type=int, default=50_000)
    p.add_argument("--projects", type=int, default=20_000)
    p.add_argument("--year", type=int, default=YEAR)
    args = p.parse_args(argv)
    return run_child("exchange", ["--rows", str(args.rows), "--projects", str(args.projects), "--year", str(args.year)])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

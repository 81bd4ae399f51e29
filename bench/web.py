"""`wenxiao bench web`: latency of the main pages and API lists under concurrent users, on a seeded city.

    wenxiao bench web [--scale city] [--clients 20] [--seconds 20] [--workers 2] [--port 8031]

Seeds the scale into a temporary data directory (child process, SQLite), starts gunicorn on loopback, logs in
as 绩效科 (jxk), then `--clients` threads request the main pages and API lists round-robin for `--seconds`.
Prints `RESULT web …` for those and, as the floor of the same stack (gunicorn, middleware, sessions), the same
line for `/healthz`; `rps_vs_floor` is the pages' throughput as a share of the floor's, which stays put when the
machine (a shared VM) runs faster or slower from one run to the next. The API rate limit is raised out of the
way (one user drives all the clients) but stays switched on, so its cost is measured.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

PAGES = ["/", "/projects/", "/targets/", "/monitoring/", "/library/", "/appraisal/", "/todos/"]
API = [
    "/api/v1/projects",
    "/api/v1/targets",
    "/api/v1/library",
    "/api/v1/monitoring/overview",
    "/api/v1/monitoring/warnings",
    "/api/v1/todos",
]
SETTINGS_CODE = (
    "import os, django;"
    "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'wenxiao.settings');"
    "django.setup();"
    "from wenxiao.core.models import Setting;"
    "Setting.objects.update_or_create(key='security.rate_api', region=None, year=None,"
    " defaults={'value': 10**9, 'note': 'bench web'})"
)


def _env(data_dir: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "WENXIAO_DATABASE_URL"}
    env["WENXIAO_DATA_DIR"] = data_dir
    return env


def _request(conn: http.client.HTTPConnection, path: str, cookie: str = "", method="GET", body=None, headers=None):
    h = {"Cookie": cookie} if cookie else {}
    h.update(headers or {})
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse()
    data = r.read()
    return r, data


def _wait_up(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            r, _ = _request(conn, "/healthz")
            conn.close()
            if r.status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn 未能启动")


def _login(port: int, username: str, password: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    r, data = _request(conn, "/login/")
    csrf = re.search(r"csrftoken=([^;]+)", r.getheader("Set-Cookie") or "").group(1)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', data).group(1).decode()
    body = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
    r, _ = _request(
        conn,
        "/login/",
        f"csrftoken={csrf}",
        "POST",
        body,
        {"Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://127.0.0.1:{port}/login/"},
    )
    session = re.search(r"sessionid=([^;]+)", r.getheader("Set-Cookie") or "")
    conn.close()
    if r.status != 302 or not session:
        raise RuntimeError(f"以 {username} 登录失败（HTTP {r.status}）")
    return f"sessionid={session.group(1)}; csrftoken={csrf}"


def drive(port: int, paths: list[str], cookie: str, clients: int, seconds: float) -> dict:
    """`clients` threads, each with its own connection, requesting `paths` round-robin until time is up."""
    latencies: list[float] = []
    by_path: dict[str, list[float]] = {}
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[float] = []
        mine_by_path: dict[str, list[float]] = {}
        bad = 0
        i = offset
        while time.monotonic() < stop_at:
            path = paths[i % len(paths)]
            i += 1
            t = time.perf_counter()
            try:
                r, _ = _request(conn, path, cookie)
                if r.status >= 400:
                    bad += 1
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            mine.append(time.perf_counter() - t)
            mine_by_path.setdefault(path, []).append(mine[-1])
        conn.close()
        with lock:
            latencies.extend(mine)
            for path, values in mine_by_path.items():
                by_path.setdefault(path, []).extend(values)
            errors[0] += bad

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000 if latencies else 0.0

    per_path = {path: sorted(v)[len(v) // 2] * 1000 for path, v in by_path.items()}
    return {
        "per_path_p50_ms": per_path,
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "errors": errors[0],
        "requests": len(latencies),
        "rps": len(latencies) / elapsed if elapsed else 0.0,
    }


def _line(name: str, r: dict, extra: str = "") -> str:
    return (
        f"RESULT {name} p50_ms={r['p50_ms']:.1f} p95_ms={r['p95_ms']:.1f} p99_ms={r['p99_ms']:.1f} "
        f"errors={r['errors']} rps={r['rps']:.1f} requests={r['requests']}{extra}"
    )


def main(argv: list[str]) -> int:
    from bench.run import _seed_child

    p = argparse.ArgumentParser(prog="wenxiao bench web")
    p.add_argument("--scale", choices=["demo", "city", "province"], default="city")
    p.add_argument("--year", type=int, default=2026)
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    p.add_argument("--port", type=int, default=8031)
    p.add_argument("--data-dir", help="use this (already seeded) data directory instead of seeding a new one")
    args = p.parse_args(argv)
    if args.clients < 1 or args.seconds <= 0 or args.seconds > 600:
        print("--clients 至少为 1，--seconds 须在 (0, 600] 内", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir or tmp
        if not args.data_dir:
            t = time.perf_counter()
            _, projects, _, _ = _seed_child(data_dir, args.scale, args.year)
            print(f"seeded {args.scale}: {projects} projects in {time.perf_counter() - t:.0f} s", file=sys.stderr)
        env = _env(data_dir)
        env["WENXIAO_FISCAL_YEAR"] = str(args.year)
        subprocess.run([sys.executable, "-c", SETTINGS_CODE], env=env, check=True)
        log = open(Path(data_dir) / "gunicorn.log", "wb")  # noqa: SIM115
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "wenxiao.wsgi:application",
                "--bind",
                f"127.0.0.1:{args.port}",
                "--workers",
                str(args.workers),
                "--timeout",
                "120",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_up(args.port)
            cookie = _login(args.port, "jxk", "wenxiao2026")
            conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=120)
            for path in PAGES + API:  # warm up: templates, caches, and a check that every path answers
                r, _ = _request(conn, path, cookie)
                if r.status != 200:
                    print(f"warning: {path} → HTTP {r.status}", file=sys.stderr)
            conn.close()
            main_run = drive(args.port, PAGES + API, cookie, args.clients, args.seconds)
            floor = drive(args.port, ["/healthz"], cookie, args.clients, min(args.seconds, 10))
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
            log.close()
    for path, ms in sorted(main_run["per_path_p50_ms"].items(), key=lambda kv: -kv[1]):
        print(f"  p50 {ms:8.1f} ms  {path}", file=sys.stderr)
    extra = f" clients={args.clients} workers={args.workers} scale={args.scale}"
    # The floor is the same stack measured in the same run: the ratio holds when the machine is faster or slower.
    ratio = main_run["rps"] / floor["rps"] if floor["rps"] else 0.0
    print(_line("web", main_run, extra + f" rps_vs_floor={ratio:.3f}"))
    print(_line("web_floor", floor, extra + " path=/healthz"))
    return 0 if main_run["errors"] == 0 else 1

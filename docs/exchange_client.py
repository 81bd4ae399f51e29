#!/usr/bin/env python3
"""问效 一体化数据交换接口的示例客户端（只用 Python 标准库）。

推送一天的国库集中支付数据（CSV 或 JSON，字段名见 docs/exchange.md）：

    wenxiao token create jxk --name 一体化       # 在问效服务器上为绩效科账号生成令牌
    python3 docs/exchange_client.py --url http://127.0.0.1:8000 --token wx_… payments 支付_20260615.csv

同一天的数据推送两次，第二次不会新增任何记录（按支付凭证号 pay_cert_no 幂等），执行数不变。
其他用法：

    python3 docs/exchange_client.py --url … --token … projects 项目.json      # 推送项目
    python3 docs/exchange_client.py --url … --token … budgets 预算.csv        # 推送预算和预算调整
    python3 docs/exchange_client.py --url … --token … read targets --fiscal-year 2026   # 读取已批复目标

退出码：0 全部批次已写入或未变化；1 有批次未通过校验（错误逐行打印）；2 连接或权限问题。
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable

API = "/api/v1/exchange"
CHUNK = 5000  # rows per batch: a day of a city's payments goes in a few batches

# send(method, url, headers, body) -> (HTTP status, response body); replaceable (the tests use Django's client)
Send = Callable[[str, str, dict, bytes | None], tuple[int, bytes]]


def urllib_send(method: str, url: str, headers: dict, body: bytes | None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:  # 4xx/5xx still carry a JSON body with the reason
        return e.code, e.read()


class ExchangeError(Exception):
    """The server refused the call (no permission, bad token …); the message is the server's, in Chinese."""


def _call(base_url: str, token: str, method: str, path: str, payload=None, send: Send = urllib_send):
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    body = None
    if payload is not None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        headers["Content-Type"] = "application/json; charset=utf-8"
    status, raw = send(method, base_url.rstrip("/") + path, headers, body)
    try:
        data = json.loads(raw.decode("utf-8")) if raw else {}
    except ValueError:
        data = {"detail": raw[:200].decode("utf-8", "replace")}
    if status not in (200, 422):  # 422: the batch was checked and refused; its report says why
        raise ExchangeError(f"HTTP {status}: {data.get('detail', data)}")
    return data


def push(base_url: str, token: str, kind: str, rows: list[dict], *, file_name: str = "", dry_run: bool = False,
         send: Send = urllib_send) -> dict:  # fmt: skip
    """Push one batch (kind: projects, budgets, payments); returns the batch report."""
    query = "?dry_run=true" if dry_run else ""
    return _call(base_url, token, "POST", f"{API}/{kind}{query}", {"data": rows, "file_name": file_name}, send)


def push_in_batches(base_url: str, token: str, kind: str, rows: list[dict], *, name: str = "", chunk: int = CHUNK,
                    send: Send = urllib_send) -> list[dict]:  # fmt: skip
    """Push `rows` in batches of `chunk` rows; stops at the first refused batch (nothing of it was written)."""
    reports = []
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        label = f"{name} 第{start // chunk + 1}批" if len(rows) > chunk else name
        report = push(base_url, token, kind, part, file_name=label, send=send)
        reports.append(report)
        if report.get("errors"):
            break
    return reports


def push_day_of_payments(base_url: str, token: str, rows: list[dict], *, name: str = "",
                         send: Send = urllib_send) -> dict:  # fmt: skip
    """A day of 国库集中支付 records → totals over the batches: added, unchanged, rejected rows and the errors."""
    reports = push_in_batches(base_url, token, "payments", rows, name=name, send=send)
    return {
        "batches": [r.get("batch_id") for r in reports],
        "total": sum(r.get("total", 0) for r in reports),
        "added": sum(r.get("added", 0) for r in reports),
        "unchanged": sum(r.get("unchanged", 0) for r in reports),
        "rejected": sum(r.get("rejected", 0) for r in reports),
        "errors": [e for r in reports for e in r.get("errors", [])],
        "summaries": [r.get("summary", "") for r in reports],
    }


def read_rows(path: str) -> list[dict]:
    """Records of a CSV (UTF-8 or GBK, header = field names) or JSON file (a list or {"data": [...]})."""
    with open(path, "rb") as f:
        raw = f.read()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValueError("文件编码无法识别，请另存为UTF-8或GBK编码。")
    if path.lower().endswith(".json") or text.lstrip()[:1] in ("[", "{"):
        data = json.loads(text)
        return data["data"] if isinstance(data, dict) else data
    return [dict(r) for r in csv.DictReader(io.StringIO(text))]


def read_all(base_url: str, token: str, what: str, *, send: Send = urllib_send, page: int = 100, **filters) -> list:
    """Every row of a read endpoint (targets, monitoring, selfevals, evaluations), page by page."""
    items, offset = [], 0
    query = {k: v for k, v in filters.items() if v not in (None, "")}
    while True:
        qs = urllib.parse.urlencode({**query, "limit": page, "offset": offset})
        data = _call(base_url, token, "GET", f"{API}/{what}?{qs}", send=send)
        items += data["items"]
        offset += page
        if offset >= data["count"]:
            return items


def _print_errors(errors: list[dict]) -> None:
    for e in errors[:50]:
        where = f"第{e['row']}行 " if e["row"] else ""
        field = f"{e['label']}（{e['field']}）：" if e["field"] else ""
        print(f"{where}{field}{e['message']}（{e['value']}）", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="问效 一体化数据交换示例客户端")
    ap.add_argument("--url", required=True, help="问效服务器地址，如 http://127.0.0.1:8000")
    ap.add_argument("--token", required=True, help="wenxiao token create 生成的令牌")
    ap.add_argument("kind", choices=["projects", "budgets", "payments", "read"])
    ap.add_argument("file", help="批次文件（CSV 或 JSON）；read 时为 targets/monitoring/selfevals/evaluations")
    ap.add_argument("--fiscal-year", type=int, default=None)
    args = ap.parse_args(argv)
    try:
        if args.kind == "read":
            rows = read_all(args.url, args.token, args.file, fiscal_year=args.fiscal_year)
            json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
            return 0
        rows = read_rows(args.file)
        reports = push_in_batches(args.url, args.token, args.kind, rows, name=args.file.rsplit("/", 1)[-1])
    except (ExchangeError, urllib.error.URLError, OSError, ValueError) as e:
        print(f"失败：{e}", file=sys.stderr)
        return 2
    for r in reports:
        _print_errors(r.get("errors", []))
        print(r.get("summary", ""), file=sys.stderr if r.get("errors") else sys.stdout)
    return 1 if any(r.get("errors") for r in reports) else 0


if __name__ == "__main__":
    sys.exit(main())

"""`wenxiao review targets FILE.json [--json]`: the review engine from the command line, no database needed.

FILE holds one target object or a list of them, in the input format of `wenxiao.targets.rules` ("-" reads
standard input). Items of the form {"target": {...}, ...} (as in bench/review_set.json) are unwrapped.
With --json the output is {"findings": [...]} for one target, or a list of those for a list; otherwise a
readable Chinese report. Exit code 0 when the file was reviewed, 2 when it cannot be read.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

from wenxiao.targets.rules import Finding, ReviewConfig, load_library, review

_SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}


def _fail(message: str, err: TextIO) -> int:
    print(message, file=err)
    return 2


def _read(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    return Path(path).read_text(encoding="utf-8-sig")


def _unwrap(item: object) -> object:
    if isinstance(item, dict) and "indicators" not in item and isinstance(item.get("target"), dict):
        return item["target"]
    return item


def review_file(
    path: str,
    as_json: bool,
    out: TextIO = sys.stdout,
    *,
    err: TextIO = sys.stderr,
    config: ReviewConfig | None = None,
) -> int:
    """Review the target(s) in a JSON file and print the findings; 2 (with a Chinese message) if unreadable."""
    try:
        text = _read(path)
    except FileNotFoundError:
        return _fail(f"文件不存在：{path}", err)
    except (OSError, UnicodeDecodeError) as e:
        return _fail(f"无法读取文件 {path}：{e}", err)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        return _fail(f"文件 {path} 不是有效的 JSON（第{e.lineno}行第{e.colno}列：{e.msg}）。", err)
    single = not isinstance(data, list)
    items = [_unwrap(x) for x in ([data] if single else data)]
    for n, item in enumerate(items, start=1):
        where = "文件内容" if single else f"第{n}个绩效目标"
        if not isinstance(item, dict):
            return _fail(f"{where}应为 JSON 对象（含 project_name 和 indicators）。", err)
        if not isinstance(item.get("indicators", []), list):
            return _fail(f"{where}的 indicators 应为列表。", err)
    library = load_library()
    results = [review(item, library, config) for item in items]
    if as_json:
        payload = [{"findings": [f.as_dict() for f in r]} for r in results]
        json.dump(payload[0] if single else payload, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    for n, (item, findings) in enumerate(zip(items, results, strict=True), start=1):
        _print_report(n, len(items), item, findings, out)
    if len(items) > 1:
        flagged = sum(1 for r in results if r)
        total = sum(len(r) for r in results)
        print(f"共审核 {len(items)} 个绩效目标，{flagged} 个有问题，合计 {total} 条意见。", file=out)
    return 0


def _print_report(n: int, count: int, target: dict, findings: list[Finding], out: TextIO) -> None:
    name = str(target.get("project_name") or "（未填写项目名称）")
    head = f"【{n}/{count}】{name}" if count > 1 else f"【审核结果】{name}"
    if not findings:
        print(f"{head}：未发现问题。", file=out)
        print(file=out)
        return
    by = {s: sum(1 for f in findings if f.severity == s) for s in _SEVERITY}
    summary = "，".join(f"{_SEVERITY[s]}{k}条" for s, k in by.items() if k)
    print(f"{head}：{len(findings)}条意见（{summary}）", file=out)
    for f in findings:
        print(f"  {f.code} {f.title}（{_SEVERITY.get(f.severity, f.severity)}）{f.message}", file=out)
        print(f"      建议：{f.suggestion}", file=out)
    print(file=out)

"""Open-data downloads of what is published: JSON (the snapshots as published) and CSV (one row per indicator or
per department, the item's columns repeated), built from `Publication` rows only."""

from __future__ import annotations

import csv
import io
import json

from wenxiao.disclosure.models import Publication

KIND = Publication.Kind
COMMON = [("id", "公开编号"), ("year", "年度"), ("region", "区划"), ("department", "部门"), ("title", "标题")]

# kind → (item columns from the snapshot, the list that gives one row each, that list's columns)
SPEC: dict[str, tuple[list[tuple[str, str]], str, list[tuple[str, str]]]] = {
    KIND.TARGET: (
        [
            ("project_code", "项目代码"),
            ("unit", "实施单位"),
            ("amount", "年度资金总额（元）"),
            ("goal", "年度总体目标"),
        ],
        "indicators",
        [
            ("level1", "一级指标"),
            ("level2", "二级指标"),
            ("name", "三级指标"),
            ("value", "指标值"),
            ("unit", "计量单位"),
        ],
    ),
    KIND.SELFEVAL: (
        [
            ("project_code", "项目代码"),
            ("unit", "实施单位"),
            ("budget", "全年预算数（元）"),
            ("executed", "全年执行数（元）"),
            ("rate", "执行率（%）"),
            ("score", "得分（经财政复评的为复评得分）"),
            ("grade", "等级"),
        ],
        "indicators",
        [
            ("level1", "一级指标"),
            ("level2", "二级指标"),
            ("name", "三级指标"),
            ("value", "年度指标值"),
            ("unit", "计量单位"),
            ("actual", "实际完成值"),
        ],
    ),
    KIND.MONITORING: (
        [("round", "监控轮次"), ("period_end", "数据截止日期"), ("time_progress", "序时进度（%）")],
        "departments",
        [
            ("name", "主管部门"),
            ("projects", "监控项目数"),
            ("budget", "全年预算数（元）"),
            ("executed", "执行数（元）"),
            ("rate", "执行率（%）"),
            ("forecast_rate", "全年预计执行率（%）"),
        ],
    ),
    KIND.EVALUATION: (
        [
            ("project_code", "项目代码"),
            ("unit", "被评价单位"),
            ("amount", "评价资金（元）"),
            ("score", "评价得分"),
            ("grade", "评价等级"),
        ],
        "indicators",
        [("level1", "一级指标"), ("level2", "二级指标"), ("name", "三级指标"), ("weight", "分值"), ("score", "得分")],
    ),
}


def _cell(v) -> str:
    """Text as text: a cell a spreadsheet would read as a formula gets a leading apostrophe."""
    s = "" if v is None else str(v)
    if s[:1] in ("=", "+", "@", "\t", "\r") or (s[:1] == "-" and not s[1:].replace(".", "", 1).isdigit()):
        return "'" + s
    return s


def _head(p: Publication) -> list:
    return [p.pk, p.year, p.region_name, p.department_name, p.title]


def to_csv(kind: str, pubs) -> bytes:
    item_cols, rows_key, row_cols = SPEC[kind]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([label for _, label in COMMON + item_cols + row_cols])
    for p in pubs:
        s = p.snapshot or {}
        head = _head(p) + [s.get(k) for k, _ in item_cols]
        rows = s.get(rows_key) or [{}]
        for r in rows:
            w.writerow([_cell(v) for v in head + [r.get(k) for k, _ in row_cols]])
    return buf.getvalue().encode("utf-8-sig")  # with BOM: Excel opens it as UTF-8


def to_json(kind: str, pubs) -> bytes:
    items = [
        {
            "id": p.pk,
            "kind": p.kind,
            "year": p.year,
            "region": p.region_name,
            "department": p.department_name,
            "title": p.title,
            "published_at": p.published_at.date().isoformat(),
            "has_pdf": bool(p.pdf),
            "data": p.snapshot,
        }
        for p in pubs
    ]
    body = {"kind": kind, "label": dict(KIND.choices)[kind], "count": len(items), "items": items}
    return json.dumps(body, ensure_ascii=False, indent=1).encode()

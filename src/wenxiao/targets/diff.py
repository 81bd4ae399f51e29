"""Compare two versions of a target (pure: snapshots in, changes out) for the side-by-side view."""

from __future__ import annotations

from dataclasses import dataclass, field

HEADER = {"goal": "年度总体目标", "goal_midterm": "中长期目标", "amount": "年度资金总额", "amount_fiscal": "财政拨款"}
ROW_LABELS = {
    "level1": "一级指标",
    "level2": "二级指标",
    "name": "三级指标",
    "value": "年度指标值",
    "mid_value": "中期指标值",
    "unit": "计量单位",
    "weight": "分值",
    "source": "指标值来源",
    "note": "备注",
}


@dataclass
class RowChange:
    status: str  # "added" | "removed" | "changed" | "same"
    old: dict | None
    new: dict | None
    fields: list[str] = field(default_factory=list)  # changed field names

    @property
    def label(self) -> str:
        return (self.new or self.old or {}).get("name", "")


def _key(row: dict) -> tuple:
    return (row.get("level2"), row.get("name"))


def diff(old: dict, new: dict) -> dict:
    header = [(HEADER[k], old.get(k), new.get(k)) for k in HEADER if old.get(k) != new.get(k)]
    old_rows = {_key(r): r for r in old.get("rows", [])}
    new_rows = {_key(r): r for r in new.get("rows", [])}
    # A row whose name changed but kept its library template is the same row, edited.
    by_template = {r.get("template"): k for k, r in old_rows.items() if r.get("template")}
    rows: list[RowChange] = []
    matched: set[tuple] = set()
    for k, r in new_rows.items():
        ok = k if k in old_rows else by_template.get(r.get("template")) if r.get("template") else None
        if ok and ok in old_rows and ok not in matched:
            matched.add(ok)
            o = old_rows[ok]
            changed = [f for f in ROW_LABELS if str(o.get(f) or "") != str(r.get(f) or "")]
            rows.append(RowChange("changed" if changed else "same", o, r, changed))
        else:
            rows.append(RowChange("added", None, r))
    rows += [RowChange("removed", r, None) for k, r in old_rows.items() if k not in matched]
    return {
        "header": header,
        "rows": rows,
        "counts": {s: sum(1 for r in rows if r.status == s) for s in ("added", "removed", "changed")},
    }

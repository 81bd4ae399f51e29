"""Read 单位自评 inputs from files into `SelfEvaluation` objects (pure: no database).

Two formats:

* JSON (issue 7 "Input format"): one object or a list of objects
  {"project_name", "year", "region_code", "budget": {"initial", "annual", "executed", "unit", "declared_rate",
  "declared_score"}, "indicators": [{"level1", "level2", "name", "target", "actual", "weight", "declared_score",
  "deviation_reason", "unit", "explanation", "has_survey"}], "declared_total", "system": {"executed",
  "monitoring_forecasts": {"0": "…"}}}. Only `indicators` (a list of objects) is required; a missing
  level1/name/target/actual in a row is noted, not an error, and any text in any field is accepted.
* XLSX laid out like the 项目支出绩效自评表 (REFERENCE §6.3): every sheet with an indicator header row (a row
  holding 一级指标, 三级指标 (or 指标名称) and 实际完成值; 二级指标, 年度指标值, 分值, 得分, 偏差原因分析及改进措施,
  计量单位 are found by their labels wherever they stand) is one project. 一级/二级 cells merged downwards are
  carried to the rows below. The indicator block ends at the 总分 / 合计 row, whose 得分 is the declared total.
  The budget block is the row labelled 年初预算数 / 全年预算数 / 全年执行数 / 分值 / 执行率 / 得分 and the first row
  below it (normally 年度资金总额); its unit comes from a "（万元）" / "（元）" label. 项目名称 is the cell right of
  that label; the year comes from "（2024年度）" in the title or a 年度 label.

A file that cannot be read at all raises `SelfEvalFileError` (a ValueError) with a Chinese `.message`.
"""

from __future__ import annotations

import datetime
import io
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from wenxiao.evaluation.scoring import Budget, IndicatorRow, SelfEvaluation, SystemData

MAX_SHEETS = 200


class SelfEvalFileError(ValueError):
    """The file cannot be read as a self-evaluation; `.message` says why, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- dispatch --------------------------------------------------------------------------------------------------


def read_file(path: str | Path) -> tuple[list[SelfEvaluation], bool]:
    """(evaluations, single) from a .json or .xlsx file; `single` is False when the file held a list or several
    sheets. The format is taken from the content (an xlsx is a zip: "PK"), not only the suffix."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise SelfEvalFileError(f"文件不存在：{path}")
    except IsADirectoryError:
        raise SelfEvalFileError(f"{path} 是目录，不是文件")
    except OSError as e:
        raise SelfEvalFileError(f"无法读取文件 {path}：{e.strerror or e}")
    if data[:2] == b"PK" or p.suffix.lower() in (".xlsx", ".xlsm"):
        evaluations = read_xlsx(data)
        return evaluations, len(evaluations) == 1
    if p.suffix.lower() == ".xls":
        raise SelfEvalFileError("不支持旧版 .xls 文件，请另存为 .xlsx 后再试")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SelfEvalFileError(f"文件 {path} 既不是 UTF-8 编码的 JSON，也不是 xlsx 工作簿")
    return load_json(text)


# --- JSON ------------------------------------------------------------------------------------------------------

_ROW_KEYS = (
    "level1",
    "level2",
    "name",
    "target",
    "actual",
    "weight",
    "declared_score",
    "deviation_reason",
    "unit",
    "explanation",
)
_REQUIRED = ("level1", "name", "target", "actual")
_BUDGET_KEYS = ("initial", "annual", "executed", "declared_rate", "declared_score")


def load_json(text: str) -> tuple[list[SelfEvaluation], bool]:
    """(evaluations, single) from JSON text holding one object or a list of objects."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise SelfEvalFileError(f"文件不是有效的 JSON（第{e.lineno}行第{e.colno}列：{e.msg}）")
    except RecursionError:
        raise SelfEvalFileError("JSON 嵌套层数过多，无法读取")
    single = not isinstance(data, list)
    items = [data] if single else data
    if not items:
        raise SelfEvalFileError("文件中的列表为空，没有可评分的自评表")
    out = []
    for n, item in enumerate(items, start=1):
        where = "文件内容" if single else f"第{n}个自评表"
        out.append(from_dict(item, where))
    return out, single


def from_dict(d: Any, where: str = "文件内容") -> SelfEvaluation:
    """One self-evaluation from a JSON object; structure errors raise, odd values are kept for the engine."""
    if not isinstance(d, Mapping):
        raise SelfEvalFileError(f"{where}应为 JSON 对象（含 indicators 列表）")
    raw_rows = d.get("indicators")
    if not isinstance(raw_rows, list):
        raise SelfEvalFileError(f"{where}缺少 indicators 列表（绩效指标）")
    notes: list[str] = []
    rows = []
    for i, item in enumerate(raw_rows):
        if not isinstance(item, Mapping):
            raise SelfEvalFileError(f"{where}的第{i + 1}项指标应为 JSON 对象")
        missing = [k for k in _REQUIRED if k not in item]
        if missing:
            notes.append(f"第{i + 1}项指标缺少字段：{'、'.join(missing)}")
        values = {k: _value(item.get(k)) for k in _ROW_KEYS}
        rows.append(IndicatorRow(**values, has_survey=_bool(item.get("has_survey"))))
    budget_raw = d.get("budget")
    if budget_raw is None:
        budget = Budget()
    elif isinstance(budget_raw, Mapping):
        unit = _value(budget_raw.get("unit"))
        budget = Budget(
            **{k: _value(budget_raw.get(k)) for k in _BUDGET_KEYS},
            unit=str(unit) if unit not in (None, "") else "万元",
        )
    else:
        budget = Budget()
        notes.append("budget 应为对象，预算执行情况未读取")
    system = None
    system_raw = d.get("system")
    if isinstance(system_raw, Mapping):
        forecasts = system_raw.get("monitoring_forecasts")
        system = SystemData(
            executed=_value(system_raw.get("executed")),
            monitoring_forecasts={
                str(k): str(_value(v) or "") for k, v in (forecasts.items() if isinstance(forecasts, Mapping) else ())
            },
        )
    year = d.get("year")
    return SelfEvaluation(
        project_name=str(_value(d.get("project_name")) or ""),
        year=year if isinstance(year, int | str) and not isinstance(year, bool) else None,
        budget=budget,
        indicators=rows,
        declared_total=_value(d.get("declared_total")),
        region_code=str(_value(d.get("region_code")) or ""),
        notes=notes,
        system=system,
    )


def _value(v: Any) -> str | int | float | Decimal | None:
    """A JSON field as text or number; objects and lists become their JSON text (and will not parse)."""
    if v is None or isinstance(v, str | int | float | Decimal) and not isinstance(v, bool):
        return v
    if isinstance(v, bool):
        return "是" if v else "否"
    try:
        return json.dumps(v, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(v)


def _bool(v: Any) -> bool | None:
    if isinstance(v, bool):
        return v
    if isinstance(v, int | float):
        return bool(v)
    s = _norm(v).lower()
    if s in ("是", "有", "true", "yes", "y", "1", "已上传"):
        return True
    if s in ("否", "无", "没有", "false", "no", "n", "0", "未上传"):
        return False
    return None


# --- XLSX ------------------------------------------------------------------------------------------------------

# header → field; the first label that matches a cell wins (labels are compared without spaces and brackets).
_HEADERS: dict[str, tuple[str, ...]] = {
    "level1": ("一级指标",),
    "level2": ("二级指标",),
    "name": ("三级指标", "指标名称", "绩效指标名称", "三级指标名称"),
    "target": ("年度指标值", "年度目标值", "指标值", "目标值", "预期指标值", "年度预期指标值"),
    "actual": ("实际完成值", "全年实际完成值", "实际完成", "实际值", "完成值", "实际完成情况"),
    "weight": ("分值", "权重", "指标分值", "权重分值"),
    "declared_score": ("得分", "自评得分", "评分"),
    "deviation_reason": ("偏差原因分析及改进措施", "偏差原因分析", "偏差原因", "偏差原因及改进措施"),
    "unit": ("计量单位", "单位", "度量单位"),
    "explanation": ("指标值说明", "说明", "备注"),
}
_BUDGET_HEADERS: dict[str, tuple[str, ...]] = {
    "initial": ("年初预算数", "年初预算"),
    "annual": ("全年预算数", "全年预算", "调整后预算数"),
    "executed": ("全年执行数", "全年执行", "执行数", "实际支出数"),
    "declared_rate": ("执行率", "预算执行率"),
    "declared_score": ("得分",),
}
_TOTAL_LABELS = ("总分", "合计", "总计", "合计得分", "自评总分")
_STOP_PREFIXES = ("注", "填表说明", "填报说明", "说明", "填表人", "审核人", "联系电话")


@dataclass
class _Grid:
    cells: list[list[str]]

    def get(self, r: int, c: int) -> str:
        if 0 <= r < len(self.cells) and 0 <= c < len(self.cells[r]):
            return self.cells[r][c]
        return ""

    def row(self, r: int) -> list[str]:
        return self.cells[r] if 0 <= r < len(self.cells) else []


def read_xlsx(source: str | Path | bytes | bytearray | BinaryIO) -> list[SelfEvaluation]:
    """Every 自评表 sheet of a workbook as a SelfEvaluation (sheets without an indicator header are skipped)."""
    import python_calamine

    try:
        if isinstance(source, bytes | bytearray):
            wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(bytes(source)))
        elif isinstance(source, str | Path):
            wb = python_calamine.CalamineWorkbook.from_path(str(source))
        else:
            wb = python_calamine.CalamineWorkbook.from_filelike(source)
        names = list(wb.sheet_names)
        if len(names) > MAX_SHEETS:
            raise SelfEvalFileError(f"工作簿中的工作表超过 {MAX_SHEETS} 张，请拆分后再试")
        sheets = [(name, wb.get_sheet_by_name(name).to_python(skip_empty_area=False)) for name in names]
    except SelfEvalFileError:
        raise
    except Exception as e:  # calamine raises its own error types for anything that is not a workbook
        raise SelfEvalFileError("无法读取该文件：不是有效的 xlsx 工作簿（旧版 .xls 请另存为 .xlsx）") from e
    out = []
    for name, raw in sheets:
        grid = _Grid([[_cell_text(v) for v in row] for row in raw])
        ev = _read_sheet(name, grid)
        if ev is not None:
            out.append(ev)
    if not out:
        raise SelfEvalFileError(
            "文件中没有找到项目支出绩效自评表：应有一行表头包含“一级指标”“三级指标”“实际完成值”等列"
        )
    return out


def _cell_text(v: Any) -> str:
    """A cell as the text a user sees: numbers without a trailing .0, dates the Chinese way."""
    if v is None or v == "":
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            return ""
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return format(Decimal(repr(v)).normalize(), "f")
    if isinstance(v, int):
        return str(v)
    if isinstance(v, datetime.datetime):
        v = v.date()
    if isinstance(v, datetime.date):
        return f"{v.year}年{v.month}月{v.day}日"
    if isinstance(v, datetime.time | datetime.timedelta):
        return str(v)
    return str(v).replace("\r\n", "\n").replace("\r", "\n").strip()


def _norm(s: Any) -> str:
    """A label for matching: NFKC, no whitespace, no bracketed remark ("分值（分）" → "分值"), no colon."""
    text = unicodedata.normalize("NFKC", "" if s is None else str(s))
    text = re.sub(r"\s+", "", text)
    text = re.sub(r"\([^()]*\)$", "", text)
    return text.strip(":：")


def _header_columns(cells: list[str], headers: dict[str, tuple[str, ...]]) -> dict[str, int]:
    found: dict[str, int] = {}
    labels = [_norm(c) for c in cells]
    for attr, aliases in headers.items():
        for alias in aliases:  # earlier aliases are preferred
            cols = [c for c, label in enumerate(labels) if label == alias and c not in found.values()]
            if cols:
                found[attr] = cols[0]
                break
    if "deviation_reason" not in found:
        for c, label in enumerate(labels):
            if label.startswith("偏差原因") and c not in found.values():
                found["deviation_reason"] = c
                break
    return found


def _find_indicator_header(grid: _Grid) -> tuple[int, dict[str, int]] | None:
    for r, cells in enumerate(grid.cells):
        labels = {_norm(c) for c in cells}
        if "一级指标" not in labels:
            continue
        cols = _header_columns(cells, _HEADERS)
        if "name" in cols and "actual" in cols:
            return r, cols
    return None


def _read_sheet(name: str, grid: _Grid) -> SelfEvaluation | None:
    found = _find_indicator_header(grid)
    if found is None:
        return None
    head, cols = found
    notes: list[str] = []
    for attr, label in (("target", "年度指标值"), ("weight", "分值"), ("declared_score", "得分")):
        if attr not in cols:
            notes.append(f"工作表“{name}”的指标表头缺少“{label}”列")
    rows, declared_total = _read_rows(grid, head, cols)
    budget, budget_notes = _read_budget(grid, head)
    notes += [f"工作表“{name}”：{n}" for n in budget_notes]
    if not rows:
        notes.append(f"工作表“{name}”的指标表头下没有指标行")
    return SelfEvaluation(
        project_name=_project_name(grid, head) or name,
        year=_find_year(grid, head, name),
        budget=budget,
        indicators=rows,
        declared_total=declared_total,
        notes=notes,
    )


def _is_total_row(grid: _Grid, r: int, cols: dict[str, int]) -> bool:
    first = min(cols.values())
    return any(_norm(grid.get(r, c)) in _TOTAL_LABELS for c in range(0, first + 2))


def _read_rows(grid: _Grid, head: int, cols: dict[str, int]) -> tuple[list[IndicatorRow], str | None]:
    rows: list[IndicatorRow] = []
    level1 = level2 = ""
    declared_total = None
    for r in range(head + 1, len(grid.cells)):
        if _is_total_row(grid, r, cols):
            declared_total = _total_of(grid, r, cols)
            break
        values = {attr: grid.get(r, c) for attr, c in cols.items()}
        if _norm(values.get("level1")) == "一级指标":
            continue  # a repeated header (printed tables)
        first = _norm(grid.get(r, 0))
        if first.startswith(_STOP_PREFIXES) and not (values.get("name") and values.get("target")):
            break
        if values.get("level1"):
            level1 = values["level1"]
            level2 = ""
        if values.get("level2"):
            level2 = values["level2"]
        if not (values.get("name") or values.get("target") or values.get("actual")):
            continue
        rows.append(
            IndicatorRow(
                level1=level1,
                level2=level2,
                name=values.get("name", ""),
                target=values.get("target", ""),
                actual=values.get("actual", ""),
                weight=values.get("weight") or None,
                declared_score=values.get("declared_score") or None,
                deviation_reason=values.get("deviation_reason") or None,
                unit=values.get("unit", ""),
                explanation=values.get("explanation") or None,
            )
        )
    return rows, declared_total


def _total_of(grid: _Grid, r: int, cols: dict[str, int]) -> str | None:
    if "declared_score" in cols and grid.get(r, cols["declared_score"]):
        return grid.get(r, cols["declared_score"])
    numbers = [c for c in grid.row(r) if re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", c.strip())]
    return numbers[-1] if numbers else None


def _read_budget(grid: _Grid, limit: int) -> tuple[Budget, list[str]]:
    for r in range(0, min(limit, len(grid.cells))):
        cols = _header_columns(grid.row(r), _BUDGET_HEADERS)
        if not ({"annual", "executed"} <= cols.keys() or {"initial", "executed"} <= cols.keys()):
            continue
        value_row = _budget_value_row(grid, r, limit, cols)
        if value_row is None:
            return Budget(), ["找到预算表头，但其下没有年度资金总额一行"]
        unit = _budget_unit(grid, r, value_row)
        return Budget(
            initial=_cell_or_none(grid, value_row, cols.get("initial")),
            annual=_cell_or_none(grid, value_row, cols.get("annual")),
            executed=_cell_or_none(grid, value_row, cols.get("executed")),
            declared_rate=_cell_or_none(grid, value_row, cols.get("declared_rate")),
            declared_score=_cell_or_none(grid, value_row, cols.get("declared_score")),
            unit=unit,
        ), []
    return Budget(), ["未找到项目资金（年初预算数/全年预算数/全年执行数）一栏，预算执行率无法计算"]


def _budget_value_row(grid: _Grid, head: int, limit: int, cols: dict[str, int]) -> int | None:
    first_value_col = min(cols.values())
    candidates = range(head + 1, min(limit, len(grid.cells)))
    for r in candidates:
        labels = "".join(_norm(grid.get(r, c)) for c in range(first_value_col))
        if "资金总额" in labels or "合计" in labels:
            return r
    for r in candidates:
        if any(grid.get(r, c) for c in cols.values()):
            return r
    return None


def _budget_unit(grid: _Grid, head: int, value_row: int) -> str:
    text = "".join(grid.row(head)) + "".join(grid.row(value_row))
    text = unicodedata.normalize("NFKC", text)
    if "(亿元)" in text:
        return "亿元"
    if "(元)" in text:
        return "元"
    return "万元"


def _cell_or_none(grid: _Grid, r: int, c: int | None) -> str | None:
    if c is None:
        return None
    return grid.get(r, c) or None


def _project_name(grid: _Grid, limit: int) -> str:
    for r in range(0, min(limit, len(grid.cells))):
        cells = grid.row(r)
        for c, cell in enumerate(cells):
            if _norm(cell) == "项目名称":
                for value in cells[c + 1 :]:
                    if value.strip():
                        return value.strip()
    return ""


def _find_year(grid: _Grid, limit: int, sheet_name: str) -> int | None:
    for r in range(0, min(limit, len(grid.cells))):
        for c, cell in enumerate(grid.row(r)):
            m = re.search(r"((?:19|20|21)\d{2})\s*年度", cell)
            if m:
                return int(m.group(1))
            if _norm(cell) in ("年度", "评价年度", "预算年度"):
                nxt = next((v for v in grid.row(r)[c + 1 :] if v.strip()), "")
                m = re.search(r"(?:19|20|21)\d{2}", nxt)
                if m:
                    return int(m.group(0))
    m = re.search(r"(?:19|20|21)\d{2}", sheet_name)
    return int(m.group(0)) if m else None

"""The two official target forms as xlsx: write them (xlsxwriter), read them back (python-calamine), check every
cell of an upload before anything is written, then save all sheets in one transaction or none.

Layout of a target sheet (columns A–I, the hidden column J carries the machine data):

- 项目支出绩效目标申报表 (REFERENCE §3.5): title, header block (项目名称 … 项目资金, 年度总体目标, 中长期目标),
  then the indicator grid 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 计量单位 | 分值 | 中期指标值 | 指标值来源 |
  备注.
- 部门（单位）整体支出绩效目标表 (§3.6): title, 部门（单位）名称, 年度主要任务 (任务名称 | 主要内容 | 总额 | 财政拨款 |
  其他资金, 万元) with 金额合计, 年度总体目标, then the same grid.

J1 holds the marker "wenxiao:target:<id>:<version>:<fingerprint>": which target the sheet was exported from, its
version then, and a hash of the importable content as exported. A sheet whose content still has that hash was not
touched and is skipped on import whatever happened to the target since; a touched sheet must belong to a target the
importer may edit, still at the exported version. Column J of each grid row holds the indicator row's id, so rows
keep their library link through a round trip.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from wenxiao.core import audit, xlsx
from wenxiao.core.errors import ServiceError
from wenxiao.core.values import ValueParseError, parse
from wenxiao.library.models import SOURCES, Framework
from wenxiao.targets import services
from wenxiao.targets.diff import ROW_LABELS, diff
from wenxiao.targets.models import Target, TargetIndicator

GRID = [  # (header, RowData attribute, column width)
    ("一级指标", "level1", 12),
    ("二级指标", "level2", 16),
    ("三级指标", "name", 30),
    ("年度指标值", "value", 16),
    ("计量单位", "unit", 9),
    ("分值", "weight", 7),
    ("中期指标值", "mid_value", 14),
    ("指标值来源", "source", 11),
    ("备注", "note", 20),
]
FIELD_HEADER = {attr: header for header, attr, _ in GRID}
ID_COL = 9  # column J, hidden: the marker (J1) and each grid row's indicator id
ID_HEADER = "行标识（勿改）"
SOURCE_NAMES = [s for s, _ in SOURCES]
TASK_COLS = {"name": 0, "content": 1, "amount": 6, "amount_fiscal": 7}  # where the writer puts them
TASK_HEADERS = {
    "name": "任务名称",
    "content": "主要内容",
    "amount": "总额（万元）",
    "amount_fiscal": "财政拨款（万元）",
}
BLANK_ROWS = 20  # empty grid rows with drop-downs, for indicators added in Excel
BLANK_TASKS = 5
HELP_SHEET = "说明"
MARKER = re.compile(r"^wenxiao:target:(\d+):(\d+)(?::([0-9a-f]{8,64}))?$")
MAX_SHEETS = 500
WAN = Decimal(10000)
CENT = Decimal("0.01")


# --- plain data --------------------------------------------------------------------------------------------


@dataclass
class RowData:
    excel_row: int  # 1-based, as Excel shows it
    id: int | None
    level1: str = ""
    level2: str = ""
    name: str = ""
    value: str = ""
    unit: str = ""
    weight: str = ""
    mid_value: str = ""
    source: str = ""
    note: str = ""


@dataclass
class TaskData:
    excel_row: int
    name: str = ""
    content: str = ""
    amount: str = ""  # 万元, as written
    amount_fiscal: str = ""


@dataclass
class SheetData:
    """One sheet as read: where it came from (the marker) and its importable content."""

    name: str
    target_id: int | None = None
    version: int | None = None
    exported_fingerprint: str = ""
    kind: str = ""  # "project" | "whole" | "" (no target form found)
    goal: str = ""
    goal_midterm: str | None = None
    rows: list[RowData] = field(default_factory=list)
    tasks: list[TaskData] | None = None
    columns: dict[str, int] = field(default_factory=dict)  # RowData attribute -> 0-based column
    task_columns: dict[str, int] = field(default_factory=dict)  # TaskData attribute -> 0-based column
    problems: list[str] = field(default_factory=list)  # the layout could not be read

    def fingerprint(self) -> str:
        return fingerprint(self)


@dataclass
class CellError:
    sheet: str
    row: int | None  # Excel row number; None for the sheet as a whole
    column: str  # "D（年度指标值）", "" for the sheet as a whole
    message: str

    def as_line(self) -> str:
        where = f"第{self.row}行" if self.row else "整张表"
        return f"{self.sheet}\t{where}\t{self.column or '—'}\t{self.message}"


@dataclass
class SheetPlan:
    """What importing one sheet would do."""

    sheet: str
    status: str  # "change" | "same" | "untouched" | "error"
    note: str = ""
    target: Target | None = None
    version: int | None = None
    goal: str | None = None
    goal_midterm: str | None = None
    rows: list[services.RowInput] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)  # Excel row of each RowInput
    tasks: list[dict] | None = None
    changes: dict | None = None  # targets.diff.diff(current, after import)

    @property
    def change_lines(self) -> list[str]:
        """The changes in words, for the preview and the command line."""
        if self.status != "change" or not self.changes:
            return []

        def short(v) -> str:
            text = str(v) if v not in (None, "") else "（空）"
            return text if len(text) <= 40 else text[:40] + "…"

        lines = [f"{label}：{short(old)} → {short(new)}" for label, old, new in self.changes["header"]]
        for r in self.changes["rows"]:
            if r.status == "added":
                lines.append(f"新增：{r.new['level2']} · {r.new['name']}（{r.new['value']}）")
            elif r.status == "removed":
                lines.append(f"删除：{r.old['level2']} · {r.old['name']}")
            elif r.status == "changed":
                what = "；".join(f"{ROW_LABELS[f]} {short(r.old.get(f))} → {short(r.new.get(f))}" for f in r.fields)
                lines.append(f"修改：{r.label}（{what}）")
        if self.changes.get("tasks_changed"):
            lines.append("年度主要任务有修改")
        return lines

    @property
    def status_label(self) -> str:
        return {
            "change": "将更新",
            "same": "无变化",
            "untouched": "未改动，跳过",
            "error": "有错误",
        }[self.status]


@dataclass
class ImportResult:
    plans: list[SheetPlan] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changed(self) -> list[SheetPlan]:
        return [p for p in self.plans if p.status == "change"]


@dataclass
class CommitResult:
    saved: list[Target] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportFileError(Exception):
    """The upload is not a workbook that can be read at all; `.message` says so in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- cell values -------------------------------------------------------------------------------------------


def cell_text(v) -> str:
    """A cell as the text a user sees; numbers without a trailing .0, dates the Chinese way."""
    if v is None or v == "":
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float):
        if v.is_integer():
            return str(int(v))
        return format(Decimal(repr(v)).normalize(), "f")
    if isinstance(v, int):
        return str(v)
    if isinstance(v, datetime.datetime):
        v = v.date()
    if isinstance(v, datetime.date):
        return f"{v.year}年{v.month}月{v.day}日"
    return str(v).replace("\r\n", "\n").replace("\r", "\n").strip()


def _decimal(text: str) -> Decimal | None:
    """The number in a cell ("1,234.5", "12"), or None when it is not one."""
    try:
        d = Decimal(text.replace(",", "").replace("，", "").strip())
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


def _norm_number(text: str, scale: Decimal = Decimal(1)) -> str:
    d = _decimal(text) if text else None
    return f"{(d * scale).quantize(CENT):f}" if d is not None else text


def fingerprint(sheet: SheetData) -> str:
    """A hash of a sheet's importable content, the same for the exported values and for the file read back."""
    payload = {
        "goal": sheet.goal,
        "goal_midterm": sheet.goal_midterm,
        "rows": [
            [r.id, r.level1, r.level2, r.name, r.value, r.unit, _norm_number(r.weight), r.mid_value, r.source, r.note]
            for r in sheet.rows
        ],
        "tasks": None
        if sheet.tasks is None
        else [
            [t.name, t.content, _norm_number(t.amount, WAN), _norm_number(t.amount_fiscal, WAN)] for t in sheet.tasks
        ],
    }
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()[:16]


# --- writing -----------------------------------------------------------------------------------------------


def _sheet_name(target: Target, used: set[str]) -> str:
    base = target.project.name if target.project_id else f"{target.unit.name}整体"
    base = re.sub(r"[\[\]:*?/\\']", "", base).strip() or f"目标{target.pk}"
    base = base[:26]
    name, n = base, 2
    while name.lower() in used or name == HELP_SHEET:
        name = f"{base}（{n}）"
        n += 1
    used.add(name.lower())
    return name


class _Formats:
    def __init__(self, wb):
        def f(**kw):
            return wb.add_format({"font_name": "宋体", "font_size": 10, "valign": "vcenter", **kw})

        self.title = f(bold=True, font_size=16, align="center")
        self.sub = f(font_size=9, font_color="#666666")
        self.label = f(bold=True, border=1, bg_color="#F2F2F2", align="center", text_wrap=True)
        self.info = f(border=1, bg_color="#F7F7F7", text_wrap=True)  # shown, never imported
        self.money_info = f(border=1, bg_color="#F7F7F7", num_format="#,##0.00")
        self.text = f(border=1, text_wrap=True, num_format="@")
        self.long = f(border=1, text_wrap=True, valign="top", num_format="@")
        self.number = f(border=1, num_format="0.00")
        self.money = f(border=1, num_format="#,##0.00")
        self.money_calc = f(border=1, bg_color="#F7F7F7", num_format="#,##0.00")
        self.head = f(bold=True, border=1, bg_color="#DDEBF7", align="center", text_wrap=True)
        self.section = f(bold=True, border=1, bg_color="#DDEBF7")
        self.hidden = f(font_color="#FFFFFF", num_format="@")


def _wan(amount) -> float:
    return float(Decimal(amount or 0) / WAN)


def _exported(target: Target, rows: list[TargetIndicator], tasks) -> SheetData:
    """The importable content as it is written to the cells (and as `cell_text` reads it back)."""
    data = SheetData(name="", kind=target.kind, goal=cell_text(target.goal))
    if target.kind == Target.Kind.PROJECT:
        data.goal_midterm = cell_text(target.goal_midterm)
    else:
        data.tasks = [
            TaskData(
                0, cell_text(t.name), cell_text(t.content), cell_text(_wan(t.amount)), cell_text(_wan(t.amount_fiscal))
            )
            for t in tasks
        ]
    for r in rows:
        data.rows.append(
            RowData(
                0,
                r.pk,
                cell_text(r.level1),
                cell_text(r.level2),
                cell_text(r.name),
                cell_text(r.value),
                cell_text(r.unit),
                cell_text(float(r.weight)) if r.weight is not None else "",
                cell_text(r.mid_value),
                cell_text(r.source),
                cell_text(r.note),
            )
        )
    return data


def write_targets(targets, path_or_buffer) -> list[str]:
    """Write one form sheet per target and a 说明 sheet; returns the sheet names used for the targets."""
    targets = list(targets)
    if isinstance(path_or_buffer, str | Path):
        wb = xlsx.workbook(str(path_or_buffer), {"in_memory": True})
    else:
        wb = xlsx.workbook(path_or_buffer, {"in_memory": True})
    fmt = _Formats(wb)
    trees: dict[str, dict[str, list[str]]] = {}
    used: set[str] = set()
    names = []
    for target in targets:
        if target.framework not in trees:
            trees[target.framework] = Framework.objects.get(key=target.framework).tree()
        name = _sheet_name(target, used)
        ws = wb.add_worksheet(name)
        _write_target(ws, fmt, target, trees[target.framework])
        names.append(name)
    years = sorted({t.year for t in targets})
    _write_help(wb.add_worksheet(HELP_SHEET), fmt, years[-1] if years else None)
    if names:
        wb.worksheets()[0].activate()
    wb.close()
    return names


def _write_target(ws, fmt: _Formats, target: Target, tree: dict[str, list[str]]) -> None:
    rows = list(target.indicators.all())
    tasks = list(target.tasks.all()) if target.kind == Target.Kind.WHOLE else []
    data = _exported(target, rows, tasks)
    ws.set_column(0, 0, 14)
    for col, (_, _, width) in enumerate(GRID[1:], start=1):
        ws.set_column(col, col, width)
    ws.set_column(ID_COL, ID_COL, 12, fmt.hidden, {"hidden": True})
    ws.write_string(0, ID_COL, f"wenxiao:target:{target.pk}:{target.version}:{fingerprint(data)}", fmt.hidden)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.hide_gridlines(2)

    if target.kind == Target.Kind.PROJECT:
        r = _project_header(ws, fmt, target, data)
    else:
        r = _whole_header(ws, fmt, target, data)
    ws.merge_range(r, 0, r, 8, "年度绩效指标", fmt.section)
    r += 1
    ws.set_row(r, 28)
    for col, (header, _, _) in enumerate(GRID):
        ws.write_string(r, col, header, fmt.head)
    ws.write_string(r, ID_COL, ID_HEADER, fmt.hidden)
    ws.freeze_panes(r + 1, 0)
    first = r + 1
    for i, row in enumerate(data.rows):
        _grid_row(ws, fmt, first + i, row)
    for i in range(len(data.rows), len(data.rows) + BLANK_ROWS):
        _grid_row(ws, fmt, first + i, None)
    last = first + len(data.rows) + BLANK_ROWS - 1
    level1 = list(tree)
    level2 = list(dict.fromkeys(x for children in tree.values() for x in children))
    lists = [
        (0, "一级指标", level1, f"一级指标应为{target.framework}指标体系中的：" + "、".join(level1)),
        (1, "二级指标", level2, "二级指标应属于本行的一级指标：" + "、".join(level2)),
        (7, "指标值来源", SOURCE_NAMES, "指标值来源应为：" + "、".join(SOURCE_NAMES)),
    ]
    for col, title, items, message in lists:
        if len(",".join(items)) <= 255:  # Excel's limit for a list written into the rule itself
            ws.data_validation(
                first,
                col,
                last,
                col,
                {
                    "validate": "list",
                    "source": items,
                    "error_type": "warning",
                    "input_title": title,
                    "input_message": "请从下拉列表中选择",
                    "error_title": title,
                    "error_message": message[:250],
                },
            )
    ws.data_validation(
        first,
        5,
        last,
        5,
        {
            "validate": "decimal",
            "criteria": "between",
            "minimum": 0,
            "maximum": 100,
            "error_type": "warning",
            "error_title": "分值",
            "error_message": "分值应为0～100之间的数字",
        },
    )
    ws.data_validation(
        first,
        3,
        last,
        3,
        {
            "validate": "any",
            "input_title": "年度指标值",
            "input_message": f"如：≥95%、≤30天、{target.year}年11月30日前、明显提升（详见“说明”表）",
        },
    )


def _grid_row(ws, fmt: _Formats, r: int, row: RowData | None) -> None:
    for col, (_, attr, _) in enumerate(GRID):
        value = getattr(row, attr) if row else ""
        if attr == "weight":
            if value:
                ws.write_number(r, col, float(value), fmt.number)
            else:
                ws.write_blank(r, col, None, fmt.number)
        else:
            ws.write_string(r, col, value, fmt.text)
    if row and row.id:
        ws.write_string(r, ID_COL, str(row.id), fmt.hidden)


def _project_header(ws, fmt: _Formats, target: Target, data: SheetData) -> int:
    p = target.project
    ws.set_row(0, 30)
    ws.merge_range(0, 0, 0, 8, f"项目支出绩效目标申报表（{target.year}年度）", fmt.title)
    ws.merge_range(
        1,
        0,
        1,
        8,
        f"申报单位：{target.unit.name}　　状态：{target.state_label}　　"
        "灰色单元格为系统信息，导入时不会修改；请勿删除隐藏的J列。",
        fmt.sub,
    )
    info = [
        ("项目名称", p.name, "项目代码", p.code),
        ("主管部门及代码", f"{target.department.name}（{target.department.code}）", "实施单位", target.unit.name),
        ("项目属性", p.get_attribute_display(), "项目期", p.period),
    ]
    r = 2
    for a, av, b, bv in info:
        ws.write_string(r, 0, a, fmt.label)
        ws.merge_range(r, 1, r, 4, av, fmt.info)
        ws.write_string(r, 5, b, fmt.label)
        ws.merge_range(r, 6, r, 8, bv, fmt.info)
        r += 1
    ws.merge_range(r, 0, r + 2, 0, "项目资金（万元）", fmt.label)
    money = [
        ("年度资金总额", target.amount),
        ("其中：财政拨款", target.amount_fiscal),
        ("其他资金", Decimal(target.amount) - Decimal(target.amount_fiscal)),
    ]
    for i, (label, amount) in enumerate(money):
        ws.write_string(r + i, 1, label, fmt.label)
        ws.merge_range(r + i, 2, r + i, 4, _wan(amount), fmt.money_info)
    ws.merge_range(r, 5, r + 2, 5, "中期资金总额", fmt.label)
    ws.merge_range(r, 6, r + 2, 8, _wan(target.amount_midterm), fmt.money_info)
    r += 3
    ws.set_row(r, 60)
    ws.write_string(r, 0, "年度总体目标", fmt.label)
    ws.merge_range(r, 1, r, 8, data.goal, fmt.long)
    r += 1
    ws.set_row(r, 45)
    ws.write_string(r, 0, "中长期目标", fmt.label)
    ws.merge_range(r, 1, r, 8, data.goal_midterm or "", fmt.long)
    return r + 1


def _whole_header(ws, fmt: _Formats, target: Target, data: SheetData) -> int:
    ws.set_row(0, 30)
    ws.merge_range(0, 0, 0, 8, f"部门（单位）整体支出绩效目标表（{target.year}年度）", fmt.title)
    ws.merge_range(
        1,
        0,
        1,
        8,
        f"主管部门：{target.department.name}（{target.department.code}）　　状态："
        f"{target.state_label}　　灰色单元格为系统信息，导入时不会修改；请勿删除隐藏的J列。",
        fmt.sub,
    )
    ws.write_string(2, 0, "部门（单位）名称", fmt.label)
    ws.merge_range(2, 1, 2, 8, f"{target.unit.name}（{target.unit.code}）", fmt.info)
    ws.merge_range(3, 0, 3, 8, "年度主要任务", fmt.section)
    ws.write_string(4, 0, "任务名称", fmt.head)
    ws.merge_range(4, 1, 4, 5, "主要内容", fmt.head)
    ws.write_string(4, 6, "总额（万元）", fmt.head)
    ws.write_string(4, 7, "财政拨款（万元）", fmt.head)
    ws.write_string(4, 8, "其他资金（万元）", fmt.head)
    first = r = 5
    totals = [Decimal(0), Decimal(0)]
    for t in list(data.tasks or []) + [TaskData(0)] * BLANK_TASKS:
        ws.write_string(r, 0, t.name, fmt.text)
        ws.merge_range(r, 1, r, 5, t.content, fmt.text)
        amounts = [_decimal(t.amount) if t.amount else None, _decimal(t.amount_fiscal) if t.amount_fiscal else None]
        for i, amount in enumerate(amounts):
            if amount is None:
                ws.write_blank(r, 6 + i, None, fmt.money)
            else:
                ws.write_number(r, 6 + i, float(amount), fmt.money)
                totals[i] += amount
        total_cell, fiscal_cell = xl_rowcol_to_cell(r, 6), xl_rowcol_to_cell(r, 7)
        other = float((amounts[0] or 0) - (amounts[1] or 0)) if amounts[0] is not None else ""
        ws.write_formula(r, 8, f'=IF({total_cell}="","",{total_cell}-{fiscal_cell})', fmt.money_calc, other)
        r += 1
    ws.write_string(r, 0, "金额合计", fmt.label)
    ws.merge_range(r, 1, r, 5, "", fmt.info)
    for col, total in ((6, totals[0]), (7, totals[1]), (8, totals[0] - totals[1])):
        ws.write_formula(
            r,
            col,
            f"=SUM({xl_rowcol_to_cell(first, col)}:{xl_rowcol_to_cell(r - 1, col)})",
            fmt.money_calc,
            float(total),
        )
    r += 1
    ws.set_row(r, 60)
    ws.write_string(r, 0, "年度总体目标", fmt.label)
    ws.merge_range(r, 1, r, 8, data.goal, fmt.long)
    return r + 1


def _write_help(ws, fmt: _Formats, year: int | None) -> None:
    y = year or datetime.date.today().year
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 70)
    lines = [
        ("填报说明", ""),
        ("每张工作表", "对应一个绩效目标（项目支出绩效目标申报表或部门整体支出绩效目标表），可在系统中导入更新。"),
        (
            "可修改的内容",
            "年度总体目标、中长期目标、年度主要任务（整体目标）和“年度绩效指标”表格。"
            "灰色单元格（项目名称、代码、资金等）来自项目库和预算，导入时不会修改。",
        ),
        ("请勿改动", "隐藏的J列和第1行的导出标记：系统据此识别绩效目标和导出时的版本。工作表可以改名。"),
        ("新增指标", "在指标表格下方的空行填写；删除整行即删除该指标。"),
        ("一级、二级指标", "从下拉列表中选择；二级指标须属于本行的一级指标。"),
        ("三级指标", "必填，不超过100个字；同一二级指标下不能重名。"),
        ("年度指标值（量化）", "比较符号＋数值＋单位，如：≥95%、≤30天、=12个、≥500万元、80%-90%。"),
        ("年度指标值（时效）", f"写明完成时限，如：{y}年11月30日前、{y}年6月底前。"),
        ("年度指标值（定性）", "用文字描述，如：明显提升、达到预期、有效保障；容易误读时写作“定性：…”。"),
        ("计量单位", "量化指标必填，须与指标值中的单位一致（如指标值“≥95%”，单位填“%”）。"),
        ("分值", "数字，各指标分值之和应符合权重方案（可在系统中一键分配）。"),
        ("指标值来源", "计划标准、行业标准、历史标准或其他标准。"),
        (
            "导入规则",
            "导入前系统会逐格检查，全部无误才会写入；任一表格有错误则全部不写入。"
            "导出后若绩效目标已在系统中被修改，修改过的工作表将被拒绝，请重新导出后再填。",
        ),
        ("金额", "年度主要任务的金额单位为万元；其他资金＝总额－财政拨款，自动计算。"),
    ]
    ws.write_string(0, 0, "绩效目标申报表填报说明", fmt.title)
    for i, (a, b) in enumerate(lines[1:], start=2):
        ws.write_string(i, 0, a, fmt.label)
        ws.write_string(i, 1, b, fmt.text)
        ws.set_row(i, 32)


# --- reading -----------------------------------------------------------------------------------------------


def read_targets(path_or_bytes) -> list[SheetData]:
    """Every sheet of an uploaded workbook as SheetData (the 说明 sheet and sheets with no form are skipped)."""
    import python_calamine

    try:
        if isinstance(path_or_bytes, bytes | bytearray):
            wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(path_or_bytes))
        elif isinstance(path_or_bytes, str | Path):
            wb = python_calamine.CalamineWorkbook.from_path(str(path_or_bytes))
        else:
            wb = python_calamine.CalamineWorkbook.from_filelike(path_or_bytes)
        names = list(wb.sheet_names)
        if len(names) > MAX_SHEETS + 1:
            raise ImportFileError(f"文件中的工作表超过 {MAX_SHEETS} 张，请分批导入。")
        sheets = []
        for name in names:
            if name == HELP_SHEET:
                continue
            data = _read_sheet(name, wb.get_sheet_by_name(name).to_python(skip_empty_area=False))
            if data is not None:
                sheets.append(data)
        return sheets
    except ImportFileError:
        raise
    except Exception as e:  # calamine raises its own error types for anything that is not a workbook
        raise ImportFileError("无法读取该文件，请上传由本系统导出的 .xlsx 文件。") from e


def _cell(grid: list[list], r: int, c: int) -> str:
    if r < len(grid) and c < len(grid[r]):
        return cell_text(grid[r][c])
    return ""


def _read_sheet(name: str, grid: list[list]) -> SheetData | None:
    sheet = SheetData(name=name)
    for r in range(min(3, len(grid))):
        for c in range(len(grid[r])):
            m = MARKER.match(_cell(grid, r, c))
            if m:
                sheet.target_id, sheet.version = int(m[1]), int(m[2])
                sheet.exported_fingerprint = m[3] or ""
                break
        if sheet.target_id:
            break
    labels = {}
    for r in range(len(grid)):
        a = _cell(grid, r, 0)
        if a and a not in labels:
            labels[a] = r
    if "一级指标" not in labels:
        if sheet.target_id is None and not any(cell_text(v) for row in grid for v in row):
            return None  # an empty sheet
        if sheet.target_id is None and not (labels.keys() & {"年度总体目标", "项目名称", "部门（单位）名称"}):
            return None  # some other sheet the user added; not a form
        sheet.problems.append("找不到“年度绩效指标”表头（第一列应为“一级指标”），请使用系统导出的表格")
        return sheet
    sheet.kind = "whole" if "年度主要任务" in labels or "部门（单位）名称" in labels else "project"
    if "年度总体目标" in labels:
        sheet.goal = _cell(grid, labels["年度总体目标"], 1)
    else:
        sheet.problems.append("找不到“年度总体目标”一行")
    if sheet.kind == "project":
        sheet.goal_midterm = _cell(grid, labels["中长期目标"], 1) if "中长期目标" in labels else None
    else:
        sheet.tasks = _read_tasks(grid, labels, sheet)
    head = labels["一级指标"]
    headers = {_cell(grid, head, c): c for c in range(len(grid[head]))}
    for header, attr, _ in GRID:
        if header in headers:
            sheet.columns[attr] = headers[header]
        else:
            sheet.problems.append(f"指标表头缺少“{header}”列")
    if sheet.problems:
        return sheet
    id_col = headers.get(ID_HEADER, ID_COL)  # follows the column if the user inserted columns before it
    for r in range(head + 1, len(grid)):
        values = {attr: _cell(grid, r, c) for attr, c in sheet.columns.items()}
        if not any(values.values()):
            continue
        raw_id = _cell(grid, r, id_col)
        sheet.rows.append(RowData(excel_row=r + 1, id=int(raw_id) if raw_id.isdigit() else None, **values))
    return sheet


def _read_tasks(grid: list[list], labels: dict[str, int], sheet: SheetData) -> list[TaskData]:
    if "任务名称" not in labels:
        sheet.problems.append("找不到“年度主要任务”表头（第一列应为“任务名称”）")
        return []
    start = labels["任务名称"] + 1
    end = labels.get("金额合计", len(grid))
    if end < start:
        sheet.problems.append("“金额合计”一行应在年度主要任务之后")
        return []
    head = {_cell(grid, start - 1, c): c for c in range(len(grid[start - 1]))}
    sheet.task_columns = {attr: head.get(header, TASK_COLS[attr]) for attr, header in TASK_HEADERS.items()}
    tasks = []
    for r in range(start, end):
        t = TaskData(r + 1, *(_cell(grid, r, sheet.task_columns[k]) for k in TASK_HEADERS))
        if t.name or t.content or t.amount or t.amount_fiscal:
            tasks.append(t)
    return tasks


# --- checking ----------------------------------------------------------------------------------------------


def _col(sheet: SheetData, attr: str) -> str:
    c = sheet.columns.get(attr, [a for _, a, _ in GRID].index(attr))
    return f"{xl_col_to_name(c)}（{FIELD_HEADER[attr]}）"


def _task_col(sheet: SheetData, attr: str) -> str:
    return f"{xl_col_to_name(sheet.task_columns.get(attr, TASK_COLS[attr]))}（{TASK_HEADERS[attr]}）"


def validate(sheets: list[SheetData], actor) -> ImportResult:
    """Check every sheet and every cell against the database and the rules; nothing is written."""
    result = ImportResult()
    seen: dict[int, str] = {}
    trees: dict[str, dict[str, list[str]]] = {}
    for sheet in sheets:
        plan = SheetPlan(sheet=sheet.name, status="")
        result.plans.append(plan)
        errors = _check_sheet(sheet, plan, actor, seen)
        if not errors and not plan.status:
            if plan.target.framework not in trees:
                trees[plan.target.framework] = Framework.objects.get(key=plan.target.framework).tree()
            errors = _check_cells(sheet, plan, trees[plan.target.framework])
        if errors:
            plan.status = "error"
            plan.note = f"{len(errors)} 处错误"
            result.errors += errors
    if not sheets:
        result.errors.append(CellError("（文件）", None, "", "文件中没有可导入的绩效目标表。"))
    return result


def _check_sheet(sheet: SheetData, plan: SheetPlan, actor, seen: dict[int, str]) -> list[CellError]:
    """The sheet as a whole: which target, may the actor edit it, is the file still current."""

    def err(message: str) -> list[CellError]:
        return [CellError(sheet.name, None, "", message)]

    if sheet.target_id is None:
        return err("缺少导出标记（隐藏的J列第1行），无法确定对应的绩效目标；请在系统中导出后再填写。")
    if sheet.problems:
        return [CellError(sheet.name, None, "", p) for p in sheet.problems]
    target = (
        Target.objects.visible_to(actor)
        .select_related("project", "unit", "department", "region", "scheme")
        .filter(pk=sheet.target_id)
        .first()
    )
    if target is None:
        return err("该表对应的绩效目标不存在，或不在您的数据范围内。")
    plan.target = target
    if target.pk in seen:
        return err(f"与工作表“{seen[target.pk]}”是同一个绩效目标，请只保留一张。")
    seen[target.pk] = sheet.name
    if sheet.kind != target.kind:
        return err(f"表格式与绩效目标类型（{target.get_kind_display()}）不符。")
    if sheet.exported_fingerprint and sheet.fingerprint() == sheet.exported_fingerprint:
        plan.status = "untouched"
        plan.note = "表内容与导出时相同，未改动，跳过。"
        if target.version != sheet.version:
            plan.note = "导出后该绩效目标已在系统中被修改；本表未改动，已跳过（不会覆盖系统中的修改）。"
        return []
    if not services.can_edit(target, actor):
        return err(f"绩效目标处于“{target.state_label}”状态，您无权修改。")
    if target.version != sheet.version:
        return err(
            f"导出后该绩效目标已被修改（导出时版本 {sheet.version}，当前版本 {target.version}），"
            "为免覆盖他人的修改，请重新导出后再填写。"
        )
    plan.version = target.version
    return []


def _check_cells(sheet: SheetData, plan: SheetPlan, tree: dict[str, list[str]]) -> list[CellError]:
    target = plan.target
    errors: list[CellError] = []

    def err(row: int, column: str, message: str) -> None:
        errors.append(CellError(sheet.name, row, column, message))

    existing = {r.pk: r for r in target.indicators.all()}
    used_ids: set[int] = set()
    seen: dict[tuple[str, str], int] = {}
    new_rows = []
    for row in sheet.rows:
        n = row.excel_row
        if not row.level1:
            err(n, _col(sheet, "level1"), "请选择一级指标")
        elif row.level1 not in tree:
            err(n, _col(sheet, "level1"), f"一级指标“{row.level1}”不属于{target.framework}指标体系")
        elif row.level2 not in tree[row.level1]:
            err(
                n,
                _col(sheet, "level2"),
                f"二级指标“{row.level2}”不属于一级指标“{row.level1}”" if row.level2 else "请选择二级指标",
            )
        if not row.name:
            err(n, _col(sheet, "name"), "三级指标名称不能为空")
        elif len(row.name) > 100:
            err(n, _col(sheet, "name"), "三级指标名称不能超过100个字")
        else:
            key = (row.level2, row.name)
            if key in seen:
                err(n, _col(sheet, "name"), f"与第{seen[key]}行重复（二级指标和三级指标名称相同）")
            else:
                seen[key] = n
        if len(row.unit) > 20:
            err(n, _col(sheet, "unit"), "计量单位不能超过20个字")
        for attr in ("value", "mid_value"):
            text = getattr(row, attr)
            if attr == "mid_value" and not text:
                continue
            if len(text) > 60:
                err(n, _col(sheet, attr), f"{FIELD_HEADER[attr]}不能超过60个字")
                continue
            try:
                parse(text, row.unit, year=target.year)
            except ValueParseError as e:
                err(n, _col(sheet, attr), e.message)
        weight = None
        if row.weight:
            weight = _decimal(row.weight)
            if weight is None:
                err(n, _col(sheet, "weight"), f"分值“{row.weight}”不是有效的数字")
            elif weight < 0 or weight > 100:
                err(n, _col(sheet, "weight"), "分值应在0～100之间")
                weight = None
            else:
                weight = weight.quantize(CENT)
        if row.source and row.source not in SOURCE_NAMES:
            err(n, _col(sheet, "source"), "指标值来源应为：" + "、".join(SOURCE_NAMES))
        if len(row.note) > 200:
            err(n, _col(sheet, "note"), "备注不能超过200个字")
        row_id = row.id if row.id in existing and row.id not in used_ids else None
        if row_id:
            used_ids.add(row_id)
        plan.rows.append(
            services.RowInput(
                level1=row.level1,
                level2=row.level2,
                name=row.name,
                value=row.value,
                unit=row.unit,
                weight=weight,
                mid_value=row.mid_value,
                source=row.source or "计划标准",
                note=row.note,
                id=row_id,
            )
        )
        plan.row_numbers.append(n)
        new_rows.append(_prospective_row(target, plan.rows[-1], existing.get(row_id)))

    tasks = None
    if sheet.tasks is not None and (sheet.tasks or target.tasks.exists()):
        tasks = []
        for t in sheet.tasks:
            if not t.name:
                err(t.excel_row, _task_col(sheet, "name"), "请填写任务名称")
            elif len(t.name) > 100:
                err(t.excel_row, _task_col(sheet, "name"), "任务名称不能超过100个字")
            amounts, valid = {}, True
            for attr in ("amount", "amount_fiscal"):
                text = getattr(t, attr)
                d = _decimal(text) if text else Decimal(0)
                if d is None or d < 0 or d >= WAN * WAN:
                    err(
                        t.excel_row,
                        _task_col(sheet, attr),
                        f"金额“{text}”不是有效的数字"
                        if d is None
                        else "金额不能为负数"
                        if d < 0
                        else "金额过大，请以万元为单位填写",
                    )
                    valid, d = False, Decimal(0)
                amounts[attr] = (d * WAN).quantize(CENT)
            if valid and amounts["amount_fiscal"] > amounts["amount"]:
                err(t.excel_row, _task_col(sheet, "amount_fiscal"), "财政拨款不能大于总额")
            tasks.append({"name": t.name, "content": t.content, **{k: f"{v:f}" for k, v in amounts.items()}})
    if errors:
        return errors

    plan.goal = sheet.goal
    plan.goal_midterm = sheet.goal_midterm
    plan.tasks = tasks
    before = services.snapshot(target)
    after = _prospective_snapshot(target, plan, new_rows)
    plan.changes = diff(before, after)
    plan.changes["tasks_changed"] = before.get("tasks") != after.get("tasks")
    if after == before:
        plan.status, plan.note = "same", "与系统中的内容相同，无需更新。"
    else:
        c = plan.changes["counts"]
        header = "、".join(label for label, _, _ in plan.changes["header"])
        parts = [f"新增 {c['added']} 行", f"删除 {c['removed']} 行", f"修改 {c['changed']} 行"]
        if header:
            parts.append(f"修改{header}")
        if plan.changes["tasks_changed"]:
            parts.append("修改年度主要任务")
        plan.status, plan.note = "change", "，".join(parts)
    return []


def _prospective_row(target: Target, data: services.RowInput, old: TargetIndicator | None) -> TargetIndicator:
    """The row as do_save_target would store it."""
    row = TargetIndicator(
        region_id=target.region_id,
        target=target,
        level1=data.level1.strip(),
        level2=data.level2.strip(),
        name=data.name.strip(),
        value=data.value.strip(),
        mid_value=(data.mid_value or "").strip(),
        unit=(data.unit or "").strip(),
        weight=data.weight,
        source=data.source or "计划标准",
        note=data.note or "",
        template_id=old.template_id if old else None,
    )
    services.parse_into(row, target.year)
    return row


def _prospective_snapshot(target: Target, plan: SheetPlan, rows: list[TargetIndicator]) -> dict:
    snap = services.snapshot(target)
    snap["goal"] = (plan.goal or "").strip()
    if plan.goal_midterm is not None:
        snap["goal_midterm"] = plan.goal_midterm.strip()
    snap["rows"] = audit.to_jsonable(
        [{f: getattr(r, f) for f in services.ROW_FIELDS} | {"template": r.template_id} for r in rows]
    )
    if plan.tasks is not None:
        snap["tasks"] = [
            {
                "name": t["name"][:100],
                "content": t["content"],
                "amount": t["amount"],
                "amount_fiscal": t["amount_fiscal"],
            }
            for t in plan.tasks
        ]
        snap["amount"] = f"{sum((Decimal(t['amount']) for t in plan.tasks), Decimal(0)):.2f}"
        snap["amount_fiscal"] = f"{sum((Decimal(t['amount_fiscal']) for t in plan.tasks), Decimal(0)):.2f}"
    return snap


# --- writing an import -------------------------------------------------------------------------------------


class _Abort(Exception):
    def __init__(self, errors: list[CellError]):
        super().__init__("import aborted")
        self.errors = errors


def commit(result: ImportResult, actor, *, file_name: str = "") -> CommitResult:
    """Save every changed sheet through do_save_target in one transaction: all of them or none."""
    if not result.ok:
        return CommitResult(errors=list(result.errors))
    out = CommitResult()
    try:
        with transaction.atomic():
            for plan in result.changed:
                try:
                    target = services.do_save_target(
                        plan.target.pk,
                        actor=actor,
                        expected_version=plan.version,
                        rows=plan.rows,
                        goal=plan.goal,
                        goal_midterm=plan.goal_midterm,
                        tasks=plan.tasks,
                    )
                except ServiceError as e:
                    raise _Abort(_service_errors(plan, e))
                out.saved.append(target)
            if out.saved:
                audit.record(
                    actor,
                    "target.import",
                    object_type="targets.target",
                    object_repr=file_name[:200],
                    after={
                        "file": file_name,
                        "targets": [t.pk for t in out.saved],
                        "sheets": [p.sheet for p in result.changed],
                    },
                )
    except _Abort as a:
        return CommitResult(errors=a.errors)
    return out


def _service_errors(plan: SheetPlan, e: ServiceError) -> list[CellError]:
    out = []
    for key, messages in e.errors.items():
        m = re.fullmatch(r"rows\.(\d+)\.(\w+)", key)
        for message in messages:
            if m and int(m[1]) < len(plan.row_numbers) and m[2] in FIELD_HEADER:
                col = [a for _, a, _ in GRID].index(m[2])
                out.append(
                    CellError(
                        plan.sheet,
                        plan.row_numbers[int(m[1])],
                        f"{xl_col_to_name(col)}（{FIELD_HEADER[m[2]]}）",
                        message,
                    )
                )
            else:
                out.append(CellError(plan.sheet, None, "", message))
    return out or [CellError(plan.sheet, None, "", e.message)]


def error_table(errors: list[CellError]) -> str:
    """The errors as a plain table for the command line."""
    lines = ["工作表\t行\t列\t问题"] + [e.as_line() for e in errors]
    return "\n".join(lines)

"""The import template of an assessment round (one row per subject, one column per imported indicator) and its
reader. Pure: no Django; the service hands in the round's subjects and indicators and writes nothing unless
every cell passed (all or nothing).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

SHEET = "导入数据"
CODE, NAME = "对象代码", "考核对象"
LIMIT = Decimal("1e12")


@dataclass(frozen=True)
class Column:
    id: int
    name: str
    unit: str = ""

    @property
    def header(self) -> str:
        return f"{self.name}（{self.unit}）" if self.unit else self.name


@dataclass(frozen=True)
class CellError:
    row: int  # Excel row number (the header is row 1); 0 for the whole file
    column: str
    message: str

    def __str__(self) -> str:
        where = f"第{self.row}行" if self.row else "文件"
        return f"{where}“{self.column}”列：{self.message}" if self.column else f"{where}：{self.message}"


@dataclass
class Parsed:
    values: dict[str, dict[int, Decimal]] = field(default_factory=dict)  # subject code -> indicator id -> value
    errors: list[CellError] = field(default_factory=list)
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def template_xlsx(title: str, subjects: list[tuple[str, str]], columns: list[Column], current=None) -> bytes:
    """The workbook the page offers: 说明 sheet, then one row per subject with the values already stored."""
    from wenxiao.core import xlsx

    current = current or {}
    buf = io.BytesIO()
    wb = xlsx.workbook(buf, {"in_memory": True})
    head = wb.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1, "text_wrap": True})
    locked = wb.add_format({"bg_color": "#F7F7F7"})
    ws = wb.add_worksheet(SHEET)
    ws.write_row(0, 0, [CODE, NAME, *[c.header for c in columns]], head)
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 26)
    ws.set_column(2, 1 + max(len(columns), 1), 16)
    for r, (code, name) in enumerate(subjects, start=1):
        ws.write_string(r, 0, code, locked)
        ws.write_string(r, 1, name, locked)
        for c, col in enumerate(columns, start=2):
            v = current.get((code, col.id))
            if v is not None:
                ws.write_number(r, c, float(v))
    ws.freeze_panes(1, 2)
    info = wb.add_worksheet("说明")
    for i, line in enumerate(
        [
            title,
            "1. 每个考核对象一行，每个导入指标一列；请勿修改对象代码和表头。",
            "2. 百分比指标填写百分数的数值（如 85.5 表示 85.5%），也可填写“85.5%”。",
            "3. 留空的单元格不导入（保留原值）。",
            "4. 系统先校验全部单元格，有任何错误则整张表不导入，并列出出错的行和列。",
        ]
    ):
        info.write_string(i, 0, line)
    info.set_column(0, 0, 90)
    wb.close()
    return buf.getvalue()


def _cell_value(raw) -> tuple[Decimal | None, str]:
    """A cell as a number: (value, error message); blank cells give (None, "")."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, ""
    if isinstance(raw, bool):
        return None, f"“{raw}”不是数字"
    if isinstance(raw, int | float):
        try:
            d = Decimal(repr(raw))
        except InvalidOperation:
            return None, f"“{raw}”不是数字"
    else:
        text = str(raw).strip().replace(",", "").replace("，", "")
        if text.endswith("%") or text.endswith("％"):
            text = text[:-1].strip()
        try:
            d = Decimal(text)
        except InvalidOperation:
            return None, f"“{raw}”不是数字"
    if not d.is_finite() or abs(d) >= LIMIT:
        return None, f"“{raw}”不是有效的数值"
    return d.quantize(Decimal("0.0001")), ""


def read_values(data: bytes, subjects: dict[str, str], columns: list[Column]) -> Parsed:
    """Read an uploaded template: every cell is checked; errors name the row and the column in Chinese."""
    import python_calamine

    out = Parsed()
    try:
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        name = SHEET if SHEET in wb.sheet_names else wb.sheet_names[0]
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception:  # noqa: BLE001 — any unreadable upload is the same error for the user
        out.errors.append(CellError(0, "", "无法读取，请上传本页下载的 .xlsx 导入模板"))
        return out
    if not rows:
        out.errors.append(CellError(0, "", "文件是空的"))
        return out
    header = [str(h).strip() for h in rows[0]]
    if not header or header[0] != CODE:
        out.errors.append(CellError(1, header[0] if header else "", f"第一列应为“{CODE}”，请使用本页下载的模板"))
        return out
    by_header = {c.header: c for c in columns} | {c.name: c for c in columns}
    used: dict[int, Column] = {}
    for i, h in enumerate(header[1:], start=1):
        if not h or h == NAME:
            continue
        col = by_header.get(h)
        if col is None:
            out.errors.append(CellError(1, h, "不是本轮考核的导入指标"))
        elif col.id in {c.id for c in used.values()}:
            out.errors.append(CellError(1, h, "列重复"))
        else:
            used[i] = col
    if not used and not out.errors:
        out.errors.append(CellError(1, "", "表头中没有本轮考核的导入指标"))
    seen: dict[str, int] = {}
    for n, row in enumerate(rows[1:], start=2):
        cells = list(row) + [None] * (len(header) - len(row))
        if all(c is None or str(c).strip() == "" for c in cells):
            continue
        code = str(cells[0]).strip() if cells[0] is not None else ""
        if code.endswith(".0") and code[:-2].isdigit():  # a code typed as a number
            code = code[:-2]
        if not code:
            out.errors.append(CellError(n, CODE, "对象代码为空"))
            continue
        if code not in subjects:
            out.errors.append(CellError(n, CODE, f"“{code}”不是本轮的考核对象"))
            continue
        if code in seen:
            out.errors.append(CellError(n, CODE, f"“{subjects[code]}”与第{seen[code]}行重复"))
            continue
        seen[code] = n
        out.rows += 1
        values: dict[int, Decimal] = {}
        for i, col in used.items():
            value, error = _cell_value(cells[i] if i < len(cells) else None)
            if error:
                out.errors.append(CellError(n, col.header, error))
            elif value is not None:
                values[col.id] = value
        if values:
            out.values[code] = values
    if not out.errors and not out.values:
        out.errors.append(CellError(0, "", "没有可导入的数值"))
    return out

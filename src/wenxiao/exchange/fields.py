"""The exchange format: field names after the 一体化 data elements (REFERENCE §11), their Chinese labels, and the
reading of a batch file (JSON, CSV in UTF-8 or GBK, XLSX) into rows of text. Pure: no Django (except
`format_time`, which reads the configured time zone).

Every value arrives as text (numbers keep their exact digits); `row` is the number the sender sees: the 1-based record
index in JSON, the line in CSV/XLSX (header = line 1).
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re

KINDS = ("projects", "budgets", "payments")

# name → (label, required, max length). The order is the order of the documented field table.
PROJECT_FIELDS: dict[str, tuple[str, bool, int]] = {
    "pro_code": ("项目代码", True, 21),
    "pro_name": ("项目名称", True, 180),
    "mof_div_code": ("财政区划代码", True, 9),
    "dept_code": ("主管部门代码", True, 21),
    "agency_code": ("单位代码", True, 21),
    "fiscal_year": ("预算年度（入库年度）", True, 4),
    "start_year": ("起始年度", False, 4),
    "end_year": ("结束年度", False, 4),
    "is_policy": ("是否政策（1=是，2=否）", False, 1),
    "pro_cat_code": ("项目类别代码（1人员类、2运转类、3特定目标类）", False, 1),
    "pro_attr_code": ("项目属性（new新增、continuing延续）", False, 12),
    "bgt_type_code": ("预算类型代码（1一般公共、2政府性基金、3国有资本经营、4社保基金）", False, 1),
    "fund_type_code": ("资金类型代码", False, 20),
    "exp_func_code": ("支出功能分类科目代码", True, 7),
    "exp_eco_code": ("部门预算支出经济分类代码", False, 5),
    "pro_desc": ("立项依据及主要内容", False, 4000),
    "pro_leader": ("项目责任人", False, 40),
    "pro_leader_post": ("责任人职务", False, 60),
    "pro_leader_tel": ("责任人联系电话", False, 30),
    "create_time": ("创建时间（yyyyMMddHHmmssSSS）", False, 17),
    "update_time": ("更新时间（yyyyMMddHHmmssSSS）", False, 17),
    "is_deleted": ("是否删除（1=是，2=否）", False, 1),
}

BUDGET_FIELDS: dict[str, tuple[str, bool, int]] = {
    "pro_code": ("项目代码", True, 21),
    "fiscal_year": ("预算年度", True, 4),
    "bgt_amt": ("年初预算数（元）", False, 20),
    "cur_amt": ("其中：当年财政拨款（元）", False, 20),
    "carry_amt": ("其中：上年结转（元）", False, 20),
    "other_amt": ("其中：其他资金（元）", False, 20),
    "adj_code": ("预算调整单号（有此项的行是一条预算调整）", False, 40),
    "adj_amt": ("调整金额（元，调增为正、调减为负）", False, 20),
    "adj_date": ("调整日期（yyyyMMdd）", False, 17),
    "adj_reason": ("调整原因", False, 200),
    "adj_doc_no": ("调整文号", False, 60),
    "create_time": ("创建时间（yyyyMMddHHmmssSSS）", False, 17),
    "update_time": ("更新时间（yyyyMMddHHmmssSSS）", False, 17),
    "is_deleted": ("是否删除（1=是，2=否）", False, 1),
}

# Payments are read and checked by projects/payments_file.py; these are the 一体化 names it accepts.
PAYMENT_FIELDS: dict[str, tuple[str, bool, int]] = {
    "pay_cert_no": ("支付凭证号", True, 40),
    "pay_date": ("支付日期（yyyy-MM-dd 或 yyyyMMdd）", True, 17),
    "pro_code": ("项目代码", True, 21),
    "agency_code": ("单位代码", False, 21),
    "pay_amt": ("支付金额（元）", True, 20),
    "exp_eco_code": ("部门预算支出经济分类代码", False, 5),
    "fund_type_code": ("资金来源", False, 40),
}

FIELDS = {"projects": PROJECT_FIELDS, "budgets": BUDGET_FIELDS, "payments": PAYMENT_FIELDS}
JSON_LIST_KEYS = ("data", "rows", "records", "list", "items")

TIME_RE = re.compile(r"^\d{17}$")


class BatchError(ValueError):
    """The batch as a whole cannot be read; the message says why, in Chinese."""


def label(kind: str, name: str) -> str:
    return FIELDS[kind].get(name, (name,))[0].split("（", 1)[0]


def text(value) -> str:
    """A JSON or cell value as the text the sender meant: numbers keep their digits, null is empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "2"
    if isinstance(value, float):
        return format(value, "f").rstrip("0").rstrip(".") if value == value else ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y%m%d%H%M%S") + f"{value.microsecond // 1000:03d}"
    if isinstance(value, datetime.date):
        return value.strftime("%Y%m%d")
    return str(value).replace("\x00", "").strip()  # PostgreSQL refuses NUL in text


def row_text(record: dict) -> dict:
    """A record with lower-case field names and text values (the common all-text case without a call per cell)."""
    return {
        (k.strip().lower() if type(k) is str else text(k).lower()): (
            v.strip() if type(v) is str and "\x00" not in v else text(v)
        )
        for k, v in record.items()
    }


def records(obj) -> list[dict]:
    """The list of records of a JSON batch: a list, or an object with a `data` (rows, records …) list."""
    if isinstance(obj, dict):
        lowered = {str(k).lower(): v for k, v in obj.items()}
        for key in JSON_LIST_KEYS:
            if isinstance(lowered.get(key), list):
                obj = lowered[key]
                break
    if not isinstance(obj, list):
        raise BatchError('数据应为记录的列表，或形如 {"data": [...]} 的对象。')
    if not obj:
        raise BatchError("批次中没有数据行。")
    out = []
    for i, rec in enumerate(obj, start=1):
        if not isinstance(rec, dict):
            raise BatchError(f'第{i}条记录不是对象（应为 {{"字段名": 值, …}}）。')
        out.append(row_text(rec))
    return out


def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise BatchError("文件编码无法识别，请另存为UTF-8或GBK编码。")


def read(data: bytes, filename: str) -> list[dict]:
    """The rows of a projects or budgets file: JSON, CSV (UTF-8/GBK, header = field names) or XLSX."""
    name = (filename or "").lower()
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data)
    body = _decode(data)
    if not body.strip():
        raise BatchError("文件是空的。")
    if name.endswith(".json") or body.lstrip()[:1] in ("[", "{"):
        try:
            rows = records(json.loads(body, parse_float=str, parse_int=str))
        except json.JSONDecodeError as e:
            raise BatchError(f"JSON格式有误（第{e.lineno}行第{e.colno}列），无法读取。") from e
        return [{**r, "__row__": str(i)} for i, r in enumerate(rows, start=1)]
    reader = csv.reader(io.StringIO(body))
    rows = [r for r in reader]
    return _from_grid(rows)


def _from_grid(rows: list[list]) -> list[dict]:
    if not rows:
        raise BatchError("文件是空的。")
    header = [text(h).lower() for h in rows[0]]
    out = [
        {h: text(r[i]) if i < len(r) else "" for i, h in enumerate(header) if h} | {"__row__": str(line)}
        for line, r in enumerate(rows[1:], start=2)
        if any(text(c) for c in r)
    ]
    if not out:
        raise BatchError("文件中没有数据行（只有表头或全是空行）。")
    return out


def _read_xlsx(data: bytes) -> list[dict]:
    import python_calamine

    from wenxiao.projects.payments_file import excel_text

    try:
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        grid = wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as e:  # calamine raises its own error types for anything that is not a workbook
        raise BatchError("无法读取该Excel文件，请另存为.xlsx后再试。") from e
    return _from_grid([[excel_text(c) for c in r] for r in grid])


def check_time(value: str) -> str | None:
    """A 一体化 time (yyyyMMddHHmmssSSS) → the error message, or None when empty or valid."""
    if not value:
        return None
    if not TIME_RE.match(value):
        return "时间格式应为 yyyyMMddHHmmssSSS（17位数字）"
    try:
        datetime.datetime.strptime(value[:14], "%Y%m%d%H%M%S")
    except ValueError:
        return "不是有效的时间"
    return None


def parse_date(value: str) -> datetime.date | None:
    """yyyyMMdd, yyyyMMddHHmmssSSS or yyyy-MM-dd → date; None when it is not a real date."""
    v = value.strip()
    m = re.match(r"^(\d{4})-?(\d{2})-?(\d{2})(\d{9})?$", v)
    if not m:
        return None
    try:
        return datetime.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def format_time(dt: datetime.datetime | None) -> str:
    """A datetime → yyyyMMddHHmmssSSS (local time), "" for None."""
    if dt is None:
        return ""
    from django.utils import timezone  # only called from the Django side

    dt = timezone.localtime(dt) if timezone.is_aware(dt) else dt
    return dt.strftime("%Y%m%d%H%M%S") + f"{dt.microsecond // 1000:03d}"

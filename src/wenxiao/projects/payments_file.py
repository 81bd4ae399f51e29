"""Reading and checking a file of 国库集中支付 records (payments), as exported by the 预算管理一体化 system or typed
by hand: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030, UTF-16), XLSX/XLS (the first sheet, or the first with a
header when the first is a 说明 page) or JSON.

Pure: stdlib, polars and python_calamine only (xlsxwriter for the error report); the Django layer looks up the
projects and the already stored payments, calls `read` and `validate`, and writes `Checked.rows`.

- `read(data, filename)` → one Utf8 column per canonical field in `COLUMNS` plus `row` (the row number the user sees:
  header is row 1 in CSV/XLSX, the 1-based record index in JSON). Whole-file problems raise `FileError`.
- `validate(frame, projects, existing, year=…)` → the valid new rows typed (amounts in 分, exact), how many rows were
  already imported with the same content, and the row errors in Chinese. Vectorised: the happy path runs no Python
  per row.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import hashlib
import io
import json
import random
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import polars as pl
import python_calamine

COLUMNS = ("payment_id", "date", "project_code", "unit_code", "amount", "economic_code", "fund_source")
REQUIRED_COLUMNS = ("payment_id", "date", "project_code", "amount")  # a file without one of these is refused
OPTIONAL_COLUMNS = ("unit_code", "economic_code", "fund_source")  # filled with "" when the file has no such column

LABELS = {  # the Chinese label of each column, used in messages and the error report
    "payment_id": "支付凭证号",
    "date": "支付日期",
    "project_code": "项目代码",
    "unit_code": "单位代码",
    "amount": "支付金额",
    "economic_code": "经济分类代码",
    "fund_source": "资金来源",
}

# Accepted header spellings, best first (when a file has two of them, the earlier one wins).
HEADERS: dict[str, tuple[str, ...]] = {
    "payment_id": ("支付凭证号", "支付凭证编号", "支付编号", "支付单号", "凭证号", "pay_cert_no", "payment_id"),
    "date": ("支付日期", "日期", "pay_date", "date"),
    "project_code": ("项目代码", "项目编码", "pro_code", "project_code"),
    "unit_code": ("单位代码", "预算单位代码", "单位编码", "预算单位编码", "agency_code", "unit_code"),
    "amount": ("支付金额", "金额", "金额（元）", "支付金额（元）", "pay_amt", "amount"),
    "economic_code": (
        "经济分类代码",
        "经济分类",
        "部门预算支出经济分类",
        "部门预算支出经济分类代码",
        "部门经济分类",
        "exp_eco_code",
        "economic_code",
    ),
    "fund_source": ("资金来源", "资金性质", "fund_type_code", "fund_source"),
}

PAYMENT_ID_MAX = 40
FUND_SOURCE_MAX = 60
AMOUNT_MAX_DIGITS = 13  # integer digits of an amount in 元 (under 10万亿元)
HEADER_SCAN = 10  # the header may sit below a few title lines
JSON_LIST_KEYS = ("data", "rows", "records", "list", "items", "result")
EXCEL_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
CSV_EXTENSIONS = (".csv", ".txt", ".tsv")
TOTAL_LABELS = ("合计", "总计", "小计")  # a totals line at the end of an export, not a payment
CONFLICT = "\x00conflict"  # placeholder message, formatted after collecting


class FileError(ValueError):
    """The file as a whole cannot be used; the message says why, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class RowError:
    row: int  # as the user sees it: CSV/XLSX header is row 1; JSON: 1-based record index; 0 = not a row
    column: str  # Chinese label (LABELS), "" for the row or the file as a whole
    value: str  # the offending text as read
    message: str

    def as_line(self) -> str:
        where = f"第{self.row}行" if self.row else "—"
        return f"{where}\t{self.column or '—'}\t{self.value}\t{self.message}"


@dataclass
class Checked:
    rows: pl.DataFrame  # valid new rows: payment_id, date, project_id, unit_code, amount (分), economic_code, ...
    skipped: int  # already imported with the same project, date and amount
    errors: list[RowError] = field(default_factory=list)
    total: int = 0  # data rows read

    @property
    def ok(self) -> bool:
        return not self.errors


def fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- headers -----------------------------------------------------------------------------------------------


def _norm_header(text) -> str:
    """Case, spaces, full-width forms, a leading/trailing required-marker and a trailing （元） do not matter."""
    h = unicodedata.normalize("NFKC", str(text if text is not None else "")).lower()
    h = re.sub(r"\s+", "", h).strip("*")
    h = re.sub(r"[(\[]元[)\]]$", "", h)
    h = re.sub(r"^单位[:：]?元$", "", h)
    return h


_ALIASES: dict[str, tuple[str, int]] = {}
for _col, _names in HEADERS.items():
    for _i, _name in enumerate(_names):
        _ALIASES.setdefault(_norm_header(_name), (_col, _i))
_WAN_HEADERS = {_norm_header(n) + "(万元)" for n in HEADERS["amount"] if not n.endswith("（元）")}


def _map_headers(cells: list) -> dict[str, int]:
    """Canonical column → index of the cell holding it."""
    best: dict[str, tuple[int, int]] = {}
    for idx, cell in enumerate(cells):
        hit = _ALIASES.get(_norm_header(cell))
        if hit is None:
            continue
        col, rank = hit
        if col not in best or rank < best[col][0]:
            best[col] = (rank, idx)
    return {col: idx for col, (_, idx) in best.items()}


def _find_header(rows: list[list]) -> tuple[int, dict[str, int]]:
    """The row (0-based) among the first few that names the most known columns; raises if required ones miss."""
    best_at, best = 0, {}
    for i, cells in enumerate(rows[:HEADER_SCAN]):
        mapping = _map_headers(cells)
        if len(mapping) > len(best):
            best_at, best = i, mapping
    missing = [c for c in REQUIRED_COLUMNS if c not in best]
    if missing:
        for cells in rows[:HEADER_SCAN]:
            for cell in cells:
                if _norm_header(cell) in _WAN_HEADERS:
                    raise FileError(
                        f"“{str(cell).strip()}”列以万元为单位，本系统按元导入支付金额，"
                        "请换算为元后导入（列名写作“支付金额”或“金额（元）”）。"
                    )
        if not best:
            raise FileError(
                "文件的前几行中找不到表头。第一行应为列名，如："
                + "，".join(LABELS[c] for c in COLUMNS)
                + "（也可使用一体化系统的字段名，如 pay_cert_no、pay_date、pro_code、pay_amt）。"
            )
        parts = [f"{LABELS[c]}（可写作：{'、'.join(HEADERS[c])}）" for c in missing]
        raise FileError("文件缺少必需的列：" + "；".join(parts) + "。")
    return best_at, best


# --- reading -----------------------------------------------------------------------------------------------


def read(data: bytes, filename: str) -> pl.DataFrame:
    """The payments in an uploaded file: COLUMNS as stripped Utf8 (absent optional columns ""), plus `row` Int64."""
    if isinstance(data, bytearray | memoryview):
        data = bytes(data)
    body = data
    for bom in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        if body.startswith(bom):
            body = body[len(bom) :]
            break
    if not body.strip(b" \t\r\n\x00"):
        raise FileError("文件是空的。")
    kind = _kind(data, filename or "")
    if kind == "excel":
        frame = _read_excel(data)
    elif kind == "json":
        frame = _read_json(data)
    else:
        frame = _read_csv(data)
    return _finish(frame)


def _kind(data: bytes, filename: str) -> str:
    ext = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        return "excel"  # whatever the name says: a workbook (or a zip that calamine will refuse)
    head = data[:512].lstrip(codecs.BOM_UTF8 + b" \t\r\n")
    if ext in EXCEL_EXTENSIONS:
        if head[:1] == b"<":
            raise FileError("该文件不是真正的Excel文件（可能是网页格式导出的），请用Excel打开后另存为.xlsx再导入。")
        return "csv"  # a text file named .xls: many systems export tab-separated text that way
    if ext == ".json":
        return "json"
    if ext in CSV_EXTENSIONS:
        return "csv"
    if head[:1] in (b"[", b"{"):
        return "json"
    if head[:1] == b"<":
        raise FileError("无法识别的文件格式，请上传CSV、Excel（.xlsx）或JSON文件。")
    return "csv"


def _decode(data: bytes) -> tuple[str, bytes]:
    """The text of a CSV or JSON file and the same text as UTF-8 bytes without BOM: UTF-8 (with or without BOM),
    UTF-16 with BOM, else GB18030 (a superset of GBK and GB2312)."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise FileError("文件编码无法识别，请另存为UTF-8或GBK编码后再导入。") from e
        return text, text.encode("utf-8")
    try:
        return data.decode("utf-8"), data
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as e:
        raise FileError("文件编码无法识别，请另存为UTF-8或GBK编码后再导入。") from e
    return text, text.encode("utf-8")


def _read_csv(data: bytes) -> pl.DataFrame:
    text, raw = _decode(data)
    lines = [line.rstrip("\r") for line in text[:65536].split("\n", HEADER_SCAN)[:HEADER_SCAN]]
    best: tuple[int, int, str] | None = None  # (known columns, line, separator)
    for i, line in enumerate(lines):
        for sep in (",", "\t", ";", "|"):
            if sep not in line and sep != ",":
                continue
            n = len(_map_headers(next(csv.reader([line], delimiter=sep), [])))
            if best is None or n > best[0]:
                best = (n, i, sep)
    _, at, sep = best or (0, 0, ",")
    header_cells = next(csv.reader([lines[at]], delimiter=sep), []) if lines else []
    grid = [[] for _ in range(at)] + [header_cells]
    _, mapping = _find_header(grid)
    indices = sorted(set(mapping.values()))
    try:
        frame = pl.read_csv(
            io.BytesIO(raw),
            has_header=False,
            skip_rows=at,
            separator=sep,
            columns=indices,
            infer_schema=False,
            truncate_ragged_lines=True,
            raise_if_empty=False,
        )
    except Exception:  # polars is strict about stray quotes (ZF"1); Python's csv module is lenient, and slower
        return _read_csv_slowly(text, at, sep, mapping)
    frame = frame.slice(1)  # the header line itself
    first = at + 2  # the header is line at+1, the first data line at+2
    return frame.select(
        *(pl.col(f"column_{idx}").alias(col) for col, idx in mapping.items()),
        pl.int_range(first, first + frame.height, dtype=pl.Int64).alias("row"),
    )


def _read_csv_slowly(text: str, at: int, sep: str, mapping: dict[str, int]) -> pl.DataFrame:
    try:
        records = list(csv.reader(io.StringIO(text), delimiter=sep))[at + 1 :]
    except csv.Error as e:
        raise FileError("CSV文件格式有误（可能有未闭合的引号），无法读取。") from e
    columns = {col: [r[idx] if idx < len(r) else "" for r in records] for col, idx in mapping.items()}
    return pl.DataFrame(
        {**columns, "row": pl.int_range(at + 2, at + 2 + len(records), dtype=pl.Int64, eager=True)},
        schema={**dict.fromkeys(columns, pl.Utf8), "row": pl.Int64},
    )


def excel_text(v) -> str:
    """A cell as the text a user sees in Excel: 30201.0 → "30201", 1234.5 → "1234.5", a date → "2026-03-15"."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            return ""
        try:  # Excel keeps 15 significant digits: 1100.0000000000002 is shown (and meant) as 1100
            return format(Decimal(format(v, ".15g")).normalize(), "f")
        except InvalidOperation:
            return repr(v)
    if isinstance(v, datetime.datetime):
        if v.time() == datetime.time(0, 0):
            return v.date().isoformat()
        return v.isoformat(sep=" ", timespec="seconds")
    if isinstance(v, datetime.date | datetime.time):
        return v.isoformat()
    return str(v)


def _read_excel(data: bytes) -> pl.DataFrame:
    try:
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(wb.sheet_names)
        if not names:
            raise FileError("Excel文件中没有工作表。")
        grid = wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
        first_grid = grid
        try:
            at, mapping = _find_header(grid)
        except FileError as first_problem:  # the first sheet may be a 说明 page: take the first sheet that fits
            for i in range(1, len(names)):
                grid = wb.get_sheet_by_index(i).to_python(skip_empty_area=False)
                try:
                    at, mapping = _find_header(grid)
                    break
                except FileError:
                    continue
            else:
                if not any(any(c not in (None, "") for c in r) for r in first_grid):
                    raise FileError("文件是空的。") from None
                raise first_problem from None
    except FileError:
        raise
    except python_calamine.PasswordError as e:
        raise FileError("Excel文件设有密码，请取消密码后再导入。") from e
    except Exception as e:  # calamine raises its own error types for anything that is not a workbook
        raise FileError("无法读取该Excel文件，文件可能已损坏；请用Excel打开后另存为.xlsx再导入。") from e
    body = grid[at + 1 :]
    columns: dict[str, list[str]] = {}
    for col, idx in mapping.items():
        cells = [r[idx] if idx < len(r) else None for r in body]
        columns[col] = [v if type(v) is str else excel_text(v) for v in cells]
    first = at + 2
    return pl.DataFrame(
        {**columns, "row": pl.int_range(first, first + len(body), dtype=pl.Int64, eager=True)},
        schema={**dict.fromkeys(columns, pl.Utf8), "row": pl.Int64},
    )


def _json_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return str(v)
    return json.dumps(v, ensure_ascii=False)


def _records(obj) -> list:
    if isinstance(obj, list):
        return obj
    if isinstance(obj, dict):
        lowered = {str(k).lower(): v for k, v in obj.items()}
        for key in JSON_LIST_KEYS:
            inner = lowered.get(key)
            if isinstance(inner, list):
                return inner
        for key in JSON_LIST_KEYS:  # one level deeper: {"code": 0, "data": {"rows": [...]}}
            inner = lowered.get(key)
            if isinstance(inner, dict):
                inner = {str(k).lower(): v for k, v in inner.items()}
                for key2 in JSON_LIST_KEYS:
                    if isinstance(inner.get(key2), list):
                        return inner[key2]
    raise FileError('JSON文件应为支付记录的列表，或形如 {"data": [...]} 的对象。')


def _read_json(data: bytes) -> pl.DataFrame:
    text, _ = _decode(data)
    try:
        obj = json.loads(text, parse_float=str, parse_int=str)  # numbers keep their exact text
    except ValueError as e:
        where = f"（第{e.lineno}行第{e.colno}列）" if isinstance(e, json.JSONDecodeError) else ""
        raise FileError(f"JSON文件格式有误{where}，无法读取。") from e
    records = _records(obj)
    if not records:
        raise FileError("文件中没有支付记录。")
    for i, rec in enumerate(records, start=1):
        if not isinstance(rec, dict):
            raise FileError(f'JSON中第{i}条记录不是对象（应为 {{"字段名": 值, …}}）。')
    keys = list(dict.fromkeys(k for rec in records for k in rec))
    _, mapping = _find_header([keys])
    columns = {col: [_json_text(rec.get(keys[idx])) for rec in records] for col, idx in mapping.items()}
    return pl.DataFrame(
        {**columns, "row": pl.int_range(1, len(records) + 1, dtype=pl.Int64, eager=True)},
        schema={**dict.fromkeys(columns, pl.Utf8), "row": pl.Int64},
    )


def _finish(frame: pl.DataFrame) -> pl.DataFrame:
    """Every canonical column as stripped text (="…" wrappers removed); empty rows and totals lines dropped."""

    def clean(col: str) -> pl.Expr:
        if col not in frame.columns:
            return pl.lit("", dtype=pl.Utf8).alias(col)
        e = pl.col(col).cast(pl.Utf8).fill_null("").str.strip_chars()
        if frame[col].str.contains('="', literal=True).any():  # Excel's text guard ="0123", seldom there
            e = e.str.replace(r'^="(.*)"$', "$1").str.strip_chars()
        return e.alias(col)

    out = frame.lazy().select(*(clean(c) for c in COLUMNS), pl.col("row").cast(pl.Int64))
    non_empty = pl.any_horizontal(*(pl.col(c) != "" for c in COLUMNS))
    totals = pl.col("payment_id").is_in(TOTAL_LABELS) & (pl.col("date") == "") & (pl.col("project_code") == "")
    out = out.filter(non_empty & ~totals).collect()
    if out.height == 0:
        raise FileError("文件中没有支付记录（只有表头或全是空行）。")
    return out


# --- checking ----------------------------------------------------------------------------------------------


_FULL_WIDTH = {chr(0xFF10 + i): str(i) for i in range(10)} | {
    "．": ".",
    "，": ",",
    "－": "-",
    "−": "-",
    "＋": "+",
    "／": "/",
    "（": "(",
    "）": ")",
    "［": "[",
    "］": "]",
    "：": ":",
    "\u3000": " ",
}


def _half_width(s: pl.Series) -> pl.Series:
    """Full-width digits and punctuation as ASCII (cheaper than NFKC on a million rows)."""
    return s.str.replace_many(list(_FULL_WIDTH), list(_FULL_WIDTH.values()))


def _patch(fast: pl.Series, need: pl.Series, slow: pl.Series) -> pl.Series:
    """`fast` with the rows where `need` holds replaced by `slow` (computed on just those rows, in order)."""
    return fast.scatter(need.arg_true(), slow) if len(slow) else fast


def _amounts(s: pl.Series) -> tuple[pl.Series, pl.Series]:
    """The amount text → (分 as Int64, error message or null). Exact: decimal text, never a float.

    Plain "1234.56" goes the fast way (a Decimal cast); anything else ("¥1,234.50", full-width digits, "-5",
    "(1,234.00)", garbage) is parsed on its own, digit by digit."""
    plain = s.str.contains(rf"^\d{{1,{AMOUNT_MAX_DIGITS}}}(\.\d{{1,2}})?$")
    fen = (
        pl.select(
            pl.when(plain).then((s.cast(pl.Decimal(AMOUNT_MAX_DIGITS + 2, 2), strict=False) * 100).cast(pl.Int64))
        )
        .to_series()
        .rename("fen")
    )
    msg = (
        pl.select(
            pl.when(s == "").then(pl.lit("必填")).when(plain & (fen == 0)).then(pl.lit("金额必须大于0")),
        )
        .to_series()
        .cast(pl.Utf8)
    )
    need = ~plain & (s != "")
    if not need.any():
        return fen, msg
    t = (
        _half_width(s.filter(need))
        .str.replace_all(r"[\s,¥￥$元]|RMB|CNY|rmb", "")
        .str.replace(r"^\((.*)\)$", "-$1")  # accounting negative: (1,234.00)
    )
    body = t.str.replace(r"^[+-]", "")
    int_part = body.str.extract(r"^(\d*)", 1).fill_null("").str.strip_chars_start("0")
    frac = body.str.extract(r"\.(\d*)$", 1).fill_null("").str.strip_chars_end("0")
    slow = pl.DataFrame({"t": t, "int": int_part, "frac": frac, "nonzero": body.str.contains(r"[1-9]")}).select(
        valid=pl.col("t").str.contains(r"^[+-]?(\d+\.?\d*|\.\d+)$"),
        neg=pl.col("t").str.starts_with("-") & pl.col("nonzero"),
        decimals=pl.col("frac").str.len_chars() > 2,
        big=pl.col("int").str.len_chars() > AMOUNT_MAX_DIGITS,
        value=pl.when(pl.col("int") == "")
        .then(pl.lit(0, pl.Int64))
        .otherwise(pl.col("int").str.slice(0, AMOUNT_MAX_DIGITS + 1).cast(pl.Int64, strict=False))
        * 100
        + pl.col("frac").str.pad_end(2, "0").str.slice(0, 2).cast(pl.Int64, strict=False),
    )
    slow = slow.select(
        fen=pl.when(pl.col("valid") & ~pl.col("decimals") & ~pl.col("big") & ~pl.col("neg")).then(pl.col("value")),
        msg=pl.when(~pl.col("valid"))
        .then(pl.lit("金额“{value}”不是有效数字"))
        .when(pl.col("decimals"))
        .then(pl.lit("金额最多保留两位小数"))
        .when(pl.col("neg"))
        .then(pl.lit("金额不能为负数"))
        .when(pl.col("big"))
        .then(pl.lit("金额“{value}”过大，请核对（单位为元）"))
        .when(pl.col("value") == 0)
        .then(pl.lit("金额必须大于0")),
    )
    return _patch(fen, need, slow["fen"]), _patch(msg, need, slow["msg"])


def _dates(s: pl.Series) -> pl.Series:
    """The date text → Date (null when it is not a real date): 2026-03-05 fast; 2026/3/5, 2026.03.05, 20260305,
    yyyyMMddHHmmssSSS, 2026年3月5日, full-width digits and a trailing time on their own."""
    fast = s.str.to_date("%Y-%m-%d", strict=False)
    need = fast.is_null() & (s != "")
    if not need.any():
        return fast
    t = _half_width(s.filter(need)).str.replace(r"^(\d{4})(\d{2})(\d{2})(?:\d{6}(?:\d{3})?)?$", "$1-$2-$3")
    g = t.str.extract_groups(
        r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?"
        r"(?:(?:\s+|T)\d{1,2}:\d{1,2}(?::\d{1,2}(?:\.\d+)?)?)?$"
    ).struct.unnest()
    slow = g.select(
        pl.concat_str(
            pl.col("1"), pl.lit("-"), pl.col("2").str.zfill(2), pl.lit("-"), pl.col("3").str.zfill(2)
        ).str.to_date("%Y-%m-%d", strict=False)
    ).to_series()
    return _patch(fast, need, slow)


def _economic(s: pl.Series) -> tuple[pl.Series, pl.Series]:
    """The code and whether it is wrong: "30201" as it is; the code at the head of "30201 办公费" / "[30201]办公费" /
    "30201-办公费"; "" when not given."""
    need = ~s.str.contains(r"^(\d{3}|\d{5})?$")
    if not need.any():
        return s, need
    slow = _half_width(s.filter(need)).str.replace(r"^\[?(\d{3}|\d{5})\]?\s*[-—_:.、]?\s*([^\d\s.].*)?$", "$1")
    code = _patch(s.clone(), need, slow)
    return code, need & ~code.str.contains(r"^(\d{3}|\d{5})$")


def _fmt_yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100:,}.{fen % 100:02d}"


_EXISTING_SCHEMA = {"payment_id": pl.Utf8, "project_id": pl.Int64, "date": pl.Date, "amount": pl.Int64}


def _typed_existing(existing: pl.DataFrame | None) -> pl.LazyFrame | None:
    if existing is None or existing.height == 0:
        return None
    missing = set(_EXISTING_SCHEMA) - set(existing.columns)
    if missing:
        raise ValueError(f"existing lacks the columns {sorted(missing)}")
    return (
        existing.lazy()
        .select(pl.col(k).cast(v).alias(k if k == "payment_id" else f"_e_{k}") for k, v in _EXISTING_SCHEMA.items())
        .unique("payment_id", keep="first")
    )


def _typed_projects(projects: pl.DataFrame) -> pl.LazyFrame:
    schema = {"code": pl.Utf8, "project_id": pl.Int64, "unit_code": pl.Utf8}
    if projects.height == 0 and not set(schema) <= set(projects.columns):
        projects = pl.DataFrame(schema=schema)
    return (
        projects.lazy()
        .select(
            pl.col("code").cast(pl.Utf8).alias("project_code"),
            pl.col("project_id").cast(pl.Int64).alias("_project_id"),
            pl.col("unit_code").cast(pl.Utf8).fill_null("").alias("_p_unit"),
        )
        .unique("project_code", keep="first")
    )


def validate(
    frame: pl.DataFrame,
    projects: pl.DataFrame,
    existing: pl.DataFrame | None = None,
    *,
    year: int | None = None,
    max_errors: int = 1000,
) -> Checked:
    """Check every row of `read`'s frame against the projects the importer may write to and the payments already
    stored with the same ids; nothing is written.

    Vectorised: every rule is a boolean column over all rows; the messages are made for the bad rows only."""
    total = frame.height
    base = frame.select(
        *(
            (pl.col(c).cast(pl.Utf8).fill_null("") if c in frame.columns else pl.lit("", pl.Utf8)).alias(c)
            for c in COLUMNS
        ),
        (pl.col("row").cast(pl.Int64) if "row" in frame.columns else pl.int_range(2, total + 2, dtype=pl.Int64)).alias(
            "row"
        ),
    )
    fen, amount_msg = _amounts(base["amount"])
    econ, econ_bad = _economic(base["economic_code"])
    base = base.with_columns(_fen=fen, _amount_msg=amount_msg, _date=_dates(base["date"]), _econ=econ, _f_econ=econ_bad)

    pid, date = pl.col("payment_id"), pl.col("_date")
    lf = base.lazy().join(_typed_projects(projects), on="project_code", how="left")  # order restored below
    ex = _typed_existing(existing)
    if ex is None:
        lf = lf.with_columns(
            pl.lit(None, pl.Int64).alias("_e_project_id"),
            pl.lit(None, pl.Date).alias("_e_date"),
            pl.lit(None, pl.Int64).alias("_e_amount"),
        )
    else:
        lf = lf.join(ex, on="payment_id", how="left")
    flags = {  # one boolean column per rule; a row is clean when none holds
        "_f_pid_empty": pid == "",
        "_f_pid_long": pid.str.len_chars() > PAYMENT_ID_MAX,
        "_f_pid_dup": pl.col("_first") != pl.col("row"),
        "_f_date_empty": pl.col("date") == "",
        "_f_date_bad": date.is_null(),
        "_f_date_year": (date.dt.year() != year) if year is not None else pl.lit(False),
        "_f_proj_empty": pl.col("project_code") == "",
        "_f_proj_unknown": pl.col("_project_id").is_null(),
        "_f_unit": (pl.col("unit_code") != "") & (pl.col("unit_code") != pl.col("_p_unit")),
        "_f_amount": pl.col("_amount_msg").is_not_null(),
        "_f_fund": pl.col("fund_source").str.len_chars() > FUND_SOURCE_MAX,
    }
    lf = lf.with_columns(_first=pl.when(pid != "").then(pl.col("row").min().over("payment_id"))).with_columns(
        **{k: v.fill_null(False) for k, v in flags.items()}
    )
    clean = ~pl.any_horizontal(*(pl.col(k) for k in [*flags, "_f_econ"]))
    same = (
        (pl.col("_e_project_id") == pl.col("_project_id"))
        & (pl.col("_e_date") == date)
        & (pl.col("_e_amount") == pl.col("_fen"))
    ).fill_null(False)
    known = pl.col("_e_project_id").is_not_null()
    checked = (
        lf.with_columns(_clean=clean)
        .with_columns(_skip=pl.col("_clean") & known & same, _conflict=pl.col("_clean") & known & ~same)
        .collect()
    )
    rows = (
        checked.filter(pl.col("_clean") & ~pl.col("_skip") & ~pl.col("_conflict"))
        .select(
            "payment_id",
            date.alias("date"),
            pl.col("_project_id").alias("project_id"),
            pl.when(pl.col("unit_code") == "")
            .then(pl.col("_p_unit"))
            .otherwise(pl.col("unit_code"))
            .alias("unit_code"),
            pl.col("_fen").alias("amount"),
            pl.col("_econ").alias("economic_code"),
            "fund_source",
            "row",
        )
        .sort("row")
    )
    skipped = int(checked["_skip"].sum())
    bad = checked.filter(~pl.col("_clean") | pl.col("_conflict"))
    return Checked(rows=rows, skipped=skipped, errors=_errors(bad, projects, year, max_errors), total=total)


def _messages(year: int | None) -> dict[str, pl.Expr]:
    """Each column's message for a bad row, the first rule that fails: templates with {value} (the cell), {first}
    (the first row of a duplicate), {unit} (the project's unit code); CONFLICT is worded in Python."""
    none = pl.lit(None, pl.Utf8)

    def chain(*pairs: tuple[str, str]) -> pl.Expr:
        expr = pl.when(pl.col(pairs[0][0])).then(pl.lit(pairs[0][1]))
        for flag, message in pairs[1:]:
            expr = expr.when(pl.col(flag)).then(pl.lit(message))
        return expr.otherwise(none)

    return {
        "payment_id": chain(
            ("_f_pid_empty", "必填"),
            ("_f_pid_long", f"支付凭证号不能超过{PAYMENT_ID_MAX}个字符"),
            ("_f_pid_dup", "支付凭证号与第{first}行重复"),
            ("_conflict", CONFLICT),
        ),
        "date": chain(
            ("_f_date_empty", "必填"),
            ("_f_date_bad", "日期“{value}”无法识别，应为YYYY-MM-DD"),
            ("_f_date_year", f"支付日期不在{year}年度内"),
        ),
        "project_code": chain(("_f_proj_empty", "必填"), ("_f_proj_unknown", "项目代码“{value}”不存在或无权导入")),
        "unit_code": pl.when(pl.col("_f_unit") & ~pl.col("_f_proj_unknown"))
        .then(pl.lit("单位代码与项目所属单位（{unit}）不一致"))
        .otherwise(none),
        "amount": pl.col("_amount_msg"),
        "economic_code": chain(("_f_econ", "经济分类代码应为3位或5位数字")),
        "fund_source": chain(("_f_fund", f"资金来源不能超过{FUND_SOURCE_MAX}个字")),
    }


_SCIENTIFIC = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")


def _errors(bad: pl.DataFrame, projects: pl.DataFrame, year: int | None, max_errors: int) -> list[RowError]:
    """The bad rows' errors as RowErrors sorted by row and column, the messages' placeholders filled in."""
    if bad.height == 0:
        return []
    extra = ("_first", "_p_unit", "_e_date", "_e_amount", "_e_project_id", "_project_id")
    messages = _messages(year)
    pieces = [
        bad.select(
            "row",
            pl.lit(i, pl.Int32).alias("_ci"),
            pl.lit(LABELS[c]).alias("column"),
            pl.col(c).alias("value"),
            messages[c].alias("message"),
            *extra,
        ).filter(pl.col("message").is_not_null())
        for i, c in enumerate(COLUMNS)
    ]
    long = pl.concat(pieces).sort("row", "_ci")
    count = long.height
    listed = long.head(max(max_errors, 0))
    codes: dict[int, str] | None = None
    out = []
    for r in listed.iter_rows(named=True):
        message, value = r["message"], r["value"]
        if message == CONFLICT:
            parts = [f"日期{r['_e_date'].isoformat()}", f"金额{_fmt_yuan(r['_e_amount'])}元"]
            if r["_e_project_id"] != r["_project_id"]:
                if codes is None:
                    codes = dict(zip(projects["project_id"].to_list(), projects["code"].to_list(), strict=True))
                parts.append(f"项目{codes[r['_e_project_id']]}" if r["_e_project_id"] in codes else "属于其他项目")
            message = f"支付凭证号已导入，但内容不一致（已导入：{'，'.join(parts)}）"
        elif r["column"] == LABELS["project_code"] and value and _SCIENTIFIC.match(value):
            message = f"项目代码“{value}”被Excel显示成了科学计数法，请把该列设为文本格式、填入完整的21位代码"
        elif "{" in message:
            message = message.format(value=value, first=r["_first"], unit=r["_p_unit"])
        out.append(RowError(row=r["row"], column=r["column"], value=value, message=message))
    if count > len(listed):
        out.append(
            RowError(0, "", "", f"另有{count - len(listed)}处错误未列出（共{count}处），请先修正以上错误后重新导入。")
        )
    return out


# --- error report ------------------------------------------------------------------------------------------


def error_report_xlsx(errors: list[RowError], filename: str) -> bytes:
    """The errors as a workbook the user can work through: a title line, then 行号 | 列 | 内容 | 错误说明."""
    from wenxiao.core import xlsx

    buf = io.BytesIO()
    wb = xlsx.workbook(buf, {"in_memory": True, "strings_to_numbers": False})
    ws = wb.add_worksheet("错误清单")
    base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter"}
    title = wb.add_format({**base, "bold": True, "font_size": 14})
    head = wb.add_format({**base, "bold": True, "border": 1, "bg_color": "#DDEBF7", "align": "center"})
    cell = wb.add_format({**base, "border": 1, "text_wrap": True, "num_format": "@"})
    number = wb.add_format({**base, "border": 1, "align": "center"})
    listed = sum(1 for e in errors if e.row)
    ws.merge_range(0, 0, 0, 3, f"{filename or '导入文件'} 导入错误清单（{listed}处）", title)
    ws.set_row(0, 24)
    for col, (name, width) in enumerate((("行号", 8), ("列", 14), ("内容", 30), ("错误说明", 60))):
        ws.write_string(1, col, name, head)
        ws.set_column(col, col, width)
    for i, e in enumerate(errors, start=2):
        if e.row:
            ws.write_number(i, 0, e.row, number)
        else:
            ws.write_blank(i, 0, None, number)
        ws.write_string(i, 1, e.column, cell)
        ws.write_string(i, 2, e.value, cell)
        ws.write_string(i, 3, e.message, cell)
    ws.freeze_panes(2, 0)
    if errors:
        ws.autofilter(1, 0, len(errors) + 1, 3)
    wb.close()
    return buf.getvalue()


# --- synthetic data ----------------------------------------------------------------------------------------

ECONOMIC_CODES = (  # (code, weight): 部门预算支出经济分类 款 codes seen on treasury payments
    ("30201", 14),
    ("30202", 3),
    ("30205", 2),
    ("30206", 3),
    ("30207", 3),
    ("30209", 4),
    ("30211", 10),
    ("30213", 5),
    ("30214", 3),
    ("30215", 3),
    ("30216", 4),
    ("30226", 8),
    ("30227", 9),
    ("30228", 2),
    ("30229", 2),
    ("30231", 2),
    ("30239", 3),
    ("30299", 6),
    ("30305", 2),
    ("31002", 5),
    ("31003", 4),
    ("31005", 3),
    ("31006", 2),
    ("31007", 3),
    ("30905", 2),
    ("39999", 1),
)
FUND_SOURCES = (
    ("一般公共预算", 70),
    ("政府性基金预算", 14),
    ("国有资本经营预算", 3),
    ("财政专户管理资金", 5),
    ("单位资金", 8),
)


def generate_csv(rows: int, projects: list[tuple[str, str]], year: int, seed: int = 1) -> bytes:
    """A deterministic synthetic 一体化 payments export (UTF-8, Chinese header) for benchmarks and the demo."""
    header = "支付凭证号,支付日期,项目代码,单位代码,支付金额,经济分类代码,资金来源"
    if rows <= 0:
        return (header + "\n").encode("utf-8")
    if not projects:
        raise ValueError("generate_csv needs at least one (project_code, unit_code) pair")
    rng = random.Random(seed)
    start = datetime.date(year, 1, 1)
    n_days = (datetime.date(year + 1, 1, 1) - start).days
    weights = []
    for i in range(n_days):
        day = start + datetime.timedelta(days=i)
        w = 0.12 if day.weekday() >= 5 else 1.0  # the treasury mostly pays on working days
        if day.month == 12:
            w *= 4.0 if day.day >= 15 else 2.5  # the year-end peak
        elif day.month in (3, 6, 9) and day.day >= 20:
            w *= 1.5  # quarter ends
        elif day.month == 1 and day.day < 10:
            w *= 0.3
        weights.append(w)
    days = sorted(rng.choices(range(n_days), weights=weights, k=rows))
    dates = [(start + datetime.timedelta(days=i)).isoformat() for i in range(n_days)]
    activity = [0.2 + rng.random() ** 2 * 3 for _ in projects]  # some projects pay much more often
    picks = rng.choices(range(len(projects)), weights=activity, k=rows)
    econ = rng.choices([c for c, _ in ECONOMIC_CODES], weights=[w for _, w in ECONOMIC_CODES], k=rows)
    funds = rng.choices([f for f, _ in FUND_SOURCES], weights=[w for _, w in FUND_SOURCES], k=rows)
    lines = [header]
    lognorm, rand = rng.lognormvariate, rng.random
    for i in range(rows):
        fen = int(lognorm(9.6, 1.5) * 100)  # median about 1.5万元, a long tail of large payments
        fen = min(max(fen, 100), 5_000_000_000)
        if rand() < 0.35:
            fen -= fen % 10000  # round hundreds of yuan: fees, grants, instalments
            fen = max(fen, 10000)
        code, unit = projects[picks[i]]
        lines.append(
            f"ZF{year}{i + 1:010d},{dates[days[i]]},{code},{unit},{fen // 100}.{fen % 100:02d},{econ[i]},{funds[i]}"
        )
    return ("\n".join(lines) + "\n").encode("utf-8")

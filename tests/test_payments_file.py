"""The payments file layer (no database): reading CSV/XLSX/JSON exports of 国库集中支付 records in their various
spellings and encodings, and checking every row — exact row/column/message for each rule, duplicates, re-imports,
the error report, and the synthetic generator round trip."""

import csv
import datetime
import hashlib
import io
import json
import random

import polars as pl
import pytest
import python_calamine
import xlsxwriter

from wenxiao.projects import payments_file as pf
from wenxiao.projects.payments_file import FileError, RowError

P1, P2, P3 = "330102202610100100001", "330102202610100100002", "330102202510200200001"
U1, U2 = "330102101001", "330102102002"
PROJECTS = pl.DataFrame(
    {"code": [P1, P2, P3], "project_id": [11, 12, 13], "unit_code": [U1, U1, U2]},
    schema={"code": pl.Utf8, "project_id": pl.Int64, "unit_code": pl.Utf8},
)
NO_EXISTING = pl.DataFrame(schema={"payment_id": pl.Utf8, "project_id": pl.Int64, "date": pl.Date, "amount": pl.Int64})
HEADER = ["支付凭证号", "支付日期", "项目代码", "单位代码", "支付金额", "经济分类代码", "资金来源"]
GOOD = {
    "payment_id": "ZF202600000001",
    "date": "2026-03-05",
    "project_code": P1,
    "unit_code": U1,
    "amount": "1234.50",
    "economic_code": "30201",
    "fund_source": "一般公共预算",
}


def csv_bytes(rows: list[dict], header=HEADER, encoding="utf-8", sep=",", before: str = "") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([r.get(c, "") for c in pf.COLUMNS] for r in rows)
    return (before + out.getvalue()).encode(encoding)


def row(**changes) -> dict:
    return {**GOOD, **changes}


def check(rows: list[dict], existing=NO_EXISTING, year=2026, **kw) -> pf.Checked:
    return pf.validate(pf.read(csv_bytes(rows), "p.csv"), PROJECTS, existing, year=year, **kw)


def xlsx_bytes(build) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    build(wb)
    wb.close()
    return buf.getvalue()


# --- the interface -----------------------------------------------------------------------------------------


def test_every_column_has_a_label_and_headers_are_unambiguous():
    assert set(pf.HEADERS) == set(pf.COLUMNS) == set(pf.LABELS)
    seen = {}
    for col, names in pf.HEADERS.items():
        assert col in names  # the canonical name is always accepted
        for name in names:
            key = pf._norm_header(name)
            assert seen.setdefault(key, col) == col, name


def test_fingerprint_is_sha256_of_the_bytes():
    assert pf.fingerprint(b"abc") == hashlib.sha256(b"abc").hexdigest()


# --- reading -----------------------------------------------------------------------------------------------


def test_read_returns_all_columns_as_stripped_text_with_row_numbers():
    data = csv_bytes([row(), row(payment_id="  ZF2  ", amount=" 88 ")])
    frame = pf.read(data, "p.csv")
    assert frame.columns == [*pf.COLUMNS, "row"]
    assert frame.schema["row"] == pl.Int64
    assert all(frame.schema[c] == pl.Utf8 for c in pf.COLUMNS)
    assert frame["row"].to_list() == [2, 3]
    assert frame["payment_id"].to_list() == ["ZF202600000001", "ZF2"]
    assert frame["amount"].to_list() == ["1234.50", "88"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_encodings(encoding):
    data = csv_bytes([row(fund_source="政府性基金预算")], encoding=encoding)
    frame = pf.read(data, "支付.csv")
    assert frame["fund_source"].to_list() == ["政府性基金预算"]
    assert frame["payment_id"].to_list() == ["ZF202600000001"]


@pytest.mark.parametrize(
    ("col", "spelling"),
    [(col, name) for col, names in pf.HEADERS.items() for name in names]
    + [
        ("amount", "金额(元)"),
        ("amount", "支付金额 （元）"),
        ("amount", "PAY_AMT"),
        ("project_code", " Pro_Code "),
        ("project_code", "*项目代码"),
        ("payment_id", "支付凭证号\u3000"),
        ("economic_code", "EXP_ECO_CODE"),
    ],
)
def test_header_spellings(col, spelling):
    header = list(HEADER)
    header[pf.COLUMNS.index(col)] = spelling
    frame = pf.read(csv_bytes([row()], header=header), "p.csv")
    assert frame[col].to_list() == [GOOD[col]]


def test_the_better_spelling_wins_when_a_file_has_two():
    data = "凭证号,支付凭证号,日期,项目代码,金额\nA1,ZF9,2026-01-05,P,10\n".encode()
    frame = pf.read(data, "p.csv")
    assert frame["payment_id"].to_list() == ["ZF9"]


def test_optional_columns_filled_and_extra_columns_ignored():
    data = f"序号,支付凭证号,支付日期,项目代码,支付金额,摘要\n1,ZF1,2026-01-05,{P1},10,办公用品\n".encode()
    frame = pf.read(data, "p.csv")
    assert frame.row(0, named=True) == {
        "payment_id": "ZF1",
        "date": "2026-01-05",
        "project_code": P1,
        "unit_code": "",
        "amount": "10",
        "economic_code": "",
        "fund_source": "",
        "row": 2,
    }


@pytest.mark.parametrize(("sep", "filename"), [("\t", "p.txt"), (";", "p.csv"), ("\t", "export.xls"), ("|", "p")])
def test_csv_separators(sep, filename):
    frame = pf.read(csv_bytes([row()], sep=sep), filename)
    assert frame["project_code"].to_list() == [P1]


def test_title_lines_above_the_header_keep_row_numbers_true():
    data = csv_bytes([row(), row(payment_id="ZF2")], before="国库集中支付明细表\n导出时间：2026-04-01\n")
    frame = pf.read(data, "p.csv")
    assert frame["row"].to_list() == [4, 5]  # header on line 3


def test_blank_lines_quoted_newlines_totals_and_text_guards():
    data = (
        "支付凭证号,支付日期,项目代码,支付金额,资金来源\n"
        f"ZF1,2026-01-05,{P1},10,一般公共预算\n"
        "\n"
        ",,,,\n"
        f'ZF2,2026-01-06,="{P1}",20,"一般公共\n预算"\n'
        f"ZF3,2026-01-07,{P1},30,\n"
        "合计,,,60,\n"
    ).encode()
    frame = pf.read(data, "p.csv")
    assert frame["payment_id"].to_list() == ["ZF1", "ZF2", "ZF3"]
    assert frame["row"].to_list() == [2, 5, 6]  # record numbers as Excel shows the file
    assert frame["project_code"].to_list() == [P1] * 3
    assert frame["fund_source"][1] == "一般公共\n预算"


def test_stray_quotes_fall_back_to_the_lenient_reader():
    data = (
        "支付凭证号,支付日期,项目代码,支付金额,资金来源\n"
        f'ZF"1,2026-01-05,{P1},10,单位"自有"资金\n'
        "\n"
        f'ZF2,2026-01-06,{P1},"1,000"\n'
    )
    frame = pf.read(data.encode(), "p.csv")
    assert frame["payment_id"].to_list() == ['ZF"1', "ZF2"]
    assert frame["fund_source"].to_list() == ['单位"自有"资金', ""]
    assert frame["amount"].to_list() == ["10", "1,000"]
    assert frame["row"].to_list() == [2, 4]


def test_ragged_rows():
    data = f"支付凭证号,支付日期,项目代码,支付金额,资金来源\nZF1,2026-01-05,{P1},10\nZF2,2026-01-06,{P1},20,a,extra\n"
    frame = pf.read(data.encode(), "p.csv")
    assert frame["fund_source"].to_list() == ["", "a"]


def test_xlsx_with_date_cells_and_numeric_codes():
    def build(wb):
        help_ws = wb.add_worksheet("数据")
        date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
        help_ws.merge_range(0, 0, 0, 6, "国库集中支付明细")
        for c, h in enumerate(HEADER):
            help_ws.write_string(1, c, h)
        help_ws.write_number(2, 0, 20260001)  # a payment id stored as a number
        help_ws.write_datetime(2, 1, datetime.datetime(2026, 3, 15), date_fmt)
        help_ws.write_string(2, 2, P1)
        help_ws.write_number(2, 3, 330102101001)
        help_ws.write_number(2, 4, 1234.5)
        help_ws.write_number(2, 5, 30201)
        help_ws.write_string(2, 6, " 一般公共预算 ")
        # row 4 left empty on purpose
        help_ws.write_string(4, 0, "ZF-2")
        help_ws.write_string(4, 1, "2026/12/31")
        help_ws.write_string(4, 2, P2)
        help_ws.write_formula(4, 4, "=1000*1.1", None, 1100.0000000000002)
        help_ws.write_number(4, 5, 302)
        wb.add_worksheet("说明").write_string(0, 0, "第二张表不读")

    frame = pf.read(xlsx_bytes(build), "支付.xlsx")
    assert frame.rows() == [
        ("20260001", "2026-03-15", P1, U1, "1234.5", "30201", "一般公共预算", 3),
        ("ZF-2", "2026/12/31", P2, "", "1100", "302", "", 5),
    ]
    checked = pf.validate(frame, PROJECTS, NO_EXISTING, year=2026)
    assert checked.errors == []
    assert checked.rows["amount"].to_list() == [123450, 110000]


def test_xlsx_skips_a_leading_help_sheet():
    def build(wb):
        wb.add_worksheet("填表说明").write_string(0, 0, "请在第二张表填写")
        ws = wb.add_worksheet("支付")
        for c, h in enumerate(["pay_cert_no", "pay_date", "pro_code", "pay_amt"]):
            ws.write_string(0, c, h)
        for c, v in enumerate(["ZF1", "2026-02-01", P1, "5"]):
            ws.write_string(1, c, v)

    frame = pf.read(xlsx_bytes(build), "支付.xlsx")
    assert frame["payment_id"].to_list() == ["ZF1"]
    assert frame["row"].to_list() == [2]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("abc", "abc"),
        (30201.0, "30201"),
        (1234.5, "1234.5"),
        (0.1 + 0.2, "0.3"),
        (1100.0000000000002, "1100"),
        (12, "12"),
        (datetime.date(2026, 3, 5), "2026-03-05"),
        (datetime.datetime(2026, 3, 5), "2026-03-05"),
        (datetime.datetime(2026, 3, 5, 10, 20, 30), "2026-03-05 10:20:30"),
        (True, "TRUE"),
    ],
)
def test_excel_text(value, text):
    assert pf.excel_text(value) == text


@pytest.mark.parametrize(
    "payload",
    [
        lambda recs: recs,
        lambda recs: {"data": recs},
        lambda recs: {"rows": recs, "total": len(recs)},
        lambda recs: {"code": 0, "data": {"list": recs}},
    ],
)
def test_json_shapes(payload):
    recs = [
        {
            "pay_cert_no": "ZF1",
            "pay_date": "20260305",
            "pro_code": P1,
            "agency_code": U1,
            "pay_amt": 1234.56,
            "exp_eco_code": 30201,
            "fund_type_code": None,
        },
        {"pay_cert_no": "ZF2", "pay_date": "2026-03-06", "pro_code": P2, "pay_amt": "9.90"},
    ]
    frame = pf.read(json.dumps(payload(recs), ensure_ascii=False).encode(), "pay.json")
    assert frame.rows() == [
        ("ZF1", "20260305", P1, U1, "1234.56", "30201", "", 1),
        ("ZF2", "2026-03-06", P2, "", "9.90", "", "", 2),
    ]


def test_json_numbers_keep_their_exact_text():
    data = b'[{"payment_id": 12345678901234567890, "date": "2026-01-02", "project_code": "P", "amount": 0.07}]'
    frame = pf.read(data, "x.json")
    assert frame["payment_id"].to_list() == ["12345678901234567890"]
    assert frame["amount"].to_list() == ["0.07"]


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (csv_bytes([row()]), "export"),  # no extension: sniffed as text
        (json.dumps([GOOD]).encode(), "export"),  # sniffed as JSON
        (json.dumps({"data": [GOOD]}).encode(), "export.dat"),
    ],
)
def test_format_sniffing(data, filename):
    assert pf.read(data, filename)["payment_id"].to_list() == [GOOD["payment_id"]]


def test_a_workbook_named_csv_is_read_as_a_workbook():
    def build(wb):
        ws = wb.add_worksheet()
        for c, h in enumerate(HEADER):
            ws.write_string(0, c, h)
        for c, col in enumerate(pf.COLUMNS):
            ws.write_string(1, c, GOOD[col])

    assert pf.read(xlsx_bytes(build), "wrongly-named.csv")["project_code"].to_list() == [P1]


@pytest.mark.parametrize(
    ("data", "filename", "words"),
    [
        (b"", "p.csv", "文件是空的"),
        (b"\xef\xbb\xbf \r\n", "p.csv", "文件是空的"),
        (",".join(HEADER).encode() + b"\n", "p.csv", "没有支付记录"),
        ("支付凭证号,项目代码,金额\nZF1,P,1\n".encode(), "p.csv", "缺少必需的列：支付日期（可写作：支付日期、日期"),
        ("支付凭证号,项目代码\nZF1,P\n".encode(), "p.csv", "支付日期（可写作"),
        ("名称,说明\na,b\n".encode(), "p.csv", "找不到表头"),
        ("支付凭证号,支付日期,项目代码,金额（万元）\nZF1,2026-01-01,P,1\n".encode(), "p.csv", "以万元为单位"),
        (b"PK\x03\x04 not really a zip", "p.xlsx", "无法读取该Excel文件"),
        (b"\xd0\xcf\x11\xe0 broken", "p.xls", "无法读取该Excel文件"),
        (b"<html><table><tr><td>1</td></tr></table></html>", "p.xls", "不是真正的Excel文件"),
        (b"<?xml version='1.0'?><a/>", "p", "无法识别的文件格式"),
        (b'[{"payment_id": 1,', "p.json", "JSON文件格式有误"),
        (b'{"message": "ok"}', "p.json", "JSON文件应为支付记录的列表"),
        (b"[1, 2]", "p.json", "第1条记录不是对象"),
        (b"[]", "p.json", "没有支付记录"),
        (b"a,b\n\xff\xff\n", "p.csv", "文件编码无法识别"),
    ],
)
def test_file_errors(data, filename, words):
    with pytest.raises(FileError) as e:
        pf.read(data, filename)
    assert words in e.value.message
    assert isinstance(e.value, ValueError)


def test_file_error_names_every_missing_column():
    with pytest.raises(FileError) as e:
        pf.read("支付凭证号,备注\nZF1,x\n".encode(), "p.csv")
    for label in ("支付日期", "项目代码", "支付金额"):
        assert label in e.value.message
    assert "支付凭证号（" not in e.value.message


def test_empty_workbook():
    with pytest.raises(FileError, match="文件是空的"):
        pf.read(xlsx_bytes(lambda wb: wb.add_worksheet()), "p.xlsx")


# --- validation: each rule with its exact row, column and message ------------------------------------------


@pytest.mark.parametrize(
    ("changes", "column", "message"),
    [
        ({"payment_id": ""}, "支付凭证号", "必填"),
        ({"payment_id": "Z" * 41}, "支付凭证号", "支付凭证号不能超过40个字符"),
        ({"date": ""}, "支付日期", "必填"),
        ({"date": "2026-13-01"}, "支付日期", "日期“2026-13-01”无法识别，应为YYYY-MM-DD"),
        ({"date": "2026-02-30"}, "支付日期", "日期“2026-02-30”无法识别，应为YYYY-MM-DD"),
        ({"date": "15/03/2026"}, "支付日期", "日期“15/03/2026”无法识别，应为YYYY-MM-DD"),
        ({"date": "2026年13月1日"}, "支付日期", "日期“2026年13月1日”无法识别，应为YYYY-MM-DD"),
        ({"date": "46096"}, "支付日期", "日期“46096”无法识别，应为YYYY-MM-DD"),
        ({"date": "2025-12-31"}, "支付日期", "支付日期不在2026年度内"),
        ({"date": "20270101"}, "支付日期", "支付日期不在2026年度内"),
        ({"project_code": ""}, "项目代码", "必填"),
        ({"project_code": "330102202610100199999"}, "项目代码", "项目代码“330102202610100199999”不存在或无权导入"),
        ({"project_code": "3.30102E+20"}, "项目代码", "项目代码“3.30102E+20”被Excel显示成了科学计数法"),
        ({"unit_code": U2}, "单位代码", f"单位代码与项目所属单位（{U1}）不一致"),
        ({"amount": ""}, "支付金额", "必填"),
        ({"amount": "-5"}, "支付金额", "金额不能为负数"),
        ({"amount": "-1,234.50"}, "支付金额", "金额不能为负数"),
        ({"amount": "(100.00)"}, "支付金额", "金额不能为负数"),
        ({"amount": "0"}, "支付金额", "金额必须大于0"),
        ({"amount": "0.00"}, "支付金额", "金额必须大于0"),
        ({"amount": "-0"}, "支付金额", "金额必须大于0"),
        ({"amount": "abc"}, "支付金额", "金额“abc”不是有效数字"),
        ({"amount": "12.3.4"}, "支付金额", "金额“12.3.4”不是有效数字"),
        ({"amount": "1e5"}, "支付金额", "金额“1e5”不是有效数字"),
        ({"amount": "1.234"}, "支付金额", "金额最多保留两位小数"),
        ({"amount": "99999999999999"}, "支付金额", "金额“99999999999999”过大，请核对（单位为元）"),
        ({"economic_code": "3020"}, "经济分类代码", "经济分类代码应为3位或5位数字"),
        ({"economic_code": "302011"}, "经济分类代码", "经济分类代码应为3位或5位数字"),
        ({"economic_code": "办公费"}, "经济分类代码", "经济分类代码应为3位或5位数字"),
        ({"fund_source": "资" * 61}, "资金来源", "资金来源不能超过60个字"),
    ],
)
def test_each_rule(changes, column, message):
    checked = check([row(payment_id="ZF-OK"), row(**changes)])
    bad = row(**changes)
    assert len(checked.errors) == 1, checked.errors
    e = checked.errors[0]
    assert (e.row, e.column) == (3, column)
    assert e.message.startswith(message)
    assert e.value == bad[pf.COLUMNS[[pf.LABELS[c] for c in pf.COLUMNS].index(column)]]
    assert checked.rows["row"].to_list() == [2]
    assert checked.total == 2 and checked.skipped == 0


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("1234.56", 123456),
        ("1234.5", 123450),
        ("1234", 123400),
        ("0.01", 1),
        ("1,234.50", 123450),
        ("1，234.50", 123450),
        ("¥1,234.50", 123450),
        ("￥88.8", 8880),
        ("１２３４．５６", 123456),
        ("1234.500", 123450),
        ("+12", 1200),
        ("12元", 1200),
        ("1 234.00", 123400),
        (".5", 50),
        ("100.", 10000),
        ("0012.30", 1230),
        ("9999999999999.99", 999999999999999),
        ("12345678.91", 1234567891),
    ],
)
def test_amount_parsing_is_exact(text, fen):
    checked = check([row(amount=text)])
    assert checked.errors == []
    assert checked.rows["amount"].to_list() == [fen]


def test_amounts_never_pass_through_floats():
    rng = random.Random(7)
    fens = [rng.randint(1, 10**15 - 1) for _ in range(2000)] + [1, 10, 99, 100, 999999999999999]
    texts = [f"{f // 100}.{f % 100:02d}" for f in fens]
    texts[::3] = [f"{f // 100:,}.{f % 100:02d}" for f in fens[::3]]
    rows = [row(payment_id=f"ZF{i}", amount=t) for i, t in enumerate(texts)]
    checked = check(rows)
    assert checked.errors == []
    assert checked.rows["amount"].to_list() == fens


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2026-03-05", datetime.date(2026, 3, 5)),
        ("2026-3-5", datetime.date(2026, 3, 5)),
        ("2026/03/05", datetime.date(2026, 3, 5)),
        ("2026/3/5", datetime.date(2026, 3, 5)),
        ("2026.03.05", datetime.date(2026, 3, 5)),
        ("20260305", datetime.date(2026, 3, 5)),
        ("20260305102030123", datetime.date(2026, 3, 5)),
        ("2026年3月5日", datetime.date(2026, 3, 5)),
        ("2026年03月05日", datetime.date(2026, 3, 5)),
        ("２０２６－０３－０５", datetime.date(2026, 3, 5)),
        ("2026-03-05 10:20:30", datetime.date(2026, 3, 5)),
        ("2026-03-05T10:20", datetime.date(2026, 3, 5)),
        ("2026-12-31", datetime.date(2026, 12, 31)),
        ("2024-02-29", datetime.date(2024, 2, 29)),
    ],
)
def test_date_formats(text, day):
    checked = check([row(date=text)], year=None)
    assert checked.errors == []
    assert checked.rows["date"].to_list() == [day]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("30201", "30201"),
        ("302", "302"),
        ("30201 办公费", "30201"),
        ("[30201]办公费", "30201"),
        ("30201-办公费", "30201"),
    ],
)
def test_economic_code_forms(text, code):
    checked = check([row(economic_code=text)])
    assert checked.errors == []
    assert checked.rows["economic_code"].to_list() == [code]


def test_valid_rows_are_typed_and_unit_code_is_filled_from_the_project():
    checked = check([row(), row(payment_id="ZF2", unit_code="", economic_code="", fund_source="", project_code=P3)])
    assert checked.rows.schema == pl.Schema(
        {
            "payment_id": pl.Utf8,
            "date": pl.Date,
            "project_id": pl.Int64,
            "unit_code": pl.Utf8,
            "amount": pl.Int64,
            "economic_code": pl.Utf8,
            "fund_source": pl.Utf8,
            "row": pl.Int64,
        }
    )
    assert checked.rows.rows() == [
        ("ZF202600000001", datetime.date(2026, 3, 5), 11, U1, 123450, "30201", "一般公共预算", 2),
        ("ZF2", datetime.date(2026, 3, 5), 13, U2, 123450, "", "", 3),
    ]
    assert checked.ok


def test_a_mixed_file_returns_every_bad_row_sorted_by_row_and_column():
    rows = [
        row(payment_id="A1"),
        row(payment_id="A2", amount="-3", date="2026-02-31"),  # two errors: date before amount
        row(payment_id="A3"),
        row(payment_id="A4", project_code="nope"),
        row(payment_id="A5", economic_code="1"),
        row(payment_id="A6"),
        row(payment_id="", fund_source=""),
    ]
    checked = check(rows)
    assert [(e.row, e.column, e.message) for e in checked.errors] == [
        (3, "支付日期", "日期“2026-02-31”无法识别，应为YYYY-MM-DD"),
        (3, "支付金额", "金额不能为负数"),
        (5, "项目代码", "项目代码“nope”不存在或无权导入"),
        (6, "经济分类代码", "经济分类代码应为3位或5位数字"),
        (8, "支付凭证号", "必填"),
    ]
    assert checked.rows["payment_id"].to_list() == ["A1", "A3", "A6"]
    assert checked.total == 7


def test_duplicates_within_the_file():
    rows = [row(payment_id="D1"), row(payment_id="X"), row(payment_id="D1"), row(payment_id="D1", amount="9")]
    checked = check(rows)
    assert [(e.row, e.column, e.value, e.message) for e in checked.errors] == [
        (4, "支付凭证号", "D1", "支付凭证号与第2行重复"),
        (5, "支付凭证号", "D1", "支付凭证号与第2行重复"),
    ]
    assert checked.rows["row"].to_list() == [2, 3]


def existing_from(checked: pf.Checked) -> pl.DataFrame:
    return checked.rows.select("payment_id", "project_id", "date", "amount")


def test_reimport_of_identical_rows_is_skipped_not_an_error():
    first = [row(payment_id="R1"), row(payment_id="R2", amount="5")]
    stored = existing_from(check(first))
    again = check([*first, row(payment_id="R3", economic_code="30211")], existing=stored)
    assert again.errors == []
    assert again.skipped == 2
    assert again.rows["payment_id"].to_list() == ["R3"]
    assert again.total == 3


def test_reimport_matches_on_project_date_and_amount_only():
    stored = existing_from(check([row(payment_id="R1")]))
    again = check([row(payment_id="R1", economic_code="30211", fund_source="单位资金", unit_code="")], existing=stored)
    assert (again.skipped, again.errors, again.rows.height) == (1, [], 0)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount": "1234.51"}, "支付凭证号已导入，但内容不一致（已导入：日期2026-03-05，金额1,234.50元）"),
        ({"date": "2026-03-06"}, "支付凭证号已导入，但内容不一致（已导入：日期2026-03-05，金额1,234.50元）"),
        ({"project_code": P2}, f"支付凭证号已导入，但内容不一致（已导入：日期2026-03-05，金额1,234.50元，项目{P1}）"),
    ],
)
def test_conflicting_reimport_is_an_error(changes, message):
    stored = existing_from(check([row(payment_id="R1")]))
    again = check([row(payment_id="R0"), row(payment_id="R1", **changes)], existing=stored)
    assert [(e.row, e.column, e.value, e.message) for e in again.errors] == [(3, "支付凭证号", "R1", message)]
    assert again.skipped == 0
    assert again.rows["payment_id"].to_list() == ["R0"]


def test_conflict_with_a_project_the_importer_cannot_see():
    stored = pl.DataFrame(
        {"payment_id": ["R1"], "project_id": [999], "date": [datetime.date(2026, 1, 2)], "amount": [100]}
    )
    again = check([row(payment_id="R1")], existing=stored)
    assert (
        again.errors[0].message == "支付凭证号已导入，但内容不一致（已导入：日期2026-01-02，金额1.00元，属于其他项目）"
    )


def test_a_row_with_its_own_errors_is_not_compared_with_the_stored_one():
    stored = existing_from(check([row(payment_id="R1")]))
    again = check([row(payment_id="R1", amount="x")], existing=stored)
    assert [(e.column, e.message) for e in again.errors] == [("支付金额", "金额“x”不是有效数字")]


def test_existing_may_be_empty_or_none():
    assert check([row()], existing=None).rows.height == 1
    assert check([row()], existing=pl.DataFrame()).rows.height == 1


def test_year_is_optional():
    assert check([row(date="2019-06-01")], year=None).ok
    assert not check([row(date="2019-06-01")], year=2026).ok


def test_max_errors_caps_the_list():
    rows = [row(payment_id=f"E{i}", amount="-1") for i in range(5)]
    checked = check(rows, max_errors=3)
    assert [e.row for e in checked.errors] == [2, 3, 4, 0]
    assert checked.errors[-1] == RowError(0, "", "", "另有2处错误未列出（共5处），请先修正以上错误后重新导入。")


def test_validate_accepts_a_frame_built_by_hand():
    frame = pl.DataFrame({"payment_id": ["H1"], "date": ["2026-05-01"], "project_code": [P1], "amount": ["7"]})
    checked = pf.validate(frame, PROJECTS, None, year=2026)
    assert checked.ok
    assert checked.rows["row"].to_list() == [2]


# --- the error report --------------------------------------------------------------------------------------


def test_error_report_xlsx_opens_and_holds_the_rows():
    errors = [
        RowError(3, "支付金额", "-5", "金额不能为负数"),
        RowError(7, "项目代码", "=cmd", "项目代码“=cmd”不存在或无权导入"),
        RowError(0, "", "", "另有9处错误未列出"),
    ]
    data = pf.error_report_xlsx(errors, "支付明细.csv")
    wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    grid = wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
    assert "支付明细.csv" in grid[0][0] and "错误" in grid[0][0]
    assert grid[1][:4] == ["行号", "列", "内容", "错误说明"]
    assert [[pf.excel_text(v) for v in r[:4]] for r in grid[2:5]] == [
        ["3", "支付金额", "-5", "金额不能为负数"],
        ["7", "项目代码", "=cmd", "项目代码“=cmd”不存在或无权导入"],
        ["", "", "", "另有9处错误未列出"],
    ]


def test_error_report_for_a_real_check():
    checked = check([row(amount="abc"), row(payment_id="", date="x")])
    grid = (
        python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(pf.error_report_xlsx(checked.errors, "a.csv")))
        .get_sheet_by_index(0)
        .to_python()
    )
    assert len(grid) == 2 + len(checked.errors) == 5


# --- the synthetic generator -------------------------------------------------------------------------------

GEN_PROJECTS = [(P1, U1), (P2, U1), (P3, U2)]


def test_generate_csv_is_deterministic():
    a = pf.generate_csv(500, GEN_PROJECTS, 2026, seed=3)
    assert a == pf.generate_csv(500, GEN_PROJECTS, 2026, seed=3)
    assert a != pf.generate_csv(500, GEN_PROJECTS, 2026, seed=4)
    assert a.decode("utf-8").splitlines()[0] == "支付凭证号,支付日期,项目代码,单位代码,支付金额,经济分类代码,资金来源"
    assert pf.generate_csv(0, [], 2026).decode().strip() == ",".join(HEADER)


def test_generate_csv_round_trips_without_errors():
    n = 3000
    data = pf.generate_csv(n, GEN_PROJECTS, 2026)
    frame = pf.read(data, "demo.csv")
    checked = pf.validate(frame, PROJECTS, NO_EXISTING, year=2026)
    assert checked.errors == []
    assert checked.rows.height == checked.total == n
    rows = checked.rows
    assert rows["payment_id"].n_unique() == n
    assert rows["payment_id"][0] == "ZF20260000000001"
    assert rows["amount"].min() >= 100
    assert set(rows["economic_code"].unique()) <= {c for c, _ in pf.ECONOMIC_CODES}
    assert set(rows["fund_source"].unique()) <= {f for f, _ in pf.FUND_SOURCES}
    by_month = rows.group_by(pl.col("date").dt.month().alias("m")).len().sort("len")
    assert by_month["m"][-1] == 12  # the year-end peak
    assert rows["date"].is_sorted()
    again = pf.validate(frame, PROJECTS, existing_from(checked), year=2026)
    assert (again.skipped, again.errors, again.rows.height) == (n, [], 0)

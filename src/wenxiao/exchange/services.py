"""Batches pushed in by the 预算管理一体化 system: projects, budgets and adjustments, payments.

`do_push(kind, rows=…|data=…, actor=…, source=…)` validates every row first and writes all or nothing, idempotent
by the external ids (pro_code; pro_code + fiscal_year; adj_code; pay_cert_no). Every batch, written or refused, is
kept as an `ExchangeBatch` with its result report and recorded in the audit log. Payments go through
`projects.ingest.import_payments` (the one payments validator and writer).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from wenxiao.core import audit
from wenxiao.core.errors import PermissionDenied, ServiceError, ValidationError
from wenxiao.core.scoping import can_write
from wenxiao.core.text import search_text
from wenxiao.exchange import fields as F
from wenxiao.exchange.models import ExchangeBatch, ExternalAdjustment, ExternalProject
from wenxiao.orgs.models import Organisation, Region
from wenxiao.orgs.selectors import home_region
from wenxiao.projects.models import Project, ProjectBudget

PUSH_ROLES = ("performance", "sysadmin")
MAX_ROWS = 20_000  # projects and budgets per batch (payments: no limit beyond the ingest's own)
REPORT_ROWS = 2_000  # row outcomes kept in the stored report
NO_DELETE = "问效保留全部历史，不接收删除；项目撤销或预算调减请在问效中办理或推送调整单"
CODE_RE = re.compile(r"^[0-9A-Za-z]{21}$")

# projects.services.validate_fields keys → exchange field names (for the row errors)
_PROJECT_KEYS = {
    "name": "pro_name",
    "kind": "is_policy",
    "description": "pro_desc",
    "start_year": "start_year",
    "end_year": "end_year",
    "budget_kind": "bgt_type_code",
    "fund_type": "fund_type_code",
    "function_code": "exp_func_code",
    "economic_code": "exp_eco_code",
    "project_class": "pro_cat_code",
    "attribute": "pro_attr_code",
}
_COMPARED = (
    "name",
    "kind",
    "description",
    "start_year",
    "end_year",
    "budget_kind",
    "fund_type",
    "function_class_id",
    "economic_class_id",
    "project_class",
    "attribute",
)
# payments_file canonical columns (their Chinese labels in errors) → exchange field names
_PAYMENT_LABELS = {
    "支付凭证号": "pay_cert_no",
    "支付日期": "pay_date",
    "项目代码": "pro_code",
    "单位代码": "agency_code",
    "支付金额": "pay_amt",
    "经济分类代码": "exp_eco_code",
    "资金来源": "fund_type_code",
}


@dataclass
class Report:
    kind: str
    source: str
    file_name: str = ""
    total: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    written: bool = False
    dry_run: bool = False
    duplicate: bool = False
    amount: str = ""
    note: str = ""

    @property
    def rejected(self) -> int:
        return len({e["row"] for e in self.errors if e["row"]}) or (1 if self.errors else 0)

    @property
    def status(self) -> str:
        if self.errors:
            return ExchangeBatch.Status.REJECTED
        if self.duplicate:
            return ExchangeBatch.Status.DUPLICATE
        return ExchangeBatch.Status.DONE

    def error(self, row: int, name: str, value: str, message: str) -> None:
        self.errors.append(
            {"row": row, "field": name, "label": F.label(self.kind, name) if name else "", "value": value,
             "message": message}
        )  # fmt: skip

    def summary(self) -> str:
        if self.errors and all(not e["row"] for e in self.errors):
            return "；".join(e["message"].rstrip("。") for e in self.errors) + "。整批未写入。"
        if self.errors:
            return (
                f"共{self.total}行，其中{self.rejected}行有错误（共{len(self.errors)}处），整批未写入。"
                "请按错误报告修改后重新推送。"
            )
        if self.duplicate:
            return f"该批次已于此前推送并写入，本次共{self.total}行均未变化，未写入任何数据。"
        verb = "校验通过（仅校验，未写入）" if self.dry_run else "已写入"
        text = f"共{self.total}行：新增{self.added}行，更新{self.updated}行，未变化{self.unchanged}行；{verb}。"
        if self.amount:
            text += f"新增支付金额{self.amount}元。"
        return text + self.note

    def as_dict(self, batch: ExchangeBatch | None = None) -> dict:
        return {
            "batch_id": batch.pk if batch else None,
            "kind": self.kind,
            "kind_label": ExchangeBatch.Kind(self.kind).label,
            "source": self.source,
            "file_name": self.file_name,
            "status": self.status if not self.dry_run or self.errors else "checked",
            "written": self.written,
            "total": self.total,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "summary": self.summary(),
            "errors": self.errors,
            "rows": self.rows[:REPORT_ROWS],
            "create_time": F.format_time(batch.created_at) if batch else "",
        }


def _check_actor(actor) -> Region:
    if not can_write(actor) or not (actor.is_superuser or actor.has_role(*PUSH_ROLES)):
        raise PermissionDenied("一体化数据由财政绩效科或系统管理员的账号（令牌）推送。")
    region = home_region(actor, PUSH_ROLES)
    if region is None:
        raise PermissionDenied("您的账号未分配区划，不能推送数据。")
    return region


def fingerprint_rows(rows: list[dict]) -> str:
    body = json.dumps(rows, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def do_push(
    kind: str,
    *,
    actor,
    source: str,
    rows: list[dict] | None = None,
    data: bytes | None = None,
    file_name: str = "",
    dry_run: bool = False,
) -> tuple[Report, ExchangeBatch | None]:
    """Validate and (unless `dry_run`) write one batch. Returns the report and the stored batch (None on a dry run).
    Raises PermissionDenied for an account that may not push, ValidationError for an unknown kind."""
    if kind not in F.KINDS:
        raise ValidationError(f"数据类别“{kind}”不存在，应为 projects、budgets 或 payments。")
    region = _check_actor(actor)
    report = Report(kind=kind, source=source, file_name=(file_name or "").replace("\x00", "")[:200], dry_run=dry_run)
    fingerprint = hashlib.sha256(data).hexdigest() if data is not None else ""
    if kind == "payments":
        _payments(report, actor, rows, data)
        batch = report.__dict__.get("_batch")
        if batch is None and not dry_run:  # refused: keep the report
            report.added = report.updated = report.unchanged = 0
            with transaction.atomic():
                batch = _store(report, region, actor, fingerprint or fingerprint_rows(rows or []))
        return report, batch
    if rows is None:
        try:
            rows = F.read(data or b"", file_name)
        except F.BatchError as e:
            report.error(0, "", "", str(e))
            rows = []
    elif not rows:
        report.error(0, "", "", "批次中没有数据行。")
    rows = [F.row_text(r) for r in rows]
    fingerprint = fingerprint or fingerprint_rows(rows)
    report.total = len(rows)
    if len(rows) > MAX_ROWS:
        report.error(0, "", "", f"一个批次最多{MAX_ROWS}行，本批次{len(rows)}行，请分批推送。")
    if rows and not report.errors:
        try:
            with transaction.atomic():
                (_projects if kind == "projects" else _budgets)(report, actor, region, rows)
                if report.errors or dry_run:
                    raise _Rollback
                batch = _store(report, region, actor, fingerprint)
                report.written = True
                return report, batch
        except _Rollback:
            report.__dict__.pop("_pending", None)
        except IntegrityError:  # another batch wrote the same project or adjustment meanwhile
            report.__dict__.pop("_pending", None)
            report.error(0, "", "", "与同时写入的另一批次冲突（同一项目或调整单），本批次未写入，请重新推送。")
    if dry_run:
        return report, None
    report.added = report.updated = report.unchanged = 0
    report.rows = []
    with transaction.atomic():
        return report, _store(report, region, actor, fingerprint)


class _Rollback(Exception):
    pass


def _store(report: Report, region, actor, fingerprint: str) -> ExchangeBatch:
    batch = ExchangeBatch.objects.create(
        region=region,
        kind=report.kind,
        source=report.source,
        file_name=report.file_name,
        fingerprint=fingerprint,
        status=report.status,
        total=report.total,
        added=report.added,
        updated=report.updated,
        unchanged=report.unchanged,
        rejected=report.rejected,
        actor=actor if actor.pk else None,
    )
    for ext in getattr(report, "_pending", []):
        ext.batch = batch
        ext.save()
    batch.report = report.as_dict(batch)
    batch.save(update_fields=["report"])
    audit.record(
        actor,
        "exchange.batch",
        batch,
        after={
            "kind": report.kind,
            "source": report.source,
            "file_name": report.file_name,
            "fingerprint": fingerprint,
            "status": batch.status,
            "total": report.total,
            "added": report.added,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "rejected": report.rejected,
        },
    )
    return batch


# --- shared checks ---------------------------------------------------------------------------------------------


def _required(report: Report, n: int, row: dict) -> bool:
    """Required fields, lengths, times, flags and the year; False when the row cannot be checked further."""
    ok = True
    for name, (_, required, max_len) in F.FIELDS[report.kind].items():
        value = row.get(name, "")
        if required and not value:
            report.error(n, name, "", "必填")
            ok = False
        elif len(value) > max_len:
            report.error(n, name, value[:60], f"不能超过{max_len}个字符")
            ok = False
    for name in ("create_time", "update_time"):
        if msg := F.check_time(row.get(name, "")):
            report.error(n, name, row[name], msg)
    deleted = row.get("is_deleted", "")
    if deleted not in ("", "1", "2"):
        report.error(n, "is_deleted", deleted, "应为1（是）或2（否）")
    elif deleted == "1":
        report.error(
            n, "is_deleted", deleted, "问效保留全部历史，不接收删除；项目撤销或预算调减请在问效中办理或推送调整单"
        )
    year = row.get("fiscal_year", "")
    if year and not (year.isdigit() and 2000 <= int(year) <= 2100):
        report.error(n, "fiscal_year", year, "预算年度应为2000至2100之间的4位年份")
        ok = False
    return ok


def _row_number(report: Report, row: dict, i: int) -> int:
    """The row as the sender sees it: the record index for the API, the line of the file otherwise."""
    at = row.pop("__row__", "")
    return int(at) if report.source != "api" and at.isdigit() else i


def _inside(region: Region, other_path: str) -> bool:
    return other_path.startswith(region.path)


def _project_map(codes: list[str]) -> dict[str, Project]:
    """pro_code → project: the external mapping first, then a 问效 project with that very code."""
    found = {p.code: p for p in Project.objects.filter(code__in=codes).select_related("region", "unit")}
    for ext in ExternalProject.objects.filter(pro_code__in=codes).select_related("project__region", "project__unit"):
        found[ext.pro_code] = ext.project
    return found


def _money(report: Report, n: int, row: dict, name: str, *, signed: bool = False) -> Decimal | None:
    raw = row.get(name, "").replace(",", "")
    if raw == "":
        return None
    try:
        value = Decimal(raw)
        if value != value.quantize(Decimal("0.01")):
            raise InvalidOperation
    except InvalidOperation:
        report.error(n, name, row[name], "不是有效的金额（元，最多两位小数）")
        return None
    if not signed and value < 0:
        report.error(n, name, row[name], "金额不能为负数")
        return None
    if abs(value) >= Decimal("1e14"):
        report.error(n, name, row[name], "金额过大，请核对（单位为元）")
        return None
    return value.quantize(Decimal("0.01"))


# --- projects --------------------------------------------------------------------------------------------------


def _region_of(code: str, regions: dict[str, Region]) -> Region | None:
    """mof_div_code is 9 characters in 一体化 (430400000); 问效 keeps the 6-digit 行政区划代码."""
    if code in regions:
        return regions[code]
    if len(code) == 9 and code.endswith("000"):
        return regions.get(code[:6])
    return None


def _projects(report: Report, actor, region: Region, rows: list[dict]) -> None:
    from wenxiao.projects.services import validate_fields

    regions = {r.code: r for r in Region.objects.all()}
    org_codes = {r.get("dept_code", "") for r in rows} | {r.get("agency_code", "") for r in rows}
    orgs = {o.code: o for o in Organisation.objects.filter(code__in=org_codes).select_related("region", "parent")}
    existing = _project_map([r.get("pro_code", "") for r in rows])
    seen: dict[str, int] = {}
    plans = []
    for i, row in enumerate(rows, start=1):
        n = _row_number(report, row, i)
        code = row.get("pro_code", "")
        if not _required(report, n, row):
            continue
        if code in seen:
            report.error(n, "pro_code", code, f"与第{seen[code]}行的项目代码重复")
            continue
        seen[code] = n
        div = _region_of(row["mof_div_code"], regions)
        dept = orgs.get(row["dept_code"])
        unit = orgs.get(row["agency_code"])
        bad = False
        if div is None:
            report.error(n, "mof_div_code", row["mof_div_code"], "财政区划代码不存在")
            bad = True
        elif not _inside(region, div.path):
            report.error(n, "mof_div_code", row["mof_div_code"], f"不属于您的辖区（{region.name}），不能写入")
            bad = True
        if dept is None or dept.kind != Organisation.Kind.DEPARTMENT:
            report.error(n, "dept_code", row["dept_code"], "主管部门代码不存在")
            bad = True
        if unit is None or unit.kind != Organisation.Kind.UNIT:
            report.error(n, "agency_code", row["agency_code"], "单位代码不存在")
            bad = True
        if bad:
            continue
        if unit.parent_id != dept.pk:
            report.error(n, "agency_code", row["agency_code"], f"该单位不属于主管部门“{dept.name}”")
            continue
        if unit.region_id != div.pk:
            report.error(n, "agency_code", row["agency_code"], f"该单位不属于财政区划“{div.name}”")
            continue
        values = {
            "name": row["pro_name"],
            "function_code": row["exp_func_code"],
        }
        optional = {
            "description": "pro_desc",
            "budget_kind": "bgt_type_code",
            "fund_type": "fund_type_code",
            "economic_code": "exp_eco_code",
            "project_class": "pro_cat_code",
            "attribute": "pro_attr_code",
            "start_year": "start_year",
            "end_year": "end_year",
        }
        for key, name in optional.items():
            if name in row:
                values[key] = row[name] or None if key in ("start_year", "end_year") else row[name]
        if row.get("is_policy"):
            if row["is_policy"] not in ("1", "2"):
                report.error(n, "is_policy", row["is_policy"], "应为1（政策）或2（项目）")
                continue
            values["kind"] = Project.Kind.POLICY if row["is_policy"] == "1" else Project.Kind.PROJECT
        errs: dict[str, list[str]] = {}
        fields = validate_fields(values, errs)
        for key, messages in errs.items():
            name = _PROJECT_KEYS.get(key, key)
            for m in messages:
                report.error(n, name, row.get(name, ""), m)
        if errs:
            continue
        year = int(row["fiscal_year"])
        project = existing.get(code)
        if project is not None:
            if not _inside(region, project.region.path):
                report.error(n, "pro_code", code, "该项目不在您的辖区，不能修改")
                continue
            if project.unit_id != unit.pk:
                report.error(
                    n, "agency_code", row["agency_code"], f"该项目属于单位“{project.unit.name}”，不能改为其他单位"
                )
                continue
            start = fields.get("start_year", project.start_year)
            end = fields.get("end_year", project.end_year)
        else:
            start, end = fields.get("start_year") or year, fields.get("end_year") or year
        if end < start:
            report.error(n, "end_year", row.get("end_year", ""), "结束年度不能早于起始年度")
            continue
        fields["start_year"], fields["end_year"] = start, end
        plans.append((n, code, row, unit, year, fields, project))
    if report.errors:
        return
    for n, code, row, unit, year, fields, project in plans:
        try:
            result = _write_project(report, actor, code, row, unit, year, fields, project)
        except ServiceError as e:
            report.error(n, "pro_code", code, e.message)
            continue
        setattr(report, result, getattr(report, result) + 1)
        report.rows.append({"row": n, "key": code, "result": result})


def _leader(row: dict) -> tuple[str, str, str] | None:
    if not row.get("pro_leader"):
        return None
    return row["pro_leader"], row.get("pro_leader_post", ""), row.get("pro_leader_tel", "")


def _write_project(report: Report, actor, code, row, unit, year, fields, project) -> str:
    from wenxiao.projects.models import ResponsiblePerson
    from wenxiao.projects.services import do_change_responsible, next_project_code

    leader = _leader(row)
    pending = report.__dict__.setdefault("_pending", [])
    if project is None:
        own = CODE_RE.match(code) and not Project.objects.filter(code=code).exists()
        project = Project(
            region=unit.region,
            department=unit.parent,
            unit=unit,
            state="in_library",  # 一体化 pushes projects of its 项目库
            created_by=actor if actor.pk else None,
            code=code if own else next_project_code(unit, year),
            **fields,
        )
        project.search_text = search_text(project.name, project.code, unit.name, project.description)
        project.save()
        if leader:
            ResponsiblePerson.objects.create(
                region=unit.region,
                project=project,
                name=leader[0],
                position=leader[1],
                phone=leader[2],
                start_date=timezone.localdate(),
                recorded_by=actor if actor.pk else None,
            )
        pending.append(
            ExternalProject(region=unit.region, pro_code=code, project=project, update_time=row.get("update_time", ""))
        )
        audit.record(actor, "exchange.project_create", project, after={**audit.snapshot(project), "pro_code": code})
        return "added"
    changed = {k: v for k, v in fields.items() if getattr(project, k) != v and k in _COMPARED}
    current = project.responsible_persons.filter(end_date__isnull=True).first()
    new_leader = leader and (current is None or (current.name, current.position) != leader[:2])
    if not changed and not new_leader:
        return "unchanged"
    if changed:
        before = audit.snapshot(project)
        for k, v in changed.items():
            setattr(project, k, v)
        project.version += 1
        project.search_text = search_text(project.name, project.code, unit.name, project.description)
        project.save()
        b, a = audit.diff(before, audit.snapshot(project))
        audit.record(actor, "exchange.project_update", project, before=b, after={**(a or {}), "pro_code": code})
    if new_leader:
        do_change_responsible(
            project.pk, name=leader[0], position=leader[1], phone=leader[2], reason="一体化推送", actor=actor
        )
    ExternalProject.objects.filter(pro_code=code).update(update_time=row.get("update_time", ""))
    return "updated"


# --- budgets and adjustments -------------------------------------------------------------------------------------


def _budgets(report: Report, actor, region: Region, rows: list[dict]) -> None:
    projects = _project_map([r.get("pro_code", "") for r in rows])
    budget_keys: set[tuple[int, int]] = set()
    seen: dict[tuple, int] = {}
    budget_plans, adjust_plans = [], []
    adj_codes = [r["adj_code"] for r in rows if r.get("adj_code")]
    known_adj = {
        e.adj_code: e
        for e in ExternalAdjustment.objects.filter(region=region, adj_code__in=adj_codes).select_related(
            "adjustment__budget"
        )
    }
    for i, row in enumerate(rows, start=1):
        n = _row_number(report, row, i)
        if not _required(report, n, row):
            continue
        code, year = row["pro_code"], int(row["fiscal_year"])
        project = projects.get(code)
        if project is None or not _inside(region, project.region.path):
            report.error(n, "pro_code", code, "项目代码不存在或不在您的辖区（请先推送项目）")
            continue
        if row.get("adj_code"):
            key = ("adj", row["adj_code"])
            if key in seen:
                report.error(n, "adj_code", row["adj_code"], f"与第{seen[key]}行的调整单号重复")
                continue
            seen[key] = n
            amount = _money(report, n, row, "adj_amt", signed=True)
            day = F.parse_date(row.get("adj_date", ""))
            ok = True
            if amount is None and not row.get("adj_amt"):
                report.error(n, "adj_amt", "", "预算调整行必须填写调整金额")
                ok = False
            elif amount == 0:
                report.error(n, "adj_amt", row["adj_amt"], "调整金额不能为零")
                ok = False
            if day is None:
                report.error(n, "adj_date", row.get("adj_date", ""), "调整日期必填，格式为 yyyyMMdd")
                ok = False
            if not row.get("adj_reason"):
                report.error(n, "adj_reason", "", "预算调整行必须填写调整原因")
                ok = False
            if not ok or amount is None:
                continue
            ext = known_adj.get(row["adj_code"])
            if ext is not None:
                adj = ext.adjustment
                if (adj.budget.project_id, adj.budget.year, adj.amount, adj.date) != (project.pk, year, amount, day):
                    report.error(
                        n, "adj_code", row["adj_code"], "该调整单号已导入且内容不同；预算调整记录不可修改，请另发调整单"
                    )
                    continue
                adjust_plans.append((n, row["adj_code"], None, project, year, amount, day, row))
                continue
            adjust_plans.append((n, row["adj_code"], "new", project, year, amount, day, row))
            continue
        key = ("bgt", code, year)
        if key in seen:
            report.error(n, "pro_code", code, f"与第{seen[key]}行是同一项目同一年度的预算")
            continue
        seen[key] = n
        initial = _money(report, n, row, "bgt_amt")
        if initial is None:
            if not row.get("bgt_amt"):
                report.error(n, "bgt_amt", "", "预算行必须填写年初预算数")
            continue
        carry = _money(report, n, row, "carry_amt") or Decimal("0")
        other = _money(report, n, row, "other_amt") or Decimal("0")
        fiscal = _money(report, n, row, "cur_amt")
        if fiscal is None and row.get("cur_amt"):
            continue
        if fiscal is None:
            fiscal = initial - carry - other
        if fiscal < 0 or fiscal + carry + other != initial:
            report.error(
                n, "bgt_amt", row["bgt_amt"],
                f"资金来源合计 {fiscal + carry + other:,.2f} 元与年初预算 {initial:,.2f} 元不一致",
            )  # fmt: skip
            continue
        amounts = {"amount_initial": initial, "amount_fiscal": fiscal, "amount_carryover": carry, "amount_other": other}
        budget_plans.append((n, code, project, year, amounts))
        budget_keys.add((project.pk, year))
    existing = {
        (b.project_id, b.year): b
        for b in ProjectBudget.objects.filter(
            project_id__in={p[2].pk for p in budget_plans} | {p[3].pk for p in adjust_plans}
        )
    }
    for n, _code, project, year, amounts in budget_plans:
        b = existing.get((project.pk, year))
        if b is not None and b.amount_initial != amounts["amount_initial"] and b.adjustments.exists():
            report.error(
                n, "bgt_amt", f"{amounts['amount_initial']}", "该年度预算已有调整记录，年初预算不能再修改，请推送调整单"
            )
    for n, _adj, new, project, year, *_ in adjust_plans:
        if new and (project.pk, year) not in existing and (project.pk, year) not in budget_keys:
            report.error(n, "fiscal_year", str(year), "该项目没有该年度预算，请先推送年度预算")
    if report.errors:
        return
    for n, code, project, year, amounts in budget_plans:
        result = _write_budget(actor, project, year, amounts, existing.get((project.pk, year)))
        setattr(report, result, getattr(report, result) + 1)
        report.rows.append({"row": n, "key": f"{code}/{year}", "result": result})
    from wenxiao.projects.services import do_adjust_budget

    pending = report.__dict__.setdefault("_pending", [])
    for n, adj_code, new, project, year, amount, day, row in adjust_plans:
        result = "unchanged"
        if new:
            try:
                adj = do_adjust_budget(
                    project.pk,
                    year=year,
                    amount=amount,
                    reason=row["adj_reason"],
                    adjust_date=day,
                    document_no=row.get("adj_doc_no", ""),
                    actor=actor,
                )
            except ServiceError as e:
                details = "；".join(m for ms in e.errors.values() for m in ms)
                report.error(n, "adj_amt", row["adj_amt"], f"{e.message}{details}")
                continue
            pending.append(ExternalAdjustment(region=region, adj_code=adj_code, adjustment=adj))
            result = "added"
        setattr(report, result, getattr(report, result) + 1)
        report.rows.append({"row": n, "key": adj_code, "result": result})


def _write_budget(actor, project: Project, year: int, amounts: dict, budget: ProjectBudget | None) -> str:
    if budget is None:
        budget = ProjectBudget.objects.create(
            region=project.region, project=project, year=year, amount_adjusted=amounts["amount_initial"], **amounts
        )
        audit.record(actor, "exchange.budget_create", project, after={"year": year, "budget": audit.snapshot(budget)})
        from wenxiao.appraisal.services import flag_if_needed

        # R05 whatever the channel: a new major project gets its ex-ante assessment opened, as on registration
        flag_if_needed(project, year, actor=actor)
        return "added"
    if all(getattr(budget, k) == v for k, v in amounts.items()):
        return "unchanged"
    before = audit.snapshot(budget)
    for k, v in amounts.items():
        setattr(budget, k, v)
    budget.amount_adjusted = budget.amount_initial + sum((a.amount for a in budget.adjustments.all()), Decimal("0"))
    budget.save()
    b, a = audit.diff(before, audit.snapshot(budget))
    audit.record(actor, "exchange.budget_update", project, before={"year": year, **(b or {})}, after=a)
    return "updated"


# --- payments ----------------------------------------------------------------------------------------------------


def _payments(report: Report, actor, rows: list[dict] | None, data: bytes | None) -> None:
    """Through the one payments ingest: a JSON batch is written as the 一体化 JSON export it mirrors."""
    from wenxiao.projects import ingest

    if rows is not None:
        if not rows:
            report.error(0, "", "", "批次中没有数据行。")
            return
        rows = [F.row_text(r) for r in rows]
        name = report.file_name or "exchange-payments.json"
        data = _payments_json(rows, _code_map({r.get("pro_code", "") for r in rows}))
    else:
        name = report.file_name or "payments.csv"
        data = _translated_file(data or b"", name, report)
    dry_run = report.dry_run
    with transaction.atomic():
        try:
            r = ingest.import_payments(data or b"", name, actor=actor, dry_run=dry_run)
        except ValidationError as e:
            report.error(0, "", "", e.message)
            return
        report.total = r.total
        for e in r.errors:
            field_name = _PAYMENT_LABELS.get(e.column, "")
            report.errors.append(
                {"row": e.row, "field": field_name, "label": e.column, "value": e.value, "message": e.message}
            )
        if r.errors:
            return
        if r.duplicate_of is not None:
            report.duplicate = True
            report.unchanged = r.total
            report.note = f"（同一内容已于{timezone.localtime(r.duplicate_of.imported_at):%Y-%m-%d %H:%M}导入。）"
        else:
            report.added, report.unchanged = r.added, r.skipped
            report.amount = f"{r.amount:,.2f}"
            if r.after_stop:
                report.note = f"其中{r.after_stop}笔支付发生在暂缓/停止拨款之后，已列入预警。"
        if dry_run:
            return
        report.written = r.batch is not None
        region = home_region(actor, PUSH_ROLES)
        report.__dict__["_batch"] = _store(report, region, actor, r.batch.fingerprint if r.batch else _fp(data))
        if r.batch is not None:
            batch = report.__dict__["_batch"]
            batch.report["payment_import_id"] = r.batch.pk
            batch.save(update_fields=["report"])


def _code_map(codes: set[str]) -> dict[str, str]:
    """一体化 codes that 问效 could not keep as the project's own code → the 问效 code."""
    return {
        ext: own
        for ext, own in ExternalProject.objects.filter(pro_code__in=codes).values_list("pro_code", "project__code")
        if ext != own
    }


def _payments_json(rows: list[dict], code_map: dict[str, str]) -> bytes:
    for r in rows:  # a project whose 一体化 code could not be kept is paid under its 问效 code
        if r.get("pro_code") in code_map:
            r["pro_code"] = code_map[r["pro_code"]]
    return json.dumps({"data": rows}, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _translated_file(data: bytes, name: str, report: Report) -> bytes:
    """A payments file as it came, unless it pays projects under 一体化 codes 问效 keeps under another code: then the
    rows (as read by payments_file) with those codes replaced, as JSON (row numbers become record numbers)."""
    from wenxiao.projects import payments_file

    if not ExternalProject.objects.exists():
        return data
    try:
        frame = payments_file.read(data, name)
    except payments_file.FileError:
        return data  # the ingest reports the problem
    code_map = _code_map(set(frame["project_code"].unique().to_list()))
    if not code_map:
        return data
    names = {"payment_id": "pay_cert_no", "date": "pay_date", "project_code": "pro_code", "unit_code": "agency_code",
             "amount": "pay_amt", "economic_code": "exp_eco_code", "fund_source": "fund_type_code"}  # fmt: skip
    rows = [{names[k]: v for k, v in r.items() if k in names} for r in frame.iter_rows(named=True)]
    report.note = "（文件中含一体化项目代码与问效项目代码不同的项目，已按映射换算；错误行号为记录序号。）"
    return _payments_json(rows, code_map)


def _fp(data: bytes | None) -> str:
    return hashlib.sha256(data or b"").hexdigest()

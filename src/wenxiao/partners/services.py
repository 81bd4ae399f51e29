"""Writes of the agency, expert and supervision libraries: each checks permission, writes and records the audit
event in one transaction. The 绩效科 (role `performance`) of a region keeps its libraries.

Other apps call `do_engage`, `do_accept_report`, `do_draw_experts` and `do_invite_supervisor`; they pass their own
objects as `subject` (a GenericForeignKey), so this app imports none of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from wenxiao.core import audit
from wenxiao.core.config import setting
from wenxiao.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from wenxiao.orgs.models import Organisation, Region, User
from wenxiao.orgs.selectors import home_region
from wenxiao.partners import draw as draw_engine
from wenxiao.partners import quality, similarity
from wenxiao.partners.models import (
    Agency,
    AgencyStatusChange,
    DrawMember,
    Engagement,
    Expert,
    ExpertDraw,
    ExpertEngagement,
    ExpertNote,
    SupervisionInvitation,
    Supervisor,
    TemplateFlag,
    Violation,
)
from wenxiao.partners.selectors import ancestors_q, is_writer, selectable_agencies

AGENCY_FIELDS = [
    "agency_type",
    "established",
    "qualifications",
    "staff",
    "qualified_staff",
    "independent_liability",
    "facilities",
    "governance",
    "quality_control",
    "rules",
    "contact_person",
    "contact_phone",
    "address",
]
EXPERT_FIELDS = ["name", "title", "employer", "position", "fields", "relations", "status"]
SECRET_FIELDS = ["phone", "email"]  # SM4 at rest; never written into the audit log
PHONE = re.compile(r"^[0-9+\-() ]{7,20}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def with_check_char(body: str) -> str:
    """The 18-character 统一社会信用代码 for its first 17 characters (GB 32100-2015 check character)."""
    body = body.upper()
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(body, USCC_WEIGHTS, strict=True))
    return body + USCC_CHARS[(31 - total % 31) % 31]


def _today() -> date:
    return timezone.localdate()


def _writable(actor, obj, what: str):
    """`obj` if `actor` is the 绩效科 of its region; NotFound when the actor cannot even see it."""
    if is_writer(actor, obj.region):
        return obj
    if type(obj).objects.visible_to(actor).filter(pk=obj.pk).exists():
        raise PermissionDenied(f"{what}由所在地财政绩效科维护。")
    raise NotFound(f"{what}不存在或无权操作。")


def _working_region(actor, region=None) -> Region:
    region = region or home_region(actor, ("performance",))
    if region is None or not is_writer(actor, region):
        raise PermissionDenied("第三方机构库、专家库和监督指导库由财政绩效科维护。")
    return region


def _check_version(obj, version: int | None) -> None:
    if version is not None and int(version) != obj.version:
        raise Conflict(f"“{obj}”已被他人修改，请刷新后重试。")


def _selection_rules(region, year: int) -> quality.SelectionRules:
    try:
        return quality.SelectionRules.from_setting(setting("partners.selection", region, year))
    except quality.QualityError as e:
        raise ValidationError(f"入库条件设置有误：{e}")


def _facts(name: str, credit_code: str, data: dict, violations=(), blacklisted_until=None) -> quality.AgencyFacts:
    return quality.AgencyFacts(
        name=name,
        credit_code=credit_code,
        agency_type=data.get("agency_type") or "",
        established=data.get("established"),
        independent_liability=bool(data.get("independent_liability", True)),
        staff=int(data.get("staff") or 0),
        qualified_staff=int(data.get("qualified_staff") or 0),
        facilities=bool(data.get("facilities", True)),
        governance=bool(data.get("governance", True)),
        quality_control=bool(data.get("quality_control", True)),
        rules=frozenset(data.get("rules") or ()),
        violations=tuple(violations),
        blacklisted_until=blacklisted_until,
    )


def _clean_agency(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    out = {k: data[k] for k in AGENCY_FIELDS if k in data}
    for key in ("staff", "qualified_staff"):
        if key in out:
            try:
                out[key] = int(out[key] or 0)
                if out[key] < 0:
                    raise ValueError
            except (TypeError, ValueError):
                errors.setdefault(key, []).append("人数应为非负整数")
    if "established" in out and isinstance(out["established"], str):
        try:
            out["established"] = date.fromisoformat(out["established"]) if out["established"] else None
        except ValueError:
            errors.setdefault("established", []).append("成立日期格式应为 YYYY-MM-DD")
    if out.get("established") and out["established"] > _today():
        errors.setdefault("established", []).append("成立日期不能晚于今天")
    if "rules" in out:
        out["rules"] = [r for r in quality.REQUIRED_RULES if r in set(out["rules"] or ())]
    if "agency_type" in out and out["agency_type"] not in quality.AGENCY_TYPES:
        errors.setdefault("agency_type", []).append(f"机构类型应为：{'、'.join(quality.AGENCY_TYPES)}")
    if out.get("contact_phone") and not PHONE.match(out["contact_phone"].strip()):
        errors.setdefault("contact_phone", []).append("联系电话格式不正确")
    for key in ("qualifications", "contact_person", "contact_phone", "address"):
        if key in out:
            out[key] = (out[key] or "").strip()
    if errors:
        raise ValidationError("机构信息有误。", errors)
    return out


# --- agencies ----------------------------------------------------------------------------------------------------


def do_register_agency(*, actor, name: str, credit_code: str, org: Organisation | None = None, region=None, **data):
    """入库登记: validate the 统一社会信用代码 and the selection conditions (REFERENCE §10.3), then register.

    The agency's Organisation (kind `agency`) is created in the registering bureau's region unless one with the
    same code exists (or `org` is given).
    """
    region = _working_region(actor, region)
    name = (name or "").strip()
    code = (credit_code or "").strip().upper()
    errors: dict[str, list[str]] = {}
    try:
        fields = _clean_agency({"agency_type": data.get("agency_type", "专业咨询机构"), **data})
    except ValidationError as e:  # reported together with the other problems
        fields, errors = {}, {k: list(v) for k, v in e.errors.items()}
    if not name:
        errors.setdefault("name", []).append("请填写机构名称")
    if Agency.objects.filter(credit_code=code).exists():
        errors.setdefault("credit_code", []).append(f"统一社会信用代码 {code} 的机构已经入库")
    rules = _selection_rules(region, _today().year)
    failed = quality.check_selection(_facts(name, code, fields), today=_today(), rules=rules) if fields else []
    if failed:
        errors.setdefault("selection", []).extend(failed)
    if org is None:
        org = Organisation.objects.filter(code=code).first()
        if org is not None and (org.kind != Organisation.Kind.AGENCY or hasattr(org, "agency_profile")):
            errors.setdefault("credit_code", []).append("该代码已被其他机构使用")
    elif org.kind != Organisation.Kind.AGENCY:
        errors.setdefault("org", []).append("只有第三方机构类的组织可以入库")
    if errors:
        raise ValidationError("机构不符合入库条件或信息有误，未入库。", errors)
    with transaction.atomic():
        if org is None:
            org = Organisation(code=code, name=name, kind=Organisation.Kind.AGENCY, region=region)
            org.save()
        agency = Agency.objects.create(
            region=region,
            org=org,
            credit_code=code,
            status=Agency.Status.NORMAL,
            status_since=_today(),
            status_reason="入库登记",
            registered_by=actor,
            **fields,
        )
        AgencyStatusChange.objects.create(
            region=region, agency=agency, status=Agency.Status.NORMAL, start=_today(), reason="入库登记", by=actor
        )
        audit.record(actor, "partners.agency_register", agency, after=audit.snapshot(agency))
    return agency


def do_edit_agency(agency: Agency, *, actor, version: int | None = None, name: str | None = None, **data) -> Agency:
    """Edit the profile; the conditions of staff, equipment and management rules must still be met."""
    agency = _writable(actor, agency, "机构")
    fields = _clean_agency(data)
    with transaction.atomic():
        agency = Agency.objects.select_for_update().select_related("org").get(pk=agency.pk)
        _check_version(agency, version)
        before = audit.snapshot(agency)
        for k, v in fields.items():
            setattr(agency, k, v)
        current = {k: getattr(agency, k) for k in AGENCY_FIELDS}
        failed = quality.check_selection(
            _facts(name or agency.name, agency.credit_code, current),
            today=_today(),
            rules=_selection_rules(agency.region, _today().year),
        )
        if failed:
            raise ValidationError("修改后不再符合入库条件，未保存。", {"selection": failed})
        after_name = agency.org.name
        if name and name.strip() and name.strip() != agency.org.name:
            after_name = name.strip()
            Organisation.objects.filter(pk=agency.org_id).update(name=after_name)
        before["name"] = agency.org.name
        agency.version += 1
        agency.save()
        agency.org.name = after_name
        b, a = audit.diff(before, {**audit.snapshot(agency), "name": after_name})
        audit.record(actor, "partners.agency_edit", agency, before=b, after=a)
    return agency


def do_change_status(
    agency: Agency, *, status: str, reason: str, actor, start: date | None = None, years: int | None = None
) -> Agency:
    """正常/暂停/清退/黑名单 with a reason; a blacklisting lasts `years` (setting `partners.blacklist_years`)."""
    agency = _writable(actor, agency, "机构")
    if status not in Agency.Status.values:
        raise ValidationError("未知的机构状态。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请写明变更原因。", {"reason": ["请写明变更原因"]})
    start = start or _today()
    until = None
    if status == Agency.Status.BLACKLISTED:
        years = years if years is not None else int(setting("partners.blacklist_years", agency.region, start.year))
        try:
            until = quality.blacklist_until(start, int(years))
        except (quality.QualityError, ValueError) as e:
            raise ValidationError(str(e))
    with transaction.atomic():
        agency = Agency.objects.select_for_update().select_related("org").get(pk=agency.pk)
        if status == agency.status and status != Agency.Status.BLACKLISTED:
            raise Conflict(f"机构当前已是“{agency.get_status_display()}”状态。")
        if status != Agency.Status.BLACKLISTED and agency.blacklisted_until and agency.blacklisted_until >= start:
            raise ValidationError(f"机构处于黑名单期内（至{agency.blacklisted_until:%Y-%m-%d}），期满前不能变更状态。")
        before = audit.snapshot(agency, ["status", "status_since", "status_reason", "blacklisted_until"])
        open_rows = AgencyStatusChange.objects.filter(agency=agency, until__isnull=True)
        open_rows.filter(start__lt=start).update(until=start - timedelta(days=1))
        open_rows.filter(start__gte=start).update(until=F("start"))  # a later row closes the day it opened
        AgencyStatusChange.objects.create(
            region=agency.region, agency=agency, status=status, start=start, until=until, reason=reason, by=actor
        )
        agency.status, agency.status_since, agency.status_reason = status, start, reason[:300]
        if status == Agency.Status.BLACKLISTED:
            agency.blacklisted_until = max(until, agency.blacklisted_until or until)
        agency.version += 1
        agency.save()
        after = audit.snapshot(agency, ["status", "status_since", "status_reason", "blacklisted_until"])
        audit.record(actor, "partners.agency_status", agency, before=before, after=after)
    return agency


def do_record_violation(
    agency: Agency,
    *,
    on: date,
    kind: str,
    description: str,
    penalty: str,
    actor,
    major: bool = False,
    budget_evaluation: bool = True,
) -> Violation:
    """违规记录. A major false report (弄虚作假) always blacklists; 暂停/黑名单 penalties change the status."""
    agency = _writable(actor, agency, "机构")
    errors: dict[str, list[str]] = {}
    if kind not in Violation.Kind.values:
        errors.setdefault("kind", []).append("请选择违规类型")
    if penalty not in Violation.Penalty.values:
        errors.setdefault("penalty", []).append("请选择处理方式")
    if not (description or "").strip():
        errors.setdefault("description", []).append("请填写违规情况")
    if on is None or on > _today():
        errors.setdefault("on", []).append("日期不能为空或晚于今天")
    if errors:
        raise ValidationError("违规记录信息有误。", errors)
    if kind == Violation.Kind.FALSE_REPORT and major:
        penalty = Violation.Penalty.BLACKLIST  # fraud: the ban of the region's blacklist rule
    with transaction.atomic():
        v = Violation.objects.create(
            region=agency.region,
            agency=agency,
            on=on,
            kind=kind,
            description=description.strip()[:500],
            major=major or penalty == Violation.Penalty.BLACKLIST,
            budget_evaluation=budget_evaluation,
            penalty=penalty,
            recorded_by=actor,
        )
        audit.record(actor, "partners.violation", v, after=audit.snapshot(v))
        label = f"{v.get_kind_display()}：{v.description}"
        if penalty == Violation.Penalty.BLACKLIST:
            do_change_status(agency, status=Agency.Status.BLACKLISTED, reason=label, actor=actor, start=on)
        elif penalty == Violation.Penalty.SUSPEND and agency.status == Agency.Status.NORMAL:
            do_change_status(agency, status=Agency.Status.SUSPENDED, reason=label, actor=actor, start=on)
    return v


# --- engagements and reports ----------------------------------------------------------------------------------------


def _subject_unit(subject) -> Organisation | None:
    if isinstance(subject, Organisation):
        return subject
    unit = getattr(subject, "unit", None)
    return unit if isinstance(unit, Organisation) else None


def _money(value, what: str) -> Decimal:
    try:
        d = Decimal(str(value).replace(",", "").strip()).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError(f"{what}不是有效的金额：{value}")
    if not d.is_finite() or d < 0:
        raise ValidationError(f"{what}不能为负数")
    return d


def do_engage(*, agency: Agency, subject, region, title: str, fee, actor, scope_text: str = "") -> Engagement:
    """委托: commission `agency` for `subject` (any model instance). Refused when the agency may not be selected."""
    region = _working_region(actor, region)
    if subject is None or getattr(subject, "pk", None) is None:
        raise ValidationError("请指定委托事项。")
    title = (title or "").strip()
    if not title:
        raise ValidationError("请填写委托事项名称。", {"title": ["请填写委托事项名称"]})
    amount = _money(fee, "委托费用")
    today = _today()
    if not selectable_agencies(actor, region, today.year).filter(pk=agency.pk).exists():
        agency.refresh_from_db()
        why = f"状态为“{agency.get_status_display()}”"
        if agency.blacklisted_until and agency.blacklisted_until >= today:
            why = f"处于黑名单期内（至{agency.blacklisted_until:%Y-%m-%d}）"
        elif agency.status == Agency.Status.NORMAL:
            why = "不在本辖区的机构库中"
        raise ValidationError(f"“{agency.name}”{why}，不能委托。")
    with transaction.atomic():
        e = Engagement.objects.create(
            region=region,
            agency=agency,
            content_type=ContentType.objects.get_for_model(subject),
            object_id=subject.pk,
            subject_repr=str(subject)[:200],
            unit=_subject_unit(subject),
            title=title[:200],
            scope_text=(scope_text or "").strip(),
            fee=amount,
            engaged_on=today,
            engaged_by=actor,
        )
        audit.record(
            actor,
            "partners.engage",
            e,
            after={"agency": agency.name, "subject": e.subject_repr, "title": e.title, "fee": f"{amount:.2f}"},
        )
    return e


def _payment_rule(region, year: int) -> quality.PaymentRule:
    try:
        return quality.PaymentRule.from_setting(setting("partners.payment_rule", region, year))
    except quality.QualityError as e:
        raise ValidationError(f"付费规则设置有误：{e}")


def _similarity_setting(region, year: int) -> tuple[float, int]:
    value = setting("partners.similarity", region, year)
    return float(value.get("threshold", 0.5)), int(value.get("min_chars", 30))


def do_accept_report(engagement, *, scores: dict, report_text: str, actor) -> Engagement:
    """验收: score the report on the quality checklist, set the payment by the region's payment rule, and look for
    template reports among all stored reports of the region's libraries (any agency)."""
    if not isinstance(engagement, Engagement):
        engagement = Engagement.objects.filter(pk=engagement).first()
        if engagement is None:
            raise NotFound("委托不存在或无权操作。")
    engagement = _writable(actor, engagement, "委托")
    text = (report_text or "").strip()
    if len(similarity.normalise(text)) < 20:
        raise ValidationError("请提交报告正文（至少20个字）。", {"report_text": ["报告正文过短"]})
    today = _today()
    try:
        result = quality.score_report(scores or {}, rule=_payment_rule(engagement.region, today.year))
    except quality.QualityError as e:
        raise ValidationError(f"质量考核评分有误：{e}")
    with transaction.atomic():
        e = Engagement.objects.select_for_update().select_related("agency__org").get(pk=engagement.pk)
        if e.status != Engagement.Status.ENGAGED:
            raise Conflict("该委托的报告已经验收。")
        e.report_text = text
        e.signature = list(similarity.signature(text))
        e.scores = {k: str(v) for k, v in scores.items()}
        e.quality_total = result.total
        e.grade = result.grade
        e.payment_ratio = result.payment_ratio
        e.payment = result.payment(e.fee)
        e.quality_notes = result.notes
        e.flagged = result.flagged
        e.status = Engagement.Status.ACCEPTED
        e.accepted_on = today
        e.accepted_by = actor
        e.version += 1
        e.save()
        flags = _detect_templates(e)
        audit.record(
            actor,
            "partners.accept_report",
            e,
            after={
                "quality_total": f"{result.total:.2f}",
                "grade": result.grade,
                "payment_ratio": str(result.payment_ratio),
                "payment": f"{e.payment:.2f}",
                "flagged": result.flagged,
                "template_flags": [[f.first_id, f.second_id, f.similarity] for f in flags],
            },
        )
    e.new_flags = flags
    return e


def _stored_reports(region):
    """Accepted reports of the libraries `region` belongs to (its own and the regions above and below it)."""
    top = Region.objects.filter(code=region.path.split("/")[0]).first() or region
    return Engagement.objects.filter(status=Engagement.Status.ACCEPTED, region__path__startswith=top.path).exclude(
        signature=[]
    )


def _detect_templates(e: Engagement) -> list[TemplateFlag]:
    """Compare the new report with every stored one: signatures first, then the engine on the few candidates."""
    threshold, min_chars = _similarity_setting(e.region, _today().year)
    floor = threshold - similarity.MARGIN
    new_sig = tuple(e.signature)
    candidates = []
    for pk, sig in _stored_reports(e.region).exclude(pk=e.pk).values_list("pk", "signature").iterator():
        if len(sig) == similarity.NUM_PERM and similarity.estimate(new_sig, tuple(sig)) >= floor:
            candidates.append(pk)
    if not candidates:
        return []
    others = {o.pk: o for o in Engagement.objects.filter(pk__in=candidates)}
    docs = {o.pk: o.report_text for o in sorted(others.values(), key=lambda o: o.pk)}
    docs[e.pk] = e.report_text
    sigs = {pk: tuple(o.signature) for pk, o in others.items()}
    sigs[e.pk] = new_sig
    out = []
    for pair in similarity.similar_pairs(docs, threshold, signatures=sigs):
        if e.pk not in (pair.a, pair.b):
            continue
        other = others[pair.b if pair.a == e.pk else pair.a]
        first, second = (other, e) if other.pk < e.pk else (e, other)
        passages = _passages(first.report_text, second.report_text, min_chars)
        flag, _ = TemplateFlag.objects.get_or_create(
            first=first,
            second=second,
            defaults={"region": e.region, "similarity": pair.similarity, "passages": passages},
        )
        out.append(flag)
    return out


def _passages(first_text: str, second_text: str, min_chars: int, limit: int = 12) -> list[list[str]]:
    """[later report's words, earlier report's words] of each shared passage, longest first (side by side)."""
    out = []
    for later in similarity.shared_passages(second_text, first_text, min_chars)[:limit]:
        earlier = similarity.shared_passages(first_text, later, min(min_chars, 8))
        out.append([later, earlier[0] if earlier else later])
    return out


def do_scan_reports(*, actor, region=None) -> int:
    """Re-run template detection over all stored reports of the region; returns the number of new flags."""
    region = _working_region(actor, region)
    threshold, min_chars = _similarity_setting(region, _today().year)
    reports = list(_stored_reports(region).filter(region__path__startswith=region.path).values_list("pk", "signature"))
    sigs = {pk: tuple(sig) for pk, sig in reports if len(sig) == similarity.NUM_PERM}
    keys = sorted(sigs)
    pairs = similarity.candidate_pairs([sigs[k] for k in keys], threshold)
    wanted = {
        (keys[i], keys[j])
        for i, j in pairs
        if similarity.estimate(sigs[keys[i]], sigs[keys[j]]) >= threshold - similarity.MARGIN
    }
    if not wanted:
        return 0
    ids = {k for pair in wanted for k in pair}
    texts = dict(Engagement.objects.filter(pk__in=ids).values_list("pk", "report_text"))
    docs = {k: texts[k] for k in sorted(ids)}
    created = 0
    with transaction.atomic():
        for pair in similarity.similar_pairs(docs, threshold, signatures={k: sigs[k] for k in ids}):
            first, second = sorted((pair.a, pair.b))
            if TemplateFlag.objects.filter(first_id=first, second_id=second).exists():
                continue
            TemplateFlag.objects.create(
                region=region,
                first_id=first,
                second_id=second,
                similarity=pair.similarity,
                passages=_passages(texts[first], texts[second], min_chars),
            )
            created += 1
        audit.record(
            actor,
            "partners.scan_reports",
            object_type="partners.templateflag",
            object_repr=f"{region.name}套用模板报告检测",
            region_id=region.pk,
            after={"reports": len(sigs), "new_flags": created},
        )
    return created


def do_set_flag(flag: TemplateFlag, *, status: str, actor) -> TemplateFlag:
    """The 绩效科 confirms a flagged pair as a template report or dismisses it."""
    flag = _writable(actor, flag, "疑似套用模板报告")
    if status not in TemplateFlag.Status.values:
        raise ValidationError("未知的核实结果。")
    with transaction.atomic():
        before = {"status": flag.status}
        TemplateFlag.objects.filter(pk=flag.pk).update(status=status)
        flag.status = status
        audit.record(actor, "partners.template_flag", flag, before=before, after={"status": status})
    return flag


@dataclass
class Elimination:
    year: int
    removed: list[Agency]


def do_eliminate(*, actor, year: int, region=None) -> Elimination:
    """末位淘汰: agencies the year's ranking eliminates are 清退 (removed) from the library."""
    from wenxiao.partners.selectors import ranking

    region = _working_region(actor, region)
    removed = []
    with transaction.atomic():
        for row in ranking(actor, region, year):
            r, agency = row["r"], row["agency"]
            if r.eliminated and agency.status in (Agency.Status.NORMAL, Agency.Status.SUSPENDED):
                reason = f"{year}年度质量考核排名第{r.rank}名（平均{quality.fmt(r.mean)}分）：{'；'.join(r.reasons)}"
                removed.append(do_change_status(agency, status=Agency.Status.REMOVED, reason=reason, actor=actor))
        audit.record(
            actor,
            "partners.eliminate",
            object_type="partners.agency",
            object_repr=f"{region.name}{year}年度末位淘汰",
            region_id=region.pk,
            after={"year": year, "removed": [a.name for a in removed]},
        )
    return Elimination(year, removed)


# --- experts -----------------------------------------------------------------------------------------------------


def _split(value) -> list[str]:
    if isinstance(value, str):
        value = re.split(r"[,，、;；\n]+", value)
    return list(dict.fromkeys(v.strip() for v in (value or []) if v and v.strip()))


def _clean_expert(data: dict) -> tuple[dict, dict]:
    errors: dict[str, list[str]] = {}
    out = {k: data[k] for k in EXPERT_FIELDS if k in data}
    secrets = {k: (data[k] or "").strip() for k in SECRET_FIELDS if k in data}
    for key in ("name", "title", "employer", "position"):
        if key in out:
            out[key] = (out[key] or "").strip()
    if "name" in out and not out["name"]:
        errors.setdefault("name", []).append("请填写姓名")
    if "employer" in out and not out["employer"]:
        errors.setdefault("employer", []).append("请填写工作单位（回避检查需要）")
    for key in ("fields", "relations"):
        if key in out:
            out[key] = _split(out[key])
    if "fields" in out and not out["fields"]:
        errors.setdefault("fields", []).append("请至少填写一个专业领域")
    if "status" in out and out["status"] not in Expert.Status.values:
        errors.setdefault("status", []).append("未知的专家状态")
    if secrets.get("phone") and not PHONE.match(secrets["phone"]):
        errors.setdefault("phone", []).append("联系电话格式不正确")
    if secrets.get("email") and not EMAIL.match(secrets["email"]):
        errors.setdefault("email", []).append("电子邮箱格式不正确")
    if errors:
        raise ValidationError("专家信息有误。", errors)
    return out, secrets


def _account(username: str | None, role: str, field: str) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username.strip(), is_active=True, assignments__role=role).first()
    if user is None:
        label = {"expert": "专家", "viewer": "监督查看"}.get(role, role)
        raise ValidationError(f"账号 {username} 不存在或不是{label}角色。", {field: ["账号不存在或角色不符"]})
    return user


def _expert_snapshot(e: Expert) -> dict:
    data = audit.snapshot(e, ["id", "region", "user", "name", "title", "employer", "position", "fields", "relations"])
    data["status"] = e.status
    data["contact"] = "已登记" if (e.phone or e.email) else ""  # never the numbers themselves
    return data


def do_register_expert(*, actor, region=None, username: str | None = None, **data) -> Expert:
    region = _working_region(actor, region)
    fields, secrets = _clean_expert({"name": "", "employer": "", "fields": [], **data})
    user = _account(username, "expert", "username")
    if user is not None and Expert.objects.filter(user=user).exists():
        raise ValidationError(f"账号 {user.username} 已关联其他专家。", {"username": ["账号已关联其他专家"]})
    with transaction.atomic():
        e = Expert.objects.create(region=region, user=user, registered_by=actor, **fields, **secrets)
        audit.record(actor, "partners.expert_register", e, after=_expert_snapshot(e))
    return e


def do_edit_expert(expert: Expert, *, actor, version: int | None = None, **data) -> Expert:
    expert = _writable(actor, expert, "专家")
    fields, secrets = _clean_expert(data)
    with transaction.atomic():
        expert = Expert.objects.select_for_update().get(pk=expert.pk)
        _check_version(expert, version)
        before = _expert_snapshot(expert)
        changed_secret = any(getattr(expert, k) != v for k, v in secrets.items())
        for k, v in {**fields, **secrets}.items():
            setattr(expert, k, v)
        expert.version += 1
        expert.save()
        b, a = audit.diff(before, _expert_snapshot(expert))
        if changed_secret:
            b["contact"], a["contact"] = "（原联系方式）", "联系方式已修改"
        audit.record(actor, "partners.expert_edit", expert, before=b, after=a)
    return expert


def do_add_expert_engagement(expert: Expert, *, unit_name: str, on: date, actor, description: str = ""):
    """业务往来 record: within the look-back window it excludes the expert from draws on that unit."""
    expert = _writable(actor, expert, "专家")
    if not (unit_name or "").strip():
        raise ValidationError("请填写单位名称。", {"unit_name": ["请填写单位名称"]})
    if on is None or on > _today():
        raise ValidationError("日期不能为空或晚于今天。", {"on": ["日期不正确"]})
    with transaction.atomic():
        row = ExpertEngagement.objects.create(
            region=expert.region,
            expert=expert,
            unit_name=unit_name.strip()[:120],
            on=on,
            description=(description or "").strip()[:200],
            recorded_by=actor,
        )
        audit.record(actor, "partners.expert_engagement", row, after=audit.snapshot(row))
    return row


def do_add_expert_note(expert: Expert, *, task: str, rating: str, actor, note: str = "") -> ExpertNote:
    """履职评价 after a task."""
    expert = _writable(actor, expert, "专家")
    if rating not in dict(ExpertNote.RATINGS):
        raise ValidationError("评价应为优、良、中、差之一。", {"rating": ["请选择评价"]})
    if not (task or "").strip():
        raise ValidationError("请填写任务。", {"task": ["请填写任务"]})
    with transaction.atomic():
        n = ExpertNote.objects.create(
            region=expert.region,
            expert=expert,
            task=task.strip()[:200],
            rating=rating,
            note=(note or "")[:500],
            by=actor,
        )
        audit.record(actor, "partners.expert_note", n, after=audit.snapshot(n))
    return n


def do_draw_experts(
    *, region, subject_org, count: int, fields, purpose: str, actor, subject=None, exclude_ids=(), seed=None
) -> ExpertDraw:
    """Draw `count` experts at random for a task on `subject_org`, excluding conflicts of interest (同一工作单位,
    近期业务往来, 申报的关联关系). Every draw is stored with its seed and logged in the audit log."""
    region = _working_region(actor, region)
    if subject_org is None:
        raise ValidationError("请选择被评价单位。", {"unit": ["请选择被评价单位"]})
    if not subject_org.region.path.startswith(region.path):
        raise ValidationError("被评价单位不在本辖区。", {"unit": ["被评价单位不在本辖区"]})
    try:
        count = int(count)
    except (TypeError, ValueError):
        raise ValidationError("抽取人数应为整数。", {"count": ["抽取人数应为整数"]})
    if not 1 <= count <= 50:
        raise ValidationError("抽取人数应在1到50名之间。", {"count": ["抽取人数应在1到50名之间"]})
    purpose = (purpose or "").strip()
    if not purpose:
        raise ValidationError("请填写抽取事由。", {"purpose": ["请填写抽取事由"]})
    wanted = _split(fields)
    rule = setting("partners.draw", region, _today().year)
    lookback = int(rule.get("lookback_years", draw_engine.DEFAULT_LOOKBACK_YEARS))
    rows = list(Expert.objects.filter(ancestors_q(subject_org.region)))  # the unit's libraries, its own and above
    pool = [
        draw_engine.Expert(
            id=e.pk,
            name=e.name,
            fields=frozenset(e.fields or ()),
            employer=e.employer,
            active=e.status != Expert.Status.INACTIVE,
            blacklisted=e.status == Expert.Status.BLACKLISTED,
        )
        for e in rows
    ]
    history = [
        draw_engine.Engagement(x.expert_id, x.unit_name, x.on)
        for x in ExpertEngagement.objects.filter(expert_id__in=[e.pk for e in rows])
    ]
    engaged = draw_engine.recent_engagements(history, _today(), lookback)
    relations = {e.pk: e.relations or [] for e in rows}
    seed = seed or draw_engine.new_seed()  # a given seed replays a logged draw (and keeps demo data reproducible)
    try:
        result = draw_engine.draw(
            pool,
            count,
            wanted,
            subject_org.name,
            engaged=engaged,
            relations=relations,
            seed=seed,
            exclude_ids=exclude_ids,
            strict_fields=bool(rule.get("strict_fields", False)),
        )
    except draw_engine.NotEnoughExperts as e:
        raise ValidationError(f"{e}（库内{len(pool)}名，回避或不可用{len(e.excluded)}名），未抽取。")
    except ValueError as e:
        raise ValidationError(str(e))
    names = {e.pk: e.name for e in rows}
    with transaction.atomic():
        d = ExpertDraw.objects.create(
            region=region,
            subject_org=subject_org,
            content_type=ContentType.objects.get_for_model(subject) if subject is not None else None,
            object_id=subject.pk if subject is not None else None,
            purpose=purpose[:200],
            fields=wanted,
            count=count,
            seed=str(seed),
            pool_size=result.pool_size,
            matched=result.matched,
            excluded=[[e.id, e.name, reason] for e, reason in result.excluded],
            drawn_by=actor,
        )
        DrawMember.objects.bulk_create(
            [DrawMember(draw=d, expert_id=e.id, order=i) for i, e in enumerate(result.chosen, start=1)]
        )
        audit.record(
            actor,
            "partners.draw",
            d,
            after={
                **result.as_log(),
                "unit": subject_org.name,
                "purpose": d.purpose,
                "fields": wanted,
                "chosen_names": [names[e.id] for e in result.chosen],
            },
        )
    return d


# --- supervision -------------------------------------------------------------------------------------------------


def do_register_supervisor(
    *, actor, name: str, kind: str, employer: str = "", phone: str = "", username: str | None = None, region=None
) -> Supervisor:
    region = _working_region(actor, region)
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors.setdefault("name", []).append("请填写姓名")
    if kind not in Supervisor.Kind.values:
        errors.setdefault("kind", []).append("请选择类别")
    if phone and not PHONE.match(phone.strip()):
        errors.setdefault("phone", []).append("联系电话格式不正确")
    if errors:
        raise ValidationError("监督指导人员信息有误。", errors)
    user = None
    if username:
        user = User.objects.filter(username=username.strip(), is_active=True).first()
        if user is None:
            raise ValidationError(f"账号 {username} 不存在。", {"username": ["账号不存在"]})
        if Supervisor.objects.filter(user=user).exists():
            raise ValidationError(f"账号 {username} 已关联其他监督指导人员。", {"username": ["账号已关联"]})
    with transaction.atomic():
        s = Supervisor.objects.create(
            region=region,
            user=user,
            name=name.strip(),
            kind=kind,
            employer=(employer or "").strip(),
            phone=(phone or "").strip(),
            registered_by=actor,
        )
        audit.record(actor, "partners.supervisor_register", s, after=audit.snapshot(s, ["name", "kind", "employer"]))
    return s


def do_invite_supervisor(*, supervisor: Supervisor, subject, actor, note: str = "") -> SupervisionInvitation:
    """Invite a supervisor to observe `subject` (any model instance); they then read it, and nothing else of it."""
    if subject is None or getattr(subject, "pk", None) is None:
        raise ValidationError("请指定监督事项。")
    region = getattr(subject, "region", None)
    region = region if isinstance(region, Region) else home_region(actor, ("performance",))
    if region is None or not is_writer(actor, region):
        raise PermissionDenied("监督邀请由财政绩效科发出。")
    if not region.path.startswith(supervisor.region.path):
        raise ValidationError("该监督指导人员不在本辖区的监督指导库中。")
    if not supervisor.active:
        raise ValidationError(f"{supervisor.name}已不在库，不能邀请。")
    ct = ContentType.objects.get_for_model(subject)
    try:
        with transaction.atomic():
            inv = SupervisionInvitation.objects.create(
                region=region,
                supervisor=supervisor,
                content_type=ct,
                object_id=subject.pk,
                subject_repr=str(subject)[:200],
                note=(note or "").strip()[:300],
                invited_by=actor,
            )
            audit.record(
                actor,
                "partners.invite",
                inv,
                after={"supervisor": supervisor.name, "subject": inv.subject_repr, "type": ct.model},
            )
    except IntegrityError:
        raise Conflict(f"已邀请{supervisor.name}监督该事项。")
    return inv

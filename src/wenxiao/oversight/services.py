"""Writes of 考核与综合评价: schemes, rounds (open, compute, import, manual scores, publish), 约谈 and 移送纪检监察.

Every write checks that the actor is the 绩效科 of the region that owns the scheme or round, runs in one
transaction and records an audit event. Scores are always recomputed by the pure engine (`scoring.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from wenxiao.core import audit
from wenxiao.core.config import setting
from wenxiao.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from wenxiao.core.scoping import can_write
from wenxiao.orgs.models import Organisation, Region
from wenxiao.orgs.selectors import home_region
from wenxiao.oversight import excel, metrics, scoring
from wenxiao.oversight.models import (
    AssessmentRound,
    AssessmentScheme,
    AssessmentScore,
    AssessmentSubject,
    Interview,
    Kind,
    Referral,
    RoundIndicator,
    Rule,
    SchemeIndicator,
    Source,
)

SPEC_FIELDS = (
    "order",
    "group",
    "name",
    "weight",
    "source",
    "metric",
    "rule",
    "full_mark",
    "zero_mark",
    "full_mark_high",
    "zero_mark_high",
    "unit",
    "standard",
)
NUMBER_FIELDS = ("weight", "full_mark", "zero_mark", "full_mark_high", "zero_mark_high")
NUMBER_LABELS = {
    "weight": "分值",
    "full_mark": "满分值",
    "zero_mark": "零分值",
    "full_mark_high": "区间上限",
    "zero_mark_high": "上限零分值",
}


# --- who writes --------------------------------------------------------------------------------------


def _check_writer(actor, region_id: int) -> None:
    if not can_write(actor):
        raise PermissionDenied("只读账号不能办理考核事项。")
    if actor.is_superuser:
        return
    if not actor.assignments.filter(role="performance", org__region_id=region_id).exists():
        raise PermissionDenied("只有组织考核的本级财政绩效科可以办理。")


def writer_region(actor) -> Region:
    """The region whose assessments the actor runs (its 绩效科's region)."""
    region = home_region(actor, ("performance",)) if can_write(actor) else None
    if region is None:
        raise PermissionDenied("考核由财政绩效科组织。")
    return region


def owned_round(actor, round_id: int) -> AssessmentRound:
    rnd = AssessmentRound.objects.visible_to(actor).filter(pk=round_id).first()
    if rnd is None:
        raise NotFound("考核轮次不存在。")
    _check_writer(actor, rnd.region_id)
    return rnd


def _owned_scheme(actor, scheme_id: int) -> AssessmentScheme:
    scheme = AssessmentScheme.objects.visible_to(actor).filter(pk=scheme_id).first()
    if scheme is None:
        raise NotFound("考核方案不存在。")
    _check_writer(actor, scheme.region_id)
    return scheme


def _open_round(rnd: AssessmentRound) -> None:
    if rnd.state != AssessmentRound.State.OPEN:
        raise Conflict("考核结果已公布，不能再修改。")


# --- schemes -----------------------------------------------------------------------------------------


def _fmt(d: Decimal) -> str:
    """10.00 → "10", 12.50 → "12.5"."""
    return f"{d.normalize():f}"


def _dec(v) -> Decimal | None:
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    try:
        d = Decimal(str(v).strip().replace(",", "").rstrip("%"))
    except InvalidOperation:
        raise ValueError(str(v)) from None
    if not d.is_finite():
        raise ValueError(str(v))
    return d


def template_rows(kind: str, region, year: int) -> list[dict]:
    """The default indicators of `kind` (setting `oversight.template.<kind>`) as scheme rows."""
    rows = []
    for i, r in enumerate(setting(f"oversight.template.{kind}", region, year) or []):
        group, name, weight, source, rule, full, zero, unit, key = (list(r) + [None] * 9)[:9]
        full_high = zero_high = None
        if isinstance(full, list):
            full, full_high = (full + [None, None])[:2]
        if isinstance(zero, list):
            zero, zero_high = (zero + [None, None])[:2]
        rows.append(
            {
                "order": i,
                "group": group or "",
                "name": name or "",
                "weight": weight,
                "source": source or "manual",
                "metric": key or "",
                "rule": rule or "manual",
                "full_mark": full,
                "zero_mark": zero,
                "full_mark_high": full_high,
                "zero_mark_high": zero_high,
                "unit": unit or "",
                "standard": "",
            }
        )
    return rows


def clean_indicators(rows: list[dict]) -> list[dict]:
    """Validate indicator rows (all of them, then raise once): names, weights adding up to 100, sound rules."""
    errors: dict[str, list[str]] = {}
    clean = []
    registry = metrics.registry()
    names = set()
    for i, row in enumerate(rows, start=1):
        name = str(row.get("name") or "").strip()
        label = f"第{i}行“{name or '（未命名）'}”"

        def err(msg, label=label, i=i):
            errors.setdefault(f"row-{i}", []).append(f"{label}：{msg}")

        out = {"order": i - 1, "name": name[:60], "group": str(row.get("group") or "").strip()[:30]}
        if not name:
            err("请填写指标名称")
        elif name in names:
            err("指标名称重复")
        names.add(name)
        if not out["group"]:
            err("请填写指标类别")
        for f in NUMBER_FIELDS:
            try:
                out[f] = _dec(row.get(f))
            except ValueError:
                err(f"{NUMBER_LABELS[f]}“{row.get(f)}”不是数字")
                out[f] = None
        source, rule = str(row.get("source") or ""), str(row.get("rule") or "")
        out.update(source=source, rule=rule, metric=str(row.get("metric") or "").strip())
        out["unit"] = str(row.get("unit") or "").strip()[:10]
        out["standard"] = str(row.get("standard") or "").strip()[:300]
        if source not in Source.values:
            err("请选择数据来源")
        if rule not in Rule.values:
            err("请选择评分规则")
        if (source == "manual") != (rule == "manual"):
            err("人工评分的指标数据来源和评分规则都应为“人工评分”")
        if source == "metric":
            if out["metric"] not in registry:
                err(f"未知的计算指标“{out['metric']}”")
        else:
            out["metric"] = ""
        if rule in Rule.values:
            for problem in scoring.check_rule(
                scoring.Rule(
                    rule,
                    out["weight"],
                    out["full_mark"],
                    out["zero_mark"],
                    out["full_mark_high"],
                    out["zero_mark_high"],
                )
            ):
                if rule != "manual" or "分值" in problem:
                    err(problem)
        if out["weight"] is not None and out["weight"] > 100:
            err("分值不能超过100")
        if rule != "range":
            out["full_mark_high"] = out["zero_mark_high"] = None
        if rule == "manual":
            out["full_mark"] = out["zero_mark"] = None
        clean.append(out)
    if not rows:
        errors.setdefault("rows", []).append("方案至少应有一个指标")
    total = sum((r["weight"] or 0 for r in clean), Decimal(0))
    if rows and total != 100:
        errors.setdefault("rows", []).append(f"各指标分值合计应为100，现为{_fmt(total)}")
    if errors:
        raise ValidationError("考核指标设置有误。", errors)
    return clean


def do_create_scheme(*, actor, year: int, kind: str, name: str = "", note: str = "") -> AssessmentScheme:
    """A scheme of the actor's region, with the indicators of the default template for its kind."""
    region = writer_region(actor)
    if kind not in Kind.values:
        raise ValidationError("请选择考核类型。")
    if not (2000 <= int(year) <= 2100):
        raise ValidationError("年度不正确。")
    rows = clean_indicators(template_rows(kind, region, year))
    name = (name or "").strip() or f"{region.name}{year}年度{Kind(kind).label}方案"
    with transaction.atomic():
        scheme = AssessmentScheme.objects.create(
            region=region, year=year, kind=kind, name=name[:100], note=note.strip(), created_by=actor
        )
        SchemeIndicator.objects.bulk_create([SchemeIndicator(region=region, scheme=scheme, **r) for r in rows])
        audit.record(
            actor, "oversight.scheme_create", scheme, after={"kind": kind, "year": year, "indicators": len(rows)}
        )
    return scheme


def _spec(ind) -> dict:
    return {f: getattr(ind, f) for f in SPEC_FIELDS}


def do_save_scheme(scheme_id: int, rows: list[dict], *, actor, expected_version=None, name=None, note=None):
    """Replace a scheme's indicators (rounds already opened keep their own copy)."""
    scheme = _owned_scheme(actor, scheme_id)
    clean = clean_indicators(rows)
    with transaction.atomic():
        current = AssessmentScheme.objects.select_for_update().get(pk=scheme.pk)
        if expected_version not in (None, "") and int(expected_version) != current.version:
            raise Conflict("该方案已被他人修改，请刷新后重试。")
        before = [_spec(i) for i in current.indicators.all()]
        if name is not None and name.strip():
            current.name = name.strip()[:100]
        if note is not None:
            current.note = note.strip()
        current.version += 1
        current.save()
        current.indicators.all().delete()
        SchemeIndicator.objects.bulk_create(
            [SchemeIndicator(region_id=current.region_id, scheme=current, **r) for r in clean]
        )
        audit.record(
            actor, "oversight.scheme_save", current, before={"indicators": before}, after={"indicators": clean}
        )
    return current


# --- rounds ------------------------------------------------------------------------------------------


def subjects_for(kind: str, region: Region) -> list[tuple[str, str, Region | None, Organisation | None]]:
    """(code, name, region, organisation) of what a round of `kind` assesses: the lower regions, or the
    departments of the region."""
    if kind == Kind.DEPARTMENT:
        orgs = Organisation.objects.filter(region=region, kind="department", is_active=True).order_by("code")
        return [(o.code, o.name, None, o) for o in orgs]
    return [(r.code, r.name, r, None) for r in Region.objects.filter(parent=region).order_by("code")]


def do_open_round(*, actor, scheme_id: int, name: str = "", note: str = "") -> AssessmentRound:
    scheme = _owned_scheme(actor, scheme_id)
    specs = list(scheme.indicators.all())
    subjects = subjects_for(scheme.kind, scheme.region)
    if not subjects:
        raise ValidationError(
            f"{scheme.region.name}没有可考核的{'主管部门' if scheme.kind == 'department' else '下级区划'}。"
        )
    if not specs:
        raise ValidationError("方案还没有指标。")
    name = (name or "").strip() or f"{scheme.region.name}{scheme.year}年度{scheme.get_kind_display()}"
    with transaction.atomic():
        rnd = AssessmentRound.objects.create(
            region_id=scheme.region_id,
            year=scheme.year,
            kind=scheme.kind,
            scheme=scheme,
            name=name[:100],
            note=note.strip(),
            opened_by=actor,
        )
        inds = RoundIndicator.objects.bulk_create(
            [RoundIndicator(region_id=rnd.region_id, round=rnd, **_spec(s)) for s in specs]
        )
        subs = AssessmentSubject.objects.bulk_create(
            [
                AssessmentSubject(
                    region_id=rnd.region_id,
                    round=rnd,
                    code=c,
                    name=n,
                    subject_region=r,
                    subject_org=o,
                    missing=len(inds),
                )
                for c, n, r, o in subjects
            ]
        )
        AssessmentScore.objects.bulk_create(
            [AssessmentScore(region_id=rnd.region_id, subject=s, indicator=i) for s in subs for i in inds]
        )
        audit.record(
            actor,
            "oversight.round_open",
            rnd,
            after={"scheme": scheme.pk, "year": rnd.year, "subjects": len(subs), "indicators": len(inds)},
        )
    return rnd


def recompute(rnd: AssessmentRound) -> None:
    """Score every non-manual item from its value, then totals, ranks and grades of the round's subjects."""
    no_data_full = setting("oversight.no_data", rnd.region, rnd.year) != "zero"
    bands = setting("oversight.grade_bands", rnd.region, rnd.year)
    scores = list(AssessmentScore.objects.filter(subject__round=rnd).select_related("indicator"))
    changed = []
    for s in scores:
        ind = s.indicator
        if ind.source == Source.MANUAL:
            continue
        if s.value is not None:
            new, note = scoring.score(ind.as_rule(), s.value), ""
        elif ind.source == Source.METRIC and s.updated_at is not None:  # computed, nothing to measure
            new = ind.weight if no_data_full else Decimal("0.00")
            note = "无相关业务，不扣分" if no_data_full else "无相关业务，不得分"
        else:
            new, note = None, ""
        if new != s.score or note != s.note:
            s.score, s.note = new, note
            changed.append(s)
    AssessmentScore.objects.bulk_update(changed, ["score", "note"], batch_size=500)
    by_subject: dict[int, list] = {}
    for s in scores:
        by_subject.setdefault(s.subject_id, []).append(s.score)
    subjects = list(AssessmentSubject.objects.filter(round=rnd))
    totals = {s.pk: scoring.total(by_subject.get(s.pk, [])) for s in subjects}
    ranks = scoring.rank(totals)
    for s in subjects:
        s.total = totals[s.pk]
        s.missing = sum(1 for v in by_subject.get(s.pk, []) if v is None)
        s.rank = ranks[s.pk]
        s.grade = scoring.grade(s.total, bands)
    AssessmentSubject.objects.bulk_update(subjects, ["total", "missing", "rank", "grade"], batch_size=500)


@dataclass
class RunSummary:
    computed: int
    empty: int
    metrics: int


def do_run_metrics(round_id: int, *, actor) -> RunSummary:
    """Fill every computed indicator of every subject from the system's data, then rescore the round."""
    rnd = owned_round(actor, round_id)
    _open_round(rnd)
    inds = list(rnd.indicators.filter(source=Source.METRIC))
    subjects = list(rnd.subjects.select_related("subject_region", "subject_org"))
    values = {}
    for ind in inds:
        for s in subjects:
            values[(s.pk, ind.pk)] = metrics.compute(ind.metric, s.subject, rnd.year)
    now = timezone.now()
    with transaction.atomic():
        AssessmentRound.objects.select_for_update().filter(pk=rnd.pk).first()
        rows = list(AssessmentScore.objects.filter(subject__round=rnd, indicator__in=inds))
        for row in rows:
            row.value = values.get((row.subject_id, row.indicator_id))
            row.updated_by, row.updated_at = actor, now
        AssessmentScore.objects.bulk_update(rows, ["value", "updated_by", "updated_at"], batch_size=500)
        recompute(rnd)
        AssessmentRound.objects.filter(pk=rnd.pk).update(computed_at=now, version=F("version") + 1)
        summary = RunSummary(
            computed=sum(1 for v in values.values() if v is not None),
            empty=sum(1 for v in values.values() if v is None),
            metrics=len(inds),
        )
        audit.record(
            actor,
            "oversight.round_run",
            rnd,
            after={"computed": summary.computed, "empty": summary.empty, "metrics": summary.metrics},
        )
    return summary


def import_columns(rnd: AssessmentRound) -> list[excel.Column]:
    return [excel.Column(i.pk, i.name, i.unit) for i in rnd.indicators.filter(source=Source.IMPORT)]


def import_template(actor, rnd: AssessmentRound) -> bytes:
    columns = import_columns(rnd)
    current = {
        (s.subject.code, s.indicator_id): s.value
        for s in AssessmentScore.objects.filter(subject__round=rnd, indicator__source=Source.IMPORT).select_related(
            "subject"
        )
        if s.value is not None
    }
    subjects = list(rnd.subjects.order_by("code").values_list("code", "name"))
    return excel.template_xlsx(f"{rnd.name} 数据导入模板", subjects, columns, current)


def do_import_values(round_id: int, data: bytes, filename: str, *, actor, dry_run: bool = False) -> excel.Parsed:
    """Import the template: every cell validated first; any error and nothing is written (the errors come back)."""
    rnd = owned_round(actor, round_id)
    _open_round(rnd)
    columns = import_columns(rnd)
    if not columns:
        raise ValidationError("本轮考核没有需要导入的指标。")
    subjects = dict(rnd.subjects.values_list("code", "name"))
    parsed = excel.read_values(data, subjects, columns)
    if not parsed.ok or dry_run:
        return parsed
    ids = dict(rnd.subjects.values_list("code", "pk"))
    now = timezone.now()
    with transaction.atomic():
        AssessmentRound.objects.select_for_update().filter(pk=rnd.pk).first()
        wanted = {(ids[code], ind): v for code, vals in parsed.values.items() for ind, v in vals.items()}
        rows = list(
            AssessmentScore.objects.filter(subject__round=rnd, indicator_id__in=[c.id for c in columns]).select_related(
                "subject", "indicator"
            )
        )
        changed = {}
        for row in rows:
            key = (row.subject_id, row.indicator_id)
            if key in wanted:
                if row.value != wanted[key]:
                    changed[f"{row.subject.name}·{row.indicator.name}"] = [row.value, wanted[key]]
                row.value, row.updated_by, row.updated_at = wanted[key], actor, now
                row.version += 1
        AssessmentScore.objects.bulk_update(rows, ["value", "updated_by", "updated_at", "version"], batch_size=500)
        recompute(rnd)
        AssessmentRound.objects.filter(pk=rnd.pk).update(version=F("version") + 1)
        audit.record(
            actor,
            "oversight.round_import",
            rnd,
            after={"file": filename[:200], "rows": parsed.rows, "values": len(wanted), "changed": changed},
        )
    return parsed


def do_score_manual(score_id: int, *, actor, score, note: str, evidence=None, expected_version=None) -> AssessmentScore:
    """人工评分: a score within [0, 分值] with a note, and optionally an evidence file (core.attachments)."""
    from wenxiao.core.attachments import attach

    row = (
        AssessmentScore.objects.visible_to(actor)
        .select_related("indicator", "subject__round")
        .filter(pk=score_id)
        .first()
    )
    if row is None:
        raise NotFound("评分项不存在。")
    rnd = row.subject.round
    _check_writer(actor, rnd.region_id)
    _open_round(rnd)
    if row.indicator.source != Source.MANUAL:
        raise ValidationError(f"“{row.indicator.name}”不是人工评分指标，其得分由数据计算。")
    try:
        value = _dec(score)
    except ValueError:
        value = None
        raise ValidationError(f"得分“{score}”不是数字。") from None
    errors = []
    if value is None:
        errors.append("请填写得分")
    elif not (0 <= value <= row.indicator.weight):
        errors.append(f"得分应在0到{_fmt(row.indicator.weight)}分之间")
    elif value != value.quantize(Decimal("0.01")):
        errors.append("得分最多保留两位小数")
    if not (note or "").strip():
        errors.append("请填写评分说明（扣分理由或依据）")
    if errors:
        raise ValidationError("评分有误。", {"score": errors})
    with transaction.atomic():
        current = AssessmentScore.objects.select_for_update().get(pk=row.pk)
        if expected_version not in (None, "") and int(expected_version) != current.version:
            raise Conflict("该项评分已被他人修改，请刷新后重试。")
        before = {"score": current.score, "note": current.note}
        current.score, current.note = value.quantize(Decimal("0.01")), note.strip()[:500]
        current.updated_by, current.updated_at = actor, timezone.now()
        current.version += 1
        current.save()
        audit.record(
            actor,
            "oversight.score_manual",
            current,
            before=before,
            after={"score": current.score, "note": current.note},
        )
        if evidence is not None:
            attach(current, evidence, actor=actor, note=f"{row.subject.name}·{row.indicator.name} 评分依据")
        recompute(rnd)
    return current


def do_publish_round(round_id: int, *, actor, expected_version=None) -> AssessmentRound:
    """公布: the ranking is final and the subjects (lower bureaus, departments) see their own results."""
    rnd = owned_round(actor, round_id)
    _open_round(rnd)
    missing = list(
        AssessmentScore.objects.filter(subject__round=rnd, score__isnull=True)
        .select_related("subject", "indicator")
        .order_by("subject__code", "indicator__order")[:20]
    )
    if missing:
        n = AssessmentScore.objects.filter(subject__round=rnd, score__isnull=True).count()
        raise ValidationError(
            f"还有{n}项未评分（未导入或未人工评分），不能公布。",
            {"missing": [f"{m.subject.name}：{m.indicator.name}" for m in missing]},
        )
    with transaction.atomic():
        current = AssessmentRound.objects.select_for_update().get(pk=rnd.pk)
        if expected_version not in (None, "") and int(expected_version) != current.version:
            raise Conflict("该考核轮次已被他人修改，请刷新后重试。")
        _open_round(current)
        recompute(current)
        current.state, current.published_at, current.version = "published", timezone.now(), current.version + 1
        current.save(update_fields=["state", "published_at", "version"])
        top = list(current.subjects.order_by("rank", "code").values_list("name", "total", "grade")[:3])
        audit.record(actor, "oversight.round_publish", current, after={"state": "published", "top": top})
    return current


# --- 约谈 and 移送纪检监察 ----------------------------------------------------------------------------------


def _owned_subject(actor, subject_id: int) -> AssessmentSubject:
    s = AssessmentSubject.objects.visible_to(actor).select_related("round").filter(pk=subject_id).first()
    if s is None:
        raise NotFound("考核对象不存在。")
    _check_writer(actor, s.round.region_id)
    return s


def _date(v, label: str, errors: list) -> date | None:
    if isinstance(v, date):
        return v
    try:
        return date.fromisoformat(str(v or "").strip())
    except ValueError:
        errors.append(f"请填写{label}（YYYY-MM-DD）")
        return None


def do_record_interview(
    subject_id: int, *, actor, date, attendees: str, problems: str, deadline, requirements: str = ""
) -> Interview:
    s = _owned_subject(actor, subject_id)
    errors: list[str] = []
    d = _date(date, "约谈日期", errors)
    due = _date(deadline, "整改期限", errors)
    if not attendees.strip():
        errors.append("请填写参加人员")
    if not problems.strip():
        errors.append("请填写存在问题")
    if d and due and due <= d:
        errors.append("整改期限应晚于约谈日期")
    if errors:
        raise ValidationError("约谈记录有误。", {"interview": errors})
    with transaction.atomic():
        iv = Interview.objects.create(
            region_id=s.region_id,
            subject=s,
            date=d,
            attendees=attendees.strip()[:300],
            problems=problems.strip(),
            requirements=requirements.strip(),
            deadline=due,
            created_by=actor,
        )
        audit.record(actor, "oversight.interview", iv, after=audit.snapshot(iv))
    return iv


def do_update_interview(interview_id: int, *, actor, status: str, result: str, expected_version=None) -> Interview:
    iv = Interview.objects.visible_to(actor).select_related("subject__round").filter(pk=interview_id).first()
    if iv is None:
        raise NotFound("约谈记录不存在。")
    _check_writer(actor, iv.subject.round.region_id)
    if status not in Interview.Status.values:
        raise ValidationError("未知的整改状态。")
    if status == Interview.Status.DONE and not result.strip():
        raise ValidationError("标记为已整改须填写整改情况。")
    with transaction.atomic():
        current = Interview.objects.select_for_update().get(pk=iv.pk)
        if expected_version not in (None, "") and int(expected_version) != current.version:
            raise Conflict("该约谈记录已被他人修改，请刷新后重试。")
        before = {"status": current.status, "result": current.result}
        current.status, current.result, current.version = status, result.strip(), current.version + 1
        current.save()
        audit.record(
            actor,
            "oversight.interview_update",
            current,
            before=before,
            after={"status": status, "result": current.result},
        )
    return current


def do_refer(subject_id: int, *, actor, date, matter: str, reason: str, recipient: str) -> Referral:
    s = _owned_subject(actor, subject_id)
    errors: list[str] = []
    d = _date(date, "移送日期", errors)
    for value, label in ((matter, "移送事项"), (reason, "移送理由"), (recipient, "移送机关")):
        if not value.strip():
            errors.append(f"请填写{label}")
    if errors:
        raise ValidationError("移送记录有误。", {"referral": errors})
    with transaction.atomic():
        ref = Referral.objects.create(
            region_id=s.region_id,
            subject=s,
            date=d,
            matter=matter.strip()[:200],
            reason=reason.strip(),
            recipient=recipient.strip()[:100],
            created_by=actor,
        )
        audit.record(actor, "oversight.referral", ref, after=audit.snapshot(ref))
    return ref


def do_update_referral(referral_id: int, *, actor, status: str, result: str, expected_version=None) -> Referral:
    ref = Referral.objects.visible_to(actor).select_related("subject__round").filter(pk=referral_id).first()
    if ref is None:
        raise NotFound("移送记录不存在。")
    _check_writer(actor, ref.subject.round.region_id)
    if status not in Referral.Status.values:
        raise ValidationError("未知的办理状态。")
    if status == Referral.Status.CONCLUDED and not result.strip():
        raise ValidationError("办结须填写处理结果。")
    with transaction.atomic():
        current = Referral.objects.select_for_update().get(pk=ref.pk)
        if expected_version not in (None, "") and int(expected_version) != current.version:
            raise Conflict("该移送记录已被他人修改，请刷新后重试。")
        before = {"status": current.status, "result": current.result}
        current.status, current.result, current.version = status, result.strip(), current.version + 1
        current.save()
        audit.record(
            actor,
            "oversight.referral_update",
            current,
            before=before,
            after={"status": status, "result": current.result},
        )
    return current

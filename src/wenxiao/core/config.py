"""Settings per region and year: every threshold the reference marks [U] or a requirement calls a default.

`setting(key, region, year)` looks for the most specific row: this region and year, this region any year, then
each ancestor region the same way, then the national row (region empty), and finally the default declared
here in code. Rows are edited by 绩效科 of the region; the national defaults are the documents' numbers.
"""

from __future__ import annotations

from typing import Any

DEFAULTS: dict[str, tuple[Any, str]] = {
    "security.lockout_threshold": (5, "连续登录失败多少次后锁定账号"),
    "security.lockout_minutes": (30, "账号锁定时长（分钟）"),
    "security.idle_minutes": (30, "无操作多少分钟后自动退出登录"),
    "security.password_history": (5, "不得重复使用最近几次的密码"),
    "security.password_max_age_days": (90, "密码有效期（天），到期须修改；0 为不限"),
    # key: (default, what it is)
    "targets.framework": ("10号", "绩效指标体系：10号（产出/效益/满意度）或 101号（成本为一级指标）"),
    "targets.required_classes": (["3"], "须申报绩效目标才能批复预算的项目类别（3=特定目标类）"),
    "targets.special_fund_min_quantitative": (10, "专项资金至少应设置的量化指标个数（R11）"),
    "targets.review": (
        {},
        "智能审核阈值（如 max_row_weight 单项最高分值、satisfaction_min 满意度下限、unit_cost_factor 单位成本偏离倍数，"
        "见 targets/rules.py 的 ReviewConfig）",
    ),
    "appraisal.triggers": (
        {"threshold": 2_000_000, "finance_threshold": 5_000_000},
        "事前评估触发金额（元）：财政资金达到 threshold 的新增项目须部门评估，达到 finance_threshold 原则上由财政评估",
    ),
    "appraisal.cutoffs": (
        {"support": 80, "adjust": 60},
        "事前评估结论分数线：≥support 予以支持，≥adjust 调整完善后予以支持，其余不予支持",
    ),
    "appraisal.ratings": ({"优": 1, "良": 0.8, "中": 0.6, "差": 0.3}, "事前评估要点等级对应的得分比例"),
    "appraisal.template": ({}, "事前评估模板 {维度: [[要点, 分值], …]}；为空时用默认模板（六个维度共100分）"),
    "monitoring.rules": (
        {
            "yellow_behind": 10,
            "red_behind": 20,
            "checkpoints": [[10, 60], [12, 85]],
            "forecast_min": 85,
            "divergence": 10,
            "low_rate": 70,
            "low_years": 2,
        },
        "监控预警规则：执行率落后序时进度 yellow_behind/red_behind 个百分点亮黄/红灯；"
        "checkpoints 为[月份, 最低累计执行率]节点（默认10月底60%、12月底85%）；"
        "预计年底执行率低于 forecast_min 预警；"
        "目标完成与执行进度相差超过 divergence 个百分点预警；"
        "连续 low_years 年执行率低于 low_rate 列入重点评价（R18、R19、R21）",
    ),
    "targets.grade_effects": (
        {"优": "pass", "良": "pass", "中": "return", "差": "reject"},
        "绩效科终审等级的处理（88号：优直接进入预算安排；良财政修改后进入；中退回修改；差不得进入预算安排）",
    ),
}


def setting(key: str, region=None, year: int | None = None) -> Any:
    from wenxiao.core.models import Setting

    default = DEFAULTS[key][0]
    codes = [c for c in (region.path.split("/") if region is not None else []) if c]
    rows = list(Setting.objects.filter(key=key).values("region__code", "year", "value"))
    if not rows:
        return default
    order = list(reversed(codes)) + [None]  # most specific region first, national last

    def rank(row):
        r = row["region__code"]
        if r not in order or (row["year"] is not None and row["year"] != year):
            return None
        return (order.index(r), 0 if row["year"] == year else 1)

    ranked = sorted((rank(r), i) for i, r in enumerate(rows) if rank(r) is not None)
    return rows[ranked[0][1]]["value"] if ranked else default


def parse_value(key: str, text: str):
    """A setting typed in a form: JSON of the same type as the default (a bare word is taken as a string)."""
    import json

    from wenxiao.core.errors import ValidationError

    default = DEFAULTS[key][0]
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        if isinstance(default, str):
            return text.strip()
        raise ValidationError(f"“{text}”不是有效的取值（应为 JSON，例如 {json.dumps(default, ensure_ascii=False)}）")
    if type(value) is not type(default) and not (isinstance(default, float) and isinstance(value, int)):
        raise ValidationError(f"取值类型应与默认值一致：{json.dumps(default, ensure_ascii=False)}")
    return value


def do_set_setting(key: str, *, region, year: int | None, value, actor, note: str = ""):
    """Set a rule for `region` (and its subtree), optionally for one year; the 绩效科 of that region decides."""
    from django.db import transaction

    from wenxiao.core import audit
    from wenxiao.core.errors import PermissionDenied, ValidationError
    from wenxiao.core.models import Setting
    from wenxiao.core.scoping import scope_for

    if key not in DEFAULTS:
        raise ValidationError(f"未知的参数：{key}")
    if not (actor.is_superuser or region.pk in scope_for(actor, ("performance",)).region_ids):
        raise PermissionDenied("只有本辖区的绩效科可以设置参数。")
    with transaction.atomic():
        row = Setting.objects.filter(key=key, region=region, year=year).first()
        before = row.value if row else None
        if row is None:
            row = Setting(key=key, region=region, year=year)
        row.value, row.note = value, note
        row.save()
        audit.record(
            actor,
            "setting.set",
            row,
            object_repr=f"{region.name}{year or ''} {key}",
            before={"value": before},
            after={"value": value, "year": year},
            region_id=region.pk,
        )
    return row

"""Settings per region and year: every threshold the reference marks [U] or a requirement calls a default.

`setting(key, region, year)` looks for the most specific row: this region and year, this region any year, then
each ancestor region the same way, then the national row (region empty), and finally the default declared
here in code. Rows are edited by 绩效科 of the region; the national defaults are the documents' numbers.
"""

from __future__ import annotations

import copy
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
    "evaluation.scoring": (
        {},
        "单位自评评分规则（见 evaluation/scoring.py 的 ScoringConfig）：weights 各一级指标分值，"
        "exec_rounding 执行率得分取整方式（exact/whole/floor），over_ratio 超目标须说明的比例（默认1.3），"
        "over_deduction 超目标扣分，"
        "qual_bands 定性指标得分区间，grade_cutoffs 等级分数线",
    ),
    "evaluation.review_sample": ({"share": 0.2}, "财政复评抽样比例（有可信度提示的自评表全部纳入）"),
    "evaluation.candidates": (
        {"amount": 5_000_000, "cycle_years": 5, "low_rate": 70},
        "重点评价候选规则：资金达到 amount 元；cycle_years 年内未评价的重点项目；执行率连续低于 low_rate% 的项目",
    ),
    "evaluation.framework_weights": (
        {"决策": 15, "过程": 25, "产出": 35, "效益": 25},
        "部门/财政评价一级指标默认分值（10号附件2；产出+效益不得低于60）",
    ),
    "evaluation.internal_review_pass": (80, "报告内部点评通过分数线（四个维度各25分）"),
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
    # 第三方机构与专家 (partners/quality.py SETTINGS, partners/draw.py)
    "partners.payment_rule": (
        {"bands": [[90.0, "优", 1.0], [80.0, "良", 0.95], [60.0, "中", 0.85], [0.0, "差", 0.7]], "flag_below": 60.0},
        "第三方报告质量得分对应的付费比例：bands 为[分数线, 等级, 支付比例]，低于 flag_below 分为不合格",
    ),
    "partners.ranking": (
        {"eliminate_share": 0.1, "min_reports": 1, "pass_mark": 60},
        "第三方机构年度排名：末位淘汰比例、参与排名的最少报告数、年度平均分合格线",
    ),
    "partners.selection": (
        {"min_years": 0, "min_staff": 5, "min_qualified_staff": 3, "violation_years": 3},
        "第三方机构入库条件：成立年限、专职人员、具有执业资格或中级以上职称人员、重大违规回溯年限",
    ),
    "partners.blacklist_years": (3, "第三方机构列入黑名单的年限"),
    "partners.draw": (
        {"lookback_years": 3, "strict_fields": False},
        "专家抽取：近 lookback_years 年内与被评价单位有业务往来的专家回避；strict_fields 为 true 时只从相符领域抽取",
    ),
    "partners.similarity": (
        {"threshold": 0.5, "min_chars": 30},
        "套用模板报告检测：相似度达到 threshold 即提示，相同段落至少 min_chars 个字",
    ),
    # 等保三级 (core/security.py, core/audit.py)
    "security.totp_roles": (
        [],
        '须使用动态口令（第二因素）登录的角色，如 ["performance","business","sysadmin","secadmin",'
        '"auditadmin"]；为空则自愿绑定',
    ),
    "security.rate_login_ip": (30, "同一来源地址在一个时间窗内最多尝试登录的次数（含动态口令）；0 为不限"),
    "security.rate_login_user": (10, "同一用户名在一个时间窗内最多尝试登录的次数（含动态口令）；0 为不限"),
    "security.rate_login_window": (300, "登录频率限制的时间窗（秒）"),
    "security.rate_api": (1200, "每个接口令牌（或用户）在一个时间窗内最多的接口请求次数；0 为不限"),
    "security.rate_api_window": (60, "接口频率限制的时间窗（秒）"),
    "security.audit_retention_days": (180, "审计日志至少保留的天数（不少于 180 天，等保三级要求）"),
    # 考核 and 财政运行综合绩效评价 (REFERENCE §8 [U]): indicator rows are
    # [分组, 指标, 分值, 来源 metric/import/manual, 规则 positive/reverse/range/manual, 满分值, 零分值, 单位,
    #  计算指标键]; a range rule gives [下限, 上限] for both thresholds. The 绩效科 copies a template into a scheme.
    "oversight.template.fiscal": (
        [
            ["收入质量", "税收收入占比", 10, "import", "positive", 75, 50, "%", ""],
            ["支出结构", "民生支出占比", 10, "import", "positive", 80, 60, "%", ""],
            ["支出进度", "预算执行率", 10, "metric", "positive", 95, 60, "%", "execution_rate"],
            ["“三保”保障", "“三保”支出保障率", 15, "import", "positive", 100, 90, "%", ""],
            ["债务风险", "政府债务率", 10, "import", "reverse", 100, 150, "%", ""],
            ["库款管理", "库款保障水平", 10, "import", "range", [0.3, 0.8], [0.1, 1.5], "", ""],
            ["暂付款管理", "暂付款占支出比重", 5, "import", "reverse", 5, 10, "%", ""],
            ["预算绩效管理", "绩效目标申报率", 10, "metric", "positive", 100, 80, "%", "target_rate"],
            ["预算绩效管理", "绩效监控覆盖率", 10, "metric", "positive", 100, 80, "%", "monitoring_coverage"],
            ["预算绩效管理", "评价结果应用与公开", 10, "manual", "manual", None, None, "", ""],
        ],
        "财政运行综合绩效评价默认指标模板（收入、支出、“三保”、债务、库款、暂付款、预算绩效管理）",
    ),
    "oversight.template.bureau": (
        [
            ["制度建设", "预算绩效管理制度建设", 10, "manual", "manual", None, None, "", ""],
            ["事前评估", "事前绩效评估完成率", 10, "metric", "positive", 100, 60, "%", "appraisal_coverage"],
            ["目标管理", "绩效目标申报率", 15, "metric", "positive", 100, 80, "%", "target_rate"],
            ["目标管理", "绩效目标审核优良率", 10, "metric", "positive", 90, 50, "%", "target_good_rate"],
            ["运行监控", "绩效监控覆盖率", 15, "metric", "positive", 100, 80, "%", "monitoring_coverage"],
            ["运行监控", "预警处置率", 10, "metric", "positive", 100, 50, "%", "warning_handled_rate"],
            ["绩效评价", "单位自评覆盖率", 10, "import", "positive", 100, 80, "%", ""],
            ["绩效评价", "重点评价开展情况", 10, "manual", "manual", None, None, "", ""],
            ["结果应用", "绩效信息公开率", 5, "metric", "positive", 100, 60, "%", "disclosure_rate"],
            ["结果应用", "评价结果应用", 5, "manual", "manual", None, None, "", ""],
        ],
        "下级财政部门预算绩效管理工作考核默认指标模板",
    ),
    "oversight.template.department": (
        [
            ["目标管理", "绩效目标申报率", 15, "metric", "positive", 100, 80, "%", "target_rate"],
            ["目标管理", "绩效目标审核优良率", 15, "metric", "positive", 90, 50, "%", "target_good_rate"],
            ["事前评估", "事前绩效评估完成率", 10, "metric", "positive", 100, 60, "%", "appraisal_coverage"],
            ["运行监控", "绩效监控覆盖率", 15, "metric", "positive", 100, 80, "%", "monitoring_coverage"],
            ["运行监控", "预算执行率", 15, "metric", "positive", 95, 60, "%", "execution_rate"],
            ["运行监控", "预警处置率", 10, "metric", "positive", 100, 50, "%", "warning_handled_rate"],
            ["信息公开", "绩效信息公开率", 10, "metric", "positive", 100, 60, "%", "disclosure_rate"],
            ["结果应用", "自评与整改", 10, "manual", "manual", None, None, "", ""],
        ],
        "部门预算绩效管理工作考核默认指标模板",
    ),
    "oversight.grade_bands": ({"优": 90, "良": 80, "中": 60}, "考核等级分数线（含下限），低于“中”的分数线为差"),
    "oversight.no_data": ("full", "计算指标无相关业务（分母为0）时的得分：full 不扣分（满分），zero 不得分"),
    "results.budget_rules": (
        {
            "优": ["priority", "优先保障", 0],
            "良": ["keep", "保障", 0],
            "中": ["cut", "压缩", 10],
            "差": ["cancel", "取消", 100],
            "idle": ["recover", "收回", 0],
            "duplicated": ["merge", "整合", 20],
            "negative": ["cancel", "取消", 100],
        },
        "评价结果与下年度预算安排的联动规则：结果 → [措施代码, 措施, 压减比例%]；idle 为闲置资金（按未执行部分收回），"
        "duplicated 为重复交叉，negative 为列入负面清单",
    ),
    "results.idle_rate": (50, "结果应用：年度执行率低于该值（%）视为资金闲置，建议收回未执行部分"),
    "results.rectify_days": (60, "反馈意见函默认整改期限（自出具之日起的天数）"),
    "results.negative_rules": (
        {"execution_rate": 30, "target_grade": "差", "eval_grade": "差", "overdue_items": 1},
        "负面清单列入规则：执行率低于 execution_rate%；绩效目标审核为 target_grade；"
        "评价为 eval_grade 且有逾期未整改事项",
    ),
}


# All Setting rows, read at most once per CACHE_SECONDS per process: every request reads a few security.* rules,
# and the table is small. A save or delete in this process clears it at once (signals in core/apps.py); another
# gunicorn process sees a change within CACHE_SECONDS.
CACHE_SECONDS = 10.0
_cache: dict[str, Any] = {"rows": None, "at": 0.0}


def clear_cache(**_kwargs) -> None:
    _cache["rows"] = None


def _rows(key: str) -> list[dict]:
    import time

    from wenxiao.core.models import Setting

    now = time.monotonic()
    if _cache["rows"] is None or now - _cache["at"] > CACHE_SECONDS:
        rows: dict[str, list[dict]] = {}
        for row in Setting.objects.values("key", "region__code", "year", "value"):
            rows.setdefault(row["key"], []).append(row)
        _cache["rows"], _cache["at"] = rows, now
    return _cache["rows"].get(key, [])


def setting(key: str, region=None, year: int | None = None) -> Any:
    default = DEFAULTS[key][0]
    rows = _rows(key)
    if not rows:
        return default
    codes = [c for c in (region.path.split("/") if region is not None else []) if c]
    order = list(reversed(codes)) + [None]  # most specific region first, national last

    def rank(row):
        r = row["region__code"]
        if r not in order or (row["year"] is not None and row["year"] != year):
            return None
        return (order.index(r), 0 if row["year"] == year else 1)

    ranked = sorted((rank(r), i) for i, r in enumerate(rows) if rank(r) is not None)
    return copy.deepcopy(rows[ranked[0][1]]["value"]) if ranked else default


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


def is_security_key(key: str) -> bool:
    """Login and audit rules (三员分立): set by the 安全管理员 for the whole deployment, not by a 绩效科."""
    return key.startswith("security.")


def do_set_setting(key: str, *, region, year: int | None, value, actor, note: str = ""):
    """Set a rule for `region` (and its subtree), optionally for one year; the 绩效科 of that region decides.

    `security.*` rules apply to the whole deployment (region and year None) and only the 安全管理员 sets them.
    """
    from django.db import transaction

    from wenxiao.core import audit
    from wenxiao.core.errors import PermissionDenied, ValidationError
    from wenxiao.core.models import Setting
    from wenxiao.core.scoping import scope_for

    if key not in DEFAULTS:
        raise ValidationError(f"未知的参数：{key}")
    if is_security_key(key):
        if "secadmin" not in actor.role_codes:  # 三员分立: not even a superuser
            raise PermissionDenied("安全参数只能由安全管理员设置。")
        if region is not None or year is not None:
            raise ValidationError("安全参数对整个系统生效，不能按辖区或年度设置。")
    elif region is None:
        raise ValidationError("请指定辖区。")
    elif not (actor.is_superuser or region.pk in scope_for(actor, ("performance",)).region_ids):
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
            object_repr=f"{region.name if region else '全系统'}{year or ''} {key}",
            before={"value": before},
            after={"value": value, "year": year},
            region_id=region.pk if region else None,
        )
    return row

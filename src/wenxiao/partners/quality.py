"""Third-party report quality, annual ranking and selection conditions (R41, R44; REFERENCE §10).

1. **Report quality at acceptance** (R44, seed 004 "将第三方机构工作情况和报告质量作为付费的参考因素").
   `DEFAULT_CHECKLIST` has nine items worth 100 points, drawn from what REFERENCE §10 says finance checks
   (acceptance of work, procedure, report quality, archives; no false or misleading report; 回避) and from
   what seed 002 says a report is judged on (目标完成情况、问题揭示深度、建议可行性、报告文本水平).
   `score_report()` adds the points given, grades the total with the 预算司 bands (优 ≥ 90, 良 80–90,
   中 60–80, 差 < 60; REFERENCE GRADE) and applies the payment rule. The default payment rule is [U] and
   configurable (`PaymentRule.from_setting`): ≥ 90 → 100% of the fee, 80–90 → 95%, 60–80 → 85%, < 60 → 70%
   and the report is flagged. Each band includes its lower bound: 90 is paid in full, 89.99 at 95%.
2. **Annual ranking** (R41 末位淘汰, seed 002 "建立末位淘汰制"). `annual_ranking()` ranks agencies by the mean
   of their report totals (rounded to 0.01; equal rounded means tie and share the better rank, "1224"). An
   agency is eliminated when (a) its rank falls in the bottom `eliminate_share` of the ranked agencies —
   floor(N × share) places, so a small library may eliminate nobody this way, and a tie spanning the cut line
   is not split (all tied agencies stay) — or (b) its mean is below the pass mark (60 by default): a year of
   failing reports disqualifies whatever the share. Agencies with fewer than `min_reports` reports are listed
   without a rank and are not eliminated (too little evidence).
3. **Selection conditions** (REFERENCE §10.3, 4 conditions [V S-3rdL]). `check_selection()` returns the
   Chinese reasons an agency fails them. The reference states the conditions but no numbers; the thresholds
   in `SelectionRules` are [U] defaults to set per region: 5 full-time staff, 3 of them with a practising
   qualification or a 中级 title, no minimum age of the firm, and the reference's 3-year window for a major
   violation in budget-evaluation work. A valid 统一社会信用代码 (GB 32100-2015 check character) stands for
   "lawfully established"; a ban in force (blacklist) also fails.
4. **Blacklist period** (REFERENCE §10.1: about 3 years, local practice). `blacklist_until()` is the last day
   of the ban, counted like a period in years under 民法典 §201 and §203: the day of the decision does not
   count, the period ends on the corresponding day `years` later (the last day of February when there is no
   29 February). `on_blacklist()` is true through that day.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


class QualityError(ValueError):
    """Marks or settings that cannot be scored; the message is for the user."""


def _dec(value, what: str) -> Decimal:
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise QualityError(f"{what}不是有效的数值：{value!r}")
    if not d.is_finite():
        raise QualityError(f"{what}不是有效的数值：{value!r}")
    return d


def fmt(d: Decimal) -> str:
    """87.50 → "87.5", 90.00 → "90"."""
    text = f"{d.quantize(CENT, ROUND_HALF_UP):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- 1. report quality ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckItem:
    label: str  # the key of the marks
    points: Decimal
    guidance: str  # what the reviewer looks at


def _items(rows: Iterable[tuple[str, int, str]]) -> tuple[CheckItem, ...]:
    return tuple(CheckItem(label, Decimal(points), guidance) for label, points, guidance in rows)


DEFAULT_CHECKLIST = _items(
    [
        ("评价依据充分", 10, "政策文件、预算批复、绩效目标、合同等依据齐全，引用准确"),
        ("指标体系科学", 15, "指标覆盖产出和效益，权重合理，评分标准明确、可衡量"),
        ("数据真实可靠", 20, "数据来源清楚、经过核实，无虚假记载、误导性陈述或重大遗漏"),
        ("评价程序规范", 10, "独立、客观、公正，履行回避，按委托合同和工作方案开展现场核查"),
        ("问题分析深入", 15, "揭示的问题具体、有证据，分析原因到位"),
        ("建议可行", 10, "建议针对问题，具体、可操作"),
        ("报告规范", 10, "结构和要素符合报告编制规范，结论与评分一致，文字准确"),
        ("工作底稿完整", 5, "工作底稿、证据资料完整，按规定归档"),
        ("按时提交", 5, "在委托合同约定的期限内提交报告"),
    ]
)


@dataclass(frozen=True)
class Band:
    min_score: Decimal  # inclusive lower bound
    grade: str
    ratio: Decimal  # share of the fee paid


@dataclass(frozen=True)
class PaymentRule:
    """Score bands (highest first) with grade and payment share; totals below `flag_below` are flagged."""

    bands: tuple[Band, ...]
    flag_below: Decimal = Decimal(60)

    def band(self, total: Decimal) -> Band:
        for b in self.bands:
            if total >= b.min_score:
                return b
        return self.bands[-1]

    @classmethod
    def from_setting(cls, value: Mapping) -> PaymentRule:
        """From a setting such as {"bands": [[90, "优", 1], [80, "良", 0.95], …], "flag_below": 60}."""
        try:
            rows = [(_dec(lo, "分数线"), str(grade), _dec(ratio, "支付比例")) for lo, grade, ratio in value["bands"]]
        except (KeyError, TypeError, ValueError) as e:
            if isinstance(e, QualityError):
                raise
            raise QualityError('付费规则应为 {"bands": [[分数线, 等级, 支付比例], …], "flag_below": 分数}')
        if not rows:
            raise QualityError("付费规则至少应有一个分数段")
        rows.sort(key=lambda r: r[0], reverse=True)
        for lo, _, ratio in rows:
            if not 0 <= ratio <= 1:
                raise QualityError(f"支付比例应在0到1之间：{fmt(ratio)}")
            if not 0 <= lo <= HUNDRED:
                raise QualityError(f"分数线应在0到100之间：{fmt(lo)}")
        ratios = [r[2] for r in rows]
        if ratios != sorted(ratios, reverse=True):
            raise QualityError("分数越高，支付比例不应越低")
        flag = _dec(value.get("flag_below", 60), "不合格分数线")
        return cls(tuple(Band(lo, g, r) for lo, g, r in rows), flag)

    def as_setting(self) -> dict:
        return {
            "bands": [[float(b.min_score), b.grade, float(b.ratio)] for b in self.bands],
            "flag_below": float(self.flag_below),
        }


DEFAULT_PAYMENT_RULE = PaymentRule(
    (
        Band(Decimal(90), "优", Decimal("1.00")),
        Band(Decimal(80), "良", Decimal("0.95")),
        Band(Decimal(60), "中", Decimal("0.85")),
        Band(Decimal(0), "差", Decimal("0.70")),
    ),
    Decimal(60),
)


@dataclass(frozen=True)
class QualityResult:
    total: Decimal
    grade: str
    payment_ratio: Decimal
    notes: list[str]
    flagged: bool = False

    def payment(self, fee) -> Decimal:
        """The amount to pay on a contract fee (yuan, rounded to the fen)."""
        return payment_amount(fee, self.payment_ratio)


def payment_amount(fee, ratio) -> Decimal:
    return (_dec(fee, "委托费用") * _dec(ratio, "支付比例")).quantize(CENT, ROUND_HALF_UP)


def score_report(
    marks: Mapping[str, object],
    checklist: Iterable[CheckItem] = DEFAULT_CHECKLIST,
    rule: PaymentRule = DEFAULT_PAYMENT_RULE,
) -> QualityResult:
    """Score a delivered report: `marks` gives the points for every checklist item (by its label).

    Raises `QualityError` listing every problem: an unknown or missing item, points that are not a number,
    negative or above the item's points, or a checklist that does not add up to 100.
    """
    items = list(checklist)
    if sum((i.points for i in items), Decimal(0)) != HUNDRED:
        raise QualityError("质量考核清单的分值合计应为100分")
    by_label = {i.label: i for i in items}
    problems = [f"清单中没有“{k}”" for k in marks if k not in by_label]
    problems += [f"“{i.label}”未评分" for i in items if i.label not in marks]
    given: dict[str, Decimal] = {}
    for item in items:
        if item.label not in marks:
            continue
        try:
            points = _dec(marks[item.label], f"“{item.label}”的得分")
        except QualityError as e:
            problems.append(str(e))
            continue
        if not 0 <= points <= item.points:
            problems.append(f"“{item.label}”的得分应在0到{fmt(item.points)}分之间，实际为{fmt(points)}")
        given[item.label] = points
    if problems:
        raise QualityError("；".join(problems))

    total = sum(given.values(), Decimal(0))
    band = rule.band(total)
    notes = [
        f"{i.label}：扣{fmt(i.points - given[i.label])}分（{fmt(given[i.label])}/{fmt(i.points)}）"
        for i in items
        if given[i.label] < i.points
    ]
    flagged = total < rule.flag_below
    if flagged:
        share = fmt(band.ratio * HUNDRED)
        notes.append(
            f"报告质量不合格（{fmt(total)}分，低于{fmt(rule.flag_below)}分）：按委托费用的{share}%支付，计入机构年度质量考核"
        )
    return QualityResult(total, band.grade, band.ratio, notes, flagged)


# --- 2. annual ranking ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ranked:
    agency_id: Hashable
    mean: Decimal | None  # rounded to 0.01; None without reports
    n: int
    rank: int | None  # None: too few reports to be ranked
    eliminated: bool
    reasons: tuple[str, ...] = ()


def annual_ranking(
    scores: Mapping[Hashable, Iterable[object]],
    eliminate_share=Decimal("0.1"),
    min_reports: int = 1,
    *,
    pass_mark=Decimal(60),
) -> list[Ranked]:
    """Agencies ranked by the mean total of their year's reports, best first; unranked ones at the end.

    See the module docstring for ties and elimination. `pass_mark=None` turns the pass-mark rule off.
    """
    share = _dec(eliminate_share, "末位淘汰比例")
    if not 0 <= share <= 1:
        raise QualityError(f"末位淘汰比例应在0到1之间：{fmt(share)}")
    pass_at = None if pass_mark is None else _dec(pass_mark, "合格分数线")
    means: dict[Hashable, tuple[Decimal | None, int]] = {}
    for agency, totals in scores.items():
        values = [_dec(v, "报告得分") for v in totals]
        mean = (sum(values, Decimal(0)) / len(values)).quantize(CENT, ROUND_HALF_UP) if values else None
        means[agency] = (mean, len(values))

    ranked = [a for a, (m, n) in means.items() if m is not None and n >= max(1, min_reports)]
    ranked.sort(key=lambda a: (-means[a][0], str(a)))
    cut = len(ranked) - int((share * len(ranked)).to_integral_value(ROUND_FLOOR))
    out: list[Ranked] = []
    rank = 0
    for position, agency in enumerate(ranked, start=1):
        mean, n = means[agency]
        if position == 1 or mean != means[ranked[position - 2]][0]:
            rank = position
        reasons = []
        if rank > cut:
            reasons.append(f"排名处于末位{fmt(share * HUNDRED)}%")
        if pass_at is not None and mean < pass_at:
            reasons.append(f"年度平均分低于{fmt(pass_at)}分")
        out.append(Ranked(agency, mean, n, rank, bool(reasons), tuple(reasons)))
    placed = set(ranked)
    for agency in sorted((a for a in means if a not in placed), key=str):
        mean, n = means[agency]
        out.append(Ranked(agency, mean, n, None, False, (f"报告少于{max(1, min_reports)}份，不参与排名",)))
    return out


# --- 3. selection conditions ----------------------------------------------------------------------------------

AGENCY_TYPES = ("专业咨询机构", "会计师事务所", "资产评估机构", "律师事务所", "科研院所", "高等院校", "其他")
REQUIRED_RULES = ("财务管理", "资产管理", "保密管理", "培训")  # REFERENCE §10.3 item 3

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def valid_credit_code(code: str) -> bool:
    """A 统一社会信用代码 of 18 characters whose check character (GB 32100-2015) is right."""
    code = (code or "").strip().upper()
    if len(code) != 18 or any(c not in _USCC_CHARS for c in code):
        return False
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(code[:17], _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31] == code[17]


@dataclass(frozen=True)
class Violation:
    on: date
    description: str
    major: bool = True
    budget_evaluation: bool = True  # in budget-evaluation work (what §10.3 item 4 counts)


@dataclass(frozen=True)
class AgencyFacts:
    name: str
    credit_code: str
    agency_type: str = "专业咨询机构"
    established: date | None = None
    independent_liability: bool = True  # 能够独立承担民事责任
    staff: int = 0  # full-time staff
    qualified_staff: int = 0  # with 注册会计师/资产评估师/律师 etc. or a 中级 or higher title
    facilities: bool = True  # premises and equipment the work needs
    governance: bool = True  # 治理结构健全
    quality_control: bool = True  # 内部质量控制制度
    rules: frozenset[str] = frozenset(REQUIRED_RULES)  # the management rules in place
    violations: tuple[Violation, ...] = ()
    blacklisted_until: date | None = None


@dataclass(frozen=True)
class SelectionRules:
    """Thresholds of the selection conditions; all [U] but `violation_years` (REFERENCE §10.3: 3 years)."""

    min_years: int = 0  # years since establishment; 0: not checked
    min_staff: int = 5
    min_qualified_staff: int = 3
    violation_years: int = 3
    required_rules: tuple[str, ...] = REQUIRED_RULES
    agency_types: tuple[str, ...] = AGENCY_TYPES

    @classmethod
    def from_setting(cls, value: Mapping) -> SelectionRules:
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(value) - known)
        if unknown:
            raise QualityError(f"未知的入库条件设置：{'、'.join(unknown)}")
        data = {}
        for key, v in value.items():
            if key in ("required_rules", "agency_types"):
                if not isinstance(v, list | tuple) or not all(isinstance(x, str) for x in v):
                    raise QualityError(f"入库条件“{key}”应为文字列表")
                data[key] = tuple(v)
            elif isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise QualityError(f"入库条件“{key}”应为非负整数，实际为{v!r}")
            else:
                data[key] = v
        return cls(**data)


DEFAULT_SELECTION = SelectionRules()


def years_before(day: date, years: int) -> date:
    """The corresponding day `years` earlier (28 February for a 29 February)."""
    return _shift(day, -years)


def _shift(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year + years, day=28)


def check_selection(
    agency: AgencyFacts, *, today: date | None = None, rules: SelectionRules = DEFAULT_SELECTION
) -> list[str]:
    """The reasons (Chinese) `agency` fails the selection conditions; an empty list when it meets them all."""
    today = today or date.today()
    out: list[str] = []
    # 1. lawfully established, bears civil liability independently
    if not (agency.credit_code or "").strip():
        out.append("未填写统一社会信用代码")
    elif not valid_credit_code(agency.credit_code):
        out.append(f"统一社会信用代码“{agency.credit_code}”格式或校验位不正确")
    if not agency.independent_liability:
        out.append("不能独立承担民事责任")
    if rules.agency_types and agency.agency_type not in rules.agency_types:
        out.append(f"机构类型“{agency.agency_type}”不在可入库的类型内（{'、'.join(rules.agency_types)}）")
    if rules.min_years > 0:
        if agency.established is None:
            out.append("未填写成立日期")
        elif _shift(agency.established, rules.min_years) > today:
            out.append(f"成立未满{rules.min_years}年（{agency.established.isoformat()}成立）")
    # 2. staff, equipment and professional ability
    if agency.staff < rules.min_staff:
        out.append(f"专职从业人员{agency.staff}人，少于{rules.min_staff}人")
    if agency.qualified_staff < rules.min_qualified_staff:
        out.append(f"具有执业资格或中级以上职称的人员{agency.qualified_staff}人，少于{rules.min_qualified_staff}人")
    if not agency.facilities:
        out.append("缺少开展业务所需的场所和设备")
    # 3. governance, quality control and management rules
    if not agency.governance:
        out.append("法人治理结构不健全")
    if not agency.quality_control:
        out.append("内部质量控制制度不健全")
    missing = [r for r in rules.required_rules if r not in agency.rules]
    if missing:
        out.append(f"缺少{'、'.join(missing)}制度")
    # 4. good reputation: no major violation in budget-evaluation work within the window
    since = years_before(today, rules.violation_years)
    for v in sorted(agency.violations, key=lambda v: v.on):
        if v.major and v.budget_evaluation and since <= v.on <= today:
            out.append(
                f"近{rules.violation_years}年内有预算绩效评价业务重大违规记录（{v.on.isoformat()}：{v.description}）"
            )
    if agency.blacklisted_until is not None and on_blacklist(agency.blacklisted_until, today):
        out.append(f"处于黑名单期内（至{agency.blacklisted_until.isoformat()}）")
    return out


# --- 4. blacklist ---------------------------------------------------------------------------------------------

DEFAULT_BLACKLIST_YEARS = 3  # [U] local practice (REFERENCE §10.1)


def blacklist_until(start: date, years: int = DEFAULT_BLACKLIST_YEARS) -> date:
    """The last day of a ban of `years` years decided on `start` (民法典 §201, §203)."""
    if years < 1:
        raise QualityError(f"列入黑名单的年限应至少为1年，实际为{years}")
    return _shift(start, years)


def on_blacklist(until: date, today: date) -> bool:
    """True while the ban lasts: through its last day `until`."""
    return today <= until


# Settings an integrator may register in core.config.DEFAULTS (key: (default, what it is)).
SETTINGS = {
    "partners.payment_rule": (DEFAULT_PAYMENT_RULE.as_setting(), "第三方报告质量得分对应的付费比例"),
    "partners.ranking": (
        {"eliminate_share": 0.1, "min_reports": 1, "pass_mark": 60},
        "第三方机构年度排名：末位淘汰比例、参与排名的最少报告数、年度平均分合格线",
    ),
    "partners.selection": (
        {"min_years": 0, "min_staff": 5, "min_qualified_staff": 3, "violation_years": 3},
        "第三方机构入库条件的数量要求",
    ),
    "partners.blacklist_years": (DEFAULT_BLACKLIST_YEARS, "列入黑名单的年限"),
}

__all__ = [
    "AGENCY_TYPES",
    "DEFAULT_CHECKLIST",
    "DEFAULT_PAYMENT_RULE",
    "DEFAULT_SELECTION",
    "AgencyFacts",
    "Band",
    "CheckItem",
    "PaymentRule",
    "QualityError",
    "QualityResult",
    "Ranked",
    "SelectionRules",
    "Violation",
    "annual_ranking",
    "blacklist_until",
    "check_selection",
    "on_blacklist",
    "payment_amount",
    "score_report",
    "valid_credit_code",
]

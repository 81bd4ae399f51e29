"""Target quality review (智能审核): explainable findings on a 绩效目标 before a human reviewer reads it.

Pure Python (no Django): `review(target)` takes the plain-data target of `wenxiao review targets` and returns
`Finding`s, each with a code, a severity, the row it belongs to (0-based index into `indicators`, or None for
the target as a whole), a Chinese message that names the row and says why, and a Chinese suggestion.

Codes (issue 4):

    Q01 未量化      a 数量/质量/时效/成本 (and 满意度) indicator whose value is not measurable
    Q02 单位问题    missing unit; a unit or value that cannot be right for the indicator
    Q03 方向错误    the comparator contradicts the meaning (投诉率 ≥ …, 覆盖率 ≤ …)
    Q04 层级错配    wrong 一级/二级 (satisfaction outside 满意度, benefit as output, process measures, …)
    Q05 结构缺失    a required block is missing
    Q06 权重问题    weights that do not add up, zero or missing weights, one row above the configured share
    Q07 目标偏低    below last year's actual, below the library's p10, satisfaction at 100% or below 80%
    Q08 预算不匹配  implied unit cost or a cost indicator outside the library's range; total cost ≠ budget
    Q09 重复雷同    duplicate rows; the same target as last year or as another unit
    Q10 表述不清    missing/unmeasurable overall goal, a value inside the name, a time indicator without a date
    Q11 数量不足    fewer quantitative indicators than required (special funds)

The structural rules that also block submission live in `wenxiao.targets.checks` (one piece of code per rule):
Q05, Q06's sums and zero/missing weights, Q11, Q02's "missing unit", Q04's "level outside the framework",
Q09's "same row twice" and Q10's "goal missing or too short" are `checks.check()` problems mapped to codes here.
Every indicator value is read with `wenxiao.core.values.parse`.

Input (only `project_name` and `indicators` with level1/level2/name/target are required):

    {"project_name": "…", "year": 2025, "function_code": "2050202", "amount": 1200000.00 (元),
     "project_class": "特定目标类", "special_fund": true, "public_service": true, "framework": "10号",
     "overall_goal": "…",
     "indicators": [{"level1": "产出指标", "level2": "数量指标", "name": "…", "target": "≥95%",
                     "unit": "%", "weight": 10}],
     "last_year": {"indicators": [{"name": "…", "target": "…", "actual": "…"}]},
     "others": [[{"name": "…", "target": "…"}, …], {"unit": "某单位", "indicators": […]}, …]}
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from wenxiao.core.text import tokenize
from wenxiao.core.values import Comparator, Kind, Value, ValueParseError, normalise_unit, parse
from wenxiao.library.frameworks import DEFAULT_SCHEME, FRAMEWORKS, SCHEMES
from wenxiao.targets import checks

LIBRARY_CSV = Path(__file__).resolve().parents[1] / "library" / "data" / "indicators.csv"

CODES = {
    "Q01": "未量化",
    "Q02": "单位问题",
    "Q03": "方向错误",
    "Q04": "层级错配",
    "Q05": "结构缺失",
    "Q06": "权重问题",
    "Q07": "目标偏低",
    "Q08": "预算不匹配",
    "Q09": "重复雷同",
    "Q10": "表述不清",
    "Q11": "数量不足",
}


# --- configuration and results ---------------------------------------------------------------------------------


@dataclass
class ReviewConfig:
    """Every threshold of the review, loadable per region/year with `from_dict`."""

    framework: str = "10号"  # used when the target names none and no row has 成本指标 as 一级
    scheme: dict[str, float] | None = None  # 一级 → points; None: the framework's default scheme (SCHEMES)
    fallback: dict[str, str] | None = None  # absent 一级 → block taking its points; None: the scheme's
    required_level2: list[str] = field(default_factory=lambda: ["数量指标", "时效指标"])  # Q05, under 产出
    public_service_default: bool = False  # when the target does not say whether it serves the public
    special_fund_min_quantitative: int = 10  # Q11 (R11)
    max_row_weight: float = 30.0  # Q06: one row may carry at most this many points
    satisfaction_max: float = 100.0  # Q07: a satisfaction target at or above this is unrealistic
    satisfaction_min: float = 80.0  # Q07: a satisfaction target below this is too low
    p10_kinds: list[str] = field(default_factory=lambda: ["percent"])  # Q07: value kinds compared with p10/p90
    last_year_tolerance: float = 0.0  # Q07: relative slack below last year's actual before a finding
    over_target_ratio: float = 1.3  # Q07: last year's actual ÷ target at or above this → "目标设置保守"
    unit_cost_factor: float = 3.0  # Q08: implied unit cost outside [p10 ÷ f, p90 × f] of the library
    cost_range_factor: float = 2.0  # Q08: a cost indicator outside [p10 ÷ f, p90 × f] of the library
    total_cost_tolerance: float = 0.05  # Q08: total-cost indicator vs the budget amount, relative
    standard_total_tolerance: float = 0.3  # Q08: standard × quantity vs the budget amount, relative
    same_as_last_year_share: float = 0.9  # Q09: share of rows identical to last year's targets
    same_as_other_share: float = 0.9  # Q09: Jaccard similarity with another unit's rows
    min_rows_for_copy: int = 3  # Q09: copy checks need at least this many rows
    goal_requires_number: bool = True  # Q10: an overall goal without any number, quantity or date is flagged
    extra_process_measures: list[str] = field(default_factory=list)  # Q04: more names of process measures

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> ReviewConfig:
        """Build from a settings dict (e.g. the region/year setting "targets.review"); unknown keys are ignored."""
        known = {f.name: f for f in fields(cls)}
        kwargs: dict[str, Any] = {}
        for key, value in (d or {}).items():
            if key not in known or value is None:
                continue
            default = getattr(cls(), key)
            if isinstance(default, bool):
                kwargs[key] = bool(value)
            elif isinstance(default, int):
                kwargs[key] = int(value)
            elif isinstance(default, float):
                kwargs[key] = float(value)
            elif isinstance(default, list):
                kwargs[key] = [str(v) for v in value]
            elif key in ("scheme", "fallback"):
                kwargs[key] = dict(value)
            else:
                kwargs[key] = str(value)
        return cls(**kwargs)


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str  # "error" | "warning" | "info"
    indicator: int | None  # 0-based index into target["indicators"], None for the whole target
    message: str
    suggestion: str

    @property
    def title(self) -> str:
        return CODES.get(self.code, "")

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "severity": self.severity,
            "indicator": self.indicator,
            "message": self.message,
            "suggestion": self.suggestion,
        }


# --- the library as plain data ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LibIndicator:
    code: str
    name: str
    level1: str
    level2: str
    unit: str
    comparator: str  # ≥ ≤ = 定性
    kind: str  # number | percent | date | qualitative
    p10: float | None
    p50: float | None
    p90: float | None
    function_codes: tuple[str, ...]


@dataclass(frozen=True)
class UnitCost:
    """A library cost indicator read as 元 per one unit of output over a year (when its period is known)."""

    name: str
    per: str  # the output unit: 亩, 公里, 人, 户, 平方米 …
    low: float  # p10 in 元 per `per` (× 12 for monthly standards, × 2 per semester)
    high: float  # p90, same basis
    period: str  # year | month | semester | day | unknown (as written; low/high already annualised)
    comparator: str
    function_codes: tuple[str, ...]
    keys: frozenset[str]  # distinctive words of the name (generic words such as 成本/标准/建设 removed)


@dataclass
class Library:
    """The built-in indicator library as plain data.

    indicators: normalised name → LibIndicator (level1/level2/unit/comparator/p10/p50/p90/function codes).
    unit_costs: 款 (the first 5 digits of a 功能分类 code) → output unit → the UnitCost entries derived from the
        library's cost indicators (二级 成本指标/经济成本指标) whose unit is money per something ("元/亩",
        "元/人") or whose money unit ("万元") has the per-unit in the name ("每公里", "户均", "单车", "生均").
        Monthly standards are annualised (× 12), per-semester ones × 2; per-day ones are kept for direct
        comparison only. Library rows without function codes (generic ones such as 项目总成本) are left out.
    """

    indicators: dict[str, LibIndicator] = field(default_factory=dict)
    unit_costs: dict[str, dict[str, list[UnitCost]]] = field(default_factory=dict)
    costs: list[UnitCost] = field(default_factory=list)

    def find(self, name: str) -> LibIndicator | None:
        return self.indicators.get(_norm_name(name))

    def cost_range(self, kuan: str, per: str) -> tuple[float, float] | None:
        """The envelope (lowest p10, highest p90) in 元 per `per` of the 款's annualised unit costs."""
        entries = [e for e in self.unit_costs.get(kuan, {}).get(per, []) if e.period != "day"]
        if not entries:
            return None
        return min(e.low for e in entries), max(e.high for e in entries)


def load_library(path: str | Path | None = None) -> Library:
    """Read the built-in CSV (default: the package's library/data/indicators.csv); cached per path."""
    return _load_library(str(Path(path) if path else LIBRARY_CSV))


@functools.lru_cache(maxsize=8)
def _load_library(path: str) -> Library:
    lib = Library()
    with open(path, encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f):
            codes = tuple(c.strip() for c in (r.get("function_codes") or "").split(";") if c.strip())
            ind = LibIndicator(
                code=r.get("code", ""),
                name=r["name"],
                level1=r.get("level1", ""),
                level2=r.get("level2", ""),
                unit=normalise_unit(r.get("unit", "")),
                comparator=r.get("comparator", ""),
                kind=r.get("value_kind", ""),
                p10=_float(r.get("p10")),
                p50=_float(r.get("p50")),
                p90=_float(r.get("p90")),
                function_codes=codes,
            )
            lib.indicators.setdefault(_norm_name(ind.name), ind)
            cost = _unit_cost_of(ind)
            if cost is None:
                continue
            lib.costs.append(cost)
            for kuan in {c[:5] for c in codes}:
                lib.unit_costs.setdefault(kuan, {}).setdefault(cost.per, []).append(cost)
    return lib


def _unit_cost_of(ind: LibIndicator) -> UnitCost | None:
    if ind.level2 not in ("成本指标", "经济成本指标") or not ind.function_codes or ind.p10 is None:
        return None
    if ind.p90 is None or _TOTAL_COST.search(_core(ind.name)):
        return None
    money = _money_unit(ind.unit, ind.name)
    if money is None or money.per is None:
        return None
    mult = _PERIOD_MULT.get(money.period, 1)
    return UnitCost(
        name=ind.name,
        per=money.per,
        low=ind.p10 * money.factor * mult,
        high=ind.p90 * money.factor * mult,
        period=money.period,
        comparator=ind.comparator,
        function_codes=ind.function_codes,
        keys=_keys(ind.name),
    )


# --- vocabulary ------------------------------------------------------------------------------------------------

# Reverse-direction indicators (lower is better): what they count, at the end of the name.
_NEG_WORDS = (
    "投诉|故障|事故|差错|错误|失误|出错|返工|返修|不合格|超支|误报|漏报|辍学|失学|流失|死亡|伤亡|发病|患病|"
    "复发|违约|逾期|损耗|损失|空置|闲置|超标|退件|驳回|误差|偏差|漏检|漏诊|误诊|再犯罪|重新犯罪|失业|返贫|致贫|"
    "火灾|违法|违规|违纪|发案|上访|扰民|中毒|溢流|外排|积压|超期|超时|延误|拥堵|脱落|大班额"
)
_NEG_TAIL = re.compile(
    rf"({_NEG_WORDS})(发生)?(率|起数|次数|件数|数量|数|量|宗数|人数|例数|起|件|次|宗|人次|人口|户数|比例|占比)?$"
)
_NEG_ENV_TAIL = re.compile(r"(能耗|排放量|排放浓度|年均浓度|浓度|耗水量|用水量|碳排放|噪声|噪音|分贝)$")
_COST_TAIL = re.compile(r"(成本|单价|造价|费用|费率|均价|利率|担保费|控制数|概算)$")
_SAVING = re.compile(r"(节约|节省|节支|降低|减少|下降|压减|压缩|审减|挽回|追回|减轻|减免|回收|收益|利润|带动|撬动)")
_TIME_TAIL = re.compile(
    r"((响应|办结|办理|处置|处理|审批|审核|到场|到达|等待|完成|出警|出动|救援|修复|抢修|整改|回复|答复|受理|维修|"
    r"结算|报销|拨付|下达|支付|兑付|评估|出具|审查|认定|送达|速报|反应|核查|办件)(平均)?(时间|时限|时长|天数|周期|用时|"
    r"工作日)|时限|工期|建设周期|平均(?!\w{0,4}(开放|服务|学习|锻炼|培训|在岗|工作|运行))\w{0,4}(时间|时长|用时))$"
)
# Rates that must be high (≥); ≤ contradicts them. 增长率 and 使用率 are left out (both are capped at times).
_POS_RATE_WORDS = (
    "覆盖率|合格率|达标率|完成率|满意度|满意率|及时率|知晓率|准确率|优良率|到位率|执行率|通过率|普及率|入学率|入园率|"
    "参保率|接种率|治愈率|办结率|结案率|整改率|解决率|处置率|完好率|利用率|出勤率|就业率|巩固率|规范率|成功率|正确率|"
    "兑现率|发放率|受益率|开通率|上线率|在线率|建档率|管理率|回收率|收缴率|达产率|完工率|验收率|销号率|清零率|保障率|"
    "供餐率|获取率|取证率|留用率|转化率|采纳率|可用率|运行率|入住率|通达率|准点率|列养率|贯通率|接通率|结题率|到岗率|"
    "在岗率|响应率|提交率|上报率|检测率|抽检率|核查率|复核率|认证率|达成率|实现率|安置率|救治率|稳定率|存活率|成活率|"
    "保存率|留存率|消除率|清除率|查处率|破案率|调解率|息诉率|报告率|监测率|宜存率|相符率|匹配率|一致率|执结率|满足率|"
    "公示率|公开率|送达率|注册率|签约率|登记率|归档率|核销率|化解率|答复率"
)
_POS_RATE = re.compile(rf"({_POS_RATE_WORDS})$")
# Rates bounded by 100% (a target above it cannot be right); debt coverage ratios may exceed 100%.
_BOUNDED_RATE = re.compile(rf"({_POS_RATE_WORDS}|占比|发生率|(?:{_NEG_WORDS})率)$")
_UNBOUNDED_HINT = re.compile(
    r"(偿债|本息|债|倍|增长|增幅|提高|提升|上升|回报|收益|溢价|弹性|超额|资产负债|周转|投入产出|完成率|产出比)"
)
_RATE_TAIL = re.compile(r"(率|满意度|比例|比率|占比|覆盖面)$")
_RATE_UNITS = {"%", "‰", "", "个百分点", "百分点", "百分比"}
_COUNT_TAIL = re.compile(
    r"(人数|户数|个数|次数|场次|人次|家数|所数|项数|件数|批次|座数|台数|套数|辆数|册数|篇数|期数|班次|处数|条数|宗数|"
    r"数量|村数|校数|床位数|张数|株数|头数|只数)$"
)
_MONEY_TAIL = re.compile(
    r"(金额|资金|经费|投资|投资额|成本|费用|造价|单价|补助标准|补贴标准|资助标准|保障标准|奖补标准|总额|产值|销售额|"
    r"营业收入|利润|税收|收入)$"
)
_DURATION_TAIL = re.compile(r"(时限|时长|天数|用时|工期|周期|响应时间|办结时间|等待时间|反应时间|办理时间|处置时间)$")
# A point in time: its value must be a date.
_TIME_POINT_TAIL = re.compile(
    r"((完成|完工|竣工|交工|开工|上线|交付|验收|发放|拨付|到位|启动|投用|投运|建成|出具|提交|兑付|下达|开通|通水|通车|"
    r"安装|调试|供餐|印发|报送|公布|公示|开放|移交)\w{0,4}时间|时间节点|截止时间|截止日期|完成日期|完成时限)$"
)
_SATISFACTION = re.compile(r"(满意度|满意率)$")
_PROCESS_MEASURE = re.compile(
    r"((资金|预算|经费)\w{0,3}(到位|执行|支出|支付|拨付|使用)(率|进度|及时率)|拨付及时率|到位及时率|预算完成率|"
    r"支出进度|执行进度)$"
)
_BENEFIT_WORDS = re.compile(
    r"(带动|增收|拉动|获得感|幸福感|安全感|收入增长|收入增加|增加收入|"
    r"(提升|提高|增强)\w{0,6}(水平|能力|意识|素养|素质|获得感)|改善\w{0,4}(条件|环境|质量|状况|生活)|"
    r"(减少|降低)\w{0,4}(排放|损失|发病|负担)|下降率|降低率)"
)
_QUALITY_TAIL = re.compile(r"(合格率|达标率|优良率|优秀率|及格率|准确率|完好率|正确率|合格|通过率|验收合格)$")
_TIMELINESS_TAIL = re.compile(r"(及时率|按时完成率|按期完成率|完成时间|完工时间|时限)$")
_COST_WORDING = re.compile(r"(成本|单价|造价|(补助|补贴|资助|奖补|保障|救助|发放)\w{0,4}标准)$")
_TOTAL_COST = re.compile(
    r"(总成本|成本总额|总费用|费用总额|总支出|支出总额|总预算|预算总额|预算金额|资金总额|总经费|经费总额|项目成本|"
    r"项目支出|年度成本|项目资金)(控制数)?$"
)
# Q01: qualitative wording that measures nothing.
_VAGUE = re.compile(
    r"(提高|提升|有效|明显|显著|较好|良好|进一步|稳步|不断|逐步|加强|改善|增强|优化|完善|积极|尽量|力争|确保|保证|"
    r"较高|大幅|持续|按要求|按规定|符合要求|满足要求|相关要求|相关规定|预期|高质量|较大|一定|基本|及时|按时|按期|"
    r"如期|按计划|按进度|尽快|有序|顺利|圆满|到位|落实|做好)"
)
_STANDARD = re.compile(
    r"(标准|合格|达标|验收|通过|等级|一级|二级|三级|甲级|乙级|优良|优秀|设计要求|技术规范|规程|规范要求|"
    r"无\w{0,6}(事故|投诉|问题|差错|质量)|零|《|方案|批复|合规|规范)"
)
_FULL = re.compile(
    r"^(全覆盖|全部覆盖|全面覆盖|全部|应保尽保|应补尽补|应助尽助|应发尽发|应检尽检|应收尽收|应纳尽纳|应享尽享|应救尽救|应养尽养|应改尽改|应治尽治|全部完成|全面完成)$"
)
_RELATIVE_DEADLINE = re.compile(
    r"^(每月|每季度?|每年|次月|当月|次年|每周|季度末|[^0-9]{0,12}(后|起|前))[0-9]{1,3}(个)?(日|天|工作日)(前|内|以内)?$"
)
_FREQUENCY = re.compile(
    r"(按月|按季|每月|每季|每周|每日|每年|当月|次月|当日|当天|季度|月底|上半年|下半年|月末|汛前|开学前)"
)
_VALUE_IN_NAME = re.compile(
    r"([≥≤><＞＜≧≦]|(达到|不低于|不少于|不超过|不高于|超过|大于|小于|高于|低于|控制在|保持在)\d|"
    r"\d+(\.\d+)?%|\d+(\.\d+)?(个|人|人次|户|所|家|场|次|公里|亩|万元|元|天|项|件|座|台|套|吨|平方米|名|处|条)(以上|以下|以内)?$)"
)
_GENERIC_NAME = re.compile(
    r"^(其他|其它|无|略|详见\w*|见附件\w*|数量|质量|时效|成本|效益|满意度|指标|产出|社会效益|经济效益|生态效益)(指标)?$"
)
_GOAL_NUMBER = re.compile(
    r"[0-9]|[一二两三四五六七八九十百千万]+[个所项次场户人家座台套条公里亩批期名类栋辆部间万]|百分之"
)
_GOAL_NOISE = re.compile(r"(19|20)[0-9]{2}(年度|年)|“?十[一二三四五]五”?|[0-9]{4}-[0-9]{4}")

_COUNT_UNITS = {
    "人",
    "户",
    "个",
    "所",
    "家",
    "座",
    "台",
    "套",
    "辆",
    "场",
    "次",
    "件",
    "项",
    "处",
    "条",
    "名",
    "栋",
    "部",
    "间",
}
_PERSON_UNITS = {"人", "人次"}
_LENGTH_UNITS = {"米", "公里", "延米", "万米"}
_AREA_UNITS = {"平方米", "万平方米", "亩", "万亩", "平方公里", "公顷"}
_PERIOD_MULT = {"year": 1, "month": 12, "semester": 2, "unknown": 1, "day": 1}
_GENERIC_WORDS = {
    "建设",
    "成本",
    "标准",
    "补助",
    "补贴",
    "年度",
    "人均",
    "户均",
    "亩均",
    "生均",
    "村均",
    "单位",
    "面积",
    "数量",
    "费用",
    "单价",
    "每",
    "公里",
    "每公里",
    "平均",
    "年",
    "月",
    "日",
    "单",
    "均",
    "控制",
    "控制数",
    "资金",
    "项目",
    "经费",
    "保障",
    "发放",
    "年均",
    "总",
    "万元",
    "元",
    "造价",
    "单个",
    "单车",
    "单座",
    "单场",
    "单件",
    "单点",
    "单站",
    "人数",
    "户数",
    "个数",
    "长度",
    "里程",
    "新建",
    "实施",
    "完成",
    "开展",
    "提供",
    "计划",
    "全年",
    "累计",
}
_LEVEL_ALIASES = {
    "满意度指标": "服务对象满意度指标",
    "满意度": "服务对象满意度指标",
    "服务对象满意度": "服务对象满意度指标",
}


# --- small helpers ---------------------------------------------------------------------------------------------


def _float(s: Any) -> float | None:
    try:
        return float(str(s).strip()) if s not in (None, "") else None
    except ValueError:
        return None


def _clean(s: Any) -> str:
    text = "" if s is None else str(s)
    return re.sub(r"[\s\u200b-\u200d\u2060\ufeff]+", "", unicodedata.normalize("NFKC", text))


def _norm_name(s: Any) -> str:
    """Names compared across rows, years and the library: NFKC, no spaces, quotes or trailing punctuation."""
    text = _clean(s)
    text = re.sub(r"[\"'“”‘’「」『』《》]", "", text)
    return text.strip("。.,，;；、:：").lower()


def _core(name: str) -> str:
    """The name without a trailing bracketed remark ("参保人数(万人)" → "参保人数")."""
    return re.sub(r"\([^()]*\)$", "", name) or name


def _fmt(x: float | Decimal | None) -> str:
    if x is None:
        return ""
    x = float(x)
    if abs(x) >= 1e8 and abs(x) % 1e6 == 0:
        return f"{x / 1e8:g}亿"
    if abs(x) >= 1e4 and abs(x) % 100 == 0:
        return f"{x / 1e4:,.2f}".rstrip("0").rstrip(".") + "万"
    if x == int(x):
        return f"{int(x):,}"
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def _keys(text: str) -> frozenset[str]:
    """Distinctive words of a name: no generic words, no per-unit words (每场, 单车, 亩均), no numbers."""
    return frozenset(
        t
        for t in tokenize(text)
        if len(t) >= 2 and t not in _GENERIC_WORDS and not t.isdigit() and not re.fullmatch(r"(每|单)\w|\w均", t)
    )


def _range_text(low: float | None, high: float | None, unit: str) -> str:
    if low is not None and high is not None and abs(low - high) < 1e-9:
        return f"通常为{_fmt(low)}{unit}"
    return f"常见值{_fmt(low)}–{_fmt(high)}{unit}"


def _shown(v: Value) -> str:
    """A value for a sentence: "97.6%" rather than "=97.6%"."""
    text = v.display()
    return text[1:] if v.comparator == Comparator.EQ and text.startswith("=") else text


def _decimal(x: Any) -> Decimal | None:
    if x is None or isinstance(x, bool):
        return None
    s = _clean(x).replace(",", "").replace("，", "")
    s = re.sub(r"(分|元)$", "", s)
    if not s:
        return None
    try:
        d = Decimal(s)
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


@dataclass(frozen=True)
class _Money:
    factor: float  # to 元
    per: str | None
    period: str


_PER_IN_NAME = [
    (re.compile(r"每(公里|亩|平方米|户|人|吨|场|件|座|台|套|辆|个|处|所|次|批次|页)"), None),
    (re.compile(r"(亩|户|人|生|车|村|站|座|场|件|吨|床)均"), None),
    (re.compile(r"单(车|座|场|件|个|点|站|户|套|台|辆|批次|次|人)"), None),
    (re.compile(r"单位面积|平方米"), "平方米"),
    (re.compile(r"^吨"), "吨"),
]
_PER_ALIASES = {"生": "人", "车": "辆", "村": "个", "站": "个", "点": "个", "床": "张"}


def _period(text: str) -> str:
    if re.search(r"(每日|每天|日均|/日|/天|人日|每餐|餐|日培训|日成本|日伙食|人·日|人/天|人/日)", text):
        return "day"
    if re.search(r"学期", text):
        return "semester"
    if re.search(r"(月(?!数)|/月)", text):
        return "month"
    if re.search(r"(年|/年)", text):
        return "year"
    return "unknown"


def _money_unit(unit: str, name: str) -> _Money | None:
    """元/万元/亿元 per something: from the unit ("元/亩", "万元/公里") or, for a bare money unit, the name."""
    unit = normalise_unit(unit)
    m = re.fullmatch(r"(万|亿|千)?元(?:/(.+))?", unit)
    if not m:
        return None
    factor = {"万": 1e4, "亿": 1e8, "千": 1e3}.get(m.group(1) or "", 1.0)
    per = None
    rest = m.group(2) or ""
    if rest:
        parts = re.split(r"[/·.]", rest)
        per = normalise_unit(parts[0])
        per = _PER_ALIASES.get(per, per)
    else:
        for pattern, fixed in _PER_IN_NAME:
            pm = pattern.search(name)
            if pm:
                per = fixed or _PER_ALIASES.get(pm.group(1), pm.group(1))
                break
    return _Money(factor, per, _period(name + "|" + rest))


def _unit_scale(unit: str) -> tuple[float, str]:
    """(multiplier, base unit) of a quantity unit: "万亩" → (10000, "亩"), "公里" → (1, "公里")."""
    unit = normalise_unit(unit)
    if len(unit) > 1 and unit[0] == "万" and unit[1:] not in ("元",):
        return 1e4, normalise_unit(unit[1:])
    return 1.0, unit


# --- the target as plain rows ----------------------------------------------------------------------------------


@dataclass
class _Row:
    index: int
    level1: str
    level2: str
    name: str  # as written (stripped)
    key: str  # normalised name
    core: str  # normalised name without a trailing remark
    raw_value: str
    unit: str
    weight: Decimal | None
    has_weight: bool
    value: Value | None = None
    error: str | None = None

    @property
    def label(self) -> str:
        shown = self.name if len(self.name) <= 30 else self.name[:30] + "…"
        return f"第{self.index + 1}行“{shown or '（未命名）'}”"

    @property
    def is_output(self) -> bool:
        return self.level1 == "产出指标"

    @property
    def is_cost(self) -> bool:
        return self.level2 in ("成本指标", "经济成本指标")

    @property
    def is_satisfaction(self) -> bool:
        return bool(_SATISFACTION.search(self.core))

    @property
    def shown_value(self) -> str:
        return self.raw_value.strip() + (self.unit if self.unit and self.unit not in self.raw_value else "")


@dataclass
class _Context:
    target: dict
    rows: list[_Row]
    framework: str
    tree: dict[str, list[str]]
    data: checks.TargetData
    year: int | None
    amount: Decimal | None
    kuan: str
    public: bool
    special: bool
    project_name: str
    goal: str | None


def _level(text: Any, known: set[str]) -> str:
    s = _clean(text)
    s = re.sub(r"^(一级|二级)(指标)?[:：]", "", s)
    if s in _LEVEL_ALIASES and _LEVEL_ALIASES[s] in known:
        return _LEVEL_ALIASES[s]
    if s not in known and s + "指标" in known:
        return s + "指标"
    return s


def _build(target: Any, config: ReviewConfig) -> _Context:
    t = target if isinstance(target, dict) else {}
    raw_rows = t.get("indicators")
    raw_rows = raw_rows if isinstance(raw_rows, list) else []
    level1s = {l1 for fw in FRAMEWORKS.values() for l1 in fw["tree"]}
    level2s = {l2 for fw in FRAMEWORKS.values() for l2s in fw["tree"].values() for l2 in l2s}
    year = _int(t.get("year"))
    rows: list[_Row] = []
    for i, r in enumerate(raw_rows):
        r = r if isinstance(r, dict) else {}
        name = "" if r.get("name") is None else str(r.get("name")).strip()
        raw_value = "" if r.get("target") is None else str(r.get("target"))
        unit = "" if r.get("unit") is None else str(r.get("unit"))
        weight = _decimal(r.get("weight"))
        has_weight = r.get("weight") not in (None, "")
        row = _Row(
            index=i,
            level1=_level(r.get("level1"), level1s),
            level2=_level(r.get("level2"), level2s),
            name=name,
            key=_norm_name(name),
            core=_core(_norm_name(name)),
            raw_value=raw_value,
            unit=unit,
            weight=weight,
            has_weight=has_weight,
        )
        try:
            row.value = parse(raw_value, unit, year=year)
        except ValueParseError as e:
            row.error = e.message
        rows.append(row)

    framework = str(t.get("framework") or "")
    if framework not in FRAMEWORKS:
        framework = "101号" if any(r.level1 == "成本指标" for r in rows) else config.framework
    if framework not in FRAMEWORKS:
        framework = "10号"
    tree = FRAMEWORKS[framework]["tree"]
    scheme, fallback = config.scheme, config.fallback
    if scheme is None or fallback is None:
        key = DEFAULT_SCHEME.get(framework, "self_10")
        _, _, _, weights, _, fb = next(s for s in SCHEMES if s[0] == key)
        scheme = scheme if scheme is not None else weights
        fallback = fallback if fallback is not None else fb
    public = t.get("public_service")
    public = config.public_service_default if public is None else bool(public)
    special = bool(t.get("special_fund"))
    goal = t.get("overall_goal")
    goal = None if goal is None else str(goal)
    amount = _decimal(t.get("amount"))
    data = checks.TargetData(
        kind="project",
        goal=goal or "",
        rows=[checks.Row(r.level1, r.level2, r.name, r.raw_value, r.unit, r.weight) for r in rows],
        tree=tree,
        scheme=scheme,
        fallback=fallback,
        framework=framework,
        serves_public=public,
        special_fund=special,
        min_quantitative=config.special_fund_min_quantitative,
        year=year,
        amount=None,
        budget_amount=None,
    )
    code = re.sub(r"\D", "", _clean(t.get("function_code")))
    return _Context(
        target=t,
        rows=rows,
        framework=framework,
        tree=tree,
        data=data,
        year=year,
        amount=amount if amount is not None and amount > 0 else None,
        kuan=code[:5] if len(code) >= 5 else "",
        public=public,
        special=special,
        project_name=_clean(t.get("project_name")),
        goal=goal,
    )


def _int(x: Any) -> int | None:
    try:
        y = int(str(x).strip()[:4])
    except (TypeError, ValueError):
        return None
    return y if 1900 <= y <= 2200 else None


# --- the review ------------------------------------------------------------------------------------------------


def review(target: dict, library: Library | None = None, config: ReviewConfig | None = None) -> list[Finding]:
    """All findings on one target, target-level ones first, then by row and code."""
    config = config or ReviewConfig()
    library = library if library is not None else load_library()
    ctx = _build(target, config)
    findings: list[Finding] = []
    findings += _structural(ctx, library)
    for rule in (_q01, _q02, _q03, _q04, _q05, _q06, _q07, _q08, _q09, _q10):
        findings += rule(ctx, library, config)
    seen: set[tuple] = set()
    out: list[Finding] = []
    for f in findings:
        key = (f.code, f.indicator, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    out.sort(key=lambda f: (-1 if f.indicator is None else f.indicator, f.code))
    return out


def _row_text(ctx: _Context, i: int | None) -> str:
    return ctx.rows[i].label if i is not None and 0 <= i < len(ctx.rows) else "本目标"


def _structural(ctx: _Context, library: Library) -> list[Finding]:
    """checks.check() problems (the rules that block submission) mapped to review codes."""
    out: list[Finding] = []
    any_weight = any(r.has_weight for r in ctx.rows)
    for p in checks.check(ctx.data):
        where = _row_text(ctx, p.row)
        row = ctx.rows[p.row] if p.row is not None and 0 <= p.row < len(ctx.rows) else None
        if p.field == "goal":
            out.append(
                Finding(
                    "Q10",
                    "warning",
                    None,
                    f"总体目标：{p.message}。",
                    "按“做什么、做多少、做到什么程度、何时完成”写明年度总体目标，并与绩效指标对应。",
                )
            )
        elif p.field == "rows" and "量化指标" in p.message:
            n = sum(1 for r in ctx.rows if r.value is not None and r.value.kind != Kind.QUALITATIVE)
            out.append(
                Finding(
                    "Q11",
                    "error",
                    None,
                    f"专项资金项目应至少设置{ctx.data.min_quantitative}个可量化指标，目前只有{n}个。",
                    "补充数量、质量、时效、成本等可量化的三级指标，指标值写成“≥95%”“≥1200人次”"
                    "“2025年11月30日前”等形式。",
                )
            )
        elif p.field == "rows":
            out.append(Finding("Q05", "error", None, f"指标结构不完整：{p.message}。", _block_suggestion(p.message)))
        elif p.field in ("level1", "level2") and row is not None:
            out.append(
                Finding(
                    "Q04",
                    "error",
                    p.row,
                    f"{where}：{p.message}。",
                    f"按{ctx.framework}指标体系选择一级、二级指标："
                    + "；".join(f"{k}（{'、'.join(v)}）" for k, v in ctx.tree.items()),
                )
            )
        elif p.field == "name" and row is not None:
            if "重复" in p.message:
                out.append(
                    Finding(
                        "Q09",
                        "warning",
                        p.row,
                        f"{where}：与同一二级指标下前面的指标重复。",
                        "删除重复的指标，或改为反映不同内容的指标。",
                    )
                )
            else:
                out.append(
                    Finding("Q10", "error", p.row, f"{where}：{p.message}。", "填写能反映产出或效果的三级指标名称。")
                )
        elif p.field == "weight":
            if not any_weight:
                continue  # the target sets no weights at all: nothing to check
            if row is not None:
                out.append(
                    Finding(
                        "Q06",
                        "error",
                        p.row,
                        f"{where}：{p.message}（当前分值“{row.weight if row.weight is not None else '未填'}”）。",
                        "每个指标都应设置大于0的分值，并按重要程度分配。",
                    )
                )
            else:
                out.append(
                    Finding(
                        "Q06",
                        "error",
                        None,
                        f"权重合计不符合{ctx.framework}评分方案：{p.message}。",
                        "按方案调整各一级指标下三级指标的分值："
                        + "，".join(
                            f"{k}{v:g}分"
                            for k, v in checks.expected_points(ctx.data, {r.level1 for r in ctx.rows}).items()
                        )
                        + "。",
                    )
                )
        elif p.field == "unit" and row is not None:
            ind = library.find(row.name)
            lib_unit = ind.unit if ind is not None else ""
            out.append(
                Finding(
                    "Q02",
                    "error",
                    p.row,
                    f"{where}：指标值“{row.raw_value.strip()}”是数值，但没有计量单位。",
                    (
                        f"填写计量单位（指标库同类指标的单位为“{lib_unit}”）。"
                        if lib_unit
                        else "填写计量单位，如“%”“人次”“个”“万元”。"
                    ),
                )
            )
        elif p.field == "value" and row is not None:
            finding = _value_error(ctx, row, p.message)
            if finding is not None:
                out.append(finding)
    return out


def _block_suggestion(message: str) -> str:
    if "满意度" in message:
        return "面向社会公众提供服务的项目应设置服务对象满意度指标，如“服务对象满意度 ≥90%”。"
    if "成本" in message:
        return "按101号指标体系设置经济成本指标，如“项目总成本 ≤ 预算金额”或单位成本控制标准。"
    if "效益" in message:
        return "补充效益指标，写明项目实施后的经济、社会或生态效益，如“受益群众人数 ≥5000人”。"
    return "补充缺少的一级指标。"


def _value_error(ctx: _Context, row: _Row, message: str) -> Finding | None:
    if (row.level2 == "时效指标" or _TIME_POINT_TAIL.search(row.core)) and _RELATIVE_DEADLINE.search(
        _clean(row.raw_value)
    ):
        return None  # "次月15日前", "付息日前3个工作日": a recurring or relative deadline is measurable
    if "单位“" in message:  # the parser's unit messages quote the unit: 单位“%”与计量单位“个”不一致
        return Finding(
            "Q02",
            "error",
            row.index,
            f"{row.label}：{message}。",
            "指标值中的单位应与计量单位一致，或只在其中一处填写单位。",
        )
    if _TIME_POINT_TAIL.search(row.core):
        return _time_without_date(ctx, row, f"指标值“{row.raw_value.strip()}”无法识别为日期")
    return Finding(
        "Q01",
        "error",
        row.index,
        f"{row.label}：{message}。",
        _quantify_suggestion(row, None),
    )


def _quantify_suggestion(row: _Row, library: Library | None) -> str:
    ind = library.find(row.name) if library else None
    if ind and ind.p50 is not None and ind.comparator in ("≥", "≤", "="):
        unit = ind.unit
        typical = _range_text(ind.p10, ind.p90, unit)
        return f"改为“{ind.comparator}{_fmt(ind.p50)}{unit}”等可衡量的值（指标库同类指标{typical}）。"
    if row.level2 == "时效指标":
        return "改为具体的完成时限，如“2025年11月30日前”，或“及时率 ≥95%”。"
    if row.is_satisfaction:
        return "改为“≥90%”等可衡量的值，并说明调查方式。"
    if row.is_cost:
        return "写明成本控制数或单位成本标准，如“≤1200万元”“≤3000元/亩”。"
    if row.level2 == "质量指标":
        return "改为“≥95%”等可衡量的值，或写明应达到的具体标准（如“达到国家二级标准”）。"
    if row.level2 == "数量指标":
        return "写明具体数量，" + (f"如“≥300{_unit_hint(row)}”。" if _unit_hint(row) else "如“≥300户”“≥1200人次”。")
    return "改为“≥95%”“≥1200人次”等可衡量的值。"


def _unit_hint(row: _Row) -> str:
    unit = normalise_unit(row.unit)
    if unit and unit != "%":
        return unit
    m = re.search(r"(人次|人数|户数|个数|场次|次数|家数|所数|项数|件数|台数|套数|座数|处数|条数|批次)$", row.core)
    return (
        {
            "人数": "人",
            "户数": "户",
            "个数": "个",
            "次数": "次",
            "家数": "家",
            "所数": "所",
            "项数": "项",
            "件数": "件",
            "台数": "台",
            "套数": "套",
            "座数": "座",
            "处数": "处",
            "条数": "条",
        }.get(m.group(1), m.group(1))
        if m
        else ""
    )


def _q01(ctx: _Context, library: Library, config: ReviewConfig) -> list[Finding]:
    """Unmeasurable values in 数量/质量/时效/成本 rows (and satisfaction)."""
    out: list[Finding] = []
    for row in ctx.rows:
        v = row.value
        if v is None or v.kind != Kind.QUALITATIVE or _benefit_as_output(row):
            continue  # a benefit under 产出 is reported as Q04; once moved, wording is acceptable
        text = v.text
        why = None
        if row.level1 == "满意度指标" or row.is_satisfaction:
            why = "满意度指标应以调查得出的百分比衡量"
        elif row.level2 == "数量指标":
            if not (_FULL.match(text) and _RATE_TAIL.search(row.core)):
                why = "数量指标应写明具体数量"
        elif row.level2 == "质量指标":
            if _VAGUE.search(text) or not _STANDARD.search(text):
                why = "质量指标应写明比率或应达到的具体标准"
        elif row.level2 == "时效指标":
            if _TIME_POINT_TAIL.search(row.core):
                continue  # reported as Q10 (a time indicator without a date)
            if not _FREQUENCY.search(text):
                why = "时效指标应写明完成时限或及时率"
        elif row.level2 in ("成本指标", "经济成本指标"):
            why = "成本指标应写明成本控制数或单位成本"
        if why:
            out.append(
                Finding(
                    "Q01",
                    "error",
                    row.index,
                    f"{row.label}：指标值“{row.raw_value.strip()}”未量化，{why}。",
                    _quantify_suggestion(row, library),
                )
            )
    return out


def _q02(ctx: _Context, library: Library, config: ReviewConfig) -> list[Finding]:
    """Units that cannot be right for the indicator (missing units come from checks)."""
    out: list[Finding] = []
    for row in ctx.rows:
        v = row.value
        if v is None or not v.is_quantitative or _TIME_POINT_TAIL.search(row.core):
            continue
        unit = v.unit
        name = row.core
        why = suggestion = None
        number = v.upper if v.comparator == Comparator.RANGE and v.upper is not None else v.number
        if (
            v.kind == Kind.PERCENT
            and number is not None
            and number > 100
            and _BOUNDED_RATE.search(name)
            and not _UNBOUNDED_HINT.search(name)
        ):
            why = f"比率类指标的目标值为{_fmt(number)}%，超过了100%"
            suggestion = "比率不可能超过100%，请核实口径，如“≥95%”或“=100%”。"
        elif _RATE_TAIL.search(name) and unit not in _RATE_UNITS and not (row.is_satisfaction and unit == "分"):
            if not re.search(r"(周转率|容积率)$", name):
                why = f"“{row.name}”是比率，计量单位却是“{unit}”"
                suggestion = "比率类指标的计量单位应为“%”，如“≥95%”；若要考核数量，请把指标名称改为“…数”。"
        elif (_COUNT_TAIL.search(name) and (unit == "%" or "元" in unit)) or (
            re.search(r"(?<!含)(?<!储)量$", name) and unit == "%"
        ):
            why = f"“{row.name}”是数量，计量单位却是“{unit}”"
            suggestion = "数量类指标应使用“人”“个”“户”等计数单位；若要考核金额或比率，请相应修改指标名称。"
        elif _MONEY_TAIL.search(name) and unit and "元" not in unit and not _RATE_TAIL.search(name):
            why = f"“{row.name}”是金额，计量单位却是“{unit}”"
            suggestion = "金额类指标的计量单位应为“元”“万元”或“元/人”等。"
        elif re.search(r"面积$", name) and unit in _LENGTH_UNITS | _COUNT_UNITS:
            why = f"“{row.name}”是面积，计量单位却是“{unit}”"
            suggestion = "面积应使用“平方米”“万平方米”“亩”“平方公里”等单位。"
        elif re.search(r"(长度|里程)$", name) and unit in _AREA_UNITS | _COUNT_UNITS:
            why = f"“{row.name}”是长度，计量单位却是“{unit}”"
            suggestion = "长度应使用“米”“公里”等单位。"
        elif _DURATION_TAIL.search(name) and (unit == "%" or "元" in unit):
            why = f"“{row.name}”是时长或时限，计量单位却是“{unit}”"
            suggestion = "时限类指标应使用“天”“个工作日”“小时”等单位，如“≤15个工作日”。"
        elif (
            unit in _COUNT_UNITS
            and v.number is not None
            and v.number != v.number.to_integral_value()
            and _COUNT_TAIL.search(name)
            and not re.search(r"均", name)  # averages (平均/人均/户均) may be fractions
        ):
            why = f"计数单位“{unit}”的目标值{_fmt(v.number)}不是整数"
            suggestion = f"数量应为整数，请核实目标值或计量单位（如“万{unit}”）。"
        if why:
            out.append(Finding("Q02", "error", row.index, f"{row.label}：{why}。", suggestion or ""))
    return out


def _direction(row: _Row, library: Library) -> tuple[str | None, str]:
    """("reverse" | "positive" | None, why) from the name's wording, then the library."""
    name = row.core
    if (_NEG_TAIL.search(name) or _NEG_ENV_TAIL.search(name)) and not _SAVING.search(name):
        return "reverse", "该指标越低越好"
    if _COST_TAIL.search(name) and not _SAVING.search(name):
        return "reverse", "成本、费用类指标应设上限"
    if _TIME_TAIL.search(name):
        return "reverse", "完成时间、时限类指标应设上限"
    if _POS_RATE.search(name):
        return "positive", "该比率越高越好"
    ind = library.find(row.name)
    if ind is not None and ind.comparator == "≥":
        return "positive", f"指标库中“{ind.name}”为正向指标（≥）"
    if ind is not None and ind.comparator == "≤":
        return "reverse", f"指标库中“{ind.name}”为反向指标（≤）"
    return None, ""


def _q03(ctx: _Context, library: Library, config: ReviewConfig) -> list[Finding]:
    out: list[Finding] = []
    for row in ctx.rows:
        v = row.value
        if v is None or v.comparator not in (Comparator.GE, Comparator.GT, Comparator.LE, Comparator.LT):
            continue
        direction, why = _direction(row, library)
        up = v.comparator in (Comparator.GE, Comparator.GT)
        if direction == "reverse" and up:
            want = "≤"
        elif direction == "positive" and not up:
            want = "≥"
        else:
            continue
        shown = v.display()
        fixed = want + shown[1:] if shown[:1] in "≥≤><" else want + shown
        out.append(
            Finding(
                "Q03",
                "error",
                row.index,
                f"{row.label}：比较符号“{v.comparator.value}”与指标含义相反（{why}）。",
                f"改为“{fixed}”。",
            )
        )
    return out


def _q04(ctx: _Context, library: Library, config: ReviewConfig) -> list[Finding]:
    out: list[Finding] = []
    extra = [_norm_name(x) for x in config.extra_process_measures]
    for row in ctx.rows:
        name = row.core
        if row.level1 not in ctx.tree or row.level2 not in ctx.tree.get(row.level1, []):
            continue  # reported by checks
        why = suggestion = None
        if _PROCESS_MEASURE.search(name) or (extra and any(name.endswith(x) for x in extra)):
            why = f"“{row.name}”是预算执行过程指标，不反映项目的产出或效益"
            suggestion = (
                "删除该指标（预算执行率在自评时单独计分），改为反映项目实际产出的指标，如“补助发放人数”“工程完工率”。"
            )
        elif row.is_satisfaction and row.level1 != "满意度指标":
            why = f"满意度指标放在了“{row.level1}—{row.level2}”下"
            suggestion = "移到“满意度指标—服务对象满意度指标”下。"
        elif _benefit_as_output(row):
            why = f"“{row.name}”反映的是项目实施后的效果，不是产出"
            suggestion = "移到效益指标下（经济效益、社会效益或生态效益），产出指标只写项目直接提供的产品和服务。"
        elif row.level2 == "数量指标" and _QUALITY_TAIL.search(name):
            why = f"“{row.name}”反映质量，却放在了数量指标下"
            suggestion = "移到“产出指标—质量指标”下。"
        elif row.level2 == "数量指标" and _TIMELINESS_TAIL.search(name):
            why = f"“{row.name}”反映时效，却放在了数量指标下"
            suggestion = "移到“产出指标—时效指标”下。"
        elif row.level2 in ("数量指标", "质量指标", "时效指标") and _COST_WORDING.search(name):
            where = "成本指标—经济成本指标" if ctx.framework == "101号" else "产出指标—成本指标"
            why = f"“{row.name}”是成本或补助标准，却放在了{row.level2}下"
            suggestion = f"移到“{where}”下。"
        else:
            ind = library.find(row.name)
            # counts are unambiguous outputs; rates and time limits may sit under either block, so only those
            if ind is not None and (
                (ind.level2 == "数量指标" and row.level1 == "效益指标")
                or (ind.level1 == "效益指标" and row.level2 == "数量指标")
            ):
                why = f"指标库中“{ind.name}”属于“{ind.level1}—{ind.level2}”，这里放在了“{row.level1}—{row.level2}”下"
                suggestion = f"移到“{ind.level1}—{ind.level2}”下。"
        if why:
            out.append(Finding("Q04", "warning", row.index, f"{row.label}：{why}。", suggestion or ""))
    return out


def _benefit_as_output(row: _Row) -> bool:
    return row.is_output and not row.is_satisfaction and bool(_BENEFIT_WORDS.search(row.core))


def _q05(ctx: _Context, library: Library, config: ReviewConfig) -> list[Finding]:
    """Required 二级 blocks under 产出 (checks covers 产出/效益/满意度/101号成本)."""
    out: list[Finding] = []
    present1 = {r.level1 for r in ctx.rows}
    present2 = {(r.level1, r.level2) for r in ctx.rows}
    for l2 in config.required_level2:
        owner = next((l1 for l1, l2s in ctx.tree.items() if l2 in l2s), None)
        if owner is None or owner not in present1 or (owner, l2) in present2:
            continue
        example = {
            "数量指标": "如“新建校舍面积 ≥3000平方米”“培训人次 ≥1200人次”",
            "时效指标": "如“项目完成时间 2025年11月30日前”“资金发放及时率 ≥95%”",
            "质量指标": "如“工程验收合格率 =100%”",
            "成本指标": "如“项目总成本 ≤ 预算金额”",
        }.get(l2, "")
        out.append(
            Finding(
                "Q05",
                "error",
                None,
                f"指标结构不完整：{owner}下缺少{l2}。",
                f"补充{l2}{example}。",
            )
        )
    return out


def _q06(ctx: _Context, library: Library, config: ReviewConfig) -> list[Finding]:
    """One row above the configured share (sums, zeros and missing weights come from checks)."""
    out: list[Finding] = []
    for row in ctx.rows:
        if row.weight is not None and float(row.weight) > config.max_row_weight:
            out.append(
                Finding(
                    "Q06",
                    "warning",
                    row.index,
                    f"{row.label}：分值{_fmt(row.weight)}分，超过单个指标最高{_fmt(config.max_row_weight)}分的规定。",
                    f"细化指标，把分值分配到多个三级指标上，单个指标不超过{_fmt(config.max_row_weight)}分。",
                )
            )
    return out


def _last_year_rows(ctx: _Context) -> list[dict]:
    ly = ctx.target.get("last_year")
    rows = ly.get("indicators") if isinstance(ly, dict) else ly if isinstance(ly, list) else None
    return [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []


def _parse_soft(text: Any, unit: str, year: int | None) -> Value | None:
    if text is None or str(text).strip() == "":
        return None
    try:
        return parse(str(text), unit, year=year)
    except ValueParseError:
        try:
            return parse(str(text), "", year=year)
        except ValueParseError:
            return None


def _q07(ctx: _Context, library: Library, config: ReviewConfig) -> list[Finding]:
    out: list[Finding] = []
    last = {}
    for r in _last_year_rows(ctx):
        last.setdefault(_norm_name(r.get("name")), r)
    ly_year = ctx.year - 1 if ctx.year else None
    for row in ctx.rows:
        v = row.value
        if v is None or not v.is_quantitative or v.number is None:
            continue
        direction, _ = _direction(row, library)
        reverse = direction == "reverse" or v.comparator in (Comparator.LE, Comparator.LT)
        flagged = False
        # satisfaction at 100% or too low
        if (
            row.is_satisfaction
            and v.kind == Kind.PERCENT
            and v.comparator in (Comparator.GE, Comparator.GT, Comparator.EQ)
        ):
            if v.number >= Decimal(str(config.satisfaction_max)):
                out.append(
                    Finding(
                        "Q07",
                        "warning",
                        row.index,
                        f"{row.label}：满意度目标{_fmt(v.number)}%不切实际，抽样调查几乎不可能全部满意。",
                        "改为“≥90%”或“≥95%”等经过努力可以达到的值。",
                    )
                )
                flagged = True
            elif v.number < Decimal(str(config.satisfaction_min)):
                out.append(
                    Finding(
                        "Q07",
                        "warning",
                        row.index,
                        f"{row.label}：满意度目标{_fmt(v.number)}%偏低（低于{_fmt(config.satisfaction_min)}%）。",
                        f"满意度目标一般不低于{_fmt(config.satisfaction_min)}%，建议改为“≥90%”。",
                    )
                )
                flagged = True
        # last year's actual
        prev = last.get(row.key)
        if prev is not None:
            actual = _parse_soft(prev.get("actual"), row.unit, ly_year)
            prev_target = _parse_soft(prev.get("target"), row.unit, ly_year)
            if (
                actual is not None
                and actual.is_quantitative
                and actual.number is not None
                and actual.unit == v.unit
                and v.comparator != Comparator.RANGE
            ):
                a = float(actual.number)
                t = float(v.number)
                tol = config.last_year_tolerance
                low = (not reverse) and t < a * (1 - tol) - 1e-9
                loose = reverse and v.comparator in (Comparator.LE, Comparator.LT) and t > a * (1 + tol) + 1e-9
                if low or loose:
                    extra = ""
                    if (
                        prev_target is not None
                        and prev_target.number
                        and prev_target.unit == actual.unit
                        and float(prev_target.number) > 0
                        and a / float(prev_target.number) >= config.over_target_ratio
                        and not reverse
                    ):
                        extra = (
                            f"；上年目标{prev_target.display()}、实际完成{_shown(actual)}，"
                            f"超出目标{(a / float(prev_target.number) - 1) * 100:.0f}%，说明目标设置偏保守"
                        )
                    what = "低于" if low else "宽于"
                    out.append(
                        Finding(
                            "Q07",
                            "warning",
                            row.index,
                            f"{row.label}：目标值{v.display()}{what}上年实际完成值{_shown(actual)}{extra}。",
                            "目标应体现进取性（R12），建议不低于上年实际，"
                            f"如“{('≤' if reverse else '≥')}{_fmt(a)}{v.unit}”，"
                            "或在备注中说明下调原因。",
                        )
                    )
                    flagged = True
        if flagged or v.kind.value not in config.p10_kinds:
            continue
        # the library's p10 (p90 for reverse indicators)
        ind = library.find(row.name)
        if ind is None or ind.p10 is None or ind.p90 is None or ind.unit != v.unit or ind.kind != v.kind.value:
            continue
        t = float(v.number)
        if ind.comparator == "≥" and not reverse and t < ind.p10 - 1e-9:
            out.append(
                Finding(
                    "Q07",
                    "warning",
                    row.index,
                    f"{row.label}：目标值{v.display()}低于指标库同类指标的常见下限（p10={_fmt(ind.p10)}{ind.unit}，"
                    f"中位值{_fmt(ind.p50)}{ind.unit}）。",
                    f"参考同类项目，建议不低于“≥{_fmt(ind.p50)}{ind.unit}”，或说明本项目的特殊情况。",
                )
            )
        elif ind.comparator == "≤" and reverse and t > ind.p90 + 1e-9:
            out.append(
                Finding(
                    "Q07",
                    "warning",
                    row.index,
                    f"{row.label}：控制目标{v.display()}宽于指标库同类指标的常见上限（p90={_fmt(ind.p90)}{ind.unit}，"
                    f"中位值{_fmt(ind.p50)}{ind.unit}）。",
                    f"参考同类项目，建议收紧到“≤{_fmt(ind.p50)}{ind.unit}”。",
                )
            )
    return out


def _best_costs(entries: list[UnitCost], text: str) -> list[UnitCost]:
    """The most specific entries all of whose distinctive words occur in `text` (the row's and project's names)."""
    hits = [e for e in entries if e.keys and all(k in text for k in e.keys)]
    if not hits:
        return []
    best = max(len(e.keys) for e in hits)
    return [e for e in hits if len(e.keys) == best]


def _q08(ctx: _Context, library: Library, config: ReviewConfig) -> list[Finding]:
    out: list[Finding] = []
    amount = float(ctx.amount) if ctx.amount is not None else None
    project_text = _norm_name(ctx.project_name)
    entries_by_per = (
        library.unit_costs.get(ctx.kuan, {})
        if ctx.kuan
        else {per: [c for c in library.costs if c.per == per] for per in {c.per for c in library.costs}}
    )
    quantities: list[tuple[_Row, float, str]] = []  # (row, quantity in base unit, base unit)
    for row in ctx.rows:
        v = row.value
        if (
            row.level2 == "数量指标"
            and v is not None
            and v.kind == Kind.NUMBER
            and v.number is not None
            and v.number > 0
            and v.comparator in (Comparator.GE, Comparator.GT, Comparator.EQ, Comparator.RANGE)
            and "元" not in v.unit
        ):
            scale, base = _unit_scale(v.unit)
            if base:
                quantities.append((row, float(v.number) * scale, base))

    # 1. a total-cost indicator against the budget
    for row in ctx.rows:
        v = row.value
        if v is None or not v.is_quantitative or v.number is None or amount is None:
            continue
        money = _money_unit(v.unit, row.core)
        if money is None or money.per is not None or not _TOTAL_COST.search(row.core):
            continue
        if not (row.is_cost or row.level1 == "成本指标"):
            continue
        total = float(v.number) * money.factor
        if abs(total - amount) > amount * config.total_cost_tolerance:
            out.append(
                Finding(
                    "Q08",
                    "warning",
                    row.index,
                    f"{row.label}：成本指标{v.display()}（{_fmt(total)}元）与项目预算{_fmt(amount)}元不一致"
                    f"（相差{abs(total - amount) / amount * 100:.0f}%）。",
                    f"总成本应与预算金额相匹配，如“≤{_fmt(amount / money.factor)}{v.unit}”；"
                    "若另有其他资金来源请在备注中说明。",
                )
            )

    # 2. a unit-cost indicator against the library range, and standard × quantity against the budget
    for row in ctx.rows:
        v = row.value
        if v is None or not v.is_quantitative or v.number is None or not (row.is_cost or row.level1 == "成本指标"):
            continue
        money = _money_unit(v.unit, row.core)
        if money is None or money.per is None:
            continue
        period = money.period
        per_value = float(v.number) * money.factor
        ind = library.find(row.name)
        candidates: list[UnitCost] = []
        if ind is not None:
            candidates = [c for c in library.costs if _norm_name(c.name) == _norm_name(ind.name)]
        if not candidates:
            words = row.core if _keys(row.core) else row.core + "|" + project_text
            pool = [
                c
                for c in entries_by_per.get(money.per, [])
                if c.period == period or {c.period, period} <= {"year", "unknown"}
            ]
            candidates = _best_costs(pool, words)
        if candidates:
            mult = _PERIOD_MULT.get(period, 1)
            annual = per_value * mult
            low = min(c.low for c in candidates)
            high = max(c.high for c in candidates)
            f = config.cost_range_factor
            if annual < low / f or annual > high * f:
                names = "、".join(sorted({c.name for c in candidates}))
                side = "低于" if annual < low / f else "高于"
                out.append(
                    Finding(
                        "Q08",
                        "warning",
                        row.index,
                        f"{row.label}：{v.display()}明显{side}指标库同类成本"
                        f"（{names}：{_fmt(low / mult)}–{_fmt(high / mult)}"
                        f"元/{money.per}）。",
                        "核实成本测算依据和计量单位（元与万元），单位成本应与支出标准或同类项目相当。",
                    )
                )
                continue
        # standard × quantity
        if amount is None or v.comparator not in (Comparator.EQ, Comparator.GE) or period == "day":
            continue
        matches = [(q, n) for q, n, base in quantities if base == money.per]
        if len(matches) > 1:  # two outputs in the same unit: keep the one named like the standard
            keys = _keys(row.core)
            matches = [(q, n) for q, n in matches if keys and all(k in q.core for k in keys)]
        if len(matches) != 1:
            continue
        qrow, n = matches[0]
        need = per_value * n * _PERIOD_MULT.get(period, 1)
        tol = config.standard_total_tolerance
        over = need > amount * (1 + tol) and period != "month"  # a monthly standard may run fewer months
        under = v.comparator == Comparator.EQ and period in ("year", "month", "semester") and need < amount * (1 - tol)
        if over or under:
            times = {"month": "×12个月", "semester": "×2个学期"}.get(period, "")
            out.append(
                Finding(
                    "Q08",
                    "warning",
                    row.index,
                    f"{row.label}：按标准{v.display()}×{qrow.label}{_fmt(n)}{money.per}{times}测算需资金{_fmt(need)}元，"
                    f"与项目预算{_fmt(amount)}元不匹配（{'超出' if over else '不足预算的'}"
                    f"{(need / amount - 1) * 100 if over else need / amount * 100:.0f}%）。",
                    "核实补助标准、补助数量与预算金额，三者应相互对应；如有其他支出内容，请补充相应产出指标。",
                )
            )

    # 3. implied unit cost: the budget ÷ an output quantity
    if amount is not None:
        quantity_units = [base for _, _, base in quantities]
        for row, n, base in quantities:
            pool = entries_by_per.get(base, [])
            words = row.core + "|" + project_text
            candidates = [c for c in _best_costs(pool, words) if c.period != "day"]
            if not candidates:
                continue
            implied = amount / n
            low = min(c.low for c in candidates)
            high = max(c.high for c in candidates)
            f = config.unit_cost_factor
            too_low = implied < low / f
            too_high = implied > high * f and base not in _PERSON_UNITS and quantity_units.count(base) == 1
            if too_low or too_high:
                names = "、".join(sorted({c.name for c in candidates}))
                out.append(
                    Finding(
                        "Q08",
                        "warning",
                        row.index,
                        f"{row.label}：按预算{_fmt(amount)}元÷{_fmt(n)}{base}测算，单位成本约{_fmt(implied)}元/{base}，"
                        f"{'远低于' if too_low else '远高于'}指标库同类成本"
                        f"（{names}：{_fmt(low)}–{_fmt(high)}元/{base}）。",
                        "核实产出数量的口径和计量单位（如亩与万亩、元与万元），产出数量应与本年度预算资金相匹配。",
                    )
                )
    return out


def _value_key(name: Any, text: Any, unit: Any, year: int | None) -> tuple[str, str]:
    value = _parse_soft(text, "" if unit is None else str(unit), year)
    shown = value.display() if value is not None else _clean(text)
    return _norm_name(name), shown


def _q09(ctx: _Context, library: Library, config: ReviewConfig) -> list[Finding]:
    out: list[Finding] = []
    # the same name under different 二级 (checks reports the same 二级)
    first: dict[str, _Row] = {}
    for row in ctx.rows:
        if not row.key:
            continue
        prev = first.get(row.key)
        if prev is None:
            first[row.key] = row
        elif prev.level2 == row.level2 and prev.name != row.name:  # checks compares names as written
            out.append(
                Finding(
                    "Q09",
                    "warning",
                    row.index,
                    f"{row.label}：与{prev.label}实为同一指标（仅空格或标点不同），重复设置。",
                    "删除重复的指标，或改为反映不同内容的指标。",
                )
            )
        elif prev.level2 != row.level2:
            out.append(
                Finding(
                    "Q09",
                    "warning",
                    row.index,
                    f"{row.label}：与{prev.label}（{prev.level2}）名称相同，同一指标重复设置。",
                    "删除其中一个，或改为反映不同内容的指标。",
                )
            )
            if {prev.level1, row.level1} == {"产出指标", "效益指标"}:
                out.append(
                    Finding(
                        "Q04",
                        "warning",
                        row.index,
                        f"{row.label}：同一指标同时放在了产出指标和效益指标下，一个指标只能反映产出或效益之一。",
                        "保留在正确的一级指标下：直接提供的产品和服务放产出指标，由此带来的效果放效益指标。",
                    )
                )
    n = len(ctx.rows)
    if n < config.min_rows_for_copy:
        return out
    mine = [_value_key(r.name, r.raw_value, r.unit, ctx.year) for r in ctx.rows]
    # identical to last year's targets
    last = _last_year_rows(ctx)
    if last:
        ly_year = ctx.year - 1 if ctx.year else None
        theirs = {_value_key(r.get("name"), r.get("target"), r.get("unit"), ly_year) for r in last}
        same = sum(1 for k in mine if k in theirs)
        if same >= config.min_rows_for_copy and same / n >= config.same_as_last_year_share:
            out.append(
                Finding(
                    "Q09",
                    "warning",
                    None,
                    f"{n}个指标中有{same}个的名称和目标值与上年完全相同，目标照搬上年。",
                    "结合本年度任务和上年实际完成情况重新测算指标值，体现年度工作的变化和进取性。",
                )
            )
    # identical to another unit's
    others = ctx.target.get("others")
    if isinstance(others, list):
        mine_set = set(mine)
        for j, other in enumerate(others):
            rows = other.get("indicators") if isinstance(other, dict) else other
            if not isinstance(rows, list):
                continue
            theirs = {
                _value_key(r.get("name"), r.get("target"), r.get("unit"), ctx.year) for r in rows if isinstance(r, dict)
            }
            if not theirs:
                continue
            common = mine_set & theirs
            jaccard = len(common) / len(mine_set | theirs)
            if len(common) >= config.min_rows_for_copy and jaccard >= config.same_as_other_share:
                who = ""
                if isinstance(other, dict):
                    who = str(other.get("unit") or other.get("unit_name") or other.get("project_name") or "")
                who = who or f"第{j + 1}个对比目标"
                out.append(
                    Finding(
                        "Q09",
                        "warning",
                        None,
                        f"绩效指标与{who}的指标{len(common)}项完全相同（相似度{jaccard * 100:.0f}%），"
                        "疑似照抄其他单位。",
                        "根据本单位项目的实际内容、规模和资金量设置指标和指标值。",
                    )
                )
    return out


def _time_without_date(ctx: _Context, row: _Row, why: str) -> Finding:
    year = ctx.year or "当"
    return Finding(
        "Q10",
        "warning",
        row.index,
        f"{row.label}：时间类指标没有写明具体日期（{why}）。",
        f"写明完成时限，如“{year}年11月30日前”。",
    )


def _q10(ctx: _Context, library: Library, config: ReviewConfig) -> list[Finding]:
    out: list[Finding] = []
    goal = ctx.goal  # a missing or too short goal is reported by checks (mapped in _structural)
    if goal is not None and config.goal_requires_number and len(_clean(goal)) >= 10:
        stripped = _GOAL_NOISE.sub("", _clean(goal))
        if not _GOAL_NUMBER.search(stripped):
            out.append(
                Finding(
                    "Q10",
                    "warning",
                    None,
                    f"年度总体目标“{goal.strip()[:40]}{'…' if len(goal.strip()) > 40 else ''}”"
                    "没有任何数量、标准或时限，无法衡量。",
                    "写明主要产出的数量和完成时间，如“年内完成12所学校校舍维修改造，新增学位900个”。",
                )
            )
    for row in ctx.rows:
        name = row.key
        if _VALUE_IN_NAME.search(name):
            out.append(
                Finding(
                    "Q10",
                    "warning",
                    row.index,
                    f"{row.label}：指标名称中包含了目标值或比较符号。",
                    "指标名称只写考核内容（如“培训人次”），目标值写在“指标值”栏（如“≥500人次”）。",
                )
            )
        elif name and _GENERIC_NAME.match(name):
            out.append(
                Finding(
                    "Q10",
                    "warning",
                    row.index,
                    f"{row.label}：指标名称过于笼统，看不出考核什么。",
                    "写明具体的考核内容，如“新建校舍面积”“服务对象满意度”。",
                )
            )
        if _TIME_POINT_TAIL.search(row.core) and row.value is not None and row.value.kind != Kind.DATE:
            v = row.value
            is_duration = v.kind == Kind.NUMBER and re.fullmatch(r"(个)?(工作日|天|日|个月|周|小时)", v.unit or "")
            is_period = v.kind == Kind.QUALITATIVE and re.search(r"(第[一二三四1-4]季度|上半年|下半年)", v.text)
            if not is_duration and not is_period:
                out.append(_time_without_date(ctx, row, f"指标值为“{row.shown_value}”"))
    return out

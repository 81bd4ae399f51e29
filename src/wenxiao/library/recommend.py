"""Indicator recommendation (指标推荐): the top-k indicators for a project, each with why. Pure Python, no Django.

Candidates are the library templates plus the distinct indicators of approved targets of past projects
("history"). History rows merge into one candidate per indicator: into the template they were picked from
(`template_code`), else into the template of the same name, else into a history-only candidate keyed by name.
A merged candidate carries its usage (how many approved rows used it, per 功能分类), the words of the names of
the projects that used it, and the spread of the values they set (p10/p50/p90 of `core.values.parse` numbers
in the indicator's own unit, once at least `MIN_VALUES` of them exist — the same rule as library.stats).

Scoring, for a query q = project name (+ description, + function code f, + amount):

    bm25(d)  BM25F over two fields of candidate d, both tokenised with core.text.tokenize():
               A = indicator name (each name word counts twice) + definition + 二级指标
               B = the names of the projects that used it (tf = number of projects whose name has the word)
             tf~(t, d) = Σ_field w_f · tf_f / (1 − b + b · len_f(d) / avglen_f)       (w_A = 1, w_B = 0.6, b = 0.75)
             bm25(d)   = Σ_t∈q qw(t) · idf(t) · tf~ · (k1 + 1) / (tf~ + k1)          (k1 = 1.2)
             idf(t)    = ln(1 + (N − df + 0.5) / (df + 0.5)); qw = 1 for words of the name, 0.4 for words found
             only in the description. Per-term contributions are precomputed at build time, so a query only
             adds up posting lists.
    rel(d)   = bm25(d) / max bm25 over the candidates of this query                              ∈ [0, 1]
    sec(d)   = sector match of d's 适用领域 with f: 1.0 same 项 (or d is declared for f's 款/类 as a whole),
               0.6 same 款, 0.3 same 类, 0.4 共性 (common indicator, no sector; also without f), 0 otherwise;
               the larger one when a common indicator also has a sector
    use(d)   = 0.75 · ln(1 + n_f(d)) / ln(1 + max n_f) + 0.25 · ln(1 + n(d)) / ln(1 + max n)        ∈ [0, 1]
               n_f = approved rows of projects under f (its 项, or its 款/类 when f is shorter), n = all approved
               rows; the maxima are over the whole index. Without f: ln(1 + n) / ln(1 + max n).

    score(d) = W_REL · rel + W_SEC · sec + W_USE · use          (W_REL = 0.4, W_SEC = 0.3, W_USE = 0.3)

Candidates are the union of the text matches, the same-类 indicators and the 共性 ones; use(d) ≤ 1, so only
those whose score without it is within W_USE of the 8·k-th best are scored in full. The top-k is then
balanced into a usable target: the best 产出指标, 效益指标 and 满意度指标 are always included (where any
exists), no 二级指标 takes more than max(2, ⌈0.3·k⌉) places unless nothing else is left, a name appears once,
and the chosen ones are returned by score.
"""

from __future__ import annotations

import csv
import heapq
import math
import statistics
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from wenxiao.core.text import tokenize
from wenxiao.core.values import Comparator, Kind, ValueParseError, parse

DEFAULT_CSV = Path(__file__).resolve().parent / "data" / "indicators.csv"

K1 = 1.2
B = 0.75
W_NAME = 2.0  # a word of the indicator name counts twice in field A
W_PROJECTS = 0.6  # field B (names of the projects that used it) against field A
QW_DESCRIPTION = 0.4  # query words only in the description
W_REL, W_SEC, W_USE = 0.4, 0.3, 0.3
SECTOR_SCORE = {3: 1.0, 2: 0.6, 1: 0.3}
COMMON_SCORE = 0.4
SECTOR_LABEL = {3: "同项", 2: "同款", 1: "同类"}
LEVEL_NAME = {3: "类", 5: "款", 7: "项"}
LEVEL2_SHARE = 0.3  # no 二级指标 takes more than max(2, ⌈share·k⌉) places while others are left
REQUIRED_BLOCKS = ("产出指标", "效益指标", "满意度指标")
MIN_VALUES = 5  # numbers needed before the history spread replaces the library's reference range
TOTAL_COST_WORDS = ("总成本", "总投资", "资金总额", "总额")


@dataclass
class Candidate:
    """One distinct indicator the recommender can suggest (a library template, history merged in, or history only)."""

    code: str | None
    name: str
    level1: str
    level2: str
    unit: str = ""
    comparator: str = ""
    p10: float | None = None
    p50: float | None = None
    p90: float | None = None
    sectors: tuple[str, ...] = ()  # 适用领域: function codes (7-digit 项, 5-digit 款 …)
    usage: int = 0  # approved rows that used it
    source: str = "library"  # "library" | "history"
    text_tokens: tuple[str, ...] = ()  # tokenize(name + definition + 二级指标)
    value_kind: str = ""
    common: bool = False
    definition: str = ""
    sector_usage: dict[str, int] = field(default_factory=dict)  # function code (and its 款/类 prefixes) → rows
    project_tokens: dict[str, int] = field(default_factory=dict)  # word → projects whose name has it
    values: dict[str, int] = field(default_factory=dict)  # value text → rows (for 定性 and date suggestions)


@dataclass
class Suggestion:
    name: str
    level1: str
    level2: str
    unit: str
    comparator: str
    suggested_value: str
    p10: float | None
    p50: float | None
    p90: float | None
    score: float
    why: list[str]
    template_code: str | None
    source: str = "library"
    usage: int = 0
    value_kind: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


# --- tokens and numbers --------------------------------------------------------------------------------------


@lru_cache(maxsize=200_000)
def _tokens(text: str) -> tuple[str, ...]:
    """Cached tokenize() for index building (indicator and project names repeat a lot)."""
    return tuple(tokenize(text))


@lru_cache(maxsize=100_000)
def _parsed(value: str, unit: str) -> tuple[float | None, str, str, str]:
    """(number or None, unit, kind, comparator) of a history value; ranges and unparseable text give no number."""
    try:
        v = parse(value, unit, year=2000)
    except ValueParseError:
        return None, unit, "", ""
    number = None
    if v.is_quantitative and v.comparator != Comparator.RANGE and v.number is not None:
        number = float(v.number)
    return number, v.unit, v.kind.value, v.comparator.value


def _float(x) -> float | None:
    if x is None:
        return None
    if isinstance(x, str):
        x = x.strip()
        if not x:
            return None
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def fmt(x: float | None) -> str:
    """12.0 → "12", 0.5 → "0.5", 93.3333 → "93.33"."""
    if x is None:
        return ""
    if abs(x - round(x)) < 1e-9:
        return str(int(round(x)))
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _deciles(numbers: list[float]) -> tuple[float, float, float]:
    if len(numbers) == 1:
        return numbers[0], numbers[0], numbers[0]
    cuts = statistics.quantiles(numbers, n=10, method="inclusive")
    return round(cuts[0], 4), round(cuts[4], 4), round(cuts[8], 4)


def _sector_level(sectors: Iterable[str], fc: str) -> int:
    """3: a sector is f or contains it (or f contains it); 2: same 款; 1: same 类; 0: none."""
    best = 0
    for s in sectors:
        if s.startswith(fc) or fc.startswith(s):
            return 3
        if len(s) >= 5 and len(fc) >= 5 and s[:5] == fc[:5]:
            best = max(best, 2)
        elif s[:3] == fc[:3]:
            best = max(best, 1)
    return best


def _prefixes(code: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(code[:n] for n in (3, 5, 7) if len(code) >= n)) or ((code,) if code else ())


# --- building candidates -----------------------------------------------------------------------------------


def _template_candidate(t: dict) -> Candidate:
    codes = t.get("sectors")
    if codes is None:
        codes = t.get("function_codes") or ""
    if isinstance(codes, str):
        codes = codes.split(";")
    sectors = tuple(dict.fromkeys(c.strip() for c in codes if c and c.strip()))
    common = t.get("common")
    common = common == "共性" if isinstance(common, str) else bool(common or t.get("is_common"))
    name, definition, level2 = t["name"].strip(), (t.get("definition") or "").strip(), t["level2"].strip()
    return Candidate(
        code=t.get("code") or None,
        name=name,
        level1=t["level1"].strip(),
        level2=level2,
        unit=(t.get("unit") or "").strip(),
        comparator=(t.get("comparator") or "").strip(),
        p10=_float(t.get("p10")),
        p50=_float(t.get("p50")),
        p90=_float(t.get("p90")),
        sectors=sectors,
        usage=int(t.get("usage") or 0),
        source="library",
        text_tokens=_tokens(f"{name} {definition} {level2}"),
        value_kind=(t.get("value_kind") or "").strip(),
        common=common or not sectors,
        definition=definition,
    )


def merge_candidates(templates: Iterable[dict], history: Iterable[dict]) -> list[Candidate]:
    """Library templates and history rows → one candidate per distinct indicator (see the module docstring).

    A template dict: code, name, level1, level2, unit, comparator, value_kind, p10, p50, p90, definition,
    function_codes ("2050202;2050203") or sectors (list), common ("共性" or bool), usage (optional).
    A history dict: name, level1, level2, unit, comparator, value, project (its name), function_code,
    template_code (optional), number and value_kind (optional: already parsed), count (rows, default 1).
    """
    out: list[Candidate] = []
    by_code: dict[str, Candidate] = {}
    by_name: dict[str, Candidate] = {}
    for t in templates:
        c = _template_candidate(t)
        out.append(c)
        if c.code:
            by_code[c.code] = c
        by_name.setdefault(c.name, c)

    merged: dict[int, dict] = {}  # id(candidate) → accumulators

    def acc_for(c: Candidate) -> dict:
        a = merged.get(id(c))
        if a is None:
            a = merged[id(c)] = {
                "c": c,
                "rows": 0,
                "sectors": Counter(),
                "projects": Counter(),
                "words": Counter(),
                "numbers": [],
                "values": Counter(),
                "shape": Counter(),
                "kinds": Counter(),
            }
        return a

    for h in history:
        name = (h.get("name") or "").strip()
        if not name:
            continue
        c = by_code.get(h.get("template_code") or "") or by_name.get(name)
        if c is None:
            c = Candidate(code=None, name=name, level1="", level2="", source="history")
            by_name[name] = c
            out.append(c)
        a = acc_for(c)
        n = int(h.get("count") or 1)
        a["rows"] += n
        unit = (h.get("unit") or "").strip()
        comparator = (h.get("comparator") or "").strip()
        a["shape"][(h.get("level1") or "", h.get("level2") or "", unit)] += n
        fc = (h.get("function_code") or "").strip()
        for p in _prefixes(fc):
            a["sectors"][p] += n
        project = (h.get("project") or "").strip()
        if project:
            a["projects"][project] += n
        value = (h.get("value") or "").strip()
        if value:
            a["values"][value] += n
        number, kind = _float(h.get("number")), h.get("value_kind") or ""
        if value and ("number" not in h or not comparator):
            parsed, unit_parsed, parsed_kind, parsed_comparator = _parsed(value, unit)
            if "number" not in h:
                number, unit, kind = parsed, unit_parsed or unit, parsed_kind
            comparator = comparator or parsed_comparator
        if kind:
            a["kinds"][(kind, comparator)] += n
        if number is not None and (c.source == "history" or unit == c.unit):
            a["numbers"].append((number, unit, n))

    for a in merged.values():
        c: Candidate = a["c"]
        if c.source == "history":
            (c.level1, c.level2, c.unit), _ = a["shape"].most_common(1)[0]
            if a["kinds"]:
                (c.value_kind, c.comparator), _ = a["kinds"].most_common(1)[0]
            c.sectors = tuple(s for s in a["sectors"] if len(s) == 7) or tuple(a["sectors"])
            c.text_tokens = _tokens(f"{c.name} {c.level2}")
        c.usage = max(c.usage, a["rows"])
        c.sector_usage = dict(a["sectors"])
        words: Counter = Counter()
        for project, n in a["projects"].items():
            for w in _tokens(project):
                words[w] += n
        c.project_tokens = dict(words)
        c.values = dict(a["values"])
        numbers = [x for x, u, n in a["numbers"] if u == c.unit for _ in range(min(n, 50))]
        if len(numbers) >= MIN_VALUES or (c.source == "history" and numbers):
            c.p10, c.p50, c.p90 = _deciles(numbers)
    return out


# --- the recommender ----------------------------------------------------------------------------------------


class Recommender:
    """A BM25F index over candidates; build once (it is immutable), query with `recommend()`."""

    def __init__(self, candidates: Iterable[Candidate]):
        self.candidates: list[Candidate] = list(candidates)
        cands = self.candidates
        n = len(cands)
        fields_a: list[dict[str, float]] = []
        fields_b: list[dict[str, int]] = []
        for c in cands:
            name_words = set(_tokens(c.name))
            tf = {t: (W_NAME if t in name_words else 1.0) for t in c.text_tokens}
            for t in name_words:
                tf[t] = W_NAME
            fields_a.append(tf)
            fields_b.append(c.project_tokens)
        len_a = [sum(tf.values()) for tf in fields_a]
        len_b = [sum(tf.values()) for tf in fields_b]
        avg_a = (sum(len_a) / n) if n else 1.0
        used_b = [x for x in len_b if x]
        avg_b = (sum(used_b) / len(used_b)) if used_b else 1.0
        df: Counter = Counter()
        for a, b in zip(fields_a, fields_b, strict=True):
            df.update(a.keys() | b.keys())
        idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        postings: dict[str, tuple[array, array]] = {}
        for i, (a, b) in enumerate(zip(fields_a, fields_b, strict=True)):
            norm_a = 1 - B + B * len_a[i] / avg_a
            norm_b = 1 - B + B * len_b[i] / avg_b
            for t in a.keys() | b.keys():
                tf = a.get(t, 0.0) / norm_a + W_PROJECTS * b.get(t, 0) / norm_b
                p = postings.get(t)
                if p is None:
                    p = postings[t] = (array("i"), array("d"))
                p[0].append(i)
                p[1].append(idf[t] * tf * (K1 + 1) / (tf + K1))
        self._postings = postings
        self._text_words = [set(a) for a in fields_a]
        # Sector maps: prefix (类 3 / 款 5 / 项 7 digits) → candidates declared for a code under it.
        by_prefix: dict[str, list[int]] = defaultdict(list)
        self._common: list[int] = []
        for i, c in enumerate(cands):
            if c.common:
                self._common.append(i)
            for p in {p for s in c.sectors for p in _prefixes(s)}:
                by_prefix[p].append(i)
        self._by_prefix = dict(by_prefix)
        by_sector: dict[str, list[int]] = defaultdict(list)  # exact declared code → candidates
        for i, c in enumerate(cands):
            for s in c.sectors:
                by_sector[s].append(i)
        self._by_sector = dict(by_sector)
        # Usage: log-scaled overall share, and the largest use within each function code (prefix) for use(d).
        top_usage = math.log1p(max((c.usage for c in cands), default=0)) or 1.0
        self._use_overall = [math.log1p(c.usage) / top_usage for c in cands]
        self._has_history = [bool(c.sector_usage) for c in cands]
        self._is_common = [c.common for c in cands]
        max_sector: dict[str, int] = {}
        for c in cands:
            for code, n in c.sector_usage.items():
                if n > max_sector.get(code, 0):
                    max_sector[code] = n
        self._max_sector_usage = max_sector

    # -- construction helpers

    @classmethod
    def from_rows(cls, templates: Iterable[dict], history: Iterable[dict] = ()) -> Recommender:
        return cls(merge_candidates(templates, history))

    def __len__(self) -> int:
        return len(self.candidates)

    # -- querying

    def _query_terms(self, name: str, description: str) -> dict[str, float]:
        terms = dict.fromkeys(tokenize(name), 1.0)
        for t in tokenize(description):
            terms.setdefault(t, QW_DESCRIPTION)
        return terms

    def _base(self, terms: dict[str, float], fc: str) -> tuple[dict[int, float], dict[int, int]]:
        """(candidate → W_REL·rel + W_SEC·sec, candidate → sector level) over the query's pool."""
        bm25: dict[int, float] = {}
        get = bm25.get
        for t, qw in terms.items():
            p = self._postings.get(t)
            if p is None:
                continue
            for d, w in zip(p[0], p[1], strict=True):
                bm25[d] = get(d, 0.0) + qw * w
        level: dict[int, int] = {}
        if fc:
            for d in self._by_prefix.get(fc[:3], ()):
                level[d] = 1
            if len(fc) >= 5:
                for d in self._by_prefix.get(fc[:5], ()):
                    level[d] = 2
            for d in self._by_prefix.get(fc, ()):  # declared for f or for a code under it
                level[d] = 3
            for p in _prefixes(fc)[:-1]:  # declared for f's 款 or 类 as a whole
                for d in self._by_sector.get(p, ()):
                    level[d] = 3
        inv = W_REL / (max(bm25.values(), default=0.0) or 1.0)
        base = {d: b * inv for d, b in bm25.items()}
        get = base.get
        common = W_SEC * COMMON_SCORE
        for d in self._common:
            base[d] = get(d, 0.0) + common
        plain = {lv: W_SEC * x for lv, x in SECTOR_SCORE.items()}
        over_common = {lv: max(w, common) - common for lv, w in plain.items()}  # sec = max(sector, 共性)
        is_common = self._is_common
        for d, lv in level.items():
            base[d] = get(d, 0.0) + (over_common[lv] if is_common[d] else plain[lv])
        return base, level

    def _use(self, d: int, fc: str) -> float:
        """use(d) ∈ [0, 1]: rows of projects in f's 项 (3/4) and overall (1/4), log-scaled against the maximum."""
        overall = self._use_overall[d]
        if not fc:
            return overall
        n = self.candidates[d].sector_usage.get(fc, 0) if self._has_history[d] else 0
        top = self._max_sector_usage.get(fc, 0)
        return 0.75 * (math.log1p(n) / math.log1p(top) if n else 0.0) + 0.25 * overall

    def scores(
        self, name: str, description: str = "", function_code: str = "", exclude: Iterable[str] = (), keep: int = 0
    ) -> tuple[dict[int, float], dict[int, float], dict[str, float], dict[int, int]]:
        """(candidate → score, candidate → score without use, query terms, candidate → sector level).

        With `keep`, only candidates that can still reach the `keep` best get a full score (use(d) ≤ 1 bounds it).
        """
        terms = self._query_terms(name, description)
        fc = (function_code or "").strip()
        base, level = self._base(terms, fc)
        skip = set(exclude)
        if skip:
            for d in [d for d in base if self.candidates[d].name in skip]:
                del base[d]
        floor = -1.0
        if keep and len(base) > keep:
            floor = sorted(base.values(), reverse=True)[keep - 1] - W_USE
        use = self._use
        full = {d: b + W_USE * use(d, fc) for d, b in base.items() if b >= floor}
        return full, base, terms, level

    def recommend(
        self,
        name: str,
        description: str = "",
        function_code: str = "",
        amount: float | None = None,
        top: int = 10,
        exclude: Iterable[str] = (),
    ) -> list[Suggestion]:
        """The top indicators for a project, balanced across 一级 blocks; `exclude` names are never suggested."""
        if top <= 0 or not self.candidates:
            return []
        fc = (function_code or "").strip()
        keep = max(top * 8, 80)
        scored, base, terms, level = self.scores(name, description, fc, exclude, keep=keep)
        ranked = heapq.nlargest(keep, scored.items(), key=lambda kv: (kv[1], -kv[0]))
        cands = self.candidates
        present = {cands[d].level1 for d, _ in ranked}
        for block in REQUIRED_BLOCKS:  # a required block below the cut: its best candidate from the whole pool
            if block not in present:
                block_scores = [(d, b + W_USE * self._use(d, fc)) for d, b in base.items() if cands[d].level1 == block]
                if block_scores:
                    ranked.append(max(block_scores, key=lambda kv: (kv[1], -kv[0])))
        chosen = _balanced(ranked, cands, top)
        return [self._suggestion(d, s, terms, level.get(d, 0), fc, amount) for d, s in chosen]

    def _suggestion(self, d: int, score: float, terms: dict, lv: int, fc: str, amount) -> Suggestion:
        c = self.candidates[d]
        why: list[str] = []
        in_text = _shown([t for t in terms if t in self._text_words[d]])
        if in_text:
            why.append("匹配词：" + "、".join(in_text))
        in_projects = _shown(
            [t for t, qw in terms.items() if qw == 1.0 and t in c.project_tokens and t not in self._text_words[d]]
        )
        if in_projects:
            why.append("相似项目名称含：" + "、".join(in_projects))
        same = c.sector_usage.get(fc, 0) if fc else 0
        if same:
            why.append(f"同类项目中有{same}个使用")
        elif c.usage:
            why.append(f"已批复目标中有{c.usage}个使用")
        value, value_why = _suggested_value(c, amount)
        if c.p10 is not None and c.p90 is not None:
            spread = fmt(c.p10) if fmt(c.p10) == fmt(c.p90) else f"{fmt(c.p10)}–{fmt(c.p90)}"
            why.append(f"常用取值 {spread}{c.unit}")
        if value_why:
            why.append(value_why)
        if lv:
            why.append(_sector_why(c.sectors, fc, lv))
        elif c.common:
            why.append("共性指标")
        if c.comparator or c.unit:
            why.append(f"建议计算符号{c.comparator or '—'}，计量单位{c.unit or '—'}")
        return Suggestion(
            name=c.name,
            level1=c.level1,
            level2=c.level2,
            unit=c.unit,
            comparator=c.comparator,
            suggested_value=value,
            p10=c.p10,
            p50=c.p50,
            p90=c.p90,
            score=round(score, 4),
            why=why,
            template_code=c.code,
            source=c.source,
            usage=c.usage,
            value_kind=c.value_kind,
        )


def _shown(words: list[str], limit: int = 6) -> list[str]:
    """Matched words worth showing: two characters or more, no word that is part of another shown one."""
    words = [w for w in words if len(w) >= 2]
    return [w for w in words if not any(o != w and w in o for o in words)][:limit]


def _sector_why(sectors: tuple[str, ...], fc: str, lv: int) -> str:
    """ "适用领域 2050202（同项）", "适用领域 21401（本款通用）", "适用领域 2050203（同款）"."""
    if lv == 3:
        if fc in sectors:
            return f"适用领域 {fc}（同项）"
        hit = next((s for s in sectors if fc.startswith(s)), None)
        if hit:
            return f"适用领域 {hit}（本{LEVEL_NAME.get(len(hit), '类')}通用）"
        hit = next(s for s in sectors if s.startswith(fc))
        return f"适用领域 {hit}（下属科目）"
    n = 5 if lv == 2 else 3
    hit = next((s for s in sectors if s[:n] == fc[:n]), fc)
    return f"适用领域 {hit}（{SECTOR_LABEL[lv]}）"


def _balanced(ranked: list[tuple[int, float]], cands: list[Candidate], top: int) -> list[tuple[int, float]]:
    """Best of each required 一级 block first, then by score with at most max(2, ⌈0.3·top⌉) per 二级."""
    chosen: list[tuple[int, float]] = []
    names: set[str] = set()
    per_level2: Counter = Counter()

    def take(item) -> None:
        c = cands[item[0]]
        chosen.append(item)
        names.add(c.name)
        per_level2[c.level2] += 1

    for block in REQUIRED_BLOCKS:
        if len(chosen) >= top:
            break
        item = next((it for it in ranked if cands[it[0]].level1 == block and cands[it[0]].name not in names), None)
        if item is not None:
            take(item)
    cap = max(2, math.ceil(LEVEL2_SHARE * top))
    for capped in (True, False):
        for item in ranked:
            if len(chosen) >= top:
                break
            c = cands[item[0]]
            if c.name in names or (capped and per_level2[c.level2] >= cap):
                continue
            take(item)
    chosen.sort(key=lambda kv: (-kv[1], kv[0]))
    return chosen


def _suggested_value(c: Candidate, amount) -> tuple[str, str]:
    """(value text, extra why) — the typical value written the way the target grid writes it."""
    amount = _float(amount)
    if amount and c.unit in ("万元", "元") and any(w in c.name for w in TOTAL_COST_WORDS):
        total = amount / 10000 if c.unit == "万元" else amount
        return f"≤{fmt(total)}", f"按项目资金{fmt(amount / 10000)}万元测算"
    kind = c.value_kind
    if c.comparator == Comparator.QUAL.value or kind == Kind.QUALITATIVE.value:
        common = _most_common_value(c)
        return common or "达到预期", ""
    if kind == Kind.DATE.value:
        return _most_common_value(c) or "年底前", ""
    if c.p50 is None:
        return _most_common_value(c), ""
    suffix = "%" if c.unit == "%" else ""
    if c.comparator == Comparator.RANGE.value and c.p10 is not None and c.p90 is not None:
        return f"{fmt(c.p10)}-{fmt(c.p90)}{suffix}", ""
    return f"{c.comparator or '≥'}{fmt(c.p50)}{suffix}", ""


def _most_common_value(c: Candidate) -> str:
    if not c.values:
        return ""
    return max(c.values.items(), key=lambda kv: (kv[1], kv[0]))[0]


# --- entry points --------------------------------------------------------------------------------------------


def read_templates(path: str | Path | None = None) -> list[dict]:
    """The library CSV rows (code,name,level1,level2,function_codes,unit,comparator,value_kind,p10,p50,p90,…)."""
    with open(path or DEFAULT_CSV, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def from_rows(templates: Iterable[dict], history: Iterable[dict] = ()) -> Recommender:
    return Recommender.from_rows(templates, history)


@cache
def _builtin(path: str) -> Recommender:
    return from_rows(read_templates(path))


def builtin(path: str | Path | None = None) -> Recommender:
    """The recommender over the built-in library CSV only (no database), built once per process."""
    return _builtin(str(path or DEFAULT_CSV))

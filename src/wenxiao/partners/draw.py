"""Random expert draw with conflict-of-interest exclusion (R42; 回避 of REFERENCE §10.1).

An expert is excluded from a draw for a task on an evaluated unit when any of these holds (all reasons are
reported, in this order):

- 已停用 — the expert is not active;
- 已列入黑名单 — the expert is blacklisted;
- 本次已排除 — the caller excludes the expert (already drawn for the task, declined, asked to withdraw);
- 与被评价单位为同一工作单位 — the expert's employer is the evaluated unit;
- 近期与被评价单位有业务往来 — a recent engagement with the unit: the caller passes, per expert, the units the
  expert worked for within the look-back (`recent_engagements()` builds it; default 3 years [U], the window of
  REFERENCE §10.3's "no major violation within 3 years", configurable);
- 与被评价单位存在申报的关联关系 — a relation the expert declared (former employer, relative, shareholding …);
- 专业领域不符 — only with `strict_fields=True`: none of the requested fields.

A unit without a name is refused (no conflict check could be made).

Unit names are compared by `unit_key()`: NFKC (full-width → half-width), no spaces or punctuation, lower
case, and a trailing company-form suffix (股份有限公司, 有限责任公司, 有限公司, 股份公司, 公司) dropped. So
"湖北某某咨询有限公司", "湖北某某咨询 有限责任公司" and "湖北某某咨询公司" are one unit. The names themselves are
never changed; the key is only for comparing.

Experts matching any requested field are drawn first; when too few of them are eligible the draw is topped up
from the other eligible experts (or refused, with `strict_fields=True`). The draw is `random.Random(seed)`
over the eligible experts sorted by id, so the same seed and the same library give the same experts whatever
the order they are passed in: a logged draw can be replayed and checked. `new_seed()` makes a seed to log.
"""

from __future__ import annotations

import random
import secrets
import unicodedata
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from wenxiao.partners.quality import years_before

COMPANY_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "股份公司", "公司")
DEFAULT_LOOKBACK_YEARS = 3  # [U] configurable: how far back an engagement with the unit counts as recent

REASONS = {
    "inactive": "已停用",
    "blacklisted": "已列入黑名单",
    "excluded": "本次已排除（已抽中、拒绝或申请回避）",
    "employer": "与被评价单位为同一工作单位",
    "engaged": "近期与被评价单位有业务往来",
    "related": "与被评价单位存在申报的关联关系",
    "field": "专业领域不符",
}


def unit_key(name: str) -> str:
    """The key two unit names are compared by (see the module docstring); "" for an empty name."""
    text = unicodedata.normalize("NFKC", name or "").lower()
    text = "".join(c for c in text if c.isalnum())
    for suffix in COMPANY_SUFFIXES:  # longest first; only one is dropped, never the whole name
        if text.endswith(suffix):
            return text[: -len(suffix)] if len(text) > len(suffix) else text
    return text


_unit_key = unit_key  # `draw()` has a parameter of that name


@dataclass(frozen=True)
class Expert:
    id: Hashable
    name: str
    fields: frozenset[str] = frozenset()
    employer: str = ""
    active: bool = True
    blacklisted: bool = False


@dataclass(frozen=True)
class DrawResult:
    chosen: list[Expert]
    excluded: list[tuple[Expert, str]]  # (expert, Chinese reason(s) joined by "；")
    pool_size: int  # eligible experts the draw was made from
    seed: int | str
    matched: int = 0  # eligible experts with a requested field

    def as_log(self) -> dict:
        """A JSON-ready record of the draw for the audit log."""
        return {
            "seed": self.seed,
            "pool_size": self.pool_size,
            "matched": self.matched,
            "chosen": [e.id for e in self.chosen],
            "excluded": [[e.id, reason] for e, reason in self.excluded],
        }


class NotEnoughExperts(ValueError):
    """Fewer eligible experts than needed; the message is for the user."""

    def __init__(self, need: int, available: int, excluded: list[tuple[Expert, str]] | None = None):
        super().__init__(f"符合条件的专家不足：需要{need}名，仅有{available}名")
        self.need = need
        self.available = available
        self.excluded = excluded or []


@dataclass(frozen=True)
class Engagement:
    """An expert's past work for a unit (e.g. compiled its application, consulted for it)."""

    expert_id: Hashable
    unit: str
    on: date


def recent_engagements(
    engagements: Iterable[Engagement], today: date, years: int = DEFAULT_LOOKBACK_YEARS
) -> dict[Hashable, set[str]]:
    """expert_id → unit keys of the engagements on or after the same day `years` earlier (and not in the future)."""
    since = years_before(today, years)
    out: dict[Hashable, set[str]] = {}
    for e in engagements:
        if since <= e.on <= today:
            out.setdefault(e.expert_id, set()).add(unit_key(e.unit))
    return out


def new_seed() -> str:
    """A fresh random seed to draw with and to log, so the draw can be replayed."""
    return secrets.token_hex(8)


def _keys(units: Iterable[str] | None) -> set[str]:
    return {k for k in (unit_key(u) for u in units or ()) if k}


def _sort_key(e: Expert):
    return (type(e.id).__name__, str(e.id))


def draw(
    experts: Iterable[Expert],
    need: int,
    fields: Iterable[str],
    unit_key: str,
    *,
    engaged: Mapping[Hashable, Iterable[str]] | None = None,
    relations: Mapping[Hashable, Iterable[str]] | None = None,
    seed: int | str,
    exclude_ids: Iterable[Hashable] = (),
    strict_fields: bool = False,
) -> DrawResult:
    """Draw `need` experts for a task on the unit named `unit_key` (any spelling; it is normalised).

    Raises `NotEnoughExperts` ("符合条件的专家不足：需要N名，仅有M名") when fewer are eligible, and ValueError
    for a unit without a name (no conflict check could be made), `need` < 1 or an expert id given twice.
    """
    if need < 1:
        raise ValueError(f"抽取人数应至少为1名，实际为{need}")
    unit = _unit_key(unit_key)
    if not unit:
        raise ValueError("未指定被评价单位，无法进行回避检查")
    wanted = set(fields or ())
    engaged = engaged or {}
    relations = relations or {}
    skip = set(exclude_ids)
    eligible: list[Expert] = []
    excluded: list[tuple[Expert, str]] = []
    seen: set[Hashable] = set()
    for e in sorted(experts, key=_sort_key):
        if e.id in seen:
            raise ValueError(f"专家编号重复：{e.id}")
        seen.add(e.id)
        reasons = []
        if not e.active:
            reasons.append(REASONS["inactive"])
        if e.blacklisted:
            reasons.append(REASONS["blacklisted"])
        if e.id in skip:
            reasons.append(REASONS["excluded"])
        if _unit_key(e.employer) == unit:
            reasons.append(REASONS["employer"])
        if unit in _keys(engaged.get(e.id)):
            reasons.append(REASONS["engaged"])
        if unit in _keys(relations.get(e.id)):
            reasons.append(REASONS["related"])
        if strict_fields and wanted and not (e.fields & wanted):
            reasons.append(REASONS["field"])
        if reasons:
            excluded.append((e, "；".join(reasons)))
        else:
            eligible.append(e)

    matching = [e for e in eligible if not wanted or e.fields & wanted]
    others = [e for e in eligible if wanted and not e.fields & wanted]
    if len(eligible) < need:
        raise NotEnoughExperts(need, len(eligible), excluded)
    rng = random.Random(seed)
    chosen = rng.sample(matching, min(need, len(matching)))
    if len(chosen) < need:
        chosen += rng.sample(others, need - len(chosen))
    return DrawResult(chosen, excluded, len(eligible), seed, len(matching))

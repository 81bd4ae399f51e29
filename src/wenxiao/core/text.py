"""One tokenizer for Chinese text: rjieba (jieba in Rust) with a budget vocabulary.

`tokenize()` feeds both full-text indexes (SQLite FTS5 and PostgreSQL tsvector('simple')): documents are
indexed in search mode (words and their sub-words), queries are cut into words, so "教育" finds
"义务教育" and "营养改善" finds "学生营养改善计划".
"""

from __future__ import annotations

import re
from functools import cache

import rjieba

# Terms of budget and performance work that jieba's general dictionary splits badly.
BUDGET_VOCABULARY = [
    "绩效目标",
    "绩效评价",
    "绩效自评",
    "事前评估",
    "运行监控",
    "预算执行率",
    "专项资金",
    "专项债券",
    "转移支付",
    "政府购买服务",
    "政府采购",
    "政府投资基金",
    "政府性基金",
    "国有资本经营",
    "社会保险基金",
    "一般公共预算",
    "部门整体",
    "主管部门",
    "预算单位",
    "项目库",
    "指标库",
    "乡村振兴",
    "高标准农田",
    "义务教育",
    "学前教育",
    "营养改善",
    "公共卫生",
    "医疗救助",
    "城乡居民",
    "养老保险",
    "医疗保险",
    "农村公路",
    "人居环境",
    "老旧小区",
    "污水处理",
    "垃圾处理",
    "河道整治",
    "水土保持",
    "以工代赈",
    "公用经费",
    "三公经费",
    "信息化",
    "运行维护",
    "结转结余",
    "整改",
    "三保",
]

_WORD = re.compile(r"\w", re.UNICODE)


@cache
def _ready() -> bool:
    for word in BUDGET_VOCABULARY:
        rjieba.add_word(word, None, None)
    return True


def tokenize(text: str, *, for_query: bool = False) -> list[str]:
    """Words of `text`, lower-cased, punctuation dropped, in search mode (words and their sub-words).

    For a query only the smallest pieces are kept ("义务教育" → 义务, 教育): every one of them is in the
    index of a document containing the phrase, however jieba segmented the document's context.
    """
    if not text:
        return []
    _ready()
    seen: dict[str, None] = {}
    for token in rjieba.cut_for_search(text):
        token = token.strip().lower()
        if token and _WORD.search(token):
            seen.setdefault(token, None)
    tokens = list(seen)
    if for_query:
        tokens = [t for t in tokens if not any(o != t and o in t for o in tokens)]
    return tokens


def search_text(*parts: str) -> str:
    """The space-separated token string stored in a row's `search_text` column."""
    return " ".join(tokenize(" ".join(p for p in parts if p)))

"""The one Chinese tokenizer behind both full-text indexes."""

from hypothesis import given, settings
from hypothesis import strategies as st

from wenxiao.core.text import search_text, tokenize


def test_documents_get_words_and_sub_words():
    tokens = tokenize("2026年义务教育阶段学生营养改善计划")
    for word in ["义务教育", "义务", "教育", "营养改善", "学生", "计划", "2026"]:
        assert word in tokens


def test_budget_vocabulary_keeps_terms_whole():
    assert "高标准农田" in tokenize("高标准农田建设项目")
    assert "预算执行率" in tokenize("提高预算执行率")


def test_query_keeps_only_the_smallest_pieces():
    assert tokenize("义务教育", for_query=True) == ["义务", "教育"]


def test_punctuation_is_dropped_and_case_folded():
    assert tokenize("（PPP）项目——“示范”！") == ["ppp", "项目", "示范"]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_tokenizes_and_every_query_token_is_in_the_document(text):
    doc = set(search_text(text).split())
    for t in tokenize(text, for_query=True):
        assert " " not in t
        assert t in doc or not t.strip()

"""Random expert draw with conflict-of-interest exclusion (no database)."""

import json
import random
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wenxiao.partners.draw import (
    REASONS,
    DrawResult,
    Engagement,
    Expert,
    NotEnoughExperts,
    draw,
    new_seed,
    recent_engagements,
    unit_key,
)

UNIT = "湖北楚天工程咨询有限公司"
UNIT_SPELLINGS = [
    "湖北楚天工程咨询有限公司",
    "湖北楚天工程咨询有限责任公司",
    "湖北楚天工程咨询股份有限公司",
    "湖北楚天工程咨询公司",
    "湖北楚天工程咨询",
    " 湖北 楚天工程咨询 有限公司 ",
    "湖北楚天工程咨询（有限公司）",
    "ｈｕｂｅｉ楚天",  # not the unit
]


@pytest.mark.parametrize(
    "name, key",
    [
        ("湖北楚天工程咨询有限公司", "湖北楚天工程咨询"),
        ("湖北楚天工程咨询有限责任公司", "湖北楚天工程咨询"),
        ("湖北楚天工程咨询股份有限公司", "湖北楚天工程咨询"),
        ("湖北楚天工程咨询 公司", "湖北楚天工程咨询"),
        ("湖北楚天（武汉）工程咨询有限公司", "湖北楚天武汉工程咨询"),
        ("ＡＢＣ会计师事务所（特殊普通合伙）", "abc会计师事务所特殊普通合伙"),
        ("武汉大学", "武汉大学"),
        ("有限公司", "有限公司"),  # a bare suffix is kept: it is the whole name
        ("", ""),
    ],
)
def test_unit_key(name, key):
    assert unit_key(name) == key


def library() -> list[Expert]:
    return [
        Expert(1, "张伟", frozenset({"教育"}), "武汉大学"),
        Expert(2, "王芳", frozenset({"教育", "财务"}), "湖北楚天工程咨询有限责任公司"),  # same employer
        Expert(3, "李娜", frozenset({"交通"}), "华中科技大学", active=False),
        Expert(4, "刘洋", frozenset({"财务"}), "中南财经政法大学", blacklisted=True),
        Expert(5, "陈静", frozenset({"教育"}), "湖北省社会科学院"),  # recently engaged by the unit
        Expert(6, "杨帆", frozenset({"农业"}), "华中农业大学"),  # declared relation
        Expert(7, "赵磊", frozenset({"教育"}), "湖北大学"),
        Expert(8, "黄敏", frozenset({"卫生"}), "同济医院"),
        Expert(9, "周杰", frozenset({"教育", "农业"}), "江汉大学"),
        Expert(10, "吴琳", frozenset(), "湖北经济学院"),
        Expert(11, "孙强", frozenset({"财务"}), "湖北楚天工程咨询公司", active=False),  # two reasons
    ]


ENGAGED = {5: {"湖北楚天工程咨询有限公司"}, 7: {"别的单位"}}
RELATIONS = {6: {"湖北楚天工程咨询 有限公司"}}


def run(need=3, fields=("教育",), seed=42, **kw):
    kw = {"engaged": ENGAGED, "relations": RELATIONS, **kw}
    return draw(library(), need, set(fields), UNIT, seed=seed, **kw)


def test_exclusion_reasons_are_reported():
    result = run(exclude_ids=[8])
    reasons = {e.id: reason for e, reason in result.excluded}
    assert reasons == {
        2: REASONS["employer"],
        3: REASONS["inactive"],
        4: REASONS["blacklisted"],
        5: REASONS["engaged"],
        6: REASONS["related"],
        8: REASONS["excluded"],
        11: f"{REASONS['inactive']}；{REASONS['employer']}",
    }
    assert REASONS["employer"] == "与被评价单位为同一工作单位"
    assert result.pool_size == 4  # 1, 7, 9, 10
    assert {e.id for e in result.chosen} <= {1, 7, 9, 10}


def test_field_matches_are_preferred_then_topped_up():
    result = run(need=3, fields=("教育",))
    assert result.matched == 3
    assert {e.id for e in result.chosen} == {1, 7, 9}  # the three eligible education experts
    topped = run(need=4, fields=("教育",))
    assert {1, 7, 9} < {e.id for e in topped.chosen} < {1, 7, 8, 9, 10}
    assert all(e.id in (1, 7, 9) for e in topped.chosen[:3])  # the matches are drawn first
    assert {e.id for e in run(need=2, fields=()).chosen} <= {1, 7, 8, 9, 10}  # no field asked: any eligible


def test_strict_fields():
    result = run(need=1, fields=("农业",), strict_fields=True)
    assert [e.id for e in result.chosen] == [9]
    assert dict((e.id, r) for e, r in result.excluded)[10] == REASONS["field"]
    with pytest.raises(NotEnoughExperts, match="符合条件的专家不足：需要2名，仅有1名"):
        run(need=2, fields=("农业",), strict_fields=True)


def test_not_enough_experts():
    with pytest.raises(ValueError) as info:
        run(need=6)
    assert str(info.value) == "符合条件的专家不足：需要6名，仅有5名"
    assert isinstance(info.value, NotEnoughExperts)
    assert info.value.need == 6 and info.value.available == 5
    assert len(info.value.excluded) == 6
    with pytest.raises(ValueError, match="抽取人数"):
        run(need=0)
    with pytest.raises(ValueError, match="未指定被评价单位"):
        draw(library(), 1, set(), " （） ", seed=1)


def test_deterministic_by_seed_whatever_the_input_order():
    first = run(need=2, fields=(), seed="2025-任务7")
    shuffled = library()
    random.Random(3).shuffle(shuffled)
    again = draw(shuffled, 2, set(), UNIT, engaged=ENGAGED, relations=RELATIONS, seed="2025-任务7")
    assert again.chosen == first.chosen and again.excluded == first.excluded
    outcomes = {tuple(e.id for e in run(need=2, fields=(), seed=s).chosen) for s in range(30)}
    assert len(outcomes) > 3  # different seeds give different draws


def test_duplicate_ids_are_refused():
    experts = library() + [Expert(1, "张伟", frozenset(), "武汉大学")]
    with pytest.raises(ValueError, match="专家编号重复"):
        draw(experts, 1, set(), UNIT, seed=1)


def test_log_record_is_json():
    result = run(seed="abc")
    log = result.as_log()
    assert json.loads(json.dumps(log, ensure_ascii=False)) == log
    assert log["seed"] == "abc" and log["pool_size"] == 5 and len(log["chosen"]) == 3
    assert [2, REASONS["employer"]] in log["excluded"]


def test_new_seed_replays():
    seed = new_seed()
    assert isinstance(seed, str) and len(seed) == 16
    assert run(seed=seed).chosen == run(seed=seed).chosen


@pytest.mark.parametrize(
    "on, recent",
    [
        (date(2025, 6, 30), True),
        (date(2022, 6, 30), True),  # the same day three years earlier still counts
        (date(2022, 6, 29), False),
        (date(2025, 7, 1), False),  # in the future: not an engagement yet
    ],
)
def test_recent_engagements_window(on, recent):
    found = recent_engagements([Engagement(5, "湖北楚天工程咨询有限公司", on)], today=date(2025, 6, 30))
    assert found == ({5: {"湖北楚天工程咨询"}} if recent else {})


def test_recent_engagements_feed_the_draw():
    engaged = recent_engagements(
        [Engagement(1, "湖北楚天工程咨询公司", date(2024, 1, 1)), Engagement(7, UNIT, date(2019, 1, 1))],
        today=date(2025, 1, 1),
    )
    result = draw(library(), 1, {"教育"}, UNIT, engaged=engaged, seed=0)
    reasons = dict((e.id, r) for e, r in result.excluded)
    assert reasons[1] == REASONS["engaged"] and 7 not in reasons


# --- property: the evaluated unit's own staff are never drawn ------------------------------------------------

FIELDS = ["教育", "交通", "农业", "卫生", "财务"]
EMPLOYERS = UNIT_SPELLINGS + ["武汉大学", "湖北大学", "华中科技大学", "省财政厅"]

experts_st = st.lists(
    st.builds(
        Expert,
        id=st.integers(0, 10_000),
        name=st.just("专家"),
        fields=st.frozensets(st.sampled_from(FIELDS), max_size=3),
        employer=st.sampled_from(EMPLOYERS),
        active=st.booleans(),
        blacklisted=st.booleans(),
    ),
    max_size=40,
    unique_by=lambda e: e.id,
)


@settings(max_examples=300, deadline=None)
@given(
    experts=experts_st,
    need=st.integers(1, 6),
    fields=st.sets(st.sampled_from(FIELDS), max_size=2),
    unit=st.sampled_from(UNIT_SPELLINGS[:-1]),
    seed=st.one_of(st.integers(), st.text(max_size=10)),
    data=st.data(),
)
def test_draw_never_returns_a_conflicted_expert(experts, need, fields, unit, seed, data):
    some_ids = st.lists(st.sampled_from([e.id for e in experts]), max_size=5) if experts else st.just([])
    engaged = {i: {UNIT} for i in data.draw(some_ids)}
    related = {i: {"湖北楚天工程咨询公司"} for i in data.draw(some_ids)}
    excluded_ids = set(data.draw(some_ids))
    kw = {"engaged": engaged, "relations": related, "seed": seed, "exclude_ids": excluded_ids}
    try:
        result = draw(experts, need, fields, unit, **kw)
    except NotEnoughExperts as e:
        assert e.available < need
        assert len(experts) - len(e.excluded) == e.available
        return
    assert isinstance(result, DrawResult)
    assert len(result.chosen) == need == len({e.id for e in result.chosen})
    for e in result.chosen:
        assert unit_key(e.employer) != unit_key(UNIT)
        assert e.active and not e.blacklisted
        assert e.id not in engaged and e.id not in related and e.id not in excluded_ids
    excluded = {e.id for e, _ in result.excluded}
    assert not excluded & {e.id for e in result.chosen}
    assert result.pool_size == len(experts) - len(excluded)
    same_employer = {e.id for e in experts if unit_key(e.employer) == unit_key(UNIT)}
    assert same_employer <= excluded
    # the draw is replayable
    assert draw(list(reversed(experts)), need, fields, unit, **kw).chosen == result.chosen

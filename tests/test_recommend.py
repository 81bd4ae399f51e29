"""Indicator recommendation: the pure engine on small plain data, the built-in library, the CLI and the DB side."""

import io
import json

import pytest

from wenxiao.library.recommend import W_REL, Recommender, builtin, from_rows
from wenxiao.library.recommend_cli import recommend_command


def _t(code, name, level1="产出指标", level2="数量指标", sectors="", unit="个", comparator="≥", **kw):
    row = dict(
        code=code,
        name=name,
        level1=level1,
        level2=level2,
        function_codes=sectors,
        unit=unit,
        comparator=comparator,
        value_kind=kw.pop("value_kind", "percent" if unit == "%" else "number"),
        p10=kw.pop("p10", ""),
        p50=kw.pop("p50", ""),
        p90=kw.pop("p90", ""),
        definition=kw.pop("definition", ""),
        common=kw.pop("common", "个性"),
    )
    row.update(kw)
    return row


LIBRARY = [
    _t("T01", "农村公路养护里程", sectors="2140106", unit="公里", definition="年度完成农村公路日常养护的里程。"),
    _t("T02", "学生营养改善计划受益人数", sectors="2050202", unit="人", definition="享受营养膳食补助的学生人数。"),
    _t("T03", "森林防火巡查次数", sectors="2130205", unit="次", definition="森林防火期内组织巡山护林的次数。"),
    _t("T04", "医疗救助对象人次", sectors="2101301", unit="人次", definition="年度获得医疗救助的困难群众人次。"),
    _t("T05", "公路养护质量合格率", level2="质量指标", sectors="2140106", unit="%", p10="90", p50="95", p90="100"),
    _t("T06", "群众出行便利程度", level1="效益指标", level2="社会效益指标", sectors="2140106", comparator="定性"),
    _t("T07", "服务对象满意度", level1="满意度指标", level2="服务对象满意度指标", unit="%", p50="90", common="共性"),
]


def _names(suggestions):
    return [s.name for s in suggestions]


def test_bm25_ranks_the_obviously_relevant_indicator_first():
    rec = from_rows(LIBRARY)
    assert _names(rec.recommend("农村公路养护工程", top=3))[0] == "农村公路养护里程"
    assert _names(rec.recommend("学生营养改善", top=3))[0] == "学生营养改善计划受益人数"
    assert _names(rec.recommend("森林防火", top=3))[0] == "森林防火巡查次数"


def test_sector_boost_prefers_same_item_then_section_then_class():
    same_text = [
        _t("S1", "设备购置数量（其他）", sectors="2080101"),
        _t("S2", "设备购置数量（同类）", sectors="2059901"),
        _t("S3", "设备购置数量（同款）", sectors="2050203"),
        _t("S4", "设备购置数量（同项）", sectors="2050202"),
    ]
    rec = from_rows(same_text)
    got = _names(rec.recommend("设备购置", function_code="2050202", top=4))
    assert got == ["设备购置数量（同项）", "设备购置数量（同款）", "设备购置数量（同类）", "设备购置数量（其他）"]
    # Without a function code only the words count (no sector part, and no history here for usage).
    assert all(s.score <= W_REL for s in rec.recommend("设备购置", top=4))


def test_history_merges_per_indicator_with_usage_and_value_spread():
    history = [
        dict(name="公路养护质量合格率", template_code="T05", level1="产出指标", level2="质量指标", unit="%",
             value=f"≥{v}%", project=f"{i}号农村公路养护工程", function_code="2140106")
        for i, v in enumerate([80, 85, 90, 90, 92, 95, 95, 96, 98, 100])
    ] + [
        dict(name="村级道路硬化里程", level1="产出指标", level2="数量指标", unit="公里", value=v,
             project="村道硬化工程", function_code="2140106")
        for v in ("≥10公里", "≥20", "≥30公里")
    ]  # fmt: skip
    rec = from_rows(LIBRARY, history)
    merged = {c.name: c for c in rec.candidates}
    assert len(rec) == len(LIBRARY) + 1  # the library row absorbed its 10 rows; the other name is new
    quality = merged["公路养护质量合格率"]
    assert quality.usage == 10 and quality.source == "library"
    assert (quality.p10, quality.p50, quality.p90) == pytest.approx((84.5, 93.5, 98.2))
    paved = merged["村级道路硬化里程"]
    assert paved.source == "history" and paved.usage == 3 and paved.code is None
    assert (paved.p10, paved.p50, paved.p90) == (12.0, 20.0, 28.0)
    assert paved.comparator == "≥" and paved.unit == "公里" and paved.sectors == ("2140106",)
    s = next(s for s in rec.recommend("村道硬化", function_code="2140106") if s.name == "村级道路硬化里程")
    assert s.suggested_value == "≥20" and s.template_code is None and "同类项目中有3个使用" in s.why


def test_top_k_is_balanced_across_blocks_and_level2():
    rows = [_t(f"O{i}", f"农村公路养护工程产出{i}", sectors="2140106") for i in range(8)]
    rows += [
        _t("E1", "出行条件改善", level1="效益指标", level2="社会效益指标", sectors="2140106", comparator="定性"),
        _t("M1", "服务对象满意度", level1="满意度指标", level2="服务对象满意度指标", unit="%", common="共性"),
    ]
    rec = from_rows(rows)
    got = rec.recommend("农村公路养护工程", function_code="2140106", top=5)
    assert {s.level1 for s in got} == {"产出指标", "效益指标", "满意度指标"}
    # One of each block first, then at most max(2, ⌈0.3·5⌉) = 2 数量指标 rows; with no other 二级 left, the cap relaxes.
    assert sum(s.level2 == "数量指标" for s in got) == 3
    got10 = rec.recommend("农村公路养护工程", function_code="2140106", top=10)
    assert len(got10) == 10 and len(set(_names(got10))) == 10
    assert [s.score for s in got10] == sorted((s.score for s in got10), reverse=True)


def test_why_explains_words_usage_values_and_sector():
    history = [
        dict(name="公路养护质量合格率", template_code="T05", level1="产出指标", level2="质量指标", unit="%",
             value="≥95%", project="农村公路养护工程", function_code="2140106")
        for _ in range(6)
    ]  # fmt: skip
    rec = from_rows(LIBRARY, history)
    s = next(s for s in rec.recommend("农村公路养护", function_code="2140106") if s.name == "公路养护质量合格率")
    assert any(w.startswith("匹配词：") and "养护" in w for w in s.why)
    assert "同类项目中有6个使用" in s.why
    assert "常用取值 95%" in s.why
    assert "适用领域 2140106（同项）" in s.why
    assert s.suggested_value == "≥95%" and s.comparator == "≥" and s.unit == "%"
    total = from_rows([_t("C1", "项目总成本", level2="成本指标", unit="万元", comparator="≤", common="共性")])
    s = total.recommend("道路工程", amount=1_200_000)[0]
    assert s.suggested_value == "≤120" and "按项目资金120万元测算" in s.why


def test_exclude_and_empty_queries():
    rec = from_rows(LIBRARY)
    assert "农村公路养护里程" not in _names(rec.recommend("农村公路养护", exclude=["农村公路养护里程"]))
    assert rec.recommend("农村公路养护", top=0) == []
    assert _names(rec.recommend("", top=3)) == ["服务对象满意度"]  # nothing matches: the common indicator
    assert Recommender([]).recommend("任何项目") == []


def test_builtin_suggests_nutrition_indicators():
    got = builtin().recommend("义务教育阶段学生营养改善计划", function_code="2050202", top=10)
    relevant = [s.name for s in got if any(w in s.name for w in ("营养", "学生", "膳食", "受益"))]
    assert len(relevant) >= 3, _names(got)
    assert {s.level1 for s in got} >= {"产出指标", "效益指标", "满意度指标"}
    assert all(s.template_code for s in got)


def test_cli_json_output():
    out = io.StringIO()
    code = recommend_command("义务教育阶段学生营养改善计划", "2050202", "1200000", 5, True, False, out=out)
    assert code == 0
    payload = json.loads(out.getvalue())
    assert payload["source"] == "builtin" and payload["query"]["function_code"] == "2050202"
    assert len(payload["suggestions"]) == 5
    first = payload["suggestions"][0]
    assert {"name", "level1", "level2", "unit", "comparator", "suggested_value", "p10", "p50", "p90", "why"} <= set(
        first
    )
    assert "营养" in first["name"]
    text = io.StringIO()
    assert recommend_command("农村公路养护", "2140106", None, 3, False, False, out=text) == 0
    assert "推荐指标" in text.getvalue() and "建议值" in text.getvalue()
    assert recommend_command("  ", out=io.StringIO()) == 2
    assert recommend_command("农村公路", amount="一百万", out=io.StringIO()) == 2


def test_suggest_for_target_on_the_demo(db):
    from wenxiao.library import recommend_db
    from wenxiao.targets.models import Target, TargetIndicator

    recommend_db.clear_cache()
    target = Target.objects.filter(kind="project", state="approved").select_related("project").first()
    existing = set(target.indicators.values_list("name", flat=True))
    got = recommend_db.suggest_for_target(target, top=8)
    assert len(got) == 8
    assert not existing & set(_names(got))  # what the target already has is not suggested again
    assert any(s.usage for s in got)  # history of approved targets is in

    # Scope: the recommender takes no user and applies no unit scope. That is fine because it reads only shared
    # data — published library indicators (visible to every user, 共建共享) and the rows of approved targets,
    # which are published with the budget (随预算公开) — and what it returns are indicator names, levels, values
    # and counts, never which unit wrote them. Rows of targets still in a unit's hands are not read at all:
    draft = Target.objects.filter(kind="project", state="draft").first()
    TargetIndicator.objects.create(
        region=draft.region, target=draft, level1="产出指标", level2="数量指标", name="某单位草稿中的独有指标"
    )
    names = {c.name for c in recommend_db.recommender_for(target.region).candidates}
    assert "某单位草稿中的独有指标" not in names

    # Cached per process, rebuilt when approved data changes.
    first = recommend_db.recommender_for(target.region)
    assert recommend_db.recommender_for(target.region) is first
    Target.objects.filter(pk=draft.pk).update(state="approved")
    rebuilt = recommend_db.recommender_for(target.region)
    assert rebuilt is not first and "某单位草稿中的独有指标" in {c.name for c in rebuilt.candidates}
    recommend_db.clear_cache()

"""Template-report detection: shingles, MinHash signatures, LSH pairs and shared passages (no database)."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wenxiao.partners import similarity as sim
from wenxiao.partners.similarity import (
    EMPTY,
    NUM_PERM,
    Pair,
    bands_for,
    estimate,
    jaccard,
    normalise,
    shared_passages,
    signature,
    similar_pairs,
)

VOCABULARY = (
    "项目 资金 绩效 目标 评价 指标 预算 执行 管理 单位 部门 财政 监控 整改 完成 情况 "
    "质量 效益 社会 经济 群众 满意度 建设 实施 方案 制度 规范 合同 采购 验收 支付 进度 "
    "审核 报告 问题 建议 措施 责任 考核 公开 数据 核实 现场 调研 访谈 问卷 农村 公路 "
    "学校 医院 教育 卫生 养老 就业 培训 补助 标准 成本 产出 数量 时效 可持续 影响 生态 "
    "环境 水利 农田 设施 维护 运行 信息 系统 平台 服务 政府 购买 基层 乡镇 街道 社区 "
    "覆盖 人数 户数 公里 亩 万元 比例 达到 未能 及时 较好 明显 有效 加强 推进 落实 完善 "
    "提高 降低 存在 缺乏 不够 偏差 原因 分析 改进 后续 年度 季度 计划 调整 结转 结余 "
    "专项 转移 配套"
)
WORDS = VOCABULARY.split()


def fake_report(rng: random.Random, sentences: int = 60) -> list[str]:
    """Sentences of random budget words: two such reports share almost no 7-character run."""
    return ["".join(rng.choices(WORDS, k=rng.randint(8, 14))) + "。" for _ in range(sentences)]


def corpus(n: int, seed: int = 1) -> dict[str, list[str]]:
    rng = random.Random(seed)
    return {f"r{i}": fake_report(rng) for i in range(n)}


# --- normalisation and shingles ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("绩效评价报告", "绩效评价报告"),
        ("绩效 评价\n报告", "绩效评价报告"),  # whitespace
        ("绩效，评价。“报告”！", "绩效评价报告"),  # Chinese punctuation
        ("２０２４年预算执行率为95.3%", "年预算执行率为"),  # digits (full-width too) dropped
        ("ＰＰＰ项目", "ppp项目"),  # full-width letters folded, lower case
        ("（一）项目概况", "一项目概况"),
        ("", ""),
        ("123，。！", ""),
    ],
)
def test_normalise(text, expected):
    assert normalise(text) == expected


def test_shingles_are_k_character_runs():
    assert len(sim.shingles("一二三四五六七八九")) == 9 - sim.K + 1
    assert len(sim.shingles("一二三")) == 1  # shorter than K: the text is one shingle
    assert sim.shingles("，。123") == set()
    assert sim.shingles("绩效评价报告第一部分") == sim.shingles("绩效 评价，报告（第1）一部分")


# --- signatures ----------------------------------------------------------------------------------------------


def test_signature_is_fixed_for_storage():
    """The hash constants must never change: signatures are stored with the reports."""
    sig = signature("本项目绩效目标明确，资金使用规范，预算执行率达到预期。")
    assert len(sig) == NUM_PERM
    assert sig[:4] == (5701642874973176096, 8509356205331562857, 8509356205331562857, 713989850309418450)
    assert all(0 <= v < 2**63 for v in sig)


def test_signature_of_empty_text():
    assert signature("") == (EMPTY,) * NUM_PERM
    assert signature("2024，。") == (EMPTY,) * NUM_PERM
    assert estimate(signature(""), signature("")) == 0.0


def test_signature_ignores_layout_and_figures():
    a = "经评价，该项目2023年预算执行率为95%，绩效目标基本完成。"
    b = "经评价,该项目 2024 年预算执行率为 88% ,绩效目标基本完成."
    assert signature(a) == signature(b)


def test_estimate_tracks_exact_jaccard():
    rng = random.Random(5)
    base = fake_report(rng, 120)
    for keep in (1.0, 0.9, 0.7, 0.5, 0.3, 0.0):
        other = [s if rng.random() < keep else fake_report(rng, 1)[0] for s in base]
        a, b = "".join(base), "".join(other)
        assert abs(estimate(signature(a), signature(b)) - jaccard(a, b)) < 0.15


@pytest.mark.parametrize("threshold, bands, rows", [(0.5, 42, 3), (0.8, 21, 6), (0.3, 64, 2), (1.0, 1, 128)])
def test_bands_for(threshold, bands, rows):
    assert bands_for(threshold) == (bands, rows)
    assert 1 - (1 - threshold**rows) ** bands >= sim.RECALL


@pytest.mark.parametrize("threshold", [0, -0.1, 1.5])
def test_bands_for_rejects_bad_threshold(threshold):
    with pytest.raises(ValueError, match="相似度阈值"):
        bands_for(threshold)


# --- similar pairs -------------------------------------------------------------------------------------------


def copy_with_changes(sentences: list[str], rng: random.Random, every: int = 12) -> list[str]:
    """A template copy: a few sentences rewritten, the unit and the figures changed."""
    out = [fake_report(rng, 1)[0] if i % every == 0 else s for i, s in enumerate(sentences)]
    return ["某县教育局2024年度" + out[0]] + out[1:]


def test_near_duplicates_are_found_and_unrelated_reports_are_not_paired():
    rng = random.Random(11)
    reports = corpus(40)
    reports["copy_of_r3"] = copy_with_changes(reports["r3"], rng)
    reports["copy_of_r7"] = copy_with_changes(reports["r7"], rng, every=4)  # a quarter rewritten
    reports["copy2_of_r3"] = copy_with_changes(reports["r3"], rng, every=6)
    docs = {k: "".join(v) for k, v in reports.items()}

    pairs = similar_pairs(docs, threshold=0.5)

    found = {frozenset((p.a, p.b)) for p in pairs}
    assert found == {
        frozenset(("r3", "copy_of_r3")),
        frozenset(("r3", "copy2_of_r3")),
        frozenset(("copy_of_r3", "copy2_of_r3")),
        frozenset(("r7", "copy_of_r7")),
    }
    assert [p.similarity for p in pairs] == sorted((p.similarity for p in pairs), reverse=True)
    assert pairs[0] == Pair("r3", "copy_of_r3", pairs[0].similarity)  # a before b in the input's order
    assert pairs[0].similarity > 0.7
    for p in pairs:
        assert p.similarity == round(jaccard(docs[p.a], docs[p.b]), 4)
    # unrelated reports of the same vocabulary stay far below the threshold
    assert jaccard(docs["r1"], docs["r2"]) < 0.05


def test_threshold_is_respected():
    rng = random.Random(2)
    reports = corpus(5, seed=2)
    reports["copy"] = copy_with_changes(reports["r0"], rng, every=2)  # half rewritten
    docs = {k: "".join(v) for k, v in reports.items()}
    similarity = jaccard(docs["r0"], docs["copy"])
    assert 0.1 < similarity < 0.5
    assert similar_pairs(docs, threshold=0.5) == []
    assert [(p.a, p.b) for p in similar_pairs(docs, threshold=similarity - 0.05)] == [("r0", "copy")]


def test_stored_signatures_give_the_same_pairs():
    rng = random.Random(4)
    reports = corpus(10, seed=4)
    reports["copy"] = copy_with_changes(reports["r5"], rng)
    docs = {k: "".join(v) for k, v in reports.items()}
    stored = {k: list(signature(t)) for k, t in list(docs.items())[::2]}  # e.g. read back from a JSON column
    assert similar_pairs(docs, signatures=stored) == similar_pairs(docs) != []
    with pytest.raises(ValueError, match="签名长度"):
        similar_pairs(docs, signatures={"r0": [1, 2, 3]})


def test_empty_and_identical_reports():
    docs = {1: "", 2: "，。", 3: "项目资金使用规范。", 4: "项目资金使用规范！", 5: "完全无关的文字内容在这里"}
    assert similar_pairs(docs) == [Pair(3, 4, 1.0)]
    assert similar_pairs({}) == []


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=300))
def test_a_report_and_its_copy_are_always_paired(text):
    if normalise(text):
        assert similar_pairs({"a": text, "b": text}, threshold=0.9) == [Pair("a", "b", 1.0)]
    else:
        assert similar_pairs({"a": text, "b": text}) == []


# --- shared passages -----------------------------------------------------------------------------------------


def test_shared_passage_of_a_template_copy():
    rng = random.Random(8)
    original = fake_report(rng, 30)
    copy = list(original)
    copy[10] = "该局资金拨付不及时，影响了项目进度。"  # sentences changed: the passages around them remain
    copy[20] = "建议加强项目库建设。"
    a, b = "".join(original), "".join(copy)

    passages = shared_passages(a, b, min_chars=30)

    def written(sentences):  # a passage runs from the first to the last common letter
        return "".join(sentences).rstrip("。")

    assert passages[0] == written(original[:10])  # the longest passage first, as written in a
    assert set(passages) == {written(original[:10]), written(original[11:20]), written(original[21:])}
    assert all(len(normalise(p)) >= 30 for p in passages)


def test_shared_passages_bridge_small_edits_and_ignore_punctuation_and_figures():
    a = (
        "经查阅资料和现场核实，甲县交通运输局2023年农村公路养护资金共计1200万元，实际支出1150万元，"
        "预算执行率95.8%，养护里程完成年度计划，群众对道路通行条件总体满意。"
    )
    b = (
        "经查阅资料和现场核实 乙县交通运输局 2024年农村公路养护资金共计 800万元 实际支出 640 万元 "
        "预算执行率80% 养护里程完成年度计划 群众对道路通行条件总体满意"
    )
    passages = shared_passages(a, b, min_chars=30)
    assert passages == [a.rstrip("。")]  # one passage across the changed county name and figures


def test_shared_passages_of_unrelated_reports_are_empty():
    reports = corpus(2, seed=9)
    assert shared_passages("".join(reports["r0"]), "".join(reports["r1"])) == []
    assert shared_passages("", "任何文字") == []


def test_min_chars():
    a = "本项目绩效目标设置合理。其他内容完全不同甲乙丙丁。"
    b = "本项目绩效目标设置合理！另外一些毫不相干的文字戊己庚辛。"
    assert shared_passages(a, b, min_chars=11) == ["本项目绩效目标设置合理"]  # 11 common characters
    assert shared_passages(a, b, min_chars=12) == []

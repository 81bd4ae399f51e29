"""The indicator library: seeded content, 共建共享 proposals, reference ranges learnt from approved targets."""

import statistics

import pytest

from wenxiao.core.errors import PermissionDenied, ValidationError
from wenxiao.library import services
from wenxiao.library.models import IndicatorTemplate
from wenxiao.library.stats import MIN_ROWS, refresh
from wenxiao.targets.models import TargetIndicator

pytestmark = pytest.mark.django_db


def test_seeded_library_is_broad():
    published = IndicatorTemplate.objects.filter(state="published")
    assert published.count() >= 600
    classes = {code[:3] for code in published.values_list("sectors__code", flat=True) if code}
    assert len(classes) >= 20
    pairs = set(published.values_list("level1", "level2"))
    assert ("成本指标", "经济成本指标") in pairs and ("满意度指标", "服务对象满意度指标") in pairs


def test_ranges_come_from_approved_targets_by_hand():
    refresh()
    template = IndicatorTemplate.objects.filter(stat_count__gte=MIN_ROWS).order_by("-stat_count", "code").first()
    numbers = [
        float(n)
        for n in TargetIndicator.objects.filter(
            template=template, target__state="approved", number__isnull=False, upper__isnull=True, unit=template.unit
        ).values_list("number", flat=True)
    ]
    assert len(numbers) == template.stat_count
    cuts = statistics.quantiles(numbers, n=10, method="inclusive")
    assert float(template.stat_p50) == pytest.approx(cuts[4], abs=1e-3)
    assert template.p10 == template.stat_p10 and min(numbers) <= float(template.p10) <= float(template.p90)
    rare = IndicatorTemplate.objects.filter(stat_count__lt=MIN_ROWS, ref_p50__isnull=False).first()
    assert rare.p50 == rare.ref_p50  # too little evidence: the seeded range stands


def test_approval_queues_a_range_refresh(users, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    from wenxiao.targets import services as target_services
    from wenxiao.targets.models import Target

    target = Target.objects.filter(state="passed").first()
    assert target is not None  # the demo leaves some targets waiting for approval
    with django_capture_on_commit_callbacks(execute=True):
        target_services.do_approve(
            target.department_id, target.year, actor=users["jxk"], document_no="测试批复1号", target_ids=[target.pk]
        )
    assert DBTaskResult.objects.filter(task_path__endswith="refresh_reference_ranges").exists()


def _proposal(user):
    return services.do_propose(
        {
            "name": "课后服务参与学生比例",
            "level1": "产出指标",
            "level2": "质量指标",
            "comparator": "≥",
            "value_kind": "percent",
            "unit": "%",
            "sectors": ["20502", "2050202"],
            "definition": "参加课后服务的学生占比",
        },
        actor=user,
    )


def test_units_propose_and_the_performance_section_publishes(users):
    t = _proposal(users["dw"])
    assert t.state == "proposed" and t.proposed_by == users["dw"].assignments.get().org
    assert not IndicatorTemplate.objects.visible_to(users["dw2"]).filter(pk=t.pk).exists()
    with pytest.raises(PermissionDenied):
        services.do_transition(t.pk, "publish", actor=users["zgbm"])
    services.do_transition(t.pk, "publish", actor=users["jxk"])
    t.refresh_from_db()
    assert t.state == "published"
    assert IndicatorTemplate.objects.visible_to(users["dw2"]).filter(pk=t.pk).exists()  # 共享


def test_bad_proposal_is_refused_in_chinese(users):
    with pytest.raises(ValidationError) as e:
        services.do_propose(
            {
                "name": "",
                "level1": "产出指标",
                "level2": "满意度",
                "comparator": "≥",
                "value_kind": "number",
                "sectors": ["99999"],
            },
            actor=users["dw"],
        )
    errors = e.value.errors
    assert "请填写指标名称" in errors["name"] and "功能分类科目不存在：99999" in errors["sectors"]
    assert "量化指标须填写计量单位" in errors["unit"]
    assert not IndicatorTemplate.objects.filter(name="").exists()


def test_viewer_cannot_propose(users):
    with pytest.raises(PermissionDenied):
        _proposal(users["rd"])


def test_revision_by_the_performance_section(users):
    t = _proposal(users["dw"])
    services.do_transition(t.pk, "publish", actor=users["jxk"])
    revised = services.do_revise(
        t.pk, {"name": "课后服务学生参与率", "scoring": "每低1个百分点扣5%分值"}, actor=users["jxk"]
    )
    assert revised.revision == 2 and revised.name == "课后服务学生参与率"
    assert sorted(s.code for s in revised.sectors.all()) == ["20502", "2050202"]  # untouched fields stay
    with pytest.raises(PermissionDenied):
        services.do_revise(t.pk, {"name": "改名"}, actor=users["dw"])
    national = IndicatorTemplate.objects.filter(region=None).first()
    with pytest.raises(PermissionDenied):
        services.do_revise(national.pk, {"name": "改名"}, actor=users["jxk"])

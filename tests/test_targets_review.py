"""智能审核 in the product: findings beside the rows, one click to a review comment, thresholds per region."""

import pytest
from django.conf import settings

from wenxiao.core.config import do_set_setting
from wenxiao.targets import services
from wenxiao.targets.models import Target, TargetComment
from wenxiao.targets.review import findings_for

pytestmark = pytest.mark.django_db
NEXT = settings.FISCAL_YEAR + 1


def _target_in_review(users):
    # any of the department's targets; the tests put it into the state they need
    return Target.objects.visible_to(users["zgbm"]).filter(year=NEXT).order_by("id").first()


def _with_bad_satisfaction(target, actor):
    rows = [
        services.RowInput(
            level1=r.level1,
            level2=r.level2,
            name=r.name,
            value=r.value,
            unit=r.unit,
            weight=r.weight,
            source=r.source,
            id=r.pk,
        )
        for r in target.indicators.all()
    ]
    rows.append(
        services.RowInput(
            level1="效益指标", level2="社会效益指标", name="服务对象满意度", value="≥100%", unit="%", weight=1
        )
    )
    return services.do_save_target(target.pk, actor=actor, expected_version=target.version, rows=rows)


def test_reviewer_sees_findings_and_turns_one_into_a_comment(users, client_as):
    target = _target_in_review(users)
    Target.objects.filter(pk=target.pk).update(state="draft")
    target.refresh_from_db()
    target = _with_bad_satisfaction(target, users["zgbm"])
    Target.objects.filter(pk=target.pk).update(state="dept_review")
    findings = [f for f in findings_for(target) if f.code in ("Q04", "Q07")]
    assert {f.code for f in findings} == {"Q04", "Q07"}  # misplaced, and 100% is unrealistic
    html = client_as("zgbm").get(f"/targets/{target.pk}/").content.decode()
    assert "智能审核 Q04" in html and "智能审核 Q07" in html and "转为审核意见" in html
    row = target.indicators.get(name="服务对象满意度")
    f = next(f for f in findings if f.code == "Q07")
    client_as("zgbm").post(
        f"/targets/{target.pk}/comment/", {"indicator": row.pk, "text": f"{f.message} 建议：{f.suggestion}"}
    )
    comment = TargetComment.objects.get(target=target, indicator=row)
    assert "不切实际" in comment.text and comment.author == users["zgbm"]


def test_thresholds_come_from_the_regions_setting(users):
    target = _target_in_review(users)
    Target.objects.filter(pk=target.pk).update(state="draft")
    target.refresh_from_db()
    target = _with_bad_satisfaction(target, users["zgbm"])
    assert any(f.code == "Q07" and "不切实际" in f.message for f in findings_for(target))
    do_set_setting(
        "targets.review", region=target.region, year=target.year, value={"satisfaction_max": 101}, actor=users["jxk"]
    )
    assert not any(f.code == "Q07" and "不切实际" in f.message for f in findings_for(target))


def test_seeded_targets_are_mostly_clean():
    """The demo's approved targets were built from the library: the engine should not bury them in warnings."""
    sample = Target.objects.filter(state="approved").order_by("id")[:60]
    errors = [f for t in sample for f in findings_for(t) if f.severity == "error"]
    assert len(errors) <= len(sample) // 4

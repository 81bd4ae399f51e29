"""第三方机构、专家和监督指导库 through the database: registration, engagement and report acceptance, template
reports, blacklist and elimination, expert draws with conflict exclusion, encrypted contacts, supervision, CLI, API."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection

from wenxiao.cli import main
from wenxiao.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from wenxiao.core.models import AuditEvent
from wenxiao.orgs.models import Organisation
from wenxiao.partners import selectors, services
from wenxiao.partners.draw import unit_key
from wenxiao.partners.models import (
    Agency,
    Engagement,
    Expert,
    ExpertDraw,
    Supervisor,
    TemplateFlag,
    Violation,
)
from wenxiao.partners.quality import DEFAULT_CHECKLIST

pytestmark = pytest.mark.django_db
TODAY = date.today()


def full_marks(minus: dict | None = None) -> dict:
    marks = {i.label: i.points for i in DEFAULT_CHECKLIST}
    for k, v in (minus or {}).items():
        marks[k] -= Decimal(v)
    return marks


def _city(users):
    return users["jxk"].assignments.get().org.region


def _agency(name="湘南绩效评价咨询有限公司") -> Agency:
    return Agency.objects.select_related("org", "region").get(org__name=name)


def _register(users, name="湖南新锐绩效咨询有限公司", serial=777, actor="jxk", **extra):
    data = dict(
        agency_type="专业咨询机构", staff=12, qualified_staff=6, rules=["财务管理", "资产管理", "保密管理", "培训"]
    )
    data.update(extra)
    code = services.with_check_char(f"91430400MA4N{serial:05d}")
    return services.do_register_agency(actor=users[actor], name=name, credit_code=code, **data)


def _subject(users):
    """Any model instance can be the subject of an engagement: here the demo unit's project."""
    from wenxiao.projects.models import Project

    return Project.objects.filter(unit=users["dw"].assignments.get().org).order_by("code").first()


def _report(topic: str) -> str:
    return (
        f"受委托对{topic}开展绩效评价。评价组查阅了预算批复、绩效目标申报表、支付凭证和合同等资料，"
        "并对实施单位开展了现场核查和问卷调查。项目立项依据充分，资金分配与任务量基本匹配；"
        "预算执行进度滞后于序时进度，下半年支付集中；产出数量指标基本完成，但质量指标缺少佐证资料。"
        "建议细化绩效目标，设置可衡量的质量和时效指标，加快预算执行，建立资金支付台账。"
    )


# --- registration -------------------------------------------------------------------------------------------------


def test_registration_creates_the_agency_organisation_in_the_bureau_region(users):
    a = _register(users)
    assert a.status == Agency.Status.NORMAL and a.region == _city(users)
    assert a.org.kind == Organisation.Kind.AGENCY and a.org.region == _city(users) and a.org.code == a.credit_code
    assert a.status_changes.get().reason == "入库登记"
    assert AuditEvent.objects.filter(action="partners.agency_register", object_id=str(a.pk)).exists()


def test_a_wrong_credit_code_check_character_is_refused_and_nothing_written(users):
    code = services.with_check_char("91430400MA4N00001")
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    before = (Agency.objects.count(), Organisation.objects.count())
    with pytest.raises(ValidationError) as e:
        services.do_register_agency(
            actor=users["jxk"], name="校验位错误的公司", credit_code=wrong, staff=10, qualified_staff=5
        )
    assert any("校验位不正确" in m for m in e.value.errors["selection"])
    assert (Agency.objects.count(), Organisation.objects.count()) == before


def test_selection_conditions_are_checked_at_registration(users):
    with pytest.raises(ValidationError) as e:
        _register(users, staff=2, qualified_staff=1, rules=["财务管理"], governance=False)
    reasons = e.value.errors["selection"]
    assert "专职从业人员2人，少于5人" in reasons
    assert any("缺少资产管理、保密管理、培训制度" in r for r in reasons)
    assert "法人治理结构不健全" in reasons
    assert not Agency.objects.filter(org__name="湖南新锐绩效咨询有限公司").exists()


def test_only_the_performance_section_registers(users):
    for who in ["ywk", "dw", "rd"]:
        with pytest.raises(PermissionDenied):
            _register(users, serial=800, actor=who)


def test_the_demo_agency_user_belongs_to_a_registered_agency(users):
    dsf_org = users["dsf"].assignments.get().org
    agency = Agency.objects.get(org=dsf_org)
    assert selectors.own_agency(users["dsf"]) == agency
    assert Agency.objects.filter(region=_city(users)).count() >= 6


# --- engagement, acceptance, payment -----------------------------------------------------------------------------


def test_accepting_a_report_scores_it_and_adjusts_the_payment(users):
    agency = _agency("湖南湘衡律师事务所")
    e = services.do_engage(
        agency=agency, subject=_subject(users), region=_city(users), title="重点评价", fee="100000", actor=users["jxk"]
    )
    assert e.unit == users["dw"].assignments.get().org and e.status == Engagement.Status.ENGAGED
    marks = full_marks({"数据真实可靠": 8, "问题分析深入": 4})  # 88 points: 良, 95% of the fee
    e = services.do_accept_report(e, scores=marks, report_text=_report("测试项目甲"), actor=users["jxk"])
    assert e.quality_total == Decimal("88.00") and e.grade == "良"
    assert e.payment == Decimal("95000.00") and not e.flagged
    assert "数据真实可靠：扣8分（12/20）" in e.quality_notes
    ev = AuditEvent.objects.get(action="partners.accept_report", object_id=str(e.pk))
    assert ev.after["payment"] == "95000.00"
    with pytest.raises(Conflict):
        services.do_accept_report(e, scores=marks, report_text=_report("测试项目甲"), actor=users["jxk"])


def test_a_failing_report_is_flagged_and_paid_less(users):
    e = services.do_engage(
        agency=_agency(), subject=_subject(users), region=_city(users), title="评价", fee="50000", actor=users["jxk"]
    )
    marks = {i.label: 0 for i in DEFAULT_CHECKLIST} | {
        "按时提交": 5,
        "报告规范": 10,
        "建议可行": 10,
        "评价依据充分": 10,
    }
    e = services.do_accept_report(e, scores=marks, report_text=_report("测试项目乙"), actor=users["jxk"])
    assert e.quality_total == Decimal("35.00") and e.flagged and e.payment == Decimal("35000.00")


def test_bad_marks_are_refused_and_nothing_is_written(users):
    e = services.do_engage(
        agency=_agency(), subject=_subject(users), region=_city(users), title="评价", fee="50000", actor=users["jxk"]
    )
    marks = full_marks()
    marks["数据真实可靠"] = 25
    del marks["按时提交"]
    with pytest.raises(ValidationError) as err:
        services.do_accept_report(e, scores=marks, report_text=_report("测试项目丙"), actor=users["jxk"])
    assert "“数据真实可靠”的得分应在0到20分之间" in err.value.message and "“按时提交”未评分" in err.value.message
    e.refresh_from_db()
    assert e.status == Engagement.Status.ENGAGED and e.payment is None


def test_a_copied_report_of_another_agency_is_flagged_with_shared_passages(users):
    city, jxk = _city(users), users["jxk"]
    original = (
        _report("城区义务教育学校营养改善计划项目") + "另外，学校食堂供餐管理台账不完整，部分学校未按规定公示带量食谱。"
    )
    first = services.do_engage(agency=_agency(), subject=_subject(users), region=city, title="甲", fee=1, actor=jxk)
    services.do_accept_report(first, scores=full_marks(), report_text=original, actor=jxk)
    copy = original.replace("城区义务教育学校营养改善计划项目", "农村公路养护工程") + "（本报告共12页）"
    second = services.do_engage(
        agency=_agency("湖南湘衡律师事务所"), subject=_subject(users), region=city, title="乙", fee=1, actor=jxk
    )
    second = services.do_accept_report(second, scores=full_marks(), report_text=copy, actor=jxk)
    assert [(f.first_id, f.second_id) for f in second.new_flags] == [(first.pk, second.pk)]
    flag = TemplateFlag.objects.get(first=first, second=second)
    assert flag.similarity > 0.8
    assert any(
        "学校食堂供餐管理台账不完整" in later and "学校食堂供餐管理台账不完整" in earlier
        for later, earlier in flag.passages
    )
    html = _client(users, "jxk").get("/partners/templates/").content.decode()
    assert f'id="flag-{flag.pk}"' in html and "学校食堂供餐管理台账不完整" in html


def test_the_demo_holds_a_flagged_template_report():
    flag = TemplateFlag.objects.select_related("first__agency__org", "second__agency__org").get()
    assert flag.first.agency != flag.second.agency and flag.similarity >= 0.5 and flag.passages


# --- blacklist, status, ranking ----------------------------------------------------------------------------------


def test_a_fraud_record_blacklists_the_agency_and_it_can_no_longer_be_selected(users):
    city, jxk = _city(users), users["jxk"]
    agency = _agency("湖南湘衡律师事务所")
    assert agency in selectors.selectable_agencies(jxk, city, TODAY.year)
    on = TODAY - timedelta(days=3)
    services.do_record_violation(
        agency, on=on, kind="false_report", description="编造现场核查记录", penalty="warning", major=True, actor=jxk
    )
    agency.refresh_from_db()
    assert agency.status == Agency.Status.BLACKLISTED
    assert agency.blacklisted_until == on.replace(year=on.year + 3)  # 3 years by default
    assert Violation.objects.get(agency=agency, kind="false_report").penalty == "blacklist"
    assert agency not in selectors.selectable_agencies(jxk, city, TODAY.year)
    with pytest.raises(ValidationError) as e:
        services.do_engage(agency=agency, subject=_subject(users), region=city, title="x", fee=1, actor=jxk)
    assert "处于黑名单期内" in e.value.message
    with pytest.raises(ValidationError):  # no way back before the ban ends
        services.do_change_status(agency, status="normal", reason="申诉", actor=jxk)


def test_the_demo_fraud_agency_is_blacklisted(users):
    agency = Agency.objects.get(violations__kind="false_report")
    assert agency.status == Agency.Status.BLACKLISTED and agency.blacklisted_until > TODAY
    assert agency not in selectors.selectable_agencies(users["jxk"], _city(users), TODAY.year)


def test_suspension_and_restoration_are_recorded_with_reasons(users):
    jxk, agency = users["jxk"], _agency("衡阳市财经发展研究院")
    with pytest.raises(ValidationError):
        services.do_change_status(agency, status="suspended", reason=" ", actor=jxk)
    services.do_change_status(agency, status="suspended", reason="整改期间暂停承接业务", actor=jxk)
    assert agency not in selectors.selectable_agencies(jxk, _city(users), TODAY.year)
    services.do_change_status(agency, status="normal", reason="整改完成", actor=jxk)
    rows = list(agency.status_changes.order_by("id").values_list("status", "reason"))
    assert rows[-2:] == [("suspended", "整改期间暂停承接业务"), ("normal", "整改完成")]
    with pytest.raises(NotFound):  # the county cannot even see the city's agency
        services.do_change_status(agency, status="removed", reason="越权", actor=users["xian_jxk"])


def test_a_stale_edit_is_a_conflict(users):
    agency = _agency()
    services.do_edit_agency(agency, actor=users["jxk"], version=agency.version, staff=30)
    with pytest.raises(Conflict):
        services.do_edit_agency(agency, actor=users["jxk"], version=agency.version, staff=31)
    assert Agency.objects.get(pk=agency.pk).staff == 30


def test_bottom_elimination_removes_agencies_failing_the_year(users):
    city, jxk = _city(users), users["jxk"]
    weak = _agency("衡阳市财经发展研究院")
    for _ in range(2):
        e = services.do_engage(agency=weak, subject=_subject(users), region=city, title="x", fee=1, actor=jxk)
        marks = {i.label: 0 for i in DEFAULT_CHECKLIST} | {"数据真实可靠": 20, "指标体系科学": 15}
        services.do_accept_report(e, scores=marks, report_text=_report(f"项目{e.pk}号"), actor=jxk)
    rows = {row["agency"].pk: row["r"] for row in selectors.ranking(jxk, city, TODAY.year)}
    assert rows[weak.pk].eliminated and "年度平均分低于60分" in rows[weak.pk].reasons
    result = services.do_eliminate(actor=jxk, year=TODAY.year, region=city)
    assert weak in result.removed
    weak.refresh_from_db()
    assert weak.status == Agency.Status.REMOVED and "质量考核排名" in weak.status_reason
    assert weak not in selectors.selectable_agencies(jxk, city, TODAY.year)
    html = _client(users, "jxk").get("/partners/ranking/", {"year": TODAY.year}).content.decode()
    assert "ranking-data" in html and weak.name in html


# --- experts ------------------------------------------------------------------------------------------------------


def test_a_draw_never_returns_an_expert_of_the_evaluated_unit(users):
    unit = users["dw"].assignments.get().org
    colleagues = set(Expert.objects.filter(employer=unit.name).values_list("pk", flat=True))
    assert colleagues  # the demo has experts working at the unit
    for i in range(25):
        d = services.do_draw_experts(
            region=_city(users), subject_org=unit, count=8, fields=["教育"], purpose=f"评审{i}", actor=users["jxk"]
        )
        chosen = {m.expert_id for m in d.members.all()}
        assert len(chosen) == 8 and not chosen & colleagues
        assert all(unit_key(e.employer) != unit_key(unit.name) for e in d.experts)
    excluded = {row[0]: row[2] for row in d.excluded}
    assert all("与被评价单位为同一工作单位" in excluded[pk] for pk in colleagues)


def test_every_draw_is_in_the_audit_log(users):
    unit = users["dw2"].assignments.get().org
    d = services.do_draw_experts(
        region=_city(users), subject_org=unit, count=3, fields=["卫生健康"], purpose="专家评审", actor=users["jxk"]
    )
    ev = AuditEvent.objects.get(action="partners.draw", object_id=str(d.pk))
    assert ev.actor == users["jxk"] and ev.after["seed"] == d.seed
    assert sorted(ev.after["chosen"]) == sorted(m.expert_id for m in d.members.all())
    assert ev.after["unit"] == unit.name and len(ev.after["chosen_names"]) == 3
    logged = set(AuditEvent.objects.filter(action="partners.draw").values_list("object_id", flat=True))
    assert {str(pk) for pk in ExpertDraw.objects.values_list("pk", flat=True)} <= logged  # the seeded ones too


def test_recent_engagements_and_declared_relations_exclude_an_expert(users):
    unit = users["dw2"].assignments.get().org
    jxk = users["jxk"]
    pool = list(Expert.objects.filter(status="active").exclude(employer=unit.name).order_by("id"))
    engaged, related = pool[0], pool[1]
    services.do_add_expert_engagement(engaged, unit_name=unit.name, on=TODAY - timedelta(days=100), actor=jxk)
    services.do_edit_expert(related, actor=jxk, relations=[unit.name + "有限公司"])
    probe = services.do_draw_experts(region=_city(users), subject_org=unit, count=1, fields=[], purpose="x", actor=jxk)
    # everyone eligible is drawn: the two experts are still left out
    d = services.do_draw_experts(
        region=_city(users), subject_org=unit, count=probe.pool_size, fields=[], purpose="y", actor=jxk
    )
    chosen = {m.expert_id for m in d.members.all()}
    assert engaged.pk not in chosen and related.pk not in chosen
    reasons = {row[0]: row[2] for row in d.excluded}
    assert "近期与被评价单位有业务往来" in reasons[engaged.pk]
    assert "与被评价单位存在申报的关联关系" in reasons[related.pk]


def test_not_enough_experts_is_refused_in_chinese_and_nothing_is_written(users):
    before = (ExpertDraw.objects.count(), AuditEvent.objects.filter(action="partners.draw").count())
    with pytest.raises(ValidationError) as e:
        services.do_draw_experts(
            region=_city(users),
            subject_org=users["dw"].assignments.get().org,
            count=45,
            fields=["教育"],
            purpose="x",
            actor=users["jxk"],
        )
    assert "符合条件的专家不足：需要45名" in e.value.message
    assert (ExpertDraw.objects.count(), AuditEvent.objects.filter(action="partners.draw").count()) == before


def test_only_the_performance_section_draws(users):
    for who in ["ywk", "zgbm", "rd", "zj"]:
        with pytest.raises(PermissionDenied):
            services.do_draw_experts(
                region=_city(users),
                subject_org=users["dw"].assignments.get().org,
                count=1,
                fields=[],
                purpose="x",
                actor=users[who],
            )


def test_expert_contacts_are_encrypted_at_rest_and_shown_only_to_performance_and_the_expert(users):
    zj = Expert.objects.get(user=users["zj"])
    with connection.cursor() as c:
        c.execute("SELECT phone, email FROM partners_expert WHERE id = %s", [zj.pk])
        phone, email = c.fetchone()
    assert phone.startswith("sm4:") and "13907340001" not in phone and email.startswith("sm4:")
    assert zj.phone == "13907340001"
    assert "13907340001" in _client(users, "jxk").get(f"/partners/experts/{zj.pk}/").content.decode()
    assert "13907340001" in _client(users, "zj").get(f"/partners/experts/{zj.pk}/").content.decode()
    html = _client(users, "ywk").get(f"/partners/experts/{zj.pk}/").content.decode()
    assert "13907340001" not in html and "仅绩效科和专家本人可见" in html
    ev = AuditEvent.objects.filter(action="partners.expert_register", object_id=str(zj.pk)).get()
    assert "13907340001" not in str(ev.after)


def test_key_rotation_re_encrypts_expert_and_supervisor_contacts(users, monkeypatch):
    from wenxiao.core import fields

    zj = Expert.objects.get(user=users["zj"])

    def raw(table, pk, column="phone"):
        with connection.cursor() as c:
            c.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
            return c.fetchone()[0]

    sup = Supervisor.objects.exclude(phone="").first()
    old_id = fields.key_id_of(raw("partners_expert", zj.pk))
    monkeypatch.setenv("WENXIAO_FIELD_KEY", "00112233445566778899aabbccddeeff")
    monkeypatch.setenv("WENXIAO_FIELD_OLD_KEYS", fields._keys()[1][old_id].hex())
    fields.reset_keys()
    try:
        assert fields.rotate() >= Expert.objects.count()
        for table, pk, column in [
            ("partners_expert", zj.pk, "phone"),
            ("partners_expert", zj.pk, "email"),
            ("partners_supervisor", sup.pk, "phone"),
        ]:
            assert fields.key_id_of(raw(table, pk, column)) not in ("", old_id)
        monkeypatch.delenv("WENXIAO_FIELD_OLD_KEYS")
        fields.reset_keys()
        assert Expert.objects.get(pk=zj.pk).phone == "13907340001"
    finally:
        monkeypatch.undo()
        fields.reset_keys()


def test_an_expert_sees_their_own_profile_only(users, client_as):
    own = Expert.objects.get(user=users["zj"])
    other = Expert.objects.exclude(pk=own.pk).first()
    c = client_as("zj")
    assert c.get("/partners/").url == f"/partners/experts/{own.pk}/"
    assert c.get(f"/partners/experts/{own.pk}/").status_code == 200
    assert c.get(f"/partners/experts/{other.pk}/").status_code == 404


# --- supervision --------------------------------------------------------------------------------------------------


def test_an_invited_supervisor_reads_the_subject_and_nothing_else(users, client_as):
    rd = users["rd"]
    sup = Supervisor.objects.get(user=rd)
    invited = set(selectors.invited_object_ids(rd, Engagement))
    assert invited  # the demo invites 吴代表 to a report acceptance
    e = Engagement.objects.get(pk=min(invited))
    other = Engagement.objects.exclude(pk__in=invited).first()
    c = client_as("rd")
    assert c.get(f"/partners/engagements/{e.pk}/").status_code == 200
    assert c.get(f"/partners/engagements/{other.pk}/").status_code == 404
    assert e.title in c.get("/partners/supervision/").content.decode()
    assert c.post(f"/partners/engagements/{e.pk}/accept/", {}).status_code == 302
    services.do_invite_supervisor(supervisor=sup, subject=other, actor=users["jxk"], note="列席")
    assert other.pk in selectors.invited_object_ids(rd, Engagement)
    with pytest.raises(Conflict):
        services.do_invite_supervisor(supervisor=sup, subject=other, actor=users["jxk"])
    with pytest.raises(PermissionDenied):
        services.do_invite_supervisor(supervisor=sup, subject=other, actor=users["ywk"])


# --- CLI and API --------------------------------------------------------------------------------------------------


def test_cli_draw_and_ranking(capsys, users):
    unit = users["dw"].assignments.get().org
    assert main(["partners", "draw", "--unit", unit.code, "--count", "3", "--field", "教育", "--user", "jxk"]) == 0
    out = capsys.readouterr().out
    d = ExpertDraw.objects.order_by("-id").first()
    assert f"抽取记录 {d.pk}" in out and all(e.name in out for e in d.experts)
    assert main(["partners", "draw", "--unit", unit.code, "--count", "3", "--user", "dw"]) == 1
    assert "财政绩效科" in capsys.readouterr().err
    assert main(["partners", "ranking", "--year", str(settings.FISCAL_YEAR), "--user", "jxk"]) == 0
    out = capsys.readouterr().out
    assert "湖南中衡联合会计师事务所" in out and "名次" in out


def test_api_draw_status_and_acceptance(api_as, users):
    unit = users["dw"].assignments.get().org
    r = api_as("jxk").post(
        "/api/v1/partners/draws",
        {"unit_code": unit.code, "count": 2, "fields": ["教育"], "purpose": "接口抽取"},
        content_type="application/json",
    )
    assert r.status_code == 201 and len(r.json()["experts"]) == 2
    assert all(e["employer"] != unit.name for e in r.json()["experts"])
    agency = _agency("衡阳市财经发展研究院")
    r = api_as("jxk").post(
        f"/api/v1/partners/agencies/{agency.pk}/status",
        {"status": "blacklisted", "reason": "串通投标", "years": 2},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "blacklisted"
    assert r.json()["blacklisted_until"] == TODAY.replace(year=TODAY.year + 2).isoformat()
    e = Engagement.objects.filter(status="engaged").first()
    r = api_as("jxk").post(
        f"/api/v1/partners/engagements/{e.pk}/acceptance",
        {"scores": {k: str(v) for k, v in full_marks().items()}, "report_text": _report("接口项目")},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["payment"] == f"{e.fee:.2f}" and r.json()["grade"] == "优"


def _client(users, username):
    from django.test import Client

    c = Client()
    c.force_login(users[username])
    return c


def test_pages_register_an_agency_and_draw_experts(users, client_as):
    c = client_as("jxk")
    code = services.with_check_char("91430400MA4P00001")
    r = c.post(
        "/partners/agencies/new/",
        {
            "name": "湖南页面登记咨询有限公司",
            "credit_code": code,
            "agency_type": "专业咨询机构",
            "staff": "9",
            "qualified_staff": "4",
            "rules": ["财务管理", "资产管理", "保密管理", "培训"],
            **dict.fromkeys(["independent_liability", "facilities", "governance", "quality_control"], "on"),
        },
    )
    agency = Agency.objects.get(credit_code=code)
    assert r.url == f"/partners/agencies/{agency.pk}/"
    html = c.post("/partners/agencies/new/", {"name": "人数不足公司", "credit_code": code, "staff": "1"}).content
    assert "已经入库" in html.decode() and "机构类型应为" in html.decode()
    form = {"name": "人数不足公司", "credit_code": code[:17] + "Z", "staff": "1", "agency_type": "律师事务所"}
    html = c.post("/partners/agencies/new/", form).content.decode()
    assert "专职从业人员1人，少于5人" in html and "校验位不正确" in html
    assert not Agency.objects.filter(org__name="人数不足公司").exists()
    unit = users["dw"].assignments.get().org
    form = {"unit": f"{unit.code} {unit.name}", "count": "4", "fields": "教育", "purpose": "页面抽取"}
    r = c.post("/partners/draw/", form)
    d = ExpertDraw.objects.get(purpose="页面抽取")
    assert r.url == f"/partners/draws/{d.pk}/"
    html = c.get(r.url).content.decode()
    assert all(e.name in html for e in d.experts) and "与被评价单位为同一工作单位" in html

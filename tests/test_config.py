"""Rules per region and year: the most specific setting wins, and a rule changes what the system does."""

import pytest

from wenxiao.core.config import do_set_setting, parse_value, setting
from wenxiao.core.errors import PermissionDenied, ValidationError
from wenxiao.orgs.models import Region

pytestmark = pytest.mark.django_db
KEY = "targets.special_fund_min_quantitative"


def _regions(users):
    county = users["xian_jxk"].assignments.get().org.region
    city = county.parent
    sibling = Region.objects.filter(parent=city, level=3).exclude(pk=county.pk).first()
    return city, county, sibling


def test_most_specific_setting_wins(users):
    city, county, sibling = _regions(users)
    assert setting(KEY, county, 2027) == 10  # national default (R11)
    do_set_setting(KEY, region=city, year=None, value=12, actor=users["jxk"])
    assert setting(KEY, county, 2027) == 12 and setting(KEY, sibling, 2027) == 12  # the city's rule reaches down
    do_set_setting(KEY, region=county, year=2027, value=8, actor=users["xian_jxk"])
    assert setting(KEY, county, 2027) == 8 and setting(KEY, county, 2026) == 12
    assert setting(KEY, sibling, 2027) == 12 and setting(KEY, city, 2027) == 12


def test_a_county_cannot_set_rules_for_the_city(users):
    city, county, _ = _regions(users)
    with pytest.raises(PermissionDenied):
        do_set_setting(KEY, region=city, year=None, value=1, actor=users["xian_jxk"])
    with pytest.raises(PermissionDenied):
        do_set_setting(KEY, region=county, year=None, value=1, actor=users["zgbm"])


def test_values_keep_their_type():
    assert parse_value(KEY, "12") == 12
    assert parse_value("targets.required_classes", '["2", "3"]') == ["2", "3"]
    with pytest.raises(ValidationError):
        parse_value(KEY, '"十个"')
    with pytest.raises(ValidationError):
        parse_value("targets.required_classes", "3")


def test_changing_the_rule_changes_the_check(users):
    from wenxiao.targets.models import Target
    from wenxiao.targets.services import problems_of

    target = Target.objects.filter(special_fund=True, state="approved").first()
    quantitative = problems_of(target)
    assert not quantitative
    do_set_setting(KEY, region=target.region, year=target.year, value=40, actor=users["jxk"])
    assert any("专项资金至少设置40个量化指标" in p.message for p in problems_of(target))


def test_settings_page(client_as, users):
    html = client_as("jxk").get("/settings/").content.decode()
    assert KEY in html and "专项资金至少应设置的量化指标个数" in html
    r = client_as("jxk").post("/settings/", {"key": KEY, "value": "abc", "year": ""})
    assert r.status_code == 302
    city, _, _ = _regions(users)
    assert setting(KEY, city, 2027) == 10  # bad input changed nothing
    client_as("jxk").post("/settings/", {"key": KEY, "value": "11", "year": "2027"})
    assert setting(KEY, city, 2027) == 11


def test_security_rules_belong_to_the_security_administrator(client_as, users):
    """三员分立: the 绩效科 sets business rules for its region, the 安全管理员 the login and audit rules for all."""
    jxk = client_as("jxk").get("/settings/").content.decode()
    assert KEY in jxk and "security.idle_minutes" not in jxk
    sec = client_as("secadmin").get("/settings/").content.decode()
    assert "security.idle_minutes" in sec and KEY not in sec
    assert client_as("jxk").post("/settings/", {"key": "security.idle_minutes", "value": "5"}).status_code == 404
    assert client_as("secadmin").post("/settings/", {"key": KEY, "value": "3"}).status_code == 404
    with pytest.raises(PermissionDenied):
        do_set_setting("security.idle_minutes", region=None, year=None, value=5, actor=users["admin"])
    assert setting("security.idle_minutes") == 30
    r = client_as("secadmin").post("/settings/", {"key": "security.idle_minutes", "value": "15"})
    assert r.status_code == 302
    assert setting("security.idle_minutes") == 15  # and the idle timeout now follows it
    assert "安全参数" in client_as("secadmin").get("/").content.decode()

"""Cached aggregate figures (core/stamps.py): a rewrite of the data shows at once, and scopes never share figures."""

import re
from datetime import date

from wenxiao.monitoring import services
from wenxiao.monitoring.models import ProjectStatus
from wenxiao.orgs.selectors import home_region

YEAR = 2026


def _monitored(html: str) -> int:
    return int(re.search(r'监控项目</div><div class="stat">(\d+)<', html).group(1))


def test_a_warning_run_shows_on_the_overview_at_once(client_as, users):
    c = client_as("jxk")
    before = c.get("/monitoring/", {"year": YEAR}).content.decode()
    assert "上次运行截至 2026年11月" in before  # the demo ran the warnings on 20 November
    region = home_region(users["jxk"], ("performance",))
    services.run_warnings(region, YEAR, date(2026, 6, 30), actor=users["jxk"])
    after = c.get("/monitoring/", {"year": YEAR}).content.decode()
    assert "上次运行截至 2026年6月30日" in after
    api = client_as("jxk").get("/api/v1/monitoring/overview", {"year": YEAR}).json()
    assert api["total"]["time_progress"] == ProjectStatus.objects.filter(year=YEAR).first().time_progress


def test_users_of_different_scopes_never_share_cached_figures(client_as):
    city = _monitored(client_as("jxk").get("/monitoring/", {"year": YEAR}).content.decode())
    county = _monitored(client_as("xian_jxk").get("/monitoring/", {"year": YEAR}).content.decode())
    county_rows = ProjectStatus.objects.filter(year=YEAR, region__path__startswith=_county_path()).count()
    assert county == county_rows
    assert 0 < county < city
    again = _monitored(client_as("jxk").get("/monitoring/", {"year": YEAR}).content.decode())
    assert again == city


def _county_path() -> str:
    from wenxiao.orgs.models import User

    return home_region(User.objects.get(username="xian_jxk"), ("performance",)).path


def test_a_rolled_back_rewrite_never_lends_its_figures_to_a_later_one(client_as, users):
    from django.db import transaction

    from wenxiao.core.stamps import version
    from wenxiao.monitoring.selectors import STATUS_STAMP

    region = home_region(users["jxk"], ("performance",))
    c = client_as("jxk")
    try:
        with transaction.atomic():
            services.run_warnings(region, YEAR, date(2026, 3, 31), actor=users["jxk"])
            assert "上次运行截至 2026年3月31日" in c.get("/monitoring/", {"year": YEAR}).content.decode()
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    before = version(STATUS_STAMP)
    services.run_warnings(region, YEAR, date(2026, 6, 30), actor=users["jxk"])
    assert version(STATUS_STAMP) != before
    assert "上次运行截至 2026年6月30日" in c.get("/monitoring/", {"year": YEAR}).content.decode()

"""Rate limits (频率限制): login per source address and per user name, API per token; 429 with Retry-After."""

import pytest
from django.test import Client

from wenxiao.core.models import Setting
from wenxiao.core.security import hit
from wenxiao.orgs.models import RateCounter

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counts(db):
    """Start from zero: a live-server test on PostgreSQL may have committed a few login counts."""
    RateCounter.objects.all().delete()


def _set(key, value):
    Setting.objects.update_or_create(key=key, region=None, year=None, defaults={"value": value})


def test_login_attempts_per_user_name_get_429_with_retry_after(users):
    _set("security.rate_login_user", 3)
    for _ in range(3):
        r = Client().post("/login/", {"username": "dw", "password": "wrong-password"})
        assert r.status_code == 200
    r = Client().post("/login/", {"username": "DW", "password": "test-pass-1"})  # even the right password
    assert r.status_code == 429
    assert 0 < int(r["Retry-After"]) <= 300
    assert "请求过于频繁" in r.content.decode() and f"{r['Retry-After']} 秒后再试" in r.content.decode()
    assert Client().post("/login/", {"username": "dw2", "password": "test-pass-1"}).status_code == 302


def test_login_attempts_per_address(users):
    _set("security.rate_login_ip", 4)
    for name in ("a1", "a2", "a3", "a4"):
        assert Client().post("/login/", {"username": name, "password": "x"}).status_code == 200
    assert Client().post("/login/", {"username": "dw", "password": "test-pass-1"}).status_code == 429
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert other.post("/login/", {"username": "dw", "password": "test-pass-1"}).status_code == 302


def test_api_calls_per_token(api_as, client_as):
    _set("security.rate_api", 3)
    a, b = api_as("jxk"), api_as("jxk")
    for _ in range(3):
        assert a.get("/api/v1/me").status_code == 200
    r = a.get("/api/v1/me")
    assert r.status_code == 429 and r.json()["detail"].startswith("请求过于频繁")
    assert 0 < int(r["Retry-After"]) <= 60
    assert b.get("/api/v1/me").status_code == 200  # another token has its own count
    session = client_as("dw")
    assert [session.get("/api/v1/me").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert client_as("dw").get("/projects/").status_code == 200  # pages are not limited


def test_the_count_lives_in_the_database_and_resets_with_the_window():
    t = 1_800_000_000.0
    assert [hit("k", 2, 60, now=t + i) for i in range(3)] == [0, 0, 60 - 2]
    row = RateCounter.objects.get(key="k")  # shared by every process that uses the database
    assert row.count == 3 and row.bucket == int(t // 60) * 60
    assert hit("k", 2, 60, now=t + 60) == 0  # the next window starts from zero
    assert hit("k", 0, 60, now=t) == 0  # 0 means no limit

"""Shared fixtures: every test database holds the demo jurisdiction, seeded once per test process.

Tests run inside a transaction that is rolled back, so each one starts from the same seeded world: the
demo accounts (dw, dw2, zgbm, ywk, jxk, xian_jxk, rd …) and about 1,500 projects.
"""

import pytest
from django.conf import settings
from django.test import Client

DEMO_YEAR = settings.FISCAL_YEAR


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from wenxiao.seed.generate import seed

    with django_db_blocker.unblock():
        seed("demo", year=DEMO_YEAR, seed=1, password="test-pass-1", progress=lambda *_: None)


@pytest.fixture
def users(db):
    from wenxiao.orgs.models import User

    return {u.username: u for u in User.objects.all()}


@pytest.fixture
def client_as(db):
    """client_as("dw") → a test client logged in as that demo account."""
    from wenxiao.orgs.models import User

    def make(username: str) -> Client:
        c = Client()
        c.force_login(User.objects.get(username=username))
        return c

    return make


@pytest.fixture
def api_as(db):
    """api_as("dw") → a client sending `Authorization: Bearer <token>` for that account."""
    from wenxiao.core.tokens import create_token
    from wenxiao.orgs.models import User

    def make(username: str) -> Client:
        token = create_token(User.objects.get(username=username), name="test")
        return Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    return make


@pytest.fixture(autouse=True)
def _fresh_settings_cache():
    """Settings are cached per process; a rolled-back test's rows must not be seen by the next test."""
    from wenxiao.core.config import clear_cache

    clear_cache()
    yield
    clear_cache()

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


@pytest.fixture
def browser_server(db):
    """A live server for the browser tests, inside the test transaction on SQLite and PostgreSQL alike.

    It shares the test's database connection (Django does so only for in-memory SQLite), so what the browser
    writes is rolled back with the test and later tests in the process still see the pristine demo.
    """
    from django.core.servers.basehttp import WSGIServer
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, connections
    from django.test.testcases import LiveServerThread
    from pytest_django.live_server_helper import LiveServer

    class OneRequestAtATime(WSGIServer):
        """Requests share the test's connection, so they must not run concurrently (Django then also answers
        each request with Connection: close, so the browser never waits on a kept-alive socket)."""

        def __init__(self, *args, connections_override=None, **kwargs):
            super().__init__(*args, **kwargs)

    class SharedConnectionThread(LiveServerThread):
        server_class = OneRequestAtATime

        def _create_server(self, connections_override=None):
            server = super()._create_server(connections_override=connections_override)
            server._close_connections = lambda: None  # the shared connection holds the test transaction
            return server

    server = LiveServer("127.0.0.1:0", start=False)
    thread = SharedConnectionThread(
        server.thread.host,
        static_handler=server.thread.static_handler,
        connections_override={conn.alias: conn for conn in connections.all()},
        port=0,
    )
    thread.daemon = True
    server.thread = thread
    # As Django's test client does: a request must not close the connection that holds the test transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    server._live_server_modified_settings.enable()
    try:
        server.start()
        yield server.url
    finally:
        server._live_server_modified_settings.disable()
        server.stop()
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)

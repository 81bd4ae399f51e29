"""schemathesis against our own OpenAPI: every operation, called as 绩效科 (jxk) through the WSGI app with
generated parameters and bodies, must never answer with a server error (5xx).

Bounded: a few derandomized examples per operation, so the run is repeatable and takes about a minute. Each
example runs inside its own savepoint, so one failing statement (PostgreSQL aborts the transaction) cannot
make the examples after it fail too, and the assertion names the exception the server raised.
"""

import sys
import traceback

import pytest
import schemathesis
from django.core.signals import got_request_exception
from django.db import transaction
from hypothesis import HealthCheck, Phase, settings

from wenxiao.api.main import api
from wenxiao.wsgi import application

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
EXAMPLES = 2


@pytest.fixture
def jxk_token(db):
    from wenxiao.core.tokens import create_token
    from wenxiao.orgs.models import User

    return create_token(User.objects.get(username="jxk"), name="fuzz")


@pytest.fixture
def keep_connection():
    """Like Django's test client: the app must not close the connection that holds the test transaction."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def server_errors():
    """The exceptions the app raised while handling requests (Django turns them into 500 pages)."""
    seen: list[str] = []

    def remember(sender, request=None, **kwargs):
        exc = sys.exc_info()[1]
        where = traceback.extract_tb(sys.exc_info()[2])
        ours = [f"{f.filename.split('src/')[-1]}:{f.lineno}" for f in where if "/wenxiao/" in f.filename]
        seen.append(f"{type(exc).__name__}: {str(exc)[:300]} at {' → '.join(ours[-3:])}")

    got_request_exception.connect(remember, weak=False)
    yield seen
    got_request_exception.disconnect(remember)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: the failing input is printed as generated
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors(case, jxk_token, server_errors, keep_connection):
    server_errors.clear()
    savepoint = transaction.savepoint()
    try:
        response = case.call(app=application, headers={"Authorization": f"Bearer {jxk_token}"})
    finally:
        transaction.savepoint_rollback(savepoint)
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} → {response.status_code}\n"
        f"query={case.query} body={case.body!r}\n" + "\n".join(server_errors)
    )

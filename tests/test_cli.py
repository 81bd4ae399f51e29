"""The operator's commands: tokens, audit verify, and `wenxiao demo --no-serve` on a fresh database."""

import os
import re
import sqlite3
import subprocess
import sys

import pytest

from wenxiao.cli import main
from wenxiao.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_token_create_prints_a_token_the_api_accepts(capsys, users):
    assert main(["token", "create", "dw"]) == 0
    token = capsys.readouterr().out.strip()
    assert re.fullmatch(r"wx_[0-9a-f]{8}_[\w-]{40,}", token)
    from django.test import Client

    r = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/me")
    assert r.status_code == 200 and r.json()["username"] == "dw"
    assert main(["token", "create", "nobody"]) == 2


def test_audit_verify_exit_codes(capsys, users):
    from wenxiao.core import audit

    audit.record(users["jxk"], "test.event", object_type="test", object_repr="一条记录", after={"x": 1})
    assert main(["audit", "verify"]) == 0
    row = AuditEvent.objects.latest("seq")
    from tests.test_audit import tamper

    tamper("UPDATE core_auditevent SET after = %s WHERE id = %s", ['{"x": 2}', row.id])
    assert main(["audit", "verify"]) == 1
    assert f"第 {row.seq} 条记录" in capsys.readouterr().err


def test_queued_job_runs_through_the_database_backend(users, django_capture_on_commit_callbacks):
    """The task row written by enqueue is picked up and run by the db_worker's own code."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    from wenxiao.core.jobs import start_job
    from wenxiao.core.models import Job

    with django_capture_on_commit_callbacks(execute=True):
        job = start_job("projects.export", "导出", user=users["zgbm"], params={"filter": {"year": 2026}})
    row = DBTaskResult.objects.ready().get()
    assert row.args_kwargs["args"] == [job.pk]
    # The worker loop closes connections between tasks (fatal inside a test transaction): run its task step.
    Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=1,
        worker_id="test",
        excluded_queue_names=[],
    ).run_task(row)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.result_file.endswith(".xlsx")
    assert DBTaskResult.objects.get(pk=row.pk).status == "SUCCESSFUL"


def test_demo_no_serve_leaves_a_seeded_database(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "WENXIAO_DATABASE_URL"}
    env["WENXIAO_DATA_DIR"] = str(tmp_path)
    r = subprocess.run(
        [sys.executable, "-m", "wenxiao.cli", "demo", "--no-serve", "--password", "X-demo-2026"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr
    assert "xian_jxk" in r.stdout and "X-demo-2026" in r.stdout
    db = sqlite3.connect(tmp_path / "wenxiao.sqlite3")
    assert db.execute("SELECT count(*) FROM projects_project").fetchone()[0] > 1000
    assert db.execute("SELECT count(*) FROM orgs_user WHERE username = 'dw'").fetchone()[0] == 1
    # A job queued by the site is done by a real `wenxiao worker` process.
    enqueue = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'wenxiao.settings'); django.setup();"
        "from django.db import transaction; from wenxiao.core.jobs import start_job;"
        "from wenxiao.orgs.models import User;"
        "transaction.atomic()(lambda: start_job('projects.export', 'x', user=User.objects.get(username='dw'),"
        " params={'filter': {}}))()"
    )
    subprocess.run([sys.executable, "-c", enqueue], env=env, check=True, timeout=120)
    r = subprocess.run(
        [sys.executable, "-m", "wenxiao.cli", "worker", "--batch"], env=env, capture_output=True, text=True, timeout=300
    )
    assert r.returncode == 0, r.stderr
    assert db.execute("SELECT status FROM core_job").fetchall() == [("done",)]


def test_read_only_token_reads_but_cannot_write(capsys, users):
    from django.test import Client

    from wenxiao.projects.models import Project

    assert main(["token", "create", "dw", "--read-only"]) == 0
    client = Client(HTTP_AUTHORIZATION=f"Bearer {capsys.readouterr().out.strip()}")
    project = Project.objects.filter(unit=users["dw"].assignments.get().org).first()
    assert client.get(f"/api/v1/projects/{project.pk}").status_code == 200
    r = client.patch(
        f"/api/v1/projects/{project.pk}", {"version": project.version, "name": "改名"}, content_type="application/json"
    )
    assert r.status_code == 403 and "只读令牌" in r.json()["detail"]
    assert Project.objects.get(pk=project.pk).name == project.name

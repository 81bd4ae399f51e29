"""Backups: `wenxiao backup` → `wenxiao restore` into a fresh database gives back the same rows, files and an
intact audit chain; a tampered archive, a different schema, a missing key or a non-empty target are refused."""

import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction

from wenxiao.core.backup import BackupError, backup, check, restore, verify
from wenxiao.core.backup_cli import add_parsers
from wenxiao.core.crypto import sm3_hex
from wenxiao.core.models import AuditEvent
from wenxiao.projects.models import Project

PHONE = "13800138000"
pytestmark = pytest.mark.django_db

ATTACHMENT = "绩效自评证明材料（备份测试）\n".encode() * 50

# Runs in a child process on a fresh database: migrate, restore through the CLI, then report what it holds.
CHILD = r"""
import argparse, json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenxiao.settings")
from wenxiao.core.backup_cli import add_parsers

archive, again = sys.argv[1], sys.argv[2]
p = argparse.ArgumentParser()
add_parsers(p.add_subparsers(dest="command", required=True))
args = p.parse_args(["restore", archive])
rc = args.func(args)
from wenxiao.core.audit import verify_chain
from wenxiao.core.backup import backup
from wenxiao.projects.models import ResponsiblePerson

chain = verify_chain()
m = backup(again, record=False)
phone_id = int(os.environ["PHONE_ID"])
print("@@" + json.dumps({
    "rc": rc,
    "chain_ok": chain.ok,
    "chain_checked": chain.checked,
    "tables": {t.name: [t.rows, t.sm3] for t in m.tables},
    "phone": ResponsiblePerson.objects.get(pk=phone_id).phone,
}))
"""


def _cli(argv: list[str]) -> int:
    import argparse

    p = argparse.ArgumentParser()
    add_parsers(p.add_subparsers(dest="command", required=True))
    args = p.parse_args(argv)
    return args.func(args)


@pytest.fixture(scope="module")
def archive(tmp_path_factory, django_db_setup, django_db_blocker):
    """A backup of the seeded test database plus one attachment and one encrypted phone number (rolled back)."""
    from wenxiao.core.attachments import attach
    from wenxiao.orgs.models import User
    from wenxiao.projects.models import ResponsiblePerson

    path = tmp_path_factory.mktemp("backup") / "wenxiao.tar"
    with django_db_blocker.unblock(), transaction.atomic():
        project = Project.objects.order_by("id").first()
        att = attach(project, SimpleUploadedFile("证明材料.txt", ATTACHMENT), actor=User.objects.get(username="dw"))
        person = ResponsiblePerson.objects.order_by("id").first()
        ResponsiblePerson.objects.filter(pk=person.pk).update(phone=PHONE)
        audit_rows = AuditEvent.objects.count()
        manifest = backup(path)
        event = AuditEvent.objects.latest("seq")  # recorded after the snapshot, with the manifest's SM3
        assert event.action == "system.backup" and event.after["manifest_sm3"] == manifest.sm3
        transaction.set_rollback(True)
    media_file = Path(settings.MEDIA_ROOT) / att.file.name
    yield {"path": path, "manifest": manifest, "file": att.file.name, "phone_id": person.pk, "audit": audit_rows}
    media_file.unlink(missing_ok=True)


def _rewrite(src: Path, dest: Path, change) -> Path:
    """Copy an archive, passing each member's bytes through change(name, data)."""
    with tarfile.open(src) as tin, tarfile.open(dest, "w") as tout:
        for m in tin.getmembers():
            data = tin.extractfile(m).read()
            data = change(m.name, data)
            m.size = len(data)
            tout.addfile(m, io.BytesIO(data))
    return dest


def _edit_manifest(src: Path, dest: Path, edit) -> Path:
    def change(name, data):
        if name != "manifest.json":
            return data
        m = json.loads(data)
        edit(m)
        return json.dumps(m).encode()

    return _rewrite(src, dest, change)


def test_manifest_lists_every_table_file_and_hash(archive):
    m = archive["manifest"]
    assert m.format_version == 1 and m.vendor == connection.vendor
    names = {t.name for t in m.tables}
    assert {"core_auditevent", "projects_project", "projects_payment", "orgs_user"} <= names
    assert "django_session" not in names
    assert m.table("core_auditevent").rows == archive["audit"]
    assert m.rows > 100_000
    assert any(f.path == f"media/{archive['file']}" and f.sm3 == sm3_hex(ATTACHMENT) for f in m.media)
    assert m.field_key_ids and "core" in m.migrations
    with tarfile.open(archive["path"]) as tar:
        listed = set(tar.getnames())
    assert {t.file for t in m.tables} | {f.path for f in m.media} | {"manifest.json"} == listed
    assert verify(archive["path"]) == []
    with tarfile.open(archive["path"]) as tar:
        assert check(archive["path"])[0].sm3 == m.sm3 == sm3_hex(tar.extractfile("manifest.json").read())


def _scratch_database():
    """(env for the child, cleanup): a fresh SQLite data dir, or a new PostgreSQL database beside the test one."""
    url = os.environ.get("WENXIAO_DATABASE_URL")
    if not url:
        return None, lambda: None
    import psycopg

    name = f"test_restore_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")

    def drop():
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    return urlunsplit(urlsplit(url)._replace(path=f"/{name}")), drop


def test_round_trip_into_a_fresh_database(archive, tmp_path):
    from wenxiao.core.fields import _keys

    key_id, keys = _keys()
    db_url, drop = _scratch_database()
    env = {k: v for k, v in os.environ.items() if k not in ("WENXIAO_DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env |= {"WENXIAO_DATA_DIR": str(tmp_path / "data"), "WENXIAO_FIELD_KEY": keys[key_id].hex()}
    env["PHONE_ID"] = str(archive["phone_id"])
    if db_url:
        env["WENXIAO_DATABASE_URL"] = db_url
    try:
        r = subprocess.run(
            [sys.executable, "-c", CHILD, str(archive["path"]), str(tmp_path / "again.tar")],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        drop()
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.split("@@", 1)[1])
    assert out["rc"] == 0, r.stdout + r.stderr
    assert "恢复完成" in r.stdout and "审计日志完整" in r.stdout
    m = archive["manifest"]
    # The restore itself is the one new audit event; every other table comes back byte for byte.
    assert out["chain_ok"] and out["chain_checked"] == m.table("core_auditevent").rows + 1
    original = {t.name: [t.rows, t.sm3] for t in m.tables}
    differ = {k for k in original if original[k] != out["tables"].get(k)}
    assert differ == {"core_auditevent", "core_audithead"}
    assert out["tables"]["core_auditevent"][0] == original["core_auditevent"][0] + 1
    assert out["phone"] == PHONE  # the encrypted column decrypts with the same field key
    restored = tmp_path / "data" / "files" / archive["file"]
    assert restored.read_bytes() == ATTACHMENT


def test_a_tampered_archive_is_refused_and_nothing_is_written(archive, tmp_path):
    def flip_one_digit(name, data):
        if name != "db/projects_project.jsonl":
            return data
        i = next(i for i in range(len(data) // 2, len(data)) if data[i : i + 1].isdigit())
        return data[:i] + (b"1" if data[i : i + 1] != b"1" else b"2") + data[i + 1 :]

    bad = _rewrite(archive["path"], tmp_path / "bad.tar", flip_one_digit)
    assert bad.stat().st_size == archive["path"].stat().st_size
    problems = verify(bad)
    assert problems == ["db/projects_project.jsonl 的 SM3 校验值不符（备份已损坏或被篡改）"]
    before = (Project.objects.count(), AuditEvent.objects.count())
    with pytest.raises(BackupError) as e:
        restore(bad, force=True)
    assert "未写入任何数据" in e.value.message and e.value.problems == problems
    assert (Project.objects.count(), AuditEvent.objects.count()) == before


def test_a_different_schema_or_a_missing_field_key_is_refused(archive, tmp_path):
    newer = _edit_manifest(
        archive["path"], tmp_path / "newer.tar", lambda m: m["migrations"]["core"].append("9999_future")
    )
    (problem,) = verify(newer)
    assert "多 1 个迁移（core.9999_future）" in problem
    assert verify(newer, check_target=False) == []  # the archive itself is intact
    other_key = _edit_manifest(archive["path"], tmp_path / "key.tar", lambda m: m["field_key_ids"].append("0badc0de"))
    (problem,) = verify(other_key)
    assert "0badc0de" in problem and "WENXIAO_FIELD_KEY" in problem
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not an archive")
    assert "无法读取备份文件" in verify(junk)[0]


def test_restore_into_a_database_with_data_needs_force(archive, capsys):
    before = (Project.objects.count(), AuditEvent.objects.count())
    with pytest.raises(BackupError) as e:
        restore(archive["path"])
    assert "不是空的" in e.value.message
    assert (Project.objects.count(), AuditEvent.objects.count()) == before
    assert _cli(["restore", str(archive["path"])]) == 1
    assert "目标数据库不是空的" in capsys.readouterr().err
    assert _cli(["restore", "--verify-only", str(archive["path"])]) == 0
    assert "备份校验通过" in capsys.readouterr().out
    assert _cli(["backup", str(archive["path"])]) == 2  # never overwrites without --overwrite


def test_force_replaces_the_data_when_the_audit_log_is_a_prefix(archive):
    """Here the database's audit log is the archive's minus the events rolled back after the backup was taken:
    --force empties the other tables, reloads them and appends only the missing audit events."""
    existing = AuditEvent.objects.count()
    Project.objects.filter(pk=Project.objects.order_by("id").first().pk).update(name="恢复前被改过的名称")
    r = restore(archive["path"], force=True)
    m = archive["manifest"]
    assert r.kept_audit_rows == existing < m.table("core_auditevent").rows
    assert r.chain_ok and r.chain_checked == m.table("core_auditevent").rows
    assert AuditEvent.objects.count() == m.table("core_auditevent").rows + 1  # + the restore event
    assert Project.objects.count() == m.table("projects_project").rows
    assert not Project.objects.filter(name="恢复前被改过的名称").exists()
    assert r.warnings == []
    latest = AuditEvent.objects.latest("seq")
    assert latest.action == "system.restore" and latest.after["chain_ok"] is True

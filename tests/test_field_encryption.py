"""Personal data is SM4-encrypted at rest and readable in the application; keys can be rotated."""

import pytest
from django.db import connection

from wenxiao.core import fields
from wenxiao.projects import services
from wenxiao.projects.models import Project, ResponsiblePerson

pytestmark = pytest.mark.django_db


def _raw_phone(pk: int) -> str:
    with connection.cursor() as c:
        c.execute("SELECT phone FROM projects_responsibleperson WHERE id = %s", [pk])
        return c.fetchone()[0]


def test_phone_is_ciphertext_in_the_database_and_plain_in_the_app(users):
    project = Project.objects.filter(unit=users["dw"].assignments.get().org).first()
    person = services.do_change_responsible(
        project.pk, name="赵敏", phone="13907340001", reason="调整", actor=users["dw"]
    )
    raw = _raw_phone(person.pk)
    assert raw.startswith("sm4:") and "13907340001" not in raw
    assert ResponsiblePerson.objects.get(pk=person.pk).phone == "13907340001"
    second = services.do_change_responsible(
        project.pk, name="钱进", phone="13907340001", reason="调整", actor=users["dw"]
    )
    assert _raw_phone(second.pk) != raw  # a fresh nonce every time: equal numbers do not look equal


def test_key_rotation_rewrites_with_the_new_key(users, monkeypatch):
    project = Project.objects.filter(unit=users["dw"].assignments.get().org).first()
    person = services.do_change_responsible(
        project.pk, name="孙丽", phone="0734-8221234", reason="调整", actor=users["dw"]
    )
    old_key_id = fields.key_id_of(_raw_phone(person.pk))
    old_hex = fields._keys()[1][old_key_id].hex()
    monkeypatch.setenv("WENXIAO_FIELD_KEY", "00112233445566778899aabbccddeeff")
    monkeypatch.setenv("WENXIAO_FIELD_OLD_KEYS", old_hex)
    fields.reset_keys()
    try:
        assert fields.rotate() >= 1
        raw = _raw_phone(person.pk)
        assert fields.key_id_of(raw) != old_key_id
        monkeypatch.delenv("WENXIAO_FIELD_OLD_KEYS")
        fields.reset_keys()
        assert ResponsiblePerson.objects.get(pk=person.pk).phone == "0734-8221234"  # no old key needed now
    finally:
        monkeypatch.undo()
        fields.reset_keys()

"""One setting of keys (PAWPACT_SECRET_KEYS) encrypts every secret at rest; one command rotates them all."""

import base64
import hashlib
import os

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError

from pawpact.tenants.credentials import credential_save
from pawpact.tenants.models import ShopCredential
from pawpact.tenants.secrets import SecretUnreadable, secret_decrypt, text_decrypt
from pawpact.warehouses.models import Warehouse
from pawpact.warehouses.services import warehouse_register

SMS = {"access_key_id": "LTAI5tShopKey0001", "sign_name": "快乐爪爪", "template_code": "SMS_100000001"}
HMAC_SECRET = "warehouse-shared-secret-0001"


def _rotate():
    call_command("secrets_rotate", stdout=open(os.devnull, "w"))


def test_credentials_and_warehouse_secrets_share_the_keys_and_rotate_together(settings, shop):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.PAWPACT_SECRET_KEYS = [old]
    credential = credential_save(shop=shop, provider="aliyun_sms", livemode=True, config=SMS,
                                 secrets={"access_key_secret": "S" * 30}, actor=None)  # fmt: skip
    warehouse = warehouse_register(code="wh1", name="WH", base_url="http://wh.test", key_id="k1", secret=HMAC_SECRET)
    assert Fernet(old).decrypt(warehouse.secret_encrypted.encode()).decode() == HMAC_SECRET
    settings.PAWPACT_SECRET_KEYS = [new, old]
    _rotate()
    settings.PAWPACT_SECRET_KEYS = [new]
    assert text_decrypt(Warehouse.objects.get(pk=warehouse.pk).secret_encrypted) == HMAC_SECRET
    assert secret_decrypt(ShopCredential.objects.get(pk=credential.pk).secret_ciphertext) == {"access_key_secret": "S" * 30}
    settings.PAWPACT_SECRET_KEYS = [old]
    with pytest.raises(SecretUnreadable):
        text_decrypt(Warehouse.objects.get(pk=warehouse.pk).secret_encrypted)


def test_warehouse_secrets_written_under_their_old_key_stay_readable_until_rotated(settings, db):
    legacy = base64.urlsafe_b64encode(hashlib.sha256(b"pawpact.warehouses.secret:" + settings.SECRET_KEY.encode()).digest())
    token = Fernet(legacy).encrypt(HMAC_SECRET.encode()).decode()
    warehouse = Warehouse.objects.create(code="wh2", name="WH", base_url="http://wh.test", key_id="k", secret_encrypted=token)
    key = Fernet.generate_key().decode()
    settings.PAWPACT_SECRET_KEYS = [key]
    assert text_decrypt(token) == HMAC_SECRET
    _rotate()
    rotated = Warehouse.objects.get(pk=warehouse.pk).secret_encrypted
    assert rotated != token and Fernet(key).decrypt(rotated.encode()).decode() == HMAC_SECRET


def test_a_secret_no_key_opens_stops_the_rotation_and_changes_nothing(settings, shop):
    settings.PAWPACT_SECRET_KEYS = [Fernet.generate_key().decode()]
    credential_save(shop=shop, provider="aliyun_sms", livemode=True, config=SMS,
                    secrets={"access_key_secret": "S" * 30}, actor=None)  # fmt: skip
    warehouse_register(code="wh3", name="WH", base_url="http://wh.test", key_id="k1", secret=HMAC_SECRET)
    before = {w.pk: w.secret_encrypted for w in Warehouse.objects.all()}
    settings.PAWPACT_SECRET_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CommandError):
        _rotate()
    assert {w.pk: w.secret_encrypted for w in Warehouse.objects.all()} == before


def test_the_retired_setting_is_read_as_older_keys(monkeypatch):
    import importlib

    from pawpact.config.settings import base

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv("PAWPACT_SECRET_KEYS", new)
    monkeypatch.setenv("PAWPACT_FIELD_ENCRYPTION_KEY", old)
    try:
        assert importlib.reload(base).PAWPACT_SECRET_KEYS == [new, old]
    finally:
        monkeypatch.delenv("PAWPACT_SECRET_KEYS")
        monkeypatch.delenv("PAWPACT_FIELD_ENCRYPTION_KEY")
        importlib.reload(base)

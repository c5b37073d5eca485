"""TOTP keys and recovery-code seeds are encrypted at rest (MfaAdapter.encrypt/decrypt, MFA_ENCRYPTION_KEY)."""

import importlib
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from tests import factories

pytestmark = pytest.mark.django_db

encrypt_migration = importlib.import_module("accounts.migrations.0002_encrypt_mfa_secrets")


def stored_row(authenticator) -> str:
    """The row as the database holds it, bypassing the ORM."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT data FROM {Authenticator._meta.db_table} WHERE id = %s", [authenticator.pk])
        return str(cursor.fetchone()[0])


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_database_holds_no_plaintext_totp_secret():
    secret = generate_totp_secret()

    totp = TOTP.activate(factories.UserFactory(), secret)

    assert secret not in stored_row(totp.instance)
    assert TOTP(Authenticator.objects.get(pk=totp.instance.pk)).validate_code(current_code(secret))


def test_database_holds_no_plaintext_recovery_code_seed():
    user = factories.UserFactory()

    codes = RecoveryCodes.activate(user)

    raw = stored_row(codes.instance)
    assert codes.instance.data["seed"].startswith("gAAAAA")
    assert all(code not in raw for code in codes.generate_codes())
    assert RecoveryCodes(Authenticator.objects.get(pk=codes.instance.pk)).validate_code(codes.generate_codes()[0])


def test_migration_encrypts_secrets_stored_in_the_clear_once():
    secret = generate_totp_secret()
    seed = "ab" * 40
    user = factories.UserFactory()
    totp = Authenticator.objects.create(user=user, type="totp", data={"secret": secret})
    recovery = Authenticator.objects.create(user=user, type="recovery_codes", data={"seed": seed, "used_mask": 0})

    encrypt_migration.encrypt_secrets(apps, None)
    once = (stored_row(totp), stored_row(recovery))
    encrypt_migration.encrypt_secrets(apps, None)

    assert secret not in once[0] and seed not in once[1]
    assert (stored_row(totp), stored_row(recovery)) == once
    assert TOTP(Authenticator.objects.get(pk=totp.pk)).validate_code(current_code(secret))
    assert Authenticator.objects.get(pk=recovery.pk).data["used_mask"] == 0


def test_migration_backwards_puts_secrets_back_in_the_clear():
    secret = generate_totp_secret()
    totp = TOTP.activate(factories.UserFactory(), secret)

    encrypt_migration.decrypt_secrets(apps, None)

    assert Authenticator.objects.get(pk=totp.instance.pk).data["secret"] == secret


def test_a_new_key_first_still_reads_secrets_of_the_old_one(settings):
    secret = generate_totp_secret()
    totp = TOTP.activate(factories.UserFactory(), secret)

    settings.MFA_ENCRYPTION_KEY = f"{Fernet.generate_key().decode()},{settings.MFA_ENCRYPTION_KEY}"

    assert TOTP(Authenticator.objects.get(pk=totp.instance.pk)).validate_code(current_code(secret))


def test_a_wrong_key_fails_loudly_rather_than_reading_an_empty_secret(settings):
    totp = TOTP.activate(factories.UserFactory(), generate_totp_secret())

    settings.MFA_ENCRYPTION_KEY = Fernet.generate_key().decode()

    with pytest.raises(ImproperlyConfigured):
        TOTP(Authenticator.objects.get(pk=totp.instance.pk)).validate_code("123456")


@pytest.mark.parametrize("value", [None, ""])
def test_production_refuses_to_start_without_an_encryption_key(monkeypatch, value):
    from sferum_admin import settings as project_settings

    monkeypatch.setenv("DJANGO_ENV", "production")
    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 60)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "example.org")
    if value is None:
        monkeypatch.delenv("MFA_ENCRYPTION_KEY", raising=False)
    else:
        monkeypatch.setenv("MFA_ENCRYPTION_KEY", value)
    try:
        with pytest.raises(ImproperlyConfigured):
            importlib.reload(project_settings)
    finally:
        monkeypatch.undo()
        importlib.reload(project_settings)

"""Encrypt the TOTP keys and recovery-code seeds allauth stored in the clear before MfaAdapter.encrypt existed."""

from django.db import migrations


def encrypt_secrets(apps, schema_editor):
    from accounts.mfa_secrets import authenticator_data_encrypt

    _convert(apps, authenticator_data_encrypt)


def decrypt_secrets(apps, schema_editor):
    from accounts.mfa_secrets import authenticator_data_decrypt

    _convert(apps, authenticator_data_decrypt)


def _convert(apps, convert):
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.filter(type__in=("totp", "recovery_codes")).iterator():
        data = convert(authenticator.data)
        if data != authenticator.data:
            Authenticator.objects.filter(pk=authenticator.pk).update(data=data)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt_secrets, decrypt_secrets, elidable=False)]
